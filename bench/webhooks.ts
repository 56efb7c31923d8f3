// `npm run bench:webhooks`: signed single-event WhatsApp status webhooks through POST /webhooks/whatsapp/<account>
// (signature check, parse, stored in the ingestion inbox and answered after COMMIT on SQLite with synchronous=FULL,
// applied in the background), against a bare node:http server that only answers 200, in the same run with the same
// load. The servers run in a child process (this file with --serve) so that autocannon, in this process, does not
// take their CPU; the two are measured in alternating rounds so that a change in the machine's load during the run
// weighs on both alike, and Mesure applies what waits in its inbox before each bare round (so its background work
// never runs during the baseline). Afterwards the server process is killed with SIGKILL, a new Mesure opens the file
// and applies what was left in the inbox, and every acknowledged delivery must be a stored event.
// Settings by environment: BENCH_SECONDS (12 per server), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32),
// BENCH_MESSAGES (80000 registered at the start; before each round more are registered and signed, untimed, so that
// every request names a message no earlier request named: a reused wamid would measure the duplicate path instead),
// BENCH_SYNC (FULL, Mesure's setting; NORMAL to measure what the fsync at each commit costs), BENCH_PROFILE (a
// directory: the server process writes a V8 CPU profile there).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config';
import { assemble } from '../src/main';
import { measured } from './cpu';
import { fmt, tempDir } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 80_000);
const SYNC = (process.env.BENCH_SYNC ?? 'FULL').toUpperCase();
if (!['FULL', 'NORMAL'].includes(SYNC)) throw new Error('BENCH_SYNC must be FULL or NORMAL');
const APP_SECRET = 'bench0123456789abcdef0123456789ab';
const T0 = Date.parse('2026-03-10T10:00:00Z');

const log = (s: string) => process.stderr.write(`${s}\n`);
const wamid = (i: number) => `wamid.bench.${String(i).padStart(8, '0')}`;
const phone = (i: number) => `+3361${String(i).padStart(7, '0')}`;

interface Ready {
  mesureUrl: string;
  bareUrl: string;
  accountId: string;
  dbPath: string;
}

// ---------------------------------------------------------------- child: the two servers
async function serve(): Promise<void> {
  const dir = process.env.BENCH_DIR!;
  const dbPath = join(dir, 'mesure.db');
  const mesure = await assemble(loadConfig({ DATABASE_URL: `file:${dbPath}`, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://127.0.0.1' }));
  const { deps } = mesure;
  if (SYNC !== 'FULL') mesure.db.sqlite!.pragma(`synchronous = ${SYNC}`);
  const account = await deps.accounts.create({ name: 'Bench shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
  const set = await deps.webhooks.setSecret(account.id, 'whatsapp', `${APP_SECRET}:bench-verify`);
  if (!set.ok) throw new Error(set.message);
  const campaign = await deps.campaigns.create(account.id, { name: 'Bench WhatsApp', channel: 'whatsapp' } as never);
  let registered = 0;
  const registerUpTo = async (upTo: number) => {
    for (let start = registered; start < upTo; start += 10_000) {
      const n = Math.min(10_000, upTo - start);
      const items = Array.from({ length: n }, (_, k) => ({ recipient: { phone: phone(start + k) }, provider: 'whatsapp', providerMessageId: wamid(start + k) }));
      const r = await deps.ingestor.register(account.id, campaign.id, items);
      if (!r.ok) throw new Error(r.message);
    }
    registered = Math.max(registered, upTo);
  };
  await registerUpTo(MESSAGES);
  // Asked on stdin between rounds (setup, not timed): register messages up to this count, then say so.
  createInterface({ input: process.stdin }).on('line', (line) => {
    const { registerUpTo: upTo } = JSON.parse(line) as { registerUpTo: number };
    void registerUpTo(upTo).then(() => process.stdout.write(`${JSON.stringify({ registered })}\n`));
  });
  await mesure.app.listen({ port: 0, host: '127.0.0.1' });
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', ok));
  const port = (s: { address(): unknown }) => (s.address() as { port: number }).port;
  const ready: Ready = { mesureUrl: `http://127.0.0.1:${port(mesure.app.server)}`, bareUrl: `http://127.0.0.1:${port(bare)}`, accountId: account.id, dbPath };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  // Before each round of the bare server: apply what is waiting in the inbox, so that Mesure's background work does
  // not run during (and slow down) the baseline's round.
  process.on('SIGUSR1', () => {
    const t = Date.now();
    void deps.webhooks.settle().then(() => process.stdout.write(`${JSON.stringify({ settledMs: Date.now() - t })}\n`));
  });
  // Asked for its figures, then killed (SIGKILL, no shutdown): what it acknowledged must already be on disk.
  process.on('SIGUSR2', () => {
    const stats = { ...deps.writer.stats, batches: deps.webhooks.batchStats };
    process.stdout.write(`${JSON.stringify({ writer: stats })}\n`);
  });
  // BENCH_PROFILE: stopped gracefully instead (a killed process writes no profile), threads included.
  process.on('SIGTERM', () => {
    void mesure.close().then(() => bare.close()).finally(() => process.exit(0));
  });
}

// ---------------------------------------------------------------- parent: load, report, check
/** Meta's envelope with one delivered status, exactly as the Cloud API sends it, and its X-Hub-Signature-256. */
function delivery(i: number): { body: Buffer; signature: string } {
  const body = Buffer.from(JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '102290129340398',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
          statuses: [{
            id: wamid(i), status: 'delivered', timestamp: String(Math.floor(T0 / 1000) + (i % 3600)), recipient_id: phone(i).slice(1),
            conversation: { id: `conv${i}`, origin: { type: 'marketing' } },
            pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
          }],
        },
      }],
    }],
  }));
  return { body, signature: `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` };
}

interface Run {
  rate: number;
  /** Requests that named a message an earlier request had named (must be 0). */
  duplicates: number;
  p50: number;
  p99: number;
  ok: number;
  other: number;
  errors: number;
  acked: number[];
}

async function load(url: string, path: string, deliveries: { body: Buffer; signature: string }[], first: number, seconds: number): Promise<Run & { next: number }> {
  let next = first;
  let duplicates = 0;
  const acked: number[] = [];
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{
      method: 'POST',
      path,
      setupRequest: (req, context) => {
        // Past the messages registered and signed for this round, a request would reuse one: counted, must stay 0.
        const n = next++;
        if (n >= deliveries.length) duplicates++;
        const i = n % deliveries.length;
        (context as { i?: number }).i = i;
        const d = deliveries[i];
        return { ...req, body: d.body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': d.signature } };
      },
      onResponse: (status, _body, context) => {
        if (status === 200) acked.push((context as { i: number }).i);
      },
    }],
  });
  return {
    rate: result['2xx'] / result.duration,
    duplicates,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    other: result.non2xx,
    errors: result.errors + result.timeouts,
    acked,
    next,
  };
}

/** Rounds of one server as one run: rate over the summed time, the median round's p50 and the worst round's p99. */
function combine(rounds: Run[], seconds: number): Run {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  return {
    rate: ok / seconds,
    duplicates: rounds.reduce((n, r) => n + r.duplicates, 0),
    p50: median(rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    ok,
    other: rounds.reduce((n, r) => n + r.other, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    acked: rounds.flatMap((r) => r.acked),
  };
}

async function main(): Promise<void> {
  log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`);
  log(`Settings: ${SECONDS} s per server in ${ROUNDS} alternating rounds, ${CONNECTIONS} connections, ${fmt(MESSAGES)} registered messages (one wamid each)`);
  const tmp = tempDir('mesure-bench-webhooks-');
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], {
    env: { ...process.env, BENCH_DIR: tmp.dir, BENCH_MESSAGES: String(MESSAGES) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  try {
    let t0 = Date.now();
    const first = await lines.next();
    if (first.done) throw new Error('the server process exited before it was ready');
    const ready = JSON.parse(first.value) as Ready;
    log(`Servers ready in ${fmt((Date.now() - t0) / 1000, 1)} s (${fmt(MESSAGES)} messages registered; setup, not measured)`);

    t0 = Date.now();
    const deliveries = Array.from({ length: MESSAGES }, (_, i) => delivery(i));
    log(`Signed ${fmt(MESSAGES)} deliveries in ${fmt((Date.now() - t0) / 1000, 1)} s (before the clock starts)`);
    /**
     * Before a round of Mesure: registered and signed messages for twice the most requests a round has carried yet
     * (at least BENCH_MESSAGES), past those already sent, so that no request of the round names a message twice.
     */
    const provide = async (next: number, rounds: Run[]) => {
      const upTo = next + Math.max(MESSAGES, 2 * Math.max(0, ...rounds.map((r) => r.ok + r.other + r.errors + r.duplicates)));
      if (upTo <= deliveries.length) return;
      const t = Date.now();
      child.stdin!.write(`${JSON.stringify({ registerUpTo: upTo })}\n`);
      const answer = await lines.next();
      if (answer.done) throw new Error('the server process exited');
      for (let i = deliveries.length; i < upTo; i++) deliveries.push(delivery(i));
      log(`Registered and signed ${fmt(upTo)} messages in all (+${fmt(upTo - next)} beyond those sent) in ${fmt((Date.now() - t) / 1000, 1)} s (setup, not timed)`);
    };

    const path = `/webhooks/whatsapp/${ready.accountId}`;
    const bareRounds: Run[] = [];
    const mesureRounds: Run[] = [];
    let bareNext = 0;
    let mesureNext = 0;
    let settledMs = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) {
        child.kill('SIGUSR1');
        const settled = await lines.next();
        if (settled.done) throw new Error('the server process exited');
        settledMs += (JSON.parse(settled.value) as { settledMs: number }).settledMs;
      }
      const b = await measured(child.pid!, () => load(ready.bareUrl, path, deliveries, bareNext, SECONDS / ROUNDS));
      bareNext = b.next;
      bareRounds.push(b);
      await provide(mesureNext, mesureRounds);
      const m = await measured(child.pid!, () => load(ready.mesureUrl, path, deliveries, mesureNext, SECONDS / ROUNDS));
      mesureNext = m.next;
      mesureRounds.push(m);
      const cpu = (r: typeof b) => `${r.serverCpuUs === undefined ? '' : `server ${fmt(r.serverCpuUs)} µs (main thread ${fmt(r.mainCpuUs ?? 0)}), `}autocannon ${fmt(r.loadCpuUs)} µs`;
      log(`Round ${round}/${ROUNDS}: bare ${fmt(b.rate)} requests/s, Mesure ${fmt(m.rate)} requests/s (${m.other} non-2xx, ${m.errors} errors); CPU per request: bare ${cpu(b)}; Mesure ${cpu(m)}`);
    }
    log(`Between rounds, Mesure applied the deliveries waiting in its inbox in ${fmt(settledMs / 1000, 1)} s in all (not timed in any round)`);
    const bare = combine(bareRounds, SECONDS);
    const mesure = combine(mesureRounds, SECONDS);
    log(`Duplicates: ${fmt(mesure.duplicates)} of Mesure's ${fmt(mesureNext)} requests named a message an earlier request had named (must be 0)`);

    child.kill('SIGUSR2');
    const last = await lines.next();
    const writer = last.done ? undefined : (JSON.parse(last.value) as { writer: { transactions: number; batches: { batches: number; deliveries: number; largest: number } } }).writer;
    // Killed without a chance to finish anything: acknowledged deliveries are either applied or in the inbox.
    // (Profiling: stopped gracefully, so that the profiles are written; the check below holds the same.)
    child.kill(profile.length ? 'SIGTERM' : 'SIGKILL');
    await exited;
    const raw = new Database(ready.dbPath, { readonly: true });
    const inInbox = raw.prepare('SELECT count(*) FROM ingest_inbox').pluck().get() as number;
    raw.close();
    // A new Mesure on the same file applies what the killed one left in its inbox.
    t0 = Date.now();
    const restarted = await assemble(loadConfig({ DATABASE_URL: `file:${ready.dbPath}`, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://127.0.0.1' }));
    await restarted.deps.webhooks.settle();
    await restarted.close();
    log(`${profile.length ? 'Stopped (SIGTERM, profiling)' : 'Killed with SIGKILL'} after the last round: ${fmt(inInbox)} acknowledged deliveries were still in the inbox, applied by a restarted Mesure in ${fmt((Date.now() - t0) / 1000, 1)} s (start included)`);

    // Every acknowledged delivery must be a stored event, applied to its message.
    const db = new Database(ready.dbPath, { readonly: true });
    const stored = new Set(
      db.prepare("SELECT m.provider_message_id FROM events e JOIN messages m ON m.account_id = e.account_id AND m.id = e.message_id WHERE e.type = 'delivered'").pluck().all() as string[],
    );
    const deliveredCount = db.prepare('SELECT COALESCE(SUM(delivered), 0) FROM campaign_days').pluck().get() as number;
    db.close();
    const ackedWamids = new Set(mesure.acked.map(wamid));
    const missing = [...ackedWamids].filter((w) => !stored.has(w));
    log(`Check: ${fmt(ackedWamids.size)} acknowledged deliveries, ${fmt(stored.size)} stored events, ${missing.length} acknowledged but missing, daily counts say ${fmt(deliveredCount)} delivered`);

    const ratio = mesure.rate / bare.rate;
    const table: [string, string, string, string, string][] = [
      ['Server', 'requests/s', 'p50 ms', 'p99 ms', 'notes'],
      ['Mesure POST /webhooks/whatsapp', fmt(mesure.rate), fmt(mesure.p50, 1), fmt(mesure.p99, 1),
        `HMAC check, parse, stored in the inbox, answered after COMMIT (synchronous=${SYNC}), applied in the background${writer ? `; ${fmt(writer.batches.deliveries / Math.max(1, writer.batches.batches), 1)} deliveries per stored batch (one commit) on average, ${writer.batches.largest} at most` : ''}`],
      ['bare node:http (200, no work)', fmt(bare.rate), fmt(bare.p50, 1), fmt(bare.p99, 1), 'drains the body, answers {}'],
      ['ratio Mesure / bare', fmt(ratio, 2), '', '', `aim ≥ 0.40; ${CONNECTIONS} connections, ${SECONDS} s each in ${ROUNDS} alternating rounds; p50 = median of rounds, p99 = worst round`],
    ];
    const w = [0, 1, 2, 3, 4].map((c) => Math.max(...table.map((r) => r[c].length)));
    const line = (r: string[]) => `| ${r[0].padEnd(w[0])} | ${r[1].padStart(w[1])} | ${r[2].padStart(w[2])} | ${r[3].padStart(w[3])} | ${r[4].padEnd(w[4])} |`;
    process.stdout.write(`\n${line(table[0])}\n|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 1)}:|${'-'.repeat(w[2] + 1)}:|${'-'.repeat(w[3] + 1)}:|${'-'.repeat(w[4] + 2)}|\n${table.slice(1).map(line).join('\n')}\n`);
    if (mesure.duplicates > 0) throw new Error(`${mesure.duplicates} requests reused a wamid: the figures above measure the duplicate path in part; raise BENCH_MESSAGES`);
    if (missing.length > 0 || mesure.other > 0 || mesure.errors > 0 || deliveredCount !== stored.size) {
      throw new Error(`durability check failed: ${missing.length} acknowledged events missing (e.g. ${missing.slice(0, 3).join(', ')}), ${mesure.other} non-2xx, ${mesure.errors} errors, delivered count ${deliveredCount} vs ${stored.size} events`);
    }
    process.stdout.write(`Every one of the ${fmt(ackedWamids.size)} acknowledged events is stored.\n`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    tmp.remove();
  }
}

if (process.argv.includes('--serve')) {
  serve().catch((err) => {
    log(`server process: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    log(`bench:webhooks failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
