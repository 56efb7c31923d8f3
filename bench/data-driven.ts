// The data-driven model's fit on a synthetic set of paths generated in memory (no database): aggregation, exact
// Shapley over the 4 channels, the Markov removal effect over 12 campaigns, and the 100 bootstrap resamples.
// `npm run bench:data-driven -- [paths]` (default 1,000,000). Recorded in docs/BENCHMARKS.md.
import { aggregatePaths, fitDataDriven, type FitPath } from '../src/domain/attribution/dataDriven';
import { mulberry32 } from '../src/domain/stats/prng';
import { CHANNELS } from '../src/domain/types';

const n = Number(process.argv[2] ?? 1_000_000);
const rng = mulberry32(2026);
const campaigns = Array.from({ length: 12 }, (_, i) => ({ campaignId: `c${String(i).padStart(2, '0')}`, channel: CHANNELS[i % 4] }));
// Each campaign's own pull; a path converts with 1 − Π(1 − pull) (at most about 30 %).
const pull = campaigns.map((_, i) => 0.01 + 0.01 * (i % 6));

let t = performance.now();
const paths: FitPath[] = [];
for (let i = 0; i < n; i++) {
  const len = 1 + Math.floor(rng() * 4);
  const steps = [];
  let miss = 1;
  for (let k = 0; k < len; k++) {
    const c = Math.floor(rng() * campaigns.length);
    steps.push(campaigns[c]);
    miss *= 1 - pull[c];
  }
  paths.push({ steps, converted: rng() < 1 - miss });
}
const generated = performance.now() - t;

t = performance.now();
const patterns = aggregatePaths(paths);
const aggregated = performance.now() - t;
t = performance.now();
const fit = fitDataDriven(patterns);
const fitted = performance.now() - t;

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`paths ${n.toLocaleString('en')} (${patterns.length.toLocaleString('en')} distinct), conversions ${fit.conversions.toLocaleString('en')}`);
console.log(`generated in ${s(generated)}; aggregated in ${s(aggregated)} (${Math.round(n / (aggregated / 1000)).toLocaleString('en')} paths/s)`);
console.log(`fitted with ${fit.status === 'fitted' ? fit.resamples : 0} bootstrap resamples in ${s(fitted)} (${Math.round(n / ((aggregated + fitted) / 1000)).toLocaleString('en')} paths/s end to end)`);
if (fit.status === 'fitted') {
  console.log('channels', fit.channels.map((c) => `${c.channel} ${(c.share * 100).toFixed(1)}% [${(c.low * 100).toFixed(1)}–${(c.high * 100).toFixed(1)}]`).join(', '));
  console.log('campaigns', fit.campaigns.map((c) => `${c.campaignId} ${(c.share * 100).toFixed(1)}%`).join(', '));
}
