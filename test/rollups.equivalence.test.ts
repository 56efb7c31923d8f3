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
import * as variantCountsMigration from '../src/store/migrations/2026_12_08_700_campaign_variant_counts';
import { COUNT_FIELDS, VARIANT_FIELDS, variantCounts, type MessageCounts } from '../src/domain/message';
import { campaignFigures, NO_MONEY } from '../src/domain/kpis';
import type { Channel } from '../src/domain/types';

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

// The A/B variants' rollup (campaign_variant_counts, kept beside campaign_days by the ingestion code) equals the
// domain's per-message rule summed over the stored messages of each variant, after random events on an e-mail, an SMS
// and a letter campaign (each with variants A and B and messages without one); the campaign page's variant figures
// are KPIS.md's figures of those sums; and the migration's SQL back-fill rebuilds the same rows from the messages alone.
const VARIANT_MESSAGES = 8;
const VARIANT_TYPES = ['queued', 'sent', 'delivered', 'failed', 'bounced', 'opened', 'clicked', 'replied', 'lead', 'unsubscribed', 'complained', 'scanned'] as const;
const variantEvent = fc.record({
  c: fc.integer({ min: 0, max: 2 }),
  m: fc.integer({ min: 0, max: VARIANT_MESSAGES - 1 }),
  type: fc.constantFrom(...VARIANT_TYPES),
  machine: fc.boolean(),
  hard: fc.boolean(),
  cost: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
  t: fc.integer({ min: 0, max: 40 }),
});
const VARIANT_OF = (i: number) => (i % 3 === 0 ? undefined : i % 3 === 1 ? 'A' : 'B');

type VariantRow = Record<string, string | number>;
async function rollupRows(db: Kysely<DB>, accountId: string, campaignId: string): Promise<VariantRow[]> {
  const rows = await db.selectFrom('campaign_variant_counts').selectAll().where('account_id', '=', accountId).where('campaign_id', '=', campaignId).orderBy('variant').execute();
  return rows.map((r) => ({ variant: r.variant, first_message: r.first_message, ...Object.fromEntries(VARIANT_FIELDS.map((f) => [f, Number(r[f])])) }));
}
/** The reference: variantCounts (src/domain/message.ts) summed over the stored messages of each variant. */
async function recountVariants(db: Kysely<DB>, accountId: string, campaignId: string, channel: Channel): Promise<VariantRow[]> {
  const messages = await db.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('campaign_id', '=', campaignId).orderBy('id').execute();
  const out = new Map<string, VariantRow>();
  for (const m of messages) {
    if (m.variant === null) continue;
    const row = messageOf(m);
    const c = variantCounts(row, channel);
    const r = out.get(m.variant) ?? { variant: m.variant, first_message: m.id, ...Object.fromEntries(VARIANT_FIELDS.map((f) => [f, 0])) };
    for (const f of VARIANT_FIELDS) (r[f] as number) += c[f];
    out.set(m.variant, r);
  }
  return [...out.values()].sort((a, b) => (a.variant < b.variant ? -1 : 1));
}
/** A stored row with its times and counters as numbers (PostgreSQL's bigint columns arrive as strings). */
function messageOf(m: Record<string, unknown>): Parameters<typeof variantCounts>[0] {
  const out: Record<string, unknown> = { ...m };
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string' && (k.endsWith('_at') || ['opens', 'clicks', 'machine_opens', 'bot_clicks', 'scans', 'replies', 'cost_minor'].includes(k))) out[k] = Number(v);
  return out as unknown as Parameters<typeof variantCounts>[0];
}

forEachEngine('A/B variant rollup equals the per-message rule over the stored messages after random events', (engine) => {
  it('after every run of random events, and once more after the migration rebuilds it', async () => {
    const { env, drop } = databaseEnv(engine);
    let server: ServerProcess | undefined;
    let db: Kysely<DB> | undefined;
    try {
      const { accountId, key } = await createAccountWithCli(env, 'Variant shop');
      db =
        engine === 'sqlite'
          ? new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(env.DATABASE_URL.replace(/^file:/, '')) }) })
          : new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${env.MESURE_PG_SCHEMA}`, max: 2 }) }) });
      server = await startServerProcess(env);
      const base = server.url;
      const channels: Channel[] = ['email', 'sms', 'mail'];
      const recipient = (channel: Channel, i: number) =>
        channel === 'email' ? { email: `v${i}@example.org` } : channel === 'sms' ? { phone: `+3361234570${i}` }
          : { address: { name: `Client ${i}`, line1: `${i + 1} rue des Lilas`, postalCode: '75011', city: 'Paris', country: 'FR' } };
      const campaigns: { id: string; channel: Channel; ids: string[] }[] = [];
      for (const channel of channels) {
        const c = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: `Variants ${channel}`, channel });
        const reg = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${c.id}/messages`, key, {
          messages: Array.from({ length: VARIANT_MESSAGES }, (_, i) => ({ recipient: recipient(channel, i), ...(VARIANT_OF(i) ? { variant: VARIANT_OF(i) } : {}) })),
        });
        campaigns.push({ id: c.id, channel, ids: reg.messages.sort((x, y) => x.index - y.index).map((m) => m.messageId) });
      }
      const t0 = Date.now() - 7200_000;
      let runs = 0;
      let engaged = 0;
      const check = async () => {
        for (const c of campaigns) {
          // Read through the API first: its read barrier waits until the ingestion worker applied the batch.
          const page = await callOk<{ variants: { variant: string; figures: Record<string, unknown> }[] }>(base, 'GET', `/v1/campaigns/${c.id}`, key);
          const rollup = await rollupRows(db!, accountId, c.id);
          const reference = await recountVariants(db!, accountId, c.id, c.channel);
          expect(rollup).toEqual(reference);
          // The page's variant figures are KPIS.md's figures of the same sums (no orders: no money).
          for (const r of reference) {
            const counts = Object.fromEntries(COUNT_FIELDS.map((f) => [f, r[f]])) as unknown as MessageCounts;
            expect(page.variants.find((v) => v.variant === r.variant)?.figures).toEqual(JSON.parse(JSON.stringify(campaignFigures(counts, NO_MONEY, c.channel))));
          }
          if (reference.some((r) => Number(r.sent) > 0 && Number(r.clicked) + Number(r.opened) > 0)) engaged++;
        }
      };
      await fc.assert(
        fc.asyncProperty(fc.array(variantEvent, { minLength: 1, maxLength: 40 }), async (batch) => {
          runs++;
          const events = batch.map((e) => ({
            type: e.type,
            at: new Date(t0 + e.t * 60_000).toISOString(),
            messageId: campaigns[e.c].ids[e.m],
            ...(e.type === 'bounced' ? { bounceType: e.hard ? 'hard' : 'soft' } : {}),
            ...(e.machine && (e.type === 'opened' || e.type === 'clicked') ? { machine: true } : {}),
            ...(e.cost !== undefined && e.type === 'sent' ? { costMinor: e.cost } : {}),
          }));
          await callOk(base, 'POST', '/v1/events', key, { events });
          await check();
        }),
        { numRuns: 10, seed: 700, endOnFailure: true },
      );
      expect(runs).toBe(10);
      expect(engaged).toBeGreaterThan(3);

      // The migration's back-fill (SQL over the messages, frozen rules) rebuilds the same rows.
      const before = await Promise.all(campaigns.map((c) => rollupRows(db!, accountId, c.id)));
      await server.stop();
      server = undefined;
      /* eslint-disable @typescript-eslint/no-explicit-any */
      await variantCountsMigration.down(db as Kysely<any>);
      await variantCountsMigration.up(db as Kysely<any>);
      expect(await Promise.all(campaigns.map((c) => rollupRows(db!, accountId, c.id)))).toEqual(before);
    } finally {
      await server?.stop();
      await db?.destroy();
      await drop();
    }
  }, 240_000);
});
