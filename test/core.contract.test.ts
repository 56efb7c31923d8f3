// The core's contract, run against SQLite and PostgreSQL: campaigns, messages, events and figures through the
// HTTP API, with hand-computed expectations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

const T = (iso: string) => iso; // readability: times are ISO strings at the API

forEachEngine('core API', (engine) => {
  let m: TestMesure;
  let campaignId: string;
  let ids: Record<string, string>;

  const post = (url: string, payload: unknown, headers = m.auth) => m.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const get = (url: string, headers = m.auth) => m.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    m = await makeMesure(engine);
    const res = await post('/v1/campaigns', {
      name: 'Soldes d’hiver', channel: 'sms', sendAt: '2026-11-20T09:00:00Z',
      template: { name: 'soldes', version: '2', language: 'fr', format: 'text', content: 'Soldes -30 % https://shop.example/soldes' },
      tags: ['soldes'],
    });
    expect(res.statusCode).toBe(201);
    campaignId = res.json().id;
    const reg = await post(`/v1/campaigns/${campaignId}/messages`, {
      messages: [
        { recipient: { phone: '06 11 11 11 11' }, providerMessageId: 'SM1', provider: 'twilio' },
        { recipient: { phone: '+33622222222' }, providerMessageId: 'SM2', provider: 'twilio' },
        { recipient: { phone: '+33633333333' }, providerMessageId: 'SM3', provider: 'twilio' },
        { recipient: { phone: '+33644444444' }, providerMessageId: 'SM4', provider: 'twilio' },
        { recipient: { phone: '123' } },
        { recipient: { phone: '+33 6 11 11 11 11' } }, // the same person as the first: one message per recipient
      ],
    });
    expect(reg.statusCode).toBe(200);
    const body = reg.json();
    expect(body.created).toBe(5);
    expect(body.existing).toBe(1);
    expect(body.messages[5].messageId).toBe(body.messages[0].messageId);
    expect(body.messages[4].status).toBe('not_sent');
    ids = Object.fromEntries(body.messages.slice(0, 5).map((x: { messageId: string }, i: number) => [`m${i + 1}`, x.messageId]));
  });
  afterAll(async () => m?.cleanup());

  const events = () => [
    // m1: sent, delivered, clicked twice on the same link.
    { type: 'sent', at: T('2026-11-20T09:00:01Z'), messageId: ids.m1 },
    { type: 'delivered', at: T('2026-11-20T09:00:05Z'), messageId: ids.m1 },
    { type: 'clicked', at: T('2026-11-20T10:00:00Z'), messageId: ids.m1, url: 'https://shop.example/soldes' },
    { type: 'clicked', at: T('2026-11-20T11:00:00Z'), messageId: ids.m1, url: 'https://shop.example/soldes' },
    // m2: delivered, then finally undelivered (by provider id).
    { type: 'sent', at: T('2026-11-20T09:00:01Z'), provider: 'twilio', providerMessageId: 'SM2' },
    { type: 'delivered', at: T('2026-11-20T09:00:06Z'), provider: 'twilio', providerMessageId: 'SM2' },
    { type: 'failed', at: T('2026-11-20T09:10:00Z'), provider: 'twilio', providerMessageId: 'SM2', failureReason: 'unreachable', failureCode: '30003' },
    // m3: refused by the provider before sending: the recipient had replied STOP.
    { type: 'failed', at: T('2026-11-20T09:00:02Z'), campaignId: 'CAMPAIGN', recipient: '+33633333333', failureReason: 'opted_out', failureCode: '21610' },
    // m4: sent, nothing else.
    { type: 'sent', at: T('2026-11-20T09:00:01Z'), messageId: ids.m4, providerEventId: 'ev-m4-sent' },
  ].map((e) => ('campaignId' in e ? { ...e, campaignId } : e));

  it('applies a batch and answers after it is stored', async () => {
    const res = await post('/v1/events', { events: events() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received: 9, applied: 9, duplicates: 0, pending: 0 });
  });

  it('computes the campaign figures of KPIS.md from those events', async () => {
    const res = await get(`/v1/campaigns/${campaignId}`);
    expect(res.statusCode).toBe(200);
    const d = res.json();
    // audience 5 (m1..m5); sent 3 (m1, m2, m4); delivered 1 (m1: m2 finally failed); undelivered 1 (m2).
    expect(d.figures).toMatchObject({ audience: 5, sent: 3, notSent: 2, delivered: 1, undelivered: 1, clicked: 1, totalClicks: 2 });
    expect(d.figures.sendRate).toBeCloseTo(3 / 5, 12);
    expect(d.figures.deliveryRate).toBeCloseTo(1 / 3, 12);
    expect(d.figures.undeliveredRate).toBeCloseTo(1 / 3, 12);
    expect(d.figures.clickRate).toBe(1); // 1 clicker / 1 delivered
    expect(d.figures.clicksPerClicker).toBe(2);
    expect(d.figures.openRate).toBeNull(); // SMS gives no open signal: "—", not 0 %
    expect(d.figures.opensPerOpener).toBeNull();
    expect(d.notSent).toEqual(expect.arrayContaining([{ reason: 'invalid_recipient', count: 1 }, { reason: 'opted_out', count: 1 }]));
    expect(d.links).toEqual([{ url: 'https://shop.example/soldes', totalClicks: 2, uniqueClicks: 1 }]);
    expect(d.funnel.map((s: { count: number }) => s.count)).toEqual([5, 3, 1, 0]);
    expect(d.campaign.template).toMatchObject({ name: 'soldes', version: '2', language: 'fr' });
  });

  it('changes nothing when the same events arrive again', async () => {
    const before = (await get(`/v1/campaigns/${campaignId}`)).json().figures;
    const res = await post('/v1/events', { events: events() });
    expect(res.json()).toMatchObject({ received: 9, applied: 0, duplicates: 9 });
    expect((await get(`/v1/campaigns/${campaignId}`)).json().figures).toEqual(before);
  });

  it('puts a recipient refused for STOP on the suppression list', async () => {
    const rows = await m.db.kysely.selectFrom('suppressions').selectAll().where('account_id', '=', m.accountId).execute();
    expect(rows.map((r) => [r.channel, r.address, r.reason])).toEqual([['sms', '+33633333333', 'opted_out']]);
  });

  it('lists recipients by status, paginated with a cursor, and searchable', async () => {
    const page1 = (await get(`/v1/campaigns/${campaignId}/recipients?limit=2`)).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = (await get(`/v1/campaigns/${campaignId}/recipients?limit=2&cursor=${page1.nextCursor}`)).json();
    const page3 = (await get(`/v1/campaigns/${campaignId}/recipients?limit=2&cursor=${page2.nextCursor}`)).json();
    expect(page3.nextCursor).toBeNull();
    const all = [...page1.items, ...page2.items, ...page3.items].map((r: { messageId: string }) => r.messageId);
    expect(new Set(all).size).toBe(5);
    const undelivered = (await get(`/v1/campaigns/${campaignId}/recipients?status=undelivered`)).json();
    expect(undelivered.items.map((r: { recipient: string; failureCode: string }) => [r.recipient, r.failureCode])).toEqual([['+33622222222', '30003']]);
    const search = (await get(`/v1/campaigns/${campaignId}/recipients?q=44444`)).json();
    expect(search.items.map((r: { messageId: string }) => r.messageId)).toEqual([ids.m4]);
    const optedOut = (await get(`/v1/campaigns/${campaignId}/recipients?reason=opted_out`)).json();
    expect(optedOut.items.map((r: { messageId: string }) => r.messageId)).toEqual([ids.m3]);
  });

  it('cuts days in the account time zone and gives the overview with the previous period', async () => {
    const c = (await post('/v1/campaigns', { name: 'Minuit', channel: 'email' })).json();
    await post(`/v1/campaigns/${c.id}/messages`, { messages: [{ recipient: { email: 'night@example.com' } }] });
    // 23:30 UTC on the 21st is 00:30 on the 22nd in Paris (UTC+1 in November).
    await post('/v1/events', { events: [{ type: 'sent', at: '2026-11-21T23:30:00Z', campaignId: c.id, recipient: 'NIGHT@example.com' }] });
    const series = (await get('/v1/series/daily?from=2026-11-20&to=2026-11-22')).json();
    expect(series.days.map((d: { date: string; sent: number }) => [d.date, d.sent])).toEqual([
      ['2026-11-20', 3], ['2026-11-21', 0], ['2026-11-22', 1],
    ]);
    const o = (await get('/v1/overview?from=2026-11-20&to=2026-11-22')).json();
    expect(o.previousPeriod).toEqual({ from: '2026-11-17', to: '2026-11-19' });
    expect(o.cards.messagesSent).toEqual({ value: 4, previous: 0, trend: null, good: 'up' });
    expect(o.cards.qrScansClicks.value).toBe(2);
    const smsOnly = (await get('/v1/overview?from=2026-11-20&to=2026-11-22&channel=sms')).json();
    expect(smsOnly.cards.messagesSent.value).toBe(3);
  });

  it('lists campaigns with the home table figures, sorted', async () => {
    const list = (await get('/v1/campaigns?sort=-sent')).json();
    expect(list.items[0]).toMatchObject({ id: campaignId, sent: 3, audience: 5, openRate: null, revenue: 0, roas: null });
    const bySent = (await get('/v1/campaigns?sort=sent')).json();
    expect(bySent.items[bySent.items.length - 1].id).toBe(campaignId);
  });

  it('keeps events for messages not registered yet and applies them when they are', async () => {
    const c = (await post('/v1/campaigns', { name: 'Orphans', channel: 'whatsapp' })).json();
    const early = await post('/v1/events', {
      events: [
        { type: 'opened', at: '2026-11-20T12:00:05Z', provider: 'whatsapp', providerMessageId: 'wamid.A' },
        { type: 'sent', at: '2026-11-20T12:00:00Z', provider: 'whatsapp', providerMessageId: 'wamid.A' },
        { type: 'delivered', at: '2026-11-20T12:00:02Z', campaignId: c.id, recipient: '+33 6 55 55 55 55' },
      ],
    });
    expect(early.json()).toMatchObject({ applied: 0, pending: 3 });
    const reg = await post(`/v1/campaigns/${c.id}/messages`, {
      messages: [
        { recipient: { phone: '+33655555555' } },
        { recipient: { phone: '+33666666666' }, provider: 'whatsapp', providerMessageId: 'wamid.A' },
      ],
    });
    expect(reg.json().messages.map((x: { status: string }) => x.status)).toEqual(['delivered', 'opened']);
    const d = (await get(`/v1/campaigns/${c.id}`)).json();
    expect(d.figures).toMatchObject({ audience: 2, sent: 2, delivered: 2, opened: 1, openRate: 0.5 });
  });

  it('reaches the same final state whatever the order of events and requests', async () => {
    const mk = async (name: string) => {
      const c = (await post('/v1/campaigns', { name, channel: 'email' })).json();
      await post(`/v1/campaigns/${c.id}/messages`, { messages: [1, 2, 3].map((i) => ({ recipient: { email: `p${i}@example.com` } })) });
      return c.id as string;
    };
    const [a, b] = [await mk('ordered'), await mk('shuffled')];
    const evs = (cid: string) => [
      { type: 'sent', at: '2026-11-20T08:00:00Z', campaignId: cid, recipient: 'p1@example.com' },
      { type: 'delivered', at: '2026-11-20T08:00:03Z', campaignId: cid, recipient: 'p1@example.com' },
      { type: 'opened', at: '2026-11-20T09:00:00Z', campaignId: cid, recipient: 'p1@example.com', machine: true, flagReason: 'apple_mpp' },
      { type: 'opened', at: '2026-11-20T10:00:00Z', campaignId: cid, recipient: 'p1@example.com' },
      { type: 'sent', at: '2026-11-20T08:00:00Z', campaignId: cid, recipient: 'p2@example.com' },
      { type: 'bounced', at: '2026-11-20T08:00:09Z', campaignId: cid, recipient: 'p2@example.com', bounceType: 'hard' },
      { type: 'sent', at: '2026-11-20T08:00:00Z', campaignId: cid, recipient: 'p3@example.com' },
      { type: 'bounced', at: '2026-11-20T08:00:04Z', campaignId: cid, recipient: 'p3@example.com', bounceType: 'soft' },
      { type: 'delivered', at: '2026-11-20T08:05:00Z', campaignId: cid, recipient: 'p3@example.com' },
      { type: 'clicked', at: '2026-11-20T08:06:00Z', campaignId: cid, recipient: 'p3@example.com', url: 'https://shop.example/x' },
    ];
    await post('/v1/events', { events: evs(a) });
    const shuffled = evs(b).reverse();
    for (let i = 0; i < shuffled.length; i += 3) await post('/v1/events', { events: shuffled.slice(i, i + 3) });
    const state = async (cid: string) => {
      const d = (await get(`/v1/campaigns/${cid}`)).json();
      const r = (await get(`/v1/campaigns/${cid}/recipients?limit=10`)).json();
      return { figures: d.figures, recipients: r.items.map(({ messageId: _, ...rest }: { messageId: string }) => rest).sort((x: { recipient: string }, y: { recipient: string }) => x.recipient.localeCompare(y.recipient)) };
    };
    const [sa, sb] = [await state(a), await state(b)];
    expect(sb).toEqual(sa);
    // p1 opened (1 human open, 1 machine open), p2 hard bounce, p3 soft bounce then delivered and clicked.
    expect(sa.figures).toMatchObject({ sent: 3, delivered: 2, undelivered: 1, bouncesHard: 1, bouncesSoft: 0, opened: 1, machineOpens: 1, clicked: 1 });
    expect(sa.recipients.map((r: { status: string }) => r.status)).toEqual(['opened', 'bounced', 'clicked']);
  });

  it('streams the CSV export with formula cells neutralised', async () => {
    const c = (await post('/v1/campaigns', { name: 'Export', channel: 'email' })).json();
    await post(`/v1/campaigns/${c.id}/messages`, { messages: [{ recipient: { email: '=HYPERLINK("x")@example.com' } }, { recipient: { email: 'plain@example.com' } }] });
    const res = await get(`/v1/campaigns/${c.id}/export.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trim().split('\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['messageId', 'recipient', 'status']);
    expect(lines).toHaveLength(3);
    expect(res.body).toContain(`"'=hyperlink(""x"")@example.com"`); // emails are stored lower-cased
    expect(res.body).toContain('plain@example.com');
  });

  it('scopes every call to the key’s account', async () => {
    const other = await m.deps.accounts.create({ name: 'Other shop' });
    const key = await m.deps.accounts.createKey(other.id, 'other');
    const auth = { authorization: `Bearer ${key.token}` };
    expect((await get(`/v1/campaigns/${campaignId}`, auth)).statusCode).toBe(404);
    expect((await get('/v1/campaigns', auth)).json().items).toEqual([]);
    const res = await post('/v1/events', { events: [{ type: 'clicked', at: '2026-11-20T12:00:00Z', messageId: ids.m4, url: 'https://x.example' }] }, auth);
    expect(res.statusCode).toBe(422);
    expect(res.json().details[0]).toMatchObject({ path: '/events/0/messageId' });
    const reg = await post(`/v1/campaigns/${campaignId}/messages`, { messages: [{ recipient: { phone: '+33677777777' } }] }, auth);
    expect(reg.statusCode).toBe(404);
    expect((await get(`/v1/campaigns/${campaignId}`)).json().figures.audience).toBe(5);
  });

  it('serves an OpenAPI document describing the routes', async () => {
    const doc = (await m.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/v1/events'].post.requestBody.content['application/json'].schema.properties.events.maxItems).toBe(10000);
    expect(doc.paths['/v1/campaigns/{id}'].get).toBeDefined();
  });
});
