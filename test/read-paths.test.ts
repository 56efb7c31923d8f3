// The campaign page's read paths at scale (issue #20), through a listening `mesure serve` on SQLite and PostgreSQL:
// "Not sent, by reason" from the rollup the triggers on messages keep (equal to a hand model, to a recount of the
// messages, and to the migration's back-fill), the recipients list in id order across statuses (merged ranges of
// messages_status), the exact e-mail / phone search, the CSV export in id order, and the lift's treated sums from the
// buyers alone, equal to the per-message computation over every row.
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import type { DB } from '../src/store/schema';
import * as readPaths from '../src/store/migrations/2026_12_07_420_read_paths';
import { listGroupOutcomes, sumMessageGroupOutcomes } from '../src/store/journeys';
import { callOk, call, createAccountWithCli, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';

type NotSent = { reason: string; count: number }[];
type Page = { items: { messageId: string; recipient: string; status: string; failureReason: string | null }[]; nextCursor: string | null };
const sorted = (n: NotSent) => [...n].sort((a, b) => a.reason.localeCompare(b.reason));
const DAY = 86_400_000;

/** The query the page ran until the rollup: the reference the rollup must equal. */
async function recountNotSent(db: Kysely<DB>, accountId: string, campaignId: string): Promise<NotSent> {
  const reason = sql<string>`coalesce(not_sent_reason, failure_reason, case when status = 'not_sent' then 'provider_rejected' else 'pending' end)`;
  const rows = await db
    .selectFrom('messages')
    .select([reason.as('reason'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('status', 'in', ['pending', 'queued', 'not_sent'])
    .groupBy(reason)
    .execute();
  return sorted(rows.map((r) => ({ reason: r.reason, count: Number(r.count) })));
}

forEachEngine('read paths at scale through a listening server', (engine) => {
  it('serves not-sent reasons, recipients, search, export and lift from indexed reads, equal to the direct computation', async () => {
    const { env, drop } = databaseEnv(engine);
    let server: ServerProcess | undefined;
    let db: Kysely<DB> | undefined;
    try {
      const { accountId, key } = await createAccountWithCli(env, 'Read paths shop'); // default country FR
      db =
        engine === 'sqlite'
          ? new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(env.DATABASE_URL.replace(/^file:/, '')) }) })
          : new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${env.MESURE_PG_SCHEMA}`, max: 2 }) }) });
      server = await startServerProcess(env);
      const base = server.url;

      // SMS campaign, 8 messages: s0 refused as opted out, s1 refused as a duplicate at registration; s2..s7 pending.
      const sms = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: 'SMS', channel: 'sms' });
      const phone = (i: number) => `+3361234560${i}`;
      const reg = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${sms.id}/messages`, key, {
        messages: [
          { recipient: { phone: phone(0) }, notSentReason: 'opted_out' },
          { recipient: { phone: phone(1) }, notSentReason: 'duplicate' },
          ...[2, 3, 4, 5, 6, 7].map((i) => ({ recipient: { phone: phone(i) } })),
        ],
      });
      const s = reg.messages.sort((a, b) => a.index - b.index).map((m) => m.messageId);
      const at = '2026-11-02T09:00:00Z';
      // s2 fails before sending without a reason (provider error), s3 fails as an invalid recipient, s4 fails and is
      // then reported sent (it leaves the never-sent messages), s5 is sent and delivered, s6 sent then undelivered.
      await callOk(base, 'POST', '/v1/events', key, {
        events: [
          { type: 'failed', at, messageId: s[2] },
          { type: 'failed', at, messageId: s[3], failureReason: 'invalid_recipient' },
          { type: 'failed', at, messageId: s[4] },
          { type: 'sent', at, messageId: s[5] },
          { type: 'delivered', at: '2026-11-02T09:01:00Z', messageId: s[5] },
          { type: 'sent', at, messageId: s[6] },
        ],
      });
      await callOk(base, 'POST', '/v1/events', key, {
        events: [
          { type: 'sent', at: '2026-11-02T09:05:00Z', messageId: s[4] },
          { type: 'failed', at: '2026-11-02T09:10:00Z', messageId: s[6] },
        ],
      });
      // By hand: opted_out 1 (s0), duplicate 1 (s1), provider_error 1 (s2), invalid_recipient 1 (s3), pending 1 (s7);
      // s4, s5 and s6 were sent (a failure after sending is undelivered, not "not sent").
      const expected: NotSent = sorted([
        { reason: 'opted_out', count: 1 }, { reason: 'duplicate', count: 1 }, { reason: 'provider_error', count: 1 },
        { reason: 'invalid_recipient', count: 1 }, { reason: 'pending', count: 1 },
      ]);
      const page = () => callOk<{ notSent: NotSent; figures: { notSent: number } }>(base, 'GET', `/v1/campaigns/${sms.id}`, key);
      const shown = await page();
      expect(sorted(shown.notSent)).toEqual(expected);
      expect(shown.figures.notSent).toBe(5); // 1 + 1 + 1 + 1 + 1, the same count campaign_days gives
      expect(await recountNotSent(db, accountId, sms.id)).toEqual(expected);

      // Recipients: the unfiltered list in id order across every status, two at a time with the cursor.
      const all = [...s].sort(); // msg_ ids: ASCII, the same order in both engines' collations
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const p: Page = await callOk<Page>(base, 'GET', `/v1/campaigns/${sms.id}/recipients?limit=2${cursor ? `&cursor=${cursor}` : ''}`, key);
        expect(p.items.length).toBeLessThanOrEqual(2);
        walked.push(...p.items.map((i) => i.messageId));
        cursor = p.nextCursor;
      } while (cursor);
      expect(walked).toEqual(all);
      // By status: not_sent is s0, s1, s2, s3 (refused or failed before sending), in id order.
      const notSentPage = await callOk<Page>(base, 'GET', `/v1/campaigns/${sms.id}/recipients?status=not_sent&limit=10`, key);
      expect(notSentPage.items.map((i) => i.messageId)).toEqual([s[0], s[1], s[2], s[3]].sort());
      // Exact search: a national number finds its E.164 recipient; a part still searches by substring (s5 and s6).
      const national = await callOk<Page>(base, 'GET', `/v1/campaigns/${sms.id}/recipients?q=${encodeURIComponent('06 12 34 56 05')}`, key);
      expect(national.items.map((i) => [i.messageId, i.recipient])).toEqual([[s[5], phone(5)]]);
      const part = await callOk<Page>(base, 'GET', `/v1/campaigns/${sms.id}/recipients?q=4560`, key);
      expect(part.items.length).toBe(8);

      // Email campaign: exact e-mail search ignores case; export in id order with the columns documented.
      const email = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Email', channel: 'email' });
      const registeredAt = '2026-11-10T10:00:00.000Z';
      const er = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${email.id}/messages`, key, {
        messages: [0, 1, 2, 3].map((i) => ({ recipient: { email: `buyer${i}@shop.test` }, registeredAt })),
      });
      const e = er.messages.sort((a, b) => a.index - b.index).map((m) => m.messageId);
      const found = await callOk<Page>(base, 'GET', `/v1/campaigns/${email.id}/recipients?q=${encodeURIComponent('Buyer2@Shop.TEST')}`, key);
      expect(found.items.map((i) => i.messageId)).toEqual([e[2]]);
      const csv = (await call(base, 'GET', `/v1/campaigns/${email.id}/export.csv`, key)).body as string;
      const lines = csv.trimEnd().split('\n');
      expect(lines[0]).toBe('messageId,recipient,status,failureReason,failureCode,bounceType,variant,sentAt,deliveredAt,openedAt,clickedAt,repliedAt,unsubscribedAt,opens,clicks,machineOpens,botClicks,scans,cost');
      const byId = [...e].sort();
      expect(lines.slice(1)).toEqual(byId.map((id) => `${id},buyer${e.indexOf(id)}@shop.test,pending,pending,,,,,,,,,,0,0,0,0,0,0`));

      // Lift, treated group: buyer0 orders 1 day after registration (in a 5-day window), buyer1 twice in the window,
      // buyer2 6 days after (outside), buyer3 one day before (outside); a cancelled-free set, all in EUR.
      const t = Date.parse(registeredAt);
      const iso = (ms: number) => new Date(ms).toISOString();
      await callOk(base, 'POST', '/v1/orders', key, {
        orders: [
          { id: 'o0', createdAt: iso(t + DAY), currency: 'EUR', total: 2500, customer: { email: 'buyer0@shop.test' } },
          { id: 'o1', createdAt: iso(t + 2 * DAY), currency: 'EUR', total: 1000, customer: { email: 'buyer1@shop.test' } },
          { id: 'o2', createdAt: iso(t + 5 * DAY), currency: 'EUR', total: 3000, customer: { email: 'buyer1@shop.test' } },
          { id: 'o3', createdAt: iso(t + 6 * DAY), currency: 'EUR', total: 9000, customer: { email: 'buyer2@shop.test' } },
          { id: 'o4', createdAt: iso(t - DAY), currency: 'EUR', total: 4000, customer: { email: 'buyer3@shop.test' } },
        ],
      });
      // By hand: n = 4 messages; converters 2 (buyer0, buyer1); revenue 2500 + (1000 + 3000) = 6500;
      // sum of squares 2500² + 4000² = 6,250,000 + 16,000,000 = 22,250,000.
      const lift = await callOk<{ treated: { n: number; converters: number } }>(base, 'GET', `/v1/campaigns/${email.id}/lift?windowDays=5`, key);
      expect(lift.treated).toMatchObject({ n: 4, converters: 2 });
      const sums = await sumMessageGroupOutcomes(db, accountId, [email.id], 5 * DAY, 'EUR');
      expect(sums.members).toBe(4);
      expect(sums.buyers).toEqual([
        { member: e[0], orders: 1, revenue: 2500 },
        { member: e[1], orders: 2, revenue: 4000 },
      ].sort((a, b) => (a.member < b.member ? -1 : 1)));
      // The same as the per-message join over every row (the reference): the buyers are its rows with an order.
      const direct = await listGroupOutcomes(db, accountId, { group: 'treated', campaignIds: [email.id], per: 'message' }, 5 * DAY, 'EUR');
      expect(direct.length).toBe(sums.members);
      expect(direct.filter((r) => r.orders > 0).sort((a, b) => (a.member < b.member ? -1 : 1))).toEqual(sums.buyers);

      // The migration's back-fill rebuilds the same reasons from the messages alone.
      await server.stop();
      server = undefined;
      /* eslint-disable @typescript-eslint/no-explicit-any */
      await readPaths.down(db as Kysely<any>);
      await readPaths.up(db as Kysely<any>);
      server = await startServerProcess(env);
      const rebuilt = await callOk<{ notSent: NotSent }>(server.url, 'GET', `/v1/campaigns/${sms.id}`, key);
      expect(sorted(rebuilt.notSent)).toEqual(expected);
    } finally {
      await server?.stop();
      await db?.destroy();
      await drop();
    }
  }, 120_000);
});
