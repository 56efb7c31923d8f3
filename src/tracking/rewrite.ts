// Replaces the links of a message body (SMS/WhatsApp text or email HTML) by the recipient's tracked links,
// and lists the destinations a body links to, so a campaign's links can be registered before sending.
//
// Which links are tracked (the same rule for both functions):
// - only absolute http(s) URLs: mailto:, tel:, sms:, #anchors, relative links, javascript: and template
//   placeholders ({{unsubscribe_url}}, *|UNSUB|*) are left as they are;
// - text: bare URLs; trailing punctuation (`.`, `,`, `!`, `?`, quotes, an unbalanced closing bracket) is
//   sentence punctuation, not part of the URL;
// - HTML: the href of <a> and of Outlook's VML buttons (<v:roundrect href>, inside conditional comments),
//   nothing else (images, text that merely looks like a URL);
// - never an unsubscribe link: its URL, or (HTML) the link's class/id/title/text, says unsubscribe /
//   désinscrire / opt-out. Unsubscribing must keep working even if Mesure is down, and is recorded by its
//   own path as an `unsubscribed` event, not as interest in the campaign (a click);
// - never a link the author opted out: `data-mesure-notrack` on the tag, or SendGrid's `clicktracking="off"`.

export type BodyKind = 'text' | 'html';

interface LinkSpan {
  /** Offsets in the body of what is replaced: the bare URL (text) or the attribute value with its quotes (HTML). */
  start: number;
  end: number;
  url: string;
  quote: string;
}

const UNSUBSCRIBE_RE = /unsub|opt[-_ ]?out|d[ée]sinscri|d[ée]sabonn|abmelden|list-manage\.com\/unsubscribe/i;

function saysUnsubscribe(s: string): boolean {
  if (UNSUBSCRIBE_RE.test(s)) return true;
  try {
    return UNSUBSCRIBE_RE.test(decodeURIComponent(s));
  } catch {
    return false;
  }
}

function isAbsoluteHttp(url: string): boolean {
  if (!/^https?:\/\/[^/?#\s]/i.test(url)) return false;
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

// ---- text ----------------------------------------------------------------------------------------------

const TEXT_URL_RE = /https?:\/\/[^\s<>"`]+/gi;
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', "'", '*', '…']);
const CLOSING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}

/** Drops sentence punctuation from the end, keeping a closing bracket the URL itself opened (Wikipedia links). */
function trimUrlEnd(url: string): string {
  let u = url;
  for (;;) {
    const last = u[u.length - 1];
    if (TRAILING_PUNCTUATION.has(last)) u = u.slice(0, -1);
    else if (last in CLOSING && count(u, last) > count(u, CLOSING[last])) u = u.slice(0, -1);
    else return u;
  }
}

function findTextLinks(body: string): LinkSpan[] {
  const spans: LinkSpan[] = [];
  for (const m of body.matchAll(TEXT_URL_RE)) {
    const url = trimUrlEnd(m[0]);
    if (!isAbsoluteHttp(url) || saysUnsubscribe(url)) continue;
    spans.push({ start: m.index, end: m.index + url.length, url, quote: '' });
  }
  return spans;
}

// ---- HTML ----------------------------------------------------------------------------------------------

// A tag whose quoted attribute values may contain `>`.
const TAG_RE = /<(a|v:roundrect)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const ATTR_RE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const NAMED_ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Attribute {
  name: string;
  value: string;
  /** Offsets in the body of the value including its quotes; -1 for an attribute without value. */
  start: number;
  end: number;
  quote: string;
}

function parseAttributes(attrs: string, offset: number): Attribute[] {
  const out: Attribute[] = [];
  for (const m of attrs.matchAll(ATTR_RE)) {
    const raw = m[2] ?? m[3] ?? m[4];
    if (raw === undefined) {
      out.push({ name: m[1].toLowerCase(), value: '', start: -1, end: -1, quote: '' });
      continue;
    }
    const quote = m[2] !== undefined ? '"' : m[3] !== undefined ? "'" : '';
    const end = offset + m.index + m[0].length;
    out.push({ name: m[1].toLowerCase(), value: decodeEntities(raw), start: end - raw.length - 2 * quote.length, end, quote });
  }
  return out;
}

function findHtmlLinks(body: string): LinkSpan[] {
  const spans: LinkSpan[] = [];
  const lower = body.toLowerCase();
  for (const m of body.matchAll(TAG_RE)) {
    const attrs = parseAttributes(m[2], m.index + 1 + m[1].length);
    const href = attrs.find((a) => a.name === 'href'); // browsers keep the first of duplicated attributes
    if (href === undefined || href.start < 0) continue;
    // Browsers strip surrounding whitespace from href; the destination is what they would open.
    const url = href.value.trim();
    if (!isAbsoluteHttp(url)) continue;
    if (attrs.some((a) => a.name === 'data-mesure-notrack')) continue;
    if (attrs.some((a) => a.name === 'clicktracking' && a.value.toLowerCase() === 'off')) continue;
    if (saysUnsubscribe(url)) continue;
    if (attrs.some((a) => (a.name === 'class' || a.name === 'id' || a.name === 'title') && saysUnsubscribe(a.value))) continue;
    if (m[1].toLowerCase() === 'a') {
      const textEnd = lower.indexOf('</a', m.index + m[0].length);
      const text = body.slice(m.index + m[0].length, textEnd < 0 ? undefined : textEnd).replace(/<[^>]*>/g, '');
      if (saysUnsubscribe(decodeEntities(text))) continue;
    }
    spans.push({ start: href.start, end: href.end, url, quote: href.quote === '' ? '"' : href.quote });
  }
  return spans;
}

function findLinks(body: string, kind: BodyKind): LinkSpan[] {
  return kind === 'html' ? findHtmlLinks(body) : findTextLinks(body);
}

/**
 * The body with every tracked link replaced by `linkFor(destination)`; every other character is kept as it
 * was. In HTML the new link is written as an attribute value (escaped, in the original quotes).
 */
export function rewriteLinks(body: string, kind: BodyKind, linkFor: (url: string) => string): string {
  let out = '';
  let at = 0;
  for (const span of findLinks(body, kind)) {
    const tracked = linkFor(span.url);
    out += body.slice(at, span.start);
    out += kind === 'html' ? `${span.quote}${escapeAttribute(tracked)}${span.quote}` : tracked;
    at = span.end;
  }
  return out + body.slice(at);
}

/** The distinct destinations `rewriteLinks` would replace, in order of first appearance. */
export function extractLinks(body: string, kind: BodyKind): string[] {
  return [...new Set(findLinks(body, kind).map((s) => s.url))];
}
