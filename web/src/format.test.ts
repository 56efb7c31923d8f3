// Locale formatting of figures: the exact strings a French and an English user read on screen.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, createFormatter, dayIn, lastDays, minorDigits, EMPTY } from './format';

const NNBSP = '\u202f'; // French group separator and space before % (narrow no-break space)
const NBSP = '\u00a0'; // French space before the currency sign
const fr = createFormatter({ locale: 'fr-FR', currency: 'EUR', timeZone: 'Europe/Paris' });
const en = createFormatter({ locale: 'en-US', currency: 'EUR', timeZone: 'Europe/Paris' });

describe('money in minor units', () => {
  it('writes 128450 cents as 1 284,50 € in French and €1,284.50 in English', () => {
    // 128450 / 10^2 = 1284.50
    expect(fr.money(128450)).toBe(`1${NNBSP}284,50${NBSP}€`);
    expect(en.money(128450)).toBe('€1,284.50');
  });
  it('knows currencies without cents', () => {
    expect(minorDigits('JPY')).toBe(0);
    // 1500 yen are 1500 minor units, not 15.00
    expect(en.money(1500, 'JPY')).toBe('¥1,500');
  });
  it('reads minor units by the rule of the server (ISO 4217), not by the digits Intl shows', () => {
    // The server stores an order of 1,234.50 HUF as 123450 fillér (HUF has 2 decimals in ISO 4217). Intl shows the
    // forint without decimals, so the dashboard shows 1234.50 rounded: HUF 1,235, not 123,450.
    expect(minorDigits('HUF')).toBe(2);
    expect(en.money(123450, 'HUF')).toMatch(/^HUF\s1,235$/);
  });
  it('shows — for a missing amount', () => {
    expect(fr.money(null)).toBe(EMPTY);
  });
});

describe('rates', () => {
  it('shows a fraction as a percentage with one decimal', () => {
    // 0.4213 × 100 = 42.13 → 42.1
    // CLDR versions differ on the space before % (no-break or narrow no-break): both are right.
    expect(fr.percent(0.4213)).toMatch(/^42,1[\u00a0\u202f]%$/);
    expect(en.percent(0.4213)).toBe('42.1%');
    expect(en.percent(0)).toBe('0.0%');
  });
  it('shows — for a null rate (zero denominator), never 0 or NaN', () => {
    expect(fr.percent(null)).toBe('—');
    expect(en.percent(Number.NaN)).toBe('—');
    expect(en.percent(Number.POSITIVE_INFINITY)).toBe('—');
  });
  it('signs changes with a typographic minus', () => {
    // −0.62 → −62.0 %
    expect(fr.signedPercent(-0.62)).toMatch(/^\u221262,0[\u00a0\u202f]%$/);
    expect(en.signedPercent(0.124)).toBe('+12.4%');
  });
  it('writes ROAS as a multiple', () => {
    // 84000 / 9600 = 8.75 → 8.8 (one decimal, half away from zero)
    expect(en.multiple(84000 / 9600)).toBe('8.8×');
    expect(fr.multiple(5.24)).toBe('5,2×');
  });
});

describe('counts', () => {
  it('groups thousands by locale', () => {
    expect(fr.count(48210)).toBe(`48${NNBSP}210`);
    expect(en.count(48210)).toBe('48,210');
    expect(en.count(undefined)).toBe(EMPTY);
  });
  it('never shows a percent or amount as an empty string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.constant(null)), (n) => {
        expect(fr.percent(n).length).toBeGreaterThan(0);
        expect(en.money(n).length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('dates', () => {
  it('shows instants in the account time zone', () => {
    // 23:30 UTC on 24 Nov is 00:30 on 25 Nov in Paris (UTC+1 in winter)
    expect(fr.date('2026-11-24T23:30:00.000Z')).toBe('25 nov. 2026');
    expect(en.dateTime('2026-11-25T09:00:00.000Z')).toBe('Nov 25, 2026, 10:00 AM');
    expect(fr.date(null)).toBe(EMPTY);
  });
  it('never shifts a day string, whatever the zone', () => {
    const ny = createFormatter({ locale: 'en-US', currency: 'USD', timeZone: 'America/New_York' });
    expect(ny.day('2026-11-01')).toBe('Nov 1, 2026');
    expect(fr.day('2026-11-01', 'short')).toBe('1 nov.');
  });
  it('finds today in the account time zone', () => {
    // 2026-11-24T23:30Z is already the 25th in Paris, still the 24th in New York (UTC−5)
    const now = Date.UTC(2026, 10, 24, 23, 30);
    expect(dayIn('Europe/Paris', now)).toBe('2026-11-25');
    expect(dayIn('America/New_York', now)).toBe('2026-11-24');
  });
  it('computes the last n days inclusive', () => {
    // 30 days ending 25 Nov start 30 − 1 = 29 days earlier: 27 Oct
    expect(lastDays(30, '2026-11-25')).toEqual({ from: '2026-10-27', to: '2026-11-25' });
    expect(lastDays(7, '2026-03-02')).toEqual({ from: '2026-02-24', to: '2026-03-02' });
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  });
});
