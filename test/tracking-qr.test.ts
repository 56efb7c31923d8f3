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
import { forEachEngine, makeMesure, type TestMesure } from './support';
import { TEST_SECRET_KEY } from '../bench/support';
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
    const env = { ...process.env, DATABASE_URL: m.config.database.url, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://mesure.test', MESURE_SECRET_KEY: TEST_SECRET_KEY };
    const dir = join(out, 'svg');
    const r = await run(process.execPath, ['bin/mesure.js', 'qr', campaignId, '--account', m.accountId, '--out', dir, '--format', 'svg', '--margin', '6', '--ec', 'H'], { env, cwd: process.cwd() });
    expect(r.stdout).toMatch(/^QR codes point to http:\/\/mesure\.test\/q\/… \(MESURE_PUBLIC_URL\)\n2 QR code\(s\) written to .* in \d+\.\d s; manifest .*manifest\.csv\n$/);
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

// Run on the server's machine from a shell without the server's environment, `mesure qr` used to write
// http://127.0.0.1:3000/q/… into codes that were then printed. The address is now the account's own (tracking
// settings), said before anything is written; without one (and without MESURE_PUBLIC_URL) the command refuses.
forEachEngine('mesure qr without the server\'s environment', (engine) => {
  let m: TestMesure;
  let campaignId: string;
  let out: string;
  /** The environment of a shell on the server's machine: the database, but no MESURE_PUBLIC_URL, PORT or HOST. */
  let shell: Record<string, string>;
  beforeAll(async () => {
    m = await makeMesure(engine);
    out = mkdtempSync(join(tmpdir(), 'mesure-qr-base-'));
    const c = await m.deps.campaigns.create(m.accountId, { name: 'Lettre base', channel: 'mail' });
    campaignId = c.id;
    const reg = await m.deps.ingestor.register(m.accountId, campaignId, [
      { recipient: { externalId: 'b1', address: { line1: '1 rue A', postalCode: '75001', city: 'Paris' } } },
      { recipient: { externalId: 'b2', address: { line1: '2 rue B', postalCode: '69001', city: 'Lyon' } } },
    ]);
    expect(reg.ok).toBe(true);
    await m.deps.tracking.registerDestinations(m.accountId, campaignId, ['https://shop.example/lettre']);
    shell = { ...(process.env as Record<string, string>), DATABASE_URL: m.config.database.url, MESURE_DEMO: '0', MESURE_SECRET_KEY: TEST_SECRET_KEY };
    for (const name of ['MESURE_PUBLIC_URL', 'PORT', 'HOST']) delete shell[name];
    if (m.config.database.schema) shell.MESURE_PG_SCHEMA = m.config.database.schema;
  });
  afterAll(async () => {
    await m?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });
  const qr = (dir: string) => run(process.execPath, ['bin/mesure.js', 'qr', campaignId, '--account', m.accountId, '--out', dir, '--size', '300'], { env: shell, cwd: process.cwd() });
  const patch = (payload: unknown) => m.app.inject({ method: 'PATCH', url: '/v1/tracking/settings', headers: m.auth, payload: payload as object });

  it('refuses, saying what to do, when the account has no address and MESURE_PUBLIC_URL is not set; writes nothing', async () => {
    const dir = join(out, 'refused');
    const r = await qr(dir).catch((e) => e);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`account ${m.accountId} has no public address for its links and MESURE_PUBLIC_URL is not set here`);
    expect(r.stderr).toContain('http://127.0.0.1:3000'); // what the codes would have said
    expect(r.stderr).toContain('Settings → Tracking → Public address');
    expect(r.stderr).toContain('PATCH /v1/tracking/settings');
    expect(() => readdirSync(dir)).toThrow(); // no directory, no file
  }, 60_000);

  it('checks the address it stores, and the one stored is what the codes of the command say, announced first', async () => {
    for (const [bad, why] of [
      ['ftp://mesure.example.com', 'must start with https://'],
      ['mesure.example.com', 'is not an absolute URL'],
      ['https://mesure.example.com/?src=qr', 'must not have a query'],
      ['https://user:pw@mesure.example.com', 'must not contain a user name or password'],
      ['https://mesure.example.com\n/x', 'must not contain control characters'],
    ]) {
      const res = await patch({ publicUrl: bad });
      expect(res.statusCode, bad).toBe(422);
      expect(res.json().message, bad).toContain(why);
    }
    // The trailing slash goes: links are written <base>/q/<token>.
    const set = await patch({ publicUrl: 'https://Mesure.Example.com/' });
    expect(set.statusCode).toBe(200);
    expect(set.json().publicUrl).toBe('https://mesure.example.com');
    expect((await m.app.inject({ method: 'GET', url: '/v1/tracking/settings', headers: m.auth })).json().publicUrl).toBe('https://mesure.example.com');

    const dir = join(out, 'stored');
    const r = await qr(dir);
    expect(r.stdout.split('\n')[0]).toBe("QR codes point to https://mesure.example.com/q/… (the account's tracking settings)");
    const rows = parse(readFileSync(join(dir, 'manifest.csv')), { columns: true }) as { url: string; file: string; printed_url: string }[];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const png = PNG.sync.read(readFileSync(join(dir, row.file)));
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data;
      expect(decoded).toBe(row.url);
      expect(decoded).toMatch(/^https:\/\/mesure\.example\.com\/q\/[A-Za-z0-9_-]{12}$/);
      expect(row.printed_url).toBe(row.url.replace('/q/', '/l/'));
    }
    // The API issues the account's links with the same address, whatever the server's own.
    const issued = await m.app.inject({ method: 'POST', url: `/v1/campaigns/${campaignId}/links/issue`, headers: m.auth, payload: { all: true } });
    expect(issued.json().messages.map((x: { qr: { url: string } }) => x.qr.url).sort()).toEqual(rows.map((x) => x.url).sort());

    // Cleared, the server's address is back, and the command refuses again.
    const cleared = await patch({ publicUrl: null });
    expect(cleared.json().publicUrl).toBeNull();
    expect((await qr(join(out, 'cleared')).catch((e) => e)).code).toBe(1);
  }, 120_000);
});
