// Scheduled e-mail reports (issue #18): each member's report settings, and the runs (what was sent, when, to whom,
// with what outcome). A run's slot (the scheduled instant it answers, or one id per "send now") is unique per member,
// so a scheduled report is sent once per member and period whichever node ticks.
// Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reports')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // off | weekly | monthly
    .addColumn('frequency', 'text', (c) => c.notNull())
    // fr | en
    .addColumn('language', 'text', (c) => c.notNull())
    // 1 = Monday … 7 = Sunday (weekly); 1 … 28 (monthly); the hour 0 … 23 in the account's time zone.
    .addColumn('day_of_week', 'integer', (c) => c.notNull())
    .addColumn('day_of_month', 'integer', (c) => c.notNull())
    .addColumn('hour', 'integer', (c) => c.notNull())
    // When the schedule was last set (epoch ms): only its slots from then on are due.
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reports_pk', ['account_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('report_runs')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // The address it went (or was to go) to, as it was then.
    .addColumn('email', 'text', (c) => c.notNull())
    // scheduled | manual
    .addColumn('kind', 'text', (c) => c.notNull())
    // scheduled: "weekly:2026-12-07T08" (the slot's local day and hour); manual: "manual:<id>".
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    // sending | sent | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('smtp_message_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addPrimaryKeyConstraint('report_runs_pk', ['account_id', 'id'])
    .addUniqueConstraint('report_runs_slot', ['account_id', 'user_id', 'slot'])
    .execute();
  await db.schema.createIndex('report_runs_by_user').on('report_runs').columns(['account_id', 'user_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_runs').ifExists().execute();
  await db.schema.dropTable('reports').ifExists().execute();
}
