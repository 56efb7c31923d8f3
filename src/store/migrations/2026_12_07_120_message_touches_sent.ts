// The covering index of the touch columns of messages by contact gains what tells when a message was sent (its
// bounce and reply times, besides its send, delivery and engagement times), so that attribution decides which
// messages an order can see by when they were sent, not when they were registered, still from the index alone.
// Frozen in time: never import app code.
import type { Kysely } from 'kysely';

const BEFORE = [
  'account_id', 'contact_id', 'registered_at', 'id', 'campaign_id', 'cohort_day', 'sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'scanned_at',
  'last_engaged_at', 'opens', 'clicks', 'scans',
];
const AFTER = [...BEFORE, 'bounced_at', 'replied_at'];

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_touches').execute();
  await db.schema.createIndex('messages_touches').on('messages').columns(AFTER).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_touches').execute();
  await db.schema.createIndex('messages_touches').on('messages').columns(BEFORE).execute();
}
