// The pooled incrementality factor, a campaign's incremental revenue and ROAS, and the window suggestion, on cases
// computed by hand (the worked example of docs/STATISTICS.md), plus the laws a ratio estimator must keep.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { campaignIncrementality, pooledFactor, revenueWithinWindows, standardErrorOf, suggestWindow } from './incrementality';

const Z = 1.959963984540054;

describe('pooledFactor', () => {
  it('pools two email campaigns (the worked example): the sampling errors win', () => {
    // R = (3000 + 1000) / (10000 + 5000) = 4000 / 15000 = 0.266667.
    // within = (1000² + 600²) / 15000² = 1 360 000 / 225 000 000 = 0.00604444 → se 0.0777460.
    // between = 2/1 · ((3000 − 2666.67)² + (1000 − 1333.33)²) / 15000² = 2 · 222 222.2 / 225 000 000 = 0.00197531.
    // within > between → se = 0.0777460, half = 1.959964 × 0.0777460 = 0.152379 → [0.114288, 0.419046].
    const f = pooledFactor([
      { incrementalMinor: 3000, standardErrorMinor: 1000, attributedMinor: 10000 },
      { incrementalMinor: 1000, standardErrorMinor: 600, attributedMinor: 5000 },
    ])!;
    expect(f.estimate).toBeCloseTo(0.266667, 6);
    expect(f.standardError).toBeCloseTo(0.077746, 6);
    expect(f.low).toBeCloseTo(0.114288, 5);
    expect(f.high).toBeCloseTo(0.419046, 5);
    expect(f.variance).toBe('within');
    expect(f.campaigns).toBe(2);
  });

  it('widens to the spread between campaigns when they disagree', () => {
    // R = 5000 / 20000 = 0.25; within = (100² + 100²) / 20000² = 5e-5; residuals ±2500 →
    // between = 2 · 2 · 2500² / 20000² = 0.0625 → se 0.25, half = 0.489991 → [−0.239991, 0.739991].
    const f = pooledFactor([
      { incrementalMinor: 5000, standardErrorMinor: 100, attributedMinor: 10000 },
      { incrementalMinor: 0, standardErrorMinor: 100, attributedMinor: 10000 },
    ])!;
    expect(f.estimate).toBe(0.25);
    expect(f.standardError).toBeCloseTo(0.25, 10);
    expect(f.low).toBeCloseTo(-0.239991, 5);
    expect(f.high).toBeCloseTo(0.739991, 5);
    expect(f.variance).toBe('between');
  });

  it('uses one campaign alone with its own error, and leaves out campaigns without attributed revenue', () => {
    // 2000 / 8000 = 0.25; se 400 / 8000 = 0.05.
    const f = pooledFactor([
      { incrementalMinor: 2000, standardErrorMinor: 400, attributedMinor: 8000 },
      { incrementalMinor: 900, standardErrorMinor: 10, attributedMinor: 0 },
    ])!;
    expect(f.campaigns).toBe(1);
    expect(f.estimate).toBe(0.25);
    expect(f.low).toBeCloseTo(0.25 - Z * 0.05, 10);
    expect(pooledFactor([])).toBeNull();
    expect(pooledFactor([{ incrementalMinor: 10, standardErrorMinor: 1, attributedMinor: 0 }])).toBeNull();
  });

  const measure = fc.record({
    incrementalMinor: fc.integer({ min: -100_000, max: 100_000 }),
    standardErrorMinor: fc.integer({ min: 0, max: 50_000 }),
    attributedMinor: fc.integer({ min: 1, max: 200_000 }),
  });

  it('does not depend on the order of the campaigns, nor on the unit of money', () => {
    fc.assert(
      fc.property(fc.array(measure, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 1000 }), (ms, unit) => {
        const f = pooledFactor(ms)!;
        const reversed = pooledFactor([...ms].reverse())!;
        const rescaled = pooledFactor(ms.map((m) => ({ incrementalMinor: m.incrementalMinor * unit, standardErrorMinor: m.standardErrorMinor * unit, attributedMinor: m.attributedMinor * unit })))!;
        for (const g of [reversed, rescaled]) {
          expect(g.estimate).toBeCloseTo(f.estimate, 9);
          expect(g.low).toBeCloseTo(f.low, 9);
          expect(g.high).toBeCloseTo(f.high, 9);
        }
        expect(f.low).toBeLessThanOrEqual(f.estimate);
        expect(f.high).toBeGreaterThanOrEqual(f.estimate);
      }),
    );
  });
});

describe('campaignIncrementality', () => {
  it('uses the campaign’s own holdout when it has one', () => {
    // Own 3000 [1040, 4960] on 10000 attributed: factor 0.3 [0.104, 0.496]; spend 500: ROAS 6 [2.08, 9.92].
    const c = campaignIncrementality({ attributedMinor: 10000, spendMinor: 500, own: { estimate: 3000, low: 1040, high: 4960 }, channelFactor: { estimate: 0.9, low: 0.8, high: 1 } });
    expect(c.source).toBe('own_holdout');
    expect(c.incrementalRevenueMinor).toEqual({ estimate: 3000, low: 1040, high: 4960 });
    expect(c.factor!.estimate).toBeCloseTo(0.3, 12);
    expect(c.factor!.low).toBeCloseTo(0.104, 12);
    expect(c.incrementalRoas!.estimate).toBeCloseTo(6, 12);
    expect(c.incrementalRoas!.high).toBeCloseTo(9.92, 12);
  });

  it('carries the channel factor over to a campaign without its own, and says none without either', () => {
    // 0.25 [0.1, 0.4] × 6000 = 1500 [600, 2400]; spend 300: ROAS 5 [2, 8].
    const c = campaignIncrementality({ attributedMinor: 6000, spendMinor: 300, own: null, channelFactor: { estimate: 0.25, low: 0.1, high: 0.4 } });
    expect(c.source).toBe('channel_factor');
    expect(c.incrementalRevenueMinor!.estimate).toBeCloseTo(1500, 9);
    expect(c.incrementalRevenueMinor!.low).toBeCloseTo(600, 9);
    expect(c.incrementalRevenueMinor!.high).toBeCloseTo(2400, 9);
    expect(c.incrementalRoas!.estimate).toBeCloseTo(5, 9);
    expect(campaignIncrementality({ attributedMinor: 6000, spendMinor: 0, own: null, channelFactor: { estimate: 0.25, low: 0.1, high: 0.4 } }).incrementalRoas).toBeNull();
    expect(campaignIncrementality({ attributedMinor: 6000, spendMinor: 300, own: null, channelFactor: null })).toEqual({ source: 'none', incrementalRevenueMinor: null, incrementalRoas: null, factor: null });
  });
});

describe('window suggestion', () => {
  it('picks the window whose revenue is closest to the incremental revenue, the shorter on a tie', () => {
    // Campaign 1: orders 2 h (1000), 30 h (2000), 100 h (4000) after their message; campaign 2: 0.5 h (500), 200 h (3000).
    const h = 3_600_000;
    const c1 = revenueWithinWindows([{ ageMs: 2 * h, revenueMinor: 1000 }, { ageMs: 30 * h, revenueMinor: 2000 }, { ageMs: 100 * h, revenueMinor: 4000 }]);
    const c2 = revenueWithinWindows([{ ageMs: 0.5 * h, revenueMinor: 500 }, { ageMs: 200 * h, revenueMinor: 3000 }]);
    // Windows 1, 12, 24, 48, 72, 120, 168, 336, 720 h.
    expect(c1).toEqual([0, 1000, 1000, 3000, 3000, 7000, 7000, 7000, 7000]);
    expect(c2).toEqual([500, 500, 500, 500, 500, 500, 500, 3500, 3500]);
    // Totals 500, 1500, 1500, 3500, 3500, 7500, …; incremental 2500 + 800 = 3300 → 3500 (off by 200) at 48 h and 72 h → 48 h.
    const s = suggestWindow([{ incrementalMinor: 2500, revenueWithin: c1 }, { incrementalMinor: 800, revenueWithin: c2 }])!;
    expect(s.windowHours).toBe(48);
    expect(s.revenueWithinMinor).toBe(3500);
    expect(s.incrementalMinor).toBe(3300);
    expect(suggestWindow([])).toBeNull();
  });

  it('reads a standard error back from a 95 % interval', () => {
    // Half-width 1.959964 × 250 around 1000.
    expect(standardErrorOf({ estimate: 1000, low: 1000 - Z * 250, high: 1000 + Z * 250 })).toBeCloseTo(250, 9);
  });
});
