// `mesure budget --account <id>` (the budget card) and `mesure suppressions import|export` (the suppression list as CSV).
import { readFileSync, createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify';
import { fail, withMesure } from './shared';
import { neutralizeCsvCell } from '../http/csv';
import { formatMinor } from '../domain/orders';

/** An amount in the account's currency, with its own number of decimals (JPY none, KWD three). */
const money = (minor: number, currency: string) => `${formatMinor(minor, currency)} ${currency}`;

export function register(program: Command): void {
  program
    .command('budget')
    .description("Print the account's budget card: total, used, reserved, remaining, daily average, forecast and light.")
    .requiredOption('--account <id>', 'account id')
    .option('--json', 'print JSON')
    .action(async (opts: { account: string; json?: boolean }) => {
      await withMesure(async (m) => {
        if (!(await m.deps.accounts.get(opts.account))) fail(`no account ${opts.account} (see \`mesure accounts list\`)`);
        const card = await m.deps.budgets.card(opts.account);
        if (!card) fail('no budget yet: give a campaign a budget or set a monthly budget (PUT /v1/budget/settings)');
        if (opts.json) return void process.stdout.write(`${JSON.stringify(card, null, 2)}\n`);
        const c = card.currency;
        process.stdout.write(
          [
            `light          ${card.light.toUpperCase()}`,
            `total          ${money(card.total, c)}${card.monthlyBudget !== null ? ` (monthly budget ${money(card.monthlyBudget, c)})` : ` (${card.campaigns} active campaign(s))`}`,
            `used           ${money(card.used, c)}`,
            `reserved       ${money(card.reserved, c)}`,
            `remaining      ${money(card.remaining, c)}`,
            `daily average  ${money(card.dailyAverage, c)} (spend ${card.period.from} … ${card.period.to} / 7)`,
            `forecast       ${card.forecastDays === null ? '— (nothing spent in 7 days)' : `${card.forecastDays} days`}`,
          ].join('\n') + '\n',
        );
      });
    });

  const sup = program.command('suppressions').description('The suppression list (addresses never to send to again, per channel).');
  sup
    .command('import <file>')
    .description('Import a CSV (header channel,address,reason); rejected lines are listed with their numbers.')
    .requiredOption('--account <id>', 'account id')
    .action(async (file: string, opts: { account: string }) => {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        fail(`cannot read ${file}: ${(err as Error).message}`);
      }
      await withMesure(async (m) => {
        if (!(await m.deps.accounts.get(opts.account))) fail(`no account ${opts.account} (see \`mesure accounts list\`)`);
        const out = await m.deps.suppressionList.importCsv(opts.account, text);
        if (!out.ok) fail(out.message);
        const v = out.value;
        process.stdout.write(`${v.lines} line(s): ${v.added} added, ${v.alreadyListed} already listed, ${v.rejected.length} rejected\n`);
        for (const r of v.rejected) process.stdout.write(`  line ${r.line}: ${r.message}\n`);
        if (v.rejected.length) process.exitCode = 2;
      });
    });
  sup
    .command('export')
    .description('Write the suppression list as CSV (to a file, or standard output).')
    .requiredOption('--account <id>', 'account id')
    .option('--out <file>', 'file to write (default: standard output)')
    .action(async (opts: { account: string; out?: string }) => {
      await withMesure(async (m) => {
        if (!(await m.deps.accounts.get(opts.account))) fail(`no account ${opts.account} (see \`mesure accounts list\`)`);
        const csv = stringify({ header: true, columns: ['channel', 'address', 'reason', 'source', 'createdAt'], cast: { string: neutralizeCsvCell } });
        const sink = opts.out ? createWriteStream(opts.out) : process.stdout;
        csv.pipe(sink);
        let n = 0;
        for await (const page of m.deps.suppressionList.exportRows(opts.account)) {
          for (const r of page) if (!csv.write(r)) await new Promise((ok) => csv.once('drain', ok));
          n += page.length;
          if (opts.out) process.stderr.write(`exported ${n.toLocaleString('en')} entries\r`);
        }
        csv.end();
        await new Promise<void>((ok) => {
          if (opts.out) sink.once('finish', () => ok());
          else csv.once('end', () => ok());
        });
        if (opts.out) process.stderr.write(`exported ${n.toLocaleString('en')} entries to ${opts.out}\n`);
      });
    });
}
