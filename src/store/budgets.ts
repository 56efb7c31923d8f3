// SQL for budgets and billing: cost models, the budget ledger and its row locks, reservations, billing settings,
// invoices and their applied events, alert endpoints and deliveries.
import { sql, type Kysely, type Transaction } from 'kysely';
import type Database from 'better-sqlite3';
import type { Db } from './db';
import type { DB } from './schema';

declare module './schema' {
  interface DB {
    cost_models: CostModelRow;
    billing_settings: BillingSettingsRow;
    budget_ledgers: LedgerRow;
    reservations: ReservationRow;
    invoices: InvoiceRow;
    invoice_events: InvoiceEventRow;
    alert_endpoints: AlertEndpointRow;
    alert_deliveries: AlertDeliveryRow;
  }
}

export interface CostModelRow {
  account_id: string;
  /** '' for the account's model, else the campaign whose override this is. */
  campaign_id: string;
  model: string;
  updated_at: number;
}
export interface BillingSettingsRow {
  account_id: string;
  monthly_budget_minor: number | null;
  grace_days: number | null;
  reservation_ttl_ms: number | null;
  stripe_webhook_secret: string | null;
  updated_at: number;
}
export interface LedgerRow {
  account_id: string;
  scope: string;
  used_minor: number;
  reserved_minor: number;
}
export interface ReservationRow {
  account_id: string;
  message_id: string;
  campaign_id: string;
  cost_minor: number;
  reserved_at: number;
  expires_at: number;
}
export interface InvoiceRow {
  account_id: string;
  external_id: string;
  number: string | null;
  amount_due_minor: number;
  amount_remaining_minor: number;
  currency: string;
  due_at: number | null;
  hosted_invoice_url: string | null;
  status: string;
  status_at: number;
  paid_at: number | null;
  overdue_at: number | null;
  last_payment_failed_at: number | null;
  updated_at: number;
  last_event_id: string;
  source: string;
  created_at: number;
}
export interface InvoiceEventRow {
  account_id: string;
  event_id: string;
  type: string;
  invoice_id: string | null;
  received_at: number;
}
export interface AlertEndpointRow {
  account_id: string;
  id: string;
  url: string;
  secret: string;
  created_at: number;
}
export interface AlertDeliveryRow {
  account_id: string;
  id: string;
  alert_id: string;
  endpoint_id: string;
  kind: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  log: string;
  created_at: number;
}

type Handle = Kysely<DB> | Transaction<DB>;
const CHUNK = 500;

// ------------------------------------------------------------------ cost models
export async function getCostModels(h: Handle, accountId: string, campaignId: string): Promise<CostModelRow[]> {
  return h.selectFrom('cost_models').selectAll().where('account_id', '=', accountId).where('campaign_id', 'in', ['', campaignId]).execute();
}
/** The account's model ('') and campaign overrides: of these campaigns, or every override when none are given. */
export async function listCostModels(h: Handle, accountId: string, campaignIds?: string[]): Promise<CostModelRow[]> {
  if (!campaignIds) return h.selectFrom('cost_models').selectAll().where('account_id', '=', accountId).execute();
  const out: CostModelRow[] = [];
  const ids = ['', ...new Set(campaignIds)];
  for (let i = 0; i < ids.length; i += 900) {
    out.push(...(await h.selectFrom('cost_models').selectAll().where('account_id', '=', accountId).where('campaign_id', 'in', ids.slice(i, i + 900)).execute()));
  }
  return out;
}
export async function getCostModel(h: Handle, accountId: string, campaignId: string): Promise<CostModelRow | undefined> {
  return h.selectFrom('cost_models').selectAll().where('account_id', '=', accountId).where('campaign_id', '=', campaignId).executeTakeFirst();
}
export async function upsertCostModel(h: Handle, row: CostModelRow): Promise<void> {
  await h
    .insertInto('cost_models')
    .values(row)
    .onConflict((oc) => oc.columns(['account_id', 'campaign_id']).doUpdateSet({ model: row.model, updated_at: row.updated_at }))
    .execute();
}
export async function deleteCostModel(h: Handle, accountId: string, campaignId: string): Promise<number> {
  const r = await h.deleteFrom('cost_models').where('account_id', '=', accountId).where('campaign_id', '=', campaignId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ------------------------------------------------------------------ billing settings
export async function getBillingSettings(h: Handle, accountId: string): Promise<BillingSettingsRow | undefined> {
  return h.selectFrom('billing_settings').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}
export async function upsertBillingSettings(h: Handle, accountId: string, patch: Partial<Omit<BillingSettingsRow, 'account_id'>>, now: number): Promise<void> {
  const row: BillingSettingsRow = {
    account_id: accountId, monthly_budget_minor: null, grace_days: null, reservation_ttl_ms: null, stripe_webhook_secret: null, updated_at: now,
    ...patch,
  };
  await h
    .insertInto('billing_settings')
    .values(row)
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ ...patch, updated_at: now }))
    .execute();
}

// ------------------------------------------------------------------ the ledger
/**
 * Creates the ledger rows of these scopes if absent, then locks them (PostgreSQL: FOR UPDATE, in scope order so two
 * processes lock in the same order; SQLite has one writer at a time anyway) and returns them.
 */
export async function lockLedgers(db: Db, trx: Transaction<DB>, accountId: string, scopes: string[]): Promise<Map<string, LedgerRow>> {
  const sorted = [...new Set(scopes)].sort();
  await trx
    .insertInto('budget_ledgers')
    .values(sorted.map((scope) => ({ account_id: accountId, scope, used_minor: 0, reserved_minor: 0 })))
    .onConflict((oc) => oc.columns(['account_id', 'scope']).doNothing())
    .execute();
  let q = trx.selectFrom('budget_ledgers').selectAll().where('account_id', '=', accountId).where('scope', 'in', sorted).orderBy('scope');
  if (db.kind === 'postgres') q = q.forUpdate();
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.scope, { ...r, used_minor: Number(r.used_minor), reserved_minor: Number(r.reserved_minor) }]));
}

export async function getLedgers(h: Handle, accountId: string, scopes: string[]): Promise<Map<string, LedgerRow>> {
  if (scopes.length === 0) return new Map();
  const rows = await h.selectFrom('budget_ledgers').selectAll().where('account_id', '=', accountId).where('scope', 'in', [...new Set(scopes)]).execute();
  return new Map(rows.map((r) => [r.scope, { ...r, used_minor: Number(r.used_minor), reserved_minor: Number(r.reserved_minor) }]));
}

/** Adds relative amounts to ledger rows (created when absent), in scope order; returns the rows after the change. */
export async function addToLedgers(
  h: Handle,
  accountId: string,
  deltas: Map<string, { used: number; reserved: number }>,
): Promise<Map<string, LedgerRow>> {
  const out = new Map<string, LedgerRow>();
  for (const scope of [...deltas.keys()].sort()) {
    const d = deltas.get(scope)!;
    if (d.used === 0 && d.reserved === 0) continue;
    const row = await h
      .insertInto('budget_ledgers')
      .values({ account_id: accountId, scope, used_minor: d.used, reserved_minor: d.reserved })
      .onConflict((oc) =>
        oc.columns(['account_id', 'scope']).doUpdateSet({
          used_minor: sql`budget_ledgers.used_minor + excluded.used_minor`,
          reserved_minor: sql`budget_ledgers.reserved_minor + excluded.reserved_minor`,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    out.set(scope, { ...row, used_minor: Number(row.used_minor), reserved_minor: Number(row.reserved_minor) });
  }
  return out;
}

/** Ledger rows of campaign scopes (not months) of the account. */
export async function listCampaignLedgers(h: Handle, accountId: string, campaignIds: string[]): Promise<LedgerRow[]> {
  const out: LedgerRow[] = [];
  const uniq = [...new Set(campaignIds)];
  for (let i = 0; i < uniq.length; i += 900) {
    const rows = await h.selectFrom('budget_ledgers').selectAll().where('account_id', '=', accountId).where('scope', 'in', uniq.slice(i, i + 900)).execute();
    out.push(...rows.map((r) => ({ ...r, used_minor: Number(r.used_minor), reserved_minor: Number(r.reserved_minor) })));
  }
  return out;
}

/** Spend (committed cost) per cohort day within [from, to], optionally of some campaigns only. */
export async function sumSpend(h: Handle, accountId: string, from: string, to: string, campaignIds?: string[]): Promise<number> {
  if (campaignIds && campaignIds.length === 0) return 0;
  let q = h
    .selectFrom('campaign_days')
    .select(sql<number>`coalesce(sum(spend_minor), 0)`.as('spend'))
    .where('account_id', '=', accountId)
    .where('day', '>=', from)
    .where('day', '<=', to);
  if (campaignIds) q = q.where('campaign_id', 'in', campaignIds);
  const r = await q.executeTakeFirst();
  return Number(r?.spend ?? 0);
}

// ------------------------------------------------------------------ reservations
const reservationInserts = new WeakMap<Database.Database, Database.Statement>();
export async function insertReservations(db: Db, h: Handle, rows: ReservationRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (db.sqlite) {
    // The gate writes up to 10,000 of these per request: one prepared statement beats building queries.
    let st = reservationInserts.get(db.sqlite);
    if (!st) reservationInserts.set(db.sqlite, (st = db.sqlite.prepare('INSERT INTO reservations (account_id, message_id, campaign_id, cost_minor, reserved_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')));
    for (const r of rows) st.run(r.account_id, r.message_id, r.campaign_id, r.cost_minor, r.reserved_at, r.expires_at);
    return;
  }
  for (let i = 0; i < rows.length; i += CHUNK) await h.insertInto('reservations').values(rows.slice(i, i + CHUNK)).execute();
}

export async function deleteReservations(h: Handle, accountId: string, messageIds: string[]): Promise<void> {
  const uniq = [...new Set(messageIds)];
  for (let i = 0; i < uniq.length; i += 900) {
    await h.deleteFrom('reservations').where('account_id', '=', accountId).where('message_id', 'in', uniq.slice(i, i + 900)).execute();
  }
}

/** Reservations past their expiry: of one campaign, or of every account (the timer's sweep). */
export async function findExpiredReservations(h: Handle, now: number, scope: { accountId: string; campaignId: string } | null, limit: number): Promise<ReservationRow[]> {
  let q = h.selectFrom('reservations').selectAll().where('expires_at', '<=', now);
  if (scope) q = q.where('account_id', '=', scope.accountId).where('campaign_id', '=', scope.campaignId);
  return q.orderBy('expires_at').limit(limit).execute();
}

/** Open reservations of a campaign (the budget view's `openReservations`). */
export async function countReservations(h: Handle, accountId: string, campaignId: string): Promise<number> {
  const r = await h
    .selectFrom('reservations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

// ------------------------------------------------------------------ invoices
export async function listInvoiceRows(h: Handle, accountId: string, opts: { after?: string; limit?: number; unpaidOnly?: boolean } = {}): Promise<InvoiceRow[]> {
  let q = h.selectFrom('invoices').selectAll().where('account_id', '=', accountId);
  if (opts.unpaidOnly) q = q.where('status', 'in', ['open', 'uncollectible']);
  if (opts.after) q = q.where('external_id', '>', opts.after);
  q = q.orderBy('external_id');
  if (opts.limit) q = q.limit(opts.limit);
  return q.execute();
}
export async function getInvoiceRow(h: Handle, accountId: string, externalId: string): Promise<InvoiceRow | undefined> {
  return h.selectFrom('invoices').selectAll().where('account_id', '=', accountId).where('external_id', '=', externalId).executeTakeFirst();
}
export async function upsertInvoiceRow(h: Handle, row: InvoiceRow): Promise<void> {
  const { account_id: _a, external_id: _e, created_at: _c, ...rest } = row;
  await h.insertInto('invoices').values(row).onConflict((oc) => oc.columns(['account_id', 'external_id']).doUpdateSet(rest)).execute();
}
/** Records an invoice event id; false when it was already recorded (a duplicate delivery). */
export async function insertInvoiceEvent(h: Handle, row: InvoiceEventRow): Promise<boolean> {
  const r = await h.insertInto('invoice_events').values(row).onConflict((oc) => oc.columns(['account_id', 'event_id']).doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}
/** Accounts that have unpaid invoices (the timer checks their overdue state and suspension). */
export async function listAccountsWithUnpaidInvoices(h: Handle): Promise<string[]> {
  const rows = await h.selectFrom('invoices').select('account_id').distinct().where('status', 'in', ['open', 'uncollectible']).execute();
  return rows.map((r) => r.account_id);
}

// ------------------------------------------------------------------ alerts
export async function listAlertEndpoints(h: Handle, accountId: string): Promise<AlertEndpointRow[]> {
  return h.selectFrom('alert_endpoints').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
}
export async function getAlertEndpoint(h: Handle, accountId: string, id: string): Promise<AlertEndpointRow | undefined> {
  return h.selectFrom('alert_endpoints').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}
export async function upsertAlertEndpoint(h: Handle, row: AlertEndpointRow): Promise<AlertEndpointRow> {
  await h
    .insertInto('alert_endpoints')
    .values(row)
    .onConflict((oc) => oc.columns(['account_id', 'url']).doUpdateSet({ secret: row.secret }))
    .execute();
  return (await h.selectFrom('alert_endpoints').selectAll().where('account_id', '=', row.account_id).where('url', '=', row.url).executeTakeFirstOrThrow());
}
export async function deleteAlertEndpoint(h: Handle, accountId: string, id: string): Promise<number> {
  const r = await h.deleteFrom('alert_endpoints').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows);
}
/** Queues deliveries; an alert already queued for an endpoint is not queued again. Returns how many were new. */
export async function insertAlertDeliveries(h: Handle, rows: AlertDeliveryRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await h
    .insertInto('alert_deliveries')
    .values(rows)
    .onConflict((oc) => oc.columns(['account_id', 'alert_id', 'endpoint_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}
export async function findDueAlertDeliveries(h: Handle, now: number, limit: number): Promise<AlertDeliveryRow[]> {
  return h.selectFrom('alert_deliveries').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute();
}
export async function updateAlertDelivery(h: Handle, accountId: string, id: string, patch: Partial<AlertDeliveryRow>): Promise<void> {
  await h.updateTable('alert_deliveries').set(patch).where('account_id', '=', accountId).where('id', '=', id).execute();
}
export async function listAlertDeliveries(h: Handle, accountId: string, opts: { before?: string; limit: number; kind?: string; status?: string }): Promise<AlertDeliveryRow[]> {
  let q = h.selectFrom('alert_deliveries').selectAll().where('account_id', '=', accountId);
  if (opts.kind) q = q.where('kind', '=', opts.kind);
  if (opts.status) q = q.where('status', '=', opts.status as AlertDeliveryRow['status']);
  if (opts.before) q = q.where('id', '<', opts.before);
  return q.orderBy('id', 'desc').limit(opts.limit).execute();
}
