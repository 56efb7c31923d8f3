// SQL for GET /readyz beside the migration record (store/db.ts): the age of the ingestion inbox's oldest item.
import { sql } from 'kysely';
import type { Db } from './db';

/** When the oldest item still in the ingestion inbox (SQLite; PostgreSQL: clicks not yet folded) was received (epoch ms), or null for an empty inbox. */
export async function getOldestInboxReceivedAt(db: Db): Promise<number | null> {
  const { rows } = await sql<{ at: number | null }>`select min(received_at) as at from ingest_inbox`.execute(db.kysely);
  return rows[0]?.at === null || rows[0]?.at === undefined ? null : Number(rows[0].at);
}

/**
 * The SQLite ingestion inbox for GET /metrics: rows waiting, and when the first of them in arrival order was received
 * (epoch ms; null when empty). The oldest is read through the `seq` index (rows are received in `seq` order); the count
 * walks that index, which stays short: the inbox holds what arrived in the last moments unless applying falls behind.
 */
export async function getInboxBacklog(db: Db): Promise<{ depth: number; oldestReceivedAt: number | null }> {
  const [count, first] = await Promise.all([
    sql<{ n: number | string }>`select count(*) as n from ingest_inbox`.execute(db.kysely),
    sql<{ at: number | string }>`select received_at as at from ingest_inbox order by seq limit 1`.execute(db.kysely),
  ]);
  const at = first.rows[0]?.at;
  return { depth: Number(count.rows[0]?.n ?? 0), oldestReceivedAt: at === undefined ? null : Number(at) };
}

/** Dead letters held, every account together (GET /metrics): items the inbox could not apply after their tries. */
export async function countAllDeadLetters(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ingest_dead_letters`.execute(db.kysely);
  return Number(rows[0]?.n ?? 0);
}
