// Several `mesure serve` processes on one PostgreSQL: the runs of periodic jobs (one row per job and period, claimed by
// one node under a lease that others take over when it lapses) and login attempts counted in the database so that the
// rate limit holds across nodes. Neither holds an account's rows: they are node-coordination tables (docs/SCALING.md).
// Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('job', 'text', (c) => c.notNull())
    // The period's start, epoch ms (a multiple of the job's period).
    .addColumn('period', 'bigint', (c) => c.notNull())
    // The node that runs it now (MESURE_NODE_ID, or host:pid), when it took it, and until when its lease holds.
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    // How many times the period's run was started: 1, or more when a holder died or failed and another took over.
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_runs_pk', ['job', 'period'])
    .execute();
  await db.schema
    .createTable('login_attempts')
    // sha256 of "ip:<address>" or "email:<address>": the limit needs no readable address.
    .addColumn('key', 'text', (c) => c.notNull().primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_window').on('login_attempts').column('window_start').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_attempts').ifExists().execute();
  await db.schema.dropTable('job_runs').ifExists().execute();
}
