import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../domain/types';
import { canonicalDestination } from './destination';
import { clickDestination, destinationTemplate, parseClickId, slugify, type DestinationOptions } from './utm';

const CID = 'AbCdEfGhIjKlMnOp'; // 16 base64url characters: a well-formed click id
const base: DestinationOptions = { utmEnabled: true, channel: 'sms', campaignSlug: 'soldes-ete' };
/** Where a click goes, as the redirect builds it: the link's template, then this click's id. */
const clickTo = (url: string, o: DestinationOptions, clickId = CID) => clickDestination(destinationTemplate(url, o), clickId);

describe('destination of a click', () => {
  it('appends utm_source, utm_medium, utm_campaign and the click id', () => {
    expect(clickTo('https://shop.example/p/42', base)).toBe(
      `https://shop.example/p/42?utm_source=mesure&utm_medium=sms&utm_campaign=soldes-ete&mesure_cid=${CID}`,
    );
  });

  it('adds utm_content for a variant and uses the account source and click id parameter', () => {
    const url = clickTo('https://shop.example/', {
      ...base,
      channel: 'whatsapp',
      utmSource: 'newsletter',
      variant: 'B',
      clickIdParam: 'cid',
    });
    expect(url).toBe(
      `https://shop.example/?utm_source=newsletter&utm_medium=whatsapp&utm_campaign=soldes-ete&utm_content=B&cid=${CID}`,
    );
  });

  it('keeps the merchant query byte for byte and the fragment at the end', () => {
    const url = clickTo('https://shop.example/s?q=a+b&x=%7E#reviews', base);
    expect(url).toBe(
      `https://shop.example/s?q=a+b&x=%7E&utm_source=mesure&utm_medium=sms&utm_campaign=soldes-ete&mesure_cid=${CID}#reviews`,
    );
  });

  it("lets the merchant's own UTM win and adds only the missing ones", () => {
    const url = clickTo('https://shop.example/?utm_campaign=SUMMER&utm_source=crm', base);
    expect(url).toBe(`https://shop.example/?utm_campaign=SUMMER&utm_source=crm&utm_medium=sms&mesure_cid=${CID}`);
  });

  it('replaces a stale click id already in the destination', () => {
    const url = clickTo('https://shop.example/?mesure_cid=OLDOLDOLDOLDOLDO&a=1', { ...base, utmEnabled: false });
    expect(url).toBe(`https://shop.example/?a=1&mesure_cid=${CID}`);
  });

  it('adds only the click id when the account turned UTM off', () => {
    expect(clickTo('https://shop.example/p', { ...base, utmEnabled: false })).toBe(
      `https://shop.example/p?mesure_cid=${CID}`,
    );
  });

  it('handles a bare "?" and a trailing "&"', () => {
    const o = { ...base, utmEnabled: false };
    expect(clickTo('https://shop.example/p?', o)).toBe(`https://shop.example/p?mesure_cid=${CID}`);
    expect(clickTo('https://shop.example/p?a=1&', o)).toBe(`https://shop.example/p?a=1&mesure_cid=${CID}`);
  });

  it('encodes values that need it', () => {
    const url = clickTo('https://shop.example/', { ...base, utmSource: 'a&b c' });
    expect(url).toBe(`https://shop.example/?utm_source=a%26b%20c&utm_medium=sms&utm_campaign=soldes-ete&mesure_cid=${CID}`);
  });

  it('refuses anything that is not an absolute http(s) URL', () => {
    for (const bad of ['javascript:alert(1)', '/relative', 'ftp://x/', ' https://x/', 'mailto:a@b.c']) {
      expect(() => clickTo(bad, base)).toThrow(TypeError);
    }
  });

  it('splits around the click id so that each click only fills its own id in (the redirect keeps one per link)', () => {
    const url = 'https://shop.example/p?mesure_cid=OLDOLDOLDOLDOLD0&x=1#top';
    const t = destinationTemplate(url, { utmEnabled: true, channel: 'email', campaignSlug: 'noel', variant: 'B' });
    expect(t).toEqual({ head: 'https://shop.example/p?x=1&utm_source=mesure&utm_medium=email&utm_campaign=noel&utm_content=B&mesure_cid=', tail: '#top' });
    for (const id of [CID, 'ZZZZZZZZZZZZZZZ_']) expect(clickDestination(t, id)).toBe(`${t.head}${id}#top`);
  });

  it('never changes the host, path or fragment, keeps every merchant parameter and carries ours', () => {
    const key = fc.stringMatching(/^[a-z_]{1,8}$/); // never our own mesure_cid: that case is tested above
    const value = fc.stringMatching(/^[A-Za-z0-9%+.~-]{0,8}$/);
    fc.assert(
      fc.property(
        fc.webUrl({ withQueryParameters: false, withFragments: true }),
        fc.array(fc.tuple(key, value), { maxLength: 5 }),
        fc.constantFrom(...CHANNELS),
        fc.boolean(),
        (raw, params, channel, utmEnabled) => {
          const hashAt = raw.indexOf('#');
          const [head, frag] = hashAt < 0 ? [raw, ''] : [raw.slice(0, hashAt), raw.slice(hashAt)];
          const query = params.map(([k, v]) => `${k}=${v}`).join('&');
          const url = query === '' ? raw : `${head}?${query}${frag}`;
          fc.pre(canonicalDestination(url).ok); // registration refuses any other
          const out = clickTo(url, { ...base, channel, utmEnabled });
          const a = new URL(url);
          const b = new URL(out);
          expect(b.origin).toBe(a.origin);
          expect(b.pathname).toBe(a.pathname);
          expect(b.hash).toBe(a.hash);
          expect(b.search.slice(1).startsWith(a.search.slice(1))).toBe(true);
          expect(b.searchParams.getAll('mesure_cid')).toEqual([CID]);
          if (utmEnabled) expect(b.searchParams.has('utm_medium')).toBe(true);
          for (const [k] of params) expect(b.searchParams.getAll(k)).toEqual(a.searchParams.getAll(k));
        },
      ),
    );
  });
});

describe('slugify', () => {
  it.each([
    ["Soldes d'été 2024", 'soldes-d-ete-2024'],
    ['  Black   Friday!!  ', 'black-friday'],
    ['Straße & Œuvre', 'strasse-oeuvre'],
    ['Noël — J-3', 'noel-j-3'],
    ['!!!', 'campaign'],
    ['', 'campaign'],
  ])('%j → %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('is short, lower-case ASCII and never starts or ends with a dash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (name) => {
        const slug = slugify(name);
        expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(slug.length).toBeLessThanOrEqual(80);
      }),
    );
  });
});

describe('parseClickId', () => {
  it('reads an absolute landing URL', () => {
    expect(parseClickId(`https://shop.example/p?utm_campaign=soldes-ete&utm_medium=sms&mesure_cid=${CID}`)).toEqual({
      clickId: CID,
      utmSource: null,
      utmMedium: 'sms',
      utmCampaign: 'soldes-ete',
      utmContent: null,
    });
  });

  it('reads relative paths, bare queries and HTML-escaped ampersands', () => {
    expect(parseClickId(`/products/x?utm_source=mesure&mesure_cid=${CID}`).clickId).toBe(CID);
    expect(parseClickId(`products/x?mesure_cid=${CID}`).clickId).toBe(CID);
    expect(parseClickId(`?mesure_cid=${CID}`).clickId).toBe(CID);
    const escaped = parseClickId(`/p?utm_source=mesure&amp;mesure_cid=${CID}`);
    expect(escaped.clickId).toBe(CID);
    expect(escaped.utmSource).toBe('mesure');
  });

  it('ignores a click id that Mesure could not have issued', () => {
    expect(parseClickId('/p?mesure_cid=short').clickId).toBeNull();
    expect(parseClickId("/p?mesure_cid=1' OR '1'='1").clickId).toBeNull();
    expect(parseClickId(`/p?mesure_cid=bad&mesure_cid=${CID}`).clickId).toBe(CID);
  });

  it('reads the account click id parameter', () => {
    expect(parseClickId(`/p?cid=${CID}`, 'cid').clickId).toBe(CID);
    expect(parseClickId(`/p?cid=${CID}`).clickId).toBeNull();
  });

  it('gives nulls for a landing URL with nothing, and never throws', () => {
    expect(parseClickId('/')).toEqual({
      clickId: null,
      utmSource: null,
      utmMedium: null,
      utmCampaign: null,
      utmContent: null,
    });
    fc.assert(fc.property(fc.string(), (s) => void parseClickId(s)));
  });

  it('finds what the redirect wrote', () => {
    const url = clickTo('https://shop.example/p?a=1#x', { ...base, variant: 'B' });
    expect(parseClickId(url)).toEqual({
      clickId: CID,
      utmSource: 'mesure',
      utmMedium: 'sms',
      utmCampaign: 'soldes-ete',
      utmContent: 'B',
    });
  });
});
