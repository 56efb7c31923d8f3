// Exact money input and output for settings: integers of a unit (minor units for budgets, thousandths of a minor unit
// for cost model prices, docs/BUDGETS.md) shown and typed as decimals of the currency. Only digit strings and integer
// arithmetic: 0.0079 € never becomes 789.9999 thousandths, and a price with more precision than the unit holds is
// refused rather than rounded.
import { minorDigits } from './format';

/** Thousandths of a minor unit (the cost model's unit): 3 digits beyond the currency's own. */
export const MILLI = 3;

/** Decimal places of the unit in the currency: EUR minor units 2, EUR thousandths of a cent 5, JPY thousandths 3. */
export function unitDigits(currency: string, extra = 0): number {
  return minorDigits(currency) + extra;
}

/**
 * An integer count of units as a plain decimal string with `.` ("0.0079"), at least `minFraction` decimals and no
 * trailing zeros beyond them.
 */
export function unitsToDecimal(units: number, digits: number, minFraction = Math.min(digits, 2)): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`not an integer amount: ${units}`);
  const negative = units < 0;
  const s = String(Math.abs(units)).padStart(digits + 1, '0');
  const whole = s.slice(0, s.length - digits);
  let fraction = s.slice(s.length - digits);
  while (fraction.length > minFraction && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export type ParseResult = { ok: true; value: number } | { ok: false; error: 'empty' | 'format' | 'precision' | 'range' };

/**
 * A decimal typed by the user, in units of 10^-digits. French input takes `,` or `.` as the decimal mark and spaces
 * between thousands; English input takes `.` and `,` between thousands (1,234.5). Negative amounts are refused.
 * More decimals than the unit holds is an error ('precision'), never a silent rounding.
 */
export function decimalToUnits(text: string, digits: number, lang: 'fr' | 'en'): ParseResult {
  let s = text.replace(/[\s\u00a0\u202f']/g, '');
  if (s === '') return { ok: false, error: 'empty' };
  if (lang === 'en') {
    if (s.includes(',')) {
      if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) return { ok: false, error: 'format' };
      s = s.replace(/,/g, '');
    }
  } else {
    s = s.replace(',', '.');
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && !m[2])) return { ok: false, error: 'format' };
  const whole = m[1] || '0';
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return { ok: false, error: 'precision' };
  const digitsOnly = (whole + fraction.padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  if (digitsOnly.length > 15) return { ok: false, error: 'range' };
  const value = Number(digitsOnly);
  if (!Number.isSafeInteger(value)) return { ok: false, error: 'range' };
  return { ok: true, value };
}

/** The decimal as the user would type it back in their language (decimal comma in French, no grouping). */
export function unitsToInput(units: number | null | undefined, digits: number, lang: 'fr' | 'en', minFraction?: number): string {
  if (units === null || units === undefined) return '';
  const s = unitsToDecimal(units, digits, minFraction);
  return lang === 'fr' ? s.replace('.', ',') : s;
}

/**
 * An amount in units of 10^-(minor digits + extra) of `currency`, formatted by Intl for the locale, with every
 * significant decimal kept (up to `extra` beyond the currency's) and none invented: 790 thousandths of a cent in
 * EUR → "0,0079 €" / "€0.0079". Intl receives a decimal string, so no binary fraction is ever rounded.
 */
export function formatUnits(units: number | null | undefined, currency: string, extra: number, locale: string): string {
  if (units === null || units === undefined || !Number.isFinite(units)) return '—';
  const minor = minorDigits(currency);
  const nf = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: minor,
    maximumFractionDigits: minor + extra,
  });
  // Intl.NumberFormat.format takes a decimal string exactly (ECMA-402, NumberFormat v3).
  return nf.format(unitsToDecimal(units, minor + extra, minor) as unknown as number);
}
