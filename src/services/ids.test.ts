import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './ids';

describe('timeOrderedId', () => {
  it('sorts by creation time and never repeats', () => {
    const a = timeOrderedId('msg_', 1_700_000_000_000);
    const b = timeOrderedId('msg_', 1_700_000_000_001);
    const c = timeOrderedId('msg_', 4_102_444_800_000); // 2100-01-01
    expect([c, b, a].sort()).toEqual([a, b, c]);
    expect(a).toMatch(/^msg_[0-9a-z]{9}[0-9a-f]{16}$/);
    const many = new Set(Array.from({ length: 10_000 }, () => timeOrderedId('x_', 1)));
    expect(many.size).toBe(10_000);
  });
});
