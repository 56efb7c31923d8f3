// The data-driven attribution model over stored data (docs/ATTRIBUTION.md, "Data-driven model"): gathers the paths of
// converting and non-converting contacts of a period, fits the domain's model (src/domain/attribution/dataDriven.ts),
// keeps the fit with its date and volume (attribution_fits), and re-credits every order when the account credits by
// it. Fits run on demand (POST /v1/attribution/data-driven/fit) and daily (a periodic job in src/main.ts).
import type { Db } from '../store/db';
import { insertFit, latestFit, messagesByContactPage, type AttributionFitRow } from '../store/dataDriven';
import { listOrdersPage, type TouchMessageRow } from '../store/orders';
import {
  countedPath, fitDataDriven, isDirect, isEligible, messageSentAt, DD_MIN_CONVERSIONS, type DataDrivenFit, type FitPath, type Touch, type TouchKind,
} from '../domain/attribution';
import { addDays } from '../domain/kpis';
import type { Channel } from '../domain/types';
import type { AccountDirectory } from './accounts';
import { attributable, type Attribution, type RecomputeSummary } from './attribution';
import { nextDay, todayIn, zonedDayStart } from './campaigns';
import { timeOrderedId } from './ids';
import type { Writer } from './writer';

/** The period a fit learns from by default: the last 90 days of the account (today included). */
export const DD_DEFAULT_DAYS = 90;
const PAGE = 2000;

export interface FitProgress {
  stage: 'converting_paths' | 'other_paths' | 'fitting' | 'crediting';
  done: number;
  total: number | null;
}

export type FitStatus = 'fitted' | 'insufficient_data' | 'never';

export class DataDriven {
  /** Fits in progress on this node, per account (GET shows them). */
  private readonly running = new Map<string, FitProgress>();

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly attribution: Attribution,
    /** Redoes every credit of the account (the orders service's recompute, which reuses the attribution's). */
    private readonly recompute: (accountId: string) => Promise<RecomputeSummary>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** GET /v1/attribution/data-driven: the current fit, whether the account credits by it, and a fit in progress. */
  async current(accountId: string) {
    const [fit, ctx] = await Promise.all([latestFit(this.db.kysely, accountId), this.attribution.context(this.db.kysely, accountId)]);
    const selected = ctx.settings.model === 'data_driven';
    return {
      ...fitView(fit),
      selected,
      fallbackModel: ctx.settings.fallbackModel,
      // What credits the account's orders now when it selected data_driven: the fit, or its rule model (labelled).
      creditedBy: !selected ? null : ctx.fitId ? 'data_driven' : ctx.settings.fallbackModel,
      running: this.running.get(accountId) ?? null,
    };
  }

  /**
   * Fits the model on the account's paths of the `days` days ending today, stores the fit (also a refusal), and
   * re-credits every order when the account credits by data_driven. One fit per account at a time on this node.
   */
  async fit(accountId: string, opts: { days?: number; trigger?: 'manual' | 'scheduled' } = {}) {
    if (this.running.has(accountId)) return { ok: false as const, message: 'A fit of this account is already running; GET /v1/attribution/data-driven shows its progress.' };
    const progress: FitProgress = { stage: 'converting_paths', done: 0, total: null };
    this.running.set(accountId, progress);
    try {
      const t0 = performance.now();
      const account = await this.accounts.get(accountId);
      if (!account) throw new Error(`Account ${accountId} not found.`);
      const to = todayIn(account.time_zone, this.clock());
      const from = addDays(to, -((opts.days ?? DD_DEFAULT_DAYS) - 1));
      const paths = await this.paths(accountId, zonedDayStart(from, account.time_zone), zonedDayStart(nextDay(to), account.time_zone), progress);
      progress.stage = 'fitting';
      const fit = fitDataDriven(paths);
      const row: AttributionFitRow = {
        account_id: accountId, id: timeOrderedId('fit_'), fitted_at: this.clock(), status: fit.status, trigger: opts.trigger ?? 'manual',
        period_from: from, period_to: to, conversions: fit.conversions, paths: fit.paths, min_conversions: fit.minConversions,
        weights: JSON.stringify(fit.status === 'fitted' ? { pConversion: fit.pConversion, resamples: fit.resamples, channels: fit.channels, campaigns: fit.campaigns } : {}),
        seconds: (performance.now() - t0) / 1000,
      };
      await this.writer.run((trx) => insertFit(trx, row));
      this.attribution.invalidate(accountId);
      const ctx = await this.attribution.context(this.db.kysely, accountId);
      let recomputed: RecomputeSummary | null = null;
      if (ctx.settings.model === 'data_driven') {
        progress.stage = 'crediting';
        recomputed = await this.recompute(accountId);
      }
      return { ok: true as const, value: { fit: fitView(row), recomputed } };
    } finally {
      this.running.delete(accountId);
    }
  }

  /** The periodic job: refits every account that credits by data_driven (each account's failure stays its own). */
  async refitAll(): Promise<number> {
    let n = 0;
    for (const a of await this.accounts.list()) {
      const ctx = await this.attribution.context(this.db.kysely, a.id);
      if (ctx.settings.model !== 'data_driven') continue;
      await this.fit(a.id, { trigger: 'scheduled' });
      n++;
    }
    return n;
  }

  /**
   * The period's paths. Converting: each order placed in [fromMs, toMs) with a counted touch gives its counted path
   * (the same selection as its credit: windows, direct before influence). Non-converting: each contact with messages
   * in the period and no order in it gives the touches of its messages inside their windows before its latest touch
   * of the period (as if it had decided then), direct before influence. Reads are paged (2,000 orders, 2,000 messages
   * a statement), walking the period's orders and the account's messages_touches index once.
   */
  private async paths(accountId: string, fromMs: number, toMs: number, progress: FitProgress): Promise<FitPath[]> {
    const h = this.db.kysely;
    const ctx = await this.attribution.context(h, accountId);
    const out: FitPath[] = [];
    const buyers = new Set<string>();
    let after: { at: number; id: string } | undefined;
    for (;;) {
      const rows = await listOrdersPage(h, accountId, { after, limit: PAGE, fromMs, toMs });
      if (rows.length === 0) break;
      const { touches } = await this.attribution.gatherTouches(h, ctx, rows);
      for (const o of rows) {
        if (o.contact_id) buyers.add(o.contact_id);
        const path = countedPath(attributable(o), touches.get(o.id) ?? [], ctx.windows);
        if (path.length) out.push({ steps: path.map((t) => ({ campaignId: t.campaignId, channel: t.channel })), converted: true });
      }
      progress.done += rows.length;
      const last = rows[rows.length - 1];
      after = { at: last.ordered_at, id: last.id };
      if (rows.length < PAGE) break;
    }
    progress.stage = 'other_paths';
    progress.done = 0;
    let cursor: { contactId: string; id: string } | undefined;
    let held: TouchMessageRow[] = [];
    const flush = (messages: TouchMessageRow[]) => {
      const contactId = messages[0]?.contact_id;
      if (!contactId || buyers.has(contactId)) return;
      const path = contactPath(messages, ctx, fromMs, toMs);
      if (path.length) out.push({ steps: path.map((t) => ({ campaignId: t.campaignId, channel: t.channel })), converted: false });
    };
    for (;;) {
      const rows = await messagesByContactPage(h, accountId, cursor, PAGE, fromMs, toMs);
      for (const m of rows) {
        if (held.length && held[0].contact_id !== m.contact_id) {
          flush(held);
          held = [];
        }
        held.push(m);
      }
      progress.done += rows.length;
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      cursor = { contactId: last.contact_id!, id: last.id };
    }
    flush(held);
    return out;
  }
}

/** A contact's non-converting path: its messages' touches in the period, inside their windows before its latest one. */
function contactPath(messages: TouchMessageRow[], ctx: Awaited<ReturnType<Attribution['context']>>, fromMs: number, toMs: number): Touch[] {
  const touches: Touch[] = [];
  for (const m of messages) {
    const campaign = ctx.campaigns.get(m.campaign_id);
    if (!campaign) continue;
    const channel = campaign.channel as Channel;
    const sendAt = campaign.send_at === null || campaign.send_at === undefined ? null : Number(campaign.send_at);
    const sent = messageSentAt(m, Number(m.registered_at), sendAt);
    const push = (kind: TouchKind, at: number | null) => {
      if (at !== null && at >= fromMs && at < toMs && at >= sent) touches.push({ campaignId: m.campaign_id, messageId: m.id, channel, kind, at });
    };
    push('sent', m.sent_at);
    push('delivery', m.delivered_at);
    push(channel === 'whatsapp' ? 'read' : 'open', m.opened_at);
    push('click', m.clicked_at);
    push('scan', m.scanned_at);
  }
  if (touches.length === 0) return [];
  const decision = Math.max(...touches.map((t) => t.at));
  const eligible = touches.filter((t) => isEligible(t, decision, ctx.windows));
  const direct = eligible.filter((t) => isDirect(t.kind));
  return (direct.length ? direct : eligible).sort((a, b) => a.at - b.at || (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0));
}

/** A stored fit as the API shows it. */
function fitView(fit: AttributionFitRow | null) {
  if (!fit) {
    return {
      status: 'never' as FitStatus, fittedAt: null, trigger: null, period: null, conversions: 0, paths: 0, minConversions: DD_MIN_CONVERSIONS,
      reason: null, pConversion: null, resamples: null, channels: [], campaigns: [],
    };
  }
  const w = JSON.parse(fit.weights) as Partial<Extract<DataDrivenFit, { status: 'fitted' }>>;
  const fitted = fit.status === 'fitted';
  return {
    status: fit.status as FitStatus,
    fittedAt: new Date(Number(fit.fitted_at)).toISOString(),
    trigger: fit.trigger,
    period: { from: fit.period_from, to: fit.period_to },
    conversions: Number(fit.conversions),
    paths: Number(fit.paths),
    minConversions: Number(fit.min_conversions),
    reason: fitted ? null : `${fit.conversions} conversion(s) in the period, fewer than the ${fit.min_conversions} the data-driven model needs: orders are credited by the account's rule model.`,
    pConversion: w.pConversion ?? null,
    resamples: w.resamples ?? null,
    channels: w.channels ?? [],
    campaigns: w.campaigns ?? [],
  };
}
