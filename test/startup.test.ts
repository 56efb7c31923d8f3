// The server fails fast, with a message saying what to do, on an unreachable or unmigrated database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { assemble } from '../src/main';
import { openDatabase } from '../src/store/db';
import { TEST_SECRET_KEY } from '../bench/support';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mesure-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('start-up', () => {
  it('refuses an unreachable PostgreSQL with a clear message', async () => {
    await expect(assemble(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing', MESURE_SECRET_KEY: TEST_SECRET_KEY }))).rejects.toThrow(
      /Cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/nothing.*DATABASE_URL/,
    );
  });

  it('refuses an unmigrated database when told not to migrate, and names the command to run', async () => {
    const url = `file:${join(dir, 'empty.db')}`;
    const db = await openDatabase(url);
    await db.close();
    await expect(assemble(loadConfig({ DATABASE_URL: url }), { migrate: false })).rejects.toThrow(/not migrated.*mesure migrate/);
  });

  it('migrates at start by default, and then starts without migrating', async () => {
    const url = `file:${join(dir, 'ok.db')}`;
    const m = await assemble(loadConfig({ DATABASE_URL: url }));
    await m.close();
    const again = await assemble(loadConfig({ DATABASE_URL: url }), { migrate: false });
    expect((await again.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    await again.close();
  });

  it('rejects a PORT that is not a port', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be an integer/);
  });

  it('`mesure serve` exits non-zero with the reason when the database is unreachable', async () => {
    const err = await run(process.execPath, ['bin/mesure.js', 'serve'], {
      env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing', MESURE_DEMO: '0', MESURE_SECRET_KEY: TEST_SECRET_KEY },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/^mesure: Cannot reach PostgreSQL/m);
  });
});
