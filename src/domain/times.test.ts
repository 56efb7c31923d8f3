// Every time the domain computes is a whole number of milliseconds when its inputs are (issue #20): the store writes
// times to bigint columns, which PostgreSQL refuses a fraction and SQLite would keep as a real.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextRetryAt } from './alerts';
import { applyEvent, cohortAt, emptyState } from './message';
import { EVENT_TYPES, type IncomingEvent } from './types';

const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) });

describe('times the domain computes', () => {
  it('dates alert retries in whole milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), instant, (attempt, now) => {
        const at = nextRetryAt(attempt, now);
        if (at !== null) expect(Number.isInteger(at)).toBe(true);
      }),
    );
  });

  it('keeps every time of a message whole, whatever events it goes through', () => {
    const event = fc.record({ type: fc.constantFrom(...EVENT_TYPES), at: instant });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), instant, (events, registeredAt) => {
        let s = emptyState();
        for (const e of events) s = applyEvent(s, { ...e, ref: { kind: 'id', messageId: 'msg_x' } } as IncomingEvent);
        for (const [k, v] of Object.entries(s)) if (k.endsWith('_at') && v !== null) expect(Number.isInteger(v), `${k} = ${v}`).toBe(true);
        expect(Number.isInteger(cohortAt(s, registeredAt))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
