// Conversions other than orders (#24 part 4) through a listening server on both engines: two people touched by e-mail
// and SMS, one signs up and one books; their credits under last touch and linear computed by hand, per type on the
// campaign page (order figures untouched); a late click re-credits; idempotency; a CSV file with a bad row refused
// whole; erasure deletes the person's conversions.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngineConcurrently, makeMesure, type TestMesure } from './support';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** When Ana signs up and Bruno books. */
const T = Date.parse('2026-11-20T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

forEachEngineConcurrently('conversions other than orders', (engine) => {
  let m: TestMesure;
  let base: string;
  let E: string;
  let S: string;
  const msg: Record<string, string> = {};
  beforeAll(async () => {
    m = await makeMesure(engine, { clock: () => Date.parse('2026-11-25T12:00:00Z') });
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await m.cleanup();
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, path: string, body?: unknown, type = 'application/json'): Promise<{ status: number; json: any; headers: Headers }> => {
    const res = await fetch(base + path, {
      method, headers: { ...m.auth, ...(body === undefined ? {} : { 'content-type': type }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
  };
  const ok = async (method: string, path: string, body?: unknown, type?: string) => {
    const r = await call(method, path, body, type);
    expect(r.status, `${method} ${path}: ${JSON.stringify(r.json)}`).toBeLessThan(300);
    return r.json;
  };
  const byType = async (campaignId: string) => (await ok('GET', `/v1/campaigns/${campaignId}`)).conversionsByType;

  it('credits a sign-up and a booking by hand under last touch, per type on the campaign page, order figures unchanged', async () => {
    E = (await ok('POST', '/v1/campaigns', { name: 'Winter e-mail', channel: 'email', status: 'completed', sendAt: iso(T - 10 * DAY) })).id;
    S = (await ok('POST', '/v1/campaigns', { name: 'Winter SMS', channel: 'sms', status: 'completed', sendAt: iso(T - 10 * DAY) })).id;
    const ana = { email: 'ana@example.com', phone: '+33612345678' };
    const bruno = { email: 'bruno@example.com', phone: '+33698765432' };
    const chloe = { email: 'chloe@example.com' };
    for (const [who, r] of [['ana', ana], ['bruno', bruno], ['chloe', chloe]] as const) {
      msg[`${who}E`] = (await ok('POST', `/v1/campaigns/${E}/messages`, { messages: [{ recipient: r, registeredAt: iso(T - 10 * DAY) }] })).messages[0].messageId;
      if (who !== 'chloe') msg[`${who}S`] = (await ok('POST', `/v1/campaigns/${S}/messages`, { messages: [{ recipient: r, registeredAt: iso(T - 10 * DAY) }] })).messages[0].messageId;
    }
    const url = 'https://shop.example/winter';
    await ok('POST', '/v1/events', {
      events: [
        // Ana: e-mail click 3 days before, SMS click 1 day before her sign-up (both inside their 5-day click windows).
        { messageId: msg.anaE, type: 'sent', at: iso(T - 9 * DAY) },
        { messageId: msg.anaE, type: 'clicked', at: iso(T - 3 * DAY), url },
        { messageId: msg.anaS, type: 'sent', at: iso(T - 9 * DAY) },
        { messageId: msg.anaS, type: 'clicked', at: iso(T - DAY), url },
        // Bruno: e-mail click 2 days before, SMS click 5 hours before his booking.
        { messageId: msg.brunoE, type: 'sent', at: iso(T - 9 * DAY) },
        { messageId: msg.brunoE, type: 'clicked', at: iso(T - 2 * DAY), url },
        { messageId: msg.brunoS, type: 'sent', at: iso(T - 9 * DAY) },
        { messageId: msg.brunoS, type: 'clicked', at: iso(T - 5 * HOUR), url },
        // Chloé: only sent for now (her click arrives late, below).
        { messageId: msg.chloeE, type: 'sent', at: iso(T - 9 * DAY) },
      ],
    });
    // Ana by her e-mail (trimmed, lower-cased as orders' are), Bruno by his phone written with spaces (read as E.164).
    const signup = await ok('POST', '/v1/conversions', { type: 'signup', occurredAt: iso(T), idempotencyKey: 'signup-ana', customer: { email: ' Ana@Example.com ' } });
    expect(signup).toMatchObject({ type: 'signup', occurredAt: iso(T), value: null, currency: null, matchedBy: 'email', customer: { email: 'ana@example.com' } });
    // Last touch: the newest direct touch, Ana's SMS click (1 day) beats her e-mail click (3 days): S 100 %.
    expect(signup.credits.map((c: { campaignId: string; weightMicro: number; value: number; kind: string; direct: boolean; messageId: string }) => [c.campaignId, c.weightMicro, c.value, c.kind, c.direct, c.messageId]))
      .toEqual([[S, 1_000_000, 0, 'click', true, msg.anaS]]);
    const booking = await ok('POST', '/v1/conversions', { type: 'booking', occurredAt: iso(T), idempotencyKey: 'booking-bruno-1', customer: { phone: '+33 6 98 76 54 32' }, value: 9000, currency: 'EUR' });
    expect(booking).toMatchObject({ matchedBy: 'phone', customer: { phone: '+33698765432' }, value: 9000, currency: 'EUR' });
    // Last touch: Bruno's SMS click 5 hours before beats his e-mail click 2 days before: S gets 100 % of 90.00.
    expect(booking.credits.map((c: { campaignId: string; weightMicro: number; value: number }) => [c.campaignId, c.weightMicro, c.value])).toEqual([[S, 1_000_000, 9000]]);

    // Per type on S's page: one of each, each credited 1, the booking's 90.00 shown apart; E has none under last touch.
    expect(await byType(S)).toEqual({ booking: { count: 1, credited: 1, value: 9000 }, signup: { count: 1, credited: 1, value: 0 } });
    expect(await byType(E)).toEqual({});
    // No order: the order figures stay at zero (a conversion's value is never revenue).
    const page = await ok('GET', `/v1/campaigns/${S}`);
    expect(page.figures).toMatchObject({ conversions: 0, revenue: 0 });
    expect(await ok('GET', '/v1/conversions/types')).toEqual({ types: [{ type: 'booking', count: 1 }, { type: 'signup', count: 1 }] });
  });

  it('splits them by hand under linear, and back under last touch', async () => {
    await ok('PUT', '/v1/attribution/settings', { model: 'linear' });
    // Two direct touches each: ½ and ½. Ana's sign-up has no value (0 + 0); Bruno's 90.00 → 9000 / 2 = 4500 each.
    const both = { booking: { count: 1, credited: 0.5, value: 4500 }, signup: { count: 1, credited: 0.5, value: 0 } };
    expect(await byType(E)).toEqual(both);
    expect(await byType(S)).toEqual(both);
    const list = await ok('GET', '/v1/conversions?type=booking');
    expect(list.model).toBe('linear');
    expect(list.items).toHaveLength(1);
    expect(list.items[0].credits.map((c: { campaignId: string; weightMicro: number; value: number }) => [c.campaignId, c.weightMicro, c.value]).sort())
      .toEqual([[E, 500_000, 4500], [S, 500_000, 4500]].sort());
    await ok('PUT', '/v1/attribution/settings', { model: 'last_touch' });
    expect(await byType(E)).toEqual({});
    expect(await byType(S)).toEqual({ booking: { count: 1, credited: 1, value: 9000 }, signup: { count: 1, credited: 1, value: 0 } });
  });

  it('re-credits a conversion when a touch before it arrives late', async () => {
    const c = await ok('POST', '/v1/conversions', { type: 'signup', occurredAt: iso(T), idempotencyKey: 'signup-chloe', customer: { email: 'chloe@example.com' } });
    // Only a send so far: an e-mail send has no window, nothing is credited.
    expect(c.credits).toEqual([]);
    await ok('POST', '/v1/events', { events: [{ messageId: msg.chloeE, type: 'clicked', at: iso(T - HOUR), url: 'https://shop.example/winter' }] });
    const [item] = (await ok('GET', '/v1/conversions?type=signup&limit=1')).items;
    // Chloé's sign-up and Ana's are both at T; newest first by (time, id): Chloé's was stored last.
    expect(item.id).toBe(c.id);
    expect(item.credits.map((x: { campaignId: string; weightMicro: number; messageId: string }) => [x.campaignId, x.weightMicro, x.messageId])).toEqual([[E, 1_000_000, msg.chloeE]]);
    expect(await byType(E)).toEqual({ signup: { count: 1, credited: 1, value: 0 } });
  });

  it('answers a retry with the same conversion, refuses a reused key with another body, and checks its input', async () => {
    const body = { type: 'booking', occurredAt: iso(T), idempotencyKey: 'booking-bruno-1', customer: { phone: '+33 6 98 76 54 32' }, value: 9000, currency: 'EUR' };
    const first = (await ok('GET', '/v1/conversions?type=booking')).items[0];
    const again = await call('POST', '/v1/conversions', body);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json).toEqual(first);
    const other = await call('POST', '/v1/conversions', { ...body, value: 9900 });
    expect(other.status).toBe(409);
    expect(other.json.message).toMatch(/booking-bruno-1/);
    expect((await call('POST', '/v1/conversions', { ...body, idempotencyKey: 'x', type: 'Sign Up' })).status).toBe(400);
    const noValue = await call('POST', '/v1/conversions', { type: 'visit', occurredAt: iso(T), idempotencyKey: 'v-1', currency: 'EUR' });
    expect(noValue.status).toBe(422);
    expect(noValue.json.details).toEqual([{ path: '/currency', message: 'a currency is given without a value' }]);
    expect((await call('POST', '/v1/conversions', { type: 'visit', idempotencyKey: 'v-2' })).status).toBe(400);
    // The retry and the refused requests stored nothing: one booking, two sign-ups (Ana's, Chloé's).
    expect(await ok('GET', '/v1/conversions/types')).toEqual({ types: [{ type: 'booking', count: 1 }, { type: 'signup', count: 2 }] });
  });

  it('imports a CSV file all or nothing: a bad row is reported with its line and nothing is stored', async () => {
    const header = 'type,occurred_at,idempotency_key,email,phone,customer_id,value,currency\n';
    const good1 = `store_visit,2026-11-20 09:00:00,visit-ana,ana@example.com,,,,\n`;
    const good2 = `booking,2026-11-20T09:30:00Z,booking-bruno-2,,+33698765432,,45.50,EUR\n`;
    const bad = `store_visit,20/11/2026,visit-bad,,,,,\n`;
    const refused = await call('POST', '/v1/conversions/import', header + good1 + bad + good2, 'text/csv');
    expect(refused.status).toBe(422);
    // Header = line 1, so the bad row is line 3.
    expect(refused.json.details).toEqual([{ path: '/lines/3', message: 'unreadable time "20/11/2026" in column occurred_at' }]);
    expect(await ok('GET', '/v1/conversions/types')).toEqual({ types: [{ type: 'booking', count: 1 }, { type: 'signup', count: 2 }] });
    const report = await ok('POST', '/v1/conversions/import', header + good1 + good2, 'text/csv');
    expect(report).toEqual({ lines: 2, conversions: 2, created: 2, unchanged: 0, rejected: 0, rejections: [] });
    // The same file again adds nothing.
    expect(await ok('POST', '/v1/conversions/import', header + good1 + good2, 'text/csv')).toMatchObject({ created: 0, unchanged: 2 });
    const [b2] = (await ok('GET', '/v1/conversions?type=booking&from=2026-11-20&to=2026-11-20')).items.filter((i: { idempotencyKey: string }) => i.idempotencyKey === 'booking-bruno-2');
    // 45.50 EUR = 4550 cents; at 09:30 UTC, Bruno's SMS click (T − 5 h = 05:00) is the last touch: S 100 %.
    expect(b2).toMatchObject({ value: 4550, currency: 'EUR', source: 'csv', matchedBy: 'phone' });
    expect(b2.credits.map((c: { campaignId: string; value: number }) => [c.campaignId, c.value])).toEqual([[S, 4550]]);
    // A time without an offset is read in the account's time zone (Europe/Paris, UTC+1 in November): 09:00 − 1 h = 08:00 UTC.
    const visit = (await ok('GET', '/v1/conversions?type=store_visit')).items[0];
    expect(visit.occurredAt).toBe('2026-11-20T08:00:00.000Z');
    expect(await ok('GET', '/v1/conversions/types')).toEqual({ types: [{ type: 'booking', count: 2 }, { type: 'signup', count: 2 }, { type: 'store_visit', count: 1 }] });
  });

  it('follows a goal on a conversion type', async () => {
    const g = await ok('POST', `/v1/campaigns/${S}/goals`, { kind: 'target', metric: 'conversions:booking', comparator: '>=', target: 3 });
    // S is credited with Bruno's two bookings (the API one and the imported one): 2 of 3, progress 2 / 3.
    expect(g).toMatchObject({ metric: 'conversions:booking', unit: 'count', value: 2, achieved: false });
    expect(g.progress).toBeCloseTo(2 / 3, 12);
    // E has no booking under last touch.
    expect(await ok('POST', `/v1/campaigns/${E}/goals`, { kind: 'target', metric: 'conversions:booking', comparator: '>=', target: 1 })).toMatchObject({ value: 0, achieved: false });
    expect((await call('POST', `/v1/campaigns/${S}/goals`, { kind: 'target', metric: 'conversions:Booking', comparator: '>=', target: 1 })).status).toBe(422);
  });

  it("erasing a person deletes their conversions and their credits", async () => {
    const s = await ok('POST', '/v1/contacts/erase', { email: 'ana@example.com' });
    // Ana's sign-up and store visit.
    expect(s.conversions).toBe(2);
    const all = (await ok('GET', '/v1/conversions?limit=100')).items;
    expect(all.some((c: { customer: { email: string | null } }) => c.customer.email === 'ana@example.com')).toBe(false);
    expect(await ok('GET', '/v1/conversions/types')).toEqual({ types: [{ type: 'booking', count: 2 }, { type: 'signup', count: 1 }] });
    // S keeps Bruno's two bookings (90.00 + 45.50 = 135.50) and loses Ana's sign-up.
    expect(await byType(S)).toEqual({ booking: { count: 2, credited: 2, value: 13550 } });
  });
});
