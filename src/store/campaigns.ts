// SQL for campaigns, contacts and the per-campaign reads of the campaign page.
import { sql, type Kysely, type Transaction } from 'kysely';
import type Database from 'better-sqlite3';
import type { CampaignRow, ContactRow, DB, MessageRow } from './schema';
import type { Db } from './db';
import { insertRowsSqlite } from './messages';
import { insertRowsPg } from './bulk';
import { COUNT_FIELDS, MESSAGE_STATUSES, zeroCounts, type MessageCounts } from '../domain/message';
import type { Channel } from '../domain/types';

type Handle = Kysely<DB> | Transaction<DB>;

export async function insertCampaign(h: Handle, row: CampaignRow): Promise<void> {
  await h.insertInto('campaigns').values(row).execute();
}
export async function getCampaign(h: Handle, accountId: string, id: string): Promise<CampaignRow | undefined> {
  return h.selectFrom('campaigns').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}
export async function getCampaigns(h: Handle, accountId: string, ids: string[]): Promise<CampaignRow[]> {
  if (ids.length === 0) return [];
  return h.selectFrom('campaigns').selectAll().where('account_id', '=', accountId).where('id', 'in', [...new Set(ids)]).execute();
}
export async function updateCampaign(h: Handle, accountId: string, id: string, patch: Partial<CampaignRow>): Promise<void> {
  await h.updateTable('campaigns').set(patch).where('account_id', '=', accountId).where('id', '=', id).execute();
}
export async function listCampaignRows(
  h: Handle,
  accountId: string,
  filter: { channel?: string; status?: string },
): Promise<CampaignRow[]> {
  let q = h.selectFrom('campaigns').selectAll().where('account_id', '=', accountId);
  if (filter.channel) q = q.where('channel', '=', filter.channel);
  if (filter.status) q = q.where('status', '=', filter.status);
  return q.execute();
}

const sumCounts = COUNT_FIELDS.map((f) => sql<number>`coalesce(sum(${sql.ref(f)}), 0)`.as(f));

/** Counts of every campaign of the account, all days together, keyed by campaign id. */
export async function sumCampaignDaysByCampaign(h: Handle, accountId: string, campaignIds?: string[]): Promise<Map<string, MessageCounts>> {
  let q = h.selectFrom('campaign_days').select(['campaign_id', ...sumCounts]).where('account_id', '=', accountId);
  if (campaignIds) {
    if (campaignIds.length === 0) return new Map();
    q = q.where('campaign_id', 'in', campaignIds);
  }
  const rows = await q.groupBy('campaign_id').execute();
  return new Map(rows.map((r) => [r.campaign_id, toCounts(r as unknown as Record<string, unknown>)]));
}

/**
 * Counts of the messages whose cohort day is within [from, to], per channel (a period's open rate reads only the
 * channels with an open signal), optionally for one channel.
 */
export async function sumCampaignDaysByChannel(
  h: Handle,
  accountId: string,
  from: string,
  to: string,
  channel?: string,
): Promise<{ channel: Channel; counts: MessageCounts }[]> {
  let q = h
    .selectFrom('campaign_days')
    .innerJoin('campaigns', (j) => j.onRef('campaigns.account_id', '=', 'campaign_days.account_id').onRef('campaigns.id', '=', 'campaign_days.campaign_id'))
    .select(['campaigns.channel', ...COUNT_FIELDS.map((f) => sql<number>`coalesce(sum(${sql.ref(`campaign_days.${f}`)}), 0)`.as(f))])
    .where('campaign_days.account_id', '=', accountId)
    .where('campaign_days.day', '>=', from)
    .where('campaign_days.day', '<=', to);
  if (channel) q = q.where('campaigns.channel', '=', channel);
  const rows = await q.groupBy('campaigns.channel').orderBy('campaigns.channel').execute();
  return rows.map((r) => ({ channel: r.channel as Channel, counts: toCounts(r as unknown as Record<string, unknown>) }));
}

/** Per-day counts within [from, to]. */
export async function listCampaignDaysByDay(
  h: Handle,
  accountId: string,
  from: string,
  to: string,
  channel?: string,
): Promise<{ day: string; counts: MessageCounts }[]> {
  let q = h
    .selectFrom('campaign_days')
    .innerJoin('campaigns', (j) => j.onRef('campaigns.account_id', '=', 'campaign_days.account_id').onRef('campaigns.id', '=', 'campaign_days.campaign_id'))
    .select(['campaign_days.day', ...COUNT_FIELDS.map((f) => sql<number>`coalesce(sum(${sql.ref(`campaign_days.${f}`)}), 0)`.as(f))])
    .where('campaign_days.account_id', '=', accountId)
    .where('campaign_days.day', '>=', from)
    .where('campaign_days.day', '<=', to);
  if (channel) q = q.where('campaigns.channel', '=', channel);
  const rows = await q.groupBy('campaign_days.day').orderBy('campaign_days.day').execute();
  return rows.map((r) => ({ day: r.day, counts: toCounts(r as unknown as Record<string, unknown>) }));
}

/** What places a campaign's fixed cost on a day: its send date, registration time and earliest cohort day. */
export interface CampaignSendFacts {
  id: string;
  send_at: number | null;
  created_at: number;
  first_day: string | null;
}

/** Send facts of the account's campaigns, optionally only some of them or one channel. */
export async function listCampaignSendFacts(
  h: Handle,
  accountId: string,
  filter: { campaignIds?: string[]; channel?: string },
): Promise<CampaignSendFacts[]> {
  if (filter.campaignIds && filter.campaignIds.length === 0) return [];
  const out: CampaignSendFacts[] = [];
  const ids = filter.campaignIds ? [...new Set(filter.campaignIds)] : [null];
  for (let i = 0; i < ids.length; i += 900) {
    let q = h
      .selectFrom('campaigns')
      .leftJoin(
        (eb) => eb.selectFrom('campaign_days').select(['campaign_id', sql<string>`min(day)`.as('first_day')]).where('account_id', '=', accountId).groupBy('campaign_id').as('d'),
        (j) => j.onRef('d.campaign_id', '=', 'campaigns.id'),
      )
      .select(['campaigns.id', 'campaigns.send_at', 'campaigns.created_at', 'd.first_day'])
      .where('campaigns.account_id', '=', accountId);
    if (filter.campaignIds) q = q.where('campaigns.id', 'in', ids.slice(i, i + 900) as string[]);
    if (filter.channel) q = q.where('campaigns.channel', '=', filter.channel);
    for (const r of await q.execute()) {
      out.push({ id: r.id, send_at: r.send_at === null ? null : Number(r.send_at), created_at: Number(r.created_at), first_day: r.first_day ?? null });
    }
  }
  return out;
}

function toCounts(r: Record<string, unknown>): MessageCounts {
  const c = zeroCounts();
  for (const f of COUNT_FIELDS) c[f] = Number(r[f] ?? 0);
  return c;
}

/** Why a message was never sent, as "not sent, by reason" groups it (over the messages table). */
export const NOT_SENT_REASON = sql<string>`coalesce(not_sent_reason, failure_reason, case when status = 'not_sent' then 'provider_rejected' else 'pending' end)`;
/** The statuses of a message never sent. */
export const NEVER_SENT = ['pending', 'queued', 'not_sent'] as const;

/**
 * "Not sent, by reason": messages never sent, grouped by why, from the rollup the triggers on messages keep
 * (campaign_not_sent), plus those counted when retention dropped their rows (campaign_not_sent_dropped; the delete
 * trigger took them out of the rollup), so that the figure does not change when old messages go.
 */
export async function countNotSentByReason(h: Handle, accountId: string, campaignId: string): Promise<{ reason: string; count: number }[]> {
  const rows = await h
    .selectFrom('campaign_not_sent')
    .select(['reason', 'count'])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('count', '>', 0)
    .execute();
  const dropped = await h
    .selectFrom('campaign_not_sent_dropped')
    .select(['reason', 'count'])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .execute();
  const byReason = new Map<string, number>();
  for (const r of [...rows, ...dropped]) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + Number(r.count));
  return [...byReason].map(([reason, count]) => ({ reason, count })).filter((r) => r.count > 0).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** Flagged (machine / bot) opens and clicks of a campaign, by reason: read from the rollup the event triggers keep. */
export async function countFlaggedByReason(h: Handle, accountId: string, campaignId: string): Promise<{ kind: string; reason: string; count: number }[]> {
  const rows = await h
    .selectFrom('campaign_flagged')
    .select(['type', 'reason', 'count'])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('count', '>', 0)
    .orderBy('type')
    .orderBy('reason')
    .execute();
  return rows.map((r) => ({ kind: r.type === 'opened' ? 'open' : 'click', reason: r.reason, count: Number(r.count) }));
}

/** Clicks per link: total and unique (messages) human clicks for each destination, from the rollup. */
export async function countClicksByUrl(h: Handle, accountId: string, campaignId: string): Promise<{ url: string; totalClicks: number; uniqueClicks: number }[]> {
  const rows = await h
    .selectFrom('campaign_link_clicks')
    .select(['url', 'total_clicks', 'unique_clicks'])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('total_clicks', '>', 0)
    .execute();
  return rows
    .map((r) => ({ url: r.url, totalClicks: Number(r.total_clicks), uniqueClicks: Number(r.unique_clicks) }))
    .sort((a, b) => b.totalClicks - a.totalClicks || a.url.localeCompare(b.url));
}

export interface RecipientFilter {
  status?: string;
  reason?: string;
  /** A part of the recipient (a scan of the campaign's messages). */
  q?: string;
  /** The exact (normalised) recipient: a point lookup through messages_recipient. */
  recipient?: string;
  after?: string;
  limit: number;
}

/**
 * A campaign's messages in id order, as one range of messages_status (account, campaign, status, id) per status merged
 * by the database (a merge of ordered ranges on SQLite, a Merge Append on PostgreSQL, each with its own collation), so
 * that a page costs its own rows whatever the size of the campaign or the account. `status` keeps one range.
 */
function messagesInIdOrder(h: Handle, accountId: string, campaignId: string, f: { status?: string; after?: string }) {
  const statuses = f.status ? [f.status] : MESSAGE_STATUSES;
  const range = (status: string) => {
    let q = h.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('campaign_id', '=', campaignId).where('status', '=', status as MessageRow['status']);
    if (f.after !== undefined) q = q.where('id', '>', f.after);
    return q;
  };
  let q = range(statuses[0]);
  for (const s of statuses.slice(1)) q = q.unionAll(range(s));
  return q;
}

/** messagesInIdOrder with some columns only (the id first), after a message id. */
function exportInIdOrder(h: Handle, columns: readonly string[], accountId: string, campaignId: string, after: string) {
  const range = (status: string) =>
    h.selectFrom('messages').select(columns as (keyof MessageRow)[]).where('account_id', '=', accountId).where('campaign_id', '=', campaignId)
      .where('status', '=', status as MessageRow['status']).where('id', '>', after);
  let q = range(MESSAGE_STATUSES[0]);
  for (const s of MESSAGE_STATUSES.slice(1)) q = q.unionAll(range(s));
  return q;
}

/** One page of a campaign's recipients, ordered by message id (cursor = last id). */
export async function listRecipients(h: Handle, accountId: string, campaignId: string, f: RecipientFilter): Promise<MessageRow[]> {
  if (f.recipient !== undefined || f.q || f.reason) {
    let q = h.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('campaign_id', '=', campaignId);
    if (f.recipient !== undefined) q = q.where('recipient', '=', f.recipient);
    if (f.status) q = q.where('status', '=', f.status as MessageRow['status']);
    if (f.reason) {
      const reason = f.reason;
      q = q.where((eb) => eb.or([eb('not_sent_reason', '=', reason), eb.and([eb('not_sent_reason', 'is', null), eb('failure_reason', '=', reason)])]));
    }
    if (f.q) q = q.where('recipient', 'like', `%${f.q.replace(/[%_\\]/g, '')}%`);
    if (f.after) q = q.where('id', '>', f.after);
    return q.orderBy('id').limit(f.limit).execute();
  }
  return messagesInIdOrder(h, accountId, campaignId, { status: f.status, after: f.after || undefined }).orderBy('id').limit(f.limit).execute();
}

/** Streams every message of a campaign in id order, page by page (constant memory; each page an indexed merge). */
export async function* iterateCampaignMessages(h: Handle, accountId: string, campaignId: string, pageSize = 5000): AsyncGenerator<MessageRow[]> {
  let after: string | undefined;
  for (;;) {
    const page = await messagesInIdOrder(h, accountId, campaignId, { after }).orderBy('id').limit(pageSize).execute();
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].id;
    if (page.length < pageSize) return;
  }
}

/** The columns of a message that its recipient line (toRecipient) and its not-sent reason read. */
export const EXPORT_COLUMNS = [
  'id', 'recipient', 'contact_id', 'status', 'not_sent_reason', 'failure_reason', 'failure_code', 'bounce_type', 'variant',
  'provider_message_id', 'sent_at', 'delivered_at', 'failed_at', 'bounced_at', 'opened_at', 'clicked_at', 'scanned_at',
  'replied_at', 'unsubscribed_at', 'last_engaged_at', 'opens', 'clicks', 'machine_opens', 'bot_clicks', 'scans', 'cost_minor',
] as const satisfies readonly (keyof MessageRow)[];
export type ExportRow = Pick<MessageRow, (typeof EXPORT_COLUMNS)[number]>;

/**
 * Every message of a campaign in id order, with the export's columns only, page by page (the CLI's export). Read as
 * arrays by iterateCampaignArrays, then turned into fixed-shape objects.
 */
export async function* iterateCampaignExport(db: Db, accountId: string, campaignId: string): AsyncGenerator<ExportRow[]> {
  for await (const page of iterateCampaignArrays(db, EXPORT_COLUMNS, accountId, campaignId)) yield page.map(exportRowBuilder);
}

/**
 * The columns the HTTP CSV export reads, in this order (src/http/campaignCsv.ts formats them): the CSV's columns and
 * what its not-sent reason (domain notSentReason) reads, nothing else.
 */
export const CSV_COLUMNS = [
  'id', 'recipient', 'status', 'failure_code', 'bounce_type', 'variant', 'sent_at', 'delivered_at', 'opened_at', 'clicked_at',
  'replied_at', 'unsubscribed_at', 'opens', 'clicks', 'machine_opens', 'bot_clicks', 'scans', 'cost_minor',
  'not_sent_reason', 'failure_reason', 'failed_at', 'bounced_at', 'scanned_at', 'last_engaged_at',
] as const satisfies readonly (keyof MessageRow)[];

/** Every message of a campaign in id order, as arrays of CSV_COLUMNS (no object per row), page by page. */
export function iterateCampaignCsvRows(db: Db, accountId: string, campaignId: string): AsyncGenerator<unknown[][]> {
  return iterateCampaignArrays(db, CSV_COLUMNS, accountId, campaignId);
}

/**
 * A campaign's messages in id order as arrays of `columns` (the id first), page by page, each page read and handed
 * over without holding the main thread more than a few milliseconds. On SQLite each status's range of messages_status
 * is read in pages of 2,000 by one prepared statement in raw mode and the ranges are merged here: the merge costs a
 * string comparison a row where SQLite's own merge of a compound SELECT copied every row through a co-routine (4× the
 * CPU). Message ids are ASCII (msg_…), so JavaScript's order is SQLite's BINARY order. On PostgreSQL the database
 * merges (a Merge Append under its own collation), keyset pages of 10,000 rows read as arrays (`rowMode: 'array'`).
 */
async function* iterateCampaignArrays(db: Db, columns: readonly string[], accountId: string, campaignId: string): AsyncGenerator<unknown[][]> {
  if (db.sqlite) {
    yield* mergeStatusRanges(rangeStatement(db.sqlite, columns), accountId, campaignId);
    return;
  }
  const query = (after: string) => exportInIdOrder(db.kysely, columns, accountId, campaignId, after).orderBy('id').limit(PG_EXPORT_PAGE).compile();
  let after = '';
  for (;;) {
    const q = query(after);
    const page = db.queryArrays ? await db.queryArrays(q.sql, q.parameters) : (await db.kysely.executeQuery<Record<string, unknown>>(q)).rows.map((r) => columns.map((c) => r[c]));
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1][0] as string;
    if (page.length < PG_EXPORT_PAGE) return;
  }
}

const PG_EXPORT_PAGE = 10_000;
const EXPORT_PAGE = 2000;
async function* mergeStatusRanges(st: Database.Statement, accountId: string, campaignId: string): AsyncGenerator<unknown[][]> {
  // One cursor per status: its buffered rows, the position in them, and whether its range has more.
  const ranges = MESSAGE_STATUSES.map((status) => ({ status, rows: [] as unknown[][], at: 0, more: true, after: '' }));
  const fill = (r: (typeof ranges)[number], size: number) => {
    r.rows = st.all(accountId, campaignId, r.status, r.after, size) as unknown[][];
    r.at = 0;
    r.more = r.rows.length === size;
    if (r.rows.length) r.after = r.rows[r.rows.length - 1][0] as string;
  };
  // A small first read of each range, so that the first lines leave within milliseconds.
  for (const r of ranges) fill(r, 100);
  let live = ranges.filter((r) => r.rows.length > 0);
  let first = true;
  while (live.length) {
    const out: unknown[][] = [];
    const size = first ? 100 : EXPORT_PAGE;
    first = false;
    while (out.length < size && live.length) {
      let best = live[0];
      let bestId = best.rows[best.at][0] as string;
      for (let k = 1; k < live.length; k++) {
        const id = live[k].rows[live[k].at][0] as string;
        if (id < bestId) { best = live[k]; bestId = id; }
      }
      out.push(best.rows[best.at++]);
      if (best.at === best.rows.length) {
        if (best.more) fill(best, EXPORT_PAGE);
        if (best.at === best.rows.length) live = live.filter((r) => r !== best);
      }
    }
    yield out;
  }
}

const exportRowBuilder = new Function('v', `return { ${EXPORT_COLUMNS.map((c, i) => `${c}: v[${i}]`).join(', ')} };`) as (v: unknown[]) => ExportRow;
const rangeStatements = new WeakMap<Database.Database, Map<readonly string[], Database.Statement>>();
function rangeStatement(sqlite: Database.Database, columns: readonly string[]): Database.Statement {
  let byColumns = rangeStatements.get(sqlite);
  if (!byColumns) rangeStatements.set(sqlite, (byColumns = new Map()));
  let st = byColumns.get(columns);
  if (!st) {
    st = sqlite
      .prepare(`SELECT ${columns.join(', ')} FROM messages WHERE account_id = ? AND campaign_id = ? AND status = ? AND id > ? ORDER BY id LIMIT ?`)
      .raw();
    byColumns.set(columns, st);
  }
  return st;
}

/**
 * Contacts known under any of these keys. Given `db` on SQLite, one prepared point lookup per key (inside the
 * caller's transaction): the send gate asks for 10,000 at a time, and IN lists of 900 built by Kysely cost more.
 */
export async function findContactsByKeys(
  h: Handle,
  accountId: string,
  keys: { externalIds: string[]; emails: string[]; phones: string[]; addressKeys: string[] },
  db?: Db,
): Promise<ContactRow[]> {
  const out = new Map<string, ContactRow>();
  const run = async (col: 'external_id' | 'email' | 'phone' | 'address_key', values: string[]) => {
    const uniq = [...new Set(values)];
    if (db?.sqlite) {
      const st = contactLookup(db.sqlite, col);
      for (const v of uniq) for (const r of st.all(accountId, v) as ContactRow[]) out.set(r.id, r);
      return;
    }
    for (let i = 0; i < uniq.length; i += 900) {
      const rows = await h.selectFrom('contacts').selectAll().where('account_id', '=', accountId).where(col, 'in', uniq.slice(i, i + 900)).execute();
      for (const r of rows) out.set(r.id, r);
    }
  };
  await run('external_id', keys.externalIds);
  await run('email', keys.emails);
  await run('phone', keys.phones);
  await run('address_key', keys.addressKeys);
  return [...out.values()];
}

const contactLookups = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function contactLookup(sqlite: Database.Database, col: 'external_id' | 'email' | 'phone' | 'address_key'): Database.Statement {
  let m = contactLookups.get(sqlite);
  if (!m) contactLookups.set(sqlite, (m = new Map()));
  let st = m.get(col);
  if (!st) m.set(col, (st = sqlite.prepare(`SELECT * FROM contacts WHERE account_id = ? AND ${col} = ?`)));
  return st;
}

/** Inserts new contacts; given `db`: on SQLite with prepared statements on the raw handle, on PostgreSQL 2,000 rows a statement. */
export async function insertContacts(h: Handle, rows: ContactRow[], db?: Db): Promise<void> {
  if (db?.sqlite) {
    insertRowsSqlite(db.sqlite, 'contacts', rows as unknown as Record<string, unknown>[]);
    return;
  }
  if (db?.kind === 'postgres') {
    await insertRowsPg(h, 'contacts', rows);
    return;
  }
  // No database given (either engine): through Kysely.
  for (let i = 0; i < rows.length; i += 200) await h.insertInto('contacts').values(rows.slice(i, i + 200)).execute();
}

export async function updateContact(h: Handle, accountId: string, id: string, patch: Partial<ContactRow>): Promise<void> {
  await h.updateTable('contacts').set(patch).where('account_id', '=', accountId).where('id', '=', id).execute();
}
