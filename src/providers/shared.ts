// Small pure helpers every provider adapter uses: header lookup, constant-time comparison, the replay window,
// message linking from echoed metadata, opt-out keywords, address and money normalization.

import { createHash, timingSafeEqual } from 'node:crypto';
import { currencyExponent } from '../domain/currencyUnits';
import type { IncomingEvent } from '../domain/types';
import type { ParsedWebhook, ParseResult, RawRequest, VerifyResult } from './types';

/** Deliveries whose signed timestamp is further than this from `now` (either way) are refused. */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

/** Metadata keys senders put in custom args / user variables / callback URLs so events link to Mesure messages. */
export const META_MESSAGE_ID = 'mesure_message_id';
export const META_CAMPAIGN_ID = 'mesure_campaign_id';

export function header(req: RawRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Equal-length buffers compared in constant time; lengths are fixed by the algorithm, so they leak nothing. */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** Compares secrets of any length in constant time by comparing their digests. */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

export function withinReplayWindow(signedAtMs: number, now: number): boolean {
  return Number.isFinite(signedAtMs) && Math.abs(now - signedAtMs) <= REPLAY_WINDOW_MS;
}

export const verified: VerifyResult = { ok: true };
export function missing(reason: string): VerifyResult {
  return { ok: false, status: 401, reason };
}
export function refused(reason: string): VerifyResult {
  return { ok: false, status: 403, reason };
}

export function emptyParsed(): ParsedWebhook {
  return { events: [], optChanges: [], replayKeys: [], skipped: [] };
}
export function parsed(value: ParsedWebhook): ParseResult {
  return { ok: true, value };
}
export function unreadable(reason: string): ParseResult {
  return { ok: false, reason };
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A non-empty string, or a finite number written as a string (providers mix the two for ids and codes). */
export function str(x: unknown): string | undefined {
  if (typeof x === 'string') return x === '' ? undefined : x;
  if (typeof x === 'number' && Number.isFinite(x)) return String(x);
  return undefined;
}

/**
 * Epoch seconds (number or numeric string, fractions allowed) to epoch milliseconds; undefined when absent (the caller
 * then uses the time of receipt), NaN when present but not a time, so the event is dropped with a reason (bounds.ts)
 * rather than dated now.
 */
export function secondsToMs(x: unknown): number | undefined {
  if (x === undefined || x === null || x === '') return undefined;
  const s = typeof x === 'number' ? x : typeof x === 'string' && /^\d+(\.\d+)?$/.test(x) ? Number(x) : NaN;
  return Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : NaN;
}

export function parseJson(req: Pick<RawRequest, 'rawBody' | 'json'>): { ok: true; value: unknown } | { ok: false } {
  if (req.json !== undefined) return { ok: true, value: req.json };
  try {
    return { ok: true, value: JSON.parse(req.rawBody.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/**
 * E.164 from the forms providers use: "+33612345678", WhatsApp's "33612345678", Twilio's "whatsapp:+336…".
 * Short codes and alphanumeric senders are not phone numbers: undefined.
 */
export function toE164(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const bare = raw.replace(/^(whatsapp|sms|mms):/i, '').replace(/[\s().-]/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(bare)) return bare;
  if (/^[1-9]\d{6,14}$/.test(bare)) return `+${bare}`;
  return undefined;
}

export function normalizeEmail(raw: string | undefined): string | undefined {
  const email = raw?.trim().toLowerCase();
  return email && email.includes('@') ? email : undefined;
}

/** Upper-case, without accents or surrounding punctuation: "Arrêt !" and "ARRET" are the same keyword. */
export function keywordOf(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

export interface LinkHints {
  messageId?: string;
  campaignId?: string;
}

/**
 * How an event names its message: the Mesure id the sender echoed, else campaign + recipient, else the provider's
 * own message id. When metadata names the message, the provider id still travels so later events can use it.
 */
export function linkEvent(
  provider: string,
  providerMessageId: string | undefined,
  hints: LinkHints,
  recipient: string | undefined,
): Pick<IncomingEvent, 'ref' | 'provider' | 'providerMessageId'> | undefined {
  const carried = providerMessageId ? { provider, providerMessageId } : {};
  if (hints.messageId) return { ref: { kind: 'id', messageId: hints.messageId }, ...carried };
  if (hints.campaignId && recipient) {
    return { ref: { kind: 'recipient', campaignId: hints.campaignId, recipient }, ...carried };
  }
  if (providerMessageId) return { ref: { kind: 'provider', provider, providerMessageId } };
  return undefined;
}

/** Reads mesure_message_id / mesure_campaign_id from a flat metadata object (custom args, user variables…). */
export function hintsFrom(meta: unknown): LinkHints {
  if (!isRecord(meta)) return {};
  return { messageId: str(meta[META_MESSAGE_ID]), campaignId: str(meta[META_CAMPAIGN_ID]) };
}

/** Digits after the decimal point of a currency's minor unit (currencyExponent); undefined when not a currency code. */
function minorDigits(currency: string): number | undefined {
  return /^[A-Za-z]{3}$/.test(currency) ? currencyExponent(currency) : undefined;
}

/**
 * A decimal string ("-0.0075", "12.3") in integer minor units of `currency`, computed on digits, not floats.
 * Sub-minor amounts (SMS prices are often fractions of a cent) are rounded half away from zero; `exact` says
 * whether that happened so the caller can keep the original string.
 */
export function decimalToMinor(amount: string, currency: string): { minor: number; exact: boolean } | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  const digits = minorDigits(currency);
  if (!m || digits === undefined) return undefined;
  const [, sign, whole, frac = ''] = m;
  const kept = frac.slice(0, digits).padEnd(digits, '0');
  const rest = frac.slice(digits);
  let minor = BigInt(whole + kept);
  if (rest !== '' && rest[0] >= '5') minor += 1n;
  const value = Number(minor);
  if (!Number.isSafeInteger(value)) return undefined;
  return { minor: sign === '-' && value !== 0 ? -value : value, exact: /^0*$/.test(rest) };
}
