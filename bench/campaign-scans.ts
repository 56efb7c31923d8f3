// The campaign page's two event-log figures as it computed them until the rollups (issue #25): a scan of the
// campaign's events. Kept out of the product on purpose, as the reference test/campaign-rollups.test.ts holds the
// rollups equal to, and as the "before" of bench/campaign-page.ts.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../src/store/schema';

type Handle = Kysely<DB> | Transaction<DB>;

/** "Flagged opens and clicks" recounted from the event log. */
export async function recountFlaggedByReason(h: Handle, accountId: string, campaignId: string): Promise<{ kind: string; reason: string; count: number }[]> {
  const rows = await h
    .selectFrom('events')
    .select(['type', sql<string>`coalesce(flag_reason, 'flagged')`.as('reason'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('type', 'in', ['opened', 'clicked', 'scanned'])
    .where('machine', '=', 1)
    .groupBy(['type', sql`coalesce(flag_reason, 'flagged')`])
    .orderBy('type')
    .orderBy(sql`coalesce(flag_reason, 'flagged')`)
    .execute();
  return rows.map((r) => ({ kind: r.type === 'opened' ? 'open' : 'click', reason: r.reason, count: Number(r.count) }));
}

/** "Clicks per link" recounted from the event log (an event without url under ''). */
export async function recountClicksByUrl(h: Handle, accountId: string, campaignId: string): Promise<{ url: string; totalClicks: number; uniqueClicks: number }[]> {
  const rows = await h
    .selectFrom('events')
    .select([sql<string>`coalesce(url, '')`.as('url'), (eb) => eb.fn.countAll<number>().as('total'), sql<number>`count(distinct message_id)`.as('unique')])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('type', '=', 'clicked')
    .where('machine', '=', 0)
    .groupBy(sql`coalesce(url, '')`)
    .execute();
  return rows
    .map((r) => ({ url: r.url, totalClicks: Number(r.total), uniqueClicks: Number(r.unique) }))
    .sort((a, b) => b.totalClicks - a.totalClicks || a.url.localeCompare(b.url));
}
