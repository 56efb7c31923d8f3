// SQL for the ingestion inbox (see migration 2026_11_27_010): rows appended as visits, deliveries and events arrive, read in
// arrival order by the processor, deleted in the transaction that applies them. SQLite only: the inbox is written by
// the ingestion worker on its own connection, with prepared statements (these run on every click and webhook).
import type Database from 'better-sqlite3';
import type { Db } from './db';

/** A click/scan/open, a webhook delivery, or a chunk of API events already in the log (see `EVENTS_PER_ROW`). */
export type InboxKind = 'visit' | 'delivery' | 'events';

export interface InboxRow {
  account_id: string;
  seq: number;
  kind: InboxKind;
  payload: string;
  received_at: number;
}

interface Statements {
  insert: Database.Statement;
  read: Database.Statement;
  remove: Database.Statement;
  count: Database.Statement;
  maxSeq: Database.Statement;
}

const statements = new WeakMap<Database.Database, Statements>();

function prepared(db: Db): Statements {
  const sqlite = db.sqlite;
  if (!sqlite) throw new Error('the ingestion inbox is written on SQLite only');
  let st = statements.get(sqlite);
  if (!st) {
    st = {
      insert: sqlite.prepare('INSERT INTO ingest_inbox (account_id, seq, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)'),
      read: sqlite.prepare('SELECT account_id, seq, kind, payload, received_at FROM ingest_inbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      remove: sqlite.prepare('DELETE FROM ingest_inbox WHERE account_id = ? AND seq = ?'),
      count: sqlite.prepare('SELECT count(*) AS n FROM ingest_inbox').pluck(),
      maxSeq: sqlite.prepare('SELECT max(seq) AS n FROM ingest_inbox').pluck(),
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
