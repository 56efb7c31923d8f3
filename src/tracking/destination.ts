// The one canonical form of a tracked link's destination: every way a destination enters Mesure (the links API,
// /v1/rewrite, bodies rewritten for the send gate) goes through `canonicalDestination`, and so does the redirect.
//
// Canonical = the WHATWG URL serialisation (`new URL(x).href`): what a browser would open, written in printable
// ASCII only (non-ASCII characters UTF-8 percent-encoded, international hosts in punycode). So a stored destination
// can always be written in a `Location` header, and two spellings of one address are one destination.
//
// Refused (never silently repaired): control characters (a CR/LF in a URL is either a mistake or a header injection
// attempt, and the WHATWG parser would quietly delete it), surrounding spaces, anything but an absolute http(s) URL.

/** The longest canonical destination kept, in characters (percent-encoding can make a URL up to nine times longer). */
export const MAX_DESTINATION_LENGTH = 4000;

export type CanonicalDestination = { ok: true; url: string } | { ok: false; problem: string };

// C0 controls, DEL and the C1 controls (U+0080–U+009F).
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
/** What a canonical destination is made of: printable ASCII, no space. */
export const CANONICAL_CHARS_RE = /^[\x21-\x7e]+$/;

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function hrefOf(s: string): string | undefined {
  try {
    return new URL(s).href;
  } catch {
    return undefined;
  }
}

/**
 * The destination in its canonical form, or what is wrong with it (a sentence the caller puts after the URL, ending
 * with what to do). Pure; `canonicalDestination(canonical.url)` gives `canonical.url` back.
 */
export function canonicalDestination(input: string): CanonicalDestination {
  if (typeof input !== 'string' || input === '') return { ok: false, problem: 'is empty: give an absolute URL such as https://shop.example/page' };
  if (input.length > MAX_DESTINATION_LENGTH) {
    return { ok: false, problem: `is ${input.length} characters long; at most ${MAX_DESTINATION_LENGTH} are accepted: shorten it` };
  }
  const control = CONTROL_RE.exec(input);
  if (control) {
    return {
      ok: false,
      problem: `contains a control character (${codePoint(control[0])} at position ${control.index}): remove line breaks, tabs and other invisible characters from the URL`,
    };
  }
  if (input !== input.trim()) return { ok: false, problem: 'starts or ends with spaces: remove them' };
  const href = hrefOf(input);
  if (href === undefined) return { ok: false, problem: 'is not an absolute URL: write it in full, starting with https://' };
  const u = new URL(href);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { ok: false, problem: `is a ${u.protocol} URL: only http:// and https:// destinations can be tracked` };
  }
  if (u.hostname === '') return { ok: false, problem: 'has no host name: write it in full, such as https://shop.example/page' };
  // The serialisation is a fixed point for http(s) in practice; checked rather than assumed, since the stored form
  // must never change when it is read back through this function (the redirect does exactly that).
  if (hrefOf(href) !== href) return { ok: false, problem: 'has no stable written form: simplify it (remove dot segments, unusual escapes)' };
  if (!CANONICAL_CHARS_RE.test(href)) return { ok: false, problem: 'cannot be written in printable ASCII: simplify it' };
  if (href.length > MAX_DESTINATION_LENGTH) {
    return { ok: false, problem: `is ${href.length} characters long once percent-encoded; at most ${MAX_DESTINATION_LENGTH} are accepted: shorten it` };
  }
  return { ok: true, url: href };
}

/** A destination quoted in an error message: JSON-escaped (a CR/LF shows as \r\n) and cut to 200 characters. */
export function quoteDestination(input: string): string {
  return JSON.stringify(input.length > 200 ? `${input.slice(0, 200)}…` : input);
}

/** Each destination canonicalised, or the list of refusals (index, URL, problem) when any is refused. */
export function canonicalDestinations(inputs: string[]): { ok: true; urls: string[] } | { ok: false; errors: { index: number; url: string; message: string }[] } {
  const urls: string[] = [];
  const errors: { index: number; url: string; message: string }[] = [];
  inputs.forEach((input, index) => {
    const c = canonicalDestination(input);
    if (c.ok) urls.push(c.url);
    else errors.push({ index, url: input.slice(0, 200), message: `link ${index + 1} ${quoteDestination(input)} ${c.problem}` });
  });
  return errors.length ? { ok: false, errors } : { ok: true, urls };
}
