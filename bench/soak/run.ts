// The soak of issue #25, shared by `npm run bench:soak` (bench/soak.ts) and its CI smoke test (test/soak.smoke.test.ts):
// `mesure serve` on a fresh database, the issue's account (three campaigns, their messages with tracked links), a short
// ramp to find the rate this machine sustains (applied, not only acknowledged: the inbox must not grow), then an
// open-loop mixed load at a share of it (events, clicks, a campaign page and the overview every 2 s) from a child
// process (bench/soak/load.ts). Reports per interval, then losses, drain and shutdown, and the aims against the
// run's own first interval.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { call, callOk, createAccountWithCli, createCampaignWithMessages, fmt, ROOT, startServerProcess, tempDir, type ServerProcess } from '../support';
import { cpuMsOf } from '../cpu';
import { STREAMS, type FromLoad, type LoadSetup, type Phase, type Stream, type ToLoad } from './load';

const PG_URL = process.env.MESURE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** The issue's mix: 540 clicks for 2,880 events. */
const CLICKS_PER_EVENT = 540 / 2880;
const CAMPAIGNS = ['Soldes d’hiver', 'Nouveautés', 'Panier abandonné'];
/** The ramp's steps (events/s; clicks in the issue's ratio). */
const RAMP = [250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10_000, 12_000, 15_000, 20_000, 25_000, 30_000];
const DESTINATIONS = ['https://shop.example/soldes', 'https://shop.example/nouveautes', 'https://shop.example/panier'];

export interface SoakOptions {
  engine: 'sqlite' | 'postgres';
  messages: number;
  /** Length of the measured load. */
  loadSeconds: number;
  /** One row of the report per this many seconds of load (60: per minute). */
  intervalSeconds: number;
  /** Share of the sustainable rate the load runs at (0.6). */
  share: number;
  /** Skip the ramp and load at this many events/s (clicks follow the issue's ratio). */
  eventsPerS?: number;
  /** Length of each ramp step (s). */
  rampStepSeconds: number;
  log: (line: string) => void;
}

interface Sample {
  t: number;
  inboxItems: number | null;
  oldestAgeMs: number | null;
  rssMb: number | null;
  cpuMs: number | null;
}

interface StreamStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
  skipped: number;
}

export interface Interval {
  index: number;
  streams: Record<Stream, StreamStats>;
  inboxItemsMax: number | null;
  oldestAgeMsMax: number | null;
  rssMb: number | null;
  serverCpuPct: number | null;
  /** Share of the wall clock the server's threads spent runnable but waiting for a core (summed over threads). */
  serverWaitPct: number | null;
  clientCpuPct: number;
  clientLagMsMax: number;
  dbMb: number | null;
  lateClicks: number;
}

export interface SoakResult {
  sustainableEventsPerS: number | null;
  eventsPerS: number;
  clicksPerS: number;
  intervals: Interval[];
  totals: { eventsAcknowledged: number; duplicates: number; clicksAnswered: number; failed: number; skipped: number; skippedInLoad: number };
  figures: { clicks: number; eventsInLog: number; clicksInLog: number; deadLetters: number };
  lost: { clicks: number; events: number; deadLetters: number };
  lateClicks: number;
  drainMs: number | null;
  shutdownMs: number;
  exitCode: number | null;
  failures: string[];
  aims: { aim: string; pass: boolean; detail: string }[];
}

/** hdr-style percentile of a sorted array: the smallest value with at least p % of the values at or below it. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function rssMbOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Time the process's threads spent waiting for a CPU while runnable (ms, from /proc/<pid>/task/<tid>/schedstat): on a
 * shared machine, the share of the wall clock a server waited for a core tells starvation apart from its own work.
 */
function runQueueMsOf(pid: number): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    return ns / 1e6;
  } catch {
    return null;
  }
}

/** Reads on the database beside the server (its SQLite file, or its PostgreSQL schema): sizes and counts only. */
interface Probe {
  inboxItems(): Promise<number | null>;
  deadLetters(): Promise<number>;
  sizeMb(): Promise<number | null>;
  /** Events of the account in the log: the tracked-link clicks (on `urls`) and all the others. */
  eventCounts(accountId: string, urls: string[]): Promise<{ clicks: number; others: number }>;
  close(): Promise<void>;
}

function sqliteProbe(file: string): Probe {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return {
    inboxItems: async () => Number((db.prepare('select count(*) as n from ingest_inbox').get() as { n: number }).n),
    deadLetters: async () => Number((db.prepare('select count(*) as n from ingest_dead_letters').get() as { n: number }).n),
    sizeMb: async () => (size(file) + size(`${file}-wal`)) / 2 ** 20,
    eventCounts: async (accountId, urls) => {
      const r = db.prepare(`select sum(case when type = 'clicked' and url in (${urls.map(() => '?').join(',')}) then 1 else 0 end) as clicks, count(*) as total from events where account_id = ?`).get(...urls, accountId) as { clicks: number; total: number };
      return { clicks: Number(r.clicks ?? 0), others: Number(r.total) - Number(r.clicks ?? 0) };
    },
    close: async () => void db.close(),
  };
}

async function pgProbe(schema: string): Promise<Probe> {
  const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await c.connect();
  const one = async (q: string, params: unknown[] = []) => Number(Object.values((await c.query(q, params)).rows[0] ?? {})[0] ?? 0);
  return {
    // PostgreSQL applies the API's events before answering; clicks wait in the inbox until folded (services/visitInbox.ts).
    inboxItems: () => one('select count(*) from ingest_inbox'),
    deadLetters: () => one('select count(*) from ingest_dead_letters'),
    sizeMb: async () =>
      (await one(`select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'm')`, [schema])) / 2 ** 20,
    eventCounts: async (accountId, urls) => {
      const r = (await c.query(`select count(*) filter (where type = 'clicked' and url = any($2)) as clicks, count(*) as total from events where account_id = $1`, [accountId, urls])).rows[0] as { clicks: string; total: string };
      return { clicks: Number(r.clicks), others: Number(r.total) - Number(r.clicks) };
    },
    close: () => c.end(),
  };
}

/** Runs the soak end to end; prints through `opts.log`; cleans up (server, database) whatever happens. */
export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log;
  const tmp = tempDir('mesure-soak-');
  const schema = `soak_${randomBytes(5).toString('hex')}`;
  const env: Record<string, string> =
    opts.engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}`, MESURE_DEMO: '0' } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_DEMO: '0' };
  let server: ServerProcess | undefined;
  let probe: Probe | undefined;
  let load: ChildProcess | undefined;
  try {
    log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);
    log(`Engine: ${opts.engine === 'sqlite' ? 'SQLite (a fresh file)' : `PostgreSQL (schema ${schema} at ${PG_URL.replace(/\/\/[^@]*@/, '//')}, dropped after)`}`);
    const t0 = performance.now();
    const { accountId, key } = await createAccountWithCli(env, 'Soak shop');
    server = await startServerProcess(env);
    const pid = server.child.pid!;
    probe = opts.engine === 'sqlite' ? sqliteProbe(join(tmp.dir, 'mesure.db')) : await pgProbe(schema);

    // ---------------------------------------------------------------- the issue's account
    const campaignIds: string[] = [];
    const messageIds: string[] = [];
    let setupEvents = 0;
    const clickPaths: string[] = [];
    const trackedUrls: string[] = [];
    for (let c = 0; c < CAMPAIGNS.length; c++) {
      const count = Math.floor(opts.messages / CAMPAIGNS.length) + (c < opts.messages % CAMPAIGNS.length ? 1 : 0);
      const r = await createCampaignWithMessages(server.url, key, count, { name: CAMPAIGNS[c], prefix: `c${c}-` });
      campaignIds.push(r.campaignId);
      messageIds.push(...r.messageIds);
      const d = await callOk<{ destinations: { url: string }[] }>(server.url, 'POST', `/v1/campaigns/${r.campaignId}/links`, key, { destinations: [DESTINATIONS[c]] });
      trackedUrls.push(...d.destinations.map((x) => x.url));
      for (let cursor: string | null | undefined, more = true; more; ) {
        const page = await callOk<{ messages: { links: { trackedUrl: string }[] }[]; nextCursor: string | null }>(
          server.url, 'POST', `/v1/campaigns/${r.campaignId}/links/issue`, key, { all: true, limit: 5000, ...(cursor ? { cursor } : {}) },
        );
        for (const m of page.messages) for (const l of m.links) clickPaths.push(new URL(l.trackedUrl).pathname);
        cursor = page.nextCursor;
        more = Boolean(cursor);
      }
      log(`  campaign ${c + 1}/${CAMPAIGNS.length}: ${fmt(count)} messages registered, their tracked links issued`);
    }
    if (clickPaths.length !== opts.messages) throw new Error(`expected ${opts.messages} tracked links, issued ${clickPaths.length}`);
    // The campaigns go out: every message sent, then delivered, an hour before the load (the load's events come after).
    // Timed on each side, the campaign page: while its messages are pending, its "not sent, by reason" walks them.
    const pageMs = async () => {
      const ms: number[] = [];
      for (const id of campaignIds) {
        const t = performance.now();
        await callOk(server!.url, 'GET', `/v1/campaigns/${id}`, key);
        ms.push(performance.now() - t);
      }
      return ms.map((x) => `${fmt(x)} ms`).join(', ');
    };
    const pendingPage = await pageMs();
    const sentAt = Date.now() - 4 * 3600_000;
    for (const type of ['sent', 'delivered'] as const) {
      for (let i = 0; i < messageIds.length; i += 10_000) {
        const events = messageIds.slice(i, i + 10_000).map((messageId, j) => ({ type, messageId, at: new Date(sentAt + (type === 'sent' ? 0 : 5000) + (j % 1000)).toISOString() }));
        const r = await callOk<{ received: number; duplicates: number }>(server.url, 'POST', '/v1/events', key, { events });
        setupEvents += r.received - r.duplicates;
      }
    }
    log(`  every message sent and delivered (${fmt(setupEvents)} events); campaign page while pending: ${pendingPage}; once delivered: ${await pageMs()}`);
    // Visitors in no particular order (a fixed shuffle): most tokens are clicked once per pass over the list.
    let seed = 25;
    for (let i = clickPaths.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [clickPaths[i], clickPaths[j]] = [clickPaths[j], clickPaths[i]];
    }
    log(`Setup: account, ${CAMPAIGNS.length} campaigns, ${fmt(opts.messages)} messages with tracked links in ${fmt((performance.now() - t0) / 1000, 1)} s`);

    // ---------------------------------------------------------------- the load generator, in its own process
    const child = fork(fileURLToPath(new URL('./load.ts', import.meta.url)), ['soak-load-child'], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    load = child;
    const childPid = child.pid!;
    const seconds: (Extract<FromLoad, { type: 'second' }> & { t: number })[] = [];
    const failures: string[] = [];
    let onDone: ((phase: string) => void) | undefined;
    child.on('message', (m: FromLoad) => {
      if (m.type === 'second') {
        seconds.push({ ...m, t: performance.now() });
        for (const f of m.failures) if (failures.length < 20) failures.push(f);
      } else if (m.type === 'done') onDone?.(m.phase);
    });
    const childExit = new Promise<never>((_, ko) => child.once('exit', (code) => ko(new Error(`the load generator exited with ${code}`))));
    childExit.catch(() => {});
    const setup: LoadSetup = { base: server.url, key, clickPaths, messageIds, campaignIds, eventsNow: Date.now(), eventBatchSize: 500 };
    await Promise.race([new Promise<void>((ok) => {
      child.once('message', (m: FromLoad) => m.type === 'ready' && ok());
      child.send({ type: 'setup', setup } satisfies ToLoad);
    }), childExit]);
    const runPhase = (phase: Phase) =>
      Promise.race([new Promise<number>((ok) => {
        const start = performance.now();
        onDone = (name) => name === phase.name && ok(performance.now() - start);
        child.send({ type: 'phase', phase } satisfies ToLoad);
      }), childExit]);

    const samples: Sample[] = [];
    const sample = async (): Promise<Sample> => {
      const ready = await call(server!.url, 'GET', '/readyz', '').catch(() => null);
      const inbox = (ready?.body as { checks?: { inbox?: { oldestAgeMs?: number } } } | null)?.checks?.inbox;
      const s = { t: performance.now(), inboxItems: await probe!.inboxItems(), oldestAgeMs: inbox?.oldestAgeMs ?? null, rssMb: rssMbOf(pid), cpuMs: cpuMsOf(pid) ?? null };
      samples.push(s);
      return s;
    };
    let sampling = false;
    const sampler = setInterval(() => {
      if (sampling) return;
      sampling = true;
      sample().finally(() => (sampling = false));
    }, 1000);

    /** Waits until the SQLite inbox is empty (PostgreSQL has none); resolves with how long it took. */
    const inboxDrained = async (limitMs: number) => {
      const start = performance.now();
      while (performance.now() - start < limitMs) {
        const n = await probe!.inboxItems();
        if (!n) return performance.now() - start;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the inbox did not drain within ${limitMs / 1000} s`);
    };

    // ---------------------------------------------------------------- the ramp
    let sustainable: number | null = null;
    let eventsPerS = opts.eventsPerS ?? 0;
    if (opts.eventsPerS === undefined) {
      log(`\nRamp: steps of ${opts.rampStepSeconds} s, the issue's mix (${fmt(CLICKS_PER_EVENT * 100, 2)} clicks per 100 events, reads every 2 s). A step is sustained when`);
      log(`nothing is skipped or failed, every answer came within 2 s of the step's end, and the inbox's oldest item is at most half a step old at`);
      log(`its end (the worker applies at a duty cycle that grows with its lag, 2 % of the time when fresh to 50 % at 60 s: a few seconds of lag`);
      log(`is its steady state under load; an inbox that never catches up holds items from the step's start).`);
      for (const rate of RAMP) {
        const from = seconds.length;
        const tookMs = await runPhase({ name: `ramp ${rate}`, seconds: opts.rampStepSeconds, eventsPerS: rate, clicksPerS: rate * CLICKS_PER_EVENT, readsEveryMs: 2000 });
        const s = await sample();
        const got = seconds.slice(from);
        const sum = (f: (x: (typeof got)[number]) => number) => got.reduce((n, x) => n + f(x), 0);
        const skipped = sum((x) => STREAMS.reduce((n, st) => n + x.streams[st].skipped, 0));
        const failed = sum((x) => STREAMS.reduce((n, st) => n + x.streams[st].failed, 0));
        const acked = sum((x) => x.received);
        const clicks = sum((x) => x.streams.clicks.ok);
        const lateMs = tookMs - opts.rampStepSeconds * 1000;
        const ok = skipped === 0 && failed === 0 && lateMs <= 2000 && (s.oldestAgeMs ?? 0) <= (opts.rampStepSeconds * 1000) / 2;
        log(`  ${fmt(rate).padStart(6)} events/s + ${fmt(rate * CLICKS_PER_EVENT).padStart(5)} clicks/s: acknowledged ${fmt(acked / opts.rampStepSeconds)} events/s, ${fmt(clicks / opts.rampStepSeconds)} clicks/s, last answer ${fmt(Math.max(0, lateMs))} ms after the step, inbox oldest ${s.oldestAgeMs === null ? 'n/a' : `${fmt(s.oldestAgeMs)} ms`} (${s.inboxItems ?? 'n/a'} items), skipped ${skipped}, failed ${failed}: ${ok ? 'sustained' : 'NOT sustained'}`);
        if (!ok) break;
        sustainable = rate;
      }
      const drained = await inboxDrained(300_000);
      log(`  inbox drained ${fmt(drained / 1000, 1)} s after the ramp`);
      if (sustainable === null) log(`  not even the first step was sustained (is the machine saturated? see its load): the soak runs at ${fmt(opts.share * 100)} % of that step`);
      eventsPerS = Math.round((sustainable ?? RAMP[0]) * opts.share);
      if (sustainable !== null) log(`Sustainable: ${fmt(sustainable)} events/s + ${fmt(sustainable * CLICKS_PER_EVENT)} clicks/s; the soak runs at ${fmt(opts.share * 100)} %: ${fmt(eventsPerS)} events/s + ${fmt(eventsPerS * CLICKS_PER_EVENT)} clicks/s`);
    }
    const clicksPerS = eventsPerS * CLICKS_PER_EVENT;

    // ---------------------------------------------------------------- the soak
    log(`\nSoak: ${fmt(opts.loadSeconds)} s open loop at ${fmt(eventsPerS)} events/s (batches of 500) + ${fmt(clicksPerS)} clicks/s + a campaign page and the overview every 2 s`);
    const lateOf = () => Math.max(0, ...[...server!.stderr().matchAll(/total late (\d+)\)/g)].map((m) => Number(m[1])));
    const lateBefore = lateOf();
    const from = seconds.length;
    const sampleFrom = samples.length;
    const start = performance.now();
    const cpu0 = cpuMsOf(pid) ?? null;
    const client0 = cpuMsOf(childPid) ?? 0;
    const intervals: Interval[] = [];
    const nIntervals = Math.ceil(opts.loadSeconds / opts.intervalSeconds);
    let cpuPrev = cpu0;
    let waitPrev = runQueueMsOf(pid);
    let clientPrev = client0;
    let latePrev = lateBefore;
    const header = `| ${opts.intervalSeconds === 60 ? 'min' : `${opts.intervalSeconds} s`} | events p50 / p99 | clicks p50 / p99 | campaign p50 / p99 | overview p50 / p99 | failed | skipped | inbox items max | inbox oldest max | RSS | server CPU (waiting for a core) | client CPU | database | late clicks |`;
    log(header);
    log(`|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
    const closeInterval = async (index: number, last: boolean) => {
      const lo = start + index * opts.intervalSeconds * 1000;
      const hi = last ? Infinity : lo + opts.intervalSeconds * 1000;
      const got = seconds.slice(from).filter((x) => x.t >= lo && x.t < hi);
      const inWindow = samples.slice(sampleFrom).filter((x) => x.t >= lo && x.t < hi);
      const streams = Object.fromEntries(STREAMS.map((st) => {
        const lat = got.flatMap((x) => x.streams[st].lat).sort((a, b) => a - b);
        return [st, {
          count: lat.length, p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat.length ? lat[lat.length - 1] : NaN,
          failed: got.reduce((n, x) => n + x.streams[st].failed, 0), skipped: got.reduce((n, x) => n + x.streams[st].skipped, 0),
        }];
      })) as Record<Stream, StreamStats>;
      const now = performance.now();
      const wallMs = now - Math.max(lo, start);
      const cpu = cpuMsOf(pid) ?? null;
      const wait = runQueueMsOf(pid);
      const client = cpuMsOf(childPid) ?? clientPrev;
      const late = lateOf();
      const nums = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
      const iv: Interval = {
        index,
        streams,
        inboxItemsMax: nums(inWindow.map((x) => x.inboxItems)).length ? Math.max(...nums(inWindow.map((x) => x.inboxItems))) : null,
        oldestAgeMsMax: nums(inWindow.map((x) => x.oldestAgeMs)).length ? Math.max(...nums(inWindow.map((x) => x.oldestAgeMs))) : null,
        rssMb: rssMbOf(pid),
        serverCpuPct: cpu !== null && cpuPrev !== null ? ((cpu - cpuPrev) / wallMs) * 100 : null,
        serverWaitPct: wait !== null && waitPrev !== null ? ((wait - waitPrev) / wallMs) * 100 : null,
        clientCpuPct: ((client - clientPrev) / wallMs) * 100,
        clientLagMsMax: Math.max(0, ...got.map((x) => x.lagMs)),
        dbMb: await probe!.sizeMb(),
        lateClicks: late - latePrev,
      };
      cpuPrev = cpu;
      waitPrev = wait;
      clientPrev = client;
      latePrev = late;
      intervals.push(iv);
      const pp = (s: StreamStats) => (s.count ? `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} ms` : '—');
      const failed = STREAMS.reduce((n, st) => n + streams[st].failed, 0);
      const skipped = STREAMS.reduce((n, st) => n + streams[st].skipped, 0);
      log(`| ${index + 1} | ${pp(streams.events)} | ${pp(streams.clicks)} | ${pp(streams.campaign)} | ${pp(streams.overview)} | ${failed} | ${skipped} | ${iv.inboxItemsMax ?? 'n/a'} | ${iv.oldestAgeMsMax === null ? 'n/a' : `${fmt(iv.oldestAgeMsMax / 1000, 1)} s`} | ${iv.rssMb === null ? '?' : `${fmt(iv.rssMb)} MB`} | ${iv.serverCpuPct === null ? '?' : `${fmt(iv.serverCpuPct)} %`}${iv.serverWaitPct === null ? '' : ` (waited ${fmt(iv.serverWaitPct)} %)`} | ${fmt(iv.clientCpuPct)} % | ${iv.dbMb === null ? '?' : `${fmt(iv.dbMb, 1)} MB`} | ${iv.lateClicks} |`);
    };
    const soak = runPhase({ name: 'soak', seconds: opts.loadSeconds, eventsPerS, clicksPerS, readsEveryMs: 2000 });
    for (let i = 0; i < nIntervals - 1; i++) {
      await new Promise((r) => setTimeout(r, start + (i + 1) * opts.intervalSeconds * 1000 - performance.now()));
      await closeInterval(i, false);
    }
    await soak;
    await closeInterval(nIntervals - 1, true);

    // ---------------------------------------------------------------- drain, losses, shutdown
    const soakSeconds = seconds.slice(from);
    const all = seconds;
    const sumAll = (f: (x: (typeof all)[number]) => number) => all.reduce((n, x) => n + f(x), 0);
    const totals = {
      eventsAcknowledged: setupEvents + sumAll((x) => x.received - x.duplicates),
      duplicates: sumAll((x) => x.duplicates),
      clicksAnswered: sumAll((x) => x.streams.clicks.ok),
      failed: sumAll((x) => STREAMS.reduce((n, st) => n + x.streams[st].failed, 0)),
      skipped: sumAll((x) => STREAMS.reduce((n, st) => n + x.streams[st].skipped, 0)),
      skippedInLoad: soakSeconds.reduce((n, x) => n + STREAMS.reduce((m, st) => m + x.streams[st].skipped, 0), 0),
    };
    const clientCpuS = ((cpuMsOf(childPid) ?? client0) - client0) / 1000;
    child.send({ type: 'exit' } satisfies ToLoad);
    load = undefined;
    clearInterval(sampler);

    // Figures: the campaign pages' clicks (per link, human, plus flagged ones) against the redirects answered.
    const clicksInFigures = async () => {
      let n = 0;
      for (const id of campaignIds) {
        const page = await callOk<{ links: { url: string; totalClicks: number }[]; flagged: { kind: string; count: number }[] }>(server!.url, 'GET', `/v1/campaigns/${id}`, key);
        n += page.links.filter((l) => trackedUrls.includes(l.url)).reduce((s, l) => s + l.totalClicks, 0);
        n += page.flagged.filter((f) => f.kind === 'click').reduce((s, f) => s + f.count, 0);
      }
      return n;
    };
    const drainStart = performance.now();
    let drainMs: number | null = null;
    let clicks = 0;
    while (performance.now() - drainStart < 300_000) {
      clicks = await clicksInFigures();
      if (clicks >= totals.clicksAnswered && !(await probe.inboxItems())) {
        drainMs = performance.now() - drainStart;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const counts = await probe.eventCounts(accountId, trackedUrls);
    const deadLetters = await probe.deadLetters();
    const lateClicks = lateOf();
    const t = performance.now();
    await server.stop();
    const shutdownMs = performance.now() - t;
    const exitCode = server.child.exitCode;
    const lost = { clicks: totals.clicksAnswered - clicks, events: totals.eventsAcknowledged - counts.others, deadLetters };

    // ---------------------------------------------------------------- aims
    const first = intervals[0];
    const lastIv = intervals[intervals.length - 1];
    const worst = (st: Stream) => Math.max(...intervals.map((iv) => iv.streams[st].p99).filter((x) => !Number.isNaN(x)));
    const mid = intervals[Math.floor((intervals.length - 1) / 2)];
    const aims: SoakResult['aims'] = [];
    const aim = (name: string, pass: boolean, detail: string) => aims.push({ aim: name, pass, detail });
    aim('clicks p99 ≤ 50 ms every interval', worst('clicks') <= 50, `worst ${fmt(worst('clicks'), 1)} ms`);
    aim('events p99 ≤ 500 ms every interval', worst('events') <= 500, `worst ${fmt(worst('events'), 1)} ms`);
    aim('campaign page p99 ≤ 250 ms every interval', worst('campaign') <= 250, `worst ${fmt(worst('campaign'), 1)} ms`);
    aim('overview p99 ≤ 250 ms every interval', worst('overview') <= 250, `worst ${fmt(worst('overview'), 1)} ms`);
    for (const st of STREAMS) {
      const a = first.streams[st].p99;
      const b = lastIv.streams[st].p99;
      aim(`${st} p99, last interval ≤ 1.5 × the first`, b <= 1.5 * a, `${fmt(a, 1)} → ${fmt(b, 1)} ms (× ${fmt(b / a, 2)})`);
    }
    aim('no request skipped', totals.skippedInLoad === 0, `${fmt(totals.skippedInLoad)} skipped during the soak (${fmt(totals.skipped)} with the ramp)`);
    aim('no request failed', totals.failed === 0, `${fmt(totals.failed)} failed`);
    aim('no click written > 1 s after its redirect', lateClicks === 0, `${fmt(lateClicks)} counted by the server's log ("visit(s) written more than 1000 ms after the redirect")`);
    aim('nothing lost', lost.clicks === 0 && lost.events === 0 && deadLetters === 0,
      `clicks answered ${fmt(totals.clicksAnswered)}, in the figures ${fmt(clicks)} (log ${fmt(counts.clicks)}); events acknowledged ${fmt(totals.eventsAcknowledged)}, in the log ${fmt(counts.others)}; dead letters ${deadLetters}`);
    if (mid.rssMb !== null && lastIv.rssMb !== null) {
      const secondHalf = intervals.slice(intervals.indexOf(mid)).map((iv) => iv.rssMb ?? 0);
      aim('RSS level over the second half (≤ +10 %)', Math.max(...secondHalf) <= 1.1 * mid.rssMb, `${fmt(mid.rssMb)} MB at interval ${mid.index + 1}, max after ${fmt(Math.max(...secondHalf))} MB, last ${fmt(lastIv.rssMb)} MB`);
    }

    log('');
    log(`Totals (setup and ramp included): ${fmt(totals.eventsAcknowledged)} events acknowledged (${fmt(totals.duplicates)} duplicates), ${fmt(totals.clicksAnswered)} clicks answered with a redirect, ${fmt(totals.failed)} failed, ${fmt(totals.skipped)} skipped`);
    log(`Drain: ${drainMs === null ? 'NOT within 300 s' : `${fmt(drainMs)} ms`} after the last answer until the inbox was empty and the figures held every answered click`);
    log(`Shutdown: SIGTERM to exit in ${fmt(shutdownMs)} ms (exit code ${exitCode})`);
    log(`Load generator (own process): ${fmt(clientCpuS, 1)} CPU s over ${fmt(opts.loadSeconds)} s of soak (${fmt((clientCpuS / opts.loadSeconds) * 100)} % of one core); worst scheduling lag ${fmt(Math.max(...intervals.map((iv) => iv.clientLagMsMax)), 1)} ms`);
    log(`Machine load average at the end: ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);
    log('');
    for (const a of aims) log(`${a.pass ? 'PASS' : 'MISS'}  ${a.aim}: ${a.detail}`);
    if (failures.length) log(`\nFirst failures:\n  ${failures.slice(0, 10).join('\n  ')}`);
    return {
      sustainableEventsPerS: sustainable, eventsPerS, clicksPerS, intervals, totals,
      figures: { clicks, eventsInLog: counts.others, clicksInLog: counts.clicks, deadLetters },
      lost, lateClicks, drainMs, shutdownMs, exitCode, failures, aims,
    };
  } finally {
    if (load) load.kill('SIGKILL');
    await probe?.close().catch(() => {});
    await server?.kill();
    if (opts.engine === 'postgres') {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
    tmp.remove();
  }
}
