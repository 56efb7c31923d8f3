// What sold (issue #24, part 7): order lines and the line credits (each campaign's credit of an order shared among
// its lines), and the reads of the product report. Tables of 2026_12_09_700_order_lines.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema';

export interface OrderLineRow {
  account_id: string;
  order_id: string;
  line_no: number;
  line_id: string | null;
  product_id: string | null;
  variant_id: string | null;
  sku: string | null;
  title: string;
  product_type: string | null;
  vendor: string | null;
  quantity: number;
  unit_price_minor: number;
  discount_minor: number;
  refunded_minor: number;
  net_minor: number;
}

export interface LineCreditRow {
  account_id: string;
  order_id: string;
  model: string;
  campaign_id: string;
  line_no: number;
  product_key: string | null;
  product_title: string | null;
  product_type: string | null;
  revenue_minor: number;
  weight_micro: number;
  currency: string;
  cohort_day: string;
}

declare module './schema' {
  interface DB {
    order_lines: OrderLineRow;
    line_credits: LineCreditRow;
  }
}

type Handle = Kysely<DB> | Transaction<DB>;

function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The lines of these orders (primary key range per order), in line order. */
export async function findLinesOfOrders(h: Handle, accountId: string, orderIds: readonly string[]): Promise<OrderLineRow[]> {
  const out: OrderLineRow[] = [];
  for (const part of chunks([...new Set(orderIds)])) {
    const rows = await h.selectFrom('order_lines').selectAll().where('account_id', '=', accountId).where('order_id', 'in', part).orderBy('order_id').orderBy('line_no').execute();
    out.push(...rows.map((r) => ({ ...r, quantity: Number(r.quantity), unit_price_minor: Number(r.unit_price_minor), discount_minor: Number(r.discount_minor), refunded_minor: Number(r.refunded_minor), net_minor: Number(r.net_minor), line_no: Number(r.line_no) })));
  }
  return out;
}

/** Replaces the lines of one order. */
export async function replaceOrderLines(h: Handle, accountId: string, orderId: string, rows: OrderLineRow[]): Promise<void> {
  await h.deleteFrom('order_lines').where('account_id', '=', accountId).where('order_id', '=', orderId).execute();
  // 15 columns: 60 rows a statement stay under every engine's parameter limit.
  for (const part of chunks(rows, 60)) await h.insertInto('order_lines').values(part).execute();
}

export async function deleteLineCreditsOfOrders(h: Handle, accountId: string, orderIds: readonly string[]): Promise<void> {
  for (const part of chunks([...new Set(orderIds)])) await h.deleteFrom('line_credits').where('account_id', '=', accountId).where('order_id', 'in', part).execute();
}

export async function insertLineCredits(h: Handle, rows: LineCreditRow[]): Promise<void> {
  for (const part of chunks(rows, 70)) await h.insertInto('line_credits').values(part).execute();
}

/** Line credits kept under a model the account no longer uses (beside deleteOtherModels of attributions). */
export async function deleteOtherModelsLineCredits(h: Handle, accountId: string, model: string): Promise<void> {
  await h.deleteFrom('line_credits').where('account_id', '=', accountId).where('model', '<>', model).execute();
}

export type ProductGroupBy = 'type' | 'product';

export interface GroupCampaignRow {
  key: string | null;
  label: string | null;
  campaign_id: string;
  revenue: number;
  /** Σ over the orders of the group credited to the campaign of the campaign's weight of that order (micro-units). */
  weight_micro: number;
}

/**
 * Per group (product type, or product) × campaign: revenue shared to the group's lines and the conversions (each
 * credited order containing the group counted once per campaign, at the campaign's weight). Reads the account's line
 * credits under `model` and `currency` whose cohort day is in [fromDay, toDay]: one range of line_credits_period,
 * bounded by the period's credited orders × their lines.
 */
export async function sumLineCreditsByGroup(
  h: Handle,
  q: { accountId: string; model: string; currency: string; groupBy: ProductGroupBy; fromDay?: string; toDay?: string; campaignId?: string },
): Promise<GroupCampaignRow[]> {
  const keyCol = q.groupBy === 'type' ? 'product_type' : 'product_key';
  let inner = h
    .selectFrom('line_credits')
    .select((eb) => [
      'order_id',
      'campaign_id',
      sql<string | null>`${sql.ref(keyCol)}`.as('gkey'),
      eb.fn.max<string | null>(q.groupBy === 'type' ? 'product_type' : 'product_title').as('label'),
      eb.fn.sum<number>('revenue_minor').as('revenue'),
      eb.fn.max<number>('weight_micro').as('weight'),
    ])
    .where('account_id', '=', q.accountId)
    .where('model', '=', q.model)
    .where('currency', '=', q.currency);
  if (q.fromDay !== undefined) inner = inner.where('cohort_day', '>=', q.fromDay);
  if (q.toDay !== undefined) inner = inner.where('cohort_day', '<=', q.toDay);
  if (q.campaignId !== undefined) inner = inner.where('campaign_id', '=', q.campaignId);
  const rows = await h
    .selectFrom(inner.groupBy(['order_id', 'campaign_id', keyCol]).as('g'))
    .select((eb) => ['gkey', eb.fn.max<string | null>('label').as('label'), 'campaign_id', eb.fn.sum<number>('revenue').as('revenue'), eb.fn.sum<number>('weight').as('weight_micro')])
    .groupBy(['gkey', 'campaign_id'])
    .execute();
  return rows.map((r) => ({ key: r.gkey, label: r.label, campaign_id: r.campaign_id, revenue: Number(r.revenue ?? 0), weight_micro: Number(r.weight_micro ?? 0) }));
}

/** Spend of the messages of these campaigns whose cohort day is in [fromDay, toDay] (campaign_days, one row a day). */
export async function sumSpendByCampaign(h: Handle, accountId: string, campaignIds: readonly string[], fromDay: string, toDay: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks([...new Set(campaignIds)])) {
    const rows = await h
      .selectFrom('campaign_days')
      .select((eb) => ['campaign_id', eb.fn.sum<number>('spend_minor').as('spend')])
      .where('account_id', '=', accountId)
      .where('campaign_id', 'in', part)
      .where('day', '>=', fromDay)
      .where('day', '<=', toDay)
      .groupBy('campaign_id')
      .execute();
    for (const r of rows) out.set(r.campaign_id, Number(r.spend ?? 0));
  }
  return out;
}
