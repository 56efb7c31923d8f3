// Membership is per account: a person (users: one e-mail, one password) reaches an account only through a
// membership row of that account, and an account reaches an existing person only through an invitation that the
// person accepts with their own credentials. Frozen in time: never import application code here.
import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  // Today's memberships keep their account and role; they get the date the person was created (the best date
  // known) and no "last used" mark (login then opens the oldest membership until one is used).
  await db.schema.alterTable('memberships').addColumn('created_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('memberships').addColumn('last_used_at', 'bigint').execute();
  await sql`update memberships set created_at = (select u.created_at from users u where u.id = memberships.user_id)
            where exists (select 1 from users u where u.id = memberships.user_id)`.execute(db);
  await db.schema.createIndex('memberships_user').on('memberships').columns(['user_id']).execute();

  // Pending invitations of an existing person to an account; the token is shown once, stored as a SHA-256 hash.
  await db.schema
    .createTable('invitations')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('invitations_pk', ['account_id', 'id'])
    .execute();
  // One pending invitation per person and account: inviting again replaces it.
  await db.schema.createIndex('invitations_person').on('invitations').columns(['account_id', 'user_id']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invitations').ifExists().execute();
  await db.schema.dropIndex('memberships_user').ifExists().execute();
  await db.schema.alterTable('memberships').dropColumn('last_used_at').execute();
  await db.schema.alterTable('memberships').dropColumn('created_at').execute();
}
