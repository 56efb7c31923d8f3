// The contact page pages through one contact's orders newest first, with the order id as tie-break: an index on
// (account_id, contact_id, ordered_at, id) serves that in index order. Without the id, SQLite preferred walking the
// whole account's orders by time (orders_time) to sorting the contact's. It replaces orders_contact, its prefix, which
// attribution's reads of a buyer's orders use the same way. Frozen in time: never import app code.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_contact_id').on('orders').columns(['account_id', 'contact_id', 'ordered_at', 'id']).execute();
  await db.schema.dropIndex('orders_contact').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_contact').on('orders').columns(['account_id', 'contact_id', 'ordered_at']).execute();
  await db.schema.dropIndex('orders_contact_id').execute();
}
