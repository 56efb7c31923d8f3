// Opening the database (SQLite by default, PostgreSQL when DATABASE_URL says so), migrating it, and the few
// dialect differences (upserts, bulk inserts) kept in one place.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, type Driver, type Migration } from 'kysely';
import pg from 'pg';
import { sqlitePath } from '../config';
import { migrations } from './migrations';
import type { DB } from './schema';

export interface Db {
  kysely: Kysely<DB>;
  kind: 'sqlite' | 'postgres';
  /** The PostgreSQL schema the tables live in, when not the default one. */
  schema?: string;
  /** The raw better-sqlite3 handle on SQLite: used only by the store's bulk paths. */
  sqlite?: Database.Database;
  close(): Promise<void>;
}

export class DatabaseError extends Error {}

// pg returns int8 and numeric as strings to protect precision. Mesure keeps money in integer minor units and
// times in epoch milliseconds, both far below 2^53 (writes are bounded: domain/bounds.ts), so they are mapped to
// numbers explicitly. A stored value beyond 2^53 (only an older version could write one) is read approximately rather
// than refused: refusing it made every read of its row fail, with no way to correct it; the services show such an
// amount as out of range (domain/bounds.ts storedMoney).
function exactNumber(text: string): number {
  return Number(text);
}
const PG_INT8 = 20;
const PG_NUMERIC = 1700;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8 || oid === PG_NUMERIC) return exactNumber;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

export async function openDatabase(url: string, opts: { schema?: string; poolSize?: number } = {}): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolSize ?? 10,
      types: pgTypes,
      connectionTimeoutMillis: 5000,
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    });
    try {
      const client = await pool.connect();
      if (opts.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema.replace(/"/g, '')}"`);
      client.release();
    } catch (err) {
      await pool.end().catch(() => {});
      throw new DatabaseError(
        `Cannot reach PostgreSQL at ${redact(url)}: ${(err as Error).message}. Check that the server runs and that DATABASE_URL is right.`,
      );
    }
    const kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, kind: 'postgres', schema: opts.schema, close: () => kysely.destroy() };
  }
  const path = sqlitePath(url);
  let database: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    database = new Database(path);
    // WAL lets readers work while the writer commits; synchronous=FULL makes every commit durable on power loss
    // (group commit pays the fsync once per batch of requests, not per event).
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    // SQLite's default page cache is 2 MiB: once messages and events outgrow it, every insert and lookup reads
    // pages from disk. 128 MiB per connection keeps the hot index pages of a large shop in memory.
    database.pragma(`cache_size = -${Number(process.env.MESURE_SQLITE_CACHE_MIB || 128) * 1024}`);
  } catch (err) {
    throw new DatabaseError(`Cannot open the SQLite database ${path}: ${(err as Error).message}.`);
  }
  const kysely = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }) });
  return { kysely, kind: 'sqlite', sqlite: database, close: () => kysely.destroy() };
}

/** Distinct SQL texts whose prepared statements are kept per connection (oldest dropped first). */
const STATEMENT_CACHE_SIZE = 2000;

/**
 * Kysely's SQLite driver prepares every query it runs, and preparing costs SQLite more than running most of our
 * point queries (parsing, planning: tens of µs). The same SQL text comes back constantly (ingestion, redirects,
 * webhooks), so the connection keeps its prepared statements by text. A statement still iterating (a streamed
 * export) is busy and cannot run twice at once: then a fresh one is prepared for that call.
 */
export function withStatementCache(database: Database.Database): { prepare(sql: string): Database.Statement; close(): void } {
  const cache = new Map<string, Database.Statement>();
  return {
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) return hit;
      const stmt = database.prepare(sql);
      if (!hit) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      database.close();
    },
  };
}

/**
 * Transactions begin IMMEDIATE: the write lock is taken at BEGIN, where busy_timeout waits for another connection's
 * commit (the ingestion worker's, another `mesure` process's). A deferred transaction that read first would instead
 * fail with SQLITE_BUSY on its first write whenever another connection committed in between.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function migrator(db: Db): Migrator {
  return new Migrator({
    db: db.kysely,
    // Kysely looks for its own tables across every schema; name ours so that several Mesure schemas can
    // share one PostgreSQL database (tests do).
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
    provider: { getMigrations: async () => migrations as Record<string, Migration> },
  });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  let { error, results } = await migrator(db).migrateToLatest();
  // Kysely's migrator lists the tables of every schema it may use; on PostgreSQL a schema dropped by someone
  // else at that very moment (another Mesure sharing the database, e.g. tests) fails that listing. Nothing was
  // migrated then: try again.
  for (let attempt = 0; error && attempt < 5 && isForeignSchemaVanished(error, db.schema); attempt++) {
    await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    ({ error, results } = await migrator(db).migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new DatabaseError(
      `Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`.trim(),
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function isForeignSchemaVanished(error: unknown, own: string | undefined): boolean {
  const m = /schema "([^"]+)" does not exist/.exec(String((error as Error)?.message ?? error));
  return m !== null && m[1] !== own;
}

/** Names of migrations not yet applied (empty when the database is up to date). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
