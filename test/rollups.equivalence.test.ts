// The campaign page's "Clicks per link" and "Flagged opens and clicks" rollups (kept by triggers on the event log:
// statement-level ones over transition tables on PostgreSQL, row-level ones on SQLite) equal a direct count over the
// events after any mix of writes: random batches through a listening `mesure serve` (human and machine clicks, opens
// and scans, with and without url or reason, duplicates within and across batches), then re-flags of stored clicks
// (an update of many rows in one statement) and deletions of stored events (one statement). fast-check, one server
// per engine, the runs accumulating on one campaign: the rollups must equal the recount after every run.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import type { DB } from '../src/store/schema';
import { recountClicksByUrl, recountFlaggedByReason } from '../bench/campaign-scans';
import { flagEvents } from '../src/store/tracking';
import { callOk, createAccountWithCli, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';

const URLS = ['https://shop.example/a', 'https://shop.example/b', undefined] as const;
const TYPES = ['clicked', 'clicked', 'opened', 'scanned', 'delivered'] as const;
const REASONS = [undefined, 'scanner', 'apple_mpp'] as const;
const MESSAGES = 6;

const event = fc.record({
  m: fc.integer({ min: 0, max: MESSAGES - 1 }),
  type: fc.constantFrom(...TYPES),
  machine: fc.boolean(),
  url: fc.constantFrom(...URLS),
  reason: fc.constantFrom(...REASONS),
  // Few distinct times: the same (message, type, time, url) is the same event (a duplicate), often.
  t: fc.integer({ min: 0, max: 20 }),
});
const run = fc.record({
  batches: fc.array(fc.array(event, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 3 }),
  // Which stored human clicks to re-flag as machine, and which stored events to delete (by position, modulo).
  reflag: fc.array(fc.nat(), { maxLength: 6 }),
  remove: fc.array(fc.nat(), { maxLength: 4 }),
});

type Links = { url: string; totalClicks: number; uniqueClicks: number }[];
type Flagged = { kind: string; reason: string; count: number }[];
const byKind = (f: Flagged) => [...f].sort((x, y) => `${x.kind}/${x.reason}`.localeCompare(`${y.kind}/${y.reason}`));

forEachEngine('campaign page rollups equal a recount of the event log after random writes', (engine) => {
  it('after every run of random batches, re-flags and deletions', async () => {
    const { env, drop } = databaseEnv(engine);
    let server: ServerProcess | undefined;
    let db: Kysely<DB> | undefined;
    try {
      const { accountId, key } = await createAccountWithCli(env, 'Equivalence shop');
      db =
        engine === 'sqlite'
          ? new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(env.DATABASE_URL.replace(/^file:/, '')) }) })
          : new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${env.MESURE_PG_SCHEMA}`, max: 2 }) }) });
      server = await startServerProcess(env);
      const base = server.url;
      const campaign = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Equivalence', channel: 'email' });
      const registered = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${campaign.id}/messages`, key, {
        messages: Array.from({ length: MESSAGES }, (_, i) => ({ recipient: { email: `e${i}@example.org` } })),
      });
      const ids = registered.messages.sort((x, y) => x.index - y.index).map((m) => m.messageId);
      const t0 = Date.now() - 3600_000;
      let runs = 0;
      let nonEmpty = 0;

      await fc.assert(
        fc.asyncProperty(run, async ({ batches, reflag, remove }) => {
          runs++;
          for (const batch of batches) {
            const events = batch.map((e) => ({
              type: e.type,
              at: new Date(t0 + e.t * 1000).toISOString(),
              messageId: ids[e.m],
              ...(e.url ? { url: e.url } : {}),
              ...(e.machine ? { machine: true } : {}),
              ...(e.reason ? { flagReason: e.reason } : {}),
            }));
            await callOk(base, 'POST', '/v1/events', key, { events });
          }
          const stored = await db!.selectFrom('events').select(['dedupe_key', 'type', 'machine']).where('account_id', '=', accountId)
            .where('campaign_id', '=', campaign.id).orderBy('dedupe_key').execute();
          const human = stored.filter((e) => e.type === 'clicked' && Number(e.machine) === 0).map((e) => e.dedupe_key);
          if (human.length && reflag.length) await flagEvents(db!, accountId, [...new Set(reflag.map((i) => human[i % human.length]))], 'sweep');
          if (stored.length && remove.length) {
            const gone = [...new Set(remove.map((i) => stored[i % stored.length].dedupe_key))];
            await db!.deleteFrom('events').where('account_id', '=', accountId).where('dedupe_key', 'in', gone).execute();
          }
          const page = await callOk<{ links: Links; flagged: Flagged }>(base, 'GET', `/v1/campaigns/${campaign.id}`, key);
          const links = await recountClicksByUrl(db!, accountId, campaign.id);
          const flagged = await recountFlaggedByReason(db!, accountId, campaign.id);
          if (links.length || flagged.length) nonEmpty++;
          expect(page.links).toEqual(links);
          expect(byKind(page.flagged)).toEqual(byKind(flagged));
          // The per-(message, url) markers behind unique clicks equal the human clicks of each message and url.
          const { rows: markers } = await sql<{ message_id: string; url: string; clicks: number }>`SELECT message_id, url, clicks FROM campaign_link_click_messages
            WHERE account_id = ${accountId} AND campaign_id = ${campaign.id} AND clicks <> 0 ORDER BY message_id, url`.execute(db!);
          const direct = await db!.selectFrom('events').select(['message_id', sql<string>`coalesce(url, '')`.as('url'), (eb) => eb.fn.countAll<number>().as('clicks')])
            .where('account_id', '=', accountId).where('campaign_id', '=', campaign.id).where('type', '=', 'clicked').where('machine', '=', 0)
            .groupBy(['message_id', sql`coalesce(url, '')`]).orderBy('message_id').orderBy('url').execute();
          expect(markers.map((r) => [r.message_id, r.url, Number(r.clicks)])).toEqual(direct.map((r) => [r.message_id, r.url, Number(r.clicks)]));
        }),
        { numRuns: 12, seed: 440, endOnFailure: true },
      );
      // The property was checked on real figures, not on an empty page.
      expect(runs).toBe(12);
      expect(nonEmpty).toBeGreaterThan(6);
    } finally {
      await server?.stop();
      await db?.destroy();
      await drop();
    }
  }, 180_000);
});
