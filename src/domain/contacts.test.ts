import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeEmail, normalizePhone, recipientAddress } from './contacts';

describe('normalizeEmail', () => {
  it('lower-cases and trims', () => expect(normalizeEmail('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com'));
  it('refuses what is not an address', () => {
    expect(normalizeEmail('jane@')).toBeNull();
    expect(normalizeEmail('jane@example')).toBeNull();
    expect(normalizeEmail('ja ne@example.com')).toBeNull();
    expect(normalizeEmail('')).toBeNull();
  });
});

describe('normalizePhone', () => {
  it('formats a French mobile in national form with the default country', () =>
    expect(normalizePhone('06 12 34 56 78', 'FR')).toBe('+33612345678'));
  it('accepts WhatsApp recipient ids without a plus', () => expect(normalizePhone('33612345678')).toBe('+33612345678'));
  it('refuses an invalid number', () => expect(normalizePhone('+33 12', 'FR')).toBeNull());
});

describe('recipientAddress', () => {
  it('refuses a French landline for SMS but keeps a mobile', () => {
    expect(recipientAddress('sms', { phone: '+33 1 42 68 53 00' })).toBeNull();
    expect(recipientAddress('sms', { phone: '+33 6 12 34 56 78' })).toBe('+33612345678');
  });
  it('matches two spellings of the same street', () => {
    const a = normalizeAddress({ line1: '12, av. des Champs-Élysées', postalCode: '75008', city: 'Paris', country: 'FR' });
    const b = normalizeAddress({ line1: '12 AVENUE DES CHAMPS ELYSEES', postalCode: '75 008', city: 'paris', country: 'fr' });
    expect(a).toBe('12 AVENUE DES CHAMPS ELYSEES|75008|PARIS|FR');
    expect(b).toBe(a);
  });
  it('calls an address without a city incomplete, and one without an addressee name complete', () => {
    expect(recipientAddress('mail', { address: { line1: '1 rue X', postalCode: '75001' } })).toBeNull();
    // A letter goes to line 1, postal code and city; the name is printed when given, never required.
    expect(recipientAddress('mail', { address: { line1: '1 rue X', postalCode: '75001', city: 'Paris' } })).toBe('1 RUE X|75001|PARIS');
  });
});
