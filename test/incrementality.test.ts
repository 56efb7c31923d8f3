// Incrementality (issue #24, part 3) through a listening `mesure serve` on SQLite and PostgreSQL: two email campaigns
// with a holdout give the email channel its pooled factor; a third email campaign without one gets that factor × its
// attributed revenue on its page, labelled; the window suggestion is the one computed by hand, and applying it through
// PUT /v1/attribution/settings changes the email windows. Last, the demo's holdout campaigns, built on a known true
// lift: the pooled factor's interval covers the truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachEngineConcurrently, makeMesure } from './support';
import { buysAt, generateDemoHoldouts } from '../src/demo/holdouts';
import { startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { accountWithCli, send } from './blackbox/harness';
import { pooledFactor, standardErrorOf } from '../src/domain/stats';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BASKET = 5000;

forEachEngineConcurrently('incrementality through a listening server', (engine) => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let key = '';
  const START = Date.now() - 10 * DAY;
  const iso = (t: number) => new Date(t).toISOString();
  const ids = { E1: '', E2: '', E3: '' };
  /** Per holdout campaign, the sums written here: group sizes come from the server (random ids), the rest from the plan. */
  const plan: Record<'E1' | 'E2', { nT: number; nH: number; buyersT: number; buyersH: number; ageHours: number }> = {
    E1: { nT: 0, nH: 0, buyersT: 0, buyersH: 0, ageHours: 24 },
    E2: { nT: 0, nH: 0, buyersT: 0, buyersH: 0, ageHours: 72 },
  };

  const api = async (method: string, path: string, json?: unknown) => {
    const r = await send(server.url, method, path, { key, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };

  beforeAll(async () => {
    const db = databaseEnv(engine);
    drop = db.drop;
    ({ key } = await accountWithCli(db.env, 'Incrementality shop'));
    server = await startServerProcess(db.env);
    const events: object[] = [];
    const orders: object[] = [];
    // E1: treated every 5th buys (20 %), held out every 10th (10 %), 24 h after the send.
    // E2: treated every 4th (25 %), held out every 8th (12.5 %), 72 h after the send.
    const every = { E1: { t: 5, h: 10 }, E2: { t: 4, h: 8 } };
    for (const name of ['E1', 'E2'] as const) {
      ids[name] = (await api('POST', '/v1/campaigns', { name, channel: 'email', sendAt: iso(START) })).id;
      await api('POST', `/v1/campaigns/${ids[name]}/holdout`, { share: 0.5 });
      const recipients = Array.from({ length: 400 }, (_, i) => ({ recipient: { email: `${name.toLowerCase()}-${i}@shop.test` }, registeredAt: iso(START) }));
      const res = await api('POST', `/v1/campaigns/${ids[name]}/audience`, { recipients });
      const p = plan[name];
      for (const r of res.recipients as { index: number; status: string; messageId: string | null }[]) {
        const treated = r.status === 'treated';
        const n = treated ? p.nT++ : p.nH++;
        if (n % (treated ? every[name].t : every[name].h) !== 0) continue;
        if (treated) p.buyersT += 1;
        else p.buyersH += 1;
        const email = `${name.toLowerCase()}-${r.index}@shop.test`;
        orders.push({ id: `${name}-o${r.index}`, createdAt: iso(START + p.ageHours * HOUR), currency: 'EUR', total: BASKET, customer: { email } });
        // Treated buyers opened an hour after the send: their order is attributed to the campaign (email open window 5 days).
        if (r.messageId) events.push({ type: 'delivered', at: iso(START + HOUR / 2), messageId: r.messageId }, { type: 'opened', at: iso(START + HOUR), messageId: r.messageId });
      }
    }
    // E3, no holdout: 10 messages sent at 100 (cents) each; 4 recipients open and buy 2500 a day later.
    ids.E3 = (await api('POST', '/v1/campaigns', { name: 'E3', channel: 'email', sendAt: iso(START) })).id;
    const reg = await api('POST', `/v1/campaigns/${ids.E3}/messages`, { messages: Array.from({ length: 10 }, (_, i) => ({ recipient: { email: `e3-${i}@shop.test` }, registeredAt: iso(START) })) });
    (reg.messages as { messageId: string }[]).forEach((m, i) => {
      events.push({ type: 'sent', at: iso(START + 60_000), messageId: m.messageId, costMinor: 100 });
      if (i < 4) {
        events.push({ type: 'opened', at: iso(START + HOUR), messageId: m.messageId });
        orders.push({ id: `E3-o${i}`, createdAt: iso(START + DAY), currency: 'EUR', total: 2500, customer: { email: `e3-${i}@shop.test` } });
      }
    });
    for (let i = 0; i < events.length; i += 500) await api('POST', '/v1/events', { events: events.slice(i, i + 500) });
    await api('POST', '/v1/orders', { orders });
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  /** By hand: incremental = treated revenue − treated size × held-out revenue per recipient; attributed = treated revenue. */
  const byHand = (name: 'E1' | 'E2') => {
    const p = plan[name];
    const attributed = BASKET * p.buyersT;
    return { attributed, incremental: attributed - (p.nT * (BASKET * p.buyersH)) / p.nH };
  };

  it('pools the two email holdouts into the email factor and lists them', async () => {
    const r = await api('GET', '/v1/incrementality');
    const e1 = byHand('E1');
    const e2 = byHand('E2');
    expect(plan.E1.nT + plan.E1.nH).toBe(400);
    expect(r.campaigns.map((c: { campaignId: string }) => c.campaignId).sort()).toEqual([ids.E1, ids.E2].sort());
    for (const [name, h] of [['E1', e1], ['E2', e2]] as const) {
      const c = r.campaigns.find((x: { campaignId: string }) => x.campaignId === ids[name]);
      expect(c).toMatchObject({ name, channel: 'email', holdoutShare: 0.5, status: 'ok', pooled: true, attributedRevenueMinor: h.attributed, windowDays: 5 });
      expect(c.incrementalRevenueMinor.estimate).toBeCloseTo(h.incremental, 6);
      expect(c.factor.estimate).toBeCloseTo(h.incremental / h.attributed, 9);
    }
    // Σ incremental ÷ Σ attributed.
    const factor = (e1.incremental + e2.incremental) / (e1.attributed + e2.attributed);
    const email = r.channels.find((c: { channel: string }) => c.channel === 'email');
    expect(email.factor.estimate).toBeCloseTo(factor, 9);
    expect(email.factor.campaigns).toBe(2);
    // The interval is the domain's (tested on hand-computed cases), over each campaign's own lift read over HTTP.
    const lifts = await Promise.all(['E1', 'E2'].map((n) => api('GET', `/v1/campaigns/${ids[n as 'E1']}/lift`)));
    const expected = pooledFactor(lifts.map((l) => ({ incrementalMinor: l.revenue.incrementalRevenueMinor.estimate, standardErrorMinor: standardErrorOf(l.revenue.incrementalRevenueMinor), attributedMinor: l.attributedRevenueMinor })))!;
    expect(email.factor.low).toBeCloseTo(expected.low, 9);
    expect(email.factor.high).toBeCloseTo(expected.high, 9);
    expect(email.factor.low).toBeLessThan(factor);
    // No holdout on the other channels: no factor, no suggestion.
    for (const c of r.channels.filter((x: { channel: string }) => x.channel !== 'email')) expect(c).toMatchObject({ factor: null, suggestion: null });
  });

  it('gives a campaign without a holdout the channel factor × its attributed revenue, and one with its own measure', async () => {
    const e1 = byHand('E1');
    const e2 = byHand('E2');
    const factor = (e1.incremental + e2.incremental) / (e1.attributed + e2.attributed);
    const d = await api('GET', `/v1/campaigns/${ids.E3}`);
    // 4 × 2500 = 10000 attributed; 10 × 100 = 1000 spent.
    expect(d.figures.revenue).toBe(10000);
    expect(d.figures.spend).toBe(1000);
    expect(d.incrementality.source).toBe('channel_factor');
    expect(d.incrementality.incrementalRevenueMinor.estimate).toBeCloseTo(factor * 10000, 6);
    expect(d.incrementality.incrementalRoas.estimate).toBeCloseTo((factor * 10000) / 1000, 9);
    expect(d.incrementality.factor.estimate).toBeCloseTo(factor, 9);
    const own = await api('GET', `/v1/campaigns/${ids.E1}`);
    expect(own.incrementality.source).toBe('own_holdout');
    expect(own.incrementality.incrementalRevenueMinor.estimate).toBeCloseTo(e1.incremental, 6);
    // No spend on E1: no incremental ROAS.
    expect(own.incrementality.incrementalRoas).toBeNull();
  });

  it('suggests the window whose revenue is closest to the incremental revenue, and applies it', async () => {
    const e1 = byHand('E1');
    const e2 = byHand('E2');
    // E1's treated buyers ordered 24 h after their message, E2's 72 h after: within 1 h and 12 h nothing, within 24 h and
    // 48 h E1's revenue, from 72 h on both. The closest to the incremental total (shorter on a tie) is expected.
    const target = e1.incremental + e2.incremental;
    const totals: [number, number][] = [[1, 0], [12, 0], [24, e1.attributed], [48, e1.attributed], [72, e1.attributed + e2.attributed], [120, e1.attributed + e2.attributed], [168, e1.attributed + e2.attributed], [336, e1.attributed + e2.attributed], [720, e1.attributed + e2.attributed]];
    const best = totals.reduce((b, c) => (Math.abs(c[1] - target) < Math.abs(b[1] - target) ? c : b));
    const r = await api('GET', '/v1/incrementality');
    const s = r.channels.find((c: { channel: string }) => c.channel === 'email').suggestion;
    expect(s.candidates.map((c: { windowHours: number; revenueWithinMinor: number }) => [c.windowHours, c.revenueWithinMinor])).toEqual(totals);
    expect(s.windowHours).toBe(best[0]);
    expect(s.incrementalMinor).toBeCloseTo(target, 6);
    expect(s.windowsHours).toEqual({ click: best[0], open: best[0] });
    await api('PUT', '/v1/attribution/settings', { windowsHours: { email: s.windowsHours } });
    const settings = await api('GET', '/v1/attribution/settings');
    expect(settings.windowsHours.email).toEqual({ click: best[0], open: best[0] });
  });

  it('refuses an unknown parameter and a missing key', async () => {
    const bad = await send(server.url, 'GET', '/v1/incrementality?campaign=x', { key });
    expect(bad.status).toBe(400);
    expect((await send(server.url, 'GET', '/v1/incrementality')).status).toBe(401);
  });
});

describe('the demo’s holdout campaigns', () => {
  it('count buyers out exactly at the base rate and at base × (1 + lift)', () => {
    // 8 % of 100 = 8 buyers; 8 % × 1.25 = 10 % of 100 = 10 buyers.
    expect(Array.from({ length: 100 }, (_, k) => buysAt(k, 0.08)).filter(Boolean)).toHaveLength(8);
    expect(Array.from({ length: 100 }, (_, k) => buysAt(k, 0.1)).filter(Boolean)).toHaveLength(10);
  });

  it('give an email factor whose interval covers the generator’s truth (seeded)', async () => {
    const m = await makeMesure('sqlite', { clock: () => Date.parse('2026-12-01T12:00:00Z') });
    try {
      const made = await generateDemoHoldouts(m.deps, m.accountId, { now: Date.parse('2026-12-01T12:00:00Z'), seed: 42, trueLift: 0.25, audience: 1500 });
      expect(made.campaigns).toBe(3);
      const res = await m.app.inject({ method: 'GET', url: '/v1/incrementality', headers: m.auth });
      expect(res.statusCode, res.body).toBe(200);
      const email = res.json().channels.find((c: { channel: string }) => c.channel === 'email');
      expect(email.factor.campaigns).toBe(3);
      // Truth 0.25 / 1.25 = 0.2, inside the 95 % interval.
      expect(email.factor.low).toBeLessThan(0.2);
      expect(email.factor.high).toBeGreaterThan(0.2);
      expect(email.factor.high - email.factor.low).toBeLessThan(1);
    } finally {
      await m.cleanup();
    }
  });
});
