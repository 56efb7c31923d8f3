import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cleanDeclared, declaredFromNoteAttributes, declaredVsAttributed, decodeTarget, encodeTarget, firstMatchingRule, foldDeclared, mapDeclared,
  previewRules, readDeclaredConfig, DECLARED_MAX_LENGTH, DEFAULT_DECLARED_ATTRIBUTES, type DeclaredRule,
} from './declared';

const rules: DeclaredRule[] = [
  { match: 'contains', pattern: 'Lettre', target: { channel: 'mail' } },
  { match: 'equals', pattern: 'e-mail', target: { channel: 'email' } },
  { match: 'contains', pattern: 'soldes d’été', target: { campaignId: 'cmp_summer' } },
  { match: 'contains', pattern: 'ami', target: 'other' },
];

describe('declared answers', () => {
  it('keeps the text trimmed, its white space made one, bounded', () => {
    expect(cleanDeclared('  Une   lettre\n reçue ')).toBe('Une lettre reçue');
    expect(cleanDeclared(' \n ')).toBeNull();
    expect(cleanDeclared(undefined)).toBeNull();
    expect(cleanDeclared('é'.repeat(500))).toHaveLength(DECLARED_MAX_LENGTH);
    // A cut never splits a surrogate pair: 199 letters + one emoji (2 code units) is 200 code points.
    expect(cleanDeclared(`${'a'.repeat(199)}😀😀`)).toBe(`${'a'.repeat(199)}😀`);
  });

  it('reads the first configured note attribute holding an answer, names compared without case', () => {
    const notes = { gift_wrap: 'yes', HDYHAU: '  ', How_Did_You_Hear: 'Instagram' };
    expect(declaredFromNoteAttributes(notes, DEFAULT_DECLARED_ATTRIBUTES)).toBe('Instagram');
    expect(declaredFromNoteAttributes(notes, ['hdyhau'])).toBeNull();
    expect(declaredFromNoteAttributes({ source: 'Google' }, DEFAULT_DECLARED_ATTRIBUTES)).toBeNull();
  });

  it('maps with the first matching rule, without case or accents', () => {
    expect(foldDeclared('  LETTRE   Reçue ')).toBe('lettre recue');
    expect(mapDeclared(rules, 'Une LÉTTRE dans ma boîte')).toBe('channel:mail'); // contains "lettre" once folded
    expect(mapDeclared(rules, 'E-MAIL')).toBe('channel:email');
    expect(mapDeclared(rules, 'un e-mail')).toBeNull(); // equals, not contains
    expect(mapDeclared(rules, 'Les SOLDES D’ETE')).toBe('campaign:cmp_summer');
    expect(mapDeclared(rules, 'Une amie')).toBe('other');
    // "Une lettre d'une amie": rule 0 comes first.
    expect(mapDeclared(rules, "Une lettre d'une amie")).toBe('channel:mail');
    expect(mapDeclared(rules, null)).toBeNull();
    expect(firstMatchingRule([{ match: 'contains', pattern: ' ', target: 'other' }], 'x')).toBe(-1);
  });

  it('stores targets as text and reads them back', () => {
    for (const t of [{ channel: 'sms' as const }, { campaignId: 'cmp_1' }, 'other' as const]) expect(decodeTarget(encodeTarget(t))).toEqual(t);
    expect(decodeTarget('channel:fax')).toBeNull();
    expect(decodeTarget(null)).toBeNull();
  });

  it('previews each rule with the answers it takes first', () => {
    const p = previewRules(rules, [{ text: 'Lettre', orders: 3 }, { text: 'lettre d’une amie', orders: 2 }, { text: 'E-mail', orders: 1 }, { text: 'Google', orders: 4 }]);
    // rule 0: 3 + 2 = 5; rule 1: 1; rules 2, 3: 0 (the amie answer went to rule 0); unmapped: Google 4.
    expect(p).toEqual({ matches: [5, 1, 0, 0], unmapped: 4 });
  });

  it('falls back to the default attribute names and no rule', () => {
    expect(readDeclaredConfig({})).toEqual({ attributes: [...DEFAULT_DECLARED_ATTRIBUTES], rules: [] });
    expect(readDeclaredConfig({ declared: { attributes: ['source_survey'], rules } })).toEqual({ attributes: ['source_survey'], rules });
  });
});

describe('declared vs attributed', () => {
  it('counts per channel, overlap, other and unmapped (by hand)', () => {
    const r = declaredVsAttributed([
      // o1 declared mail, credited to mail 3000 and email 1000: overlap on mail.
      { id: 'o1', declared: 'lettre', target: 'channel:mail', revenueMinor: 4000, credits: [{ channel: 'mail', revenueMinor: 3000 }, { channel: 'email', revenueMinor: 1000 }] },
      // o2 declared the summer campaign (sms), credited to email only.
      { id: 'o2', declared: 'soldes', target: 'campaign:cmp_summer', revenueMinor: 2000, credits: [{ channel: 'email', revenueMinor: 2000 }] },
      { id: 'o3', declared: 'Une amie', target: 'other', revenueMinor: 500, credits: [] },
      { id: 'o4', declared: 'Google', target: null, revenueMinor: 100, credits: [] },
      { id: 'o5', declared: 'GOOGLE ', target: null, revenueMinor: 100, credits: [] },
      { id: 'o6', declared: 'Télé', target: null, revenueMinor: null, credits: [] },
      { id: 'o7', declared: null, target: null, revenueMinor: 900, credits: [{ channel: 'mail', revenueMinor: 900 }] },
    ], (id) => (id === 'cmp_summer' ? 'sms' : undefined));
    expect(r.orders).toBe(7);
    expect(r.answered).toBe(6);
    const by = Object.fromEntries(r.channels.map((c) => [c.channel, c]));
    // mail: declared o1 (4000); attributed o1, o7 = 2 orders, 3000 + 900 = 3900; overlap o1.
    expect(by.mail).toEqual({ channel: 'mail', declaredOrders: 1, declaredRevenue: 4000, attributedOrders: 2, attributedRevenue: 3900, overlapOrders: 1 });
    // email: declared none; attributed o1 (1000) and o2 (2000) = 3000.
    expect(by.email).toEqual({ channel: 'email', declaredOrders: 0, declaredRevenue: 0, attributedOrders: 2, attributedRevenue: 3000, overlapOrders: 0 });
    // sms: o2 through its campaign, 2000, not credited to sms.
    expect(by.sms).toEqual({ channel: 'sms', declaredOrders: 1, declaredRevenue: 2000, attributedOrders: 0, attributedRevenue: 0, overlapOrders: 0 });
    expect(r.other).toEqual({ orders: 1, revenue: 500 });
    // Google twice (grouped without case, first spelling kept), Télé once.
    expect(r.unmapped).toEqual({ orders: 3, top: [{ text: 'Google', orders: 2 }, { text: 'Télé', orders: 1 }] });
  });

  it('never counts an order twice on a channel, and declared orders never exceed the answered ones', () => {
    const channel = fc.constantFrom('whatsapp', 'sms', 'email', 'mail');
    const order = fc.record({
      id: fc.uuid(),
      declared: fc.option(fc.string({ maxLength: 5 }), { nil: null }),
      target: fc.option(channel.map((c) => `channel:${c}`), { nil: null }),
      revenueMinor: fc.option(fc.nat(10_000), { nil: null }),
      credits: fc.array(fc.record({ channel, revenueMinor: fc.nat(10_000) }), { maxLength: 4 }),
    }).map((o) => ({ ...o, target: o.declared === null ? null : o.target }));
    fc.assert(fc.property(fc.array(order, { maxLength: 30 }), (orders) => {
      const r = declaredVsAttributed(orders, () => undefined);
      for (const c of r.channels) {
        expect(c.attributedOrders).toBeLessThanOrEqual(orders.length);
        expect(c.overlapOrders).toBeLessThanOrEqual(Math.min(c.declaredOrders, c.attributedOrders));
      }
      const declared = r.channels.reduce((n, c) => n + c.declaredOrders, 0);
      expect(declared + r.other.orders + r.unmapped.orders).toBe(r.answered);
    }));
  });

  it('folding is idempotent and mapping ignores case and accents', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(foldDeclared(foldDeclared(s))).toBe(foldDeclared(s));
      expect(mapDeclared(rules, s.toUpperCase())).toBe(mapDeclared(rules, s.toLowerCase()));
    }));
  });
});
