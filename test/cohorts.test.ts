// Retention cohorts (issue #18) through a listening `mesure serve`, on SQLite and PostgreSQL: six contacts over three
// months (two months ago = M0, last month = M1, this month = M2) on e-mail and SMS, with human opens, clicks and
// replies, a bot click that must not count, orders (one cancelled), an unsubscription and an erased contact. Every
// expected figure is worked out by hand below from that story.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngineConcurrently } from './support';
import { startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { accountWithCli, send } from './blackbox/harness';

interface Cell { monthsSince: number; contacts: number; share: number | null }
interface Line { cohort: string; contacts: number; cells: Cell[]; buyers: number; repeatBuyers: number; repeatPurchaseRate: number | null; medianDaysBetweenOrders: number | null; churned: number; churnRate: number | null }
interface Table { metric: string; channel: string | null; currentMonth: string; cohorts: Line[]; curve: { monthsSince: number; cohorts: number; contacts: number; active: number; share: number | null }[]; overall: Omit<Line, 'cohort' | 'cells'> }

const DAY = 86_400_000;
const monthIn = (t: number, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(t).slice(0, 7);
const shift = (month: string, k: number) => {
  const i = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + k;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
};
/** The 15th of a month at noon UTC: inside that month in any time zone. */
const mid = (month: string) => Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 15, 12);

forEachEngineConcurrently('retention cohorts through a listening server', (engine) => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let key = '';
  let M0 = '';
  let M1 = '';
  let M2 = '';
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  const iso = (t: number) => new Date(t).toISOString();
  const api = async (method: string, path: string, json?: unknown) => {
    const r = await send(server.url, method, path, { key, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  const table = (q: string): Promise<Table> => api('GET', `/v1/retention?${q}`);
  const cells = (l: Line) => l.cells.map((c) => c.contacts);
  let beforeErasure: Table;

  beforeAll(async () => {
    const db = databaseEnv(engine);
    drop = db.drop;
    let accountId = '';
    ({ accountId, key } = await accountWithCli(db.env, 'Cohort shop'));
    server = await startServerProcess(db.env);
    const { timeZone } = await api('GET', '/v1/account');
    expect(accountId).toBeTruthy();
    M2 = monthIn(Date.now(), timeZone);
    M1 = shift(M2, -1);
    M0 = shift(M2, -2);
    [t0, t1] = [mid(M0), mid(M1)];
    t2 = Date.now() - 5 * 60_000;
    const campaign = async (name: string, channel: string) => (await api('POST', '/v1/campaigns', { name, channel })).id as string;
    const [E0, E1, E2, S1] = [await campaign('Newsletter M0', 'email'), await campaign('Newsletter M1', 'email'), await campaign('Newsletter M2', 'email'), await campaign('SMS M1', 'sms')];
    const ids: Record<string, string> = {};
    const register = async (c: string, at: number, people: [string, object][]) => {
      const r = await api('POST', `/v1/campaigns/${c}/messages`, { messages: people.map(([, recipient]) => ({ recipient, registeredAt: iso(at - 60_000) })) });
      people.forEach(([n], i) => (ids[n] = r.messages[i].messageId));
    };
    const mail = (p: string) => ({ externalId: p, email: `${p}@shop.test` });
    const phone = (p: string, n: number) => ({ externalId: p, phone: `+3361234560${n}` });
    await register(E0, t0, [['a0', mail('a')], ['b0', mail('b')], ['d0', mail('d')], ['f0', mail('f')]]);
    await register(E1, t1, [['a1', mail('a')], ['b1', mail('b')], ['c1', mail('c')]]);
    await register(E2, t2, [['a2', mail('a')]]);
    await register(S1, t1, [['cs', phone('c', 1)], ['es', phone('e', 2)]]);
    const sent = Object.entries(ids).map(([n, messageId]) => ({ type: 'sent', messageId, at: iso(n.endsWith('0') ? t0 : n.endsWith('2') ? t2 : t1) }));
    await api('POST', '/v1/events', {
      events: [
        ...sent,
        { type: 'opened', messageId: ids.a0, at: iso(t0 + 3600_000) },
        { type: 'opened', messageId: ids.b0, at: iso(t0 + 3600_000) },
        { type: 'opened', messageId: ids.d0, at: iso(t0 + 3600_000) },
        // f's only click is a bot's: f never engages.
        { type: 'clicked', messageId: ids.f0, at: iso(t0 + 60_000), url: 'https://shop.test/', machine: true },
        { type: 'replied', messageId: ids.b1, at: iso(t1 + 3600_000) },
        { type: 'unsubscribed', messageId: ids.b1, at: iso(t1 + 7200_000) },
        { type: 'clicked', messageId: ids.cs, at: iso(t1 + 3600_000), url: 'https://shop.test/' },
        // e's SMS of M1 clicked in M2: e engages a month after its cohort month.
        { type: 'clicked', messageId: ids.es, at: iso(t2 + 60_000), url: 'https://shop.test/' },
        { type: 'clicked', messageId: ids.a2, at: iso(t2 + 60_000), url: 'https://shop.test/' },
      ],
    });
    const order = (id: string, at: number, email: string, extra: object = {}) => ({ id, createdAt: iso(at), currency: 'EUR', total: 5000, customer: { email }, ...extra });
    await api('POST', '/v1/orders', {
      orders: [
        order('A-1', t0 + DAY, 'a@shop.test'),
        order('A-2', t1 + DAY, 'a@shop.test'),
        order('C-1', t1 + 2 * DAY, 'c@shop.test'),
        order('C-2', t2, 'c@shop.test', { cancelledAt: iso(t2 + 60_000) }),
        order('D-1', t1, 'd@shop.test'),
      ],
    });
    beforeErasure = await table('metric=purchased&months=3');
    const d = await api('GET', '/v1/contacts?q=d@shop.test');
    await api('DELETE', `/v1/contacts/${d.items[0].id}`);
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it('counts each contact in the month of its first message, on all channels, and who engaged each month since', async () => {
    const t = await table('cohort=month&metric=engaged&months=3');
    expect(t).toMatchObject({ metric: 'engaged', channel: null, currentMonth: M2 });
    expect(t.cohorts.map((l) => l.cohort)).toEqual([M0, M1, M2]);
    // M0: a, b, f (d erased). Engaged: M0 a and b opened (f's click is a bot's) = 2; M1 b replied = 1; M2 a clicked = 1.
    expect(t.cohorts[0]).toMatchObject({ contacts: 3 });
    expect(cells(t.cohorts[0])).toEqual([2, 1, 1]);
    expect(t.cohorts[0].cells.map((c) => c.share)).toEqual([2 / 3, 1 / 3, 1 / 3]);
    // M1: c (e-mail and SMS in M1) and e (SMS in M1). M1: c clicked its SMS = 1; M2: e clicked = 1.
    expect(t.cohorts[1]).toMatchObject({ contacts: 2 });
    expect(cells(t.cohorts[1])).toEqual([1, 1]);
    // M2: nobody's first message.
    expect(t.cohorts[2]).toMatchObject({ contacts: 0, cells: [{ monthsSince: 0, contacts: 0, share: null }] });
    // Curve, weighted by cohort size: 0 months: (2 + 1 + 0) / (3 + 2 + 0) = 3/5; 1 month: (1 + 1) / (3 + 2) = 2/5; 2 months: 1/3.
    expect(t.curve).toEqual([
      { monthsSince: 0, cohorts: 3, contacts: 5, active: 3, share: 3 / 5 },
      { monthsSince: 1, cohorts: 2, contacts: 5, active: 2, share: 2 / 5 },
      { monthsSince: 2, cohorts: 1, contacts: 3, active: 1, share: 1 / 3 },
    ]);
  });

  it('counts purchases per month, repeat buyers, the median days between orders and churn', async () => {
    const t = await table('metric=purchased&months=3');
    // M0 (a, b, f): a bought in M0 and M1; d's order (M1) went with d's erasure.
    expect(cells(t.cohorts[0])).toEqual([1, 1, 0]);
    // M1 (c, e): c bought in M1; its M2 order is cancelled.
    expect(cells(t.cohorts[1])).toEqual([1, 0]);
    // Buyers: a (2 orders: a repeat buyer) in M0; c (1 order not cancelled) in M1. a's gap: from the 16th of M0 to the 16th of M1.
    const gap = Math.floor((t1 - t0) / DAY);
    expect(t.cohorts[0]).toMatchObject({ buyers: 1, repeatBuyers: 1, repeatPurchaseRate: 1, medianDaysBetweenOrders: gap });
    expect(t.cohorts[1]).toMatchObject({ buyers: 1, repeatBuyers: 0, repeatPurchaseRate: 0, medianDaysBetweenOrders: null });
    // Churn: b unsubscribed (its only channel is e-mail) = 1 of M0's 3; nobody in M1.
    expect(t.cohorts[0]).toMatchObject({ churned: 1, churnRate: 1 / 3 });
    expect(t.cohorts[1]).toMatchObject({ churned: 0, churnRate: 0 });
    // Overall: 5 contacts, buyers a and c, one repeat buyer (1/2), one gap, b churned (1/5).
    expect(t.overall).toEqual({ contacts: 5, buyers: 2, repeatBuyers: 1, repeatPurchaseRate: 1 / 2, medianDaysBetweenOrders: gap, churned: 1, churnRate: 1 / 5 });
  });

  it('restricts cohorts and engagement to one channel, purchases staying the contacts\' orders', async () => {
    const email = await table('metric=engaged&channel=email&months=3');
    expect(email.channel).toBe('email');
    // E-mail cohorts: M0 a, b, f; M1 c (its first e-mail). c engaged only by SMS: 0 on e-mail.
    expect(email.cohorts.map((l) => [l.contacts, cells(l)])).toEqual([[3, [2, 1, 1]], [1, [0, 0]], [0, [0]]]);
    const emailBought = await table('metric=purchased&channel=email&months=3');
    // c's M1 order counts for its e-mail cohort (M1).
    expect(emailBought.cohorts.map((l) => cells(l))).toEqual([[1, 1, 0], [1, 0], [0]]);
    const sms = await table('metric=engaged&channel=sms&months=3');
    // SMS cohort M1: c (clicked in M1) and e (clicked in M2); nobody is out of reach on SMS.
    expect(sms.cohorts.map((l) => [l.contacts, cells(l), l.churned])).toEqual([[0, [0, 0, 0], 0], [2, [1, 1], 0], [0, [0], 0]]);
  });

  it('takes an erased contact out of its cohort', async () => {
    // Before the erasure, d counted in M0 (4 contacts) and bought in M1: purchases [1, 2, 0], buyers 2.
    expect(beforeErasure.cohorts[0]).toMatchObject({ contacts: 4, buyers: 2 });
    expect(cells(beforeErasure.cohorts[0])).toEqual([1, 2, 0]);
    const after = await table('metric=purchased&months=3');
    expect(after.cohorts[0]).toMatchObject({ contacts: 3, buyers: 1 });
  });

  it('answers 400 naming the wrong parameter', async () => {
    for (const [q, word] of [['metric=opened', 'metric'], ['channel=fax', 'channel'], ['months=25', 'months'], ['cohort=week', 'cohort'], ['x=1', 'x']]) {
      const r = await send(server.url, 'GET', `/v1/retention?${q}`, { key });
      expect(r.status, q).toBe(400);
      expect(r.text, q).toContain(word);
    }
    expect((await send(server.url, 'GET', '/v1/retention', {})).status).toBe(401);
  });
});
