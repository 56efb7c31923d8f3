// `mesure orders import <file>` (streamed, with progress and a summary) and `mesure attribute --recompute`.
import { createReadStream, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import type { Command } from 'commander';
import { fail, progressBar, withMesure } from './shared';
import type { CsvImportOptions } from '../services/orders';

export function register(program: Command): void {
  const orders = program.command('orders').description('Import orders (CSV files from Shopify, Billbee or any shop).');
  orders
    .command('import <file>')
    .description('Import a CSV file of orders; the same file twice adds nothing. Rejected lines are listed with their numbers.')
    .requiredOption('--account <id>', 'account id')
    .option('--mapping <name>', 'column mapping: shopify, billbee, generic or auto', 'auto')
    .option('--time-zone <zone>', "zone of times written without an offset (default: the account's)")
    .option('--decimal-comma', 'amounts are written 1.234,50')
    .option('--currency <code>', 'currency of files without a currency column')
    .action(async (file: string, opts: { account: string; mapping: string; timeZone?: string; decimalComma?: boolean; currency?: string }) => {
      if (!['auto', 'shopify', 'billbee', 'generic'].includes(opts.mapping)) fail(`unknown mapping "${opts.mapping}": use shopify, billbee, generic or auto`);
      let size = 0;
      try {
        size = statSync(file).size;
      } catch (err) {
        fail(`cannot read ${file}: ${(err as Error).message}`);
      }
      await withMesure(async (m) => {
        if (!(await m.deps.accounts.get(opts.account))) fail(`no account ${opts.account} (see \`mesure accounts list\`)`);
        const bar = progressBar('import');
        let read = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            read += chunk.length;
            done(null, chunk);
          },
        });
        const t0 = Date.now();
        const outcome = await m.deps.orders.importCsv(
          opts.account,
          createReadStream(file).pipe(counter),
          { mapping: opts.mapping as CsvImportOptions['mapping'], timeZone: opts.timeZone, decimalSeparator: opts.decimalComma ? ',' : undefined, defaultCurrency: opts.currency },
          (r) => bar(Math.min(read, size), Math.max(size, 1), `${r.orders.toLocaleString('en')} orders, ${r.rejected.toLocaleString('en')} rejected`),
        );
        if (!outcome.ok) fail(outcome.message);
        const r = outcome.value;
        bar(size, Math.max(size, 1), 'done');
        process.stdout.write(
          `Imported ${file} (${r.mapping} mapping) in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${r.lines.toLocaleString('en')} lines, ` +
            `${r.orders.toLocaleString('en')} orders (${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged), ${r.rejected} rejected.\n`,
        );
        for (const x of r.rejections.slice(0, 50)) process.stdout.write(`  line ${x.line}: ${x.reason}\n`);
        if (r.rejected > 50) process.stdout.write(`  … and ${r.rejected - 50} more rejected lines.\n`);
      });
    });

  program
    .command('attribute')
    .description('Credit orders to campaigns again. --recompute redoes every order of the account.')
    .requiredOption('--account <id>', 'account id')
    .option('--recompute', 'redo every credit (after changing windows, model, codes or rates outside the API)')
    .option('--revenue', "also recompute each order's revenue (basis or rates changed)")
    .action(async (opts: { account: string; recompute?: boolean; revenue?: boolean }) => {
      if (!opts.recompute) fail('say what to do: `mesure attribute --recompute --account <id>`');
      await withMesure(async (m) => {
        if (!(await m.deps.accounts.get(opts.account))) fail(`no account ${opts.account} (see \`mesure accounts list\`)`);
        const bar = progressBar('attribute');
        const s = await m.deps.orders.recompute(opts.account, { revenue: opts.revenue, progress: (done, total) => bar(done, Math.max(total, 1), 'orders') });
        process.stdout.write(
          `Attributed ${s.orders.toLocaleString('en')} orders in ${s.seconds.toFixed(1)} s (${Math.round(s.orders / Math.max(s.seconds, 1e-9)).toLocaleString('en')} orders/s): ` +
            `${s.credited.toLocaleString('en')} credited to campaigns (${s.credits.toLocaleString('en')} credit rows), ${(s.orders - s.credited).toLocaleString('en')} without an eligible touch.\n`,
        );
      });
    });
}
