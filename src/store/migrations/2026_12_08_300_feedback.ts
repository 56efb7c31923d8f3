// Recipients' feedback (issue #18): one row per reply (a real reply or an opt-out word such as STOP) and per complaint,
// written as the event applies, with its text and a lower-case, accent-free copy of it for the keyword filter. Ids
// are time-ordered by the event's time, so the primary key (account_id, id) serves the newest-first pages.
// Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feedback')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    // 'reply', 'opt_out' (a reply that is a STOP word) or 'complaint'.
    .addColumn('kind', 'text', (c) => c.notNull())
    // Personal data: emptied when the person is erased, dropped with the message by retention.
    .addColumn('text', 'text')
    .addColumn('search', 'text')
    .addPrimaryKeyConstraint('feedback_pk', ['account_id', 'id'])
    .execute();
  // The filters of GET /v1/feedback, each still newest first, and the erasure's and retention's way in by message.
  await db.schema.createIndex('feedback_campaign').on('feedback').columns(['account_id', 'campaign_id', 'id']).execute();
  await db.schema.createIndex('feedback_kind').on('feedback').columns(['account_id', 'kind', 'id']).execute();
  await db.schema.createIndex('feedback_message').on('feedback').columns(['account_id', 'message_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feedback').ifExists().execute();
}
