// Erasing a person (issue #17): the anonymous key their rows keep, which suppression entries keep them off every
// channel, and what of an event's stored data may stay once the person it concerned is erased.
import { createHmac } from 'node:crypto';
import type { Channel } from './types';

/** Recipients and suppression addresses of an erased person start with this; nothing else does. */
export const ERASED_PREFIX = 'erased:';

/**
 * The anonymous key of one identifier (a recipient as messages store it: e-mail, E.164 phone, address key, or
 * `ext:<external id>`): HMAC-SHA256 under the account's pepper, base64url. One-way for whoever lacks the pepper (a
 * dictionary of e-mail addresses does not reverse it, as it would a plain SHA-256), the same for the same identifier
 * (so a later registration meets it on the suppression list and on the campaign's unique recipient key), and
 * different between accounts (each has its own pepper).
 */
export function erasedKey(pepper: Buffer, identifier: string): string {
  return ERASED_PREFIX + createHmac('sha256', pepper).update(identifier, 'utf8').digest('base64url');
}

export const isErased = (recipient: string): boolean => recipient.startsWith(ERASED_PREFIX);

/** The identifiers of one person, normalised as messages and suppressions store them. */
export interface PersonKeys {
  emails: string[];
  phones: string[];
  addressKeys: string[];
  externalIds: string[];
}

/**
 * The suppression entries (channel, identifier to hash) that keep an erased person off every channel their
 * identifiers reach: an e-mail on email, a phone on sms and whatsapp, an address on mail, an external id on all four
 * (the send gate checks `ext:<id>` whenever a recipient comes with one).
 */
export function erasedSuppressions(keys: PersonKeys): { channel: Channel; identifier: string }[] {
  const out: { channel: Channel; identifier: string }[] = [];
  for (const e of keys.emails) out.push({ channel: 'email', identifier: e });
  for (const p of keys.phones) out.push({ channel: 'sms', identifier: p }, { channel: 'whatsapp', identifier: p });
  for (const a of keys.addressKeys) out.push({ channel: 'mail', identifier: a });
  for (const x of keys.externalIds) {
    for (const channel of ['email', 'sms', 'whatsapp', 'mail'] as const) out.push({ channel, identifier: `ext:${x}` });
  }
  return out;
}

/**
 * Fields of an event's stored data that say nothing about the person, kept after erasure: costing and provider
 * bookkeeping that figures and re-pricing read. Everything else goes: reply text, the provider's failure text (which
 * often quotes the address), and free-form metadata (user agent, IP address, sender number), except `pricing`
 * (WhatsApp billing) and the tracking token.
 */
const KEPT_FIELDS = ['bounceType', 'failureReason', 'failureCode', 'pricingCategory', 'segments', 'costMinor', 'costCurrency', 'providerEventId'] as const;
const KEPT_META = ['pricing', 'token'] as const;

/** An event's `data` column once its person is erased (null when nothing is left). */
export function erasedEventData(data: string | null): string | null {
  if (data === null) return null;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const k of KEPT_FIELDS) if (parsed[k] !== undefined) out[k] = parsed[k];
  const meta = parsed.meta;
  if (meta && typeof meta === 'object' && !Array.isArray(meta)) {
    const kept: Record<string, unknown> = {};
    for (const k of KEPT_META) if ((meta as Record<string, unknown>)[k] !== undefined) kept[k] = (meta as Record<string, unknown>)[k];
    if (Object.keys(kept).length) out.meta = kept;
  }
  return Object.keys(out).length ? JSON.stringify(out) : null;
}
