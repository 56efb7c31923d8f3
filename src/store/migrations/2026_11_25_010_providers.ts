// Provider webhooks: each account's secret per provider (app secret, auth token, verification key, signing key,
// Basic credentials), and the replay keys already seen (Mailgun tokens, digests of delivered bodies) so that a
// delivery is applied once. Frozen in time: never import application code here.
import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provider_secrets')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('provider_secrets_pk', ['account_id', 'provider'])
    .execute();

  await db.schema
    .createTable('webhook_replay_keys')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    // SHA-256 of the body that used the key: the same body again is a duplicate delivery, another body a replay.
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_replay_keys_pk', ['account_id', 'key'])
    .execute();
  await db.schema.createIndex('webhook_replay_keys_expiry').on('webhook_replay_keys').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_replay_keys').ifExists().execute();
  await db.schema.dropTable('provider_secrets').ifExists().execute();
}
