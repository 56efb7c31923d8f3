// Every number, amount, rate and date the dashboard shows goes through here, formatted with Intl for the
// user's locale and the account's currency and time zone (KPIS.md: rates are fractions, shown as percentages).
import { currencyExponent } from '../../src/domain/currencyUnits';

export const EMPTY = '—';
const MINUS = '\u2212';

export interface FormatOptions {
  locale: string;
  currency: string;
  timeZone: string;
}

export interface Formatter {
  readonly locale: string;
  readonly currency: string;
  readonly timeZone: string;
  /** Integer counts: 48 210. */
  count(n: number | null | undefined): string;
  /** A decimal ratio such as opens per opener: 1,4. */
  decimal(n: number | null | undefined, digits?: number): string;
  /** Minor units of the account's currency (or `currency`): 128450 → 1 284,50 €. */
  money(minor: number | null | undefined, currency?: string): string;
  /** A fraction as a percentage with one decimal: 0.4213 → 42,1 %. */
  percent(fraction: number | null | undefined): string;
  /** A signed change: 0.124 → +12,4 %, −0.62 → −62,0 %. */
  signedPercent(fraction: number | null | undefined): string;
  /** A multiple such as ROAS: 5.23 → 5,2×. */
  multiple(n: number | null | undefined): string;
  /** An ISO instant as a date in the account's time zone: 25 nov. 2026. */
  date(iso: string | null | undefined): string;
  /** An ISO instant as date and time in the account's time zone. */
  dateTime(iso: string | null | undefined): string;
  /** A day (YYYY-MM-DD, already a day of the account's time zone): never shifted. */
  day(day: string | null | undefined, style?: 'medium' | 'short'): string;
}

const isEmpty = (n: number | null | undefined): n is null | undefined =>
  n === null || n === undefined || !Number.isFinite(n);

/**
 * Digits of the currency's minor unit (EUR 2, JPY 0, HUF 2): the server's rule (ISO 4217), since the amounts it sends
 * are integers of that unit. Intl's own digits are only how many it shows.
 */
export function minorDigits(currency: string): number {
  return currencyExponent(currency);
}

export function createFormatter({ locale, currency, timeZone }: FormatOptions): Formatter {
  const counts = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const percents = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const signed = new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  const multiples = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const moneyFormat = (cur: string) => {
    let f = moneyFormats.get(cur);
    if (!f) {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency: cur });
      moneyFormats.set(cur, f);
    }
    return f;
  };
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  const dateTimes = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  // A day string names a calendar day already cut in the account's zone: format it in UTC so it never moves.
  const days = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const shortDays = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });

  const instant = (iso: string | null | undefined, f: Intl.DateTimeFormat) => {
    if (!iso) return EMPTY;
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? EMPTY : f.format(d);
  };

  return {
    locale,
    currency,
    timeZone,
    count: (n) => (isEmpty(n) ? EMPTY : counts.format(n)),
    decimal: (n, digits = 1) =>
      isEmpty(n)
        ? EMPTY
        : new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n),
    money: (minor, cur = currency) => {
      if (isEmpty(minor)) return EMPTY;
      return moneyFormat(cur).format(minor / 10 ** minorDigits(cur));
    },
    percent: (fraction) => (isEmpty(fraction) ? EMPTY : percents.format(fraction)),
    // Intl writes a hyphen-minus; the typographic minus reads better beside figures.
    signedPercent: (fraction) => (isEmpty(fraction) ? EMPTY : signed.format(fraction).replace('-', MINUS)),
    multiple: (n) => (isEmpty(n) ? EMPTY : `${multiples.format(n)}×`),
    date: (iso) => instant(iso, dates),
    dateTime: (iso) => instant(iso, dateTimes),
    day: (day, style = 'medium') => {
      if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return EMPTY;
      return (style === 'short' ? shortDays : days).format(new Date(`${day}T12:00:00Z`));
    },
  };
}

/** Today's date (YYYY-MM-DD) in a time zone, for `now` in epoch milliseconds. */
export function dayIn(timeZone: string, now: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(now));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The day `n` days after `day` (negative goes back), calendar arithmetic only. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The last `days` days ending today (inclusive), as the API's `from`/`to`. */
export function lastDays(days: number, today: string): { from: string; to: string } {
  return { from: addDays(today, -(days - 1)), to: today };
}
