// `npm run bench:redirect`: the tracked-link redirect (GET /l/<token>) under autocannon with per-recipient
// tokens, against a bare node:http server answering the same 302 (the baseline). Each server runs in its own child
// process so the load generator does not share its event loop. The two are loaded in alternating rounds (bare,
// Mesure, bare, Mesure…) so that the machine's load, which moves a lot on a shared 2-core machine, weighs on both
// alike; before each bare round Mesure finishes applying what waits in its inbox, so its background work never runs
// during the baseline. Prints requests/s, p50/p99 latency and the ratio; then p99 at half of Mesure's maximum rate;
// then checks that every answered click is in the database. Also measures the answer-after-commit mode.
// Settings by environment: BENCH_MESSAGES (40000; two destinations each: 80,000 tokens, so that most clicks are a
// token's first or second, as in a real campaign where each recipient taps once), BENCH_SECONDS (4 a round), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (50), BENCH_PROFILE (a directory: each server process writes a V8 CPU profile there).
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { measured } from './cpu';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 40_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const DESTINATION = 'https://shop.example/soldes?ref=sms';
const log = (s: string) => process.stderr.write(`${s}\n`);

type Reply = { type: 'ready'; port: number; tokens: string[] } | { type: 'drained'; stored: number; stats: Record<string, number> };

// ------------------------------------------------------------------ children
async function childMesure(ackAfterCommit: boolean): Promise<void> {
  const { startInProcess } = await import('./support');
  const { Tracking } = await import('../src/services/tracking');
  const { trackingRoutes } = await import('../src/http/routes/tracking');
  const { buildApp } = await import('../src/http/app');
  const server = await startInProcess({ MESURE_PUBLIC_URL: 'http://127.0.0.1' });
  const { mesure, accountId } = server;
  const d = mesure.deps;
  const campaign = await d.campaigns.create(accountId, { name: 'Soldes de printemps', channel: 'sms' });
  const now = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < MESSAGES; i += 5000) {
    const items = Array.from({ length: Math.min(5000, MESSAGES - i) }, (_, k) => ({ recipient: { phone: `+336${String(10_000_000 + i + k)}` }, registeredAt: now - 3_600_000 }));
    const r = await d.ingestor.register(accountId, campaign.id, items);
    if (!r.ok) throw new Error(r.message);
    ids.push(...r.value.map((m) => m.messageId));
    const ev = await d.ingestor.ingest(accountId, r.value.flatMap((m) => [
      { type: 'sent' as const, at: now - 3_600_000, ref: { kind: 'id' as const, messageId: m.messageId } },
      { type: 'delivered' as const, at: now - 3_590_000, ref: { kind: 'id' as const, messageId: m.messageId } },
    ]));
    if (!ev.ok) throw new Error(ev.message);
  }
  let tracking = d.tracking;
  let app = mesure.app;
  if (ackAfterCommit) {
    // The same routes over a Tracking that answers only after COMMIT.
    tracking = new Tracking(mesure.db, d.writer, d.ingestor, d.accounts, { publicUrl: 'http://127.0.0.1', ackAfterCommit: true });
    tracking.offload = d.tracking.offload; // the same ingestion worker (SQLite) as the product's own Tracking
    app = await buildApp({ ...d, tracking }, [trackingRoutes]);
    await app.listen({ port: 0, host: '127.0.0.1' });
  }
  await tracking.registerDestinations(accountId, campaign.id, [DESTINATION, 'https://shop.example/nouveautes']);
  const tokens: string[] = [];
  for (let cursor: string | undefined, more = true; more; ) {
    const r = await tracking.issue(accountId, campaign.id, { all: true, cursor, limit: 5000 });
    if (!r.ok) throw new Error(r.message);
    for (const m of r.value.messages) tokens.push(...m.links.map((l) => l.token));
    cursor = r.value.nextCursor ?? undefined;
    more = cursor !== undefined;
  }
  const port = (app.server.address() as { port: number }).port;
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'drain') {
      await tracking.flush();
      const r = await mesure.db.kysely.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'clicked').executeTakeFirst();
      process.send!({ type: 'drained', stored: Number(r?.n ?? 0), stats: { ...tracking.stats, ...Object.fromEntries(Object.entries(d.writer.stats).map(([k, v]) => [`writer.${k}`, v])) } } satisfies Reply);
    } else if (msg.type === 'exit') {
      if (app !== mesure.app) await app.close();
      await server.close();
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', port, tokens } satisfies Reply);
}

function childBare(): void {
  const headers = {
    location: `${DESTINATION}&utm_source=mesure&utm_medium=sms&utm_campaign=soldes-de-printemps&mesure_cid=AAAAAAAAAAAAAAAA`,
    'cache-control': 'no-store, no-cache, must-revalidate, private, max-age=0',
    pragma: 'no-cache',
    expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
    'content-type': 'text/plain; charset=utf-8',
  };
  const server = createServer((req, res) => {
    res.writeHead(302, headers);
    res.end(`Redirecting to ${headers.location}`);
  });
  server.listen(0, '127.0.0.1', () => process.send!({ type: 'ready', port: (server.address() as { port: number }).port, tokens: [] } satisfies Reply));
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'exit') server.close(() => process.exit(0));
  });
}

// ------------------------------------------------------------------ parent
function start(kind: string): Promise<{ child: ChildProcess; port: number; tokens: string[] }> {
  // BENCH_PROFILE=<dir>: each server process writes a V8 CPU profile there (threads included).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(fileURLToPath(import.meta.url), [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...profile] });
  return new Promise((ok, ko) => {
    child.once('message', (m: Reply) => (m.type === 'ready' ? ok({ child, port: m.port, tokens: m.tokens }) : ko(new Error('unexpected message'))));
    child.once('exit', (code) => ko(new Error(`${kind} exited with ${code}`)));
  });
}

function ask(child: ChildProcess, type: string): Promise<Reply> {
  return new Promise((ok) => {
    child.once('message', (m: Reply) => ok(m));
    child.send({ type });
  });
}

interface Run {
  rps: number;
  /** 302s received: what CPU per request is divided by. */
  ok: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Where each server's token cycle stands: rounds go on through the tokens instead of starting over. */
const cursors = new Map<number, number>();

async function load(port: number, tokens: string[], opts: { overallRate?: number; seconds?: number } = {}): Promise<Run> {
  let i = cursors.get(port) ?? 0;
  const paths = tokens.length ? tokens.map((t) => `/l/${t}`) : ['/l/AAAAAAAAAAAA'];
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: opts.seconds ?? SECONDS,
    overallRate: opts.overallRate,
    headers: { 'user-agent': CHROME },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  cursors.set(port, i);
  const codes = r as unknown as { '3xx': number; errors: number; timeouts: number };
  return { rps: r.requests.average, ok: codes['3xx'], p50: r.latency.p50, p99: r.latency.p99, errors: codes.errors + codes.timeouts };
}

function shuffle<T>(a: T[]): T[] {
  let s = 42;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });
  const line = (name: string, r: Run) => log(`  ${name.padEnd(34)} ${fmt(r.rps).padStart(8)} req/s   p50 ${fmt(r.p50, 1).padStart(6)} ms   p99 ${fmt(r.p99, 1).padStart(6)} ms   302s ${fmt(r.ok)}${r.errors ? `   errors ${r.errors}` : ''}`);
  log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`);
  log(`Settings: ${fmt(MESSAGES)} messages × 2 destinations = ${fmt(MESSAGES * 2)} tokens, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s a server, SQLite (synchronous=FULL)`);

  const bare = await start('child-bare');
  const m = await start('child-mesure');
  const tokens = shuffle(m.tokens);
  log(`Setup done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const bareRounds: Run[] = [];
  const maxRounds: Run[] = [];
  let drainMs = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    // Mesure applies what its last round left in the inbox before the baseline runs (timed apart).
    const t = Date.now();
    await ask(m.child, 'drain');
    drainMs += Date.now() - t;
    const b = await measured(bare.child.pid!, () => load(bare.port, []));
    const r = await measured(m.child.pid!, () => load(m.port, tokens));
    bareRounds.push(b);
    maxRounds.push(r);
    const cpu = (x: typeof b) => (x.serverCpuUs === undefined ? '' : `${fmt(x.serverCpuUs)} µs (main thread ${fmt(x.mainCpuUs ?? 0)})`);
    log(`  round ${round}/${ROUNDS}: bare ${fmt(b.rps)} req/s, Mesure ${fmt(r.rps)} req/s (${fmt((r.rps / b.rps) * 100, 1)} %); server CPU per redirect: bare ${cpu(b)}, Mesure ${cpu(r)}; autocannon ${fmt(b.loadCpuUs)} / ${fmt(r.loadCpuUs)} µs`);
  }
  bare.child.send({ type: 'exit' });
  const combine = (runs: Run[]): Run => ({
    rps: runs.reduce((n, r) => n + r.rps, 0) / runs.length,
    p50: [...runs.map((r) => r.p50)].sort((a, b) => a - b)[Math.floor(runs.length / 2)],
    p99: Math.max(...runs.map((r) => r.p99)),
    ok: runs.reduce((n, r) => n + r.ok, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  });
  const baseline = combine(bareRounds);
  const max = combine(maxRounds);
  line('bare node:http 302 (baseline)', baseline);
  line('Mesure /l/<token>, maximum rate', max);
  const t1 = Date.now();
  await ask(m.child, 'drain');
  drainMs += Date.now() - t1;
  log(`  (Mesure applied the clicks waiting in its inbox in ${fmt(drainMs / 1000, 1)} s in all, between rounds, not timed)`);
  const half = await load(m.port, tokens, { overallRate: Math.round(max.rps / 2), seconds: SECONDS * ROUNDS });
  line(`Mesure at half its maximum (${fmt(max.rps / 2)}/s)`, half);
  const drained = (await ask(m.child, 'drain')) as Extract<Reply, { type: 'drained' }>;
  m.child.send({ type: 'exit' });

  const ack = await start('child-mesure-ack');
  const ackMax = await load(ack.port, shuffle(ack.tokens));
  line('answer-after-commit mode, maximum', ackMax);
  const ackDrained = (await ask(ack.child, 'drain')) as Extract<Reply, { type: 'drained' }>;
  ack.child.send({ type: 'exit' });

  const answered = max.ok + half.ok;
  log(`Rates are the mean of ${ROUNDS} alternating rounds of ${SECONDS} s; p50 the median round's, p99 the worst round's.`);
  const ratio = max.rps / baseline.rps;
  log('');
  log(`Ratio Mesure / bare server: ${fmt(ratio * 100, 1)} % (aim ≥ 60 %) ${ratio >= 0.6 ? 'OK' : 'BELOW AIM'}`);
  log(`p99 at half of Mesure's maximum rate: ${fmt(half.p99, 1)} ms (aim < 20 ms) ${half.p99 < 20 ? 'OK' : 'ABOVE AIM'}`);
  // Every 302 the server sent enqueued exactly one visit (written + lost); autocannon counts only the answers
  // that arrived before its run ended, so the server's count may be a few higher.
  const sent = drained.stats.written + drained.stats.lost;
  const ok = drained.stored === sent && drained.stats.lost === 0 && drained.stored >= answered;
  log(`Clicks: 302s received by autocannon ${fmt(answered)}, redirects sent by the server ${fmt(sent)}, stored in the database ${fmt(drained.stored)}: ${ok ? 'OK (every answered click is stored)' : 'MISMATCH'}`);
  log(`  queue: written ${fmt(drained.stats.written)} in ${fmt(drained.stats.batches)} batches (${fmt(drained.stats.written / Math.max(1, drained.stats.batches), 1)} a batch, ${fmt(drained.stats['writer.transactions'])} transactions), written late (> 1 s) ${fmt(drained.stats.writtenLate)}, throttled ${fmt(drained.stats.throttled)}, lost ${fmt(drained.stats.lost)}, token cache hits ${fmt(drained.stats.cacheHits)} / misses ${fmt(drained.stats.cacheMisses)}`);
  log(`Answer-after-commit: ${fmt(ackMax.rps)} req/s (${fmt((ackMax.rps / baseline.rps) * 100, 1)} % of bare), p99 ${fmt(ackMax.p99, 1)} ms; stored ${fmt(ackDrained.stored)} for ${fmt(ackMax.ok)} answers received`);
  log(`Total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!ok || ackDrained.stored < ackMax.ok) process.exitCode = 1;
}

const role = process.argv[2];
if (role === 'child-mesure') await childMesure(false);
else if (role === 'child-mesure-ack') await childMesure(true);
else if (role === 'child-bare') childBare();
else await main();
