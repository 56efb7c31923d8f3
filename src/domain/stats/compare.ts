// A/B test comparisons of campaign variants on open, click and conversion rate and revenue per recipient, with
// a verdict a merchant can act on, and the choice of a winner among several variants. Method: docs/STATISTICS.md.
import { welchTTest } from './means';
import { newcombeInterval, probabilityToBeatControl, twoProportionZTest } from './proportions';

export const AB_METRICS = ['open_rate', 'click_rate', 'conversion_rate', 'revenue_per_recipient'] as const;
export type AbMetric = (typeof AB_METRICS)[number];

/** One variant's counts, with KPIS.md's meanings; every rate's denominator is `delivered`. */
export interface VariantFigures {
  id: string;
  delivered: number;
  /** Delivered messages with at least one human open. */
  opened: number;
  /** Messages with at least one human click. */
  clicked: number;
  /** Distinct recipients with at least one attributed order. */
  converters: number;
  /** Attributed revenue of the variant's delivered messages, minor units: Σ over recipients (zeros included). */
  revenueMinor: number;
  /** Σ over delivered recipients of (their attributed revenue in minor units)², for the variance. */
  revenueSqMinor: number;
}

export type AbVerdict = 'not_enough_data' | 'no_significant_difference' | 'variant_wins' | 'control_wins';

export interface CompareOptions {
  /** Significance level; the confidence interval is at 1 − alpha. Default 0.05. */
  alpha?: number;
  /** Minimum delivered messages in each arm before any verdict. Default 100. */
  minSample?: number;
  /**
   * Minimum expected successes and failures per arm under "no difference" (pooled rate × arm size), for rates;
   * minimum expected converters per arm for revenue per recipient. Default 5 (Cochran's rule).
   */
  minExpected?: number;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_MIN_SAMPLE = 100;
export const DEFAULT_MIN_EXPECTED = 5;

export interface ArmValue {
  id: string;
  /** Delivered messages. */
  n: number;
  /** The rate (fraction) or revenue per recipient (minor units); null when nothing was delivered. */
  value: number | null;
}

export interface VariantComparison {
  metric: AbMetric;
  control: ArmValue;
  variant: ArmValue;
  /** variant − control, in the metric's unit. */
  difference: number | null;
  /** difference / control value; null when the control's value is 0 or unknown. */
  relativeLift: number | null;
  /** Confidence level of [low, high]: 1 − alpha. */
  confidence: number;
  low: number | null;
  high: number | null;
  pValue: number | null;
  /** Rates only: Bayesian P(variant's true rate > control's), uniform priors. */
  probabilityToBeatControl: number | null;
  method: 'z_test_newcombe_interval' | 'welch_t_test';
  verdict: AbVerdict;
  /** Why the verdict is 'not_enough_data', in words for the screen. */
  reason: string | null;
}

function successesOf(v: VariantFigures, metric: Exclude<AbMetric, 'revenue_per_recipient'>): number {
  if (metric === 'open_rate') return v.opened;
  if (metric === 'click_rate') return v.clicked;
  return v.converters;
}

function resolve(options: CompareOptions) {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const minSample = options.minSample ?? DEFAULT_MIN_SAMPLE;
  const minExpected = options.minExpected ?? DEFAULT_MIN_EXPECTED;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(minSample >= 0) || !(minExpected >= 0)) throw new RangeError('minSample and minExpected must be ≥ 0');
  return { alpha, minSample, minExpected };
}

function checkFigures(v: VariantFigures): void {
  const counts = [v.delivered, v.opened, v.clicked, v.converters];
  if (!counts.every((c) => Number.isInteger(c) && c >= 0)) throw new RangeError(`variant ${v.id}: counts must be integers ≥ 0`);
  if (v.opened > v.delivered || v.clicked > v.delivered || v.converters > v.delivered) {
    throw new RangeError(`variant ${v.id}: opened, clicked and converters cannot exceed delivered`);
  }
  if (!Number.isFinite(v.revenueMinor) || !Number.isFinite(v.revenueSqMinor) || v.revenueSqMinor < 0) {
    throw new RangeError(`variant ${v.id}: revenue sums must be finite`);
  }
}

/** Why there is not enough data yet, or null when there is. */
function shortfall(
  control: VariantFigures,
  variant: VariantFigures,
  metric: AbMetric,
  minSample: number,
  minExpected: number,
): string | null {
  const smaller = Math.min(control.delivered, variant.delivered);
  if (smaller < minSample || smaller === 0) {
    return `each variant needs at least ${minSample} delivered messages (smallest has ${smaller})`;
  }
  const total = control.delivered + variant.delivered;
  if (metric === 'revenue_per_recipient') {
    const expected = (smaller * (control.converters + variant.converters)) / total;
    if (expected < minExpected) {
      return `too few buyers yet: about ${minExpected} expected per variant are needed (now ${expected.toFixed(1)})`;
    }
    return null;
  }
  const successes = successesOf(control, metric) + successesOf(variant, metric);
  const pooled = successes / total;
  const expectedSuccesses = smaller * pooled;
  const expectedFailures = smaller * (1 - pooled);
  if (Math.min(expectedSuccesses, expectedFailures) < minExpected) {
    return `too few ${expectedSuccesses < expectedFailures ? 'successes' : 'failures'} yet: at least ${minExpected} expected per variant are needed`;
  }
  return null;
}

/**
 * Compares a variant with the control on one metric. The verdict names a winner only when the difference is
 * significant at `alpha` both by the test's p-value and by the confidence interval excluding 0 (for rates the
 * interval (Newcombe) and the pooled z-test can disagree by a hair at the boundary; requiring both keeps the screen
 * consistent). Below the minimum sample the verdict is 'not_enough_data', but the figures are still returned.
 */
export function compareVariants(
  control: VariantFigures,
  variant: VariantFigures,
  metric: AbMetric,
  options: CompareOptions = {},
): VariantComparison {
  const { alpha, minSample, minExpected } = resolve(options);
  checkFigures(control);
  checkFigures(variant);
  const confidence = 1 - alpha;
  let controlValue: number | null;
  let variantValue: number | null;
  let low: number | null = null;
  let high: number | null = null;
  let pValue: number | null = null;
  let probability: number | null = null;
  let method: VariantComparison['method'];

  if (metric === 'revenue_per_recipient') {
    method = 'welch_t_test';
    controlValue = control.delivered === 0 ? null : control.revenueMinor / control.delivered;
    variantValue = variant.delivered === 0 ? null : variant.revenueMinor / variant.delivered;
    const welch = welchTTest(
      { n: variant.delivered, sum: variant.revenueMinor, sumSq: variant.revenueSqMinor },
      { n: control.delivered, sum: control.revenueMinor, sumSq: control.revenueSqMinor },
      confidence,
    );
    if (welch !== null) {
      low = welch.low;
      high = welch.high;
      pValue = welch.pValue;
    }
  } else {
    method = 'z_test_newcombe_interval';
    const xc = successesOf(control, metric);
    const xv = successesOf(variant, metric);
    controlValue = control.delivered === 0 ? null : xc / control.delivered;
    variantValue = variant.delivered === 0 ? null : xv / variant.delivered;
    const interval = newcombeInterval(xv, variant.delivered, xc, control.delivered, confidence);
    const test = twoProportionZTest(xv, variant.delivered, xc, control.delivered);
    if (interval !== null && test !== null) {
      low = interval.low;
      high = interval.high;
      pValue = test.pValue;
    }
    probability = probabilityToBeatControl(
      { successes: xc, trials: control.delivered },
      { successes: xv, trials: variant.delivered },
    );
  }

  const difference = controlValue === null || variantValue === null ? null : variantValue - controlValue;
  const relativeLift = difference === null || !controlValue ? null : difference / controlValue;
  let reason = shortfall(control, variant, metric, minSample, minExpected);
  if (reason === null && (pValue === null || low === null || high === null)) reason = 'the test cannot be computed yet';
  let verdict: AbVerdict;
  if (reason !== null) verdict = 'not_enough_data';
  else if (pValue! < alpha && (low! > 0 || high! < 0)) verdict = difference! > 0 ? 'variant_wins' : 'control_wins';
  else verdict = 'no_significant_difference';

  return {
    metric,
    control: { id: control.id, n: control.delivered, value: controlValue },
    variant: { id: variant.id, n: variant.delivered, value: variantValue },
    difference,
    relativeLift,
    confidence,
    low,
    high,
    pValue,
    probabilityToBeatControl: probability,
    method,
    verdict,
    reason,
  };
}

/**
 * Holm's step-down adjusted p-values (Holm 1979), in the input order: sort ascending, p̃₍ᵢ₎ = max_{j≤i} min(1, (m − j + 1)·p₍ⱼ₎).
 * Rejecting where p̃ < alpha controls the family-wise error rate at alpha, and is never less powerful than Bonferroni.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

export interface PairComparison extends VariantComparison {
  /** Holm-adjusted p-value over all pairs; equal to pValue when there are only two variants. */
  adjustedPValue: number | null;
  /** Significant after the correction, and in the same direction as the interval. */
  significant: boolean;
}

export interface WinnerResult {
  metric: AbMetric;
  verdict: 'not_enough_data' | 'no_significant_difference' | 'winner';
  winnerId: string | null;
  correction: 'none' | 'holm';
  /** Every pair (i < j) in input order, the earlier variant as "control" of the pair. */
  comparisons: PairComparison[];
}

/**
 * Declares a winning variant only when it beats every other variant significantly. With two variants this is
 * compareVariants' verdict. With more, all k(k − 1)/2 pairs are tested and their p-values corrected by Holm's
 * method, so the chance of declaring any false winner stays below alpha. If any pair lacks data, no winner is named.
 * The first variant is the control by convention (it only matters for the direction of each pair's difference).
 */
export function pickWinner(variants: readonly VariantFigures[], metric: AbMetric, options: CompareOptions = {}): WinnerResult {
  const { alpha } = resolve(options);
  if (variants.length < 2) throw new RangeError('an A/B test needs at least two variants');
  if (new Set(variants.map((v) => v.id)).size !== variants.length) throw new RangeError('variant ids must be unique');
  const pairs: VariantComparison[] = [];
  for (let i = 0; i < variants.length; i++) {
    for (let j = i + 1; j < variants.length; j++) pairs.push(compareVariants(variants[i], variants[j], metric, options));
  }
  const correction = pairs.length > 1 ? 'holm' : 'none';
  const enough = pairs.every((p) => p.verdict !== 'not_enough_data');
  const adjusted = enough ? holmAdjust(pairs.map((p) => p.pValue!)) : pairs.map(() => null);
  const comparisons: PairComparison[] = pairs.map((p, k) => {
    const adjustedPValue = adjusted[k];
    const significant =
      adjustedPValue !== null && adjustedPValue < alpha && (p.verdict === 'variant_wins' || p.verdict === 'control_wins');
    return { ...p, adjustedPValue, significant };
  });
  if (!enough) return { metric, verdict: 'not_enough_data', winnerId: null, correction, comparisons };

  const beatsEveryone = variants.find((v) =>
    comparisons
      .filter((c) => c.control.id === v.id || c.variant.id === v.id)
      .every((c) => c.significant && (c.verdict === 'variant_wins' ? c.variant.id : c.control.id) === v.id),
  );
  return beatsEveryone
    ? { metric, verdict: 'winner', winnerId: beatsEveryone.id, correction, comparisons }
    : { metric, verdict: 'no_significant_difference', winnerId: null, correction, comparisons };
}
