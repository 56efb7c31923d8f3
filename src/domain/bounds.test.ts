// Tests for the shared input bounds: money, times, figures and the characters a stored string may not hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  badCharacter, EARLIEST_AT, EVENT_STRING_LIMITS, eventTimeProblem, figureProblem, instantProblem, MAX_MONEY_MINOR, moneyProblem, plannedTimeProblem,
  replaceBadCharacters, storedFigure, storedMoney, truncate,
} from './bounds';
import { eventSchema } from '../http/schemas';

const NOW = Date.UTC(2026, 11, 7, 12);

describe('money', () => {
  it('takes whole minor units from 0 to 10^12 and refuses the rest with a reason', () => {
    expect(moneyProblem(0)).toBeNull();
    expect(moneyProblem(1_000_000_000_000)).toBeNull();
    expect(moneyProblem(1_000_000_000_001)).toMatch(/at most 1000000000000/);
    expect(moneyProblem(9007199254740994)).toMatch(/at most/);
    expect(moneyProblem(1e308)).toMatch(/at most/);
    expect(moneyProblem(Infinity)).toMatch(/finite/);
    expect(moneyProblem(NaN)).toMatch(/finite/);
    expect(moneyProblem(12.5)).toMatch(/whole/);
    expect(moneyProblem(-1)).toMatch(/negative/);
    expect(moneyProblem('12')).toMatch(/finite/);
  });
  it('keeps 9,007 maximal amounts summable exactly', () => {
    expect(Number.isSafeInteger(9007 * MAX_MONEY_MINOR)).toBe(true);
  });
  it('reads a stored amount out of range as null', () => {
    expect(storedMoney(1200)).toBe(1200);
    expect(storedMoney(null)).toBeNull();
    expect(storedMoney(9007199254740994)).toBeNull();
    expect(storedMoney(Infinity)).toBeNull();
  });
});

describe('times', () => {
  it('takes events from 2000-01-01 to 24 hours after now', () => {
    expect(eventTimeProblem(EARLIEST_AT, NOW)).toBeNull();
    expect(eventTimeProblem(EARLIEST_AT - 1, NOW)).toMatch(/before 2000-01-01/);
    expect(eventTimeProblem(NOW + 24 * 3600 * 1000, NOW)).toBeNull();
    expect(eventTimeProblem(NOW + 24 * 3600 * 1000 + 1, NOW)).toMatch(/24 hours in the future/);
    expect(eventTimeProblem(99999999999999 * 1000, NOW)).toMatch(/future/);
    expect(eventTimeProblem(NaN, NOW)).toMatch(/not a time/);
  });
  it('takes planned times within 2000–2099', () => {
    expect(plannedTimeProblem(Date.UTC(2099, 11, 31, 23, 59))).toBeNull();
    expect(plannedTimeProblem(Date.UTC(2100, 0, 1))).toMatch(/2099-12-31/);
    expect(plannedTimeProblem(Date.UTC(1999, 11, 31))).toMatch(/2000-01-01/);
  });
  it('refuses a fraction of a millisecond, which PostgreSQL\'s bigint refuses and SQLite would keep as a real (issue #20)', () => {
    // The time the demo wrote at scale 20 and PostgreSQL refused (issue #20).
    expect(instantProblem(1795223859531.6096)).toMatch(/whole number of milliseconds/);
    expect(instantProblem(1795223859531)).toBeNull();
    expect(instantProblem('1795223859531')).toMatch(/not a time/);
    expect(eventTimeProblem(NOW - 0.5, NOW)).toMatch(/whole number of milliseconds/);
    expect(plannedTimeProblem(Date.UTC(2030, 0, 1) + 0.25)).toMatch(/whole number of milliseconds/);
    fc.assert(fc.property(fc.integer({ min: EARLIEST_AT, max: NOW }), fc.double({ min: 0.001, max: 0.999, noNaN: true }), (t, frac) => {
      expect(instantProblem(t)).toBeNull();
      expect(eventTimeProblem(t + frac, NOW)).toMatch(/whole number/);
    }));
  });
});

describe('figures', () => {
  it('takes finite figures within ±10^12', () => {
    expect(figureProblem(0.25)).toBeNull();
    expect(figureProblem(-1e12)).toBeNull();
    expect(figureProblem(1e12 + 1)).toMatch(/between/);
    // Any amount of money the API takes is a figure a goal may target (a revenue goal of 10^12 cents).
    expect(figureProblem(MAX_MONEY_MINOR)).toBeNull();
    expect(figureProblem(Infinity)).toMatch(/finite/);
    expect(storedFigure(Infinity)).toBeNull();
    expect(storedFigure(3)).toBe(3);
  });
});

describe('characters', () => {
  it('finds NUL and lone surrogates, not pairs', () => {
    expect(badCharacter('plain é 😀')).toBeNull();
    expect(badCharacter('a\u0000b')).toMatch(/NUL/);
    expect(badCharacter('a\uD800')).toMatch(/surrogate/);
    expect(badCharacter('\uDFFFa')).toMatch(/surrogate/);
    expect(badCharacter('\uD83D\uDE00')).toBeNull();
  });
  it('replaces each bad character with U+FFFD and leaves the rest', () => {
    expect(replaceBadCharacters('a\u0000b\uD800c😀\uDC00')).toBe('a\uFFFDb\uFFFDc😀\uFFFD');
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => badCharacter(replaceBadCharacters(s)) === null), { numRuns: 200 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => replaceBadCharacters(s) === s), { numRuns: 200 });
  });
  it('truncates without cutting a surrogate pair', () => {
    expect(truncate('ab😀', 3)).toBe('ab');
    expect(truncate('abc', 3)).toBe('abc');
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 20 }), (s, n) => badCharacter(truncate(s, n)) === null && truncate(s, n).length <= n), { numRuns: 200 });
  });
});

describe('event string limits', () => {
  it('are the API event schema’s, so a webhook stores what the API would accept', () => {
    const props = eventSchema.properties as Record<string, { maxLength?: number }>;
    for (const [field, max] of Object.entries(EVENT_STRING_LIMITS)) {
      if (field in props) expect(props[field].maxLength, field).toBe(max);
    }
  });
});
