// The data-driven attribution model's store: its fits (table attribution_fits, migration
// 2026_12_09_200_attribution_fits) and the page-by-page read of an account's messages by contact that gives the
// non-converting paths it learns from.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';
import type { TouchMessageRow } from './orders';

declare module './schema' {
  interface DB {
    attribution_fits: AttributionFitRow;
  }
}

type Handle = Kysely<DB> | Transaction<DB>;

export interface AttributionFitRow {
  account_id: string;
  id: string;
  fitted_at: number;
  status: string;
  trigger: string;
  period_from: string;
  period_to: string;
  conversions: number;
  paths: number;
  min_conversions: number;
  weights: string;
  seconds: number;
}

export async function insertFit(h: Handle, row: AttributionFitRow): Promise<void> {
  await h.insertInto('attribution_fits').values(row).execute();
}

/** The account's newest fit (index attribution_fits_latest: one row read). */
export async function latestFit(h: Handle, accountId: string): Promise<AttributionFitRow | null> {
  const r = await h.selectFrom('attribution_fits').selectAll().where('account_id', '=', accountId).orderBy('fitted_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return r ? { ...r, fitted_at: Number(r.fitted_at), conversions: Number(r.conversions), paths: Number(r.paths), min_conversions: Number(r.min_conversions), seconds: Number(r.seconds) } : null;
}

const COLUMNS = [
  'id', 'campaign_id', 'contact_id', 'cohort_day', 'registered_at', 'sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'scanned_at',
  'last_engaged_at', 'opens', 'clicks', 'scans', 'bounced_at', 'replied_at',
] as const;

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

/**
 * One page of the account's messages with a contact, in (contact, id) order after `after`, whose send, delivery or
 * engagement is in [sinceMs, untilMs]. Read from the covering index messages_touches (account, contact, …): each
 * page is bounded by `limit` rows; the fit walks the account's index once, outside any request.
 */
export async function messagesByContactPage(
  h: Handle,
  accountId: string,
  after: { contactId: string; id: string } | undefined,
  limit: number,
  sinceMs: number,
  untilMs: number,
): Promise<TouchMessageRow[]> {
  let q = h.selectFrom('messages').select(COLUMNS).where('account_id', '=', accountId).where('contact_id', 'is not', null);
  if (after) q = q.where((eb) => eb.or([eb('contact_id', '>', after.contactId), eb.and([eb('contact_id', '=', after.contactId), eb('id', '>', after.id)])]));
  const rows = await q
    .where((eb) => eb.or([
      eb.and([eb('last_engaged_at', '>=', sinceMs), eb('last_engaged_at', '<=', untilMs)]),
      eb.and([eb('delivered_at', '>=', sinceMs), eb('delivered_at', '<=', untilMs)]),
      eb.and([eb('sent_at', '>=', sinceMs), eb('sent_at', '<=', untilMs)]),
    ]))
    .orderBy('contact_id').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({
    ...r, registered_at: Number(r.registered_at), sent_at: num(r.sent_at), delivered_at: num(r.delivered_at), opened_at: num(r.opened_at),
    clicked_at: num(r.clicked_at), scanned_at: num(r.scanned_at), last_engaged_at: num(r.last_engaged_at), opens: Number(r.opens),
    clicks: Number(r.clicks), scans: Number(r.scans), bounced_at: num(r.bounced_at), replied_at: num(r.replied_at),
  })) as TouchMessageRow[];
}
