// The data-driven model (#24 part 2) through a listening server on both engines: a fit refused below the minimum of
// conversions (orders then credited by the account's rule model, labelled), a fit from converting and non-converting
// paths with its weights as computed by hand, the model selected, the compare view showing it, and order credits
// following the fitted removal effects.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

const DAY = 86_400_000;
/** When the buyers buy. */
const T = Date.parse('2026-11-20T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

forEachEngine('data-driven attribution', (engine) => {
  let m: TestMesure;
  let base: string;
  beforeAll(async () => {
    m = await makeMesure(engine, { clock: () => Date.parse('2026-11-25T12:00:00Z') });
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
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
  const order = (i: number) => ({ id: `o-${i}`, createdAt: iso(T), currency: 'EUR', total: 12000, tax: 2000, customer: { email: `p${i}@example.com` } });
  const byCampaign = (compare: { campaigns: { campaignId: string; byModel: Record<string, { revenue: number; conversions: number }> }[] }, model: string) =>
    Object.fromEntries(compare.campaigns.map((c) => [c.campaignId, [c.byModel[model].revenue, c.byModel[model].conversions]]));

  it('refuses below the minimum, falls back labelled, fits by hand-computed weights and credits orders by them', async () => {
    // 60 people: 1–15 click e-mail A (T−3 d) then SMS B (T−2 d) and buy; 16–30 click A only; 31–45 click B and buy;
    // 46–60 click B only. Every order: 120.00 with 20.00 tax → 100.00 net.
    const a = (await ok('POST', '/v1/campaigns', { name: 'Winter e-mail', channel: 'email', status: 'completed', sendAt: iso(T - 5 * DAY) })).id as string;
    const b = (await ok('POST', '/v1/campaigns', { name: 'Winter SMS', channel: 'sms', status: 'completed', sendAt: iso(T - 5 * DAY) })).id as string;
    const who = (i: number) => ({ email: `p${i}@example.com`, phone: `+336123400${String(i).padStart(2, '0')}` });
    const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
    const onA = range(1, 30);
    const onB = [...range(1, 15), ...range(31, 60)];
    const ma = (await ok('POST', `/v1/campaigns/${a}/messages`, { messages: onA.map((i) => ({ recipient: who(i), registeredAt: iso(T - 5 * DAY) })) })).messages.map((x: { messageId: string }) => x.messageId) as string[];
    const mb = (await ok('POST', `/v1/campaigns/${b}/messages`, { messages: onB.map((i) => ({ recipient: who(i), registeredAt: iso(T - 5 * DAY) })) })).messages.map((x: { messageId: string }) => x.messageId) as string[];
    await ok('POST', '/v1/events', {
      events: [
        ...ma.map((messageId) => ({ messageId, type: 'clicked', at: iso(T - 3 * DAY), url: 'https://shop.example/w' })),
        ...mb.map((messageId) => ({ messageId, type: 'clicked', at: iso(T - 2 * DAY), url: 'https://shop.example/w' })),
      ],
    });
    expect(await ok('GET', '/v1/attribution/data-driven')).toMatchObject({ status: 'never', fittedAt: null, selected: false, creditedBy: null, channels: [], campaigns: [] });

    // Two buyers only (person 1 on A then B, person 31 on B): 2 conversions < 30, the fit is refused.
    await ok('POST', '/v1/orders', { orders: [order(1), order(31)] });
    const refused = await ok('POST', '/v1/attribution/data-driven/fit', {});
    // 60 paths: 2 converting, and 58 non-converting people (every other one clicked something).
    expect(refused.fit).toMatchObject({ status: 'insufficient_data', conversions: 2, paths: 60, minConversions: 30, channels: [], campaigns: [] });
    expect(refused.fit.reason).toContain('fewer than the 30');
    expect(refused.recomputed).toBeNull();

    // Selecting data_driven without a fit: orders are credited by the rule model the account had (last touch), labelled.
    const put = await ok('PUT', '/v1/attribution/settings', { model: 'data_driven' });
    expect(put.settings).toMatchObject({ model: 'data_driven', fallbackModel: 'last_touch' });
    expect(await ok('GET', '/v1/attribution/data-driven')).toMatchObject({ status: 'insufficient_data', selected: true, creditedBy: 'last_touch', fallbackModel: 'last_touch' });
    let compare = await ok('GET', '/v1/attribution/compare?from=2026-11-01&to=2026-11-25');
    expect(compare).toMatchObject({ accountModel: 'data_driven', dataDrivenBy: 'last_touch' });
    expect(compare.models).toContain('data_driven');
    // Last touch: person 1's B click is the newest, person 31 has only B: B 2 × 100.00.
    expect(byCampaign(compare, 'data_driven')[b]).toEqual([20000, 2]);

    // The other 28 buyers: 30 conversions.
    await ok('POST', '/v1/orders', { orders: [...range(2, 15), ...range(32, 45)].map(order) });
    const run = await ok('POST', '/v1/attribution/data-driven/fit', {});
    // Markov: start → A 30/60, → B 30/60; A → B 15/30, A → null 15/30; B → conversion 30/45, B → null 15/45.
    // x_B = 2/3, x_A = 1/2 · 2/3 = 1/3, P = 1/2 · 1/3 + 1/2 · 2/3 = 1/2. Without A: P = 1/2 · 2/3 = 1/3, effect 1/3;
    // without B: P = 0, effect 1. Shares 1/3 ÷ 4/3 = 1/4 and 3/4.
    // Shapley: r({email}) = 0/15, r({sms}) = 15/30 = 1/2, r({email, sms}) = 15/15 = 1;
    // φ_email = 0 + 1/2 = 1/2, φ_sms = 1/2 + 1/2 = 1; shares 1/3, 2/3.
    expect(run.fit).toMatchObject({ status: 'fitted', conversions: 30, paths: 60, reason: null, resamples: 100 });
    expect(run.fit.pConversion).toBeCloseTo(0.5, 9);
    const campaigns = Object.fromEntries(run.fit.campaigns.map((c: { campaignId: string }) => [c.campaignId, c]));
    expect(campaigns[a].value).toBeCloseTo(1 / 3, 9);
    expect(campaigns[a].share).toBeCloseTo(0.25, 9);
    expect(campaigns[b].value).toBeCloseTo(1, 9);
    expect(campaigns[b].share).toBeCloseTo(0.75, 9);
    const channels = Object.fromEntries(run.fit.channels.map((c: { channel: string }) => [c.channel, c]));
    expect(channels.email.value).toBeCloseTo(0.5, 9);
    expect(channels.sms.value).toBeCloseTo(1, 9);
    expect(channels.email.share).toBeCloseTo(1 / 3, 9);
    for (const w of [...run.fit.campaigns, ...run.fit.channels]) {
      expect(w.low).toBeLessThanOrEqual(w.share + 1e-9);
      expect(w.high).toBeGreaterThanOrEqual(w.share - 1e-9);
    }
    // Every order was credited again under the fit: 30 orders, each credited.
    expect(run.recomputed).toMatchObject({ orders: 30, credited: 30 });
    expect(await ok('GET', '/v1/attribution/data-driven')).toMatchObject({ status: 'fitted', creditedBy: 'data_driven', conversions: 30, running: null });

    // A → B buyers: A 1/4 × 100.00 = 25.00, B 75.00; B-only buyers: B 100.00.
    // A: 15 × 25.00 = 375.00 (15 conversions); B: 15 × 75.00 + 15 × 100.00 = 2,625.00 (30 conversions).
    compare = await ok('GET', '/v1/attribution/compare?from=2026-11-01&to=2026-11-25');
    expect(compare.dataDrivenBy).toBe('data_driven');
    expect(byCampaign(compare, 'data_driven')).toEqual({ [a]: [37500, 15], [b]: [262500, 30] });
    expect(byCampaign(compare, 'last_touch')).toEqual({ [a]: [0, 0], [b]: [300000, 30] });
    // The stored credits (the account's model) follow: order o-1 is split 25.00 / 75.00.
    const orders = await ok('GET', '/v1/orders?limit=100');
    const first = orders.items.find((o: { externalId: string }) => o.externalId === 'o-1');
    const x = await ok('GET', `/v1/orders/${first.id}/attribution`);
    expect(x.model).toBe('data_driven');
    expect(x.stored.map((r: { campaignId: string; revenue: number }) => [r.campaignId, r.revenue])).toEqual([[b, 7500], [a, 2500]]);
    expect(x.storedMatches).toBe(true);

    // Input validation: a period under 7 days is refused with the field named.
    const bad = await call('POST', '/v1/attribution/data-driven/fit', { days: 3 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('days');
  });
});
