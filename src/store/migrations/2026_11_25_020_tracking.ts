// Tracking: a campaign's registered destinations, the per-recipient tracked links (one token per message and
// destination, plus one open-pixel token per message) and the global token → account route.
// Frozen in time: never import application code here.
//
// Why a route table: a redirect knows only the token, while every account table keys by account_id first (so
// the schema can be distributed by account). `tracking_tokens` is the one table keyed by something else: the
// token alone, mapping it to its account and nothing more (no URL, no recipient). Under Citus it would be
// distributed by token; a unique index on tracked_links.token alone would instead be refused there (a unique
// key must contain the distribution column). The redirect reads both in one statement (two index probes).
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tracking_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // position: order of registration (0, 1, …), never reused; url_hash: sha256 of the URL, so uniqueness does
  // not index a text that may be longer than a PostgreSQL btree entry allows.
  await db.schema
    .createTable('campaign_destinations')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('url_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_destinations_pk', ['account_id', 'campaign_id', 'position'])
    .execute();
  await db.schema
    .createIndex('campaign_destinations_url')
    .on('campaign_destinations')
    .columns(['account_id', 'campaign_id', 'url_hash'])
    .unique()
    .execute();

  // kind 'link': a destination (served at /l/ as a click and /q/ as a scan; the path is the kind);
  // kind 'pixel': the message's open pixel (/o/), position 0 and no url.
  await db.schema
    .createTable('tracked_links')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addPrimaryKeyConstraint('tracked_links_pk', ['account_id', 'token'])
    .execute();
  await db.schema
    .createIndex('tracked_links_message')
    .on('tracked_links')
    .columns(['account_id', 'message_id', 'kind', 'position'])
    .unique()
    .execute();
  await db.schema.createIndex('tracked_links_campaign').on('tracked_links').columns(['account_id', 'campaign_id']).execute();

  // The link-sweep rule reads a message's recent clicks through the core's events_message index.
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['tracked_links', 'campaign_destinations', 'tracking_tokens']) await db.schema.dropTable(t).ifExists().execute();
}
