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

  it('sorts ids made within one millisecond in the order they were made', () => {
    // Made at the same instant, 1,000 ids: sorting them must give them back in the order made (the demo relies on it
    // to draw the same buyers from a list by id on both engines).
    const made = Array.from({ length: 1000 }, () => timeOrderedId('msg_', 1_800_000_000_000));
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(1000);
  });
});
