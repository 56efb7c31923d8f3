// The data-driven model (docs/ATTRIBUTION.md, "Data-driven model"): learnt from the paths of converting and
// non-converting contacts. Two exact methods, no sampling and no simulation:
// - Shapley values over channels (few players: every coalition is computed), the channel-level explanation;
// - the Markov removal effect over campaigns (a first-order absorbing chain solved by Gaussian elimination), which
//   drives each order's credit: a campaign's share of an order's path is proportional to its removal effect.
// Stability: a seeded bootstrap over the paths (a fixed number of resamples) gives each weight a 95 % interval.
// Pure and deterministic: paths are aggregated under canonical keys and sorted, so their input order changes nothing.

import { mulberry32 } from '../stats/prng';
import { CHANNELS, type Channel } from '../types';

/** Below this many converting paths the model is not fitted (the account's rule model keeps crediting). */
export const DD_MIN_CONVERSIONS = 30;
/** Bootstrap resamples per fit, and the seed of their generator: the same paths always give the same intervals. */
export const DD_BOOTSTRAP_RESAMPLES = 100;
export const DD_BOOTSTRAP_SEED = 24;

/** One contact's path in the fitted period: its touches' campaigns oldest first, and whether it converted. */
export interface FitPath {
  steps: readonly { campaignId: string; channel: Channel }[];
  converted: boolean;
}

/** Identical paths counted once: the campaign sequence (repeats of one campaign in a row collapsed) and channel set. */
export interface PathPattern {
  campaigns: string[];
  /** Distinct channels of the path, in CHANNELS order. */
  channels: Channel[];
  converted: boolean;
  count: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Paths without a step are left out (nothing to learn from them). Patterns sorted by their canonical key. */
export function aggregatePaths(paths: Iterable<FitPath>): PathPattern[] {
  const byKey = new Map<string, PathPattern>();
  for (const p of paths) {
    if (p.steps.length === 0) continue;
    const campaigns: string[] = [];
    const channels = new Set<Channel>();
    for (const s of p.steps) {
      if (campaigns[campaigns.length - 1] !== s.campaignId) campaigns.push(s.campaignId);
      channels.add(s.channel);
    }
    const pattern = { campaigns, channels: CHANNELS.filter((c) => channels.has(c)), converted: p.converted, count: 1 };
    const key = JSON.stringify([pattern.campaigns, pattern.channels, pattern.converted]);
    const hit = byKey.get(key);
    if (hit) hit.count++;
    else byKey.set(key, pattern);
  }
  return [...byKey.entries()].sort(([a], [b]) => cmp(a, b)).map(([, p]) => p);
}

// ------------------------------------------------------------------------------------------ Shapley over channels

/**
 * Exact Shapley values of the channels. r(T) is the conversion rate of the paths whose channel set is exactly T;
 * the characteristic function is v(S) = Σ_{∅≠T⊆S} r(T) (Shao & Li 2011's simple probabilistic model in the
 * cumulative form of Dalessandro et al. 2012): what the channels of S convert by themselves and together.
 * φ_i = Σ_{S⊆N∖{i}} |S|!(n−|S|−1)!/n! · (v(S∪{i}) − v(S)), every one of the 2ⁿ coalitions computed.
 * Σφ = v(N); a channel on no converting path adds only r(T) = 0 terms: φ = 0.
 * `counts` weighs each pattern (the bootstrap's resampled counts); absent, each pattern's own count.
 */
export function shapleyChannels(patterns: readonly PathPattern[], counts?: readonly number[]): Map<Channel, number> {
  const players = CHANNELS.filter((c) => patterns.some((p) => p.channels.includes(c)));
  const n = players.length;
  const size = 1 << n;
  const paths = new Array<number>(size).fill(0);
  const conversions = new Array<number>(size).fill(0);
  patterns.forEach((p, i) => {
    const w = counts ? counts[i] : p.count;
    let mask = 0;
    for (const c of p.channels) mask |= 1 << players.indexOf(c);
    paths[mask] += w;
    if (p.converted) conversions[mask] += w;
  });
  const rate = paths.map((t, mask) => (t > 0 ? conversions[mask] / t : 0));
  // v(S) = Σ of r(T) over the non-empty subsets T of S (sub-mask enumeration).
  const v = new Array<number>(size).fill(0);
  for (let s = 1; s < size; s++) for (let t = s; t > 0; t = (t - 1) & s) v[s] += rate[t];
  const fact = [1];
  for (let k = 1; k <= n; k++) fact[k] = fact[k - 1] * k;
  const bits = (m: number) => { let b = 0; for (; m; m &= m - 1) b++; return b; };
  const out = new Map<Channel, number>();
  players.forEach((player, i) => {
    let phi = 0;
    for (let s = 0; s < size; s++) {
      if (s & (1 << i)) continue;
      const k = bits(s);
      phi += (fact[k] * fact[n - k - 1] / fact[n]) * (v[s | (1 << i)] - v[s]);
    }
    out.set(player, phi);
  });
  return out;
}

// ------------------------------------------------------------------------------------------ Markov removal effect

/**
 * Solves A·x = b in place by Gaussian elimination with partial pivoting. A is square and non-singular here: it is
 * I − Q for the transient part of an absorbing chain (every state reaches an absorbing one).
 */
export function solveLinear(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) < 1e-300) throw new RangeError('singular system');
    if (pivot !== col) {
      [a[pivot], a[col]] = [a[col], a[pivot]];
      [b[pivot], b[col]] = [b[col], b[pivot]];
    }
    for (let r = col + 1; r < n; r++) {
      const f = a[r][col] / a[col][col];
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r][c] -= f * a[col][c];
      b[r] -= f * b[col];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let c = r + 1; c < n; c++) s -= a[r][c] * x[c];
    x[r] = s / a[r][r];
  }
  return x;
}

export interface MarkovFit {
  /** P(conversion) from the start state. */
  pConversion: number;
  /** Per campaign (sorted by id): 1 − P(conversion without it)/P(conversion); 0 when nothing converts. */
  removalEffects: Map<string, number>;
}

/**
 * The first-order chain start → campaign → … → conversion | null, from the counted transitions of the patterns
 * (a campaign repeated in a row is one state visit). P(conversion) is the start's absorption probability into
 * conversion: x = (I − Q)⁻¹·b over the campaigns (Q the transitions between them, b their step into conversion),
 * P = Σ start(j)·x_j. Removing campaign k sends every path reaching it to null: x_k = 0, the system solved again.
 */
export function markovRemoval(patterns: readonly PathPattern[], counts?: readonly number[]): MarkovFit {
  const states = [...new Set(patterns.flatMap((p) => p.campaigns))].sort(cmp);
  const index = new Map(states.map((s, i) => [s, i]));
  const n = states.length;
  const trans = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const toConv = new Array<number>(n).fill(0);
  const out = new Array<number>(n).fill(0);
  const start = new Array<number>(n).fill(0);
  let total = 0;
  patterns.forEach((p, i) => {
    const w = counts ? counts[i] : p.count;
    if (w === 0) return;
    total += w;
    const ids = p.campaigns.map((c) => index.get(c)!);
    start[ids[0]] += w;
    for (let k = 0; k < ids.length; k++) {
      out[ids[k]] += w;
      if (k + 1 < ids.length) trans[ids[k]][ids[k + 1]] += w;
      else if (p.converted) toConv[ids[k]] += w;
    }
  });
  const solve = (removed: number): number => {
    const a = Array.from({ length: n }, (_, r) => {
      const row = new Array<number>(n).fill(0);
      row[r] = 1;
      if (r !== removed && out[r] > 0) for (let c = 0; c < n; c++) row[c] -= trans[r][c] / out[r];
      return row;
    });
    const b = toConv.map((x, r) => (r !== removed && out[r] > 0 ? x / out[r] : 0));
    const x = n ? solveLinear(a, b) : [];
    return total > 0 ? x.reduce((s, xj, j) => s + (start[j] / total) * xj, 0) : 0;
  };
  const p = solve(-1);
  const removalEffects = new Map<string, number>();
  states.forEach((s, k) => removalEffects.set(s, p > 0 ? Math.max(0, 1 - solve(k) / p) : 0));
  return { pConversion: p, removalEffects };
}

// ------------------------------------------------------------------------------------------ the fit

export interface FittedWeight {
  /** Shapley value (channels, in conversion-rate units) or removal effect (campaigns, 0…1). */
  value: number;
  /** value / Σ values of its kind: the share an order's credit follows (campaigns) or explains (channels). */
  share: number;
  /** 95 % bootstrap interval of the share (2.5th and 97.5th percentiles of the resamples, nearest rank). */
  low: number;
  high: number;
}

export type DataDrivenFit =
  | { status: 'insufficient_data'; conversions: number; paths: number; minConversions: number }
  | {
    status: 'fitted';
    conversions: number;
    paths: number;
    minConversions: number;
    pConversion: number;
    resamples: number;
    channels: ({ channel: Channel } & FittedWeight)[];
    campaigns: ({ campaignId: string } & FittedWeight)[];
  };

function shares<K>(values: Map<K, number>): Map<K, number> {
  const sum = [...values.values()].reduce((s, x) => s + x, 0);
  return new Map([...values].map(([k, x]) => [k, sum > 0 ? x / sum : 0]));
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Fits both methods on the paths, or refuses below `minConversions` converting paths. Bootstrap: `resamples` times,
 * draw as many paths as there are, with replacement (mulberry32 seeded with `seed`), refit, and take each share's
 * 2.5th and 97.5th percentiles.
 */
export function fitDataDriven(
  input: Iterable<FitPath> | readonly PathPattern[],
  opts: { minConversions?: number; resamples?: number; seed?: number } = {},
): DataDrivenFit {
  const patterns = Array.isArray(input) && (input.length === 0 || 'count' in input[0]) ? (input as PathPattern[]) : aggregatePaths(input as Iterable<FitPath>);
  const minConversions = opts.minConversions ?? DD_MIN_CONVERSIONS;
  const resamples = opts.resamples ?? DD_BOOTSTRAP_RESAMPLES;
  const paths = patterns.reduce((s, p) => s + p.count, 0);
  const conversions = patterns.reduce((s, p) => s + (p.converted ? p.count : 0), 0);
  if (conversions < minConversions || conversions === 0) return { status: 'insufficient_data', conversions, paths, minConversions };

  const shapley = shapleyChannels(patterns);
  const markov = markovRemoval(patterns);
  const channelShares = shares(shapley);
  const campaignShares = shares(markov.removalEffects);

  const rng = mulberry32(opts.seed ?? DD_BOOTSTRAP_SEED);
  const cumulative: number[] = [];
  patterns.reduce((s, p) => (cumulative.push(s + p.count), s + p.count), 0);
  const channelDraws = new Map<Channel, number[]>([...channelShares.keys()].map((c) => [c, []]));
  const campaignDraws = new Map<string, number[]>([...campaignShares.keys()].map((c) => [c, []]));
  const counts = new Array<number>(patterns.length);
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let d = 0; d < paths; d++) {
      const u = rng() * paths;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      counts[lo]++;
    }
    const ch = shares(shapleyChannels(patterns, counts));
    for (const [c, list] of channelDraws) list.push(ch.get(c) ?? 0);
    const re = shares(markovRemoval(patterns, counts).removalEffects);
    for (const [c, list] of campaignDraws) list.push(re.get(c) ?? 0);
  }
  const interval = (draws: number[]) => {
    const sorted = [...draws].sort((a, b) => a - b);
    return { low: percentile(sorted, 0.025), high: percentile(sorted, 0.975) };
  };
  return {
    status: 'fitted',
    conversions,
    paths,
    minConversions,
    pConversion: markov.pConversion,
    resamples,
    channels: [...shapley].map(([channel, value]) => ({ channel, value, share: channelShares.get(channel)!, ...interval(channelDraws.get(channel)!) })),
    campaigns: [...markov.removalEffects].map(([campaignId, value]) => ({ campaignId, value, share: campaignShares.get(campaignId)!, ...interval(campaignDraws.get(campaignId)!) })),
  };
}
