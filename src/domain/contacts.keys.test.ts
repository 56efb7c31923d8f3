// recipientKeys normalises each recipient once for the send gate and registration: it must say exactly what the
// separate functions say (recipientAddress, normalizeEmail, normalizePhone, normalizeAddress, countryOfPhone).
import { describe, expect, it } from 'vitest';
import { normalizeAddress, normalizeEmail, normalizePhone, phoneFacts, recipientAddress, recipientKeys } from './contacts';
import { countryOfPhone } from './costs';
import type { Channel } from './types';

const phones = [
  '+33612345678', '06 12 34 56 78', '0612345678', '33612345678', '+33 1 42 68 53 00', '0142685300', '+33 12', '',
  '  +33 7 00 00 00 01 ', '+14155552671', '(415) 555-2671', '+12042345678', '204 234 5678', '+447700900123', '07700 900123',
  '+447797123456', '+590690001234', '0690001234', '+8613800138000', '+0612345678', 'not a phone', '12345678901',
];
const emails = ['Jane.Doe@Example.COM ', 'jane@', 'a@b.co', ''];
const address = { line1: '12, av. des Champs-Élysées', postalCode: '75008', city: 'Paris', country: 'FR' };

describe('recipientKeys', () => {
  it('gives the same keys as the separate normalisers, for every channel and default country', () => {
    let checked = 0;
    for (const country of [undefined, 'FR', 'US', 'GB', 'GP']) {
      for (const channel of ['sms', 'whatsapp', 'email', 'mail'] as Channel[]) {
        for (const phone of phones) {
          for (const email of [emails[checked % emails.length]]) {
            const identity = { phone, email, address: checked % 3 === 0 ? address : undefined };
            const k = recipientKeys(channel, identity, country);
            const addr = recipientAddress(channel, identity, country);
            expect(k.address).toBe(addr);
            expect(k.email).toBe(normalizeEmail(email));
            expect(k.phone).toBe(normalizePhone(phone, country));
            expect(k.addressKey).toBe(normalizeAddress(identity.address));
            expect(k.phoneCountry).toBe((channel === 'sms' || channel === 'whatsapp') && addr ? countryOfPhone(addr) : null);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBe(5 * 4 * phones.length);
  });

  it('names the country of +1 and +44 numbers from the number, not the default country', () => {
    expect(phoneFacts('204 234 5678', 'US')).toEqual({ e164: '+12042345678', mobileCapable: true, country: 'CA' });
    expect(phoneFacts('+33612345678', 'US')).toEqual({ e164: '+33612345678', mobileCapable: true, country: 'FR' });
    expect(phoneFacts('+33142685300')).toEqual({ e164: '+33142685300', mobileCapable: false, country: 'FR' });
    expect(phoneFacts('+33 12', 'FR')).toBeNull();
  });
});
