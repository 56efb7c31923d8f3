// Checks that the seeded generator is reproducible and looks uniform.
import { expect, it } from 'vitest';
import { mulberry32 } from './prng';

it('repeats itself for a seed and differs between seeds', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const xs = Array.from({ length: 5 }, () => a());
  expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
  expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
});

it('is uniform on [0, 1): mean ½ and a tenth of draws in each tenth', () => {
  const random = mulberry32(7);
  const n = 100_000;
  const bins = new Array<number>(10).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const u = random();
    expect(u >= 0 && u < 1).toBe(true);
    sum += u;
    bins[Math.floor(u * 10)]++;
  }
  // The mean of n uniforms has sd √(1/12/n) = 0.000913; allow 4 sd.
  expect(Math.abs(sum / n - 0.5)).toBeLessThan(4 * 0.000913);
  // Each bin count is Binomial(100,000, 0.1): sd √(100,000·0.1·0.9) = 94.9; allow 4 sd = 380.
  for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(380);
});
