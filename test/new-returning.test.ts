// New or returning customers, MER and the revenue date basis (issue #24, part 6) through a listening `mesure serve`,
// on SQLite and PostgreSQL. One e-mail campaign E (sent 10 November) is clicked by Ana, Bob and Cléo, who then buy:
// Ana had bought before the campaign (returning), Bob's first order is the credited one (new), Cléo's is new until an
// older order of hers arrives late (then returning). An order of Dan (no message) and one with no buyer at all are
// credited to no campaign but count in the MER. An SMS campaign P sent on 4 November to Eve (who never buys) gives
// the previous period its spend. Every expected value is computed by hand in the comments.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngineConcurrently, rerunMigration } from './support';
import * as newCustomer from '../src/store/migrations/2026_12_09_600_new_customer';
import { startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { accountWithCli, send } from './blackbox/harness';

const at = (s: string) => `${s}:00.000Z`;

forEachEngineConcurrently('new or returning, MER and revenue date through a listening server', (engine) => {
  let server: ServerProcess | undefined;
  let drop: () => Promise<void>;
  let env: Record<string, string> = {};
  let key = '';
  const c = { E: '', P: '' };

  const call = async (method: string, path: string, json?: unknown) => {
    const r = await send(server!.url, method, path, { key, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  const order = (id: string, when: string, total: number, email: string | null) => ({
    id, createdAt: at(when), currency: 'EUR', total, tax: 0, itemQuantity: 1, ...(email ? { customer: { email } } : {}),
  });
  const campaign = (id: string) => call('GET', `/v1/campaigns/${id}`);
  const split = (f: Record<string, number>) => [f.revenueNew, f.revenueReturning, f.conversionsNew, f.conversionsReturning];

  beforeAll(async () => {
    const db = databaseEnv(engine);
    drop = db.drop;
    env = db.env;
    ({ key } = await accountWithCli(db.env, 'New or returning shop'));
    server = await startServerProcess(db.env);
    c.E = (await call('POST', '/v1/campaigns', { name: 'Soldes e-mail', channel: 'email', sendAt: at('2026-11-10T12:00'), status: 'completed' })).id;
    c.P = (await call('POST', '/v1/campaigns', { name: 'Rappel SMS', channel: 'sms', sendAt: at('2026-11-04T12:00'), status: 'completed' })).id;
    const buyers = ['ana@shop.test', 'bob@shop.test', 'cleo@shop.test'];
    const e = await call('POST', `/v1/campaigns/${c.E}/messages`, { messages: buyers.map((email) => ({ recipient: { email }, registeredAt: at('2026-11-10T09:00') })) });
    const p = await call('POST', `/v1/campaigns/${c.P}/messages`, { messages: [{ recipient: { phone: '+33612345678' }, registeredAt: at('2026-11-04T09:00') }] });
    const events = e.messages.flatMap((m: { messageId: string }) => [
      { type: 'sent', at: at('2026-11-10T12:00'), messageId: m.messageId, costMinor: 100 },
      { type: 'delivered', at: at('2026-11-10T12:01'), messageId: m.messageId },
      { type: 'clicked', at: at('2026-11-10T13:00'), messageId: m.messageId, url: 'https://shop.test/soldes' },
    ]);
    events.push({ type: 'sent', at: at('2026-11-04T12:00'), messageId: p.messages[0].messageId, costMinor: 200 });
    await call('POST', '/v1/events', { events });
    await call('POST', '/v1/orders', {
      orders: [
        order('ana-0', '2026-11-05T12:00', 5000, 'ana@shop.test'), // before the campaign: Ana's first order, credited to nothing
        order('ana-1', '2026-11-11T12:00', 10000, 'ana@shop.test'), // E's click 23 h before: credited, returning
        order('bob-1', '2026-11-13T12:00', 20000, 'bob@shop.test'), // E's click 71 h before (window 5 days): credited, new
        order('cleo-1', '2026-11-11T12:00', 30000, 'cleo@shop.test'), // credited, new (until cleo-0 arrives)
        order('dan-1', '2026-11-12T12:00', 7000, 'dan@shop.test'), // no message: credited to nothing
        order('anon-1', '2026-11-12T12:00', 1000, null), // no buyer: no contact, credited to nothing
      ],
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it('splits the campaign\'s revenue and conversions into new and returning customers, and a late older order flips new to returning', async () => {
    const before = await campaign(c.E);
    // Last touch: E gets ana-1 100.00, bob-1 200.00 and cleo-1 300.00 = 600.00 over 3 orders (unchanged fields).
    expect(before.figures.revenue).toBe(60000);
    expect(before.figures.conversions).toBe(3);
    // New: bob-1 + cleo-1 = 200.00 + 300.00 = 500.00 (2); returning: ana-1 = 100.00 (1).
    expect(split(before.figures)).toEqual([50000, 10000, 2, 1]);
    const listed = (await call('GET', '/v1/campaigns?limit=10')).items.find((i: { id: string }) => i.id === c.E);
    expect(split(listed)).toEqual([50000, 10000, 2, 1]);

    // Cléo's order of 20 October arrives now: it is her first order, cleo-1 becomes returning.
    await call('POST', '/v1/orders', { orders: [order('cleo-0', '2026-10-20T12:00', 4000, 'cleo@shop.test')] });
    const after = await campaign(c.E);
    expect(after.figures.revenue).toBe(60000);
    // New: bob-1 = 200.00 (1); returning: ana-1 + cleo-1 = 100.00 + 300.00 = 400.00 (2).
    expect(split(after.figures)).toEqual([20000, 40000, 1, 2]);
    const listedAfter = (await call('GET', '/v1/campaigns?limit=10')).items.find((i: { id: string }) => i.id === c.E);
    expect(split(listedAfter)).toEqual([20000, 40000, 1, 2]);
    // The campaign that credited nothing has nothing in either part.
    expect(split((await campaign(c.P)).figures)).toEqual([0, 0, 0, 0]);
  });

  it('MER: every order of the period, credited or not, over all spend of the period, with its trend', async () => {
    const o = await call('GET', '/v1/overview?from=2026-11-10&to=2026-11-16');
    expect(o.previousPeriod).toEqual({ from: '2026-11-03', to: '2026-11-09' });
    // Orders placed 10–16 Nov: ana-1 10000 + bob-1 20000 + cleo-1 30000 + dan-1 7000 + anon-1 1000 = 68000;
    // spend: E's three e-mails at 1.00 = 300. MER = 68000 / 300.
    // Previous period 3–9 Nov: ana-0 5000 (credited to nothing) / P's SMS 200 = 25.
    expect(o.cards.mer.value).toBeCloseTo(68000 / 300, 10);
    expect(o.cards.mer.previous).toBe(25);
    expect(o.cards.mer.trend).toBeCloseTo((68000 / 300 - 25) / 25, 10);
    expect(o.cards.mer.good).toBe('up');
    // The credited revenue stays the campaign's 600.00; the split by customer over the period as on the campaign.
    expect(o.cards.revenue.value).toBe(60000);
    expect(split(o.figures)).toEqual([20000, 40000, 1, 2]);
  });

  it('counts revenue by the send date (default) or by the order date, per period and per day', async () => {
    // 10–12 Nov. By send date: all three credited orders came from e-mails sent on 10 Nov: 600.00, 3 orders.
    // By order date: ana-1 and cleo-1 (11 Nov) = 400.00, 2 orders; bob-1 (13 Nov) falls outside.
    const send = await call('GET', '/v1/overview?from=2026-11-10&to=2026-11-12');
    const byDefault = await call('GET', '/v1/overview?from=2026-11-10&to=2026-11-12&revenueDate=send');
    const byOrder = await call('GET', '/v1/overview?from=2026-11-10&to=2026-11-12&revenueDate=order');
    expect(send.revenueDate).toBe('send');
    expect(byDefault).toEqual(send);
    expect(byOrder.revenueDate).toBe('order');
    expect([send.cards.revenue.value, send.cards.conversions.value]).toEqual([60000, 3]);
    expect([byOrder.cards.revenue.value, byOrder.cards.conversions.value]).toEqual([40000, 2]);
    // Spend and MER do not depend on the basis: 300; (10000 + 30000 + 7000 + 1000) / 300 = 48000 / 300 = 160.
    expect(byOrder.cards.spend.value).toBe(300);
    expect(byOrder.cards.mer.value).toBe(160);
    expect(send.cards.mer.value).toBe(160);

    const days = (r: { days: { date: string; revenue: number; conversions: number }[] }) => r.days.map((d) => [d.date, d.revenue, d.conversions]);
    const dSend = await call('GET', '/v1/series/daily?from=2026-11-10&to=2026-11-13');
    const dOrder = await call('GET', '/v1/series/daily?from=2026-11-10&to=2026-11-13&revenueDate=order');
    // By send date everything is on 10 Nov; by order date 400.00 (ana-1, cleo-1) on the 11th and 200.00 (bob-1) on the 13th.
    expect(dSend.revenueDate).toBe('send');
    expect(days(dSend)).toEqual([['2026-11-10', 60000, 3], ['2026-11-11', 0, 0], ['2026-11-12', 0, 0], ['2026-11-13', 0, 0]]);
    expect(days(dOrder)).toEqual([['2026-11-10', 0, 0], ['2026-11-11', 40000, 2], ['2026-11-12', 0, 0], ['2026-11-13', 20000, 1]]);
    // Spend stays on the send day under both bases.
    expect(dOrder.days.map((d: { spend: number }) => d.spend)).toEqual([300, 0, 0, 0]);
  });

  it('refuses an unknown revenue date basis with a message naming it', async () => {
    const r = await send(server!.url, 'GET', '/v1/overview?revenueDate=invoice', { key });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/revenueDate/);
  });

  it('the migration marks stored orders and credits with the same rule (run again on this database, server stopped)', async () => {
    await server!.stop();
    server = undefined;
    const at = engine === 'sqlite' ? { sqliteFile: env.DATABASE_URL.replace(/^file:/, '') } : { pgSchema: env.MESURE_PG_SCHEMA };
    // down() drops the marks and the index; up() adds them back and marks every stored order in SQL.
    await rerunMigration(at, { up: async (db) => { await newCustomer.down(db); await newCustomer.up(db); } });
    let orders: Record<string, number | null> = {};
    let credits: Record<string, number | null> = {};
    await rerunMigration(at, {
      up: async (db) => {
        const o = await db.selectFrom('orders').select(['id', 'external_id', 'new_customer']).execute();
        const byId = new Map(o.map((r: { id: string; external_id: string }) => [r.id, r.external_id]));
        orders = Object.fromEntries(o.map((r: { external_id: string; new_customer: unknown }) => [r.external_id, r.new_customer === null ? null : Number(r.new_customer)]));
        const a = await db.selectFrom('attributions').select(['order_id', 'new_customer']).execute();
        credits = Object.fromEntries(a.map((r: { order_id: string; new_customer: unknown }) => [byId.get(r.order_id), r.new_customer === null ? null : Number(r.new_customer)]));
      },
    });
    // First orders: ana-0 (5 Nov, before ana-1), bob-1, cleo-0 (20 Oct, before cleo-1), dan-1; anon-1 has no contact.
    expect(orders).toEqual({ 'ana-0': 1, 'ana-1': 0, 'bob-1': 1, 'cleo-0': 1, 'cleo-1': 0, 'dan-1': 1, 'anon-1': null });
    expect(credits).toEqual({ 'ana-1': 0, 'bob-1': 1, 'cleo-1': 0 });
  });
});
