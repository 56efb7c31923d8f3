// Test files longest first, so that the run does not end with one slow file alone on a core while the other idles.
// A file's expected time is, in order: its time in Vitest's results cache (the last local run), its time in the last
// CI run for the slowest files (below, seconds on the two-core machine), or a guess from what it is: a test/ file that
// starts Mesure as a process or a browser outweighs one that does not, and either outweighs a unit test beside the code.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The slowest files of the last CI run (Node 20, maxWorkers 2), in seconds. */
const CI_SECONDS: Record<string, number> = {
  'test/backup.test.ts': 108,
  'test/secrets.test.ts': 96,
  'test/blackbox/fuzz.test.ts': 90,
  'test/operations.test.ts': 90,
  'test/backfill.test.ts': 90,
  'test/soak.smoke.test.ts': 80,
};

/** A test/ file that runs `mesure` as a child process, a browser or a PostgreSQL cluster is in the tens of seconds. */
const SLOW_KINDS = /startServerProcess|createAccountWithCli|runCli|startBlackbox|startE2E|chromium|spawn\(|execFile/;

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const expected = new Map<TestSpecification, number>();
    for (const spec of files) {
      const path = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`);
      expected.set(spec, cached && !cached.failed ? cached.duration / 1000 : CI_SECONDS[path] ?? guess(path, spec.moduleId));
    }
    return [...files].sort((a, b) => expected.get(b)! - expected.get(a)!);
  }
}

/** Seconds, roughly: size still orders files of one kind (a bigger file has more cases). */
function guess(path: string, file: string): number {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // unreadable: ordered by kind alone
  }
  const kb = text.length / 1024;
  if (!path.startsWith('test/')) return kb / 10;
  return (SLOW_KINDS.test(text) ? 30 : 10) + kb;
}
