// The data-driven attribution model's fits (issue #24, part 2): one row per fit of an account, with its date, the
// period and data volume it learnt from, its status (fitted, or refused for too few conversions) and its weights
// (Shapley values of the channels and removal effects of the campaigns, with bootstrap intervals, as JSON).
// The newest row of an account is its current fit. Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('attribution_fits')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('fitted_at', 'bigint', (c) => c.notNull())
    // fitted | insufficient_data
    .addColumn('status', 'text', (c) => c.notNull())
    // manual | scheduled
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('conversions', 'integer', (c) => c.notNull())
    .addColumn('paths', 'integer', (c) => c.notNull())
    .addColumn('min_conversions', 'integer', (c) => c.notNull())
    // { pConversion, resamples, channels: [...], campaigns: [...] } when fitted, else {}
    .addColumn('weights', 'text', (c) => c.notNull())
    .addColumn('seconds', 'real', (c) => c.notNull())
    .addPrimaryKeyConstraint('attribution_fits_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('attribution_fits_latest').on('attribution_fits').columns(['account_id', 'fitted_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attribution_fits').ifExists().execute();
}
