// Conversions other than orders (a sign-up, a booking, a store visit, a reply "OUI"): what one is, how a CSV row
// becomes one, and the fingerprint that tells a retry (same idempotency key, same body) from a different conversion
// sent under a reused key. Pure; the service (src/services/conversions.ts) stores and credits them.
import { createHash } from 'node:crypto';
import { isCurrencyCode, parseMoney } from './orders';
import { parseCsvTime, type CsvRow } from './orderCsv';

/** A short slug the account defines by using it: lower-case letters, digits, `_` and `-`, 1–40 characters. */
export const CONVERSION_TYPE_PATTERN = '^[a-z0-9][a-z0-9_-]{0,39}$';
const TYPE_RE = new RegExp(CONVERSION_TYPE_PATTERN);

export interface ConversionInput {
  type: string;
  /** Epoch ms. */
  at: number;
  idempotencyKey: string;
  customer: { customerId: string | null; email: string | null; phone: string | null };
  /** Minor units of `currency`; null: no value (a sign-up). */
  valueMinor: number | null;
  currency: string | null;
}

export type ConversionCheck = { ok: true; conversion: ConversionInput } | { ok: false; field: string; reason: string };

/** Checks what the schema cannot: the type's shape, a currency only with a value and in the shape of an ISO 4217 code. */
export function checkConversion(c: ConversionInput): ConversionCheck {
  if (!TYPE_RE.test(c.type)) return { ok: false, field: 'type', reason: `type "${c.type}" is not a slug (a–z, 0–9, _ and -, up to 40 characters)` };
  if (!Number.isFinite(c.at)) return { ok: false, field: 'occurredAt', reason: 'unreadable time' };
  if (c.idempotencyKey.trim() === '') return { ok: false, field: 'idempotencyKey', reason: 'empty idempotency key' };
  if (c.valueMinor === null && c.currency !== null) return { ok: false, field: 'currency', reason: 'a currency is given without a value' };
  if (c.currency !== null && !isCurrencyCode(c.currency.toUpperCase())) return { ok: false, field: 'currency', reason: `not a currency code: "${c.currency}"` };
  return { ok: true, conversion: { ...c, currency: c.currency === null ? null : c.currency.toUpperCase() } };
}

/**
 * The fingerprint of what was sent under an idempotency key: type, time, identifiers and value as given (after
 * trimming). Two requests with one key are the same conversion when their fingerprints are equal.
 */
export function conversionFingerprint(c: ConversionInput): string {
  const t = (s: string | null) => (s === null ? null : s.trim());
  const canonical = [c.type, c.at, t(c.customer.customerId), t(c.customer.email)?.toLowerCase() ?? null, t(c.customer.phone), c.valueMinor, c.currency];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/**
 * The CSV file's columns (header names, matched case-insensitively after trimming): these three, and optionally
 * `email, phone, customer_id, value, currency`.
 */
export const REQUIRED_CONVERSION_COLUMNS = ['type', 'occurred_at', 'idempotency_key'] as const;

export type ConversionCsvResult = { kind: 'conversion'; line: number; conversion: ConversionInput } | { kind: 'rejected'; line: number; reason: string };

/**
 * One row of a conversions file: `type, occurred_at, idempotency_key` required; `email, phone, customer_id, value,
 * currency` optional (a value without currency is in `defaultCurrency`). Times without an offset are read in
 * `timeZone`, as the order files' are. A rejection names the column and the value at fault.
 */
export function mapConversionCsvRow(row: CsvRow, line: number, opts: { timeZone: string; defaultCurrency: string; decimalSeparator?: '.' | ',' }): ConversionCsvResult {
  const cell = (name: string) => {
    const v = row[name]?.trim();
    return v === undefined || v === '' ? null : v;
  };
  const type = cell('type');
  if (type === null) return { kind: 'rejected', line, reason: 'empty type in column type' };
  const rawAt = cell('occurred_at');
  const at = rawAt === null ? null : parseCsvTime(rawAt, opts.timeZone);
  if (at === null) return { kind: 'rejected', line, reason: `unreadable time "${rawAt ?? ''}" in column occurred_at` };
  const key = cell('idempotency_key');
  if (key === null) return { kind: 'rejected', line, reason: 'empty idempotency key in column idempotency_key' };
  const rawValue = cell('value');
  const currency = (cell('currency') ?? (rawValue === null ? null : opts.defaultCurrency))?.toUpperCase() ?? null;
  if (currency !== null && !isCurrencyCode(currency)) return { kind: 'rejected', line, reason: `not a currency code: "${currency}" in column currency` };
  let valueMinor: number | null = null;
  if (rawValue !== null) {
    valueMinor = parseMoney(rawValue, currency!, { decimalSeparator: opts.decimalSeparator ?? '.' });
    if (valueMinor === null || valueMinor < 0) return { kind: 'rejected', line, reason: `invalid amount "${rawValue}" in column value` };
  }
  const c = checkConversion({
    type, at, idempotencyKey: key, customer: { customerId: cell('customer_id'), email: cell('email'), phone: cell('phone') }, valueMinor, currency,
  });
  if (!c.ok) return { kind: 'rejected', line, reason: `${c.reason} in column ${c.field === 'occurredAt' ? 'occurred_at' : c.field}` };
  return { kind: 'conversion', line, conversion: c.conversion };
}
