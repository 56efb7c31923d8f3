// Dead letters of the ingestion inbox: a row that could not be applied after a few tries is moved here, with its
// error, so that it neither blocks the rows behind it nor is retried for ever nor is lost. The inbox counts tries.
// Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  // Tries are counted in the row itself, so a count survives a crash (a row that kills the process counts too).
  await db.schema.alterTable('ingest_inbox').addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('ingest_inbox').addColumn('last_error', 'text').execute();
  await db.schema
    .createTable('ingest_dead_letters')
    .addColumn('account_id', 'text', (c) => c.notNull())
    // Its own identifier: inbox sequence numbers start again from 1 whenever the inbox is empty at a start.
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('tries', 'integer', (c) => c.notNull())
    .addColumn('moved_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ingest_dead_letters_pk', ['account_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ingest_dead_letters').execute();
  await db.schema.alterTable('ingest_inbox').dropColumn('last_error').execute();
  await db.schema.alterTable('ingest_inbox').dropColumn('tries').execute();
}
