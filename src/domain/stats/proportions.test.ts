// Checks the proportion statistics against the worked examples of Newcombe (1998) and hand arithmetic.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newcombeInterval, probabilityToBeatControl, twoProportionZTest, twoSidedZ, wilsonInterval } from './proportions';
import { logGamma, normalCdf } from './distributions';

// z = 1.959964 and z² = 3.841459 throughout (95 %).

describe('wilsonInterval', () => {
  it('reproduces Newcombe (1998a, Stat Med 17:857) Table I, score method', () => {
    // 81/263: p = 0.307985, z²/n = 0.014606, denominator 1 + z²/n = 1.014606,
    // centre = (0.307985 + 3.841459/526)/1.014606 = 0.310749,
    // half = 1.959964·√(0.307985·0.692015/263 + 3.841459/(4·263²))/1.014606 = 1.959964·√(0.00081038 + 0.00001388)/1.014606
    //      = 0.055461 → (0.255288, 0.366210); the paper prints 0.2553 – 0.3662.
    const a = wilsonInterval(81, 263)!;
    expect(a.low).toBeCloseTo(0.2553, 4);
    expect(a.high).toBeCloseTo(0.3662, 4);
    // Paper: 15/148 → 0.0624 – 0.1605; 1/29 → 0.0061 – 0.1718.
    const b = wilsonInterval(15, 148)!;
    expect(b.low).toBeCloseTo(0.0624, 4);
    expect(b.high).toBeCloseTo(0.1605, 4);
    const c = wilsonInterval(1, 29)!;
    expect(c.low).toBeCloseTo(0.0061, 4);
    expect(c.high).toBeCloseTo(0.1718, 4);
  });

  it('has the closed form z²/(n + z²) at zero successes', () => {
    // 0/20: upper = 3.841459/(20 + 3.841459) = 0.161125 (paper: 0.0000 – 0.1611).
    expect(wilsonInterval(0, 20)).toEqual({ low: 0, high: expect.closeTo(0.161125, 6) });
    // n/n mirrors it: 20/20 → (1 − 0.161125, 1).
    expect(wilsonInterval(20, 20)).toEqual({ low: expect.closeTo(0.838875, 6), high: 1 });
  });

  it('is null without trials and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2, 1)).toThrow(RangeError);
  });

  it('always contains p̂, stays in [0, 1] and narrows with the confidence level', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const x = Math.floor(share * n);
        const i95 = wilsonInterval(x, n)!;
        const i80 = wilsonInterval(x, n, 0.8)!;
        expect(i95.low).toBeGreaterThanOrEqual(0);
        expect(i95.high).toBeLessThanOrEqual(1);
        expect(i95.low).toBeLessThanOrEqual(x / n + 1e-12);
        expect(i95.high).toBeGreaterThanOrEqual(x / n - 1e-12);
        expect(i80.low).toBeGreaterThanOrEqual(i95.low - 1e-12);
        expect(i80.high).toBeLessThanOrEqual(i95.high + 1e-12);
      }),
    );
  });
});

describe('newcombeInterval', () => {
  it('reproduces Newcombe (1998b, Stat Med 17:873) Table II, method 10, example (a) 56/70 − 48/80', () => {
    // Wilson 56/70: centre (0.8 + 3.841459/140)/1.054878 = 0.784393, half 0.092560 → (0.691834, 0.876953).
    // Wilson 48/80: centre (0.6 + 3.841459/160)/1.048018 = 0.595418, half 0.104964 → (0.490455, 0.700382).
    // low  = 0.2 − √((0.8 − 0.691834)² + (0.700382 − 0.6)²) = 0.2 − √(0.108166² + 0.100382²) = 0.2 − 0.147569 = 0.052431
    // high = 0.2 + √((0.876953 − 0.8)² + (0.6 − 0.490455)²) = 0.2 + √(0.076953² + 0.109545²) = 0.2 + 0.133873 = 0.333873
    // The paper prints 0.0524 to 0.3339.
    const r = newcombeInterval(56, 70, 48, 80)!;
    expect(r.difference).toBeCloseTo(0.2, 12);
    expect(r.low).toBeCloseTo(0.0524, 4);
    expect(r.high).toBeCloseTo(0.3339, 4);
  });

  it('reproduces the other examples of the same table, including zero counts', () => {
    const cases: Array<[number, number, number, number, number, number]> = [
      [9, 10, 3, 10, 0.1705, 0.809], // (b)
      [6, 7, 2, 7, 0.0582, 0.8062], // (c)
      // (d) 5/56 − 0/29: high = 0.089286 + √((0.192560 − 0.089286)² + (0 − 0)²) = 0.192560;
      //     low = 0.089286 − √((0.089286 − 0.038742)² + 0.116970²) = 0.089286 − 0.127422 = −0.038137,
      //     where 0.116970 = 3.841459/(29 + 3.841459) is the Wilson upper end of 0/29.
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775], // (e)
      [0, 10, 0, 10, -0.2775, 0.2775], // (f)
      [10, 10, 0, 20, 0.6791, 1], // (g)
      [10, 10, 0, 10, 0.6075, 1], // (h)
    ];
    for (const [x1, n1, x2, n2, low, high] of cases) {
      const r = newcombeInterval(x1, n1, x2, n2)!;
      expect(r.low).toBeCloseTo(low, 4);
      expect(r.high).toBeCloseTo(high, 4);
    }
  });

  it('is antisymmetric and contains the observed difference', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n1, n2, s1, s2) => {
        const x1 = Math.floor(s1 * n1);
        const x2 = Math.floor(s2 * n2);
        const ab = newcombeInterval(x1, n1, x2, n2)!;
        const ba = newcombeInterval(x2, n2, x1, n1)!;
        expect(ab.low).toBeCloseTo(-ba.high, 12);
        expect(ab.high).toBeCloseTo(-ba.low, 12);
        expect(ab.low).toBeLessThanOrEqual(ab.difference + 1e-12);
        expect(ab.high).toBeGreaterThanOrEqual(ab.difference - 1e-12);
      }),
    );
    expect(newcombeInterval(0, 0, 1, 1)).toBeNull();
  });
});

describe('twoProportionZTest', () => {
  it('computes the pooled z for 56/70 against 48/80', () => {
    // p̄ = 104/150 = 0.693333; p̄(1 − p̄) = 0.212622; 1/70 + 1/80 = 0.0267857; se = √0.00569524 = 0.0754668;
    // z = (0.8 − 0.6)/0.0754668 = 2.65017; p = 2Φ(−2.65017) = 2·0.0040225 = 0.008045.
    // Cross-check: Pearson's χ² of the table [[56, 14], [48, 32]] has expected counts 48.5333, 21.4667, 55.4667, 24.5333,
    // so χ² = 7.4667²·(1/48.5333 + 1/21.4667 + 1/55.4667 + 1/24.5333) = 55.7511·0.125978 = 7.0234 = z².
    const r = twoProportionZTest(56, 70, 48, 80)!;
    expect(r.z).toBeCloseTo(2.65017, 5);
    expect(r.z * r.z).toBeCloseTo(7.0234, 4);
    expect(r.pValue).toBeCloseTo(0.008045, 6);
    expect(twoProportionZTest(48, 80, 56, 70)!.z).toBeCloseTo(-2.65017, 5);
  });

  it('finds no evidence when both groups are all failures or all successes, and is null without trials', () => {
    expect(twoProportionZTest(0, 100, 0, 50)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(100, 100, 50, 50)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 0, 3, 50)).toBeNull();
  });

  it('gives p-values in [0, 1], equal to 1 when the rates are equal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 20 }), (n, x, k) => {
        const s = Math.min(x, n);
        const r = twoProportionZTest(s, n, s * k, n * k)!;
        expect(r.pValue).toBeCloseTo(1, 12);
      }),
    );
  });
});

describe('probabilityToBeatControl', () => {
  it('matches integrals done by hand for tiny samples', () => {
    // Variant 1/1 → Beta(2, 1), density 2x; control 0/0 is not allowed (no trials), so use control 0/1 → Beta(1, 2),
    // CDF 1 − (1 − x)²: P = ∫₀¹ 2x(2x − x²) dx = 4/3 − 2/4 = 5/6.
    expect(probabilityToBeatControl({ successes: 0, trials: 1 }, { successes: 1, trials: 1 })).toBeCloseTo(5 / 6, 8);
    // Variant 2/2 → Beta(3, 1), density 3x²; control 1/2 → Beta(2, 2), CDF 3x² − 2x³:
    // P = ∫ 3x²(3x² − 2x³) dx = 9/5 − 6/6 = 0.8.
    expect(probabilityToBeatControl({ successes: 1, trials: 2 }, { successes: 2, trials: 2 })).toBeCloseTo(0.8, 8);
    // And the mirror: P(control 2/2 < variant 1/2) = 1 − 0.8.
    expect(probabilityToBeatControl({ successes: 2, trials: 2 }, { successes: 1, trials: 2 })).toBeCloseTo(0.2, 8);
  });

  it('is ½ for identical data and null without trials', () => {
    expect(probabilityToBeatControl({ successes: 37, trials: 900 }, { successes: 37, trials: 900 })).toBeCloseTo(0.5, 8);
    expect(probabilityToBeatControl({ successes: 0, trials: 0 }, { successes: 1, trials: 9 })).toBeNull();
  });

  it('agrees with the exact finite sum for integer Beta posteriors', () => {
    // Exact: P(p_B > p_A) = Σ_{i=0}^{α_B−1} B(α_A + i, β_A + β_B) / ((β_B + i) B(1 + i, β_B) B(α_A, β_A))
    // (E. Miller, "Formulas for Bayesian A/B testing", 2015), an independent route to the same number.
    const logBeta = (a: number, b: number) => logGamma(a) + logGamma(b) - logGamma(a + b);
    const exact = (xa: number, na: number, xb: number, nb: number) => {
      const [aa, ba, ab, bb] = [1 + xa, 1 + na - xa, 1 + xb, 1 + nb - xb];
      let total = 0;
      for (let i = 0; i < ab; i++) {
        total += Math.exp(logBeta(aa + i, ba + bb) - Math.log(bb + i) - logBeta(1 + i, bb) - logBeta(aa, ba));
      }
      return total;
    };
    for (const [xa, na, xb, nb] of [
      [10, 200, 18, 210],
      [40, 1000, 30, 1000],
      [3, 5000, 9, 400],
      [120, 2000, 5, 60],
    ]) {
      expect(probabilityToBeatControl({ successes: xa, trials: na }, { successes: xb, trials: nb })).toBeCloseTo(exact(xa, na, xb, nb), 7);
    }
  });

  it('is close to the normal approximation for large samples', () => {
    // Control 500/10,000 → Beta(501, 9501): mean 0.050090, variance 0.050090·0.949910/10,003 = 4.7567e-6.
    // Variant 560/10,000 → Beta(561, 9441): mean 0.056089, variance 0.056089·0.943911/10,003 = 5.2927e-6.
    // P ≈ Φ((0.056089 − 0.050090)/√(1.00494e-5)) = Φ(0.005999/0.0031701) = Φ(1.8924) = 0.9708.
    const p = probabilityToBeatControl({ successes: 500, trials: 10_000 }, { successes: 560, trials: 10_000 })!;
    expect(p).toBeCloseTo(normalCdf(1.8924), 2);
    expect(p).toBeCloseTo(0.9708, 2);
  });
});

it('twoSidedZ gives the usual critical values', () => {
  expect(twoSidedZ(0.95)).toBeCloseTo(1.959964, 6);
  expect(twoSidedZ(0.99)).toBeCloseTo(2.575829, 6);
});
