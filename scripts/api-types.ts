// Writes web/src/api-types.ts, the dashboard's API types, from the server's own /openapi.json (answers published in
// src/http/responses.ts), read as the API reference reads it (loadOpenApiDocument: the app on an in-memory SQLite
// database, not listening). Run by `npm run api-types`, and before the type-check and the dashboard build
// (scripts/build-web.mjs); the file is committed, and test/api-types.test.ts fails when it is stale. `--check` writes
// nothing and exits 1 when the file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { loadOpenApiDocument } from './api-reference';

export const API_TYPES_PATH = fileURLToPath(new URL('../web/src/api-types.ts', import.meta.url));

const HEADER = `// Generated from the server's /openapi.json by scripts/api-types.ts (npm run api-types): do not edit.
// The answers are published in src/http/responses.ts; web/src/types.ts names the ones the dashboard reads.
/* eslint-disable */
`;

/** The text of web/src/api-types.ts for the server's current document. */
export async function apiTypesSource(): Promise<string> {
  const ast = await openapiTS((await loadOpenApiDocument()) as unknown as OpenAPI3, { alphabetize: false, silent: true });
  return HEADER + astToString(ast);
}

function current(): string | null {
  try {
    return readFileSync(API_TYPES_PATH, 'utf8');
  } catch {
    return null;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await apiTypesSource();
  if (process.argv.includes('--check')) {
    if (current() !== text) {
      process.stderr.write('web/src/api-types.ts is stale: run `npm run api-types` and commit it.\n');
      process.exit(1);
    }
  } else if (current() !== text) {
    // Written only when it changed, so that the dashboard build's staleness check sees a change only then.
    writeFileSync(API_TYPES_PATH, text);
    process.stderr.write('web/src/api-types.ts updated from /openapi.json.\n');
  }
  process.exit(0);
}
