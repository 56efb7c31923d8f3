#!/usr/bin/env node
// Runs the CLI: from its bundle (build/cli.mjs, made by `npm start`/`npm test` through scripts/build-cli.mjs) while the
// bundle is newer than every source, otherwise straight from the TypeScript through tsx, so that no separate build
// step is ever needed and an edited source is never run stale.
import { pathToFileURL } from 'node:url';
import { cliBundle, cliBundleIsCurrent } from '../scripts/build-cli.mjs';

if (cliBundleIsCurrent()) {
  process.setSourceMapsEnabled(true); // stack traces name the TypeScript files and lines, as under tsx
  await import(pathToFileURL(cliBundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
