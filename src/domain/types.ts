// The vocabulary shared by every layer: channels, event types, reasons. Words match ../shared/KPIS.md.

export const CHANNELS = ['whatsapp', 'sms', 'email', 'mail'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'completed', 'stopped'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const EVENT_TYPES = [
  'queued',
  'sent',
  'delivered',
  'failed',
  'bounced',
  'opened',
  'clicked',
  'replied',
  'lead',
  'unsubscribed',
  'complained',
  'scanned',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type BounceType = 'soft' | 'hard';

/**
 * Why a message was not sent, or why a sent message finally failed. The first group is KPIS.md's
 * "not sent" list; the rest are finer provider reasons that the campaign page shows as they are.
 */
export const FAILURE_REASONS = [
  'invalid_recipient', // bad number / address / email, not on WhatsApp (131026), Twilio 30005/30006
  'opted_out', // suppression list, STOP, WhatsApp 131050, Twilio 21610
  'duplicate', // same recipient twice in a campaign
  'budget_exhausted',
  'campaign_stopped',
  'campaign_paused',
  'account_suspended',
  'provider_rejected',
  'limited_by_provider', // WhatsApp 131049 / 131048 (per-user marketing limit, spam rate limit)
  'rate_limited', // WhatsApp 130429 / 131056
  'outside_window', // WhatsApp 131047 (24-hour window)
  'unreachable', // Twilio 30003
  'blocked', // Twilio 30004
  'spam_filtered', // Twilio 30007
  'provider_error', // any other provider code (kept in failure_code)
  'other',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** How an event names its message. Exactly one of the three forms. */
export type MessageRef =
  | { kind: 'id'; messageId: string }
  | { kind: 'provider'; provider: string; providerMessageId: string }
  | { kind: 'recipient'; campaignId: string; recipient: string };

/**
 * One normalized event, as every source (API, CSV, provider adapters, tracking) produces it.
 * `at` is epoch milliseconds.
 */
export interface IncomingEvent {
  type: EventType;
  at: number;
  ref: MessageRef;
  providerEventId?: string;
  /**
   * The provider's id of the message, when the event names the message some other way (Mesure id or campaign +
   * recipient from echoed metadata): recorded on the message so later events can link by it.
   */
  provider?: string;
  providerMessageId?: string;
  bounceType?: BounceType;
  url?: string;
  /** Machine open (Apple MPP, image proxy, provider flag) or bot click: stored, kept out of human figures. */
  machine?: boolean;
  /** Why it was flagged (e.g. "apple_mpp", "isbot:Slackbot", "provider_flag"). */
  flagReason?: string;
  failureReason?: FailureReason;
  failureCode?: string;
  failureMessage?: string;
  /** Reply text (for STOP detection) or lead details. */
  text?: string;
  /** Provider-reported cost facts, kept on the message for the cost model. */
  pricingCategory?: string;
  segments?: number;
  costMinor?: number;
  costCurrency?: string;
  /** Free-form provider metadata kept with the event (e.g. recipient_id, pricing). */
  meta?: Record<string, unknown>;
}
