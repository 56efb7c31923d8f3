// The audit trail: who (a dashboard user or an API key) changed what in an account, and when. Rows are only ever
// added; the primary key (account_id, id) with time-ordered ids serves the newest-first pages of GET /v1/audit.
// Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    // 'user' (dashboard session) or 'key' (API key); the id and the e-mail or key name as they were at the time.
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    // A small JSON object: {"field": {"from": .., "to": ..}} or the request's validated body, never a secret.
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addPrimaryKeyConstraint('audit_log_pk', ['account_id', 'id'])
    .execute();
  // The filters of GET /v1/audit, each still newest first.
  await db.schema.createIndex('audit_log_action').on('audit_log').columns(['account_id', 'action', 'id']).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['account_id', 'actor_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').ifExists().execute();
}
