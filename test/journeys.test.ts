// Journeys and goals through the API on both engines, against hand computations: a two-step journey (email, then
// SMS), its report by figure, channel and step, a step's recipients, the CSV export, target goals, and a segment goal
// "bought in 2019 and not in 2020" on a hand-built order history, with its daily snapshots.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

const iso = (t: number) => new Date(t).toISOString();
const at = (s: string) => Date.parse(s);
const STARTED = '2026-11-01T08:00:00.000Z';

forEachEngine('journeys and goals', (engine) => {
  let m: TestMesure;
  let now = at('2026-11-20T10:00:00Z');
  beforeEach(async () => {
    now = at('2026-11-20T10:00:00Z');
    m = await makeMesure(engine, { clock: () => now });
  });
  afterEach(async () => {
    await m.cleanup();
  });

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const res = await m.app.inject({ method, url, headers: m.auth, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: res.statusCode, body: String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body, headers: res.headers };
  };

  /**
   * Email campaign E: e0 sent on 25 October (before the journey started: outside the report), e1…e4 on 2 November:
   * all delivered, e1 and e2 opened, e1 clicked. SMS campaign S: s1…s3 sent on 4 November, s1 and s2 delivered, s2
   * clicked, s3 failed after sending. e1 orders 50.00 € a day after clicking.
   */
  async function journey() {
    const email = (await call('POST', '/v1/campaigns', { name: 'Welcome email', channel: 'email' })).body.id as string;
    const sms = (await call('POST', '/v1/campaigns', { name: 'SMS reminder', channel: 'sms' })).body.id as string;
    const j = await call('POST', '/v1/journeys', {
      name: 'Welcome', startedAt: STARTED,
      steps: [
        { name: 'Welcome email', channel: 'email', campaignIds: [email] },
        { name: 'SMS two days later', channel: 'sms', delayMinutes: 2880, campaignIds: [sms] },
      ],
    });
    expect(j.status).toBe(201);
    const reg = async (id: string, recipients: object[], registeredAt: string) =>
      (await call('POST', `/v1/campaigns/${id}/messages`, { messages: recipients.map((recipient) => ({ recipient, registeredAt })) })).body.messages.map((x: { messageId: string }) => x.messageId) as string[];
    const [e0] = await reg(email, [{ email: 'e0@shop.test' }], '2026-10-25T09:00:00Z');
    const [e1, e2, e3, e4] = await reg(email, [1, 2, 3, 4].map((i) => ({ email: `e${i}@shop.test` })), '2026-11-02T09:00:00Z');
    const [s1, s2, s3] = await reg(sms, [1, 2, 3].map((i) => ({ phone: `+3361234560${i}` })), '2026-11-04T09:00:00Z');
    const ev = (type: string, messageId: string, t: string, extra: object = {}) => ({ type, messageId, at: t, ...extra });
    const events = [
      ev('sent', e0, '2026-10-25T09:00:00Z'), ev('delivered', e0, '2026-10-25T09:01:00Z'),
      ...[e1, e2, e3, e4].flatMap((id) => [ev('sent', id, '2026-11-02T09:00:00Z'), ev('delivered', id, '2026-11-02T09:01:00Z')]),
      ev('opened', e1, '2026-11-02T10:00:00Z'), ev('opened', e2, '2026-11-02T11:00:00Z'), ev('clicked', e1, '2026-11-02T10:05:00Z', { url: 'https://shop.test/' }),
      ...[s1, s2, s3].map((id) => ev('sent', id, '2026-11-04T09:00:00Z')),
      ev('delivered', s1, '2026-11-04T09:00:10Z'), ev('delivered', s2, '2026-11-04T09:00:10Z'), ev('clicked', s2, '2026-11-04T12:00:00Z', { url: 'https://shop.test/' }),
      ev('failed', s3, '2026-11-04T09:05:00Z', { failureReason: 'unreachable' }),
    ];
    expect((await call('POST', '/v1/events', { events })).status).toBe(200);
    expect((await call('POST', '/v1/orders', { orders: [{ id: 'o-e1', createdAt: '2026-11-03T10:00:00Z', currency: 'EUR', total: 5000, customer: { email: 'e1@shop.test' } }] })).status).toBe(200);
    return { id: j.body.id as string, steps: j.body.steps as { id: string; position: number }[], email, sms, e0 };
  }

  it('reports the chosen figures from the start to today, by channel and by step', async () => {
    const { id, steps, email, sms } = await journey();
    const r = await call('GET', `/v1/journeys/${id}/report?metrics=sent,delivered,deliveryRate,openRate,clickRate,undelivered,undeliveredRate,revenue,revenuePerRecipient,orderRate`);
    expect(r.status).toBe(200);
    // Email 4 sent / 4 delivered / 2 opened / 1 clicked; SMS 3 sent / 2 delivered / 0 opened / 1 clicked / 1 undelivered.
    // The open rate reads only the channel with an open signal (KPIS.md): 2 opened / 4 e-mails delivered, not / 6.
    expect(r.body.metrics).toEqual({
      sent: 7, delivered: 6, deliveryRate: 6 / 7, openRate: 2 / 4, clickRate: 2 / 6, undelivered: 1, undeliveredRate: 1 / 7,
      revenue: 5000, revenuePerRecipient: 5000 / 6, orderRate: 1 / 6,
    });
    expect(r.body.period).toEqual({ from: '2026-11-01', to: '2026-11-20' });
    expect(r.body.currency).toBe('EUR');
    expect(r.body.channels).toEqual([
      { channel: 'email', figures: { sent: 4, delivered: 4, deliveryRate: 1, openRate: 0.5, clickRate: 0.25, undelivered: 0, undeliveredRate: 0, revenue: 5000, revenuePerRecipient: 1250, orderRate: 0.25 } },
      { channel: 'sms', figures: { sent: 3, delivered: 2, deliveryRate: 2 / 3, openRate: null, clickRate: 0.5, undelivered: 1, undeliveredRate: 1 / 3, revenue: 0, revenuePerRecipient: 0, orderRate: 0 } },
    ]);
    expect(r.body.steps.map((s: Record<string, unknown>) => [s.position, s.name, s.channel, s.delayMinutes, s.campaignIds, s.sent, s.openRate, s.clickRate])).toEqual([
      [1, 'Welcome email', 'email', 0, [email], 4, 0.5, 0.25],
      [2, 'SMS two days later', 'sms', 2880, [sms], 3, null, 0.5],
    ]);
    expect(r.body.messages.map((x: { campaignId: string; sent: number }) => [x.campaignId, x.sent])).toEqual([[email, 4], [sms, 3]]);
    expect(r.body.journey).toMatchObject({ id, name: 'Welcome', status: 'active', channels: ['email', 'sms'], startedAt: STARTED, sent: 7, messages: 7, openRate: 2 / 4 });

    // Default figures, then an unknown one refused with the list.
    expect(Object.keys((await call('GET', `/v1/journeys/${id}/report`)).body.metrics)).toEqual(['sent', 'deliveryRate', 'openRate', 'clickRate', 'revenue']);
    const bad = await call('GET', `/v1/journeys/${id}/report?metrics=sent,roas`);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ path: '/metrics', message: 'unknown: roas' }]);
    expect((await call('GET', '/v1/journeys/jrn_nope/report')).status).toBe(404);

    // A step's recipients since the start (e0 was sent before it), two by two.
    const p1 = (await call('GET', `/v1/journeys/${id}/steps/${steps[0].id}/recipients?limit=2`)).body;
    expect(p1.items).toHaveLength(2);
    const p2 = (await call('GET', `/v1/journeys/${id}/steps/${steps[0].id}/recipients?limit=2&cursor=${p1.nextCursor}`)).body;
    expect(p2.nextCursor).toBeNull();
    expect([...p1.items, ...p2.items].map((x: { recipient: string }) => x.recipient).sort()).toEqual(['e1@shop.test', 'e2@shop.test', 'e3@shop.test', 'e4@shop.test']);
    expect(p1.items[0].campaignId).toBe(email);
    expect((await call('GET', `/v1/journeys/${id}/steps/stp_nope/recipients`)).status).toBe(404);

    // CSV: a header and the 7 recipients since the start, step by step.
    const csv = await call('GET', `/v1/journeys/${id}/export.csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines[0]).toBe('step,stepName,channel,campaignId,campaign,messageId,recipient,contactId,status,failureReason,variant,sentAt,deliveredAt,openedAt,clickedAt,opens,clicks,cost');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['1', '1', '1', '1', '2', '2', '2']);
  });

  it('lists, pauses and extends journeys, and refuses campaigns that cannot join', async () => {
    const { id, steps, email } = await journey();
    const other = (await call('POST', '/v1/campaigns', { name: 'WhatsApp nudge', channel: 'whatsapp' })).body.id as string;
    // Wrong channel (422), a campaign already in a step (409), an unknown one (422): nothing is linked.
    const wrong = await call('POST', `/v1/journeys/${id}/steps/${steps[0].id}/campaigns`, { campaignIds: [other] });
    expect(wrong.status).toBe(422);
    expect(wrong.body.details[0]).toEqual({ path: '/campaignIds/0/', message: `campaign ${other} is a whatsapp campaign; the step sends email` });
    const second = await call('POST', '/v1/journeys', { name: 'Other', steps: [{ name: 'x', channel: 'email', campaignIds: [email] }] });
    expect(second.status).toBe(409);
    expect((await call('GET', '/v1/journeys')).body.items).toHaveLength(1);
    const added = await call('POST', `/v1/journeys/${id}/steps`, { name: 'WhatsApp reminder', channel: 'whatsapp', delayMinutes: 1440, campaignIds: [other] });
    expect(added.status).toBe(201);
    expect(added.body.steps.map((s: { position: number; campaignIds: string[] }) => [s.position, s.campaignIds])).toEqual([[1, [email]], [2, [expect.any(String)]], [3, [other]]]);
    const paused = await call('PATCH', `/v1/journeys/${id}`, { status: 'paused' });
    expect(paused.body.status).toBe('paused');
    expect((await call('PATCH', `/v1/journeys/${id}`, { status: 'archived' })).status).toBe(400);
    expect((await call('PATCH', `/v1/journeys/${id}`, {})).status).toBe(400);
    const list = (await call('GET', '/v1/journeys?status=paused')).body;
    expect(list.items.map((j: { id: string; channels: string[] }) => [j.id, j.channels])).toEqual([[id, ['email', 'sms', 'whatsapp']]]);
    expect((await call('GET', '/v1/journeys?status=active')).body.items).toEqual([]);
    expect((await call('POST', '/v1/journeys', { name: 'x', steps: [{ name: 'y', channel: 'fax' }] })).status).toBe(400);
  });

  describe('goals', () => {
    it('follows target goals on a campaign and a journey', async () => {
      const { id, email } = await journey();
      const sent = await call('POST', `/v1/campaigns/${email}/goals`, { kind: 'target', metric: 'sent', comparator: '>=', target: 8 });
      expect(sent.status).toBe(201);
      // E counts e0 too (a campaign's figures are not cut at the journey's start): 5 sent of 8.
      expect(sent.body).toMatchObject({ kind: 'target', metric: 'sent', value: 5, progress: 5 / 8, achieved: false, unit: 'count' });
      now += 1; // goals are listed in the order they were created
      const revenue = await call('POST', `/v1/campaigns/${email}/goals`, { kind: 'target', name: 'Revenue 100 €', metric: 'revenue', comparator: '>=', target: 10000 });
      expect(revenue.body).toMatchObject({ name: 'Revenue 100 €', value: 5000, progress: 0.5, unit: 'money' });
      // Journey click rate 2/6 against ≥ 50 %: (1/3) / 0.5 = 2/3 of the way.
      const ctr = await call('POST', `/v1/journeys/${id}/goals`, { kind: 'target', metric: 'clickRate', comparator: '>=', target: 0.5 });
      expect(ctr.body.value).toBeCloseTo(1 / 3, 12);
      expect(ctr.body.progress).toBeCloseTo(2 / 3, 12);
      expect(ctr.body.unit).toBe('rate');
      // CPA ≤ 8 €: no spend recorded, so 0 / 1 conversion = 0 € meets it.
      now += 1;
      const cpa = await call('POST', `/v1/campaigns/${email}/goals`, { kind: 'target', metric: 'cpa', comparator: '<=', target: 800 });
      expect(cpa.body).toMatchObject({ value: 0, achieved: true, progress: 1, firstAchievedDate: '2026-11-20' });

      const goals = (await call('GET', `/v1/campaigns/${email}/goals`)).body.goals;
      expect(goals.map((g: { metric: string }) => g.metric)).toEqual(['sent', 'revenue', 'cpa']);
      expect((await call('GET', `/v1/campaigns/${email}`)).body.goals.map((g: { value: number }) => g.value)).toEqual([5, 5000, 0]);

      expect((await call('POST', `/v1/campaigns/${email}/goals`, { kind: 'target', metric: 'happiness', comparator: '>=', target: 1 })).status).toBe(422);
      expect((await call('POST', `/v1/campaigns/${email}/goals`, { kind: 'target', metric: 'sent', target: 1 })).status).toBe(400);
      expect((await call('POST', `/v1/campaigns/${email}/goals`, { kind: 'target', metric: 'sent', comparator: '>', target: 1 })).status).toBe(400);
      expect((await call('POST', '/v1/campaigns/cmp_nope/goals', { kind: 'target', metric: 'sent', comparator: '>=', target: 1 })).status).toBe(404);
      expect((await call('GET', `/v1/campaigns/${email}/goals`)).body.goals).toHaveLength(3);
    });

    it('counts the members of "bought in 2019 and not in 2020" who buy again, day by day', async () => {
      const { id } = await journey();
      // Hand-built history (contacts of the journey's audience): e1 bought in 2019 only and buys on 3 November
      // (the order above); e2 bought in 2019 and 2020 (not a member); e3 bought in 2019 only and has not bought again;
      // e0 bought in 2019 only and buys on 2 November; e4 only has a cancelled 2019 order (not a purchase).
      const o = (oid: string, email: string, createdAt: string, extra: object = {}) => ({ id: oid, createdAt, currency: 'EUR', total: 3000, customer: { email }, ...extra });
      const orders = [
        o('h1', 'e1@shop.test', '2019-03-10T10:00:00Z'),
        o('h2a', 'e2@shop.test', '2019-05-10T10:00:00Z'), o('h2b', 'e2@shop.test', '2020-06-10T10:00:00Z'),
        o('h3', 'e3@shop.test', '2019-12-31T22:30:00Z'),
        o('h0', 'e0@shop.test', '2019-07-01T10:00:00Z'), o('n0', 'e0@shop.test', '2026-11-02T15:00:00Z'),
        o('h4', 'e4@shop.test', '2019-08-01T10:00:00Z', { cancelledAt: '2019-08-02T10:00:00Z' }),
      ];
      expect((await call('POST', '/v1/orders', { orders })).status).toBe(200);
      const segment = {
        all: [
          { bought: { from: '2019-01-01T00:00:00+01:00', to: '2020-01-01T00:00:00+01:00' } },
          { notBought: { from: '2020-01-01T00:00:00+01:00', to: '2021-01-01T00:00:00+01:00' } },
        ],
      };
      expect((await call('POST', `/v1/journeys/${id}/goals`, { kind: 'segment', segment, target: 2.5 })).status).toBe(422);
      expect((await call('POST', `/v1/journeys/${id}/goals`, { kind: 'segment', segment: { all: [{ bought: { from: '2019-01-01', to: '2020-01-01' } }] }, target: 2 })).status).toBe(422);
      expect((await call('POST', `/v1/journeys/${id}/goals`, { kind: 'segment', segment, metric: 'sent', target: 2 })).status).toBe(400);

      // 2 November, 21:00 in Paris: only e0 has bought again. The daily evaluation stores that day's snapshot.
      now = at('2026-11-02T20:00:00Z');
      const g = await call('POST', `/v1/journeys/${id}/goals`, { kind: 'segment', name: '2019 buyers back', segment, target: 2 });
      expect(g.status).toBe(201);
      // e3's 2019 order is 31 December 23:30 in Paris: inside 2019 as the +01:00 bounds say.
      expect(g.body).toMatchObject({ kind: 'segment', membersAtStart: 3, value: 1, remaining: 2, progress: 0.5, achieved: false, achievedAt: null });
      expect(await m.deps.goals.evaluateAll()).toBe(1);

      // 20 November: e1 has bought too (3 November, known since): the goal was reached on 3 November.
      now = at('2026-11-20T10:00:00Z');
      const [later] = (await call('GET', `/v1/journeys/${id}/goals`)).body.goals;
      expect(later).toMatchObject({ membersAtStart: 3, value: 2, remaining: 1, progress: 1, achieved: true, achievedAt: '2026-11-03T10:00:00.000Z' });
      expect(later.points).toEqual([
        { date: '2026-11-02', value: 1, progress: 0.5, achieved: false },
        { date: '2026-11-20', value: 2, progress: 1, achieved: true },
      ]);
      expect((await call('GET', '/v1/journeys/jrn_nope/goals')).status).toBe(404);
    });
  });
});
