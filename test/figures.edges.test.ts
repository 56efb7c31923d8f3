// Edge rules of KPIS.md read through a listening `mesure serve` (SQLite and PostgreSQL), against hand computations:
// engagement implies delivery even before a later failure or bounce (events posted in several arrival orders), an
// opt-out reaching a message never sent counts in no campaign, a period's open rate counts in its denominator only
// the delivered messages of channels that have an open signal, and messages never sent count on their campaign's
// send day (the per-day counts staying equal to a recount of the messages).
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngine, PG_URL, type Engine } from './support';
import { loadConfig } from '../src/config';
import { campaignSendDay, cohortDay, COUNT_FIELDS, messageCounts, zeroCounts, type MessageCounts } from '../src/domain/message';
import type { CampaignRow, MessageRow } from '../src/store/schema';
import { assemble } from '../src/main';
import { call, callOk, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';

type Account = { accountId: string; key: string };
type Figures = Record<string, number | null>;

forEachEngine('figures at the edges of KPIS.md', (engine: Engine) => {
  const { env, drop } = databaseEnv(engine);
  let server: ServerProcess;
  const accounts: Account[] = [];
  let next = 0;
  const account = () => accounts[next++];

  beforeAll(async () => {
    // One account per test, made by the services `mesure accounts create` runs, in this process.
    const mesure = await assemble(loadConfig({ ...env, MESURE_DEMO: '0' }));
    try {
      for (let i = 0; i < 8; i++) {
        const a = await mesure.deps.accounts.create({ name: `Edges shop ${i}`, currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
        accounts.push({ accountId: a.id, key: (await mesure.deps.accounts.createKey(a.id, 'tests', 'owner')).token });
      }
    } finally {
      await mesure.close();
    }
    server = await startServerProcess(env, 90_000);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await drop();
  });

  /** Rows of the server's database (to recount the messages against the per-day counts). */
  async function rows<T>(text: string, params: unknown[]): Promise<T[]> {
    if (engine === 'sqlite') {
      const db = new Database(env.DATABASE_URL.replace(/^file:/, ''), { readonly: true });
      try {
        return db.prepare(text.replace(/\$\d+/g, '?')).all(...params) as T[];
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${env.MESURE_PG_SCHEMA}`);
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /**
   * campaign_days of a campaign equals a recount of its messages by the domain rules: each message's counts on its
   * cohort day, a never-sent one on its campaign's send day.
   */
  async function expectDaysEqualRecount(campaignId: string) {
    const [c] = await rows<CampaignRow>('SELECT * FROM campaigns WHERE id = $1', [campaignId]);
    const messages = (await rows<MessageRow>('SELECT * FROM messages WHERE campaign_id = $1', [campaignId])).map((m) =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'string' && /_at$/.test(k) ? Number(v) : v])) as unknown as MessageRow,
    );
    const channel = c.channel as 'sms';
    const sentDays = messages.filter((m) => messageCounts(m, channel).sent).map((m) => cohortDay(m, Number(m.registered_at), 'Europe/Paris', null)).sort();
    const sendDay = campaignSendDay(c.send_at === null ? null : Number(c.send_at), sentDays[0] ?? null, 'Europe/Paris');
    const recount = new Map<string, MessageCounts>();
    for (const m of messages) {
      const day = cohortDay(m, Number(m.registered_at), 'Europe/Paris', sendDay);
      expect(m.cohort_day, m.id).toBe(day);
      const into = recount.get(day) ?? zeroCounts();
      const counts = messageCounts(m, channel);
      for (const f of COUNT_FIELDS) into[f] += counts[f];
      recount.set(day, into);
    }
    const stored = new Map<string, MessageCounts>();
    for (const r of await rows<Record<string, unknown>>('SELECT * FROM campaign_days WHERE campaign_id = $1', [campaignId])) {
      const counts = zeroCounts();
      for (const f of COUNT_FIELDS) counts[f] = Number(r[f]);
      if (COUNT_FIELDS.some((f) => counts[f] !== 0)) stored.set(String(r.day), counts);
    }
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(recount));
  }

  async function campaign(a: Account, channel: string, recipients: object[], extra: object = {}) {
    const c = await callOk<{ id: string }>(server.url, 'POST', '/v1/campaigns', a.key, { name: `${channel} campaign`, channel });
    const r = await callOk<{ messages: { messageId: string }[] }>(server.url, 'POST', `/v1/campaigns/${c.id}/messages`, a.key, {
      messages: recipients.map((recipient) => ({ recipient, registeredAt: '2026-11-02T08:00:00Z', ...extra })),
    });
    return { id: c.id, messages: r.messages.map((m) => m.messageId) };
  }
  const ev = (type: string, messageId: string, at: string, extra: object = {}) => ({ type, messageId, at, ...extra });
  const post = async (a: Account, events: object[]) => expect((await call(server.url, 'POST', '/v1/events', a.key, { events })).status).toBe(200);
  const figures = async (a: Account, id: string) => (await callOk<{ figures: Figures }>(server.url, 'GET', `/v1/campaigns/${id}`, a.key)).figures;

  it('an e-mail opened and clicked, then hard-bounced, counts delivered, opened and clicked, and still as a hard bounce, whatever the arrival order', async () => {
    const a = account();
    // m1: sent, delivered, opened, clicked, then hard-bounced; m2: sent, then hard-bounced (never engaged).
    const e = await campaign(a, 'email', [{ email: 'ada@example.org' }, { email: 'bob@example.org' }]);
    const [m1, m2] = e.messages;
    const story = [
      ev('sent', m1, '2026-11-02T09:00:00Z'), ev('delivered', m1, '2026-11-02T09:00:05Z'), ev('opened', m1, '2026-11-02T09:10:00Z'),
      ev('clicked', m1, '2026-11-02T09:11:00Z', { url: 'https://shop.example/' }), ev('bounced', m1, '2026-11-02T09:30:00Z', { bounceType: 'hard' }),
      ev('sent', m2, '2026-11-02T09:00:00Z'), ev('bounced', m2, '2026-11-02T09:01:00Z', { bounceType: 'hard' }),
    ];
    // Arrival order: the bounces first, then the rest backwards, in three batches.
    const arrival = [story[4], story[6], ...story.slice(0, 4).reverse(), story[5]];
    for (const batch of [arrival.slice(0, 2), arrival.slice(2, 5), arrival.slice(5)]) await post(a, batch);
    expect(await figures(a, e.id)).toMatchObject({
      sent: 2,
      delivered: 1, // m1: its open and click prove delivery
      undelivered: 1, // m2 only
      bouncesHard: 2, // both bounces count as bounces
      bounceRate: 1, // 2 / 2
      opened: 1,
      openRate: 1, // 1 opened / 1 delivered
      totalOpens: 1,
      opensPerOpener: 1,
      clicked: 1,
      clickRate: 1, // 1 clicked / 1 delivered (was null: clicked 1 over delivered 0)
      clickToOpenRate: 1,
      noLongerReachable: 2, // 0 unsubscribed + 2 hard bounces
    });
    const recipients = await callOk<{ items: { messageId: string; status: string; bounceType: string | null }[] }>(server.url, 'GET', `/v1/campaigns/${e.id}/recipients`, a.key);
    expect(recipients.items.find((r) => r.messageId === m1)).toMatchObject({ status: 'clicked', bounceType: 'hard' });
    expect(recipients.items.find((r) => r.messageId === m2)).toMatchObject({ status: 'bounced', bounceType: 'hard' });
    // The bounce still suppresses the address.
    const suppressed = await callOk<{ items: { address: string; reason: string }[] }>(server.url, 'GET', '/v1/suppressions?channel=email', a.key);
    expect(suppressed.items.map((s) => [s.address, s.reason]).sort()).toEqual([['ada@example.org', 'hard_bounce'], ['bob@example.org', 'hard_bounce']]);
  });

  it('a WhatsApp read then failed and an SMS clicked then undelivered count as delivered', async () => {
    const a = account();
    const w = await campaign(a, 'whatsapp', [{ phone: '+33612345601' }, { phone: '+33612345602' }]);
    const s = await campaign(a, 'sms', [{ phone: '+33612345603' }, { phone: '+33612345604' }]);
    await post(a, [
      // WhatsApp: w1 read, then failed; w2 delivered, then failed.
      ev('failed', w.messages[0], '2026-11-02T10:00:00Z', { failureReason: 'unreachable' }), ev('opened', w.messages[0], '2026-11-02T09:05:00Z'),
      ev('sent', w.messages[0], '2026-11-02T09:00:00Z'),
      ev('sent', w.messages[1], '2026-11-02T09:00:00Z'), ev('delivered', w.messages[1], '2026-11-02T09:00:10Z'), ev('failed', w.messages[1], '2026-11-02T10:00:00Z'),
      // SMS: s1 clicked, then undelivered; s2 delivered.
      ev('failed', s.messages[0], '2026-11-02T11:00:00Z', { failureReason: 'unreachable' }), ev('clicked', s.messages[0], '2026-11-02T09:30:00Z', { url: 'https://shop.example/' }),
      ev('sent', s.messages[0], '2026-11-02T09:00:00Z'),
      ev('sent', s.messages[1], '2026-11-02T09:00:00Z'), ev('delivered', s.messages[1], '2026-11-02T09:00:10Z'),
    ]);
    // WhatsApp: 2 sent, w1 delivered (read), w2 undelivered; open rate 1 / 1.
    expect(await figures(a, w.id)).toMatchObject({ sent: 2, delivered: 1, undelivered: 1, opened: 1, openRate: 1, deliveryRate: 0.5 });
    // SMS: 2 sent, both delivered (s1 by its click), none undelivered; click rate 1 / 2; no open rate.
    expect(await figures(a, s.id)).toMatchObject({ sent: 2, delivered: 2, undelivered: 0, clicked: 1, clickRate: 0.5, openRate: null });
  });

  it('an opt-out reaching a message never sent counts in no campaign, and still opts the contact out', async () => {
    const a = account();
    // Refused by the sender as opted out, then the provider reports the STOP on it.
    const s = await campaign(a, 'sms', [{ phone: '+33612345605' }], { notSentReason: 'opted_out' });
    await post(a, [ev('unsubscribed', s.messages[0], '2026-11-02T09:00:00Z')]);
    expect(await figures(a, s.id)).toMatchObject({ audience: 1, sent: 0, notSent: 1, unsubscribed: 0, unsubscribeRate: null, noLongerReachable: 0 });
    const overview = await callOk<{ figures: Figures }>(server.url, 'GET', '/v1/overview?from=2026-11-01&to=2026-11-30', a.key);
    expect(overview.figures).toMatchObject({ sent: 0, unsubscribed: 0 });
    const suppressed = await callOk<{ items: { address: string; reason: string }[] }>(server.url, 'GET', '/v1/suppressions?channel=sms', a.key);
    expect(suppressed.items.map((x) => [x.address, x.reason])).toEqual([['+33612345605', 'unsubscribed']]);
  });

  it('each message never sent shows the reason "not sent, by reason" groups it under', async () => {
    const a = account();
    // n1 refused as opted out; n2 registered, no outcome yet; n3 rejected by the provider before sending (a failure
    // without a reason is a provider error); n4 invalid; n5 sent.
    const refused = await campaign(a, 'sms', [{ phone: '+33612345611' }], { notSentReason: 'opted_out' });
    const c = await campaign(a, 'sms', [{ phone: '+33612345612' }, { phone: '+33612345613' }, { phone: '+33612345614' }, { phone: '+33612345615' }]);
    const [n2, n3, n4, n5] = c.messages;
    await post(a, [ev('failed', n3, '2026-11-02T09:00:00Z'), ev('failed', n4, '2026-11-02T09:00:00Z', { failureReason: 'invalid_recipient' }), ev('sent', n5, '2026-11-02T09:00:00Z')]);
    const detail = await callOk<{ notSent: { reason: string; count: number }[] }>(server.url, 'GET', `/v1/campaigns/${c.id}`, a.key);
    expect(detail.notSent.map((g) => [g.reason, g.count]).sort()).toEqual([['invalid_recipient', 1], ['pending', 1], ['provider_error', 1]]);
    const items = (await callOk<{ items: { messageId: string; failureReason: string | null }[] }>(server.url, 'GET', `/v1/campaigns/${c.id}/recipients`, a.key)).items;
    const reason = (id: string) => items.find((r) => r.messageId === id)?.failureReason;
    expect([reason(n2), reason(n3), reason(n4), reason(n5)]).toEqual(['pending', 'provider_error', 'invalid_recipient', null]);
    const refusedItems = (await callOk<{ items: { failureReason: string | null }[] }>(server.url, 'GET', `/v1/campaigns/${refused.id}/recipients`, a.key)).items;
    expect(refusedItems.map((r) => r.failureReason)).toEqual(['opted_out']);
  });

  it("a period's open rate counts only the deliveries of channels with an open signal", async () => {
    const a = account();
    // 2 November: e-mail 4 delivered, 1 opened; SMS 6 delivered; letters 2 sent (delivered). Previous period
    // (October): e-mail 2 delivered, 2 opened; SMS 3 delivered.
    const email = await campaign(a, 'email', [1, 2, 3, 4].map((i) => ({ email: `e${i}@example.org` })));
    const sms = await campaign(a, 'sms', [1, 2, 3, 4, 5, 6].map((i) => ({ phone: `+3361234570${i}` })));
    const mail = await campaign(a, 'mail', [1, 2].map((i) => ({ externalId: `letter-${i}`, address: { line1: `${i} rue de la Paix`, postalCode: '75002', city: 'Paris', country: 'FR' } })));
    const octEmail = await campaign(a, 'email', [5, 6].map((i) => ({ email: `e${i}@example.org` })));
    const octSms = await campaign(a, 'sms', [7, 8, 9].map((i) => ({ phone: `+3361234570${i}` })));
    const delivered = (ids: string[], day: string) => ids.flatMap((id) => [ev('sent', id, `${day}T09:00:00Z`), ev('delivered', id, `${day}T09:01:00Z`)]);
    await post(a, [
      ...delivered(email.messages, '2026-11-02'), ev('opened', email.messages[0], '2026-11-02T10:00:00Z'),
      ...delivered(sms.messages, '2026-11-02'),
      ...mail.messages.map((id) => ev('sent', id, '2026-11-02T09:00:00Z')),
      ...delivered(octEmail.messages, '2026-10-20'), ...octEmail.messages.map((id) => ev('opened', id, '2026-10-20T10:00:00Z')),
      ...delivered(octSms.messages, '2026-10-20'),
    ]);
    const o = await callOk<{ figures: Figures; previousPeriod: { from: string; to: string } }>(server.url, 'GET', '/v1/overview?from=2026-11-01&to=2026-11-30', a.key);
    expect(o.figures).toMatchObject({
      sent: 12, // 4 + 6 + 2
      delivered: 12,
      opened: 1,
      openRate: 0.25, // 1 opened / 4 e-mails delivered; SMS and letters have no open signal (not 1 / 12)
      clickToOpenRate: 0, // 0 e-mail clickers / 1 opener
    });
    // The same rule for the previous period: 2 opened / 2 e-mails delivered (not 2 / 5).
    expect(o.previousPeriod).toEqual({ from: '2026-10-02', to: '2026-10-31' });
    const before = await callOk<{ figures: Figures }>(server.url, 'GET', '/v1/overview?from=2026-10-02&to=2026-10-31', a.key);
    expect(before.figures).toMatchObject({ sent: 5, delivered: 5, opened: 2, openRate: 1 });
    // One channel alone reads like its campaigns: SMS has no open rate.
    const smsOnly = await callOk<{ figures: Figures }>(server.url, 'GET', '/v1/overview?from=2026-11-01&to=2026-11-30&channel=sms', a.key);
    expect(smsOnly.figures).toMatchObject({ sent: 6, delivered: 6, openRate: null });
  });

  it("messages never sent count on their campaign's send day, re-decided when it moves", async () => {
    const a = account();
    const audienceOn = async (day: string) => {
      const o = await callOk<{ figures: Figures }>(server.url, 'GET', `/v1/overview?from=${day}&to=${day}`, a.key);
      return [o.figures.audience, o.figures.sent];
    };
    // A back-fill of an SMS campaign without a send date, registered today (no registeredAt): r1 and r2 refused
    // (opted out, invalid), s1 sent on 2 November (10:00 in Paris).
    const c = await callOk<{ id: string }>(server.url, 'POST', '/v1/campaigns', a.key, { name: 'Back-filled', channel: 'sms' });
    const reg = await callOk<{ messages: { messageId: string }[] }>(server.url, 'POST', `/v1/campaigns/${c.id}/messages`, a.key, {
      messages: [
        { recipient: { phone: '+33612345621' }, notSentReason: 'opted_out' },
        { recipient: { phone: '+33612345622' }, notSentReason: 'invalid_recipient' },
        { recipient: { phone: '+33612345623' } },
      ],
    });
    const s1 = reg.messages[2].messageId;
    await post(a, [ev('sent', s1, '2026-11-02T09:00:00Z')]);
    // 2 November: 3 in the audience (r1, r2 and s1), 1 sent.
    expect(await audienceOn('2026-11-02')).toEqual([3, 1]);
    await expectDaysEqualRecount(c.id);

    // A message sent earlier (30 October) becomes the campaign's first: the refused ones follow it.
    const s0 = (await callOk<{ messages: { messageId: string }[] }>(server.url, 'POST', `/v1/campaigns/${c.id}/messages`, a.key, { messages: [{ recipient: { phone: '+33612345624' } }] })).messages[0].messageId;
    await post(a, [ev('sent', s0, '2026-10-30T09:00:00Z')]);
    expect(await audienceOn('2026-10-30')).toEqual([3, 1]); // r1, r2, s0
    expect(await audienceOn('2026-11-02')).toEqual([1, 1]); // s1
    await expectDaysEqualRecount(c.id);

    // A send date set on the campaign decides: 5 November at 23:30 in Paris (22:30 UTC).
    await callOk(server.url, 'PATCH', `/v1/campaigns/${c.id}`, a.key, { sendAt: '2026-11-05T22:30:00Z' });
    expect(await audienceOn('2026-11-05')).toEqual([2, 0]); // r1, r2
    expect(await audienceOn('2026-10-30')).toEqual([1, 1]); // s0
    await expectDaysEqualRecount(c.id);
    // A message refused after that lands on the send day too.
    await callOk(server.url, 'POST', `/v1/campaigns/${c.id}/messages`, a.key, { messages: [{ recipient: { phone: '+33612345625' }, notSentReason: 'duplicate' }] });
    expect(await audienceOn('2026-11-05')).toEqual([3, 0]);
    // Removed, the earliest sent message's day decides again.
    await callOk(server.url, 'PATCH', `/v1/campaigns/${c.id}`, a.key, { sendAt: null });
    expect(await audienceOn('2026-10-30')).toEqual([4, 1]); // 3 refused + s0
    expect(await audienceOn('2026-11-05')).toEqual([0, 0]);
    await expectDaysEqualRecount(c.id);
    // The campaign's own figures never moved: 5 in the audience, 2 sent.
    expect(await figures(a, c.id)).toMatchObject({ audience: 5, sent: 2, notSent: 3 });
  });
});
