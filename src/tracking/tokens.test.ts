import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLICK_ID_LENGTH,
  clickIdPool,
  LINK_TOKEN_LENGTH,
  isWellFormedClickId,
  isWellFormedToken,
  newClickId,
  newLinkToken,
} from './tokens';

const fixedBytes = (bytes: number[]) => (n: number) => Buffer.from(bytes.slice(0, n));

describe('newLinkToken', () => {
  it('encodes 9 bytes as 12 base64url characters', () => {
    // bytes 00 00 00 | ff ff ff | fb ef be: 6-bit groups 0,0,0,0 | 63,63,63,63 | 62,62,62,62
    // base64url: 0 -> 'A', 63 -> '_', 62 -> '-'
    expect(newLinkToken(fixedBytes([0, 0, 0, 0xff, 0xff, 0xff, 0xfb, 0xef, 0xbe]))).toBe('AAAA____----');
  });

  it('is always well formed, whatever the random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 9, maxLength: 9 }), (bytes) => {
        const token = newLinkToken(() => bytes);
        expect(token).toHaveLength(LINK_TOKEN_LENGTH);
        expect(isWellFormedToken(token)).toBe(true);
        expect(isWellFormedClickId(token)).toBe(false);
      }),
    );
  });

  it('maps distinct bytes to distinct tokens (the encoding loses no entropy)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 9, maxLength: 9 }),
        fc.uint8Array({ minLength: 9, maxLength: 9 }),
        (a, b) => {
          fc.pre(Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0);
          expect(newLinkToken(() => a)).not.toBe(newLinkToken(() => b));
        },
      ),
    );
  });

  it('gives 1000 different tokens from real randomness', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newLinkToken(randomBytes)));
    expect(tokens.size).toBe(1000);
  });

  it('refuses a random source that returns too few bytes', () => {
    expect(() => newLinkToken(() => Buffer.alloc(8))).toThrow(RangeError);
  });
});

describe('isWellFormedToken', () => {
  it.each([
    ['', 'empty'],
    ['AAAA____---', 'too short (11)'],
    ['AAAA____----A', 'too long (13)'],
    ['AAAA____---=', 'padding'],
    ['AAAA+___----', 'base64 "+" is not base64url'],
    ['AAAA/___----', 'slash would escape the path'],
    ['AAAA ___----', 'space'],
    ['AAAA____---\n', 'trailing newline'],
    ['ÀAAA____----', 'non-ASCII letter'],
  ])('rejects %j (%s)', (s) => {
    expect(isWellFormedToken(s)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isWellFormedToken(undefined)).toBe(false);
    expect(isWellFormedToken(123456789012)).toBe(false);
  });
});

describe('newClickId', () => {
  it('is 16 base64url characters and well formed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), (bytes) => {
        const id = newClickId(() => bytes);
        expect(id).toHaveLength(CLICK_ID_LENGTH);
        expect(isWellFormedClickId(id)).toBe(true);
        expect(isWellFormedToken(id)).toBe(false);
      }),
    );
  });
});

describe('clickIdPool', () => {
  it('gives each 12 bytes of the pool as the id newClickId would make of them, and refills when spent', () => {
    const drawn: Buffer[] = [];
    const source = (n: number) => {
      const b = randomBytes(n);
      drawn.push(b);
      return b;
    };
    const next = clickIdPool(source, 4);
    const ids = Array.from({ length: 10 }, () => next());
    expect(drawn.map((b) => b.length)).toEqual([48, 48, 48]); // 4 ids a pool: 10 ids took three pools
    const bytes = Buffer.concat(drawn);
    ids.forEach((id, i) => {
      expect(isWellFormedClickId(id)).toBe(true);
      expect(id).toBe(newClickId(() => bytes.subarray(i * 12, i * 12 + 12)));
    });
    expect(new Set(ids).size).toBe(10);
  });
});
