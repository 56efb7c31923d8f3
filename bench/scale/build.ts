// The scale account of `npm run bench:scale`: built by `mesure demo --scale N` in a child process (timed, its peak RSS
// read by /usr/bin/time -v, or sampled from /proc when that tool is missing), or reused when a complete one is there.
// "Complete" means its build record exists: written only after the demo command exited 0 — beside the SQLite file
// (`<db>.scale.json`) or as the comment of the PostgreSQL schema. A database without one is refused, never dropped.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { ROOT, withTestSecretKey } from '../support';

export interface Target {
  engine: 'sqlite' | 'postgres';
  /** SQLite: the database file. */
  db: string;
  /** PostgreSQL: the server's URL and the schema the account lives in. */
  pgUrl: string;
  pgSchema: string;
}

export interface BuildRecord {
  engine: 'sqlite' | 'postgres';
  scale: number;
  seed: number;
  now: string;
  accountId: string;
  apiKey: string;
  campaigns: number;
  messages: number;
  events: number;
  orders: number;
  /** Wall time of the whole `mesure demo` command (start, migrations, messages, events, orders). */
  seconds: number;
  /** PostgreSQL: the ANALYZE of the schema's tables after the demo (seconds), and whether the server runs autovacuum. */
  analyzeSeconds?: number;
  autovacuum?: boolean;
  /** Bytes the account took right after the build (storageBytes), before any benchmark wrote to it. */
  storageBytes?: number;
  peakRssKiB: number;
  builtAt: string;
  loadAverage: number[];
}

/** The environment a `mesure` process needs to open this target. */
export function targetEnv(t: Target): Record<string, string> {
  return t.engine === 'sqlite'
    ? { DATABASE_URL: `file:${t.db}`, MESURE_DEMO: '0' }
    : withTestSecretKey({ DATABASE_URL: t.pgUrl, MESURE_PG_SCHEMA: t.pgSchema, MESURE_DEMO: '0' });
}

async function withPg<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** The build record of a complete scale account, `null` when nothing is there; throws when something incomplete is. */
export async function readRecord(t: Target): Promise<BuildRecord | null> {
  if (t.engine === 'sqlite') {
    if (existsSync(`${t.db}.scale.json`)) return JSON.parse(readFileSync(`${t.db}.scale.json`, 'utf8')) as BuildRecord;
    if (existsSync(t.db)) throw new Error(`${t.db} exists but has no build record (${t.db}.scale.json): an interrupted build? Remove it (and its -wal, -shm) or name another --db.`);
    return null;
  }
  return withPg(t.pgUrl, async (c) => {
    const r = await c.query<{ comment: string | null }>('SELECT obj_description(oid, \'pg_namespace\') AS comment FROM pg_namespace WHERE nspname = $1', [t.pgSchema]);
    if (r.rows.length === 0) return null;
    const comment = r.rows[0].comment;
    if (!comment?.startsWith('{')) throw new Error(`schema ${t.pgSchema} exists but has no build record: an interrupted build? Drop it (DROP SCHEMA "${t.pgSchema}" CASCADE) or name another --pg-schema.`);
    return JSON.parse(comment) as BuildRecord;
  });
}

export async function writeRecord(t: Target, r: BuildRecord): Promise<void> {
  if (t.engine === 'sqlite') writeFileSync(`${t.db}.scale.json`, `${JSON.stringify(r, null, 2)}\n`);
  else await withPg(t.pgUrl, (c) => c.query(`COMMENT ON SCHEMA "${t.pgSchema.replace(/"/g, '')}" IS ${pg.escapeLiteral(JSON.stringify(r))}`));
}

/** Peak resident set of a process tree's root, sampled from /proc every 200 ms (when /usr/bin/time is missing). */
function sampleRss(pid: number): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // exited
    }
  }, 200);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** Runs `mesure demo --scale N --seed 42 --now <now>` on the target, timed; writes and returns its build record. */
export async function build(t: Target, scale: number, log: (s: string) => void): Promise<BuildRecord> {
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  const seed = 42;
  const args = [`${ROOT}/bin/mesure.js`, 'demo', '--scale', String(scale), '--seed', String(seed), '--now', now];
  const timeTool = existsSync('/usr/bin/time');
  const [cmd, argv] = timeTool ? ['/usr/bin/time', ['-v', process.execPath, ...args]] : [process.execPath, args];
  log(`Building: mesure demo --scale ${scale} --seed ${seed} --now ${now} (${t.engine === 'sqlite' ? t.db : `${t.pgUrl} schema ${t.pgSchema}`})`);
  const loadAverage = (await import('node:os')).loadavg();
  const t0 = performance.now();
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...targetEnv(t) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const peakSampled = timeTool ? () => 0 : sampleRss(child.pid!);
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d: Buffer) => {
    err += d;
    for (const line of d.toString().split('\n')) if (line.startsWith('demo ')) log(`  ${line.trim()}`);
  });
  const code = await new Promise<number | null>((ok) => child.on('exit', ok));
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`mesure demo exited with ${code}: ${err.slice(-2000)}`);
  const peakRssKiB = timeTool ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) : peakSampled();
  const m = /^account (\S+): (\d+) campaigns, ([\d,]+) messages, ([\d,]+) events, ([\d,]+) orders/m.exec(out);
  const apiKey = /^api key (\S+)$/m.exec(out)?.[1];
  if (!m || !apiKey) throw new Error(`unexpected output of mesure demo: ${out}`);
  const n = (s: string) => Number(s.replace(/,/g, ''));
  const record: BuildRecord = {
    engine: t.engine, scale, seed, now, accountId: m[1], apiKey, campaigns: n(m[2]), messages: n(m[3]), events: n(m[4]), orders: n(m[5]),
    seconds, peakRssKiB, builtAt: new Date().toISOString(), loadAverage,
  };
  if (t.engine === 'postgres') Object.assign(record, await analyze(t));
  record.storageBytes = await storageBytes(t);
  await writeRecord(t, record);
  return record;
}

/**
 * PostgreSQL: ANALYZE every table of the schema once the demo is loaded, as autovacuum does on a default server within
 * a minute of such a load. Without statistics (a server with autovacuum off, like the test machine's) the planner takes
 * the tables for empty and, for one, reads `messages` by provider id through only the first two columns of
 * messages_provider: every lookup then filters all of the provider's messages (517 ms for 500 ids at 240,000 messages,
 * 23 ms after ANALYZE), which no read or write path of a running server would face.
 */
export async function analyze(t: Target): Promise<{ analyzeSeconds: number; autovacuum: boolean }> {
  return withPg(t.pgUrl, async (c) => {
    const autovacuum = (await c.query<{ autovacuum: string }>('SHOW autovacuum')).rows[0].autovacuum === 'on';
    const t0 = performance.now();
    const tables = await c.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = $1", [t.pgSchema]);
    for (const { name } of tables.rows) await c.query(`ANALYZE "${t.pgSchema}"."${name}"`);
    return { analyzeSeconds: (performance.now() - t0) / 1000, autovacuum };
  });
}

/** Bytes the account takes: the SQLite file with its WAL, or every table of the schema with its indexes and TOAST. */
export async function storageBytes(t: Target): Promise<number> {
  if (t.engine === 'sqlite') return [t.db, `${t.db}-wal`].reduce((s, f) => s + (existsSync(f) ? statSync(f).size : 0), 0);
  return withPg(t.pgUrl, async (c) => {
    const r = await c.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm')`,
      [t.pgSchema],
    );
    return Number(r.rows[0].bytes);
  });
}
