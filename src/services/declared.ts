// Declared sources ("how did you hear about us", issue #24 part 5): the owner's mapping rules with a preview over the
// stored answers, re-mapping the stored answers page by page when the rules change, and the per-channel comparison
// of what buyers declared with what the account's attribution model credited.
import type { Db } from '../store/db';
import { countDeclaredAnswers, listDeclaredPage, listOrdersWithDeclared, setDeclaredTargets } from '../store/declared';
import { findAttributionsOfOrders } from '../store/orders';
import { declaredVsAttributed, mapDeclared, previewRules, type DeclaredConfig, type DeclaredOrder, type DeclaredRule } from '../domain/declared';
import type { AccountDirectory } from './accounts';
import type { Attribution } from './attribution';
import type { Writer } from './writer';
import type { Outcome } from './ingest';
import { nextDay, zonedDayStart } from './campaigns';

/** Orders re-mapped per transaction: a page never holds the writer long. */
const REMAP_PAGE = 500;

export interface RemapSummary {
  answers: number;
  changed: number;
  pages: number;
}

export class DeclaredSources {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly attribution: Attribution,
  ) {}

  /** The account's rules, each with the stored answers it takes now, and the answers no rule takes. */
  async rules(accountId: string) {
    const ctx = await this.attribution.context(this.db.kysely, accountId);
    return this.view(accountId, ctx.declared);
  }

  private async view(accountId: string, config: DeclaredConfig) {
    const answers = await countDeclaredAnswers(this.db.kysely, accountId);
    const preview = previewRules(config.rules, answers);
    return {
      attributes: config.attributes,
      rules: config.rules.map((r, i) => ({ ...r, matches: preview.matches[i] })),
      answers: answers.reduce((n, a) => n + a.orders, 0),
      unmapped: preview.unmapped,
    };
  }

  /**
   * Checks the rules (a campaign target must be one of the account's), then either previews them (`dryRun`) or stores
   * them and re-maps every stored answer, page by page (each page its own transaction, so figures stay readable).
   */
  async setRules(accountId: string, given: { attributes?: string[]; rules: DeclaredRule[] }, dryRun: boolean): Promise<Outcome<Awaited<ReturnType<DeclaredSources['view']>> & { remapped: RemapSummary | null }>> {
    const ctx = await this.attribution.context(this.db.kysely, accountId);
    // Attribute names not given stay as they are.
    const config: DeclaredConfig = { attributes: given.attributes ?? ctx.declared.attributes, rules: given.rules };
    const errors = config.rules.flatMap((r, i) => (typeof r.target === 'object' && 'campaignId' in r.target && !ctx.campaigns.has(r.target.campaignId)
      ? [{ index: i, field: 'target/campaignId', message: `no campaign ${r.target.campaignId} in this account` }] : []));
    if (errors.length) return { ok: false, status: 422, message: `${errors.length} rule(s) name a campaign this account does not have; nothing was changed.`, errors };
    if (dryRun) return { ok: true, value: { ...(await this.view(accountId, config)), remapped: null } };
    await this.accounts.update(accountId, { settings: { declared: config } });
    this.attribution.invalidate(accountId);
    const remapped = await this.remap(accountId, config.rules);
    return { ok: true, value: { ...(await this.view(accountId, config)), remapped } };
  }

  /** Every stored answer mapped again under `rules`; only the orders whose target changes are written. */
  private async remap(accountId: string, rules: DeclaredRule[]): Promise<RemapSummary> {
    const summary: RemapSummary = { answers: 0, changed: 0, pages: 0 };
    let after: string | null = null;
    for (;;) {
      const last: string | null = await this.writer.run(async (trx) => {
        const page = await listDeclaredPage(trx, accountId, after, REMAP_PAGE);
        const changes = page.map((o) => ({ id: o.id, target: mapDeclared(rules, o.declared_source), before: o.declared_target })).filter((c) => c.target !== c.before);
        await setDeclaredTargets(trx, accountId, changes);
        summary.answers += page.length;
        summary.changed += changes.length;
        return page.length === REMAP_PAGE ? page[page.length - 1].id : null;
      });
      summary.pages += 1;
      if (last === null) return summary;
      after = last;
    }
  }

  /**
   * Declared vs attributed per channel for the orders placed from `from` to `to` (days in the account's zone): grouped
   * by order time. Reads: the period's orders through orders_time, then their credits by order id (bounded by them).
   */
  async report(accountId: string, from: string, to: string) {
    const ctx = await this.attribution.context(this.db.kysely, accountId);
    const rows = await listOrdersWithDeclared(this.db.kysely, accountId, zonedDayStart(from, ctx.timeZone), zonedDayStart(nextDay(to), ctx.timeZone));
    const credits = new Map<string, DeclaredOrder['credits']>();
    for (const a of await findAttributionsOfOrders(this.db.kysely, accountId, rows.map((r) => r.id))) {
      if (a.model !== ctx.settings.model || a.currency !== ctx.currency) continue;
      credits.set(a.order_id, [...(credits.get(a.order_id) ?? []), { channel: a.channel, revenueMinor: Number(a.revenue_minor) }]);
    }
    const orders: DeclaredOrder[] = rows.map((r) => ({
      id: r.id,
      declared: r.declared_source,
      target: r.declared_target,
      revenueMinor: r.revenue_currency === ctx.currency ? Number(r.revenue_minor) : null,
      credits: credits.get(r.id) ?? [],
    }));
    const figures = declaredVsAttributed(orders, (id) => ctx.campaigns.get(id)?.channel);
    return { period: { from, to }, groupedBy: 'order_time' as const, currency: ctx.currency, model: ctx.settings.model, ...figures };
  }
}
