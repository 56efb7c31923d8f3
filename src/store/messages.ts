// SQL for messages, the event log, orphan events and daily campaign counts. On SQLite the bulk paths use
// prepared statements on the raw handle (inside the caller's transaction: one connection), because building a
// Kysely query per row would cost more than the insert itself; on PostgreSQL they send a batch of rows as one JSON
// parameter (bulk.ts), and the rest goes through Kysely.
import { sql, type Kysely, type Transaction } from 'kysely';
import type Database from 'better-sqlite3';
import type { Db } from './db';
import type { CampaignDayRow, DB, EventRow, MessageRow, OrphanEventRow } from './schema';
import { COUNT_FIELDS, VARIANT_FIELDS, type MessageCounts, type VariantCounts } from '../domain/message';
import { insertRowsPg, updateRowsPg } from './bulk';

type Handle = Kysely<DB> | Transaction<DB>;
const CHUNK = 900;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Messages by id. Given `db` on SQLite, one prepared point lookup per id on the raw handle (inside the caller's
 * transaction): for batches of thousands this costs a fraction of compiling IN lists of 900 through Kysely.
 */
/**
 * `forUpdate` (PostgreSQL): the rows are locked until the transaction ends, in id order, for a caller that writes
 * them back from what it read. Clicks commit in a transaction of their own beside the events' (services/tracking.ts):
 * without the lock, two transactions could read one message, each apply its events and write, and the last would
 * lose the other's change (and the daily counts its delta). SQLite has one writer at a time: nothing to lock.
 */
export async function findMessagesByIds(h: Handle, accountId: string, ids: string[], db?: Db, forUpdate = false): Promise<MessageRow[]> {
  const out: MessageRow[] = [];
  if (db?.sqlite) {
    const st = stmts(db.sqlite).getMessage;
    const toRow = rowBuilder(st);
    for (const id of new Set(ids)) {
      const values = st.get(accountId, id) as unknown[] | undefined;
      if (values) out.push(toRow(values) as unknown as MessageRow);
    }
    return out;
  }
  if (forUpdate) {
    for (const part of chunks([...new Set(ids)].sort())) {
      out.push(...(await h.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('id', 'in', part).orderBy('id').forUpdate().execute()));
    }
    return out;
  }
  for (const part of chunks([...new Set(ids)])) {
    out.push(...(await h.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('id', 'in', part).execute()));
  }
  return out;
}

/**
 * The campaign of each message that exists, by id (SQLite, inside the caller's transaction): what storing an event
 * needs when applying it to the message comes later (the ingestion inbox), a fraction of reading whole rows.
 */
export function findMessageCampaigns(db: Db, accountId: string, ids: string[]): Map<string, string> {
  const st = stmts(db.sqlite!).getMessageCampaign;
  const out = new Map<string, string>();
  for (const id of ids) {
    if (out.has(id)) continue;
    const campaignId = st.get(accountId, id) as string | undefined;
    if (campaignId !== undefined) out.set(id, campaignId);
  }
  return out;
}

export async function findMessagesByProviderIds(
  h: Handle,
  accountId: string,
  provider: string,
  providerMessageIds: string[],
  forUpdate = false,
): Promise<MessageRow[]> {
  const out: MessageRow[] = [];
  for (const part of chunks([...new Set(providerMessageIds)])) {
    const q = h
      .selectFrom('messages')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('provider', '=', provider)
      .where('provider_message_id', 'in', part);
    // Locked in id order, as findMessagesByIds locks.
    out.push(...(await (forUpdate ? q.orderBy('id').forUpdate() : q).execute()));
  }
  return out;
}

/** A campaign's messages to these recipients. Given `db` on SQLite, one prepared point lookup per recipient. */
export async function findMessagesByRecipients(
  h: Handle,
  accountId: string,
  campaignId: string,
  recipients: string[],
  db?: Db,
  forUpdate = false,
): Promise<MessageRow[]> {
  const out: MessageRow[] = [];
  if (db?.sqlite) {
    const st = stmts(db.sqlite).getMessageByRecipient;
    const toRow = rowBuilder(st);
    for (const r of new Set(recipients)) {
      const values = st.get(accountId, campaignId, r) as unknown[] | undefined;
      if (values) out.push(toRow(values) as unknown as MessageRow);
    }
    return out;
  }
  for (const part of chunks([...new Set(recipients)])) {
    const q = h
      .selectFrom('messages')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('campaign_id', '=', campaignId)
      .where('recipient', 'in', part);
    out.push(...(await (forUpdate ? q.orderBy('id').forUpdate() : q).execute()));
  }
  return out;
}

/**
 * Turns a raw row (values in column order) into an object, with one object literal compiled per statement from
 * its column names (quoted by JSON.stringify). better-sqlite3 builds row objects key by key, which leaves 40-key
 * objects in V8's slow dictionary mode: building and then copying them (applyEvent) cost more than the lookup.
 */
const rowBuilders = new WeakMap<Database.Statement, (values: unknown[]) => Record<string, unknown>>();
function rowBuilder(st: Database.Statement): (values: unknown[]) => Record<string, unknown> {
  let build = rowBuilders.get(st);
  if (!build) {
    const fields = st.columns().map((c, i) => `${JSON.stringify(c.name)}: v[${i}]`);
    build = new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => Record<string, unknown>;
    rowBuilders.set(st, build);
  }
  return build;
}

const EVENT_COLUMNS = [
  'account_id', 'dedupe_key', 'message_id', 'campaign_id', 'type', 'at', 'received_at', 'url', 'machine', 'flag_reason', 'data',
] as const;

const sqliteStatements = new WeakMap<Database.Database, Record<string, Database.Statement>>();
function stmts(sqlite: Database.Database): Record<string, Database.Statement> {
  let s = sqliteStatements.get(sqlite);
  if (!s) {
    s = {
      getMessage: sqlite.prepare('SELECT * FROM messages WHERE account_id = ? AND id = ?').raw(),
      // `+account_id`: a filter only, so that SQLite walks the rowid range rather than the account's whole index.
      eventsByRowid: sqlite.prepare(`SELECT rowid AS rowid, ${EVENT_COLUMNS.join(',')} FROM events WHERE +account_id = ? AND rowid BETWEEN ? AND ? ORDER BY rowid`),
      getMessageCampaign: sqlite.prepare('SELECT campaign_id FROM messages WHERE account_id = ? AND id = ?').pluck(),
      getMessageByRecipient: sqlite.prepare('SELECT * FROM messages WHERE account_id = ? AND campaign_id = ? AND recipient = ?').raw(),
      getOrphans: sqlite.prepare('SELECT * FROM orphan_events WHERE account_id = ? AND ref_key = ?'),
      deleteOrphans: sqlite.prepare('DELETE FROM orphan_events WHERE account_id = ? AND ref_key = ?'),
      insertEvent: sqlite.prepare(
        `INSERT OR IGNORE INTO events (${EVENT_COLUMNS.join(',')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(',')})`,
      ),
      updateMessage: sqlite.prepare(
        `UPDATE messages SET ${MESSAGE_MUTABLE.map((c) => `${c} = ?`).join(', ')} WHERE account_id = ? AND id = ?`,
      ),
      addVariant: sqlite.prepare(
        `INSERT INTO campaign_variant_counts (account_id, campaign_id, variant, first_message, ${VARIANT_FIELDS.join(',')})
         VALUES (?, ?, ?, ?, ${VARIANT_FIELDS.map(() => '?').join(',')})
         ON CONFLICT (account_id, campaign_id, variant) DO UPDATE SET first_message = min(first_message, excluded.first_message),
         ${VARIANT_FIELDS.map((f) => `${f} = ${f} + excluded.${f}`).join(', ')}`,
      ),
      addDay: sqlite.prepare(
        `INSERT INTO campaign_days (account_id, campaign_id, day, ${COUNT_FIELDS.join(',')})
         VALUES (?, ?, ?, ${COUNT_FIELDS.map(() => '?').join(',')})
         ON CONFLICT (account_id, campaign_id, day) DO UPDATE SET
         ${COUNT_FIELDS.map((f) => `${f} = ${f} + excluded.${f}`).join(', ')}`,
      ),
    };
    sqliteStatements.set(sqlite, s);
  }
  return s;
}

/**
 * Inserts events, skipping those already stored (same dedupe key); returns the dedupe keys inserted. On SQLite,
 * `where` receives the index in `rows` and the rowid of each row inserted.
 */
export async function insertEvents(db: Db, h: Handle, rows: EventRow[], where?: { index: number[]; rowid: number[] }): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (rows.length === 0) return inserted;
  if (db.sqlite) {
    const st = stmts(db.sqlite).insertEvent;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const res = st.run(r.account_id, r.dedupe_key, r.message_id, r.campaign_id, r.type, r.at, r.received_at, r.url, r.machine, r.flag_reason, r.data);
      if (res.changes === 1) {
        inserted.add(r.dedupe_key);
        if (where) {
          where.index.push(i);
          where.rowid.push(Number(res.lastInsertRowid));
        }
      }
    }
    return inserted;
  }
  if (where) throw new Error('event rowids exist on SQLite only');
  const keys = await insertRowsPg(h, 'events', rows, { onConflictDoNothing: ['account_id', 'dedupe_key'], returning: 'dedupe_key' });
  for (const k of keys) inserted.add(k as string);
  return inserted;
}

/**
 * An event's log row as values, less the account, campaign and reception time its batch shares:
 * [index in the batch, dedupe key, message id, type, at, url, machine, flag reason, data, duplicate in the batch (1/0)].
 */
export type EventValues = [number, string, string, string, number, string | null, number, string | null, string | null, number];

/**
 * Inserts a batch given as values (SQLite), skipping duplicates in the batch and those already stored; pushes the rowid
 * of each row inserted. What `insertEvents` does, without building a row object per event. `campaigns[i]` is the
 * campaign of `values[i]`'s message.
 */
export function insertEventValues(db: Db, accountId: string, receivedAt: number, values: EventValues[], campaigns: string[], rowids: number[]): void {
  const st = stmts(db.sqlite!).insertEvent;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v[9] === 1) continue;
    const res = st.run(accountId, v[1], v[2], campaigns[i], v[3], v[4], receivedAt, v[5], v[6], v[7], v[8]);
    if (res.changes === 1) rowids.push(Number(res.lastInsertRowid));
  }
}

/** Events of an account by rowid ranges (inclusive), with their rowid: what the ingestion inbox points at (SQLite). */
export function findEventsByRowids(db: Db, accountId: string, ranges: [number, number][]): (EventRow & { rowid: number })[] {
  const st = stmts(db.sqlite!).eventsByRowid;
  const out: (EventRow & { rowid: number })[] = [];
  for (const [from, to] of ranges) out.push(...(st.all(accountId, from, to) as (EventRow & { rowid: number })[]));
  return out;
}

/** The columns an event may change on a message. */
export const MESSAGE_MUTABLE = [
  'status', 'not_sent_reason', 'failure_reason', 'failure_code', 'failure_message', 'bounce_type', 'cohort_day',
  'queued_at', 'sent_at', 'delivered_at', 'failed_at', 'bounced_at', 'opened_at', 'clicked_at', 'replied_at', 'lead_at',
  'unsubscribed_at', 'complained_at', 'scanned_at', 'last_engaged_at', 'opens', 'machine_opens', 'clicks', 'bot_clicks',
  'scans', 'replies', 'cost_minor', 'cost_state', 'pricing_category', 'segments', 'provider', 'provider_message_id',
] as const satisfies readonly (keyof MessageRow)[];

/**
 * Writes messages' mutable columns. Given `before[i]`, the row as read in this transaction, only the columns
 * that differ are written (a row with none is skipped): SQLite rewrites an index entry whenever one of its
 * columns is SET, even to the same value, so writing all 32 columns would touch every index of messages.
 */
export async function updateMessages(db: Db, h: Handle, rows: MessageRow[], before?: (MessageRow | undefined)[], locked = false): Promise<void> {
  const changedColumns = (r: MessageRow, i: number): readonly MutableColumn[] => {
    const b = before?.[i];
    return b && b !== r ? MESSAGE_MUTABLE.filter((c) => b[c] !== r[c]) : MESSAGE_MUTABLE;
  };
  if (db.sqlite) {
    const sqlite = db.sqlite;
    rows.forEach((r, i) => {
      const columns = changedColumns(r, i);
      if (columns.length === 0) return;
      const st = columns === MESSAGE_MUTABLE ? stmts(sqlite).updateMessage : updateStatement(sqlite, columns);
      const values: unknown[] = columns.map((c) => r[c]);
      values.push(r.account_id, r.id);
      st.run(values);
    });
    return;
  }
  // PostgreSQL, rows the caller locked (read FOR UPDATE in this transaction): one statement per 2,000 rows, setting
  // every column some row changed (the others keep the value they had: nobody else can have changed it meanwhile). A
  // batch of events moving messages in several ways (sent, delivered, opened, clicked) was four statements, four round
  // trips. Unlocked rows: only the columns each changed, so a column another transaction changed meanwhile is not put
  // back.
  if (locked && before) {
    const union = new Set<MutableColumn>();
    const changed: MessageRow[] = [];
    rows.forEach((r, i) => {
      const columns = changedColumns(r, i);
      if (columns.length === 0) return;
      for (const c of columns) union.add(c);
      changed.push(r);
    });
    if (changed.length) await updateRowsPg(h, 'messages', ['account_id', 'id'], MESSAGE_MUTABLE.filter((c) => union.has(c)), changed);
    return;
  }
  // PostgreSQL: one statement per set of changed columns (a few dozen kinds of state change) and per 2,000 rows.
  const groups = new Map<string, { columns: readonly MutableColumn[]; rows: MessageRow[] }>();
  rows.forEach((r, i) => {
    const columns = changedColumns(r, i);
    if (columns.length === 0) return;
    const key = columns.join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { columns, rows: [] }));
    g.rows.push(r);
  });
  for (const g of groups.values()) await updateRowsPg(h, 'messages', ['account_id', 'id'], g.columns, g.rows);
}

type MutableColumn = (typeof MESSAGE_MUTABLE)[number];
/** UPDATE statements by set of columns (a few dozen combinations occur: one per kind of state change). */
const partialUpdates = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function updateStatement(sqlite: Database.Database, columns: readonly MutableColumn[]): Database.Statement {
  let cache = partialUpdates.get(sqlite);
  if (!cache) partialUpdates.set(sqlite, (cache = new Map()));
  const key = columns.join(',');
  let st = cache.get(key);
  if (!st) {
    if (cache.size >= 1000) cache.clear();
    st = sqlite.prepare(`UPDATE messages SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE account_id = ? AND id = ?`);
    cache.set(key, st);
  }
  return st;
}

export interface DayDelta {
  accountId: string;
  campaignId: string;
  day: string;
  counts: MessageCounts;
}

export async function addCampaignDays(db: Db, h: Handle, deltas: DayDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  if (db.sqlite) {
    const st = stmts(db.sqlite).addDay;
    for (const d of deltas) st.run(d.accountId, d.campaignId, d.day, ...COUNT_FIELDS.map((f) => d.counts[f]));
    return;
  }
  for (const part of chunks(deltas, 200)) {
    await h
      .insertInto('campaign_days')
      .values(part.map((d) => ({ account_id: d.accountId, campaign_id: d.campaignId, day: d.day, ...d.counts }) as CampaignDayRow))
      .onConflict((oc) =>
        oc.columns(['account_id', 'campaign_id', 'day']).doUpdateSet((eb) =>
          Object.fromEntries(
            COUNT_FIELDS.map((f) => [f, eb(eb.ref(`campaign_days.${f}`), '+', eb.ref(`excluded.${f}`))]),
          ),
        ),
      )
      .execute();
  }
}

export interface VariantDelta {
  accountId: string;
  campaignId: string;
  variant: string;
  /** A message of the delta (the variant's first message is the least of them). */
  messageId: string;
  counts: VariantCounts;
}

/** Adds deltas to campaign_variant_counts (messages with a variant only), in the caller's transaction, as addCampaignDays. */
export async function addCampaignVariantCounts(db: Db, h: Handle, deltas: VariantDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  if (db.sqlite) {
    const st = stmts(db.sqlite).addVariant;
    for (const d of deltas) st.run(d.accountId, d.campaignId, d.variant, d.messageId, ...VARIANT_FIELDS.map((f) => d.counts[f]));
    return;
  }
  // In key order, so that two transactions take the rows' locks in the same order.
  const sorted = [...deltas].sort((a, b) => (a.campaignId + '\u0000' + a.variant < b.campaignId + '\u0000' + b.variant ? -1 : 1));
  for (const part of chunks(sorted, 200)) {
    await h
      .insertInto('campaign_variant_counts')
      .values(part.map((d) => ({ account_id: d.accountId, campaign_id: d.campaignId, variant: d.variant, first_message: d.messageId, ...d.counts })))
      .onConflict((oc) =>
        oc.columns(['account_id', 'campaign_id', 'variant']).doUpdateSet((eb) => ({
          first_message: sql<string>`least(campaign_variant_counts.first_message, excluded.first_message)`,
          ...Object.fromEntries(VARIANT_FIELDS.map((f) => [f, eb(eb.ref(`campaign_variant_counts.${f}`), '+', eb.ref(`excluded.${f}`))])),
        })),
      )
      .execute();
  }
}

/** Inserts new messages. Given `db`: on SQLite one prepared INSERT per row (rows of one shape share it), on PostgreSQL 2,000 rows a statement. */
export async function insertMessages(h: Handle, rows: MessageRow[], db?: Db): Promise<void> {
  if (db?.sqlite) {
    insertRowsSqlite(db.sqlite, 'messages', rows as unknown as Record<string, unknown>[]);
    return;
  }
  if (db?.kind === 'postgres') {
    await insertRowsPg(h, 'messages', rows);
    return;
  }
  // No database given (either engine): through Kysely.
  for (const part of chunks(rows, 200)) await h.insertInto('messages').values(part).execute();
}

/**
 * Inserts rows into `table` with prepared statements on the raw SQLite handle (inside the caller's transaction),
 * one statement per set of defined columns, as Kysely would insert them (undefined values are left out so the
 * column takes its default). Shared by the store's bulk inserts of rows built in code (messages, contacts).
 */
export function insertRowsSqlite(sqlite: Database.Database, table: string, rows: Record<string, unknown>[]): void {
  let cache = insertStatements.get(sqlite);
  if (!cache) insertStatements.set(sqlite, (cache = new Map()));
  let last: { st: Database.Statement; columns: string[] } | undefined;
  for (const row of rows) {
    // Rows of the previous row's shape (the usual case) reuse its statement without building a key string.
    const same = last && valuesInOrder(row, last.columns);
    if (same) {
      last!.st.run(same);
      continue;
    }
    const columns = Object.keys(row).filter((c) => row[c] !== undefined);
    const key = `${table}(${columns.join(',')})`;
    last = cache.get(key);
    if (!last) {
      if (cache.size >= 200) cache.clear();
      const sql = `INSERT INTO ${table} (${columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')}) VALUES (${columns.map(() => '?').join(',')})`;
      last = { st: sqlite.prepare(sql), columns };
      cache.set(key, last);
    }
    const values = new Array(columns.length);
    for (let i = 0; i < values.length; i++) values[i] = row[columns[i]];
    last.st.run(values);
  }
}

/** The row's defined values when its defined columns are exactly `columns`, in that order; else null. */
function valuesInOrder(row: Record<string, unknown>, columns: string[]): unknown[] | null {
  const keys = Object.keys(row);
  const values = new Array(columns.length);
  let j = 0;
  for (let i = 0; i < keys.length; i++) {
    const v = row[keys[i]];
    if (v === undefined) continue;
    if (j === columns.length || keys[i] !== columns[j]) return null;
    values[j++] = v;
  }
  return j === columns.length ? values : null;
}
const insertStatements = new WeakMap<Database.Database, Map<string, { st: Database.Statement; columns: string[] }>>();

export async function insertOrphanEvents(h: Handle, rows: OrphanEventRow[]): Promise<number> {
  let n = 0;
  for (const part of chunks(rows, 500)) {
    const res = await h
      .insertInto('orphan_events')
      .values(part)
      .onConflict((oc) => oc.columns(['account_id', 'ref_key', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    n += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}

/**
 * Removes and returns the orphan events waiting for any of these message references. Given `db` on SQLite, one
 * prepared point lookup per reference (registration asks for every new message, and almost none has any).
 */
export async function takeOrphanEvents(h: Handle, accountId: string, refKeys: string[], db?: Db): Promise<OrphanEventRow[]> {
  const out: OrphanEventRow[] = [];
  if (db?.sqlite) {
    const s = stmts(db.sqlite);
    for (const key of new Set(refKeys)) {
      const rows = s.getOrphans.all(accountId, key) as OrphanEventRow[];
      if (rows.length) {
        s.deleteOrphans.run(accountId, key);
        out.push(...rows);
      }
    }
    return out;
  }
  for (const part of chunks([...new Set(refKeys)])) {
    const rows = await h.selectFrom('orphan_events').selectAll().where('account_id', '=', accountId).where('ref_key', 'in', part).execute();
    if (rows.length) {
      await h.deleteFrom('orphan_events').where('account_id', '=', accountId).where('ref_key', 'in', part).execute();
      out.push(...rows);
    }
  }
  return out;
}

/** Per campaign, the earliest day with a sent message (its campaign_days), for the campaigns that have one. */
export async function findEarliestSentDays(h: Handle, accountId: string, campaignIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(campaignIds)])) {
    const rows = await h
      .selectFrom('campaign_days')
      .select(['campaign_id', (eb) => eb.fn.min('day').as('day')])
      .where('account_id', '=', accountId)
      .where('campaign_id', 'in', part)
      .where('sent', '>', 0)
      .groupBy('campaign_id')
      .execute();
    for (const r of rows) if (r.day !== null) out.set(r.campaign_id, String(r.day));
  }
  return out;
}

/** Whether a campaign counts never-sent messages (audience above sent) on a day other than `day` (campaign_days). */
export async function hasNeverSentOffDay(h: Handle, accountId: string, campaignId: string, day: string): Promise<boolean> {
  const row = await h
    .selectFrom('campaign_days')
    .select('day')
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('day', '!=', day)
    .whereRef('audience', '>', 'sent')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A campaign's messages never sent (pending, queued, not sent), but those already counted on `exceptDay`. */
export async function listNeverSentMessages(h: Handle, accountId: string, campaignId: string, exceptDay: string | null): Promise<MessageRow[]> {
  let q = h
    .selectFrom('messages')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['pending', 'queued', 'not_sent']);
  if (exceptDay !== null) q = q.where('cohort_day', '!=', exceptDay);
  return q.execute();
}
