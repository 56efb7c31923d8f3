// The normalized order every source (Shopify webhooks, CSV files, the API) produces, exact money parsing, the
// revenue an order counts for (net of refunds and cancellations), and which contact bought it.

import { parseClickId } from '../tracking/utm';
import { normalizeAddress, normalizeEmail, normalizePhone, type PostalAddress } from './contacts';
import { LINE_STRING_LIMITS, MAX_ORDER_LINES, type OrderLine, type RefundLine } from './orderLines';
import { badCharacter, moneyProblem, plannedTimeProblem } from './bounds';
import { currencyExponent } from './currencyUnits';
import { cleanDeclared, DECLARED_MAX_LENGTH } from './declared';

export type OrderSource = 'shopify' | 'csv' | 'api';
export type RevenueBasis = 'net' | 'gross';

/** What the order's landing URL names: Mesure's click id (`mesure_cid`) and the UTM parameters. */
export interface OrderLanding {
  /** The landing URL as the shop reported it (path or absolute URL). */
  site: string | null;
  clickId: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
}

export interface OrderCustomer {
  /** The shop's customer id, as a string ("7390834542890"). */
  customerId: string | null;
  email: string | null;
  phone: string | null;
  /** Billing address (falls back to the shipping address when the order has no billing address). */
  address: PostalAddress | null;
  shippingAddress: PostalAddress | null;
}

/**
 * One refund of an order. `amountMinor` is the money returned to the buyer (with tax and any refunded shipping);
 * `netMinor` is the part of it that reduces net revenue (without tax and shipping), or null when the source does
 * not say (a CSV's "Refunded Amount"): then it is prorated by the order's net / gross ratio.
 */
export interface OrderRefund {
  refundId: string;
  at: number;
  amountMinor: number;
  netMinor: number | null;
  /** The lines it returns (units and money), when the source says: they reduce those lines' revenue (orderLines.ts). */
  lines?: RefundLine[];
}

export interface Order {
  /** The shop's id of the order (Shopify's numeric id, or the CSV's order number): unique per account and source. */
  externalId: string;
  source: OrderSource;
  /** Human label ("#1001"), for display only. */
  name: string | null;
  /** When the order was placed (epoch ms): the time touches are measured against. */
  at: number;
  /** The version of the order (Shopify's `updated_at`): the newest version wins, see mergeOrderVersions. */
  updatedAt: number;
  /** ISO 4217 code of every money field below. */
  currency: string;
  /** Total paid: items after discounts + shipping + tax (+ duties). */
  grossMinor: number;
  taxMinor: number;
  /** Shipping charged, without its tax when the source tells it apart. */
  shippingMinor: number;
  /** Net revenue = gross − tax − shipping (never below 0): the items after discounts, without tax. */
  netMinor: number;
  discountMinor: number;
  /** Codes as typed by the buyer, upper-cased and trimmed, without duplicates. */
  discountCodes: string[];
  landing: OrderLanding;
  noteAttributes: Record<string, string>;
  /**
   * What the buyer said brought them ("how did you hear about us"), as they wrote it (cleanDeclared): given by the
   * API or a CSV column; null when not given, and then the service reads the account's note attributes.
   */
  declaredSource: string | null;
  customer: OrderCustomer;
  itemQuantity: number;
  cancelledAt: number | null;
  refunds: OrderRefund[];
  /** What was bought (orderLines.ts); absent when the source did not say (a later version keeps the stored lines). */
  lines?: OrderLine[];
}

// ---------------------------------------------------------------------------------------------------------------
// Money

/** ISO 4217 minor-unit exponents that are not 2. Any other well-formed code has 2 decimals. */

export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

export interface MoneyFormat {
  /** '.' (default: Shopify, "1,234.50") or ',' (German and French exports, "1.234,50"). */
  decimalSeparator?: '.' | ',';
}

/**
 * A decimal amount written as text ("59.99", "-5", "1,234.50") to integer minor units of `currency`, exactly
 * (string arithmetic, no floats). Rules:
 * - fewer decimals than the currency has are padded ("59.9" EUR → 5990); more are accepted only when the extra
 *   digits are zeros ("500.00" JPY → 500), otherwise null (the amount is not a whole number of minor units);
 * - the other separator than the decimal one is a thousands separator, accepted only in groups of three
 *   ("1,234.50" → 123450; "1,23.50" → null); spaces inside the number are refused;
 * - an empty or non-numeric text, or an unknown currency code, gives null.
 */
export function parseMoney(raw: string | number | null | undefined, currency: string, format: MoneyFormat = {}): number | null {
  if (raw === null || raw === undefined) return null;
  if (!isCurrencyCode(currency.toUpperCase())) return null;
  const decimal = format.decimalSeparator ?? '.';
  const group = decimal === '.' ? ',' : '.';
  // JSON numbers (an API client sending 59.99) are read through their shortest decimal text, which is exact for
  // what the client wrote.
  const text = (typeof raw === 'number' ? (Number.isFinite(raw) ? String(raw) : '') : raw).trim();
  const escape = (c: string) => (c === '.' ? '\\.' : c);
  const pattern = new RegExp(
    `^([+-]?)(\\d{1,3}(?:${escape(group)}\\d{3})+|\\d+)?(?:${escape(decimal)}(\\d*))?$`,
  );
  const m = pattern.exec(text);
  if (!m) return null;
  const [, sign, intPart = '', fracPart = ''] = m;
  if (intPart === '' && fracPart === '') return null;
  const exponent = currencyExponent(currency);
  const extra = fracPart.slice(exponent);
  if (/[^0]/.test(extra)) return null;
  const digits = (intPart.split(group).join('') || '0') + fracPart.slice(0, exponent).padEnd(exponent, '0');
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) return null;
  return sign === '-' && value !== 0 ? -value : value;
}

/** Minor units back to the decimal text parseMoney reads ("59.99"), for exports and messages. */
export function formatMinor(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Net revenue as this module defines it: gross − tax − shipping, floored at 0 (a free order earns nothing). */
export function netRevenueMinor(grossMinor: number, taxMinor: number, shippingMinor: number): number {
  return Math.max(0, grossMinor - taxMinor - shippingMinor);
}

// ---------------------------------------------------------------------------------------------------------------
// Building an order

/** What a source knows about an order; buildOrder fills the derived fields. */
export interface OrderInput {
  externalId: string;
  source: OrderSource;
  name?: string | null;
  at: number;
  updatedAt?: number | null;
  currency: string;
  grossMinor: number;
  taxMinor?: number;
  shippingMinor?: number;
  discountMinor?: number;
  discountCodes?: string[];
  landingSite?: string | null;
  noteAttributes?: Record<string, string>;
  declaredSource?: string | null;
  customer?: Partial<OrderCustomer>;
  itemQuantity?: number;
  cancelledAt?: number | null;
  refunds?: OrderRefund[];
  lines?: OrderLine[];
}

export type OrderCheck = { ok: true; order: Order } | { ok: false; reason: string };

function blankToNull(s: string | null | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}

export function emptyLanding(site: string | null = null): OrderLanding {
  return { site, clickId: null, utmSource: null, utmMedium: null, utmCampaign: null, utmContent: null };
}

/** The click id and UTM parameters of a landing URL; a URL without them gives nulls. */
export function landingOf(site: string | null | undefined): OrderLanding {
  const s = blankToNull(site);
  if (s === null) return emptyLanding();
  return { site: s, ...parseClickId(s) };
}

export function normalizeDiscountCodes(codes: readonly string[]): string[] {
  const out: string[] = [];
  for (const c of codes) {
    const code = c.trim().toUpperCase();
    if (code !== '' && !out.includes(code)) out.push(code);
  }
  return out;
}

/** Checks an order's facts and derives net revenue and the landing attribution. Never throws. */
/** Most items one order may count. */
export const MAX_ITEM_QUANTITY = 1_000_000;

/** Longest value of each string of an order: the API's order schema says the same (a test holds them equal). */
export const ORDER_STRING_LIMITS = {
  id: 200, name: 200, discountCode: 100, landingSite: 4000, noteKey: 200, noteValue: 2000, customerId: 200, email: 320, phone: 40,
  addressName: 200, line1: 300, line2: 300, postalCode: 20, city: 100, country: 60, refundId: 200,
} as const;
const MAX_DISCOUNT_CODES = 50;
const MAX_NOTE_ATTRIBUTES = 100;
const MAX_REFUNDS = 100;

/**
 * The bounds every path into orders shares (API, CSV import, Shopify): string lengths, characters, times within
 * 2000–2099, list sizes. Null when the order is within them, else the first problem.
 */
function orderBoundsProblem(input: OrderInput, externalId: string): string | null {
  const L = ORDER_STRING_LIMITS;
  const c = input.customer ?? {};
  const strings: [string, string | null | undefined, number][] = [
    ['order id', externalId, L.id], ['order name', input.name, L.name], ['landing site', input.landingSite, L.landingSite],
    ['customer id', c.customerId, L.customerId], ['email', c.email, L.email], ['phone', c.phone, L.phone],
    ['declared source', cleanDeclared(input.declaredSource), DECLARED_MAX_LENGTH],
  ];
  for (const [label, a] of [['address', c.address], ['shipping address', c.shippingAddress]] as const) {
    if (!a) continue;
    strings.push([`${label} name`, a.name, L.addressName], [`${label} line 1`, a.line1, L.line1], [`${label} line 2`, a.line2, L.line2],
      [`${label} postal code`, a.postalCode, L.postalCode], [`${label} city`, a.city, L.city], [`${label} country`, a.country, L.country]);
  }
  const codes = input.discountCodes ?? [];
  if (codes.length > MAX_DISCOUNT_CODES) return `more than ${MAX_DISCOUNT_CODES} discount codes`;
  for (const code of codes) strings.push(['discount code', code, L.discountCode]);
  const notes = Object.entries(input.noteAttributes ?? {});
  if (notes.length > MAX_NOTE_ATTRIBUTES) return `more than ${MAX_NOTE_ATTRIBUTES} note attributes`;
  for (const [k, v] of notes) strings.push(['note attribute name', k, L.noteKey], [`note attribute ${k.slice(0, 40)}`, v, L.noteValue]);
  const refunds = input.refunds ?? [];
  if (refunds.length > MAX_REFUNDS) return `more than ${MAX_REFUNDS} refunds`;
  for (const r of refunds) strings.push(['refund id', r.refundId, L.refundId]);
  const lines = input.lines ?? [];
  if (lines.length > MAX_ORDER_LINES) return `more than ${MAX_ORDER_LINES} lines`;
  const LL = LINE_STRING_LIMITS;
  for (const l of lines) {
    strings.push([`line ${l.lineNo} id`, l.lineId, LL.lineId], [`line ${l.lineNo} product id`, l.productId, LL.productId], [`line ${l.lineNo} variant id`, l.variantId, LL.variantId],
      [`line ${l.lineNo} SKU`, l.sku, LL.sku], [`line ${l.lineNo} title`, l.title, LL.title], [`line ${l.lineNo} product type`, l.productType, LL.productType],
      [`line ${l.lineNo} vendor`, l.vendor, LL.vendor]);
  }
  for (const r of refunds) for (const rl of r.lines ?? []) strings.push(['refund line id', rl.lineId, LL.lineId]);
  for (const [label, v, max] of strings) {
    if (typeof v !== 'string') continue;
    if (v.length > max) return `${label} is ${v.length} characters long; at most ${max}`;
    const bad = badCharacter(v);
    if (bad) return `${label} ${bad}`;
  }
  const times: [string, number | null | undefined][] = [['order time', input.at], ['update time', input.updatedAt], ['cancellation time', input.cancelledAt]];
  for (const r of refunds) times.push([`refund ${r.refundId} time`, r.at]);
  for (const [label, t] of times) {
    const problem = t === null || t === undefined ? null : plannedTimeProblem(t);
    if (problem) return `${label} ${problem}`;
  }
  return null;
}

export function buildOrder(input: OrderInput): OrderCheck {
  const fail = (reason: string): OrderCheck => ({ ok: false, reason });
  const externalId = blankToNull(input.externalId);
  if (externalId === null) return fail('missing order id');
  const currency = input.currency.trim().toUpperCase();
  if (!isCurrencyCode(currency)) return fail(`invalid currency "${input.currency}"`);
  if (!Number.isFinite(input.at)) return fail('missing or invalid order time');
  const money: [string, number | undefined][] = [
    ['total', input.grossMinor],
    ['tax', input.taxMinor],
    ['shipping', input.shippingMinor],
    ['discount', input.discountMinor],
  ];
  for (const [label, v] of money) {
    const problem = v === undefined ? null : moneyProblem(v);
    if (problem) return fail(`invalid ${label} amount: ${problem}`);
  }
  const taxMinor = input.taxMinor ?? 0;
  const shippingMinor = input.shippingMinor ?? 0;
  const itemQuantity = input.itemQuantity ?? 0;
  if (!Number.isSafeInteger(itemQuantity) || itemQuantity < 0 || itemQuantity > MAX_ITEM_QUANTITY) return fail(`invalid item quantity (a whole number from 0 to ${MAX_ITEM_QUANTITY})`);
  for (const r of input.refunds ?? []) {
    const problem = moneyProblem(r.amountMinor) ?? (r.netMinor === null || r.netMinor === undefined ? null : moneyProblem(r.netMinor));
    if (problem) return fail(`invalid refund amount (${r.refundId}): ${problem}`);
  }
  for (const l of input.lines ?? []) {
    if (!Number.isSafeInteger(l.quantity) || l.quantity < 0 || l.quantity > MAX_ITEM_QUANTITY) return fail(`line ${l.lineNo}: invalid quantity (a whole number from 0 to ${MAX_ITEM_QUANTITY})`);
    const problem = moneyProblem(l.unitPriceMinor) ?? moneyProblem(l.discountMinor);
    if (problem) return fail(`line ${l.lineNo}: invalid amount: ${problem}`);
    if (l.title.trim() === '') return fail(`line ${l.lineNo}: missing title`);
  }
  for (const r of input.refunds ?? []) {
    for (const rl of r.lines ?? []) {
      const problem = moneyProblem(rl.amountMinor) ?? (Number.isSafeInteger(rl.quantity) && rl.quantity >= 0 ? null : 'invalid quantity');
      if (problem) return fail(`refund ${r.refundId}, line ${rl.lineId}: ${problem}`);
    }
  }
  const c = input.customer ?? {};
  const bounds = orderBoundsProblem(input, externalId);
  if (bounds) return fail(bounds);
  return {
    ok: true,
    order: {
      externalId,
      source: input.source,
      name: blankToNull(input.name),
      at: input.at,
      updatedAt: input.updatedAt ?? input.at,
      currency,
      grossMinor: input.grossMinor,
      taxMinor,
      shippingMinor,
      netMinor: netRevenueMinor(input.grossMinor, taxMinor, shippingMinor),
      discountMinor: input.discountMinor ?? 0,
      discountCodes: normalizeDiscountCodes(input.discountCodes ?? []),
      landing: landingOf(input.landingSite),
      noteAttributes: { ...(input.noteAttributes ?? {}) },
      declaredSource: cleanDeclared(input.declaredSource),
      customer: {
        customerId: blankToNull(c.customerId),
        email: blankToNull(c.email),
        phone: blankToNull(c.phone),
        address: c.address ?? c.shippingAddress ?? null,
        shippingAddress: c.shippingAddress ?? null,
      },
      itemQuantity,
      cancelledAt: input.cancelledAt ?? null,
      refunds: sortRefunds(dedupeRefunds(input.refunds ?? [])),
      ...(input.lines ? { lines: input.lines.map((l, i) => ({ ...l, lineNo: i + 1 })) } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Versions and refunds

function sortRefunds(refunds: OrderRefund[]): OrderRefund[] {
  return [...refunds].sort((a, b) => a.at - b.at || (a.refundId < b.refundId ? -1 : a.refundId > b.refundId ? 1 : 0));
}

/** The same refund reported twice (webhook retry, embedded in a later order version) counts once. */
function dedupeRefunds(refunds: readonly OrderRefund[]): OrderRefund[] {
  const byId = new Map<string, OrderRefund>();
  for (const r of refunds) {
    const seen = byId.get(r.refundId);
    // Two copies of one refund should be identical; if not, keep a deterministic one (the larger, then the later)
    // so that merging in any order gives the same result.
    if (!seen || preferRefund(r, seen)) byId.set(r.refundId, r);
  }
  return [...byId.values()];
}

function preferRefund(a: OrderRefund, b: OrderRefund): boolean {
  if (a.amountMinor !== b.amountMinor) return a.amountMinor > b.amountMinor;
  if (a.at !== b.at) return a.at > b.at;
  return (a.netMinor ?? -1) > (b.netMinor ?? -1);
}

/** Adds a refund to an order; a refund id already there changes nothing. */
export function applyRefund(order: Order, refund: OrderRefund): Order {
  return { ...order, refunds: sortRefunds(dedupeRefunds([...order.refunds, refund])) };
}

/** Total money returned to the buyer. */
export function refundedMinor(order: Order): number {
  return order.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
}

/**
 * Two versions of the same order (e.g. an `orders/updated` that arrived before `orders/create`) to the state the
 * shop has now: the fields of the newest version by `updatedAt`, and the refunds of both, each refund id once.
 * Commutative and associative, so deliveries in any order end in the same state. On equal `updatedAt` a cancelled
 * version wins (Shopify may send `orders/cancelled` and `orders/updated` stamped the same second).
 */
export function mergeOrderVersions(a: Order, b: Order): Order {
  const newest = newerVersion(a, b) ? a : b;
  return { ...newest, refunds: sortRefunds(dedupeRefunds([...a.refunds, ...b.refunds])) };
}

function newerVersion(a: Order, b: Order): boolean {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  if ((a.cancelledAt === null) !== (b.cancelledAt === null)) return a.cancelledAt !== null;
  // Same stamp, same cancellation: pick by content so the choice does not depend on arrival order.
  return stableKey(a) >= stableKey(b);
}

function stableKey(o: Order): string {
  return JSON.stringify({ ...o, refunds: [] });
}

// ---------------------------------------------------------------------------------------------------------------
// Revenue

/**
 * The revenue an order counts for, in its own currency's minor units:
 * - a cancelled order: 0;
 * - gross basis: gross − money refunded;
 * - net basis: net − the net part of refunds (a refund's `netMinor`, or when unknown its amount × net / gross,
 *   rounded half up);
 * never below 0.
 */
export function revenueOf(order: Order, basis: RevenueBasis): number {
  if (order.cancelledAt !== null) return 0;
  if (basis === 'gross') return Math.max(0, order.grossMinor - refundedMinor(order));
  let known = 0;
  let unknown = 0;
  for (const r of order.refunds) {
    if (r.netMinor === null) unknown += r.amountMinor;
    else known += r.netMinor;
  }
  const prorated = order.grossMinor === 0 ? 0 : divRoundHalfUp(BigInt(unknown) * BigInt(order.netMinor), BigInt(order.grossMinor));
  return Math.max(0, order.netMinor - known - prorated);
}

/** Rounds n / d (d > 0, n ≥ 0) half up, in exact integer arithmetic. */
function divRoundHalfUp(n: bigint, d: bigint): number {
  return Number((2n * n + d) / (2n * d));
}

// ---------------------------------------------------------------------------------------------------------------
// Who bought

export type MatchKeyKind = 'customer_id' | 'email' | 'phone' | 'address';
export interface MatchKey {
  kind: MatchKeyKind;
  value: string;
}

/**
 * The keys an order is matched to a contact by, strongest first: the shop's customer id, the normalized email,
 * the E.164 phone, then the normalized postal addresses (billing, then shipping when different; for letters).
 * Values that do not normalize are left out. `defaultCountry` reads national phone numbers ("06 12 34 56 78").
 */
export function matchKeys(order: Order, defaultCountry?: string): MatchKey[] {
  const keys: MatchKey[] = [];
  const add = (kind: MatchKeyKind, value: string | null) => {
    if (value !== null && !keys.some((k) => k.kind === kind && k.value === value)) keys.push({ kind, value });
  };
  const c = order.customer;
  add('customer_id', c.customerId);
  add('email', normalizeEmail(c.email));
  const addressCountry = c.address?.country?.trim().toUpperCase() ?? '';
  add('phone', normalizePhone(c.phone, defaultCountry ?? (/^[A-Z]{2}$/.test(addressCountry) ? addressCountry : undefined)));
  add('address', normalizeAddress(c.address));
  add('address', normalizeAddress(c.shippingAddress));
  return keys;
}

export interface ContactMatch<T> {
  contact: T;
  matchedBy: MatchKey;
}

/** The first key (in matchKeys order) that `lookup` finds a contact for, and which key it was; null when none. */
export function matchContact<T>(
  order: Order,
  lookup: (key: MatchKey) => T | null | undefined,
  defaultCountry?: string,
): ContactMatch<T> | null {
  for (const key of matchKeys(order, defaultCountry)) {
    const contact = lookup(key);
    if (contact !== null && contact !== undefined) return { contact, matchedBy: key };
  }
  return null;
}
