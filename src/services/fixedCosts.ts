// Campaigns' fixed costs as every spend figure counts them: from the cost models (the campaign's override merged
// over the account's, `campaignFixedCostMinor`), placed on the campaign's send day (`fixedCostDay`). The campaign
// page and list, the overview and its daily series, goals, journeys and the budget card all read them here.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../store/schema';
import { listCostModels, type CostModelRow } from '../store/budgets';
import { listCampaignSendFacts } from '../store/campaigns';
import { campaignFixedCostMinor, fixedCostDay, type CostModel, type CostModelOverride } from '../domain/costs';

type Handle = Kysely<DB> | Transaction<DB>;

function fixedCostReader(rows: CostModelRow[]) {
  const account = rows.find((r) => r.campaign_id === '');
  const base = account ? (JSON.parse(account.model) as CostModel) : null;
  const overrides = new Map(rows.filter((r) => r.campaign_id !== '').map((r) => [r.campaign_id, JSON.parse(r.model) as CostModelOverride]));
  return {
    /** Whether a campaign without an override of its own has a fixed cost (the account's model sets one). */
    accountSetsOne: campaignFixedCostMinor(base) > 0,
    /** Campaigns whose own override gives them a fixed cost. */
    overridden: [...overrides].filter(([, o]) => campaignFixedCostMinor(base, o) > 0).map(([id]) => id),
    of: (campaignId: string) => campaignFixedCostMinor(base, overrides.get(campaignId) ?? null),
  };
}

/** The fixed cost of each of these campaigns (0 when none is set). */
export async function fixedCostsByCampaign(h: Handle, accountId: string, campaignIds: string[]): Promise<Map<string, number>> {
  if (campaignIds.length === 0) return new Map();
  const read = fixedCostReader(await listCostModels(h, accountId, campaignIds));
  return new Map(campaignIds.map((id) => [id, read.of(id)]));
}

/**
 * Fixed costs counted in the spend of [from, to] (days of the account's zone): those of the campaigns whose send day is
 * inside it, by day (days without one are absent) and in total. Of the account's campaigns, or only of `campaignIds`,
 * optionally of one channel.
 */
export async function fixedCostsByDay(
  h: Handle,
  accountId: string,
  timeZone: string,
  from: string,
  to: string,
  filter: { campaignIds?: string[]; channel?: string } = {},
): Promise<{ byDay: Map<string, number>; total: number }> {
  const out = { byDay: new Map<string, number>(), total: 0 };
  const read = fixedCostReader(await listCostModels(h, accountId));
  // Only campaigns that can have a fixed cost are read: all of them when the account's model sets one.
  let ids = filter.campaignIds;
  if (!read.accountSetsOne) {
    const wanted = ids ? new Set(ids) : null;
    ids = read.overridden.filter((id) => !wanted || wanted.has(id));
  }
  if (ids && ids.length === 0) return out;
  for (const c of await listCampaignSendFacts(h, accountId, { campaignIds: ids, channel: filter.channel })) {
    const fixed = read.of(c.id);
    if (fixed === 0) continue;
    const day = fixedCostDay({ sendAt: c.send_at, firstCohortDay: c.first_day, createdAt: c.created_at }, timeZone);
    if (day < from || day > to) continue;
    out.byDay.set(day, (out.byDay.get(day) ?? 0) + fixed);
    out.total += fixed;
  }
  return out;
}
