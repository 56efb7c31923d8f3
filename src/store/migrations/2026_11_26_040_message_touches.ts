// A covering index of the touch columns of messages by contact: attribution reads a buyer's messages (sends,
// deliveries, first opens/clicks/scans, engagement counts) from the index alone, in contact order, instead of one
// table lookup per message. It replaces messages_contact, which is its prefix. Frozen in time: never import app code.
import type { Kysely } from 'kysely';

const TOUCH_COLUMNS = [
  'account_id', 'contact_id', 'registered_at', 'id', 'campaign_id', 'cohort_day', 'sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'scanned_at',
  'last_engaged_at', 'opens', 'clicks', 'scans',
];

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_touches').on('messages').columns(TOUCH_COLUMNS).execute();
  await db.schema.dropIndex('messages_contact').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_contact').on('messages').columns(['account_id', 'contact_id']).execute();
  await db.schema.dropIndex('messages_touches').execute();
}
