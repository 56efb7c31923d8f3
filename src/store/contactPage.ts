// SQL for the contact page (issue #18): one contact's messages, engagement events, orders, credits and suppression
// entries, each read through an index that starts with (account_id, contact_id) or the message / order ids, never a
// scan of the account's event log: messages_touches (messages by contact), events_message (a message's events by type),
// orders_contact_id (orders by contact, time and id: migration 2026_12_08_100), attributions_pk (account, order,
// model) and suppressions_pk (account, channel, address).
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** Where a page of one timeline source starts (see sourceBound in domain/contactPage.ts). */
export type SourceBound = { before: number; orEqualAt: 'all' | 'none' | { idBelow: string } } | null;

/** The bound as a condition on a source's time expression and id column. */
function bounded<E extends ExpressionBuilder<any, any>>(eb: E, at: Expression<number>, id: Expression<string>, b: NonNullable<SourceBound>): Expression<SqlBool> {
  if (b.orEqualAt === 'all') return eb(at, '<=', b.before);
  if (b.orEqualAt === 'none') return eb(at, '<', b.before);
  return eb.or([eb(at, '<', b.before), eb.and([eb(at, '=', b.before), eb(id, '<', b.orEqualAt.idBelow)])]);
}

export interface ContactMessageRow {
  id: string;
  campaign_id: string;
  campaign_name: string;
  channel: string;
  status: string;
  not_sent_reason: string | null;
  failure_reason: string | null;
  bounce_type: string | null;
  registered_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  failed_at: number | null;
  bounced_at: number | null;
  opened_at: number | null;
  clicked_at: number | null;
  replied_at: number | null;
  scanned_at: number | null;
  unsubscribed_at: number | null;
  last_engaged_at: number | null;
  /** When the timeline places it: its send time, or its registration when no send was reported. */
  at: number;
}

const messageAt = sql<number>`coalesce(m.sent_at, m.registered_at)`;

function contactMessages(h: Handle, accountId: string, contactId: string) {
  return h.selectFrom('messages as m')
    .innerJoin('campaigns as c', (j) => j.onRef('c.account_id', '=', 'm.account_id').onRef('c.id', '=', 'm.campaign_id'))
    .where('m.account_id', '=', accountId).where('m.contact_id', '=', contactId);
}

const MESSAGE_COLUMNS = [
  'm.id', 'm.campaign_id', 'c.name as campaign_name', 'c.channel', 'm.status', 'm.not_sent_reason', 'm.failure_reason', 'm.bounce_type',
  'm.registered_at', 'm.sent_at', 'm.delivered_at', 'm.failed_at', 'm.bounced_at', 'm.opened_at', 'm.clicked_at', 'm.replied_at',
  'm.scanned_at', 'm.unsubscribed_at', 'm.last_engaged_at',
] as const;

/** Every message registered under the contact (the lifetime figures read them all). */
export async function listContactMessages(h: Handle, accountId: string, contactId: string): Promise<ContactMessageRow[]> {
  return contactMessages(h, accountId, contactId).select([...MESSAGE_COLUMNS, messageAt.as('at')]).execute() as Promise<ContactMessageRow[]>;
}

/** The contact's messages after `bound`, newest first (by send time, then id descending), at most `limit`. */
export async function pageContactMessages(h: Handle, accountId: string, contactId: string, bound: SourceBound, limit: number): Promise<ContactMessageRow[]> {
  let q = contactMessages(h, accountId, contactId).select([...MESSAGE_COLUMNS, messageAt.as('at')]);
  if (bound) q = q.where((eb) => bounded(eb, messageAt, eb.ref('m.id'), bound));
  return q.orderBy(messageAt, 'desc').orderBy('m.id', 'desc').limit(limit).execute() as Promise<ContactMessageRow[]>;
}

export interface ContactEventRow {
  dedupe_key: string;
  message_id: string;
  campaign_id: string;
  campaign_name: string;
  channel: string;
  type: string;
  at: number;
  url: string | null;
  machine: number;
  flag_reason: string | null;
  data: string | null;
}

/**
 * The contact's events of these types: each of their messages' events through events_message (account, message,
 * type). The messages come as a subquery on messages_touches; a join let SQLite's planner walk the account's whole
 * event log by its primary key instead.
 */
function contactEvents(h: Handle, accountId: string, contactId: string, types: readonly string[]) {
  return h.selectFrom('events as e')
    .innerJoin('campaigns as c', (j) => j.onRef('c.account_id', '=', 'e.account_id').onRef('c.id', '=', 'e.campaign_id'))
    .where('e.account_id', '=', accountId)
    .where('e.message_id', 'in', (eb) => eb.selectFrom('messages').select('id').where('account_id', '=', accountId).where('contact_id', '=', contactId))
    .where('e.type', 'in', [...types]);
}

/** The contact's events of these types after `bound`, newest first (then dedupe key descending), at most `limit`. */
export async function pageContactEvents(h: Handle, accountId: string, contactId: string, types: readonly string[], bound: SourceBound, limit: number): Promise<ContactEventRow[]> {
  let q = contactEvents(h, accountId, contactId, types).select([
    'e.dedupe_key', 'e.message_id', 'e.campaign_id', 'c.name as campaign_name', 'c.channel', 'e.type', 'e.at', 'e.url', 'e.machine', 'e.flag_reason', 'e.data',
  ]);
  if (bound) q = q.where((eb) => bounded(eb, eb.ref('e.at'), eb.ref('e.dedupe_key'), bound));
  return q.orderBy('e.at', 'desc').orderBy('e.dedupe_key', 'desc').limit(limit).execute();
}

/** The type, time and machine flag of the contact's events of these types (engagement: opens, clicks, scans, replies). */
export async function listContactEventTimes(h: Handle, accountId: string, contactId: string, types: readonly string[]): Promise<{ type: string; at: number; machine: number }[]> {
  return contactEvents(h, accountId, contactId, types).select(['e.type', 'e.at', 'e.machine']).execute();
}

export interface ContactOrderRow {
  id: string;
  source: string;
  external_id: string;
  name: string | null;
  ordered_at: number;
  currency: string;
  gross_minor: number;
  revenue_minor: number;
  revenue_currency: string;
  refunded_minor: number;
  cancelled_at: number | null;
  item_quantity: number;
}

const ORDER_COLUMNS = ['id', 'source', 'external_id', 'name', 'ordered_at', 'currency', 'gross_minor', 'revenue_minor', 'revenue_currency', 'refunded_minor', 'cancelled_at', 'item_quantity'] as const;

export async function listContactOrders(h: Handle, accountId: string, contactId: string): Promise<ContactOrderRow[]> {
  return h.selectFrom('orders').select(ORDER_COLUMNS).where('account_id', '=', accountId).where('contact_id', '=', contactId).execute();
}

/** The contact's orders after `bound`, newest first (then id descending), at most `limit`. */
export async function pageContactOrders(h: Handle, accountId: string, contactId: string, bound: SourceBound, limit: number): Promise<ContactOrderRow[]> {
  let q = h.selectFrom('orders').select(ORDER_COLUMNS).where('account_id', '=', accountId).where('contact_id', '=', contactId);
  if (bound) q = q.where((eb) => bounded(eb, eb.ref('ordered_at'), eb.ref('id'), bound));
  return q.orderBy('ordered_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export interface ContactCreditRow {
  order_id: string;
  campaign_id: string;
  campaign_name: string | null;
  message_id: string | null;
  channel: string;
  kind: string;
  weight_micro: number;
  revenue_minor: number;
  currency: string;
  direct: number;
}

/** What each campaign was credited with for these orders under one attribution model. */
export async function listCreditsOfOrders(h: Handle, accountId: string, model: string, orderIds: string[]): Promise<ContactCreditRow[]> {
  const out: ContactCreditRow[] = [];
  for (let i = 0; i < orderIds.length; i += 500) {
    out.push(...(await h.selectFrom('attributions as a')
      .leftJoin('campaigns as c', (j) => j.onRef('c.account_id', '=', 'a.account_id').onRef('c.id', '=', 'a.campaign_id'))
      .select(['a.order_id', 'a.campaign_id', 'c.name as campaign_name', 'a.message_id', 'a.channel', 'a.kind', 'a.weight_micro', 'a.revenue_minor', 'a.currency', 'a.direct'])
      .where('a.account_id', '=', accountId).where('a.order_id', 'in', orderIds.slice(i, i + 500)).where('a.model', '=', model)
      .orderBy('a.order_id').orderBy('a.campaign_id')
      .execute()));
  }
  return out;
}

/** The suppression entries under exactly these (channel, address) pairs (primary-key probes). */
export async function findSuppressionEntries(h: Handle, accountId: string, pairs: { channel: string; address: string }[]) {
  if (pairs.length === 0) return [];
  return h.selectFrom('suppressions').selectAll().where('account_id', '=', accountId)
    .where((eb) => eb.or(pairs.map((p) => eb.and([eb('channel', '=', p.channel), eb('address', '=', p.address)]))))
    .orderBy('channel').orderBy('address').execute();
}
