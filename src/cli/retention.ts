// `mesure retention run [--account <id>] [--now <time>] [--json]`: applies the accounts' retention bounds now, as the
// daily job of `mesure serve` does, with progress on stderr and a summary per account on stdout.
import type { Command } from 'commander';
import { fail, withMesure } from './shared';
import type { RetentionReport } from '../services/retention';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

function summary(r: RetentionReport): string {
  const s = r.settings;
  return [
    `account ${r.accountId}: IP addresses and user agents kept ${plural(s.visitorDetailsDays, 'day')}, per-recipient rows kept ${s.recipientRowsDays === null ? 'for ever' : plural(s.recipientRowsDays, 'day')}`,
    `  IP addresses and user agents removed from ${plural(r.eventsCleared, 'event')}, ${plural(r.waitingEventsCleared, 'waiting event')} and ${plural(r.deadLettersCleared, 'dead letter')}`,
    `  dropped ${plural(r.messagesDropped, 'message')} with ${plural(r.eventsDropped, 'event')}, ${plural(r.waitingEventsDropped, 'waiting event')}, ${plural(r.holdoutMembersDropped, 'holdout member')}`,
    `  ${plural(r.scanned, 'row')} read`,
  ].join('\n');
}

export function register(program: Command): void {
  const retention = program.command('retention').description('How long personal data is kept (docs/PRIVACY.md, "Retention").');
  retention
    .command('run')
    .description("Apply every account's retention bounds now (the server also does it daily), in small batches; safe to run while the server runs, and again.")
    .option('--account <id>', 'only this account')
    .option('--now <time>', 'count the bounds back from this ISO time instead of now')
    .option('--json', 'print the summary as JSON')
    .action(async (o: { account?: string; now?: string; json?: boolean }) => {
      const now = o.now === undefined ? undefined : Date.parse(o.now);
      if (now !== undefined && Number.isNaN(now)) fail(`--now ${o.now} is not a time: use ISO 8601, such as 2026-12-01T00:00:00Z`);
      await withMesure(async (m) => {
        if (o.account && !(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
        let lastLine = 0;
        const reports = await m.deps.retention.run({
          accountId: o.account,
          now,
          onProgress: (accountId, step, scanned) => {
            const t = Date.now();
            if (t - lastLine < 1000) return;
            lastLine = t;
            process.stderr.write(`retention ${accountId}: ${step}, ${scanned.toLocaleString('en')} read\n`);
          },
        });
        if (o.json) return void process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
        process.stdout.write(`${reports.map(summary).join('\n')}\n`);
      });
    });
}
