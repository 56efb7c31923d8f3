// Backups and restore, tested as deployed (issue #23 point 1): `mesure serve` over HTTP, the CLI as an operator runs it,
// and on PostgreSQL the machine's own pg_dump/pg_restore. A backup taken while events and clicks keep arriving, restored
// into a fresh instance, holds every item acknowledged before it began and its figures are those of the source at that
// point; a SIGKILL during a backup leaves nothing under the final name; restore refuses while a server runs and keeps the
// replaced file; scheduled backups keep the newest N.
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { describe, it } from 'vitest';
import { dropPgSchema, forEachEngineConcurrently, PG_URL } from './support';
import { call, callOk, createAccountWithCli, ROOT, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const BIN = join(ROOT, 'bin/mesure.js');
const HUMAN = { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/124.0 Mobile Safari/537.36' };

/** `mesure <args>` with its exit status and both outputs, whatever the status. */
function cli(args: string[], env: Record<string, string>, onStderr?: (text: string, child: ReturnType<typeof spawn>) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((ok) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, MESURE_DEMO: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => ok({ code, signal, stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Figures { sent: number; delivered: number; clicked: number; totalClicks: number }

// The two engines' drills run side by side (each its own directory, database and ports); then the SQLite cases below,
// side by side too. Not all four at once: on a loaded two-core machine four process starts at a time outlast their bound.
forEachEngineConcurrently('backup and restore drill during sustained ingestion', (engine) => {
  it('restores into a fresh instance every item acknowledged before the backup began, with the figures of the source at that point', async ({ expect }) => {
    const tmp = tempDir('mesure-backup-');
    const schema = `bk_${randomBytes(5).toString('hex')}`;
    const restoredDb = `bkr_${randomBytes(5).toString('hex')}`;
    const env: Record<string, string> =
      engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'source', 'mesure.db')}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    const restoredEnv: Record<string, string> =
      engine === 'sqlite'
        ? { DATABASE_URL: `file:${join(tmp.dir, 'restored', 'mesure.db')}` }
        : { DATABASE_URL: PG_URL.replace(/\/[^/]*$/, `/${restoredDb}`), MESURE_PG_SCHEMA: schema };
    const backupFile = join(tmp.dir, engine === 'sqlite' ? 'mesure-backup.db' : 'mesure.dump');
    let source: ServerProcess | undefined;
    let restored: ServerProcess | undefined;
    let stop = false;
    try {
      const { key } = await createAccountWithCli(env, 'Backup shop');
      source = await startServerProcess({ ...env, MESURE_PUBLIC_URL: 'http://mesure.test' });
      const src = source;
      const api = <T = any>(url: string, method: string, path: string, body?: unknown) => callOk<T>(url, method, path, key, body);

      // Campaign A: its messages are sent and delivered one request after another during the drill (message k by
      // request k). Campaign B: sent and delivered two hours ago, its tracked links clicked one after another (message
      // j by click j), so that every click is a human's (not within 5 s of delivery, one link per message).
      const now = Date.now();
      const A = 3_000;
      const B = 3_000;
      const a = await api<{ id: string }>(src.url, 'POST', '/v1/campaigns', { name: 'A', channel: 'email' });
      const aIds = (await api<{ messages: { index: number; messageId: string }[] }>(src.url, 'POST', `/v1/campaigns/${a.id}/messages`, {
        messages: Array.from({ length: A }, (_, k) => ({ recipient: { email: `a${k}@example.org` } })),
      })).messages.sort((x, y) => x.index - y.index).map((m) => m.messageId);
      const b = await api<{ id: string }>(src.url, 'POST', '/v1/campaigns', { name: 'B', channel: 'email' });
      const bIds = (await api<{ messages: { index: number; messageId: string }[] }>(src.url, 'POST', `/v1/campaigns/${b.id}/messages`, {
        messages: Array.from({ length: B }, (_, j) => ({ recipient: { email: `b${j}@example.org` } })),
      })).messages.sort((x, y) => x.index - y.index).map((m) => m.messageId);
      await api(src.url, 'POST', `/v1/campaigns/${b.id}/links`, { destinations: ['https://shop.example/soldes'] });
      const issued = await api<{ messages: { messageId: string; links: { trackedUrl: string }[] }[] }>(src.url, 'POST', `/v1/campaigns/${b.id}/links/issue`, { all: true, limit: 5000 });
      expect(issued.messages).toHaveLength(B);
      const linkOf = new Map(issued.messages.map((m) => [m.messageId, new URL(m.links[0].trackedUrl).pathname]));
      await api(src.url, 'POST', '/v1/events', {
        events: bIds.flatMap((messageId, j) => [
          { type: 'sent', messageId, at: new Date(now - 2 * 3_600_000 + j).toISOString() },
          { type: 'delivered', messageId, at: new Date(now - 2 * 3_600_000 + 60_000 + j).toISOString() },
        ]),
      });

      // Two sequential streams, paced so that neither runs out of messages before the drill ends; `acked*` counts what the server answered 2xx (events) or 302 (clicks), with the time.
      const PACE_MS = 5;
      const eventAcks: number[] = [];
      const clickAcks: number[] = [];
      const events = (async () => {
        for (let k = 0; !stop && k < A; k++) {
          const r = await call(src.url, 'POST', '/v1/events', key, {
            events: [
              { type: 'sent', messageId: aIds[k], at: new Date(now - 3_600_000 + k * 10).toISOString() },
              { type: 'delivered', messageId: aIds[k], at: new Date(now - 3_600_000 + k * 10 + 5).toISOString() },
            ],
          });
          if (r.status !== 200) throw new Error(`POST /v1/events answered ${r.status}: ${JSON.stringify(r.body)}`);
          eventAcks.push(Date.now());
          await sleep(PACE_MS);
        }
      })();
      const clicks = (async () => {
        for (let j = 0; !stop && j < B; j++) {
          const r = await fetch(`${src.url}${linkOf.get(bIds[j])}`, { redirect: 'manual', headers: HUMAN });
          if (r.status !== 302) throw new Error(`a click answered ${r.status}`);
          clickAcks.push(Date.now());
          await sleep(PACE_MS);
        }
      })();
      // A stream that fails is reported where it is awaited, below.
      events.catch(() => {});
      clicks.catch(() => {});
      while (eventAcks.length < 30 || clickAcks.length < 30) await Promise.race([sleep(20), events, clicks]);

      // The backup, while both streams go on. It must hold everything acknowledged before its snapshot (which `mesure
      // backup` names; at least everything acknowledged before the command began). An event's 200 comes after it is on
      // disk: every one answered before counts. A 302 is answered before its click is written (the click waits ~10 ms
      // in memory for its group commit, docs/TRACKING.md): a click counts when it was answered 250 ms before.
      const began = Date.now();
      let snapshotAt = began;
      if (engine === 'sqlite') {
        // Slowed down (test hook) so that the copy spans a good many commits of both streams.
        const r = await cli(['backup', '--out', backupFile], { ...env, MESURE_BACKUP_TEST_STEP_DELAY_MS: '20' });
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/backup +100 %/);
        expect(r.stdout).toMatch(/integrity: ok/);
        // The moment the copy stands for: a little after the command began (it starts up first), before it ended.
        snapshotAt = Date.parse(/^ +snapshot: the database as it stood at (\S+)$/m.exec(r.stdout)?.[1] ?? '');
        expect(snapshotAt).toBeGreaterThanOrEqual(began);
        expect(snapshotAt).toBeLessThanOrEqual(Date.now());
        expect(r.stdout).toMatch(/schema: \d+ migration\(s\), the same as this Mesure/);
        expect(r.stdout).toMatch(/^ +accounts +1$/m);
        expect(r.stdout).toMatch(new RegExp(`^ +campaigns +2$`, 'm'));
        expect(r.stdout).toMatch(new RegExp(`^ +messages +${(A + B).toLocaleString('en')}$`, 'm'));
      } else {
        // `mesure backup` on PostgreSQL prints the procedure and exits 2; the procedure itself, with the machine's tools.
        const r = await cli(['backup', '--out', backupFile], env);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('pg_dump --format=custom');
        await run(join(PG_BIN, 'pg_dump'), ['--format=custom', `--schema=${schema}`, `--file=${backupFile}`, PG_URL]);
      }
      const ended = Date.now();
      const countAt = (acks: number[], t: number) => acks.filter((x) => x <= t).length;
      // pg_dump does not say when its snapshot was taken: on PostgreSQL, when the command began.
      const K0 = countAt(eventAcks, snapshotAt);
      const C0 = countAt(clickAcks, snapshotAt - 250);
      const K1 = countAt(eventAcks, ended);
      const C1 = countAt(clickAcks, ended);
      // The backup spanned ingestion: items were acknowledged while it ran.
      expect(K1).toBeGreaterThan(K0);
      expect(C1).toBeGreaterThan(C0);
      stop = true;
      await Promise.all([events, clicks]);
      const Kend = eventAcks.length;
      const Cend = clickAcks.length;
      expect(Kend).toBeLessThan(A);
      expect(Cend).toBeLessThan(B);

      // Figures, by hand: B's messages were all sent and delivered; k events requests sent and delivered A's first k;
      // c clicks clicked B's first c messages once each. So, for the account: sent = delivered = B + k,
      // clicked = totalClicks = c; campaign A: sent = delivered = k, clicked 0; campaign B: sent = delivered = B, clicked = c.
      const period = `from=${isoDay(now - 2 * 86_400_000)}&to=${isoDay(now + 86_400_000)}`;
      const figuresOf = async (url: string) => {
        const pick = (f: Figures) => ({ sent: f.sent, delivered: f.delivered, clicked: f.clicked, totalClicks: f.totalClicks });
        const overview = await api<{ figures: Figures }>(url, 'GET', `/v1/overview?${period}`);
        const ca = await api<{ figures: Figures }>(url, 'GET', `/v1/campaigns/${a.id}`);
        const cb = await api<{ figures: Figures }>(url, 'GET', `/v1/campaigns/${b.id}`);
        return { overview: pick(overview.figures), a: pick(ca.figures), b: pick(cb.figures) };
      };
      const expected = (k: number, c: number) => ({
        overview: { sent: B + k, delivered: B + k, clicked: c, totalClicks: c },
        a: { sent: k, delivered: k, clicked: 0, totalClicks: 0 },
        b: { sent: B, delivered: B, clicked: c, totalClicks: c },
      });
      // The source once every acknowledged item is applied (clicks are applied moments after their 302).
      await expect.poll(() => figuresOf(src.url), { timeout: 60_000, interval: 250 }).toEqual(expected(Kend, Cend));

      // Restore into a fresh instance, the source's server still running (it is another database).
      if (engine === 'sqlite') {
        const r = await cli(['restore', backupFile], restoredEnv);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('there was no database before');
      } else {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${restoredDb}`);
        await admin.end();
        await run(join(PG_BIN, 'pg_restore'), ['--no-owner', '--exit-on-error', `--dbname=${restoredEnv.DATABASE_URL}`, backupFile]);
      }
      restored = await startServerProcess({ ...restoredEnv, MESURE_PUBLIC_URL: 'http://mesure.test' });

      // What the backup holds: a prefix of each stream (they are sequential and the copy is one snapshot), at least
      // everything acknowledged before it began and nothing acknowledged after it ended; read from the CSV export.
      const exportOf = async (id: string) => {
        const r = await fetch(`${restored!.url}/v1/campaigns/${id}/export.csv`, { headers: { authorization: `Bearer ${key}` } });
        expect(r.status).toBe(200);
        return parse(await r.text(), { columns: true }) as Record<string, string>[];
      };
      const prefixLength = (rows: Record<string, string>[], letter: string, column: string) => {
        const done = rows.map((row) => [Number(row.recipient.slice(1).split('@')[0]), row[column] !== ''] as const).filter(([, d]) => d).map(([i]) => i).sort((x, y) => x - y);
        expect(done, `${letter}: a prefix`).toEqual(done.map((_, i) => i));
        return done.length;
      };
      const observe = async () => {
        const K = prefixLength(await exportOf(a.id), 'a', 'deliveredAt');
        const C = prefixLength(await exportOf(b.id), 'b', 'clickedAt');
        return { K, C, figures: await figuresOf(restored!.url), expected: expected(K, C) };
      };
      // The inbox the backup holds (acknowledged, not yet applied) is applied by the restored server after its start.
      await expect.poll(async () => {
        const o = await observe();
        return JSON.stringify(o.figures) === JSON.stringify(o.expected);
      }, { timeout: 60_000, interval: 250 }).toBe(true);
      const { K, C, figures, expected: want } = await observe();
      expect(figures).toEqual(want);
      console.log(`backup drill [${engine}]: acknowledged before the snapshot ${K0} event requests and ${C0} clicks, by its end ${K1} and ${C1}; the restored copy holds ${K} and ${C}`);
      expect(K).toBeGreaterThanOrEqual(K0);
      expect(K).toBeLessThanOrEqual(K1);
      expect(C).toBeGreaterThanOrEqual(C0);
      expect(C).toBeLessThanOrEqual(C1);
    } finally {
      stop = true;
      await source?.stop();
      await restored?.stop();
      if (engine === 'postgres') {
        await dropPgSchema(schema);
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${restoredDb}`);
        await admin.end();
      }
      tmp.remove();
    }
  }, 420_000);
});

describe('backup and restore on SQLite: interruptions and refusals', () => {
  it.concurrent('a SIGKILL during a backup leaves nothing under the final name; restore refuses while serving and keeps the replaced file', async ({ expect }) => {
    const tmp = tempDir('mesure-backup-kill-');
    const dbFile = join(tmp.dir, 'mesure.db');
    const env = { DATABASE_URL: `file:${dbFile}` };
    const out = join(tmp.dir, 'backup.db');
    let server: ServerProcess | undefined;
    try {
      const first = await createAccountWithCli(env, 'First shop');
      server = await startServerProcess(env);

      // Killed once it has reported some progress and before it is done (8 pages a step, 200 ms between steps).
      const killed = await cli(['backup', '--out', out], { ...env, MESURE_BACKUP_TEST_STEP_DELAY_MS: '200' }, (text, child) => {
        if (/backup +\d+ %/.test(text) && !/100 %/.test(text)) child.kill('SIGKILL');
      });
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.stderr).not.toMatch(/100 %/);
      expect(existsSync(out)).toBe(false);
      // The next backup to the same name succeeds and removes what the killed one left.
      const again = await cli(['backup', '--out', out], env);
      expect(again.code, again.stderr).toBe(0);
      expect(readdirSync(tmp.dir).filter((n) => n.includes('.partial-'))).toEqual([]);
      // An existing file is not replaced without --force.
      const exists = await cli(['backup', '--out', out], env);
      expect(exists.code).toBe(1);
      expect(exists.stderr).toContain('already exists');

      // A second shop is created after the backup: the live database has 2 accounts, the backup 1.
      const second = await createAccountWithCli(env, 'Second shop');
      const refused = await cli(['restore', out], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`A Mesure server is running on .*mesure\\.db \\(pid ${server.child.pid}\\)`));
      expect((await call(server.url, 'GET', '/v1/account', second.key)).status).toBe(200);
      expect(readdirSync(tmp.dir).filter((n) => n.includes('.replaced-'))).toEqual([]);

      // A file that is not a backup is refused before anything changes.
      const junk = join(tmp.dir, 'junk.db');
      writeFileSync(junk, 'not a database at all, just some text that is long enough to have a header');
      await server.stop();
      server = undefined;
      const bad = await cli(['restore', junk], env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/not a readable SQLite database/);
      // A backup written by a newer Mesure (it records a migration this one does not know) is refused, naming it.
      const newer = join(tmp.dir, 'newer.db');
      copyFileSync(out, newer);
      const n = new Database(newer);
      n.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('2099_01_01_000_future', '2099-01-01T00:00:00.000Z')").run();
      n.close();
      const refusedNewer = await cli(['restore', newer], env);
      expect(refusedNewer.code).toBe(1);
      expect(refusedNewer.stderr).toMatch(/written by a newer Mesure: it records migration 2099_01_01_000_future/);
      expect(readdirSync(tmp.dir).filter((n) => n.includes('.replaced-'))).toEqual([]);

      const done = await cli(['restore', out], env);
      expect(done.code, done.stderr).toBe(0);
      const replaced = readdirSync(tmp.dir).filter((n) => /^mesure\.db\.replaced-\d{4}-\d\d-\d\dT[\d-]+\.\d+Z$/.test(n));
      expect(replaced).toHaveLength(1);
      expect(done.stdout).toContain(`kept as ${join(tmp.dir, replaced[0])}`);
      const accountsIn = (file: string) => {
        const db = new Database(file, { readonly: true });
        try {
          return (db.prepare('SELECT name FROM accounts ORDER BY name').all() as { name: string }[]).map((r) => r.name);
        } finally {
          db.close();
        }
      };
      expect(accountsIn(join(tmp.dir, replaced[0]))).toEqual(['First shop', 'Second shop']);
      server = await startServerProcess(env);
      expect((await call(server.url, 'GET', '/v1/account', first.key)).status).toBe(200);
      expect((await call(server.url, 'GET', '/v1/account', second.key)).status).toBe(401);
    } finally {
      await server?.stop();
      tmp.remove();
    }
  }, 300_000);

  it.concurrent('scheduled backups: taken while serving, the newest MESURE_BACKUP_KEEP kept, each one whole', async ({ expect }) => {
    const tmp = tempDir('mesure-backup-schedule-');
    const env = { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}` };
    const dir = join(tmp.dir, 'backups');
    let server: ServerProcess | undefined;
    try {
      await createAccountWithCli(env, 'Scheduled shop');
      // 0.0005 h = 1.8 s between backups; keep 2.
      server = await startServerProcess({ ...env, MESURE_BACKUP_DIR: dir, MESURE_BACKUP_INTERVAL_H: '0.0005', MESURE_BACKUP_KEEP: '2' });
      await expect.poll(() => server!.stderr().match(/scheduled backup written/g)?.length ?? 0, { timeout: 150_000, interval: 250 }).toBeGreaterThanOrEqual(3);
      await server.stop();
      server = undefined;
      const files = readdirSync(dir);
      expect(files).toHaveLength(2);
      for (const f of files) {
        expect(f).toMatch(/^mesure-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.db$/);
        const db = new Database(join(dir, f), { readonly: true });
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare('SELECT name FROM accounts').all()).toEqual([{ name: 'Scheduled shop' }]);
        db.close();
      }
      // A bad setting stops the start with a message saying what to do.
      await expect(startServerProcess({ ...env, MESURE_BACKUP_DIR: dir, MESURE_BACKUP_KEEP: '0' })).rejects.toThrow(/MESURE_BACKUP_KEEP must be a whole number/);
    } finally {
      await server?.stop();
      tmp.remove();
    }
  }, 240_000);
});
