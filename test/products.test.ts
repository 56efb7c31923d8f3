// What sold (issue #24, part 7) through a listening `mesure serve`, on SQLite and PostgreSQL: order lines from a signed
// Shopify orders/create webhook (two lines, discount allocations), a refunds/create returning one line, the API's
// `lines` and a CSV file with a line per row; each campaign's credit shared among the lines; the product report by
// product and by type (revenue, conversions, spend shared by revenue, ROAS), filtered by campaign and period, its CSV,
// and the campaign page's top products. Every expected figure is worked out by hand in the comments.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngineConcurrently } from './support';
import { startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { accountWithCli, send, shopifySignature } from './blackbox/harness';

const SECRET = 'shpss_products_0123456789abcdef';
const SEND_AT = '2026-11-20T09:00:00.000Z';
const DAY = '2026-11-20';

/** An orders/create body framed as Shopify sends it (REST order payload): two line items with discount allocations. */
const shopifyOrder = JSON.stringify({
  id: 820982911946154600,
  admin_graphql_api_id: 'gid://shopify/Order/820982911946154600',
  email: 'ana@example.com',
  created_at: '2026-11-20T12:00:00+01:00',
  updated_at: '2026-11-20T12:00:05+01:00',
  processed_at: '2026-11-20T12:00:00+01:00',
  currency: 'EUR',
  name: '#1101',
  taxes_included: false,
  total_price: '69.00',
  subtotal_price: '63.00',
  total_line_items_price: '70.00',
  total_discounts: '7.00',
  total_tax: '0.00',
  total_shipping_price_set: { shop_money: { amount: '6.00', currency_code: 'EUR' }, presentment_money: { amount: '6.00', currency_code: 'EUR' } },
  discount_codes: [{ code: 'ALPHA', amount: '7.00', type: 'fixed_amount' }],
  note_attributes: [],
  line_items: [
    {
      id: 466157049111, admin_graphql_api_id: 'gid://shopify/LineItem/466157049111', current_quantity: 2, fulfillable_quantity: 2, gift_card: false, grams: 200,
      name: 'Tee - Navy / M', price: '25.00', price_set: { shop_money: { amount: '25.00', currency_code: 'EUR' }, presentment_money: { amount: '25.00', currency_code: 'EUR' } },
      product_exists: true, product_id: 632910111, properties: [], quantity: 2, requires_shipping: true, sku: 'TEE-NAVY-M', taxable: true, title: 'Tee',
      total_discount: '0.00', total_discount_set: { shop_money: { amount: '0.00', currency_code: 'EUR' }, presentment_money: { amount: '0.00', currency_code: 'EUR' } },
      variant_id: 808950111, variant_inventory_management: 'shopify', variant_title: 'Navy / M', vendor: 'Atelier', tax_lines: [], duties: [],
      discount_allocations: [{ amount: '5.00', amount_set: { shop_money: { amount: '5.00', currency_code: 'EUR' }, presentment_money: { amount: '5.00', currency_code: 'EUR' } }, discount_application_index: 0 }],
    },
    {
      id: 466157049222, admin_graphql_api_id: 'gid://shopify/LineItem/466157049222', current_quantity: 1, fulfillable_quantity: 1, gift_card: false, grams: 400,
      name: 'Mug', price: '20.00', price_set: { shop_money: { amount: '20.00', currency_code: 'EUR' }, presentment_money: { amount: '20.00', currency_code: 'EUR' } },
      product_exists: true, product_id: 632910222, properties: [], quantity: 1, requires_shipping: true, sku: 'MUG', taxable: true, title: 'Mug',
      total_discount: '0.00', total_discount_set: { shop_money: { amount: '0.00', currency_code: 'EUR' }, presentment_money: { amount: '0.00', currency_code: 'EUR' } },
      variant_id: 808950222, variant_inventory_management: 'shopify', variant_title: null, vendor: 'Atelier', tax_lines: [], duties: [],
      discount_allocations: [{ amount: '2.00', amount_set: { shop_money: { amount: '2.00', currency_code: 'EUR' }, presentment_money: { amount: '2.00', currency_code: 'EUR' } }, discount_application_index: 0 }],
    },
  ],
  shipping_lines: [{ id: 271878346596884000, code: 'Standard', price: '6.00', discounted_price: '6.00', title: 'Standard', tax_lines: [] }],
  refunds: [],
});

/** refunds/create returning the mug: its subtotal (18.00, after its discount) in refund_line_items, one refund transaction. */
const shopifyRefund = JSON.stringify({
  id: 929361469111,
  admin_graphql_api_id: 'gid://shopify/Refund/929361469111',
  order_id: 820982911946154600,
  created_at: '2026-11-22T10:00:00+01:00',
  processed_at: '2026-11-22T10:00:00+01:00',
  note: 'Cassé',
  restock: true,
  refund_line_items: [{
    id: 104689539111, line_item_id: 466157049222, location_id: null, quantity: 1, restock_type: 'return',
    subtotal: '18.00', subtotal_set: { shop_money: { amount: '18.00', currency_code: 'EUR' }, presentment_money: { amount: '18.00', currency_code: 'EUR' } },
    total_tax: '0.00', total_tax_set: { shop_money: { amount: '0.00', currency_code: 'EUR' }, presentment_money: { amount: '0.00', currency_code: 'EUR' } },
  }],
  transactions: [{ id: 179259969111, order_id: 820982911946154600, kind: 'refund', gateway: 'bogus', status: 'success', amount: '18.00', currency: 'EUR' }],
  order_adjustments: [],
});

interface Group { key: string | null; label: string | null; revenue: number; conversions: number; spend: number; roas: number | null; campaigns: number }

forEachEngineConcurrently('what sold through a listening server', (engine) => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let key = '';
  let accountId = '';
  const c = { A: '', B: '' };

  const api = async (method: string, path: string, json?: unknown) => {
    const r = await send(server.url, method, path, { key, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  const shopify = (topic: string, body: string, eventId: string) =>
    send(server.url, 'POST', `/webhooks/shopify/${accountId}`, {
      body, contentType: 'application/json',
      headers: { 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': shopifySignature(body, SECRET), 'x-shopify-event-id': eventId, 'x-shopify-api-version': '2025-10' },
    });
  const report = async (query: string): Promise<{ items: Group[]; totals: { revenue: number; spend: number; roas: number | null } }> => api('GET', `/v1/products/report?${query}`);
  const byKey = (items: Group[]) => Object.fromEntries(items.map((i) => [String(i.key), i]));

  beforeAll(async () => {
    const db = databaseEnv(engine);
    drop = db.drop;
    ({ accountId, key } = await accountWithCli(db.env, 'Products shop'));
    server = await startServerProcess(db.env);
    await api('PUT', '/v1/shopify/secret', { secret: SECRET });
    c.A = (await api('POST', '/v1/campaigns', { name: 'Newsletter', channel: 'email', sendAt: SEND_AT })).id;
    c.B = (await api('POST', '/v1/campaigns', { name: 'Relance SMS', channel: 'sms', sendAt: SEND_AT })).id;
    // Orders using a campaign's code are credited to it in full; the fixed costs are each campaign's spend (send day 20 Nov).
    await api('PUT', `/v1/campaigns/${c.A}/discount-codes`, { codes: ['ALPHA'] });
    await api('PUT', `/v1/campaigns/${c.B}/discount-codes`, { codes: ['BRAVO'] });
    await api('PUT', `/v1/campaigns/${c.A}/cost-model`, { fixedCostMinor: 10_000 });
    await api('PUT', `/v1/campaigns/${c.B}/cost-model`, { fixedCostMinor: 5_000 });
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it("stores a Shopify order's lines after their discounts and shares its credit among them", async () => {
    const r = await shopify('orders/create', shopifyOrder, 'ev-products-1');
    expect(r.status, r.text).toBe(200);
    // Net revenue 69.00 − 0 tax − 6.00 shipping = 63.00, all to A (code ALPHA).
    // Tee: 25.00 × 2 − 0 total_discount − 5.00 allocated = 45.00; Mug: 20.00 × 1 − 0 − 2.00 = 18.00;
    // shares of 6300: 6300 × 4500/6300 = 4500 and 6300 × 1800/6300 = 1800.
    // Spend: A's 10000 × 4500/6300 = 7142.86 → 7143 and 10000 × 1800/6300 = 2857.14 → 2857; ROAS 6300/10000 = 0.63 for both.
    const { items, totals } = await report('groupBy=product');
    expect(items).toEqual([
      { key: '632910111', label: 'Tee', revenue: 4500, conversions: 1, spend: 7143, roas: expect.closeTo(0.63, 9), campaigns: 1 },
      { key: '632910222', label: 'Mug', revenue: 1800, conversions: 1, spend: 2857, roas: expect.closeTo(0.63, 9), campaigns: 1 },
    ]);
    expect(totals).toEqual({ revenue: 6300, spend: 10_000, roas: 0.63 });
  });

  it('takes a refunded line out of what sold', async () => {
    const r = await shopify('refunds/create', shopifyRefund, 'ev-products-2');
    expect(r.status, r.text).toBe(200);
    // Revenue 6300 − the refund's net part 1800 = 4500; the mug is worth 1800 − 1800 = 0 and gets no share: the tee keeps
    // all 4500 and all of A's spend (10000), ROAS 4500/10000 = 0.45.
    const { items } = await report('groupBy=product');
    expect(items).toEqual([{ key: '632910111', label: 'Tee', revenue: 4500, conversions: 1, spend: 10_000, roas: 0.45, campaigns: 1 }]);
  });

  it('reads lines from the API and from a CSV file with a line per row, and reports by product and by type', async () => {
    // O2 (API), code BRAVO → B: candles 10.00 × 3 = 30.00, soaps 5.00 × 2 − 2.00 = 8.00; total 43.00 − 5.00 shipping = 38.00.
    await api('POST', '/v1/orders', {
      orders: [{
        id: 'API-2', createdAt: '2026-11-20T15:00:00Z', currency: 'EUR', total: 4300, shipping: 500, discountCodes: ['BRAVO'], customer: { email: 'bob@example.com' },
        lines: [
          { id: 'l-candle', productId: 'p-candle', title: 'Bougie', productType: 'Home', quantity: 3, price: 1000 },
          { productId: 'p-soap', sku: 'SOAP', title: 'Savon', productType: 'Bath', vendor: 'Savonnerie', quantity: 2, price: 500, discount: 200 },
        ],
      }],
    });
    // O3 (CSV, a line per row), code ALPHA → A: candle 10.00, vase 20.01; the order's total 20.00 (an order discount
    // on no line). 2000 × 1000/3001 = 666.44, 2000 × 2001/3001 = 1333.56: floors 666 + 1333, the unit left to .56 → 1334.
    const csv = [
      'order_id,created_at,currency,total,discount_codes,email,product_id,product_title,product_type,quantity,unit_price',
      'CSV-3,2026-11-20T16:00:00Z,EUR,20.00,ALPHA,cleo@example.com,p-candle,Bougie,Home,1,10.00',
      'CSV-3,2026-11-20T16:00:00Z,EUR,20.00,ALPHA,cleo@example.com,p-vase,Vase,Home,1,20.01',
    ].join('\n');
    const imported = await send(server.url, 'POST', '/v1/orders/import', { key, body: csv, contentType: 'text/csv' });
    expect(imported.json, imported.text).toMatchObject({ mapping: 'generic', lines: 2, orders: 1, created: 1, rejected: 0 });

    // A: tee 4500 + candle 666 + vase 1334 = 6500 for 10000; B: candle 3000 + soap 800 = 3800 for 5000.
    // Candle: 666 + 3000 = 3666, 2 orders; spend 10000 × 666/6500 + 5000 × 3000/3800 = 1024.615 + 3947.368 = 4971.98 → 4972.
    // Tee: 4500; 10000 × 4500/6500 = 6923.08 → 6923; ROAS 0.65 (A's 6500/10000). Vase: 1334; 2052.31 → 2052; 0.65.
    // Soap: 800; 5000 × 800/3800 = 1052.63 → 1053; ROAS 0.76 (B's 3800/5000).
    const candleSpend = (10_000 * 666) / 6500 + (5000 * 3000) / 3800;
    const byProduct = await report('groupBy=product');
    expect(byProduct.items.map((i) => i.key)).toEqual(['632910111', 'p-candle', 'p-vase', 'p-soap']);
    expect(byKey(byProduct.items)).toEqual({
      '632910111': { key: '632910111', label: 'Tee', revenue: 4500, conversions: 1, spend: 6923, roas: expect.closeTo(0.65, 9), campaigns: 1 },
      'p-candle': { key: 'p-candle', label: 'Bougie', revenue: 3666, conversions: 2, spend: 4972, roas: expect.closeTo(3666 / candleSpend, 9), campaigns: 2 },
      'p-vase': { key: 'p-vase', label: 'Vase', revenue: 1334, conversions: 1, spend: 2052, roas: expect.closeTo(0.65, 9), campaigns: 1 },
      'p-soap': { key: 'p-soap', label: 'Savon', revenue: 800, conversions: 1, spend: 1053, roas: expect.closeTo(0.76, 9), campaigns: 1 },
    });
    // Totals: 4500 + 3666 + 1334 + 800 = 10300 for 10000 + 5000 = 15000.
    expect(byProduct.totals).toEqual({ revenue: 10_300, spend: 15_000, roas: expect.closeTo(10_300 / 15_000, 9) });

    // By type: Home = candle 3666 + vase 1334 = 5000, in O2 (B) and O3 (A, once although it has two Home lines) = 2;
    // spend 10000 × 2000/6500 + 5000 × 3000/3800 = 3076.92 + 3947.37 = 7024.29 → 7024. The Shopify tee has no type
    // (Shopify's order payload carries none): key null, 4500, 6923. Bath: 800, 1053.
    const homeSpend = (10_000 * 2000) / 6500 + (5000 * 3000) / 3800;
    const byType = await report('groupBy=type');
    expect(byType.items).toEqual([
      { key: 'Home', label: 'Home', revenue: 5000, conversions: 2, spend: 7024, roas: expect.closeTo(5000 / homeSpend, 9), campaigns: 2 },
      { key: null, label: null, revenue: 4500, conversions: 1, spend: 6923, roas: expect.closeTo(0.65, 9), campaigns: 1 },
      { key: 'Bath', label: 'Bath', revenue: 800, conversions: 1, spend: 1053, roas: expect.closeTo(0.76, 9), campaigns: 1 },
    ]);

    // One campaign: B alone. Home 3000 for 5000 × 3000/3800 = 3947.37 → 3947; Bath 800 for 1053; both ROAS 0.76.
    const onlyB = await report(`groupBy=type&campaignId=${c.B}&from=${DAY}&to=${DAY}`);
    expect(onlyB.items.map((i) => [i.key, i.revenue, i.spend, i.roas])).toEqual([['Home', 3000, 3947, expect.closeTo(0.76, 9)], ['Bath', 800, 1053, expect.closeTo(0.76, 9)]]);
    // A period after the send day holds no credit (credits count on the send day of their message, KPIS.md).
    expect((await report('from=2026-11-21&to=2026-11-30')).items).toEqual([]);
  });

  it('shows a campaign its top products and types', async () => {
    // A: tee 4500, vase 1334, candle 666 of 6500; types: none 4500, Home 2000.
    const page = await api('GET', `/v1/campaigns/${c.A}`);
    expect(page.products).toEqual({
      currency: 'EUR',
      products: [
        { key: '632910111', label: 'Tee', revenue: 4500, conversions: 1, revenueShare: 4500 / 6500 },
        { key: 'p-vase', label: 'Vase', revenue: 1334, conversions: 1, revenueShare: 1334 / 6500 },
        { key: 'p-candle', label: 'Bougie', revenue: 666, conversions: 1, revenueShare: 666 / 6500 },
      ],
      types: [
        { key: null, label: null, revenue: 4500, conversions: 1, revenueShare: 4500 / 6500 },
        { key: 'Home', label: 'Home', revenue: 2000, conversions: 1, revenueShare: 2000 / 6500 },
      ],
    });
  });

  it('exports the report as CSV and refuses bad queries with a reason', async () => {
    const r = await send(server.url, 'GET', '/v1/products/report.csv?groupBy=type', { key });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const [head, ...rows] = r.text.trim().split('\n');
    expect(head).toBe('productType,label,currency,revenue,conversions,spend,roas,campaigns');
    // Home's ROAS 5000 / 7024.29 = 0.71182…, written with four decimals.
    expect(rows[0]).toBe('Home,Home,EUR,50.00,2,70.24,0.7118,2');
    expect(rows[1]).toBe(',,EUR,45.00,1,69.23,0.65,1');
    expect(rows[2]).toBe('Bath,Bath,EUR,8.00,1,10.53,0.76,1');

    const bad = await send(server.url, 'GET', '/v1/products/report?groupBy=colour', { key });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/groupBy/);
    const backwards = await send(server.url, 'GET', '/v1/products/report?from=2026-11-30&to=2026-11-01', { key });
    expect(backwards.status).toBe(400);
    expect(backwards.json.message).toMatch(/must not be after/);
    expect((await send(server.url, 'GET', '/v1/products/report?campaignId=cmp_nope', { key })).status).toBe(404);
    expect((await send(server.url, 'GET', '/v1/products/report')).status).toBe(401);
  });
});
