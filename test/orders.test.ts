// Orders in, on both engines: Shopify webhooks signed as Shopify signs them (and tampered ones), duplicates and
// out-of-order deliveries, refunds before their order, the API batch (all or nothing) and CSV files with bad lines.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

const SECRET = 'shpss_0123456789abcdef';
const fixture = (name: string) => readFileSync(new URL(`../src/providers/shopify/fixtures/${name}.json`, import.meta.url));
const sign = (body: Buffer | string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

forEachEngine('orders', (engine) => {
  let m: TestMesure;
  beforeEach(async () => {
    m = await makeMesure(engine);
  });
  afterEach(async () => {
    await m.cleanup();
  });

  const shopify = (topic: string, body: Buffer, eventId: string, signature = sign(body)) =>
    m.app.inject({
      method: 'POST',
      url: `/webhooks/shopify/${m.accountId}`,
      headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': signature, 'x-shopify-event-id': eventId, 'x-shopify-webhook-id': `w-${eventId}` },
      payload: body,
    });
  const orders = async () => (await m.app.inject({ url: '/v1/orders', headers: m.auth })).json().items as Record<string, unknown>[];

  it('takes Shopify webhooks signed with the app secret, and refuses unsigned or tampered ones without change', async () => {
    const put = await m.app.inject({ method: 'PUT', url: '/v1/shopify/secret', headers: m.auth, payload: { secret: SECRET } });
    expect(put.statusCode).toBe(204);
    expect(put.body).toBe('');
    const got = await m.app.inject({ url: '/v1/shopify/secret', headers: m.auth });
    // Only a hint of the secret comes back: its last four characters (docs/PRIVACY.md, "Secrets").
    expect(got.json()).toEqual({ configured: true, secretHint: '…cdef', webhookUrl: `http://mesure.test/webhooks/shopify/${m.accountId}` });
    expect(got.body).not.toContain(SECRET);

    const create = fixture('orders-create');
    const tampered = Buffer.from(create.toString('utf8').replace('"69.00"', '"6.90"'));
    expect((await shopify('orders/create', tampered, 'e-t', sign(create))).statusCode).toBe(401);
    const unsigned = await m.app.inject({ method: 'POST', url: `/webhooks/shopify/${m.accountId}`, headers: { 'content-type': 'application/json', 'x-shopify-topic': 'orders/create' }, payload: create });
    expect(unsigned.statusCode).toBe(401);
    expect((await shopify('orders/create', create, 'e-o', sign(create, 'another-secret'))).statusCode).toBe(401);
    expect((await m.app.inject({ method: 'POST', url: '/webhooks/shopify/acc_unknown', headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': sign(create) }, payload: create })).statusCode).toBe(401);
    expect(await orders()).toEqual([]);

    // The refund arrives first, then orders/updated before orders/create: the end state is still right.
    const refund = await shopify('refunds/create', fixture('refunds-create'), 'e-r');
    expect(refund.statusCode, refund.body).toBe(200);
    expect(refund.json().waitingForOrder).toBe(true);
    expect((await shopify('orders/updated', fixture('orders-updated'), 'e-u')).statusCode).toBe(200);
    const created = await shopify('orders/create', create, 'e-c');
    expect(created.statusCode).toBe(200);
    // Shopify retries: the same event id again changes nothing.
    expect((await shopify('orders/create', create, 'e-c')).json()).toEqual({ duplicate: true });
    let list = await orders();
    expect(list).toHaveLength(1);
    // net 52.50 − the refund's net part 15.00 = 37.50; 18.00 returned in all.
    expect(list[0]).toMatchObject({ externalId: '820982911946154508', source: 'shopify', net: 5250, refunded: 1800, revenue: 3750, revenueCurrency: 'EUR', itemQuantity: expect.any(Number) });
    expect(list[0].orderedAt).toBe('2025-03-10T08:15:00.000Z');

    // Cancelled: revenue 0.
    expect((await shopify('orders/cancelled', fixture('orders-cancelled'), 'e-x')).statusCode).toBe(200);
    list = await orders();
    expect(list[0]).toMatchObject({ revenue: 0, cancelledAt: '2025-03-12T07:30:00.000Z' });
    // A topic Mesure does not read is acknowledged (so Shopify stops retrying) and changes nothing.
    const other = await shopify('products/update', Buffer.from('{"id":1}'), 'e-p');
    expect(other.json()).toMatchObject({ outcome: 'ignored' });
  });

  it('keeps the Shopify secret to owners', async () => {
    const viewer = await m.deps.accounts.createKey(m.accountId, 'viewer', 'viewer');
    const r = await m.app.inject({ method: 'PUT', url: '/v1/shopify/secret', headers: { authorization: `Bearer ${viewer.token}` }, payload: { secret: SECRET } });
    expect(r.statusCode).toBe(403);
    expect((await m.app.inject({ method: 'PUT', url: '/v1/shopify/secret', headers: m.auth, payload: { secret: 'short' } })).statusCode).toBe(400);
  });

  it('stores an API batch all or nothing, with a reason per bad item', async () => {
    const good = { id: 'A-1', createdAt: '2026-11-20T10:00:00Z', currency: 'EUR', total: 5990, tax: 998, customer: { email: 'x@example.com' } };
    const bad = await m.app.inject({
      method: 'POST', url: '/v1/orders', headers: m.auth,
      payload: { orders: [good, { ...good, id: 'A-2', tax: 5000, shipping: 2000 }], refunds: [{ id: 'r', orderId: 'A-1', at: '2026-11-21T10:00:00Z', amount: 100, net: 200 }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details).toEqual([
      { path: '/orders/1/total', message: 'tax + shipping exceed the total' },
      { path: '/refunds/0/net', message: 'the net part cannot exceed the amount refunded' },
    ]);
    expect(await orders()).toEqual([]);
    const schema = await m.app.inject({ method: 'POST', url: '/v1/orders', headers: m.auth, payload: { orders: [{ ...good, total: '59.90' }] } });
    expect(schema.statusCode).toBe(400);
    expect((await m.app.inject({ method: 'POST', url: '/v1/orders', payload: { orders: [good] } })).statusCode).toBe(401);

    const ok = await m.app.inject({ method: 'POST', url: '/v1/orders', headers: m.auth, payload: { orders: [good] } });
    expect(ok.json()).toMatchObject({ received: 1, created: 1, updated: 0, unchanged: 0 });
    const again = await m.app.inject({ method: 'POST', url: '/v1/orders', headers: m.auth, payload: { orders: [good] } });
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect((await orders())[0]).toMatchObject({ externalId: 'A-1', gross: 5990, net: 4992, revenue: 4992 });
  });

  it('imports a CSV with bad lines: each reported with its line number, the same file twice adds nothing', async () => {
    const csv = [
      'order_id,created_at,currency,total,tax,shipping,email,quantity,refunded,cancelled_at,landing_site',
      'C-1,2026-11-20 10:00,EUR,120.00,20.00,0,ana@example.com,2,,,',
      'C-2,2026-11-20 11:00,EUR,"12,34.50",0,0,bob@example.com,1,,,',
      'C-3,05/01/2024,EUR,10.00,0,0,,1,,,',
      ',2026-11-20 12:00,EUR,10.00,0,0,,1,,,',
      'C-4,2026-11-21 09:00,EUR,60.00,10.00,5.00,"cy@example.com",3,30.00,,/?utm_campaign=none',
      'C-5,2026-11-21 09:30,EU,10.00,0,0,,1,,,',
      '',
      'C-6,2026-11-22 09:30,EUR,10.00,0,0,,1,,2026-11-23 08:00,',
    ].join('\n');
    const post = (payload: string, query = '') =>
      m.app.inject({ method: 'POST', url: `/v1/orders/import${query}`, headers: { ...m.auth, 'content-type': 'text/csv' }, payload });
    const r = await post(csv);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({
      mapping: 'generic', lines: 7, orders: 3, created: 3, updated: 0, unchanged: 0, rejected: 4,
      rejections: [
        { line: 3, reason: 'invalid amount "12,34.50" in column total' },
        { line: 4, reason: 'unreadable time "05/01/2024" in column created_at' },
        { line: 5, reason: 'missing order id (column order_id)' },
        { line: 7, reason: 'invalid currency "EU" in column currency' },
      ],
    });
    const second = await post(csv);
    expect(second.json()).toMatchObject({ created: 0, updated: 0, unchanged: 3, rejected: 4 });
    const list = await orders();
    expect(list.map((o) => o.externalId)).toEqual(['C-6', 'C-4', 'C-1']);
    // C-4: net 60 − 10 − 5 = 45.00; 30.00 refunded with an unknown split → prorated 30 × 45 / 60 = 22.50 → 22.50 left.
    expect(list[1]).toMatchObject({ net: 4500, refunded: 3000, revenue: 2250, itemQuantity: 3 });
    // Times without an offset are read in the account's zone (Europe/Paris, UTC+1 in November).
    expect(list[2].orderedAt).toBe('2026-11-20T09:00:00.000Z');
    expect(list[0]).toMatchObject({ revenue: 0 });

    const missing = await post('id,when\n1,2026-11-20\n');
    expect(missing.statusCode).toBe(422);
    expect(missing.json().message).toMatch(/lacks required column/);
    expect((await post(csv, '?columns=notjson')).statusCode).toBe(400);
    const wrongType = await m.app.inject({ method: 'POST', url: '/v1/orders/import', headers: { ...m.auth, 'content-type': 'application/json' }, payload: {} });
    expect(wrongType.statusCode).toBe(415);
  });

  it("reads Shopify's order export: line-item rows gathered into one order", async () => {
    const csv = [
      'Name,Email,Financial Status,Currency,Total,Taxes,Shipping,Created at,Lineitem quantity,Id',
      '#1001,ana@example.com,paid,EUR,69.00,11.50,5.00,2025-03-10 09:15:00 +0100,1,820982911946154508',
      '#1001,,,,,,,,2,',
      '#1002,bob@example.com,paid,EUR,10.00,0,0,2025-03-11 09:15:00 +0100,1,820982911946154509',
    ].join('\n');
    const r = await m.app.inject({ method: 'POST', url: '/v1/orders/import?mapping=shopify', headers: { ...m.auth, 'content-type': 'text/csv' }, payload: csv });
    expect(r.json()).toMatchObject({ mapping: 'shopify', orders: 2, created: 2, rejected: 0 });
    const list = await orders();
    expect(list.find((o) => o.externalId === '820982911946154508')).toMatchObject({ name: '#1001', itemQuantity: 3, net: 5250 });
  });
});
