// Campaigns and the figures read from them: the home table, the campaign page, the account overview, daily
// series and the CSV export.
import { zonedHour } from '../domain/reports';
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db';
import type { CampaignRow } from '../store/schema';
import type { ExportRow } from '../store/campaigns';
import {
  countClicksByUrl, countFlaggedByReason, countNotSentByReason, getCampaign, insertCampaign, iterateCampaignCsvRows, iterateCampaignExport,
  listCampaignDaysByDay, listCampaignRows, listRecipients, sumCampaignDaysByCampaign, sumCampaignDaysByChannel, updateCampaign,
} from '../store/campaigns';
import {
  campaignFigures, funnel, mixedFigures, NO_MONEY, overviewCards, previousPeriod, referenceChecks, type CampaignFigures, type MoneyFacts,
  type RevenueDate,
} from '../domain/kpis';
import { notSentReason, zeroCounts } from '../domain/message';
import { storedMoney } from '../domain/bounds';
import { fixedCostsByCampaign, fixedCostsByDay } from './fixedCosts';
import type { CampaignStatus, Channel } from '../domain/types';
import { slugify } from '../tracking/utm';
import { normalizeEmail, normalizePhone } from '../domain/contacts';
import type { AccountDirectory } from './accounts';
import type { Outcome } from './ingest';

export interface Template {
  name?: string | null;
  version?: string | null;
  language?: string | null;
  format?: 'text' | 'html' | null;
  content?: string | null;
}

export interface CampaignInput {
  name: string;
  channel: Channel;
  kind?: 'manual' | 'automatic';
  sendAt?: number | null;
  activatedAt?: number | null;
  status?: CampaignStatus;
  template?: Template;
  tags?: string[];
  budget?: number | null;
}

export interface Campaign {
  id: string;
  name: string;
  slug: string;
  channel: Channel;
  kind: 'manual' | 'automatic';
  status: CampaignStatus;
  statusReason: string | null;
  sendAt: string | null;
  activatedAt: string | null;
  template: Template;
  tags: string[];
  budget: number | null;
  /** Set when the stored budget is beyond MAX_MONEY_MINOR (an older version took any number): shown as null. */
  budgetOutOfRange?: true;
  /** Read-only: the fixed cost its cost model gives it (docs/BUDGETS.md), set with PUT /v1/campaigns/{id}/cost-model. */
  fixedCost: number;
  createdAt: string;
  updatedAt: string;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** `fixedCost`: the campaign's fixed cost from its cost model (fixedCosts.ts), shown read-only. */
export function toCampaign(r: CampaignRow, fixedCost: number): Campaign {
  return {
    id: r.id,
    name: r.name,
    slug: r.slug,
    channel: r.channel as Channel,
    kind: r.kind as 'manual' | 'automatic',
    status: r.status as CampaignStatus,
    statusReason: r.status_reason,
    sendAt: iso(r.send_at),
    activatedAt: iso(r.activated_at),
    template: {
      name: r.template_name, version: r.template_version, language: r.template_language,
      format: r.template_format as 'text' | 'html' | null, content: r.template_content,
    },
    tags: JSON.parse(r.tags),
    budget: storedMoney(r.budget_minor),
    ...(r.budget_minor !== null && storedMoney(r.budget_minor) === null ? { budgetOutOfRange: true as const } : {}),
    fixedCost,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** Money facts per campaign (attribution). Replaced by the attribution service once orders land. */
export interface MoneySource {
  byCampaign(accountId: string, campaignIds: string[]): Promise<Map<string, MoneyFacts>>;
  /** Credited money of a period, its revenue counted by the send date of the credited message or by the order date. */
  forPeriod(accountId: string, from: string, to: string, channel?: Channel, revenueDate?: RevenueDate): Promise<MoneyFacts>;
  ordersImported(accountId: string, fromMs: number, toMs: number): Promise<number>;
  /** Revenue of every order placed in [fromMs, toMs), credited or not (the MER's numerator). */
  shopRevenue(accountId: string, fromMs: number, toMs: number): Promise<number>;
  revenueByDay(accountId: string, from: string, to: string, channel?: Channel, revenueDate?: RevenueDate): Promise<Map<string, { revenue: number; conversions: number }>>;
  /** Orders placed in [fromMs, toMs) in a currency without a rate to the account's: reported apart, never summed. */
  unconvertedOrders?(accountId: string, fromMs: number, toMs: number): Promise<{ currency: string; orders: number; revenueMinor: number }[]>;
}

export const noMoney: MoneySource = {
  byCampaign: async () => new Map(),
  forPeriod: async () => NO_MONEY,
  ordersImported: async () => 0,
  shopRevenue: async () => 0,
  revenueByDay: async () => new Map(),
};

export type SortKey = 'sendAt' | 'sent' | 'openRate' | 'revenue' | 'roas' | 'name';

export class Campaigns {
  /** Sections other areas add to the campaign page (goals, variants…): each answer's keys are merged into detail(). */
  readonly extras: ((accountId: string, campaignId: string, figures: CampaignFigures) => Promise<Record<string, unknown>>)[] = [];

  /** Called after a campaign's budget changed. */
  onBudgetChange?: (accountId: string, campaignId: string) => Promise<void>;
  /** Called after a campaign's send date changed (its never-sent messages count on that day). */
  onSendDateChange?: (accountId: string, campaignId: string) => Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountDirectory,
    public money: MoneySource = noMoney,
    private readonly clock: () => number = Date.now,
  ) {}

  async create(accountId: string, input: CampaignInput): Promise<Campaign> {
    const now = this.clock();
    const kind = input.kind ?? (input.activatedAt ? 'automatic' : 'manual');
    const row: CampaignRow = {
      account_id: accountId,
      id: `cmp_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      slug: slugify(input.name),
      channel: input.channel,
      kind,
      send_at: input.sendAt ?? null,
      activated_at: input.activatedAt ?? null,
      status: input.status ?? (input.sendAt && input.sendAt > now ? 'scheduled' : 'draft'),
      status_reason: null,
      template_name: input.template?.name ?? null,
      template_version: input.template?.version ?? null,
      template_language: input.template?.language ?? null,
      template_format: input.template?.format ?? null,
      template_content: input.template?.content ?? null,
      tags: JSON.stringify(input.tags ?? []),
      budget_minor: input.budget ?? null,
      // Retired column (2026_12_07_100): a campaign's fixed cost lives in its cost model.
      fixed_cost_minor: 0,
      settings: '{}',
      created_at: now,
      updated_at: now,
    };
    await insertCampaign(this.db.kysely, row);
    return toCampaign(row, await this.fixedCostOf(accountId, row.id));
  }

  async get(accountId: string, id: string): Promise<Campaign | undefined> {
    const r = await getCampaign(this.db.kysely, accountId, id);
    return r && toCampaign(r, await this.fixedCostOf(accountId, id));
  }

  private async fixedCostOf(accountId: string, campaignId: string): Promise<number> {
    return (await fixedCostsByCampaign(this.db.kysely, accountId, [campaignId])).get(campaignId) ?? 0;
  }

  async update(accountId: string, id: string, input: Partial<CampaignInput> & { statusReason?: string | null }): Promise<Outcome<Campaign>> {
    const current = await getCampaign(this.db.kysely, accountId, id);
    if (!current) return { ok: false, status: 404, message: `No campaign ${id} in this account.`, errors: [] };
    if (input.channel && input.channel !== current.channel) {
      return { ok: false, status: 409, message: 'A campaign cannot change channel once created: its messages were addressed for that channel.', errors: [] };
    }
    const patch: Partial<CampaignRow> = { updated_at: this.clock() };
    if (input.name !== undefined) { patch.name = input.name; patch.slug = slugify(input.name); }
    if (input.kind !== undefined) patch.kind = input.kind;
    if (input.sendAt !== undefined) patch.send_at = input.sendAt;
    if (input.activatedAt !== undefined) patch.activated_at = input.activatedAt;
    if (input.status !== undefined) { patch.status = input.status; patch.status_reason = input.statusReason ?? null; }
    if (input.template) {
      const t = input.template;
      if (t.name !== undefined) patch.template_name = t.name;
      if (t.version !== undefined) patch.template_version = t.version;
      if (t.language !== undefined) patch.template_language = t.language;
      if (t.format !== undefined) patch.template_format = t.format;
      if (t.content !== undefined) patch.template_content = t.content;
    }
    if (input.tags !== undefined) patch.tags = JSON.stringify(input.tags);
    if (input.budget !== undefined) patch.budget_minor = input.budget;
    await updateCampaign(this.db.kysely, accountId, id, patch);
    // A raised (or removed) budget resumes a campaign stopped for budget exhaustion (the budgets area decides).
    if (input.budget !== undefined && this.onBudgetChange) await this.onBudgetChange(accountId, id);
    if (input.sendAt !== undefined && input.sendAt !== (current.send_at === null ? null : Number(current.send_at)) && this.onSendDateChange) await this.onSendDateChange(accountId, id);
    return { ok: true, value: toCampaign((await getCampaign(this.db.kysely, accountId, id))!, await this.fixedCostOf(accountId, id)) };
  }

  /** The home table: every campaign with send date, sent, open rate, revenue and ROAS; sorted, paginated. */
  async list(accountId: string, opts: { channel?: Channel; status?: string; sort?: string; limit: number; cursor?: string }) {
    const rows = await listCampaignRows(this.db.kysely, accountId, { channel: opts.channel, status: opts.status });
    const counts = await sumCampaignDaysByCampaign(this.db.kysely, accountId);
    const money = await this.money.byCampaign(accountId, rows.map((r) => r.id));
    const fixed = await fixedCostsByCampaign(this.db.kysely, accountId, rows.map((r) => r.id));
    const items = rows.map((r) => {
      const fixedCostMinor = fixed.get(r.id) ?? 0;
      const f = campaignFigures(counts.get(r.id) ?? zeroCounts(), { ...(money.get(r.id) ?? NO_MONEY), fixedCostMinor }, r.channel as Channel);
      const c = toCampaign(r, fixedCostMinor);
      return {
        id: c.id, name: c.name, channel: c.channel, status: c.status, statusReason: c.statusReason, kind: c.kind,
        sendAt: c.sendAt ?? c.activatedAt, activatedAt: c.activatedAt, tags: c.tags,
        audience: f.audience, sent: f.sent, openRate: f.openRate, clickRate: f.clickRate, revenue: f.revenue, roas: f.roas, spend: f.spend,
        conversions: f.conversions, revenueNew: f.revenueNew, revenueReturning: f.revenueReturning, conversionsNew: f.conversionsNew,
        conversionsReturning: f.conversionsReturning,
      };
    });
    const sort = opts.sort ?? '-sendAt';
    const desc = sort.startsWith('-');
    const key = (desc ? sort.slice(1) : sort) as SortKey;
    const val = (x: (typeof items)[number]): number | string | null =>
      key === 'sendAt' ? (x.sendAt ?? '') : key === 'name' ? x.name.toLowerCase() : (x[key] as number | null);
    items.sort((a, b) => {
      const va = val(a);
      const vb = val(b);
      // Empty values (no send date, rate without denominator) go last whatever the direction.
      if (va === null || va === '') return vb === null || vb === '' ? a.id.localeCompare(b.id) : 1;
      if (vb === null || vb === '') return -1;
      const cmp = va < vb ? -1 : va > vb ? 1 : a.id.localeCompare(b.id);
      return desc ? -cmp : cmp;
    });
    const start = opts.cursor ? Number(Buffer.from(opts.cursor, 'base64url').toString()) || 0 : 0;
    const page = items.slice(start, start + opts.limit);
    const next = start + opts.limit < items.length ? Buffer.from(String(start + opts.limit)).toString('base64url') : null;
    return { items: page, nextCursor: next, total: items.length };
  }

  /** Everything the campaign page shows. */
  async detail(accountId: string, id: string) {
    const row = await getCampaign(this.db.kysely, accountId, id);
    if (!row) return undefined;
    const channel = row.channel as Channel;
    const counts = (await sumCampaignDaysByCampaign(this.db.kysely, accountId, [id])).get(id) ?? zeroCounts();
    const money = (await this.money.byCampaign(accountId, [id])).get(id) ?? NO_MONEY;
    const fixedCostMinor = await this.fixedCostOf(accountId, id);
    const figures = campaignFigures(counts, { ...money, fixedCostMinor }, channel);
    const [notSent, flagged, links] = await Promise.all([
      countNotSentByReason(this.db.kysely, accountId, id),
      countFlaggedByReason(this.db.kysely, accountId, id),
      countClicksByUrl(this.db.kysely, accountId, id),
    ]);
    return {
      campaign: toCampaign(row, fixedCostMinor),
      figures,
      notSent,
      flagged,
      links,
      funnel: funnel(figures, channel),
      reference: referenceChecks(figures, channel),
      ...Object.assign({}, ...(await Promise.all(this.extras.map((extra) => extra(accountId, id, figures))))),
    };
  }

  /**
   * One page of a campaign's recipients. `q` is a part of the recipient; a complete e-mail address or phone number
   * finds that recipient exactly, in its stored (normalised) form, through the index rather than by a scan.
   */
  async recipients(accountId: string, id: string, f: { status?: string; reason?: string; q?: string; cursor?: string; limit: number }) {
    const exact = f.q ? await this.exactRecipient(accountId, f.q) : null;
    const filter = exact === null ? f : { ...f, q: undefined, recipient: exact };
    const rows = await listRecipients(this.db.kysely, accountId, id, { ...filter, after: f.cursor, limit: f.limit + 1 });
    const page = rows.slice(0, f.limit);
    return { items: page.map(toRecipient), nextCursor: rows.length > f.limit ? page[page.length - 1].id : null };
  }

  /** A search that is a whole e-mail address or phone number, as messages store it; null for anything else. */
  private async exactRecipient(accountId: string, q: string): Promise<string | null> {
    const email = normalizeEmail(q);
    if (email) return email;
    if (!/^[+\d\s().-]+$/.test(q.trim())) return null;
    return normalizePhone(q, (await this.accounts.get(accountId))?.default_country ?? undefined);
  }

  /** The campaign's messages in id order as arrays of the store's CSV_COLUMNS, for the HTTP CSV export (http/campaignCsv.ts). */
  csvRows(accountId: string, id: string): AsyncGenerator<unknown[][]> {
    return iterateCampaignCsvRows(this.db, accountId, id);
  }

  async *exportRows(accountId: string, id: string): AsyncGenerator<ReturnType<typeof toRecipient>[]> {
    for await (const page of iterateCampaignExport(this.db, accountId, id)) yield page.map(toRecipient);
  }

  /**
   * The account overview for [from, to] with the previous period of the same length; credited revenue and conversions
   * counted by the send date of the credited message (default) or by the order date (`revenueDate`).
   */
  async overview(accountId: string, from: string, to: string, channel?: Channel, revenueDate: RevenueDate = 'send') {
    const account = (await this.accounts.get(accountId))!;
    const prev = previousPeriod(from, to);
    const facts = async (p: { from: string; to: string }) => {
      const [startMs, endMs] = [zonedDayStart(p.from, account.time_zone), zonedDayStart(nextDay(p.to), account.time_zone)];
      const counts = await sumCampaignDaysByChannel(this.db.kysely, accountId, p.from, p.to, channel);
      const money = await this.money.forPeriod(accountId, p.from, p.to, channel, revenueDate);
      // A campaign's fixed cost is in the period's spend iff its send day is inside the period.
      const fixed = (await fixedCostsByDay(this.db.kysely, accountId, account.time_zone, p.from, p.to, { channel })).total;
      return {
        counts, money: { ...money, fixedCostMinor: money.fixedCostMinor + fixed }, ordersImported: await this.money.ordersImported(accountId, startMs, endMs),
        // MER's numerator: every order placed in the period, whatever the channel filter (an uncredited order has none).
        shopRevenueMinor: await this.money.shopRevenue(accountId, startMs, endMs),
      };
    };
    const [current, previous] = [await facts({ from, to }), await facts(prev)];
    return {
      period: { from, to },
      previousPeriod: prev,
      currency: account.currency,
      timeZone: account.time_zone,
      revenueDate,
      cards: overviewCards(current, previous),
      figures: mixedFigures(current.counts, current.money),
      unconvertedOrders: (await this.money.unconvertedOrders?.(accountId, zonedDayStart(from, account.time_zone), zonedDayStart(nextDay(to), account.time_zone))) ?? [],
    };
  }

  async dailySeries(accountId: string, from: string, to: string, channel?: Channel, revenueDate: RevenueDate = 'send') {
    const account = (await this.accounts.get(accountId))!;
    const rows = await listCampaignDaysByDay(this.db.kysely, accountId, from, to, channel);
    const money = await this.money.revenueByDay(accountId, from, to, channel, revenueDate);
    // Fixed costs on their campaign's send day, so the series adds up to the overview's spend.
    const fixed = (await fixedCostsByDay(this.db.kysely, accountId, account.time_zone, from, to, { channel })).byDay;
    const byDay = new Map(rows.map((r) => [r.day, r.counts]));
    const days = [];
    for (let d = from; d <= to; d = nextDay(d)) {
      const c = byDay.get(d) ?? zeroCounts();
      const m = money.get(d);
      days.push({
        date: d, sent: c.sent, delivered: c.delivered, opened: c.opened, clicked: c.clicked, scans: c.total_scans,
        conversions: m?.conversions ?? 0, revenue: m?.revenue ?? 0, spend: c.spend_minor + (fixed.get(d) ?? 0),
      });
    }
    return { revenueDate, days };
  }
}

export function toRecipient(m: ExportRow) {
  return {
    messageId: m.id,
    recipient: m.recipient,
    contactId: m.contact_id,
    status: m.status,
    // A message never sent shows the reason it is grouped under in "not sent, by reason" (pending included).
    failureReason: notSentReason(m) ?? m.failure_reason,
    failureCode: m.failure_code,
    bounceType: m.bounce_type,
    variant: m.variant,
    providerMessageId: m.provider_message_id,
    sentAt: iso(m.sent_at),
    deliveredAt: iso(m.delivered_at),
    openedAt: iso(m.opened_at),
    clickedAt: iso(m.clicked_at),
    repliedAt: iso(m.replied_at),
    unsubscribedAt: iso(m.unsubscribed_at),
    opens: m.opens,
    clicks: m.clicks,
    machineOpens: m.machine_opens,
    botClicks: m.bot_clicks,
    scans: m.scans,
    cost: m.cost_minor,
  };
}

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 on `day` in `timeZone` (the domain's wall-clock rule, at hour 0). */
export function zonedDayStart(day: string, timeZone: string): number {
  return zonedHour(day, 0, timeZone);
}

/** Today's date in a time zone. */
export function todayIn(timeZone: string, now: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
