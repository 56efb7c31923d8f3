// The cost model editor's conversion: what the user types in euros becomes exactly the API's thousandths of a
// cent, and a model read from the API comes back unchanged when saved without edits.
import { describe, expect, it } from 'vitest';
import { draftOf, modelOf } from './costModelDraft';
import type { CostModel } from './types';

const model: CostModel = {
  currency: 'EUR',
  // 0.0791 € per marketing message = 7.91 cents = 7910 thousandths; in Germany 0.1131 € = 11310.
  whatsapp: { marketing: { default: 7910, DE: 11310 }, utility: { default: 3000 } },
  // 0.0079 € per segment = 790 thousandths; Belgium 0.0615 € = 6150.
  sms: { perSegment: { default: 790, BE: 6150 } },
  email: { perMessage: 10 }, // 0.0001 €
  mail: {
    homeCountry: 'FR',
    formats: { standard: { printing: 12000, enveloping: 3000, postage: { domestic: 129000, international: 196000, DE: 180000 } } },
  },
  fixedCostMinor: 4990, // 49.90 €
};

describe('cost model draft', () => {
  it('shows each price as euros in the language, with up to 3 decimals of a cent', () => {
    const fr = draftOf(model, 'EUR', 'fr');
    expect(fr.whatsapp.marketing).toEqual({ default: '0,0791', DE: '0,1131' });
    expect(fr.sms).toEqual({ default: '0,0079', BE: '0,0615' });
    expect(fr.email).toBe('0,0001');
    expect(fr.countries).toEqual(['BE', 'DE']);
    expect(fr.formats[0]).toEqual({ name: 'standard', printing: '0,12', enveloping: '0,03', postage: { domestic: '1,29', international: '1,96', DE: '1,80' } });
    expect(fr.postCountries).toEqual(['DE']);
    expect(fr.fixed).toBe('49,90');
    expect(draftOf(model, 'EUR', 'en').sms.default).toBe('0.0079');
  });

  it('gives back the same model when nothing was edited, in both languages', () => {
    const { currency: _c, ...rest } = model;
    for (const lang of ['fr', 'en'] as const) {
      expect(modelOf(draftOf(model, 'EUR', lang), 'EUR', lang)).toEqual({ ok: true, model: rest });
    }
  });

  it('turns typed euros into exact thousandths of a cent', () => {
    const d = draftOf(null, 'EUR', 'fr');
    d.sms = { default: '0,0085', FR: '0,045' };
    d.whatsapp.marketing = { default: '0,0791' };
    d.fixed = '12,5';
    const out = modelOf(d, 'EUR', 'fr');
    // 0.0085 € = 0.85 cent = 850; 0.045 € = 4.5 cents = 4500; 0.0791 € = 7910; 12.5 € = 1250 cents.
    expect(out).toEqual({ ok: true, model: { sms: { perSegment: { default: 850, FR: 4500 } }, whatsapp: { marketing: { default: 7910 } }, fixedCostMinor: 1250 } });
  });

  it('starts empty without a model, with one letter format to fill in', () => {
    const d = draftOf(null, 'EUR', 'en');
    expect(d.formats).toEqual([{ name: 'standard', printing: '', enveloping: '', postage: { domestic: '', international: '' } }]);
    // An untouched format line (a name, no price) prices nothing.
    expect(modelOf(d, 'EUR', 'en')).toEqual({ ok: true, model: {} });
    // Once one of its prices is typed, the others are required.
    d.formats[0].printing = '0.12';
    expect(modelOf(d, 'EUR', 'en')).toEqual({ ok: false, errors: { 'mail.0.enveloping': 'required', 'mail.0.domestic': 'required', 'mail.0.international': 'required' } });
  });

  it('names every field in error and changes nothing', () => {
    const d = draftOf(model, 'EUR', 'en');
    d.sms = { default: '', FR: '0.05' }; // a country price without a default
    d.whatsapp.utility = { default: '0.000001' }; // a hundredth of a thousandth of a cent
    d.email = 'abc';
    d.formats[0].name = 'Big Format';
    d.mailHome = 'France';
    expect(modelOf(d, 'EUR', 'en')).toEqual({
      ok: false,
      errors: {
        'sms.default': 'required',
        'whatsapp.utility.default': 'precision',
        email: 'format',
        'mail.0.name': 'name',
        'mail.home': 'country',
      },
    });
  });
});
