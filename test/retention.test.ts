// Retention (issue #17) through a listening `mesure serve`, on SQLite and PostgreSQL: the owner sets the bounds (bad
// input refused whole, other roles refused, the change audited); `mesure retention run`, beside the running server,
// then removes IP addresses and user agents from events (and dead letters) older than the bound and keeps them on newer ones, drops the
// messages (with their events) older than the per-recipient bound, and leaves the campaign page and the overview
// equal, to what they showed before and to a hand count. The database is read directly, not only the API. Run again,
// it changes nothing; run 40 days later, it clears the details that have grown old meanwhile.
import { request } from 'node:http';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngine } from './support';
import type { DB } from '../src/store/schema';
import { openDatabase, type Db } from '../src/store/db';
import { AccountDirectory } from '../src/services/accounts';
import { Writer } from '../src/services/writer';
import { Retention } from '../src/services/retention';
import { deliver, runCli } from '../bench/support';
import { send, startBlackbox, type Blackbox } from './blackbox/harness';

const DAY = 86_400_000;
const A = 'https://shop.example/a';
const B = 'https://shop.example/b';
const OLD_AGENT = 'OldAgent/1.0 (retention test)';
const MID_AGENT = 'MidAgent/2.0 (retention test)';
const NEW_AGENT = 'NewAgent/3.0 (retention test)';
// A browser's user agent (a human visitor for the bot filter), told apart by its "RetentionVisit" token.
const VISIT_AGENT = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 RetentionVisit/1';
const POSTMARK = 'mesure:Long-Random-Password-77';

function visit(base: string, path: string): Promise<number> {
  const url = new URL(path, base);
  return new Promise((ok, ko) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { 'user-agent': VISIT_AGENT } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
      res.on('error', ko);
    });
    req.on('error', ko);
    req.end();
  });
}

interface Report { messagesDropped: number; eventsDropped: number; eventsCleared: number; waitingEventsCleared: number; deadLettersCleared: number; waitingEventsDropped: number; holdoutMembersDropped: number }

forEachEngine('retention through a listening server', (engine) => {
  let bb: Blackbox;
  let store: Db;
  let db: Kysely<DB>;
  /** The job in this process, on the server's database (beside the server, as the command runs it). */
  let job: Retention;
  const NOW = Date.now();
  const iso = (t: number) => new Date(t).toISOString();
  const T_OLD = NOW - 300 * DAY; // past the 200-day rows bound
  const T_MID = NOW - 60 * DAY; // past the 30-day details bound, within the rows bound
  const T_NEW = NOW - 1 * DAY; // within both
  let oldId = '';
  let midId = '';

  const api = async (method: string, path: string, json?: unknown, key = bb.keys.owner) => {
    const r = await send(bb.url, method, path, { key, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  const postmark = async (body: Record<string, unknown>) => {
    const r = await deliver(bb.url, `/webhooks/postmark/${bb.accountId}`, JSON.stringify(body), {
      'content-type': 'application/json', authorization: `Basic ${Buffer.from(POSTMARK).toString('base64')}`,
    });
    expect(r.status, r.body).toBe(200);
  };
  const retention = async (now?: number) => (await job.run({ accountId: bb.accountId, now }))[0] as Report;
  /** Events of a campaign whose stored data (or waiting events whose JSON) mention `text`. */
  const mentioning = async (text: string) =>
    (await db.selectFrom('events').select('dedupe_key').where('account_id', '=', bb.accountId).where('data', 'like', `%${text}%`).execute()).length +
    (await db.selectFrom('orphan_events').select('dedupe_key').where('account_id', '=', bb.accountId).where('event', 'like', `%${text}%`).execute()).length;
  const rowsOf = async (table: 'messages' | 'events', campaignId: string) =>
    (await db.selectFrom(table).select('account_id').where('account_id', '=', bb.accountId).where('campaign_id', '=', campaignId).execute()).length;
  /** What the campaign page and the overview show (the parts that are figures). */
  const shown = async () => {
    const page = async (id: string) => {
      const c = await api('GET', `/v1/campaigns/${id}`);
      return { figures: c.figures, notSent: c.notSent, links: c.links, flagged: c.flagged, funnel: c.funnel };
    };
    const from = iso(NOW - 320 * DAY).slice(0, 10);
    const to = iso(NOW).slice(0, 10);
    return { old: await page(oldId), mid: await page(midId), overview: await api('GET', `/v1/overview?from=${from}&to=${to}`), list: (await api('GET', '/v1/campaigns')).items };
  };

  beforeAll(async () => {
    bb = await startBlackbox(engine, 'Retention shop');
    store = await openDatabase(bb.env.DATABASE_URL, { schema: bb.env.MESURE_PG_SCHEMA, poolSize: 2 });
    db = store.kysely;
    // Small batches, so that the runs below go through several of them.
    job = new Retention(store, new Writer(store), new AccountDirectory(store), Date.now, 3);
    await api('PUT', '/v1/providers/postmark/secret', { secret: POSTMARK });

    // An old campaign: three messages sent through Postmark and one never sent (pending), 300 days ago; one open
    // (with a user agent), one human and one machine click, and an order of the first recipient an hour later.
    oldId = (await api('POST', '/v1/campaigns', { name: 'Spring sale', channel: 'email', sendAt: iso(T_OLD) })).id;
    const oldMessages = (await api('POST', `/v1/campaigns/${oldId}/messages`, {
      messages: [1, 2, 3, 4].map((i) => ({
        recipient: { email: `old${i}@example.org` }, registeredAt: iso(T_OLD),
        ...(i < 4 ? { provider: 'postmark', providerMessageId: `pm-old-${i}` } : {}),
      })),
    })).messages.sort((x: { index: number }, y: { index: number }) => x.index - y.index).map((m: { messageId: string }) => m.messageId) as string[];
    const at = (t: number, minutes: number) => iso(t + minutes * 60_000);
    await api('POST', '/v1/events', {
      events: [
        ...oldMessages.slice(0, 3).flatMap((messageId) => [{ type: 'sent', at: at(T_OLD, 1), messageId }, { type: 'delivered', at: at(T_OLD, 2), messageId }]),
        { type: 'clicked', at: at(T_OLD, 10), messageId: oldMessages[0], url: A },
        { type: 'clicked', at: at(T_OLD, 11), messageId: oldMessages[1], url: A, machine: true, flagReason: 'scanner' },
      ],
    });
    await postmark({ RecordType: 'Open', MessageID: 'pm-old-1', Recipient: 'old1@example.org', ReceivedAt: at(T_OLD, 5), UserAgent: OLD_AGENT, FirstOpen: true });
    await api('POST', '/v1/orders', {
      orders: [{ id: 'R-1001', createdAt: at(T_OLD, 60), currency: 'EUR', total: 5000, tax: 0, shipping: 0, customer: { email: 'old1@example.org' } }],
    });

    // A campaign of 60 days ago: two messages, both opened (one 60 days ago, one yesterday), and a tracked click today.
    midId = (await api('POST', '/v1/campaigns', { name: 'Summer sale', channel: 'email', sendAt: iso(T_MID) })).id;
    const midMessages = (await api('POST', `/v1/campaigns/${midId}/messages`, {
      messages: [1, 2].map((i) => ({ recipient: { email: `mid${i}@example.org` }, registeredAt: iso(T_MID), provider: 'postmark', providerMessageId: `pm-mid-${i}` })),
    })).messages.sort((x: { index: number }, y: { index: number }) => x.index - y.index).map((m: { messageId: string }) => m.messageId) as string[];
    await api('POST', '/v1/events', {
      events: midMessages.flatMap((messageId) => [{ type: 'sent', at: at(T_MID, 1), messageId }, { type: 'delivered', at: at(T_MID, 2), messageId }]),
    });
    await postmark({ RecordType: 'Open', MessageID: 'pm-mid-1', Recipient: 'mid1@example.org', ReceivedAt: at(T_MID, 5), UserAgent: MID_AGENT, FirstOpen: true });
    await postmark({ RecordType: 'Open', MessageID: 'pm-mid-2', Recipient: 'mid2@example.org', ReceivedAt: iso(T_NEW), UserAgent: NEW_AGENT, FirstOpen: true });
    await api('POST', `/v1/campaigns/${midId}/links`, { destinations: [B] });
    const issued = await api('POST', `/v1/campaigns/${midId}/links/issue`, { messageIds: [midMessages[0]] });
    expect(await visit(bb.url, new URL(issued.messages[0].links[0].trackedUrl).pathname)).toBe(302);

    // Webhooks and clicks are applied in the background: wait until every one shows.
    for (let i = 0; i < 100; i++) {
      const s = await shown();
      if (s.old.figures.opened === 1 && s.mid.figures.opened === 2 && s.mid.figures.clicked === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 180_000);
  afterAll(async () => {
    await store?.close();
    await bb?.stop();
  });

  it('lets only owners read and set the bounds, refuses bad input whole with a clear message, and audits the change', async () => {
    expect(await api('GET', '/v1/retention/settings')).toEqual({ visitorDetailsDays: 90, recipientRowsDays: null });
    for (const [body, field] of [
      [{ visitorDetailsDays: 0, recipientRowsDays: 200 }, 'visitorDetailsDays'],
      [{ visitorDetailsDays: 30, recipientRowsDays: 10 }, 'recipientRowsDays'],
      [{ visitorDetailsDays: 3651 }, 'visitorDetailsDays'],
      [{ visitorDetailsDays: 30, keepForEver: true }, 'keepForEver'],
      [{}, ''],
    ] as const) {
      const r = await send(bb.url, 'PUT', '/v1/retention/settings', { key: bb.keys.owner, json: body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error?.message ?? r.text, JSON.stringify(body)).toContain(field);
    }
    expect(await api('GET', '/v1/retention/settings')).toEqual({ visitorDetailsDays: 90, recipientRowsDays: null }); // nothing half-applied
    for (const key of [bb.keys.analyst, bb.keys.viewer]) {
      expect((await send(bb.url, 'GET', '/v1/retention/settings', { key })).status).toBe(403);
      expect((await send(bb.url, 'PUT', '/v1/retention/settings', { key, json: { visitorDetailsDays: 1 } })).status).toBe(403);
    }
    expect(await api('PUT', '/v1/retention/settings', { visitorDetailsDays: 30, recipientRowsDays: 200 })).toEqual({ visitorDetailsDays: 30, recipientRowsDays: 200 });
    expect(await api('GET', '/v1/retention/settings')).toEqual({ visitorDetailsDays: 30, recipientRowsDays: 200 });
    const audit = await api('GET', '/v1/audit?action=retention_settings.update');
    expect(audit.items).toHaveLength(1);
  });

  it('clears old IP addresses and user agents, drops old messages, keeps every figure, and is idempotent', async () => {
    const before = await shown();
    // By hand. Spring sale: 4 registered, 3 sent and delivered, 1 pending; 1 human open, 1 human click on A, 1 machine
    // click (scanner); order R-1001 (50.00 EUR, no tax or shipping) an hour after old1's click: 1 conversion, 5000.
    expect(before.old.figures).toMatchObject({ audience: 4, sent: 3, delivered: 3, opened: 1, clicked: 1, totalClicks: 1, botClicks: 1, conversions: 1, revenue: 5000 });
    expect(before.old.notSent).toEqual([{ reason: 'pending', count: 1 }]);
    expect(before.old.links).toEqual([{ url: A, totalClicks: 1, uniqueClicks: 1 }]);
    expect(before.old.flagged).toEqual([{ kind: 'click', reason: 'scanner', count: 1 }]);
    // Summer sale: 2 sent and delivered, 2 opened, 1 tracked click on B.
    expect(before.mid.figures).toMatchObject({ audience: 2, sent: 2, delivered: 2, opened: 2, clicked: 1 });
    expect(before.mid.links).toEqual([{ url: B, totalClicks: 1, uniqueClicks: 1 }]);
    // In the database: each user agent once.
    for (const ua of [OLD_AGENT, MID_AGENT, NEW_AGENT, 'RetentionVisit/1']) expect(await mentioning(ua), ua).toBe(1);

    // Two ingestion dead letters (visits that could not be applied), planted as the inbox moves them: one received 60
    // days ago, one yesterday, each with its visitor's user agent.
    for (const [id, receivedAt, agent] of [['dl-old', T_MID, 'DeadLetterAgentOld/1'], ['dl-new', T_NEW, 'DeadLetterAgentNew/1']] as const) {
      await db.insertInto('ingest_dead_letters').values({
        account_id: bb.accountId, id, seq: 1, kind: 'visit', error: 'planted by the test', tries: 3, received_at: receivedAt, moved_at: receivedAt,
        payload: JSON.stringify({ accountId: bb.accountId, messageId: 'msg_x', kind: 'clicked', url: B, token: 't', id, at: receivedAt, req: { method: 'GET', userAgent: agent, referer: 'https://mail.example/' } }),
      }).execute();
    }
    const deadLetter = async (id: string) => JSON.parse((await db.selectFrom('ingest_dead_letters').select('payload').where('account_id', '=', bb.accountId).where('id', '=', id).executeTakeFirstOrThrow()).payload);

    // The command, beside the running server: its summary.
    const summary = await runCli(['retention', 'run', '--account', bb.accountId], bb.env, 120_000);
    expect(summary).toContain(`account ${bb.accountId}: IP addresses and user agents kept 30 days, per-recipient rows kept 200 days`);
    // Dropped: the 4 Spring sale messages with their 9 events (3 sent, 3 delivered, 1 open, 2 clicks). Cleared: the
    // Summer sale open of 60 days ago (30-day bound); yesterday's open and today's click keep their user agents.
    expect(summary).toContain('IP addresses and user agents removed from 1 event, 0 waiting events and 1 dead letter');
    // The old dead letter lost its user agent and nothing else; the new one keeps it.
    expect((await deadLetter('dl-old')).req).toEqual({ method: 'GET', referer: 'https://mail.example/' });
    expect((await deadLetter('dl-new')).req.userAgent).toBe('DeadLetterAgentNew/1');
    expect(summary).toContain('dropped 4 messages with 9 events, 0 waiting events, 0 holdout members');
    expect(await rowsOf('messages', oldId)).toBe(0);
    expect(await rowsOf('events', oldId)).toBe(0);
    expect(await rowsOf('messages', midId)).toBe(2);
    expect(await rowsOf('events', midId)).toBe(7); // 2 sent, 2 delivered, 2 opens, 1 click: none dropped
    expect(await mentioning(OLD_AGENT)).toBe(0);
    expect(await mentioning(MID_AGENT)).toBe(0);
    expect(await mentioning(NEW_AGENT)).toBe(1);
    expect(await mentioning('RetentionVisit/1')).toBe(1);
    // The campaign page, the list and the overview show what they showed before.
    expect(await shown()).toEqual(before);
    // What is lost, as docs/PRIVACY.md says: the recipients of the dropped messages.
    expect((await api('GET', `/v1/campaigns/${oldId}/recipients`)).items).toEqual([]);

    // Again: nothing left to do.
    expect(await retention()).toMatchObject({ messagesDropped: 0, eventsDropped: 0, eventsCleared: 0, waitingEventsCleared: 0, deadLettersCleared: 0, waitingEventsDropped: 0 });
    expect(await shown()).toEqual(before);

    // Forty days later, yesterday's open (41 days old) and today's click (40) are past the 30-day bound; the Summer
    // sale's messages (100 days old) are still within the 200-day one.
    expect(await retention(NOW + 40 * DAY)).toMatchObject({ messagesDropped: 0, eventsDropped: 0, eventsCleared: 2, deadLettersCleared: 1 });
    expect((await deadLetter('dl-new')).req.userAgent).toBeUndefined();
    expect(await mentioning(NEW_AGENT)).toBe(0);
    expect(await mentioning('RetentionVisit/1')).toBe(0);
    expect(await rowsOf('events', midId)).toBe(7);
    expect(await shown()).toEqual(before);

    // The daily job, as `mesure serve` starts it, on a clock 150 days ahead: the Summer sale's messages are then 210
    // days old, past the 200-day bound, and go with their 7 events (the tracked click among them); stopping it waits
    // for the run. The figures still do not move.
    const daily = new Retention(store, new Writer(store), new AccountDirectory(store), () => NOW + 150 * DAY, 3);
    const stop = daily.startDaily(3_600_000, 0);
    await expect.poll(() => rowsOf('messages', midId), { timeout: 30_000 }).toBe(0);
    await stop();
    expect(await rowsOf('events', midId)).toBe(0);
    expect(await shown()).toEqual(before);
  }, 180_000);
});
