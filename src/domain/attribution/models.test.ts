import { describe, expect, it } from 'vitest';
import { modelWeights } from './models';

const DAY = 86_400_000;

describe('modelWeights', () => {
  const ages = [10 * DAY, 3 * DAY, 1 * DAY, 0]; // oldest first
  it('last and first touch', () => {
    expect(modelWeights('last_touch', ages)).toEqual([0, 0, 0, 1]);
    expect(modelWeights('first_touch', ages)).toEqual([1, 0, 0, 0]);
  });
  it('linear', () => expect(modelWeights('linear', ages)).toEqual([1, 1, 1, 1]));
  it('position-based: 0.4 to the ends, 0.2 shared by the middle (0.2 / 2 = 0.1 each)', () => {
    expect(modelWeights('position_based', ages)).toEqual([0.4, 0.1, 0.1, 0.4]);
    expect(modelWeights('position_based', [DAY])).toEqual([1]);
    expect(modelWeights('position_based', [2 * DAY, DAY])).toEqual([0.5, 0.5]);
  });
  it('time decay halves the weight every half-life', () => {
    // Half-life 7 days: ages 14, 7, 0 days → 2^-2, 2^-1, 2^0
    expect(modelWeights('time_decay', [14 * DAY, 7 * DAY, 0])).toEqual([0.25, 0.5, 1]);
    // Relative to the newest touch, so a tiny half-life does not underflow everything to 0.
    expect(modelWeights('time_decay', [30 * DAY, 29 * DAY], { halfLifeMs: 1 })).toEqual([0, 1]);
    expect(() => modelWeights('time_decay', [0], { halfLifeMs: 0 })).toThrow(RangeError);
  });
  it('empty path, no weights', () => expect(modelWeights('linear', [])).toEqual([]));
});
