// Every migration, by name; names are date-prefixed so that they sort in the order they must run.
import type { Migration } from 'kysely';
import * as core from './2026_11_25_001_core';

export const migrations: Record<string, Migration> = {
  '2026_11_25_001_core': core,
};
