// SQLite files as whole objects: an online snapshot of a live database, the checks run on a copy (integrity,
// migration record, row counts), and the lock by which `mesure serve` shows that it holds a database.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** The tables whose row counts a backup or restore prints: what a merchant would miss first. */
const MAIN_TABLES = [
  'accounts', 'users', 'campaigns', 'contacts', 'messages', 'events', 'tracked_links', 'orders', 'attributions',
  'journeys', 'invoices', 'ingest_inbox', 'ingest_dead_letters',
] as const;

export interface SnapshotProgress {
  copiedPages: number;
  totalPages: number;
}

export interface Snapshot extends SnapshotProgress {
  /** When the read transaction began (by `clock`): the copy holds every commit before it and none after. */
  takenAt: number;
}

/**
 * Copies the database open on `source` into a new file at `destination` with SQLite's online backup API, in steps of
 * `stepPages` pages. A read transaction is held on `source` for the whole copy: the copy is the database as it stood
 * when the transaction began, and other connections keep writing meanwhile (WAL). Without it, SQLite closes its read
 * between steps and restarts the copy whenever another connection commits, which under steady ingestion never ends.
 * `pauseMs` sleeps between steps (a test hook that makes the copy slow; see MESURE_BACKUP_TEST_STEP_DELAY_MS).
 */
export async function snapshotSqlite(
  source: Database.Database,
  destination: string,
  opts: { stepPages: number; clock: () => number; pauseMs?: number; onProgress?: (p: SnapshotProgress) => void },
): Promise<Snapshot> {
  source.exec('BEGIN');
  try {
    // A deferred BEGIN takes its snapshot at the first read.
    source.prepare('SELECT count(*) FROM sqlite_master').get();
    const takenAt = opts.clock();
    const pause = opts.pauseMs ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const done = await source.backup(destination, {
      progress: ({ totalPages, remainingPages }) => {
        opts.onProgress?.({ copiedPages: totalPages - remainingPages, totalPages });
        if (pause) Atomics.wait(pause, 0, 0, opts.pauseMs);
        return opts.stepPages;
      },
    });
    const result = { copiedPages: done.totalPages - done.remainingPages, totalPages: done.totalPages };
    opts.onProgress?.(result);
    return { ...result, takenAt };
  } finally {
    source.exec('COMMIT');
  }
}

/** Makes a finished copy one self-contained file (rollback journal, no -wal beside it) and flushes it to disk. */
export function sealSqliteCopy(path: string): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

export interface SqliteFileReport {
  /** 'ok', or the first problems `PRAGMA integrity_check` found. */
  integrity: string[];
  /** Names recorded in kysely_migration; null when the file has no such table (not a Mesure database). */
  migrations: string[] | null;
  /** Rows per main table present in the file, in MAIN_TABLES order. */
  counts: { table: string; rows: number }[];
}

/** Checks a database file without changing it. Throws when the file is not a SQLite database at all. */
export function inspectSqliteFile(path: string): SqliteFileReport {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const integrity = (db.prepare('PRAGMA integrity_check(20)').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const migrations = tables.has('kysely_migration')
      ? (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map((r) => r.name)
      : null;
    const counts = MAIN_TABLES.filter((t) => tables.has(t)).map((table) => ({
      table,
      // Table names come from the fixed list above, never from input.
      rows: (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n,
    }));
    return { integrity, migrations, counts };
  } finally {
    db.close();
  }
}

/** The lock file beside a database: `mesure serve` holds it shared while it runs; a restore needs it exclusively. */
function serverLockPath(dbPath: string): string {
  return `${dbPath}.lock`;
}

/**
 * Taken by `mesure serve` for as long as it runs: a read transaction (a SHARED lock) on `<db>.lock`, a small SQLite
 * file that also records the pid of the last server started. The operating system drops the lock when the process
 * ends in any way (SIGKILL included), so a lock can never be left behind. Several servers may share it.
 * Throws when a restore holds the lock exclusively (after busy_timeout).
 */
export function holdServerLock(dbPath: string, pid: number, now: number): { release(): void } {
  // Taken before the database is opened (and its directory created) on a first start.
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = new Database(serverLockPath(dbPath));
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS server (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, started_at INTEGER NOT NULL)');
    db.prepare('INSERT INTO server (id, pid, started_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at').run(pid, now);
    db.exec('BEGIN');
    db.prepare('SELECT pid FROM server').get();
  } catch (err) {
    db.close();
    throw err;
  }
  return { release: () => { try { db.exec('COMMIT'); } finally { db.close(); } } };
}

/**
 * Tries, without waiting, to take `<db>.lock` exclusively (what a restore holds while it swaps files; a server
 * starting meanwhile waits for it, then starts on the restored file). `held` is false when a server holds it;
 * `serverPid` is then the pid it recorded.
 */
export function tryExclusiveServerLock(dbPath: string): { held: true; release(): void } | { held: false; serverPid: number | null } {
  const db = new Database(serverLockPath(dbPath));
  try {
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED')) {
      db.close();
      throw err;
    }
    let serverPid: number | null = null;
    try {
      serverPid = (db.prepare('SELECT pid FROM server').get() as { pid: number } | undefined)?.pid ?? null;
    } catch {
      // the table may not exist yet (a server between creating the file and its first write)
    }
    db.close();
    return { held: false, serverPid };
  }
  return { held: true, release: () => { try { db.exec('ROLLBACK'); } finally { db.close(); } } };
}
