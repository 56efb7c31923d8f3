// Exact money in settings: cost model prices in thousandths of a cent and budgets in cents, read and typed as
// decimals of the currency, with no float drift and no silent rounding.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decimalToUnits, formatUnits, MILLI, unitDigits, unitsToDecimal, unitsToInput } from './money';

const NNBSP = '\u202f';
const NBSP = '\u00a0';
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('units of the cost model and of budgets', () => {
  it('counts the decimals of a unit in the currency', () => {
    expect(unitDigits('EUR')).toBe(2); // cents
    expect(unitDigits('EUR', MILLI)).toBe(5); // thousandths of a cent: 1 = 0.00001 €
    expect(unitDigits('JPY', MILLI)).toBe(3); // no minor unit: thousandths of a yen
  });
});

describe('unitsToDecimal', () => {
  it('writes thousandths of a cent as euros', () => {
    // 790 thousandths of a cent = 0.79 cent = 0.0079 €
    expect(unitsToDecimal(790, 5)).toBe('0.0079');
    // 7900 = 7.9 cents = 0.079 €
    expect(unitsToDecimal(7900, 5)).toBe('0.079');
    // 1000 = 1 cent = 0.01 €
    expect(unitsToDecimal(1000, 5)).toBe('0.01');
    // 100000 = 1 € (two decimals kept)
    expect(unitsToDecimal(100000, 5)).toBe('1.00');
    // 1 = the smallest price: 0.00001 €
    expect(unitsToDecimal(1, 5)).toBe('0.00001');
    expect(unitsToDecimal(0, 5)).toBe('0.00');
    // 123456789 thousandths = 1234.56789 €
    expect(unitsToDecimal(123_456_789, 5)).toBe('1234.56789');
  });
  it('writes cents as euros and yen as yen', () => {
    expect(unitsToDecimal(500_000, 2)).toBe('5000.00');
    expect(unitsToDecimal(1500, 0, 0)).toBe('1500');
  });
});

describe('decimalToUnits', () => {
  it('reads French input with a decimal comma (or point) and spaces between thousands', () => {
    expect(decimalToUnits('0,0079', 5, 'fr')).toEqual({ ok: true, value: 790 });
    expect(decimalToUnits('0.0079', 5, 'fr')).toEqual({ ok: true, value: 790 });
    expect(decimalToUnits(`1${NNBSP}234,5`, 2, 'fr')).toEqual({ ok: true, value: 123_450 });
    expect(decimalToUnits('5 000', 2, 'fr')).toEqual({ ok: true, value: 500_000 });
    expect(decimalToUnits(',5', 2, 'fr')).toEqual({ ok: true, value: 50 });
  });
  it('reads English input with a decimal point and commas between thousands', () => {
    expect(decimalToUnits('0.0079', 5, 'en')).toEqual({ ok: true, value: 790 });
    expect(decimalToUnits('5,000', 2, 'en')).toEqual({ ok: true, value: 500_000 });
    expect(decimalToUnits('1,234.56', 2, 'en')).toEqual({ ok: true, value: 123_456 });
    // A comma that is not a thousands separator is a mistake, not a decimal mark, in English.
    expect(decimalToUnits('0,0079', 5, 'en')).toEqual({ ok: false, error: 'format' });
  });
  it('is exact where floats are not', () => {
    // 0.1 + 0.2 style traps: 0.29 × 100 = 28.999999999999996 in binary floating point.
    expect(0.29 * 100).not.toBe(29);
    expect(decimalToUnits('0,29', 2, 'fr')).toEqual({ ok: true, value: 29 });
    // 1.005 € in thousandths of a cent: 100500, not 100499.99…
    expect(decimalToUnits('1.005', 5, 'en')).toEqual({ ok: true, value: 100_500 });
    expect(decimalToUnits('0.00001', 5, 'en')).toEqual({ ok: true, value: 1 });
  });
  it('refuses more decimals than the unit holds instead of rounding', () => {
    // 0.000015 € is 1.5 thousandths of a cent: not a whole unit.
    expect(decimalToUnits('0,000015', 5, 'fr')).toEqual({ ok: false, error: 'precision' });
    expect(decimalToUnits('10,001', 2, 'fr')).toEqual({ ok: false, error: 'precision' });
    // Trailing zeros are not precision.
    expect(decimalToUnits('10,0100', 2, 'fr')).toEqual({ ok: true, value: 1001 });
  });
  it('refuses what is not a non-negative decimal', () => {
    expect(decimalToUnits('', 2, 'fr')).toEqual({ ok: false, error: 'empty' });
    expect(decimalToUnits('  ', 2, 'fr')).toEqual({ ok: false, error: 'empty' });
    expect(decimalToUnits('-1', 2, 'fr')).toEqual({ ok: false, error: 'format' });
    expect(decimalToUnits('1,2,3', 2, 'fr')).toEqual({ ok: false, error: 'format' });
    expect(decimalToUnits('abc', 2, 'en')).toEqual({ ok: false, error: 'format' });
    expect(decimalToUnits('.', 2, 'en')).toEqual({ ok: false, error: 'format' });
    expect(decimalToUnits('1e3', 2, 'en')).toEqual({ ok: false, error: 'format' });
    expect(decimalToUnits('99999999999999999', 2, 'en')).toEqual({ ok: false, error: 'range' });
  });
  it('reads back exactly what it wrote, for any amount and both languages', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 5 }), fc.constantFrom('fr' as const, 'en' as const), (units, digits, lang) => {
        expect(decimalToUnits(unitsToInput(units, digits, lang), digits, lang)).toEqual({ ok: true, value: units });
      }),
    );
  });
});

describe('unitsToInput and formatUnits', () => {
  it('gives the value to put back in an input, in the language', () => {
    expect(unitsToInput(790, 5, 'fr')).toBe('0,0079');
    expect(unitsToInput(790, 5, 'en')).toBe('0.0079');
    expect(unitsToInput(null, 5, 'en')).toBe('');
  });
  it('formats a price with every significant decimal and none invented', () => {
    expect(formatUnits(790, 'EUR', MILLI, 'fr-FR')).toBe(`0,0079${NBSP}€`);
    expect(formatUnits(790, 'EUR', MILLI, 'en-US')).toBe('€0.0079');
    // 7 cents exactly: two decimals, as any amount in euros.
    expect(formatUnits(7000, 'EUR', MILLI, 'en-US')).toBe('€0.07');
    // 1234.56789 € in French: 1 234,56789 €
    expect(plain(formatUnits(123_456_789, 'EUR', MILLI, 'fr-FR'))).toBe('1 234,56789 €');
    expect(formatUnits(1, 'EUR', MILLI, 'en-US')).toBe('€0.00001');
    // Budgets in cents: no extra decimals.
    expect(formatUnits(500_000, 'EUR', 0, 'en-US')).toBe('€5,000.00');
    expect(formatUnits(null, 'EUR', 0, 'en-US')).toBe('—');
  });
});
