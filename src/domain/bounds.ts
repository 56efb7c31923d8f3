// The bounds every input path shares (API schemas, CSV imports, provider webhooks): money, dates, string lengths,
// and the characters a stored string may not hold. Pure: `now` is passed in.

/**
 * Largest amount of money Mesure takes, in minor units (10^12 = ten billion euros in cents). 9,007 such amounts still
 * add up exactly in a JS number (< 2^53), and any sum of them fits a PostgreSQL bigint.
 */
export const MAX_MONEY_MINOR = 1_000_000_000_000;

/**
 * Largest count (quantities, segments…) and largest absolute figure a goal may target: 10^12 too, so that any amount
 * of money is a figure a goal may target (bounds.test.ts checks it).
 */
export const MAX_FIGURE = 1_000_000_000_000;

/** Earliest time anything can have happened in Mesure (events, orders, refunds). */
export const EARLIEST_AT = Date.UTC(2000, 0, 1);
/** How far in the future an event may be dated: clocks differ, time zones get mixed up, a day is plenty. */
export const FUTURE_SLACK_MS = 24 * 3600 * 1000;
/** Latest time a planned date (a send time, a due date) may name. */
export const LATEST_PLANNED_AT = Date.UTC(2100, 0, 1) - 1;

/** Longest free text stored from a webhook or a CSV cell that has no stricter limit. */
export const MAX_TEXT_LENGTH = 5000;

/** Money in minor units: null when acceptable, else why not. */
export function moneyProblem(x: unknown): string | null {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'must be a finite number of minor units';
  if (!Number.isInteger(x)) return 'must be a whole number of minor units (cents)';
  if (x < 0) return 'must not be negative';
  if (x > MAX_MONEY_MINOR) return `must be at most ${MAX_MONEY_MINOR} minor units (10^12)`;
  return null;
}

/** A stored amount read back: the amount when it is within bounds, else null (an older version let it in). */
export function storedMoney(x: number | null | undefined): number | null {
  return x === null || x === undefined || moneyProblem(x) !== null ? null : x;
}

/**
 * A time as Mesure stores it (epoch ms in a bigint column): null when a whole number of milliseconds, else why not.
 * PostgreSQL refuses a fraction in a bigint and SQLite keeps it as a real, so both engines would disagree (issue #20).
 */
export function instantProblem(at: unknown): string | null {
  if (typeof at !== 'number' || !Number.isFinite(at)) return 'is not a time';
  if (!Number.isInteger(at)) return 'is not a whole number of milliseconds';
  return null;
}

/** When something happened (epoch ms): null when within [2000-01-01, now + 24 h], else why not. */
export function eventTimeProblem(at: number, now: number): string | null {
  const instant = instantProblem(at);
  if (instant) return instant;
  if (at < EARLIEST_AT) return 'is before 2000-01-01: check the unit (seconds vs milliseconds) or the year';
  if (at > now + FUTURE_SLACK_MS) return 'is more than 24 hours in the future: check the clock, the unit and the time zone';
  return null;
}

/** A planned time (epoch ms): null when within [2000-01-01, 2099-12-31], else why not. */
export function plannedTimeProblem(at: number): string | null {
  const instant = instantProblem(at);
  if (instant) return instant;
  if (at < EARLIEST_AT || at > LATEST_PLANNED_AT) return 'must be between 2000-01-01 and 2099-12-31';
  return null;
}

/** A figure (goal target…): finite and within ±MAX_FIGURE. */
export function figureProblem(x: unknown): string | null {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'must be a finite number';
  if (Math.abs(x) > MAX_FIGURE) return `must be between -${MAX_FIGURE} and ${MAX_FIGURE}`;
  return null;
}

/** A stored figure read back: the figure when finite and within bounds, else null. */
export function storedFigure(x: number | null | undefined): number | null {
  return x === null || x === undefined || figureProblem(Number(x)) !== null ? null : Number(x);
}

// A NUL (PostgreSQL text cannot hold it) or a UTF-16 surrogate that is not half of a pair (not a character: it
// cannot be encoded as UTF-8, and PostgreSQL refuses it).
const BAD_CHARS = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BAD_CHARS_G = new RegExp(BAD_CHARS.source, 'g');

/** Why a string cannot be stored as it is (a NUL or a lone surrogate), or null. */
export function badCharacter(s: string): string | null {
  const m = BAD_CHARS.exec(s);
  if (!m) return null;
  return m[0] === '\u0000' ? 'contains a NUL character (U+0000)' : 'contains a lone UTF-16 surrogate (not a character)';
}

/** The string with each NUL or lone surrogate replaced by U+FFFD, for input Mesure must keep (signed webhooks). */
export function replaceBadCharacters(s: string): string {
  return BAD_CHARS.test(s) ? s.replace(BAD_CHARS_G, '\uFFFD') : s;
}

/** At most `max` UTF-16 code units, never cutting a surrogate pair in half. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = /[\uD800-\uDBFF]/.test(s[max - 1]) ? max - 1 : max;
  return s.slice(0, cut);
}

/** Longest value of each string field of an event (the API's event schema says the same; a test holds them equal). */
export const EVENT_STRING_LIMITS = {
  messageId: 200, provider: 40, providerMessageId: 200, campaignId: 200, recipient: 500, providerEventId: 200, url: 4000,
  flagReason: 200, failureCode: 100, failureMessage: 2000, text: 5000, pricingCategory: 40,
} as const;
