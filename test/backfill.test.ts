// Back-filling last year's history through a listening server (`mesure serve`, real HTTP) on SQLite and PostgreSQL:
// a campaign's messages (registered without `registeredAt`, so registered "today"), their past events and the orders
// they earned, loaded in every one of the six orders of those three steps, each in a fresh account, give the same
// credits per campaign, the same overview conversions and the same `mesure attribute --recompute` summary, all equal
// to the hand computation below (issue #16, point 1).
import { afterAll, beforeAll, it } from 'vitest';
import { callOk, createAccountWithCli, runCli } from '../bench/support';
import { databaseEnv, startServerProcess } from './blackbox/seed-support';
import { forEachEngine } from './support';
import type { ServerProcess } from '../bench/support';

type Step = 'messages' | 'events' | 'orders';
const PERMUTATIONS: Step[][] = [
  ['messages', 'events', 'orders'], // live ingestion: what a sender and a shop do as things happen
  ['messages', 'orders', 'events'],
  ['events', 'messages', 'orders'],
  ['events', 'orders', 'messages'],
  ['orders', 'messages', 'events'],
  ['orders', 'events', 'messages'],
];

const iso = (s: string) => new Date(s).toISOString();

// Last autumn. An e-mail campaign (A) sent on 6 October, an SMS campaign (B) on 8 October.
const EMAIL_SEND = '2025-10-06T08:00:00Z';
const SMS_SEND = '2025-10-08T08:00:00Z';

/** Events named by campaign + recipient, so they can arrive before their message (kept, then applied). */
function eventsOf(a: string, b: string) {
  const e = (campaignId: string, recipient: string, type: string, at: string, extra: Record<string, unknown> = {}) => ({ type, at: iso(at), campaignId, recipient, ...extra });
  return [
    // A: Ana clicks a day later, Bob opens the same evening, Cy only receives it.
    e(a, 'ana@example.com', 'sent', EMAIL_SEND), e(a, 'ana@example.com', 'delivered', '2025-10-06T08:01:00Z'),
    e(a, 'ana@example.com', 'clicked', '2025-10-07T12:00:00Z', { url: 'https://shop.example/autumn' }),
    e(a, 'bob@example.com', 'sent', EMAIL_SEND), e(a, 'bob@example.com', 'delivered', '2025-10-06T08:01:00Z'),
    e(a, 'bob@example.com', 'opened', '2025-10-06T20:00:00Z'),
    e(a, 'cy@example.com', 'sent', EMAIL_SEND), e(a, 'cy@example.com', 'delivered', '2025-10-06T08:01:00Z'),
    // B: Dan clicks an hour later, Eve only receives it.
    e(b, '+33612345601', 'sent', SMS_SEND), e(b, '+33612345601', 'delivered', '2025-10-08T08:00:05Z'),
    e(b, '+33612345601', 'clicked', '2025-10-08T09:00:00Z', { url: 'https://shop.example/autumn' }),
    e(b, '+33612345602', 'sent', SMS_SEND), e(b, '+33612345602', 'delivered', '2025-10-08T08:00:05Z'),
  ];
}

/** Net revenue = total − tax. */
const ORDERS = [
  { id: 'O1', createdAt: iso('2025-10-09T10:00:00Z'), currency: 'EUR', total: 6000, tax: 1000, itemQuantity: 1, customer: { email: 'ana@example.com' } },
  { id: 'O2', createdAt: iso('2025-10-10T10:00:00Z'), currency: 'EUR', total: 3600, tax: 600, itemQuantity: 1, customer: { email: 'bob@example.com' } },
  { id: 'O3', createdAt: iso('2025-10-20T10:00:00Z'), currency: 'EUR', total: 2400, tax: 400, itemQuantity: 1, customer: { email: 'cy@example.com' } },
  { id: 'O4', createdAt: iso('2025-10-12T09:00:00Z'), currency: 'EUR', total: 12000, tax: 2000, itemQuantity: 1, customer: { phone: '+33612345601' } },
  { id: 'O5', createdAt: iso('2025-10-08T18:00:00Z'), currency: 'EUR', total: 1200, tax: 200, itemQuantity: 1, customer: { phone: '+33612345602' } },
  { id: 'O6', createdAt: iso('2025-10-09T10:00:00Z'), currency: 'EUR', total: 1200, tax: 200, itemQuantity: 1, customer: { phone: '+33612345602' } },
];

// Hand computation under the account's defaults (last touch, net revenue; windows: e-mail click 5 d and open 5 d,
// SMS click 5 d and delivery 12 h; direct touches before influence; an e-mail delivery or send earns nothing):
//   O1 Ana  9 Oct 10:00, net 60.00 − 10.00 = 50.00: her click on A 7 Oct 12:00, 46 h before (≤ 5 d)  → A 5000, direct.
//   O2 Bob 10 Oct 10:00, net 36.00 −  6.00 = 30.00: his open of A 6 Oct 20:00, 86 h before (≤ 5 d)   → A 3000, influenced.
//   O3 Cy  20 Oct 10:00, net 20.00: A only delivered (no e-mail delivery window), 14 days before      → nothing.
//   O4 Dan 12 Oct 09:00, net 120.00 − 20.00 = 100.00: his click on B 8 Oct 09:00, 96 h before (≤ 5 d) → B 10000, direct.
//   O5 Eve  8 Oct 18:00, net 12.00 − 2.00 = 10.00: B delivered 08:00:05, 9 h 59 min 55 s before (≤ 12 h) → B 1000, influenced.
//   O6 Eve  9 Oct 10:00, net 10.00: B's delivery 25 h 59 min 55 s before (> 12 h)                      → nothing.
// A: 2 conversions, 8000 (5000 direct, 3000 influenced); B: 2 conversions, 11000 (10000 direct, 1000 influenced).
// October's overview: 4 conversions (O1, O2, O4, O5). Recompute: 6 orders, 4 credited (4 credit rows), 2 without.
const EXPECTED = {
  A: { conversions: 2, revenue: 8000, revenueDirect: 5000, revenueInfluenced: 3000 },
  B: { conversions: 2, revenue: 11000, revenueDirect: 10000, revenueInfluenced: 1000 },
};

// One engine after the other: each already starts six `mesure` processes at once.
forEachEngine('back-filled history', (engine) => {
  const db = databaseEnv(engine);
  let server: ServerProcess;
  const accounts: { accountId: string; key: string }[] = [];

  beforeAll(async () => {
    // The first one migrates the new database; then the server starts while the others add an account each, side by side.
    accounts.push(await createAccountWithCli(db.env, 'Back-fill 1'));
    const [started, ...made] = await Promise.all([
      startServerProcess(db.env),
      ...PERMUTATIONS.slice(1).map((_, i) => createAccountWithCli(db.env, `Back-fill ${i + 2}`)),
    ]);
    server = started;
    accounts.push(...made);
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    await db.drop();
  });

  it('credits the same orders to the same campaigns whatever the order of messages, events and orders, as computed by hand', async ({ expect }) => {
    const loaded: { accountId: string; label: string; figures: () => Promise<Record<string, Record<string, number>>> }[] = [];
    for (const [i, steps] of PERMUTATIONS.entries()) {
      const { accountId, key } = accounts[i];
      const api = <T = any>(method: string, path: string, body?: unknown) => callOk<T>(server.url, method, path, key, body); // eslint-disable-line @typescript-eslint/no-explicit-any
      const a = (await api<{ id: string }>('POST', '/v1/campaigns', { name: 'Autumn e-mail', channel: 'email', sendAt: iso(EMAIL_SEND) })).id;
      const b = (await api<{ id: string }>('POST', '/v1/campaigns', { name: 'Autumn SMS', channel: 'sms', sendAt: iso(SMS_SEND) })).id;
      const run: Record<Step, () => Promise<unknown>> = {
        // Registered today, without registeredAt: what a back-fill script following the README does.
        messages: async () => {
          await api('POST', `/v1/campaigns/${a}/messages`, { messages: ['ana', 'bob', 'cy'].map((n) => ({ recipient: { email: `${n}@example.com` } })) });
          await api('POST', `/v1/campaigns/${b}/messages`, { messages: ['+33612345601', '+33612345602'].map((phone) => ({ recipient: { phone } })) });
        },
        events: () => api('POST', '/v1/events', { events: eventsOf(a, b) }),
        orders: () => api('POST', '/v1/orders', { orders: ORDERS }),
      };
      for (const step of steps) await run[step]();

      const label = steps.join(' → ');
      const figures = async () => {
        const out: Record<string, Record<string, number>> = {};
        for (const [name, id] of [['A', a], ['B', b]] as const) {
          const f = (await api<{ figures: Record<string, number> }>('GET', `/v1/campaigns/${id}`)).figures;
          out[name] = { conversions: f.conversions, revenue: f.revenue, revenueDirect: f.revenueDirect, revenueInfluenced: f.revenueInfluenced };
        }
        return out;
      };
      expect(await figures(), label).toEqual(EXPECTED);
      const overview = await api<{ currency: string; cards: { conversions: { value: number } } }>('GET', '/v1/overview?from=2025-10-01&to=2025-10-31');
      expect(overview.currency, label).toBe('EUR');
      expect(overview.cards.conversions.value, label).toBe(4);
      loaded.push({ accountId, label, figures });
    }
    expect(loaded).toHaveLength(6);

    // Recomputing from what is stored gives the same credits, and says so: one `mesure attribute --recompute` per
    // account, the six side by side (each touches its own account's rows only).
    const outs = await Promise.all(loaded.map(({ accountId }) => runCli(['attribute', '--recompute', '--account', accountId], db.env)));
    for (const [i, { label, figures }] of loaded.entries()) {
      expect(outs[i], label).toMatch(/Attributed 6 orders .*: 4 credited to campaigns \(4 credit rows\), 2 without an eligible touch\./);
      expect(await figures(), `${label}, recomputed`).toEqual(EXPECTED);
    }
  }, 300_000);
});
