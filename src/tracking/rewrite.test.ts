import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractLinks, rewriteLinks } from './rewrite';

const tracked = (url: string) => `https://m.example/l/${url.length}`;

describe('rewriteLinks: text', () => {
  it('replaces bare URLs and leaves sentence punctuation outside', () => {
    const body = 'Soldes ! https://shop.example/soldes. Et (voir https://shop.example/a?b=1&c=2), ou https://x.example!';
    // lengths: https://shop.example/soldes = 27, https://shop.example/a?b=1&c=2 = 30, https://x.example = 17
    expect(rewriteLinks(body, 'text', tracked)).toBe(
      'Soldes ! https://m.example/l/27. Et (voir https://m.example/l/30), ou https://m.example/l/17!',
    );
  });

  it('keeps a closing bracket that the URL opened', () => {
    const url = 'https://en.wikipedia.org/wiki/Bordeaux_(wine)';
    expect(extractLinks(`See ${url}.`, 'text')).toEqual([url]);
    expect(extractLinks(`(see ${url})`, 'text')).toEqual([url]);
  });

  it('stops at quotes, angle brackets and whitespace', () => {
    expect(extractLinks('"https://a.example/x" <https://b.example/y>\nhttps://c.example/z\ttab', 'text')).toEqual([
      'https://a.example/x',
      'https://b.example/y',
      'https://c.example/z',
    ]);
  });

  it('leaves unsubscribe links, other schemes and non-URLs alone', () => {
    const body =
      'STOP: https://shop.example/unsubscribe?u=1 or https://shop.example/d%C3%A9sinscription mailto:a@b.c tel:+33 http:// ftp://x';
    expect(rewriteLinks(body, 'text', tracked)).toBe(body);
    expect(extractLinks(body, 'text')).toEqual([]);
  });

  it('lists distinct destinations in order', () => {
    expect(extractLinks('https://b.example https://a.example https://b.example', 'text')).toEqual([
      'https://b.example',
      'https://a.example',
    ]);
  });

  it('never changes the text outside links', () => {
    // Words contain no ':' so they cannot start a URL; URLs end in a letter or digit so nothing is trimmed.
    const word = fc.stringMatching(/^[^\s:]{0,12}$/);
    const url = fc
      .tuple(fc.constantFrom('http', 'https', 'HTTPS'), fc.domain(), fc.stringMatching(/^(\/[a-z0-9]{1,6}){0,3}$/))
      .map(([s, d, p]) => `${s}://${d}${p}`);
    fc.assert(
      fc.property(fc.array(fc.tuple(word, url), { maxLength: 6 }), word, (pairs, tail) => {
        const body = pairs.map(([w, u]) => `${w} ${u} `).join('') + tail;
        let n = 0;
        const out = rewriteLinks(body, 'text', () => `<${n++}>`);
        expect(out).toBe(pairs.map(([w], i) => `${w} <${i}> `).join('') + tail);
        expect(extractLinks(body, 'text')).toEqual([...new Set(pairs.map(([, u]) => u))]);
      }),
    );
  });
});

describe('rewriteLinks: HTML', () => {
  it('replaces the href of <a>, whatever the quoting, and keeps everything else', () => {
    const body =
      '<p>Hi <a class="btn" href="https://shop.example/p?a=1&amp;b=2">buy</a>, ' +
      "<A HREF='https://shop.example/q'>q</A> <a href=https://shop.example/r>r</a></p>";
    const seen: string[] = [];
    const out = rewriteLinks(body, 'html', (u) => {
      seen.push(u);
      return `https://m.example/l/T${seen.length}`;
    });
    expect(seen).toEqual(['https://shop.example/p?a=1&b=2', 'https://shop.example/q', 'https://shop.example/r']);
    expect(out).toBe(
      '<p>Hi <a class="btn" href="https://m.example/l/T1">buy</a>, ' +
        "<A HREF='https://m.example/l/T2'>q</A> <a href=\"https://m.example/l/T3\">r</a></p>",
    );
  });

  it('escapes the tracked link for the attribute', () => {
    expect(rewriteLinks('<a href="https://a.example">x</a>', 'html', () => 'https://m.example/l/x?a=1&b="2"')).toBe(
      '<a href="https://m.example/l/x?a=1&amp;b=&quot;2&quot;">x</a>',
    );
  });

  it('reads attributes whose values contain ">" and ignores href-like text elsewhere', () => {
    const body = '<a title="a > b" href="https://a.example/">x</a> <img src="https://img.example/p.png"> https://text.example';
    expect(extractLinks(body, 'html')).toEqual(['https://a.example/']);
  });

  it('tracks Outlook VML buttons', () => {
    const body = '<!--[if mso]><v:roundrect href="https://shop.example/cta" arcsize="10%"><![endif]-->';
    expect(rewriteLinks(body, 'html', () => 'https://m.example/l/T')).toBe(
      '<!--[if mso]><v:roundrect href="https://m.example/l/T" arcsize="10%"><![endif]-->',
    );
  });

  it.each([
    ['<a href="mailto:help@shop.example">mail</a>', 'mailto'],
    ['<a href="tel:+33123456789">call</a>', 'tel'],
    ['<a href="#top">top</a>', 'anchor'],
    ['<a href="/relative">rel</a>', 'relative'],
    ['<a href="javascript:alert(1)">js</a>', 'javascript'],
    ['<a href="{{unsubscribe_url}}">x</a>', 'template placeholder'],
    ['<a href="https://shop.example/account/unsubscribe?id=1">leave</a>', 'unsubscribe URL'],
    ['<a href="https://shop.example/prefs?id=1">Se désinscrire</a>', 'unsubscribe text (French)'],
    ['<a href="https://shop.example/prefs?id=1"><span>Unsubscribe</span></a>', 'unsubscribe text in a span'],
    ['<a class="footer-unsubscribe" href="https://shop.example/prefs">here</a>', 'unsubscribe class'],
    ['<a data-mesure-notrack href="https://shop.example/">x</a>', 'data-mesure-notrack'],
    ['<a clicktracking="off" href="https://shop.example/">x</a>', 'SendGrid clicktracking=off'],
    ['<a name="x">no href</a>', 'no href'],
  ])('leaves %j alone (%s)', (body) => {
    expect(rewriteLinks(body, 'html', tracked)).toBe(body);
    expect(extractLinks(body, 'html')).toEqual([]);
  });

  it('never changes the HTML outside tracked hrefs', () => {
    const text = fc.stringMatching(/^[^<>]{0,15}$/);
    const url = fc.tuple(fc.domain(), fc.stringMatching(/^(\/[a-z0-9]{1,6}){0,2}$/)).map(([d, p]) => `https://${d}${p}`);
    const quote = fc.constantFrom('"', "'");
    fc.assert(
      fc.property(fc.array(fc.tuple(text, url, quote, text), { maxLength: 5 }), text, (links, tail) => {
        const render = (href: (u: string, i: number) => string) =>
          links.map(([before, u, q, label], i) => `${before}<a href=${q}${href(u, i)}${q}>${label}</a>`).join('') + tail;
        const body = render((u) => u);
        fc.pre(!/unsub|opt[-_ ]?out|d[ée]sinscri|d[ée]sabonn|abmelden/i.test(body));
        let n = 0;
        expect(rewriteLinks(body, 'html', () => `T${n++}`)).toBe(render((_, i) => `T${i}`));
      }),
    );
  });
});
