// Core tables: accounts, keys, contacts, campaigns, messages, the event log, orphan events and daily rollups.
// Frozen in time: never import application code here. Every account's table starts its keys with account_id.
import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('default_country', 'text')
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('suspended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addPrimaryKeyConstraint('api_keys_pk', ['account_id', 'id'])
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('address', 'text')
    .addColumn('address_key', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('opt_out_email', 'bigint')
    .addColumn('opt_out_sms', 'bigint')
    .addColumn('opt_out_whatsapp', 'bigint')
    .addColumn('opt_out_mail', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('contacts_external').on('contacts').columns(['account_id', 'external_id']).unique().execute();
  await db.schema.createIndex('contacts_email').on('contacts').columns(['account_id', 'email']).execute();
  await db.schema.createIndex('contacts_phone').on('contacts').columns(['account_id', 'phone']).execute();
  await db.schema.createIndex('contacts_address').on('contacts').columns(['account_id', 'address_key']).execute();

  await db.schema
    .createTable('campaigns')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('send_at', 'bigint')
    .addColumn('activated_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('template_name', 'text')
    .addColumn('template_version', 'text')
    .addColumn('template_language', 'text')
    .addColumn('template_format', 'text')
    .addColumn('template_content', 'text')
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('budget_minor', 'bigint')
    .addColumn('fixed_cost_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaigns_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('campaigns_send').on('campaigns').columns(['account_id', 'send_at']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('provider', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('variant', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('not_sent_reason', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('bounce_type', 'text')
    .addColumn('registered_at', 'bigint', (c) => c.notNull())
    .addColumn('cohort_day', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'bigint')
    .addColumn('sent_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('bounced_at', 'bigint')
    .addColumn('opened_at', 'bigint')
    .addColumn('clicked_at', 'bigint')
    .addColumn('replied_at', 'bigint')
    .addColumn('lead_at', 'bigint')
    .addColumn('unsubscribed_at', 'bigint')
    .addColumn('complained_at', 'bigint')
    .addColumn('scanned_at', 'bigint')
    .addColumn('last_engaged_at', 'bigint')
    .addColumn('opens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('machine_opens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('clicks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bot_clicks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scans', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('replies', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_state', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('pricing_category', 'text')
    .addColumn('segments', 'integer')
    .addPrimaryKeyConstraint('messages_pk', ['account_id', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_recipient')
    .on('messages')
    .columns(['account_id', 'campaign_id', 'recipient'])
    .unique()
    .execute();
  await db.schema
    .createIndex('messages_provider')
    .on('messages')
    .columns(['account_id', 'provider', 'provider_message_id'])
    .unique()
    .execute();
  await db.schema.createIndex('messages_status').on('messages').columns(['account_id', 'campaign_id', 'status']).execute();
  await db.schema.createIndex('messages_contact').on('messages').columns(['account_id', 'contact_id']).execute();

  // The append-only event log. dedupe_key is the provider's event id, or message + type + time (+ url).
  await db.schema
    .createTable('events')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('machine', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flag_reason', 'text')
    .addColumn('data', 'text')
    .addPrimaryKeyConstraint('events_pk', ['account_id', 'dedupe_key'])
    .execute();
  await db.schema.createIndex('events_campaign').on('events').columns(['account_id', 'campaign_id', 'type']).execute();
  // A message's events by type and time: the link-sweep rule (recent clicks) and attribution (touches) read them.
  await db.schema.createIndex('events_message').on('events').columns(['account_id', 'message_id', 'type', 'at']).execute();

  // Events whose message is not registered yet: kept until it is, never dropped.
  await db.schema
    .createTable('orphan_events')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('ref_key', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('orphan_events_pk', ['account_id', 'ref_key', 'dedupe_key'])
    .execute();

  // Counts of the messages of one campaign whose cohort (send) day is `day`, in the account's time zone.
  await db.schema
    .createTable('campaign_days')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('audience', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('undelivered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bounced_soft', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bounced_hard', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('opened', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_opens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('machine_opens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('clicked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_clicks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bot_clicks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('replied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('leads', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unsubscribed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('complained', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scanners', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_scans', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('spend_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('campaign_days_pk', ['account_id', 'campaign_id', 'day'])
    .execute();
  await db.schema.createIndex('campaign_days_day').on('campaign_days').columns(['account_id', 'day']).execute();

  // Dashboard users (an email logs in once, whatever account it belongs to) and their sessions.
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('memberships')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['account_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await sql`select 1`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'sessions', 'memberships', 'users', 'campaign_days', 'orphan_events', 'events', 'messages', 'campaigns', 'contacts',
    'api_keys', 'accounts',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
