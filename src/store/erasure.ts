// SQL for erasing and exporting one person (issue #17): finding every row that names them (contacts, messages,
// events, holdout members, orders, suppressions, waiting events, dead letters), replacing their identifiers by an
// anonymous key or removing them, and each account's erasure pepper (sealed, see src/services/erasure.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, ContactRow, EventRow, MessageRow, SuppressionRow } from './schema';
import type { AttributionRow, OrderRow } from './orders';
import type { DeadLetterRow } from './inbox';

type Handle = Kysely<DB> | Transaction<DB>;

declare module './schema' {
  interface DB {
    erasure_peppers: ErasurePepperRow;
  }
}

export interface ErasurePepperRow {
  account_id: string;
  /** Sealed with the secret key (v1:…), like the other secrets Mesure reads back. */
  pepper: string;
  created_at: number;
}

/** Chunks of an IN list: 500 values, well under both engines' limits on bound parameters. */
function chunks<T>(values: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

export async function getErasurePepper(h: Handle, accountId: string): Promise<string | undefined> {
  const r = await h.selectFrom('erasure_peppers').select('pepper').where('account_id', '=', accountId).executeTakeFirst();
  return r?.pepper;
}

/** Stores the account's pepper unless one is there (another process made it first); the caller reads it back. */
export async function insertErasurePepper(h: Handle, row: ErasurePepperRow): Promise<void> {
  await h.insertInto('erasure_peppers').values(row).onConflict((oc) => oc.column('account_id').doNothing()).execute();
}

export async function getContact(h: Handle, accountId: string, id: string): Promise<ContactRow | undefined> {
  return h.selectFrom('contacts').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** Contacts with exactly one of these keys (indexed), or every contact (null), in id order after `after`. */
export async function searchContacts(
  h: Handle,
  accountId: string,
  keys: { column: 'email' | 'phone' | 'external_id' | 'address_key'; value: string }[] | null,
  after: string | undefined,
  limit: number,
): Promise<ContactRow[]> {
  if (keys?.length === 0) return [];
  let q = h.selectFrom('contacts').selectAll().where('account_id', '=', accountId);
  if (keys) q = q.where((eb) => eb.or(keys.map((k) => eb(k.column, '=', k.value))));
  if (after) q = q.where('id', '>', after);
  return q.orderBy('id').limit(limit).execute();
}

export async function listCampaignChannels(h: Handle, accountId: string): Promise<Map<string, string>> {
  const rows = await h.selectFrom('campaigns').select(['id', 'channel']).where('account_id', '=', accountId).execute();
  return new Map(rows.map((r) => [r.id, r.channel]));
}

/** The messages of these contacts, and those sent to these recipient strings in any of `campaignIds` (indexed). */
export async function findPersonMessages(h: Handle, accountId: string, contactIds: string[], recipients: string[], campaignIds: string[]): Promise<MessageRow[]> {
  const out = new Map<string, MessageRow>();
  for (const ids of chunks(contactIds)) {
    for (const m of await h.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('contact_id', 'in', ids).execute()) out.set(m.id, m);
  }
  if (recipients.length) {
    for (const cs of chunks(campaignIds)) {
      for (const rs of chunks(recipients, 100)) {
        const rows = await h.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('campaign_id', 'in', cs).where('recipient', 'in', rs).execute();
        for (const m of rows) out.set(m.id, m);
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export async function findEventsOfMessages(h: Handle, accountId: string, messageIds: string[]): Promise<EventRow[]> {
  const out: EventRow[] = [];
  for (const ids of chunks(messageIds)) {
    out.push(...(await h.selectFrom('events').selectAll().where('account_id', '=', accountId).where('message_id', 'in', ids).orderBy('at').orderBy('dedupe_key').execute()));
  }
  return out;
}

/** A message's recipient becomes its anonymous key; the provider's failure text (which often quotes the address) goes. */
export async function anonymizeMessage(h: Handle, accountId: string, id: string, recipient: string): Promise<void> {
  await h.updateTable('messages').set({ recipient, failure_message: null }).where('account_id', '=', accountId).where('id', '=', id).execute();
}

/** Only `data` changes: the click rollups' triggers see no counted column change (SQLite) or take out and put back the same row (PostgreSQL). */
export async function setEventData(h: Handle, accountId: string, dedupeKey: string, data: string | null): Promise<void> {
  await h.updateTable('events').set({ data }).where('account_id', '=', accountId).where('dedupe_key', '=', dedupeKey).execute();
}

export async function anonymizeHoldoutMembers(h: Handle, accountId: string, contactIds: string[], toKey: (recipient: string) => string): Promise<number> {
  let n = 0;
  for (const ids of chunks(contactIds)) {
    const rows = await h.selectFrom('holdout_members').select(['campaign_id', 'contact_id', 'recipient']).where('account_id', '=', accountId).where('contact_id', 'in', ids).execute();
    for (const r of rows) {
      if (r.recipient.startsWith('erased:')) continue;
      await h.updateTable('holdout_members').set({ recipient: toKey(r.recipient) })
        .where('account_id', '=', accountId).where('campaign_id', '=', r.campaign_id).where('contact_id', '=', r.contact_id).execute();
      n++;
    }
  }
  return n;
}

/** Orders of these contacts, or whose customer fields carry one of these identifiers (indexed). */
export async function findPersonOrders(
  h: Handle,
  accountId: string,
  keys: { contactIds: string[]; emails: string[]; phones: string[]; externalIds: string[] },
): Promise<OrderRow[]> {
  const out = new Map<string, OrderRow>();
  const by = async (col: 'contact_id' | 'phone' | 'customer_external_id', values: string[]) => {
    for (const vs of chunks([...new Set(values)])) {
      for (const o of await h.selectFrom('orders').selectAll().where('account_id', '=', accountId).where(col, 'in', vs).execute()) out.set(o.id, o);
    }
  };
  await by('contact_id', keys.contactIds);
  for (const vs of chunks([...new Set(keys.emails.map((e) => e.toLowerCase()))])) {
    const rows = await h.selectFrom('orders').selectAll().where('account_id', '=', accountId).where(sql<string>`lower(email)`, 'in', vs).execute();
    for (const o of rows) out.set(o.id, o);
  }
  await by('phone', keys.phones);
  await by('customer_external_id', keys.externalIds);
  return [...out.values()].sort((a, b) => Number(a.ordered_at) - Number(b.ordered_at) || (a.id < b.id ? -1 : 1));
}

export async function findAttributionsOfOrders(h: Handle, accountId: string, orderIds: string[]): Promise<AttributionRow[]> {
  const out: AttributionRow[] = [];
  for (const ids of chunks(orderIds)) {
    out.push(...(await h.selectFrom('attributions').selectAll().where('account_id', '=', accountId).where('order_id', 'in', ids).orderBy('order_id').orderBy('model').orderBy('campaign_id').execute()));
  }
  return out;
}

/**
 * The customer fields go; the order's money, items, times, campaign signals (click id, UTM, discount codes) and its
 * contact id (an opaque key that re-crediting reads) stay, so its credit is the same if it is ever computed again.
 * `matched_by = 'erased'` marks it: a later version of the order (a Shopify update, a refund) keeps that contact id and
 * stores no customer field again (src/services/orders.ts).
 */
export async function anonymizeOrders(h: Handle, accountId: string, ids: string[]): Promise<void> {
  for (const os of chunks(ids)) {
    await h.updateTable('orders')
      .set({ email: null, phone: null, customer_external_id: null, billing_address: null, shipping_address: null, note_attributes: '{}', declared_source: null, declared_target: null, matched_by: 'erased' })
      .where('account_id', '=', accountId).where('id', 'in', os).execute();
  }
}

export async function findSuppressionsOf(h: Handle, accountId: string, addresses: string[]): Promise<SuppressionRow[]> {
  const out: SuppressionRow[] = [];
  for (const as of chunks([...new Set(addresses)])) {
    out.push(...(await h.selectFrom('suppressions').selectAll().where('account_id', '=', accountId).where('address', 'in', as).orderBy('channel').orderBy('address').execute()));
  }
  return out;
}

export async function deleteSuppressionsOf(h: Handle, accountId: string, addresses: string[]): Promise<number> {
  let n = 0;
  for (const as of chunks([...new Set(addresses)])) {
    n += Number((await h.deleteFrom('suppressions').where('account_id', '=', accountId).where('address', 'in', as).executeTakeFirst()).numDeletedRows);
  }
  return n;
}

/** A LIKE pattern matching `s` anywhere, any case (compared with lower(column)), wildcards escaped (e-mail addresses often hold "_"). */
const containing = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Events still waiting for their message whose reference or content names one of `needles`: they would otherwise
 * name the person when their message is registered, or sit in the table.
 */
export async function deleteOrphanEventsNaming(h: Handle, accountId: string, needles: string[]): Promise<number> {
  let n = 0;
  for (const s of needles) {
    const r = await h.deleteFrom('orphan_events').where('account_id', '=', accountId)
      .where((eb) => eb.or([sql<boolean>`lower(${eb.ref('ref_key')}) LIKE ${containing(s)} ESCAPE '\\'`, sql<boolean>`lower(${eb.ref('event')}) LIKE ${containing(s)} ESCAPE '\\'`]))
      .executeTakeFirst();
    n += Number(r.numDeletedRows);
  }
  return n;
}

/** Dead letters (unapplied webhook deliveries, visits and events, kept as received) whose payload names the person. */
export async function findDeadLettersNaming(h: Handle, accountId: string, needles: string[]): Promise<DeadLetterRow[]> {
  const out = new Map<string, DeadLetterRow>();
  for (const s of needles) {
    const rows = await h.selectFrom('ingest_dead_letters').selectAll().where('account_id', '=', accountId)
      .where((eb) => sql<boolean>`lower(${eb.ref('payload')}) LIKE ${containing(s)} ESCAPE '\\'`).execute();
    for (const r of rows) out.set(r.id, r);
  }
  return [...out.values()];
}

export async function deleteDeadLetters(h: Handle, accountId: string, ids: string[]): Promise<void> {
  for (const is of chunks(ids)) await h.deleteFrom('ingest_dead_letters').where('account_id', '=', accountId).where('id', 'in', is).execute();
}

export async function deleteContacts(h: Handle, accountId: string, ids: string[]): Promise<void> {
  for (const is of chunks(ids)) await h.deleteFrom('contacts').where('account_id', '=', accountId).where('id', 'in', is).execute();
}
