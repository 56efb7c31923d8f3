// Declared source (issue #24, part 5): what the buyer said brought them, kept with the order (`declared_source`, their
// own words, trimmed and bounded; erased with the person), and where the account's rules map it (`declared_target`:
// `channel:<c>`, `campaign:<id>`, `other`, or null when no rule matches). A partial index holds only the orders with an
// answer, so re-mapping them page by page and counting the answers for the rules' preview never walk the other orders.
// Frozen in time: never import app code.
import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('declared_source', 'text').execute();
  await db.schema.alterTable('orders').addColumn('declared_target', 'text').execute();
  await db.schema
    .createIndex('orders_declared')
    .on('orders')
    .columns(['account_id', 'id'])
    .where(sql.ref('declared_source'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_declared').ifExists().execute();
  await db.schema.alterTable('orders').dropColumn('declared_target').execute();
  await db.schema.alterTable('orders').dropColumn('declared_source').execute();
}
