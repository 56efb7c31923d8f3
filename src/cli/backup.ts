// `mesure backup` and `mesure restore` (SQLite; on PostgreSQL they print the pg_dump/pg_restore procedure and exit 2),
// and what `mesure serve` holds for them: the server lock and the scheduled backups.
import type { Command } from 'commander';
import { loadConfig, sqlitePath, type Config } from '../config';
import { BackupError, BackupSchedule, backupSqlite, restoreSqlite, type VerifiedCopy } from '../services/backup';
import { holdServerLock } from '../store/backup';
import { fail, progressBar } from './shared';

/** Printed by `backup` and `restore` on PostgreSQL; docs/OPERATIONS.md gives the same procedure. */
function postgresProcedure(config: Config): string {
  const schema = config.database.schema;
  const n = schema ? ` --schema=${schema}` : '';
  return (
    'Mesure does not copy a PostgreSQL database itself: use PostgreSQL\'s own tools, which take a consistent snapshot while Mesure serves.\n\n' +
    `  Back up:   pg_dump --format=custom${n} --file=mesure-$(date -u +%Y%m%dT%H%M%SZ).dump "$DATABASE_URL"\n` +
    '  Check it:  pg_restore --list mesure-….dump > /dev/null\n' +
    '  Restore:   stop Mesure; create an empty database (createdb mesure_restored), then\n' +
    '             pg_restore --no-owner --exit-on-error --dbname=postgres://…/mesure_restored mesure-….dump\n' +
    `             and start Mesure with DATABASE_URL pointing to it${schema ? ` (and MESURE_PG_SCHEMA=${schema})` : ''}.\n\n` +
    'docs/OPERATIONS.md ("Backups and restore") describes the procedure and a restore drill.\n'
  );
}

function summary(v: VerifiedCopy, verb: string): string {
  const width = Math.max(...v.report.counts.map((c) => c.table.length));
  return (
    `${verb} ${v.file} (${(v.bytes / 1024 / 1024).toFixed(1)} MiB)\n` +
    (v.takenAt !== undefined ? `  snapshot: the database as it stood at ${new Date(v.takenAt).toISOString()}\n` : '') +
    '  integrity: ok\n' +
    `  schema: ${v.report.migrations!.length} migration(s), ${v.pending.length ? `${v.pending.length} behind this Mesure (applied at the next start: ${v.pending.join(', ')})` : 'the same as this Mesure'}\n` +
    '  rows:\n' +
    v.report.counts.map((c) => `    ${c.table.padEnd(width)} ${c.rows.toLocaleString('en').padStart(12)}\n`).join('')
  );
}

function sqliteOnly(config: Config): string {
  if (config.database.kind === 'postgres') {
    process.stderr.write(postgresProcedure(config));
    process.exit(2);
  }
  const path = sqlitePath(config.database.url);
  if (path === ':memory:') fail('DATABASE_URL is an in-memory database: there is no file to back up or restore.');
  return path;
}

export function register(program: Command): void {
  program
    .command('backup')
    .description('Copy the SQLite database to a file while the server keeps running (verified before it is given its name).')
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--force', 'replace --out if it exists')
    .action(async (o: { out: string; force?: boolean }) => {
      const config = (() => { try { return loadConfig(); } catch (e) { fail(e); } })();
      const dbPath = sqliteOnly(config);
      const bar = progressBar('backup');
      const t0 = Date.now();
      // Test hook only (docs/OPERATIONS.md): slows the copy down so that a test can interrupt it.
      const pauseMs = Number(process.env.MESURE_BACKUP_TEST_STEP_DELAY_MS || 0);
      try {
        const v = await backupSqlite({
          dbPath, out: o.out, force: o.force,
          stepPages: pauseMs > 0 ? 8 : 256,
          pauseMs,
          clock: Date.now,
          onProgress: (p) => { if (p.totalPages > 0) bar(p.copiedPages, p.totalPages, 'pages copied'); },
        });
        process.stdout.write(summary(v, `Backup written to`) + `  took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      } catch (err) {
        if (err instanceof BackupError) fail(err);
        throw err;
      }
    });

  program
    .command('restore')
    .description('Put a backup in place of the SQLite database of a stopped server; the replaced file is kept aside.')
    .argument('<file>', 'a file written by `mesure backup`')
    .action((file: string) => {
      const config = (() => { try { return loadConfig(); } catch (e) { fail(e); } })();
      const dbPath = sqliteOnly(config);
      try {
        const r = restoreSqlite({ dbPath, file, now: Date.now() });
        process.stdout.write(
          summary(r, 'Restored into') +
            (r.replacedAs ? `  the replaced database was kept as ${r.replacedAs} (with its -wal and -shm, if any)\n` : '  there was no database before\n') +
            'Start the server (`mesure serve`) to use it.\n',
        );
      } catch (err) {
        if (err instanceof BackupError) fail(err);
        throw err;
      }
    });
}

/**
 * What `mesure serve` holds while it runs on SQLite: the server lock (so that `mesure restore` refuses) and, when
 * MESURE_BACKUP_DIR is set, the backup schedule. Returns what releases them.
 */
export function holdForServing(config: Config): () => void {
  if (config.database.kind !== 'sqlite') return () => {};
  const dbPath = sqlitePath(config.database.url);
  if (dbPath === ':memory:') return () => {};
  let lock: { release(): void };
  try {
    lock = holdServerLock(dbPath, process.pid, Date.now());
  } catch (err) {
    fail(`cannot take the server lock ${dbPath}.lock (${(err as Error).message}): a \`mesure restore\` may be running on this database; wait for it to finish and start again.`);
  }
  const schedule = config.backup
    ? new BackupSchedule({
        ...config.backup,
        // The same program, with the same environment: `mesure backup --out <file>` in a child process.
        command: (out) => [process.execPath, ...process.execArgv, process.argv[1], 'backup', '--out', out],
        log: (line) => process.stderr.write(`[${new Date().toISOString()}] ${line}\n`),
        clock: Date.now,
      }).start()
    : undefined;
  return () => {
    schedule?.stop();
    lock.release();
  };
}
