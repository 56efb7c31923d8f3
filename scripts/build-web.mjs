#!/usr/bin/env node
// Builds the dashboard (web/ → web/dist) when the build is missing or older than its sources, so that `npm start`
// and `npm test` serve a current dashboard with no separate command. `--force` rebuilds anyway.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const builtIndex = join(web, 'dist', 'index.html');

/** Newest modification time under `path` (a file or a directory), in ms. */
function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = s.mtimeMs;
  for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

/** Why the dashboard needs building, or null when web/dist is current. */
export function staleReason() {
  if (!existsSync(builtIndex)) return 'web/dist is missing';
  const built = statSync(builtIndex).mtimeMs;
  const sources = [join(web, 'src'), join(web, 'index.html'), join(web, 'vite.config.ts')].filter(existsSync);
  const changed = Math.max(...sources.map(newest));
  return changed > built ? 'web/src changed since the last build' : null;
}

/** Builds when stale (or forced); returns true when a build ran. Throws with Vite's output when it fails. */
export function ensureWebBuilt({ force = false, log = (m) => process.stderr.write(m) } = {}) {
  const reason = force ? 'rebuild requested' : staleReason();
  if (!reason) return false;
  log(`Building the dashboard (${reason})…\n`);
  const t0 = Date.now();
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    throw new Error(`The dashboard build failed (vite exited with ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  log(`Dashboard built in ${((Date.now() - t0) / 1000).toFixed(1)} s → web/dist\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const built = ensureWebBuilt({ force: process.argv.includes('--force') });
    if (!built) process.stderr.write('Dashboard is up to date (web/dist).\n');
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
