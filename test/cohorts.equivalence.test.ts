// The retention cohorts' rollup (cohort_counts, kept by the ingestion, the orders and the erasure in their
// transactions) equals a direct computation from the raw tables after random interleavings of writes through a
// listening `mesure serve`: sends dated in four months (a later, earlier send moves a contact to an earlier cohort),
// human and machine opens and clicks, replies, unsubscriptions and hard bounces, orders placed, re-dated and cancelled,
// and contacts erased. The direct computation reads every message, order and contact of the account and applies the
// domain's rules (src/domain/cohorts.ts) per contact; at the end the migration's set-based back-fill, run again on the
// same rows, must give the same counts too. fast-check, one server per engine, runs accumulating on one account.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import type { DB } from '../src/store/schema';
import '../src/store/cohorts';
import { callOk, createAccountWithCli, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { backfillRetentionCohorts } from '../src/store/migrations/2026_12_09_100_retention_cohorts';
import { cohortMarks, contactMonthsDelta, markKey, messageContactMonths, type ContactMonth } from '../src/domain/cohorts';
import type { Channel } from '../src/domain/types';

const PEOPLE = 6;
const DAY = 86_400_000;
// Times across four months, several a few hours from a month's end (another month in the account's zone than in UTC).
const TIMES = [Date.UTC(2026, 7, 3, 10), Date.UTC(2026, 7, 31, 23, 30), Date.UTC(2026, 8, 1, 0, 30), Date.UTC(2026, 8, 17, 12),
  Date.UTC(2026, 8, 30, 22, 45), Date.UTC(2026, 9, 12, 8), Date.UTC(2026, 9, 31, 23, 10), Date.UTC(2026, 10, 20, 15)];
const CAMPAIGNS: Channel[] = ['email', 'email', 'sms'];

const step = fc.oneof(
  fc.record({ kind: fc.constant('event' as const), c: fc.nat(CAMPAIGNS.length - 1), p: fc.nat(PEOPLE - 1), t: fc.nat(TIMES.length - 1),
    type: fc.constantFrom('sent', 'sent', 'opened', 'clicked', 'replied', 'unsubscribed', 'bounced', 'delivered'), machine: fc.boolean() }),
  fc.record({ kind: fc.constant('order' as const), o: fc.nat(5), p: fc.nat(PEOPLE - 1), t: fc.nat(TIMES.length - 1), cancelled: fc.boolean() }),
  fc.record({ kind: fc.constant('erase' as const), p: fc.nat(PEOPLE - 1) }),
);

forEachEngine('retention cohorts equal a direct computation from the raw tables after random writes', (engine) => {
  it('after every run, and once more from the migration\'s back-fill', async () => {
    const { env, drop } = databaseEnv(engine);
    let server: ServerProcess | undefined;
    let db: Kysely<DB> | undefined;
    try {
      const { accountId, key } = await createAccountWithCli(env, 'Cohorts equivalence');
      db = engine === 'sqlite'
        ? new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(env.DATABASE_URL.replace(/^file:/, '')) }) })
        : new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${env.MESURE_PG_SCHEMA}`, max: 2 }) }) });
      server = await startServerProcess(env);
      const base = server.url;
      const { time_zone: timeZone } = await db.selectFrom('accounts').select('time_zone').where('id', '=', accountId).executeTakeFirstOrThrow();
      const recipient = (c: number, p: number) => (CAMPAIGNS[c] === 'email' ? { externalId: `p${p}`, email: `p${p}@shop.test` } : { externalId: `p${p}`, phone: `+3361000000${p}` });
      const campaigns: string[] = [];
      const ids: string[][] = [];
      for (const [c, channel] of CAMPAIGNS.entries()) {
        campaigns.push((await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: `C${c}`, channel })).id);
        const r = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${campaigns[c]}/messages`, key, {
          messages: Array.from({ length: PEOPLE }, (_, p) => ({ recipient: recipient(c, p), registeredAt: new Date(TIMES[0] - DAY).toISOString() })),
        });
        ids.push(r.messages.sort((x, y) => x.index - y.index).map((m) => m.messageId));
      }
      const erased = new Set<number>();

      /** cohort_counts as stored, zeros left out. */
      const stored = async () => new Map((await db!.selectFrom('cohort_counts').selectAll().where('account_id', '=', accountId).where('contacts', '<>', 0).execute())
        .map((r) => [markKey({ channel: r.channel as Channel, cohort: r.cohort_month, metric: r.metric as never, month: r.month }), Number(r.contacts)]));
      /** The same counts from messages, orders and contacts, each contact's marks by the domain's rules. */
      const direct = async () => {
        const alive = new Set((await db!.selectFrom('contacts').select('id').where('account_id', '=', accountId).execute()).map((r) => r.id));
        const messages = await db!.selectFrom('messages').innerJoin('campaigns', (j) => j.onRef('campaigns.account_id', '=', 'messages.account_id').onRef('campaigns.id', '=', 'messages.campaign_id'))
          .selectAll('messages').select('campaigns.channel').where('messages.account_id', '=', accountId).where('messages.contact_id', 'is not', null).execute();
        const months = new Map<string, ContactMonth[]>();
        for (const m of messages) {
          const row = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) && k.endsWith('_at') ? Number(v) : v])) as never;
          months.set(m.contact_id!, [...(months.get(m.contact_id!) ?? []), ...messageContactMonths(row, m.channel as Channel, timeZone)]);
        }
        const orders = new Map<string, number[]>();
        for (const o of await db!.selectFrom('orders').select(['contact_id', 'ordered_at']).where('account_id', '=', accountId).where('contact_id', 'is not', null).where('cancelled_at', 'is', null).execute()) {
          orders.set(o.contact_id!, [...(orders.get(o.contact_id!) ?? []), Number(o.ordered_at)]);
        }
        const out = new Map<string, number>();
        for (const [contact, list] of months) {
          if (!alive.has(contact)) continue;
          for (const m of cohortMarks(contactMonthsDelta(null, list), orders.get(contact) ?? [], timeZone)) out.set(markKey(m), (out.get(markKey(m)) ?? 0) + m.n);
        }
        return out;
      };
      let nonEmpty = 0;

      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
          const events = [];
          const orders = [];
          for (const s of steps) {
            if (s.kind === 'event') {
              const at = TIMES[s.t] + (s.type === 'sent' ? 0 : 3600_000);
              events.push({ type: s.type, at: new Date(at).toISOString(), messageId: ids[s.c][s.p], ...(s.type === 'bounced' ? { bounceType: 'hard' } : {}),
                ...((s.type === 'opened' || s.type === 'clicked') && s.machine ? { machine: true } : {}), ...(s.type === 'clicked' ? { url: 'https://shop.test/' } : {}) });
            } else if (s.kind === 'order') {
              orders.push({ id: `O-${s.p}-${s.o}`, createdAt: new Date(TIMES[s.t] + 7200_000).toISOString(), currency: 'EUR', total: 1000,
                customer: { email: `p${s.p}@shop.test` }, ...(s.cancelled ? { cancelledAt: new Date(TIMES[s.t] + 9000_000).toISOString() } : {}) });
            }
          }
          if (events.length) await callOk(base, 'POST', '/v1/events', key, { events }).catch((e) => { throw new Error(`${e}\n${server!.stderr().slice(-3000)}`); });
          if (orders.length) await callOk(base, 'POST', '/v1/orders', key, { orders });
          for (const s of steps) {
            if (s.kind !== 'erase' || erased.has(s.p) || erased.size >= 2) continue;
            const found = await callOk<{ items: { id: string }[] }>(base, 'GET', `/v1/contacts?q=p${s.p}@shop.test`, key);
            if (found.items.length) await callOk(base, 'DELETE', `/v1/contacts/${found.items[0].id}`, key);
            erased.add(s.p);
          }
          const want = await direct();
          if (want.size) nonEmpty++;
          expect(await stored()).toEqual(want);
        }),
        { numRuns: 8, seed: 918, endOnFailure: true },
      );
      expect(nonEmpty).toBeGreaterThan(4);

      // The migration's back-fill, from the same rows, gives the same counts (and the same contacts' months).
      const before = await stored();
      const months = await db.selectFrom('contact_months').selectAll().where('account_id', '=', accountId).execute();
      const norm = (rows: typeof months) => rows.filter((r) => Number(r.messages) || Number(r.engaged) || Number(r.unreachable))
        .map((r) => `${r.contact_id}|${r.channel}|${r.month}|${Number(r.messages)}|${Number(r.engaged)}|${Number(r.unreachable)}`).sort();
      await server.stop();
      server = undefined;
      for (const t of ['cohort_counts', 'contact_cohort_marks', 'contact_months'] as const) await db.deleteFrom(t).execute();
      await backfillRetentionCohorts(db as never);
      expect(await stored()).toEqual(before);
      expect(norm(await db.selectFrom('contact_months').selectAll().where('account_id', '=', accountId).execute())).toEqual(norm(months));
    } finally {
      await server?.stop();
      await db?.destroy();
      await drop();
    }
  }, 240_000);
});
