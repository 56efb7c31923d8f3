// SQL for conversions other than orders (sign-ups, bookings, store visits…), their credits per campaign and the count
// per type. Portable SQL on both engines; every read names its index and what bounds it.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema';

export interface ConversionRow {
  account_id: string;
  id: string;
  type: string;
  occurred_at: number;
  source: string;
  idempotency_key: string;
  body_hash: string;
  email: string | null;
  phone: string | null;
  customer_external_id: string | null;
  contact_id: string | null;
  matched_by: string | null;
  value_minor: number | null;
  currency: string | null;
  /** The value in the account's currency when a rate converts it (else in its own), 0 without a value: what credits split. */
  credit_value_minor: number;
  credit_currency: string;
  received_at: number;
}

export interface ConversionCreditRow {
  account_id: string;
  conversion_id: string;
  model: string;
  campaign_id: string;
  type: string;
  message_id: string | null;
  contact_id: string | null;
  channel: string;
  kind: string;
  weight_micro: number;
  value_minor: number;
  currency: string;
  direct: number;
  occurred_at: number;
  cohort_day: string;
}

export interface ConversionTypeRow {
  account_id: string;
  type: string;
  count: number;
}

declare module './schema' {
  interface DB {
    conversions: ConversionRow;
    conversion_credits: ConversionCreditRow;
    conversion_types: ConversionTypeRow;
  }
}

type Handle = Kysely<DB> | Transaction<DB>;
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const NUMERIC: (keyof ConversionRow)[] = ['occurred_at', 'value_minor', 'credit_value_minor', 'received_at'];
function numeric(r: ConversionRow): ConversionRow {
  const out = { ...r } as Record<string, unknown>;
  for (const k of NUMERIC) if (out[k] !== null && out[k] !== undefined) out[k] = Number(out[k]);
  return out as unknown as ConversionRow;
}

/** Stored conversions with these idempotency keys (unique index conversions_idempotency: one row per key). */
export async function findConversionsByKeys(h: Handle, accountId: string, keys: string[]): Promise<ConversionRow[]> {
  const out: ConversionRow[] = [];
  for (const part of chunks([...new Set(keys)])) {
    out.push(...(await h.selectFrom('conversions').selectAll().where('account_id', '=', accountId).where('idempotency_key', 'in', part).execute()).map(numeric));
  }
  return out;
}

export async function insertConversions(h: Handle, rows: ConversionRow[]): Promise<void> {
  // 18 columns: 40 rows a statement stay under every engine's parameter limit.
  for (const part of chunks(rows, 40)) await h.insertInto('conversions').values(part).execute();
}

/** Adds `delta` to the count of each type (one row per type and account: the primary key). */
export async function bumpConversionTypes(h: Handle, accountId: string, deltas: Map<string, number>): Promise<void> {
  for (const [type, delta] of deltas) {
    if (delta === 0) continue;
    await h.insertInto('conversion_types').values({ account_id: accountId, type, count: delta })
      .onConflict((oc) => oc.columns(['account_id', 'type']).doUpdateSet({ count: sql`conversion_types.count + ${delta}` }))
      .execute();
  }
  await h.deleteFrom('conversion_types').where('account_id', '=', accountId).where('count', '<=', 0).execute();
}

/** The account's types with their counts (one row per type the account ever used: bounded by its vocabulary). */
export async function listConversionTypes(h: Handle, accountId: string): Promise<{ type: string; count: number }[]> {
  const rows = await h.selectFrom('conversion_types').select(['type', 'count']).where('account_id', '=', accountId).orderBy('type').execute();
  return rows.map((r) => ({ type: r.type, count: Number(r.count) }));
}

/** One page, newest first, by (occurred_at, id), optionally of one type and in [fromMs, toMs): conversions_time / conversions_type_time. */
export async function listConversionsPage(
  h: Handle,
  accountId: string,
  opts: { type?: string; fromMs?: number; toMs?: number; before?: { at: number; id: string }; limit: number },
): Promise<ConversionRow[]> {
  let q = h.selectFrom('conversions').selectAll().where('account_id', '=', accountId);
  if (opts.type !== undefined) q = q.where('type', '=', opts.type);
  if (opts.fromMs !== undefined) q = q.where('occurred_at', '>=', opts.fromMs);
  if (opts.toMs !== undefined) q = q.where('occurred_at', '<', opts.toMs);
  const b = opts.before;
  if (b) q = q.where((eb) => eb.or([eb('occurred_at', '<', b.at), eb.and([eb('occurred_at', '=', b.at), eb('id', '<', b.id)])]));
  const rows = await q.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map(numeric);
}

/** Conversions of these contacts in [fromMs, toMs] (conversions_contact): those a late touch may change. */
export async function findConversionsOfContacts(h: Handle, accountId: string, contactIds: string[], fromMs: number, toMs: number): Promise<ConversionRow[]> {
  const out: ConversionRow[] = [];
  for (const part of chunks([...new Set(contactIds)])) {
    const rows = await h.selectFrom('conversions').selectAll().where('account_id', '=', accountId).where('contact_id', 'in', part)
      .where('occurred_at', '>=', fromMs).where('occurred_at', '<=', toMs).execute();
    out.push(...rows.map(numeric));
  }
  return out;
}

/** A page of all conversions by id (the primary key), for a full recompute. */
export async function listConversionsById(h: Handle, accountId: string, afterId: string | null, limit: number): Promise<ConversionRow[]> {
  let q = h.selectFrom('conversions').selectAll().where('account_id', '=', accountId);
  if (afterId !== null) q = q.where('id', '>', afterId);
  return (await q.orderBy('id').limit(limit).execute()).map(numeric);
}

/** A person's conversions for erasure: by contact (conversions_contact) and by the keys orders would match. */
export async function findPersonConversions(
  h: Handle,
  accountId: string,
  keys: { contactIds: string[]; emails: string[]; phones: string[]; externalIds: string[] },
): Promise<ConversionRow[]> {
  const out = new Map<string, ConversionRow>();
  const by = async (col: 'contact_id' | 'email' | 'phone' | 'customer_external_id', values: string[]) => {
    for (const vs of chunks([...new Set(values)])) {
      for (const r of await h.selectFrom('conversions').selectAll().where('account_id', '=', accountId).where(col, 'in', vs).execute()) out.set(r.id, numeric(r));
    }
  };
  await by('contact_id', keys.contactIds);
  await by('email', keys.emails);
  await by('phone', keys.phones);
  await by('customer_external_id', keys.externalIds);
  return [...out.values()];
}

/** Deletes conversions and their credits; returns how many of each type went. */
export async function deleteConversions(h: Handle, accountId: string, rows: ConversionRow[]): Promise<void> {
  for (const part of chunks(rows.map((r) => r.id))) {
    await h.deleteFrom('conversion_credits').where('account_id', '=', accountId).where('conversion_id', 'in', part).execute();
    await h.deleteFrom('conversions').where('account_id', '=', accountId).where('id', 'in', part).execute();
  }
  const deltas = new Map<string, number>();
  for (const r of rows) deltas.set(r.type, (deltas.get(r.type) ?? 0) - 1);
  await bumpConversionTypes(h, accountId, deltas);
}

// ------------------------------------------------------------------------------------------------ credits

export async function deleteCreditsOfConversions(h: Handle, accountId: string, ids: string[]): Promise<void> {
  for (const part of chunks([...new Set(ids)])) {
    await h.deleteFrom('conversion_credits').where('account_id', '=', accountId).where('conversion_id', 'in', part).execute();
  }
}

export async function deleteConversionCreditsOfOtherModels(h: Handle, accountId: string, model: string): Promise<void> {
  await h.deleteFrom('conversion_credits').where('account_id', '=', accountId).where('model', '<>', model).execute();
}

export async function insertConversionCredits(h: Handle, rows: ConversionCreditRow[]): Promise<void> {
  // 15 columns: 60 rows a statement.
  for (const part of chunks(rows, 60)) await h.insertInto('conversion_credits').values(part).execute();
}

export async function findCreditsOfConversions(h: Handle, accountId: string, ids: string[], model: string): Promise<ConversionCreditRow[]> {
  const out: ConversionCreditRow[] = [];
  for (const part of chunks([...new Set(ids)])) {
    out.push(...(await h.selectFrom('conversion_credits').selectAll().where('account_id', '=', accountId).where('model', '=', model)
      .where('conversion_id', 'in', part).orderBy('conversion_id').orderBy('campaign_id').execute()));
  }
  return out;
}

/**
 * One campaign's conversions per type under a model (index conversion_credits_campaign: the campaign's own credit
 * rows, bounded by the conversions it was credited with): count, summed weight (millionths) and value, per currency.
 */
export async function sumConversionCreditsOfCampaign(h: Handle, accountId: string, campaignId: string, model: string) {
  const rows = await h.selectFrom('conversion_credits')
    .select((eb) => ['type', 'currency', eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('weight_micro').as('weight'), eb.fn.sum<number>('value_minor').as('value')])
    .where('account_id', '=', accountId).where('campaign_id', '=', campaignId).where('model', '=', model)
    .groupBy(['type', 'currency']).orderBy('type').orderBy('currency').execute();
  return rows.map((r) => ({ type: r.type, currency: r.currency, count: Number(r.count), weightMicro: Number(r.weight), value: Number(r.value) }));
}
