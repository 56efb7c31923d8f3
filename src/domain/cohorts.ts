// Retention cohorts (issue #18): contacts grouped by the month of their first message, and what they did in each later
// month. Pure rules over one contact's facts; the store keeps their sum per cohort (cohort_counts) on every write, and
// these functions are the reference the back-fill (2026_12_09_100_retention_cohorts) and the equivalence test check.
import { dayInZone, wasSent, type MessageState } from './message';
import type { Channel } from './types';

/** The cohort figures, per (channel, cohort month): `month` is the activity month, or '' / the gap length in days. */
export const COHORT_METRICS = ['contacts', 'engaged', 'purchased', 'buyers', 'repeat_buyers', 'churned', 'order_gaps'] as const;
export type CohortMetric = (typeof COHORT_METRICS)[number];
export type CohortChannel = Channel | 'all';

/** Gaps between two orders longer than this count as this many days (the histogram stays bounded; medians below it are exact). */
export const MAX_GAP_DAYS = 365;
const DAY_MS = 86_400_000;

/** One contact's messages of one channel whose cohort day falls in `month` (plus engagements made in `month`). */
export interface ContactMonth {
  channel: Channel;
  month: string;
  /** Messages sent (ever: wasSent) with their cohort day in the month. */
  messages: number;
  /** Messages with a first human open, click, reply or scan in the month (one per message and month). */
  engaged: number;
  /** Messages telling the contact cannot be reached on the channel any more (see `unreachable`). */
  unreachable: number;
}

export type MessageCohortFacts = Pick<MessageState, 'sent_at' | 'bounced_at' | 'delivered_at' | 'last_engaged_at' | 'opened_at' | 'clicked_at' |
  'scanned_at' | 'replied_at' | 'unsubscribed_at' | 'complained_at' | 'bounce_type' | 'not_sent_reason' | 'failure_reason'> & { cohort_day: string };

const UNREACHABLE_REASONS = new Set(['opted_out', 'invalid_recipient']);

/** Whether a message says its recipient is out of reach on its channel: unsubscribed, complained, hard bounce, refused or failed as opted out or invalid. */
export function unreachable(m: MessageCohortFacts): boolean {
  return m.unsubscribed_at !== null || m.complained_at !== null || (m.bounced_at !== null && m.bounce_type === 'hard') ||
    (m.not_sent_reason !== null && UNREACHABLE_REASONS.has(m.not_sent_reason)) || (m.failure_reason !== null && UNREACHABLE_REASONS.has(m.failure_reason));
}

/** The months (account's time zone) of a message's first human open, click, reply and scan, each once. */
export function engagedMonths(m: MessageCohortFacts, timeZone: string): string[] {
  const out = new Set<string>();
  for (const t of [m.opened_at, m.clicked_at, m.replied_at, m.scanned_at]) if (t !== null) out.add(monthInZone(Number(t), timeZone));
  return [...out];
}

export function monthInZone(at: number, timeZone: string): string {
  return dayInZone(at, timeZone).slice(0, 7);
}

/** What a message adds to its contact's months: its sent count and reachability on its cohort month, its engagements on theirs. */
export function messageContactMonths(m: MessageCohortFacts, channel: Channel, timeZone: string): ContactMonth[] {
  const own: ContactMonth = { channel, month: m.cohort_day.slice(0, 7), messages: wasSent(m) ? 1 : 0, engaged: 0, unreachable: unreachable(m) ? 1 : 0 };
  const out = [own];
  for (const month of engagedMonths(m, timeZone)) {
    if (month === own.month) own.engaged = 1;
    else out.push({ channel, month, messages: 0, engaged: 1, unreachable: 0 });
  }
  return out;
}

/** The change of a contact's months when a message goes from `before` to `after` (null: absent), zero rows left out. */
export function contactMonthsDelta(before: ContactMonth[] | null, after: ContactMonth[] | null): ContactMonth[] {
  const sum = new Map<string, ContactMonth>();
  const add = (rows: ContactMonth[] | null, sign: number) => {
    for (const r of rows ?? []) {
      const k = `${r.channel}|${r.month}`;
      const s = sum.get(k) ?? { channel: r.channel, month: r.month, messages: 0, engaged: 0, unreachable: 0 };
      s.messages += sign * r.messages;
      s.engaged += sign * r.engaged;
      s.unreachable += sign * r.unreachable;
      sum.set(k, s);
    }
  };
  add(before, -1);
  add(after, 1);
  return [...sum.values()].filter((r) => r.messages !== 0 || r.engaged !== 0 || r.unreachable !== 0);
}

/** One contact's share of cohort_counts: +n on (channel, cohort, month, metric). */
export interface CohortMark {
  channel: CohortChannel;
  cohort: string;
  month: string;
  metric: CohortMetric;
  n: number;
}

export const markKey = (m: Pick<CohortMark, 'channel' | 'cohort' | 'month' | 'metric'>): string => `${m.channel}|${m.cohort}|${m.metric}|${m.month}`;

/**
 * What one contact counts for, per channel it had a message sent on and for 'all' channels together:
 * - `contacts`: its cohort, the month of its first message sent (on that channel), month = the cohort month;
 * - `engaged`: each month from the cohort on with a human open, click, reply or scan of one of its messages (of that channel);
 * - `purchased`: each month from the cohort on with one of its orders (any channel: an order has none);
 * - `buyers` / `repeat_buyers` (month ''): at least one / at least two orders, whenever placed;
 * - `order_gaps`: the days between each two consecutive orders (month = the whole days, at most MAX_GAP_DAYS), n gaps;
 * - `churned` (month ''): out of reach on the channel (one of its messages there says so: `unreachable`); for 'all',
 *   out of reach on every channel it had a message sent on.
 * Orders are the contact's orders not cancelled, by `ordered_at`; an erased contact counts for nothing.
 */
export function cohortMarks(months: ContactMonth[], orderTimes: number[], timeZone: string): CohortMark[] {
  const channels = new Map<CohortChannel, ContactMonth[]>();
  for (const r of months) channels.set(r.channel, [...(channels.get(r.channel) ?? []), r]);
  channels.set('all', months);
  const orders = [...orderTimes].sort((a, b) => a - b);
  const orderMonths = [...new Set(orders.map((t) => monthInZone(t, timeZone)))];
  const gaps = new Map<number, number>();
  for (let i = 1; i < orders.length; i++) {
    const d = Math.min(MAX_GAP_DAYS, Math.floor((orders[i] - orders[i - 1]) / DAY_MS));
    gaps.set(d, (gaps.get(d) ?? 0) + 1);
  }
  const cohortOf = (rows: ContactMonth[]) => rows.filter((r) => r.messages > 0).map((r) => r.month).sort()[0] as string | undefined;
  const reachedOn = [...channels].filter(([c, rows]) => c !== 'all' && cohortOf(rows) !== undefined);
  const out: CohortMark[] = [];
  for (const [channel, rows] of channels) {
    const cohort = cohortOf(rows);
    if (cohort === undefined) continue;
    const mark = (metric: CohortMetric, month: string, n = 1) => out.push({ channel, cohort, month, metric, n });
    mark('contacts', cohort);
    const engaged = new Set<string>();
    for (const r of rows) if (r.engaged > 0 && r.month >= cohort) engaged.add(r.month);
    for (const m of engaged) mark('engaged', m);
    for (const m of orderMonths) if (m >= cohort) mark('purchased', m);
    if (orders.length >= 1) mark('buyers', '');
    if (orders.length >= 2) mark('repeat_buyers', '');
    for (const [d, n] of gaps) mark('order_gaps', String(d), n);
    const out_ = (rs: ContactMonth[]) => rs.some((r) => r.unreachable > 0);
    if (channel === 'all' ? reachedOn.every(([, rs]) => out_(rs)) : out_(rows)) mark('churned', '');
  }
  return out;
}

/** The change of cohort_counts when a contact's marks go from `before` to `after`, by markKey, zeros left out. */
export function marksDelta(before: CohortMark[], after: CohortMark[]): CohortMark[] {
  const sum = new Map<string, CohortMark>();
  for (const [rows, sign] of [[before, -1], [after, 1]] as const) {
    for (const m of rows) {
      const k = markKey(m);
      const s = sum.get(k) ?? { ...m, n: 0 };
      s.n += sign * m.n;
      sum.set(k, s);
    }
  }
  return [...sum.values()].filter((m) => m.n !== 0);
}

/** Whole months from `from` to `to` ('YYYY-MM'). */
export function monthsBetween(from: string, to: string): number {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
}

/** The month `k` months after `month` ('YYYY-MM'; k may be negative). */
export function addMonths(month: string, k: number): string {
  const i = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + k;
  return `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The median of a histogram (value → count): the middle value, or the mean of the two middle ones; null when empty. */
export function histogramMedian(hist: Map<number, number>): number | null {
  const values = [...hist].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = values.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (i: number) => {
    let seen = 0;
    for (const [v, n] of values) {
      seen += n;
      if (i < seen) return v;
    }
    return values[values.length - 1][0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

export interface CohortCountRow {
  cohort: string;
  month: string;
  metric: CohortMetric;
  contacts: number;
}

export interface CohortCell {
  monthsSince: number;
  contacts: number;
  share: number | null;
}

export interface PurchaseFigures {
  buyers: number;
  repeatBuyers: number;
  /** repeat buyers / buyers; null without buyers. */
  repeatPurchaseRate: number | null;
  /** Median of the days between two consecutive orders of a contact; null with no contact of two orders. */
  medianDaysBetweenOrders: number | null;
  churned: number;
  /** churned / contacts; null without contacts. */
  churnRate: number | null;
}

export interface CohortLine extends PurchaseFigures {
  cohort: string;
  contacts: number;
  cells: CohortCell[];
}

export interface RetentionTable {
  cohorts: CohortLine[];
  /** Per months since: contacts active / contacts of the cohorts that have reached that month (weighted average). */
  curve: { monthsSince: number; cohorts: number; contacts: number; active: number; share: number | null }[];
  overall: PurchaseFigures & { contacts: number };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** The triangle, curve and purchase figures of the cohorts `first`..`current` from their counts (`metric`: 'engaged' or 'purchased'). */
export function retentionTable(rows: CohortCountRow[], metric: 'engaged' | 'purchased', first: string, current: string): RetentionTable {
  const n = monthsBetween(first, current) + 1;
  const cohorts = Array.from({ length: Math.max(0, n) }, (_, i) => addMonths(first, i));
  const get = new Map<string, number>();
  const gaps = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (r.metric === 'order_gaps') {
      const h = gaps.get(r.cohort) ?? new Map<number, number>();
      h.set(Number(r.month), (h.get(Number(r.month)) ?? 0) + Number(r.contacts));
      gaps.set(r.cohort, h);
    } else get.set(`${r.cohort}|${r.metric}|${r.month}`, Number(r.contacts));
  }
  const count = (cohort: string, m: CohortMetric, month: string) => get.get(`${cohort}|${m}|${month}`) ?? 0;
  const purchases = (contacts: number, buyers: number, repeatBuyers: number, churned: number, hist: Map<number, number>): PurchaseFigures => ({
    buyers, repeatBuyers, repeatPurchaseRate: ratio(repeatBuyers, buyers), medianDaysBetweenOrders: histogramMedian(hist), churned, churnRate: ratio(churned, contacts),
  });
  const allGaps = new Map<number, number>();
  const total = { contacts: 0, buyers: 0, repeatBuyers: 0, churned: 0 };
  const lines: CohortLine[] = cohorts.map((cohort) => {
    const contacts = count(cohort, 'contacts', cohort);
    const cells: CohortCell[] = [];
    for (let k = 0; k <= monthsBetween(cohort, current); k++) {
      const active = count(cohort, metric, addMonths(cohort, k));
      cells.push({ monthsSince: k, contacts: active, share: ratio(active, contacts) });
    }
    const hist = gaps.get(cohort) ?? new Map<number, number>();
    for (const [d, c] of hist) allGaps.set(d, (allGaps.get(d) ?? 0) + c);
    const [buyers, repeatBuyers, churned] = [count(cohort, 'buyers', ''), count(cohort, 'repeat_buyers', ''), count(cohort, 'churned', '')];
    total.contacts += contacts;
    total.buyers += buyers;
    total.repeatBuyers += repeatBuyers;
    total.churned += churned;
    return { cohort, contacts, cells, ...purchases(contacts, buyers, repeatBuyers, churned, hist) };
  });
  const curve = [];
  for (let k = 0; k < cohorts.length; k++) {
    let contacts = 0;
    let active = 0;
    let reached = 0;
    for (const l of lines) {
      if (l.cells.length <= k) continue;
      reached += 1;
      contacts += l.contacts;
      active += l.cells[k].contacts;
    }
    curve.push({ monthsSince: k, cohorts: reached, contacts, active, share: ratio(active, contacts) });
  }
  return { cohorts: lines, curve, overall: { contacts: total.contacts, ...purchases(total.contacts, total.buyers, total.repeatBuyers, total.churned, allGaps) } };
}
