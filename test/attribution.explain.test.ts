// Every credit explained (#24, GET /v1/orders/{id}/attribution) through a listening server on both engines: Ana got
// an SMS and an e-mail before buying; the answer lists every touch with whether it counted and why (outside its window
// and by how much, after the order, machine open, bot click, beaten by a direct touch, no window), each counted touch's
// share under every model, and the credit rows as stored — each computed by hand below, under each of the five models.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** When Ana buys. */
const T = Date.parse('2026-11-20T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const MODELS = ['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay'] as const;

forEachEngine('every credit explained', (engine) => {
  let m: TestMesure;
  let base: string;
  beforeEach(async () => {
    m = await makeMesure(engine, { clock: () => Date.parse('2026-11-25T12:00:00Z') });
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    await m.cleanup();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(base + path, { method, headers: { ...m.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.json)}`).toBeLessThan(300);
    return r.json;
  };

  /**
   * Ana (ana@example.com, +33612345678) bought for 120.00 (20.00 tax: 100.00 net) at T. Before that:
   * - SMS campaign S: sent T−10 d−1 min, delivered T−10 d (the account's SMS delivery window is 7 days), clicked T−4 d;
   * - e-mail campaign E: sent T−3 d, delivered T−3 d+1 s, a machine open (Apple privacy proxy) T−2 d−2 h, a human open
   *   T−2 d−1 h, a human click T−2 d, a bot click T−1 d, and a human click T+1 h (after the order).
   */
  async function scenario() {
    await ok('PUT', '/v1/attribution/settings', { windowsHours: { sms: { delivery: 168 } } });
    const s = (await ok('POST', '/v1/campaigns', { name: 'Black Friday SMS', channel: 'sms', status: 'completed', sendAt: iso(T - 11 * DAY) })).id as string;
    const e = (await ok('POST', '/v1/campaigns', { name: 'Black Friday e-mail', channel: 'email', status: 'completed', sendAt: iso(T - 11 * DAY) })).id as string;
    const who = { email: 'ana@example.com', phone: '+33612345678' };
    const ms = (await ok('POST', `/v1/campaigns/${s}/messages`, { messages: [{ recipient: who, registeredAt: iso(T - 11 * DAY) }] })).messages[0].messageId as string;
    const me = (await ok('POST', `/v1/campaigns/${e}/messages`, { messages: [{ recipient: who, registeredAt: iso(T - 11 * DAY) }] })).messages[0].messageId as string;
    await ok('POST', '/v1/events', {
      events: [
        { messageId: ms, type: 'sent', at: iso(T - 10 * DAY - MIN) },
        { messageId: ms, type: 'delivered', at: iso(T - 10 * DAY) },
        { messageId: ms, type: 'clicked', at: iso(T - 4 * DAY), url: 'https://shop.example/bf' },
        { messageId: me, type: 'sent', at: iso(T - 3 * DAY) },
        { messageId: me, type: 'delivered', at: iso(T - 3 * DAY + 1000) },
        { messageId: me, type: 'opened', at: iso(T - 2 * DAY - 2 * HOUR), machine: true, flagReason: 'apple_mpp' },
        { messageId: me, type: 'opened', at: iso(T - 2 * DAY - HOUR) },
        { messageId: me, type: 'clicked', at: iso(T - 2 * DAY), url: 'https://shop.example/bf' },
        { messageId: me, type: 'clicked', at: iso(T - DAY), url: 'https://shop.example/bf', machine: true, flagReason: 'isbot' },
        { messageId: me, type: 'clicked', at: iso(T + HOUR), url: 'https://shop.example/bf' },
      ],
    });
    await ok('POST', '/v1/orders', { orders: [{ id: 'A-1001', createdAt: iso(T), currency: 'EUR', total: 12000, tax: 2000, customer: { email: 'ana@example.com' } }] });
    const orderId = (await ok('GET', '/v1/orders')).items[0].id as string;
    return { s, e, ms, me, orderId };
  }

  it('lists every touch with its verdict and reason, as computed by hand', async () => {
    const { s, e, ms, me, orderId } = await scenario();
    const x = await ok('GET', `/v1/orders/${orderId}/attribution`);
    expect(x.order).toMatchObject({ id: orderId, externalId: 'A-1001', revenue: 10000, revenueCurrency: 'EUR', cancelled: false, orderedAt: iso(T) });
    // The order named Ana's e-mail: that is the key that matched her contact (the one her two messages went to).
    expect(x.contact).toMatchObject({ matchedBy: 'email', key: 'ana@example.com' });
    expect(x.contact.id).toMatch(/^ct_/);
    expect(x.model).toBe('last_touch');
    expect(x.direct).toBe(true);
    const row = (t: { campaignId: string; kind: string; ageMs: number; counted: boolean; reason: string | null; windowMs: number | null; beyondMs: number | null; afterMs: number | null; flagReason: string | null; messageId: string | null; via: string }) =>
      [t.campaignId === s ? 'S' : t.campaignId === e ? 'E' : t.campaignId, t.messageId === ms || t.messageId === me ? 'own' : t.messageId, t.kind, t.ageMs, t.counted, t.reason, t.windowMs, t.beyondMs, t.afterMs, t.flagReason, t.via];
    expect(x.touches.map(row)).toEqual([
      // SMS send: the account has no window for an SMS send (only click 5 d and delivery).
      ['S', 'own', 'sent', 10 * DAY + MIN, false, 'no_window', null, null, null, null, 'contact'],
      // SMS delivery 10 days before, window 7 days: 10 d − 7 d = 3 d = 259,200,000 ms too old.
      ['S', 'own', 'delivery', 10 * DAY, false, 'outside_window', 7 * DAY, 3 * DAY, null, null, 'contact'],
      // SMS click 4 days before, inside its 5-day click window.
      ['S', 'own', 'click', 4 * DAY, true, null, 5 * DAY, null, null, null, 'contact'],
      // E-mail send and delivery: no window for either on e-mail (click and open only).
      ['E', 'own', 'sent', 3 * DAY, false, 'no_window', null, null, null, null, 'contact'],
      ['E', 'own', 'delivery', 3 * DAY - 1000, false, 'no_window', null, null, null, null, 'contact'],
      ['E', 'own', 'open', 2 * DAY + 2 * HOUR, false, 'machine_open', null, null, null, 'apple_mpp', 'contact'],
      // A human open inside its 5-day window, but the order has direct touches (two clicks): influence is left out.
      ['E', 'own', 'open', 2 * DAY + HOUR, false, 'beaten_by_direct', null, null, null, null, 'contact'],
      ['E', 'own', 'click', 2 * DAY, true, null, 5 * DAY, null, null, null, 'contact'],
      ['E', 'own', 'click', DAY, false, 'bot_click', null, null, null, 'isbot', 'contact'],
      // A click 1 hour after the order: age −1 h.
      ['E', 'own', 'click', -HOUR, false, 'after_order', null, null, HOUR, null, 'contact'],
    ]);
    expect(x.touches.find((t: { kind: string; counted: boolean }) => t.kind === 'click' && t.counted).campaignName).toBe('Black Friday SMS');

    // Shares of the two counted touches (SMS click aged 4 d, e-mail click aged 2 d), per model:
    // last touch 0 / 1; first touch 1 / 0; linear ½ / ½; position-based with two touches ½ / ½;
    // time decay (half-life 7 d = 168 h): 2^(−(4−2)/7) = 0.820335 and 1 → 0.820335 / 1.820335 = 0.450651 and 0.549349.
    const smsClick = x.touches.find((t: { campaignId: string; kind: string; counted: boolean }) => t.campaignId === s && t.counted);
    const mailClick = x.touches.find((t: { campaignId: string; kind: string; counted: boolean }) => t.campaignId === e && t.counted);
    const d = 2 ** (-2 / 7);
    expect(smsClick.shares).toMatchObject({ last_touch: 0, first_touch: 1, linear: 0.5, position_based: 0.5 });
    expect(mailClick.shares).toMatchObject({ last_touch: 1, first_touch: 0, linear: 0.5, position_based: 0.5 });
    expect(smsClick.shares.time_decay).toBeCloseTo(d / (1 + d), 12);
    expect(smsClick.shares.time_decay).toBeCloseTo(0.450651, 6);
    expect(mailClick.shares.time_decay).toBeCloseTo(0.549349, 6);
    for (const t of x.touches.filter((t: { counted: boolean }) => !t.counted)) expect(t.shares).toBeNull();
    expect(x.storedMatches).toBe(true);
  });

  it("gives the credit rows under each model, and the stored rows are the account model's, under each model in turn", async () => {
    const { s, e, ms, me, orderId } = await scenario();
    // 100.00 net split by the shares above; time decay: 10000 × 0.4506507 = 4506.507 → 4506, 10000 × 0.5493493 = 5493.493
    // → 5493; one cent left goes to the larger remainder (.507, SMS): 4507 and 5493. In millionths: 450650.67 → 450650 and
    // 549349.33 → 549349, one left to .67 (SMS): 450651 and 549349.
    const expected: Record<(typeof MODELS)[number], [string, string, number, number][]> = {
      last_touch: [[e, me, 1_000_000, 10000]],
      first_touch: [[s, ms, 1_000_000, 10000]],
      // Equal shares: the rows go in campaign id order (the smaller id first), 5000 each.
      linear: [[s, ms, 500_000, 5000], [e, me, 500_000, 5000]].sort((a, b) => (a[0] < b[0] ? -1 : 1)) as [string, string, number, number][],
      position_based: [[s, ms, 500_000, 5000], [e, me, 500_000, 5000]].sort((a, b) => (a[0] < b[0] ? -1 : 1)) as [string, string, number, number][],
      time_decay: [[e, me, 549_349, 5493], [s, ms, 450_651, 4507]],
    };
    const rows = (list: { campaignId: string; messageId: string; weightMicro: number; revenue: number }[]) => list.map((c) => [c.campaignId, c.messageId, c.weightMicro, c.revenue]);
    for (const model of MODELS) {
      await ok('PUT', '/v1/attribution/settings', { model });
      const x = await ok('GET', `/v1/orders/${orderId}/attribution`);
      expect(x.model).toBe(model);
      for (const other of MODELS) expect(rows(x.credits[other]), `${model}: credits under ${other}`).toEqual(expected[other]);
      // Stored: the account model's rows, as every figure sums them; both clicks are direct.
      expect(rows(x.stored), model).toEqual(expected[model]);
      expect(x.stored.every((r: { model: string; direct: boolean; kind: string; currency: string }) => r.model === model && r.direct && r.kind === 'click' && r.currency === 'EUR')).toBe(true);
      expect(x.storedMatches).toBe(true);
      // The explanation's shares × revenue give each stored row within the rounding of one cent.
      for (const r of x.stored) {
        const share = x.touches.filter((t: { campaignId: string; counted: boolean }) => t.counted && t.campaignId === r.campaignId).reduce((sum: number, t: { shares: Record<string, number> }) => sum + t.shares[model], 0);
        expect(Math.abs(share * 10000 - r.revenue)).toBeLessThan(1);
      }
    }
  });

  it('explains an order credited through its discount code, one never credited, and answers 404 for an unknown one', async () => {
    const { e } = await scenario();
    await ok('PUT', `/v1/campaigns/${e}/discount-codes`, { codes: ['BF20'] });
    // Bob has no message: only his code names a campaign (a direct touch at the order's time).
    await ok('POST', '/v1/orders', { orders: [
      { id: 'B-1', createdAt: iso(T + 2 * HOUR), currency: 'EUR', total: 5000, discountCodes: ['BF20'], customer: { email: 'bob@example.com' } },
      { id: 'C-1', createdAt: iso(T + 3 * HOUR), currency: 'EUR', total: 3000, customer: { phone: '06 99 88 77 66' } },
    ] });
    const items = (await ok('GET', '/v1/orders')).items as { id: string; externalId: string }[];
    const bob = await ok('GET', `/v1/orders/${items.find((o) => o.externalId === 'B-1')!.id}/attribution`);
    expect(bob.touches).toHaveLength(1);
    expect(bob.touches[0]).toMatchObject({ campaignId: e, kind: 'code', via: 'code', viaValue: 'BF20', counted: true, ageMs: 0, windowMs: 5 * DAY });
    expect(bob.stored).toMatchObject([{ campaignId: e, revenue: 5000, weightMicro: 1_000_000, direct: true, kind: 'code' }]);
    // Carol: matched by her phone (a new contact made from it: +33699887766), shown as her order gave it; no touch, no credit.
    const carol = await ok('GET', `/v1/orders/${items.find((o) => o.externalId === 'C-1')!.id}/attribution`);
    expect(carol.contact).toMatchObject({ matchedBy: 'phone', key: '06 99 88 77 66' });
    expect(carol).toMatchObject({ touches: [], stored: [], direct: null, storedMatches: true });
    for (const model of MODELS) expect(carol.credits[model]).toEqual([]);
    // From the recipients' side: Ana's SMS message (sent T−10 d−1 min) lists her order A-1001 (not credited to the SMS
    // campaign under last touch: the e-mail click is newer); the e-mail message lists it credited with all 100.00.
    // Bob's order names the e-mail campaign by code, but Bob got no message: he is nobody's recipient.
    const ana = await ok('GET', `/v1/orders/${items.find((o) => o.externalId === 'A-1001')!.id}/attribution`);
    const smsMessage = ana.touches.find((t: { kind: string; channel: string }) => t.channel === 'sms').messageId;
    const mailMessage = ana.touches.find((t: { kind: string; channel: string }) => t.channel === 'email').messageId;
    const fromSms = await ok('GET', `/v1/messages/${smsMessage}/orders`);
    expect(fromSms).toMatchObject({ messageId: smsMessage, contactId: ana.contact.id, model: 'last_touch' });
    expect(fromSms.items).toMatchObject([{ externalId: 'A-1001', credited: false, creditRevenue: null, revenue: 10000 }]);
    expect((await ok('GET', `/v1/messages/${mailMessage}/orders`)).items).toMatchObject([{ externalId: 'A-1001', credited: true, creditRevenue: 10000 }]);
    expect((await call('GET', '/v1/messages/msg_nope/orders')).status).toBe(404);
    const missing = await call('GET', '/v1/orders/ord_nope/attribution');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toMatch(/No order ord_nope/);
  });
});
