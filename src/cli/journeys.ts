// `mesure journeys list|report` and `mesure goals evaluate`: the journey report in the terminal (or as a CSV file of
// its recipients), and the daily goal evaluation run by hand or from cron.
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify';
import { neutralizeCsvCell } from '../http/csv';
import { JOURNEY_METRICS, DEFAULT_JOURNEY_METRICS, type JourneyMetric } from '../services/journeys';
import { fail, progressBar, withMesure } from './shared';

const fmt = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));

function metricsOption(raw: string | undefined): JourneyMetric[] {
  if (!raw) return DEFAULT_JOURNEY_METRICS;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(JOURNEY_METRICS as readonly string[]).includes(n));
  if (unknown.length) fail(`unknown figure(s) ${unknown.join(', ')}; choose among ${JOURNEY_METRICS.join(', ')}`);
  return names as JourneyMetric[];
}

export function register(program: Command): void {
  const journeys = program.command('journeys').description('Journeys: flows of campaigns across channels, and their reports.');
  journeys
    .command('list')
    .description("List an account's journeys with their status, channels and figures since their start.")
    .requiredOption('--account <id>', 'account id')
    .action(async (o: { account: string }) => {
      await withMesure(async (m) => {
        const page = await m.deps.journeys.list(o.account, { limit: 1000 });
        if (page.items.length === 0) process.stdout.write('No journeys.\n');
        for (const j of page.items) {
          process.stdout.write(`${j.id}  ${j.status.padEnd(6)}  ${j.name}  [${j.channels.join(', ')}]  since ${j.startedAt.slice(0, 10)}  sent ${j.sent}  open rate ${fmt(j.openRate)}  click rate ${fmt(j.clickRate)}\n`);
        }
      });
    });
  journeys
    .command('report <id>')
    .description('A journey report from its start to today; --csv writes its recipients, step by step.')
    .requiredOption('--account <id>', 'account id')
    .option('--metrics <list>', `comma-separated figures among ${JOURNEY_METRICS.join(',')}`)
    .option('--csv <file>', 'write every recipient of every step to this CSV file')
    .action(async (id: string, o: { account: string; metrics?: string; csv?: string }) => {
      const metrics = metricsOption(o.metrics);
      await withMesure(async (m) => {
        const r = await m.deps.journeys.report(o.account, id, metrics);
        if (!r) fail(`no journey ${id} in account ${o.account}`);
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(`${r.journey.name} (${r.journey.status}), ${r.period.from} → ${r.period.to}, ${r.currency}`);
        for (const k of metrics) out(`  ${k.padEnd(22)} ${fmt(r.metrics[k])}`);
        for (const c of r.channels) out(`  ${c.channel}: ${metrics.map((k) => `${k} ${fmt(c.figures[k])}`).join(', ')}`);
        for (const s of r.steps) out(`  step ${s.position} ${s.name} [${s.channel}]: sent ${s.sent}, open rate ${fmt(s.openRate)}, click rate ${fmt(s.clickRate)}`);
        if (o.csv) {
          const file = createWriteStream(o.csv);
          const csv = stringify({ header: true, columns: ['step', 'stepName', 'channel', 'campaignId', 'campaign', 'messageId', 'recipient', 'status', 'failureReason', 'variant', 'sentAt', 'deliveredAt', 'openedAt', 'clickedAt', 'opens', 'clicks'], cast: { string: neutralizeCsvCell } });
          csv.pipe(file);
          const progress = progressBar('export');
          const total = r.journey.messages;
          let done = 0;
          for await (const page of m.deps.journeys.exportRows(o.account, id)) {
            for (const row of page) if (!csv.write(row)) await new Promise((res) => csv.once('drain', res));
            done += page.length;
            progress(done, Math.max(total, done), 'recipients');
          }
          csv.end();
          await new Promise<void>((res) => file.on('finish', () => res()));
          out(`Wrote ${done} recipient(s) to ${o.csv}.`);
        }
      });
    });

  program
    .command('goals')
    .description('Goals of campaigns and journeys.')
    .command('evaluate')
    .description("Evaluate every goal now and store today's snapshot (the server also does it daily).")
    .option('--account <id>', 'only this account')
    .action(async (o: { account?: string }) => {
      await withMesure(async (m) => {
        const bar = progressBar('goals');
        const n = await m.deps.goals.evaluateAll({ accountId: o.account, progress: (done, total) => bar(done, total, 'goals') });
        process.stdout.write(`Evaluated ${n} goal(s).\n`);
      });
    });
}
