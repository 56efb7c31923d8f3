// Hand-computed budget card figures and lights at each threshold edge; the gate's decisions; ledger invariants.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_BUDGET_THRESHOLDS,
  budgetAlertsCrossed,
  budgetCard,
  budgetLight,
  decideReservation,
  ledgerDeltas,
  ledgerReserve,
  shouldResume,
  usedShare,
  type LedgerMessage,
  type LedgerTotals,
} from './budget';
import { emptyState } from './message';
import type { CampaignStatus } from './types';

const now = Date.UTC(2025, 5, 15, 12);

describe('budgetCard', () => {
  it('computes every figure of the card', () => {
    const card = budgetCard({
      campaignBudgetsMinor: [50000, 30000],
      usedMinor: 42000,
      reservedMinor: 3000,
      spendLast7DaysMinor: 10500,
      now,
    });
    // total = 50000 + 30000 = 80000; remaining = 80000 − 42000 − 3000 = 35000;
    // daily average = 10500 / 7 = 1500; forecast = 35000 / 1500 = 23.33… → 23.3 days;
    // remaining share = 35000 / 80000 = 0.4375 (> 25 %) and 23.3 days (≥ 7): green.
    expect(card).toEqual({
      totalMinor: 80000,
      usedMinor: 42000,
      reservedMinor: 3000,
      remainingMinor: 35000,
      dailyAverageMinor: 1500,
      forecastDays: 23.3,
      remainingShare: 0.4375,
      light: 'green',
      asOf: now,
    });
  });

  it('rounds the daily average half up to minor units and the forecast down to a tenth of a day', () => {
    const card = (spend: number, remaining = 10000) =>
      budgetCard({ campaignBudgetsMinor: [remaining], usedMinor: 0, reservedMinor: 0, spendLast7DaysMinor: spend, now });
    expect(card(1000).dailyAverageMinor).toBe(143); // 142.857… → 143
    expect(card(1005).dailyAverageMinor).toBe(144); // 143.571… → 144
    expect(card(1003).dailyAverageMinor).toBe(143); // 143.285… → 143
    expect(card(3).dailyAverageMinor).toBe(0); // 0.428… → 0
    expect(card(4).dailyAverageMinor).toBe(1); // 0.571… → 1
    // forecast from the exact average: 10000 × 7 / 1000 = 70 days; 10000 × 7 / 1005 = 69.65… → 69.6.
    expect(card(1000).forecastDays).toBe(70);
    expect(card(1005).forecastDays).toBe(69.6);
  });

  it('has no forecast when nothing was spent in the last 7 days', () => {
    const card = budgetCard({ campaignBudgetsMinor: [1000], usedMinor: 0, reservedMinor: 0, spendLast7DaysMinor: 0, now });
    expect(card.dailyAverageMinor).toBe(0);
    expect(card.forecastDays).toBeNull();
    expect(card.light).toBe('green');
  });

  it('caps the total with the account monthly budget, or uses it alone', () => {
    const base = { usedMinor: 10000, reservedMinor: 0, spendLast7DaysMinor: 0, now };
    // min(50000 + 30000, 60000) = 60000; remaining 60000 − 10000 = 50000.
    const capped = budgetCard({ ...base, campaignBudgetsMinor: [50000, 30000], accountMonthlyBudgetMinor: 60000 });
    expect(capped.totalMinor).toBe(60000);
    expect(capped.remainingMinor).toBe(50000);
    expect(budgetCard({ ...base, campaignBudgetsMinor: [50000, 30000], accountMonthlyBudgetMinor: 100000 }).totalMinor).toBe(80000);
    expect(budgetCard({ ...base, campaignBudgetsMinor: [], accountMonthlyBudgetMinor: 20000 }).totalMinor).toBe(20000);
  });

  it('shows a negative remaining and a 0-day forecast when spend exceeds a lowered budget', () => {
    const card = budgetCard({ campaignBudgetsMinor: [1000], usedMinor: 1100, reservedMinor: 0, spendLast7DaysMinor: 700, now });
    expect(card.remainingMinor).toBe(-100);
    expect(card.forecastDays).toBe(0);
    expect(card.remainingShare).toBe(-0.1);
    expect(card.light).toBe('red');
  });

  it('is green with no budget and no spend', () => {
    const card = budgetCard({ campaignBudgetsMinor: [], usedMinor: 0, reservedMinor: 0, spendLast7DaysMinor: 0, now });
    expect(card).toMatchObject({ totalMinor: 0, remainingMinor: 0, remainingShare: null, forecastDays: null, light: 'green' });
  });
});

describe('budgetLight thresholds', () => {
  it('turns on the remaining share at 10 % (red) and 25 % (amber), boundaries included', () => {
    // total 1000, no spend so no forecast: remaining 100 = 10 % → red; 101 → amber; 250 = 25 % → amber; 251 → green.
    expect(budgetLight(1000, 100, 0)).toBe('red');
    expect(budgetLight(1000, 101, 0)).toBe('amber');
    expect(budgetLight(1000, 250, 0)).toBe('amber');
    expect(budgetLight(1000, 251, 0)).toBe('green');
    expect(budgetLight(1000, 0, 0)).toBe('red');
    expect(budgetLight(1000, -1, 0)).toBe('red');
  });

  it('turns on the forecast under 3 days (red) and under 7 days (amber), boundaries excluded', () => {
    // total 1000, spend 700 in 7 days = 100 a day. Shares stay above 25 %, so only the forecast decides.
    // remaining 300 → 3.0 days: not < 3, but < 7 → amber; 299 → 2.99 days → red.
    expect(budgetLight(1000, 300, 700)).toBe('amber');
    expect(budgetLight(1000, 299, 700)).toBe('red');
    // remaining 700 → 7.0 days → green; 699 → 6.99 days → amber.
    expect(budgetLight(1000, 700, 700)).toBe('green');
    expect(budgetLight(1000, 699, 700)).toBe('amber');
  });

  it('shows the same light and forecast on the card', () => {
    const card = budgetCard({ campaignBudgetsMinor: [1000], usedMinor: 600, reservedMinor: 101, spendLast7DaysMinor: 700, now });
    // remaining = 1000 − 600 − 101 = 299 → 299 / 100 = 2.99 days → 2.9 shown, red.
    expect(card.remainingMinor).toBe(299);
    expect(card.forecastDays).toBe(2.9);
    expect(card.light).toBe('red');
  });

  it('takes other thresholds', () => {
    const lenient = { ...DEFAULT_BUDGET_THRESHOLDS, redRemainingPercent: 5, amberRemainingPercent: 10 };
    expect(budgetLight(1000, 100, 0, lenient)).toBe('amber');
    expect(budgetLight(1000, 50, 0, lenient)).toBe('red');
    expect(budgetLight(1000, 101, 0, lenient)).toBe('green');
  });
});

describe('decideReservation', () => {
  const base = { budgetMinor: 1000, usedMinor: 900, reservedMinor: 80, costMinor: 10, campaignStatus: 'sending' as CampaignStatus, accountSuspended: false };

  it('allows a message the remaining budget can pay', () => {
    // remaining = 1000 − 900 − 80 = 20 ≥ 10, and 10 is left afterwards.
    expect(decideReservation(base)).toEqual({ allowed: true, stopCampaign: false });
  });

  it('allows the message that spends the last cent and stops the campaign', () => {
    expect(decideReservation({ ...base, costMinor: 20 })).toEqual({ allowed: true, stopCampaign: true });
  });

  it('refuses a message the remaining budget cannot pay and stops the campaign', () => {
    expect(decideReservation({ ...base, costMinor: 21 })).toEqual({ allowed: false, reason: 'budget_exhausted', stopCampaign: true });
  });

  it('never limits a campaign without a budget', () => {
    expect(decideReservation({ ...base, budgetMinor: null, costMinor: 1_000_000 })).toEqual({ allowed: true, stopCampaign: false });
  });

  it('refuses for the account first, then the campaign state', () => {
    expect(decideReservation({ ...base, accountSuspended: true, campaignStatus: 'paused' })).toEqual({
      allowed: false,
      reason: 'account_suspended',
      stopCampaign: false,
    });
    expect(decideReservation({ ...base, campaignStatus: 'paused', costMinor: 999 })).toMatchObject({ allowed: false, reason: 'campaign_paused' });
    expect(decideReservation({ ...base, campaignStatus: 'stopped' })).toMatchObject({ allowed: false, reason: 'campaign_stopped' });
    expect(decideReservation({ ...base, campaignStatus: 'completed' })).toMatchObject({ allowed: false, reason: 'campaign_stopped' });
    for (const s of ['draft', 'scheduled', 'sending'] as const) {
      expect(decideReservation({ ...base, campaignStatus: s }).allowed).toBe(true);
    }
  });
});

describe('shouldResume', () => {
  const stopped = { campaignStatus: 'stopped' as CampaignStatus, stopReason: 'budget_exhausted', usedMinor: 1000, reservedMinor: 0 };

  it('resumes a campaign stopped for its budget once the budget is raised or removed', () => {
    expect(shouldResume({ ...stopped, budgetMinor: 1000 })).toBe(false); // remaining 0
    expect(shouldResume({ ...stopped, budgetMinor: 2000 })).toBe(true); // remaining 1000
    expect(shouldResume({ ...stopped, budgetMinor: null })).toBe(true);
    // remaining 10 cannot pay a 15-cent message.
    expect(shouldResume({ ...stopped, budgetMinor: 1010, nextCostMinor: 15 })).toBe(false);
    expect(shouldResume({ ...stopped, budgetMinor: 1015, nextCostMinor: 15 })).toBe(true);
  });

  it('never resumes a campaign stopped by hand or not stopped', () => {
    expect(shouldResume({ ...stopped, stopReason: 'manual', budgetMinor: 5000 })).toBe(false);
    expect(shouldResume({ ...stopped, campaignStatus: 'paused', budgetMinor: 5000 })).toBe(false);
  });
});

describe('ledger invariants', () => {
  type Op =
    | { kind: 'reserve'; cost: number }
    | { kind: 'commit' | 'release' | 'expire'; pick: number }
    | { kind: 'raise'; amount: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('reserve' as const), cost: fc.integer({ min: 0, max: 60 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('commit' as const, 'release' as const, 'expire' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('raise' as const), amount: fc.integer({ min: 0, max: 200 }) }) },
  );

  // The gate's rule (ledgerReserve) and the ledger moves of every later change of a message (ledgerDeltas), as the
  // budget service runs them: reserve → reserved message; commit → committed at its actual cost; release or expiry →
  // released; then the rows (campaign and month) are moved by the deltas.
  const message = (cost: number): LedgerMessage => ({ ...emptyState(), campaign_id: 'c', cost_minor: cost, cost_state: 'reserved', registered_at: now });

  it('never lets used + reserved exceed the budget nor anything go negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(op, { maxLength: 80 }), (budget, ops) => {
        let ledger: LedgerTotals = { budgetMinor: budget, usedMinor: 0, reservedMinor: 0 };
        let month = { usedMinor: 0, reservedMinor: 0 };
        let status: CampaignStatus = 'sending';
        let stopReason: string | null = null;
        const open: LedgerMessage[] = [];
        const move = (before: LedgerMessage, after: LedgerMessage) => {
          const d = ledgerDeltas([{ before, after }], 'UTC');
          const c = d.get('c') ?? { used: 0, reserved: 0 };
          const m = d.get('month:2025-06') ?? { used: 0, reserved: 0 };
          ledger = { ...ledger, usedMinor: ledger.usedMinor + c.used, reservedMinor: ledger.reservedMinor + c.reserved };
          month = { usedMinor: month.usedMinor + m.used, reservedMinor: month.reservedMinor + m.reserved };
        };
        for (const o of ops) {
          if (o.kind === 'reserve') {
            const r = ledgerReserve(ledger, o.cost, { campaignStatus: status, accountSuspended: false });
            if (status === 'stopped') expect(r.decision.allowed).toBe(false);
            if (r.decision.allowed) {
              open.push(message(o.cost));
              month = { ...month, reservedMinor: month.reservedMinor + o.cost };
            }
            if (!r.decision.allowed && r.decision.reason === 'budget_exhausted') {
              expect(o.cost).toBeGreaterThan(budget - ledger.usedMinor - ledger.reservedMinor);
            }
            if (r.decision.stopCampaign) {
              status = 'stopped';
              stopReason = 'budget_exhausted';
            }
            ledger = r.ledger;
          } else if (o.kind === 'raise') {
            budget += o.amount;
            ledger = { ...ledger, budgetMinor: budget };
            if (shouldResume({ ...ledger, campaignStatus: status, stopReason })) {
              status = 'sending';
              stopReason = null;
            }
          } else if (open.length > 0) {
            const [m] = open.splice(o.pick % open.length, 1);
            // Committed at its estimate (sent at the same moment, so the month stays), or released.
            const after: LedgerMessage = o.kind === 'commit' ? { ...m, cost_state: 'committed', status: 'sent', sent_at: now } : { ...m, cost_state: 'released' };
            move(m, after);
          }
          expect(ledger.usedMinor).toBeGreaterThanOrEqual(0);
          expect(ledger.reservedMinor).toBeGreaterThanOrEqual(0);
          expect(ledger.reservedMinor).toBe(open.reduce((s, m) => s + m.cost_minor, 0));
          expect(ledger.usedMinor + ledger.reservedMinor).toBeLessThanOrEqual(budget);
          // The month row moves with the campaign's (one campaign, one month here).
          expect(month).toEqual({ usedMinor: ledger.usedMinor, reservedMinor: ledger.reservedMinor });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("replaces a committed estimate with the provider's actual cost, and moves a message's share to its new month", () => {
    const reserved = message(14);
    const committed: LedgerMessage = { ...reserved, cost_state: 'committed', status: 'sent', sent_at: now };
    // Commit: reserved −14 → used +14, in the campaign and in June.
    expect(ledgerDeltas([{ before: reserved, after: committed }], 'UTC')).toEqual(new Map([
      ['c', { used: 14, reserved: -14 }],
      ['month:2025-06', { used: 14, reserved: -14 }],
    ]));
    // The provider reports 3: used moves by 3 − 14 = −11 (money really spent, whatever the budget).
    expect(ledgerDeltas([{ before: committed, after: { ...committed, cost_minor: 3 } }], 'UTC').get('c')).toEqual({ used: -11, reserved: 0 });
    // Sent in July after being registered in June: its 14 leave June and join July; the campaign's row is unchanged.
    const july = Date.UTC(2025, 6, 1, 8);
    const moved = ledgerDeltas([{ before: committed, after: { ...committed, sent_at: july } }], 'UTC');
    expect(moved.get('month:2025-06')).toEqual({ used: -14, reserved: 0 });
    expect(moved.get('month:2025-07')).toEqual({ used: 14, reserved: 0 });
    expect(moved.get('c')).toEqual({ used: 0, reserved: 0 });
    // Released (not sent, or expired): its reservation is freed.
    expect(ledgerDeltas([{ before: reserved, after: { ...reserved, cost_state: 'released' } }], 'UTC').get('c')).toEqual({ used: 0, reserved: -14 });
  });
});

describe('budgetAlertsCrossed', () => {
  it('reports each level once, when the used share goes from below it to at or above it', () => {
    expect(budgetAlertsCrossed(0.5, 0.79)).toEqual([]);
    expect(budgetAlertsCrossed(usedShare(799, 1000), usedShare(800, 1000))).toEqual([80]);
    expect(budgetAlertsCrossed(0.8, 0.95)).toEqual([]);
    expect(budgetAlertsCrossed(0.7, 1)).toEqual([80, 100]);
    expect(budgetAlertsCrossed(0.9, 1.2)).toEqual([100]);
    expect(budgetAlertsCrossed(null, 0.85)).toEqual([80]);
    expect(budgetAlertsCrossed(0.9, 0.5)).toEqual([]);
    expect(budgetAlertsCrossed(0.5, null)).toEqual([]);
  });

  it('has no share without a positive budget', () => {
    expect(usedShare(10, null)).toBeNull();
    expect(usedShare(10, 0)).toBeNull();
    expect(usedShare(250, 1000)).toBe(0.25);
  });
});
