import { describe, expect, it } from 'vitest';
import { applyShare } from './inbox';

describe('applyShare: how much of the time the inbox is applied while requests keep arriving', () => {
  const duty = { min: 0.02, max: 0.5, lagForMaxMs: 60_000 };
  it('stays at the floor while applying is fresh', () => {
    expect(applyShare(0, duty)).toBe(0.02);
    // 0.5 × 2,000 / 60,000 = 0.0167 < 0.02
    expect(applyShare(2_000, duty)).toBe(0.02);
  });
  it('grows with the age of the oldest waiting row', () => {
    expect(applyShare(6_000, duty)).toBeCloseTo(0.05, 10); // 0.5 × 6 / 60
    expect(applyShare(30_000, duty)).toBeCloseTo(0.25, 10);
  });
  it('is capped once applying is a minute late or more', () => {
    expect(applyShare(60_000, duty)).toBe(0.5);
    expect(applyShare(3_600_000, duty)).toBe(0.5);
  });
});
