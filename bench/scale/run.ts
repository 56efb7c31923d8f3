// The measurements of `npm run bench:scale` on a built scale account (bench/scale/build.ts), through `mesure serve` in a
// child process over real sockets, one request at a time unless said otherwise:
// - read paths: warm medians of `reads` calls after one unmeasured call; cold = the first call a freshly started
//   `mesure serve` answers (its own caches and SQLite page cache empty). The OS page cache and PostgreSQL's shared
//   buffers stay warm: emptying them needs root and would slow every other process on the machine.
// - write side: a campaign of its own in the same account; `POST /v1/events` acknowledged, then applied (until the
//   campaign's figures hold every event), against the same rows inserted by a bare loop (bench/bare-insert.ts); then
//   tracked-link redirects under autocannon, answered against applied (until the figures count every answered click).
// - the campaign page of the largest campaign in headless Chromium: time from navigation to its figures on screen.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { request } from 'node:http';
import autocannon from 'autocannon';
import { barePgInsert, bareSqliteInsert, sqliteEventRows } from '../bare-insert';
import { call, callOk, createCampaignWithMessages, eventBatch, fmt, pool, startServerProcess, type ServerProcess } from '../support';
import { storageBytes, targetEnv, type BuildRecord, type Target } from './build';

export interface ScaleOptions {
  reads: number;
  writeEvents: number;
  browser: boolean;
  /** Seconds of redirect load. */
  clickSeconds?: number;
  log: (line: string) => void;
}

interface Row {
  what: string;
  value: string;
  aim: string;
  pass: boolean | null;
}

const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${fmt(x, x < 10 ? 1 : 0)} ms`;

interface Campaign {
  id: string;
  name: string;
  channel: string;
  audience: number;
}

/** Runs everything and prints the tables; returns the number of aims missed. */
export async function runScale(t: Target, r: BuildRecord, o: ScaleOptions): Promise<number> {
  const { log } = o;
  const env = targetEnv(t);
  const key = r.apiKey;
  const load0 = loadavg();
  log(`\nbench:scale on ${t.engine === 'sqlite' ? `SQLite (${t.db})` : `PostgreSQL (schema ${t.pgSchema})`}, ${new Date().toISOString()}`);
  log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}; load average ${load0.map((l) => fmt(l, 1)).join(' ')}`);
  log(`Account: scale ${r.scale}, ${fmt(r.messages)} messages, ${fmt(r.events)} events, ${fmt(r.orders)} orders, ${r.campaigns} campaigns (built ${r.builtAt})`);

  const build: Row[] = [];
  const rate = r.messages / r.seconds;
  build.push({ what: `\`mesure demo --scale ${r.scale}\`: wall time`, value: `${fmt(r.seconds, 0)} s (${fmt(rate)} messages/s; load average ${r.loadAverage.map((l) => fmt(l, 1)).join(' ')} at start)`, aim: '≥ 33,333 messages/s (10M in 5 min)', pass: rate >= 33_333 });
  if (r.analyzeSeconds !== undefined) {
    build.push({ what: '… then ANALYZE of the schema (autovacuum would)', value: `${fmt(r.analyzeSeconds, 1)} s (this server's autovacuum: ${r.autovacuum ? 'on' : 'off'})`, aim: '', pass: null });
  }
  build.push({ what: '… its peak RSS', value: `${fmt(r.peakRssKiB / 1024)} MiB`, aim: '≤ 1 GB', pass: r.peakRssKiB * 1024 <= 1e9 });
  const bytes = r.storageBytes ?? (await storageBytes(t));
  build.push({
    what: t.engine === 'sqlite' ? 'storage: database file (+ WAL) per message' : 'storage: pg_total_relation_size of the schema\'s tables per message',
    value: `${fmt(bytes / r.messages)} B (${fmt(bytes / 2 ** 30, 2)} GiB after the build)`, aim: '≤ 600 B', pass: bytes / r.messages <= 600,
  });

  // --------------------------------------------------------------- the campaigns, then two cold starts
  let server = await startServerProcess(env);
  let campaigns: Campaign[];
  try {
    campaigns = (await callOk<{ items: Campaign[] }>(server.url, 'GET', '/v1/campaigns?limit=100', key)).items.filter((c) => !c.name.startsWith('bench:'));
  } finally {
    await server.stop();
  }
  const largest = campaigns.reduce((a, b) => (b.audience > a.audience ? b : a));
  const letters = campaigns.filter((c) => c.channel === 'mail');
  const letter = letters.reduce((a, b) => (b.audience < a.audience ? b : a));
  log(`Largest campaign: "${largest.name}" (${fmt(largest.audience)} recipients); smallest letter campaign: "${letter.name}" (${fmt(letter.audience)})`);

  const timeOne = async (s: ServerProcess, path: string): Promise<number> => {
    const t0 = performance.now();
    const a = await call(s.url, 'GET', path, key);
    const took = performance.now() - t0;
    if (a.status !== 200) throw new Error(`GET ${path} → ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
    return took;
  };
  const cold = async (path: string): Promise<number> => {
    const s = await startServerProcess(env);
    try {
      return await timeOne(s, path);
    } finally {
      await s.stop();
    }
  };
  const detailPath = `/v1/campaigns/${largest.id}`;
  const liftPath = `/v1/campaigns/${largest.id}/lift`;
  const coldDetail = await cold(detailPath);
  const coldLift = await cold(liftPath);

  const reads: Row[] = [];
  const writes: Row[] = [];
  server = await startServerProcess(env);
  try {
    const warm = async (paths: string[]): Promise<number> => {
      for (const p of paths) await timeOne(server, p);
      const runs: number[] = [];
      for (let i = 0; i < o.reads; i++) {
        let sum = 0;
        for (const p of paths) sum += await timeOne(server, p);
        runs.push(sum);
      }
      return median(runs);
    };
    const home = await warm(['/v1/overview', '/v1/series/daily', '/v1/budget', '/v1/invoices/unpaid', '/v1/campaigns?limit=10&sort=-sendAt']);
    reads.push({ what: "the home page's five calls together", value: ms(home), aim: '≤ 30 ms', pass: home <= 30 });
    const detail = await warm([detailPath]);
    reads.push({ what: `\`GET /v1/campaigns/{largest}\` warm (cold)`, value: `${ms(detail)} (cold ${ms(coldDetail)})`, aim: '≤ 50 ms, cold ≤ 200 ms', pass: detail <= 50 && coldDetail <= 200 });
    const lift = await warm([liftPath]);
    reads.push({ what: '`GET /v1/campaigns/{largest}/lift` warm (cold)', value: `${ms(lift)} (cold ${ms(coldLift)})`, aim: '≤ 100 ms', pass: lift <= 100 });
    const firstPage = `/v1/campaigns/${largest.id}/recipients?limit=50`;
    const rec = await warm([firstPage]);
    reads.push({ what: `\`/recipients?limit=50\`, first page, largest campaign`, value: ms(rec), aim: '≤ 30 ms', pass: rec <= 30 });
    const recLetter = await warm([`/v1/campaigns/${letter.id}/recipients?limit=50`]);
    reads.push({ what: `\`/recipients?limit=50\`, first page of the ${fmt(letter.audience)}-recipient letter campaign`, value: ms(recLetter), aim: '≤ 30 ms', pass: recLetter <= 30 });
    // An exact e-mail address from the middle of the largest campaign's first page (any recipient would do).
    const page = await callOk<{ items: { recipient: string }[] }>(server.url, 'GET', firstPage, key);
    const needle = page.items[Math.floor(page.items.length / 2)].recipient;
    const search = await warm([`/v1/campaigns/${largest.id}/recipients?q=${encodeURIComponent(needle)}`]);
    reads.push({ what: '`/recipients?q=<exact e-mail>`', value: ms(search), aim: '≤ 20 ms', pass: search <= 20 });
    const clicked = await warm([`/v1/campaigns/${largest.id}/recipients?status=clicked`]);
    reads.push({ what: '`/recipients?status=clicked`', value: ms(clicked), aim: '≤ 50 ms', pass: clicked <= 50 });
    const exp = await exportCsv(server.url, `/v1/campaigns/${largest.id}/export.csv`, key);
    if (exp.rows !== largest.audience) throw new Error(`export.csv gave ${exp.rows} rows for ${largest.audience} recipients`);
    const rowsPerS = exp.rows / (exp.totalMs / 1000);
    reads.push({ what: `\`export.csv\`, ${fmt(exp.rows)} rows`, value: `${fmt(rowsPerS)} rows/s, first byte ${ms(exp.firstByteMs)}`, aim: '≥ 300,000 rows/s, first byte ≤ 100 ms', pass: rowsPerS >= 300_000 && exp.firstByteMs <= 100 });

    writes.push(...(await writeSide(t, r, server, o)));
    if (o.browser) await dashboardCheck(server.url, largest, log);
    const hwm = peakRssKiB(server.child.pid!);
    build.push({ what: '`mesure serve`: peak RSS over the reads and the write side', value: `${fmt(hwm / 1024)} MiB`, aim: '', pass: null });
  } finally {
    await server.stop();
  }

  const load1 = loadavg();
  const print = (title: string, rows: Row[], head: string) => {
    log(`\n${title}\n`);
    log(`| ${head} | ${t.engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | aim | |`);
    log('|---|---:|---:|---|');
    for (const x of rows) log(`| ${x.what} | ${x.value} | ${x.aim} | ${x.pass === null ? '' : x.pass ? 'PASS' : 'MISS'} |`);
  };
  print(`Build, storage and memory (scale ${r.scale}: ${fmt(r.messages)} messages):`, build, 'what');
  print(`Read paths (warm: median of ${o.reads} calls, one at a time; cold: first call after \`mesure serve\` starts):`, reads, 'call');
  print('Write side (same run, same account):', writes, 'path');
  log(`\nLoad average at start ${load0.map((l) => fmt(l, 1)).join(' ')}, at end ${load1.map((l) => fmt(l, 1)).join(' ')} (${cpus().length} cores); ${new Date().toISOString()}`);
  return [...build, ...reads, ...writes].filter((x) => x.pass === false).length;
}

/** A process's peak resident set (VmHWM) so far, in KiB. */
function peakRssKiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** Streams a CSV export: time to its first byte, to its end, and its data rows (lines after the header). */
function exportCsv(base: string, path: string, key: string): Promise<{ rows: number; firstByteMs: number; totalMs: number }> {
  return new Promise((ok, ko) => {
    const t0 = performance.now();
    let first = 0;
    let lines = 0;
    const req = request(new URL(path, base), { headers: { authorization: `Bearer ${key}` } }, (res) => {
      if (res.statusCode !== 200) return ko(new Error(`GET ${path} → ${res.statusCode}`));
      res.on('data', (d: Buffer) => {
        if (!first) first = performance.now() - t0;
        for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () => ok({ rows: lines - 1, firstByteMs: first, totalMs: performance.now() - t0 }));
      res.on('error', ko);
    });
    req.on('error', ko);
    req.end();
  });
}

/** Polls the campaign until `done(figures)`; returns when, in ms since `t0`. */
async function until(base: string, key: string, campaignId: string, t0: number, done: (f: Record<string, number>) => boolean, what: string): Promise<number> {
  for (;;) {
    const a = await call(base, 'GET', `/v1/campaigns/${campaignId}`, key);
    const f = (a.body as { figures?: Record<string, number> }).figures ?? {};
    if (a.status === 200 && done(f)) return performance.now() - t0;
    if (performance.now() - t0 > 600_000) throw new Error(`${what}: not applied after 10 minutes: ${JSON.stringify(f)}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

async function writeSide(t: Target, r: BuildRecord, server: ServerProcess, o: ScaleOptions): Promise<Row[]> {
  const { log } = o;
  const key = r.apiKey;
  const rows: Row[] = [];
  // Events: each message receives sent, delivered, opened and clicked over four passes (bench/support.ts eventBatch).
  const events = Math.max(4, Math.round(o.writeEvents / 4) * 4);
  const messages = events / 4;
  const batch = Math.min(10_000, messages);
  const { campaignId, messageIds } = await createCampaignWithMessages(server.url, key, messages, { name: `bench: events ${new Date().toISOString()}`, prefix: `w${Date.now()}-` });
  const now = Date.now();
  const batches = Math.ceil(events / batch);
  const bodies = Array.from({ length: batches }, (_, b) => Buffer.from(JSON.stringify({ events: eventBatch(messageIds, b, Math.min(batch, events - b * batch), now) })));
  const t0 = performance.now();
  await pool(batches, 4, async (b) => {
    const a = await call(server.url, 'POST', '/v1/events', key, bodies[b]);
    if (a.status !== 200) throw new Error(`POST /v1/events → ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
  });
  const ackMs = performance.now() - t0;
  const appliedMs = await until(server.url, key, campaignId, t0, (f) => f.sent === messages && f.delivered === messages && f.opened === messages && f.clicked === messages, 'events');
  log(`Write side: ${fmt(events)} events over ${fmt(messages)} messages acknowledged in ${fmt(ackMs / 1000, 2)} s, applied ${fmt((appliedMs - ackMs) / 1000, 2)} s later`);
  const bare = t.engine === 'sqlite'
    ? (() => {
      const stored = sqliteEventRows(t.db, r.accountId, campaignId);
      return bareSqliteInsert(stored.rows, { tableSql: stored.tableSql, cacheSize: -Number(process.env.MESURE_SQLITE_CACHE_MIB || 128) * 1024, batch, sync: 'FULL' });
    })()
    : await barePgInsert(t.pgUrl, t.pgSchema, r.accountId, campaignId, batch);
  if (bare.rows !== events) throw new Error(`the bare loop found ${bare.rows} stored events, expected ${events}`);
  const bareRate = bare.rows / bare.seconds;
  const ack = events / (ackMs / 1000);
  const applied = events / (appliedMs / 1000);
  rows.push({ what: 'bare insert loop, same rows, same table and indexes', value: `${fmt(bareRate)} rows/s`, aim: '', pass: null });
  rows.push({ what: '`POST /v1/events` acknowledged', value: `${fmt(ack)} events/s (${fmt(ack / bareRate, 2)} ×)`, aim: '≥ 0.7 × the bare loop', pass: ack / bareRate >= 0.7 });
  rows.push({ what: '… applied (figures current)', value: `${fmt(applied)} events/s (${fmt(applied / bareRate, 2)} ×)`, aim: '≥ 0.5 × the bare loop', pass: applied / bareRate >= 0.5 });

  // Clicks: one SMS campaign, two destinations a message, every token shuffled, autocannon at 50 connections.
  const clickSeconds = o.clickSeconds ?? 15;
  const c = await callOk<{ id: string }>(server.url, 'POST', '/v1/campaigns', key, { name: `bench: clicks ${new Date().toISOString()}`, channel: 'sms' });
  const recipients = 20_000;
  for (let start = 0; start < recipients; start += 10_000) {
    const messages = Array.from({ length: Math.min(10_000, recipients - start) }, (_, i) => ({ recipient: { phone: `+3361${String(start + i).padStart(7, '0')}` } }));
    await callOk(server.url, 'POST', `/v1/campaigns/${c.id}/messages`, key, { messages });
  }
  await callOk(server.url, 'POST', `/v1/campaigns/${c.id}/links`, key, { destinations: ['https://shop.example/soldes', 'https://shop.example/nouveautes'] });
  const tokens: string[] = [];
  for (let cursor: string | null | undefined; ; ) {
    const page = await callOk<{ messages: { links: { token: string }[] }[]; nextCursor: string | null }>(server.url, 'POST', `/v1/campaigns/${c.id}/links/issue`, key, { all: true, limit: 5000, ...(cursor ? { cursor } : {}) });
    for (const m of page.messages) tokens.push(...m.links.map((l) => l.token));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  let s = 42;
  for (let i = tokens.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [tokens[i], tokens[j]] = [tokens[j], tokens[i]];
  }
  let next = 0;
  const c0 = performance.now();
  const ac = await autocannon({
    url: server.url, connections: 50, duration: clickSeconds, headers: { 'user-agent': CHROME },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/l/${tokens[next++ % tokens.length]}` }) }],
  });
  const loadMs = performance.now() - c0;
  const answered = (ac as unknown as { '3xx': number })['3xx'];
  const appliedClicksMs = await until(server.url, key, c.id, c0, (f) => (f.totalClicks ?? 0) + (f.botClicks ?? 0) >= answered, 'clicks');
  const answeredRate = answered / (loadMs / 1000);
  const appliedRate = answered / (appliedClicksMs / 1000);
  log(`Clicks: ${fmt(answered)} redirects answered in ${fmt(loadMs / 1000, 1)} s (p99 ${fmt(ac.latency.p99, 1)} ms), all applied ${fmt((appliedClicksMs - loadMs) / 1000, 2)} s after the load ended`);
  rows.push({
    what: `clicks answered / applied, ${clickSeconds} s at 50 connections`,
    value: `${fmt(answeredRate)} /s answered; ${fmt(appliedRate)} /s applied (${fmt(answered)} in ${fmt(appliedClicksMs / 1000, 1)} s)`,
    aim: 'applied ≥ answered (within 5 %)', pass: appliedRate >= 0.95 * answeredRate,
  });
  return rows;
}

/** The campaign page of `campaign` in headless Chromium, logged in as the demo user: navigation to figures shown. */
async function dashboardCheck(base: string, campaign: Campaign, log: (s: string) => void): Promise<void> {
  const { existsSync } = await import('node:fs');
  const executablePath = process.env.MESURE_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    log(`Dashboard check skipped: no Chromium at ${executablePath}.`);
    return;
  }
  // @ts-expect-error: a plain .mjs script without type declarations
  const { ensureWebBuilt } = (await import('../../scripts/build-web.mjs')) as { ensureWebBuilt: () => void };
  ensureWebBuilt();
  const { chromium } = await import('playwright-core');
  const { DEMO_USER } = await import('../../src/demo/generate');
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  try {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${base}/`);
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(DEMO_USER.email);
    await page.locator('input[name=password]').fill(DEMO_USER.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await page.goto(`${base}/campaigns/${encodeURIComponent(campaign.id)}`);
      await page.getByTestId('funnel-audience').getByTestId('funnel-count').waitFor({ state: 'visible', timeout: 300_000 });
      times.push(performance.now() - t0);
    }
    log(`Dashboard: the campaign page of "${campaign.name}" showed its funnel ${times.map((x) => ms(x)).join(', ')} after navigation (three loads, Chromium headless; aim < 1 s, not asserted)`);
  } finally {
    await browser.close();
  }
}

