// Journeys and their steps, the campaign → step link, goals and their daily snapshots, holdout settings and
// held-out contacts, and A/B variants. Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('journeys')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('journeys_pk', ['account_id', 'id'])
    .execute();

  await db.schema
    .createTable('journey_steps')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    // Wait after the previous step (after the journey's entry for the first one), in minutes.
    .addColumn('delay_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('journey_steps_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('journey_steps_position').on('journey_steps').columns(['account_id', 'journey_id', 'position']).unique().execute();

  // A campaign belongs to at most one step (the core campaigns table is left as it is).
  await db.schema
    .createTable('journey_campaigns')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('journey_id', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('journey_campaigns_pk', ['account_id', 'campaign_id'])
    .execute();
  await db.schema.createIndex('journey_campaigns_step').on('journey_campaigns').columns(['account_id', 'journey_id', 'step_id']).execute();

  // Goals of a campaign or a journey (owner_kind 'campaign' | 'journey').
  await db.schema
    .createTable('goals')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('metric', 'text')
    .addColumn('comparator', 'text')
    .addColumn('target', 'double precision', (c) => c.notNull())
    .addColumn('segment_definition', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('goals_pk', ['account_id', 'id'])
    .execute();
  await db.schema.createIndex('goals_owner').on('goals').columns(['account_id', 'owner_kind', 'owner_id']).execute();

  // One row per goal and day (the account's time zone): the progress over time.
  await db.schema
    .createTable('goal_snapshots')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('goal_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('progress', 'double precision')
    .addColumn('achieved', 'integer', (c) => c.notNull())
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('goal_snapshots_pk', ['account_id', 'goal_id', 'day'])
    .execute();

  // The share of the audience kept back, per campaign or journey (owner_kind 'campaign' | 'journey').
  await db.schema
    .createTable('holdout_settings')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('share', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('holdout_settings_pk', ['account_id', 'owner_kind', 'owner_id'])
    .execute();

  // Contacts of a campaign's audience kept back: not messages, so the campaign's audience and sent figures stay
  // those of the treated.
  await db.schema
    .createTable('holdout_members')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('holdout_members_pk', ['account_id', 'campaign_id', 'contact_id'])
    .execute();

  await db.schema
    .createTable('campaign_variants')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('split', 'double precision', (c) => c.notNull())
    .addColumn('is_control', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_variants_pk', ['account_id', 'campaign_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['campaign_variants', 'holdout_members', 'holdout_settings', 'goal_snapshots', 'goals', 'journey_campaigns', 'journey_steps', 'journeys']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
