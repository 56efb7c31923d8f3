// Holdout groups through the API on both engines: deterministic assignment across repeated requests, campaign
// figures that stay those of the treated, and the true lift of a seeded data set whose lift is known.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';
import { isHeldOut, mulberry32, trueLift } from '../src/domain/stats';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const START = Date.parse('2026-11-02T09:00:00Z');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

forEachEngine('holdout groups', (engine) => {
  let m: TestMesure;
  beforeEach(async () => {
    m = await makeMesure(engine, { clock: () => NOW });
  });
  afterEach(async () => {
    await m.cleanup();
  });

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await m.app.inject({ method, url, headers: m.auth, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { status: res.statusCode, body: String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body };
  };
  const campaign = async (name = 'Black Friday') =>
    (await call('POST', '/v1/campaigns', { name, channel: 'email', sendAt: iso(START) })).body.id as string;
  const recipients = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ recipient: { email: `c${from + i}@shop.test` }, registeredAt: iso(START) }));

  it('holds out the same contacts when the request is repeated, and keeps them out of the campaign figures', async () => {
    const id = await campaign();
    expect((await call('POST', `/v1/campaigns/${id}/holdout`, { share: 0.2 })).status).toBe(200);
    const first = await call('POST', `/v1/campaigns/${id}/audience`, { recipients: recipients(300) });
    expect(first.status).toBe(200);
    const list = first.body.recipients as { index: number; status: string; contactId: string; existing: boolean; messageId: string | null }[];
    // Each decision is isHeldOut(account, campaign, contact, 0.2): recomputed here independently of the service.
    for (const r of list) expect(r.status).toBe(isHeldOut(m.accountId, id, r.contactId, 0.2) ? 'held_out' : 'treated');
    const held = list.filter((r) => r.status === 'held_out').length;
    expect(first.body.heldOut).toBe(held);
    expect(first.body.treated).toBe(300 - held);
    // 300 × 0.2 = 60 expected, binomial sd √(300·0.2·0.8) ≈ 6.9: within 4 sd.
    expect(Math.abs(held - 60)).toBeLessThan(28);
    expect(list.every((r) => !r.existing)).toBe(true);

    // The same audience again, plus 100 new recipients: the first 300 get the same answer, nothing is written twice.
    const again = await call('POST', `/v1/campaigns/${id}/audience`, { recipients: recipients(400) });
    const list2 = again.body.recipients as typeof list;
    for (const r of list) {
      expect(list2[r.index].status).toBe(r.status);
      expect(list2[r.index].contactId).toBe(r.contactId);
      expect(list2[r.index].messageId).toBe(r.messageId);
      expect(list2[r.index].existing).toBe(true);
    }
    const treated = list2.filter((r) => r.status === 'treated').length;

    // The campaign's audience and not-sent list are those of the treated: held-out contacts are not messages.
    const detail = (await call('GET', `/v1/campaigns/${id}`)).body;
    expect(detail.figures.audience).toBe(treated);
    expect(detail.notSent.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(treated);
    expect(detail.notSent.map((r: { reason: string }) => r.reason)).toEqual(['pending']);
    const recips = (await call('GET', `/v1/campaigns/${id}/recipients?limit=1000`)).body.items;
    expect(recips).toHaveLength(treated);

    // The share cannot change once contacts are assigned (it would move them between groups).
    const change = await call('POST', `/v1/campaigns/${id}/holdout`, { share: 0.3 });
    expect(change.status).toBe(409);
    expect((await call('POST', `/v1/campaigns/${id}/holdout`, { share: 0.2 })).status).toBe(200);
  });

  it('refuses bad input without writing anything', async () => {
    const id = await campaign();
    expect((await call('POST', `/v1/campaigns/${id}/holdout`, { share: 0.9 })).status).toBe(400);
    expect((await call('POST', `/v1/campaigns/${id}/holdout`, { share: '0.1' })).status).toBe(400);
    expect((await call('POST', '/v1/campaigns/cmp_nope/holdout', { share: 0.1 })).status).toBe(404);
    await call('POST', `/v1/campaigns/${id}/holdout`, { share: 0.5 });
    // The second recipient has no usable address: 422 with its index, and neither contact nor holdout is stored.
    const bad = await call('POST', `/v1/campaigns/${id}/audience`, { recipients: [...recipients(20), { recipient: { phone: '+33612345678' } }] });
    expect(bad.status).toBe(422);
    expect(bad.body.details[0].path).toBe('/recipients/20/recipient');
    const lift = (await call('GET', `/v1/campaigns/${id}/lift`)).body;
    expect(lift.treated.n).toBe(0);
    expect(lift.holdout.n).toBe(0);
    const contacts = await m.db.kysely.selectFrom('contacts').select('id').where('account_id', '=', m.accountId).execute();
    expect(contacts).toHaveLength(0);
    // A holdout set after the first recipient is refused.
    const other = await campaign('Other');
    await call('POST', `/v1/campaigns/${other}/audience`, { recipients: recipients(3) });
    expect((await call('POST', `/v1/campaigns/${other}/holdout`, { share: 0.1 })).status).toBe(409);
  });

  it('recovers a known lift from a seeded data set (treated 10 % buy, held out 5 %)', async () => {
    const id = await campaign();
    await call('POST', `/v1/campaigns/${id}/holdout`, { share: 0.2 });
    const N = 2000;
    const res = await call('POST', `/v1/campaigns/${id}/audience`, { recipients: recipients(N) });
    expect(res.status).toBe(200);
    const list = res.body.recipients as { index: number; status: string; messageId: string | null }[];

    // The generated purchases, summed by hand per group (each contact: one order in the window or none).
    const rand = mulberry32(20261125);
    const sums = { treated: { n: 0, converters: 0, revenueSum: 0, revenueSumSq: 0 }, holdout: { n: 0, converters: 0, revenueSum: 0, revenueSumSq: 0 } };
    const orders: object[] = [];
    const events: object[] = [];
    let attributed = 0;
    for (const r of list) {
      const group = r.status === 'treated' ? sums.treated : sums.holdout;
      group.n += 1;
      const email = `c${r.index}@shop.test`;
      const u = rand();
      const basket = u < 0.7 ? 2000 : u < 0.95 ? 6000 : 30000;
      // Buyers are counted out exactly (1 in 10 treated, 1 in 20 held out), not drawn: who is held out changes from run to
      // run (random ids), and a drawn 95 % interval would miss the true lift in about one run in twenty.
      const buys = r.status === 'treated' ? (group.n - 1) % 10 === 0 : (group.n - 1) % 20 === 0;
      // Orders outside the window count for no group: 3 days before the start, and 20 days after it.
      if (rand() < 0.1) orders.push({ id: `early-${r.index}`, createdAt: iso(START - 3 * DAY), currency: 'EUR', total: 5000, customer: { email } });
      if (rand() < 0.1) orders.push({ id: `late-${r.index}`, createdAt: iso(START + 20 * DAY), currency: 'EUR', total: 7000, customer: { email } });
      if (!buys) continue;
      group.converters += 1;
      group.revenueSum += basket;
      group.revenueSumSq += basket * basket;
      orders.push({ id: `o-${r.index}`, createdAt: iso(START + DAY), currency: 'EUR', total: basket, customer: { email } });
      if (r.messageId) {
        // Treated buyers opened the email an hour after the send: the order is attributed to the campaign (open window 5 days).
        events.push({ type: 'delivered', at: iso(START + 1_800_000), messageId: r.messageId }, { type: 'opened', at: iso(START + 3_600_000), messageId: r.messageId });
        attributed += basket;
      }
    }
    expect((await call('POST', '/v1/events', { events })).status).toBe(200);
    const stored = await call('POST', '/v1/orders', { orders });
    expect(stored.status).toBe(200);

    const lift = await call('GET', `/v1/campaigns/${id}/lift`);
    expect(lift.status).toBe(200);
    const expected = JSON.parse(JSON.stringify(trueLift({ treated: sums.treated, holdout: sums.holdout, attributedRevenueMinor: attributed })));
    expect(lift.body).toEqual({ campaignId: id, currency: 'EUR', holdoutShare: 0.2, holdoutOf: 'campaign', windowDays: 5, ...expected });
    expect(lift.body.treated.n + lift.body.holdout.n).toBe(N);
    expect(lift.body.attributedRevenueMinor).toBe(attributed);
    // The true conversion lift is 0.10 / 0.05 − 1 = +100 %: inside the 95 % interval, and significant.
    expect(lift.body.conversion.lift.low).toBeLessThan(1);
    expect(lift.body.conversion.lift.high).toBeGreaterThan(1);
    expect(lift.body.conversion.verdict).toBe('positive');
    // True incremental conversions: (0.10 − 0.05) × treated.
    const trueIncremental = 0.05 * sums.treated.n;
    expect(lift.body.conversion.incrementalConversions.low).toBeLessThan(trueIncremental);
    expect(lift.body.conversion.incrementalConversions.high).toBeGreaterThan(trueIncremental);
    // A 30-day window takes in the late orders too (20 days after the start), for both groups alike.
    const wide = (await call('GET', `/v1/campaigns/${id}/lift?windowDays=30`)).body;
    expect(wide.windowDays).toBe(30);
    expect(wide.treated.converters).toBeGreaterThan(lift.body.treated.converters);
    expect(wide.holdout.converters).toBeGreaterThanOrEqual(lift.body.holdout.converters);
  });
});
