// The destination a tracked link redirects to: the registered URL plus UTM parameters and the Mesure click id,
// and the reverse step the order import uses to find that click id again in an order's landing URL.

import type { Channel } from '../domain/types';
import { isWellFormedClickId } from './tokens';
import { canonicalDestination } from './destination';

export const DEFAULT_UTM_SOURCE = 'mesure';
export const DEFAULT_CLICK_ID_PARAM = 'mesure_cid';

export interface DestinationOptions {
  /** The account's switch; when false no utm_* is added (the click id still is: attribution needs it). */
  utmEnabled: boolean;
  utmSource?: string;
  channel: Channel;
  campaignSlug: string;
  variant?: string;
  clickIdParam?: string;
}

// In a /u regex, \p{Surrogate} matches only unpaired surrogates.
const LONE_SURROGATE_RE = /\p{Surrogate}/gu;

/** encodeURIComponent that cannot throw: a lone surrogate (from a variant name, say) becomes U+FFFD, not a URIError. */
function encodeParam(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE_RE, '\uFFFD'));
}

function decodeQueryKey(pair: string): string {
  const raw = pair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * Where a click on a registered URL goes, around the click's id: the destination of a click is
 * `clickDestination(template, clickId)`. The redirect keeps one template per link and settings, so a click costs two
 * concatenations instead of parsing the URL again.
 *
 * The URL is first put in its canonical form (destination.ts: the WHATWG serialisation, which registration already
 * stored, so this changes nothing for a stored destination and keeps e.g. `%7E` or `+` as written); parameters are
 * appended before the fragment. The result is printable ASCII.
 *
 * Who wins on a clash:
 * - utm_*: the merchant. A UTM they wrote into the destination is a deliberate choice their analytics relies
 *   on, and Mesure does not need UTMs to attribute (it uses the click id), so overwriting would cost them
 *   and gain us nothing.
 * - the click id parameter: Mesure. A click id already present can only be stale (copied from an earlier
 *   tracked click) and would attribute the order to another person's message.
 */
export interface DestinationTemplate {
  head: string;
  tail: string;
}

export function destinationTemplate(url: string, o: DestinationOptions): DestinationTemplate {
  const clickIdParam = o.clickIdParam ?? DEFAULT_CLICK_ID_PARAM;
  const { base, pairs, added, fragment } = destinationParts(url, o, clickIdParam);
  added.push(`${encodeParam(clickIdParam)}=`);
  return { head: joinDestination(base, pairs, added, ''), tail: fragment };
}

/** The destination of one click (tokens.newClickId): its template with the click id filled in. */
export function clickDestination(t: DestinationTemplate, clickId: string): string {
  return t.head + encodeParam(clickId) + t.tail;
}

/**
 * The canonical URL taken apart: the merchant's pairs (less any stale click id), the UTM pairs to add. Throws a
 * TypeError for a URL the canonicaliser refuses (the redirect catches it and answers an error page).
 */
function destinationParts(raw: string, o: DestinationOptions, clickIdParam: string) {
  const c = canonicalDestination(raw);
  if (!c.ok) throw new TypeError(`not a usable http(s) URL: ${JSON.stringify(raw.slice(0, 200))} ${c.problem}`);
  const url = c.url;
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt < 0 ? url : url.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : url.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);

  let pairs = query === '' ? [] : query.split('&');
  const present = new Set(pairs.map(decodeQueryKey));

  const added: string[] = [];
  if (o.utmEnabled) {
    const utm: [string, string | undefined][] = [
      ['utm_source', o.utmSource ?? DEFAULT_UTM_SOURCE],
      ['utm_medium', o.channel],
      ['utm_campaign', o.campaignSlug],
      ['utm_content', o.variant],
    ];
    for (const [key, value] of utm) {
      if (!present.has(key) && value !== undefined && value !== '') added.push(`${key}=${encodeParam(value)}`);
    }
  }
  pairs = pairs.filter((pair) => decodeQueryKey(pair) !== clickIdParam);
  return { base, pairs, added, fragment };
}

function joinDestination(base: string, pairs: string[], added: string[], fragment: string): string {
  const kept = pairs.join('&');
  const separator = kept === '' || kept.endsWith('&') ? '' : '&';
  return `${base}?${kept}${separator}${added.join('&')}${fragment}`;
}

const LIGATURES: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th' };

/**
 * The campaign's name as it appears in utm_campaign: lower-case ASCII words joined by `-`, accents removed
 * ("Soldes d'été 2024" → "soldes-d-ete-2024"), at most 80 characters. A name with no letter or digit gives
 * `fallback`, so utm_campaign is never empty.
 */
export function slugify(campaignName: string, fallback = 'campaign'): string {
  const slug = campaignName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþ]/g, (c) => LIGATURES[c])
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

/** What an order's landing URL tells about the click that brought the buyer. Absent values are null. */
export interface LandingAttribution {
  clickId: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
}

/**
 * Reads a landing URL as shops report it: absolute (`https://shop/p?x`), relative (`/p?x`, `p?x`) or a bare
 * query (`?x`), sometimes HTML-escaped (`&amp;`). A click id is returned only if it has the shape Mesure
 * issues, since anyone can type a landing URL. Never throws: an unreadable URL gives all nulls.
 */
export function parseClickId(landingSiteUrl: string, clickIdParam = DEFAULT_CLICK_ID_PARAM): LandingAttribution {
  const none: LandingAttribution = {
    clickId: null,
    utmSource: null,
    utmMedium: null,
    utmCampaign: null,
    utmContent: null,
  };
  let params: URLSearchParams;
  try {
    params = new URL(landingSiteUrl.trim().replace(/&amp;/g, '&'), 'https://landing.invalid/').searchParams;
  } catch {
    return none;
  }
  const first = (key: string) => {
    const v = params.get(key);
    return v === null || v === '' ? null : v;
  };
  return {
    clickId: params.getAll(clickIdParam).find(isWellFormedClickId) ?? null,
    utmSource: first('utm_source'),
    utmMedium: first('utm_medium'),
    utmCampaign: first('utm_campaign'),
    utmContent: first('utm_content'),
  };
}
