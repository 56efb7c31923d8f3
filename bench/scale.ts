// `npm run bench:scale` (issue #20): builds or reuses a scale account (`mesure demo --scale N`) on SQLite or PostgreSQL
// and prints its build (time, peak RSS), storage per message, the read paths and the write side against the issue's
// aims (PASS/MISS), the machine's load, and the campaign page in headless Chromium. The work is in bench/scale/.
// Flags: --engine sqlite|postgres (sqlite), --scale N (200: 10,000,000 messages), --db PATH (SQLite file, default
// <tmpdir>/mesure-scale-<N>.db), --pg-schema NAME (default scale_<N>; PostgreSQL at MESURE_TEST_PG_URL or
// postgres://postgres@127.0.0.1:5432/test), --build-only, --reads R (5 warm calls each), --no-browser, --write-events E (200000),
// --click-seconds S (15). Prints one line per step, then the tables; exits 0 whether aims are met or not.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { analyze, build, readRecord, storageBytes, writeRecord, type Target } from './scale/build';
import { runScale } from './scale/run';

const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};
const cli = new Command('bench:scale')
  .option('--engine <engine>', 'sqlite or postgres', 'sqlite')
  .option('--scale <n>', 'demo scale: 1 is 50,000 messages', positive, 200)
  .option('--db <path>', 'SQLite file to build or reuse')
  .option('--pg-schema <name>', 'PostgreSQL schema to build or reuse')
  .option('--build-only', 'build (or find) the account and stop')
  .option('--reads <r>', 'warm calls per read path (median)', positive, 5)
  .option('--write-events <e>', 'events posted for the write side', positive, 200_000)
  .option('--click-seconds <s>', 'seconds of redirect load', positive, 15)
  .option('--no-browser', 'skip the dashboard check in Chromium')
  .parse();
const o = cli.opts<{ engine: string; scale: number; db?: string; pgSchema?: string; buildOnly?: boolean; reads: number; writeEvents: number; clickSeconds: number; browser: boolean }>();
if (o.engine !== 'sqlite' && o.engine !== 'postgres') cli.error(`--engine must be sqlite or postgres, not "${o.engine}"`);
const label = String(o.scale).replace(/\W/g, '_');
if (o.pgSchema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(o.pgSchema)) cli.error('--pg-schema must be a lower-case SQL identifier');
const target: Target = {
  engine: o.engine as Target['engine'],
  db: o.db ?? join(tmpdir(), `mesure-scale-${label}.db`),
  pgUrl: process.env.MESURE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
  pgSchema: o.pgSchema ?? `scale_${label}`,
};
const log = (line: string) => process.stdout.write(`${line}\n`);

let record = await readRecord(target);
if (record && record.scale !== o.scale) cli.error(`that database holds a scale-${record.scale} account, not ${o.scale}`);
if (record) log(`Reusing the scale-${record.scale} account ${record.accountId} built ${record.builtAt}.`);
else record = await build(target, o.scale, log);
if (target.engine === 'postgres' && record.analyzeSeconds === undefined) {
  // Built before the bench analysed its schema: analyse it now, once.
  record = { ...record, ...(await analyze(target)) };
  await writeRecord(target, record);
}
if (record.storageBytes === undefined) {
  // Built before the bench kept the size in its record: measure it now (after any earlier run's write side).
  record = { ...record, storageBytes: await storageBytes(target) };
  await writeRecord(target, record);
}
if (o.buildOnly) {
  log(`Built in ${record.seconds.toFixed(1)} s, peak RSS ${Math.round(record.peakRssKiB / 1024)} MiB: ${record.messages} messages, ${record.events} events, ${record.orders} orders.`);
} else {
  const misses = await runScale(target, record, { reads: o.reads, writeEvents: o.writeEvents, clickSeconds: o.clickSeconds, browser: o.browser, log });
  if (misses > 0) log(`\n${misses} aims missed (see MISS above).`);
  else log('\nEvery aim met.');
}
