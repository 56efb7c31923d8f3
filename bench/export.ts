// `npm run bench:export`: the campaign CSV export's throughput and first-chunk time, in this process, on a fresh SQLite
// file holding one campaign of BENCH_ROWS messages (240,000) in the statuses of a sent newsletter (written directly, in
// one transaction). Three readings of the same rows, each the median of BENCH_RUNS (3), in CPU time and wall time:
// the baseline, a bare better-sqlite3 `.raw().iterate()` over the campaign's rows (the CSV's columns, key order) that
// builds nothing; "before", the export as it was (objects through toRecipient, bench/export-reference.ts's pipeline
// on the store's paged reads); "after", what GET /v1/campaigns/{id}/export.csv runs (http/campaignCsv.ts over the
// store's array pages). The bytes of "before" and "after" are compared too. Prints rows/s and time to the first chunk.
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrateToLatest } from '../src/store/db';
import { CSV_COLUMNS, iterateCampaignCsvRows, iterateCampaignExport } from '../src/store/campaigns';
import { campaignCsvChunks } from '../src/http/campaignCsv';
import { toRecipient } from '../src/services/campaigns';
import { csvField } from '../src/http/csv';
import { deriveStatus, emptyState } from '../src/domain/message';
import { fmt } from './support';

const ROWS = Number(process.env.BENCH_ROWS ?? 240_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COLUMNS = ['messageId', 'recipient', 'status', 'failureReason', 'failureCode', 'bounceType', 'variant', 'sentAt', 'deliveredAt', 'openedAt', 'clickedAt', 'repliedAt', 'unsubscribedAt', 'opens', 'clicks', 'machineOpens', 'botClicks', 'scans', 'cost'];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mesure-export-'));
  const db = await openDatabase(`file:${join(dir, 'export.db')}`);
  try {
    await migrateToLatest(db);
    const sqlite = db.sqlite!;
    const [accountId, campaignId] = ['acc_bench', 'cmp_bench'];
    log(`writing ${fmt(ROWS)} messages…`);
    sqlite.pragma('foreign_keys = OFF');
    const t0 = Date.parse('2026-11-20T08:00:00Z');
    const first = { ...emptyState(), account_id: accountId, id: '', campaign_id: campaignId, contact_id: null, recipient: '', provider: null, provider_message_id: null, variant: null, registered_at: t0, cohort_day: '2026-11-20', cost_minor: 0, cost_state: 'none' };
    const keys = Object.keys(first);
    const insert = sqlite.prepare(`INSERT INTO messages (${keys.join(',')}) VALUES (${keys.map(() => '?').join(',')})`);
    sqlite.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        const m: Record<string, unknown> = { ...first, id: `msg_${String(i).padStart(12, '0')}`, recipient: `client${i}@example.org`, variant: i % 10 === 0 ? 'B' : null };
        const k = i % 10;
        if (k >= 1) { m.sent_at = t0 + i; m.cost_minor = 7; m.cost_state = 'committed'; }
        if (k >= 3) { m.delivered_at = t0 + i + 60_000; m.last_engaged_at = m.delivered_at; }
        if (k >= 6) { m.opened_at = t0 + i + 3_600_000; m.opens = 1 + (i % 3); }
        if (k >= 9) { m.clicked_at = t0 + i + 3_700_000; m.clicks = 1; }
        if (k === 2) { m.bounced_at = t0 + i + 30_000; m.bounce_type = 'hard'; m.failure_code = '5.1.1'; }
        if (k === 0 && i % 20 === 0) m.not_sent_reason = 'opted_out';
        m.status = deriveStatus(m as never);
        insert.run(...keys.map((c) => m[c]));
      }
    })();
    sqlite.pragma('foreign_keys = ON');

    const bare = sqlite.prepare(`SELECT ${CSV_COLUMNS.join(', ')} FROM messages WHERE account_id = ? AND campaign_id = ? ORDER BY account_id, campaign_id, status, id`).raw();
    // "Before": the route's loop as it was, one chunk of text per page of objects.
    async function* referenceChunks(): AsyncGenerator<string> {
      yield `${COLUMNS.join(',')}\n`;
      for await (const page of iterateCampaignExport(db, accountId, campaignId)) {
        let chunk = '';
        for (const m of page) {
          const row = toRecipient(m) as unknown as Record<string, string | number | null>;
          for (let i = 0; i < COLUMNS.length; i++) chunk += (i === 0 ? '' : ',') + csvField(row[COLUMNS[i]]);
          chunk += '\n';
        }
        yield chunk;
      }
    }
    const runs: Record<string, { cpu: number; wall: number; first: number; bytes: string }[]> = { baseline: [], 'after, reading only': [], before: [], after: [] };
    const measure = async (name: string, work: (mark: () => void) => Promise<string>) => {
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      let firstAt = -1;
      const bytes = await work(() => { if (firstAt < 0) firstAt = performance.now() - w0; });
      const cpu = process.cpuUsage(cpu0);
      runs[name].push({ cpu: (cpu.user + cpu.system) / 1000, wall: performance.now() - w0, first: firstAt, bytes });
    };
    for (let r = 0; r < RUNS; r++) {
      await measure('baseline', async (mark) => {
        let n = 0;
        for (const row of bare.iterate(accountId, campaignId) as Iterable<unknown[]>) { mark(); n += row.length; }
        return String(n);
      });
      await measure('after, reading only', async (mark) => {
        let n = 0;
        for await (const page of iterateCampaignCsvRows(db, accountId, campaignId)) { mark(); n += page.length; }
        return String(n);
      });
      await measure('before', async (mark) => {
        let n = 0;
        for await (const chunk of referenceChunks()) { mark(); n += chunk.length; }
        return String(n);
      });
      await measure('after', async (mark) => {
        let n = 0;
        let chunks = 0;
        for await (const chunk of campaignCsvChunks(iterateCampaignCsvRows(db, accountId, campaignId))) {
          // The header alone leaves at once; the first chunk of lines is what a client sees first.
          if (++chunks === 2) mark();
          n += chunk.length;
        }
        return String(n);
      });
    }
    // The bytes, compared once outside the measured runs (holding every run's text would tax the later runs' GC).
    let [before, after] = ['', ''];
    for await (const chunk of referenceChunks()) before += chunk;
    for await (const chunk of campaignCsvChunks(iterateCampaignCsvRows(db, accountId, campaignId))) after += chunk;
    const same = before === after;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    log(`\nload average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' / ')}; ${fmt(ROWS)} rows, median of ${RUNS}`);
    log('| reading | CPU ms | rows/s of CPU | wall ms | rows/s of wall | first rows after |');
    log('|---|---:|---:|---:|---:|---:|');
    for (const name of Object.keys(runs)) {
      const cpu = median(runs[name].map((x) => x.cpu));
      const wall = median(runs[name].map((x) => x.wall));
      const firstMs = median(runs[name].map((x) => x.first));
      log(`| ${name} | ${fmt(cpu)} | ${fmt(ROWS / (cpu / 1000))} | ${fmt(wall)} | ${fmt(ROWS / (wall / 1000))} | ${firstMs.toFixed(1)} ms |`);
    }
    log(`\nbytes of "after" equal to "before": ${same ? 'yes' : 'NO'} (${fmt(after.length)} characters)`);
    if (!same) process.exitCode = 1;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
