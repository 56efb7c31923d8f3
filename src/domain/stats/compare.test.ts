// Checks A/B verdicts on hand-computed cases, the minimum-sample rule, Holm's correction and the choice of a winner.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareVariants, holmAdjust, pickWinner, type VariantFigures } from './compare';
import { mulberry32 } from './prng';

/** A variant where only the conversions matter (opened and clicked set to delivered). */
function conv(id: string, delivered: number, converters: number): VariantFigures {
  return { id, delivered, opened: delivered, clicked: delivered, converters, revenueMinor: 0, revenueSqMinor: 0 };
}

/** A variant whose buyers each spent `basket` minor units. */
function buyers(id: string, delivered: number, count: number, basket: number): VariantFigures {
  return {
    id,
    delivered,
    opened: delivered,
    clicked: delivered,
    converters: count,
    revenueMinor: count * basket,
    revenueSqMinor: count * basket * basket,
  };
}

describe('compareVariants on rates', () => {
  it('declares the variant the winner when its conversion rate is significantly higher', () => {
    // Control 50/1000 = 5 %, variant 80/1000 = 8 %: difference 0.03, relative lift 0.03/0.05 = 0.6.
    // Pooled 130/2000 = 0.065; se = √(0.065·0.935·(1/1000 + 1/1000)) = √0.00012155 = 0.011025;
    // z = 0.03/0.011025 = 2.7211; p = 2Φ(−2.7211) = 0.006507.
    // Newcombe: Wilson 80/1000 = (0.064748, 0.098466), 50/1000 = (0.038130, 0.065314);
    // low = 0.03 − √(0.015252² + 0.015314²) = 0.03 − 0.021613 = 0.008387,
    // high = 0.03 + √(0.018466² + 0.011870²) = 0.03 + 0.021952 = 0.051952.
    const r = compareVariants(conv('A', 1000, 50), conv('B', 1000, 80), 'conversion_rate');
    expect(r.control).toEqual({ id: 'A', n: 1000, value: 0.05 });
    expect(r.variant).toEqual({ id: 'B', n: 1000, value: 0.08 });
    expect(r.difference).toBeCloseTo(0.03, 12);
    expect(r.relativeLift).toBeCloseTo(0.6, 12);
    expect(r.pValue).toBeCloseTo(0.006507, 6);
    expect(r.low).toBeCloseTo(0.008387, 6);
    expect(r.high).toBeCloseTo(0.051952, 6);
    expect(r.confidence).toBe(0.95);
    expect(r.method).toBe('z_test_newcombe_interval');
    expect(r.verdict).toBe('variant_wins');
    expect(r.reason).toBeNull();
    expect(r.probabilityToBeatControl).toBeGreaterThan(0.99);
    // Swapped roles: the control wins.
    expect(compareVariants(conv('B', 1000, 80), conv('A', 1000, 50), 'conversion_rate').verdict).toBe('control_wins');
  });

  it('finds no significant difference for 6 % against 5 % on 1000 each', () => {
    // Pooled 110/2000 = 0.055; se = √(0.055·0.945·0.002) = 0.010196; z = 0.01/0.010196 = 0.9808; p = 0.3267.
    // Newcombe: (−0.010155, 0.030302) contains 0.
    const r = compareVariants(conv('A', 1000, 50), conv('B', 1000, 60), 'conversion_rate');
    expect(r.pValue).toBeCloseTo(0.3267, 4);
    expect(r.low).toBeCloseTo(-0.010155, 6);
    expect(r.high).toBeCloseTo(0.030302, 6);
    expect(r.verdict).toBe('no_significant_difference');
  });

  it('reads opens and clicks for the open and click rates, over delivered', () => {
    const a: VariantFigures = { id: 'A', delivered: 400, opened: 200, clicked: 40, converters: 0, revenueMinor: 0, revenueSqMinor: 0 };
    const b: VariantFigures = { id: 'B', delivered: 500, opened: 300, clicked: 50, converters: 0, revenueMinor: 0, revenueSqMinor: 0 };
    expect(compareVariants(a, b, 'open_rate').variant.value).toBeCloseTo(0.6, 12); // 300/500
    expect(compareVariants(a, b, 'open_rate').control.value).toBeCloseTo(0.5, 12); // 200/400
    expect(compareVariants(a, b, 'click_rate').difference).toBeCloseTo(0, 12); // 50/500 − 40/400
  });

  it('says not enough data below 100 delivered per variant or 5 expected successes, but still gives figures', () => {
    const small = compareVariants(conv('A', 99, 30), conv('B', 99, 60), 'conversion_rate');
    expect(small.verdict).toBe('not_enough_data');
    expect(small.reason).toMatch(/100 delivered/);
    expect(small.difference).toBeCloseTo(30 / 99, 12);
    expect(small.pValue).not.toBeNull();
    // 2/200 and 3/200: pooled 5/400 = 0.0125, expected 200·0.0125 = 2.5 successes per variant < 5.
    expect(compareVariants(conv('A', 200, 2), conv('B', 200, 3), 'conversion_rate').verdict).toBe('not_enough_data');
    // Failures count too: 198/200 and 199/200 leave 1.5 expected failures per variant.
    expect(compareVariants(conv('A', 200, 198), conv('B', 200, 199), 'conversion_rate').reason).toMatch(/failures/);
    // Nothing delivered at all: no rate, no test.
    const none = compareVariants(conv('A', 0, 0), conv('B', 0, 0), 'conversion_rate', { minSample: 0, minExpected: 0 });
    expect(none).toMatchObject({ verdict: 'not_enough_data', difference: null, pValue: null, relativeLift: null });
  });

  it('accepts a zero count in one arm when the pooled expectation is enough', () => {
    // 0/1000 against 12/1000: pooled 12/2000 = 0.006, expected 6 ≥ 5 per variant.
    // se = √(0.006·0.994·0.002) = 0.0034537, z = 0.012/0.0034537 = 3.4745, p = 0.000512.
    const r = compareVariants(conv('A', 1000, 0), conv('B', 1000, 12), 'conversion_rate');
    expect(r.pValue).toBeCloseTo(0.000512, 6);
    expect(r.relativeLift).toBeNull(); // the control's rate is 0
    expect(r.verdict).toBe('variant_wins');
  });

  it('honours a custom alpha and minimum sample', () => {
    // p = 0.3267 (above) is not significant even at alpha 0.3.
    expect(compareVariants(conv('A', 1000, 50), conv('B', 1000, 60), 'conversion_rate', { alpha: 0.3 }).verdict).toBe('no_significant_difference');
    // p = 0.006507 is not significant at alpha 0.005.
    expect(compareVariants(conv('A', 1000, 50), conv('B', 1000, 80), 'conversion_rate', { alpha: 0.005 }).verdict).toBe('no_significant_difference');
    expect(compareVariants(conv('A', 1000, 50), conv('B', 1000, 80), 'conversion_rate', { minSample: 2000 }).verdict).toBe('not_enough_data');
    expect(() => compareVariants(conv('A', 10, 5), conv('B', 10, 11), 'conversion_rate')).toThrow(RangeError);
  });

  it('mirrors when control and variant are swapped, and never names a winner without significance', () => {
    const arm = (id: string) =>
      fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.double({ min: 0, max: 1, noNaN: true })).map(([n, s]) => conv(id, n, Math.floor(n * s)));
    fc.assert(
      fc.property(arm('A'), arm('B'), (a, b) => {
        const ab = compareVariants(a, b, 'conversion_rate');
        const ba = compareVariants(b, a, 'conversion_rate');
        const mirror = { variant_wins: 'control_wins', control_wins: 'variant_wins' } as Record<string, string>;
        expect(ba.verdict).toBe(mirror[ab.verdict] ?? ab.verdict);
        if (ab.pValue !== null) expect(ba.pValue).toBeCloseTo(ab.pValue, 12);
        if (ab.verdict === 'variant_wins' || ab.verdict === 'control_wins') {
          expect(ab.pValue!).toBeLessThan(0.05);
          expect(ab.low! > 0 || ab.high! < 0).toBe(true);
        }
      }),
    );
  });
});

describe('compareVariants on revenue per recipient', () => {
  it("runs Welch's test on per-recipient revenue, zeros included", () => {
    // Control: 200 delivered, 10 buyers at 50.00 → Σ = 50,000, Σx² = 10·5,000² = 2.5e8, mean 250.
    // Variant: 200 delivered, 25 buyers at 50.00 → Σ = 125,000, Σx² = 6.25e8, mean 625.
    // s² (variant) = (6.25e8 − 125,000²/200)/199 = 5.46875e8/199 = 2,748,115.6; /200 = 13,740.58
    // s² (control) = (2.5e8 − 50,000²/200)/199 = 2.375e8/199 = 1,193,467.3; /200 = 5,967.34
    // se = √(13,740.58 + 5,967.34) = √19,707.92 = 140.385; t = 375/140.385 = 2.6712
    // df = 19,707.92²/((13,740.58² + 5,967.34²)/199) = 388,402,110/1,127,701.9 = 344.42
    // p = 2·P(T₃₄₄ > 2.6712) = 0.00792; CI = 375 ± 1.96688·140.385 = (98.880, 651.120).
    const r = compareVariants(buyers('A', 200, 10, 5000), buyers('B', 200, 25, 5000), 'revenue_per_recipient');
    expect(r.control.value).toBe(250);
    expect(r.variant.value).toBe(625);
    expect(r.difference).toBe(375);
    expect(r.relativeLift).toBeCloseTo(1.5, 12);
    expect(r.pValue).toBeCloseTo(0.00792, 5);
    expect(r.low).toBeCloseTo(98.88, 2);
    expect(r.high).toBeCloseTo(651.12, 2);
    expect(r.method).toBe('welch_t_test');
    expect(r.probabilityToBeatControl).toBeNull();
    expect(r.verdict).toBe('variant_wins');
  });

  it('needs about 5 expected buyers per variant', () => {
    // 3 + 4 buyers over 2 × 200: 200·7/400 = 3.5 expected per variant < 5.
    const r = compareVariants(buyers('A', 200, 3, 5000), buyers('B', 200, 4, 9000), 'revenue_per_recipient');
    expect(r.verdict).toBe('not_enough_data');
    expect(r.reason).toMatch(/buyers/);
  });
});

describe('holmAdjust', () => {
  it('adjusts by hand', () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 with m = 4: 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04 → max so far 0.06.
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02].map((p) => expect.closeTo(p, 12)));
    expect(holmAdjust([0.7])).toEqual([0.7]);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
  });

  it('lies between the raw p-value and Bonferroni, keeping the order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 }), (ps) => {
        const adjusted = holmAdjust(ps);
        ps.forEach((p, i) => {
          expect(adjusted[i]).toBeGreaterThanOrEqual(p);
          expect(adjusted[i]).toBeLessThanOrEqual(Math.min(1, p * ps.length) + 1e-15);
          ps.forEach((q, j) => {
            if (p < q) expect(adjusted[i]).toBeLessThanOrEqual(adjusted[j]);
          });
        });
      }),
    );
  });
});

describe('pickWinner', () => {
  it('with two variants follows compareVariants without correction', () => {
    const r = pickWinner([conv('A', 1000, 50), conv('B', 1000, 80)], 'conversion_rate');
    expect(r).toMatchObject({ verdict: 'winner', winnerId: 'B', correction: 'none' });
    expect(r.comparisons[0].adjustedPValue).toBeCloseTo(0.006507, 6);
  });

  it('names the variant that beats every other one after Holm', () => {
    // B 80/1000 against A 50/1000: p = 0.006507; against C 52/1000: pooled 0.066, se 0.011104, z 2.5217, p = 0.011678;
    // A against C: p = 0.8389. Holm, m = 3: 3·0.006507 = 0.0195, 2·0.011678 = 0.0234, 0.8389 → B beats both.
    const r = pickWinner([conv('A', 1000, 50), conv('B', 1000, 80), conv('C', 1000, 52)], 'conversion_rate');
    expect(r.correction).toBe('holm');
    expect(r.verdict).toBe('winner');
    expect(r.winnerId).toBe('B');
    const bc = r.comparisons.find((c) => c.control.id === 'B' && c.variant.id === 'C')!;
    expect(bc.adjustedPValue).toBeCloseTo(2 * 0.011678, 5);
    expect(bc.verdict).toBe('control_wins');
  });

  it('names no winner when the best variant does not beat the runner-up', () => {
    // B 80/1000 beats A 50/1000, but against C 70/1000: pooled 0.075, se 0.011779, z 0.849, p = 0.396.
    const r = pickWinner([conv('A', 1000, 50), conv('B', 1000, 80), conv('C', 1000, 70)], 'conversion_rate');
    expect(r).toMatchObject({ verdict: 'no_significant_difference', winnerId: null });
  });

  it('withholds a winner that only the uncorrected p-values would give', () => {
    // B 72/1000 against A and C, both 50/1000: pooled 0.061, se 0.010703, z 2.0555, p = 0.0398 twice; A–C p = 1.
    // Holm, m = 3: smallest 3·0.0398 = 0.1195 ≥ 0.05, so nothing is rejected, though each raw p is below 0.05.
    const r = pickWinner([conv('A', 1000, 50), conv('B', 1000, 72), conv('C', 1000, 50)], 'conversion_rate');
    expect(r.comparisons.filter((c) => c.pValue! < 0.05)).toHaveLength(2);
    expect(r).toMatchObject({ verdict: 'no_significant_difference', winnerId: null });
    expect(r.comparisons.every((c) => !c.significant)).toBe(true);
  });

  it('says not enough data when any variant lacks data, and refuses malformed tests', () => {
    const r = pickWinner([conv('A', 1000, 50), conv('B', 1000, 80), conv('C', 40, 10)], 'conversion_rate');
    expect(r).toMatchObject({ verdict: 'not_enough_data', winnerId: null });
    expect(() => pickWinner([conv('A', 1000, 50)], 'conversion_rate')).toThrow(RangeError);
    expect(() => pickWinner([conv('A', 1000, 50), conv('A', 1000, 50)], 'conversion_rate')).toThrow(RangeError);
  });

  it('declares a false winner in about alpha of A/A/A tests (seeded simulation)', () => {
    // 300 seeded tests of three variants with the same true rate 5 % on 2,000 recipients each. Holm keeps the
    // family-wise error at most 5 %, so about 15 false winners are expected at worst (fewer in practice, since a
    // winner needs two rejections); 0–30 leaves room for the binomial spread (sd √(300·0.05·0.95) = 3.8).
    const random = mulberry32(20240601);
    let falseWinners = 0;
    for (let run = 0; run < 300; run++) {
      const arms = ['A', 'B', 'C'].map((id) => {
        let x = 0;
        for (let i = 0; i < 2000; i++) if (random() < 0.05) x++;
        return conv(id, 2000, x);
      });
      if (pickWinner(arms, 'conversion_rate').verdict === 'winner') falseWinners++;
    }
    expect(falseWinners).toBeLessThanOrEqual(30);
  });
});
