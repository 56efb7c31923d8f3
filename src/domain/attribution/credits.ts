// One order's credit split across campaigns under a model: exactly one order and exactly its revenue, at most
// one row per campaign, direct touches before influence; and the per-campaign totals the "compare models" view shows.

import { revenueOf, type Order, type RevenueBasis } from '../orders';
import type { Channel } from '../types';
import { convert, type ExchangeRate } from './currency';
import { ATTRIBUTION_MODELS, DEFAULT_MODEL, modelWeights, type AttributionModel, type ModelOptions } from './models';
import { isDirect, isEligible, windowFor, type AttributionWindows, type Touch, type TouchKind } from './touches';

/** Credit weights are also given in millionths, which sum to exactly this for every credited order. */
export const WEIGHT_SCALE = 1_000_000;

/** What attribution needs of an order: when, how much (already on the account's basis), in which currency. */
export interface AttributableOrder {
  at: number;
  revenueMinor: number;
  currency: string;
  cancelled: boolean;
}

export interface Credit {
  campaignId: string;
  /** The message of the campaign's touch that carried the most weight (the latest on a tie); null for UTM/code only. */
  messageId: string | null;
  channel: Channel;
  kind: TouchKind;
  /**
   * Share of the order, 0 ≤ weight ≤ 1; `weightMicro` is the exact integer form (the rows sum to WEIGHT_SCALE).
   * A share under half a millionth rounds to 0 while it may still carry a few cents of a very large order.
   */
  weight: number;
  weightMicro: number;
  /** Share of the order's revenue in minor units; the rows sum to exactly the order's revenue. */
  revenueMinor: number;
  /** True when credited through click, scan, code or UTM; false when only through opens, reads, deliveries or sends. */
  direct: boolean;
}

/**
 * The order's revenue on the account's basis, converted to the account's currency at the order's date. Without a
 * rate the order keeps its own currency (its credits are reported apart, never summed with the account's).
 */
export function toAttributable(
  order: Order,
  account: { basis: RevenueBasis; currency: string; rates?: readonly ExchangeRate[] },
): AttributableOrder & { converted: boolean } {
  const revenue = revenueOf(order, account.basis);
  const cancelled = order.cancelledAt !== null;
  if (order.currency === account.currency.toUpperCase()) return { at: order.at, revenueMinor: revenue, currency: order.currency, cancelled, converted: false };
  const converted = convert(revenue, order.currency, account.currency, order.at, account.rates ?? []);
  if (converted === null) return { at: order.at, revenueMinor: revenue, currency: order.currency, cancelled, converted: false };
  return { at: order.at, revenueMinor: converted, currency: account.currency.toUpperCase(), cancelled, converted: true };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Oldest first; ties broken by content so that the same touches in any input order give the same path. */
function compareTouches(a: Touch, b: Touch): number {
  return (
    a.at - b.at ||
    compareStrings(a.campaignId, b.campaignId) ||
    compareStrings(a.messageId ?? '', b.messageId ?? '') ||
    compareStrings(a.channel, b.channel) ||
    compareStrings(a.kind, b.kind)
  );
}

function touchKey(t: Touch): string {
  return JSON.stringify([t.campaignId, t.messageId, t.channel, t.kind, t.at]);
}

/**
 * Splits `total` (an integer ≥ 0) in proportion to `shares` (≥ 0, not all 0) into integers that sum to exactly
 * `total`: each gets the floor of its exact share, and the units left go to the largest remainders (ties to the
 * earlier index, so callers order their items to make the result deterministic).
 */
export function largestRemainder(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((s, x) => s + x, 0);
  if (shares.length === 0) return [];
  if (!(sum > 0)) throw new RangeError('shares must not all be zero');
  const exact = shares.map((s) => (total * s) / sum);
  const out = exact.map((x) => Math.max(0, Math.floor(x)));
  let left = total - out.reduce((s, x) => s + x, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  // Float error can leave the floors one unit over or under; the loops put the difference where the exact
  // remainders say it belongs.
  for (let k = 0; left > 0; k = (k + 1) % out.length, left--) out[byRemainder[k].i]++;
  for (let k = out.length - 1; left < 0; k = (k - 1 + out.length) % out.length) {
    if (out[byRemainder[k].i] > 0) {
      out[byRemainder[k].i]--;
      left++;
    }
  }
  return out;
}

/**
 * Why a touch did or did not count for an order, in the engine's own terms (docs/ATTRIBUTION.md, "Why did this
 * campaign get this credit?"). The first rule that applies, in this order, is the one given.
 */
export type TouchVerdict =
  | { counted: true }
  | { counted: false; reason: 'order_cancelled' }
  /** A machine open (mail privacy proxy, scanner) or a bot click, as flagged at ingestion. */
  | { counted: false; reason: 'machine_open' | 'bot_click'; flagReason: string | null }
  | { counted: false; reason: 'after_order'; afterMs: number }
  /** The account has no window for this kind of touch on this channel (an e-mail delivery, an SMS send…). */
  | { counted: false; reason: 'no_window' }
  | { counted: false; reason: 'outside_window'; windowMs: number; beyondMs: number }
  /** The same touch (campaign, message, channel, kind, time) seen twice: it counts once. */
  | { counted: false; reason: 'duplicate' }
  /** An open, read, delivery or send, while the order also has a direct touch (click, scan, UTM, code). */
  | { counted: false; reason: 'beaten_by_direct' };

export type NotCountedReason = Exclude<TouchVerdict, { counted: true }>['reason'];
export const NOT_COUNTED_REASONS: readonly NotCountedReason[] = [
  'order_cancelled', 'machine_open', 'bot_click', 'after_order', 'no_window', 'outside_window', 'duplicate', 'beaten_by_direct',
];

/**
 * Steps 1 and 2 of attributeOrder: which touches share the credit (as indexes into `touches`, oldest first) and
 * whether they are direct. With `verdicts`, also says for every touch why it counts or not (verdicts[i] for touches[i]).
 */
function selectPath(order: AttributableOrder, touches: readonly Touch[], windows: AttributionWindows, verdicts?: TouchVerdict[]): { path: number[]; direct: boolean } {
  if (order.cancelled) {
    verdicts?.push(...touches.map((): TouchVerdict => ({ counted: false, reason: 'order_cancelled' })));
    return { path: [], direct: false };
  }
  const unique = new Map<string, number>();
  touches.forEach((t, i) => {
    const verdict = verdicts ? rejection(t, order.at, windows) : isEligible(t, order.at, windows) && !t.machine ? null : false;
    if (verdict) verdicts?.push(verdict);
    if (verdict !== null) return;
    const key = touchKey(t);
    if (unique.has(key)) {
      verdicts?.push({ counted: false, reason: 'duplicate' });
      return;
    }
    unique.set(key, i);
    verdicts?.push({ counted: true });
  });
  const eligible = [...unique.values()];
  const directTouches = eligible.filter((i) => isDirect(touches[i].kind));
  const direct = directTouches.length > 0;
  if (direct && verdicts) for (const i of eligible) if (!isDirect(touches[i].kind)) verdicts[i] = { counted: false, reason: 'beaten_by_direct' };
  const path = (direct ? directTouches : eligible).sort((a, b) => compareTouches(touches[a], touches[b]));
  return { path, direct };
}

/** Why a touch cannot count (machine, after the order, no window, outside it), or null when it is eligible. */
function rejection(t: Touch, orderAt: number, windows: AttributionWindows): TouchVerdict | null {
  if (t.machine) return { counted: false, reason: t.kind === 'open' || t.kind === 'read' ? 'machine_open' : 'bot_click', flagReason: t.flagReason ?? null };
  if (t.at > orderAt) return { counted: false, reason: 'after_order', afterMs: t.at - orderAt };
  const window = windowFor(windows, t.channel, t.kind);
  if (window === null) return { counted: false, reason: 'no_window' };
  if (orderAt - t.at > window) return { counted: false, reason: 'outside_window', windowMs: window, beyondMs: orderAt - t.at - window };
  // The reference rule: whatever passes the reasons above is what isEligible accepts.
  return isEligible(t, orderAt, windows) ? null : { counted: false, reason: 'no_window' };
}

/**
 * Raw weights of a path's touches. `data_driven`: each campaign's fitted weight split equally among its touches in
 * the path (so a campaign's row is proportional to its weight); without a fit, or when no campaign of the path has a
 * weight (all zero or not seen by the fit), the path is weighed by the account's rule model (`fallbackModel`).
 */
function pathWeights(order: AttributableOrder, path: readonly Touch[], model: AttributionModel, options: ModelOptions): number[] {
  const ages = path.map((t) => order.at - t.at);
  if (model !== 'data_driven') return modelWeights(model, ages, options);
  const fitted = options.campaignWeights;
  if (fitted) {
    const touchesOf = new Map<string, number>();
    for (const t of path) touchesOf.set(t.campaignId, (touchesOf.get(t.campaignId) ?? 0) + 1);
    const raw = path.map((t) => (fitted.get(t.campaignId) ?? 0) / touchesOf.get(t.campaignId)!);
    if (raw.some((w) => w > 0)) return raw;
  }
  return modelWeights(options.fallbackModel ?? DEFAULT_MODEL, ages, options);
}

/**
 * Steps 3 and 4 of attributeOrder over a selected path: the credit rows, and each path touch's share of the order
 * under the model (its raw weight over the path's total; the shares of one campaign's touches add up to its row
 * before the rows are rounded to millionths and minor units).
 */
function creditPath(order: AttributableOrder, path: readonly Touch[], direct: boolean, model: AttributionModel, options: ModelOptions): { credits: Credit[]; shares: number[] } {
  const raw = pathWeights(order, path, model, options);
  const total = raw.reduce((s, w) => s + w, 0);
  const campaigns = new Map<string, { weight: number; lead: Touch; leadWeight: number }>();
  path.forEach((touch, i) => {
    const w = raw[i];
    const c = campaigns.get(touch.campaignId);
    if (!c) campaigns.set(touch.campaignId, { weight: w, lead: touch, leadWeight: w });
    else {
      c.weight += w;
      // Later touches come later in the path, so >= keeps the latest among equals.
      if (w >= c.leadWeight) {
        c.lead = touch;
        c.leadWeight = w;
      }
    }
  });
  const rows = [...campaigns.entries()]
    .filter(([, c]) => c.weight > 0)
    .sort(([ida, a], [idb, b]) => b.weight - a.weight || compareStrings(ida, idb));
  const shares = rows.map(([, c]) => c.weight);
  const micro = largestRemainder(WEIGHT_SCALE, shares);
  const revenue = largestRemainder(Math.max(0, order.revenueMinor), shares);
  const credits = rows
    .map(([campaignId, c], i) => ({
      campaignId,
      messageId: c.lead.messageId,
      channel: c.lead.channel,
      kind: c.lead.kind,
      weight: micro[i] / WEIGHT_SCALE,
      weightMicro: micro[i],
      revenueMinor: revenue[i],
      direct,
    }))
    .filter((c) => c.weightMicro > 0 || c.revenueMinor > 0);
  return { credits, shares: raw.map((w) => w / total) };
}

/**
 * The credits of one order under `model`:
 * 1. machine opens and bot clicks, touches outside their window (see isEligible) and exact duplicates are dropped;
 * 2. if any direct touch remains, only direct touches share the credit; otherwise influence touches do;
 * 3. the model weighs the touches, oldest first; the touches of one campaign are merged into one row;
 * 4. weights and revenue are split by largest remainder, so the rows sum to exactly one order and its revenue.
 * A cancelled order, or one with no eligible touch, gets no credit (it is an order imported, not a conversion).
 * A fully refunded order still counts as a conversion, with 0 revenue.
 */
export function attributeOrder(
  order: AttributableOrder,
  touches: readonly Touch[],
  model: AttributionModel,
  windows: AttributionWindows,
  options: ModelOptions = {},
): Credit[] {
  const { path, direct } = selectPath(order, touches, windows);
  if (path.length === 0) return [];
  return creditPath(order, path.map((i) => touches[i]), direct, model, options).credits;
}

/**
 * The touches that share an order's credit (steps 1–2 of attributeOrder), oldest first: the order's converting path
 * as the data-driven model learns it. Empty for a cancelled order or one without an eligible touch.
 */
export function countedPath(order: AttributableOrder, touches: readonly Touch[], windows: AttributionWindows): Touch[] {
  return selectPath(order, touches, windows).path.map((i) => touches[i]);
}

/** An order's attribution explained: what attributeOrder decided, touch by touch, under every model. */
export interface OrderExplanation {
  /** verdicts[i] says whether touches[i] counted and, if not, why. */
  verdicts: TouchVerdict[];
  /** The counted touches (indexes into the touches given), oldest first: the path the models weigh. */
  path: number[];
  /** Whether the path is made of direct touches; null when nothing counted. */
  direct: boolean | null;
  /** Per model: each path touch's share of the order (shares[k] for path[k], summing to 1) and the credit rows. */
  byModel: Record<AttributionModel, { shares: number[]; credits: Credit[] }>;
}

/**
 * Explains one order: the same selection and weighing as attributeOrder (one code path), with the reason of every
 * touch left out and each counted touch's share under each model. byModel[m].credits equals attributeOrder(…, m, …).
 */
export function explainOrder(
  order: AttributableOrder,
  touches: readonly Touch[],
  windows: AttributionWindows,
  options: ModelOptions = {},
  models: readonly AttributionModel[] = ATTRIBUTION_MODELS,
): OrderExplanation {
  const verdicts: TouchVerdict[] = [];
  const { path, direct } = selectPath(order, touches, windows, verdicts);
  const byModel = {} as OrderExplanation['byModel'];
  for (const model of models) {
    byModel[model] = path.length === 0 ? { shares: [], credits: [] } : creditPath(order, path.map((i) => touches[i]), direct, model, options);
  }
  return { verdicts, path, direct: path.length ? direct : null, byModel };
}

/** One campaign's attributed figures in one currency. */
export interface CampaignAttribution {
  campaignId: string;
  currency: string;
  /** Orders with a credit row for the campaign (KPIS.md "conversions"). */
  conversions: number;
  /** Sum of the campaign's shares of orders, in millionths (exact); /WEIGHT_SCALE for fractional conversions. */
  weightedConversionsMicro: number;
  revenueMinor: number;
  directRevenueMinor: number;
  influencedRevenueMinor: number;
}

/** Per-campaign totals of credited orders, one row per campaign and currency (currencies are never summed). */
export function sumCredits(entries: readonly { currency: string; credits: readonly Credit[] }[]): CampaignAttribution[] {
  const rows = new Map<string, CampaignAttribution>();
  for (const { currency, credits } of entries) {
    for (const c of credits) {
      const key = JSON.stringify([c.campaignId, currency]);
      let row = rows.get(key);
      if (!row) {
        row = { campaignId: c.campaignId, currency, conversions: 0, weightedConversionsMicro: 0, revenueMinor: 0, directRevenueMinor: 0, influencedRevenueMinor: 0 };
        rows.set(key, row);
      }
      row.conversions += 1;
      row.weightedConversionsMicro += c.weightMicro;
      row.revenueMinor += c.revenueMinor;
      if (c.direct) row.directRevenueMinor += c.revenueMinor;
      else row.influencedRevenueMinor += c.revenueMinor;
    }
  }
  return [...rows.values()].sort((a, b) => compareStrings(a.campaignId, b.campaignId) || compareStrings(a.currency, b.currency));
}

export interface ModelComparisonRow {
  campaignId: string;
  currency: string;
  byModel: Record<AttributionModel, Omit<CampaignAttribution, 'campaignId' | 'currency'>>;
}

/**
 * The "compare models" view: the same orders attributed under each model, per campaign and currency side by side.
 * A campaign credited under one model but not another shows zeros for the other.
 */
export function compareModels(
  orders: readonly { order: AttributableOrder; touches: readonly Touch[] }[],
  windows: AttributionWindows,
  models: readonly AttributionModel[] = ATTRIBUTION_MODELS,
  options: ModelOptions = {},
): ModelComparisonRow[] {
  const rows = new Map<string, ModelComparisonRow>();
  const zero = () => ({ conversions: 0, weightedConversionsMicro: 0, revenueMinor: 0, directRevenueMinor: 0, influencedRevenueMinor: 0 });
  for (const model of models) {
    const totals = sumCredits(orders.map(({ order, touches }) => ({ currency: order.currency, credits: attributeOrder(order, touches, model, windows, options) })));
    for (const { campaignId, currency, ...figures } of totals) {
      const key = JSON.stringify([campaignId, currency]);
      let row = rows.get(key);
      if (!row) {
        row = { campaignId, currency, byModel: Object.fromEntries(models.map((m) => [m, zero()])) as ModelComparisonRow['byModel'] };
        rows.set(key, row);
      }
      row.byModel[model] = figures;
    }
  }
  return [...rows.values()].sort((a, b) => compareStrings(a.campaignId, b.campaignId) || compareStrings(a.currency, b.currency));
}
