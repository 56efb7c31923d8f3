// Welch's t-test for a difference of means (revenue per recipient), from sufficient statistics so that the service
// can compute n, Σx and Σx² in SQL instead of loading every recipient. Method: docs/STATISTICS.md.
import { studentTQuantile, studentTTwoSidedP } from './distributions';

/** Sufficient statistics of one group: count, sum and sum of squares of the values (zeros included). */
export interface SampleSums {
  n: number;
  sum: number;
  sumSq: number;
}

export interface MeanSummary {
  n: number;
  mean: number;
  /** Sample variance, denominator n − 1. */
  variance: number;
}

export interface WelchResult {
  first: MeanSummary;
  second: MeanSummary;
  /** mean₁ − mean₂. */
  difference: number;
  standardError: number;
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  pValue: number;
  low: number;
  high: number;
}

/** Mean and sample variance from sufficient statistics; null when n < 2 (no variance can be estimated). */
export function summarize(sums: SampleSums): MeanSummary | null {
  const { n, sum, sumSq } = sums;
  if (!Number.isInteger(n) || n < 0 || !Number.isFinite(sum) || !Number.isFinite(sumSq) || sumSq < 0) {
    throw new RangeError(`invalid sample sums: n=${n} sum=${sum} sumSq=${sumSq}`);
  }
  if (n < 2) return null;
  const mean = sum / n;
  // Σx² − (Σx)²/n can dip below 0 by rounding when every value is equal.
  const variance = Math.max(0, (sumSq - (sum * sum) / n) / (n - 1));
  return { n, mean, variance };
}

/**
 * Welch's unequal-variance t-test of H₀: μ₁ = μ₂ and the confidence interval of μ₁ − μ₂:
 *   se² = s₁²/n₁ + s₂²/n₂,  t = (x̄₁ − x̄₂)/se,
 *   df = se⁴ / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1))   (Welch–Satterthwaite),
 *   CI = x̄₁ − x̄₂ ± t_{1−α/2, df} · se.
 * Matches R's t.test(x, y) (var.equal = FALSE, the default). When both variances are 0 the data leave no
 * uncertainty: p = 1 if the means are equal, 0 otherwise, and the interval is the difference itself.
 * Null when either group has fewer than 2 values.
 */
export function welchTTest(first: SampleSums, second: SampleSums, confidence = 0.95): WelchResult | null {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const a = summarize(first);
  const b = summarize(second);
  if (a === null || b === null) return null;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  const difference = a.mean - b.mean;
  if (se === 0) {
    return {
      first: a,
      second: b,
      difference,
      standardError: 0,
      t: difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY,
      df: a.n + b.n - 2,
      pValue: difference === 0 ? 1 : 0,
      low: difference,
      high: difference,
    };
  }
  const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const t = difference / se;
  const q = studentTQuantile(1 - (1 - confidence) / 2, df);
  return {
    first: a,
    second: b,
    difference,
    standardError: se,
    t,
    df,
    pValue: Math.min(1, studentTTwoSidedP(t, df)),
    low: difference - q * se,
    high: difference + q * se,
  };
}
