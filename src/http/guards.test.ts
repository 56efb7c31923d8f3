// Tests for the NUL / lone-surrogate guard run on bodies, query strings and path parameters.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { badStringMessage, findBadString } from './guards';

describe('findBadString', () => {
  it('names the first bad value by its JSON Pointer path', () => {
    expect(findBadString({ events: [{ type: 'sent' }, { providerEventId: 'x\u0000' }] })).toEqual({ path: '/events/1/providerEventId', message: 'contains a NUL character (U+0000)' });
    expect(findBadString({ a: { 'b/c': ['ok', 'x\uD800'] } })).toMatchObject({ path: '/a/b~1c/1', message: expect.stringMatching(/surrogate/) });
    expect(findBadString('\uDC00')).toMatchObject({ path: '/' });
  });
  it('checks property names too', () => {
    expect(findBadString({ 'k\u0000': 1 })).toMatchObject({ message: expect.stringMatching(/property name/) });
  });
  it('passes clean data, numbers, null, and objects without a prototype (query strings)', () => {
    const q = Object.assign(Object.create(null) as object, { q: 'été 😀', n: '1' });
    expect(findBadString({ a: [1, null, true, 'ok'], q })).toBeNull();
    expect(findBadString(undefined)).toBeNull();
  });
  it('does not walk a streamed body or a buffer', () => {
    expect(findBadString(Readable.from(['a\u0000'])) ).toBeNull();
    expect(findBadString(Buffer.from('a\u0000'))).toBeNull();
  });
  it('stops at a depth that cannot be reached by honest JSON', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(findBadString(deep)).toBeNull();
  });
  it('says where and what to do', () => {
    expect(badStringMessage('params', { path: '/id', message: 'contains a NUL character (U+0000)' })).toBe('Invalid path: /id contains a NUL character (U+0000). Remove it (send text as UTF-8 without control character U+0000).');
  });
});
