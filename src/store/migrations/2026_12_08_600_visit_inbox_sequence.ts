// PostgreSQL: clicks, scans and opens are stored first as rows of the ingestion inbox (2026_11_27_010), then folded into
// the event log and the figures (src/services/visitInbox.ts). Several nodes append at once, so a row's arrival number
// comes from a sequence, not from a node's counter. SQLite numbers its inbox in its one worker: nothing to do there.
// Frozen in time: never import application code here.
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql.raw('CREATE SEQUENCE IF NOT EXISTS ingest_inbox_seq_numbers').execute(db);
  await sql.raw("SELECT setval('ingest_inbox_seq_numbers', greatest((SELECT coalesce(max(seq), 0) FROM ingest_inbox), 1))").execute(db);
  await sql.raw("ALTER TABLE ingest_inbox ALTER COLUMN seq SET DEFAULT nextval('ingest_inbox_seq_numbers')").execute(db);
  await sql.raw('ALTER SEQUENCE ingest_inbox_seq_numbers OWNED BY ingest_inbox.seq').execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql.raw('ALTER TABLE ingest_inbox ALTER COLUMN seq DROP DEFAULT').execute(db);
  await sql.raw('DROP SEQUENCE IF EXISTS ingest_inbox_seq_numbers').execute(db);
}
