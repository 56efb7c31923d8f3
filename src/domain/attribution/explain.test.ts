// An order's attribution explained (explainOrder): every touch's verdict with its reason, each counted touch's share
// under every model, computed by hand; and the property that holds the explanation to the credits it explains.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../types';
import { attributeOrder, explainOrder, WEIGHT_SCALE, type AttributableOrder } from './credits';
import { ATTRIBUTION_MODELS } from './models';
import { accountWindows, DEFAULT_WINDOWS, TOUCH_KINDS, type Touch } from './touches';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 10, 20, 12, 0, 0);
const order = (patch: Partial<AttributableOrder> = {}): AttributableOrder => ({ at: T, revenueMinor: 10000, currency: 'EUR', cancelled: false, ...patch });
const touch = (campaignId: string, channel: Touch['channel'], kind: Touch['kind'], before: number, extra: Partial<Touch> = {}): Touch => ({
  campaignId, messageId: `${campaignId}-msg`, channel, kind, at: T - before, ...extra,
});

describe('explainOrder: one reason per touch, as computed by hand', () => {
  // SMS influence window shortened to 7 days (168 h), as the account of test/attribution.explain.test.ts sets it.
  const windows = accountWindows({ sms: { delivery: 7 * DAY } });
  const touches: Touch[] = [
    touch('E', 'email', 'click', 2 * DAY), // 0: direct, inside the 5-day click window
    touch('S', 'sms', 'delivery', 10 * DAY), // 1: 10 days − 7 days = 3 days beyond its window
    touch('E', 'email', 'open', 3 * DAY, { machine: true, flagReason: 'apple_mpp' }), // 2: machine open
    touch('E', 'email', 'click', 1 * DAY, { machine: true, flagReason: 'isbot' }), // 3: bot click
    touch('S', 'sms', 'click', -2 * HOUR), // 4: two hours after the order
    touch('E', 'email', 'open', 2 * DAY + HOUR), // 5: a human open, inside its 5-day window, beaten by the click
    touch('E', 'email', 'click', 2 * DAY), // 6: the same click twice
    touch('S', 'sms', 'sent', DAY), // 7: no window for an SMS send
    touch('W', 'whatsapp', 'click', 4 * DAY), // 8: direct, 4 days (inside 5)
  ];

  it('says why each touch did or did not count', () => {
    const x = explainOrder(order(), touches, windows);
    expect(x.verdicts).toEqual([
      { counted: true },
      { counted: false, reason: 'outside_window', windowMs: 7 * DAY, beyondMs: 3 * DAY },
      { counted: false, reason: 'machine_open', flagReason: 'apple_mpp' },
      { counted: false, reason: 'bot_click', flagReason: 'isbot' },
      { counted: false, reason: 'after_order', afterMs: 2 * HOUR },
      { counted: false, reason: 'beaten_by_direct' },
      { counted: false, reason: 'duplicate' },
      { counted: false, reason: 'no_window' },
      { counted: true },
    ]);
    // Path oldest first: W's click (4 days) then E's click (2 days).
    expect(x.path).toEqual([8, 0]);
    expect(x.direct).toBe(true);
  });

  it("gives each counted touch's share under every model", () => {
    const x = explainOrder(order(), touches, windows);
    // Two touches, ages 4 d and 2 d. time decay (half-life 7 d): 2^(−(4−2)/7) = 0.82034 for W, 1 for E;
    // shares 0.82034 / 1.82034 = 0.45065 and 1 / 1.82034 = 0.54935 → 45.07 € and 54.93 € of 100.00 €.
    expect(x.byModel.last_touch.shares).toEqual([0, 1]);
    expect(x.byModel.first_touch.shares).toEqual([1, 0]);
    expect(x.byModel.linear.shares).toEqual([0.5, 0.5]);
    expect(x.byModel.position_based.shares).toEqual([0.5, 0.5]);
    const d = 2 ** (-2 / 7);
    expect(x.byModel.time_decay.shares[0]).toBeCloseTo(d / (1 + d), 12);
    expect(x.byModel.time_decay.shares[0]).toBeCloseTo(0.45065, 5);
    expect(x.byModel.time_decay.credits.map((c) => [c.campaignId, c.revenueMinor])).toEqual([['E', 5493], ['W', 4507]]);
    expect(x.byModel.last_touch.credits.map((c) => [c.campaignId, c.revenueMinor])).toEqual([['E', 10000]]);
  });

  it('a cancelled order: every touch says so, nothing is credited', () => {
    const x = explainOrder(order({ cancelled: true }), touches.slice(0, 2), windows);
    expect(x.verdicts).toEqual([{ counted: false, reason: 'order_cancelled' }, { counted: false, reason: 'order_cancelled' }]);
    expect(x.direct).toBeNull();
    expect(x.byModel.linear.credits).toEqual([]);
  });

  it('only influence: the human open counts and nothing beats it', () => {
    const x = explainOrder(order(), [touches[5], touches[1]], windows);
    expect(x.verdicts[0]).toEqual({ counted: true });
    expect(x.direct).toBe(false);
  });
});

describe('explainOrder: the explanation is the credit (property)', () => {
  const touchArb = fc.record({
    campaignId: fc.constantFrom('A', 'B', 'C', 'D'),
    messageId: fc.option(fc.constantFrom('m1', 'm2', 'm3'), { nil: null }),
    channel: fc.constantFrom(...CHANNELS),
    kind: fc.constantFrom(...TOUCH_KINDS),
    at: fc.integer({ min: T - 35 * DAY, max: T + DAY }),
    machine: fc.boolean(),
  });
  const input = fc.record({
    revenue: fc.integer({ min: 0, max: 1e10 }),
    cancelled: fc.boolean(),
    touches: fc.array(touchArb, { maxLength: 12 }),
    halfLifeDays: fc.integer({ min: 1, max: 30 }),
  });

  it("equals attributeOrder under every model, and each campaign's shares × revenue give its row (within rounding)", () => {
    fc.assert(
      fc.property(input, ({ revenue, cancelled, touches, halfLifeDays }) => {
        const o = order({ revenueMinor: revenue, cancelled });
        const options = { halfLifeMs: halfLifeDays * DAY };
        const x = explainOrder(o, touches, DEFAULT_WINDOWS, options);
        expect(x.verdicts).toHaveLength(touches.length);
        expect(x.path.every((i) => x.verdicts[i].counted)).toBe(true);
        for (const model of ATTRIBUTION_MODELS) {
          const { shares, credits } = x.byModel[model];
          expect(credits).toEqual(attributeOrder(o, touches, model, DEFAULT_WINDOWS, options));
          if (x.path.length === 0) continue;
          expect(shares.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 9);
          const byCampaign = new Map<string, number>();
          x.path.forEach((i, k) => byCampaign.set(touches[i].campaignId, (byCampaign.get(touches[i].campaignId) ?? 0) + shares[k]));
          for (const [campaignId, share] of byCampaign) {
            const row = credits.find((c) => c.campaignId === campaignId);
            // Largest remainder gives each row the floor or the ceiling of its exact share: less than one unit away.
            expect(Math.abs(share * revenue - (row?.revenueMinor ?? 0))).toBeLessThan(1 + revenue * 1e-12);
            expect(Math.abs(share * WEIGHT_SCALE - (row?.weightMicro ?? 0))).toBeLessThan(1 + 1e-6);
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
