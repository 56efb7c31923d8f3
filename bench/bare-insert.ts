// The baseline of the write benchmarks: the exact rows Mesure stored in its `events` table, inserted again by a bare
// loop into a fresh table with the same columns and indexes and no triggers (the triggers keep the campaign page's
// rollups, work a bare loop does not do), in transactions of `batch` rows. Used by bench/ingest.ts and bench/scale.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tempDir } from './support';

export interface BareResult {
  rows: number;
  seconds: number;
  /** CPU seconds of this process (user + system) during the loop. */
  cpuSeconds: number;
}

function timed<T>(work: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = work();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { value, seconds, cpuSeconds: (c.user + c.system) / 1e6 };
}

/**
 * SQLite: `rows` (raw, in column order) into a fresh file built from `tableSql` (the events table's and its indexes'
 * DDL), WAL, `synchronous`, and the page cache Mesure's connection has (`cacheSize`, as PRAGMA cache_size reads it).
 */
export function bareSqliteInsert(rows: unknown[][], opts: { tableSql: string[]; cacheSize: number; batch: number; sync: string; pragmas?: string[] }): BareResult {
  const tmp = tempDir();
  try {
    const db = new Database(join(tmp.dir, 'bare.db'));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.sync}`);
    db.pragma(`cache_size = ${opts.cacheSize}`);
    for (const p of opts.pragmas ?? []) db.pragma(p);
    for (const s of opts.tableSql) db.exec(s);
    const insert = db.prepare(`INSERT INTO events VALUES (${Array.from({ length: rows[0].length }, () => '?').join(',')})`);
    const insertMany = db.transaction((part: unknown[][]) => {
      for (const r of part) insert.run(...r);
    });
    const t = timed(() => {
      for (let i = 0; i < rows.length; i += opts.batch) insertMany(rows.slice(i, i + opts.batch));
    });
    db.close();
    return { rows: rows.length, seconds: t.seconds, cpuSeconds: t.cpuSeconds };
  } finally {
    tmp.remove();
  }
}

/** SQLite: the rows of one campaign's events as Mesure stored them, with the DDL of the table and its indexes. */
export function sqliteEventRows(file: string, accountId: string, campaignId: string): { rows: unknown[][]; tableSql: string[] } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM events WHERE account_id = ? AND campaign_id = ? ORDER BY rowid').raw().all(accountId, campaignId) as unknown[][];
    const tableSql = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC").pluck().all() as string[];
    return { rows, tableSql };
  } finally {
    db.close();
  }
}

/**
 * PostgreSQL: one campaign's events as Mesure stored them in `schema`, inserted again into a table made `LIKE` it
 * (columns, defaults and indexes; no triggers) in a scratch schema dropped after, `batch` rows per statement and
 * transaction (a JSON parameter turned into rows by json_populate_recordset, as Mesure's own bulk writes do).
 */
export async function barePgInsert(url: string, schema: string, accountId: string, campaignId: string, batch: number): Promise<BareResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const scratch = `bench_bare_${process.pid}`;
  try {
    const q = (s: string) => `"${s.replace(/"/g, '')}"`;
    const { rows } = await c.query(`SELECT * FROM ${q(schema)}.events WHERE account_id = $1 AND campaign_id = $2`, [accountId, campaignId]);
    await c.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE; CREATE SCHEMA ${scratch}; CREATE TABLE ${scratch}.events (LIKE ${q(schema)}.events INCLUDING ALL)`);
    const bodies = [];
    for (let i = 0; i < rows.length; i += batch) bodies.push(JSON.stringify(rows.slice(i, i + batch)));
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (const body of bodies) await c.query(`INSERT INTO ${scratch}.events SELECT * FROM json_populate_recordset(null::${scratch}.events, $1::json)`, [body]);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    return { rows: rows.length, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`).catch(() => {});
    await c.end();
  }
}
