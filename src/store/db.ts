// Opening the database (SQLite by default, PostgreSQL when DATABASE_URL says so), migrating it, and the few
// dialect differences (upserts, bulk inserts) kept in one place.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery, Kysely, Migrator, PostgresAdapter, PostgresDialect, PostgresIntrospector, PostgresQueryCompiler, SqliteDialect, sql,
  type DatabaseConnection, type DatabaseIntrospector, type Driver, type LogEvent, type Migration, type TableMetadata,
} from 'kysely';
import pg from 'pg';
import { MESURE_VERSION, sqlitePath } from '../config';
import { migrations } from './migrations';
import type { DB } from './schema';

export interface Db {
  kysely: Kysely<DB>;
  kind: 'sqlite' | 'postgres';
  /** The PostgreSQL schema the tables live in, when not the default one. */
  schema?: string;
  /** The raw better-sqlite3 handle on SQLite: used only by the store's bulk paths. */
  sqlite?: Database.Database;
  /** PostgreSQL: the connection pool's use right now (GET /metrics). SQLite has one connection per thread, no pool. */
  poolUse?(): PoolUse;
  /**
   * PostgreSQL: a Kysely over a connection of its own (a pool of one), outside the shared pool and its queue of waiting
   * queries; closed with the database. The writers (services/writer.ts) take one each: a transaction that commits
   * events or clicks never waits for a connection behind the reads.
   */
  ownConnection?(): Kysely<DB>;
  /**
   * PostgreSQL: a compiled query's rows as arrays (`rowMode: 'array'`, with the pool's number mapping), for the store's
   * long reads (the CSV export) where an object per row is most of the cost.
   */
  queryArrays?(sql: string, parameters: readonly unknown[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

export interface PoolUse {
  /** Connections open (busy or idle), at most `max`. */
  total: number;
  idle: number;
  /** Queries waiting for a connection: the pool is too small or queries too slow. */
  waiting: number;
  max: number;
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

/**
 * MESURE_SQL_LOG: every distinct SQL text this process sends through Kysely, one JSON string a line, appended to the
 * file (a diagnostic: which statements reach which tables; the Citus readiness test reads it, docs/SCALING.md).
 */
function sqlRecorder(path: string | undefined): ((event: LogEvent) => void) | undefined {
  if (!path) return undefined;
  const seen = new Set<string>();
  return (event) => {
    const text = event.query.sql;
    if (seen.has(text)) return;
    seen.add(text);
    appendFileSync(path, `${JSON.stringify(text)}\n`);
  };
}

export async function openDatabase(url: string, opts: { schema?: string; poolSize?: number; sqlLog?: string } = {}): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const poolOf = (max: number) => new pg.Pool({
      connectionString: url,
      max,
      types: pgTypes,
      connectionTimeoutMillis: 5000,
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    });
    const pool = poolOf(opts.poolSize ?? 10);
    // A pooled connection the server closes (PostgreSQL restarted, an administrator's pg_terminate_backend) is reported
    // on the pool; without a listener that event would be an uncaught exception. The pool drops the connection and
    // opens a fresh one on the next query, so there is nothing to do but say it (GET /readyz reports the outage itself).
    pool.on('error', (err) => process.stderr.write(`[database] a pooled PostgreSQL connection failed and was dropped: ${err.message}\n`));
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
    const log = sqlRecorder(opts.sqlLog);
    const kysely = new Kysely<DB>({ dialect: new OwnSchemaPostgresDialect({ pool }), log });
    const max = opts.poolSize ?? 10;
    const own: Kysely<DB>[] = [];
    return {
      kysely, kind: 'postgres', schema: opts.schema,
      close: async () => {
        await Promise.all(own.map((k) => k.destroy()));
        await kysely.destroy();
      },
      poolUse: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
      queryArrays: async (text, values) => {
        log?.({ level: 'query', query: { sql: text } } as LogEvent); // MESURE_SQL_LOG records it as it does Kysely's
        return (await pool.query({ text, values: [...values], rowMode: 'array' })).rows as unknown[][];
      },
      ownConnection: () => {
        const single = poolOf(1);
        single.on('error', (err) => process.stderr.write(`[database] a writer's PostgreSQL connection failed and was dropped: ${err.message}\n`));
        const k = new Kysely<DB>({ dialect: new OwnSchemaPostgresDialect({ pool: single }), log });
        own.push(k);
        return k;
      },
    };
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
    // Deleted and replaced content is overwritten with zeros, not left in free space: the ingestion inbox's rows (raw
    // webhook payloads, user agents) are deleted once applied, and an erased person's identifiers must leave the file's
    // bytes, not only its tables (docs/PRIVACY.md). The cost is writing a freed page once more.
    database.pragma('secure_delete = ON');
    // SQLite's default page cache is 2 MiB: once messages and events outgrow it, every insert and lookup reads
    // pages from disk. 128 MiB per connection keeps the hot index pages of a large shop in memory.
    database.pragma(`cache_size = -${Number(process.env.MESURE_SQLITE_CACHE_MIB || 128) * 1024}`);
  } catch (err) {
    throw new DatabaseError(`Cannot open the SQLite database ${path}: ${(err as Error).message}.`);
  }
  const kysely = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }), log: sqlRecorder(opts.sqlLog) });
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

/**
 * PostgreSQL with an introspector that sees only Mesure's own schema. Kysely's reads the tables and columns of every
 * schema in the database (its migrator calls it before each run): when another schema is dropped at that moment
 * (another Mesure sharing the database, e.g. tests) the listing fails with "schema … does not exist" or "column … of
 * relation … does not exist", and so did the start. Only the migrator introspects, and it needs only table names.
 */
class OwnSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new (class extends PostgresIntrospector {
      override async getTables(): Promise<TableMetadata[]> {
        const { rows } = await sql<{ name: string; schema: string; kind: string }>`
          SELECT c.relname AS name, n.nspname AS schema, c.relkind AS kind
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'p')`.execute(db);
        return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'v', columns: [] }));
      }
    })(db);
  }
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
  const state = await migrationState(db);
  refuseNewerDatabase(state);
  // Up to date (every start but the first after an upgrade): nothing to run, and no need for Kysely's migrator,
  // whose PostgreSQL introspection reads the catalog of every schema in the database.
  if (state.pending.length === 0) return [];
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new DatabaseError(
      `${failed ? `Migration ${failed.migrationName}` : 'Migrating the database'} failed: ${(error as Error).message ?? String(error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations not yet applied (empty when the database is up to date); refuses a database of a newer Mesure. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const state = await migrationState(db);
  refuseNewerDatabase(state);
  return state.pending;
}

/** What the database records as applied, compared with the migrations this build knows. */
interface MigrationState {
  /** Applied migrations this build knows. */
  applied: string[];
  /** Known migrations not yet applied, in the order they would run. */
  pending: string[];
  /** Applied migrations this build does not know: a newer Mesure wrote them. */
  unknown: string[];
}

/**
 * Reads Kysely's record of applied migrations without writing anything (Kysely's own `getMigrations` creates its
 * tables first): a fresh database, with no record yet, has every migration pending.
 */
export async function migrationState(db: Db): Promise<MigrationState> {
  const table = db.schema ? `${db.schema}.kysely_migration` : 'kysely_migration';
  let recorded: string[];
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(db.kysely);
    recorded = rows.map((r) => r.name);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code !== '42P01' && !/no such table/.test(String(e.message))) throw err;
    recorded = [];
  }
  const known = Object.keys(migrations).sort();
  const done = new Set(recorded);
  return {
    applied: known.filter((n) => done.has(n)),
    pending: known.filter((n) => !done.has(n)),
    unknown: recorded.filter((n) => !(n in migrations)).sort(),
  };
}

/**
 * A database migrated by a newer Mesure holds tables and columns this build does not know how to keep right: it
 * refuses it rather than run on it (Kysely would also refuse to migrate it, with a less helpful message).
 */
export function refuseNewerDatabase(state: MigrationState): void {
  if (!state.unknown.length) return;
  throw new DatabaseError(
    `This database was migrated by a newer Mesure: it records migration ${state.unknown.join(', ')}, which Mesure ${MESURE_VERSION} does not know. ` +
      'Run the newer Mesure that migrated it (or restore a backup taken before that upgrade); this version will not run on it.',
  );
}

/**
 * The SQL the given migrations would send to PostgreSQL, compiled without a database: each migration runs against a
 * recording connection that answers every query with no rows. A migration that reads rows to decide what to write
 * (a data rewrite) shows the statements it would send on an empty database; one that cannot run on no rows is
 * reported as such.
 */
export async function compilePostgresMigrations(names: string[]): Promise<{ name: string; statements: string[]; note?: string }[]> {
  const out: { name: string; statements: string[]; note?: string }[] = [];
  for (const name of names) {
    const statements: string[] = [];
    const connection: DatabaseConnection = {
      executeQuery: async (q) => {
        statements.push(q.parameters.length ? `${q.sql}; -- parameters: ${JSON.stringify(q.parameters)}` : `${q.sql};`);
        return { rows: [] };
      },
      streamQuery: () => {
        throw new Error('a migration streamed a query');
      },
    };
    const driver: Driver = {
      init: async () => {},
      acquireConnection: async () => connection,
      beginTransaction: async () => {},
      commitTransaction: async () => {},
      rollbackTransaction: async () => {},
      releaseConnection: async () => {},
      destroy: async () => {},
    };
    const recorder = new Kysely<unknown>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => driver,
        createIntrospector: (k) => new PostgresIntrospector(k),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    try {
      await (migrations as Record<string, Migration>)[name].up(recorder);
      out.push({ name, statements });
    } catch (err) {
      out.push({ name, statements, note: `the rest depends on the rows it reads (${(err as Error).message})` });
    } finally {
      await recorder.destroy();
    }
  }
  return out;
}
