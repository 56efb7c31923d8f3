// Recipients' feedback (issue #18, Getgabs KPI 8): replies and complaints written to their own table as their events
// apply (an ingestion hook, in the ingesting transaction), then listed, filtered, counted and exported from there.
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import { countFeedbackByKind, insertFeedback, listFeedback, markFeedbackOptOut, type FeedbackListRow, type FeedbackRow } from '../store/feedback';
import { feedbackCounts, feedbackKindOf, searchFormOf, type FeedbackCounts, type FeedbackKind } from '../domain/feedback';
import { isOptOutReply } from '../providers';
import type { Channel } from '../domain/types';
import { randomBytes } from 'node:crypto';
import type { AppliedEvent } from './ingest';

export interface FeedbackItem {
  at: string;
  campaign: { id: string; name: string | null };
  channel: string;
  messageId: string;
  contactId: string | null;
  recipient: string | null;
  kind: FeedbackKind;
  text: string | null;
}

export interface FeedbackFilter {
  campaign?: string;
  channel?: Channel;
  kind?: FeedbackKind;
  q?: string;
  /** Epoch ms: from inclusive, to exclusive. */
  from?: number;
  to?: number;
}

/** The lowest id of a row at `at`. */
const idBound = (at: number) => `fb${Math.max(0, at).toString(36).padStart(9, '0')}`;
/**
 * A row's id: `fb`, 9 base-36 digits of the event's time, 16 random hex digits; id order is time order. (Not
 * `timeOrderedId`, whose counter keeps the ids made at the current time in order: event times would reset it.)
 */
const feedbackId = (at: number) => `${idBound(at)}${randomBytes(8).toString('hex')}`;

const item = (r: FeedbackListRow): FeedbackItem => ({
  at: new Date(r.at).toISOString(),
  campaign: { id: r.campaign_id, name: r.campaign_name },
  channel: r.channel,
  messageId: r.message_id,
  contactId: r.contact_id,
  recipient: r.recipient,
  kind: r.kind as FeedbackKind,
  text: r.text,
});

export class Feedback {
  constructor(private readonly db: Db) {}

  /**
   * The ingestion hook: each reply and complaint just applied becomes a row. A reply is an opt-out when its text is an
   * opt-out word the adapters know, or when an unsubscribe with the same text came for its message (Twilio's Advanced
   * Opt-Out names the keyword's meaning itself, for words the account added).
   */
  recordFeedback = async (trx: Transaction<DB>, accountId: string, applied: AppliedEvent[]): Promise<void> => {
    let rows: FeedbackRow[] | undefined;
    let optOuts: AppliedEvent[] | undefined;
    for (const a of applied) {
      if (a.type === 'unsubscribed' && a.text !== undefined) (optOuts ??= []).push(a);
      const kind = feedbackKindOf(a.type, a.text, isOptOutReply);
      if (!kind) continue;
      (rows ??= []).push({
        account_id: accountId, id: feedbackId(a.at), at: a.at, campaign_id: a.campaignId, channel: a.channel, message_id: a.messageId,
        kind, text: a.text ?? null, search: a.text === undefined ? null : searchFormOf(a.text),
      });
    }
    for (const o of optOuts ?? []) {
      const same = rows?.find((r) => r.kind === 'reply' && r.message_id === o.messageId && r.text === o.text);
      if (same) same.kind = 'opt_out';
      else await markFeedbackOptOut(trx, accountId, o.messageId, o.text!);
    }
    if (rows) await insertFeedback(trx, rows);
  };

  /** One page, newest first; `cursor` is the previous page's `nextCursor`. */
  async list(accountId: string, f: FeedbackFilter & { cursor?: string; limit: number }): Promise<{ items: FeedbackItem[]; counts: FeedbackCounts; nextCursor: string | null }> {
    const rows = await listFeedback(this.db.kysely, accountId, { ...this.query(f), before: f.cursor, limit: f.limit + 1 });
    const page = rows.slice(0, f.limit);
    const counts = await this.counts(accountId, f.campaign, f.channel);
    return { items: page.map(item), counts, nextCursor: rows.length > f.limit ? page[page.length - 1].id : null };
  }

  /** Every matching row, newest first, a page at a time (the CSV export). */
  async *export(accountId: string, f: FeedbackFilter, pageSize = 1000): AsyncGenerator<FeedbackItem[]> {
    let before: string | undefined;
    for (;;) {
      const rows = await listFeedback(this.db.kysely, accountId, { ...this.query(f), before, limit: pageSize });
      if (rows.length === 0) return;
      yield rows.map(item);
      if (rows.length < pageSize) return;
      before = rows[rows.length - 1].id;
    }
  }

  /** Replies, opt-out replies and complaints: of a campaign, or of the account (optionally one channel). */
  async counts(accountId: string, campaignId?: string, channel?: Channel): Promise<FeedbackCounts> {
    return feedbackCounts(await countFeedbackByKind(this.db.kysely, accountId, { campaignId, channel }));
  }

  private query(f: FeedbackFilter) {
    const search = f.q === undefined ? '' : searchFormOf(f.q.trim());
    return {
      campaignId: f.campaign, channel: f.channel, kind: f.kind,
      search: search === '' ? undefined : search,
      fromId: f.from === undefined ? undefined : idBound(f.from),
      toId: f.to === undefined ? undefined : idBound(f.to),
    };
  }
}
