import { describe, expect, it } from 'vitest';
import { convert, type ExchangeRate } from './currency';

const DAY = 86_400_000;
const T = Date.UTC(2025, 2, 10);
const rates: ExchangeRate[] = [
  { from: 'USD', to: 'EUR', rate: '0.9000', validFrom: T - 10 * DAY },
  { from: 'USD', to: 'EUR', rate: '0.9235', validFrom: T - DAY },
  { from: 'USD', to: 'EUR', rate: '0.9500', validFrom: T + DAY },
  { from: 'EUR', to: 'GBP', rate: '0.8', validFrom: T - DAY },
  { from: 'JPY', to: 'EUR', rate: '0.0062', validFrom: T - DAY },
  { from: 'KWD', to: 'EUR', rate: '3', validFrom: T - DAY },
];

describe('convert', () => {
  it('uses the latest rate on or before the date', () => {
    // 100.00 USD × 0.9235 = 92.35 EUR (the rate of T − 1 day, not the older nor the later one)
    expect(convert(10000, 'USD', 'EUR', T, rates)).toBe(9235);
    // On the day of a rate, that rate applies: 100.00 × 0.9500 = 95.00
    expect(convert(10000, 'USD', 'EUR', T + DAY, rates)).toBe(9500);
  });
  it('returns null without a rate on or before the date', () => {
    expect(convert(10000, 'USD', 'EUR', T - 11 * DAY, rates)).toBeNull();
    expect(convert(10000, 'CHF', 'EUR', T, rates)).toBeNull();
  });
  it('converts a currency to itself unchanged', () => expect(convert(123, 'EUR', 'EUR', T, [])).toBe(123));
  it('follows each currency exponent', () => {
    // 1500 JPY × 0.0062 = 9.30 EUR = 930 cents
    expect(convert(1500, 'JPY', 'EUR', T, rates)).toBe(930);
    // 12.345 KWD × 3 = 37.035 EUR → 3703.5 cents → half away from zero: 3704
    expect(convert(12345, 'KWD', 'EUR', T, rates)).toBe(3704);
    expect(convert(-12345, 'KWD', 'EUR', T, rates)).toBe(-3704);
  });
  it('uses the inverse pair exactly', () => {
    // GBP → EUR from EUR → GBP 0.8: 80.00 GBP / 0.8 = 100.00 EUR
    expect(convert(8000, 'GBP', 'EUR', T, rates)).toBe(10000);
    // 1.00 GBP / 0.8 = 1.25 EUR
    expect(convert(100, 'GBP', 'EUR', T, rates)).toBe(125);
  });
  it('ignores malformed rates', () =>
    expect(convert(100, 'USD', 'CHF', T, [{ from: 'USD', to: 'CHF', rate: '0', validFrom: 0 }, { from: 'USD', to: 'CHF', rate: 'abc', validFrom: 0 }])).toBeNull());
});
