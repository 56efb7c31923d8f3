// Checks the numerical routines against closed forms and printed tables, and their invariants with fast-check.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  betaPdf,
  logGamma,
  normalCdf,
  normalQuantile,
  normalTwoSidedP,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTQuantile,
  studentTTwoSidedP,
} from './distributions';

describe('normal distribution', () => {
  it('matches the printed table of Φ', () => {
    expect(normalCdf(0)).toBe(0.5);
    // Standard normal tables: Φ(1.96) = 0.97500, Φ(−1) = 0.15866, Φ(−3) = 0.00135, Φ(0.5) = 0.69146.
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.1586553, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 7);
    expect(normalCdf(0.5)).toBeCloseTo(0.6914625, 7);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });

  it('keeps relative precision in the far tail', () => {
    // Mills' ratio: Φ(−x) ≈ φ(x)/x · (1 − 1/x² + 3/x⁴) for large x; at x = 10, φ(10) = e^−50/√(2π) = 7.6946e-23,
    // so Φ(−10) ≈ 7.6946e-23 / 10 · (1 − 0.01 + 0.0003) = 7.6198e-24.
    expect(normalCdf(-10) / 7.6198e-24).toBeCloseTo(1, 3);
  });

  it('has the quantiles of the textbooks', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959964, 6);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
  });

  it('is symmetric and the quantile inverts the CDF', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
        // Above x ≈ 3 the probability 1 − 1e-3… itself has lost digits, so invert on the lower side.
        const lower = -Math.abs(x);
        expect(normalQuantile(normalCdf(lower))).toBeCloseTo(lower, 6);
      }),
    );
  });

  it('gives two-sided p-values', () => {
    // P(|Z| ≥ 1.959964) = 0.05 by definition of the 97.5 % quantile.
    expect(normalTwoSidedP(1.959964)).toBeCloseTo(0.05, 6);
    expect(normalTwoSidedP(-1.959964)).toBeCloseTo(0.05, 6);
    expect(normalTwoSidedP(0)).toBe(1);
  });
});

describe('log-gamma and the incomplete beta function', () => {
  it('matches factorials and Γ(½) = √π', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12); // Γ(5) = 4! = 24
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12); // 0.5723649
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 10); // Γ(0.1) from tables
  });

  it('matches the closed forms of I_x(a, b)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.2, max: 40, noNaN: true }), (x, a) => {
        expect(regularizedIncompleteBeta(x, 1, 1)).toBeCloseTo(x, 12); // uniform
        expect(regularizedIncompleteBeta(x, a, 1)).toBeCloseTo(x ** a, 12); // density a·x^(a−1)
        expect(regularizedIncompleteBeta(x, 1, a)).toBeCloseTo(1 - (1 - x) ** a, 12);
        expect(regularizedIncompleteBeta(x, 2, 2)).toBeCloseTo(3 * x * x - 2 * x ** 3, 12); // ∫6t(1−t)dt
        expect(regularizedIncompleteBeta(0.5, a, a)).toBeCloseTo(0.5, 12); // symmetry
        expect(regularizedIncompleteBeta(x, a, a + 1) + regularizedIncompleteBeta(1 - x, a + 1, a)).toBeCloseTo(1, 12);
      }),
    );
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });

  it('has the Beta density', () => {
    // Beta(2, 1) has density 2x; Beta(2, 2) has 6x(1 − x): at 0.5, 1.5.
    expect(betaPdf(0.3, 2, 1)).toBeCloseTo(0.6, 12);
    expect(betaPdf(0.5, 2, 2)).toBeCloseTo(1.5, 12);
    expect(betaPdf(0, 1, 3)).toBe(3);
    expect(betaPdf(1.2, 1, 3)).toBe(0);
  });

  it('stays accurate for the large shapes of big audiences', () => {
    // Beta(a, a) with a = 500,000 is symmetric about ½: I_½ = ½, and with sd = 1/(2√(2a+1)) ≈ 0.000499999,
    // one sd above the middle the CDF is close to Φ(1) = 0.841345 (the Beta is nearly normal there).
    expect(regularizedIncompleteBeta(0.5, 5e5, 5e5)).toBeCloseTo(0.5, 8);
    expect(regularizedIncompleteBeta(0.5 + 0.5 / Math.sqrt(1e6 + 1), 5e5, 5e5)).toBeCloseTo(0.841345, 4);
  });
});

describe('Student t distribution', () => {
  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), (t) => {
        // df = 1 is the Cauchy distribution: F(t) = ½ + atan(t)/π.
        expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
        // df = 2: F(t) = ½ + t / (2√(2 + t²)).
        expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
      }),
    );
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 14); // ½ + (π/4)/π
    expect(studentTCdf(1, 2)).toBeCloseTo(0.7886751, 7); // ½ + 1/(2√3) = ½ + 0.2886751
  });

  it('has the quantiles of the t table', () => {
    // df = 1: tan(π(0.975 − ½)) = tan(0.475π) = 12.7062.
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062047, 6);
    // df = 2: solving ½ + t/(2√(2 + t²)) = 0.975 gives t² = 2·0.95²/(1 − 0.95²) = 18.5128, t = 4.302653.
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302653, 6);
    // Printed t tables (e.g. any statistics textbook appendix): t(0.975; 10) = 2.228, t(0.975; 30) = 2.042.
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.042272, 5);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228139, 5);
    expect(studentTQuantile(0.5, 7)).toBe(0);
  });

  it('tends to the normal distribution for many degrees of freedom', () => {
    expect(studentTCdf(1.96, 1e6)).toBeCloseTo(normalCdf(1.96), 6);
    expect(studentTCdf(1.96, 1e8)).toBe(normalCdf(1.96));
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.959964, 6);
  });

  it('inverts its CDF and gives consistent two-sided p-values', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (p, df) => {
        const t = studentTQuantile(p, df);
        expect(studentTCdf(t, df)).toBeCloseTo(p, 10);
        expect(studentTTwoSidedP(t, df)).toBeCloseTo(2 * Math.min(p, 1 - p), 10);
      }),
    );
  });
});
