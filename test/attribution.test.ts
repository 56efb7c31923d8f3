// Attribution end to end on both engines: touches read from stored messages and events, one credit per order
// across email, SMS and WhatsApp under each model (hand-computed), window edges, late clicks, refunds,
// cancellations, currencies without a rate, and the campaign page's money figures.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';
import type { IncomingEvent } from '../src/domain/types';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-10T10:00:00Z');

forEachEngine('attribution', (engine) => {
  let m: TestMesure;
  beforeEach(async () => {
    m = await makeMesure(engine, { clock: () => Date.parse('2026-11-25T12:00:00Z') });
  });
  afterEach(async () => {
    await m.cleanup();
  });

  const campaign = async (name: string, channel: 'email' | 'sms' | 'whatsapp' | 'mail', sendAt = T0 - 10 * DAY) =>
    (await m.deps.campaigns.create(m.accountId, { name, channel, sendAt, status: 'completed' })).id;
  const register = async (campaignId: string, recipient: Record<string, unknown>, at: number) => {
    const r = await m.deps.ingestor.register(m.accountId, campaignId, [{ recipient, registeredAt: at }]);
    if (!r.ok) throw new Error(r.message);
    return r.value[0].messageId;
  };
  const events = async (list: (Omit<IncomingEvent, 'ref'> & { messageId: string })[]) => {
    const r = await m.deps.ingestor.ingest(m.accountId, list.map(({ messageId, ...e }) => ({ ...e, ref: { kind: 'id', messageId } }) as IncomingEvent));
    if (!r.ok) throw new Error(r.message);
  };
  const post = (url: string, payload: unknown, method: 'POST' | 'PUT' = 'POST') => m.app.inject({ method, url, headers: m.auth, payload: payload as object });
  const order = (id: string, at: number, extra: Record<string, unknown> = {}) => ({
    id, createdAt: new Date(at).toISOString(), currency: 'EUR', total: 12000, tax: 2000, itemQuantity: 2,
    customer: { email: 'ana@example.com' }, ...extra,
  });
  const revenueOf = async (ids: string[]) => {
    const money = await m.deps.orders.attribution.byCampaign(m.accountId, ids);
    return ids.map((id) => money.get(id)?.revenueMinor ?? 0);
  };

  /** Ana got an email (A), an SMS (B) and a WhatsApp (C) about the same sale, and clicked each before buying. */
  async function crossChannel() {
    const [a, b, c] = [await campaign('Sale email', 'email'), await campaign('Sale SMS', 'sms'), await campaign('Sale WhatsApp', 'whatsapp')];
    const who = { email: 'ana@example.com', phone: '+33612345678' };
    const buy = T0;
    const ma = await register(a, who, buy - 6 * DAY);
    const mb = await register(b, who, buy - 6 * DAY);
    const mc = await register(c, who, buy - 6 * DAY);
    await events([
      { messageId: ma, type: 'sent', at: buy - 5 * DAY, costMinor: 100 },
      { messageId: ma, type: 'delivered', at: buy - 5 * DAY + 1000 },
      { messageId: ma, type: 'clicked', at: buy - 4 * DAY, url: 'https://shop.example/a' },
      { messageId: mb, type: 'sent', at: buy - 3 * DAY, costMinor: 500 },
      { messageId: mb, type: 'delivered', at: buy - 3 * DAY + 1000 },
      { messageId: mb, type: 'clicked', at: buy - 2 * DAY, url: 'https://shop.example/b' },
      { messageId: mc, type: 'sent', at: buy - 2 * HOUR, costMinor: 900 },
      { messageId: mc, type: 'delivered', at: buy - 2 * HOUR + 1000 },
      { messageId: mc, type: 'opened', at: buy - 90 * 60_000 },
      { messageId: mc, type: 'clicked', at: buy - HOUR, url: 'https://shop.example/c' },
      // A bot click and a machine open never count.
      { messageId: ma, type: 'clicked', at: buy - 10 * 60_000, url: 'https://shop.example/a', machine: true, flagReason: 'isbot' },
    ]);
    // Net 100.00 (gross 120.00 with 20.00 tax).
    const r = await post('/v1/orders', { orders: [order('1001', buy)] });
    expect(r.statusCode, r.body).toBe(200);
    return { a, b, c, messages: { ma, mb, mc } };
  }

  it('credits a sale touched by email, SMS and WhatsApp once, under each model as computed by hand', async () => {
    const { a, b, c } = await crossChannel();
    // Hand computation (docs/ATTRIBUTION.md): touches 4 days, 2 days and 1 hour before a 100.00 net order.
    // time decay: weights 2^(-96/168), 2^(-48/168), 2^(-1/168) = 0.6729, 0.8203, 0.9959 → 27.03 / 32.96 / 40.01.
    const expected: Record<string, [number, number, number]> = {
      last_touch: [0, 0, 10000],
      first_touch: [10000, 0, 0],
      linear: [3334, 3333, 3333],
      position_based: [4000, 2000, 4000],
      time_decay: [2703, 3296, 4001],
    };
    // Linear: 100.00 / 3 leaves one cent, which goes to the smallest campaign id (the largest remainder tie rule).
    const first = [a, b, c].indexOf([a, b, c].sort()[0]);
    expected.linear = [3333, 3333, 3333].map((x, i) => (i === first ? x + 1 : x)) as [number, number, number];
    for (const [model, revenue] of Object.entries(expected)) {
      const r = await post('/v1/attribution/settings', { model }, 'PUT');
      expect(r.statusCode, r.body).toBe(200);
      expect(await revenueOf([a, b, c]), model).toEqual(revenue);
      // Credited once: the account's period figures count one order and its revenue once.
      const p = await m.deps.orders.attribution.forPeriod(m.accountId, '2026-11-01', '2026-11-30');
      expect(p.conversions).toBe(1);
      expect(p.revenueMinor).toBe(10000);
      expect(p.revenueDirectMinor).toBe(10000);
    }
    const cmp = await m.app.inject({ url: '/v1/attribution/compare?from=2026-11-01&to=2026-11-30', headers: m.auth });
    expect(cmp.statusCode).toBe(200);
    const byCampaign = Object.fromEntries(cmp.json().campaigns.map((x: { campaignId: string; byModel: Record<string, { revenue: number }> }) => [x.campaignId, x.byModel]));
    for (const [model, [ra, rb, rc]] of Object.entries(expected)) {
      expect([byCampaign[a]?.[model]?.revenue ?? 0, byCampaign[b]?.[model]?.revenue ?? 0, byCampaign[c]?.[model]?.revenue ?? 0], model).toEqual([ra, rb, rc]);
    }
    const list = (await m.app.inject({ url: '/v1/orders', headers: m.auth })).json();
    expect(list.items[0].matchedBy).toBe('email');
    expect(list.items[0].attribution.credits.map((x: { campaignId: string }) => x.campaignId).sort()).toEqual([a, b, c].sort());
  });

  it('fills the campaign page: revenue, ROAS, CPA, conversion rate as computed by hand', async () => {
    const { c } = await crossChannel();
    // Last touch: WhatsApp C gets the whole 100.00 order. Its one message was delivered, cost 9.00.
    const d = (await m.app.inject({ url: `/v1/campaigns/${c}`, headers: m.auth })).json();
    expect(d.figures.revenue).toBe(10000);
    expect(d.figures.revenueDirect).toBe(10000);
    expect(d.figures.revenueInfluenced).toBe(0);
    expect(d.figures.conversions).toBe(1);
    expect(d.figures.converters).toBe(1);
    expect(d.figures.spend).toBe(900);
    expect(d.figures.roas).toBeCloseTo(10000 / 900, 10);
    expect(d.figures.roi).toBeCloseTo((10000 - 900) / 900, 10);
    expect(d.figures.cpa).toBe(900);
    expect(d.figures.conversionRate).toBe(1);
    expect(d.figures.averageOrderValue).toBe(10000);
    expect(d.figures.itemsPerOrder).toBe(2);
    expect(d.figures.revenuePerRecipient).toBe(10000);
    const ov = (await m.app.inject({ url: '/v1/overview?from=2026-11-01&to=2026-11-30', headers: m.auth })).json();
    expect(ov.cards.ordersImported.value).toBe(1);
    expect(ov.cards.revenue.value).toBe(10000);
    expect(ov.cards.conversions.value).toBe(1);
  });

  it('counts a touch one second inside its window and not one second outside', async () => {
    const email = await campaign('Edge email', 'email');
    const sms = await campaign('Edge SMS', 'sms');
    const m1 = await register(email, { email: 'in@example.com' }, T0 - 6 * DAY);
    const m2 = await register(email, { email: 'out@example.com' }, T0 - 6 * DAY);
    const m3 = await register(sms, { phone: '+33611111111' }, T0 - 2 * DAY);
    const m4 = await register(sms, { phone: '+33622222222' }, T0 - 2 * DAY);
    const clickAt = T0 - 5 * DAY;
    await events([
      { messageId: m1, type: 'clicked', at: clickAt },
      { messageId: m2, type: 'clicked', at: clickAt },
      { messageId: m3, type: 'delivered', at: T0 - DAY },
      { messageId: m4, type: 'delivered', at: T0 - DAY },
    ]);
    const r = await post('/v1/orders', {
      orders: [
        order('in', clickAt + 5 * DAY - 1000, { customer: { email: 'in@example.com' } }),
        order('out', clickAt + 5 * DAY + 1000, { customer: { email: 'out@example.com' } }),
        // SMS delivery: 12 hours.
        order('sms-in', T0 - DAY + 12 * HOUR - 1000, { customer: { phone: '+33611111111' } }),
        order('sms-out', T0 - DAY + 12 * HOUR + 1000, { customer: { phone: '+33622222222' } }),
      ],
    });
    expect(r.json().credited).toBe(2);
    const money = await m.deps.orders.attribution.byCampaign(m.accountId, [email, sms]);
    const [e, s] = [money.get(email)!, money.get(sms)!];
    expect(e.conversions).toBe(1);
    expect(e.revenueDirectMinor).toBe(10000);
    expect(s.conversions).toBe(1);
    expect(s.revenueInfluencedMinor).toBe(10000);
    const items = (await m.app.inject({ url: '/v1/orders', headers: m.auth })).json().items as { externalId: string; matchedBy: string; attribution: { credits: unknown[] } }[];
    expect(Object.fromEntries(items.map((i) => [i.externalId, i.attribution.credits.length]))).toEqual({ in: 1, out: 0, 'sms-in': 1, 'sms-out': 0 });
    expect(items.find((i) => i.externalId === 'sms-in')!.matchedBy).toBe('phone');
  });

  it('re-attributes an order when its click is ingested after it, and follows refunds and cancellations', async () => {
    const email = await campaign('Late email', 'email');
    const msg = await register(email, { email: 'ana@example.com' }, T0 - 3 * DAY);
    await events([{ messageId: msg, type: 'sent', at: T0 - 2 * DAY, costMinor: 50 }]);
    await post('/v1/orders', { orders: [order('2001', T0)] });
    expect(await revenueOf([email])).toEqual([0]);
    // The click happened before the order but arrives now.
    await events([{ messageId: msg, type: 'clicked', at: T0 - DAY, url: 'https://shop.example/x' }]);
    expect(await revenueOf([email])).toEqual([10000]);
    // A refund of 36.00 gross of which 30.00 net.
    const rf = await post('/v1/orders', { refunds: [{ id: 'r1', orderId: '2001', at: new Date(T0 + DAY).toISOString(), amount: 3600, net: 3000 }] });
    expect(rf.statusCode, rf.body).toBe(200);
    expect(await revenueOf([email])).toEqual([7000]);
    // The same refund again changes nothing.
    await post('/v1/orders', { refunds: [{ id: 'r1', orderId: '2001', at: new Date(T0 + DAY).toISOString(), amount: 3600, net: 3000 }] });
    expect(await revenueOf([email])).toEqual([7000]);
    // Cancelled: no longer a conversion.
    await post('/v1/orders', { orders: [order('2001', T0, { updatedAt: new Date(T0 + 2 * DAY).toISOString(), cancelledAt: new Date(T0 + 2 * DAY).toISOString() })] });
    const money = (await m.deps.orders.attribution.byCampaign(m.accountId, [email])).get(email);
    expect(money?.conversions ?? 0).toBe(0);
    const ov = (await m.app.inject({ url: '/v1/overview?from=2026-11-01&to=2026-11-30', headers: m.auth })).json();
    expect(ov.cards.ordersImported.value).toBe(1);
  });

  it('credits discount codes and UTM campaigns, and reports an order in a currency without a rate apart', async () => {
    const email = await campaign('Winter Sale', 'email');
    const mail = await campaign('Catalogue', 'mail');
    const codes = await post(`/v1/campaigns/${mail}/discount-codes`, { codes: ['hiver10 '] }, 'PUT');
    expect(codes.json()).toEqual({ campaignId: mail, codes: ['HIVER10'] });
    const r = await post('/v1/orders', {
      orders: [
        order('3001', T0, { customer: {}, discountCodes: ['HIVER10'] }),
        order('3002', T0, { customer: {}, landingSite: '/?utm_source=mesure&utm_medium=email&utm_campaign=winter-sale' }),
        order('3003', T0, { customer: {}, currency: 'USD', total: 5000, tax: 0, discountCodes: ['HIVER10'] }),
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const money = await m.deps.orders.attribution.byCampaign(m.accountId, [email, mail]);
    expect(money.get(email)?.revenueMinor).toBe(10000);
    // The USD order is credited but not summed with euros.
    expect(money.get(mail)?.revenueMinor).toBe(10000);
    expect(money.get(mail)?.conversions).toBe(1);
    let ov = (await m.app.inject({ url: '/v1/overview?from=2026-11-01&to=2026-11-30', headers: m.auth })).json();
    expect(ov.unconvertedOrders).toEqual([{ currency: 'USD', orders: 1, revenueMinor: 5000 }]);
    expect(ov.cards.ordersImported.value).toBe(3);
    // With a rate (1 USD = 0.9 EUR from Nov 1st) it converts: 50.00 USD → 45.00 EUR.
    const rates = await post('/v1/currency-rates', { rates: [{ from: 'USD', to: 'EUR', rate: '0.9', validFrom: '2026-11-01' }] }, 'PUT');
    expect(rates.statusCode, rates.body).toBe(200);
    expect((await m.deps.orders.attribution.byCampaign(m.accountId, [mail])).get(mail)?.revenueMinor).toBe(14500);
    ov = (await m.app.inject({ url: '/v1/overview?from=2026-11-01&to=2026-11-30', headers: m.auth })).json();
    expect(ov.unconvertedOrders).toEqual([]);
  });

  it('credits a landing click id at the order time when the tracking area dates the click after the order', async () => {
    // The click id in the landing URL proves the click came before checkout: a click time 10 minutes after the order
    // is clock skew, and the touch counts at the order's time (touchesFromSignals), not 10 minutes too late.
    const sms = await campaign('Flash SMS', 'sms');
    const msg = await register(sms, { phone: '+33612345678' }, T0 - DAY);
    await events([{ messageId: msg, type: 'sent', at: T0 - DAY }]);
    m.deps.orders.attribution.clickIds = async (_account, cid) => (cid === 'AbCdEfGhIjKlMnOp' ? { messageId: msg, at: T0 + 10 * 60_000 } : null);
    // An anonymous buyer (no key): only the click id links the order to the message.
    const r = await post('/v1/orders', { orders: [order('4001', T0, { customer: {}, landingSite: 'https://shop.example/?mesure_cid=AbCdEfGhIjKlMnOp' })] });
    expect(r.statusCode, r.body).toBe(200);
    // Net 120.00 − 20.00 = 100.00, all to the SMS campaign, direct (a click id is a direct touch).
    const money = (await m.deps.orders.attribution.byCampaign(m.accountId, [sms])).get(sms);
    expect([money?.conversions, money?.revenueMinor, money?.revenueDirectMinor]).toEqual([1, 10000, 10000]);
  });

  it('validates settings and keeps the account figures on the gross basis when asked', async () => {
    const bad = await post('/v1/attribution/settings', { model: 'everything' }, 'PUT');
    expect(bad.statusCode).toBe(400);
    const { c } = await crossChannel();
    const r = await post('/v1/attribution/settings', { revenueBasis: 'gross', windowsHours: { whatsapp: { click: null } } }, 'PUT');
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().settings.windowsHours.whatsapp).toEqual({ click: null, read: 12 });
    // Without a WhatsApp click window, the SMS click (2 days before) is the last direct touch; gross 120.00.
    const s = (await m.app.inject({ url: '/v1/attribution/settings', headers: m.auth })).json();
    expect(s.revenueBasis).toBe('gross');
    expect(await revenueOf([c])).toEqual([0]);
    const p = await m.deps.orders.attribution.forPeriod(m.accountId, '2026-11-01', '2026-11-30');
    expect(p.revenueMinor).toBe(12000);
  });
  it('recomputes, page by page in buyer order, exactly the credits the orders got as they arrived', async () => {
    const { a, messages } = await crossChannel();
    const mail = await campaign('Catalogue', 'mail', T0 - 60 * DAY);
    await post(`/v1/campaigns/${mail}/discount-codes`, { codes: ['HIVER10'] }, 'PUT');
    // Bob got the catalogue 50 days before buying with its code, older than every window: his order alone does not
    // see the letter, so the code credit names no message; a recompute must not see it either, even when the same
    // page holds his order of 21 days before (which the letter's send, 29 days before it, does touch).
    const letter = await register(mail, { email: 'bob@example.com', address: { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' } }, T0 - 51 * DAY);
    await events([{ messageId: letter, type: 'sent', at: T0 - 50 * DAY }, { messageId: messages.ma, type: 'opened', at: T0 + 2 * DAY }]);
    const r = await post('/v1/orders', {
      orders: [
        order('1002', T0 + 3 * DAY),
        order('1003', T0 - 3 * DAY),
        order('2001', T0, { customer: { email: 'bob@example.com' }, discountCodes: ['HIVER10'] }),
        order('2002', T0 + DAY, { customer: { email: 'bob@example.com' } }),
        order('2000', T0 - 21 * DAY, { customer: { email: 'bob@example.com' } }),
        // No buyer: credited by its code alone; and one no touch explains.
        order('3001', T0, { customer: {}, discountCodes: ['HIVER10'] }),
        order('3002', T0 + HOUR, { customer: {} }),
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const credits = async () =>
      (await m.db.kysely.selectFrom('attributions').selectAll().where('account_id', '=', m.accountId).orderBy('order_id').orderBy('campaign_id').execute())
        .map((c) => ({ ...c, weight_micro: Number(c.weight_micro), revenue_minor: Number(c.revenue_minor), items: Number(c.items), order_at: Number(c.order_at), direct: Number(c.direct) }));
    const arrived = await credits();
    const orderIds = new Map((await m.db.kysely.selectFrom('orders').select(['id', 'external_id']).where('account_id', '=', m.accountId).execute()).map((o) => [o.external_id, o.id]));
    const bob = (id: string) => arrived.filter((c) => c.order_id === orderIds.get(id));
    expect(bob('2000').map((c) => [c.campaign_id, c.message_id, c.kind])).toEqual([[mail, letter, 'sent']]);
    expect(bob('2001').map((c) => [c.campaign_id, c.message_id, c.kind])).toEqual([[mail, null, 'code']]);
    expect(arrived.filter((c) => c.campaign_id === a).length).toBeGreaterThan(0);
    for (const pageSize of [1, 2, 3, 2000]) {
      const s = await m.deps.orders.recompute(m.accountId, { pageSize });
      expect(s.orders).toBe(8);
      expect(await credits()).toEqual(arrived);
    }
  });
});
