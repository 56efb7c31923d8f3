// The contact page's rules (issue #18): a person's lifetime figures (orders, revenue, credited revenue, first and last
// engagement, messages per channel) and the order of their timeline across channels, with its cursor. Pure: the
// service loads one contact's rows by index and hands them here.
import type { Channel } from './types';

/** What the figures read of one of the contact's messages. */
export interface ContactMessageFacts {
  channel: Channel;
  sent: boolean;
  /** First human open, click, scan and reply (machine opens and bot clicks never set them). */
  openedAt: number | null;
  clickedAt: number | null;
  scannedAt: number | null;
  repliedAt: number | null;
}

/** A human engagement event (open, click, scan, reply) of one of the contact's messages, as the event log holds it. */
export interface EngagementEvent {
  type: string;
  at: number;
  machine: boolean;
}

export interface ContactOrderFacts {
  /** Revenue on the account's basis, net of refunds, 0 when cancelled (orders.revenue_minor). */
  revenue: number;
  revenueCurrency: string;
  cancelled: boolean;
  orderedAt: number;
}

export interface ContactCreditFacts {
  revenue: number;
  currency: string;
}

export interface ContactLifetime {
  currency: string;
  /** Orders not cancelled, in any currency. */
  orders: number;
  /** Σ revenue of those orders in the account's currency (minor units). */
  revenue: number;
  /** Σ of what campaigns were credited with for them under the account's attribution model, in its currency. */
  creditedRevenue: number;
  /** Orders whose revenue no rate converted to the account's currency: counted in `orders`, summed apart per currency. */
  unconverted: { currency: string; orders: number; revenue: number }[];
  firstOrderAt: number | null;
  lastOrderAt: number | null;
  /** First and last human open, click, scan or reply (KPIS.md: machine opens and bot clicks never count). */
  firstEngagedAt: number | null;
  lastEngagedAt: number | null;
  channels: { channel: Channel; messages: number; sent: number; engaged: number }[];
}

const ENGAGEMENTS = new Set(['opened', 'clicked', 'scanned', 'replied']);
const CHANNEL_ORDER: Channel[] = ['email', 'sms', 'whatsapp', 'mail'];

const engagedAt = (m: ContactMessageFacts): number[] => [m.openedAt, m.clickedAt, m.scannedAt, m.repliedAt].filter((t): t is number => t !== null);

/**
 * A contact's lifetime figures. Engagement reads the messages' first human times and the human engagement events
 * still held (raw events may be gone after the account's retention period; the messages' times stay).
 */
export function contactLifetime(
  currency: string,
  messages: ContactMessageFacts[],
  events: EngagementEvent[],
  orders: ContactOrderFacts[],
  credits: ContactCreditFacts[],
): ContactLifetime {
  const live = orders.filter((o) => !o.cancelled);
  const unconverted = new Map<string, { currency: string; orders: number; revenue: number }>();
  let revenue = 0;
  for (const o of live) {
    if (o.revenueCurrency === currency) revenue += o.revenue;
    else {
      const u = unconverted.get(o.revenueCurrency) ?? { currency: o.revenueCurrency, orders: 0, revenue: 0 };
      u.orders += 1;
      u.revenue += o.revenue;
      unconverted.set(o.revenueCurrency, u);
    }
  }
  const times = [
    ...messages.flatMap(engagedAt),
    ...events.filter((e) => ENGAGEMENTS.has(e.type) && !e.machine).map((e) => e.at),
  ];
  const orderTimes = live.map((o) => o.orderedAt);
  const channels = CHANNEL_ORDER.map((channel) => {
    const of = messages.filter((m) => m.channel === channel);
    return { channel, messages: of.length, sent: of.filter((m) => m.sent).length, engaged: of.filter((m) => engagedAt(m).length > 0).length };
  }).filter((c) => c.messages > 0);
  return {
    currency,
    orders: live.length,
    revenue,
    creditedRevenue: credits.filter((c) => c.currency === currency).reduce((s, c) => s + c.revenue, 0),
    unconverted: [...unconverted.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)),
    firstOrderAt: orderTimes.length ? Math.min(...orderTimes) : null,
    lastOrderAt: orderTimes.length ? Math.max(...orderTimes) : null,
    firstEngagedAt: times.length ? Math.min(...times) : null,
    lastEngagedAt: times.length ? Math.max(...times) : null,
    channels,
  };
}

// ------------------------------------------------------------------------------------------------ the timeline

/**
 * The sources of timeline items. At the same instant the newest-first list shows an order, then the events (clicks,
 * scans, replies, opt-outs), then the message: the reverse of cause and effect. Within a source, the greater id comes
 * first, as the database orders ids (its collation may not be JavaScript's, so the source's order is kept as given).
 */
export const TIMELINE_RANK = { order: 0, event: 1, message: 2 } as const;

/** Where an item sits in the timeline: newest `at` first, then `rank`, then the greater `id` first. */
export interface TimelineKey {
  at: number;
  rank: number;
  id: string;
}

/** Negative when `a` comes before `b` in the newest-first timeline; 0 for two items of one source at one instant. */
function compareTimeline(a: TimelineKey, b: TimelineKey): number {
  return b.at - a.at || a.rank - b.rank;
}

/**
 * What a source must return to fill a page after `cursor`: items with at < cursor.at, or at = cursor.at and a greater
 * rank, or the same rank and a smaller id. Per source (one rank), that is a bound on `at` and maybe on `id`.
 */
export function sourceBound(rank: number, cursor: TimelineKey | null): { before: number; orEqualAt: 'all' | 'none' | { idBelow: string } } | null {
  if (!cursor) return null;
  if (rank > cursor.rank) return { before: cursor.at, orEqualAt: 'all' };
  if (rank < cursor.rank) return { before: cursor.at, orEqualAt: 'none' };
  return { before: cursor.at, orEqualAt: { idBelow: cursor.id } };
}

/**
 * One page of the timeline from the candidates of every source (each source gave at most `limit + 1` items after the
 * cursor, in its own order: newest first, then greater id first): the first `limit` in the timeline's order, and the
 * key of the last one when more remain. The sort is stable, so ties within a source keep the source's order.
 */
export function timelinePage<T extends TimelineKey>(sources: T[][], limit: number): { items: T[]; next: TimelineKey | null } {
  const sorted = sources.flat().sort(compareTimeline);
  const items = sorted.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: sorted.length > limit && last ? { at: last.at, rank: last.rank, id: last.id } : null };
}

export function encodeTimelineCursor(k: TimelineKey): string {
  return Buffer.from(JSON.stringify([k.at, k.rank, k.id])).toString('base64url');
}

/** The key a cursor names, or null when it is not one `encodeTimelineCursor` made. */
export function decodeTimelineCursor(cursor: string): TimelineKey | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (!Array.isArray(v) || v.length !== 3) return null;
    const [at, rank, id] = v as unknown[];
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || typeof id !== 'string' || !Object.values(TIMELINE_RANK).includes(rank as 0)) return null;
    return { at, rank: rank as number, id };
  } catch {
    return null;
  }
}
