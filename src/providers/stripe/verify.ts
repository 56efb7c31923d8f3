// Verifies Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.rawBody">`,
// several v1 accepted (secret rolling), compared in constant time, refused outside the tolerance window.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type StripeVerifyFailure =
  | 'missing_secret'
  | 'missing_header'
  | 'malformed_header'
  | 'no_v1_signature'
  | 'signature_mismatch'
  | 'timestamp_out_of_tolerance';

export type StripeVerifyResult = { ok: true; timestamp: number } | { ok: false; reason: StripeVerifyFailure };

/** Timestamp and v1 signatures of a `t=…,v1=…` header; null when it has no valid timestamp. */
export function parseSignatureHeader(header: string): { timestamp: number; v1: string[] } | null {
  let timestamp: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1') v1.push(value);
    // v0 (Stripe's test scheme) and unknown schemes are ignored, as Stripe's libraries do.
  }
  return timestamp === null ? null : { timestamp, v1 };
}

/** Hex HMAC-SHA256 of `${timestamp}.${rawBody}` over the body's exact bytes. */
export function computeSignature(rawBody: Buffer, timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex');
}

function sameHex(expectedHex: string, candidate: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(candidate)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(candidate, 'hex'));
}

/**
 * Checks a Stripe webhook. `now` is epoch milliseconds; the header's timestamp is in seconds and must lie within
 * `toleranceSec` of now, in the past (replay) or the future (clock skew).
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | undefined | null,
  secret: string,
  now: number,
  toleranceSec = 300,
): StripeVerifyResult {
  if (!secret) return { ok: false, reason: 'missing_secret' };
  if (!header) return { ok: false, reason: 'missing_header' };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed_header' };
  if (parsed.v1.length === 0) return { ok: false, reason: 'no_v1_signature' };
  const expected = computeSignature(rawBody, parsed.timestamp, secret);
  // Every candidate is compared (no early exit), so timing does not tell which one matched.
  let match = false;
  for (const candidate of parsed.v1) match = sameHex(expected, candidate) || match;
  if (!match) return { ok: false, reason: 'signature_mismatch' };
  if (Math.abs(Math.floor(now / 1000) - parsed.timestamp) > toleranceSec) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  return { ok: true, timestamp: parsed.timestamp };
}
