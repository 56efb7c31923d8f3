import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent } from './currencyUnits';
import {
  applyRefund,
  buildOrder,
  formatMinor,
  matchContact,
  matchKeys,
  mergeOrderVersions,
  parseMoney,
  refundedMinor,
  revenueOf,
  type Order,
  type OrderInput,
  type OrderRefund,
} from './orders';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);

function order(input: Partial<OrderInput> = {}): Order {
  const r = buildOrder({ externalId: '1001', source: 'api', at: T0, currency: 'EUR', grossMinor: 12000, ...input });
  if (!r.ok) throw new Error(r.reason);
  return r.order;
}

describe('parseMoney', () => {
  it('reads two-decimal amounts exactly', () => {
    expect(parseMoney('59.99', 'EUR')).toBe(5999);
    // 0.1 + 0.2 style float traps: 1.15 * 100 = 114.99999999999999 in floats; string arithmetic gives 115.
    expect(parseMoney('1.15', 'USD')).toBe(115);
    expect(parseMoney('59.9', 'EUR')).toBe(5990);
    expect(parseMoney('59', 'EUR')).toBe(5900);
    expect(parseMoney('0.00', 'EUR')).toBe(0);
    expect(parseMoney('-5.00', 'EUR')).toBe(-500);
  });
  it('follows the currency exponent: JPY has none, KWD three', () => {
    expect(currencyExponent('JPY')).toBe(0);
    // ISO 4217, not Intl's display digits (0 for both): the forint has 2 decimals, the Iraqi dinar 3.
    expect(currencyExponent('HUF')).toBe(2);
    expect(currencyExponent('IQD')).toBe(3);
    expect(parseMoney('1500', 'JPY')).toBe(1500);
    expect(parseMoney('1500.00', 'JPY')).toBe(1500); // Shopify writes "1500.00" for yen: trailing zeros are fine
    expect(parseMoney('1500.50', 'JPY')).toBeNull(); // half a yen is not a whole minor unit
    expect(parseMoney('12.345', 'KWD')).toBe(12345);
    expect(parseMoney('12.3', 'KWD')).toBe(12300);
    expect(parseMoney('59.999', 'EUR')).toBeNull();
    expect(parseMoney('59.990', 'EUR')).toBe(5999);
  });
  it('accepts thousands separators only in groups of three', () => {
    expect(parseMoney('1,234.50', 'USD')).toBe(123450);
    expect(parseMoney('1,234,567.89', 'USD')).toBe(123456789);
    expect(parseMoney('1,23.50', 'USD')).toBeNull();
    expect(parseMoney('1.234,50', 'EUR', { decimalSeparator: ',' })).toBe(123450);
    expect(parseMoney('59,99', 'EUR', { decimalSeparator: ',' })).toBe(5999);
    // With '.' decimals, "59,99" is a malformed thousands group, not 59.99.
    expect(parseMoney('59,99', 'EUR')).toBeNull();
  });
  it('refuses what is not an amount', () => {
    for (const bad of ['', ' ', 'abc', '12.5.1', '1 234.50', '€12', '--1', '.', null, undefined]) {
      expect(parseMoney(bad as string, 'EUR')).toBeNull();
    }
    expect(parseMoney('12.00', 'EURO')).toBeNull();
  });
  it('reads JSON numbers through their decimal text', () => expect(parseMoney(59.99, 'EUR')).toBe(5999));
  it('round-trips with formatMinor', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('EUR', 'JPY', 'KWD'), (n, cur) => {
        expect(parseMoney(formatMinor(n, cur), cur)).toBe(n);
      }),
    );
    expect(formatMinor(5, 'EUR')).toBe('0.05');
    expect(formatMinor(12345, 'KWD')).toBe('12.345');
  });
});

describe('buildOrder', () => {
  it('derives net revenue = gross − tax − shipping', () => {
    // 120.00 total, 18.00 VAT, 7.00 shipping → 120.00 − 18.00 − 7.00 = 95.00
    const o = order({ grossMinor: 12000, taxMinor: 1800, shippingMinor: 700 });
    expect(o.netMinor).toBe(9500);
  });
  it('reads click id and UTM parameters from the landing site', () => {
    const o = order({ landingSite: '/products/tee?utm_source=mesure&utm_medium=sms&utm_campaign=spring-sale&mesure_cid=bad' });
    expect(o.landing.utmCampaign).toBe('spring-sale');
    expect(o.landing.utmMedium).toBe('sms');
    expect(o.landing.clickId).toBeNull(); // not the shape Mesure issues: anyone can type a landing URL
  });
  it('upper-cases discount codes and drops duplicates', () =>
    expect(order({ discountCodes: [' spring10', 'SPRING10', 'vip'] }).discountCodes).toEqual(['SPRING10', 'VIP']));
  it('refuses precise problems', () => {
    const bad = (patch: Partial<OrderInput>) => {
      const r = buildOrder({ externalId: '1', source: 'api', at: T0, currency: 'EUR', grossMinor: 100, ...patch });
      return r.ok ? 'ok' : r.reason;
    };
    expect(bad({ externalId: ' ' })).toBe('missing order id');
    expect(bad({ currency: 'euro' })).toBe('invalid currency "euro"');
    expect(bad({ at: NaN })).toBe('missing or invalid order time');
    expect(bad({ grossMinor: -1 })).toBe('invalid total amount: must not be negative');
    expect(bad({ itemQuantity: 1.5 })).toBe('invalid item quantity (a whole number from 0 to 1000000)');
  });

  it('holds every path to the shared bounds: money, string lengths, characters, times', () => {
    const bad = (patch: Partial<OrderInput>) => {
      const r = buildOrder({ externalId: '1', source: 'csv', at: T0, currency: 'EUR', grossMinor: 100, ...patch });
      return r.ok ? 'ok' : r.reason;
    };
    expect(bad({ grossMinor: 1e12 })).toBe('ok');
    expect(bad({ grossMinor: 1e12 + 1 })).toBe('invalid total amount: must be at most 1000000000000 minor units (10^12)');
    expect(bad({ taxMinor: 1e308 })).toMatch(/^invalid tax amount: must be at most/);
    expect(bad({ externalId: 'x'.repeat(201) })).toBe('order id is 201 characters long; at most 200');
    expect(bad({ externalId: 'A\u0000' })).toBe('order id contains a NUL character (U+0000)');
    expect(bad({ noteAttributes: { ref: 'a\uD800' } })).toBe('note attribute ref contains a lone UTF-16 surrogate (not a character)');
    expect(bad({ discountCodes: Array.from({ length: 51 }, (_, i) => `C${i}`) })).toBe('more than 50 discount codes');
    expect(bad({ at: Date.UTC(2100, 0, 1) })).toBe('order time must be between 2000-01-01 and 2099-12-31');
    expect(bad({ refunds: [{ refundId: 'r1', at: T0, amountMinor: 1e13, netMinor: null }] })).toMatch(/^invalid refund amount \(r1\): must be at most/);
  });
});

describe('revenueOf', () => {
  const base = { grossMinor: 12000, taxMinor: 2000, shippingMinor: 1000 }; // net = 12000 − 2000 − 1000 = 9000
  it('is net or gross', () => {
    expect(revenueOf(order(base), 'net')).toBe(9000);
    expect(revenueOf(order(base), 'gross')).toBe(12000);
  });
  it('is 0 for a cancelled order', () => {
    const o = order({ ...base, cancelledAt: T0 + 1000 });
    expect(revenueOf(o, 'net')).toBe(0);
    expect(revenueOf(o, 'gross')).toBe(0);
  });
  it('subtracts refunds, with their net part when known', () => {
    // A 36.00 refund of which 30.00 net: net 90.00 − 30.00 = 60.00; gross 120.00 − 36.00 = 84.00
    const o = applyRefund(order(base), { refundId: 'r1', at: T0 + 1, amountMinor: 3600, netMinor: 3000 });
    expect(revenueOf(o, 'net')).toBe(6000);
    expect(revenueOf(o, 'gross')).toBe(8400);
  });
  it('prorates a refund whose net part is unknown by net / gross', () => {
    // 40.00 refunded, net share 9000 / 12000 = 0.75 → 30.00; net 90.00 − 30.00 = 60.00
    const o = applyRefund(order(base), { refundId: 'csv', at: T0 + 1, amountMinor: 4000, netMinor: null });
    expect(revenueOf(o, 'net')).toBe(6000);
    // 0.01 refunded: 1 × 0.75 = 0.75 → rounds half up to 1; 9000 − 1 = 8999
    const tiny = applyRefund(order(base), { refundId: 'csv', at: T0 + 1, amountMinor: 1, netMinor: null });
    expect(revenueOf(tiny, 'net')).toBe(8999);
  });
  it('never goes below zero', () => {
    const o = applyRefund(order(base), { refundId: 'r', at: T0, amountMinor: 50000, netMinor: 50000 });
    expect(revenueOf(o, 'net')).toBe(0);
    expect(revenueOf(o, 'gross')).toBe(0);
  });
  it('counts the same refund id once', () => {
    const r: OrderRefund = { refundId: 'r1', at: T0, amountMinor: 1000, netMinor: 800 };
    const o = applyRefund(applyRefund(order(base), r), r);
    expect(refundedMinor(o)).toBe(1000);
  });
});

describe('mergeOrderVersions', () => {
  it('keeps the newest version whichever arrives first', () => {
    const created = order({ updatedAt: T0, grossMinor: 12000 });
    const updated = order({ updatedAt: T0 + 60_000, grossMinor: 10000, cancelledAt: T0 + 60_000 });
    expect(mergeOrderVersions(created, updated)).toEqual(updated);
    expect(mergeOrderVersions(updated, created)).toEqual(updated);
  });
  it('keeps refunds of both versions, each once', () => {
    const r1: OrderRefund = { refundId: 'r1', at: T0 + 10, amountMinor: 500, netMinor: 400 };
    const r2: OrderRefund = { refundId: 'r2', at: T0 + 20, amountMinor: 300, netMinor: 300 };
    const a = order({ updatedAt: T0 + 5, refunds: [r1] });
    const b = order({ updatedAt: T0 + 1, refunds: [r1, r2] });
    expect(mergeOrderVersions(a, b).refunds).toEqual([r1, r2]);
    expect(refundedMinor(mergeOrderVersions(a, b))).toBe(800);
  });
  it('ends in the same state for any delivery order (property)', () => {
    const refund = fc.record({
      refundId: fc.constantFrom('r1', 'r2', 'r3'),
      at: fc.integer({ min: T0, max: T0 + 1000 }),
      amountMinor: fc.integer({ min: 0, max: 5000 }),
      netMinor: fc.option(fc.integer({ min: 0, max: 5000 })),
    });
    const version = fc.record({
      updatedAt: fc.integer({ min: T0, max: T0 + 5 }),
      grossMinor: fc.integer({ min: 0, max: 20000 }),
      cancelledAt: fc.option(fc.constant(T0 + 7)),
      refunds: fc.array(refund, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(version, { minLength: 1, maxLength: 5 }), fc.func(fc.integer()), (versions, key) => {
        const orders = versions.map((v) => order(v));
        const shuffled = [...orders].sort((x, y) => key(x.grossMinor) - key(y.grossMinor));
        const fold = (list: Order[]) => list.reduce((acc, o) => mergeOrderVersions(acc, o));
        expect(fold(shuffled)).toEqual(fold(orders));
        expect(fold([...orders].reverse())).toEqual(fold(orders));
      }),
    );
  });
});

describe('matchKeys and matchContact', () => {
  const o = order({
    customer: {
      customerId: '7390834542890',
      email: ' Jane.Doe@Example.COM ',
      phone: '06 12 34 56 78',
      address: { line1: '12 av. Victor Hugo', postalCode: '75016', city: 'Paris', country: 'FR' },
    },
  });
  it('orders keys: customer id, email, E.164 phone, address', () => {
    expect(matchKeys(o)).toEqual([
      { kind: 'customer_id', value: '7390834542890' },
      { kind: 'email', value: 'jane.doe@example.com' },
      { kind: 'phone', value: '+33612345678' }, // national number read with the address's country
      { kind: 'address', value: '12 AVENUE VICTOR HUGO|75016|PARIS|FR' },
    ]);
  });
  it('leaves out null identity (Shopify protected customer data)', () => {
    const anonymous = order({ customer: { customerId: null, email: null, phone: null } });
    expect(matchKeys(anonymous)).toEqual([]);
    expect(matchContact(anonymous, () => 'x')).toBeNull();
  });
  it('returns the first key that finds a contact and says which', () => {
    const contacts: Record<string, string> = { 'phone:+33612345678': 'contact-phone', 'address:12 AVENUE VICTOR HUGO|75016|PARIS|FR': 'contact-letter' };
    const m = matchContact(o, (k) => contacts[`${k.kind}:${k.value}`]);
    expect(m).toEqual({ contact: 'contact-phone', matchedBy: { kind: 'phone', value: '+33612345678' } });
  });
});
