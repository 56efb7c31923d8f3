// Shopify order webhooks (orders/create, orders/updated, orders/cancelled, refunds/create): verify the HMAC
// Shopify signs the raw body with, name a delivery for de-duplication, and read the payload into Mesure orders.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PostalAddress } from '../../domain/contacts';
import { buildOrder, parseMoney, type Order, type OrderRefund } from '../../domain/orders';
import type { OrderLine, RefundLine } from '../../domain/orderLines';
import type { VerifyResult } from '../types';
import { replaceBadCharacters } from '../../domain/bounds';

export type Headers = Record<string, string | string[] | undefined>;

export const SHOPIFY_ORDER_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create'] as const;

export type ShopifyWebhookResult =
  | { kind: 'order'; order: Order }
  | { kind: 'refund'; orderExternalId: string; refund: OrderRefund }
  /** A topic this adapter does not handle: acknowledge (200) and count, so Shopify stops retrying. */
  | { kind: 'ignored'; reason: string }
  /** A handled topic whose body cannot be read: counted as a drop with its reason. */
  | { kind: 'rejected'; reason: string };

function headerValue(headers: Headers, ...names: string[]): string | undefined {
  for (const name of names) {
    const wanted = name.toLowerCase();
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() !== wanted || value === undefined) continue;
      const v = Array.isArray(value) ? value[0] : value;
      if (v !== undefined && v.trim() !== '') return v.trim();
    }
  }
  return undefined;
}

/**
 * Checks `X-Shopify-Hmac-Sha256` (or the newer `shopify-hmac-sha256`): the base64 HMAC-SHA256 of the raw body
 * keyed with the app's client secret. Several secrets may be given while one is being rotated (Shopify takes up
 * to an hour to switch). Unsigned and tampered calls are both 401, so the route answers without changing anything.
 */
export function verifyShopify(rawBody: Buffer | string, headers: Headers, appSecret: string | readonly string[]): VerifyResult {
  const signature = headerValue(headers, 'x-shopify-hmac-sha256', 'shopify-hmac-sha256');
  if (signature === undefined) return { ok: false, status: 401, reason: 'missing Shopify HMAC header' };
  const given = Buffer.from(signature, 'base64');
  // A base64 text that does not decode to 32 bytes cannot be an HMAC-SHA256; comparing would throw on length.
  if (given.length !== 32 || given.toString('base64') !== signature) {
    return { ok: false, status: 401, reason: 'malformed Shopify HMAC header' };
  }
  const secrets = (typeof appSecret === 'string' ? [appSecret] : appSecret).filter((s) => s !== '');
  if (secrets.length === 0) return { ok: false, status: 401, reason: 'no Shopify app secret configured' };
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    // No early exit: every configured secret is tried, so timing says nothing about which one matched.
    if (timingSafeEqual(expected, given)) match = true;
  }
  return match ? { ok: true } : { ok: false, status: 401, reason: 'Shopify HMAC does not match the body' };
}

/**
 * The key a delivery is remembered under so that a retried or duplicated webhook changes nothing:
 * `X-Shopify-Event-Id` (the same for every retry of one event), else `X-Shopify-Webhook-Id`; null when neither.
 */
export function shopifyDedupeKey(headers: Headers): string | null {
  const eventId = headerValue(headers, 'x-shopify-event-id', 'shopify-event-id');
  if (eventId !== undefined) return `shopify:event:${eventId}`;
  const webhookId = headerValue(headers, 'x-shopify-webhook-id', 'shopify-webhook-id');
  return webhookId !== undefined ? `shopify:webhook:${webhookId}` : null;
}

export function shopifyTopic(headers: Headers): string | null {
  return headerValue(headers, 'x-shopify-topic', 'shopify-topic') ?? null;
}

/**
 * JSON.parse, except that integers too long for a double (Shopify's ids, e.g. 820982911946154508) become strings
 * instead of silently losing their last digits.
 */
export function parseShopifyJson(raw: Buffer | string): unknown {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      continue;
    }
    if ((ch >= '0' && ch <= '9') || ch === '-') {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j])) j++;
      const token = text.slice(i, j);
      if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
        out += `${text.slice(last, i)}"${token}"`;
        last = j;
      }
      i = j - 1;
    }
  }
  return JSON.parse(out + text.slice(last));
}

type Json = Record<string, unknown>;
const isRecord = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const list = (x: unknown): Json[] => (Array.isArray(x) ? x.filter(isRecord) : []);
// A signed delivery is not refused for a stray NUL or lone surrogate: replaced with U+FFFD (domain/bounds.ts).
const text = (x: unknown): string | null =>
  typeof x === 'string' ? (x.trim() === '' ? null : replaceBadCharacters(x.trim())) : typeof x === 'number' && Number.isFinite(x) ? String(x) : null;

/** An id from Shopify's GraphQL id ("gid://shopify/Order/123") when present (always exact), else the numeric id. */
function shopifyId(o: Json): string | null {
  const gid = text(o.admin_graphql_api_id);
  const fromGid = gid?.match(/\/(\d+)$/)?.[1];
  return fromGid ?? text(o.id);
}

function time(x: unknown): number | null {
  const s = text(x);
  if (s === null) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** An amount in the shop's currency: `<field>_set.shop_money` when present (multi-currency shops), else `<field>`. */
function shopMoney(o: Json, field: string, currency: string): number | null {
  const set = o[`${field}_set`];
  if (isRecord(set) && isRecord(set.shop_money)) {
    const m = set.shop_money;
    const cur = text(m.currency_code) ?? currency;
    return parseMoney(text(m.amount), cur);
  }
  const plain = o[field];
  return plain === undefined || plain === null ? null : parseMoney(text(plain), currency);
}

function address(x: unknown): PostalAddress | null {
  if (!isRecord(x)) return null;
  const name = text(x.name) ?? ([text(x.first_name), text(x.last_name)].filter(Boolean).join(' ') || null);
  return {
    name,
    line1: text(x.address1),
    line2: text(x.address2),
    postalCode: text(x.zip),
    city: text(x.city),
    country: text(x.country_code) ?? text(x.country),
  };
}

/**
 * One refund object (the body of refunds/create, or an element of an order's `refunds`). Money returned is the sum
 * of successful `refund` transactions; its net part is that minus the tax refunded (line items and adjustments)
 * and the shipping refunded (`shipping_refund` adjustments), kept within [0, amount].
 */
export function parseShopifyRefund(r: Json, fallbackCurrency: string | null): { orderExternalId: string | null; refund: OrderRefund } | { error: string } {
  const refundId = shopifyId(r);
  if (refundId === null) return { error: 'refund without id' };
  const at = time(r.processed_at) ?? time(r.created_at);
  if (at === null) return { error: `refund ${refundId} without a readable created_at` };
  const lineItems = list(r.refund_line_items);
  const currency =
    fallbackCurrency ??
    lineItems.map((li) => (isRecord(li.subtotal_set) && isRecord(li.subtotal_set.shop_money) ? text(li.subtotal_set.shop_money.currency_code) : null)).find(Boolean) ??
    list(r.transactions).map((t) => text(t.currency)).find(Boolean) ??
    null;
  if (currency === null) return { error: `refund ${refundId} without a currency` };

  let amount = 0;
  for (const t of list(r.transactions)) {
    if (text(t.kind) !== 'refund' || text(t.status) !== 'success') continue;
    const v = parseMoney(text(t.amount), text(t.currency) ?? currency);
    if (v === null) return { error: `refund ${refundId}: unreadable transaction amount` };
    amount += v;
  }
  let tax = 0;
  for (const li of lineItems) tax += shopMoney(li, 'total_tax', currency) ?? 0;
  let shipping = 0;
  for (const adj of list(r.order_adjustments)) {
    tax += Math.abs(shopMoney(adj, 'tax_amount', currency) ?? 0);
    if (text(adj.kind) === 'shipping_refund') shipping += Math.abs(shopMoney(adj, 'amount', currency) ?? 0);
  }
  const net = Math.min(amount, Math.max(0, amount - tax - shipping));
  // Each returned line: its `subtotal` is the money returned for it after its discounts, without tax.
  const lines: RefundLine[] = [];
  for (const li of lineItems) {
    const lineId = text(li.line_item_id);
    if (lineId === null) continue;
    lines.push({ lineId, quantity: typeof li.quantity === 'number' ? li.quantity : 0, amountMinor: Math.max(0, shopMoney(li, 'subtotal', currency) ?? 0) });
  }
  return { orderExternalId: text(r.order_id), refund: { refundId, at, amountMinor: amount, netMinor: net, ...(lines.length ? { lines } : {}) } };
}

/**
 * The order's `line_items`. Shopify's order payload carries the product and variant ids, title, SKU, vendor,
 * quantity and unit price; its discounts are `discount_allocations` (one per discount applied to the line) and the
 * older `total_discount` (set only by draft orders, scripts and the API), both taken off: what the line sold for is
 * price × quantity − total_discount − Σ discount_allocations. The order payload has no product type (it is on the
 * product); a `product_type` on the line (some apps add it) is read when present.
 */
function shopifyLines(o: Json, currency: string): OrderLine[] | { error: string } {
  const out: OrderLine[] = [];
  for (const li of list(o.line_items)) {
    const quantity = typeof li.quantity === 'number' ? li.quantity : Number(text(li.quantity) ?? NaN);
    const price = shopMoney(li, 'price', currency);
    if (!Number.isSafeInteger(quantity) || price === null) return { error: `line item ${text(li.id) ?? out.length + 1}: unreadable quantity or price` };
    let discount = shopMoney(li, 'total_discount', currency) ?? 0;
    for (const a of list(li.discount_allocations)) discount += shopMoney(a, 'amount', currency) ?? 0;
    out.push({
      lineNo: out.length + 1,
      lineId: shopifyId(li),
      productId: text(li.product_id),
      variantId: text(li.variant_id),
      sku: text(li.sku),
      title: text(li.title) ?? text(li.name) ?? `line ${out.length + 1}`,
      productType: text(li.product_type),
      vendor: text(li.vendor),
      quantity,
      unitPriceMinor: price,
      discountMinor: discount,
    });
  }
  return out;
}

/** An order payload (orders/create, orders/updated, orders/cancelled all carry the whole order). */
export function parseShopifyOrder(o: Json): { ok: true; order: Order } | { ok: false; reason: string } {
  const id = shopifyId(o);
  if (id === null) return { ok: false, reason: 'order without id' };
  const currency = text(o.currency);
  if (currency === null) return { ok: false, reason: `order ${id} without currency` };
  const at = time(o.created_at) ?? time(o.processed_at);
  if (at === null) return { ok: false, reason: `order ${id} without a readable created_at` };

  const gross = shopMoney(o, 'total_price', currency);
  if (gross === null) return { ok: false, reason: `order ${id}: unreadable total_price` };
  const tax = shopMoney(o, 'total_tax', currency) ?? 0;
  let shipping = shopMoney(o, 'total_shipping_price', currency);
  if (shipping === null) {
    shipping = 0;
    for (const line of list(o.shipping_lines)) shipping += shopMoney(line, 'discounted_price', currency) ?? shopMoney(line, 'price', currency) ?? 0;
  }
  // In a taxes-included shop the shipping price contains its tax, which total_tax also counts: take it out so that
  // gross − tax − shipping is the items' net value, as for every other shop.
  if (o.taxes_included === true) {
    for (const line of list(o.shipping_lines)) for (const tl of list(line.tax_lines)) shipping -= shopMoney(tl, 'price', currency) ?? 0;
    shipping = Math.max(0, shipping);
  }

  const refunds: OrderRefund[] = [];
  for (const r of list(o.refunds)) {
    const parsed = parseShopifyRefund(r, currency);
    if ('error' in parsed) return { ok: false, reason: `order ${id}: ${parsed.error}` };
    refunds.push(parsed.refund);
  }
  const lines = shopifyLines(o, currency);
  if ('error' in lines) return { ok: false, reason: `order ${id}: ${lines.error}` };
  const noteAttributes: Record<string, string> = {};
  for (const na of list(o.note_attributes)) {
    const name = text(na.name);
    if (name !== null) noteAttributes[name] = replaceBadCharacters(typeof na.value === 'string' ? na.value : String(na.value ?? ''));
  }
  const customer = isRecord(o.customer) ? o.customer : null;
  const billing = address(o.billing_address);
  const shippingAddress = address(o.shipping_address);
  const phone =
    text(o.phone) ?? (customer && text(customer.phone)) ?? (isRecord(o.billing_address) ? text(o.billing_address.phone) : null) ??
    (isRecord(o.shipping_address) ? text(o.shipping_address.phone) : null);

  const built = buildOrder({
    externalId: id,
    source: 'shopify',
    name: text(o.name),
    at,
    updatedAt: time(o.updated_at) ?? at,
    currency,
    grossMinor: gross,
    taxMinor: tax,
    shippingMinor: shipping,
    discountMinor: shopMoney(o, 'total_discounts', currency) ?? 0,
    discountCodes: list(o.discount_codes).map((d) => text(d.code)).filter((c): c is string => c !== null),
    landingSite: text(o.landing_site),
    noteAttributes,
    customer: {
      customerId: customer ? shopifyId(customer) : null,
      email: text(o.email) ?? text(o.contact_email) ?? (customer && text(customer.email)),
      phone,
      address: billing ?? shippingAddress,
      shippingAddress,
    },
    itemQuantity: list(o.line_items).reduce((sum, li) => sum + (typeof li.quantity === 'number' ? li.quantity : 0), 0),
    cancelledAt: time(o.cancelled_at),
    refunds,
    lines,
  });
  return built.ok ? built : { ok: false, reason: `order ${id}: ${built.reason}` };
}

/** Reads one webhook body for its topic. Never throws. `body` is the raw body or the already-parsed JSON. */
export function parseShopifyWebhook(topic: string, body: Buffer | string | unknown): ShopifyWebhookResult {
  if (!(SHOPIFY_ORDER_TOPICS as readonly string[]).includes(topic)) return { kind: 'ignored', reason: `topic ${topic} not handled` };
  let json: unknown = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      json = parseShopifyJson(body);
    } catch {
      return { kind: 'rejected', reason: 'body is not JSON' };
    }
  }
  if (!isRecord(json)) return { kind: 'rejected', reason: 'body is not a JSON object' };
  if (topic === 'refunds/create') {
    const parsed = parseShopifyRefund(json, null);
    if ('error' in parsed) return { kind: 'rejected', reason: parsed.error };
    if (parsed.orderExternalId === null) return { kind: 'rejected', reason: `refund ${parsed.refund.refundId} without order_id` };
    return { kind: 'refund', orderExternalId: parsed.orderExternalId, refund: parsed.refund };
  }
  const parsed = parseShopifyOrder(json);
  return parsed.ok ? { kind: 'order', order: parsed.order } : { kind: 'rejected', reason: parsed.reason };
}
