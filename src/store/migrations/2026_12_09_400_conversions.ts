// Conversions other than orders (issue #24, part 4): a sign-up, a booking, a store visit, a reply "OUI"… One row per
// conversion (its type, a slug the account defines by using it; its time; the person's keys as orders take them; an
// optional value), the credits of each one per campaign under the account's model (conversion_credits, the same
// rows as `attributions` for orders, written by the same domain functions), and a count per type kept as conversions
// are stored and erased (GET /v1/conversions/types reads it, never the conversions). Frozen in time: never import
// application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conversions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    // The caller's idempotency key and a hash of what it sent with it: the same key again with the same body gets the
    // same answer, with another body a 409.
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    // Personal data, as orders keep it (normalised e-mail and E.164 phone, the shop's customer id).
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('customer_external_id', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('matched_by', 'text')
    // The value as given (null: none) and, for the credits, in the account's currency when a rate converts it.
    .addColumn('value_minor', 'bigint')
    .addColumn('currency', 'text')
    .addColumn('credit_value_minor', 'bigint', (c) => c.notNull())
    .addColumn('credit_currency', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversions_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('conversions_idempotency').unique().on('conversions').columns(['account_id', 'idempotency_key']).execute();
  // The list, newest first, all types or one; a buyer's conversions for late touches and erasure.
  await db.schema.createIndex('conversions_time').on('conversions').columns(['account_id', 'occurred_at', 'id']).execute();
  await db.schema.createIndex('conversions_type_time').on('conversions').columns(['account_id', 'type', 'occurred_at', 'id']).execute();
  await db.schema.createIndex('conversions_contact').on('conversions').columns(['account_id', 'contact_id', 'occurred_at']).execute();

  await db.schema
    .createTable('conversion_credits')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('conversion_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('weight_micro', 'integer', (c) => c.notNull())
    .addColumn('value_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('direct', 'integer', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('cohort_day', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversion_credits_pk', ['account_id', 'conversion_id', 'model', 'campaign_id'])
    .execute();
  // A campaign's conversions per type (the campaign page).
  await db.schema.createIndex('conversion_credits_campaign').on('conversion_credits').columns(['account_id', 'campaign_id', 'model', 'type']).execute();

  await db.schema
    .createTable('conversion_types')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversion_types_pk', ['account_id', 'type'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('conversion_types').ifExists().execute();
  await db.schema.dropTable('conversion_credits').ifExists().execute();
  await db.schema.dropTable('conversions').ifExists().execute();
}
