import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  classifyClick,
  classifyOpen,
  findLinkSweeps,
  resolveThresholds,
  type ClickInput,
  type OpenInput,
} from './bots';

const T = 1_700_000_000_000; // delivery time
const MIN = 60_000;
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const INSTAGRAM_IN_APP =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 307.0.0.34.111';

/** A person on an iPhone tapping the first of two links three minutes after delivery. */
const person: ClickInput = {
  method: 'GET',
  userAgent: IPHONE_SAFARI,
  at: T + 3 * MIN,
  deliveredAt: T,
  sentAt: T - 2_000,
  url: 'https://shop.example/a',
  priorClicksOfMessage: [],
  linksInMessage: 2,
};

describe('classifyClick', () => {
  it('a person in Safari, Chrome or an in-app browser is human', () => {
    expect(classifyClick(person)).toEqual({ machine: false });
    expect(classifyClick({ ...person, userAgent: CHROME_WINDOWS })).toEqual({ machine: false });
    expect(classifyClick({ ...person, userAgent: INSTAGRAM_IN_APP })).toEqual({ machine: false });
  });

  it('HEAD requests and other non-GET methods are machines', () => {
    expect(classifyClick({ ...person, method: 'HEAD' })).toEqual({ machine: true, reason: 'head_request' });
    expect(classifyClick({ ...person, method: 'head' })).toEqual({ machine: true, reason: 'head_request' });
    expect(classifyClick({ ...person, method: 'OPTIONS' })).toEqual({ machine: true, reason: 'method:OPTIONS' });
  });

  it.each([
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'preview:Slackbot'],
    ['WhatsApp/2.23.20.0 A', 'preview:WhatsApp'],
    ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'preview:facebookexternalhit'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
      'preview:facebookexternalhit', // iMessage's link preview
    ],
    ['Twitterbot/1.0', 'preview:Twitterbot'],
    ['TelegramBot (like TwitterBot)', 'preview:TelegramBot'],
    ['Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)', 'preview:Discordbot'],
    ['Mozilla/5.0 (compatible; LinkedInBot/1.0; +http://www.linkedin.com)', 'preview:LinkedInBot'],
  ])('link-preview agent %j is a machine', (userAgent, reason) => {
    expect(classifyClick({ ...person, userAgent })).toEqual({ machine: true, reason });
  });

  it('other bots known to isbot are machines, named by the matching part', () => {
    expect(classifyClick({ ...person, userAgent: 'curl/8.0' })).toEqual({ machine: true, reason: 'isbot:curl/8.0' });
    expect(classifyClick({ ...person, userAgent: CHROME_WINDOWS.replace('Chrome/', 'HeadlessChrome/') })).toEqual({
      machine: true,
      reason: 'isbot:Headless',
    });
  });

  it('a click without a user agent is a machine', () => {
    expect(classifyClick({ ...person, userAgent: undefined })).toEqual({ machine: true, reason: 'no_user_agent' });
    expect(classifyClick({ ...person, userAgent: '  ' })).toEqual({ machine: true, reason: 'no_user_agent' });
  });

  it.each([
    ['Barracuda Sentinel (EE)', 'gateway:barracuda'],
    ['Mimecast URL Protect', 'gateway:mimecast'],
    ['Proofpoint URL Defense', 'gateway:proofpoint'],
  ])('security gateway agent %j is a machine', (userAgent, reason) => {
    expect(classifyClick({ ...person, userAgent })).toEqual({ machine: true, reason });
  });

  it.each([
    ['https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fm.example', 'gateway:safelinks'],
    ['https://urldefense.com/v3/__https://m.example__;!!x', 'gateway:proofpoint'],
    ['https://urldefense.proofpoint.com/v2/url?u=https-3A__m.example', 'gateway:proofpoint'],
    ['https://protect-eu.mimecast.com/s/abc', 'gateway:mimecast'],
    ['https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fm.example', 'gateway:barracuda'],
  ])('security gateway referer %s is a machine', (referer, reason) => {
    expect(classifyClick({ ...person, userAgent: CHROME_WINDOWS, referer })).toEqual({ machine: true, reason });
  });

  it('an ordinary referer, or a look-alike host, is not a gateway', () => {
    expect(classifyClick({ ...person, referer: 'https://mail.google.com/' })).toEqual({ machine: false });
    expect(classifyClick({ ...person, referer: 'https://notmimecast.com/' })).toEqual({ machine: false });
    expect(classifyClick({ ...person, referer: 'not a url' })).toEqual({ machine: false });
  });

  it('the gateway referer rule can be turned off per account', () => {
    const thresholds = resolveThresholds({ flagGatewayReferer: false });
    const viaSafeLinks = { ...person, referer: 'https://eur01.safelinks.protection.outlook.com/?url=x' };
    expect(classifyClick(viaSafeLinks, thresholds)).toEqual({ machine: false });
  });

  it('a click within 5 s of delivery is a machine; at 5 s it is a person', () => {
    // default clickAfterDeliveryMs = 5000: 4999 ms after delivery is < 5000, 5000 ms is not
    expect(classifyClick({ ...person, at: T + 4_999 })).toEqual({ machine: true, reason: 'fast_after_delivery' });
    expect(classifyClick({ ...person, at: T - 1_000 })).toEqual({ machine: true, reason: 'fast_after_delivery' });
    expect(classifyClick({ ...person, at: T + 5_000 })).toEqual({ machine: false });
  });

  it('without a delivery signal, the send time is the reference', () => {
    const noDelivery = { ...person, deliveredAt: undefined, sentAt: T };
    expect(classifyClick({ ...noDelivery, at: T + 2_000 })).toEqual({ machine: true, reason: 'fast_after_send' });
    expect(classifyClick({ ...noDelivery, at: T + 60_000 })).toEqual({ machine: false });
    expect(classifyClick({ ...noDelivery, sentAt: undefined, at: T })).toEqual({ machine: false });
  });

  it('every link of the message clicked within 2 s is a sweep', () => {
    // 3 links clicked at +0, +0.8 s, +1.5 s: span 1.5 s <= 2 s
    const prior = [
      { at: T + MIN, url: 'https://shop.example/a' },
      { at: T + MIN + 800, url: 'https://shop.example/b' },
    ];
    const third = { ...person, at: T + MIN + 1_500, url: 'https://shop.example/c', priorClicksOfMessage: prior, linksInMessage: 3 };
    expect(classifyClick(third)).toEqual({ machine: true, reason: 'link_sweep' });
  });

  it('a person clicking every link, seconds apart, is human', () => {
    // a at +0, b at +10 s: span 10 s > 2 s
    const prior = [{ at: T + MIN, url: 'https://shop.example/a' }];
    const second = { ...person, at: T + MIN + 10_000, url: 'https://shop.example/b', priorClicksOfMessage: prior };
    expect(classifyClick(second)).toEqual({ machine: false });
  });

  it('a person tapping the same link twice quickly, or the only link once, is human', () => {
    const prior = [{ at: T + MIN, url: 'https://shop.example/a' }];
    expect(classifyClick({ ...person, at: T + MIN + 300, priorClicksOfMessage: prior })).toEqual({ machine: false });
    expect(classifyClick({ ...person, linksInMessage: 1 })).toEqual({ machine: false });
  });
});

describe('findLinkSweeps', () => {
  it('marks every click of the sweep, including those classified before it completed', () => {
    const clicks = [
      { at: T, url: 'a' }, // person, long before
      { at: T + MIN + 1_200, url: 'b' }, // sweep: b, a, c within 1.2 s .. 2.9 s → span 1.7 s
      { at: T + MIN + 2_000, url: 'a' },
      { at: T + MIN + 2_900, url: 'c' },
      { at: T + 5 * MIN, url: 'b' }, // person, later
    ];
    expect(findLinkSweeps(clicks, 3)).toEqual([1, 2, 3]);
  });

  it('finds nothing for a single-link message or a span just over the threshold', () => {
    expect(findLinkSweeps([{ at: T, url: 'a' }], 1)).toEqual([]);
    // 2001 ms > 2000 ms
    expect(findLinkSweeps([{ at: T, url: 'a' }, { at: T + 2_001, url: 'b' }], 2)).toEqual([]);
    expect(findLinkSweeps([{ at: T, url: 'a' }, { at: T + 2_000, url: 'b' }], 2)).toEqual([0, 1]);
  });

  it('does not depend on the order clicks are given in', () => {
    const click = fc.record({ at: fc.integer({ min: T, max: T + 10_000 }), url: fc.constantFrom('a', 'b', 'c') });
    fc.assert(
      fc.property(fc.array(click, { maxLength: 8 }), fc.integer({ min: 1, max: 3 }), (clicks, links) => {
        const reversed = [...clicks].reverse();
        const sweptIds = findLinkSweeps(clicks, links).map((i) => clicks[i]);
        const sweptReversed = findLinkSweeps(reversed, links).map((i) => reversed[i]);
        expect(new Set(sweptReversed)).toEqual(new Set(sweptIds));
      }),
    );
  });
});

/** A person opening the mail in Outlook desktop an hour after delivery. */
const reader: OpenInput = {
  method: 'GET',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; Microsoft Outlook 16.0.5422; ms-office; MSOffice 16)',
  at: T + 60 * MIN,
  deliveredAt: T,
};

describe('classifyOpen', () => {
  it('people in Outlook, Thunderbird, Apple Mail without MPP or Outlook for iOS are human', () => {
    expect(classifyOpen(reader)).toEqual({ machine: false });
    for (const userAgent of [
      'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Thunderbird/115.0',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
      'Outlook-iOS/723.4027091.prod.iphone (4.2409.0)',
      undefined,
    ]) {
      expect(classifyOpen({ ...reader, userAgent })).toEqual({ machine: false });
    }
  });

  it("the provider's own machine flag wins", () => {
    expect(classifyOpen({ ...reader, providerMachineFlag: true })).toEqual({ machine: true, reason: 'provider_flag' });
    expect(classifyOpen({ ...reader, providerMachineFlag: false })).toEqual({ machine: false });
  });

  it('Apple Mail Privacy Protection (bare "Mozilla/5.0" or an Apple relay IP) is a machine at any time', () => {
    expect(classifyOpen({ ...reader, userAgent: 'Mozilla/5.0' })).toEqual({ machine: true, reason: 'apple_mpp' });
    expect(classifyOpen({ ...reader, userAgent: 'Mozilla/5.0', at: T + 3 * 24 * 60 * MIN })).toEqual({
      machine: true,
      reason: 'apple_mpp',
    });
    expect(classifyOpen({ ...reader, fromAppleProxyIp: true })).toEqual({ machine: true, reason: 'apple_mpp' });
  });

  it("Gmail's image proxy right after delivery is a prefetch; later it is the reader", () => {
    const gmail = { ...reader, userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' };
    // default proxyOpenAfterDeliveryMs = 10000: +3 s is a prefetch, +10 s and +1 h are opens
    expect(classifyOpen({ ...gmail, at: T + 3_000 })).toEqual({ machine: true, reason: 'image_proxy:google' });
    expect(classifyOpen({ ...gmail, at: T + 10_000 })).toEqual({ machine: false });
    expect(classifyOpen(gmail)).toEqual({ machine: false });
  });

  it('an image proxy named in Via counts, and send time stands in for delivery', () => {
    const yahoo = { ...reader, userAgent: CHROME_WINDOWS, via: '1.1 YahooMailProxy', deliveredAt: undefined, sentAt: T };
    expect(classifyOpen({ ...yahoo, at: T + 1_000 })).toEqual({ machine: true, reason: 'image_proxy:yahoo' });
    expect(classifyOpen(yahoo)).toEqual({ machine: false });
  });

  it('HEAD requests, gateways and bots fetching the pixel are machines', () => {
    expect(classifyOpen({ ...reader, method: 'HEAD' })).toEqual({ machine: true, reason: 'head_request' });
    expect(classifyOpen({ ...reader, userAgent: 'Barracuda Sentinel (EE)' })).toEqual({
      machine: true,
      reason: 'gateway:barracuda',
    });
    expect(classifyOpen({ ...reader, userAgent: 'python-requests/2.31.0' })).toEqual({
      machine: true,
      reason: 'isbot:python-requests/2.31.0',
    });
  });

  it('an open soon after delivery through no proxy is a person (no timing rule for direct opens)', () => {
    expect(classifyOpen({ ...reader, at: T + 1_000 })).toEqual({ machine: false });
  });
});

describe('resolveThresholds', () => {
  it('merges a partial override over the defaults', () => {
    expect(resolveThresholds({ clickAfterDeliveryMs: 2_000, linkSweepMs: undefined })).toEqual({
      ...DEFAULT_THRESHOLDS,
      clickAfterDeliveryMs: 2_000,
    });
    expect(resolveThresholds(null)).toEqual(DEFAULT_THRESHOLDS);
  });

  it('applies an override to the rules', () => {
    const strict = resolveThresholds({ clickAfterDeliveryMs: 60_000 });
    expect(classifyClick({ ...person, at: T + 30_000 }, strict)).toEqual({ machine: true, reason: 'fast_after_delivery' });
    expect(classifyClick({ ...person, at: T + 30_000 })).toEqual({ machine: false });
  });

  it('refuses negative, non-finite or mistyped values and ignores unknown keys', () => {
    expect(() => resolveThresholds({ linkSweepMs: -1 })).toThrow(RangeError);
    expect(() => resolveThresholds({ linkSweepMs: Number.NaN })).toThrow(RangeError);
    expect(() => resolveThresholds({ flagGatewayReferer: 'no' as unknown as boolean })).toThrow(RangeError);
    expect(resolveThresholds({ nope: 1 } as never)).toEqual(DEFAULT_THRESHOLDS);
  });

  it('never mutates the defaults', () => {
    resolveThresholds({ clickAfterDeliveryMs: 1 });
    expect(DEFAULT_THRESHOLDS.clickAfterDeliveryMs).toBe(5_000);
    expect(Object.isFrozen(DEFAULT_THRESHOLDS)).toBe(true);
  });
});
