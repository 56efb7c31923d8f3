// SQL for dashboard users' memberships and sessions beyond what store/accounts.ts already reads: roles, removal
// guarded so that an account always keeps one owner, session lookup joined with the membership, invitations.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, InvitationRow, MembershipRow, SessionRow } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;

export interface MemberRow {
  user_id: string;
  email: string;
  role: string;
  created_at: number;
}

export async function listMembers(h: Handle, accountId: string): Promise<MemberRow[]> {
  return h
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id', 'users.email', 'memberships.role', 'memberships.created_at'])
    .where('memberships.account_id', '=', accountId)
    .orderBy('users.email')
    .execute();
}

export async function getMembership(h: Handle, accountId: string, userId: string): Promise<MembershipRow | undefined> {
  return h.selectFrom('memberships').selectAll().where('account_id', '=', accountId).where('user_id', '=', userId).executeTakeFirst();
}

/** The other owners of the account, as a sub-query: a change that would leave none is refused in the same statement. */
const otherOwnerExists = (accountId: string, userId: string) =>
  sql<boolean>`exists (select 1 from memberships o where o.account_id = ${accountId} and o.role = 'owner' and o.user_id <> ${userId})`;

/** Sets a member's role unless that would demote the last owner; the number of rows changed (0 or 1). */
export async function updateMemberRole(h: Handle, accountId: string, userId: string, role: string): Promise<number> {
  let q = h.updateTable('memberships').set({ role }).where('account_id', '=', accountId).where('user_id', '=', userId);
  if (role !== 'owner') q = q.where((eb) => eb.or([eb('role', '<>', 'owner'), otherOwnerExists(accountId, userId) as never]));
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Removes a member unless it is the last owner; the number of rows removed (0 or 1). */
export async function deleteMember(h: Handle, accountId: string, userId: string): Promise<number> {
  const r = await h
    .deleteFrom('memberships')
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('role', '<>', 'owner'), otherOwnerExists(accountId, userId) as never]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteSessionsOfMember(h: Handle, accountId: string, userId: string): Promise<void> {
  await h.deleteFrom('sessions').where('account_id', '=', accountId).where('user_id', '=', userId).execute();
}

export interface LiveSession extends SessionRow {
  email: string;
  role: string;
}

/** A session that has not expired, with its user's email and current role (a removed member has no session). */
export async function getLiveSession(h: Handle, idHash: string, now: number): Promise<LiveSession | undefined> {
  return h
    .selectFrom('sessions')
    .innerJoin('memberships', (j) => j.onRef('memberships.account_id', '=', 'sessions.account_id').onRef('memberships.user_id', '=', 'sessions.user_id'))
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select(['users.email', 'memberships.role'])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
}

export async function extendSession(h: Handle, idHash: string, expiresAt: number): Promise<void> {
  await h.updateTable('sessions').set({ expires_at: expiresAt }).where('id_hash', '=', idHash).execute();
}

/** Moves a session to another account of the same person (the caller checked the membership). */
export async function setSessionAccount(h: Handle, idHash: string, accountId: string): Promise<void> {
  await h.updateTable('sessions').set({ account_id: accountId }).where('id_hash', '=', idHash).execute();
}

// ------------------------------------------------------------------ invitations

/** Records an invitation, replacing the account's pending one for the same person (its old token stops working). */
export async function replaceInvitation(h: Handle, row: InvitationRow): Promise<void> {
  await h.deleteFrom('invitations').where('account_id', '=', row.account_id).where('user_id', '=', row.user_id).execute();
  await h.insertInto('invitations').values(row).execute();
}

export async function getInvitation(h: Handle, accountId: string, id: string): Promise<InvitationRow | undefined> {
  return h.selectFrom('invitations').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}

/** The account's invitations that have not expired, newest first. */
export async function listInvitations(h: Handle, accountId: string, now: number): Promise<InvitationRow[]> {
  return h
    .selectFrom('invitations')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Deletes one invitation; the number of rows removed (0 or 1). */
export async function deleteInvitation(h: Handle, accountId: string, id: string): Promise<number> {
  const r = await h.deleteFrom('invitations').where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function deleteExpiredInvitations(h: Handle, accountId: string, now: number): Promise<void> {
  await h.deleteFrom('invitations').where('account_id', '=', accountId).where('expires_at', '<=', now).execute();
}

// ------------------------------------------------------------------ a person's password and all their sessions

export async function updateUserPassword(h: Handle, userId: string, passwordHash: string): Promise<void> {
  await h.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** Ends every session of a person, in every account, but the one kept (if any); the number ended. */
export async function deleteSessionsOfUser(h: Handle, userId: string, keepIdHash?: string): Promise<number> {
  let q = h.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash !== undefined) q = q.where('id_hash', '<>', keepIdHash);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}
