// New or returning customer (issue #24, part 6): each order says whether it is its contact's first order in the shop's
// history (new_customer 1), a later one (0), or has no matched contact (null, "unknown"); each credit row carries its
// order's mark so that a campaign's revenue and conversions split by it in the same grouped read as its other money
// figures. Existing rows are marked here in portable SQL (the rule: earliest ordered_at, ties broken by id), each
// order's look-up bounded by its contact's own orders through orders_contact_id.
// attributions_order_time serves the revenue read by order date (?revenueDate=order): credits of one model whose
// order was placed in a period, a range of the index. Frozen in time: never import app code.
import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('new_customer', 'integer').execute();
  await db.schema.alterTable('attributions').addColumn('new_customer', 'integer').execute();
  await sql`UPDATE orders SET new_customer = CASE WHEN NOT EXISTS (
      SELECT 1 FROM orders AS earlier WHERE earlier.account_id = orders.account_id AND earlier.contact_id = orders.contact_id
        AND (earlier.ordered_at < orders.ordered_at OR (earlier.ordered_at = orders.ordered_at AND earlier.id < orders.id))
    ) THEN 1 ELSE 0 END
    WHERE contact_id IS NOT NULL`.execute(db);
  await sql`UPDATE attributions SET new_customer = (
      SELECT o.new_customer FROM orders AS o WHERE o.account_id = attributions.account_id AND o.id = attributions.order_id
    )`.execute(db);
  await db.schema.createIndex('attributions_order_time').on('attributions').columns(['account_id', 'model', 'order_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('attributions_order_time').execute();
  await db.schema.alterTable('attributions').dropColumn('new_customer').execute();
  await db.schema.alterTable('orders').dropColumn('new_customer').execute();
}
