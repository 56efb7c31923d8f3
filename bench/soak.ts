// `npm run bench:soak` (issue #25): does Mesure stay steady under sustained mixed traffic? Starts `mesure serve` on a
// fresh database, builds the issue's account, finds the rate this machine sustains, then runs an open-loop mixed load
// at 60 % of it and prints, per minute, latencies, skipped requests, inbox, RSS, CPU and database size; then losses,
// drain and shutdown, and PASS/MISS per aim. The work is in bench/soak/run.ts (the CI smoke test calls it too).
// Flags: --engine sqlite|postgres (default sqlite; PostgreSQL at MESURE_TEST_PG_URL or postgres://postgres@127.0.0.1:5432/test,
// in a schema of its own, dropped after), --minutes M (30), --messages N (200000), --smoke (2 minutes, 6,000 messages),
// --rate E (skip the ramp: load at E events/s), --share S (0.6).
import { Command, InvalidArgumentError } from 'commander';
import { runSoak } from './soak/run';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};
const cli = new Command('bench:soak')
  .option('--engine <engine>', 'sqlite or postgres', 'sqlite')
  .option('--minutes <m>', 'length of the soak in minutes (default 30; 2 with --smoke)', positive)
  .option('--messages <n>', 'messages in the account (default 200000; 6000 with --smoke)', positive)
  .option('--smoke', 'a short run: 2 minutes, a smaller account, 10-s ramp steps, a row every 30 s')
  .option('--rate <events>', 'skip the ramp and load at this many events/s', positive)
  .option('--share <s>', 'share of the sustainable rate to load at', positive, 0.6)
  .parse();
const o = cli.opts<{ engine: string; minutes?: number; messages?: number; smoke?: boolean; rate?: number; share: number }>();
if (o.engine !== 'sqlite' && o.engine !== 'postgres') cli.error(`--engine must be sqlite or postgres, not "${o.engine}"`);

const minutes = o.minutes ?? (o.smoke ? 2 : 30);
const result = await runSoak({
  engine: o.engine as 'sqlite' | 'postgres',
  messages: Math.round(o.messages ?? (o.smoke ? 6000 : 200_000)),
  loadSeconds: Math.round(minutes * 60),
  intervalSeconds: o.smoke ? 30 : 60,
  share: o.share,
  eventsPerS: o.rate,
  rampStepSeconds: o.smoke ? 10 : 20,
  log: (line) => process.stdout.write(`${line}\n`),
});
const missed = result.aims.filter((a) => !a.pass).length;
process.stdout.write(`\n${missed === 0 ? 'Every aim met.' : `${missed} of ${result.aims.length} aims missed (see MISS above).`}\n`);
if (result.lost.clicks || result.lost.events || result.lost.deadLetters || result.totals.failed) process.exitCode = 1;
