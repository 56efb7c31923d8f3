// What sold (issue #24, part 7): the product report (per product type or product: attributed revenue, conversions,
// spend shared by revenue, ROAS) and a campaign's top products and types, from the line credits the attribution
// writes with every order's credits (src/services/attribution.ts, writeLineCredits).
import type { Db } from '../store/db';
import { sumLineCreditsByGroup, sumSpendByCampaign, type GroupCampaignRow, type ProductGroupBy } from '../store/products';
import { conversionsOf, groupSpend, roasOf } from '../domain/orderLines';
import { fixedCostsByDay } from './fixedCosts';
import type { Attribution } from './attribution';

export interface ProductReportQuery {
  groupBy: ProductGroupBy;
  from?: string;
  to?: string;
  campaignId?: string;
}

export interface ProductGroup {
  /** The product type, or the product (its id, else its SKU, else its title); null: not known (an order without lines, a line without type). */
  key: string | null;
  label: string | null;
  revenue: number;
  conversions: number;
  spend: number;
  roas: number | null;
  campaigns: number;
}

const FIRST_DAY = '0000-01-01';
const LAST_DAY = '9999-12-31';

function groups(rows: GroupCampaignRow[]): Map<string | null, { label: string | null; byCampaign: Map<string, number>; weight: number }> {
  const out = new Map<string | null, { label: string | null; byCampaign: Map<string, number>; weight: number }>();
  for (const r of rows) {
    const g = out.get(r.key) ?? { label: r.label, byCampaign: new Map<string, number>(), weight: 0 };
    g.byCampaign.set(r.campaign_id, (g.byCampaign.get(r.campaign_id) ?? 0) + r.revenue);
    g.weight += r.weight_micro;
    if (g.label === null) g.label = r.label;
    out.set(r.key, g);
  }
  return out;
}

const byRevenue = (a: { revenue: number; key: string | null }, b: { revenue: number; key: string | null }) =>
  b.revenue - a.revenue || (a.key ?? '').localeCompare(b.key ?? '');

export class Products {
  constructor(
    private readonly db: Db,
    private readonly attribution: Attribution,
  ) {}

  /**
   * GET /v1/products/report. Credits whose message was sent in [from, to] (the cohort rule of KPIS.md), under the
   * account's model and in its currency. Reads: one range of line_credits_period (the period's credited orders × their
   * lines), campaign_days of the campaigns met (a row per campaign and day), their cost models.
   */
  async report(accountId: string, q: ProductReportQuery) {
    const h = this.db.kysely;
    const ctx = await this.attribution.context(h, accountId);
    const rows = await sumLineCreditsByGroup(h, { accountId, model: ctx.settings.model, currency: ctx.currency, groupBy: q.groupBy, fromDay: q.from, toDay: q.to, campaignId: q.campaignId });
    const campaignRevenue = new Map<string, number>();
    for (const r of rows) campaignRevenue.set(r.campaign_id, (campaignRevenue.get(r.campaign_id) ?? 0) + r.revenue);
    const ids = [...campaignRevenue.keys()];
    const [from, to] = [q.from ?? FIRST_DAY, q.to ?? LAST_DAY];
    const spend = ids.length ? await sumSpendByCampaign(h, accountId, ids, from, to) : new Map<string, number>();
    // A campaign's fixed cost is in the period's spend iff its send day is inside the period (as the overview counts it).
    for (const id of ids) {
      const fixed = (await fixedCostsByDay(h, accountId, ctx.timeZone, from, to, { campaignIds: [id] })).total;
      if (fixed) spend.set(id, (spend.get(id) ?? 0) + fixed);
    }
    const items: ProductGroup[] = [];
    for (const [key, g] of groups(rows)) {
      const revenue = [...g.byCampaign.values()].reduce((s, x) => s + x, 0);
      const groupCost = groupSpend(g.byCampaign, campaignRevenue, spend);
      items.push({ key, label: g.label, revenue, conversions: conversionsOf(g.weight), spend: Math.round(groupCost), roas: roasOf(revenue, groupCost), campaigns: g.byCampaign.size });
    }
    items.sort(byRevenue);
    const totalSpend = ids.reduce((s, id) => s + ((campaignRevenue.get(id) ?? 0) > 0 ? (spend.get(id) ?? 0) : 0), 0);
    const totalRevenue = items.reduce((s, i) => s + i.revenue, 0);
    return {
      groupBy: q.groupBy,
      period: { from: q.from ?? null, to: q.to ?? null },
      campaignId: q.campaignId ?? null,
      currency: ctx.currency,
      model: ctx.settings.model,
      items,
      totals: { revenue: totalRevenue, spend: totalSpend, roas: roasOf(totalRevenue, totalSpend) },
    };
  }

  /**
   * A campaign's top product types and products by attributed revenue, all time, under the account's model (the
   * campaign page's "Top products"). Reads line_credits_campaign: the campaign's credited orders × their lines.
   */
  async topOfCampaign(accountId: string, campaignId: string, limit = 5) {
    const h = this.db.kysely;
    const ctx = await this.attribution.context(h, accountId);
    const top = async (groupBy: ProductGroupBy) => {
      const rows = await sumLineCreditsByGroup(h, { accountId, model: ctx.settings.model, currency: ctx.currency, groupBy, campaignId });
      const total = rows.reduce((s, r) => s + r.revenue, 0);
      return [...groups(rows)]
        .map(([key, g]) => {
          const revenue = g.byCampaign.get(campaignId) ?? 0;
          return { key, label: g.label, revenue, conversions: conversionsOf(g.weight), revenueShare: total > 0 ? revenue / total : null };
        })
        .sort(byRevenue)
        .slice(0, limit);
    };
    return { currency: ctx.currency, types: await top('type'), products: await top('product') };
  }
}
