import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkConversion, conversionFingerprint, mapConversionCsvRow, type ConversionInput } from './conversions';

const base: ConversionInput = {
  type: 'signup', at: Date.parse('2026-11-20T10:00:00Z'), idempotencyKey: 'k-1',
  customer: { customerId: null, email: 'ana@example.com', phone: null }, valueMinor: null, currency: null,
};
const opts = { timeZone: 'Europe/Paris', defaultCurrency: 'EUR' };

describe('checkConversion', () => {
  it('takes a slug type and upper-cases the currency', () => {
    expect(checkConversion({ ...base, valueMinor: 100, currency: 'eur' })).toEqual({ ok: true, conversion: { ...base, valueMinor: 100, currency: 'EUR' } });
  });
  it('refuses a type that is not a slug, a currency without a value, an unknown currency', () => {
    expect(checkConversion({ ...base, type: 'Sign up' })).toMatchObject({ ok: false, field: 'type' });
    expect(checkConversion({ ...base, currency: 'EUR' })).toEqual({ ok: false, field: 'currency', reason: 'a currency is given without a value' });
    expect(checkConversion({ ...base, valueMinor: 1, currency: 'EU' })).toEqual({ ok: false, field: 'currency', reason: 'not a currency code: "EU"' });
  });
});

describe('conversionFingerprint', () => {
  it('is the same for the same conversion written with other spaces or e-mail case, and differs with any field', () => {
    const f = conversionFingerprint(base);
    expect(conversionFingerprint({ ...base, customer: { ...base.customer, email: ' ANA@example.com ' } })).toBe(f);
    expect(conversionFingerprint({ ...base, type: 'booking' })).not.toBe(f);
    expect(conversionFingerprint({ ...base, at: base.at + 1 })).not.toBe(f);
    expect(conversionFingerprint({ ...base, valueMinor: 0, currency: 'EUR' })).not.toBe(f);
    // The key itself is not part of it: the key names the request, the fingerprint its content.
    expect(conversionFingerprint({ ...base, idempotencyKey: 'k-2' })).toBe(f);
  });
  it('law: two conversions have one fingerprint exactly when their trimmed contents are equal', () => {
    const conv = fc.record({
      type: fc.constantFrom('signup', 'booking'), at: fc.integer({ min: 0, max: 3 }),
      email: fc.constantFrom(null, 'a@x.fr', 'b@x.fr'), valueMinor: fc.constantFrom(null, 0, 100),
    });
    fc.assert(fc.property(conv, conv, (a, b) => {
      const make = (c: typeof a): ConversionInput => ({ ...base, type: c.type, at: c.at, customer: { ...base.customer, email: c.email }, valueMinor: c.valueMinor, currency: c.valueMinor === null ? null : 'EUR' });
      const same = a.type === b.type && a.at === b.at && a.email === b.email && a.valueMinor === b.valueMinor;
      return (conversionFingerprint(make(a)) === conversionFingerprint(make(b))) === same;
    }));
  });
});

describe('mapConversionCsvRow', () => {
  it('reads a row: a time without offset in the account zone, the value in minor units of the default currency', () => {
    // 10:00 in Paris (UTC+1 in November) = 09:00 UTC; "45.5" EUR = 4550 cents.
    expect(mapConversionCsvRow({ type: 'booking', occurred_at: '2026-11-20 10:00:00', idempotency_key: 'b-1', phone: '+33612345678', value: '45.5' }, 2, opts)).toEqual({
      kind: 'conversion', line: 2,
      conversion: { type: 'booking', at: Date.parse('2026-11-20T09:00:00Z'), idempotencyKey: 'b-1', customer: { customerId: null, email: null, phone: '+33612345678' }, valueMinor: 4550, currency: 'EUR' },
    });
  });
  it('rejects a row naming the column and the value at fault', () => {
    expect(mapConversionCsvRow({ type: 'visit', occurred_at: '20/11/2026', idempotency_key: 'v' }, 3, opts)).toEqual({ kind: 'rejected', line: 3, reason: 'unreadable time "20/11/2026" in column occurred_at' });
    expect(mapConversionCsvRow({ type: 'visit', occurred_at: '2026-11-20T10:00:00Z', idempotency_key: 'v', value: '12,34.5' }, 4, opts)).toEqual({ kind: 'rejected', line: 4, reason: 'invalid amount "12,34.5" in column value' });
    expect(mapConversionCsvRow({ type: 'Store visit', occurred_at: '2026-11-20T10:00:00Z', idempotency_key: 'v' }, 5, opts)).toMatchObject({ kind: 'rejected', line: 5, reason: expect.stringMatching(/in column type$/) });
    expect(mapConversionCsvRow({ type: 'visit', occurred_at: '2026-11-20T10:00:00Z', idempotency_key: ' ' }, 6, opts)).toEqual({ kind: 'rejected', line: 6, reason: 'empty idempotency key in column idempotency_key' });
  });
});
