// What sold (issue #24, part 7): the lines of each order, the lines a refund returns, and each campaign's credit of
// an order shared among its lines (line_credits), written with the order's credits (src/services/attribution.ts) so
// that the product report reads one indexed range of the period instead of re-sharing credits on every read.
// Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('order_lines')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('line_id', 'text')
    .addColumn('product_id', 'text')
    .addColumn('variant_id', 'text')
    .addColumn('sku', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('product_type', 'text')
    .addColumn('vendor', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('unit_price_minor', 'bigint', (c) => c.notNull())
    .addColumn('discount_minor', 'bigint', (c) => c.notNull())
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull())
    .addColumn('net_minor', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('order_lines_pk', ['account_id', 'order_id', 'line_no'])
    .execute();

  // The lines a refund returns, as JSON ([{ lineId, quantity, amountMinor }]); null when the source did not say.
  await db.schema.alterTable('order_refunds').addColumn('line_items', 'text').execute();

  await db.schema
    .createTable('line_credits')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    // The product (its id, else its SKU, else its title) and type; null on line 0, an order without lines.
    .addColumn('product_key', 'text')
    .addColumn('product_title', 'text')
    .addColumn('product_type', 'text')
    .addColumn('revenue_minor', 'bigint', (c) => c.notNull())
    .addColumn('weight_micro', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('cohort_day', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('line_credits_pk', ['account_id', 'order_id', 'model', 'campaign_id', 'line_no'])
    .execute();
  // The report's read: one account's credits under its model and currency in a range of cohort days.
  await db.schema.createIndex('line_credits_period').on('line_credits').columns(['account_id', 'model', 'currency', 'cohort_day']).execute();
  // A campaign's top products: its credits under the account's model.
  await db.schema.createIndex('line_credits_campaign').on('line_credits').columns(['account_id', 'campaign_id', 'model']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('line_credits').execute();
  await db.schema.alterTable('order_refunds').dropColumn('line_items').execute();
  await db.schema.dropTable('order_lines').execute();
}
