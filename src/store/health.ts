// SQL for GET /readyz beside the migration record (store/db.ts): the age of the ingestion inbox's oldest item.
import { sql } from 'kysely';
import type { Db } from './db';

/** When the oldest item still in the SQLite ingestion inbox was received (epoch ms), or null for an empty inbox. */
export async function getOldestInboxReceivedAt(db: Db): Promise<number | null> {
  const { rows } = await sql<{ at: number | null }>`select min(received_at) as at from ingest_inbox`.execute(db.kysely);
  return rows[0]?.at === null || rows[0]?.at === undefined ? null : Number(rows[0].at);
}
