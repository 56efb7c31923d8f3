// Statistics of proportions (open, click and conversion rates): Wilson and Newcombe intervals, the two-proportion
// z-test, and the Bayesian probability that one rate beats another. Method and sources: docs/STATISTICS.md.
import { betaPdf, normalQuantile, normalTwoSidedP, regularizedIncompleteBeta } from './distributions';

export interface Interval {
  low: number;
  high: number;
}

export interface DifferenceInterval extends Interval {
  /** The point estimate p₁ − p₂. */
  difference: number;
}

export interface ZTestResult {
  z: number;
  pValue: number;
}

function checkCounts(successes: number, trials: number): void {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new RangeError(`invalid counts: ${successes} successes of ${trials} trials`);
  }
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

/** z such that P(|Z| ≤ z) = confidence (1.959964 for 95 %). */
export function twoSidedZ(confidence: number): number {
  checkConfidence(confidence);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * Wilson score interval for one proportion (Wilson 1927): the p whose score test does not reject. Unlike the
 * Wald interval p̂ ± z√(p̂(1−p̂)/n) it stays inside [0, 1] and keeps its coverage near 0 and 1 (Agresti & Coull 1998).
 * Null when there are no trials.
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): Interval | null {
  checkCounts(successes, trials);
  checkConfidence(confidence);
  if (trials === 0) return null;
  const z = twoSidedZ(confidence);
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // The exact ends are 0 and 1 when p̂ is; rounding would otherwise leave 1e-17 crumbs.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂ (Newcombe 1998, "Interval estimation for the difference between
 * independent proportions", method 10): combines the two Wilson intervals (l₁, u₁), (l₂, u₂) as
 *   low  = d − √((p₁ − l₁)² + (u₂ − p₂)²),  high = d + √((u₁ − p₁)² + (p₂ − l₂)²).
 * Good coverage even with zero counts, where the Wald interval collapses. Null when either group has no trials.
 */
export function newcombeInterval(
  successes1: number,
  trials1: number,
  successes2: number,
  trials2: number,
  confidence = 0.95,
): DifferenceInterval | null {
  const w1 = wilsonInterval(successes1, trials1, confidence);
  const w2 = wilsonInterval(successes2, trials2, confidence);
  if (w1 === null || w2 === null) return null;
  const p1 = successes1 / trials1;
  const p2 = successes2 / trials2;
  const d = p1 - p2;
  return {
    difference: d,
    low: Math.max(-1, d - Math.hypot(p1 - w1.low, w2.high - p2)),
    high: Math.min(1, d + Math.hypot(w1.high - p1, p2 - w2.low)),
  };
}

/**
 * Two-proportion z-test of H₀: p₁ = p₂, with the pooled standard error √(p̄(1−p̄)(1/n₁ + 1/n₂)) that holds under H₀.
 * z² equals Pearson's χ² for the 2×2 table without continuity correction (R: prop.test(correct = FALSE)).
 * When the pooled rate is 0 or 1 both groups are identical (all failed or all succeeded): z = 0, p = 1.
 * Null when either group has no trials.
 */
export function twoProportionZTest(
  successes1: number,
  trials1: number,
  successes2: number,
  trials2: number,
): ZTestResult | null {
  checkCounts(successes1, trials1);
  checkCounts(successes2, trials2);
  if (trials1 === 0 || trials2 === 0) return null;
  const pooled = (successes1 + successes2) / (trials1 + trials2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / trials1 + 1 / trials2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (successes1 / trials1 - successes2 / trials2) / se;
  return { z, pValue: Math.min(1, normalTwoSidedP(z)) };
}

/**
 * Probability that the variant's true rate exceeds the control's, P(p_variant > p_control), with independent
 * uniform Beta(1, 1) priors, so posteriors Beta(1 + successes, 1 + failures).
 * Exact up to quadrature error (< 1e-9): ∫ f_N(x) F_W(x) dx by Simpson's rule over ±12 sd of the narrower posterior N,
 * with W's cumulative distribution from the incomplete beta function; integrating the narrower density keeps the
 * integrand smooth on the grid whatever the two sample sizes. Null when either group has no trials.
 */
export function probabilityToBeatControl(
  control: { successes: number; trials: number },
  variant: { successes: number; trials: number },
): number | null {
  checkCounts(control.successes, control.trials);
  checkCounts(variant.successes, variant.trials);
  if (control.trials === 0 || variant.trials === 0) return null;
  const c = { a: 1 + control.successes, b: 1 + control.trials - control.successes };
  const v = { a: 1 + variant.successes, b: 1 + variant.trials - variant.successes };
  const sd = (s: { a: number; b: number }) => Math.sqrt((s.a * s.b) / ((s.a + s.b) ** 2 * (s.a + s.b + 1)));
  const variantNarrower = sd(v) <= sd(c);
  const narrow = variantNarrower ? v : c;
  const wide = variantNarrower ? c : v;
  const mean = narrow.a / (narrow.a + narrow.b);
  const from = Math.max(0, mean - 12 * sd(narrow));
  const to = Math.min(1, mean + 12 * sd(narrow));
  const steps = 400; // even, for Simpson
  const h = (to - from) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = from + i * h;
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += weight * betaPdf(x, narrow.a, narrow.b) * regularizedIncompleteBeta(x, wide.a, wide.b);
  }
  // P(N > W) = ∫ f_N F_W.
  const narrowBeatsWide = Math.min(1, Math.max(0, (sum * h) / 3));
  return variantNarrower ? narrowBeatsWide : 1 - narrowBeatsWide;
}
