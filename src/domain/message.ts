// The message status state machine. A message's state is a set of "first seen" times, "last seen" times and
// counters; applying an event only takes minima, maxima and sums, so the final state is the same whatever
// order the events arrive in. The displayed status is derived from that state, never stored on its own.
import type { Channel, FailureReason, IncomingEvent } from './types';

export interface MessageState {
  status: MessageStatus;
  not_sent_reason: string | null;
  failure_reason: string | null;
  failure_code: string | null;
  failure_message: string | null;
  bounce_type: string | null;
  queued_at: number | null;
  sent_at: number | null;
  delivered_at: number | null;
  failed_at: number | null;
  bounced_at: number | null;
  opened_at: number | null;
  clicked_at: number | null;
  replied_at: number | null;
  lead_at: number | null;
  unsubscribed_at: number | null;
  complained_at: number | null;
  scanned_at: number | null;
  last_engaged_at: number | null;
  opens: number;
  machine_opens: number;
  clicks: number;
  bot_clicks: number;
  scans: number;
  replies: number;
  pricing_category: string | null;
  segments: number | null;
}

export const MESSAGE_STATUSES = [
  'pending', // registered, no outcome yet
  'not_sent', // refused before sending, or rejected by the provider
  'queued',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'undelivered', // sent, then finally failed
  'bounced', // email bounce (a kind of undelivered)
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export function emptyState(notSentReason: string | null = null): MessageState {
  const s: MessageState = {
    status: 'pending',
    not_sent_reason: notSentReason,
    failure_reason: null,
    failure_code: null,
    failure_message: null,
    bounce_type: null,
    queued_at: null,
    sent_at: null,
    delivered_at: null,
    failed_at: null,
    bounced_at: null,
    opened_at: null,
    clicked_at: null,
    replied_at: null,
    lead_at: null,
    unsubscribed_at: null,
    complained_at: null,
    scanned_at: null,
    last_engaged_at: null,
    opens: 0,
    machine_opens: 0,
    clicks: 0,
    bot_clicks: 0,
    scans: 0,
    replies: 0,
    pricing_category: null,
    segments: null,
  };
  s.status = deriveStatus(s);
  return s;
}

const min = (a: number | null, b: number) => (a === null || b < a ? b : a);
const max = (a: number | null, b: number) => (a === null || b > a ? b : a);

/** Returns a new state with the event applied. Pure; commutative over events (see message.test.ts). */
export function applyEvent<S extends MessageState>(state: S, e: IncomingEvent): S {
  const s = { ...state };
  const at = e.at;
  switch (e.type) {
    case 'queued':
      s.queued_at = min(s.queued_at, at);
      break;
    case 'sent':
      s.sent_at = min(s.sent_at, at);
      break;
    case 'delivered':
      s.delivered_at = min(s.delivered_at, at);
      break;
    case 'failed':
    case 'bounced': {
      // The latest failure is the one that describes the outcome; ties broken by content so that the
      // result never depends on arrival order.
      const latest = Math.max(s.failed_at ?? -Infinity, s.bounced_at ?? -Infinity);
      const incomingKey = failureKey(e);
      const currentKey = [s.bounce_type ?? '', s.failure_reason ?? '', s.failure_code ?? '', s.failure_message ?? ''].join('\u0000');
      const wins = at > latest || (at === latest && incomingKey > currentKey);
      if (e.type === 'bounced') s.bounced_at = max(s.bounced_at, at);
      else s.failed_at = max(s.failed_at, at);
      if (wins) {
        s.bounce_type = e.type === 'bounced' ? (e.bounceType ?? 'soft') : null;
        s.failure_reason = e.failureReason ?? (e.type === 'bounced' ? null : 'provider_error');
        s.failure_code = e.failureCode ?? null;
        s.failure_message = e.failureMessage ?? null;
      }
      break;
    }
    case 'opened':
      if (e.machine) s.machine_opens += 1;
      else {
        s.opens += 1;
        s.opened_at = min(s.opened_at, at);
      }
      s.last_engaged_at = max(s.last_engaged_at, at);
      break;
    case 'clicked':
      if (e.machine) s.bot_clicks += 1;
      else {
        s.clicks += 1;
        s.clicked_at = min(s.clicked_at, at);
      }
      s.last_engaged_at = max(s.last_engaged_at, at);
      break;
    case 'scanned':
      if (e.machine) s.bot_clicks += 1;
      else {
        s.scans += 1;
        s.scanned_at = min(s.scanned_at, at);
      }
      s.last_engaged_at = max(s.last_engaged_at, at);
      break;
    case 'replied':
      s.replies += 1;
      s.replied_at = min(s.replied_at, at);
      s.last_engaged_at = max(s.last_engaged_at, at);
      break;
    case 'lead':
      s.lead_at = min(s.lead_at, at);
      break;
    case 'unsubscribed':
      s.unsubscribed_at = min(s.unsubscribed_at, at);
      break;
    case 'complained':
      s.complained_at = min(s.complained_at, at);
      break;
  }
  if (e.pricingCategory) s.pricing_category = maxString(s.pricing_category, e.pricingCategory);
  if (e.segments !== undefined) s.segments = Math.max(s.segments ?? 0, e.segments);
  s.status = deriveStatus(s);
  return s;
}

function failureKey(e: IncomingEvent): string {
  return [e.type === 'bounced' ? (e.bounceType ?? 'soft') : '', e.failureReason ?? '', e.failureCode ?? '', e.failureMessage ?? ''].join('\u0000');
}
function maxString(a: string | null, b: string): string {
  return a === null || b > a ? b : a;
}

/** The times that tell whether and when a message went out (what wasSent and cohortAt read). */
export type SendFacts = Pick<MessageState, 'sent_at' | 'delivered_at' | 'bounced_at' | 'opened_at' | 'clicked_at' | 'replied_at' | 'scanned_at' | 'last_engaged_at'>;

/** The latest evidence that the message reached its recipient (a delivery or any engagement). */
function deliveryEvidenceAt(s: SendFacts): number | null {
  // Without an array per call: this runs for every message the ingestion applies and every line of an export.
  const [delivered, engaged] = [s.delivered_at, s.last_engaged_at];
  return delivered === null ? engaged : engaged === null ? delivered : Math.max(delivered, engaged);
}

export function wasSent(s: SendFacts): boolean {
  return s.sent_at !== null || s.bounced_at !== null || deliveryEvidenceAt(s) !== null;
}

/**
 * When a person first showed the message reached them: a human read/open, click, scan or reply. Machine opens
 * and bot clicks never set these times.
 */
function humanEngagedAt(s: MessageState): number | null {
  const times = [s.opened_at, s.clicked_at, s.scanned_at, s.replied_at].filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : null;
}

/**
 * Whether the provider's last word on a sent message is a failure (or bounce): one no earlier than the latest
 * delivery evidence. A delivered SMS later reported undelivered ends failed; a delivery after a soft bounce does not.
 */
function endsInFailure(s: MessageState): boolean {
  if (!wasSent(s)) return false;
  const failure = Math.max(s.failed_at ?? -Infinity, s.bounced_at ?? -Infinity);
  if (failure === -Infinity) return false;
  const evidence = deliveryEvidenceAt(s);
  return evidence === null || failure >= evidence;
}

/**
 * Sent messages that finally failed (undelivered): the provider's last word is a failure and no person engaged
 * with the message. A human read/open/click/reply implies delivery even when a failure or bounce arrives later
 * (KPIS.md): such a message counts as delivered, and its bounce still counts in bounces (see messageCounts).
 */
export function finallyFailed(s: MessageState): boolean {
  return endsInFailure(s) && humanEngagedAt(s) === null;
}

/** The provider's last word on a sent message is a bounce: counted in bounces, even after an engagement. */
function endsInBounce(s: MessageState): boolean {
  return endsInFailure(s) && s.bounced_at !== null && s.bounced_at >= (s.failed_at ?? -Infinity);
}

export function deriveStatus(s: MessageState): MessageStatus {
  if (!wasSent(s)) {
    if (s.failed_at !== null || s.not_sent_reason !== null) return 'not_sent';
    return s.queued_at !== null ? 'queued' : 'pending';
  }
  if (finallyFailed(s)) return endsInBounce(s) ? 'bounced' : 'undelivered';
  if (s.clicked_at !== null || s.scanned_at !== null) return 'clicked';
  if (s.opened_at !== null || s.replied_at !== null) return 'opened';
  if (deliveryEvidenceAt(s) !== null) return 'delivered';
  return 'sent';
}

/** Why a message was not sent, as "not sent, by reason" groups it; null when it was sent. */
export function notSentReason(s: SendFacts & Pick<MessageState, 'not_sent_reason' | 'failed_at' | 'failure_reason'>): FailureReason | 'pending' | null {
  if (wasSent(s)) return null;
  if (s.not_sent_reason) return s.not_sent_reason as FailureReason;
  if (s.failed_at !== null) return (s.failure_reason as FailureReason | null) ?? 'provider_rejected';
  return 'pending';
}

/** The per-message contributions to a campaign day's counts (see KPIS.md for each definition). */
export interface MessageCounts {
  audience: number;
  sent: number;
  delivered: number;
  undelivered: number;
  bounced_soft: number;
  bounced_hard: number;
  opened: number;
  total_opens: number;
  machine_opens: number;
  clicked: number;
  total_clicks: number;
  bot_clicks: number;
  replied: number;
  leads: number;
  unsubscribed: number;
  complained: number;
  scanners: number;
  total_scans: number;
  spend_minor: number;
}
export const COUNT_FIELDS = [
  'audience', 'sent', 'delivered', 'undelivered', 'bounced_soft', 'bounced_hard', 'opened', 'total_opens',
  'machine_opens', 'clicked', 'total_clicks', 'bot_clicks', 'replied', 'leads', 'unsubscribed', 'complained',
  'scanners', 'total_scans', 'spend_minor',
] as const satisfies readonly (keyof MessageCounts)[];

export function zeroCounts(): MessageCounts {
  return Object.fromEntries(COUNT_FIELDS.map((f) => [f, 0])) as unknown as MessageCounts;
}

export function messageCounts(
  s: MessageState & { cost_minor?: number; cost_state?: string },
  channel: Channel,
): MessageCounts {
  const sent = wasSent(s);
  const failed = sent && finallyFailed(s);
  // Letters give no delivery signal: a letter sent counts as delivered (KPIS.md).
  const delivered = sent && !failed && (channel === 'mail' || deliveryEvidenceAt(s) !== null);
  const bounce = endsInBounce(s);
  return {
    audience: 1,
    sent: sent ? 1 : 0,
    delivered: delivered ? 1 : 0,
    undelivered: failed ? 1 : 0,
    bounced_soft: bounce && s.bounce_type !== 'hard' ? 1 : 0,
    bounced_hard: bounce && s.bounce_type === 'hard' ? 1 : 0,
    opened: delivered && s.opens > 0 ? 1 : 0,
    total_opens: s.opens,
    machine_opens: s.machine_opens,
    clicked: s.clicks > 0 ? 1 : 0,
    total_clicks: s.clicks,
    bot_clicks: s.bot_clicks,
    replied: s.replies > 0 ? 1 : 0,
    leads: s.replies > 0 || s.lead_at !== null ? 1 : 0,
    // An opt-out that reaches a message never sent updates the contact (ingest) but counts in no campaign.
    unsubscribed: sent && s.unsubscribed_at !== null ? 1 : 0,
    complained: s.complained_at !== null ? 1 : 0,
    scanners: s.scans > 0 ? 1 : 0,
    total_scans: s.scans,
    spend_minor: s.cost_state === 'committed' ? (s.cost_minor ?? 0) : 0,
  };
}

/**
 * What a message adds to its variant's row in the A/B report (campaign_variant_counts): its counts, and whether it was
 * clicked once delivered (the click-rate test compares clicks among delivered messages, not all clicks).
 */
export interface VariantCounts extends MessageCounts {
  delivered_clicked: number;
}
export const VARIANT_FIELDS = [...COUNT_FIELDS, 'delivered_clicked'] as const satisfies readonly (keyof VariantCounts)[];

export function variantCounts(s: Parameters<typeof messageCounts>[0], channel: Channel): VariantCounts {
  const c = messageCounts(s, channel) as VariantCounts;
  c.delivered_clicked = c.delivered && c.clicked ? 1 : 0;
  return c;
}

/** new − old over the variant fields (a message never changes variant, so one key takes the whole delta). */
export function variantDelta(before: VariantCounts | null, after: VariantCounts | null): VariantCounts {
  const d = {} as VariantCounts;
  for (const f of VARIANT_FIELDS) d[f] = (after?.[f] ?? 0) - (before?.[f] ?? 0);
  return d;
}

/** new − old, field by field: what a state change adds to its campaign day. */
export function countsDelta(before: MessageCounts | null, after: MessageCounts | null): MessageCounts {
  const d = zeroCounts();
  for (const f of COUNT_FIELDS) d[f] = (after?.[f] ?? 0) - (before?.[f] ?? 0);
  return d;
}

export function isZero(c: MessageCounts): boolean {
  return COUNT_FIELDS.every((f) => c[f] === 0);
}

export function addCounts(into: MessageCounts, c: MessageCounts): void {
  for (const f of COUNT_FIELDS) into[f] += c[f];
}

/**
 * The day (YYYY-MM-DD) of an instant in a time zone. This runs per message, and Intl formatting costs
 * microseconds, so days are also cached per 15-minute slot of UTC time: a slot is cached only when its first
 * and last millisecond fall on the same day (true of every slot but those where midnight or a transition
 * falls inside: those are formatted every time), so the cache never changes an answer.
 */
const SLOT_MS = 15 * 60_000;
const zones = new Map<string, { format: Intl.DateTimeFormat; slots: Map<number, string> }>();
export function dayInZone(at: number, timeZone: string): string {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), slots: new Map() };
    zones.set(timeZone, zone);
  }
  const slot = Math.floor(at / SLOT_MS);
  const cached = zone.slots.get(slot);
  if (cached !== undefined) return cached;
  const day = zone.format.format(at);
  if (day === zone.format.format(slot * SLOT_MS) && day === zone.format.format(slot * SLOT_MS + SLOT_MS - 1)) {
    if (zone.slots.size >= 100_000) zone.slots.clear();
    zone.slots.set(slot, day);
  }
  return day;
}

/**
 * The day a campaign was sent, on which its never-sent (refused) messages are counted, so that a back-fill does not
 * put them on the import day: the day, in the account's time zone, of the campaign's send_at when set, else its
 * earliest sent message's cohort day, else null (each never-sent message then counts on its registration day).
 */
export function campaignSendDay(sendAt: number | null, earliestSentDay: string | null, timeZone: string): string | null {
  return sendAt !== null ? dayInZone(sendAt, timeZone) : earliestSentDay;
}

/**
 * The cohort day of a message, which period figures group it by: the day it was sent; a message never sent takes
 * its campaign's send day (campaignSendDay), else its registration day.
 */
export function cohortDay(s: MessageState, registeredAt: number, timeZone: string, sendDay: string | null): string {
  return wasSent(s) ? dayInZone(cohortAt(s, registeredAt), timeZone) : (sendDay ?? dayInZone(registeredAt, timeZone));
}

/** The cohort time of a sent message: when it was sent (or first showed a sign of it); its registration if it never was. */
export function cohortAt(s: SendFacts, registeredAt: number): number {
  return s.sent_at ?? (wasSent(s) ? Math.min(...[s.delivered_at, s.bounced_at, s.opened_at, s.clicked_at, s.replied_at, s.scanned_at, s.last_engaged_at].filter((t): t is number => t !== null)) : registeredAt);
}
