// Random identifiers for tracked links and clicks: short enough for an SMS, unguessable, and cheap to reject
// when forged, so a garbage token is answered 404 without a database lookup.

/** Source of cryptographic randomness, e.g. `crypto.randomBytes` (injected so this module stays pure). */
export type RandomBytes = (n: number) => Uint8Array;

/**
 * 9 random bytes = 72 bits, encoded in base64url = exactly 12 characters with no padding. 72 bits leaves a
 * forger one chance in 2^72 / (tokens issued) per guess; even with a billion tokens that is ~1 in 4.7e12.
 * base64url's `-` and `_` are in the GSM 03.38 basic set, so an SMS stays in the 7-bit alphabet.
 */
const LINK_TOKEN_BYTES = 9;
export const LINK_TOKEN_LENGTH = 12;

/** 12 bytes = 96 bits = 16 characters: a different length from link tokens, so the two are never confused. */
const CLICK_ID_BYTES = 12;
export const CLICK_ID_LENGTH = 16;

const LINK_TOKEN_RE = new RegExp(`^[A-Za-z0-9_-]{${LINK_TOKEN_LENGTH}}$`);
const CLICK_ID_RE = new RegExp(`^[A-Za-z0-9_-]{${CLICK_ID_LENGTH}}$`);

function randomBase64Url(randomBytes: RandomBytes, n: number): string {
  const bytes = randomBytes(n);
  if (bytes.length !== n) throw new RangeError(`randomBytes returned ${bytes.length} bytes, expected ${n}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** A new token for a recipient's tracked link (`/l/<token>`, `/q/<token>`). It carries no secret and no id. */
export function newLinkToken(randomBytes: RandomBytes): string {
  return randomBase64Url(randomBytes, LINK_TOKEN_BYTES);
}

/** Checked before any lookup: wrong length or a character outside base64url cannot be a token we issued. */
export function isWellFormedToken(s: unknown): s is string {
  return typeof s === 'string' && LINK_TOKEN_RE.test(s);
}

/** A new id for one click, carried to the merchant's site in the click id parameter (see utm.ts). */
export function newClickId(randomBytes: RandomBytes): string {
  return randomBase64Url(randomBytes, CLICK_ID_BYTES);
}

/**
 * Click ids drawn from one random pool at a time (`count` ids): the pool is encoded in base64url once and each id is
 * 16 of its characters. 12 bytes are exactly 16 characters, so an id is the encoding of its own 12 bytes, as
 * `newClickId` would give; the redirect takes one per click.
 */
export function clickIdPool(randomBytes: RandomBytes, count = 256): () => string {
  let pool = '';
  let at = 0;
  return () => {
    if (at >= pool.length) {
      pool = randomBase64Url(randomBytes, CLICK_ID_BYTES * count);
      at = 0;
    }
    const id = pool.slice(at, at + CLICK_ID_LENGTH);
    at += CLICK_ID_LENGTH;
    return id;
  };
}

/** The order import trusts a click id found in a landing URL only if it has the shape we issue. */
export function isWellFormedClickId(s: unknown): s is string {
  return typeof s === 'string' && CLICK_ID_RE.test(s);
}
