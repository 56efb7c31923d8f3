// SQL for the ingestion inbox (see migrations 2026_11_27_010 and 2026_12_07_020): rows appended as visits, deliveries and
// events arrive, read in arrival order by the processor, deleted in the transaction that applies them, or moved to the
// dead letters after failed tries. The inbox is written by the SQLite ingestion worker on its own connection, with
// prepared statements (these run on every click and webhook); the dead letters are read and discarded with Kysely
// from the request thread on either engine.
import type Database from 'better-sqlite3';
import type { Generated, Kysely, Transaction } from 'kysely';
import type { Db } from './db';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

declare module './schema' {
  interface DB {
    ingest_dead_letters: DeadLetterRow;
    ingest_inbox: InboxTable;
  }
}

/** The inbox as Kysely sees it (PostgreSQL's visits: `seq` comes from a sequence, 2026_12_08_600). */
interface InboxTable {
  account_id: string;
  seq: Generated<number>;
  kind: InboxKind;
  payload: string;
  received_at: number;
  tries: Generated<number>;
  last_error: string | null;
}

/** An inbox row that could not be applied: as it was, with the last error and how many tries it had. */
export interface DeadLetterRow {
  account_id: string;
  id: string;
  seq: number;
  kind: InboxKind;
  payload: string;
  received_at: number;
  error: string;
  tries: number;
  moved_at: number;
}

/** A click/scan/open, a webhook delivery, or a chunk of API events already in the log (see `EVENTS_PER_ROW`). */
export type InboxKind = 'visit' | 'delivery' | 'events';

export interface InboxRow {
  account_id: string;
  seq: number;
  kind: InboxKind;
  payload: string;
  received_at: number;
  /** Tries counted so far (failed ones, and starts that found it at the head of the inbox); 0 on append. */
  tries?: number;
  last_error?: string | null;
}

interface Statements {
  insert: Database.Statement;
  read: Database.Statement;
  remove: Database.Statement;
  count: Database.Statement;
  maxSeq: Database.Statement;
  countTries: Database.Statement;
  tryAlone: Database.Statement;
  noteError: Database.Statement;
  toDeadLetter: Database.Statement;
  deadLetter: Database.Statement;
  removeDeadLetter: Database.Statement;
  deadLetterTried: Database.Statement;
}

const statements = new WeakMap<Database.Database, Statements>();

function prepared(db: Db): Statements {
  const sqlite = db.sqlite;
  if (!sqlite) throw new Error('the ingestion inbox is written on SQLite only');
  let st = statements.get(sqlite);
  if (!st) {
    st = {
      insert: sqlite.prepare('INSERT INTO ingest_inbox (account_id, seq, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)'),
      read: sqlite.prepare('SELECT account_id, seq, kind, payload, received_at, tries, last_error FROM ingest_inbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      remove: sqlite.prepare('DELETE FROM ingest_inbox WHERE account_id = ? AND seq = ?'),
      count: sqlite.prepare('SELECT count(*) AS n FROM ingest_inbox').pluck(),
      maxSeq: sqlite.prepare('SELECT max(seq) AS n FROM ingest_inbox').pluck(),
      countTries: sqlite.prepare('UPDATE ingest_inbox SET tries = tries + 1 WHERE seq >= ? AND seq <= ?'),
      tryAlone: sqlite.prepare('UPDATE ingest_inbox SET tries = tries + 1, last_error = ? WHERE account_id = ? AND seq = ? RETURNING tries').pluck(),
      noteError: sqlite.prepare('UPDATE ingest_inbox SET last_error = ? WHERE account_id = ? AND seq = ?'),
      toDeadLetter: sqlite.prepare(
        'INSERT INTO ingest_dead_letters (account_id, id, seq, kind, payload, received_at, error, tries, moved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deadLetter: sqlite.prepare('SELECT * FROM ingest_dead_letters WHERE account_id = ? AND id = ?'),
      removeDeadLetter: sqlite.prepare('DELETE FROM ingest_dead_letters WHERE account_id = ? AND id = ?'),
      deadLetterTried: sqlite.prepare('UPDATE ingest_dead_letters SET tries = tries + 1, error = ?, moved_at = ? WHERE account_id = ? AND id = ?'),
    };
    statements.set(sqlite, st);
  }
  return st;
}

/** Appends rows (inside the caller's transaction). */
export function insertInboxRows(db: Db, rows: InboxRow[]): void {
  const { insert } = prepared(db);
  for (const r of rows) insert.run(r.account_id, r.seq, r.kind, r.payload, r.received_at);
}

/** The next rows after `afterSeq`, in arrival order. */
export function listInboxRows(db: Db, afterSeq: number, limit: number): InboxRow[] {
  return prepared(db).read.all(afterSeq, limit) as InboxRow[];
}

/** Deletes processed rows (inside the transaction that applied them). */
export function deleteInboxRows(db: Db, rows: Pick<InboxRow, 'account_id' | 'seq'>[]): void {
  const { remove } = prepared(db);
  for (const r of rows) remove.run(r.account_id, r.seq);
}

export function countInboxRows(db: Db): number {
  return Number(prepared(db).count.get());
}

/** The highest sequence number stored, or 0 for an empty inbox. */
export function getMaxInboxSeq(db: Db): number {
  return Number(prepared(db).maxSeq.get() ?? 0);
}

/** Counts a try for the rows with `first` ≤ seq ≤ `last` (the slice a start is about to apply). */
export function countInboxTries(db: Db, first: number, last: number): void {
  prepared(db).countTries.run(first, last);
}

/**
 * Counts a try for one row about to be applied alone, noting `pending` as its error until the try ends (so a try the
 * process did not survive is told apart). Returns its tries, or null if the row is gone.
 */
export function countInboxTryAlone(db: Db, row: Pick<InboxRow, 'account_id' | 'seq'>, pending: string): number | null {
  const tries = prepared(db).tryAlone.get(pending, row.account_id, row.seq) as number | undefined;
  return tries === undefined ? null : Number(tries);
}

export function noteInboxError(db: Db, row: Pick<InboxRow, 'account_id' | 'seq'>, error: string): void {
  prepared(db).noteError.run(error, row.account_id, row.seq);
}

/** Moves a row to the dead letters with its error (inside the caller's transaction). */
export function moveInboxRowToDeadLetters(db: Db, row: InboxRow, letter: { id: string; error: string; tries: number; movedAt: number }): void {
  const st = prepared(db);
  st.toDeadLetter.run(row.account_id, letter.id, row.seq, row.kind, row.payload, row.received_at, letter.error, letter.tries, letter.movedAt);
  st.remove.run(row.account_id, row.seq);
}

export function getDeadLetterSync(db: Db, accountId: string, id: string): DeadLetterRow | undefined {
  return prepared(db).deadLetter.get(accountId, id) as DeadLetterRow | undefined;
}

export function deleteDeadLetterSync(db: Db, accountId: string, id: string): void {
  prepared(db).removeDeadLetter.run(accountId, id);
}

/** A retry of a dead letter failed again: one more try, and its new error. */
export function noteDeadLetterTry(db: Db, accountId: string, id: string, error: string, at: number): void {
  prepared(db).deadLetterTried.run(error, at, accountId, id);
}

/** An account's dead letters, oldest move first, after the cursor (an id). */
export async function listDeadLetters(h: Handle, accountId: string, opts: { after?: string; limit: number }): Promise<DeadLetterRow[]> {
  let q = h.selectFrom('ingest_dead_letters').selectAll().where('account_id', '=', accountId);
  if (opts.after) q = q.where('id', '>', opts.after);
  return q.orderBy('id').limit(opts.limit).execute();
}

export async function countDeadLetters(h: Handle, accountId: string): Promise<number> {
  const r = await h.selectFrom('ingest_dead_letters').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function getDeadLetter(h: Handle, accountId: string, id: string): Promise<DeadLetterRow | undefined> {
  return h.selectFrom('ingest_dead_letters').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** Discards a dead letter; true if there was one. */
export async function deleteDeadLetter(h: Handle, accountId: string, id: string): Promise<boolean> {
  const r = await h.deleteFrom('ingest_dead_letters').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---- PostgreSQL: visits stored first, folded later (services/visitInbox.ts) ------------------------------------------

/**
 * Appends visits (each a `StoredVisit` as JSON) in one statement; the sequence numbers them. A plain insert: no other
 * row is touched. At most 20,000 rows (3 parameters each, under PostgreSQL's 65,535).
 */
export async function insertVisitRows(h: Handle, rows: { account_id: string; payload: string; received_at: number }[]): Promise<void> {
  if (rows.length > 20_000) throw new RangeError(`at most 20,000 visits per insert (${rows.length} given)`);
  if (rows.length) await h.insertInto('ingest_inbox').values(rows.map((r) => ({ ...r, kind: 'visit' as const }))).execute();
}

/**
 * The oldest visits no other transaction holds, locked until the caller's transaction ends: two nodes folding at once
 * take different rows (SKIP LOCKED), and a row is deleted in the transaction that folds it. Every account at once, on
 * purpose (arrival order across accounts; each visit is then folded by its account_id).
 */
export async function claimVisitRows(trx: Transaction<DB>, limit: number): Promise<InboxRow[]> {
  const rows = await trx
    .selectFrom('ingest_inbox')
    .select(['account_id', 'seq', 'kind', 'payload', 'received_at', 'tries', 'last_error'])
    .where('kind', '=', 'visit')
    .orderBy('seq')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), received_at: Number(r.received_at), tries: Number(r.tries) }));
}

/**
 * Whether any visit waits to be folded (any account's, on purpose): an idle node's look, on a pooled connection,
 * so that it takes no turn of the events' writer while there is nothing to fold.
 */
export async function hasVisitRows(h: Handle): Promise<boolean> {
  return (await h.selectFrom('ingest_inbox').select('account_id').where('kind', '=', 'visit').limit(1).executeTakeFirst()) !== undefined;
}

/** One visit row, locked, if it is still there and no other transaction holds it (a row tried alone). */
export async function claimVisitRow(trx: Transaction<DB>, row: Pick<InboxRow, 'account_id' | 'seq'>): Promise<InboxRow | undefined> {
  const r = await trx
    .selectFrom('ingest_inbox')
    .select(['account_id', 'seq', 'kind', 'payload', 'received_at', 'tries', 'last_error'])
    .where('account_id', '=', row.account_id)
    .where('seq', '=', row.seq)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return r && { ...r, seq: Number(r.seq), received_at: Number(r.received_at), tries: Number(r.tries) };
}

/** Deletes folded rows (inside the transaction that folded them). */
export async function deleteInboxRowsIn(h: Handle, rows: Pick<InboxRow, 'account_id' | 'seq'>[]): Promise<void> {
  const byAccount = new Map<string, number[]>();
  for (const r of rows) byAccount.set(r.account_id, [...(byAccount.get(r.account_id) ?? []), r.seq]);
  for (const [accountId, seqs] of byAccount) {
    for (let i = 0; i < seqs.length; i += 1000) {
      await h.deleteFrom('ingest_inbox').where('account_id', '=', accountId).where('seq', 'in', seqs.slice(i, i + 1000)).execute();
    }
  }
}

/** Counts a failed try of one row and keeps its error; returns its tries (null: the row is gone). */
export async function noteInboxTry(h: Handle, row: Pick<InboxRow, 'account_id' | 'seq'>, error: string): Promise<number | null> {
  const r = await h
    .updateTable('ingest_inbox')
    .set((eb) => ({ tries: eb('tries', '+', 1), last_error: error }))
    .where('account_id', '=', row.account_id)
    .where('seq', '=', row.seq)
    .returning('tries')
    .executeTakeFirst();
  return r ? Number(r.tries) : null;
}

/** Moves a row to the dead letters with its error (inside the caller's transaction), Kysely's way. */
export async function moveInboxRowToDeadLettersIn(h: Handle, row: InboxRow, letter: { id: string; error: string; tries: number; movedAt: number }): Promise<void> {
  await h.insertInto('ingest_dead_letters').values({
    account_id: row.account_id, id: letter.id, seq: row.seq, kind: row.kind, payload: row.payload, received_at: row.received_at,
    error: letter.error, tries: letter.tries, moved_at: letter.movedAt,
  }).execute();
  await h.deleteFrom('ingest_inbox').where('account_id', '=', row.account_id).where('seq', '=', row.seq).execute();
}

/** A dead letter with its row locked (PostgreSQL's retry: one node applies it). */
export async function lockDeadLetter(trx: Transaction<DB>, accountId: string, id: string): Promise<DeadLetterRow | undefined> {
  const r = await trx.selectFrom('ingest_dead_letters').selectAll().where('account_id', '=', accountId).where('id', '=', id).forUpdate().executeTakeFirst();
  return r && { ...r, seq: Number(r.seq), received_at: Number(r.received_at), tries: Number(r.tries), moved_at: Number(r.moved_at) };
}

/** A retry of a dead letter failed again (Kysely's way): one more try, and its new error. */
export async function noteDeadLetterTryIn(h: Handle, accountId: string, id: string, error: string, at: number): Promise<number | null> {
  const r = await h
    .updateTable('ingest_dead_letters')
    .set((eb) => ({ tries: eb('tries', '+', 1), error, moved_at: at }))
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .returning('tries')
    .executeTakeFirst();
  return r ? Number(r.tries) : null;
}
