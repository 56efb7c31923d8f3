// The reads behind incrementality (src/services/incrementality.ts): which campaigns have a holdout of their own, and
// how long after their message the treated recipients' orders came (for the attribution-window suggestion).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, MessageRow } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** The columns these reads use (src/store/orders.ts declares the full rows). */
interface Reads {
  messages: MessageRow;
  holdout_settings: { account_id: string; owner_kind: string; owner_id: string; share: number };
  orders: { account_id: string; id: string; contact_id: string | null; ordered_at: number; revenue_minor: number; revenue_currency: string; cancelled_at: number | null };
}
const reads = (h: Handle) => h as unknown as Kysely<Reads>;

/**
 * Ids of the campaigns with a holdout of their own (share above 0). Bounded by the account's holdout settings (one row
 * per campaign or journey that set one), read through their primary key (account_id, owner_kind, owner_id).
 */
export async function listCampaignHoldoutIds(h: Handle, accountId: string): Promise<string[]> {
  const rows = await reads(h)
    .selectFrom('holdout_settings')
    .select('owner_id')
    .where('account_id', '=', accountId)
    .where('owner_kind', '=', 'campaign')
    .where('share', '>', 0)
    .orderBy('owner_id')
    .execute();
  return rows.map((r) => r.owner_id);
}

/**
 * Each (treated message, order) pair of a campaign: the order's revenue and its age after the message, for orders of
 * the message's contact within `maxWindowMs` after it. The same join as sumMessageGroupOutcomes (src/store/journeys.ts):
 * bounded by the account's orders in the window and the campaign's messages of their contacts, never by the
 * campaign's size (the index on messages (account_id, contact_id, registered_at) does the window's work).
 */
export async function listTreatedOrderAges(
  h: Handle,
  accountId: string,
  campaignId: string,
  maxWindowMs: number,
  currency: string,
): Promise<{ ageMs: number; revenueMinor: number }[]> {
  const rows = await reads(h)
    .selectFrom('orders as o')
    .crossJoin('messages as m')
    .select([sql<number>`o.ordered_at - m.registered_at`.as('age'), 'o.revenue_minor as revenue'])
    .whereRef('m.account_id', '=', 'o.account_id')
    .whereRef('m.contact_id', '=', 'o.contact_id')
    .where('o.account_id', '=', accountId)
    .where('m.account_id', '=', accountId)
    .where('o.cancelled_at', 'is', null)
    .where('o.revenue_minor', '>', 0)
    .where('o.revenue_currency', '=', currency)
    .where('m.campaign_id', '=', campaignId)
    .whereRef('m.registered_at', '<=', 'o.ordered_at')
    .where('m.registered_at', '>=', sql<number>`o.ordered_at - ${maxWindowMs}`)
    .execute();
  return rows.map((r) => ({ ageMs: Number(r.age), revenueMinor: Number(r.revenue) }));
}
