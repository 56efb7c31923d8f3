// SQL for running several nodes on one database: the claimed runs of periodic jobs and the login attempt counters.
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema';

declare module './schema' {
  interface DB {
    job_runs: JobRunRow;
    login_attempts: LoginAttemptRow;
  }
}

export interface JobRunRow {
  job: string;
  period: number;
  node: string;
  started_at: number;
  lease_until: number;
  finished_at: number | null;
  attempts: number;
}

export interface LoginAttemptRow {
  key: string;
  window_start: number;
  count: number;
}

/**
 * Claims a job's period for `node`: the first node to ask inserts its row; a later one takes the row over only when
 * the run has not finished and its lease has lapsed (its holder died or failed). True when this node must run it.
 */
export async function claimJobRun(db: Kysely<DB>, job: string, period: number, node: string, now: number, leaseUntil: number): Promise<boolean> {
  const inserted = await db
    .insertInto('job_runs')
    .values({ job, period, node, started_at: now, lease_until: leaseUntil, finished_at: null, attempts: 1 })
    .onConflict((oc) => oc.columns(['job', 'period']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
  const taken = await db
    .updateTable('job_runs')
    .set({ node, started_at: now, lease_until: leaseUntil, attempts: sql<number>`attempts + 1` })
    .where('job', '=', job)
    .where('period', '=', period)
    .where('finished_at', 'is', null)
    .where('lease_until', '<', now)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

/** Extends the lease of a run this node still holds; false when another node has taken it over. */
export async function renewJobRun(db: Kysely<DB>, job: string, period: number, node: string, leaseUntil: number): Promise<boolean> {
  const r = await db
    .updateTable('job_runs')
    .set({ lease_until: leaseUntil })
    .where('job', '=', job)
    .where('period', '=', period)
    .where('node', '=', node)
    .where('finished_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks the run finished (ok) or gives its lease up at once so that the next tick of any node runs it again (failed). */
export async function endJobRun(db: Kysely<DB>, job: string, period: number, node: string, now: number, ok: boolean): Promise<void> {
  await db
    .updateTable('job_runs')
    .set(ok ? { finished_at: now, lease_until: now } : { lease_until: now - 1 })
    .where('job', '=', job)
    .where('period', '=', period)
    .where('node', '=', node)
    .where('finished_at', 'is', null)
    .execute();
}

/**
 * Counts one attempt under `key` in a fixed window, atomically (one statement, whatever node asks): the window
 * restarts when it is over. Returns the window's start and the attempts counted in it, this one included.
 */
export async function hitLoginAttempt(db: Kysely<DB>, key: string, now: number, windowMs: number): Promise<{ windowStart: number; count: number }> {
  const expired = sql<boolean>`login_attempts.window_start <= ${now - windowMs}`;
  const row = await db
    .insertInto('login_attempts')
    .values({ key, window_start: now, count: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet({
      window_start: sql<number>`CASE WHEN ${expired} THEN ${now} ELSE login_attempts.window_start END`,
      count: sql<number>`CASE WHEN ${expired} THEN 1 ELSE login_attempts.count + 1 END`,
    }))
    .returning(['window_start', 'count'])
    .executeTakeFirstOrThrow();
  return { windowStart: Number(row.window_start), count: Number(row.count) };
}

/** Forgets the counters of windows that are over. */
export async function deleteStaleLoginAttempts(db: Kysely<DB>, before: number): Promise<number> {
  const r = await db.deleteFrom('login_attempts').where('window_start', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
