// Tells machine clicks and opens (scanners, link previews, mail privacy proxies) from people's. Nothing is
// dropped: the caller stores every event with `machine` and `flagReason`, and human figures leave them out.
// The rules and their thresholds are documented in docs/TRACKING.md; keep the two in step.

import { isbotMatch } from 'isbot';

export interface TrackingThresholds {
  /** A click sooner than this after delivery (or after send, without a delivery signal) is a scanner's. */
  clickAfterDeliveryMs: number;
  /** Every link of a message clicked within this span is a scanner sweeping the message. */
  linkSweepMs: number;
  /** An image-proxy fetch of the open pixel sooner than this after delivery is a prefetch, not a reader. */
  proxyOpenAfterDeliveryMs: number;
  /** Flag clicks whose Referer is a security gateway's host (see docs/TRACKING.md for why this can be off). */
  flagGatewayReferer: boolean;
}

export const DEFAULT_THRESHOLDS: Readonly<TrackingThresholds> = Object.freeze({
  clickAfterDeliveryMs: 5_000,
  linkSweepMs: 2_000,
  proxyOpenAfterDeliveryMs: 10_000,
  flagGatewayReferer: true,
});

/** The account's partial override merged over the defaults; unset (undefined) keys keep the default. */
export function resolveThresholds(overrides?: Partial<TrackingThresholds> | null): TrackingThresholds {
  const out: TrackingThresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(overrides ?? {}) as [keyof TrackingThresholds, unknown][]) {
    if (value === undefined || !(key in DEFAULT_THRESHOLDS)) continue;
    if (typeof DEFAULT_THRESHOLDS[key] === 'boolean') {
      if (typeof value !== 'boolean') throw new RangeError(`tracking threshold ${key} must be a boolean`);
      (out as unknown as Record<string, unknown>)[key] = value;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`tracking threshold ${key} must be a non-negative number of milliseconds`);
      }
      (out as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}

export interface Verdict {
  machine: boolean;
  /** Why it was flagged, e.g. "head_request", "gateway:proofpoint", "isbot:curl/8.0", "apple_mpp". */
  reason?: string;
}

const human = (): Verdict => ({ machine: false });
const machine = (reason: string): Verdict => ({ machine: true, reason });

// ---- agents --------------------------------------------------------------------------------------------

/** Security gateways that fetch links in mail before (or instead of) the reader, by their user agent. */
const GATEWAY_AGENTS: [string, RegExp][] = [
  ['barracuda', /barracuda/i],
  ['mimecast', /mimecast/i],
  ['proofpoint', /proofpoint|urldefense/i],
];

/** The same gateways by the host of the Referer they leave on the request (host suffixes). */
const GATEWAY_REFERERS: [string, string[]][] = [
  ['safelinks', ['safelinks.protection.outlook.com']],
  ['proofpoint', ['urldefense.com', 'urldefense.proofpoint.com']],
  ['mimecast', ['mimecast.com']],
  ['barracuda', ['linkprotect.cudasvc.com']],
  ['symantec', ['clicktime.symantec.com']],
  ['cisco', ['secure-web.cisco.com']],
];

/**
 * Chat and social apps that fetch a link to draw its preview card, often the moment the message is shown.
 * isbot knows them too; naming them gives a readable reason. iMessage's previewer announces itself as
 * "facebookexternalhit Facebot Twitterbot", so it lands under facebookexternalhit.
 */
const PREVIEW_AGENTS: [string, RegExp][] = [
  ['Slackbot', /Slackbot/i],
  ['WhatsApp', /WhatsApp\//i],
  ['facebookexternalhit', /facebookexternalhit|Facebot/i],
  ['TelegramBot', /TelegramBot/i], // before Twitterbot: it calls itself "TelegramBot (like TwitterBot)"
  ['Twitterbot', /Twitterbot/i],
  ['Discordbot', /Discordbot/i],
  ['LinkedInBot', /LinkedInBot/i],
  ['SkypeUriPreview', /SkypeUriPreview/i],
  ['Snapchat', /Snap URL Preview/i],
];

/** Mail providers' image proxies: they fetch the pixel on the reader's behalf, or ahead of them. */
const IMAGE_PROXIES: [string, RegExp][] = [
  ['google', /GoogleImageProxy|ggpht\.com/i],
  ['yahoo', /YahooMailProxy/i],
];

function firstMatch(list: [string, RegExp][], s: string | undefined): string | null {
  if (s === undefined) return null;
  for (const [name, re] of list) if (re.test(s)) return name;
  return null;
}

function refererHost(referer: string | undefined): string | null {
  if (referer === undefined || referer === '') return null;
  try {
    return new URL(referer).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function gatewayOfReferer(referer: string | undefined): string | null {
  const host = refererHost(referer);
  if (host === null) return null;
  for (const [name, suffixes] of GATEWAY_REFERERS) {
    if (suffixes.some((s) => host === s || host.endsWith(`.${s}`))) return name;
  }
  return null;
}

// ---- clicks --------------------------------------------------------------------------------------------

export interface ClickInput {
  method: 'GET' | 'HEAD' | string;
  userAgent?: string;
  referer?: string;
  at: number;
  deliveredAt?: number;
  sentAt?: number;
  /** The destination of this click; without it the sweep rule cannot apply. */
  url?: string;
  /** Earlier clicks on the same message's tracked links (any destination). */
  priorClicksOfMessage: { at: number; url: string }[];
  /** How many distinct tracked destinations the message carries. */
  linksInMessage: number;
}

/**
 * Indexes of the clicks that belong to a sweep: a span of at most `linkSweepMs` in which every one of the
 * message's links (at least two) was clicked. The first clicks of a sweep are classified before the last
 * arrives, so the caller re-flags the earlier ones with this.
 */
export function findLinkSweeps(
  clicks: readonly { at: number; url: string }[],
  linksInMessage: number,
  thresholds: TrackingThresholds = DEFAULT_THRESHOLDS,
): number[] {
  if (linksInMessage < 2) return [];
  const order = clicks.map((_, i) => i).sort((a, b) => clicks[a].at - clicks[b].at);
  const inSweep = new Set<number>();
  for (let s = 0; s < order.length; s++) {
    const windowEnd = clicks[order[s]].at + thresholds.linkSweepMs;
    const members: number[] = [];
    const urls = new Set<string>();
    for (let e = s; e < order.length && clicks[order[e]].at <= windowEnd; e++) {
      members.push(order[e]);
      urls.add(clicks[order[e]].url);
    }
    if (urls.size >= linksInMessage) for (const i of members) inSweep.add(i);
  }
  return [...inSweep].sort((a, b) => a - b);
}

/** Rules in order; the first that matches gives the reason. */
export function classifyClick(input: ClickInput, thresholds: TrackingThresholds = DEFAULT_THRESHOLDS): Verdict {
  const method = input.method.toUpperCase();
  if (method === 'HEAD') return machine('head_request');
  if (method !== 'GET') return machine(`method:${method}`);

  const gatewayUa = firstMatch(GATEWAY_AGENTS, input.userAgent);
  if (gatewayUa !== null) return machine(`gateway:${gatewayUa}`);
  if (thresholds.flagGatewayReferer) {
    const gatewayRef = gatewayOfReferer(input.referer);
    if (gatewayRef !== null) return machine(`gateway:${gatewayRef}`);
  }

  const preview = firstMatch(PREVIEW_AGENTS, input.userAgent);
  if (preview !== null) return machine(`preview:${preview}`);

  // Every browser sends a User-Agent; only scripts omit it.
  if (input.userAgent === undefined || input.userAgent.trim() === '') return machine('no_user_agent');
  const bot = isbotMatch(input.userAgent);
  if (bot !== null) return machine(`isbot:${bot}`);

  if (input.url !== undefined) {
    const all = [...input.priorClicksOfMessage, { at: input.at, url: input.url }];
    if (findLinkSweeps(all, input.linksInMessage, thresholds).includes(all.length - 1)) return machine('link_sweep');
  }

  // A click before the reference time (clock skew, late webhook) is faster still, hence no lower bound.
  if (input.deliveredAt !== undefined) {
    if (input.at - input.deliveredAt < thresholds.clickAfterDeliveryMs) return machine('fast_after_delivery');
  } else if (input.sentAt !== undefined) {
    if (input.at - input.sentAt < thresholds.clickAfterDeliveryMs) return machine('fast_after_send');
  }
  return human();
}

// ---- opens ---------------------------------------------------------------------------------------------

export interface OpenInput {
  method?: 'GET' | 'HEAD' | string;
  userAgent?: string;
  /** The Via header: some image proxies name themselves there rather than in the user agent. */
  via?: string;
  at: number;
  deliveredAt?: number;
  sentAt?: number;
  /** The provider reported this open as a machine open (e.g. SendGrid's `sg_machine_open`). */
  providerMachineFlag?: boolean;
  /** The caller matched the request's IP against Apple's published iCloud Private Relay egress ranges. */
  fromAppleProxyIp?: boolean;
}

/**
 * Opens are judged more gently than clicks: an image proxy fetching after the prefetch window is a person
 * opening the mail (Gmail fetches through its proxy when the reader opens), and a missing user agent is
 * not held against an open. Over-filtering real opens is the complaint we avoid.
 */
export function classifyOpen(input: OpenInput, thresholds: TrackingThresholds = DEFAULT_THRESHOLDS): Verdict {
  if (input.providerMachineFlag === true) return machine('provider_flag');

  // Apple Mail Privacy Protection fetches every remote image through Apple's relay, with the bare user
  // agent "Mozilla/5.0" (no platform, no engine), whether or not the reader ever opens the mail.
  if (input.userAgent?.trim() === 'Mozilla/5.0' || input.fromAppleProxyIp === true) return machine('apple_mpp');

  const proxy = firstMatch(IMAGE_PROXIES, input.userAgent) ?? firstMatch(IMAGE_PROXIES, input.via);
  if (proxy !== null) {
    const ref = input.deliveredAt ?? input.sentAt;
    if (ref !== undefined && input.at - ref < thresholds.proxyOpenAfterDeliveryMs) return machine(`image_proxy:${proxy}`);
    return human();
  }

  if (input.method !== undefined && input.method.toUpperCase() === 'HEAD') return machine('head_request');
  const gateway = firstMatch(GATEWAY_AGENTS, input.userAgent);
  if (gateway !== null) return machine(`gateway:${gateway}`);
  const bot = input.userAgent === undefined ? null : isbotMatch(input.userAgent);
  if (bot !== null) return machine(`isbot:${bot}`);
  return human();
}
