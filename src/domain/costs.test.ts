// Hand-computed SMS segment counts and message costs; the arithmetic is written beside each expectation.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  actualCostFromProvider,
  campaignFixedCostMinor,
  fixedCostDay,
  countryOfPhone,
  estimateMessageCost,
  mergeCostModel,
  milliToMinor,
  smsSegments,
  type CostModel,
} from './costs';

const a = (n: number) => 'a'.repeat(n);
const de = (n: number) => 'д'.repeat(n); // Cyrillic: outside GSM-7, one UTF-16 code unit

describe('smsSegments: GSM-7', () => {
  it('counts an empty text as one segment', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0 });
  });

  it('fits exactly 160 characters in one SMS and splits 161 into 153 + 8', () => {
    expect(smsSegments(a(160))).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(smsSegments(a(161))).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
  });

  it('fits 306 = 2 × 153 characters in two parts and 307 in three', () => {
    expect(smsSegments(a(306)).segments).toBe(2);
    expect(smsSegments(a(307)).segments).toBe(3);
  });

  it('counts extension characters as two septets', () => {
    // 158 + 2 = 160 septets: one SMS; 159 + 2 = 161: two parts.
    expect(smsSegments(a(158) + '{')).toEqual({ encoding: 'GSM-7', segments: 1, units: 160 });
    expect(smsSegments(a(159) + '{')).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    // ^ { } \ [ ~ ] | € form feed: 10 characters × 2 septets = 20.
    expect(smsSegments('^{}\\[~]|€\f')).toEqual({ encoding: 'GSM-7', segments: 1, units: 20 });
  });

  it('never splits an escape sequence across parts', () => {
    // 152 + 2 + 152 = 306 septets, which would fill 2 × 153 exactly, but the € (ESC + e) cannot start at septet
    // 153 of part 1: part 1 = 152, part 2 = € (2) + 151 = 153, part 3 = the last 'a'.
    expect(smsSegments(a(152) + '€' + a(152))).toEqual({ encoding: 'GSM-7', segments: 3, units: 306 });
    // Control: with the € at septets 152–153 it fits: part 1 = 151 + 2 = 153, part 2 = 153.
    expect(smsSegments(a(151) + '€' + a(153))).toEqual({ encoding: 'GSM-7', segments: 2, units: 306 });
  });

  it('keeps accented letters and Greek capitals of the GSM alphabet in GSM-7', () => {
    expect(smsSegments('Été à Genève: ÇÅÑÜß ΔΦΓΛΩΠΨΣΘΞ ¿¡ £$¥ @').encoding).toBe('GSM-7');
  });

  it('knows 127 basic characters (128 minus ESC) and 10 extension characters, as smsSegments counts them', () => {
    // Every character of the Basic Multilingual Plane, alone: GSM-7 at 1 septet (basic) or 2 (extension), else UCS-2.
    let basic = 0;
    let extension = 0;
    for (let code = 0; code <= 0xffff; code++) {
      const s = smsSegments(String.fromCharCode(code));
      if (s.encoding !== 'GSM-7') continue;
      if (s.units === 1) basic += 1;
      else if (s.units === 2) extension += 1;
    }
    expect(basic).toBe(127);
    expect(extension).toBe(10);
  });
});

describe('smsSegments: UCS-2', () => {
  it('switches to UCS-2 as soon as one character is outside GSM-7', () => {
    // 'ç' (lower case) is not in the alphabet (only Ç is), nor are the backtick and the typographic apostrophe.
    expect(smsSegments('ça').encoding).toBe('UCS-2');
    expect(smsSegments('`').encoding).toBe('UCS-2');
    expect(smsSegments('L’offre').encoding).toBe('UCS-2');
    // 100 GSM characters + ç: 101 UCS-2 units > 70 → ceil(101 / 67) = 2 parts, where GSM-7 alone would be 1.
    expect(smsSegments(a(100) + 'ç')).toEqual({ encoding: 'UCS-2', segments: 2, units: 101 });
  });

  it('fits exactly 70 characters in one SMS and splits 71 into 67 + 4', () => {
    expect(smsSegments(de(70))).toEqual({ encoding: 'UCS-2', segments: 1, units: 70 });
    expect(smsSegments(de(71))).toEqual({ encoding: 'UCS-2', segments: 2, units: 71 });
  });

  it('counts a multi-part UCS-2 message in parts of 67', () => {
    // 134 = 2 × 67 → 2 parts; 135 → 3 parts; 201 = 3 × 67 → 3 parts.
    expect(smsSegments(de(134)).segments).toBe(2);
    expect(smsSegments(de(135))).toEqual({ encoding: 'UCS-2', segments: 3, units: 135 });
    expect(smsSegments(de(201)).segments).toBe(3);
  });

  it('counts an emoji as two code units', () => {
    expect(smsSegments('😀')).toEqual({ encoding: 'UCS-2', segments: 1, units: 2 });
    // "Hello " = 6 + 2 = 8 units.
    expect(smsSegments('Hello 😀')).toEqual({ encoding: 'UCS-2', segments: 1, units: 8 });
    // 35 emoji = 70 units: one SMS. 36 = 72 units: 33 per part (66 units; a 34th would need 68) → 2 parts.
    expect(smsSegments('😀'.repeat(35)).segments).toBe(1);
    expect(smsSegments('😀'.repeat(36))).toEqual({ encoding: 'UCS-2', segments: 2, units: 72 });
  });

  it('never splits a surrogate pair across parts', () => {
    // 66 + 2 + 66 = 134 units would fill 2 × 67, but the emoji cannot take unit 67 alone:
    // part 1 = 66, part 2 = emoji (2) + 65 = 67, part 3 = the last 'д'.
    expect(smsSegments(de(66) + '😀' + de(66))).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
    // 67 emoji = 134 units, at most 33 per part (66 units) → 33 + 33 + 1 = 3 parts.
    expect(smsSegments('😀'.repeat(67)).segments).toBe(3);
  });

  it('without escapes or surrogate pairs, gives 1 up to the single limit, else ceil(units / part size)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'д', ' '), { maxLength: 400 }), (chars) => {
        const text = chars.join('');
        const { encoding, segments, units } = smsSegments(text);
        expect(units).toBe(text.length);
        const [single, part] = encoding === 'GSM-7' ? [160, 153] : [70, 67];
        expect(segments).toBe(units <= single ? 1 : Math.ceil(units / part));
      }),
    );
  });
});

// A realistic account model in EUR; prices in thousandths of a cent.
const model: CostModel = {
  currency: 'EUR',
  whatsapp: {
    marketing: { default: 10000, FR: 14320, DE: 13650 },
    utility: { default: 3000, FR: 3450 },
    authentication: { default: 3000 },
    service: { default: 0 },
  },
  sms: { perSegment: { default: 7500, FR: 7250, US: 790 } },
  mail: {
    homeCountry: 'FR',
    formats: {
      standard: { printing: 12500, enveloping: 8000, postage: { domestic: 129000, international: 196000, DE: 180000 } },
      large: { printing: 30000, enveloping: 15000, postage: { domestic: 258000, international: 392000 } },
    },
  },
  fixedCostMinor: 5000,
};

describe('estimateMessageCost', () => {
  it('rounds a total in thousandths of a cent half up', () => {
    expect(milliToMinor(0)).toBe(0);
    expect(milliToMinor(1499)).toBe(1); // 1.499 → 1
    expect(milliToMinor(1500)).toBe(2); // 1.5 → 2
    expect(milliToMinor(2370)).toBe(2); // 2.37 → 2
  });

  it('prices WhatsApp by category and country, with the default country entry', () => {
    // FR marketing 14.320 ¢ → 14; DE 13.650 ¢ → 14; BR (default) 10 ¢; FR utility 3.450 ¢ → 3.
    expect(estimateMessageCost(model, { channel: 'whatsapp', country: 'FR', category: 'marketing' }).costMinor).toBe(14);
    expect(estimateMessageCost(model, { channel: 'whatsapp', country: 'DE', category: 'marketing' }).costMinor).toBe(14);
    expect(estimateMessageCost(model, { channel: 'whatsapp', country: 'BR', category: 'marketing' }).costMinor).toBe(10);
    expect(estimateMessageCost(model, { channel: 'whatsapp', country: 'fr', category: 'utility' }).costMinor).toBe(3);
    expect(estimateMessageCost(model, { channel: 'whatsapp', country: 'FR', category: 'service' }).costMinor).toBe(0);
  });

  it('assumes the marketing category when none is given', () => {
    const cost = estimateMessageCost(model, { channel: 'whatsapp', country: 'FR' });
    expect(cost).toEqual({
      costMinor: 14,
      detail: { channel: 'whatsapp', priced: true, country: 'FR', category: 'marketing', unitPriceMilli: 14320, totalMilli: 14320 },
    });
  });

  it('prices SMS per segment, rounding the message total once', () => {
    // 1 segment × 7.25 ¢ = 7.25 → 7.
    expect(estimateMessageCost(model, { channel: 'sms', country: 'FR', text: 'Bonjour' }).costMinor).toBe(7);
    // 161 GSM characters = 2 segments × 7.25 = 14.5 → 15.
    expect(estimateMessageCost(model, { channel: 'sms', country: 'FR', text: a(161) }).costMinor).toBe(15);
    // 3 segments × 0.79 ¢ = 2.37 → 2 (per-segment rounding would have given 3 × 1 = 3).
    expect(estimateMessageCost(model, { channel: 'sms', country: 'US', segments: 3 }).costMinor).toBe(2);
    // Known segments win over the text: 4 × 7.5 ¢ (default country) = 30.
    expect(estimateMessageCost(model, { channel: 'sms', country: 'IT', segments: 4, text: 'x' }).costMinor).toBe(30);
  });

  it('prices a multi-part UCS-2 SMS', () => {
    // 135 Cyrillic characters = 3 UCS-2 parts × 7.25 ¢ = 21.75 → 22.
    const cost = estimateMessageCost(model, { channel: 'sms', country: 'FR', text: de(135) });
    expect(cost.costMinor).toBe(22);
    expect(cost.detail).toMatchObject({ encoding: 'UCS-2', segments: 3, unitPriceMilli: 7250, totalMilli: 21750 });
  });

  it('prices a letter as printing + enveloping + postage by format and destination', () => {
    // Domestic (FR is home): 12.5 + 8 + 129 = 149.5 ¢ → 150.
    const domestic = estimateMessageCost(model, { channel: 'mail', country: 'FR', letterFormat: 'standard' });
    expect(domestic.costMinor).toBe(150);
    expect(domestic.detail).toMatchObject({ destination: 'domestic', printingMilli: 12500, envelopingMilli: 8000, postageMilli: 129000 });
    // DE has its own rate: 12.5 + 8 + 180 = 200.5 → 201.
    expect(estimateMessageCost(model, { channel: 'mail', country: 'DE' }).costMinor).toBe(201);
    // ES has none: international 12.5 + 8 + 196 = 216.5 → 217.
    expect(estimateMessageCost(model, { channel: 'mail', country: 'ES' }).costMinor).toBe(217);
    // Explicit destination, large format: 30 + 15 + 392 = 437.
    expect(estimateMessageCost(model, { channel: 'mail', letterFormat: 'large', destination: 'international' }).costMinor).toBe(437);
    // No country, no destination: domestic, 'standard' format by default.
    expect(estimateMessageCost(model, { channel: 'mail' }).costMinor).toBe(150);
  });

  it('says when the model has no price, at cost 0', () => {
    expect(estimateMessageCost(model, { channel: 'mail', letterFormat: 'tiny' })).toEqual({
      costMinor: 0,
      detail: { channel: 'mail', priced: false, missing: 'mail.formats.tiny', totalMilli: 0 },
    });
    expect(estimateMessageCost(model, { channel: 'email' }).detail).toMatchObject({ priced: false, missing: 'email.perMessage' });
    expect(estimateMessageCost({ currency: 'EUR' }, { channel: 'sms', text: 'x' }).detail.priced).toBe(false);
  });

  it("gives the campaign fixed cost: the override's when it sets one (0 included), else the account's", () => {
    expect(campaignFixedCostMinor(model)).toBe(5000);
    expect(campaignFixedCostMinor({ currency: 'EUR' })).toBe(0);
    expect(campaignFixedCostMinor(model, { fixedCostMinor: 1500 })).toBe(1500);
    expect(campaignFixedCostMinor(model, { fixedCostMinor: 0 })).toBe(0);
    expect(campaignFixedCostMinor(model, { sms: { perSegment: { FR: 1 } } })).toBe(5000);
    // Without an account model the override alone decides.
    expect(campaignFixedCostMinor(null, { fixedCostMinor: 700 })).toBe(700);
    expect(campaignFixedCostMinor(null, null)).toBe(0);
  });

  it("counts the fixed cost on the campaign's send day, in the account's zone", () => {
    // 2026-03-01T23:30Z is already March 2nd in Paris (UTC+1).
    const sendAt = Date.parse('2026-03-01T23:30:00Z');
    const createdAt = Date.parse('2026-02-20T10:00:00Z');
    expect(fixedCostDay({ sendAt, firstCohortDay: '2026-02-25', createdAt }, 'Europe/Paris')).toBe('2026-03-02');
    expect(fixedCostDay({ sendAt, firstCohortDay: null, createdAt }, 'UTC')).toBe('2026-03-01');
    expect(fixedCostDay({ sendAt: null, firstCohortDay: '2026-02-25', createdAt }, 'Europe/Paris')).toBe('2026-02-25');
    expect(fixedCostDay({ sendAt: null, firstCohortDay: null, createdAt }, 'Europe/Paris')).toBe('2026-02-20');
  });
});

describe('mergeCostModel', () => {
  it('merges a campaign override key by key over the account model, never changing the currency', () => {
    const before = JSON.stringify(model);
    const merged = mergeCostModel(model, {
      sms: { perSegment: { FR: 6000 } },
      whatsapp: { marketing: { FR: 12000 } },
      fixedCostMinor: 20000,
    });
    expect(merged.currency).toBe('EUR');
    expect(merged.sms?.perSegment).toEqual({ default: 7500, FR: 6000, US: 790 });
    expect(merged.whatsapp?.marketing).toEqual({ default: 10000, FR: 12000, DE: 13650 });
    expect(merged.whatsapp?.utility).toEqual({ default: 3000, FR: 3450 });
    expect(merged.mail).toEqual(model.mail);
    expect(merged.fixedCostMinor).toBe(20000);
    // 1 segment × 6 ¢ under the campaign's price.
    expect(estimateMessageCost(merged, { channel: 'sms', country: 'FR', text: 'x' }).costMinor).toBe(6);
    expect(JSON.stringify(model)).toBe(before);
    expect(mergeCostModel(model, null)).toBe(model);
  });
});

describe('actualCostFromProvider', () => {
  it('takes the absolute value of a provider price in minor units', () => {
    expect(actualCostFromProvider(model, { channel: 'sms', costMinor: -1, segments: 2 }, 15)).toEqual({ costMinor: 1, source: 'provider_price' });
  });

  it('prices the WhatsApp category the webhook reports', () => {
    // Estimated as marketing (14), billed as utility in FR: 3.45 → 3.
    expect(actualCostFromProvider(model, { channel: 'whatsapp', country: 'FR', pricingCategory: 'utility' }, 14)).toEqual({
      costMinor: 3,
      source: 'pricing_category',
    });
    // authentication_international is priced as authentication: default 3 ¢.
    expect(actualCostFromProvider(model, { channel: 'whatsapp', country: 'IN', pricingCategory: 'authentication_international' }, 14).costMinor).toBe(3);
  });

  it('makes free WhatsApp messages free', () => {
    const free = { costMinor: 0, source: 'free' };
    expect(actualCostFromProvider(model, { channel: 'whatsapp', country: 'FR', pricingCategory: 'service', pricingType: 'free_customer_service' }, 14)).toEqual(free);
    expect(actualCostFromProvider(model, { channel: 'whatsapp', pricingCategory: 'marketing', billable: false }, 14)).toEqual(free);
    expect(actualCostFromProvider(model, { channel: 'whatsapp', pricingCategory: 'referral_conversion' }, 14)).toEqual(free);
  });

  it('prices SMS segments the provider reports, else keeps the estimate', () => {
    // 2 × 7.25 = 14.5 → 15.
    expect(actualCostFromProvider(model, { channel: 'sms', country: 'FR', segments: 2 }, 7)).toEqual({ costMinor: 15, source: 'provider_segments' });
    expect(actualCostFromProvider(model, { channel: 'whatsapp', pricingCategory: 'something_new' }, 14)).toEqual({ costMinor: 14, source: 'estimate' });
    expect(actualCostFromProvider(model, { channel: 'mail' }, 150)).toEqual({ costMinor: 150, source: 'estimate' });
  });
});

describe('countryOfPhone', () => {
  it('tells the country of an E.164 number, including shared calling codes', () => {
    expect(countryOfPhone('+33612345678')).toBe('FR');
    expect(countryOfPhone('+14155552671')).toBe('US');
    expect(countryOfPhone('+12042345678')).toBe('CA');
    expect(countryOfPhone('+442071234567')).toBe('GB');
    expect(countryOfPhone('not a number')).toBeNull();
  });
});
