// `mesure qr`: one decodable QR file per recipient and a manifest the print shop can follow, through the
// command itself (a real process on a real SQLite file) and through the function it runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { parse } from 'csv-parse/sync';
import { makeMesure, type TestMesure } from './support';
import { writeQrFiles } from '../src/cli/tracking';

const run = promisify(execFile);

describe('mesure qr', () => {
  let m: TestMesure;
  let campaignId: string;
  let out: string;
  beforeAll(async () => {
    m = await makeMesure('sqlite');
    out = mkdtempSync(join(tmpdir(), 'mesure-qr-'));
    const c = await m.deps.campaigns.create(m.accountId, { name: 'Lettre', channel: 'mail' });
    campaignId = c.id;
    const reg = await m.deps.ingestor.register(m.accountId, campaignId, [
      { recipient: { externalId: 'c1', address: { line1: '1 rue A', postalCode: '75001', city: 'Paris' } } },
      { recipient: { externalId: 'c2', address: { line1: '2 rue B', postalCode: '69001', city: 'Lyon' } } },
      { recipient: { externalId: 'c3', address: { line1: '3 rue C', postalCode: '13001', city: 'Marseille' } }, notSentReason: 'opted_out' },
    ]);
    expect(reg.ok).toBe(true);
    await m.deps.tracking.registerDestinations(m.accountId, campaignId, ['https://shop.example/lettre']);
  });
  afterAll(async () => {
    await m?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes one PNG per recipient that was not refused, each decoding to the URL in the manifest', async () => {
    const seen: number[] = [];
    const r = await writeQrFiles(m.deps.tracking, m.accountId, campaignId, join(out, 'png'), { format: 'png', size: 300, errorCorrection: 'Q', pageSize: 1 }, (done) => seen.push(done));
    expect(r).toMatchObject({ files: 2, skipped: 0 });
    expect(seen).toEqual([1, 2]); // one progress call per page
    const rows = parse(readFileSync(r.manifest), { columns: true }) as { recipient: string; url: string; file: string; printed_url: string }[];
    expect(rows).toHaveLength(2);
    expect(readdirSync(join(out, 'png')).sort()).toEqual([...rows.map((x) => x.file), 'manifest.csv'].sort());
    for (const row of rows) {
      const png = PNG.sync.read(readFileSync(join(out, 'png', row.file)));
      expect(png.width).toBeLessThanOrEqual(300);
      expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(row.url);
      expect(row.url).toMatch(/^http:\/\/mesure\.test\/q\/[A-Za-z0-9_-]{12}$/);
      expect(row.printed_url).toBe(row.url.replace('/q/', '/l/'));
    }
    expect(rows.map((x) => x.recipient).join(' ')).not.toContain('Marseille');
  });

  it('runs as a command: SVG files, a progress line and a summary, the same URLs as before', async () => {
    const env = { ...process.env, DATABASE_URL: m.config.database.url, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://mesure.test' };
    const dir = join(out, 'svg');
    const r = await run(process.execPath, ['bin/mesure.js', 'qr', campaignId, '--account', m.accountId, '--out', dir, '--format', 'svg', '--margin', '6', '--ec', 'H'], { env, cwd: process.cwd() });
    expect(r.stdout).toMatch(/^2 QR code\(s\) written to .* in \d+\.\d s; manifest .*manifest\.csv\n$/);
    expect(r.stderr).toMatch(/qr +100 % \(2 \/ 2\)/);
    const rows = parse(readFileSync(join(dir, 'manifest.csv')), { columns: true }) as { url: string; file: string }[];
    const before = parse(readFileSync(join(out, 'png', 'manifest.csv')), { columns: true }) as { url: string }[];
    expect(rows.map((x) => x.url).sort()).toEqual(before.map((x) => x.url).sort()); // links are issued once
    for (const row of rows) expect(readFileSync(join(dir, row.file), 'utf8')).toMatch(/^<svg/);
    const bad = await run(process.execPath, ['bin/mesure.js', 'qr', 'cmp_nope', '--account', m.accountId, '--out', dir], { env }).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no campaign cmp_nope');
  });
});
