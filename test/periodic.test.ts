// Periodic work across nodes (src/services/periodic.ts): two nodes ticking on one database run each period once, and a
// run whose holder died (its row claimed, never finished, lease lapsed) is taken over by another node within the bound.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Db } from '../src/store/db';

const listJobRuns = (h: Db['kysely'], job: string) => h.selectFrom('job_runs').selectAll().where('job', '=', job).orderBy('period').execute();
import { PeriodicJob } from '../src/services/periodic';
import { dropPgSchema, forEachEngine, PG_URL, type Engine } from './support';

forEachEngine('periodic jobs across nodes', (engine: Engine) => {
  let db: Db;
  let other: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    if (engine === 'postgres') {
      const schema = `periodic_${randomBytes(5).toString('hex')}`;
      db = await openDatabase(PG_URL, { schema, poolSize: 2 });
      other = await openDatabase(PG_URL, { schema, poolSize: 2 });
      done = () => dropPgSchema(schema);
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'mesure-periodic-'));
      db = await openDatabase(`file:${join(dir, 'm.db')}`);
      other = await openDatabase(`file:${join(dir, 'm.db')}`);
      done = async () => rmSync(dir, { recursive: true, force: true });
    }
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db.close();
    await other.close();
    await done();
  });

  it('runs each period once whichever of two nodes ticks first', async () => {
    const ran: string[] = [];
    const job = (node: string, h: Db) => new PeriodicJob({
      db: h, job: 'twice', periodMs: 200, tickMs: 20, firstTickMs: 0, node, clock: Date.now,
      run: async () => { ran.push(node); },
    });
    const a = job('a', db).start();
    const b = job('b', other).start();
    await new Promise((r) => setTimeout(r, 1300));
    await a.stop();
    await b.stop();
    const runs = await listJobRuns(db.kysely, 'twice');
    // 1.3 s of 200 ms periods: 6 or 7 periods touched (7 when the start fell late in one), each run once by one node.
    expect(runs.length).toBeGreaterThanOrEqual(6);
    expect(ran.length).toBe(runs.length);
    expect(runs.every((r) => r.attempts === 1 && r.finished_at !== null)).toBe(true);
    // No period skipped: consecutive period starts, 200 ms apart.
    expect(runs.map((r) => r.period - runs[0].period)).toEqual(runs.map((_, i) => i * 200));
  });

  it('takes over a run whose holder died once its lease lapses, and not before', async () => {
    const periodMs = 60_000;
    const period = Math.floor(Date.now() / periodMs) * periodMs;
    // A node claimed this minute's run, then died: its lease ends 400 ms from now, and it never finishes.
    const leaseEnd = Date.now() + 400;
    await db.kysely.insertInto('job_runs').values({ job: 'orphan', period, node: 'dead', started_at: Date.now(), lease_until: leaseEnd, finished_at: null, attempts: 1 }).execute();
    let ranAt = 0;
    const b = new PeriodicJob({
      db: other, job: 'orphan', periodMs, tickMs: 50, firstTickMs: 0, leaseMs: 1000, node: 'b', clock: Date.now,
      run: async () => { ranAt = Date.now(); },
    }).start();
    // Bound: the lease's end plus one tick (50 ms); allow the loaded machine 1 s more to run it.
    for (let i = 0; i < 60 && !ranAt; i++) await new Promise((r) => setTimeout(r, 50));
    await b.stop();
    expect(ranAt).toBeGreaterThan(leaseEnd);
    expect(ranAt - leaseEnd).toBeLessThan(50 + 1000);
    const [run] = await listJobRuns(db.kysely, 'orphan');
    expect(run).toMatchObject({ node: 'b', attempts: 2 });
    expect(run.finished_at).not.toBeNull();
  });
});
