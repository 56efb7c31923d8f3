// SQL of the feedback list (issue #18): rows added as replies and complaints apply, read newest first by account
// with optional filters, counted by kind per campaign, emptied of their text by an erasure, dropped with their
// messages by retention (src/store/retention.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema';

declare module './schema' {
  interface DB {
    feedback: FeedbackRow;
  }
}

export interface FeedbackRow {
  account_id: string;
  /** Time-ordered by the event's time (src/services/feedback.ts): id order is time order. */
  id: string;
  at: number;
  campaign_id: string;
  channel: string;
  message_id: string;
  kind: string;
  text: string | null;
  /** `text` as the keyword filter reads it (domain/feedback.ts `searchFormOf`). */
  search: string | null;
}

/** A row with what the list shows beside it: the campaign's name, the message's recipient and contact. */
export interface FeedbackListRow extends FeedbackRow {
  campaign_name: string | null;
  recipient: string | null;
  contact_id: string | null;
}

type Handle = Kysely<DB> | Transaction<DB>;

export async function insertFeedback(h: Handle, rows: FeedbackRow[]): Promise<void> {
  if (rows.length) await h.insertInto('feedback').values(rows).execute();
}

/** A reply of this message with this text becomes an opt-out (its STOP arrived as a separate unsubscribe). */
export async function markFeedbackOptOut(h: Handle, accountId: string, messageId: string, text: string): Promise<void> {
  await h.updateTable('feedback').set({ kind: 'opt_out' })
    .where('account_id', '=', accountId).where('message_id', '=', messageId).where('kind', '=', 'reply').where('text', '=', text).execute();
}

export interface FeedbackQuery {
  /** Rows with an id below this one (the previous page's last row). */
  before?: string;
  /** Ids at or above (from) and below (to) these bounds: the event's time, as ids carry it. */
  fromId?: string;
  toId?: string;
  campaignId?: string;
  channel?: string;
  kind?: string;
  /** In `searchFormOf` form: rows whose search text contains it. */
  search?: string;
  limit: number;
}

/** A LIKE pattern matching `s` anywhere, wildcards escaped. */
const containing = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The account's feedback, newest first, through the primary key or the campaign's or kind's index: a keyword reads the
 * account's (or campaign's) feedback rows, never the event log.
 */
export async function listFeedback(h: Handle, accountId: string, q: FeedbackQuery): Promise<FeedbackListRow[]> {
  let s = h.selectFrom('feedback as f')
    .leftJoin('messages as m', (j) => j.onRef('m.account_id', '=', 'f.account_id').onRef('m.id', '=', 'f.message_id'))
    .leftJoin('campaigns as c', (j) => j.onRef('c.account_id', '=', 'f.account_id').onRef('c.id', '=', 'f.campaign_id'))
    .selectAll('f')
    .select(['c.name as campaign_name', 'm.recipient as recipient', 'm.contact_id as contact_id'])
    .where('f.account_id', '=', accountId);
  if (q.before !== undefined) s = s.where('f.id', '<', q.before);
  if (q.fromId !== undefined) s = s.where('f.id', '>=', q.fromId);
  if (q.toId !== undefined) s = s.where('f.id', '<', q.toId);
  if (q.campaignId !== undefined) s = s.where('f.campaign_id', '=', q.campaignId);
  if (q.channel !== undefined) s = s.where('f.channel', '=', q.channel);
  if (q.kind !== undefined) s = s.where('f.kind', '=', q.kind);
  if (q.search !== undefined) {
    const pattern = containing(q.search);
    s = s.where((eb) => sql<boolean>`${eb.ref('f.search')} LIKE ${pattern} ESCAPE '\\'`);
  }
  const rows = await s.orderBy('f.id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({ ...r, at: Number(r.at) }));
}

/** Feedback counted by kind: a campaign's, or the account's (optionally one channel's). */
export async function countFeedbackByKind(h: Handle, accountId: string, f: { campaignId?: string; channel?: string }): Promise<{ kind: string; count: number }[]> {
  let q = h.selectFrom('feedback').select(['kind', (eb) => eb.fn.countAll<number>().as('count')]).where('account_id', '=', accountId);
  if (f.campaignId !== undefined) q = q.where('campaign_id', '=', f.campaignId);
  if (f.channel !== undefined) q = q.where('channel', '=', f.channel);
  const rows = await q.groupBy('kind').execute();
  return rows.map((r) => ({ kind: r.kind, count: Number(r.count) }));
}

/** The text of these messages' feedback goes (erasure); the rows stay, so the counts do not change. */
export async function eraseFeedbackTexts(h: Handle, accountId: string, messageIds: string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < messageIds.length; i += 500) {
    const r = await h.updateTable('feedback').set({ text: null, search: null })
      .where('account_id', '=', accountId).where('message_id', 'in', messageIds.slice(i, i + 500))
      .where('text', 'is not', null).executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}
