import { Window } from 'happy-dom';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkUrl, publicBase, qrUrl, renderQr } from './qr';

const TOKEN = 'AbCdEf123_-x';
const URL_ = qrUrl('https://m.example/', TOKEN);

function decodePng(png: Buffer) {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  return { width: image.width, height: image.height, text: code?.data ?? null };
}

describe('linkUrl / qrUrl', () => {
  it('puts a scan and a click on distinct paths of the same token', () => {
    expect(linkUrl('https://m.example', TOKEN)).toBe('https://m.example/l/AbCdEf123_-x');
    expect(qrUrl('https://m.example//', TOKEN)).toBe('https://m.example/q/AbCdEf123_-x');
  });

  it('refuses a malformed token', () => {
    expect(() => linkUrl('https://m.example', '../admin')).toThrow(TypeError);
  });
});

describe('renderQr', () => {
  it('draws a PNG that decodes back to the URL, with whole pixels per module', async () => {
    const png = await renderQr(URL_, { format: 'png' });
    const { width, height, text } = decodePng(png);
    expect(text).toBe(URL_);
    expect(width).toBe(height);
    // 'https://m.example/q/AbCdEf123_-x' is 32 bytes; at level M byte mode version 2 holds 26, version 3
    // holds 42, so version 3 = 29 modules; with margin 4: 29 + 8 = 37 modules; 600 / 37 = 16.2 → 16 px,
    // 37 × 16 = 592 px.
    expect(width).toBe(592);
  });

  it('honours size, margin and error correction', async () => {
    const png = await renderQr(URL_, { format: 'png', size: 300, margin: 2, errorCorrection: 'H' });
    const { width, text } = decodePng(png);
    expect(text).toBe(URL_);
    // level H byte mode: version 3 holds 24 bytes, version 4 holds 34, so version 4 = 33 modules;
    // 33 + 2 × 2 = 37; 300 / 37 = 8.1 → 8 px; 37 × 8 = 296 px.
    expect(width).toBe(296);
  });

  it('refuses a size too small to draw one pixel per module, and bad options', async () => {
    await expect(renderQr(URL_, { format: 'png', size: 20 })).rejects.toThrow(RangeError);
    await expect(renderQr(URL_, { format: 'png', margin: -1 })).rejects.toThrow(RangeError);
    await expect(renderQr(URL_, { format: 'svg', size: 10.5 })).rejects.toThrow(RangeError);
  });

  it('draws a well-formed SVG of exactly the requested size', async () => {
    const svg = await renderQr(URL_, { format: 'svg', size: 450 });
    const doc = new new Window().DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.querySelector('parsererror')).toBeNull();
    const root = doc.documentElement;
    expect(root.tagName.toLowerCase()).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('width')).toBe('450');
    expect(root.getAttribute('height')).toBe('450');
    // 29 modules + 2 × 4 margin = 37 units of viewBox
    expect(root.getAttribute('viewBox')).toBe('0 0 37 37');
    expect(doc.querySelectorAll('path').length).toBeGreaterThan(0);
  });
});

describe('publicBase', () => {
  it('keeps an address links can be written with, without its trailing slash, host in lower case, a proxy prefix kept', () => {
    expect(publicBase(' https://Mesure.Example.com/ ')).toEqual({ ok: true, value: 'https://mesure.example.com' });
    expect(publicBase('http://10.0.0.5:8080')).toEqual({ ok: true, value: 'http://10.0.0.5:8080' });
    expect(publicBase('https://shop.example/mesure/')).toEqual({ ok: true, value: 'https://shop.example/mesure' });
    // And a link written with it: <base>/q/<token>.
    expect(qrUrl((publicBase('https://shop.example/mesure/') as { value: string }).value, TOKEN)).toBe(`https://shop.example/mesure/q/${TOKEN}`);
  });
  it('refuses what no phone could open or what would change the links, saying why', () => {
    expect(publicBase('mesure.example.com')).toMatchObject({ ok: false, reason: expect.stringContaining('not an absolute URL') });
    expect(publicBase('ftp://mesure.example.com')).toMatchObject({ ok: false, reason: expect.stringContaining('https://') });
    expect(publicBase('https://a:b@mesure.example.com')).toMatchObject({ ok: false, reason: expect.stringContaining('user name') });
    expect(publicBase('https://mesure.example.com/?')).toMatchObject({ ok: false, reason: expect.stringContaining('query') });
    expect(publicBase('https://mesure.example.com/#x')).toMatchObject({ ok: false, reason: expect.stringContaining('fragment') });
    expect(publicBase('https://mesure.exa\tmple.com')).toMatchObject({ ok: false, reason: expect.stringContaining('control') });
  });
  it('never throws, and what it keeps is kept again unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl()), (raw) => {
        const r = publicBase(raw);
        if (r.ok) expect(publicBase(r.value)).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });
});
