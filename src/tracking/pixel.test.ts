import { describe, expect, it } from 'vitest';
import { NO_CACHE_HEADERS, PIXEL_GIF, PIXEL_HEADERS } from './pixel';

describe('PIXEL_GIF', () => {
  it('is a 43-byte GIF89a of 1 × 1 pixel', () => {
    // 6 header + 7 screen descriptor + 6 color table + 8 control extension + 10 image descriptor
    // + 5 image data + 1 trailer = 43
    expect(PIXEL_GIF.length).toBe(43);
    expect(PIXEL_GIF.subarray(0, 6).toString('ascii')).toBe('GIF89a');
    expect(PIXEL_GIF.readUInt16LE(6)).toBe(1); // screen width
    expect(PIXEL_GIF.readUInt16LE(8)).toBe(1); // screen height
    expect(PIXEL_GIF.readUInt16LE(32)).toBe(1); // image width (image descriptor at 27: 0x2c, x, y, w, h)
    expect(PIXEL_GIF.readUInt16LE(34)).toBe(1); // image height
    expect(PIXEL_GIF[PIXEL_GIF.length - 1]).toBe(0x3b);
  });

  it('has its only pixel transparent', () => {
    // graphic control extension at 19: 21 f9 04 <flags> <delay 2 bytes> <transparent index> 00
    expect([PIXEL_GIF[19], PIXEL_GIF[20]]).toEqual([0x21, 0xf9]);
    expect(PIXEL_GIF[22] & 1).toBe(1); // transparency flag
    const transparentIndex = PIXEL_GIF[25];
    // LZW codes of 3 bits (min code size 2), packed from the low bit: clear = 4, pixel, end = 5
    const data = PIXEL_GIF[39] | (PIXEL_GIF[40] << 8);
    expect(data & 0b111).toBe(4);
    expect((data >> 3) & 0b111).toBe(transparentIndex);
    expect((data >> 6) & 0b111).toBe(5);
  });
});

describe('headers', () => {
  it('forbid caching and describe the GIF', () => {
    expect(PIXEL_HEADERS['content-type']).toBe('image/gif');
    expect(PIXEL_HEADERS['content-length']).toBe('43');
    expect(PIXEL_HEADERS['cache-control']).toContain('no-store');
    expect(NO_CACHE_HEADERS.pragma).toBe('no-cache');
    expect(new Date(NO_CACHE_HEADERS.expires).getTime()).toBe(0);
  });
});
