// The ingestion inbox: clicks, scans, opens and provider deliveries as they arrived, durably stored before they are
// processed (classified, matched to messages, applied, priced, attributed). A webhook is acknowledged and a click
// is safe once its row commits; processing follows and deletes the row in the same transaction that applies it.
// Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ingest_inbox')
    .addColumn('account_id', 'text', (c) => c.notNull())
    // Arrival order across accounts: processing goes by it.
    .addColumn('seq', 'bigint', (c) => c.notNull())
    // 'visit' (click, scan, open) or 'delivery' (a verified, parsed provider webhook).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ingest_inbox_pk', ['account_id', 'seq'])
    .execute();
  await db.schema.createIndex('ingest_inbox_seq').on('ingest_inbox').column('seq').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ingest_inbox').execute();
}
