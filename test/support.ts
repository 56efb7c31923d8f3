// Test harness: a real Mesure (store, services, Fastify app) on a fresh SQLite file or a fresh PostgreSQL
// schema, plus an account and an API key. Contract suites run once per engine with `forEachEngine`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe } from 'vitest';
import { loadConfig } from '../src/config';
import { assemble, type Mesure, type StartOptions } from '../src/main';
import { TEST_SECRET_KEY } from '../bench/support';

export type Engine = 'sqlite' | 'postgres';
export const PG_URL = process.env.MESURE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

let pgReachable: Promise<boolean> | undefined;
export function postgresReachable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  })();
  return pgReachable;
}

const pgOk = await postgresReachable();
if (!pgOk) {
  if (process.env.MESURE_REQUIRE_PG === '1') {
    throw new Error(`MESURE_REQUIRE_PG=1 but PostgreSQL is not reachable at ${PG_URL}: start it, or unset MESURE_REQUIRE_PG.`);
  }
  console.warn(`\n!!! PostgreSQL is not reachable at ${PG_URL}: the PostgreSQL half of the contract tests is SKIPPED. !!!\n`);
}

/** Runs `suite` once per engine; the PostgreSQL run is skipped (loudly, above) only when no server is reachable. */
export function forEachEngine(name: string, suite: (engine: Engine) => void): void {
  describe(`${name} [sqlite]`, () => suite('sqlite'));
  (pgOk ? describe : describe.skip)(`${name} [postgres]`, () => suite('postgres'));
}

/**
 * Like forEachEngine, but the SQLite and PostgreSQL runs go side by side (each on a database of its own): most of their
 * time is spent waiting for child processes (`mesure serve`, the CLI, pg_dump), so the file takes about as long as its
 * slower engine rather than the sum. Within each engine the cases still run one after another, in order, sharing
 * their beforeAll/afterAll. Only for suites whose two engines share nothing (no file, port, schema or global state).
 */
export function forEachEngineConcurrently(name: string, suite: (engine: Engine) => void): void {
  describe(`${name} [sqlite]`, { concurrent: true }, () => {
    describe.sequential('in order', () => suite('sqlite'));
  });
  (pgOk ? describe : describe.skip)(`${name} [postgres]`, { concurrent: true }, () => {
    describe.sequential('in order', () => suite('postgres'));
  });
}

export interface TestMesure extends Mesure {
  accountId: string;
  key: string;
  auth: { authorization: string };
  cleanup(): Promise<void>;
}

/** Drops a test's PostgreSQL schema and everything in it. */
/**
 * Runs one migration's up() again on a stopped server's database (its SQLite file, or its PostgreSQL schema), as a
 * test of what the migration does to rows written before it. Deleting its kysely_migration row would not do: Kysely
 * refuses to run a migration dated before ones already run.
 */
export async function rerunMigration(
  at: { sqliteFile: string } | { pgSchema: string },
  migration: { up(db: Kysely<any>): Promise<void> },
): Promise<void> {
  const db = new Kysely<any>({
    dialect: 'sqliteFile' in at
      ? new SqliteDialect({ database: new Database(at.sqliteFile) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${at.pgSchema}`, max: 1 }) }),
  });
  try {
    await migration.up(db);
  } finally {
    await db.destroy();
  }
}

export async function dropPgSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}

/** A fresh, migrated Mesure with one account (Europe/Paris, EUR, FR) and an owner key. */
export async function makeMesure(engine: Engine, opts: StartOptions & { env?: Record<string, string> } = {}): Promise<TestMesure> {
  let env: Record<string, string>;
  let dropSchema: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (engine === 'sqlite') {
    dir = mkdtempSync(join(tmpdir(), 'mesure-test-'));
    env = { DATABASE_URL: `file:${join(dir, 'mesure.db')}`, MESURE_SECRET_KEY: TEST_SECRET_KEY };
  } else {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    env = { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_SECRET_KEY: TEST_SECRET_KEY };
    dropSchema = () => dropPgSchema(schema);
  }
  const config = loadConfig({ ...env, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://mesure.test', ...opts.env });
  const m = await assemble(config, opts);
  const account = await m.deps.accounts.create({ name: 'Test shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
  const key = await m.deps.accounts.createKey(account.id, 'test', 'owner');
  return {
    ...m,
    accountId: account.id,
    key: key.token,
    auth: { authorization: `Bearer ${key.token}` },
    cleanup: async () => {
      await m.close();
      await dropSchema?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
