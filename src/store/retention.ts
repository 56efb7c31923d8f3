// SQL of the retention job: pages of an account's events, waiting events, messages and holdout members read in key
// order (each page a bounded piece of work), the removal of IP addresses and user agents from them, and the drop of
// per-recipient rows older than the account's bound with the rollups of the campaign page left as they were.
import type { Kysely, Transaction } from 'kysely';
import type { DB, MessageRow } from './schema';
import { NEVER_SENT, NOT_SENT_REASON } from './campaigns';

type Handle = Kysely<DB> | Transaction<DB>;

declare module './schema' {
  interface DB {
    rollup_holds: { account_id: string; id: string };
    campaign_not_sent_dropped: { account_id: string; campaign_id: string; reason: string; count: number };
  }
}

// ------------------------------------------------------------------ events
export async function listEventDataPage(h: Handle, accountId: string, afterKey: string, limit: number): Promise<{ dedupe_key: string; at: number; data: string | null }[]> {
  const rows = await h
    .selectFrom('events')
    .select(['dedupe_key', 'at', 'data'])
    .where('account_id', '=', accountId)
    .where('dedupe_key', '>', afterKey)
    .orderBy('dedupe_key')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ dedupe_key: r.dedupe_key, at: Number(r.at), data: r.data }));
}

export async function updateEventData(h: Handle, accountId: string, rows: { dedupe_key: string; data: string | null }[]): Promise<number> {
  let n = 0;
  for (const r of rows) {
    const res = await h.updateTable('events').set({ data: r.data }).where('account_id', '=', accountId).where('dedupe_key', '=', r.dedupe_key).executeTakeFirst();
    n += Number(res.numUpdatedRows);
  }
  return n;
}

// ------------------------------------------------------------------ waiting (orphan) events
export interface OrphanKey { ref_key: string; dedupe_key: string }

export async function listOrphanEventsPage(h: Handle, accountId: string, after: OrphanKey | null, limit: number): Promise<(OrphanKey & { event: string; received_at: number })[]> {
  let q = h.selectFrom('orphan_events').select(['ref_key', 'dedupe_key', 'event', 'received_at']).where('account_id', '=', accountId);
  if (after) {
    q = q.where((eb) => eb.or([eb('ref_key', '>', after.ref_key), eb.and([eb('ref_key', '=', after.ref_key), eb('dedupe_key', '>', after.dedupe_key)])]));
  }
  const rows = await q.orderBy('ref_key').orderBy('dedupe_key').limit(limit).execute();
  return rows.map((r) => ({ ...r, received_at: Number(r.received_at) }));
}

export async function updateOrphanEvents(h: Handle, accountId: string, rows: (OrphanKey & { event: string })[]): Promise<number> {
  let n = 0;
  for (const r of rows) {
    const res = await h.updateTable('orphan_events').set({ event: r.event })
      .where('account_id', '=', accountId).where('ref_key', '=', r.ref_key).where('dedupe_key', '=', r.dedupe_key).executeTakeFirst();
    n += Number(res.numUpdatedRows);
  }
  return n;
}

export async function deleteOrphanEvents(h: Handle, accountId: string, keys: OrphanKey[]): Promise<number> {
  let n = 0;
  for (const k of keys) {
    const res = await h.deleteFrom('orphan_events').where('account_id', '=', accountId).where('ref_key', '=', k.ref_key).where('dedupe_key', '=', k.dedupe_key).executeTakeFirst();
    n += Number(res.numDeletedRows);
  }
  return n;
}

// ------------------------------------------------------------------ messages
export async function listMessageAgesPage(h: Handle, accountId: string, afterId: string, limit: number): Promise<Pick<MessageRow, 'id' | 'registered_at'>[]> {
  const rows = await h
    .selectFrom('messages')
    .select(['id', 'registered_at'])
    .where('account_id', '=', accountId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, registered_at: Number(r.registered_at) }));
}

/** Of these messages, those with a budget reservation still open (the sweep settles it against the message). */
export async function listReservedMessageIds(h: Handle, accountId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await h.selectFrom('reservations').select('message_id').where('account_id', '=', accountId).where('message_id', 'in', ids).execute();
  return new Set(rows.map((r) => r.message_id));
}

/**
 * Drops messages and their events, in the caller's transaction. Their "not sent" reasons are added to
 * campaign_not_sent_dropped first, and a hold keeps the rollup triggers from taking their clicks and flagged events
 * out of "Clicks per link" and "Flagged opens and clicks". `holdId` is unique to this call.
 */
export async function dropMessages(trx: Transaction<DB>, accountId: string, ids: string[], holdId: string): Promise<{ messages: number; events: number }> {
  if (ids.length === 0) return { messages: 0, events: 0 };
  const notSent = await trx
    .selectFrom('messages')
    .select(['campaign_id', NOT_SENT_REASON.as('reason'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('account_id', '=', accountId)
    .where('id', 'in', ids)
    .where('status', 'in', [...NEVER_SENT])
    .groupBy(['campaign_id', NOT_SENT_REASON])
    .execute();
  for (const r of notSent) {
    await trx
      .insertInto('campaign_not_sent_dropped')
      .values({ account_id: accountId, campaign_id: r.campaign_id, reason: r.reason, count: Number(r.count) })
      .onConflict((oc) => oc.columns(['account_id', 'campaign_id', 'reason']).doUpdateSet((eb) => ({ count: eb('campaign_not_sent_dropped.count', '+', eb.ref('excluded.count')) })))
      .execute();
  }
  await trx.insertInto('rollup_holds').values({ account_id: accountId, id: holdId }).execute();
  const events = await trx.deleteFrom('events').where('account_id', '=', accountId).where('message_id', 'in', ids).executeTakeFirst();
  // Their replies' and complaints' texts go with them (the feedback list: personal data, per recipient).
  await trx.deleteFrom('feedback').where('account_id', '=', accountId).where('message_id', 'in', ids).execute();
  await trx.deleteFrom('rollup_holds').where('account_id', '=', accountId).where('id', '=', holdId).execute();
  const messages = await trx.deleteFrom('messages').where('account_id', '=', accountId).where('id', 'in', ids).executeTakeFirst();
  return { messages: Number(messages.numDeletedRows), events: Number(events.numDeletedRows) };
}

// ------------------------------------------------------------------ holdout members
export interface HoldoutKey { campaign_id: string; contact_id: string }

export async function listHoldoutAgesPage(h: Handle, accountId: string, after: HoldoutKey | null, limit: number): Promise<(HoldoutKey & { assigned_at: number })[]> {
  let q = h.selectFrom('holdout_members').select(['campaign_id', 'contact_id', 'assigned_at']).where('account_id', '=', accountId);
  if (after) {
    q = q.where((eb) => eb.or([eb('campaign_id', '>', after.campaign_id), eb.and([eb('campaign_id', '=', after.campaign_id), eb('contact_id', '>', after.contact_id)])]));
  }
  const rows = await q.orderBy('campaign_id').orderBy('contact_id').limit(limit).execute();
  return rows.map((r) => ({ campaign_id: r.campaign_id, contact_id: r.contact_id, assigned_at: Number(r.assigned_at) }));
}

export async function deleteHoldoutMembers(h: Handle, accountId: string, keys: HoldoutKey[]): Promise<number> {
  let n = 0;
  for (const k of keys) {
    const res = await h.deleteFrom('holdout_members').where('account_id', '=', accountId).where('campaign_id', '=', k.campaign_id).where('contact_id', '=', k.contact_id).executeTakeFirst();
    n += Number(res.numDeletedRows);
  }
  return n;
}

// ------------------------------------------------------------------ ingestion dead letters
export async function listDeadLettersPage(h: Handle, accountId: string, afterId: string, limit: number): Promise<{ id: string; payload: string; received_at: number }[]> {
  const rows = await h
    .selectFrom('ingest_dead_letters')
    .select(['id', 'payload', 'received_at'])
    .where('account_id', '=', accountId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, payload: r.payload, received_at: Number(r.received_at) }));
}

export async function updateDeadLetterPayloads(h: Handle, accountId: string, rows: { id: string; payload: string }[]): Promise<number> {
  let n = 0;
  for (const r of rows) {
    const res = await h.updateTable('ingest_dead_letters').set({ payload: r.payload }).where('account_id', '=', accountId).where('id', '=', r.id).executeTakeFirst();
    n += Number(res.numUpdatedRows);
  }
  return n;
}
