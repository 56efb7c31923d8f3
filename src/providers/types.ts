// The one shape every provider webhook adapter has: verify the raw request, then parse it into Mesure events.
// Adapters are pure (no I/O, no clock): the route hands them the raw request and `now`.

import type { Channel, IncomingEvent } from '../domain/types';

export const PROVIDER_NAMES = ['whatsapp', 'twilio', 'sendgrid', 'mailgun', 'postmark'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface RawRequest {
  method: string;
  /** Full URL as the provider called it, e.g. https://host/webhooks/twilio/acc_1?x=1 */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  query: Record<string, string>;
  /**
   * The body already parsed by the HTTP layer, which must refuse malformed JSON before any signature check: set for
   * a non-empty application/json body, so that the adapter does not parse it a second time. Read-only.
   */
  json?: unknown;
}

export type VerifyResult = { ok: true } | { ok: false; status: 401 | 403; reason: string };

/** A change to the account's suppression list that the webhook reports. */
export interface OptChange {
  channel: Channel;
  /** E.164 phone number or lower-case email address. */
  address: string;
  optedOut: boolean;
  reason: string;
}

export interface ParsedWebhook {
  events: IncomingEvent[];
  optChanges: OptChange[];
  /** Mailgun tokens etc.: the caller must remember them and refuse a delivery that reuses one. */
  replayKeys: string[];
  /**
   * Items of the delivery that were understood but produce nothing (unknown status, reply that names no message…),
   * one short reason each, so the caller can count its drops instead of losing them silently.
   */
  skipped: string[];
}

export type ParseResult = { ok: true; value: ParsedWebhook } | { ok: false; reason: string };

export interface ProviderAdapter {
  name: ProviderName;
  /** Constant-time comparison over the raw bytes; a signed timestamp older than the replay window is refused. */
  verify(req: RawRequest, secret: string, now: number): VerifyResult;
  /** Never throws: a body it cannot read is `{ ok: false }`. */
  parse(req: RawRequest, now: number): ParseResult;
}
