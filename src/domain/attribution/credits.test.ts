import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildOrder } from '../orders';
import { CHANNELS } from '../types';
import { attributeOrder, compareModels, largestRemainder, sumCredits, toAttributable, WEIGHT_SCALE, type AttributableOrder } from './credits';
import { ATTRIBUTION_MODELS } from './models';
import { DEFAULT_WINDOWS, TOUCH_KINDS, type Touch } from './touches';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2025, 2, 10, 12, 0, 0);
const order = (revenueMinor = 10000, patch: Partial<AttributableOrder> = {}): AttributableOrder => ({
  at: T,
  revenueMinor,
  currency: 'EUR',
  cancelled: false,
  ...patch,
});
const touch = (campaignId: string, channel: Touch['channel'], kind: Touch['kind'], before: number, messageId: string | null = `${campaignId}-msg`): Touch => ({
  campaignId,
  messageId,
  channel,
  kind,
  at: T - before,
});

/** The same sale announced on three channels: email A clicked 4 days before, SMS B 2 days before, WhatsApp C 1 hour before. */
const crossChannel: Touch[] = [
  touch('A', 'email', 'click', 4 * DAY),
  touch('B', 'sms', 'click', 2 * DAY),
  touch('C', 'whatsapp', 'click', 1 * HOUR),
  touch('A', 'email', 'open', 4 * DAY + HOUR), // influence: ignored because direct touches exist
];
const revenueBy = (credits: ReturnType<typeof attributeOrder>) => Object.fromEntries(credits.map((c) => [c.campaignId, c.revenueMinor]));
const microBy = (credits: ReturnType<typeof attributeOrder>) => Object.fromEntries(credits.map((c) => [c.campaignId, c.weightMicro]));

describe('attributeOrder: hand-computed cross-channel scenario (one order of 100.00, credited once)', () => {
  it('last touch: the WhatsApp click 1 hour before takes it all', () => {
    const credits = attributeOrder(order(), crossChannel, 'last_touch', DEFAULT_WINDOWS);
    expect(credits).toEqual([
      { campaignId: 'C', messageId: 'C-msg', channel: 'whatsapp', kind: 'click', weight: 1, weightMicro: 1_000_000, revenueMinor: 10000, direct: true },
    ]);
  });
  it('first touch: the email click 4 days before takes it all', () =>
    expect(revenueBy(attributeOrder(order(), crossChannel, 'first_touch', DEFAULT_WINDOWS))).toEqual({ A: 10000 }));
  it('linear: a third each; the cent left over goes to the first row by campaign id', () => {
    // 10000 / 3 = 3333.33… → 3333 + 3333 + 3333 = 9999; 1 cent left; equal remainders → A (first by id).
    const credits = attributeOrder(order(), crossChannel, 'linear', DEFAULT_WINDOWS);
    expect(revenueBy(credits)).toEqual({ A: 3334, B: 3333, C: 3333 });
    // 1 000 000 / 3 = 333 333.33… → the same rule in millionths.
    expect(microBy(credits)).toEqual({ A: 333334, B: 333333, C: 333333 });
  });
  it('position-based: 40 % first, 20 % middle, 40 % last', () => {
    // 0.4 × 10000 = 4000, 0.2 × 10000 = 2000, 0.4 × 10000 = 4000
    const credits = attributeOrder(order(), crossChannel, 'position_based', DEFAULT_WINDOWS);
    expect(revenueBy(credits)).toEqual({ A: 4000, B: 2000, C: 4000 });
    expect(microBy(credits)).toEqual({ A: 400000, B: 200000, C: 400000 });
  });
  it('time decay, half-life 7 days', () => {
    // Ages 96 h, 48 h, 1 h; relative to the newest: A 2^(−95/168) = 0.675732, B 2^(−47/168) = 0.823727, C 1.
    // Sum 2.499459. Shares of 10000: A 2703.51, B 3295.62, C 4000.87 → floors 2703 + 3295 + 4000 = 9998;
    // the 2 cents left go to the largest remainders: C (.87) and B (.62) → A 2703, B 3296, C 4001.
    // Millionths: 270351.41, 329562.06, 400086.53 → floors sum 999 999; 1 left → C.
    const credits = attributeOrder(order(), crossChannel, 'time_decay', DEFAULT_WINDOWS);
    expect(revenueBy(credits)).toEqual({ A: 2703, B: 3296, C: 4001 });
    expect(microBy(credits)).toEqual({ A: 270351, B: 329562, C: 400087 });
  });
  it('every model credits the order once: rows sum to one order and its revenue', () => {
    for (const model of ATTRIBUTION_MODELS) {
      const credits = attributeOrder(order(), crossChannel, model, DEFAULT_WINDOWS);
      expect(credits.reduce((s, c) => s + c.revenueMinor, 0)).toBe(10000);
      expect(credits.reduce((s, c) => s + c.weightMicro, 0)).toBe(WEIGHT_SCALE);
      expect(new Set(credits.map((c) => c.campaignId)).size).toBe(credits.length);
    }
  });
});

describe('attributeOrder: position-based with one and two touches', () => {
  it('one touch takes 100 %, two take 50/50', () => {
    expect(revenueBy(attributeOrder(order(999), [touch('A', 'sms', 'click', HOUR)], 'position_based', DEFAULT_WINDOWS))).toEqual({ A: 999 });
    // 999 / 2 = 499.5 each → 499 + 499, 1 left → A (tie, first by id)
    const two = [touch('A', 'sms', 'click', 2 * HOUR), touch('B', 'email', 'click', HOUR)];
    expect(revenueBy(attributeOrder(order(999), two, 'position_based', DEFAULT_WINDOWS))).toEqual({ A: 500, B: 499 });
  });
});

describe('attributeOrder: one row per campaign', () => {
  it('merges the touches of one campaign and names its latest message', () => {
    const touches = [touch('A', 'email', 'click', 4 * DAY, 'a1'), touch('A', 'email', 'click', 3 * DAY, 'a2'), touch('B', 'sms', 'click', DAY)];
    // Linear: A 2/3, B 1/3 of 10000 → 6666.67 and 3333.33 → 6666 + 3333 = 9999, 1 left → A (.67).
    const credits = attributeOrder(order(), touches, 'linear', DEFAULT_WINDOWS);
    expect(credits.map((c) => [c.campaignId, c.messageId, c.revenueMinor])).toEqual([
      ['A', 'a2', 6667],
      ['B', 'B-msg', 3333],
    ]);
  });
  it('counts an exact duplicate touch once', () => {
    const touches = [touch('A', 'email', 'click', DAY), touch('A', 'email', 'click', DAY), touch('B', 'sms', 'click', DAY)];
    expect(revenueBy(attributeOrder(order(), touches, 'linear', DEFAULT_WINDOWS))).toEqual({ A: 5000, B: 5000 });
  });
});

describe('attributeOrder: direct before influence', () => {
  it('credits only direct touches when there is one, even older than an open', () => {
    const touches = [touch('A', 'sms', 'click', 3 * DAY), touch('B', 'email', 'open', HOUR)];
    const credits = attributeOrder(order(), touches, 'last_touch', DEFAULT_WINDOWS);
    expect(credits.map((c) => [c.campaignId, c.direct])).toEqual([['A', true]]);
  });
  it('falls back to influence touches, marked not direct', () => {
    // Email open 2 days before (window 5 days), SMS delivery 6 hours before (window 12 hours).
    const touches = [touch('A', 'email', 'open', 2 * DAY), touch('B', 'sms', 'delivery', 6 * HOUR)];
    const credits = attributeOrder(order(), touches, 'last_touch', DEFAULT_WINDOWS);
    expect(credits.map((c) => [c.campaignId, c.direct, c.revenueMinor])).toEqual([['B', false, 10000]]);
    expect(revenueBy(attributeOrder(order(), touches, 'linear', DEFAULT_WINDOWS))).toEqual({ A: 5000, B: 5000 });
  });
  it('gives nothing without an eligible touch', () => expect(attributeOrder(order(), [], 'last_touch', DEFAULT_WINDOWS)).toEqual([]));
});

describe('attributeOrder: window edges (inclusive)', () => {
  const cases: [string, Touch['channel'], Touch['kind'], number][] = [
    ['email click', 'email', 'click', 5 * DAY],
    ['email open', 'email', 'open', 5 * DAY],
    ['SMS click', 'sms', 'click', 5 * DAY],
    ['SMS delivery', 'sms', 'delivery', 12 * HOUR],
    ['WhatsApp click', 'whatsapp', 'click', 5 * DAY],
    ['WhatsApp read', 'whatsapp', 'read', 12 * HOUR],
    ['letter QR scan', 'mail', 'scan', 30 * DAY],
    ['letter sent', 'mail', 'sent', 30 * DAY],
  ];
  for (const [label, channel, kind, window] of cases) {
    it(`${label}: counts one second inside and at the edge, not one second outside`, () => {
      const credited = (before: number) => attributeOrder(order(), [touch('A', channel, kind, before)], 'last_touch', DEFAULT_WINDOWS).length === 1;
      expect(credited(window - 1000)).toBe(true);
      expect(credited(window)).toBe(true);
      expect(credited(window + 1000)).toBe(false);
    });
  }
  it('never credits a touch after the order', () =>
    expect(attributeOrder(order(), [touch('A', 'email', 'click', -1000)], 'last_touch', DEFAULT_WINDOWS)).toEqual([]));
  it('gives no credit to kinds without a window (an email delivery)', () =>
    expect(attributeOrder(order(), [touch('A', 'email', 'delivery', HOUR)], 'last_touch', DEFAULT_WINDOWS)).toEqual([]));
});

describe('refunds and cancellations', () => {
  const built = (patch: Parameters<typeof buildOrder>[0]['refunds'] = [], cancelledAt: number | null = null) => {
    const r = buildOrder({ externalId: '1', source: 'api', at: T, currency: 'EUR', grossMinor: 12000, taxMinor: 2000, refunds: patch, cancelledAt });
    if (!r.ok) throw new Error(r.reason);
    return r.order;
  };
  const touches = [touch('A', 'email', 'click', DAY), touch('B', 'sms', 'click', HOUR)];
  it('splits the revenue left after a refund', () => {
    // net 120.00 − 20.00 = 100.00; refund of 36.00 of which 30.00 net → 70.00; linear → 35.00 each
    const o = toAttributable(built([{ refundId: 'r1', at: T + DAY, amountMinor: 3600, netMinor: 3000 }]), { basis: 'net', currency: 'EUR' });
    expect(o.revenueMinor).toBe(7000);
    expect(revenueBy(attributeOrder(o, touches, 'linear', DEFAULT_WINDOWS))).toEqual({ A: 3500, B: 3500 });
  });
  it('keeps a fully refunded order as a conversion with 0 revenue', () => {
    const o = toAttributable(built([{ refundId: 'r1', at: T + DAY, amountMinor: 12000, netMinor: 10000 }]), { basis: 'net', currency: 'EUR' });
    expect(attributeOrder(o, touches, 'last_touch', DEFAULT_WINDOWS)).toMatchObject([{ campaignId: 'B', revenueMinor: 0, weightMicro: WEIGHT_SCALE }]);
  });
  it('gives a cancelled order no credit at all', () => {
    const o = toAttributable(built([], T + HOUR), { basis: 'gross', currency: 'EUR' });
    expect(o).toMatchObject({ cancelled: true, revenueMinor: 0 });
    expect(attributeOrder(o, touches, 'linear', DEFAULT_WINDOWS)).toEqual([]);
  });
});

describe('toAttributable: currency', () => {
  const usd = buildOrder({ externalId: '2', source: 'api', at: T, currency: 'USD', grossMinor: 10823 });
  if (!usd.ok) throw new Error(usd.reason);
  it('converts at the rate of the order date', () => {
    const rates = [{ from: 'EUR', to: 'USD', rate: '1.0823', validFrom: T - DAY }];
    // 108.23 USD / 1.0823 = 100.00 EUR
    expect(toAttributable(usd.order, { basis: 'gross', currency: 'EUR', rates })).toMatchObject({ currency: 'EUR', revenueMinor: 10000, converted: true });
  });
  it('keeps the order in its currency without a rate, so it is reported apart', () => {
    const rates = [{ from: 'EUR', to: 'USD', rate: '1.0823', validFrom: T + DAY }]; // only after the order
    const o = toAttributable(usd.order, { basis: 'gross', currency: 'EUR', rates });
    expect(o).toMatchObject({ currency: 'USD', revenueMinor: 10823, converted: false });
    const rows = sumCredits([
      { currency: o.currency, credits: attributeOrder(o, [touch('A', 'email', 'click', HOUR)], 'last_touch', DEFAULT_WINDOWS) },
      { currency: 'EUR', credits: attributeOrder(order(5000), [touch('A', 'email', 'click', HOUR)], 'last_touch', DEFAULT_WINDOWS) },
    ]);
    expect(rows.map((r) => [r.campaignId, r.currency, r.revenueMinor])).toEqual([
      ['A', 'EUR', 5000],
      ['A', 'USD', 10823],
    ]);
  });
});

describe('compareModels', () => {
  it('shows the same orders under each model side by side (hand-computed)', () => {
    // Order 1 (100.00): the cross-channel scenario above. Order 2 (50.00): only an email open of A a day before.
    const rows = compareModels(
      [
        { order: order(10000), touches: crossChannel },
        { order: order(5000), touches: [touch('A', 'email', 'open', DAY)] },
      ],
      DEFAULT_WINDOWS,
      ['last_touch', 'first_touch', 'linear', 'position_based'],
    );
    const revenue = Object.fromEntries(rows.map((r) => [r.campaignId, Object.fromEntries(Object.entries(r.byModel).map(([m, f]) => [m, f.revenueMinor]))]));
    expect(revenue).toEqual({
      // last: order 2 only = 5000; first: 10000 + 5000; linear: 3334 + 5000; position: 4000 + 5000
      A: { last_touch: 5000, first_touch: 15000, linear: 8334, position_based: 9000 },
      B: { last_touch: 0, first_touch: 0, linear: 3333, position_based: 2000 },
      C: { last_touch: 10000, first_touch: 0, linear: 3333, position_based: 4000 },
    });
    const a = rows.find((r) => r.campaignId === 'A')!.byModel;
    // Under linear, A has 3334 direct (order 1) and 5000 influenced (order 2), from 2 orders.
    expect(a.linear).toEqual({ conversions: 2, weightedConversionsMicro: 333334 + 1_000_000, revenueMinor: 8334, directRevenueMinor: 3334, influencedRevenueMinor: 5000 });
    // Each model's column sums to the orders' total revenue: 10000 + 5000.
    for (const model of ['last_touch', 'first_touch', 'linear', 'position_based'] as const) {
      expect(rows.reduce((s, r) => s + r.byModel[model].revenueMinor, 0)).toBe(15000);
    }
  });
});

describe('largestRemainder', () => {
  it('splits exactly, remainders to the largest fractions', () => {
    expect(largestRemainder(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(largestRemainder(10, [0.5, 0.3, 0.2])).toEqual([5, 3, 2]);
    expect(largestRemainder(0, [1, 2])).toEqual([0, 0]);
    expect(largestRemainder(7, [1, 0])).toEqual([7, 0]);
  });
});

describe('attributeOrder: invariants (property)', () => {
  const touchArb = fc.record({
    campaignId: fc.constantFrom('A', 'B', 'C', 'D'),
    messageId: fc.option(fc.constantFrom('m1', 'm2', 'm3'), { nil: null }),
    channel: fc.constantFrom(...CHANNELS),
    kind: fc.constantFrom(...TOUCH_KINDS),
    at: fc.integer({ min: T - 35 * DAY, max: T + DAY }),
  });
  const input = fc.record({
    revenue: fc.integer({ min: 0, max: 1e12 }),
    touches: fc.array(touchArb, { maxLength: 12 }),
    model: fc.constantFrom(...ATTRIBUTION_MODELS),
    halfLifeMs: fc.integer({ min: 1, max: 30 * DAY }),
  });
  it('credits sum to one order and exactly its revenue; no campaign twice; never more than the revenue', () => {
    fc.assert(
      fc.property(input, ({ revenue, touches, model, halfLifeMs }) => {
        const credits = attributeOrder(order(revenue), touches, model, DEFAULT_WINDOWS, { halfLifeMs });
        if (credits.length === 0) return;
        expect(credits.reduce((s, c) => s + c.weightMicro, 0)).toBe(WEIGHT_SCALE);
        expect(Math.abs(credits.reduce((s, c) => s + c.weight, 0) - 1)).toBeLessThan(1e-9);
        expect(credits.reduce((s, c) => s + c.revenueMinor, 0)).toBe(revenue);
        for (const c of credits) {
          expect(c.revenueMinor).toBeGreaterThanOrEqual(0);
          expect(c.revenueMinor).toBeLessThanOrEqual(revenue);
          expect(Number.isInteger(c.revenueMinor)).toBe(true);
        }
        expect(new Set(credits.map((c) => c.campaignId)).size).toBe(credits.length);
        expect(new Set(credits.map((c) => c.direct)).size).toBe(1);
      }),
    );
  });
  it('gives the same credits for the same touches in any order', () => {
    fc.assert(
      fc.property(input, fc.func(fc.integer()), ({ revenue, touches, model, halfLifeMs }, key) => {
        const shuffled = touches.map((t, i) => ({ t, k: key(i) })).sort((a, b) => a.k - b.k).map(({ t }) => t);
        expect(attributeOrder(order(revenue), shuffled, model, DEFAULT_WINDOWS, { halfLifeMs })).toEqual(
          attributeOrder(order(revenue), touches, model, DEFAULT_WINDOWS, { halfLifeMs }),
        );
      }),
    );
  });
  it('gives a cancelled order nothing', () => {
    fc.assert(
      fc.property(input, ({ revenue, touches, model }) => {
        expect(attributeOrder(order(revenue, { cancelled: true }), touches, model, DEFAULT_WINDOWS)).toEqual([]);
      }),
    );
  });
});
