// `npm run bench:ingest`: events per second through POST /v1/events on SQLite (real HTTP, validation, resolution,
// deduplication, answered after the COMMIT that stores them in the event log), and the same rows inserted by a bare
// better-sqlite3 loop in the same run, as the baseline. Then the time until the campaign's figures include every
// event (the ingestion worker applies them to messages and daily counts after answering; the API's next read for
// the account waits for that), checked against the counts the batches imply. Settings by environment: BENCH_MESSAGES (100000), BENCH_EVENTS (400000),
// BENCH_BATCH (10000), BENCH_CLIENTS (4), BENCH_SYNC (FULL, Mesure's setting; NORMAL to measure the alternative),
// BENCH_PROFILE (a file: writes a V8 CPU profile of the measured ingestion only, for Chrome DevTools),
// BENCH_PRAGMAS (e.g. "cache_size=-65536;wal_autocheckpoint=10000": applied to both connections, to try settings).
import { cpus, loadavg, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { bareSqliteInsert } from './bare-insert';
import { call, createCampaignWithMessages, eventBatch, fmt, pool, startInProcess } from './support';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 400_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 10_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const SYNC = (process.env.BENCH_SYNC ?? 'FULL').toUpperCase();
if (!['FULL', 'NORMAL'].includes(SYNC)) throw new Error('BENCH_SYNC must be FULL or NORMAL');
const PRAGMAS = (process.env.BENCH_PRAGMAS ?? '').split(';').map((p) => p.trim()).filter(Boolean);
if (PRAGMAS.some((p) => !/^[a-z_]+\s*=\s*-?\w+$/.test(p))) throw new Error('BENCH_PRAGMAS: name=value pairs separated by ;');

const log = (s: string) => process.stderr.write(`${s}\n`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
/** CPU seconds this process used since `c0` (user + system): unlike wall time, barely moved by other load. */
const cpuSeconds = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};

log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average ${loadavg().map((l) => fmt(l, 1)).join(' ')}`);
log(`Settings: ${fmt(MESSAGES)} messages, ${fmt(EVENTS)} events in batches of ${fmt(BATCH)} from ${CLIENTS} clients, synchronous=${SYNC}${PRAGMAS.length ? `, ${PRAGMAS.join(', ')}` : ''}`);

// ---------------------------------------------------------------- 1. Mesure through HTTP
const server = await startInProcess();
let mesureRate = 0;
let mesureCpu = 0;
let rows: unknown[][] = [];
let tableSql: string[] = [];
let cacheSize = -2000;
let appliedSeconds = 0;
let ackSeconds = 0;
try {
  if (SYNC !== 'FULL') server.mesure.db.sqlite!.pragma(`synchronous = ${SYNC}`);
  for (const p of PRAGMAS) server.mesure.db.sqlite!.pragma(p);
  let t0 = process.hrtime.bigint();
  const { campaignId, messageIds } = await createCampaignWithMessages(server.url, server.key, MESSAGES, {
    progress: (done, total) => log(`  registering messages ${fmt(done)} / ${fmt(total)}`),
  });
  log(`Registered ${fmt(MESSAGES)} messages in ${fmt(seconds(t0), 1)} s (setup, not measured)`);

  // Bodies are serialised before the clock starts: the clients share this process with the server.
  const now = Date.now();
  const batches = Math.ceil(EVENTS / BATCH);
  const bodies = Array.from({ length: batches }, (_, b) =>
    Buffer.from(JSON.stringify({ events: eventBatch(messageIds, b, Math.min(BATCH, EVENTS - b * BATCH), now) })),
  );
  let done = 0;
  const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const c0 = process.cpuUsage();
  t0 = process.hrtime.bigint();
  await pool(batches, CLIENTS, async (b) => {
    const r = await call(server.url, 'POST', '/v1/events', server.key, bodies[b]);
    const applied = (r.body as { applied?: number }).applied;
    if (r.status !== 200 || applied !== Math.min(BATCH, EVENTS - b * BATCH)) {
      throw new Error(`batch ${b}: HTTP ${r.status}, applied ${applied}: ${JSON.stringify(r.body).slice(0, 300)}`);
    }
    done += applied;
    if (b % 10 === 9) log(`  ${fmt(done)} / ${fmt(EVENTS)} events acknowledged`);
  });
  const elapsed = seconds(t0);
  mesureCpu = cpuSeconds(c0);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    profiler.disconnect();
  }
  mesureRate = EVENTS / elapsed;
  ackSeconds = elapsed;
  log(`Mesure: ${fmt(EVENTS)} events acknowledged in ${fmt(elapsed, 2)} s (CPU ${fmt(mesureCpu, 2)} s)`);

  // Until the figures include every event: the account's next read waits for what was acknowledged to be applied.
  const r = await call(server.url, 'GET', `/v1/campaigns/${campaignId}`, server.key);
  appliedSeconds = seconds(t0);
  const figures = (r.body as { figures?: Record<string, number> }).figures ?? {};
  // Each message receives sent, delivered, opened and clicked once over the passes (bench/support.ts eventBatch).
  const reached = Math.min(MESSAGES, Math.floor(EVENTS / 4));
  const expected = EVENTS % (4 * MESSAGES) === 0 ? { sent: reached, delivered: reached, opened: reached, clicked: reached } : null;
  const got = { sent: figures.sent, delivered: figures.delivered, opened: figures.opened, clicked: figures.clicked };
  if (r.status !== 200 || (expected && JSON.stringify(got) !== JSON.stringify(expected))) {
    throw new Error(`campaign figures after ingestion: HTTP ${r.status}, ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
  }
  log(`Applied to messages and daily counts ${fmt(appliedSeconds - elapsed, 2)} s later: figures ${JSON.stringify(got)}${expected ? ' as expected' : ''}`);

  // The exact rows Mesure stored, and the DDL of its events table and indexes, for the baseline (not its triggers: they
  // keep the campaign page's rollups, work a bare insert loop does not do, and name tables the baseline has not).
  const sqlite = server.mesure.db.sqlite!;
  rows = sqlite.prepare('SELECT * FROM events ORDER BY rowid').raw().all() as unknown[][];
  cacheSize = sqlite.pragma('cache_size', { simple: true }) as number;
  tableSql = (sqlite.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC").pluck().all() as string[]);
  if (rows.length !== EVENTS) throw new Error(`expected ${EVENTS} stored events, found ${rows.length}`);
} finally {
  await server.close();
}

// ---------------------------------------------------------------- 2. Bare better-sqlite3 loop, same rows
// The page cache Mesure's connection has, so that only the work differs.
const bare = bareSqliteInsert(rows, { tableSql, cacheSize, batch: BATCH, sync: SYNC, pragmas: PRAGMAS });
const bareRate = bare.rows / bare.seconds;
const bareCpu = bare.cpuSeconds;
log(`Bare loop: ${fmt(rows.length)} rows in ${fmt(bare.seconds, 2)} s (CPU ${fmt(bareCpu, 2)} s)`);

// ---------------------------------------------------------------- 3. Report
const us = (cpu: number, n: number) => fmt((cpu / n) * 1e6, 1);
const table: string[][] = [
  ['Path', 'events/s', 'CPU µs/event', 'notes'],
  ['POST /v1/events (Mesure)', fmt(mesureRate), us(mesureCpu, EVENTS), `answered after COMMIT to the event log: HTTP + validation + resolution + dedupe`],
  ['… and applied (figures current)', fmt(EVENTS / appliedSeconds), '', `message state + daily counts + hooks, ${fmt(appliedSeconds - ackSeconds, 1)} s after the last answer`],
  ['bare better-sqlite3 INSERT', fmt(bareRate), us(bareCpu, rows.length), `same ${fmt(rows.length)} rows, same table and indexes, transactions of ${fmt(BATCH)}`],
  ['ratio Mesure / bare', fmt(mesureRate / bareRate, 2), fmt(bareCpu / rows.length / (mesureCpu / EVENTS), 2), `aim ≥ 0.50 and ≥ 50,000 events/s (synchronous=${SYNC})`],
];
const w = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
const line = (r: string[]) => `| ${r.map((cell, c) => (c === 1 || c === 2 ? cell.padStart(w[c]) : cell.padEnd(w[c]))).join(' | ')} |`;
const rule = `|${w.map((n, c) => (c === 1 || c === 2 ? `${'-'.repeat(n + 1)}:` : '-'.repeat(n + 2))).join('|')}|`;
process.stdout.write(`\n${line(table[0])}\n${rule}\n${table.slice(1).map(line).join('\n')}\n`);
