// Normalising the ways a recipient is named (email, phone, postal address) so that messages, orders and
// suppression lists meet on the same key.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Channel } from './types';

/** Lower-cased, trimmed email, or null when it is not a plausible address. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const email = raw.trim().toLowerCase();
  // One @, a non-empty local part, a dotted domain, no spaces: what senders' validators accept.
  if (!/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(email) || email.length > 254) return null;
  return email;
}

/** E.164 form of a phone number, or null when it is not a valid number. */
export function normalizePhone(raw: string | null | undefined, defaultCountry?: string): string | null {
  if (!raw) return null;
  const cleaned = raw.trim();
  if (cleaned === '') return null;
  // WhatsApp sends numbers without '+' ("33612345678"); treat a long all-digit string as international.
  const candidate = /^\d{10,15}$/.test(cleaned) && !cleaned.startsWith('0') ? `+${cleaned}` : cleaned;
  const parsed = parsePhoneNumberFromString(candidate, defaultCountry as CountryCode | undefined);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** True when the number can receive SMS / WhatsApp (mobile or a type that may be mobile). */
export function isMobileCapable(e164: string): boolean {
  const parsed = parsePhoneNumberFromString(e164);
  return !!parsed && parsed.isValid() && mobileType(parsed.getType());
}

function mobileType(type: string | undefined): boolean {
  return type === undefined || type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE' || type === 'PERSONAL_NUMBER';
}

/** What one phone number tells: its E.164 form, whether it can receive SMS / WhatsApp, and its country. */
export interface PhoneFacts {
  e164: string;
  mobileCapable: boolean;
  country: string | null;
}

/**
 * `normalizePhone`, `isMobileCapable` and the country of the E.164 form (`countryOfPhone`) in one go. The last two
 * read the E.164 string parsed on its own; when the input already is that string (the usual case: senders post
 * E.164), that parse is the first one, so the number is parsed once instead of three times.
 */
export function phoneFacts(raw: string | null | undefined, defaultCountry?: string): PhoneFacts | null {
  if (!raw) return null;
  const cleaned = raw.trim();
  if (cleaned === '') return null;
  const candidate = /^\d{10,15}$/.test(cleaned) && !cleaned.startsWith('0') ? `+${cleaned}` : cleaned;
  const parsed = parsePhoneNumberFromString(candidate, defaultCountry as CountryCode | undefined);
  if (!parsed) return null;
  // With type metadata, isValid() is exactly "getType() is defined" (libphonenumber-js isValid.js): a number with a
  // type is valid, so the type pattern matching runs once instead of twice; without a type, isValid() decides.
  const type = parsed.getType();
  if (type === undefined && !parsed.isValid()) return null;
  const e164 = parsed.number;
  // An input starting with '+' is parsed without regard to the default country: the same parse as e164 alone.
  if (candidate === e164) return { e164, mobileCapable: mobileType(type), country: parsed.country ?? null };
  const own = parsePhoneNumberFromString(e164);
  const valid = !!own && own.isValid();
  return { e164, mobileCapable: valid && mobileType(own!.getType()), country: own?.country ?? null };
}

/**
 * Every key a recipient is known under, each normalised once: the channel's address (null when the recipient
 * cannot be reached on that channel, as `recipientAddress` says), the contact keys (email, E.164 phone, address
 * key) and the phone's country. The send gate computes them before its lock and hands them to registration.
 */
export interface RecipientKeys {
  address: string | null;
  email: string | null;
  phone: string | null;
  addressKey: string | null;
  /** Country of the phone (sms and whatsapp channels, valid mobile-capable phone only), else null. */
  phoneCountry: string | null;
}

export function recipientKeys(
  channel: Channel,
  identity: { email?: string | null; phone?: string | null; address?: PostalAddress | null },
  defaultCountry?: string,
): RecipientKeys {
  const email = normalizeEmail(identity.email);
  const phone = phoneFacts(identity.phone, defaultCountry);
  const addressKey = normalizeAddress(identity.address);
  let address: string | null;
  let phoneCountry: string | null = null;
  switch (channel) {
    case 'email':
      address = email;
      break;
    case 'sms':
    case 'whatsapp':
      address = phone?.mobileCapable ? phone.e164 : null;
      if (address) phoneCountry = phone!.country;
      break;
    case 'mail':
      address = addressKey;
      break;
  }
  return { address, email, phone: phone?.e164 ?? null, addressKey, phoneCountry };
}

export interface PostalAddress {
  name?: string | null;
  line1?: string | null;
  line2?: string | null;
  postalCode?: string | null;
  city?: string | null;
  country?: string | null;
}

/**
 * A comparable key for a postal address: upper-case, accents removed, punctuation and repeated spaces
 * collapsed, common street abbreviations expanded. Null when line1, postal code or city is missing.
 */
export function normalizeAddress(address: PostalAddress | null | undefined): string | null {
  if (!address) return null;
  const { line1, postalCode, city } = address;
  if (!line1?.trim() || !postalCode?.trim() || !city?.trim()) return null;
  const clean = (s: string | null | undefined) =>
    (s ?? '')
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toUpperCase()
      .replace(/[^A-Z0-9 ]+/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => STREET_WORDS[w] ?? w)
      .join(' ');
  const country = clean(address.country || '') || '';
  return [clean(line1), clean(address.line2), clean(postalCode).replace(/ /g, ''), clean(city), country]
    .filter(Boolean)
    .join('|');
}

const STREET_WORDS: Record<string, string> = {
  BD: 'BOULEVARD', BLVD: 'BOULEVARD', AV: 'AVENUE', AVE: 'AVENUE', R: 'RUE', ST: 'STREET', RD: 'ROAD',
  PL: 'PLACE', CHE: 'CHEMIN', IMP: 'IMPASSE', STR: 'STRASSE',
};

/**
 * The address a channel sends to, normalised: the key a message's recipient is stored and matched under.
 * Null when the recipient cannot be reached on that channel (the send gate's "invalid recipient").
 */
export function recipientAddress(
  channel: Channel,
  identity: { email?: string | null; phone?: string | null; address?: PostalAddress | null },
  defaultCountry?: string,
): string | null {
  switch (channel) {
    case 'email':
      return normalizeEmail(identity.email);
    case 'sms':
    case 'whatsapp': {
      const phone = normalizePhone(identity.phone, defaultCountry);
      return phone && isMobileCapable(phone) ? phone : null;
    }
    case 'mail':
      return normalizeAddress(identity.address);
  }
}
