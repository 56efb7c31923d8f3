// Backups of a SQLite database while it serves, their restore on a stopped server, and scheduled backups kept N deep.
// A file only ever appears under its final name complete and verified: everything is written under a temporary name
// in the same directory and renamed at the end (a rename within a directory is atomic).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, copyFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MESURE_VERSION } from '../config';
import { migrations } from '../store/migrations';
import { inspectSqliteFile, sealSqliteCopy, snapshotSqlite, tryExclusiveServerLock, type SnapshotProgress, type SqliteFileReport } from '../store/backup';

/** An operator's mistake or a check that failed: the message says what is wrong and what to do. */
export class BackupError extends Error {}

export interface VerifiedCopy {
  file: string;
  /** A backup's moment: it holds every commit before it and none after (epoch ms). */
  takenAt?: number;
  bytes: number;
  report: SqliteFileReport;
  /** Migrations this build knows that the copy has not had yet (an older database: migrated at the next start). */
  pending: string[];
}

/** Checks a copy: integrity, a Mesure database, and no migration this build does not know. */
function verifyCopy(path: string, what: string): VerifiedCopy {
  let report: SqliteFileReport;
  try {
    report = inspectSqliteFile(path);
  } catch (err) {
    throw new BackupError(`${what} is not a readable SQLite database (${(err as Error).message}).`);
  }
  if (report.integrity.length !== 1 || report.integrity[0] !== 'ok') {
    throw new BackupError(`${what} failed SQLite's integrity check: ${report.integrity.slice(0, 5).join('; ')}.`);
  }
  if (report.migrations === null) throw new BackupError(`${what} is a SQLite database but not a Mesure one (it has no migration record).`);
  const recorded = new Set(report.migrations);
  const unknown = report.migrations.filter((n) => !(n in migrations));
  if (unknown.length) {
    throw new BackupError(
      `${what} was written by a newer Mesure: it records migration ${unknown.join(', ')}, which Mesure ${MESURE_VERSION} does not know. ` +
        'Use the Mesure version that wrote it.',
    );
  }
  const pending = Object.keys(migrations).sort().filter((n) => !recorded.has(n));
  return { file: path, bytes: statSync(path).size, report, pending };
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const partialPrefix = (out: string) => `.${basename(out)}.partial-`;

/** Removes what an interrupted backup to `out` left (a SIGKILL gives it no chance): temporary files of dead processes. */
function removeStalePartials(out: string): void {
  const dir = dirname(out);
  const prefix = partialPrefix(out);
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).replace(/-(journal|wal|shm)$/, ''));
    if (Number.isInteger(pid) && !pidAlive(pid)) rmSync(join(dir, name), { force: true });
  }
}

export interface BackupOptions {
  dbPath: string;
  out: string;
  force?: boolean;
  /** Pages (4 KiB) copied per step. */
  stepPages?: number;
  /** Test hook: sleep this long between steps (MESURE_BACKUP_TEST_STEP_DELAY_MS). */
  pauseMs?: number;
  onProgress?: (p: SnapshotProgress) => void;
  clock: () => number;
}

/**
 * `mesure backup`: snapshot, seal, verify, then rename into place. On any failure the temporary file is removed
 * and nothing exists under `out` (unless it existed before and `force` was not given, in which case it is untouched).
 */
export async function backupSqlite(o: BackupOptions): Promise<VerifiedCopy> {
  const out = resolve(o.out);
  if (!existsSync(o.dbPath)) throw new BackupError(`There is no database at ${o.dbPath}: check DATABASE_URL.`);
  if (resolve(o.dbPath) === out) throw new BackupError('--out names the database itself: give another file.');
  if (!existsSync(dirname(out))) throw new BackupError(`The directory ${dirname(out)} does not exist: create it or give another --out.`);
  if (existsSync(out) && !o.force) throw new BackupError(`${out} already exists: give another --out, or --force to replace it.`);
  removeStalePartials(out);
  const tmp = join(dirname(out), `${partialPrefix(out)}${process.pid}`);
  const cleanup = () => {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  };
  // A SIGTERM or Ctrl-C during the copy removes the temporary file before exiting.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanup();
    process.stderr.write(`mesure: backup interrupted by ${signal}; nothing was written to ${out}.\n`);
    process.exit(1);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let source: Database.Database | undefined;
  try {
    source = new Database(o.dbPath, { fileMustExist: true });
    source.pragma('busy_timeout = 5000');
    const { takenAt } = await snapshotSqlite(source, tmp, { stepPages: o.stepPages ?? 256, clock: o.clock, pauseMs: o.pauseMs, onProgress: o.onProgress });
    source.close();
    source = undefined;
    sealSqliteCopy(tmp);
    const verified = verifyCopy(tmp, 'The copy');
    fsyncPath(tmp);
    renameSync(tmp, out);
    fsyncPath(dirname(out));
    return { ...verified, file: out, takenAt };
  } catch (err) {
    cleanup();
    if (err instanceof BackupError) throw new BackupError(`${err.message} Nothing was written to ${out}.`);
    const message = (err as Error).message;
    const next = /malformed|not a database|corrupt/i.test(message)
      ? `the database itself may be damaged: stop the server and check it with \`sqlite3 ${o.dbPath} "PRAGMA integrity_check"\`, or restore the last good backup`
      : `check the disk space and permissions of ${dirname(out)} and try again`;
    throw new BackupError(`The backup failed: ${message}. Nothing was written to ${out}; ${next}.`);
  } finally {
    source?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export interface RestoreResult extends VerifiedCopy {
  /** Where the replaced database (with its -wal and -shm) was moved; null when there was none. */
  replacedAs: string | null;
}

/**
 * `mesure restore`: verifies `file`, refuses while a server holds the database, then (holding the server lock
 * exclusively, so that no server starts meanwhile) copies it beside the database, verifies the copy, moves the current
 * database and its -wal/-shm aside as `<db>.replaced-<time>` and renames the copy into place.
 */
export function restoreSqlite(o: { dbPath: string; file: string; now: number }): RestoreResult {
  const file = resolve(o.file);
  if (!existsSync(file)) throw new BackupError(`There is no file ${file}.`);
  if (resolve(o.dbPath) === file) throw new BackupError(`${file} is the configured database itself: give a backup file.`);
  verifyCopy(file, `The backup ${file}`);
  mkdirSync(dirname(o.dbPath), { recursive: true });
  const lock = tryExclusiveServerLock(o.dbPath);
  if (!lock.held) {
    throw new BackupError(
      `A Mesure server is running on ${o.dbPath}${lock.serverPid ? ` (pid ${lock.serverPid})` : ''}: stop it first, then run the restore again. Nothing was changed.`,
    );
  }
  const tmp = join(dirname(o.dbPath), `.${basename(o.dbPath)}.restoring-${process.pid}`);
  try {
    copyFileSync(file, tmp);
    const verified = verifyCopy(tmp, `The copy of ${file}`);
    fsyncPath(tmp);
    let replacedAs: string | null = null;
    if (existsSync(o.dbPath)) {
      replacedAs = `${o.dbPath}.replaced-${new Date(o.now).toISOString().replace(/:/g, '-')}`;
      // The -wal holds commits not yet in the main file: it moves with it, under the name SQLite looks for.
      for (const suffix of ['', '-wal', '-shm']) if (existsSync(o.dbPath + suffix)) renameSync(o.dbPath + suffix, replacedAs + suffix);
    } else {
      for (const suffix of ['-wal', '-shm']) rmSync(o.dbPath + suffix, { force: true });
    }
    renameSync(tmp, o.dbPath);
    fsyncPath(dirname(o.dbPath));
    return { ...verified, file: o.dbPath, replacedAs };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err instanceof BackupError ? err : new BackupError(`The restore failed: ${(err as Error).message}. Check the disk space and permissions of ${dirname(o.dbPath)}.`);
  } finally {
    lock.release();
  }
}

/** Scheduled backups' file names: `mesure-<ISO time>.db`, which sort by time. */
const SCHEDULED = /^mesure-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(\.\d+)?Z\.db$/;

function scheduledBackupName(now: number): string {
  return `mesure-${new Date(now).toISOString().replace(/:/g, '-')}.db`;
}

/** The scheduled backups in `dir`, oldest first. */
function scheduledBackups(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => SCHEDULED.test(n)).sort() : [];
}

/**
 * Scheduled backups while serving (MESURE_BACKUP_DIR): each runs `mesure backup` as a child process, so the copy and
 * its integrity check never hold up requests; after a success only the newest `keep` are kept. The first runs one
 * interval after the newest backup already in the directory (at once when that is overdue).
 */
export class BackupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private child: ChildProcess | undefined;
  private stopped = false;

  constructor(
    private readonly o: {
      dir: string;
      intervalMs: number;
      keep: number;
      /** The command that takes one backup into the given file: [executable, ...args]. */
      command: (out: string) => string[];
      log: (line: string) => void;
      clock: () => number;
    },
  ) {}

  start(): this {
    mkdirSync(this.o.dir, { recursive: true });
    const newest = scheduledBackups(this.o.dir).at(-1);
    const due = newest ? statSync(join(this.o.dir, newest)).mtimeMs + this.o.intervalMs : this.o.clock() + this.o.intervalMs;
    this.arm(Math.max(0, due - this.o.clock()));
    return this;
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runOnce().finally(() => this.arm(this.o.intervalMs)), ms);
    this.timer.unref();
  }

  /** One backup; resolves when it has ended, successful or not (a failure is logged, the schedule carries on). */
  runOnce(): Promise<void> {
    const out = join(this.o.dir, scheduledBackupName(this.o.clock()));
    const [cmd, ...args] = this.o.command(out);
    return new Promise((ok) => {
      let err = '';
      const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      this.child = child;
      child.stderr!.on('data', (d) => (err += d));
      child.on('error', (e) => { this.o.log(`scheduled backup could not start: ${e.message}`); });
      child.on('close', (code) => {
        this.child = undefined;
        if (code === 0) {
          const all = scheduledBackups(this.o.dir);
          for (const old of all.slice(0, Math.max(0, all.length - this.o.keep))) rmSync(join(this.o.dir, old), { force: true });
          this.o.log(`scheduled backup written to ${out} (keeping the newest ${this.o.keep})`);
        } else if (!this.stopped) {
          this.o.log(`scheduled backup to ${out} failed (exit ${code}): ${err.trim().split('\n').at(-1) ?? ''}`);
        }
        ok();
      });
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    // The child removes its temporary file on SIGTERM; nothing appears under the final name.
    this.child?.kill('SIGTERM');
  }
}
