// SQL for accounts, API keys, people (users: global, one e-mail and one password), their memberships and sessions.
import type { Kysely, Transaction } from 'kysely';
import type { AccountRow, ApiKeyRow, DB, MembershipRow, SessionRow, UserRow } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

export async function insertAccount(h: Handle, row: AccountRow): Promise<void> {
  await h.insertInto('accounts').values(row).execute();
}
export async function getAccount(h: Handle, id: string): Promise<AccountRow | undefined> {
  return h.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function listAccounts(h: Handle): Promise<AccountRow[]> {
  return h.selectFrom('accounts').selectAll().orderBy('created_at').execute();
}
export async function updateAccount(h: Handle, id: string, patch: Partial<Omit<AccountRow, 'id'>>): Promise<void> {
  await h.updateTable('accounts').set(patch).where('id', '=', id).execute();
}
export async function countAccounts(h: Handle): Promise<number> {
  const r = await h.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertApiKey(h: Handle, row: ApiKeyRow): Promise<void> {
  await h.insertInto('api_keys').values(row).execute();
}
export async function getApiKey(h: Handle, accountId: string, id: string): Promise<ApiKeyRow | undefined> {
  return h.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}
export async function listApiKeys(h: Handle, accountId: string): Promise<ApiKeyRow[]> {
  return h.selectFrom('api_keys').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
}
export async function revokeApiKey(h: Handle, accountId: string, id: string, at: number): Promise<number> {
  const r = await h.updateTable('api_keys').set({ revoked_at: at }).where('account_id', '=', accountId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertUser(h: Handle, row: UserRow): Promise<void> {
  await h.insertInto('users').values(row).execute();
}
export async function getUserByEmail(h: Handle, email: string): Promise<UserRow | undefined> {
  return h.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}
export async function getUser(h: Handle, id: string): Promise<UserRow | undefined> {
  return h.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}
/** Adds a membership; false when the person is already a member of the account (the existing row is left as is). */
export async function insertMembershipIfAbsent(h: Handle, row: MembershipRow): Promise<boolean> {
  const r = await h
    .insertInto('memberships')
    .values(row)
    .onConflict((oc) => oc.columns(['account_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}
/** The person's memberships with their accounts' names, most recently used first, then oldest first. */
export async function listMembershipsOfUser(h: Handle, userId: string): Promise<(MembershipRow & { account_name: string })[]> {
  const rows = await h
    .selectFrom('memberships')
    .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
    .selectAll('memberships')
    .select('accounts.name as account_name')
    .where('memberships.user_id', '=', userId)
    .execute();
  return rows
    .map((r) => ({ ...r, created_at: Number(r.created_at), last_used_at: r.last_used_at === null ? null : Number(r.last_used_at) }))
    .sort((a, b) => (b.last_used_at ?? -1) - (a.last_used_at ?? -1) || a.created_at - b.created_at || a.account_id.localeCompare(b.account_id));
}
export async function markMembershipUsed(h: Handle, accountId: string, userId: string, at: number): Promise<void> {
  await h.updateTable('memberships').set({ last_used_at: at }).where('account_id', '=', accountId).where('user_id', '=', userId).execute();
}

export async function insertSession(h: Handle, row: SessionRow): Promise<void> {
  await h.insertInto('sessions').values(row).execute();
}
export async function deleteSession(h: Handle, idHash: string): Promise<void> {
  await h.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}
export async function deleteExpiredSessions(h: Handle, now: number): Promise<void> {
  await h.deleteFrom('sessions').where('expires_at', '<', now).execute();
}
