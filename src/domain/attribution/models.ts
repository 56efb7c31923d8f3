// Attribution models: how one order's credit is shared among the touches that preceded it, as raw weights over
// a path sorted oldest first. credits.ts turns the weights into exact shares of one order and its revenue.

/** The rule-based models: conventions that weigh a path by position or age alone. */
export const RULE_MODELS = ['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay'] as const;
export type RuleModel = (typeof RULE_MODELS)[number];
/** Every model: the rules, and `data_driven`, learnt from the account's paths (dataDriven.ts). */
export const ATTRIBUTION_MODELS = [...RULE_MODELS, 'data_driven'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

/** The default, as Klaviyo and Mailchimp do. */
export const DEFAULT_MODEL: RuleModel = 'last_touch';

/** Time decay: a touch loses half its weight for every 7 days between it and the order. */
export const DEFAULT_HALF_LIFE_MS = 7 * 24 * 3_600_000;

export interface ModelOptions {
  halfLifeMs?: number;
  /**
   * The data-driven model's fitted campaign weights (removal-effect shares); absent when the account has no fit, and
   * `data_driven` then credits as `fallbackModel`.
   */
  campaignWeights?: ReadonlyMap<string, number>;
  /** The account's rule model, which `data_driven` credits by without a fit or when no campaign of a path has weight. */
  fallbackModel?: RuleModel;
}

/**
 * Raw (unnormalized, non-negative) weights, one per touch of `ages`, where `ages[i]` is order time − touch time
 * and the path is sorted oldest first (ages descending). Never all zero for a non-empty path.
 * - last touch: the newest touch 1, others 0;
 * - first touch: the oldest touch 1, others 0;
 * - linear: every touch 1;
 * - position-based (U-shaped 40/20/40): one touch 1; two touches 0.5 each; three or more: 0.4 to the first and
 *   the last, the remaining 0.2 split equally among the middle ones;
 * - time decay: 2^(−age / half-life), computed relative to the newest touch (2^(−(age − minAge) / half-life)) so
 *   that a short half-life cannot underflow every weight to 0; normalization removes the common factor.
 */
export function modelWeights(model: RuleModel, ages: readonly number[], options: ModelOptions = {}): number[] {
  const n = ages.length;
  if (n === 0) return [];
  switch (model) {
    case 'last_touch':
      return ages.map((_, i) => (i === n - 1 ? 1 : 0));
    case 'first_touch':
      return ages.map((_, i) => (i === 0 ? 1 : 0));
    case 'linear':
      return ages.map(() => 1);
    case 'position_based':
      if (n === 1) return [1];
      if (n === 2) return [0.5, 0.5];
      return ages.map((_, i) => (i === 0 || i === n - 1 ? 0.4 : 0.2 / (n - 2)));
    case 'time_decay': {
      const halfLife = options.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
      if (!(halfLife > 0)) throw new RangeError('time decay half-life must be positive');
      const newest = Math.min(...ages);
      return ages.map((age) => 2 ** (-(age - newest) / halfLife));
    }
  }
}
