// The cost model editor's draft: every price as the text the user reads and types (decimals of the currency), and
// the exact conversion to and from GET/PUT /v1/cost-model (prices in thousandths of a minor unit, the fixed cost per
// campaign in minor units; src/domain/costs.ts). Pure, so that it is tested apart from the screen.
import type { Lang } from './i18n';
import { decimalToUnits, MILLI, unitDigits, unitsToInput } from './money';
import { WHATSAPP_CATEGORIES, type CostModel, type LetterPrices, type WhatsAppCategory } from './types';

export type PriceRow = Record<string, string>; // 'default' or a country code → text

export interface LetterDraft {
  name: string;
  printing: string;
  enveloping: string;
  /** 'domestic', 'international' or a country code → text. */
  postage: PriceRow;
}

export interface CostDraft {
  /** Countries with their own WhatsApp or SMS price (columns beside "default"). */
  countries: string[];
  whatsapp: Record<WhatsAppCategory, PriceRow>;
  sms: PriceRow;
  email: string;
  mailHome: string;
  /** Countries with their own postage (columns beside domestic and international). */
  postCountries: string[];
  formats: LetterDraft[];
  fixed: string;
}

const COUNTRY = /^[A-Z]{2}$/;
const FORMAT = /^[a-z0-9_-]{1,40}$/;

const sortCountries = (list: Iterable<string>) => [...new Set(list)].filter((c) => COUNTRY.test(c)).sort();

export function emptyLetter(name = ''): LetterDraft {
  return { name, printing: '', enveloping: '', postage: { domestic: '', international: '' } };
}

/** The draft of a model (null: none yet) in the user's language. */
export function draftOf(model: CostModel | null, currency: string, lang: Lang): CostDraft {
  const milli = unitDigits(currency, MILLI);
  const text = (v: number | undefined) => (v === undefined ? '' : unitsToInput(v, milli, lang));
  const row = (prices: Record<string, number> | undefined): PriceRow =>
    Object.fromEntries(Object.entries(prices ?? {}).map(([k, v]) => [k, text(v)]));
  const whatsapp = Object.fromEntries(WHATSAPP_CATEGORIES.map((c) => [c, { default: '', ...row(model?.whatsapp?.[c]) }])) as unknown as Record<WhatsAppCategory, PriceRow>;
  const sms = { default: '', ...row(model?.sms?.perSegment) };
  const countries = sortCountries([...WHATSAPP_CATEGORIES.flatMap((c) => Object.keys(whatsapp[c])), ...Object.keys(sms)]);
  const formats = Object.entries(model?.mail?.formats ?? {}).map(([name, p]) => ({
    name,
    printing: text(p.printing),
    enveloping: text(p.enveloping),
    postage: row(p.postage),
  }));
  return {
    countries,
    whatsapp,
    sms,
    email: text(model?.email?.perMessage),
    mailHome: model?.mail?.homeCountry ?? '',
    postCountries: sortCountries(formats.flatMap((f) => Object.keys(f.postage))),
    formats: formats.length ? formats : [emptyLetter('standard')],
    fixed: model?.fixedCostMinor === undefined ? '' : unitsToInput(model.fixedCostMinor, unitDigits(currency), lang),
  };
}

export type DraftErrors = Record<string, 'empty' | 'format' | 'precision' | 'range' | 'required' | 'name' | 'country'>;

/**
 * The model to PUT, or the fields in error (keyed like `whatsapp.marketing.FR`, `mail.0.printing`). Empty cells
 * are "no price": a country falls back to the default, a channel without a default is not priced.
 */
export function modelOf(d: CostDraft, currency: string, lang: Lang): { ok: true; model: CostModel } | { ok: false; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const milli = unitDigits(currency, MILLI);
  const price = (key: string, s: string | undefined, required: boolean): number | undefined => {
    if (!s || !s.trim()) {
      if (required) errors[key] = 'required';
      return undefined;
    }
    const r = decimalToUnits(s, milli, lang);
    if (!r.ok) {
      errors[key] = r.error;
      return undefined;
    }
    if (r.value > 1_000_000_000) errors[key] = 'range';
    return r.value;
  };
  const countryRow = (prefix: string, row: PriceRow) => {
    const filled = Object.entries(row).filter(([, v]) => v && v.trim());
    if (filled.length === 0) return undefined;
    const out: Record<string, number> = {};
    const def = price(`${prefix}.default`, row.default, true);
    if (def !== undefined) out.default = def;
    for (const [k, v] of filled) {
      if (k === 'default') continue;
      if (!COUNTRY.test(k)) errors[`${prefix}.${k}`] = 'country';
      const p = price(`${prefix}.${k}`, v, false);
      if (p !== undefined) out[k] = p;
    }
    return out as { default: number } & Record<string, number>;
  };

  const model: CostModel = {};
  const whatsapp: NonNullable<CostModel['whatsapp']> = {};
  for (const c of WHATSAPP_CATEGORIES) {
    const r = countryRow(`whatsapp.${c}`, d.whatsapp[c]);
    if (r) whatsapp[c] = r;
  }
  if (Object.keys(whatsapp).length) model.whatsapp = whatsapp;
  const sms = countryRow('sms', d.sms);
  if (sms) model.sms = { perSegment: sms };
  const email = price('email', d.email, false);
  if (email !== undefined) model.email = { perMessage: email };

  const formats: Record<string, LetterPrices> = {};
  d.formats.forEach((f, i) => {
    // A line without any price is no format (its name alone prices nothing).
    const blank = !f.printing.trim() && !f.enveloping.trim() && Object.values(f.postage).every((v) => !v || !v.trim());
    if (blank) return;
    const name = f.name.trim();
    if (!FORMAT.test(name) || formats[name]) errors[`mail.${i}.name`] = 'name';
    const printing = price(`mail.${i}.printing`, f.printing, true);
    const enveloping = price(`mail.${i}.enveloping`, f.enveloping, true);
    const postage: Record<string, number> = {};
    for (const [k, v] of Object.entries(f.postage)) {
      const required = k === 'domestic' || k === 'international';
      const p = price(`mail.${i}.${k}`, v, required);
      if (p !== undefined) postage[k] = p;
    }
    if (printing !== undefined && enveloping !== undefined) {
      formats[name] = { printing, enveloping, postage: postage as LetterPrices['postage'] };
    }
  });
  const home = d.mailHome.trim().toUpperCase();
  if (home && !COUNTRY.test(home)) errors['mail.home'] = 'country';
  if (Object.keys(formats).length) model.mail = { ...(home ? { homeCountry: home } : {}), formats };

  if (d.fixed.trim()) {
    const r = decimalToUnits(d.fixed, unitDigits(currency), lang);
    if (r.ok) model.fixedCostMinor = r.value;
    else errors.fixed = r.error;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, model };
}
