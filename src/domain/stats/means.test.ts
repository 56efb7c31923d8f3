// Checks Welch's t-test against R's classic sleep example and a case solvable with the closed-form t(3) CDF.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { summarize, welchTTest } from './means';

describe('welchTTest', () => {
  it("reproduces R's t.test(extra ~ group, data = sleep)", () => {
    // Student's sleep data (Cushny & Peebles), the example in R's ?t.test:
    // group 1: 0.7 −1.6 −0.2 −1.2 −0.1 3.4 3.7 0.8 0.0 2.0 → Σ = 7.5, Σx² = 34.43
    // group 2: 1.9 0.8 1.1 0.1 −0.1 4.4 5.5 1.6 4.6 3.4   → Σ = 23.3, Σx² = 90.37
    // s₁² = (34.43 − 7.5²/10)/9 = 28.805/9 = 3.200556; s₂² = (90.37 − 23.3²/10)/9 = 36.081/9 = 4.009
    // se² = 0.3200556 + 0.4009 = 0.7209556, se = 0.849091; t = (0.75 − 2.33)/0.849091 = −1.860813
    // df = 0.7209556²/((0.3200556² + 0.4009²)/9) = 0.519777/0.0292397 = 17.7765
    // CI = −1.58 ± t(0.975; 17.7765)·se = −1.58 ± 2.102817·0.849091 = −1.58 ± 1.785483
    // R prints: t = -1.8608, df = 17.776, p-value = 0.07939, 95 percent CI -3.3654832 0.2054832.
    const r = welchTTest({ n: 10, sum: 7.5, sumSq: 34.43 }, { n: 10, sum: 23.3, sumSq: 90.37 })!;
    expect(r.first.mean).toBeCloseTo(0.75, 12);
    expect(r.second.variance).toBeCloseTo(4.009, 10);
    expect(r.difference).toBeCloseTo(-1.58, 12);
    expect(r.t).toBeCloseTo(-1.8608, 4);
    expect(r.df).toBeCloseTo(17.776, 3);
    expect(r.pValue).toBeCloseTo(0.07939, 5);
    expect(r.low).toBeCloseTo(-3.3654832, 6);
    expect(r.high).toBeCloseTo(0.2054832, 6);
  });

  it('falls back to n − 1 degrees of freedom when the other group has no variance', () => {
    // Revenue-like: 4 recipients, one bought for 10 → n = 4, Σ = 10, Σx² = 100; 5 recipients, nobody bought.
    // s₁² = (100 − 25)/3 = 25, se = √(25/4) = 2.5, t = 2.5/2.5 = 1, df = 6.25²/(6.25²/3) = 3.
    // t(3) CDF: F(t) = ½ + (1/π)(t/(√3(1 + t²/3)) + atan(t/√3)); F(1) = ½ + (0.433013 + 0.523599)/π = 0.804499,
    // so p = 2(1 − 0.804499) = 0.391002. CI = 2.5 ± 3.182446·2.5 (t table: t(0.975; 3) = 3.182) = (−5.456115, 10.456115).
    const r = welchTTest({ n: 4, sum: 10, sumSq: 100 }, { n: 5, sum: 0, sumSq: 0 })!;
    expect(r.df).toBeCloseTo(3, 12);
    expect(r.t).toBeCloseTo(1, 12);
    expect(r.pValue).toBeCloseTo(0.391002, 6);
    expect(r.low).toBeCloseTo(-5.456115, 5);
    expect(r.high).toBeCloseTo(10.456115, 5);
  });

  it('handles data without any variance', () => {
    expect(welchTTest({ n: 3, sum: 0, sumSq: 0 }, { n: 8, sum: 0, sumSq: 0 })).toMatchObject({ difference: 0, pValue: 1, low: 0, high: 0 });
    // 3 recipients at 2 each against 2 at 1 each: no spread, a sure difference of 1.
    expect(welchTTest({ n: 3, sum: 6, sumSq: 12 }, { n: 2, sum: 2, sumSq: 2 })).toMatchObject({ difference: 1, pValue: 0, low: 1, high: 1 });
  });

  it('is null below two values per group and refuses impossible sums', () => {
    expect(welchTTest({ n: 1, sum: 5, sumSq: 25 }, { n: 10, sum: 5, sumSq: 25 })).toBeNull();
    expect(summarize({ n: 0, sum: 0, sumSq: 0 })).toBeNull();
    expect(() => summarize({ n: -1, sum: 0, sumSq: 0 })).toThrow(RangeError);
    expect(() => summarize({ n: 3, sum: Number.NaN, sumSq: 0 })).toThrow(RangeError);
  });

  it('is antisymmetric and does not move when every value is shifted by the same amount', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, (xs, ys) => {
        const sums = (v: number[]) => ({ n: v.length, sum: v.reduce((s, x) => s + x, 0), sumSq: v.reduce((s, x) => s + x * x, 0) });
        const ab = welchTTest(sums(xs), sums(ys))!;
        const ba = welchTTest(sums(ys), sums(xs))!;
        expect(ab.difference).toBeCloseTo(-ba.difference, 6);
        expect(ab.pValue).toBeCloseTo(ba.pValue, 9);
        expect(ab.low).toBeLessThanOrEqual(ab.difference + 1e-9);
        expect(ab.high).toBeGreaterThanOrEqual(ab.difference - 1e-9);
        expect(ab.pValue).toBeGreaterThanOrEqual(0);
        expect(ab.pValue).toBeLessThanOrEqual(1);
      }),
    );
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -1000, max: 1000 }), (xs, ys, c) => {
        const sums = (v: number[]) => ({ n: v.length, sum: v.reduce((s, x) => s + x, 0), sumSq: v.reduce((s, x) => s + x * x, 0) });
        const plain = welchTTest(sums(xs), sums(ys))!;
        const shifted = welchTTest(sums(xs.map((x) => x + c)), sums(ys.map((y) => y + c)))!;
        expect(shifted.difference).toBeCloseTo(plain.difference, 4);
        expect(shifted.pValue).toBeCloseTo(plain.pValue, 4);
      }),
    );
  });
});
