// SQL for tracking: campaign destinations, tracked links and their token routes, and the reads the redirect
// and the click classifier need (the link behind a token, messages' send/delivery times, recent clicks).
import type { Kysely, Transaction } from 'kysely';
import type Database from 'better-sqlite3';
import type { Db } from './db';
import type { DB } from './schema';

export interface TrackingTokenRow {
  token: string;
  account_id: string;
  created_at: number;
}

export interface CampaignDestinationRow {
  account_id: string;
  campaign_id: string;
  position: number;
  url: string;
  url_hash: string;
  created_at: number;
}

export type TrackedLinkKind = 'link' | 'pixel';

export interface TrackedLinkRow {
  account_id: string;
  token: string;
  message_id: string;
  campaign_id: string;
  kind: TrackedLinkKind;
  position: number;
  url: string | null;
  created_at: number;
  revoked_at: number | null;
}

declare module './schema' {
  interface DB {
    tracking_tokens: TrackingTokenRow;
    campaign_destinations: CampaignDestinationRow;
    tracked_links: TrackedLinkRow;
  }
}

type Handle = Kysely<DB> | Transaction<DB>;
const CHUNK = 500;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- destinations ----------------------------------------------------------------------------------------

export async function listDestinations(h: Handle, accountId: string, campaignId: string): Promise<CampaignDestinationRow[]> {
  return h
    .selectFrom('campaign_destinations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .orderBy('position')
    .execute();
}

export async function insertDestinations(h: Handle, rows: CampaignDestinationRow[]): Promise<void> {
  for (const part of chunks(rows)) await h.insertInto('campaign_destinations').values(part).execute();
}

// ---- tracked links -----------------------------------------------------------------------------------------

const linkStatementCache = new WeakMap<Database.Database, Record<'insertToken' | 'insertLink' | 'linksOfMessage' | 'messageBasic', Database.Statement>>();
function linkStatements(sqlite: Database.Database) {
  let s = linkStatementCache.get(sqlite);
  if (!s) {
    s = {
      insertToken: sqlite.prepare('INSERT INTO tracking_tokens (token, account_id, created_at) VALUES (?, ?, ?)'),
      insertLink: sqlite.prepare(
        'INSERT INTO tracked_links (account_id, token, message_id, campaign_id, kind, position, url, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      linksOfMessage: sqlite.prepare('SELECT * FROM tracked_links WHERE account_id = ? AND message_id = ?'),
      messageBasic: sqlite.prepare('SELECT id, campaign_id, recipient, status, variant FROM messages WHERE account_id = ? AND id = ?'),
    };
    linkStatementCache.set(sqlite, s);
  }
  return s;
}

/**
 * Inserts links and their token routes (the same tokens). Given `db` on SQLite, prepared inserts on the raw handle
 * inside the caller's transaction: the send gate issues a pixel (and links) for up to 10,000 messages per request.
 */
export async function insertTrackedLinks(h: Handle, rows: TrackedLinkRow[], db?: Db): Promise<void> {
  if (db?.sqlite && rows.length) {
    const st = linkStatements(db.sqlite);
    for (const r of rows) {
      st.insertToken.run(r.token, r.account_id, r.created_at);
      st.insertLink.run(r.account_id, r.token, r.message_id, r.campaign_id, r.kind, r.position, r.url, r.created_at, r.revoked_at);
    }
    return;
  }
  for (const part of chunks(rows)) {
    await h.insertInto('tracking_tokens').values(part.map((r) => ({ token: r.token, account_id: r.account_id, created_at: r.created_at }))).execute();
    await h.insertInto('tracked_links').values(part).execute();
  }
}

/** Links of these messages. Given `db` on SQLite, one prepared lookup per message (index tracked_links_message). */
export async function findLinksOfMessages(h: Handle, accountId: string, messageIds: string[], db?: Db): Promise<TrackedLinkRow[]> {
  const out: TrackedLinkRow[] = [];
  if (db?.sqlite) {
    const st = linkStatements(db.sqlite).linksOfMessage;
    for (const id of new Set(messageIds)) for (const r of st.all(accountId, id) as TrackedLinkRow[]) out.push(r);
    return out;
  }
  for (const part of chunks([...new Set(messageIds)])) {
    out.push(...(await h.selectFrom('tracked_links').selectAll().where('account_id', '=', accountId).where('message_id', 'in', part).execute()));
  }
  return out;
}

export async function getTrackedLink(h: Handle, accountId: string, token: string): Promise<TrackedLinkRow | undefined> {
  return h.selectFrom('tracked_links').selectAll().where('account_id', '=', accountId).where('token', '=', token).executeTakeFirst();
}

/** Marks a link revoked; returns how many rows changed (0: unknown or already revoked). */
export async function revokeTrackedLink(h: Handle, accountId: string, token: string, at: number): Promise<number> {
  const r = await h
    .updateTable('tracked_links')
    .set({ revoked_at: at })
    .where('account_id', '=', accountId)
    .where('token', '=', token)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** What a redirect needs about a token, in one statement: route → link → message → campaign. */
export interface LinkTarget {
  account_id: string;
  token: string;
  message_id: string;
  campaign_id: string;
  kind: TrackedLinkKind;
  url: string | null;
  revoked_at: number | null;
  variant: string | null;
  channel: string;
  slug: string;
}

const LINK_TARGET_SQL = `SELECT l.account_id, l.token, l.message_id, l.campaign_id, l.kind, l.url, l.revoked_at, m.variant, c.channel, c.slug
  FROM tracking_tokens r
  JOIN tracked_links l ON l.account_id = r.account_id AND l.token = r.token
  JOIN messages m ON m.account_id = l.account_id AND m.id = l.message_id
  JOIN campaigns c ON c.account_id = l.account_id AND c.id = l.campaign_id
  WHERE r.token = ?`;
const linkTargetStatements = new WeakMap<Database.Database, Database.Statement>();

/**
 * The redirect's read. On SQLite it runs as a prepared statement on the raw handle: through Kysely it would
 * wait for the single connection's mutex, i.e. behind whatever write transaction the group-commit writer holds
 * (fsync included), and a cache miss would cost a commit's latency. On the same connection it may see a link
 * whose issuing transaction has not committed yet; that transaction only inserts links, so this is harmless.
 */
export async function getLinkTarget(db: Db, token: string): Promise<LinkTarget | undefined> {
  if (db.sqlite) {
    let st = linkTargetStatements.get(db.sqlite);
    if (!st) {
      st = db.sqlite.prepare(LINK_TARGET_SQL);
      linkTargetStatements.set(db.sqlite, st);
    }
    return st.get(token) as LinkTarget | undefined;
  }
  // Two statements on PostgreSQL: the route (keyed by token alone) names the account, and the account's rows are then
  // read by account_id, so that each statement goes to one shard once the schema is distributed (docs/SCALING.md).
  const route = await db.kysely.selectFrom('tracking_tokens').select('account_id').where('token', '=', token).executeTakeFirst();
  if (!route) return undefined;
  return db.kysely
    .selectFrom('tracked_links as l')
    .innerJoin('messages as m', (j) => j.onRef('m.account_id', '=', 'l.account_id').onRef('m.id', '=', 'l.message_id'))
    .innerJoin('campaigns as c', (j) => j.onRef('c.account_id', '=', 'l.account_id').onRef('c.id', '=', 'l.campaign_id'))
    .select(['l.account_id', 'l.token', 'l.message_id', 'l.campaign_id', 'l.kind', 'l.url', 'l.revoked_at', 'm.variant', 'c.channel', 'c.slug'])
    .where('l.account_id', '=', route.account_id)
    .where('l.token', '=', token)
    .executeTakeFirst();
}

/** Distinct tracked destinations of each message (what "every link of the message" means for sweeps). */
export async function countDestinationsOfMessages(h: Handle, accountId: string, messageIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks([...new Set(messageIds)])) {
    const rows = await h
      .selectFrom('tracked_links')
      .select(['message_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('account_id', '=', accountId)
      .where('message_id', 'in', part)
      .where('kind', '=', 'link')
      .groupBy('message_id')
      .execute();
    for (const r of rows) out.set(r.message_id, Number(r.n));
  }
  return out;
}

// ---- reads for the classifier and attribution --------------------------------------------------------------

export async function getMessageTimes(
  h: Handle,
  accountId: string,
  messageIds: string[],
): Promise<Map<string, { sentAt: number | null; deliveredAt: number | null }>> {
  const out = new Map<string, { sentAt: number | null; deliveredAt: number | null }>();
  for (const part of chunks([...new Set(messageIds)])) {
    const rows = await h.selectFrom('messages').select(['id', 'sent_at', 'delivered_at']).where('account_id', '=', accountId).where('id', 'in', part).execute();
    for (const r of rows) out.set(r.id, { sentAt: r.sent_at, deliveredAt: r.delivered_at });
  }
  return out;
}

/** Click events of these messages at or after `since`, as the sweep rule reads them. */
export async function listRecentClicks(
  h: Handle,
  accountId: string,
  messageIds: string[],
  since: number,
): Promise<{ message_id: string; dedupe_key: string; at: number; url: string | null; machine: number }[]> {
  const out = [];
  for (const part of chunks([...new Set(messageIds)])) {
    out.push(
      ...(await h
        .selectFrom('events')
        .select(['message_id', 'dedupe_key', 'at', 'url', 'machine'])
        .where('account_id', '=', accountId)
        .where('message_id', 'in', part)
        .where('type', '=', 'clicked')
        .where('at', '>=', since)
        .execute()),
    );
  }
  return out;
}

/**
 * The message a click id belongs to. Tracking stores each click with the click id as its provider event id,
 * so the event log's primary key (account_id, dedupe_key = "pe:tracking:<click id>") answers in one read.
 */
export async function findMessageIdByClickId(h: Handle, accountId: string, dedupeKey: string): Promise<{ messageId: string; campaignId: string; at: number } | undefined> {
  const r = await h
    .selectFrom('events')
    .select(['message_id', 'campaign_id', 'at'])
    .where('account_id', '=', accountId)
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
  return r && { messageId: r.message_id, campaignId: r.campaign_id, at: Number(r.at) };
}

/** Flags stored click events as machine ones (the sweep rule, once the sweep is complete). */
export async function flagEvents(h: Handle, accountId: string, dedupeKeys: string[], reason: string): Promise<number> {
  let n = 0;
  for (const part of chunks(dedupeKeys)) {
    const r = await h
      .updateTable('events')
      .set({ machine: 1, flag_reason: reason })
      .where('account_id', '=', accountId)
      .where('dedupe_key', 'in', part)
      .where('machine', '=', 0)
      .executeTakeFirst();
    n += Number(r.numUpdatedRows);
  }
  return n;
}

/** Human click events of these messages (to recompute their first human click after a re-flag). */
export async function listHumanClicks(h: Handle, accountId: string, messageIds: string[]): Promise<{ message_id: string; at: number }[]> {
  const out = [];
  for (const part of chunks([...new Set(messageIds)])) {
    out.push(
      ...(await h
        .selectFrom('events')
        .select(['message_id', 'at'])
        .where('account_id', '=', accountId)
        .where('message_id', 'in', part)
        .where('type', '=', 'clicked')
        .where('machine', '=', 0)
        .execute()),
    );
  }
  return out.map((r) => ({ message_id: r.message_id, at: Number(r.at) }));
}

/** Messages of a campaign in id order after `after`, for issuing links page by page. */
export async function listCampaignMessageIds(
  h: Handle,
  accountId: string,
  campaignId: string,
  opts: { after?: string; limit: number; excludeNotSent: boolean },
): Promise<{ id: string; recipient: string; variant: string | null }[]> {
  let q = h.selectFrom('messages').select(['id', 'recipient', 'variant']).where('account_id', '=', accountId).where('campaign_id', '=', campaignId);
  if (opts.after) q = q.where('id', '>', opts.after);
  if (opts.excludeNotSent) q = q.where('status', '!=', 'not_sent');
  return q.orderBy('id').limit(opts.limit).execute();
}

type MessageBasic = { id: string; campaign_id: string; recipient: string; status: string; variant: string | null };

export async function getMessagesBasic(h: Handle, accountId: string, ids: string[], db?: Db): Promise<MessageBasic[]> {
  const out = [];
  if (db?.sqlite) {
    // One prepared point lookup per id inside the caller's transaction (the gate's 10,000 fresh messages).
    const st = linkStatements(db.sqlite).messageBasic;
    for (const id of new Set(ids)) {
      const m = st.get(accountId, id) as MessageBasic | undefined;
      if (m) out.push(m);
    }
    return out;
  }
  for (const part of chunks([...new Set(ids)])) {
    out.push(...(await h.selectFrom('messages').select(['id', 'campaign_id', 'recipient', 'status', 'variant']).where('account_id', '=', accountId).where('id', 'in', part).execute()));
  }
  return out;
}

