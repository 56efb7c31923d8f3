// The dashboard's API types (web/src/api-types.ts, committed) are what scripts/api-types.ts generates from the
// server's /openapi.json today: a schema changed without regenerating them fails here, naming the command to run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_PATH, apiTypesSource } from '../scripts/api-types';

describe('web/src/api-types.ts', () => {
  it('is generated from the current /openapi.json (else run `npm run api-types` and commit the file)', async () => {
    const committed = readFileSync(API_TYPES_PATH, 'utf8');
    const generated = await apiTypesSource();
    expect(committed === generated, 'web/src/api-types.ts is stale: run `npm run api-types` and commit it').toBe(true);
  }, 120_000);
});
