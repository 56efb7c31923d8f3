// `mesure reports send [--now] [--user <email>] [--account <id>]`: sends scheduled e-mail reports from the command line,
// with a line per report on stderr and a summary on stdout. Without --now: the reports that are due, as the server's
// tick sends them (once per member and slot). With --now: at once, for the period just ended, whatever the schedule.
import type { Command } from 'commander';
import { fail, withMesure } from './shared';
import type { ReportRunView } from '../services/reports';

const line = (r: ReportRunView) =>
  `${r.status === 'sent' ? 'sent' : 'FAILED'} ${r.kind} report ${r.period.from} – ${r.period.to} (${r.language}) to ${r.to}${r.error ? `: ${r.error}` : ''}\n`;

export function register(program: Command): void {
  const reports = program.command('reports').description('Scheduled e-mail reports (docs/OPERATIONS.md, "Scheduled reports").');
  reports
    .command('send')
    .description('Send the reports that are due now (as `mesure serve` does), or with --now a report for the period just ended at once.')
    .option('--now', 'send at once, whatever the schedule: to --user, or to every member whose reports are on')
    .option('--user <email>', "only this person's report (with --now: even when their reports are off)")
    .option('--account <id>', 'only this account')
    .action(async (o: { now?: boolean; user?: string; account?: string }) =>
      withMesure(async (m) => {
        const smtp = m.deps.reports.smtp();
        if (!smtp.configured) fail(smtp.help!);
        if (o.account && !(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
        if (!o.now) {
          if (o.user) fail('--user goes with --now (without it, every due report is sent)');
          const t = await m.deps.reports.runDue({ onReport: (r) => process.stderr.write(line(r)) });
          process.stdout.write(`${t.due} report(s) due: ${t.sent} sent, ${t.failed} failed\n`);
          if (t.failed) process.exitCode = 1;
          return;
        }
        const who = await m.deps.reports.recipients({ accountId: o.account, email: o.user });
        if (!who.length) {
          fail(o.user ? `${o.user} is not a member of ${o.account ? `account ${o.account}` : 'any account'} (see GET /v1/users)` : 'no member has reports on: pass --user <email>, or turn reports on in Settings → Reports');
        }
        let sent = 0;
        let failed = 0;
        for (const [i, r] of who.entries()) {
          process.stderr.write(`[${i + 1}/${who.length}] ${r.email} (account ${r.accountId})… `);
          const answer = await m.deps.reports.sendNow(r.accountId, r.userId);
          if (!answer.ok) {
            failed += 1;
            process.stderr.write(`FAILED: ${answer.message}\n`);
            continue;
          }
          if (answer.run.status === 'sent') sent += 1;
          else failed += 1;
          process.stderr.write(line(answer.run));
        }
        process.stdout.write(`${who.length} report(s): ${sent} sent, ${failed} failed${failed ? ' (see the lines above; check MESURE_SMTP_URL and the SMTP server)' : ''}\n`);
        if (failed) process.exitCode = 1;
      }),
    );
}
