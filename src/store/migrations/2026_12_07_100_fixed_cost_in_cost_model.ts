// A campaign's fixed cost now lives in one place: its cost model override (`fixedCostMinor`, docs/BUDGETS.md), merged
// over the account's model. Until now figures read only `campaigns.fixed_cost_minor` (set by the undocumented
// `fixedCost` field of a campaign) and ignored the cost model. This moves every stored `fixed_cost_minor` into the
// campaign's override and zeroes the column, which nothing reads or writes any more.
// Frozen in time: never import application code here.
//
// - An override that already sets `fixedCostMinor` keeps it: that is the documented place, and what
//   GET /v1/campaigns/{id}/cost-model has been showing.
// - A value beyond 10^12 minor units (stored by an older version, shown and counted as 0 since) is dropped, not moved.
import type { Kysely } from 'kysely';

const MAX_MONEY_MINOR = 1_000_000_000_000;
const PAGE = 1000;

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const now = Date.now();
  for (let after = { account: '', id: '' }; ; ) {
    const rows = (await db
      .selectFrom('campaigns')
      .select(['account_id', 'id', 'fixed_cost_minor'])
      .where('fixed_cost_minor', '<>', 0)
      .where((eb) => eb.or([eb('account_id', '>', after.account), eb.and([eb('account_id', '=', after.account), eb('id', '>', after.id)])]))
      .orderBy('account_id')
      .orderBy('id')
      .limit(PAGE)
      .execute()) as { account_id: string; id: string; fixed_cost_minor: number | string }[];
    if (rows.length === 0) break;
    for (const r of rows) {
      const value = Number(r.fixed_cost_minor);
      if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_MONEY_MINOR) continue;
      const existing = (await db
        .selectFrom('cost_models')
        .select('model')
        .where('account_id', '=', r.account_id)
        .where('campaign_id', '=', r.id)
        .executeTakeFirst()) as { model: string } | undefined;
      if (!existing) {
        await db.insertInto('cost_models').values({ account_id: r.account_id, campaign_id: r.id, model: JSON.stringify({ fixedCostMinor: value }), updated_at: now }).execute();
        continue;
      }
      const model = JSON.parse(existing.model) as Record<string, unknown>;
      if (model.fixedCostMinor !== undefined) continue;
      await db
        .updateTable('cost_models')
        .set({ model: JSON.stringify({ ...model, fixedCostMinor: value }), updated_at: now })
        .where('account_id', '=', r.account_id)
        .where('campaign_id', '=', r.id)
        .execute();
    }
    const last = rows[rows.length - 1];
    after = { account: last.account_id, id: last.id };
  }
  await db.updateTable('campaigns').set({ fixed_cost_minor: 0 }).where('fixed_cost_minor', '<>', 0).execute();
}

export async function down(): Promise<void> {
  // Not moved back: the cost model override is the one place a campaign's fixed cost is read from.
}
