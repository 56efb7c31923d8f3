// Erasing a person (issue #17): each account's erasure pepper, the secret key of the one-way hashes an erased person is
// kept under on the suppression list (sealed like the other secrets), and the indexes erasure and the contact lookup
// read by (orders by customer e-mail, any case, and phone; holdout members by contact). Frozen in time: never import application
// code here.
import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('erasure_peppers')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('pepper', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('erasure_peppers_pk', ['account_id'])
    .execute();
  // Orders keep the customer's e-mail as the shop sent it (Jon@Example.com): looked up lower-cased.
  await sql`CREATE INDEX orders_email ON orders (account_id, lower(email))`.execute(db);
  await db.schema.createIndex('orders_phone').on('orders').columns(['account_id', 'phone']).execute();
  await db.schema.createIndex('holdout_members_contact').on('holdout_members').columns(['account_id', 'contact_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('holdout_members_contact').ifExists().execute();
  await db.schema.dropIndex('orders_phone').ifExists().execute();
  await db.schema.dropIndex('orders_email').ifExists().execute();
  await db.schema.dropTable('erasure_peppers').ifExists().execute();
}
