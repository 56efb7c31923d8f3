// A journey's holdout through the API on both engines: one draw per contact for every step (the journey's id is
// hashed), held-out contacts never registered as messages, and the journey's true lift per contact against hand sums.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';
import { isHeldOut, mulberry32, trueLift, type GroupOutcome } from '../src/domain/stats';

const NOW = Date.parse('2026-11-20T10:00:00Z');
const START = Date.parse('2026-11-02T09:00:00Z');
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

type Assigned = { index: number; status: 'treated' | 'held_out'; contactId: string; messageId: string | null; existing: boolean };

forEachEngine('journey holdout and lift', (engine) => {
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
  // Each recipient has an email and a mobile number, so the email step and the SMS step reach the same contact.
  const recipients = (n: number, at: number) =>
    Array.from({ length: n }, (_, i) => ({ recipient: { email: `c${i}@shop.test`, phone: `+3361${String(i).padStart(7, '0')}` }, registeredAt: iso(at) }));

  /** Journey "Welcome": an email step, then an SMS two days later; the journey keeps `share` of its contacts back. */
  async function journey(share: number) {
    const email = (await call('POST', '/v1/campaigns', { name: 'Welcome email', channel: 'email', sendAt: iso(START) })).body.id as string;
    const sms = (await call('POST', '/v1/campaigns', { name: 'SMS reminder', channel: 'sms', sendAt: iso(START + 2 * DAY) })).body.id as string;
    const j = await call('POST', '/v1/journeys', {
      name: 'Welcome', startedAt: iso(START),
      steps: [
        { name: 'Welcome email', channel: 'email', campaignIds: [email] },
        { name: 'SMS two days later', channel: 'sms', delayMinutes: 2880, campaignIds: [sms] },
      ],
    });
    expect(j.status).toBe(201);
    const id = j.body.id as string;
    expect((await call('POST', `/v1/journeys/${id}/holdout`, { share })).status).toBe(200);
    return { id, email, sms };
  }

  it('holds the same contacts out of every step, again on a repeated request, and never makes them messages', async () => {
    const { id, email, sms } = await journey(0.2);
    const first = await call('POST', `/v1/campaigns/${email}/audience`, { recipients: recipients(300, START) });
    expect(first.status).toBe(200);
    const byEmail = first.body.recipients as Assigned[];
    // Each decision is isHeldOut(account, JOURNEY, contact, 0.2), recomputed here apart from the service.
    for (const r of byEmail) expect(r.status).toBe(isHeldOut(m.accountId, id, r.contactId, 0.2) ? 'held_out' : 'treated');
    const held = new Set(byEmail.filter((r) => r.status === 'held_out').map((r) => r.contactId));
    // 300 × 0.2 = 60 expected, binomial sd ≈ 6.9: within 4 sd.
    expect(Math.abs(held.size - 60)).toBeLessThan(28);

    // The SMS step, two days later, reaches the same contacts and holds out exactly the same ones.
    const bySms = (await call('POST', `/v1/campaigns/${sms}/audience`, { recipients: recipients(300, START + 2 * DAY) })).body.recipients as Assigned[];
    expect(bySms.map((r) => r.contactId)).toEqual(byEmail.map((r) => r.contactId));
    expect(bySms.map((r) => r.status)).toEqual(byEmail.map((r) => r.status));

    // Repeated: the same answers, nothing written twice.
    const again = (await call('POST', `/v1/campaigns/${email}/audience`, { recipients: recipients(300, START) })).body.recipients as Assigned[];
    expect(again.map((r) => [r.status, r.contactId, r.messageId])).toEqual(byEmail.map((r) => [r.status, r.contactId, r.messageId]));
    expect(again.every((r) => r.existing)).toBe(true);

    // No message of either step belongs to a held-out contact; each step has one message per treated contact.
    const messages = await m.db.kysely.selectFrom('messages').select(['campaign_id', 'contact_id']).where('account_id', '=', m.accountId).execute();
    expect(messages.filter((x) => held.has(x.contact_id!))).toEqual([]);
    expect(messages.filter((x) => x.campaign_id === email)).toHaveLength(300 - held.size);
    expect(messages.filter((x) => x.campaign_id === sms)).toHaveLength(300 - held.size);
    expect((await call('GET', `/v1/campaigns/${sms}`)).body.figures.audience).toBe(300 - held.size);

    // The share is frozen once contacts are assigned.
    expect((await call('POST', `/v1/journeys/${id}/holdout`, { share: 0.3 })).status).toBe(409);

    // Per contact over the journey: each treated contact once (not once per step), each held-out contact once.
    const lift = (await call('GET', `/v1/journeys/${id}/lift`)).body;
    expect([lift.treated.n, lift.holdout.n, lift.heldOutWithMessages]).toEqual([300 - held.size, held.size, 0]);
    expect(lift.campaignIds.sort()).toEqual([email, sms].sort());
    expect(lift.campaignsWithOwnHoldout).toEqual([]);
  });

  it('refuses an unknown journey and a bad window', async () => {
    const { id } = await journey(0.1);
    expect((await call('GET', '/v1/journeys/jrn_nope/lift')).status).toBe(404);
    expect((await call('GET', `/v1/journeys/${id}/lift?windowDays=0`)).status).toBe(400);
    expect((await call('GET', `/v1/journeys/${id}/lift?windowDays=400`)).status).toBe(400);
    expect((await call('GET', `/v1/journeys/${id}/lift?window=3`)).status).toBe(400);
    const empty = (await call('GET', `/v1/journeys/${id}/lift`)).body;
    expect([empty.treated.n, empty.holdout.n, empty.status, empty.windowDays, empty.holdoutShare]).toEqual([0, 0, 'not_enough_data', 5, 0.1]);
  });

  it('measures a known lift per contact from the first message, next to the attributed revenue', async () => {
    const { id, email, sms } = await journey(0.2);
    const N = 1000;
    const byEmail = (await call('POST', `/v1/campaigns/${email}/audience`, { recipients: recipients(N, START) })).body.recipients as Assigned[];
    const bySms = (await call('POST', `/v1/campaigns/${sms}/audience`, { recipients: recipients(N, START + 2 * DAY) })).body.recipients as Assigned[];
    expect(bySms.map((r) => r.status)).toEqual(byEmail.map((r) => r.status));

    // Generated purchases, summed by hand per contact and per group. A buyer places one order a day after the email
    // and, one time in four, a second one on day 4: its revenue in the window is the sum of both (one member, one
    // square). Orders the day before the email, and on day 6 (within 5 days of the SMS but not of the first
    // message), count for nobody.
    const rand = mulberry32(20261126);
    const zero = (): GroupOutcome => ({ n: 0, converters: 0, revenueSum: 0, revenueSumSq: 0 });
    const sums = { treated: zero(), holdout: zero() };
    const orders: object[] = [];
    const events: object[] = [];
    let attributed = 0;
    for (const r of byEmail) {
      const treated = r.status === 'treated';
      const group = treated ? sums.treated : sums.holdout;
      group.n += 1;
      const customer = { email: `c${r.index}@shop.test` };
      if (rand() < 0.1) orders.push({ id: `before-${r.index}`, createdAt: iso(START - DAY), currency: 'EUR', total: 4000, customer });
      if (rand() < 0.1) orders.push({ id: `day6-${r.index}`, createdAt: iso(START + 6 * DAY), currency: 'EUR', total: 9000, customer });
      // Buyers counted out exactly (3 in 20 treated, 3 in 50 held out) rather than drawn: the groups change from run to run
      // (random ids), and a drawn 95 % interval would miss the true lift in about one run in twenty.
      const k = group.n - 1;
      if (!(treated ? k % 20 < 3 : k % 50 < 3)) continue;
      const baskets = [rand() < 0.7 ? 2500 : 8000, ...(rand() < 0.25 ? [3000] : [])];
      orders.push({ id: `o1-${r.index}`, createdAt: iso(START + DAY), currency: 'EUR', total: baskets[0], customer });
      if (baskets[1]) orders.push({ id: `o2-${r.index}`, createdAt: iso(START + 4 * DAY), currency: 'EUR', total: baskets[1], customer });
      const revenue = baskets.reduce((a, b) => a + b, 0);
      group.converters += 1;
      group.revenueSum += revenue;
      group.revenueSumSq += revenue * revenue;
      if (treated) {
        // Treated buyers opened the email an hour after it was sent: both orders fall in its 5-day open window.
        events.push({ type: 'delivered', at: iso(START + 1_800_000), messageId: r.messageId }, { type: 'opened', at: iso(START + 3_600_000), messageId: r.messageId });
        attributed += revenue;
      }
    }
    expect((await call('POST', '/v1/events', { events })).status).toBe(200);
    expect((await call('POST', '/v1/orders', { orders })).status).toBe(200);
    // The journey's attributed revenue is its campaigns' (here all of it the email's).
    expect((await call('GET', `/v1/campaigns/${email}`)).body.figures.revenue).toBe(attributed);

    const lift = await call('GET', `/v1/journeys/${id}/lift`);
    expect(lift.status).toBe(200);
    const expected = JSON.parse(JSON.stringify(trueLift({ treated: sums.treated, holdout: sums.holdout, attributedRevenueMinor: attributed })));
    expect(lift.body).toEqual({
      journeyId: id, currency: 'EUR', holdoutShare: 0.2, campaignIds: expect.any(Array), campaignsWithOwnHoldout: [],
      windowDays: 5, heldOutWithMessages: 0, ...expected,
    });
    expect(lift.body.treated.n + lift.body.holdout.n).toBe(N);
    expect(lift.body.status).toBe('ok');
    // The true conversion lift is 0.15 / 0.06 − 1 = +150 %: inside the 95 % interval.
    expect(lift.body.conversion.lift.low).toBeLessThan(1.5);
    expect(lift.body.conversion.lift.high).toBeGreaterThan(1.5);

    // A 7-day window takes in the day-6 orders, for both groups alike: recomputed by hand from the same orders.
    const wide = (await call('GET', `/v1/journeys/${id}/lift?windowDays=7`)).body;
    const day6 = new Set(orders.filter((o) => (o as { id: string }).id.startsWith('day6-')).map((o) => Number((o as { id: string }).id.slice(5))));
    const wideSums = { treated: zero(), holdout: zero() };
    for (const r of byEmail) {
      const g = r.status === 'treated' ? wideSums.treated : wideSums.holdout;
      g.n += 1;
      const revenue = orders
        .filter((o) => { const x = o as { id: string }; return x.id === `o1-${r.index}` || x.id === `o2-${r.index}` || x.id === `day6-${r.index}`; })
        .reduce((s, o) => s + (o as { total: number }).total, 0);
      if (revenue > 0) g.converters += 1;
      g.revenueSum += revenue;
      g.revenueSumSq += revenue * revenue;
    }
    expect(day6.size).toBeGreaterThan(0);
    expect(wide.windowDays).toBe(7);
    expect(wide.treated).toEqual(JSON.parse(JSON.stringify(trueLift({ ...wideSums, attributedRevenueMinor: attributed }).treated)));
    expect(wide.holdout).toEqual(JSON.parse(JSON.stringify(trueLift({ ...wideSums, attributedRevenueMinor: attributed }).holdout)));
  });

  it('leaves a step with its own holdout out of the journey holdout, and counts a held-out contact sent anyway apart', async () => {
    const { id, email, sms } = await journey(0.3);
    // The SMS step gets its own share before any recipient: its draw is by the campaign, not the journey.
    expect((await call('POST', `/v1/campaigns/${sms}/holdout`, { share: 0.5 })).status).toBe(200);
    const byEmail = (await call('POST', `/v1/campaigns/${email}/audience`, { recipients: recipients(200, START) })).body.recipients as Assigned[];
    const bySms = (await call('POST', `/v1/campaigns/${sms}/audience`, { recipients: recipients(200, START + 2 * DAY) })).body.recipients as Assigned[];
    for (const r of bySms) expect(r.status).toBe(isHeldOut(m.accountId, sms, r.contactId, 0.5) ? 'held_out' : 'treated');
    const journeyHeld = new Set(byEmail.filter((r) => r.status === 'held_out').map((r) => r.contactId));
    const smsTreated = new Set(bySms.filter((r) => r.status === 'treated').map((r) => r.contactId));
    const sentAnyway = [...journeyHeld].filter((c) => smsTreated.has(c)).length;
    const treatedContacts = new Set([...byEmail.filter((r) => r.status === 'treated').map((r) => r.contactId), ...smsTreated]);
    expect(sentAnyway).toBeGreaterThan(0);

    const lift = (await call('GET', `/v1/journeys/${id}/lift`)).body;
    expect(lift.campaignsWithOwnHoldout).toEqual([sms]);
    // As assigned: the journey's held-out contacts are the holdout, even those the SMS step's own draw sent to.
    expect(lift.holdout.n).toBe(journeyHeld.size);
    expect(lift.heldOutWithMessages).toBe(sentAnyway);
    expect(lift.treated.n).toBe(treatedContacts.size - sentAnyway);
    expect(lift.treated.n + lift.holdout.n).toBe(200);
  });
});
