// Holdout groups: which contacts a campaign or journey keeps back (deterministically), and the true, incremental
// effect of the campaign measured against them, with 95 % confidence intervals. Method: docs/STATISTICS.md.
import { createHash } from 'node:crypto';
import { studentTQuantile } from './distributions';
import { summarize, welchTTest, type SampleSums } from './means';
import { newcombeInterval, twoProportionZTest, twoSidedZ, wilsonInterval, type Interval } from './proportions';

/**
 * Versioned so that the assignment of every contact stays the same forever: changing the hashing would silently
 * move contacts between groups of campaigns already running.
 */
const HOLDOUT_HASH_VERSION = 'mesure-holdout-v1';

/**
 * The contact's position in [0, 1) for this campaign or journey: SHA-256 of the three ids, first 48 bits / 2⁴⁸.
 * The ids are hashed as a JSON array, so ("a:b", "c") and ("a", "b:c") never collide. Each campaign gives every
 * contact a fresh, independent position, so being held out once says nothing about the next campaign.
 * `contactKey` must be stable for the contact (its id, or its normalized phone number or email).
 */
export function holdoutPosition(accountId: string, campaignOrJourneyId: string, contactKey: string): number {
  const digest = createHash('sha256')
    .update(JSON.stringify([HOLDOUT_HASH_VERSION, accountId, campaignOrJourneyId, contactKey]))
    .digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Whether the contact is held out (receives nothing) for this campaign or journey. Same inputs, same answer. */
export function isHeldOut(accountId: string, campaignOrJourneyId: string, contactKey: string, holdoutShare: number): boolean {
  if (!(holdoutShare >= 0 && holdoutShare <= 1)) throw new RangeError(`holdoutShare must be in [0, 1], got ${holdoutShare}`);
  return holdoutPosition(accountId, campaignOrJourneyId, contactKey) < holdoutShare;
}

/**
 * What happened to one group during the attribution window. `n` counts the contacts assigned to the group (the
 * campaign's audience for the treated group, its held-out messages for the holdout), whether or not a message
 * was delivered: comparing assigned groups keeps the randomization intact.
 */
export interface GroupOutcome {
  n: number;
  /** Contacts with at least one order in the window. */
  converters: number;
  /** Σ of each contact's order revenue in the window, minor units (zeros included). */
  revenueSum: number;
  /** Σ of the squares of each contact's revenue, minor units squared. */
  revenueSumSq: number;
}

export interface Estimate {
  estimate: number;
  low: number;
  high: number;
}

export interface GroupFigures {
  n: number;
  converters: number;
  conversionRate: number | null;
  /** Wilson interval of the conversion rate. */
  conversionRateInterval: Interval | null;
  /** Minor units. */
  revenuePerRecipient: number | null;
  /** t interval of the mean revenue per recipient. */
  revenuePerRecipientInterval: Interval | null;
}

export type LiftVerdict = 'not_enough_data' | 'no_significant_difference' | 'positive' | 'negative';

export interface TrueLiftResult {
  status: 'ok' | 'not_enough_data';
  reason: string | null;
  confidence: number;
  treated: GroupFigures;
  holdout: GroupFigures;
  conversion: {
    /** Treated − holdout conversion rate (Newcombe interval). */
    rateDifference: Estimate | null;
    /** The rate difference × the treated group's size: converters the campaign caused. */
    incrementalConversions: Estimate | null;
    /** Treated rate / holdout rate − 1 (a fraction: 0.25 is +25 %); log risk-ratio interval. */
    lift: Estimate | null;
    pValue: number | null;
    verdict: LiftVerdict;
  };
  revenue: {
    /** Treated − holdout revenue per recipient, minor units (Welch interval). */
    perRecipientDifference: Estimate | null;
    /** The difference × the treated group's size: revenue the campaign caused, minor units. */
    incrementalRevenueMinor: Estimate | null;
    /** Treated / holdout revenue per recipient − 1; delta-method interval on the log ratio. */
    lift: Estimate | null;
    pValue: number | null;
    verdict: LiftVerdict;
  };
  attributedRevenueMinor: number;
  /** Incremental revenue / attributed revenue: the share of the attributed revenue the campaign really caused. */
  causedShareOfAttributed: Estimate | null;
}

export interface TrueLiftOptions {
  /** Default 0.95. */
  confidence?: number;
  /** Minimum contacts in the holdout (and in the treated group) before a verdict. Default 100. */
  minHoldout?: number;
  /** Minimum expected converters in the holdout if the campaign did nothing (pooled rate × holdout size). Default 5. */
  minExpected?: number;
}

export const DEFAULT_MIN_HOLDOUT = 100;

function checkOutcome(name: string, g: GroupOutcome): void {
  if (!Number.isInteger(g.n) || !Number.isInteger(g.converters) || g.n < 0 || g.converters < 0 || g.converters > g.n) {
    throw new RangeError(`${name}: invalid counts`);
  }
  if (!Number.isFinite(g.revenueSum) || !Number.isFinite(g.revenueSumSq) || g.revenueSumSq < 0) {
    throw new RangeError(`${name}: invalid revenue sums`);
  }
}

function sums(g: GroupOutcome): SampleSums {
  return { n: g.n, sum: g.revenueSum, sumSq: g.revenueSumSq };
}

function groupFigures(g: GroupOutcome, confidence: number): GroupFigures {
  const summary = summarize(sums(g));
  let revenueInterval: Interval | null = null;
  if (summary !== null) {
    const half = studentTQuantile(1 - (1 - confidence) / 2, summary.n - 1) * Math.sqrt(summary.variance / summary.n);
    revenueInterval = { low: summary.mean - half, high: summary.mean + half };
  }
  return {
    n: g.n,
    converters: g.converters,
    conversionRate: g.n === 0 ? null : g.converters / g.n,
    conversionRateInterval: wilsonInterval(g.converters, g.n, confidence),
    revenuePerRecipient: g.n === 0 ? null : g.revenueSum / g.n,
    revenuePerRecipientInterval: revenueInterval,
  };
}

function scale(e: Estimate | null, factor: number): Estimate | null {
  if (e === null) return null;
  const a = e.low * factor;
  const b = e.high * factor;
  return { estimate: e.estimate * factor, low: Math.min(a, b), high: Math.max(a, b) };
}

/** ratio − 1 with the interval exp(log ratio ± z·se) − 1. */
function logRatioLift(ratio: number, seLog: number, z: number): Estimate {
  return { estimate: ratio - 1, low: ratio * Math.exp(-z * seLog) - 1, high: ratio * Math.exp(z * seLog) - 1 };
}

function verdictOf(ok: boolean, pValue: number | null, e: Estimate | null, alpha: number): LiftVerdict {
  if (!ok || pValue === null || e === null) return 'not_enough_data';
  if (pValue < alpha && (e.low > 0 || e.high < 0)) return e.estimate > 0 ? 'positive' : 'negative';
  return 'no_significant_difference';
}

/**
 * The campaign's true effect: treated against holdout over the same attribution window. The incremental figures
 * treat the treated group's size as fixed (it is the audience the campaign chose). Below the minimum holdout
 * the status is 'not_enough_data' but every figure that can be computed is still returned.
 */
export function trueLift(
  input: { treated: GroupOutcome; holdout: GroupOutcome; attributedRevenueMinor: number },
  options: TrueLiftOptions = {},
): TrueLiftResult {
  const confidence = options.confidence ?? 0.95;
  const minHoldout = options.minHoldout ?? DEFAULT_MIN_HOLDOUT;
  const minExpected = options.minExpected ?? 5;
  const { treated, holdout, attributedRevenueMinor } = input;
  checkOutcome('treated', treated);
  checkOutcome('holdout', holdout);
  if (!Number.isFinite(attributedRevenueMinor)) throw new RangeError('attributedRevenueMinor must be finite');
  const z = twoSidedZ(confidence);
  const alpha = 1 - confidence;

  let reason: string | null = null;
  const smaller = Math.min(treated.n, holdout.n);
  if (smaller < minHoldout || smaller === 0) {
    reason = `the holdout (and the treated group) needs at least ${minHoldout} contacts (now ${smaller})`;
  } else {
    const expected = (holdout.n * (treated.converters + holdout.converters)) / (treated.n + holdout.n);
    if (expected < minExpected) reason = `too few buyers yet: about ${minExpected} expected in the holdout are needed`;
  }
  const ok = reason === null;

  // Conversions.
  const newcombe = newcombeInterval(treated.converters, treated.n, holdout.converters, holdout.n, confidence);
  const rateDifference = newcombe && { estimate: newcombe.difference, low: newcombe.low, high: newcombe.high };
  const zTest = twoProportionZTest(treated.converters, treated.n, holdout.converters, holdout.n);
  let conversionLift: Estimate | null = null;
  if (treated.converters > 0 && holdout.converters > 0) {
    // Katz et al. (1978): se(log RR) = √(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂).
    const ratio = treated.converters / treated.n / (holdout.converters / holdout.n);
    const seLog = Math.sqrt(1 / treated.converters - 1 / treated.n + 1 / holdout.converters - 1 / holdout.n);
    conversionLift = logRatioLift(ratio, seLog, z);
  }

  // Revenue per recipient.
  const welch = welchTTest(sums(treated), sums(holdout), confidence);
  const perRecipientDifference = welch && { estimate: welch.difference, low: welch.low, high: welch.high };
  let revenueLift: Estimate | null = null;
  if (welch !== null && welch.first.mean > 0 && welch.second.mean > 0) {
    // Delta method: var(log x̄) ≈ s²/(n·x̄²).
    const seLog = Math.sqrt(
      welch.first.variance / (welch.first.n * welch.first.mean ** 2) +
        welch.second.variance / (welch.second.n * welch.second.mean ** 2),
    );
    revenueLift = logRatioLift(welch.first.mean / welch.second.mean, seLog, z);
  }
  const incrementalRevenueMinor = scale(perRecipientDifference, treated.n);

  return {
    status: ok ? 'ok' : 'not_enough_data',
    reason,
    confidence,
    treated: groupFigures(treated, confidence),
    holdout: groupFigures(holdout, confidence),
    conversion: {
      rateDifference,
      incrementalConversions: scale(rateDifference, treated.n),
      lift: conversionLift,
      pValue: zTest?.pValue ?? null,
      verdict: verdictOf(ok, zTest?.pValue ?? null, rateDifference, alpha),
    },
    revenue: {
      perRecipientDifference,
      incrementalRevenueMinor,
      lift: revenueLift,
      pValue: welch?.pValue ?? null,
      verdict: verdictOf(ok, welch?.pValue ?? null, perRecipientDifference, alpha),
    },
    attributedRevenueMinor,
    // A share of nothing (or of a net refund) means nothing.
    causedShareOfAttributed: attributedRevenueMinor > 0 ? scale(incrementalRevenueMinor, 1 / attributedRevenueMinor) : null,
  };
}
