// Running Mesure for years (issue #23, points 2 and 4), tested as deployed on SQLite and PostgreSQL: GET /readyz through
// a listening server (200, then 503 naming the database while it cannot answer, then 200 again without restarting
// Mesure, and nothing acknowledged lost), `mesure --version`, `mesure migrate --dry-run`, and `serve` refusing a
// database migrated by a newer Mesure.
import { execFile } from 'node:child_process';
import { chownSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { it } from 'vitest';
import { forEachEngineConcurrently, makeMesure, PG_URL, dropPgSchema, type Engine } from './support';
import { call, callOk, createAccountWithCli, freePort, ROOT, runCli, startServerProcess, tempDir, type ServerProcess } from '../bench/support';
import { migrations } from '../src/store/migrations';
import { loadConfig } from '../src/config';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

interface Ready {
  ok: boolean;
  checks: Record<string, { ok: boolean; message?: string }>;
  message?: string;
}

const readyz = async (url: string) => {
  const r = await fetch(`${url}/readyz`);
  return { status: r.status, body: (await r.json()) as Ready };
};

/** A PostgreSQL cluster of its own (initdb refuses root: run as the `postgres` user), on a free port, trust auth. */
async function throwawayCluster(dir: string) {
  chownSync(dir, 101, 104);
  const port = await freePort();
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', join(PG_BIN, cmd), ...args], { cwd: dir });
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const start = () => asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', `-p ${port} -h 127.0.0.1 -k ${dir}`, '-w', 'start']);
  const stop = () => asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, start, stop };
}

// The two engines of each group run side by side: each has its own directory, database (or cluster) and server.
forEachEngineConcurrently('operations: readiness', (engine: Engine) => {
  it('answers 200 normally and loses nothing acknowledged; PostgreSQL stopped: 503 naming the database, then 200 once it is back without restarting Mesure', async ({ expect }) => {
    const tmp = tempDir('mesure-ops-');
    const dbFile = join(tmp.dir, 'mesure.db');
    const cluster = engine === 'postgres' ? await throwawayCluster(tmp.dir) : undefined;
    const env: Record<string, string> = cluster ? { DATABASE_URL: cluster.url } : { DATABASE_URL: `file:${dbFile}` };
    let server: ServerProcess | undefined;
    try {
      const { key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Ops shop');
      server = await startServerProcess({ ...env, MESURE_READY_DB_TIMEOUT_MS: '1000' });
      const url = server.url;
      const ready = await readyz(url);
      expect(ready.status).toBe(200);
      expect(ready.body.ok).toBe(true);
      expect(Object.fromEntries(Object.entries(ready.body.checks).map(([k, c]) => [k, c.ok]))).toEqual({ database: true, migrations: true, inbox: true });
      // Nothing sensitive: no connection string, no port of the database, no account.
      expect(JSON.stringify(ready.body)).not.toMatch(/postgres:|mesure\.db|acc_/);

      const campaign = await callOk<{ id: string }>(url, 'POST', '/v1/campaigns', key, { name: 'Soldes', channel: 'sms' });
      const send = (from: number) =>
        callOk(url, 'POST', `/v1/campaigns/${campaign.id}/messages`, key, {
          messages: [0, 1, 2].map((i) => ({ recipient: { phone: `+3361234${String(from + i).padStart(4, '0')}` } })),
        });
      await send(0); // 3 messages acknowledged before the outage

      // The outage: PostgreSQL stops. (SQLite in WAL mode keeps answering reads even while another process holds the
      // write lock, so its outage is simulated in process, in the test below.)
      if (cluster) {
        await cluster.stop();
        const down = await readyz(url);
        expect(down.status).toBe(503);
        expect(down.body.ok).toBe(false);
        expect(down.body.checks.database.ok).toBe(false);
        expect(down.body.message).toMatch(/^Not ready: database: the database /);
        expect(JSON.stringify(down.body)).not.toMatch(/postgres:|127\.0\.0\.1|mesure\.db|ECONNREFUSED/);
        // The process itself still answers.
        expect((await fetch(`${url}/healthz`)).status).toBe(200);

        // Back, without restarting Mesure: readiness turns 200 (the pool reconnects on its own).
        await cluster.start();
        const deadline = Date.now() + 20_000;
        let again = await readyz(url);
        while (again.status !== 200 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          again = await readyz(url);
        }
        expect(again.status).toBe(200);
      }
      await send(3); // 3 more acknowledged after it

      // 3 before + 3 after = 6 messages in the campaign's audience, none lost, as this server reads them and as a
      // restarted one does.
      const audience = async () => ((await callOk<{ figures: { audience: number } }>(server!.url, 'GET', `/v1/campaigns/${campaign.id}`, key)).figures.audience);
      expect(await audience()).toBe(6);
      await server.stop();
      server = await startServerProcess(env);
      expect(await audience()).toBe(6);
    } finally {
      await server?.kill();
      if (cluster) await cluster.stop().catch(() => {});
      tmp.remove();
    }
  }, 300_000);
});

it('readiness [sqlite]: 503 naming the database while its connection is held past the bound, 200 once released', async ({ expect }) => {
  // A long read (an export, a big report) holds SQLite's one request-thread connection: a probe waits behind it.
  const m = await makeMesure('sqlite', { env: { MESURE_READY_DB_TIMEOUT_MS: '300' } });
  try {
    expect((await m.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    let release!: () => void;
    const held = m.db.kysely.connection().execute(async (c) => {
      await sql`select 1`.execute(c);
      await new Promise<void>((r) => (release = r));
    });
    await new Promise((r) => setTimeout(r, 20));
    const down = await m.app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json().message).toBe('Not ready: database: the database did not answer within 300 ms.');
    expect(down.json().checks.migrations).toEqual({ ok: false, message: 'not checked: the database does not answer' });
    release();
    await held;
    expect((await m.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  } finally {
    await m.cleanup();
  }
});

it('refuses a readiness bound that is not a positive number, naming the variable', ({ expect }) => {
  expect(() => loadConfig({ MESURE_READY_DB_TIMEOUT_MS: 'soon' })).toThrow('MESURE_READY_DB_TIMEOUT_MS must be a positive number, got "soon".');
  expect(() => loadConfig({ MESURE_READY_INBOX_MAX_AGE_S: '0' })).toThrow('MESURE_READY_INBOX_MAX_AGE_S must be a positive number, got "0".');
  // 90 s → 90 000 ms; the database bound is in milliseconds already.
  expect(loadConfig({ MESURE_READY_DB_TIMEOUT_MS: '250', MESURE_READY_INBOX_MAX_AGE_S: '90' }).readiness).toEqual({ databaseTimeoutMs: 250, inboxMaxAgeMs: 90_000 });
  expect(loadConfig({}).readiness).toEqual({ databaseTimeoutMs: 1000, inboxMaxAgeMs: 60_000 });
});

forEachEngineConcurrently('operations: version, dry run, refusal of a newer database', (engine: Engine) => {
  it('prints the version, lists pending migrations without applying them, and refuses a database a newer Mesure migrated', async ({ expect }) => {
    const tmp = tempDir('mesure-ops-cli-');
    const schema = `ops_${randomBytes(5).toString('hex')}`;
    const env: Record<string, string> =
      engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}`, MESURE_DEMO: '0' } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_DEMO: '0' };
    try {
      expect((await runCli(['--version'], env)).trim()).toBe(VERSION);

      const known = Object.keys(migrations).sort();
      const dry = await runCli(['migrate', '--dry-run'], env);
      expect(dry).toContain(`${known.length} migration(s) would be applied, in this order (dry run: nothing was applied):\n${known.map((n) => `  ${n}\n`).join('')}`);
      if (engine === 'postgres') expect(dry).toMatch(/^-- 2026_11_25_001_core\ncreate table "accounts" \(/m);
      else expect(dry).toContain('(The SQL is printed on PostgreSQL only.)');
      // Nothing was applied: the same list again, and `migrate` then applies every one.
      expect(await runCli(['migrate', '--dry-run'], env)).toBe(dry);
      expect(await runCli(['migrate'], env)).toBe(`Applied ${known.length} migration(s): ${known.join(', ')}\n`);
      expect(await runCli(['migrate', '--dry-run'], env)).toBe(`The database is up to date (Mesure ${VERSION}); nothing would be applied.\n`);

      // A newer Mesure's migration, recorded as Kysely records it.
      const future = '2099_01_01_000_from_the_future';
      if (engine === 'sqlite') {
        const db = new Database(join(tmp.dir, 'mesure.db'));
        db.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run(future, new Date().toISOString());
        db.close();
      } else {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`INSERT INTO ${schema}.kysely_migration (name, timestamp) VALUES ($1, $2)`, [future, new Date().toISOString()]);
        await c.end();
      }
      const refusal = new RegExp(`migrated by a newer Mesure: it records migration ${future}, which Mesure ${VERSION.replace(/\./g, '\\.')} does not know\\. Run the newer Mesure`);
      const serve = await startServerProcess(env).then((s) => s.kill().then(() => 'listened'), (e: Error) => e.message);
      expect(serve).toMatch(/exited with 1 before listening/);
      expect(serve).toMatch(refusal);
      await expect(runCli(['migrate', '--dry-run'], env)).rejects.toThrow(refusal);
      await expect(runCli(['migrate'], env)).rejects.toThrow(refusal);
    } finally {
      if (engine === 'postgres') await dropPgSchema(schema);
      tmp.remove();
    }
  }, 300_000);
});
