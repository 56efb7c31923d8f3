import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../types';
import { attributeOrder, type AttributableOrder } from './credits';
import { aggregatePaths, fitDataDriven, markovRemoval, shapleyChannels, solveLinear, type FitPath } from './dataDriven';
import { DEFAULT_WINDOWS, type Touch } from './touches';

const CH: Record<string, Channel> = { A: 'email', B: 'sms', C: 'whatsapp', D: 'mail' };
const path = (campaigns: string, converted: boolean, channels: Record<string, Channel> = CH): FitPath => ({
  steps: [...campaigns].map((c) => ({ campaignId: c, channel: channels[c] })),
  converted,
});
const times = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);

describe('Shapley values over channels: the worked example of docs/ATTRIBUTION.md', () => {
  // 10 e-mail-only paths, 2 convert: r({email}) = 0.2; 10 SMS-only, 1 converts: r({sms}) = 0.1;
  // 10 e-mail + SMS, 6 convert: r({email, sms}) = 0.6; 5 WhatsApp-only, none converts: r({whatsapp}) = 0.
  const paths: FitPath[] = [
    ...times(2, path('A', true)), ...times(8, path('A', false)),
    ...times(1, path('B', true)), ...times(9, path('B', false)),
    ...times(6, path('AB', true)), ...times(4, path('AB', false)),
    ...times(5, path('C', false)),
  ];
  it('every coalition: φ_email = 0.2 + 0.6/2 = 0.5, φ_sms = 0.1 + 0.6/2 = 0.4, φ_whatsapp = 0', () => {
    const phi = shapleyChannels(aggregatePaths(paths));
    // v(∅)=0, v({e})=0.2, v({s})=0.1, v({w})=0, v({e,s})=0.9, v({e,w})=0.2, v({s,w})=0.1, v({e,s,w})=0.9.
    // φ_e = 1/3·(v{e}−v∅) + 1/6·(v{e,s}−v{s}) + 1/6·(v{e,w}−v{w}) + 1/3·(v{e,s,w}−v{s,w})
    //     = 1/3·0.2 + 1/6·0.8 + 1/6·0.2 + 1/3·0.8 = 0.0667 + 0.1333 + 0.0333 + 0.2667 = 0.5
    expect(phi.get('email')).toBeCloseTo(0.5, 12);
    expect(phi.get('sms')).toBeCloseTo(0.4, 12);
    expect(phi.get('whatsapp')).toBe(0);
    expect(phi.has('mail')).toBe(false);
    // Efficiency: Σφ = v(N) = 0.2 + 0.1 + 0.6 = 0.9.
    expect([...phi.values()].reduce((s, x) => s + x, 0)).toBeCloseTo(0.9, 12);
  });
});

describe('Markov removal effect over campaigns: the worked example of docs/ATTRIBUTION.md', () => {
  // A → B → conversion, A → null, B → conversion, B → null.
  const paths = [path('AB', true), path('A', false), path('B', true), path('B', false)];
  it('P(conv) = 1/2; removing A leaves 1/3 (effect 1/3), removing B leaves 0 (effect 1)', () => {
    // start → A 2/4, start → B 2/4; A → B 1/2, A → null 1/2; B → conv 2/3, B → null 1/3.
    // x_B = 2/3, x_A = 1/2 · x_B = 1/3; P = 1/2 · 1/3 + 1/2 · 2/3 = 1/2.
    // Without A: x_A = 0, x_B = 2/3: P = 1/2 · 2/3 = 1/3, effect 1 − (1/3)/(1/2) = 1/3.
    // Without B: x_B = 0, so x_A = 0: P = 0, effect 1.
    const m = markovRemoval(aggregatePaths(paths));
    expect(m.pConversion).toBeCloseTo(0.5, 12);
    expect(m.removalEffects.get('A')).toBeCloseTo(1 / 3, 12);
    expect(m.removalEffects.get('B')).toBeCloseTo(1, 12);
  });
  it("credits an order of 100.00 whose path is A then B: 1/3 : 1 → 25.00 and 75.00", () => {
    // Shares 1/3 / (4/3) = 1/4 and 1 / (4/3) = 3/4.
    const order: AttributableOrder = { at: 10_000_000, revenueMinor: 10000, currency: 'EUR', cancelled: false };
    const touches: Touch[] = [
      { campaignId: 'A', messageId: 'a', channel: 'email', kind: 'click', at: 9_000_000 },
      { campaignId: 'B', messageId: 'b', channel: 'sms', kind: 'click', at: 9_500_000 },
    ];
    const m = markovRemoval(aggregatePaths(paths));
    const credits = attributeOrder(order, touches, 'data_driven', DEFAULT_WINDOWS, { campaignWeights: m.removalEffects });
    expect(credits.map((c) => [c.campaignId, c.revenueMinor, c.weightMicro])).toEqual([['B', 7500, 750_000], ['A', 2500, 250_000]]);
  });
  it('without a fit, or when no campaign of the path has weight, data_driven credits as the fallback rule model', () => {
    const order: AttributableOrder = { at: 10_000_000, revenueMinor: 10000, currency: 'EUR', cancelled: false };
    const touches: Touch[] = [
      { campaignId: 'A', messageId: 'a', channel: 'email', kind: 'click', at: 9_000_000 },
      { campaignId: 'Z', messageId: 'z', channel: 'sms', kind: 'click', at: 9_500_000 },
    ];
    expect(attributeOrder(order, touches, 'data_driven', DEFAULT_WINDOWS, { fallbackModel: 'first_touch' })).toEqual(attributeOrder(order, touches, 'first_touch', DEFAULT_WINDOWS));
    const unseen = new Map([['Q', 1]]);
    expect(attributeOrder(order, touches, 'data_driven', DEFAULT_WINDOWS, { campaignWeights: unseen })).toEqual(attributeOrder(order, touches, 'last_touch', DEFAULT_WINDOWS));
  });
});

describe('solveLinear', () => {
  it('needs a pivot swap: [[0, 1], [2, 1]]·x = [1, 3] → x = [1, 1]', () => {
    // 0·x0 + x1 = 1 → x1 = 1; 2·x0 + 1 = 3 → x0 = 1.
    expect(solveLinear([[0, 1], [2, 1]], [1, 3])).toEqual([1, 1]);
  });
});

describe('fitDataDriven', () => {
  it('refuses below the minimum of conversions, counting paths and conversions', () => {
    const fit = fitDataDriven([path('A', true), path('B', false)], { minConversions: 2 });
    expect(fit).toEqual({ status: 'insufficient_data', conversions: 1, paths: 2, minConversions: 2 });
  });
  it('fits with seeded bootstrap intervals that hold the point share, and is reproducible', () => {
    const paths = [...times(20, path('AB', true)), ...times(20, path('A', false)), ...times(20, path('B', true)), ...times(20, path('B', false))];
    const fit = fitDataDriven(paths, { minConversions: 10, resamples: 50 });
    expect(fit.status).toBe('fitted');
    if (fit.status !== 'fitted') return;
    // The worked example scaled by 20: the same shares, A 1/4, B 3/4; 40 conversions of 80 paths.
    expect(fit.conversions).toBe(40);
    expect(fit.paths).toBe(80);
    expect(fit.campaigns.map((c) => [c.campaignId, c.share])).toEqual([['A', expect.closeTo(0.25, 12)], ['B', expect.closeTo(0.75, 12)]]);
    for (const w of [...fit.campaigns, ...fit.channels]) {
      expect(w.low).toBeLessThanOrEqual(w.share + 1e-12);
      expect(w.high).toBeGreaterThanOrEqual(w.share - 1e-12);
    }
    expect(fitDataDriven([...paths].reverse(), { minConversions: 10, resamples: 50 })).toEqual(fit);
  });
});

// ------------------------------------------------------------------------------------------ properties

const pathArb = fc.record({
  steps: fc.array(fc.constantFrom('A', 'B', 'C', 'D').map((c) => ({ campaignId: c, channel: CH[c] })), { minLength: 1, maxLength: 4 }),
  converted: fc.boolean(),
});

describe('properties', () => {
  it('efficiency: Shapley values sum to v(N), the sum of the exact-set conversion rates', () => {
    fc.assert(fc.property(fc.array(pathArb, { minLength: 1, maxLength: 40 }), (paths) => {
      const patterns = aggregatePaths(paths);
      const byMask = new Map<string, { n: number; c: number }>();
      for (const p of patterns) {
        const k = p.channels.join();
        const e = byMask.get(k) ?? { n: 0, c: 0 };
        e.n += p.count;
        if (p.converted) e.c += p.count;
        byMask.set(k, e);
      }
      const vN = [...byMask.values()].reduce((s, e) => s + e.c / e.n, 0);
      const phi = [...shapleyChannels(patterns).values()].reduce((s, x) => s + x, 0);
      expect(phi).toBeCloseTo(vN, 9);
    }));
  });
  it('efficiency of credits: an order under data_driven is split into exactly its revenue and one million millionths', () => {
    fc.assert(fc.property(
      fc.array(pathArb, { minLength: 1, maxLength: 30 }),
      fc.array(fc.constantFrom('A', 'B', 'C', 'D'), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: 10_000_000 }),
      (paths, orderPath, revenueMinor) => {
        const weights = markovRemoval(aggregatePaths(paths)).removalEffects;
        const order: AttributableOrder = { at: 1_000_000, revenueMinor, currency: 'EUR', cancelled: false };
        const touches: Touch[] = orderPath.map((c, i) => ({ campaignId: c, messageId: `${c}${i}`, channel: CH[c], kind: 'click', at: 1_000_000 - 1000 * (i + 1) }));
        const credits = attributeOrder(order, touches, 'data_driven', DEFAULT_WINDOWS, { campaignWeights: weights });
        expect(credits.reduce((s, c) => s + c.revenueMinor, 0)).toBe(revenueMinor);
        expect(credits.reduce((s, c) => s + c.weightMicro, 0)).toBe(1_000_000);
      },
    ));
  });
  it('symmetry: two channels that always appear together get equal Shapley values; mirrored campaigns equal removal effects', () => {
    fc.assert(fc.property(fc.array(fc.record({ both: fc.boolean(), converted: fc.boolean() }), { minLength: 1, maxLength: 30 }), (rows) => {
      // Each row gives a pair of paths mirrored in A ↔ B (email ↔ sms): the data are symmetric in the two players.
      const paths: FitPath[] = rows.flatMap((r) => r.both
        ? [path('AB', r.converted), path('BA', r.converted)]
        : [path('AC', r.converted), path('BC', r.converted)]);
      const phi = shapleyChannels(aggregatePaths(paths));
      expect(phi.get('email')).toBeCloseTo(phi.get('sms')!, 12);
      const re = markovRemoval(aggregatePaths(paths)).removalEffects;
      expect(re.get('A')).toBeCloseTo(re.get('B')!, 12);
    }));
  });
  it('null player: a channel (and campaign) never on a converting path gets nothing', () => {
    fc.assert(fc.property(fc.array(pathArb, { minLength: 1, maxLength: 30 }), fc.array(fc.constantFrom('A', 'B', 'C'), { minLength: 0, maxLength: 3 }), (paths, prefix) => {
      // D (letters) only on paths that do not convert.
      const all = [...paths.filter((p) => !p.steps.some((s) => s.campaignId === 'D')), path(`${prefix.join('')}D`, false)];
      expect(shapleyChannels(aggregatePaths(all)).get('mail')).toBeCloseTo(0, 12);
      expect(markovRemoval(aggregatePaths(all)).removalEffects.get('D')).toBeCloseTo(0, 12);
    }));
  });
  it('input order changes nothing: the same paths shuffled give the same fit', () => {
    fc.assert(fc.property(fc.array(pathArb, { minLength: 1, maxLength: 30 }).chain((p) => fc.tuple(fc.constant(p), fc.shuffledSubarray(p, { minLength: p.length, maxLength: p.length }))), ([paths, shuffled]) => {
      expect(fitDataDriven(shuffled, { minConversions: 1, resamples: 5 })).toEqual(fitDataDriven(paths, { minConversions: 1, resamples: 5 }));
    }), { numRuns: 50 });
  });
});
