// Send gate throughput: reservations per second for N recipients (default 1,000,000) posted over HTTP in batches of
// 10,000 to a real listening server on a fresh SQLite file, against a baseline measured in the same run: a bare
// better-sqlite3 loop inserting the same message and reservation rows with prepared statements (no HTTP, no rules).
// Run: npx tsx bench/gate.ts   (BENCH_GATE_N=200000 for a shorter run, BENCH_GATE_CHANNEL=email|sms,
// BENCH_PROFILE=file.cpuprofile for a V8 CPU profile of the measured gate phase only)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config';
import { assemble } from '../src/main';
import { newMessageId } from '../src/services/ingest';
import { tempDir } from './support';

const N = Number(process.env.BENCH_GATE_N ?? 1_000_000);
const BATCH = 10_000;
const CHANNEL = (process.env.BENCH_GATE_CHANNEL ?? 'sms') as 'sms' | 'email';
const recipient = (i: number) => (CHANNEL === 'sms' ? { phone: `+3361${String(i).padStart(7, '0')}`, text: 'Soldes -30% ce week-end: mesure.shop/s' } : { email: `r${i}@example.com` });

async function gate(dir: string): Promise<{ seconds: number; cpu: number; allowed: number }> {
  const m = await assemble(loadConfig({ DATABASE_URL: `file:${join(dir, 'gate.db')}`, MESURE_DEMO: '0' }));
  try {
    const account = await m.deps.accounts.create({ name: 'bench', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
    const key = (await m.deps.accounts.createKey(account.id, 'bench', 'owner')).token;
    await m.deps.budgets.putAccountModel(account.id, { sms: { perSegment: { default: 5000, FR: 4500 } }, email: { perMessage: 100 } });
    // A budget large enough for every message: the benchmark measures the gate's work, not refusals.
    const campaign = await m.deps.campaigns.create(account.id, { name: 'bench', channel: CHANNEL, budget: N * 10, status: 'sending' });
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}/v1/campaigns/${campaign.id}/sends`;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    let allowed = 0;
    const refusals = new Map<string, number>();
    const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    // Two requests in flight, as a sender with a small worker pool would post.
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const from = next;
        next += BATCH;
        const body = JSON.stringify({ recipients: Array.from({ length: Math.min(BATCH, N - from) }, (_, k) => recipient(from + k)) });
        const res = await fetch(url, { method: 'POST', headers, body });
        if (res.status !== 200) throw new Error(`gate answered ${res.status}: ${await res.text()}`);
        const answer = (await res.json()) as { allowed: number; results: { reason?: string }[] };
        allowed += answer.allowed;
        for (const r of answer.results) if (r.reason) refusals.set(r.reason, (refusals.get(r.reason) ?? 0) + 1);
        const done = Math.min(from + BATCH, N);
        const s = (performance.now() - t0) / 1000;
        process.stderr.write(`gate ${String(Math.round((done / N) * 100)).padStart(3)} % ${done.toLocaleString('en')} / ${N.toLocaleString('en')}  ${Math.round(done / s).toLocaleString('en')} /s\n`);
      }
    };
    await Promise.all([worker(), worker()]);
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    if (refusals.size) process.stderr.write(`refused: ${JSON.stringify(Object.fromEntries(refusals))}\n`);
    return { seconds, cpu: (c.user + c.system) / 1e6, allowed };
  } finally {
    await m.close();
  }
}

async function baseline(dir: string): Promise<number> {
  // The same schema (migrated by assemble), then bare inserts of the rows the gate writes for each recipient.
  const m = await assemble(loadConfig({ DATABASE_URL: `file:${join(dir, 'base.db')}`, MESURE_DEMO: '0' }));
  await m.close();
  const db = new Database(join(dir, 'base.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const msg = db.prepare(`INSERT INTO messages (account_id, id, campaign_id, recipient, status, registered_at, cohort_day, cost_minor, cost_state) VALUES ('acc', ?, 'cmp', ?, 'pending', ?, '2026-11-25', 5, 'reserved')`);
  const res = db.prepare(`INSERT INTO reservations (account_id, message_id, campaign_id, cost_minor, reserved_at, expires_at) VALUES ('acc', ?, 'cmp', 5, ?, ?)`);
  const t0 = performance.now();
  for (let from = 0; from < N; from += BATCH) {
    db.transaction(() => {
      for (let i = from; i < Math.min(from + BATCH, N); i++) {
        // Ids as Mesure makes them (time-ordered since 887a915), so the baseline appends to the primary key as the gate does.
        const id = newMessageId();
        const r = recipient(i);
        msg.run(id, 'phone' in r ? r.phone : r.email, Date.now());
        res.run(id, Date.now(), Date.now() + 900_000);
      }
    })();
    if ((from / BATCH) % 20 === 19) process.stderr.write(`baseline ${Math.round(((from + BATCH) / N) * 100)} %\n`);
  }
  const s = (performance.now() - t0) / 1000;
  db.close();
  return s;
}

const tmp = tempDir('mesure-bench-gate-');
try {
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stderr.write(`Send gate: ${N.toLocaleString('en')} ${CHANNEL} recipients, batches of ${BATCH.toLocaleString('en')} over HTTP, SQLite.\n`);
  process.stderr.write(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load average ${load()}\n`);
  const base = await baseline(tmp.dir);
  const g = await gate(tmp.dir);
  if (g.allowed !== N) throw new Error(`expected ${N} allowed, got ${g.allowed}`);
  const rate = N / g.seconds;
  const baseRate = N / base;
  process.stdout.write(
    `\nrecipients            ${N.toLocaleString('en')} (${CHANNEL})\n` +
      `gate over HTTP        ${g.seconds.toFixed(1)} s   ${Math.round(rate).toLocaleString('en')} reservations/s\n` +
      `baseline (bare rows)  ${base.toFixed(1)} s   ${Math.round(baseRate).toLocaleString('en')} rows/s\n` +
      `gate / baseline       ${(rate / baseRate).toFixed(2)}   (aim: 20,000 reservations/s)\n` +
      `gate CPU              ${g.cpu.toFixed(1)} s   ${((g.cpu / N) * 1e6).toFixed(1)} µs per reservation (server and client share the process)\n` +
      `load average          ${load()} (1, 5, 15 min, at the end)\n`,
  );
} finally {
  tmp.remove();
}
