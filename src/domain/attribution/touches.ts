// Touches (what a recipient did with a campaign's message before buying), which of them are direct or only
// influence, and the windows during which a touch may still earn an order.

import { cohortAt, type SendFacts } from '../message';
import type { Order } from '../orders';
import type { Channel } from '../types';

export const TOUCH_KINDS = ['click', 'scan', 'utm', 'code', 'open', 'read', 'delivery', 'sent'] as const;
export type TouchKind = (typeof TOUCH_KINDS)[number];

/**
 * Direct: the buyer acted on the message (a human click on a tracked link, a QR scan, a landing URL whose UTM or
 * Mesure click id names the campaign, a discount code assigned to the campaign). Influence: the message reached
 * them (a human open or WhatsApp read, a delivery, a letter sent). Machine opens and bot clicks never become touches.
 */
export const DIRECT_KINDS: readonly TouchKind[] = ['click', 'scan', 'utm', 'code'];
export const isDirect = (kind: TouchKind): boolean => DIRECT_KINDS.includes(kind);

export interface Touch {
  campaignId: string;
  /** Null when only the campaign is known (a UTM or a shared discount code, not a personal link). */
  messageId: string | null;
  channel: Channel;
  kind: TouchKind;
  /** Epoch ms. */
  at: number;
  /**
   * A machine open or bot click, as ingestion flagged it: never counts. The credit path never reads them; an order's
   * explanation does, to show them with their reason (`flagReason`).
   */
  machine?: boolean;
  flagReason?: string | null;
}

/** Window kinds an account sets; 'utm' and 'code' touches use their channel's click (or scan) window. */
export const WINDOW_KINDS = ['click', 'scan', 'open', 'read', 'delivery', 'sent'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];
/** Milliseconds after a touch during which it may earn an order, per channel and kind. A missing kind never counts. */
export type AttributionWindows = Record<Channel, Partial<Record<WindowKind, number>>>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_WINDOWS: AttributionWindows = {
  email: { click: 5 * DAY, open: 5 * DAY },
  sms: { click: 5 * DAY, delivery: 12 * HOUR },
  whatsapp: { click: 5 * DAY, read: 12 * HOUR },
  mail: { scan: 30 * DAY, sent: 30 * DAY },
};

/** The account's windows: the defaults with its per-channel overrides (null removes a window). */
export function accountWindows(overrides: Partial<Record<Channel, Partial<Record<WindowKind, number | null>>>> = {}): AttributionWindows {
  const out = structuredClone(DEFAULT_WINDOWS);
  for (const [channel, kinds] of Object.entries(overrides) as [Channel, Partial<Record<WindowKind, number | null>>][]) {
    for (const [kind, ms] of Object.entries(kinds ?? {}) as [WindowKind, number | null][]) {
      if (ms === null) delete out[channel][kind];
      else out[channel][kind] = ms;
    }
  }
  return out;
}

/**
 * Which window kinds a touch kind looks up, in order. A WhatsApp "read" is an open and an email "open" a read; a
 * click on a letter's personal URL is a scan and a scan a click; UTM and code touches are direct like clicks.
 */
const WINDOW_LOOKUP: Record<TouchKind, readonly WindowKind[]> = {
  click: ['click', 'scan'],
  scan: ['scan', 'click'],
  utm: ['click', 'scan'],
  code: ['click', 'scan'],
  open: ['open', 'read'],
  read: ['read', 'open'],
  delivery: ['delivery'],
  sent: ['sent'],
};

export function windowFor(windows: AttributionWindows, channel: Channel, kind: TouchKind): number | null {
  const byKind = windows[channel] ?? {};
  for (const k of WINDOW_LOOKUP[kind]) {
    const ms = byKind[k];
    if (ms !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  return null;
}

/**
 * A touch counts for an order placed at `orderAt` when it happened before (or at) the order and no longer ago
 * than its window: `touch.at <= orderAt && orderAt - touch.at <= window`. The edge is inclusive: a click exactly
 * 5 days before still counts, one millisecond more does not.
 */
export function isEligible(touch: Touch, orderAt: number, windows: AttributionWindows): boolean {
  const window = windowFor(windows, touch.channel, touch.kind);
  return window !== null && touch.at <= orderAt && orderAt - touch.at <= window;
}

/**
 * When a message starts to count for orders: when it was sent. That is its first `sent` event (without one, the first
 * sign that it went out: a delivery, bounce or engagement, as cohortAt reads it), the campaign's `sendAt`, or the
 * message's `registeredAt`, whichever is known and earliest. A message registered today for last year's send (a
 * back-fill without `registeredAt`, whose registration time is the moment its row was written) counts from last
 * year's send.
 */
export function messageSentAt(message: SendFacts, registeredAt: number, campaignSendAt: number | null): number {
  return Math.min(cohortAt(message, registeredAt), registeredAt, campaignSendAt ?? Infinity);
}

/** A signal the service matched to a campaign (and, for a click id or a personal code, to a message). */
export interface ResolvedSignal {
  via: 'utm' | 'code';
  campaignId: string;
  messageId: string | null;
  channel: Channel;
  /** When it happened; defaults to the order's time (the landing and the code are seen at checkout). */
  at?: number;
}

/**
 * The touches an order's own signals give. A touch is never later than the order: a landing click id proves the click
 * came before the checkout, so a click time after the order is clock skew and counts as the order's time.
 */
export function touchesFromSignals(order: Pick<Order, 'at'>, resolved: readonly ResolvedSignal[]): Touch[] {
  return resolved.map((s) => ({ campaignId: s.campaignId, messageId: s.messageId, channel: s.channel, kind: s.via, at: Math.min(s.at ?? order.at, order.at) }));
}
