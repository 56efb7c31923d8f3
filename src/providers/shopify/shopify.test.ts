import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyRefund, matchKeys, mergeOrderVersions, revenueOf, type Order } from '../../domain/orders';
import { parseShopifyJson, parseShopifyWebhook, shopifyDedupeKey, shopifyTopic, verifyShopify } from './shopify';

const SECRET = 'shpss_test_app_secret';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
/** What Shopify puts in X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256(raw body, app secret). */
const sign = (body: Buffer | string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

function orderOf(name: string): Order {
  const r = parseShopifyWebhook('orders/create', fixture(name));
  if (r.kind !== 'order') throw new Error(JSON.stringify(r));
  return r.order;
}

describe('verifyShopify', () => {
  const body = fixture('orders-create');
  it('accepts a body signed as Shopify signs it', () => {
    expect(verifyShopify(body, { 'x-shopify-hmac-sha256': sign(body) }, SECRET)).toEqual({ ok: true });
    // Header names in any case, and the newer unprefixed header.
    expect(verifyShopify(body, { 'X-Shopify-Hmac-Sha256': sign(body) }, SECRET).ok).toBe(true);
    expect(verifyShopify(body, { 'shopify-hmac-sha256': sign(body) }, SECRET).ok).toBe(true);
  });
  it('refuses a tampered body with 401', () => {
    const tampered = Buffer.from(body.toString('utf8').replace('"69.00"', '"6.90"'));
    expect(tampered.equals(body)).toBe(false);
    const r = verifyShopify(tampered, { 'x-shopify-hmac-sha256': sign(body) }, SECRET);
    expect(r).toEqual({ ok: false, status: 401, reason: 'Shopify HMAC does not match the body' });
  });
  it('refuses a body signed with another secret, an unsigned call and a malformed signature', () => {
    expect(verifyShopify(body, { 'x-shopify-hmac-sha256': sign(body, 'other') }, SECRET).ok).toBe(false);
    expect(verifyShopify(body, {}, SECRET)).toEqual({ ok: false, status: 401, reason: 'missing Shopify HMAC header' });
    expect(verifyShopify(body, { 'x-shopify-hmac-sha256': 'not-base64!' }, SECRET).ok).toBe(false);
    expect(verifyShopify(body, { 'x-shopify-hmac-sha256': Buffer.alloc(16).toString('base64') }, SECRET).ok).toBe(false);
    expect(verifyShopify(body, { 'x-shopify-hmac-sha256': sign(body, '') }, '').ok).toBe(false);
  });
  it('accepts the old or the new secret while the app secret is rotated', () => {
    expect(verifyShopify(body, { 'x-shopify-hmac-sha256': sign(body, 'old') }, ['new', 'old']).ok).toBe(true);
  });
});

describe('shopifyDedupeKey', () => {
  it('prefers the event id, which every retry of an event shares', () => {
    expect(shopifyDedupeKey({ 'x-shopify-event-id': 'e-1', 'x-shopify-webhook-id': 'w-1' })).toBe('shopify:event:e-1');
    expect(shopifyDedupeKey({ 'X-Shopify-Webhook-Id': 'w-1' })).toBe('shopify:webhook:w-1');
    expect(shopifyDedupeKey({ 'shopify-webhook-id': 'w-2' })).toBe('shopify:webhook:w-2');
    expect(shopifyDedupeKey({})).toBeNull();
    expect(shopifyTopic({ 'X-Shopify-Topic': 'orders/create' })).toBe('orders/create');
  });
});

describe('parseShopifyWebhook: orders', () => {
  it('reads the documented order payload into a Mesure order', () => {
    const o = orderOf('orders-create');
    // The id has 18 digits, more than a double holds: it must come out exact.
    expect(o.externalId).toBe('820982911946154508');
    expect(o.name).toBe('#9999');
    expect(o.at).toBe(Date.UTC(2025, 2, 10, 8, 15, 0)); // 09:15 at +01:00
    expect(o.updatedAt).toBe(Date.UTC(2025, 2, 10, 8, 15, 2));
    expect(o.currency).toBe('EUR');
    expect(o.grossMinor).toBe(6900);
    expect(o.taxMinor).toBe(1150);
    // A taxes-included shop: shipping 6.00 holds 1.00 VAT, already in total_tax → 6.00 − 1.00 = 5.00
    expect(o.shippingMinor).toBe(500);
    // net = 69.00 − 11.50 − 5.00 = 52.50, which is the items after discount without VAT: 63.00 / 1.2 = 52.50
    expect(o.netMinor).toBe(5250);
    expect(o.discountMinor).toBe(700);
    expect(o.discountCodes).toEqual(['SPRING10']);
    expect(o.landing.clickId).toBe('AbCdEfGhIjKlMnOp');
    expect(o.landing.utmCampaign).toBe('spring-sale');
    expect(o.noteAttributes).toEqual({ gift_wrap: 'yes' });
    expect(o.itemQuantity).toBe(3); // 2 tees + 1 mug
    expect(o.cancelledAt).toBeNull();
    expect(o.customer.customerId).toBe('115310627314723954');
    expect(o.customer.address?.city).toBe('Paris');
    expect(o.customer.shippingAddress?.city).toBe('Lyon');
    expect(matchKeys(o).map((k) => `${k.kind}=${k.value}`)).toEqual([
      'customer_id=115310627314723954',
      'email=jon@example.com',
      'phone=+33612345678', // from the billing address, national form read as French
      'address=12 AVENUE VICTOR HUGO|75016|PARIS|FR',
      'address=3 RUE DE LA PAIX|69002|LYON|FR',
    ]);
  });
  it('accepts null email, phone and customer (protected customer data)', () => {
    const o = orderOf('orders-create-protected');
    expect(o.externalId).toBe('5940139491234');
    expect(o.customer).toEqual({ customerId: null, email: null, phone: null, address: null, shippingAddress: null });
    expect(matchKeys(o)).toEqual([]);
  });
  it('reads a cancellation', () => {
    const r = parseShopifyWebhook('orders/cancelled', fixture('orders-cancelled'));
    expect(r.kind).toBe('order');
    if (r.kind === 'order') {
      expect(r.order.cancelledAt).toBe(Date.UTC(2025, 2, 12, 7, 30, 0));
      expect(revenueOf(r.order, 'net')).toBe(0);
    }
  });
  it('ends in the right state when orders/updated arrives before orders/create', () => {
    const created = orderOf('orders-create');
    const updated = parseShopifyWebhook('orders/updated', fixture('orders-updated'));
    if (updated.kind !== 'order') throw new Error('not an order');
    const late = mergeOrderVersions(updated.order, created); // create applied after update
    const inOrder = mergeOrderVersions(created, updated.order);
    expect(late).toEqual(inOrder);
    expect(late.customer.phone).toBe('+33612345678');
    expect(late.updatedAt).toBe(Date.UTC(2025, 2, 11, 9, 0, 0));
  });
  it('rejects bodies it cannot read, with a reason, and ignores other topics', () => {
    expect(parseShopifyWebhook('orders/create', Buffer.from('{not json'))).toEqual({ kind: 'rejected', reason: 'body is not JSON' });
    expect(parseShopifyWebhook('orders/create', '[]')).toEqual({ kind: 'rejected', reason: 'body is not a JSON object' });
    expect(parseShopifyWebhook('orders/create', { id: 1, created_at: '2025-01-01T00:00:00Z', total_price: '1.00' })).toEqual({
      kind: 'rejected',
      reason: 'order 1 without currency',
    });
    expect(parseShopifyWebhook('orders/create', { id: 1, currency: 'EUR', created_at: '2025-01-01T00:00:00Z', total_price: '1,0.0' })).toEqual({
      kind: 'rejected',
      reason: 'order 1: unreadable total_price',
    });
    expect(parseShopifyWebhook('products/update', '{}')).toEqual({ kind: 'ignored', reason: 'topic products/update not handled' });
  });
});

describe('parseShopifyWebhook: refunds', () => {
  it('reads a refund: money returned and its net part', () => {
    const r = parseShopifyWebhook('refunds/create', fixture('refunds-create'));
    expect(r).toEqual({
      kind: 'refund',
      orderExternalId: '820982911946154508',
      // 18.00 returned for the mug, 3.00 of it VAT → net 15.00
      // The mug's line: its subtotal 18.00 (after its discount, without tax) returned.
      refund: {
        refundId: '890088186047892319', at: Date.UTC(2025, 2, 14, 15, 40, 0), amountMinor: 1800, netMinor: 1500,
        lines: [{ lineId: '141249953214522974', quantity: 1, amountMinor: 1800 }],
      },
    });
  });
  it('lowers revenue once, even when the refund also arrives inside a later order version', () => {
    const created = orderOf('orders-create');
    const r = parseShopifyWebhook('refunds/create', fixture('refunds-create'));
    if (r.kind !== 'refund') throw new Error('not a refund');
    // Shopify then sends orders/updated carrying the same refund in `refunds`.
    const body = parseShopifyJson(fixture('orders-updated')) as Record<string, unknown>;
    body.refunds = [parseShopifyJson(fixture('refunds-create'))];
    const updated = parseShopifyWebhook('orders/updated', body);
    if (updated.kind !== 'order') throw new Error('not an order');
    const final = mergeOrderVersions(applyRefund(applyRefund(created, r.refund), r.refund), updated.order);
    expect(final.refunds).toHaveLength(1);
    // net 52.50 − 15.00 = 37.50; gross 69.00 − 18.00 = 51.00
    expect(revenueOf(final, 'net')).toBe(3750);
    expect(revenueOf(final, 'gross')).toBe(5100);
  });
  it('takes shipping and its tax out of the net part of a shipping refund', () => {
    const r = parseShopifyWebhook('refunds/create', {
      id: 7,
      order_id: 9,
      created_at: '2025-03-15T10:00:00Z',
      refund_line_items: [],
      order_adjustments: [{ kind: 'shipping_refund', amount: '-5.00', tax_amount: '-1.00' }],
      transactions: [
        { kind: 'refund', status: 'success', amount: '6.00', currency: 'EUR' },
        { kind: 'refund', status: 'failure', amount: '6.00', currency: 'EUR' },
      ],
    });
    // 6.00 returned − 1.00 tax − 5.00 shipping = 0 net; the failed transaction returned nothing.
    expect(r).toMatchObject({ kind: 'refund', refund: { amountMinor: 600, netMinor: 0 } });
  });
});

describe('parseShopifyJson', () => {
  it('keeps long integers exact and leaves strings and small numbers alone', () => {
    expect(parseShopifyJson('{"id":820982911946154508,"s":"820982911946154508 x","n":-12.5e3,"k":5940139491234}')).toEqual({
      id: '820982911946154508',
      s: '820982911946154508 x',
      n: -12500,
      k: 5940139491234,
    });
    expect(parseShopifyJson('["a\\"1234567890123456789", 1234567890123456789]')).toEqual(['a"1234567890123456789', '1234567890123456789']);
  });
});

describe('line items', () => {
  it("reads each line item's ids, title, vendor, quantity, price and discounts", () => {
    const o = orderOf('orders-create');
    // Tee: 25.00 × 2, total_discount 0.00 + allocation 5.00; Mug: 20.00 × 1, 0.00 + 2.00. Ids from admin_graphql_api_id.
    expect(o.lines?.map((l) => [l.lineNo, l.lineId, l.productId, l.variantId, l.sku, l.title, l.quantity, l.unitPriceMinor, l.discountMinor])).toEqual([
      [1, '866550311766439020', '632910392', '808950810', 'TEE-NAVY-M', 'Tee', 2, 2500, 500],
      [2, '141249953214522974', '632910393', '808950811', 'MUG', 'Mug', 1, 2000, 200],
    ]);
    // The order payload carries no product type.
    expect(o.lines?.every((l) => l.productType === null)).toBe(true);
  });

  it('reads the lines a refund returns, with their subtotal', () => {
    const r = parseShopifyWebhook('refunds/create', fixture('refunds-create'));
    if (r.kind !== 'refund') throw new Error(JSON.stringify(r));
    expect(r.refund.lines).toEqual([{ lineId: '141249953214522974', quantity: 1, amountMinor: 1800 }]);
  });
});
