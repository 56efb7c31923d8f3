// Tests for the bounds applied to every provider adapter's output.
import { describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../domain/types';
import { boundParsed, cleanJson } from './bounds';
import { emptyParsed, parsed, secondsToMs } from './shared';

const NOW = Date.UTC(2026, 11, 7, 12);
const ev = (over: Partial<IncomingEvent>): IncomingEvent => ({ type: 'delivered', at: NOW - 1000, ref: { kind: 'provider', provider: 'whatsapp', providerMessageId: 'wamid.A' }, ...over }) as IncomingEvent;

describe('boundParsed', () => {
  it('drops events dated outside the window with a reason, keeps the others', () => {
    const p = emptyParsed();
    p.events.push(ev({ at: 99999999999999 * 1000 }), ev({ providerEventId: 'ok' }), ev({ at: NaN }), ev({ at: Date.UTC(1999, 0, 1) }));
    const r = boundParsed(parsed(p), NOW);
    expect(r.ok && r.value.events.map((e) => e.providerEventId)).toEqual(['ok']);
    expect(r.ok && r.value.skipped).toEqual([
      expect.stringMatching(/^delivered event dropped: its timestamp \(99999999999999000 ms since 1970\) is more than 24 hours in the future/),
      'delivered event dropped: its timestamp (not a number) is not a time',
      'delivered event dropped: its timestamp (1999-01-01T00:00:00.000Z) is before 2000-01-01: check the unit (seconds vs milliseconds) or the year',
    ]);
  });
  it('replaces NUL and lone surrogates with U+FFFD and cuts strings to the API lengths', () => {
    const p = emptyParsed();
    p.events.push(ev({ providerEventId: 'e\u0000', url: 'https://x.example/\uD800', text: 'y'.repeat(9000), ref: { kind: 'provider', provider: 'whatsapp', providerMessageId: 'w\uDFFF' }, meta: { 'k\u0000': ['v\u0000'] } }));
    p.optChanges.push({ channel: 'whatsapp', address: '+33\u0000', optedOut: true, reason: 'stop' });
    const r = boundParsed(parsed(p), NOW);
    if (!r.ok) throw new Error('parsed');
    const e = r.value.events[0];
    expect(e.providerEventId).toBe('e\uFFFD');
    expect(e.url).toBe('https://x.example/\uFFFD');
    expect(e.text).toHaveLength(5000);
    expect(e.ref).toEqual({ kind: 'provider', provider: 'whatsapp', providerMessageId: 'w\uFFFD' });
    expect(e.meta).toEqual({ 'k\uFFFD': ['v\uFFFD'] });
    expect(r.value.optChanges[0].address).toBe('+33\uFFFD');
  });
  it('drops a cost beyond the money maximum, keeping the event', () => {
    const p = emptyParsed();
    p.events.push(ev({ costMinor: 1e308 }));
    const r = boundParsed(parsed(p), NOW);
    expect(r.ok && r.value.events[0].costMinor).toBeUndefined();
  });
  it('turns non-finite numbers in metadata into null', () => {
    expect(cleanJson({ a: Infinity, b: [1] })).toEqual({ a: null, b: [1] });
  });
});

describe('secondsToMs', () => {
  it('is undefined when absent (receipt time is used) and NaN when present but not a time (dropped)', () => {
    expect(secondsToMs(undefined)).toBeUndefined();
    expect(secondsToMs('')).toBeUndefined();
    expect(secondsToMs('1765108800')).toBe(1765108800000);
    expect(secondsToMs('soon')).toBeNaN();
    expect(secondsToMs(-5)).toBeNaN();
  });
});
