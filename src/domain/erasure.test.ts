import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { erasedEventData, erasedKey, erasedSuppressions } from './erasure';

describe('erasedKey', () => {
  const pepper = Buffer.alloc(32, 1);
  it('is erased: + the base64url HMAC-SHA256 of the identifier under the pepper', () => {
    // Computed here with node:crypto from the definition in docs/PRIVACY.md.
    const expected = createHmac('sha256', Buffer.alloc(32, 1)).update('ann@shop.test').digest('base64url');
    expect(erasedKey(pepper, 'ann@shop.test')).toBe(`erased:${expected}`);
    expect(erasedKey(pepper, 'ann@shop.test')).toMatch(/^erased:[A-Za-z0-9_-]{43}$/);
  });
  it('differs between identifiers and between peppers (accounts)', () => {
    expect(erasedKey(pepper, 'ann@shop.test')).not.toBe(erasedKey(pepper, 'bob@shop.test'));
    expect(erasedKey(pepper, 'ann@shop.test')).not.toBe(erasedKey(Buffer.alloc(32, 2), 'ann@shop.test'));
  });
});

describe('erasedSuppressions', () => {
  it('puts an e-mail on email, a phone on sms and whatsapp, an address on mail, an external id on all four', () => {
    const entries = erasedSuppressions({ emails: ['a@b.test'], phones: ['+33611223344'], addressKeys: ['1 RUE X|75001|PARIS|FR'], externalIds: ['c-1'] });
    expect(entries.map((e) => `${e.channel} ${e.identifier}`)).toEqual([
      'email a@b.test', 'sms +33611223344', 'whatsapp +33611223344', 'mail 1 RUE X|75001|PARIS|FR',
      'email ext:c-1', 'sms ext:c-1', 'whatsapp ext:c-1', 'mail ext:c-1',
    ]);
  });
});

describe('erasedEventData', () => {
  it('keeps what figures and costs read, drops texts, user agents, IPs and other metadata', () => {
    const data = JSON.stringify({
      bounceType: 'hard', failureReason: 'invalid_recipient', failureCode: '550', failureMessage: '550 ann@shop.test unknown', text: 'Hi, Ann here',
      costMinor: 7, costCurrency: 'EUR', segments: 2, providerEventId: 'ev1',
      meta: { userAgent: 'Mozilla/5.0 AnnPhone', ip: '203.0.113.9', from: '33611223344', pricing: { type: 'regular', billable: true }, token: 'tk1' },
    });
    expect(JSON.parse(erasedEventData(data)!)).toEqual({
      bounceType: 'hard', failureReason: 'invalid_recipient', failureCode: '550', costMinor: 7, costCurrency: 'EUR', segments: 2, providerEventId: 'ev1',
      meta: { pricing: { type: 'regular', billable: true }, token: 'tk1' },
    });
  });
  it('is null when nothing is left, and for no data', () => {
    expect(erasedEventData(JSON.stringify({ text: 'Hi', meta: { userAgent: 'x' } }))).toBeNull();
    expect(erasedEventData(null)).toBeNull();
  });
});
