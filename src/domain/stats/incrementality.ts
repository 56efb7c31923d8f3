// Incrementality: how much of a channel's attributed revenue its campaigns really caused, pooled over the campaigns
// that had a holdout, then carried over to every campaign, and the attribution window that would match it.
// Method and worked example: docs/STATISTICS.md ("Incrementality factor").
import type { Estimate } from './holdout';
import { twoSidedZ } from './proportions';

/** One campaign's holdout measure: its incremental revenue (with its standard error) and its attributed revenue. */
export interface HoldoutMeasure {
  /** Incremental revenue measured against the holdout, minor units. */
  incrementalMinor: number;
  /** Its standard error, minor units. */
  standardErrorMinor: number;
  /** Revenue attributed to the campaign under the account's model and windows, minor units. */
  attributedMinor: number;
}

export interface PooledFactor extends Estimate {
  /** Campaigns pooled (those with attributed revenue above zero). */
  campaigns: number;
  standardError: number;
  /** Which variance the interval uses: the campaigns' own sampling errors, or their spread around the factor. */
  variance: 'within' | 'between';
}

/**
 * The pooled incrementality factor: Σ incremental ÷ Σ attributed over the campaigns (a ratio estimator, each campaign
 * weighing by its attributed revenue). Its variance is the larger of two: the campaigns' own sampling errors
 * (Σ seᵢ² ÷ (Σ attributed)²), and the spread of the campaigns around the factor (the delta-method/sandwich estimate
 * k/(k−1) · Σ (incrementalᵢ − R·attributedᵢ)² ÷ (Σ attributed)², from two campaigns on). The first holds when every
 * campaign shares one factor; the second when they differ; the larger keeps the interval honest with few campaigns.
 * Null when no campaign has attributed revenue above zero.
 */
export function pooledFactor(measures: HoldoutMeasure[], confidence = 0.95): PooledFactor | null {
  const used = measures.filter((m) => m.attributedMinor > 0);
  for (const m of used) {
    if (!Number.isFinite(m.incrementalMinor) || !(m.standardErrorMinor >= 0)) throw new RangeError('invalid holdout measure');
  }
  const k = used.length;
  if (k === 0) return null;
  const attributed = used.reduce((s, m) => s + m.attributedMinor, 0);
  const incremental = used.reduce((s, m) => s + m.incrementalMinor, 0);
  const factor = incremental / attributed;
  const within = used.reduce((s, m) => s + m.standardErrorMinor ** 2, 0) / attributed ** 2;
  const between = k < 2 ? 0 : (k / (k - 1)) * used.reduce((s, m) => s + (m.incrementalMinor - factor * m.attributedMinor) ** 2, 0) / attributed ** 2;
  const standardError = Math.sqrt(Math.max(within, between));
  const half = twoSidedZ(confidence) * standardError;
  return { estimate: factor, low: factor - half, high: factor + half, campaigns: k, standardError, variance: between > within ? 'between' : 'within' };
}

/** The standard error behind a symmetric interval at `confidence` (half its width ÷ z). */
export function standardErrorOf(interval: Estimate, confidence = 0.95): number {
  return (interval.high - interval.low) / (2 * twoSidedZ(confidence));
}

export type IncrementalSource = 'own_holdout' | 'channel_factor' | 'none';

export interface CampaignIncrementality {
  source: IncrementalSource;
  /** Incremental revenue, minor units: the campaign's own measure, or the channel factor × its attributed revenue. */
  incrementalRevenueMinor: Estimate | null;
  /** Incremental revenue ÷ spend; null without spend. */
  incrementalRoas: Estimate | null;
  /** Incremental ÷ attributed revenue for this campaign (its own, or the channel's). */
  factor: Estimate | null;
}

/**
 * A campaign's incremental revenue and ROAS: its own holdout measure when it has a usable one, else the channel's
 * pooled factor × its attributed revenue, else none. Spend and revenue in minor units.
 */
export function campaignIncrementality(input: {
  attributedMinor: number;
  spendMinor: number;
  own: Estimate | null;
  channelFactor: Estimate | null;
}): CampaignIncrementality {
  const { attributedMinor, spendMinor, own, channelFactor } = input;
  let source: IncrementalSource = 'none';
  let revenue: Estimate | null = null;
  let factor: Estimate | null = null;
  if (own) {
    source = 'own_holdout';
    revenue = own;
    factor = attributedMinor > 0 ? scaled(own, 1 / attributedMinor) : null;
  } else if (channelFactor) {
    source = 'channel_factor';
    factor = channelFactor;
    revenue = scaled(channelFactor, attributedMinor);
  }
  return { source, incrementalRevenueMinor: revenue, incrementalRoas: revenue && spendMinor > 0 ? scaled(revenue, 1 / spendMinor) : null, factor };
}

function scaled(e: Estimate, by: number): Estimate {
  const a = e.low * by;
  const b = e.high * by;
  return { estimate: e.estimate * by, low: Math.min(a, b), high: Math.max(a, b) };
}

/** The attribution windows the suggestion weighs, in hours: from one hour to thirty days. */
export const CANDIDATE_WINDOWS_HOURS = [1, 12, 24, 48, 72, 120, 168, 336, 720] as const;

/** Revenue of a campaign's treated recipients' orders within `hours` of their message, per candidate window. */
export function revenueWithinWindows(orders: { ageMs: number; revenueMinor: number }[], candidatesHours: readonly number[] = CANDIDATE_WINDOWS_HOURS): number[] {
  return candidatesHours.map((h) => orders.reduce((s, o) => (o.ageMs >= 0 && o.ageMs <= h * 3_600_000 ? s + o.revenueMinor : s), 0));
}

export interface WindowSuggestion {
  windowHours: number;
  /** Revenue the treated recipients' orders within that window add up to, over the channel's holdout campaigns. */
  revenueWithinMinor: number;
  /** The channel's measured incremental revenue over the same campaigns. */
  incrementalMinor: number;
  candidates: { windowHours: number; revenueWithinMinor: number }[];
}

/**
 * The window whose revenue (Σ over the campaigns of the treated recipients' orders within it) is closest to the
 * measured incremental revenue; the shorter window on a tie. Null without campaigns.
 */
export function suggestWindow(
  campaigns: { incrementalMinor: number; revenueWithin: number[] }[],
  candidatesHours: readonly number[] = CANDIDATE_WINDOWS_HOURS,
): WindowSuggestion | null {
  if (campaigns.length === 0) return null;
  const incrementalMinor = campaigns.reduce((s, c) => s + c.incrementalMinor, 0);
  const candidates = candidatesHours.map((windowHours, j) => ({ windowHours, revenueWithinMinor: campaigns.reduce((s, c) => s + c.revenueWithin[j], 0) }));
  let best = candidates[0];
  for (const c of candidates) {
    if (Math.abs(c.revenueWithinMinor - incrementalMinor) < Math.abs(best.revenueWithinMinor - incrementalMinor)) best = c;
  }
  return { windowHours: best.windowHours, revenueWithinMinor: best.revenueWithinMinor, incrementalMinor, candidates };
}
