// The inbox check of GET /readyz: the age of the oldest acknowledged, unapplied item against its bound (SQLite).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReadiness } from './readiness';
import { migrateToLatest, openDatabase } from '../store/db';
import { insertInboxRows } from '../store/inbox';

const dir = mkdtempSync(join(tmpdir(), 'mesure-readiness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readiness: the ingestion inbox', () => {
  it('is ready while the oldest unapplied item is within the bound, and not ready past it, saying how far behind', async () => {
    const db = await openDatabase(`file:${join(dir, 'inbox.db')}`);
    try {
      await migrateToLatest(db);
      const settings = { databaseTimeoutMs: 1000, inboxMaxAgeMs: 60_000 };
      expect((await checkReadiness(db, settings, () => 500_000)).checks.inbox).toEqual({ ok: true, oldestAgeMs: 0 });
      // Received at 100 000 and 130 000 ms: the oldest decides.
      db.sqlite!.transaction(() =>
        insertInboxRows(db, [
          { account_id: 'acc_1', seq: 1, kind: 'visit', payload: '{}', received_at: 100_000 },
          { account_id: 'acc_1', seq: 2, kind: 'visit', payload: '{}', received_at: 130_000 },
        ]),
      )();
      // now 160 000: 160 000 − 100 000 = 60 000 ms, exactly the bound: still ready.
      const atBound = await checkReadiness(db, settings, () => 160_000);
      expect(atBound.ok).toBe(true);
      expect(atBound.checks.inbox).toEqual({ ok: true, oldestAgeMs: 60_000 });
      // now 175 000: 75 000 ms behind, past the 60 s bound.
      const behind = await checkReadiness(db, settings, () => 175_000);
      expect(behind.ok).toBe(false);
      expect(behind.checks.database.ok).toBe(true);
      expect(behind.checks.inbox).toEqual({ ok: false, oldestAgeMs: 75_000, message: 'the ingestion inbox is 75 s behind (bound: 60 s)' });
    } finally {
      await db.close();
    }
  });
});
