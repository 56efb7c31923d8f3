// The campaign page asks whether any message of the campaign records a variant (hasVariantMessages): without an index
// on `variant` that read walked every message of the campaign on every page read. A partial index holds only the
// messages that have a variant, so it costs nothing to campaigns without A/B tests. Frozen in time: no app code.
import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('messages_variant')
    .on('messages')
    .columns(['account_id', 'campaign_id', 'variant'])
    .where(sql.ref('variant'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_variant').ifExists().execute();
}
