#!/usr/bin/env node
// Bundles the CLI (src/cli.ts) and the ingestion worker's entry into build/ with esbuild, so that a `mesure` process
// loads two JavaScript files instead of transpiling some 200 TypeScript modules through tsx at every start (about
// 1.5 s of CPU saved per process; the test suite starts hundreds). bin/mesure.js uses the bundle only while it is
// newer than every source file, and falls back to tsx otherwise, so an edited source is never run stale.
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
export const cliBundle = join(root, 'build', 'cli.mjs');
const workerBundle = join(root, 'build', 'ingestWorker.entry.mjs');

/** Newest modification time of a source the bundles are made from (src/**, package.json), in ms. */
function newestSource() {
  let t = statSync(join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else t = Math.max(t, statSync(path).mtimeMs);
    }
  };
  walk(src);
  return t;
}

/** True when both bundles exist and are newer than every source. */
export function cliBundleIsCurrent() {
  if (!existsSync(cliBundle) || !existsSync(workerBundle)) return false;
  const built = Math.min(statSync(cliBundle).mtimeMs, statSync(workerBundle).mtimeMs);
  return built >= newestSource();
}

/** Builds both bundles when stale (or forced); resolves true when a build ran. Throws with esbuild's errors. */
export async function ensureCliBuilt({ force = false, log = (m) => process.stderr.write(m) } = {}) {
  if (!force && cliBundleIsCurrent()) return false;
  const { buildSync } = await import('esbuild'); // only when building: bin/mesure.js imports this file at every start
  const t0 = Date.now();
  for (const [entry, out] of [[join(src, 'cli.ts'), cliBundle], [join(src, 'services', 'ingestWorker.entry.ts'), workerBundle]]) {
    // Written beside and renamed: a process starting meanwhile reads the old bundle or the new one, never half of one.
    const tmp = `${out}.${process.pid}.tmp`;
    buildSync({
      entryPoints: [entry],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external', // node_modules stay imports: native modules (better-sqlite3) and their own files load as usual
      sourcemap: 'inline', // stack traces name the TypeScript files and lines
      keepNames: true, // the ingestion worker compares hook names (constructor and function names) with the request thread's
      logLevel: 'warning',
    });
    renameSync(tmp, out);
  }
  log(`CLI bundled in ${((Date.now() - t0) / 1000).toFixed(1)} s → build/\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (!(await ensureCliBuilt({ force: process.argv.includes('--force') }))) process.stderr.write('CLI bundle is up to date (build/).\n');
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
