// Orders and attribution: orders (every kept field), refunds (kept even before their order arrives), Shopify
// secrets and webhook deliveries (de-duplication), discount codes assigned to campaigns, dated currency rates, and
// the credits of each order per campaign (attributions). Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('ordered_at', 'bigint', (c) => c.notNull())
    .addColumn('version_at', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('gross_minor', 'bigint', (c) => c.notNull())
    .addColumn('tax_minor', 'bigint', (c) => c.notNull())
    .addColumn('shipping_minor', 'bigint', (c) => c.notNull())
    .addColumn('net_minor', 'bigint', (c) => c.notNull())
    .addColumn('discount_minor', 'bigint', (c) => c.notNull())
    .addColumn('discount_codes', 'text', (c) => c.notNull())
    .addColumn('landing_site', 'text')
    .addColumn('click_id', 'text')
    .addColumn('click_message_id', 'text')
    .addColumn('click_at', 'bigint')
    .addColumn('utm_source', 'text')
    .addColumn('utm_medium', 'text')
    .addColumn('utm_campaign', 'text')
    .addColumn('utm_content', 'text')
    .addColumn('note_attributes', 'text', (c) => c.notNull())
    .addColumn('customer_external_id', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('billing_address', 'text')
    .addColumn('shipping_address', 'text')
    .addColumn('item_quantity', 'integer', (c) => c.notNull())
    .addColumn('cancelled_at', 'bigint')
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('matched_by', 'text')
    .addColumn('revenue_minor', 'bigint', (c) => c.notNull())
    .addColumn('revenue_currency', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('orders_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('orders_external').on('orders').columns(['account_id', 'external_id', 'source']).unique().execute();
  await db.schema.createIndex('orders_time').on('orders').columns(['account_id', 'ordered_at', 'id']).execute();
  await db.schema.createIndex('orders_contact').on('orders').columns(['account_id', 'contact_id', 'ordered_at']).execute();

  await db.schema
    .createTable('order_refunds')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('refund_id', 'text', (c) => c.notNull())
    .addColumn('order_external_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('net_minor', 'bigint')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_refunds_pk', ['account_id', 'source', 'refund_id'])
    .execute();
  await db.schema.createIndex('order_refunds_order').on('order_refunds').columns(['account_id', 'source', 'order_external_id']).execute();

  await db.schema
    .createTable('shopify_secrets')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('shopify_secrets_pk', ['account_id'])
    .execute();

  // Every webhook delivery once (Shopify's event id, else its webhook id): a key seen before changes nothing.
  await db.schema
    .createTable('order_webhook_deliveries')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_webhook_deliveries_pk', ['account_id', 'dedupe_key'])
    .execute();

  await db.schema
    .createTable('discount_codes')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('discount_codes_pk', ['account_id', 'code'])
    .execute();
  await db.schema.createIndex('discount_codes_campaign').on('discount_codes').columns(['account_id', 'campaign_id']).execute();

  await db.schema
    .createTable('currency_rates')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('from_currency', 'text', (c) => c.notNull())
    .addColumn('to_currency', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'bigint', (c) => c.notNull())
    .addColumn('rate', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('currency_rates_pk', ['account_id', 'from_currency', 'to_currency', 'valid_from'])
    .execute();

  // One row per (order, model, campaign): the campaign's share of the order. cohort_day is the credited message's
  // send day, so period figures group revenue by the send day of the message (KPIS.md).
  await db.schema
    .createTable('attributions')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('weight_micro', 'integer', (c) => c.notNull())
    .addColumn('revenue_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('direct', 'integer', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('order_at', 'bigint', (c) => c.notNull())
    .addColumn('cohort_day', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('attributions_pk', ['account_id', 'order_id', 'model', 'campaign_id'])
    .execute();
  await db.schema.createIndex('attributions_campaign').on('attributions').columns(['account_id', 'campaign_id']).execute();
  await db.schema.createIndex('attributions_day').on('attributions').columns(['account_id', 'cohort_day']).execute();
  await db.schema.createIndex('attributions_message').on('attributions').columns(['account_id', 'message_id']).execute();

  // Touches are read per message (every human click, open and scan) through the core's events_message index.
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['attributions', 'currency_rates', 'discount_codes', 'order_webhook_deliveries', 'shopify_secrets', 'order_refunds', 'orders']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
