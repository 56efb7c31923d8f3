// What an audit entry says changed: the fields of a change with their value before and after, or the change's own
// input, with every secret named but never its value, and bounded in size. Pure: the audit service stores the result.

/** Field names whose values are never written to the audit trail (a secret, a token, a password, a signing key). */
const SECRET_NAME = /secret|token|password|passphrase|credential|signing|private|api_?key/i;

export const REDACTED = '[redacted]';

/** Details larger than this (as JSON text) are shortened: long texts first, then to the list of their fields. */
export const MAX_DETAILS_CHARS = 4000;
const LONG_TEXT = 200;

export type Details = Record<string, unknown>;

/** True when a field of this name may hold a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * A copy of `value` where every field whose name may hold a secret has the value "[redacted]" (the entry still says
 * that it was set), and the fields named in `omit` (e.g. a recipient's address) are left out, at any depth.
 */
export function redact(value: unknown, omit: readonly string[] = [], depth = 0): unknown {
  if (Array.isArray(value)) return depth > 8 ? `[${value.length} items]` : value.map((v) => redact(v, omit, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8) return '[…]';
  const out: Details = {};
  for (const [k, v] of Object.entries(value)) {
    if (omit.includes(k)) continue;
    out[k] = isSecretName(k) ? REDACTED : redact(v, omit, depth + 1);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `{field: {from, to}}` for every field of `patch` whose value differs from `before` (a field that was absent reads
 * as null). Secret fields say only that they changed.
 */
export function fieldChanges(before: Details, patch: Details): Details {
  const out: Details = {};
  for (const [k, to] of Object.entries(patch)) {
    if (to === undefined) continue;
    const from = before[k] ?? null;
    if (same(from, to)) continue;
    out[k] = isSecretName(k) ? { from: REDACTED, to: REDACTED } : { from, to };
  }
  return out;
}

/** The details as stored: at most MAX_DETAILS_CHARS of JSON (long texts become their length, then only field names). */
export function boundedDetails(details: Details): string {
  let text = JSON.stringify(details);
  if (text.length <= MAX_DETAILS_CHARS) return text;
  text = JSON.stringify(shortenTexts(details));
  if (text.length <= MAX_DETAILS_CHARS) return text;
  return JSON.stringify({ fields: Object.keys(details).slice(0, 50), truncated: true });
}

function shortenTexts(value: unknown): unknown {
  if (typeof value === 'string') return value.length > LONG_TEXT ? `[${value.length} characters]` : value;
  if (Array.isArray(value)) return value.map(shortenTexts);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortenTexts(v)]));
}

/** The counts of an answer (its top-level numbers, and the length of its lists): what a bulk import did. */
export function countsOf(answer: unknown): Details {
  if (typeof answer !== 'object' || answer === null) return {};
  const out: Details = {};
  for (const [k, v] of Object.entries(answer)) {
    if (typeof v === 'number') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.length;
  }
  return out;
}
