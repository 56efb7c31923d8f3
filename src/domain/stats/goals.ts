// Campaign and journey goals: a target on a figure (revenue ≥ 5,000 €, CPA ≤ 8 €) followed over time, and a
// segment goal (a group defined by past orders that should shrink by N as its members buy). Pure: data in, data out.

export type GoalComparator = '>=' | '<=';

export interface TargetGoal {
  /** A figure of KPIS.md, by the service's name for it (e.g. 'revenue', 'conversion_rate', 'cpa'). */
  metric: string;
  comparator: GoalComparator;
  /** In the figure's unit: a fraction for rates, minor units for money. */
  target: number;
}

/** The figure's value at a date, cumulated from the campaign start; null when undefined (e.g. CPA without conversions). */
export interface GoalPoint<D extends string | number = string> {
  date: D;
  value: number | null;
}

export interface TargetGoalPoint<D extends string | number = string> extends GoalPoint<D> {
  achieved: boolean;
  progress: number | null;
}

export interface TargetGoalResult<D extends string | number = string> {
  metric: string;
  comparator: GoalComparator;
  target: number;
  /** The value at the latest date. */
  current: number | null;
  /** Whether the latest value meets the target. */
  achieved: boolean;
  /** Share of the way to the target, in [0, 1]; 1 once achieved. */
  progress: number | null;
  /** The first date the value met the target (it may have fallen back since). */
  firstAchievedDate: D | null;
  /** The series in date order, with progress at each date, for the chart. */
  points: TargetGoalPoint<D>[];
}

function meets(value: number | null, goal: TargetGoal): boolean {
  if (value === null) return false;
  return goal.comparator === '>=' ? value >= goal.target : value <= goal.target;
}

/**
 * Progress towards the target, in [0, 1].
 * - "at least" goals: value / target (revenue 2,500 € of 5,000 € is halfway).
 * - "at most" goals (costs such as CPA): target / value once above target (a CPA of 16 € against 8 € is halfway:
 *   the cost must halve). It needs no starting point, so it reads the same whenever the goal was set.
 * With a target of 0 or less, the ratio means nothing: progress is 1 when met, 0 otherwise.
 */
export function goalProgress(goal: TargetGoal, value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (meets(value, goal)) return 1;
  if (goal.target <= 0 || value <= 0) return 0;
  const share = goal.comparator === '>=' ? value / goal.target : goal.target / value;
  return Math.min(1, Math.max(0, share));
}

export function evaluateTargetGoal<D extends string | number>(
  goal: TargetGoal,
  series: readonly GoalPoint<D>[],
): TargetGoalResult<D> {
  if (goal.comparator !== '>=' && goal.comparator !== '<=') throw new RangeError(`unknown comparator ${String(goal.comparator)}`);
  if (!Number.isFinite(goal.target)) throw new RangeError('target must be a finite number');
  const points = [...series]
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
    .map((p) => ({ date: p.date, value: p.value, achieved: meets(p.value, goal), progress: goalProgress(goal, p.value) }));
  const latest = points.length > 0 ? points[points.length - 1] : null;
  return {
    metric: goal.metric,
    comparator: goal.comparator,
    target: goal.target,
    current: latest?.value ?? null,
    achieved: latest?.achieved ?? false,
    progress: latest ? latest.progress : null,
    firstAchievedDate: points.find((p) => p.achieved)?.date ?? null,
    points,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Segment goals

/** A half-open time range [from, to), epoch milliseconds. */
export interface TimeRange {
  from: number;
  to: number;
}

/**
 * One condition on a contact's orders. Every clause of a definition must hold (AND):
 * - bought: at least `minOrders` (default 1) orders in the range, totalling at least `minSpendMinor` (default 0);
 * - notBought: no order in the range.
 */
export type SegmentClause =
  | { bought: TimeRange; minOrders?: number; minSpendMinor?: number }
  | { notBought: TimeRange };

export interface SegmentDefinition {
  all: SegmentClause[];
}

export interface OrderFact {
  contactId: string;
  /** Epoch milliseconds. */
  orderedAt: number;
  /** Net order amount, minor units. Orders of 0 or less (cancelled, fully refunded) are not purchases. */
  amountMinor: number;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export const MAX_SEGMENT_CLAUSES = 10;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Epoch ms, or an ISO 8601 date-time with an explicit offset (a bare date would depend on an unknown time zone). */
function parseInstant(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v !== 'string') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

function parseRange(v: unknown, where: string): ParseResult<TimeRange> {
  if (!isPlainObject(v)) return { ok: false, error: `${where} must be an object { from, to }` };
  const extra = Object.keys(v).filter((k) => k !== 'from' && k !== 'to');
  if (extra.length > 0) return { ok: false, error: `${where}: unknown field ${extra[0]}` };
  const from = parseInstant(v.from);
  const to = parseInstant(v.to);
  if (from === null || to === null) {
    return { ok: false, error: `${where}: from and to must be epoch milliseconds or ISO date-times with a time zone` };
  }
  if (from >= to) return { ok: false, error: `${where}: from must be before to` };
  return { ok: true, value: { from, to } };
}

/**
 * Validates a segment definition received as JSON. Only the documented fields are accepted (no expressions, no
 * unknown keys), at most MAX_SEGMENT_CLAUSES clauses, so a stored definition can always be evaluated safely.
 */
export function parseSegmentDefinition(input: unknown): ParseResult<SegmentDefinition> {
  if (!isPlainObject(input)) return { ok: false, error: 'a segment definition must be an object { all: [...] }' };
  const extra = Object.keys(input).filter((k) => k !== 'all');
  if (extra.length > 0) return { ok: false, error: `unknown field ${extra[0]}` };
  const clauses = input.all;
  if (!Array.isArray(clauses) || clauses.length === 0) return { ok: false, error: 'all must be a non-empty array' };
  if (clauses.length > MAX_SEGMENT_CLAUSES) return { ok: false, error: `at most ${MAX_SEGMENT_CLAUSES} clauses` };
  const all: SegmentClause[] = [];
  for (const [i, clause] of clauses.entries()) {
    const where = `all[${i}]`;
    if (!isPlainObject(clause)) return { ok: false, error: `${where} must be an object` };
    if ('bought' in clause) {
      const extraKeys = Object.keys(clause).filter((k) => !['bought', 'minOrders', 'minSpendMinor'].includes(k));
      if (extraKeys.length > 0) return { ok: false, error: `${where}: unknown field ${extraKeys[0]}` };
      const range = parseRange(clause.bought, `${where}.bought`);
      if (!range.ok) return range;
      const { minOrders, minSpendMinor } = clause;
      if (minOrders !== undefined && !(Number.isSafeInteger(minOrders) && (minOrders as number) >= 1)) {
        return { ok: false, error: `${where}.minOrders must be an integer ≥ 1` };
      }
      if (minSpendMinor !== undefined && !(Number.isSafeInteger(minSpendMinor) && (minSpendMinor as number) >= 0)) {
        return { ok: false, error: `${where}.minSpendMinor must be an integer ≥ 0 (minor units)` };
      }
      all.push({
        bought: range.value,
        ...(minOrders !== undefined ? { minOrders: minOrders as number } : {}),
        ...(minSpendMinor !== undefined ? { minSpendMinor: minSpendMinor as number } : {}),
      });
    } else if ('notBought' in clause) {
      const extraKeys = Object.keys(clause).filter((k) => k !== 'notBought');
      if (extraKeys.length > 0) return { ok: false, error: `${where}: unknown field ${extraKeys[0]}` };
      const range = parseRange(clause.notBought, `${where}.notBought`);
      if (!range.ok) return range;
      all.push({ notBought: range.value });
    } else {
      return { ok: false, error: `${where} must have bought or notBought` };
    }
  }
  return { ok: true, value: { all } };
}

/** Whether a contact's purchases (already cut to those known at the evaluation time) satisfy every clause. */
function satisfies(definition: SegmentDefinition, purchases: readonly OrderFact[]): boolean {
  return definition.all.every((clause) => {
    if ('notBought' in clause) {
      return !purchases.some((o) => o.orderedAt >= clause.notBought.from && o.orderedAt < clause.notBought.to);
    }
    const inRange = purchases.filter((o) => o.orderedAt >= clause.bought.from && o.orderedAt < clause.bought.to);
    const spend = inRange.reduce((s, o) => s + o.amountMinor, 0);
    return inRange.length >= (clause.minOrders ?? 1) && spend >= (clause.minSpendMinor ?? 0);
  });
}

export interface SegmentGoalInput {
  definition: SegmentDefinition;
  orders: readonly OrderFact[];
  /** The campaign's (or journey's) start, epoch ms: membership is judged on the orders placed before it. */
  campaignStart: number;
  /** Evaluation time, epoch ms: purchases after it are not counted yet. */
  now: number;
  /** How many members should leave the group by buying. */
  target: number;
  /**
   * The contacts the goal is about (for example the campaign's audience). Without it, every contact with an order.
   * Needed for definitions made only of notBought clauses, which contacts without any order also satisfy.
   */
  contacts?: readonly string[];
}

export interface SegmentGoalResult {
  /** Members when the campaign started, sorted. */
  membersAtStart: string[];
  /** Members who bought since the start, with their first purchase since then, earliest first. */
  left: Array<{ contactId: string; leftAt: number }>;
  /** Members at start who have not bought yet. */
  remaining: number;
  /** Members who left by buying: the goal's progress. */
  progress: number;
  target: number;
  /** progress / target, at most 1. */
  progressShare: number;
  achieved: boolean;
  /** When the target-th member left; null until then. */
  achievedAt: number | null;
}

/**
 * A segment goal: the group is fixed at the campaign start (who matched the definition on the orders then known);
 * a member leaves the group by buying (any order with an amount above 0) from the start until `now`. Buying
 * before the start changes who is a member, not the progress.
 */
export function segmentGoal(input: SegmentGoalInput): SegmentGoalResult {
  const { definition, orders, campaignStart, now, target } = input;
  if (!Number.isInteger(target) || target < 1) throw new RangeError('target must be an integer ≥ 1');
  if (!(campaignStart <= now)) throw new RangeError('now must not be before the campaign start');
  const byContact = new Map<string, OrderFact[]>();
  for (const order of orders) {
    if (!(order.amountMinor > 0)) continue;
    const list = byContact.get(order.contactId);
    if (list) list.push(order);
    else byContact.set(order.contactId, [order]);
  }
  const universe = input.contacts ? [...new Set(input.contacts)] : [...byContact.keys()];
  const membersAtStart = universe
    .filter((contactId) => satisfies(definition, (byContact.get(contactId) ?? []).filter((o) => o.orderedAt < campaignStart)))
    .sort();
  const left: SegmentGoalResult['left'] = [];
  for (const contactId of membersAtStart) {
    const since = (byContact.get(contactId) ?? []).filter((o) => o.orderedAt >= campaignStart && o.orderedAt <= now);
    if (since.length > 0) left.push({ contactId, leftAt: since.reduce((m, o) => Math.min(m, o.orderedAt), Number.POSITIVE_INFINITY) });
  }
  left.sort((a, b) => a.leftAt - b.leftAt || (a.contactId < b.contactId ? -1 : 1));
  const progress = left.length;
  return {
    membersAtStart,
    left,
    remaining: membersAtStart.length - progress,
    progress,
    target,
    progressShare: Math.min(1, progress / target),
    achieved: progress >= target,
    achievedAt: progress >= target ? left[target - 1].leftAt : null,
  };
}
