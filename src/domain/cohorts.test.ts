import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths, cohortMarks, contactMonthsDelta, histogramMedian, markKey, marksDelta, messageContactMonths, monthsBetween, retentionTable,
  type CohortMark, type ContactMonth, type MessageCohortFacts,
} from './cohorts';

const DAY = 86_400_000;
const none: MessageCohortFacts = {
  cohort_day: '2026-09-10', sent_at: null, bounced_at: null, delivered_at: null, last_engaged_at: null, opened_at: null, clicked_at: null,
  scanned_at: null, replied_at: null, unsubscribed_at: null, complained_at: null, bounce_type: null, not_sent_reason: null, failure_reason: null,
};
const row = (channel: ContactMonth['channel'], month: string, messages: number, engaged = 0, unreachable = 0): ContactMonth => ({ channel, month, messages, engaged, unreachable });
const sorted = (m: CohortMark[]) => m.map((x) => `${markKey(x)}=${x.n}`).sort();

describe('messageContactMonths', () => {
  it('puts a sent message on its cohort month and its first human engagements on their months (account zone)', () => {
    const sept = Date.UTC(2026, 8, 10, 12);
    // Opened 30 Sept 23:30 UTC = 1 Oct 01:30 in Paris; clicked the same October; replied in November.
    const m = { ...none, sent_at: sept, opened_at: Date.UTC(2026, 8, 30, 23, 30), clicked_at: Date.UTC(2026, 9, 5), replied_at: Date.UTC(2026, 10, 2), last_engaged_at: Date.UTC(2026, 10, 2) };
    expect(messageContactMonths(m, 'email', 'Europe/Paris')).toEqual([
      row('email', '2026-09', 1), row('email', '2026-10', 0, 1), row('email', '2026-11', 0, 1),
    ]);
    // In UTC the open is in September: one row, sent and engaged.
    expect(messageContactMonths({ ...m, clicked_at: null, replied_at: null }, 'email', 'UTC')).toEqual([row('email', '2026-09', 1, 1)]);
  });

  it('counts a registered message nowhere, and a refused or unsubscribed one as out of reach', () => {
    expect(messageContactMonths(none, 'sms', 'UTC')).toEqual([row('sms', '2026-09', 0)]);
    expect(messageContactMonths({ ...none, not_sent_reason: 'opted_out' }, 'sms', 'UTC')).toEqual([row('sms', '2026-09', 0, 0, 1)]);
    expect(messageContactMonths({ ...none, not_sent_reason: 'budget_exhausted' }, 'sms', 'UTC')).toEqual([row('sms', '2026-09', 0)]);
    expect(messageContactMonths({ ...none, sent_at: 1, unsubscribed_at: 2 }, 'sms', 'UTC')).toEqual([row('sms', '2026-09', 1, 0, 1)]);
    expect(messageContactMonths({ ...none, bounced_at: 1, bounce_type: 'hard' }, 'email', 'UTC')).toEqual([row('email', '2026-09', 1, 0, 1)]);
    expect(messageContactMonths({ ...none, bounced_at: 1, bounce_type: 'soft' }, 'email', 'UTC')).toEqual([row('email', '2026-09', 1, 0, 0)]);
  });

  it('moves a message that got an earlier send to its new month', () => {
    const before = messageContactMonths({ ...none, sent_at: 1, cohort_day: '2026-10-02' }, 'email', 'UTC');
    const after = messageContactMonths({ ...none, sent_at: 1, cohort_day: '2026-09-28' }, 'email', 'UTC');
    expect(contactMonthsDelta(before, after)).toEqual([row('email', '2026-10', -1), row('email', '2026-09', 1)]);
    expect(contactMonthsDelta(before, before)).toEqual([]);
  });
});

describe('cohortMarks', () => {
  it('gives a contact its cohort, active months, buyer, repeat buyer, gaps and churn per channel and for all', () => {
    const months = [row('email', '2026-09', 1, 1), row('email', '2026-11', 1, 1, 1), row('sms', '2026-10', 1, 0), row('sms', '2026-12', 0, 1)];
    // Orders: 20 Aug (before the cohort: not a purchase month, still an order), 3 Oct, 13 Oct (10 days later).
    const orders = [Date.UTC(2026, 9, 13, 12), Date.UTC(2026, 7, 20), Date.UTC(2026, 9, 3, 12)];
    const marks = cohortMarks(months, orders, 'UTC');
    const common = (channel: string, cohort: string) => [`${channel}|${cohort}|buyers|=1`, `${channel}|${cohort}|repeat_buyers|=1`,
      // Gaps: 20 Aug → 3 Oct 12:00 = 44.5 days → 44; 3 Oct → 13 Oct = 10 days.
      `${channel}|${cohort}|order_gaps|44=1`, `${channel}|${cohort}|order_gaps|10=1`, `${channel}|${cohort}|purchased|2026-10=1`];
    expect(sorted(marks)).toEqual([
      // E-mail: cohort September, engaged September and November, out of reach (November's message).
      'email|2026-09|contacts|2026-09=1', 'email|2026-09|engaged|2026-09=1', 'email|2026-09|engaged|2026-11=1', 'email|2026-09|churned|=1', ...common('email', '2026-09'),
      // SMS: cohort October, engaged December; reachable.
      'sms|2026-10|contacts|2026-10=1', 'sms|2026-10|engaged|2026-12=1', ...common('sms', '2026-10'),
      // All: cohort September, engaged September, November, December; reachable on SMS, so not churned.
      'all|2026-09|contacts|2026-09=1', 'all|2026-09|engaged|2026-09=1', 'all|2026-09|engaged|2026-11=1', 'all|2026-09|engaged|2026-12=1', ...common('all', '2026-09'),
    ].sort());
  });

  it('counts no contact without a message sent, churns "all" only when every channel is lost, caps gaps at 365 days', () => {
    expect(cohortMarks([row('email', '2026-09', 0, 1, 1)], [1], 'UTC')).toEqual([]);
    const lost = cohortMarks([row('email', '2026-09', 1, 0, 1), row('sms', '2026-10', 1, 0, 1)], [0, 800 * DAY], 'UTC');
    expect(lost.filter((m) => m.metric === 'churned').map((m) => m.channel).sort()).toEqual(['all', 'email', 'sms']);
    expect(lost.filter((m) => m.metric === 'order_gaps' && m.channel === 'all')).toEqual([{ channel: 'all', cohort: '2026-09', month: '365', metric: 'order_gaps', n: 1 }]);
  });

  it('a contact\'s marks never depend on the order of its messages or orders (property)', () => {
    const arb = fc.record({
      months: fc.array(fc.record({ channel: fc.constantFrom('email' as const, 'sms' as const), month: fc.constantFrom('2026-08', '2026-09', '2026-10'), messages: fc.nat(2), engaged: fc.nat(2), unreachable: fc.nat(1) }), { maxLength: 6 }),
      orders: fc.array(fc.integer({ min: Date.UTC(2026, 6, 1), max: Date.UTC(2026, 11, 1) }), { maxLength: 5 }),
    });
    fc.assert(fc.property(arb, fc.nat(), ({ months, orders }, seed) => {
      const shuffle = <T>(xs: T[]) => xs.map((x, i) => [x, (i * 7919 + seed) % 101] as const).sort((a, b) => a[1] - b[1]).map(([x]) => x);
      const a = cohortMarks(contactMonthsDelta(null, months), orders, 'UTC');
      const b = cohortMarks(contactMonthsDelta(null, shuffle(months)), shuffle(orders), 'UTC');
      expect(marksDelta(a, b)).toEqual([]);
      // Each contact counts once per channel it was sent a message on.
      expect(a.filter((m) => m.metric === 'contacts').length).toBe(new Set(months.filter((r) => r.messages > 0).map((r) => r.channel)).size + (months.some((r) => r.messages > 0) ? 1 : 0));
    }));
  });
});

describe('marksDelta', () => {
  it('is what turns the old marks into the new: applying it to the old sum gives the new sum (property)', () => {
    const mark = fc.record({ channel: fc.constantFrom('all' as const, 'email' as const), cohort: fc.constantFrom('2026-09', '2026-10'), month: fc.constantFrom('', '2026-10'), metric: fc.constantFrom('contacts' as const, 'engaged' as const), n: fc.integer({ min: 1, max: 3 }) });
    fc.assert(fc.property(fc.array(mark), fc.array(mark), (before, after) => {
      const sum = (ms: CohortMark[]) => {
        const out = new Map<string, number>();
        for (const m of ms) out.set(markKey(m), (out.get(markKey(m)) ?? 0) + m.n);
        return out;
      };
      const s = sum(before);
      for (const d of marksDelta(before, after)) s.set(markKey(d), (s.get(markKey(d)) ?? 0) + d.n);
      const want = sum(after);
      expect(new Map([...s].filter(([, n]) => n !== 0))).toEqual(want);
    }));
  });
});

describe('months and medians', () => {
  it('counts months across years', () => {
    expect(monthsBetween('2025-11', '2026-02')).toBe(3);
    expect(addMonths('2026-02', -3)).toBe('2025-11');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
  });

  it('takes the middle of a histogram, or the mean of the two middle values', () => {
    expect(histogramMedian(new Map())).toBeNull();
    // 3, 10, 10 → 10.
    expect(histogramMedian(new Map([[10, 2], [3, 1]]))).toBe(10);
    // 3, 10, 12, 40 → (10 + 12) / 2 = 11.
    expect(histogramMedian(new Map([[40, 1], [3, 1], [12, 1], [10, 1]]))).toBe(11);
  });
});

describe('retentionTable', () => {
  it('builds the triangle, the weighted curve and the purchase figures from the counts', () => {
    const rows = [
      { cohort: '2026-10', metric: 'contacts' as const, month: '2026-10', contacts: 4 },
      { cohort: '2026-10', metric: 'engaged' as const, month: '2026-10', contacts: 3 },
      { cohort: '2026-10', metric: 'engaged' as const, month: '2026-12', contacts: 1 },
      { cohort: '2026-11', metric: 'contacts' as const, month: '2026-11', contacts: 1 },
      { cohort: '2026-11', metric: 'engaged' as const, month: '2026-12', contacts: 1 },
      { cohort: '2026-10', metric: 'buyers' as const, month: '', contacts: 2 },
      { cohort: '2026-10', metric: 'repeat_buyers' as const, month: '', contacts: 1 },
      { cohort: '2026-10', metric: 'order_gaps' as const, month: '30', contacts: 1 },
      { cohort: '2026-11', metric: 'order_gaps' as const, month: '10', contacts: 1 },
      { cohort: '2026-11', metric: 'churned' as const, month: '', contacts: 1 },
    ];
    const t = retentionTable(rows, 'engaged', '2026-10', '2026-12');
    expect(t.cohorts.map((l) => [l.cohort, l.contacts, l.cells.map((c) => c.contacts)])).toEqual([['2026-10', 4, [3, 0, 1]], ['2026-11', 1, [0, 1]], ['2026-12', 0, [0]]]);
    expect(t.cohorts[0]).toMatchObject({ buyers: 2, repeatBuyers: 1, repeatPurchaseRate: 0.5, medianDaysBetweenOrders: 30, churned: 0, churnRate: 0 });
    expect(t.cohorts[2]).toMatchObject({ repeatPurchaseRate: null, medianDaysBetweenOrders: null, churnRate: null, cells: [{ monthsSince: 0, contacts: 0, share: null }] });
    // Curve: 0 → (3 + 0 + 0) / (4 + 1 + 0) = 3/5; 1 → (0 + 1) / (4 + 1) = 1/5; 2 → 1/4.
    expect(t.curve.map((c) => c.share)).toEqual([3 / 5, 1 / 5, 1 / 4]);
    // Overall: 5 contacts, 2 buyers, 1 repeat, gaps 10 and 30 → median 20, 1 churned of 5.
    expect(t.overall).toEqual({ contacts: 5, buyers: 2, repeatBuyers: 1, repeatPurchaseRate: 0.5, medianDaysBetweenOrders: 20, churned: 1, churnRate: 0.2 });
  });
});
