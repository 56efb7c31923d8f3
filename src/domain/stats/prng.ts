// A small seeded pseudo-random generator for simulations and generated data sets: the same seed gives the same
// numbers on every machine, so statistical tests and demo data are reproducible.

/** Mulberry32 (Tommy Ettinger, 2017): 32-bit state, period 2³², good enough for simulations, not for secrets. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
