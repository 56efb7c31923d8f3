// SQL for orders, refunds, Shopify secrets and deliveries, discount codes, currency rates and attributions, and
// the reads attribution needs (a contact's messages and their human touches). Portable SQL on both engines.
import { sql, type Kysely, type Transaction } from 'kysely';
import type Database from 'better-sqlite3';
import type { Db } from './db';
import type { DB } from './schema';

export interface OrderRow {
  account_id: string;
  id: string;
  source: string;
  external_id: string;
  name: string | null;
  ordered_at: number;
  version_at: number;
  currency: string;
  gross_minor: number;
  tax_minor: number;
  shipping_minor: number;
  net_minor: number;
  discount_minor: number;
  discount_codes: string;
  landing_site: string | null;
  click_id: string | null;
  /** The message the click id names and when it was clicked, as the tracking area resolved them. */
  click_message_id: string | null;
  click_at: number | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_content: string | null;
  note_attributes: string;
  /** What the buyer said brought them (domain/declared.ts cleanDeclared); null when nothing was declared or once erased. */
  declared_source: string | null;
  /** Where the account's rules map it: `channel:<c>`, `campaign:<id>`, `other`; null when unmapped (domain/declared.ts). */
  declared_target: string | null;
  customer_external_id: string | null;
  email: string | null;
  phone: string | null;
  billing_address: string | null;
  shipping_address: string | null;
  item_quantity: number;
  cancelled_at: number | null;
  refunded_minor: number;
  contact_id: string | null;
  /** Which key matched the contact: customer_id, email, phone or address. */
  matched_by: string | null;
  /** Revenue on the account's basis, net of refunds (0 when cancelled), in revenue_currency. */
  revenue_minor: number;
  /** The account's currency, or the order's own when no rate converts it (reported apart). */
  revenue_currency: string;
  /** 1: the contact's first order in the shop's history (new customer), 0: a later one (returning), null: no contact. */
  new_customer: number | null;
  received_at: number;
  updated_at: number;
}

export interface OrderRefundRow {
  account_id: string;
  source: string;
  refund_id: string;
  order_external_id: string;
  at: number;
  amount_minor: number;
  net_minor: number | null;
  received_at: number;
  /** The lines the refund returns, JSON (2026_12_09_700); null or absent when the source did not say. */
  line_items?: string | null;
}

export interface ShopifySecretRow {
  account_id: string;
  secrets: string;
  updated_at: number;
}

export interface OrderWebhookDeliveryRow {
  account_id: string;
  dedupe_key: string;
  topic: string;
  outcome: string;
  reason: string | null;
  received_at: number;
}

export interface DiscountCodeRow {
  account_id: string;
  code: string;
  campaign_id: string;
  created_at: number;
}

export interface CurrencyRateRow {
  account_id: string;
  from_currency: string;
  to_currency: string;
  valid_from: number;
  rate: string;
}

export interface AttributionRow {
  account_id: string;
  order_id: string;
  model: string;
  campaign_id: string;
  message_id: string | null;
  contact_id: string | null;
  channel: string;
  kind: string;
  weight_micro: number;
  revenue_minor: number;
  currency: string;
  direct: number;
  items: number;
  order_at: number;
  cohort_day: string;
  /** The order's new_customer mark, kept here so that a campaign's figures split by it in one grouped read. */
  new_customer: number | null;
}

declare module './schema' {
  interface DB {
    orders: OrderRow;
    order_refunds: OrderRefundRow;
    shopify_secrets: ShopifySecretRow;
    order_webhook_deliveries: OrderWebhookDeliveryRow;
    discount_codes: DiscountCodeRow;
    currency_rates: CurrencyRateRow;
    attributions: AttributionRow;
  }
}

type Handle = Kysely<DB> | Transaction<DB>;
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ------------------------------------------------------------------------------------------------ orders

export async function findOrdersByExternalIds(h: Handle, accountId: string, source: string, externalIds: string[], db?: Db): Promise<OrderRow[]> {
  const out: OrderRow[] = [];
  if (db?.sqlite) {
    const st = stmts(db.sqlite).orderByExternalId;
    const build = orderRowBuilder(st);
    for (const id of new Set(externalIds)) {
      const r = st.get(accountId, id, source) as unknown[] | undefined;
      if (r) out.push(build(r));
    }
    return out;
  }
  for (const part of chunks([...new Set(externalIds)])) {
    out.push(...(await h.selectFrom('orders').selectAll().where('account_id', '=', accountId).where('external_id', 'in', part).where('source', '=', source).execute()));
  }
  return out;
}

export async function insertOrders(h: Handle, rows: OrderRow[], db?: Db): Promise<void> {
  if (db?.sqlite && rows.length) {
    const st = insertOrderStatement(db.sqlite, Object.keys(rows[0]));
    for (const r of rows) st.run(r);
    return;
  }
  // 36 columns: 25 rows stay well under SQLite's bound-parameter limit.
  for (const part of chunks(rows, 25)) await h.insertInto('orders').values(part).execute();
}

export async function updateOrder(h: Handle, row: OrderRow): Promise<void> {
  const { account_id, id, ...rest } = row;
  await h.updateTable('orders').set(rest).where('account_id', '=', account_id).where('id', '=', id).execute();
}

/** Orders of the given contacts placed in [fromMs, toMs]: those a late touch may change. */
/**
 * `forUpdate` (PostgreSQL): the orders are locked until the transaction ends, in id order, so that two transactions
 * re-crediting one order (events and clicks commit side by side) run one after the other, the second seeing the first's
 * touches.
 */
export async function findOrdersOfContacts(h: Handle, accountId: string, contactIds: string[], fromMs: number, toMs: number, forUpdate = false): Promise<OrderRow[]> {
  const out: OrderRow[] = [];
  for (const part of chunks([...new Set(contactIds)])) {
    const q = h.selectFrom('orders').selectAll().where('account_id', '=', accountId).where('contact_id', 'in', part)
      .where('ordered_at', '>=', fromMs).where('ordered_at', '<=', toMs);
    out.push(...(await (forUpdate ? q.orderBy('id').forUpdate() : q).execute()));
  }
  return out;
}

/** One page of an account's orders by (ordered_at, id), optionally in [fromMs, toMs). */
export async function listOrdersPage(
  h: Handle,
  accountId: string,
  opts: { after?: { at: number; id: string }; limit: number; fromMs?: number; toMs?: number; descending?: boolean; currency?: string },
): Promise<OrderRow[]> {
  let q = h.selectFrom('orders').selectAll().where('account_id', '=', accountId);
  if (opts.fromMs !== undefined) q = q.where('ordered_at', '>=', opts.fromMs);
  if (opts.toMs !== undefined) q = q.where('ordered_at', '<', opts.toMs);
  if (opts.currency !== undefined) q = q.where('currency', '=', opts.currency);
  const after = opts.after;
  if (after) {
    q = opts.descending
      ? q.where((eb) => eb.or([eb('ordered_at', '<', after.at), eb.and([eb('ordered_at', '=', after.at), eb('id', '<', after.id)])]))
      : q.where((eb) => eb.or([eb('ordered_at', '>', after.at), eb.and([eb('ordered_at', '=', after.at), eb('id', '>', after.id)])]));
  }
  const dir = opts.descending ? 'desc' : 'asc';
  return q.orderBy('ordered_at', dir).orderBy('id', dir).limit(opts.limit).execute();
}

/**
 * Where a recompute stands: first the orders no contact matched, by time; then the others by buyer. A page ends on a
 * key (a time, a contact) and holds every order up to it, so no order is cut between two pages.
 */
export type BuyerCursor = { withoutBuyerUpTo: number } | { buyersAfter: string | null };

/**
 * One page of about `limit` orders in buyer order, and where the next one starts (null: none). Orders of one buyer
 * are in one page, and a page's buyers are neighbours in the messages' contact index, so their messages are read
 * in a few statements over a narrow part of it.
 */
export async function listOrdersByBuyerPage(
  h: Handle,
  accountId: string,
  after: BuyerCursor | undefined,
  limit: number,
  db?: Db,
): Promise<{ rows: OrderRow[]; next: BuyerCursor | null }> {
  const cursor = after ?? { withoutBuyerUpTo: Number.MIN_SAFE_INTEGER };
  if ('withoutBuyerUpTo' in cursor) {
    const from = cursor.withoutBuyerUpTo;
    if (db?.sqlite) {
      const st = stmts(db.sqlite);
      const end = st.noBuyerPageEnd.get(accountId, from, limit - 1) as number | undefined;
      const rows = (end === undefined ? st.noBuyerRest.all(accountId, from) : st.noBuyerUpTo.all(accountId, from, end)) as unknown[][];
      return { rows: rows.map(orderRowBuilder(st.noBuyerRest)), next: end === undefined ? { buyersAfter: null } : { withoutBuyerUpTo: end } };
    }
    const endRow = await h.selectFrom('orders').select('ordered_at').where('account_id', '=', accountId).where('contact_id', 'is', null)
      .where('ordered_at', '>', from).orderBy('ordered_at').limit(1).offset(limit - 1).executeTakeFirst();
    let q = h.selectFrom('orders').selectAll().where('account_id', '=', accountId).where('contact_id', 'is', null).where('ordered_at', '>', from);
    if (endRow) q = q.where('ordered_at', '<=', Number(endRow.ordered_at));
    const rows = await q.orderBy('ordered_at').orderBy('id').execute();
    return { rows, next: endRow ? { withoutBuyerUpTo: Number(endRow.ordered_at) } : { buyersAfter: null } };
  }
  const from = cursor.buyersAfter;
  if (db?.sqlite) {
    const st = stmts(db.sqlite);
    // Contact ids are never empty: '' starts before every one.
    const end = st.buyerPageEnd.get(accountId, from ?? '', limit - 1) as string | undefined;
    const rows = (end === undefined ? st.buyersRest.all(accountId, from ?? '') : st.buyersUpTo.all(accountId, from ?? '', end)) as unknown[][];
    return { rows: rows.map(orderRowBuilder(st.buyersRest)), next: end === undefined ? null : { buyersAfter: end } };
  }
  let endQ = h.selectFrom('orders').select('contact_id').where('account_id', '=', accountId).where('contact_id', 'is not', null);
  if (from !== null) endQ = endQ.where('contact_id', '>', from);
  const endRow = await endQ.orderBy('contact_id').limit(1).offset(limit - 1).executeTakeFirst();
  let q = h.selectFrom('orders').selectAll().where('account_id', '=', accountId).where('contact_id', 'is not', null);
  if (from !== null) q = q.where('contact_id', '>', from);
  if (endRow) q = q.where('contact_id', '<=', endRow.contact_id);
  const rows = await q.orderBy('contact_id').orderBy('ordered_at').orderBy('id').execute();
  return { rows, next: endRow ? { buyersAfter: endRow.contact_id } : null };
}

export async function countOrders(h: Handle, accountId: string, fromMs?: number, toMs?: number): Promise<number> {
  let q = h.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId);
  if (fromMs !== undefined) q = q.where('ordered_at', '>=', fromMs);
  if (toMs !== undefined) q = q.where('ordered_at', '<', toMs);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Orders whose revenue could not be converted into the account's currency, per currency, placed in [fromMs, toMs). */
export async function countUnconvertedOrders(
  h: Handle,
  accountId: string,
  accountCurrency: string,
  fromMs: number,
  toMs: number,
): Promise<{ currency: string; orders: number; revenueMinor: number }[]> {
  const rows = await h
    .selectFrom('orders')
    .select((eb) => ['revenue_currency', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('revenue_minor').as('revenue')])
    .where('account_id', '=', accountId)
    .where('revenue_currency', '<>', accountCurrency)
    .where('ordered_at', '>=', fromMs)
    .where('ordered_at', '<', toMs)
    .groupBy('revenue_currency')
    .orderBy('revenue_currency')
    .execute();
  return rows.map((r) => ({ currency: r.revenue_currency, orders: Number(r.n), revenueMinor: Number(r.revenue ?? 0) }));
}

// ------------------------------------------------------------------------------------------------ refunds

export async function findRefundsOfOrders(h: Handle, accountId: string, source: string, orderExternalIds: string[], db?: Db): Promise<OrderRefundRow[]> {
  const out: OrderRefundRow[] = [];
  if (db?.sqlite) {
    const st = stmts(db.sqlite).refundsOfOrder;
    for (const id of new Set(orderExternalIds)) out.push(...(st.all(accountId, source, id) as OrderRefundRow[]));
    return out;
  }
  for (const part of chunks([...new Set(orderExternalIds)])) {
    out.push(
      ...(await h.selectFrom('order_refunds').selectAll().where('account_id', '=', accountId).where('source', '=', source)
        .where('order_external_id', 'in', part).execute()),
    );
  }
  return out;
}

/** Inserts refunds; one already stored (same source and refund id) is left as it is. */
export async function insertRefunds(h: Handle, rows: OrderRefundRow[]): Promise<number> {
  let n = 0;
  for (const part of chunks(rows, 100)) {
    const r = await h.insertInto('order_refunds').values(part)
      .onConflict((oc) => oc.columns(['account_id', 'source', 'refund_id']).doNothing()).executeTakeFirst();
    n += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}

// ------------------------------------------------------------------------------------------------ Shopify

/** The stored value of the account's Shopify secrets (a JSON array, sealed by the service), if any. */
export async function getShopifySecrets(h: Handle, accountId: string): Promise<string | undefined> {
  const r = await h.selectFrom('shopify_secrets').select('secrets').where('account_id', '=', accountId).executeTakeFirst();
  return r?.secrets;
}

export async function putShopifySecrets(h: Handle, accountId: string, stored: string, now: number): Promise<void> {
  await h.insertInto('shopify_secrets').values({ account_id: accountId, secrets: stored, updated_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ secrets: stored, updated_at: now })).execute();
}

/** Records a delivery; false when its key was seen before (a duplicate: change nothing). */
export async function insertWebhookDelivery(h: Handle, row: OrderWebhookDeliveryRow): Promise<boolean> {
  const r = await h.insertInto('order_webhook_deliveries').values(row)
    .onConflict((oc) => oc.columns(['account_id', 'dedupe_key']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function webhookDeliverySeen(h: Handle, accountId: string, dedupeKey: string): Promise<boolean> {
  const r = await h.selectFrom('order_webhook_deliveries').select('dedupe_key').where('account_id', '=', accountId).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
  return r !== undefined;
}

// ------------------------------------------------------------------------------------------------ discount codes, rates

export async function listDiscountCodes(h: Handle, accountId: string, codes?: string[]): Promise<DiscountCodeRow[]> {
  if (codes !== undefined) {
    if (codes.length === 0) return [];
    const out: DiscountCodeRow[] = [];
    for (const part of chunks([...new Set(codes)])) {
      out.push(...(await h.selectFrom('discount_codes').selectAll().where('account_id', '=', accountId).where('code', 'in', part).execute()));
    }
    return out;
  }
  return h.selectFrom('discount_codes').selectAll().where('account_id', '=', accountId).orderBy('code').execute();
}

export async function replaceCampaignDiscountCodes(h: Handle, accountId: string, campaignId: string, codes: string[], now: number): Promise<void> {
  await h.deleteFrom('discount_codes').where('account_id', '=', accountId).where('campaign_id', '=', campaignId).execute();
  for (const part of chunks(codes, 200)) {
    await h.insertInto('discount_codes').values(part.map((code) => ({ account_id: accountId, code, campaign_id: campaignId, created_at: now }))).execute();
  }
}

export async function listCurrencyRates(h: Handle, accountId: string): Promise<CurrencyRateRow[]> {
  return h.selectFrom('currency_rates').selectAll().where('account_id', '=', accountId).orderBy('from_currency').orderBy('to_currency').orderBy('valid_from').execute();
}

export async function replaceCurrencyRates(h: Handle, accountId: string, rows: CurrencyRateRow[]): Promise<void> {
  await h.deleteFrom('currency_rates').where('account_id', '=', accountId).execute();
  for (const part of chunks(rows, 100)) await h.insertInto('currency_rates').values(part).execute();
}

// ------------------------------------------------------------------------------------------------ attributions

export async function deleteAttributionsOfOrders(h: Handle, accountId: string, orderIds: string[], db?: Db): Promise<void> {
  if (db?.sqlite) {
    const st = stmts(db.sqlite).deleteAttributions;
    for (const id of new Set(orderIds)) st.run(accountId, id);
    return;
  }
  for (const part of chunks([...new Set(orderIds)])) {
    await h.deleteFrom('attributions').where('account_id', '=', accountId).where('order_id', 'in', part).execute();
  }
}

/** Credits kept under a model the account no longer uses. */
export async function deleteOtherModels(h: Handle, accountId: string, model: string): Promise<void> {
  await h.deleteFrom('attributions').where('account_id', '=', accountId).where('model', '<>', model).execute();
}

const ATTRIBUTION_COLUMNS = [
  'account_id', 'order_id', 'model', 'campaign_id', 'message_id', 'contact_id', 'channel', 'kind', 'weight_micro', 'revenue_minor', 'currency',
  'direct', 'items', 'order_at', 'cohort_day', 'new_customer',
] as const;

// On SQLite the hot paths of attribution use prepared statements on the raw handle, inside the caller's transaction
// (one connection): building a Kysely query per page costs more than the reads and writes themselves.
const sqliteStatements = new WeakMap<Database.Database, Record<string, Database.Statement>>();
function stmts(sqlite: Database.Database): Record<string, Database.Statement> {
  let s = sqliteStatements.get(sqlite);
  if (!s) {
    s = {
      insertAttribution: sqlite.prepare(`INSERT INTO attributions (${ATTRIBUTION_COLUMNS.join(',')}) VALUES (${ATTRIBUTION_COLUMNS.map(() => '?').join(',')})`),
      deleteAttributions: sqlite.prepare('DELETE FROM attributions WHERE account_id = ? AND order_id = ?'),
      touchMessages: sqlite.prepare(
        `SELECT ${TOUCH_COLUMNS.join(', ')} FROM messages WHERE account_id = ? AND contact_id = ?
         AND (last_engaged_at >= ? OR delivered_at >= ? OR sent_at >= ?)`,
      ),
      touchMessagesOfContacts: sqlite.prepare(
        `SELECT ${TOUCH_COLUMNS.join(', ')} FROM messages WHERE account_id = ? AND contact_id IN (${Array.from({ length: CONTACTS_PER_READ }, () => '?').join(',')})
         AND (last_engaged_at >= ? OR delivered_at >= ? OR sent_at >= ?)`,
      ).raw(true),
      orderByExternalId: sqlite.prepare('SELECT * FROM orders WHERE account_id = ? AND external_id = ? AND source = ?').raw(true),
      refundsOfOrder: sqlite.prepare('SELECT * FROM order_refunds WHERE account_id = ? AND source = ? AND order_external_id = ?'),
      // One type at a time, so that each read is a range of the events_message index (account, message, type, at).
      humanEngagements: sqlite.prepare('SELECT message_id, type, at FROM events WHERE account_id = ? AND message_id = ? AND type = ? AND at >= ? AND at <= ? AND machine = 0'),
      ...Object.fromEntries((['external_id', 'email', 'phone', 'address_key'] as const).map((c) => [
        `contactsBy_${c}`, sqlite.prepare(`SELECT id, external_id, email, phone, address_key FROM contacts WHERE account_id = ? AND ${c} = ?`),
      ])),
      // Pages of orders by key range; the first statement of each pair finds where the page ends (index only).
      noBuyerPageEnd: sqlite.prepare('SELECT ordered_at FROM orders WHERE account_id = ? AND contact_id IS NULL AND ordered_at > ? ORDER BY ordered_at LIMIT 1 OFFSET ?').pluck(),
      noBuyerUpTo: sqlite.prepare('SELECT * FROM orders WHERE account_id = ? AND contact_id IS NULL AND ordered_at > ? AND ordered_at <= ? ORDER BY ordered_at').raw(true),
      noBuyerRest: sqlite.prepare('SELECT * FROM orders WHERE account_id = ? AND contact_id IS NULL AND ordered_at > ? ORDER BY ordered_at').raw(true),
      buyerPageEnd: sqlite.prepare('SELECT contact_id FROM orders WHERE account_id = ? AND contact_id > ? ORDER BY contact_id LIMIT 1 OFFSET ?').pluck(),
      buyersUpTo: sqlite.prepare('SELECT * FROM orders WHERE account_id = ? AND contact_id > ? AND contact_id <= ? ORDER BY contact_id, ordered_at').raw(true),
      buyersRest: sqlite.prepare('SELECT * FROM orders WHERE account_id = ? AND contact_id > ? ORDER BY contact_id, ordered_at').raw(true),
    };
    sqliteStatements.set(sqlite, s);
  }
  return s;
}

const insertOrderStatements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
/** INSERT of an order row by named parameters, prepared once per column list. */
function insertOrderStatement(sqlite: Database.Database, columns: string[]): Database.Statement {
  let byColumns = insertOrderStatements.get(sqlite);
  if (!byColumns) insertOrderStatements.set(sqlite, (byColumns = new Map()));
  const key = columns.join(',');
  let st = byColumns.get(key);
  if (!st) {
    if (!columns.every((c) => /^[a-z_]+$/.test(c))) throw new Error(`unexpected order column in ${key}`);
    st = sqlite.prepare(`INSERT INTO orders (${key}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    byColumns.set(key, st);
  }
  return st;
}

/**
 * Builds row objects from raw rows with one object literal compiled per statement (its column names quoted by
 * JSON.stringify): better-sqlite3 builds a 36-column row key by key, which cost more than reading it.
 * (The same technique as the messages store's rowBuilder.)
 */
const orderRowBuilders = new WeakMap<Database.Statement, (values: unknown[]) => OrderRow>();
function orderRowBuilder(st: Database.Statement): (values: unknown[]) => OrderRow {
  let build = orderRowBuilders.get(st);
  if (!build) {
    const fields = st.columns().map((c, i) => `${JSON.stringify(c.name)}: v[${i}]`);
    build = new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => OrderRow;
    orderRowBuilders.set(st, build);
  }
  return build;
}

export async function insertAttributions(h: Handle, rows: AttributionRow[], db?: Db): Promise<void> {
  if (db?.sqlite) {
    const st = stmts(db.sqlite).insertAttribution;
    for (const r of rows) st.run(ATTRIBUTION_COLUMNS.map((c) => r[c]));
    return;
  }
  // 15 columns: 60 rows a statement stay under every engine's parameter limit.
  for (const part of chunks(rows, 60)) await h.insertInto('attributions').values(part).execute();
}

export async function findAttributionsOfOrders(h: Handle, accountId: string, orderIds: string[]): Promise<AttributionRow[]> {
  const out: AttributionRow[] = [];
  for (const part of chunks([...new Set(orderIds)])) {
    out.push(...(await h.selectFrom('attributions').selectAll().where('account_id', '=', accountId).where('order_id', 'in', part).orderBy('order_id').orderBy('campaign_id').execute()));
  }
  return out;
}

export interface CampaignMoneyRow {
  campaign_id: string;
  conversions: number;
  converters: number;
  revenue: number;
  revenue_direct: number;
  items: number;
  revenue_new: number;
  revenue_returning: number;
  conversions_new: number;
  conversions_returning: number;
}

/** Revenue and credited orders of new and of returning customers (new_customer 1 and 0; null, no contact, in neither). */
const newReturning = (revenue: 'revenue_minor' | 'revenue') => [
  sql<number>`sum(case when new_customer = 1 then ${sql.ref(revenue)} else 0 end)`.as('revenue_new'),
  sql<number>`sum(case when new_customer = 0 then ${sql.ref(revenue)} else 0 end)`.as('revenue_returning'),
  sql<number>`sum(case when new_customer = 1 then 1 else 0 end)`.as('conversions_new'),
  sql<number>`sum(case when new_customer = 0 then 1 else 0 end)`.as('conversions_returning'),
];

/** Per campaign, in the account's currency: credited orders, distinct buyers, revenue (direct part), items. */
export async function sumAttributionsByCampaign(h: Handle, accountId: string, model: string, currency: string, campaignIds: string[]): Promise<CampaignMoneyRow[]> {
  const out: CampaignMoneyRow[] = [];
  for (const part of chunks([...new Set(campaignIds)])) {
    const rows = await h
      .selectFrom('attributions')
      .select((eb) => [
        'campaign_id',
        eb.fn.countAll<number>().as('conversions'),
        // A buyer no contact matched still bought: counted once per order.
        sql<number>`count(distinct coalesce(contact_id, ${sql.lit('order:')} || order_id))`.as('converters'),
        eb.fn.sum<number>('revenue_minor').as('revenue'),
        sql<number>`sum(case when direct = 1 then revenue_minor else 0 end)`.as('revenue_direct'),
        eb.fn.sum<number>('items').as('items'),
        ...newReturning('revenue_minor'),
      ])
      .where('account_id', '=', accountId)
      .where('model', '=', model)
      .where('currency', '=', currency)
      .where('campaign_id', 'in', part)
      .groupBy('campaign_id')
      .execute();
    out.push(...rows.map(numbers));
  }
  return out;
}

type Sums = { conversions: unknown; converters: unknown; revenue: unknown; revenue_direct: unknown; items: unknown; revenue_new: unknown; revenue_returning: unknown; conversions_new: unknown; conversions_returning: unknown };

function numbers(r: Sums & { campaign_id: string }): CampaignMoneyRow {
  return { campaign_id: r.campaign_id, ...periodNumbers(r) };
}

function periodNumbers(r: Partial<Sums> | undefined): Omit<CampaignMoneyRow, 'campaign_id'> {
  const n = (v: unknown) => Number(v ?? 0);
  return {
    conversions: n(r?.conversions), converters: n(r?.converters), revenue: n(r?.revenue), revenue_direct: n(r?.revenue_direct), items: n(r?.items),
    revenue_new: n(r?.revenue_new), revenue_returning: n(r?.revenue_returning), conversions_new: n(r?.conversions_new), conversions_returning: n(r?.conversions_returning),
  };
}

/**
 * Which credits a period holds: those whose message was sent in [fromDay, toDay] (KPIS.md's rule, attributions_day),
 * or, counting revenue by the order date, those whose order was placed in [fromMs, toMs) (attributions_order_time).
 */
export type CreditPeriod = { by: 'send'; fromDay: string; toDay: string } | { by: 'order'; fromMs: number; toMs: number };

/**
 * Account figures for the credits of a period (CreditPeriod): distinct orders (an order split across campaigns counts
 * once), distinct buyers, revenue and items (each order's items once), and the new / returning split of those orders.
 * Bounded by the period's credits, a range of attributions_day or attributions_order_time.
 */
export async function sumAttributionsForPeriod(
  h: Handle,
  accountId: string,
  model: string,
  currency: string,
  period: CreditPeriod,
  channel?: string,
): Promise<Omit<CampaignMoneyRow, 'campaign_id'>> {
  let inner = h
    .selectFrom('attributions')
    .select((eb) => [
      'order_id',
      sql<string>`max(coalesce(contact_id, ${sql.lit('order:')} || order_id))`.as('buyer'),
      eb.fn.sum<number>('revenue_minor').as('revenue'),
      sql<number>`sum(case when direct = 1 then revenue_minor else 0 end)`.as('revenue_direct'),
      eb.fn.max<number>('items').as('items'),
      eb.fn.max<number>('new_customer').as('new_customer'),
    ])
    .where('account_id', '=', accountId)
    .where('model', '=', model)
    .where('currency', '=', currency);
  inner = period.by === 'send'
    ? inner.where('cohort_day', '>=', period.fromDay).where('cohort_day', '<=', period.toDay)
    : inner.where('order_at', '>=', period.fromMs).where('order_at', '<', period.toMs);
  if (channel) inner = inner.where('channel', '=', channel);
  const r = await h
    .selectFrom(inner.groupBy('order_id').as('o'))
    .select((eb) => [
      eb.fn.countAll<number>().as('conversions'),
      sql<number>`count(distinct buyer)`.as('converters'),
      eb.fn.sum<number>('revenue').as('revenue'),
      eb.fn.sum<number>('revenue_direct').as('revenue_direct'),
      eb.fn.sum<number>('items').as('items'),
      ...newReturning('revenue'),
    ])
    .executeTakeFirst();
  return periodNumbers(r);
}

/** Per cohort day: revenue and distinct credited orders. */
export async function sumAttributionsByDay(
  h: Handle,
  accountId: string,
  model: string,
  currency: string,
  fromDay: string,
  toDay: string,
  channel?: string,
): Promise<{ day: string; revenue: number; conversions: number }[]> {
  let q = h
    .selectFrom('attributions')
    .select((eb) => ['cohort_day', eb.fn.sum<number>('revenue_minor').as('revenue'), sql<number>`count(distinct order_id)`.as('conversions')])
    .where('account_id', '=', accountId)
    .where('model', '=', model)
    .where('currency', '=', currency)
    .where('cohort_day', '>=', fromDay)
    .where('cohort_day', '<=', toDay);
  if (channel) q = q.where('channel', '=', channel);
  const rows = await q.groupBy('cohort_day').execute();
  return rows.map((r) => ({ day: r.cohort_day, revenue: Number(r.revenue ?? 0), conversions: Number(r.conversions ?? 0) }));
}

/**
 * Credited revenue per order placed in [fromMs, toMs) (revenue by the order date: the caller cuts days in the account's
 * zone). A range of attributions_order_time: bounded by the period's credits.
 */
export async function sumAttributionsByOrder(
  h: Handle,
  accountId: string,
  model: string,
  currency: string,
  fromMs: number,
  toMs: number,
  channel?: string,
): Promise<{ orderAt: number; revenue: number }[]> {
  let q = h
    .selectFrom('attributions')
    .select((eb) => ['order_id', eb.fn.max<number>('order_at').as('order_at'), eb.fn.sum<number>('revenue_minor').as('revenue')])
    .where('account_id', '=', accountId)
    .where('model', '=', model)
    .where('currency', '=', currency)
    .where('order_at', '>=', fromMs)
    .where('order_at', '<', toMs);
  if (channel) q = q.where('channel', '=', channel);
  const rows = await q.groupBy('order_id').execute();
  return rows.map((r) => ({ orderAt: Number(r.order_at), revenue: Number(r.revenue ?? 0) }));
}

/** Revenue of every order placed in [fromMs, toMs) in the account's currency, credited or not (a range of orders_time). */
export async function sumOrdersRevenue(h: Handle, accountId: string, currency: string, fromMs: number, toMs: number): Promise<number> {
  const r = await h
    .selectFrom('orders')
    .select((eb) => eb.fn.sum<number>('revenue_minor').as('revenue'))
    .where('account_id', '=', accountId)
    .where('ordered_at', '>=', fromMs)
    .where('ordered_at', '<', toMs)
    .where('revenue_currency', '=', currency)
    .executeTakeFirst();
  return Number(r?.revenue ?? 0);
}

/** Every order of these contacts (id, time, mark): what their new / returning marks depend on. A range of orders_contact_id per contact. */
export async function findOrderTimesOfContacts(h: Handle, accountId: string, contactIds: string[]): Promise<{ id: string; contact_id: string; ordered_at: number; new_customer: number | null }[]> {
  const out: { id: string; contact_id: string; ordered_at: number; new_customer: number | null }[] = [];
  for (const part of chunks([...new Set(contactIds)])) {
    const rows = await h.selectFrom('orders').select(['id', 'contact_id', 'ordered_at', 'new_customer'])
      .where('account_id', '=', accountId).where('contact_id', 'in', part).execute();
    out.push(...rows.map((r) => ({ id: r.id, contact_id: r.contact_id!, ordered_at: Number(r.ordered_at), new_customer: r.new_customer === null ? null : Number(r.new_customer) })));
  }
  return out;
}

/** Stores new / returning marks on orders and on their credits (by primary key: orders_pk, attributions_pk's prefix). */
export async function updateNewCustomerMarks(h: Handle, accountId: string, marks: { id: string; mark: number | null }[]): Promise<void> {
  for (const m of marks) {
    await h.updateTable('orders').set({ new_customer: m.mark }).where('account_id', '=', accountId).where('id', '=', m.id).execute();
    await h.updateTable('attributions').set({ new_customer: m.mark }).where('account_id', '=', accountId).where('order_id', '=', m.id).execute();
  }
}

// ------------------------------------------------------------------------------------------------ touches

export interface TouchMessageRow {
  id: string;
  campaign_id: string;
  contact_id: string | null;
  cohort_day: string;
  registered_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  bounced_at: number | null;
  opened_at: number | null;
  clicked_at: number | null;
  replied_at: number | null;
  scanned_at: number | null;
  last_engaged_at: number | null;
  opens: number;
  clicks: number;
  scans: number;
}

// All in the covering index messages_touches (migration 2026_12_07_120_message_touches_sent).
const TOUCH_COLUMNS = [
  'id', 'campaign_id', 'contact_id', 'cohort_day', 'registered_at', 'sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'scanned_at',
  'last_engaged_at', 'opens', 'clicks', 'scans', 'bounced_at', 'replied_at',
] as const;

const CONTACTS_PER_READ = 500;

/** A raw row of TOUCH_COLUMNS, in that order. */
function touchMessageOf(r: unknown[]): TouchMessageRow {
  return {
    id: r[0] as string, campaign_id: r[1] as string, contact_id: r[2] as string | null, cohort_day: r[3] as string, registered_at: r[4] as number,
    sent_at: r[5] as number | null, delivered_at: r[6] as number | null, opened_at: r[7] as number | null, clicked_at: r[8] as number | null,
    scanned_at: r[9] as number | null, last_engaged_at: r[10] as number | null, opens: r[11] as number, clicks: r[12] as number, scans: r[13] as number,
    bounced_at: r[14] as number | null, replied_at: r[15] as number | null,
  };
}

/**
 * The messages of these contacts that may have touched their orders: with a send, delivery or engagement no earlier
 * than `sinceMs` (the earliest order's time minus the longest window). Whether a
 * message was sent by an order is the domain's messageSentAt, which the service applies: it reads the campaign's
 * send date too, and a message registered after the order (a back-fill) may have been sent long before it.
 */
export async function findTouchMessages(h: Handle, accountId: string, contactIds: string[], sinceMs: number, db?: Db): Promise<TouchMessageRow[]> {
  const out: TouchMessageRow[] = [];
  if (db?.sqlite) {
    const distinct = [...new Set(contactIds)];
    if (distinct.length < 8) {
      const st = stmts(db.sqlite).touchMessages;
      for (const c of distinct) out.push(...(st.all(accountId, c, sinceMs, sinceMs, sinceMs) as TouchMessageRow[]));
      return out;
    }
    // Many buyers: one statement per CONTACTS_PER_READ of them (the list padded with its first id), rows read as arrays.
    const st = stmts(db.sqlite).touchMessagesOfContacts;
    for (const part of chunks(distinct, CONTACTS_PER_READ)) {
      while (part.length < CONTACTS_PER_READ) part.push(part[0]);
      for (const r of st.all(accountId, ...part, sinceMs, sinceMs, sinceMs) as unknown[][]) out.push(touchMessageOf(r));
    }
    return out;
  }
  for (const part of chunks([...new Set(contactIds)])) {
    out.push(
      ...(await h
        .selectFrom('messages')
        .select(TOUCH_COLUMNS)
        .where('account_id', '=', accountId)
        .where('contact_id', 'in', part)
        .where((eb) => eb.or([eb('last_engaged_at', '>=', sinceMs), eb('delivered_at', '>=', sinceMs), eb('sent_at', '>=', sinceMs)]))
        .execute()),
    );
  }
  return out;
}

export async function findTouchMessagesByIds(h: Handle, accountId: string, ids: string[]): Promise<TouchMessageRow[]> {
  const out: TouchMessageRow[] = [];
  for (const part of chunks([...new Set(ids)])) {
    out.push(...(await h.selectFrom('messages').select(TOUCH_COLUMNS).where('account_id', '=', accountId).where('id', 'in', part).execute()));
  }
  return out;
}

/** Human opens, clicks and scans of these messages in [sinceMs, toMs]; machine opens and bot clicks are left out. */
export async function findHumanEngagements(
  h: Handle,
  accountId: string,
  messageIds: string[],
  sinceMs: number,
  toMs: number,
  db?: Db,
): Promise<{ message_id: string; type: string; at: number }[]> {
  const out: { message_id: string; type: string; at: number }[] = [];
  if (db?.sqlite) {
    const st = stmts(db.sqlite).humanEngagements;
    for (const id of new Set(messageIds)) {
      for (const type of ['opened', 'clicked', 'scanned']) out.push(...(st.all(accountId, id, type, sinceMs, toMs) as { message_id: string; type: string; at: number }[]));
    }
    return out;
  }
  for (const part of chunks([...new Set(messageIds)])) {
    const rows = await h
      .selectFrom('events')
      .select(['message_id', 'type', 'at'])
      .where('account_id', '=', accountId)
      .where('message_id', 'in', part)
      .where('at', '>=', sinceMs)
      .where('at', '<=', toMs)
      .where('machine', '=', 0)
      .where('type', 'in', ['opened', 'clicked', 'scanned'])
      .execute();
    out.push(...rows.map((r) => ({ message_id: r.message_id, type: r.type, at: Number(r.at) })));
  }
  return out;
}

export interface ContactKeyRow {
  id: string;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  address_key: string | null;
}

export async function findContactsForOrders(
  h: Handle,
  accountId: string,
  keys: { externalIds: string[]; emails: string[]; phones: string[]; addressKeys: string[] },
  db?: Db,
): Promise<ContactKeyRow[]> {
  const out: ContactKeyRow[] = [];
  const cols = ['id', 'external_id', 'email', 'phone', 'address_key'] as const;
  const by = async (column: 'external_id' | 'email' | 'phone' | 'address_key', values: string[]) => {
    if (db?.sqlite) {
      const st = stmts(db.sqlite)[`contactsBy_${column}`];
      for (const v of new Set(values)) out.push(...(st.all(accountId, v) as ContactKeyRow[]));
      return;
    }
    for (const part of chunks([...new Set(values)])) {
      out.push(...(await h.selectFrom('contacts').select(cols).where('account_id', '=', accountId).where(column, 'in', part).execute()));
    }
  };
  await by('external_id', keys.externalIds);
  await by('email', keys.emails);
  await by('phone', keys.phones);
  await by('address_key', keys.addressKeys);
  return out;
}

export interface CampaignLookupRow {
  id: string;
  slug: string;
  channel: string;
  send_at: number | null;
  activated_at: number | null;
  created_at: number;
}

export async function listCampaignsForAttribution(h: Handle, accountId: string): Promise<CampaignLookupRow[]> {
  return h.selectFrom('campaigns').select(['id', 'slug', 'channel', 'send_at', 'activated_at', 'created_at']).where('account_id', '=', accountId).execute();
}

/** Orders that used any of these (normalized) discount codes. */
export async function findOrdersWithCodes(h: Handle, accountId: string, codes: string[]): Promise<OrderRow[]> {
  const out = new Map<string, OrderRow>();
  for (const code of new Set(codes)) {
    const pattern = `%${JSON.stringify(code).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await h.selectFrom('orders').selectAll().where('account_id', '=', accountId)
      .where(sql<boolean>`discount_codes like ${pattern} escape ${sql.lit('\\')}`).execute();
    for (const r of rows) out.set(r.id, r);
  }
  return [...out.values()];
}

// ------------------------------------------------------------------------------------------------ one order explained

export async function getOrder(h: Handle, accountId: string, orderId: string): Promise<OrderRow | undefined> {
  return h.selectFrom('orders').selectAll().where('account_id', '=', accountId).where('id', '=', orderId).executeTakeFirst();
}

/** Machine opens and bot clicks (and flagged scans) of these messages in [sinceMs, toMs], with why they were flagged. */
export async function findMachineEngagements(
  h: Handle,
  accountId: string,
  messageIds: string[],
  sinceMs: number,
  toMs: number,
): Promise<{ message_id: string; type: string; at: number; flag_reason: string | null }[]> {
  const out: { message_id: string; type: string; at: number; flag_reason: string | null }[] = [];
  for (const part of chunks([...new Set(messageIds)])) {
    // Through events_message (account, message, type, at): one range per message and type.
    const rows = await h
      .selectFrom('events')
      .select(['message_id', 'type', 'at', 'flag_reason'])
      .where('account_id', '=', accountId)
      .where('message_id', 'in', part)
      .where('type', 'in', ['opened', 'clicked', 'scanned'])
      .where('at', '>=', sinceMs)
      .where('at', '<=', toMs)
      .where('machine', '=', 1)
      .orderBy('at')
      .execute();
    out.push(...rows.map((r) => ({ message_id: r.message_id as string, type: r.type, at: Number(r.at), flag_reason: r.flag_reason })));
  }
  return out;
}

export async function findCampaignNames(h: Handle, accountId: string, ids: string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return h.selectFrom('campaigns').select(['id', 'name']).where('account_id', '=', accountId).where('id', 'in', [...new Set(ids)]).execute();
}
