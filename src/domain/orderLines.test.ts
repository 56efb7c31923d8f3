import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupSpend, lineValueMinor, linesAfterRefunds, roasOf, shareCredits, type OrderLine } from './orderLines';

const line = (lineNo: number, o: Partial<OrderLine> = {}): OrderLine => ({
  lineNo, lineId: null, productId: null, variantId: null, sku: null, title: `item ${lineNo}`, productType: null, vendor: null,
  quantity: 1, unitPriceMinor: 0, discountMinor: 0, ...o,
});

describe('order lines', () => {
  it('values a line at price × quantity − its discounts, never below 0', () => {
    // 25.00 × 2 − 5.00 = 45.00
    expect(lineValueMinor({ unitPriceMinor: 2500, quantity: 2, discountMinor: 500 })).toBe(4500);
    expect(lineValueMinor({ unitPriceMinor: 100, quantity: 1, discountMinor: 300 })).toBe(0);
  });

  it('takes each refund off the line it names, by source id or by number', () => {
    const lines = [line(1, { lineId: 'L1', unitPriceMinor: 2500, quantity: 2, discountMinor: 500 }), line(2, { unitPriceMinor: 2000, discountMinor: 200 })];
    // Line 1: 45.00 − 10.00 = 35.00; line 2 (no id, named "2"): 18.00 − 18.00 = 0.
    expect(linesAfterRefunds(lines, [{ lineId: 'L1', quantity: 0, amountMinor: 1000 }, { lineId: '2', quantity: 1, amountMinor: 1800 }, { lineId: 'other', quantity: 1, amountMinor: 99 }]))
      .toEqual([{ refundedMinor: 1000, netMinor: 3500 }, { refundedMinor: 1800, netMinor: 0 }]);
  });

  it('shares each campaign credit by line value with largest remainders', () => {
    // 2000 over 1000 : 2001 → 666.44 and 1333.56: floors 666 + 1333 = 1999, the unit left to the larger remainder (.56).
    const shares = shareCredits([{ lineNo: 1, netMinor: 1000, quantity: 1 }, { lineNo: 2, netMinor: 2001, quantity: 1 }], [{ campaignId: 'A', revenueMinor: 2000, weightMicro: 1_000_000 }]);
    expect(shares).toEqual([
      { campaignId: 'A', lineNo: 1, revenueMinor: 666, weightMicro: 1_000_000 },
      { campaignId: 'A', lineNo: 2, revenueMinor: 1334, weightMicro: 1_000_000 },
    ]);
  });

  it('gives a line refunded in full no share, shares by quantity when all lines are worth 0, and keeps an order without lines on line 0', () => {
    const credit = [{ campaignId: 'A', revenueMinor: 4500, weightMicro: 500_000 }];
    expect(shareCredits([{ lineNo: 1, netMinor: 4500, quantity: 2 }, { lineNo: 2, netMinor: 0, quantity: 1 }], credit)).toEqual([{ campaignId: 'A', lineNo: 1, revenueMinor: 4500, weightMicro: 500_000 }]);
    // 4500 by quantities 2 : 1 → 3000 and 1500.
    expect(shareCredits([{ lineNo: 1, netMinor: 0, quantity: 2 }, { lineNo: 2, netMinor: 0, quantity: 1 }], credit).map((s) => s.revenueMinor)).toEqual([3000, 1500]);
    expect(shareCredits([], credit)).toEqual([{ campaignId: 'A', lineNo: 0, revenueMinor: 4500, weightMicro: 500_000 }]);
  });

  it('law: every campaign\'s line shares are whole, not negative, and sum exactly to its credit', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ netMinor: fc.nat(1_000_000), quantity: fc.nat(20) }), { maxLength: 8 }),
      fc.array(fc.record({ revenueMinor: fc.nat(10_000_000), weightMicro: fc.integer({ min: 1, max: 1_000_000 }) }), { minLength: 1, maxLength: 4 }),
      (lines, credits) => {
        const nets = lines.map((l, i) => ({ lineNo: i + 1, ...l }));
        const cs = credits.map((c, i) => ({ campaignId: `c${i}`, ...c }));
        const out = shareCredits(nets, cs);
        for (const c of cs) {
          const mine = out.filter((s) => s.campaignId === c.campaignId);
          expect(mine.reduce((s, x) => s + x.revenueMinor, 0)).toBe(c.revenueMinor);
          for (const s of mine) {
            expect(Number.isInteger(s.revenueMinor) && s.revenueMinor >= 0).toBe(true);
            expect(s.weightMicro).toBe(c.weightMicro);
          }
        }
      },
    ));
  });

  it('charges a group each campaign\'s spend by its share of the campaign revenue', () => {
    // A: 10000 × 666/6500 = 1024.615…; B: 5000 × 3000/3800 = 3947.368… → 4971.98…
    const spend = groupSpend(new Map([['A', 666], ['B', 3000]]), new Map([['A', 6500], ['B', 3800]]), new Map([['A', 10000], ['B', 5000]]));
    expect(spend).toBeCloseTo(10000 * 666 / 6500 + 5000 * 3000 / 3800, 9);
    expect(Math.round(spend)).toBe(4972);
    // A campaign without revenue charges nobody; ROAS is null without spend.
    expect(groupSpend(new Map([['C', 0]]), new Map([['C', 0]]), new Map([['C', 700]]))).toBe(0);
    expect(roasOf(100, 0)).toBeNull();
    expect(roasOf(3666, spend)).toBeCloseTo(3666 / 4971.9838, 5);
  });

  it('law: the groups of one period are charged exactly the spend of the campaigns that credited them', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.nat(100_000), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), fc.nat(1_000_000), fc.nat(1_000_000), (groups, sA, sB) => {
      const revenue = new Map([['A', groups.reduce((s, g) => s + g[0], 0)], ['B', groups.reduce((s, g) => s + g[1], 0)]]);
      const spend = new Map([['A', sA], ['B', sB]]);
      const charged = groups.reduce((s, g) => s + groupSpend(new Map([['A', g[0]], ['B', g[1]]]), revenue, spend), 0);
      const expected = (revenue.get('A')! > 0 ? sA : 0) + (revenue.get('B')! > 0 ? sB : 0);
      expect(Math.abs(charged - expected)).toBeLessThan(1e-6 * Math.max(1, expected));
    }));
  });
});
