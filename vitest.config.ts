// Test runner configuration: unit tests beside the code, slower integration tests in test/.
// Two projects share the workers. Unit tests (src/, web/src/) share their worker's modules across files
// (isolate: false): they hold no state between files, and loading the app's modules again for each of them was about
// half their time. Integration tests (test/) keep a fresh process per file, as they start servers, set environment
// variables and hold connections. Files run longest first (test/sequencer.ts) so that the run's tail is short.
import { defineConfig } from 'vitest/config';
// @ts-expect-error: the extension the config loader asks for; tsc (without allowImportingTsExtensions) would refuse it
import LongestFirst from './test/sequencer.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Hooks start servers and CLI commands: minutes on a loaded machine (see START_TIMEOUT_MS in bench/support.ts).
    hookTimeout: 240_000,
    pool: 'forks',
    // Two workers on two cores. A third (tried 7 December: vitest 749 s instead of 962 s, as integration files mostly
    // wait on the servers they start) made timing-bound files fail under the contention (the multi-node sweep's
    // after-kill run); keep two until those files stop depending on wall-clock periods.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'web/src/**/*.test.ts', 'web/src/**/*.test.tsx'], isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'] } },
    ],
  },
});
