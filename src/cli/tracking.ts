// `mesure qr <campaign>`: one QR code file per recipient plus manifest.csv (recipient, url, file) for the
// print shop. Links are issued as needed; recipients refused before sending get no letter, hence no code.
// The codes are printed: their address is the account's own (tracking settings) or MESURE_PUBLIC_URL, said first,
// never the default this shell's host and port would give.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { Tracking } from '../services/tracking';
import { renderQr, type ErrorCorrection } from '../tracking/qr';
import { neutralizeCsvCell } from '../http/csv';
import { fail, progressBar, withMesure } from './shared';

export interface QrFilesOptions {
  format: 'png' | 'svg';
  size?: number;
  margin?: number;
  errorCorrection?: ErrorCorrection;
  /** Messages per page (each page is one issue call). */
  pageSize?: number;
}

export interface QrFilesResult {
  files: number;
  skipped: number;
  manifest: string;
}

/** Writes the codes of every recipient of a campaign into `outDir`; `progress(done, total?)` after each page. */
export async function writeQrFiles(
  tracking: Tracking,
  accountId: string,
  campaignId: string,
  outDir: string,
  o: QrFilesOptions,
  progress: (done: number, what: string) => void = () => {},
): Promise<QrFilesResult> {
  mkdirSync(outDir, { recursive: true });
  const rows: string[][] = [['recipient', 'url', 'file', 'printed_url', 'message_id']];
  let cursor: string | undefined;
  let files = 0;
  let skipped = 0;
  for (;;) {
    const page = await tracking.issue(accountId, campaignId, { all: true, cursor, limit: o.pageSize ?? 500 });
    if (!page.ok) throw new Error(page.message);
    if (page.value.destinations.length === 0) throw new Error(`campaign ${campaignId} has no destination: register one first (POST /v1/campaigns/${campaignId}/links)`);
    for (const m of page.value.messages) {
      if (!m.qr) {
        skipped++;
        continue;
      }
      const file = `${String(files + 1).padStart(6, '0')}-${m.messageId}.${o.format}`;
      const opts = { size: o.size, margin: o.margin, errorCorrection: o.errorCorrection };
      const data = o.format === 'png' ? await renderQr(m.qr.url, { ...opts, format: 'png' }) : await renderQr(m.qr.url, { ...opts, format: 'svg' });
      writeFileSync(join(outDir, file), data);
      rows.push([m.recipient, m.qr.url, file, m.qr.printedUrl, m.messageId]);
      files++;
    }
    progress(files, `QR codes written to ${outDir}`);
    if (!page.value.nextCursor) break;
    cursor = page.value.nextCursor;
  }
  const manifest = join(outDir, 'manifest.csv');
  writeFileSync(manifest, stringify(rows.map((r) => r.map(neutralizeCsvCell))));
  return { files, skipped, manifest };
}

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`${name} must be a whole number, got "${v}"`);
  return n;
};

/** Why `mesure qr` will not write codes nobody could open, and what to do. */
function noPublicUrl(accountId: string, fallback: string): string {
  return (
    `account ${accountId} has no public address for its links and MESURE_PUBLIC_URL is not set here: the codes would point to ` +
    `${fallback}, which a recipient's phone cannot reach. Set the address the server is reached at once for the account, ` +
    'in the dashboard (Settings → Tracking → Public address) or with PATCH /v1/tracking/settings {"publicUrl": "https://mesure.example.com"}, ' +
    'or run this command with MESURE_PUBLIC_URL set as the server has it.'
  );
}

export function register(program: Command): void {
  program
    .command('qr')
    .description('Write one QR code per recipient of a campaign, plus manifest.csv (recipient, url, file) for the print shop.')
    .argument('<campaign>', 'campaign id (cmp_…)')
    .requiredOption('--account <id>', 'account id')
    .requiredOption('--out <dir>', 'output directory (created if missing)')
    .option('--format <format>', 'png or svg', 'png')
    .option('--size <px>', 'width and height in pixels (600 px = 5.08 cm at 300 dpi)', int('--size'))
    .option('--margin <modules>', 'quiet zone in modules (4 is the standard minimum)', int('--margin'))
    .option('--ec <level>', 'error correction: L, M (default), Q or H (rough paper, folds)', 'M')
    .action(async (campaign: string, o: { account: string; out: string; format: string; size?: number; margin?: number; ec: string }) => {
      if (o.format !== 'png' && o.format !== 'svg') fail('--format must be png or svg');
      if (!['L', 'M', 'Q', 'H'].includes(o.ec)) fail('--ec must be L, M, Q or H');
      await withMesure(async (m) => {
        if (!(await m.deps.campaigns.get(o.account, campaign))) fail(`no campaign ${campaign} in account ${o.account}`);
        const base = await m.deps.tracking.publicUrlOf(o.account);
        if (!base.fromAccount && !m.config.http.publicUrlSet) fail(noPublicUrl(o.account, base.url));
        process.stdout.write(`QR codes point to ${base.url}/q/… (${base.fromAccount ? "the account's tracking settings" : 'MESURE_PUBLIC_URL'})\n`);
        const t0 = Date.now();
        const bar = progressBar('qr');
        // Recipients refused before sending get no code: the total is the audience without them.
        const d = await m.deps.campaigns.detail(o.account, campaign);
        const refused = ((d?.notSent ?? []) as { reason: string; count: number }[]).filter((n) => n.reason !== 'pending').reduce((a, n) => a + n.count, 0);
        const total = (d?.figures.audience ?? 0) - refused;
        const r = await writeQrFiles(
          m.deps.tracking, o.account, campaign, o.out,
          { format: o.format as 'png' | 'svg', size: o.size, margin: o.margin, errorCorrection: o.ec as ErrorCorrection },
          (done, what) => bar(done, Math.max(done, total), what),
        ).catch(fail);
        process.stdout.write(
          `${r.files.toLocaleString('en')} QR code(s) written to ${o.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s; manifest ${r.manifest}` +
            (r.skipped ? `; ${r.skipped} recipient(s) skipped (every link revoked)` : '') + '\n',
        );
      });
    });
}
