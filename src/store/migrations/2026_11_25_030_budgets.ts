// Budgets, the send gate and billing: cost models, the budget ledger (used and reserved money per campaign and per
// account month), open reservations with their expiry, billing settings, invoices with the events already applied,
// alert endpoints and the alert delivery log. Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  // The account's cost model (campaign_id '') and campaigns' overrides, as JSON documents.
  await db.schema
    .createTable('cost_models')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cost_models_pk', ['account_id', 'campaign_id'])
    .execute();

  await db.schema
    .createTable('billing_settings')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('monthly_budget_minor', 'bigint')
    .addColumn('grace_days', 'integer')
    .addColumn('reservation_ttl_ms', 'bigint')
    .addColumn('stripe_webhook_secret', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // One row per scope ('cmp_…' for a campaign, 'month:YYYY-MM' for the account's month): the gate locks it, and
  // every change of a message's reserved or committed cost moves it in the same transaction.
  await db.schema
    .createTable('budget_ledgers')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('used_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reserved_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('budget_ledgers_pk', ['account_id', 'scope'])
    .execute();

  // Open reservations only: a row leaves when its message is committed, released or expired.
  await db.schema
    .createTable('reservations')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('cost_minor', 'bigint', (c) => c.notNull())
    .addColumn('reserved_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reservations_pk', ['account_id', 'message_id'])
    .execute();
  await db.schema.createIndex('reservations_expiry').on('reservations').column('expires_at').execute();
  await db.schema.createIndex('reservations_campaign').on('reservations').columns(['account_id', 'campaign_id', 'expires_at']).execute();

  await db.schema
    .createTable('invoices')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text')
    .addColumn('amount_due_minor', 'bigint', (c) => c.notNull())
    .addColumn('amount_remaining_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint')
    .addColumn('hosted_invoice_url', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_at', 'bigint', (c) => c.notNull())
    .addColumn('paid_at', 'bigint')
    .addColumn('overdue_at', 'bigint')
    .addColumn('last_payment_failed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_event_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoices_pk', ['account_id', 'external_id'])
    .execute();
  await db.schema.createIndex('invoices_status').on('invoices').columns(['account_id', 'status']).execute();

  // Invoice events already applied (Stripe's event ids, or ids the API made up): dedupe.
  await db.schema
    .createTable('invoice_events')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('invoice_id', 'text')
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invoice_events_pk', ['account_id', 'event_id'])
    .execute();

  await db.schema
    .createTable('alert_endpoints')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_endpoints_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('alert_endpoints_url').on('alert_endpoints').columns(['account_id', 'url']).unique().execute();

  // One row per (alert, endpoint): the same alert id is delivered once to each endpoint; `log` keeps every attempt.
  await db.schema
    .createTable('alert_deliveries')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('log', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_deliveries_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('alert_deliveries_alert').on('alert_deliveries').columns(['account_id', 'alert_id', 'endpoint_id']).unique().execute();
  await db.schema.createIndex('alert_deliveries_due').on('alert_deliveries').columns(['status', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['alert_deliveries', 'alert_endpoints', 'invoice_events', 'invoices', 'reservations', 'budget_ledgers', 'billing_settings', 'cost_models']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
