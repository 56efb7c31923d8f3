// The open pixel: a 1×1 transparent GIF and the headers that stop any cache between the reader and Mesure
// from answering in our place (a cached pixel is an open we never hear about).

/** GIF89a, 43 bytes; the smallest form every mail client decodes (some reject the 42-byte variant). */
export const PIXEL_GIF: Buffer = Buffer.from([
  // header
  0x47, 0x49, 0x46, 0x38, 0x39, 0x61, // "GIF89a"
  // logical screen descriptor: 1 × 1, global color table of 2 entries, background index 0
  0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
  // global color table: index 0 white, index 1 black
  0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
  // graphic control extension: transparency on, transparent index 0
  0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
  // image descriptor: at 0,0, 1 × 1, no local color table
  0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  // image data: LZW minimum code size 2, one 2-byte sub-block (clear, pixel 0, end), block terminator
  0x02, 0x02, 0x44, 0x01, 0x00,
  // trailer
  0x3b,
]);

/**
 * Sent with the pixel and with every tracking redirect. `no-store` is what modern caches obey; `no-cache`,
 * `must-revalidate`, `Pragma` and a past `Expires` cover old proxies; `private` keeps shared caches out even
 * if one ignores the rest.
 */
export const NO_CACHE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store, no-cache, must-revalidate, private, max-age=0',
  pragma: 'no-cache',
  expires: 'Thu, 01 Jan 1970 00:00:00 GMT',
});

export const PIXEL_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...NO_CACHE_HEADERS,
  'content-type': 'image/gif',
  'content-length': String(PIXEL_GIF.length),
});
