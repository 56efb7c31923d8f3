// Budget arithmetic: the account's budget card (KPIS.md "Budget card"), the send gate's reservation decision with
// the automatic stop and resume, the ledger moves it implies, and the 80 % / 100 % budget alerts.
import type { CampaignStatus, FailureReason } from './types';
import { cohortAt, dayInZone, type MessageState } from './message';

// ---------------------------------------------------------------------------------------------------------------
// The budget card
// ---------------------------------------------------------------------------------------------------------------

export type BudgetLight = 'green' | 'amber' | 'red';

/** Light thresholds; see docs/BUDGETS.md for why these values. A light is red/amber when either test holds. */
export interface BudgetThresholds {
  /** Red when remaining ≤ this percentage of the total … (integers, so boundaries compare exactly) */
  redRemainingPercent: number;
  /** … or when the forecast is below this many days. */
  redForecastDays: number;
  amberRemainingPercent: number;
  amberForecastDays: number;
}

export const DEFAULT_BUDGET_THRESHOLDS: BudgetThresholds = {
  redRemainingPercent: 10,
  redForecastDays: 3,
  amberRemainingPercent: 25,
  amberForecastDays: 7,
};

export interface BudgetCardInput {
  /** Budgets of the account's active campaigns, in minor units (campaigns without a budget are left out). */
  campaignBudgetsMinor: number[];
  /** Optional account budget for the month: when set, it caps the total. */
  accountMonthlyBudgetMinor?: number | null;
  /** Committed cost of sent messages (of the same scope as the budgets). */
  usedMinor: number;
  /** Cost of messages reserved by the send gate, not yet committed or released. */
  reservedMinor: number;
  /** Spend (committed cost) of the 7 days before `now`. */
  spendLast7DaysMinor: number;
  now: number;
}

export interface BudgetCard {
  totalMinor: number;
  usedMinor: number;
  reservedMinor: number;
  /** total − used − reserved; negative when a budget was lowered below what is already spent. */
  remainingMinor: number;
  /** Spend of the last 7 days / 7, rounded half up to minor units. */
  dailyAverageMinor: number;
  /** remaining / daily average in days, rounded down to one decimal (never 0 days too late); null when the daily average is 0. */
  forecastDays: number | null;
  /** remaining / total; null when the total is 0. */
  remainingShare: number | null;
  light: BudgetLight;
  asOf: number;
}

/** The account's budget card, exactly as KPIS.md defines it. */
export function budgetCard(input: BudgetCardInput, thresholds: BudgetThresholds = DEFAULT_BUDGET_THRESHOLDS): BudgetCard {
  const campaignsTotal = input.campaignBudgetsMinor.reduce((s, b) => s + b, 0);
  const monthly = input.accountMonthlyBudgetMinor;
  const totalMinor =
    monthly === null || monthly === undefined
      ? campaignsTotal
      : input.campaignBudgetsMinor.length === 0
        ? monthly
        : Math.min(campaignsTotal, monthly);
  const { usedMinor, reservedMinor } = input;
  const remainingMinor = totalMinor - usedMinor - reservedMinor;
  const spend7 = input.spendLast7DaysMinor;
  const dailyAverageMinor = Math.floor((2 * spend7 + 7) / 14); // spend7 / 7 rounded half up, in integers
  // The forecast and the light use the exact average (spend7 / 7), not the rounded one: remaining × 7 / spend7,
  // here in tenths of a day.
  const forecastDays = spend7 > 0 ? Math.floor((Math.max(0, remainingMinor) * 70) / spend7) / 10 : null;
  const remainingShare = totalMinor > 0 ? remainingMinor / totalMinor : null;
  return {
    totalMinor,
    usedMinor,
    reservedMinor,
    remainingMinor,
    dailyAverageMinor,
    forecastDays,
    remainingShare,
    light: budgetLight(totalMinor, remainingMinor, spend7, thresholds),
    asOf: input.now,
  };
}

/**
 * Red when remaining ≤ 10 % of the total or the forecast < 3 days; amber when ≤ 25 % or < 7 days; else green.
 * Compared in integers (remaining × 7 < days × spend7) so a boundary is exact.
 */
export function budgetLight(
  totalMinor: number,
  remainingMinor: number,
  spendLast7DaysMinor: number,
  t: BudgetThresholds = DEFAULT_BUDGET_THRESHOLDS,
): BudgetLight {
  const shareAtMost = (percent: number) => totalMinor > 0 && remainingMinor * 100 <= percent * totalMinor;
  const forecastBelow = (days: number) =>
    spendLast7DaysMinor > 0 && Math.max(0, remainingMinor) * 7 < days * spendLast7DaysMinor;
  // Nothing left (or overspent) is red even when there is no total to compare with.
  if (remainingMinor < 0 || (totalMinor > 0 && remainingMinor === 0)) return 'red';
  if (shareAtMost(t.redRemainingPercent) || forecastBelow(t.redForecastDays)) return 'red';
  if (shareAtMost(t.amberRemainingPercent) || forecastBelow(t.amberForecastDays)) return 'amber';
  return 'green';
}

// ---------------------------------------------------------------------------------------------------------------
// The send gate's decision
// ---------------------------------------------------------------------------------------------------------------

export type ReservationRefusal = Extract<
  FailureReason,
  'budget_exhausted' | 'campaign_stopped' | 'campaign_paused' | 'account_suspended'
>;

export interface ReservationInput {
  /** The campaign's budget in minor units; null means no budget (unlimited). */
  budgetMinor: number | null;
  usedMinor: number;
  reservedMinor: number;
  /** Estimated cost of the message to reserve. */
  costMinor: number;
  campaignStatus: CampaignStatus;
  accountSuspended: boolean;
}

export type ReservationDecision =
  | {
      allowed: true;
      /** True when, after this reservation, nothing is left for another message: stop the campaign now. */
      stopCampaign: boolean;
    }
  | {
      allowed: false;
      reason: ReservationRefusal;
      /** True when the campaign must switch to `stopped` with reason budget exhausted. */
      stopCampaign: boolean;
    };

/** Campaign states in which the gate creates messages; a completed campaign takes no more, like a stopped one. */
const SENDABLE: ReadonlySet<CampaignStatus> = new Set(['draft', 'scheduled', 'sending']);

/**
 * Whether one more message may be reserved. Checks in the order a sender can act on them: the account, then the
 * campaign's state, then its money. Remaining = budget − used − reserved must pay the whole estimated cost.
 */
export function decideReservation(input: ReservationInput): ReservationDecision {
  if (input.accountSuspended) return { allowed: false, reason: 'account_suspended', stopCampaign: false };
  if (input.campaignStatus === 'paused') return { allowed: false, reason: 'campaign_paused', stopCampaign: false };
  if (!SENDABLE.has(input.campaignStatus)) return { allowed: false, reason: 'campaign_stopped', stopCampaign: false };
  if (input.budgetMinor === null) return { allowed: true, stopCampaign: false };
  const remaining = input.budgetMinor - input.usedMinor - input.reservedMinor;
  if (input.costMinor > remaining) return { allowed: false, reason: 'budget_exhausted', stopCampaign: true };
  // Spending the last cent means no priced message can follow: stop now rather than on the next refusal.
  const stopCampaign = input.costMinor > 0 && remaining - input.costMinor === 0;
  return { allowed: true, stopCampaign };
}

export interface ResumeInput {
  campaignStatus: CampaignStatus;
  /** Why the campaign was stopped; only a stop for budget exhaustion resumes by itself. */
  stopReason: string | null;
  budgetMinor: number | null;
  usedMinor: number;
  reservedMinor: number;
  /** Estimated cost of the next message; 1 minor unit when unknown (any money left). */
  nextCostMinor?: number;
}

/** True when a campaign stopped for budget exhaustion can send again (its budget was raised or removed). */
export function shouldResume(input: ResumeInput): boolean {
  if (input.campaignStatus !== 'stopped' || input.stopReason !== 'budget_exhausted') return false;
  if (input.budgetMinor === null) return true;
  const remaining = input.budgetMinor - input.usedMinor - input.reservedMinor;
  return remaining >= Math.max(1, input.nextCostMinor ?? 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Ledger moves: what the gate reserves, and how every change of a message's cost moves the ledger rows.
// ---------------------------------------------------------------------------------------------------------------

export interface LedgerTotals {
  budgetMinor: number | null;
  usedMinor: number;
  reservedMinor: number;
}

/** Reserve a message's cost if the gate allows it (the gate's running totals, recipient by recipient). */
export function ledgerReserve(
  ledger: LedgerTotals,
  costMinor: number,
  context: { campaignStatus: CampaignStatus; accountSuspended: boolean },
): { ledger: LedgerTotals; decision: ReservationDecision } {
  const decision = decideReservation({ ...ledger, costMinor, ...context });
  if (!decision.allowed) return { ledger, decision };
  return { ledger: { ...ledger, reservedMinor: ledger.reservedMinor + costMinor }, decision };
}

/** What the ledger needs of a message: its campaign, its cost and cost state, and what places it in a month. */
export type LedgerMessage = MessageState & { campaign_id: string; cost_minor: number; cost_state: string | null; registered_at: number };

/** A used / reserved pair: a message's share of a ledger row, or a move of one. */
export interface LedgerShare {
  used: number;
  reserved: number;
}

export const MONTH_SCOPE = 'month:';
/** The ledger scope of an account month ('month:YYYY-MM') of a day. */
export const monthScope = (day: string) => `${MONTH_SCOPE}${day.slice(0, 7)}`;

/** The month row of a message: the month of its cohort day, as the daily counts place it. */
export function messageMonth(m: LedgerMessage, timeZone: string): string {
  return monthScope(dayInZone(cohortAt(m, m.registered_at), timeZone));
}

/**
 * What a message holds in its ledger rows: its cost in `reserved` while the gate holds it, in `used` once committed
 * (the provider accepted it; a provider's actual cost replaces the estimate there: money really spent, never a
 * decision of the gate), nothing once released (not sent, or not committed within the TTL: expiry is a release).
 */
export function ledgerShare(m: LedgerMessage | null): LedgerShare {
  if (!m) return { used: 0, reserved: 0 };
  const cost = Number(m.cost_minor);
  return { used: m.cost_state === 'committed' ? cost : 0, reserved: m.cost_state === 'reserved' ? cost : 0 };
}

/**
 * Ledger moves implied by message changes: each message's share leaves its old campaign and month rows and joins its
 * new ones. Commit (reserved → used, at the actual cost when given), release, expiry, a late commit and a provider's
 * re-pricing are all such changes, so a ledger row always equals the sum over its messages.
 */
export function ledgerDeltas(changes: { before: LedgerMessage | null; after: LedgerMessage }[], timeZone: string): Map<string, LedgerShare> {
  const out = new Map<string, LedgerShare>();
  const add = (scope: string, s: LedgerShare, sign: 1 | -1) => {
    if (s.used === 0 && s.reserved === 0) return;
    const d = out.get(scope) ?? { used: 0, reserved: 0 };
    d.used += sign * s.used;
    d.reserved += sign * s.reserved;
    out.set(scope, d);
  };
  for (const { before, after } of changes) {
    if (before) {
      add(before.campaign_id, ledgerShare(before), -1);
      add(messageMonth(before, timeZone), ledgerShare(before), -1);
    }
    add(after.campaign_id, ledgerShare(after), 1);
    add(messageMonth(after, timeZone), ledgerShare(after), 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Budget alerts
// ---------------------------------------------------------------------------------------------------------------

export const BUDGET_ALERT_LEVELS = [80, 100] as const;
export type BudgetAlertLevel = (typeof BUDGET_ALERT_LEVELS)[number];

/**
 * The alert levels crossed when the used share (used / budget) goes from `prev` to `next`: a level is crossed
 * when prev < level ≤ next. Null shares (no budget) cross nothing; a lower share (raised budget) crosses nothing.
 */
export function budgetAlertsCrossed(prevUsedShare: number | null, newUsedShare: number | null): BudgetAlertLevel[] {
  if (newUsedShare === null) return [];
  const prev = prevUsedShare ?? 0;
  return BUDGET_ALERT_LEVELS.filter((level) => prev < level / 100 && newUsedShare >= level / 100);
}

/** used / budget, null without a (positive) budget. */
export function usedShare(usedMinor: number, budgetMinor: number | null): number | null {
  return budgetMinor !== null && budgetMinor > 0 ? usedMinor / budgetMinor : null;
}
