// The contact page (#18) through a listening server, on SQLite and PostgreSQL: one person reached by e-mail and SMS,
// with a human click, a bot click, a reply, an SMS opt-out and three orders (two credited to two campaigns, one to
// none). GET /v1/contacts/{id} answers their identifiers, opt-out and suppression entry, and lifetime figures counted
// by hand; GET /v1/contacts/{id}/timeline lists every item newest first in the documented order, the same across page
// boundaries (one falls between two items of the same instant); another account's contact, an erased one and a
// cursor this list never gave are refused. On SQLite, every read of the page goes through an index by contact or
// message: the database's own plan for each statement says so (never a scan of the account's events or orders).
import { CompiledQuery, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type QueryResult } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, callOk } from '../bench/support';
import { forEachEngine, makeMesure, type TestMesure } from './support';
import type { DB } from '../src/store/schema';
import { listContactEventTimes, listContactMessages, listContactOrders, pageContactEvents, pageContactMessages, pageContactOrders } from '../src/store/contactPage';

const H = 3_600_000;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();

interface Item {
  kind: string; id: string; at: string; messageId: string | null; campaign: { id: string; name: string; channel: string } | null;
  message: { status: string; sentAt: string | null; deliveredAt: string | null; openedAt: string | null; clickedAt: string | null; repliedAt: string | null } | null;
  url: string | null; machine: boolean | null; flagReason: string | null; text: string | null; reason: string | null;
  order: { externalId: string; revenue: number; revenueCurrency: string; credits: { campaign: { id: string; name: string }; kind: string; weight: number; revenue: number; direct: boolean }[] } | null;
}

forEachEngine('contact page', (engine) => {
  let m: TestMesure;
  let url = '';
  // Ten days ago, on a whole second, so that every time below is exact in ISO form.
  const T0 = Math.floor((Date.now() - 10 * D) / 1000) * 1000;
  const ALICE = { email: 'alice@shop.test', phone: '+33612345678', externalId: 'cust-alice', firstName: 'Alice' };
  let email = '';
  let sms = '';
  let mE = '';
  let mS = '';
  let alice = '';
  let otherKey = '';
  let otherContact = '';

  const get = <T>(path: string, key = m.key) => callOk<T>(url, 'GET', path, key);
  const post = <T>(path: string, body: unknown, key = m.key) => callOk<T>(url, 'POST', path, key, body);

  beforeAll(async () => {
    m = await makeMesure(engine);
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}`;
    email = (await post<{ id: string }>('/v1/campaigns', { name: 'Spring e-mail', channel: 'email' })).id;
    sms = (await post<{ id: string }>('/v1/campaigns', { name: 'Spring SMS', channel: 'sms' })).id;
    const reg = async (campaign: string, recipient: object, registeredAt: number) =>
      (await post<{ messages: { messageId: string }[] }>(`/v1/campaigns/${campaign}/messages`, { messages: [{ recipient, registeredAt: iso(registeredAt) }] })).messages[0].messageId;
    mE = await reg(email, ALICE, T0);
    // The SMS names her by external id and phone only: the same contact.
    mS = await reg(sms, { externalId: ALICE.externalId, phone: ALICE.phone }, T0 + 6 * D - 60_000);
    const ev = (messageId: string, type: string, at: number, extra: object = {}) => ({ messageId, type, at: iso(at), ...extra });
    await post('/v1/events', {
      events: [
        ev(mE, 'sent', T0 + H), ev(mE, 'delivered', T0 + H + 60_000), ev(mE, 'opened', T0 + 2 * H),
        ev(mE, 'clicked', T0 + 3 * H, { url: 'https://shop.test/spring' }),
        ev(mS, 'sent', T0 + 6 * D), ev(mS, 'delivered', T0 + 6 * D + 60_000),
        ev(mS, 'replied', T0 + 6 * D + H, { text: 'Oui, je passe samedi' }),
        // The opt-out at the very instant of the second order (a tie the timeline breaks: order first).
        ev(mS, 'unsubscribed', T0 + 6 * D + 2 * H),
        // A link scanner's click, after everything human: never an engagement.
        ev(mE, 'clicked', T0 + 7 * D, { url: 'https://shop.test/spring', machine: true, flagReason: 'test scanner' }),
      ],
    });
    await post('/v1/orders', {
      orders: [
        // 80.00 € with 10.00 € of tax: 70.00 € net, 1 h after her e-mail click (a direct touch, 5-day window).
        { id: 'o-1', createdAt: iso(T0 + 4 * H), currency: 'EUR', total: 8000, tax: 1000, customer: { email: ALICE.email } },
        // 45.00 €, 2 h after the SMS was delivered (an influence touch, 12-hour window); the e-mail click is 6 days old.
        { id: 'o-2', createdAt: iso(T0 + 6 * D + 2 * H), currency: 'EUR', total: 4500, customer: { phone: ALICE.phone } },
        // 20.00 €, 3 days after the SMS delivery and 9 days after the click: no touch in any window.
        { id: 'o-3', createdAt: iso(T0 + 9 * D), currency: 'EUR', total: 2000, customer: { id: ALICE.externalId } },
      ],
    });
    // Another account, with a contact of its own.
    const other = await m.deps.accounts.create({ name: 'Other shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
    otherKey = (await m.deps.accounts.createKey(other.id, 'other', 'owner')).token;
    const oc = (await post<{ id: string }>('/v1/campaigns', { name: 'Other', channel: 'email' }, otherKey)).id;
    await post(`/v1/campaigns/${oc}/messages`, { messages: [{ recipient: { email: 'zoe@other.test' } }] }, otherKey);
    otherContact = (await get<{ items: { id: string }[] }>('/v1/contacts?q=zoe%40other.test', otherKey)).items[0].id;
  }, 120_000);

  afterAll(async () => {
    await m?.cleanup();
  });

  it('shows who she is and her lifetime figures, counted by hand', async () => {
    const found = await get<{ items: { id: string }[] }>(`/v1/contacts?q=${encodeURIComponent(ALICE.email)}`);
    expect(found.items).toHaveLength(1);
    alice = found.items[0].id;
    const page = await get<Record<string, any>>(`/v1/contacts/${alice}`);
    expect(page.contact).toMatchObject({ id: alice, email: ALICE.email, phone: ALICE.phone, externalId: ALICE.externalId, firstName: 'Alice' });
    expect(page.contact.optOuts).toEqual({ email: null, sms: iso(T0 + 6 * D + 2 * H), whatsapp: null, mail: null });
    // The SMS unsubscribe put her phone on the SMS list, with the message as its source.
    expect(page.optOuts).toEqual([{ channel: 'sms', at: iso(T0 + 6 * D + 2 * H), reason: 'unsubscribed', source: `message:${mS}` }]);
    expect(page.suppressions).toEqual([{ channel: 'sms', address: ALICE.phone, reason: 'unsubscribed', source: `message:${mS}`, createdAt: iso(T0 + 6 * D + 2 * H) }]);
    expect(page.attributionModel).toBe('last_touch');
    expect(page.lifetime).toEqual({
      currency: 'EUR',
      orders: 3,
      // Net revenue: (8000 − 1000) + 4500 + 2000 = 13,500 cents.
      revenue: 13_500,
      // Last touch: o-1 → e-mail 7000, o-2 → SMS 4500, o-3 → nobody: 11,500 cents.
      creditedRevenue: 11_500,
      unconverted: [],
      firstOrderAt: iso(T0 + 4 * H),
      lastOrderAt: iso(T0 + 9 * D),
      // First: the e-mail open (T0 + 2 h). Last: the reply (T0 + 6 d + 1 h); the bot click at T0 + 7 d does not count.
      firstEngagedAt: iso(T0 + 2 * H),
      lastEngagedAt: iso(T0 + 6 * D + H),
      channels: [
        { channel: 'email', messages: 1, sent: 1, engaged: 1 },
        { channel: 'sms', messages: 1, sent: 1, engaged: 1 },
      ],
    });
  });

  it('lists her timeline newest first, every item, and pages through it the same way', async () => {
    const all = await get<{ items: Item[]; nextCursor: string | null }>(`/v1/contacts/${alice}/timeline`);
    expect(all.nextCursor).toBeNull();
    const ids = await get<{ items: { id: string; externalId: string }[] }>(`/v1/orders?from=${iso(T0 - D).slice(0, 10)}&to=${iso(T0 + 11 * D).slice(0, 10)}`);
    const orderId = (ext: string) => ids.items.find((o) => o.externalId === ext)!.id;
    expect(all.items.map((i) => [i.kind, i.at, i.kind === 'order' ? i.id : i.messageId])).toEqual([
      ['order', iso(T0 + 9 * D), orderId('o-3')],
      ['click', iso(T0 + 7 * D), mE],
      // The same instant: the order before the event.
      ['order', iso(T0 + 6 * D + 2 * H), orderId('o-2')],
      ['optOut', iso(T0 + 6 * D + 2 * H), mS],
      ['reply', iso(T0 + 6 * D + H), mS],
      ['message', iso(T0 + 6 * D), mS],
      ['order', iso(T0 + 4 * H), orderId('o-1')],
      ['click', iso(T0 + 3 * H), mE],
      ['message', iso(T0 + H), mE],
    ]);
    const [o3, bot, o2, optOut, reply, smsMessage, o1, click, emailMessage] = all.items;
    expect(o3.order).toMatchObject({ externalId: 'o-3', revenue: 2000, revenueCurrency: 'EUR', credits: [] });
    expect(bot).toMatchObject({ machine: true, flagReason: 'test scanner', url: 'https://shop.test/spring', campaign: { id: email, name: 'Spring e-mail', channel: 'email' } });
    expect(o2.order).toMatchObject({ externalId: 'o-2', revenue: 4500, credits: [{ campaign: { id: sms, name: 'Spring SMS' }, kind: 'delivery', weight: 1, revenue: 4500, direct: false }] });
    expect(optOut).toMatchObject({ reason: 'unsubscribed', campaign: { id: sms, channel: 'sms' } });
    expect(reply).toMatchObject({ text: 'Oui, je passe samedi', machine: false });
    expect(smsMessage.message).toMatchObject({ sentAt: iso(T0 + 6 * D), deliveredAt: iso(T0 + 6 * D + 60_000), repliedAt: iso(T0 + 6 * D + H), openedAt: null });
    expect(smsMessage.campaign).toEqual({ id: sms, name: 'Spring SMS', channel: 'sms' });
    expect(o1.order).toMatchObject({ externalId: 'o-1', revenue: 7000, credits: [{ campaign: { id: email, name: 'Spring e-mail' }, kind: 'click', weight: 1, revenue: 7000, direct: true }] });
    expect(click).toMatchObject({ machine: false, url: 'https://shop.test/spring', text: null });
    expect(emailMessage.message).toMatchObject({ status: 'clicked', sentAt: iso(T0 + H), openedAt: iso(T0 + 2 * H), clickedAt: iso(T0 + 3 * H) });

    // Pages of 3: the first ends on o-2, and the opt-out of the same instant opens the second.
    for (const limit of [3, 2, 1, 4]) {
      const seen: Item[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const p: { items: Item[]; nextCursor: string | null } = await get(`/v1/contacts/${alice}/timeline?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(p.items.length).toBeLessThanOrEqual(limit);
        seen.push(...p.items);
        cursor = p.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(seen).toEqual(all.items);
      // 9 items: ceil(9 / limit) pages (a last page may be full and still say so: 9 = 3 × 3 ends with no cursor).
      expect(pages).toBe(Math.ceil(9 / limit));
    }
    const first = await get<{ items: Item[] }>(`/v1/contacts/${alice}/timeline?limit=3`);
    expect(first.items.map((i) => i.kind)).toEqual(['order', 'click', 'order']);
  });

  // SQLite chooses its plan from the schema alone (no statistics are gathered), so the plan on this small database is the
  // plan on a large one; it once walked the account's whole event log by primary key for the events of the timeline.
  // PostgreSQL plans by table statistics, so on these tiny tables its plan says nothing about a large account.
  if (engine === 'sqlite') it("reads through indexes by contact and message, never the account's whole event log or orders", async () => {
    // The statements the store sends, compiled without running them, then explained on the database.
    const statements: CompiledQuery[] = [];
    const capture = new Kysely<DB>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
      log: (e) => void statements.push(e.query),
    });
    const bound = { before: Date.now(), orEqualAt: { idBelow: 'zz' } } as const;
    await pageContactEvents(capture, m.accountId, alice, ['clicked', 'replied'], bound, 26);
    await listContactEventTimes(capture, m.accountId, alice, ['opened', 'clicked']);
    await pageContactOrders(capture, m.accountId, alice, bound, 26);
    await listContactOrders(capture, m.accountId, alice);
    await pageContactMessages(capture, m.accountId, alice, bound, 26);
    await listContactMessages(capture, m.accountId, alice);
    expect(statements).toHaveLength(6);
    const plans: string[] = [];
    for (const q of statements) {
      const r: QueryResult<{ detail: string }> = await m.db.kysely.executeQuery(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.parameters]));
      plans.push(r.rows.map((row) => row.detail).join('\n'));
    }
    const [events, eventTimes, ordersPage, orders, messagesPage, messages] = plans;
    for (const p of [events, eventTimes]) {
      expect(p).toContain('SEARCH e USING INDEX events_message (account_id=? AND message_id=?');
      expect(p).toContain('USING COVERING INDEX messages_touches (account_id=? AND contact_id=?)');
      expect(p).not.toMatch(/sqlite_autoindex_events|SCAN e\b/);
    }
    for (const p of [ordersPage, orders]) expect(p).toContain('SEARCH orders USING INDEX orders_contact_id (account_id=? AND contact_id=?)');
    for (const p of [messagesPage, messages]) expect(p).toMatch(/SEARCH m USING (COVERING )?INDEX messages_touches \(account_id=\? AND contact_id=\?\)/);
  });

  it("refuses another account's contact, a cursor it never gave, and an erased contact", async () => {
    for (const path of [`/v1/contacts/${otherContact}`, `/v1/contacts/${otherContact}/timeline`]) {
      const r = await call(url, 'GET', path, m.key);
      expect(r.status).toBe(404);
    }
    expect((await call(url, 'GET', `/v1/contacts/${alice}`, otherKey)).status).toBe(404);
    const bad = await call(url, 'GET', `/v1/contacts/${alice}/timeline?cursor=${Buffer.from('[1,9,"x"]').toString('base64url')}`, m.key);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('start again without it');
    await callOk(url, 'DELETE', `/v1/contacts/${alice}`, m.key);
    const gone = await call(url, 'GET', `/v1/contacts/${alice}`, m.key);
    expect(gone.status).toBe(404);
    expect(JSON.stringify(gone.body)).not.toContain(ALICE.email);
    expect((await call(url, 'GET', `/v1/contacts/${alice}/timeline`, m.key)).status).toBe(404);
  });
});
