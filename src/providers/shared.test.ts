// Tests for the helpers shared by provider adapters, and for the registry's promises common to all of them.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getProviderAdapter, providerAdapters } from './index';
import { decimalToMinor, keywordOf, linkEvent, parseJson, secretsEqual, toE164, withinReplayWindow } from './shared';
import { rawRequest } from './test-helpers';
import { PROVIDER_NAMES } from './types';

describe('decimalToMinor', () => {
  it.each([
    ['-0.07580', 'USD', -8, false], // 7.580 cents rounds half away from zero to 8
    ['-0.0750', 'USD', -8, false], // 7.50 cents: exactly half, away from zero
    ['-0.0749', 'USD', -7, false],
    ['0.0500', 'EUR', 5, true],
    ['12.3', 'EUR', 1230, true],
    ['150', 'JPY', 150, true], // yen have no minor unit
    ['1.2345', 'KWD', 1235, false], // dinar has 3 decimals: 1234.5 fils → 1235
    ['-12.5', 'HUF', -1250, true], // ISO 4217 gives the forint 2 decimals (fillér), like the orders in HUF; Intl shows 0
    ['0.125', 'IQD', 125, true], // Iraqi dinar: 3 decimals in ISO 4217 (Intl shows 0)
    ['-0.00', 'USD', 0, true],
  ])('%s %s is %i minor units', (amount, currency, minor, exact) => {
    expect(decimalToMinor(amount, currency)).toEqual({ minor, exact });
  });
  it('refuses what is not a plain decimal or not a currency', () => {
    expect(decimalToMinor('1e3', 'USD')).toBeUndefined();
    expect(decimalToMinor('0.1', 'NOTACURRENCY')).toBeUndefined();
  });
  it('matches integer arithmetic on cents for any two-decimal amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (cents) => {
        const abs = Math.abs(cents);
        const text = `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
        expect(decimalToMinor(text, 'EUR')).toEqual({ minor: cents === 0 ? 0 : cents, exact: true });
      }),
    );
  });
});

describe('small helpers', () => {
  it('normalizes phone numbers from provider forms to E.164, and refuses short codes', () => {
    expect(toE164('33612345678')).toBe('+33612345678');
    expect(toE164('whatsapp:+33612345678')).toBe('+33612345678');
    expect(toE164('+1 (415) 523-8886')).toBe('+14155238886');
    expect(toE164('12345')).toBeUndefined();
    expect(toE164('MESURE')).toBeUndefined();
  });
  it('reduces replies to keywords without case, accents or surrounding punctuation', () => {
    expect(keywordOf(' Arrêt ! ')).toBe('ARRET');
    expect(keywordOf('stop.')).toBe('STOP');
    expect(keywordOf('stop now')).toBe('STOP NOW');
  });
  it('compares secrets of different lengths without throwing', () => {
    expect(secretsEqual('a:b', 'a:b')).toBe(true);
    expect(secretsEqual('a:b', 'a:bc')).toBe(false);
    expect(secretsEqual('', '')).toBe(true);
  });
  it('keeps the replay window symmetric and inclusive at 5 minutes', () => {
    expect(withinReplayWindow(0, 300_000)).toBe(true);
    expect(withinReplayWindow(0, 300_001)).toBe(false);
    expect(withinReplayWindow(300_001, 0)).toBe(false);
  });
  it('links by Mesure id first, then campaign + recipient, then provider id', () => {
    expect(linkEvent('p', 'x', { messageId: 'm', campaignId: 'c' }, 'r')).toEqual({
      ref: { kind: 'id', messageId: 'm' },
      provider: 'p',
      providerMessageId: 'x',
    });
    expect(linkEvent('p', 'x', { campaignId: 'c' }, 'r')?.ref).toEqual({ kind: 'recipient', campaignId: 'c', recipient: 'r' });
    expect(linkEvent('p', 'x', { campaignId: 'c' }, undefined)).toEqual({ ref: { kind: 'provider', provider: 'p', providerMessageId: 'x' } });
    expect(linkEvent('p', undefined, {}, 'r')).toBeUndefined();
  });
});

describe('provider registry', () => {
  it('has one adapter per provider, under its own name', () => {
    for (const name of PROVIDER_NAMES) expect(getProviderAdapter(name)?.name).toBe(name);
    expect(getProviderAdapter('shopify')).toBeUndefined();
    expect(getProviderAdapter('__proto__')).toBeUndefined();
  });
  it('no adapter throws, and none accepts an unsigned request, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...PROVIDER_NAMES), (bytes, name) => {
        const adapter = providerAdapters[name];
        const req = rawRequest({ body: Buffer.from(bytes) });
        expect(adapter.verify(req, 'user:secret', 1_750_000_000_000).ok).toBe(false);
        const res = adapter.parse(req, 1_750_000_000_000);
        expect(typeof res.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseJson', () => {
  it('reads the body once: what the HTTP layer parsed is used as it is, else the raw bytes are parsed', () => {
    const parsed = { entry: [1] };
    expect(parseJson({ rawBody: Buffer.from('{"entry":[1]}'), json: parsed })).toEqual({ ok: true, value: parsed });
    expect((parseJson({ rawBody: Buffer.from('{"entry":[1]}'), json: parsed }) as { value: unknown }).value).toBe(parsed);
    expect(parseJson({ rawBody: Buffer.from('{"entry":[2]}') })).toEqual({ ok: true, value: { entry: [2] } });
    expect(parseJson({ rawBody: Buffer.from('{"entry":') })).toEqual({ ok: false });
  });
});
