import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../domain/types';
import { canonicalDestination, canonicalDestinations, MAX_DESTINATION_LENGTH } from './destination';
import { destinationTemplate } from './utm';

const ok = (s: string) => {
  const c = canonicalDestination(s);
  if (!c.ok) throw new Error(`refused ${JSON.stringify(s)}: ${c.problem}`);
  return c.url;
};

// Inputs a merchant (or an attacker) may send: URL-shaped strings with accents, symbols, controls, lone surrogates.
const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('é', '€', '%', '%7e', '%zz', '+', ' ', '\r\n', '\t', '\u0085', '\u2028', '\ud800', '#', '?', '&', '/../', '\\', '`', '{}', '|', '^', '"', "'", '<>', '@', ':'),
);
const urlish = fc.tuple(
  fc.constantFrom('https://', 'http://', 'HTTPS://', 'javascript:', 'ftp://', '//', '', 'https:/', 'data:'),
  fc.constantFrom('shop.example', 'Shop.Example', 'exämple.com', '127.0.0.1', '[::1]', 'xn--exmple-cua.com', 'a', 'u:p@shop.example', 'shop.example:8443'),
  fc.array(piece, { maxLength: 5 }),
).map(([scheme, host, rest]) => scheme + host + '/' + rest.join(''));
const anyInput = fc.oneof(urlish, fc.string({ unit: 'binary', maxLength: 60 }), fc.webUrl({ withQueryParameters: true, withFragments: true }));

describe('canonicalDestination', () => {
  it('percent-encodes what is not ASCII, as browsers do (hand-computed UTF-8 bytes)', () => {
    // é = C3 A9, € = E2 82 AC
    expect(ok('https://shop.example/soldes-été-€50')).toBe('https://shop.example/soldes-%C3%A9t%C3%A9-%E2%82%AC50');
    expect(ok('https://shop.example/p?q=été#avis clients')).toBe('https://shop.example/p?q=%C3%A9t%C3%A9#avis%20clients');
    expect(ok('https://exämple.com/')).toBe('https://xn--exmple-cua.com/');
    expect(ok('HTTPS://Shop.Example:443/a/../b')).toBe('https://shop.example/b');
    expect(ok('https://shop.example')).toBe('https://shop.example/');
  });

  it('keeps what is already encoded, and `+`, as written', () => {
    expect(ok('https://shop.example/s?q=a+b&x=%7E&y=%7e')).toBe('https://shop.example/s?q=a+b&x=%7E&y=%7e');
  });

  it('refuses control characters, saying which and where, instead of deleting them as URL parsers do', () => {
    const c = canonicalDestination('https://shop.example/a\r\nb');
    expect(c).toEqual({ ok: false, problem: 'contains a control character (U+000D at position 22): remove line breaks, tabs and other invisible characters from the URL' });
    for (const bad of ['https://shop.example/\tx', 'https://shop.example/\u0000', 'https://shop.example/\u007f', 'https://shop.example/\u0085', '\nhttps://shop.example/']) {
      expect(canonicalDestination(bad).ok).toBe(false);
    }
  });

  it('refuses what is not an absolute http(s) URL, with what to do', () => {
    expect(canonicalDestination('javascript:alert(1)')).toEqual({ ok: false, problem: 'is a javascript: URL: only http:// and https:// destinations can be tracked' });
    expect(canonicalDestination('/soldes')).toEqual({ ok: false, problem: 'is not an absolute URL: write it in full, starting with https://' });
    expect(canonicalDestination(' https://shop.example/')).toEqual({ ok: false, problem: 'starts or ends with spaces: remove them' });
    expect(canonicalDestination('').ok).toBe(false);
    expect(canonicalDestination('https://shop.example/' + 'é'.repeat(700)).ok).toBe(false); // 21 + 4200 characters once encoded
    expect(canonicalDestination('https://shop.example/' + 'a'.repeat(MAX_DESTINATION_LENGTH)).ok).toBe(false);
  });

  it('names each refused link by its position and URL, and refuses the list when one is bad', () => {
    expect(canonicalDestinations(['https://shop.example/é', 'https://shop.example/\r\n'])).toEqual({
      ok: false,
      errors: [{ index: 1, url: 'https://shop.example/\r\n', message: 'link 2 "https://shop.example/\\r\\n" contains a control character (U+000D at position 21): remove line breaks, tabs and other invisible characters from the URL' }],
    });
  });

  it('is idempotent, and its output is printable ASCII, http(s), and the same address', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const c = canonicalDestination(input);
        if (!c.ok) return;
        expect(canonicalDestination(c.url)).toEqual(c);
        expect(c.url).toMatch(/^[\x21-\x7e]+$/);
        const u = new URL(c.url);
        expect(['http:', 'https:']).toContain(u.protocol);
        expect(u.href).toBe(new URL(input).href);
      }),
      { numRuns: 3000 },
    );
  });

  it('never accepts an input holding a control character', () => {
    fc.assert(
      fc.property(urlish, fc.constantFrom('\r', '\n', '\t', '\u0000', '\u001b', '\u007f', '\u009b'), fc.nat(), (input, control, at) => {
        const i = at % (input.length + 1);
        expect(canonicalDestination(input.slice(0, i) + control + input.slice(i)).ok).toBe(false);
      }),
    );
  });

  it('the redirect built on it goes only to the registered destination, in printable ASCII, whatever the settings', () => {
    fc.assert(
      fc.property(
        anyInput,
        fc.record({
          utmEnabled: fc.boolean(),
          utmSource: fc.string({ unit: 'binary', maxLength: 10 }),
          channel: fc.constantFrom(...CHANNELS),
          campaignSlug: fc.string({ unit: 'binary', maxLength: 10 }),
          variant: fc.option(fc.string({ unit: 'binary', maxLength: 10 }), { nil: undefined }),
          clickIdParam: fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/),
        }),
        fc.stringMatching(/^[A-Za-z0-9_-]{16}$/),
        (input, o, clickId) => {
          const c = canonicalDestination(input);
          if (!c.ok) {
            expect(() => destinationTemplate(input, o)).toThrow(TypeError);
            return;
          }
          const t = destinationTemplate(input, o);
          const location = t.head + encodeURIComponent(clickId) + t.tail;
          expect(location).toMatch(/^[\x21-\x7e]+$/);
          const to = new URL(location);
          const registered = new URL(c.url);
          expect(to.origin).toBe(registered.origin);
          expect(to.username + to.password).toBe(registered.username + registered.password);
          expect(to.pathname).toBe(registered.pathname);
          expect(to.hash).toBe(registered.hash);
          expect(to.searchParams.getAll(o.clickIdParam)).toEqual([clickId]);
          // Built from the canonical text: the same template whichever spelling was stored.
          expect(destinationTemplate(c.url, o)).toEqual(t);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
