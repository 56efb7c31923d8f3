// What a message costs: SMS segment counting as carriers do, the cost model (per account and channel, overridable
// per campaign), the estimate reserved by the send gate and the actual cost once a provider reports it.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Channel } from './types';
import { campaignSendDay, dayInZone } from './message';

// ---------------------------------------------------------------------------------------------------------------
// SMS segments (3GPP TS 23.038 alphabet, TS 23.040 concatenation). See docs/BUDGETS.md, "Counting SMS segments".
// ---------------------------------------------------------------------------------------------------------------

/** The GSM 03.38 default alphabet: 128 positions minus the escape (0x1B). One septet each. */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: ESC + one septet, so two septets each, and never split from its escape. */
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const GSM7_BASIC_SET = new Set(GSM7_BASIC);
const GSM7_EXTENSION_SET = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** Parts the carrier bills; an empty text is still one (empty) SMS. */
  segments: number;
  /** Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2 (an emoji counts 2). */
  units: number;
}

// 140 octets of user data: 1120 bits / 7 = 160 septets, / 16 = 70 code units. A concatenated part loses 6 octets
// to the User Data Header (48 bits): 1072 / 7 = 153 septets, 1072 / 16 = 67 code units.
const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** Counts SMS segments as carriers bill them. */
export function smsSegments(text: string): SmsSegments {
  // Iterating a string yields code points, so a surrogate pair arrives as one item of 2 code units.
  const chars = [...text];
  const gsm = chars.every((c) => GSM7_BASIC_SET.has(c) || GSM7_EXTENSION_SET.has(c));
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const sizes = chars.map((c) => (gsm ? (GSM7_EXTENSION_SET.has(c) ? 2 : 1) : c.length));
  const units = sizes.reduce((a, b) => a + b, 0);
  const limit = LIMITS[encoding];
  if (units <= limit.single) return { encoding, segments: 1, units };
  // A part never ends between an escape and its character, nor between the two halves of a surrogate pair: the
  // indivisible item moves whole to the next part, leaving one unit unused (as Twilio's segment calculator does).
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > limit.part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, segments, units };
}

// ---------------------------------------------------------------------------------------------------------------
// The cost model
// ---------------------------------------------------------------------------------------------------------------

/**
 * Prices are in thousandths of a minor unit (1000 = one cent): real SMS, WhatsApp and postage prices carry
 * sub-cent precision (e.g. $0.0079 per SMS = 790). Only a message's total is rounded to minor units, half up.
 */
export type MilliMinor = number;

/** Prices by destination country (ISO 3166-1 alpha-2, upper case) with a `default` for every other country. */
export type CountryPrices = { default: MilliMinor } & Record<string, MilliMinor>;

export const WHATSAPP_CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const;
export type WhatsAppCategory = (typeof WHATSAPP_CATEGORIES)[number];

export interface LetterPrices {
  printing: MilliMinor;
  enveloping: MilliMinor;
  /** Postage by destination: 'domestic', 'international', or a country code for a specific rate. */
  postage: { domestic: MilliMinor; international: MilliMinor } & Record<string, MilliMinor>;
}

export interface CostModel {
  /** ISO 4217 currency of every price and total. */
  currency: string;
  whatsapp?: Partial<Record<WhatsAppCategory, CountryPrices>>;
  sms?: { perSegment: CountryPrices };
  email?: { perMessage: MilliMinor };
  mail?: {
    /** The sender's country: a letter to it pays 'domestic' postage, elsewhere 'international'. */
    homeCountry?: string;
    /** By format name, e.g. 'standard', 'large'. */
    formats: Record<string, LetterPrices>;
  };
  /** Fixed cost of a campaign (software, design), in minor units: counted once in the campaign's spend. */
  fixedCostMinor?: number;
}

type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** A campaign's override: any part of the account's model except its currency (sums never mix currencies). */
export type CostModelOverride = DeepPartial<Omit<CostModel, 'currency'>>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The model a campaign uses: its override merged key by key over the account's model. */
export function mergeCostModel(account: CostModel, override?: CostModelOverride | null): CostModel {
  if (!override) return account;
  return { ...(deepMerge(account, override) as CostModel), currency: account.currency };
}

export function isWhatsAppCategory(v: unknown): v is WhatsAppCategory {
  return typeof v === 'string' && (WHATSAPP_CATEGORIES as readonly string[]).includes(v);
}

function priceFor(prices: CountryPrices, country: string | null | undefined): MilliMinor {
  const key = country?.toUpperCase();
  return key !== undefined && prices[key] !== undefined ? prices[key] : prices.default;
}

/** Rounds a total in thousandths of a minor unit to minor units, half up (prices are never negative). */
export function milliToMinor(milli: MilliMinor): number {
  return Math.floor((milli + 500) / 1000);
}

export interface MessageCostInput {
  channel: Channel;
  /** Destination country (ISO alpha-2), e.g. from countryOfPhone or the postal address. */
  country?: string | null;
  /** WhatsApp pricing category; 'marketing' when unknown, the usual (and dearest) campaign category. */
  category?: WhatsAppCategory;
  /** SMS body, to count segments. */
  text?: string;
  /** SMS segments when already known (wins over text). */
  segments?: number;
  letterFormat?: string;
  /** 'domestic', 'international' or a country code; derived from `country` and the home country when absent. */
  destination?: string;
}

export interface CostDetail {
  channel: Channel;
  /** False when the model has no price for this message: the cost is then 0 and `missing` says what lacks. */
  priced: boolean;
  missing?: string;
  country?: string | null;
  category?: WhatsAppCategory;
  encoding?: SmsEncoding;
  segments?: number;
  unitPriceMilli?: MilliMinor;
  letterFormat?: string;
  destination?: string;
  printingMilli?: MilliMinor;
  envelopingMilli?: MilliMinor;
  postageMilli?: MilliMinor;
  /** Exact total before rounding to minor units. */
  totalMilli: MilliMinor;
}

export interface MessageCost {
  costMinor: number;
  detail: CostDetail;
}

function unpriced(channel: Channel, missing: string): MessageCost {
  return { costMinor: 0, detail: { channel, priced: false, missing, totalMilli: 0 } };
}

function letterDestination(model: CostModel, input: MessageCostInput): string {
  if (input.destination) return input.destination;
  const country = input.country?.toUpperCase();
  const home = model.mail?.homeCountry?.toUpperCase();
  if (!country || !home) return 'domestic';
  return country === home ? 'domestic' : country;
}

/** The cost of one message under a model: what the send gate reserves. */
export function estimateMessageCost(model: CostModel, input: MessageCostInput): MessageCost {
  const { channel } = input;
  const country = input.country ? input.country.toUpperCase() : null;
  switch (channel) {
    case 'whatsapp': {
      const category = input.category ?? 'marketing';
      const prices = model.whatsapp?.[category];
      if (!prices) return unpriced(channel, `whatsapp.${category}`);
      const unit = priceFor(prices, country);
      return {
        costMinor: milliToMinor(unit),
        detail: { channel, priced: true, country, category, unitPriceMilli: unit, totalMilli: unit },
      };
    }
    case 'sms': {
      const counted = input.segments === undefined ? smsSegments(input.text ?? '') : null;
      const segments = input.segments ?? counted!.segments;
      if (!model.sms) return unpriced(channel, 'sms.perSegment');
      const unit = priceFor(model.sms.perSegment, country);
      // Rounded once on the message's total, not per segment, so 3 segments at 0.79¢ cost 2¢ (2.37 → 2), not 3¢.
      const total = unit * segments;
      return {
        costMinor: milliToMinor(total),
        detail: {
          channel,
          priced: true,
          country,
          ...(counted ? { encoding: counted.encoding } : {}),
          segments,
          unitPriceMilli: unit,
          totalMilli: total,
        },
      };
    }
    case 'email': {
      if (!model.email) return unpriced(channel, 'email.perMessage');
      const unit = model.email.perMessage;
      return {
        costMinor: milliToMinor(unit),
        detail: { channel, priced: true, unitPriceMilli: unit, totalMilli: unit },
      };
    }
    case 'mail': {
      const letterFormat = input.letterFormat ?? 'standard';
      const prices = model.mail?.formats[letterFormat];
      if (!prices) return unpriced(channel, `mail.formats.${letterFormat}`);
      const destination = letterDestination(model, input);
      const key = destination === 'domestic' || destination === 'international' ? destination : destination.toUpperCase();
      // A country without its own rate pays the international rate (a letter abroad is never domestic).
      const postage = prices.postage[key] ?? prices.postage.international;
      const total = prices.printing + prices.enveloping + postage;
      return {
        costMinor: milliToMinor(total),
        detail: {
          channel,
          priced: true,
          country,
          letterFormat,
          destination: key,
          printingMilli: prices.printing,
          envelopingMilli: prices.enveloping,
          postageMilli: postage,
          totalMilli: total,
        },
      };
    }
  }
}

/**
 * The campaign's fixed cost (software, design) in minor units, counted once in its spend: the `fixedCostMinor` of
 * its override when it sets one (0 included), else the account model's, else 0. Without an account model the
 * override alone decides (a fixed cost needs no message prices).
 */
export function campaignFixedCostMinor(account: CostModel | null, override?: CostModelOverride | null): number {
  return (account ? mergeCostModel(account, override) : override)?.fixedCostMinor ?? 0;
}

/**
 * The day, in the account's time zone, a campaign's fixed cost is counted on (daily series, periods): the campaign's
 * send day (campaignSendDay: its send date when set, else its earliest message's cohort day), else the day it was
 * registered. So a period's spend holds the fixed cost iff that day is inside it, and the daily series adds up to the
 * campaign's spend.
 */
export function fixedCostDay(c: { sendAt: number | null; firstCohortDay: string | null; createdAt: number }, timeZone: string): string {
  return campaignSendDay(c.sendAt, c.firstCohortDay, timeZone) ?? dayInZone(c.createdAt, timeZone);
}

// ---------------------------------------------------------------------------------------------------------------
// Actual costs reported by providers
// ---------------------------------------------------------------------------------------------------------------

export interface ProviderCostFacts {
  channel: Channel;
  country?: string | null;
  /** Provider price already in minor units (Twilio's `price`, negative for a charge): its absolute value wins. */
  costMinor?: number | null;
  /** WhatsApp `pricing.category` as the status webhook reports it. */
  pricingCategory?: string | null;
  /** WhatsApp `pricing.type` (per-message pricing): 'regular', 'free_customer_service', 'free_entry_point'. */
  pricingType?: string | null;
  /** WhatsApp `pricing.billable` (older conversation pricing); false means free. */
  billable?: boolean | null;
  /** SMS segments reported by the provider (Twilio `num_segments`). */
  segments?: number | null;
}

export type ActualCostSource = 'provider_price' | 'pricing_category' | 'provider_segments' | 'free' | 'estimate';

export interface ActualCost {
  costMinor: number;
  source: ActualCostSource;
}

/** Maps Meta's pricing categories (including newer variants) onto the model's four categories. */
export function normalizeWhatsAppCategory(category: string): WhatsAppCategory | 'free' | null {
  switch (category) {
    case 'marketing':
    case 'marketing_lite':
      return 'marketing';
    case 'utility':
      return 'utility';
    case 'authentication':
    case 'authentication_international':
      return 'authentication';
    case 'service':
      return 'service';
    // Click-to-WhatsApp ads conversations are free of charge.
    case 'referral_conversion':
      return 'free';
    default:
      return null;
  }
}

/**
 * The cost a message finally carries, from what its provider reported: a provider price wins; else the model's
 * price for the reported WhatsApp category or SMS segments; else the estimate stays.
 */
export function actualCostFromProvider(model: CostModel, facts: ProviderCostFacts, estimatedMinor: number): ActualCost {
  if (typeof facts.costMinor === 'number' && Number.isFinite(facts.costMinor)) {
    return { costMinor: Math.abs(Math.round(facts.costMinor)), source: 'provider_price' };
  }
  if (facts.channel === 'whatsapp') {
    if (facts.billable === false || facts.pricingType === 'free_customer_service' || facts.pricingType === 'free_entry_point') {
      return { costMinor: 0, source: 'free' };
    }
    if (facts.pricingCategory) {
      const category = normalizeWhatsAppCategory(facts.pricingCategory);
      if (category === 'free') return { costMinor: 0, source: 'free' };
      if (category) {
        const cost = estimateMessageCost(model, { channel: 'whatsapp', country: facts.country, category });
        if (cost.detail.priced) return { costMinor: cost.costMinor, source: 'pricing_category' };
      }
    }
  }
  if (facts.channel === 'sms' && typeof facts.segments === 'number' && facts.segments > 0) {
    const cost = estimateMessageCost(model, { channel: 'sms', country: facts.country, segments: facts.segments });
    if (cost.detail.priced) return { costMinor: cost.costMinor, source: 'provider_segments' };
  }
  return { costMinor: estimatedMinor, source: 'estimate' };
}

/** The country (ISO alpha-2) of an E.164 number, or null when it cannot be told (invalid, non-geographic). */
export function countryOfPhone(e164: string): string | null {
  const parsed = parsePhoneNumberFromString(e164.trim());
  return parsed?.country ?? null;
}
