// Dashboard access: login with email and password, sessions kept as SHA-256 hashes of a random 32-byte id, a CSRF
// token per session, rate-limited attempts, the account a session opens (only one its person is a member of), the
// account's members (roles, removal, never without an owner) and invitations of people who already have a login.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db';
import {
  deleteSession, deleteExpiredSessions, getUser, getUserByEmail, insertMembershipIfAbsent, insertSession, listMembershipsOfUser, markMembershipUsed,
} from '../store/accounts';
import {
  deleteExpiredInvitations, deleteInvitation, deleteMember, deleteSessionsOfMember, extendSession, getInvitation, getLiveSession,
  getMembership, listInvitations, listMembers, replaceInvitation, setSessionAccount, updateMemberRole,
  deleteSessionsOfUser, updateUserPassword,
} from '../store/sessions';
import type { InvitationRow } from '../store/schema';
import { deleteStaleLoginAttempts, hitLoginAttempt } from '../store/nodes';
import { normalizeEmail } from '../domain/contacts';
import { hashPassword, passwordProblem, ROLES, type AccountDirectory, type Role } from './accounts';
import type { AuditTrail } from './audit';
import type { Outcome } from './ingest';

export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
export const INVITATION_TTL_MS = 14 * 24 * 3600 * 1000;
/** A session's expiry moves forward when used, at most once an hour (one write an hour, not one a request). */
const EXTEND_EVERY_MS = 3600 * 1000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Fixed-window counters per key, bounded in memory: old windows are dropped as new keys arrive. */
export class AttemptLimiter implements AttemptCounter {
  private windows = new Map<string, { start: number; count: number }>();
  constructor(readonly limit: number, readonly windowMs: number, private readonly maxKeys = 100_000) {}

  /** Counts one attempt; the seconds to wait when over the limit, else 0. */
  hit(key: string, now: number): number {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size >= this.maxKeys) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit ? Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) : 0;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    // Still full of live windows (an attack from many addresses): forget the oldest half rather than grow.
    if (this.windows.size >= this.maxKeys) {
      let n = Math.floor(this.maxKeys / 2);
      for (const k of this.windows.keys()) {
        if (n-- <= 0) break;
        this.windows.delete(k);
      }
    }
  }
}

/** Counts attempts per key; the seconds to wait when over the limit, else 0. */
interface AttemptCounter {
  hit(key: string, now: number): number | Promise<number>;
}

/**
 * The same fixed windows kept in the database (PostgreSQL), so that the limit holds across every node behind a load
 * balancer: one atomic upsert per attempt. Keys are hashed (the table holds no address); windows that are over are
 * deleted now and then.
 */
class SharedAttemptLimiter implements AttemptCounter {
  private lastPrune = 0;
  constructor(private readonly db: Db, private readonly scope: string, readonly limit: number, readonly windowMs: number) {}

  async hit(key: string, now: number): Promise<number> {
    const w = await hitLoginAttempt(this.db.kysely, sha256(`${this.scope}:${key}`), now, this.windowMs);
    if (now - this.lastPrune > this.windowMs) {
      this.lastPrune = now;
      await deleteStaleLoginAttempts(this.db.kysely, now - this.windowMs);
    }
    return w.count > this.limit ? Math.max(1, Math.ceil((w.windowStart + this.windowMs - now) / 1000)) : 0;
  }
}

export interface SessionView {
  /** The person, with their role in the account the session opens. */
  user: { id: string; email: string; role: Role };
  /** The account the session opens: every /v1 call made with this session reads and changes this account only. */
  account: { id: string; name: string; currency: string; timeZone: string; defaultCountry: string | null };
  /** Every account the person is a member of, most recently used first: the ones a switch may open. */
  accounts: { id: string; name: string; role: Role }[];
  csrfToken: string;
}

/** A live session as the /v1 hook needs it: no account list, one query. */
export interface ResolvedSession {
  idHash: string;
  accountId: string;
  user: SessionView['user'];
  csrfToken: string;
}

export type LoginResult =
  | { ok: true; token: string; view: SessionView; expiresAt: number }
  | { ok: false; status: 401 | 403 | 404 | 410 | 429; message: string; retryAfter?: number };

/** What a password change or a "log out everywhere" did. */
export type SessionsEnded = { ok: true; value: { endedSessions: number } } | { ok: false; status: 403 | 422 | 429; message: string; field?: string; retryAfter?: number };

export type SessionOutcome = { ok: true; value: SessionView } | { ok: false; status: 403 | 404 | 409 | 410 | 422; message: string };

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
}

/** What adding an e-mail did: a new member, or an invitation (the person already has a login) with its token, shown once. */
export interface InvitationAnswer {
  invitation: Invitation;
  token: string;
  /** The dashboard with the token in the fragment (never sent to the server in a request line or Referer). */
  link: string;
  message: string;
}
export type Added = { member: Member } | InvitationAnswer;

export interface Member {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

export class Sessions {
  private readonly byIp: AttemptCounter;
  private readonly byEmail: AttemptCounter;

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountDirectory,
    private readonly audit: AuditTrail,
    private readonly clock: () => number = Date.now,
    limits: { perMinute?: number } = {},
  ) {
    // SQLite has one serving process: its counters stay in memory. PostgreSQL may have several nodes: in the database.
    const limiter = (scope: string) => db.kind === 'postgres'
      ? new SharedAttemptLimiter(db, scope, limits.perMinute ?? 10, 60_000)
      : new AttemptLimiter(limits.perMinute ?? 10, 60_000);
    this.byIp = limiter('ip');
    this.byEmail = limiter('email');
  }

  /**
   * Opens a session. With an invitation token, the invitation (which must be this person's) is accepted in the same
   * step and its account opened: the way in for an invited person who has no account left (who could not log in).
   */
  async login(emailRaw: string, password: string, ip: string, invitation?: string): Promise<LoginResult> {
    const now = this.clock();
    const email = normalizeEmail(emailRaw) ?? emailRaw.trim().toLowerCase();
    const wait = Math.max(await this.byIp.hit(ip, now), await this.byEmail.hit(email, now));
    if (wait > 0) return { ok: false, status: 429, message: `Too many login attempts; try again in ${wait} s.`, retryAfter: wait };
    const userId = await this.accounts.checkPassword(emailRaw, password);
    if (!userId) return { ok: false, status: 401, message: 'Wrong email or password.' };
    let invited: string | undefined;
    if (invitation !== undefined) {
      const taken = await this.takeInvitation(userId, invitation);
      if (!taken.ok) return taken;
      invited = taken.accountId;
    }
    // The session opens the account the person used last (or their oldest membership): adding them elsewhere never
    // moves where they land; only they do, by switching or accepting an invitation.
    const memberships = await listMembershipsOfUser(this.db.kysely, userId);
    if (!memberships.length) return { ok: false, status: 403, message: 'This user belongs to no account: ask an owner to add you (Settings → Users).' };
    const m = memberships.find((x) => x.account_id === invited) ?? memberships[0];
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = now + SESSION_TTL_MS;
    await deleteExpiredSessions(this.db.kysely, now);
    await insertSession(this.db.kysely, { id_hash: sha256(token), account_id: m.account_id, user_id: userId, csrf_token: csrf, created_at: now, expires_at: expiresAt });
    await markMembershipUsed(this.db.kysely, m.account_id, userId, now);
    const user = (await getUser(this.db.kysely, userId))!;
    return { ok: true, token, expiresAt, view: await this.view({ idHash: sha256(token), accountId: m.account_id, user: { id: userId, email: user.email, role: m.role as Role }, csrfToken: csrf }) };
  }

  /** The live session behind a cookie value, or null (unknown, expired, or its member removed from its account). */
  async resolve(token: string): Promise<ResolvedSession | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const now = this.clock();
    const idHash = sha256(token);
    const s = await getLiveSession(this.db.kysely, idHash, now);
    if (!s) return null;
    if (now + SESSION_TTL_MS - s.expires_at > EXTEND_EVERY_MS) await extendSession(this.db.kysely, idHash, now + SESSION_TTL_MS);
    return { idHash, accountId: s.account_id, user: { id: s.user_id, email: s.email, role: s.role as Role }, csrfToken: s.csrf_token };
  }

  async logout(token: string): Promise<void> {
    await deleteSession(this.db.kysely, sha256(token));
  }

  /**
   * Changes the logged-in person's password, given their current one (attempts count against the same limit as
   * logins): every other session of theirs, in every account, ends; this one stays. Audited in the same transaction.
   */
  async changePassword(s: ResolvedSession, current: string, next: string, ip: string): Promise<SessionsEnded> {
    const wait = await this.byEmail.hit(s.user.email, this.clock());
    if (wait > 0) return { ok: false, status: 429, message: `Too many attempts; try again in ${wait} s.`, retryAfter: wait };
    if ((await this.accounts.checkPassword(s.user.email, current)) !== s.user.id) {
      return { ok: false, status: 403, message: 'The current password is wrong: type the password you log in with.', field: 'currentPassword' };
    }
    const problem = passwordProblem(next);
    if (problem) return { ok: false, status: 422, message: problem, field: 'newPassword' };
    if (next === current) return { ok: false, status: 422, message: 'The new password is the current one: choose another.', field: 'newPassword' };
    const hash = await hashPassword(next);
    const endedSessions = await this.db.kysely.transaction().execute(async (tx) => {
      await updateUserPassword(tx, s.user.id, hash);
      const n = await deleteSessionsOfUser(tx, s.user.id, s.idHash);
      await this.audit.record({ accountId: s.accountId, actor: { type: 'user', id: s.user.id, name: s.user.email }, action: 'user.password_change', target: s.user.id, details: { endedSessions: n }, ip }, tx);
      return n;
    });
    return { ok: true, value: { endedSessions } };
  }

  /** Ends every session of the logged-in person, in every account, this one included. Audited in the same transaction. */
  async logoutEverywhere(s: ResolvedSession, ip: string): Promise<{ endedSessions: number }> {
    const endedSessions = await this.db.kysely.transaction().execute(async (tx) => {
      const n = await deleteSessionsOfUser(tx, s.user.id);
      await this.audit.record({ accountId: s.accountId, actor: { type: 'user', id: s.user.id, name: s.user.email }, action: 'user.logout_all', target: s.user.id, details: { endedSessions: n }, ip }, tx);
      return n;
    });
    return { endedSessions };
  }

  /** The session as /auth/login and /auth/me answer it: the open account and every account the person may open. */
  async view(s: ResolvedSession): Promise<SessionView> {
    const a = (await this.accounts.get(s.accountId))!;
    const accounts = (await listMembershipsOfUser(this.db.kysely, s.user.id)).map((m) => ({ id: m.account_id, name: m.account_name, role: m.role as Role }));
    return {
      user: s.user,
      account: { id: a.id, name: a.name, currency: a.currency, timeZone: a.time_zone, defaultCountry: a.default_country },
      accounts,
      csrfToken: s.csrfToken,
    };
  }

  /** Moves the session to another account of the same person; refused for an account they are not a member of. */
  async switchAccount(s: ResolvedSession, accountId: string): Promise<SessionOutcome> {
    const m = await getMembership(this.db.kysely, accountId, s.user.id);
    // The same answer for an account that does not exist and one of someone else: no way to probe account ids.
    if (!m) return { ok: false, status: 404, message: `You are not a member of account ${accountId}: choose one of the accounts listed by /auth/me, or ask its owner for an invitation.` };
    await setSessionAccount(this.db.kysely, s.idHash, accountId);
    await markMembershipUsed(this.db.kysely, accountId, s.user.id, this.clock());
    return { ok: true, value: await this.view({ ...s, accountId, user: { ...s.user, role: m.role as Role } }) };
  }

  /**
   * Accepts an invitation for the logged-in person: it must be theirs (the person it was made for), pending and not
   * expired. Creates the membership with the invited role and opens that account in this session.
   */
  async acceptInvitation(s: ResolvedSession, token: string): Promise<SessionOutcome> {
    const taken = await this.takeInvitation(s.user.id, token);
    if (!taken.ok) return taken;
    return this.switchAccount(s, taken.accountId);
  }

  /** Checks that an invitation is this person's, pending and not expired, then turns it into their membership. */
  private async takeInvitation(userId: string, token: string): Promise<{ ok: true; accountId: string } | { ok: false; status: 403 | 404 | 410; message: string }> {
    const parsed = /^minv_(acc_[A-Za-z0-9]+|[A-Za-z0-9-]+)_(inv_[0-9a-f]+)_([A-Za-z0-9_-]{32})$/.exec(token);
    const unknown = { ok: false, status: 404, message: 'No pending invitation has this token: it was revoked, replaced by a newer one, already accepted, or mistyped. Ask the account owner for a new one.' } as const;
    if (!parsed) return unknown;
    const [, accountId, id, secret] = parsed;
    const inv = await getInvitation(this.db.kysely, accountId, id);
    if (!inv || !hashMatches(inv.token_hash, sha256(secret))) return unknown;
    if (inv.user_id !== userId) {
      return { ok: false, status: 403, message: 'This invitation was made for another login: log out and log in as the invited person to accept it.' };
    }
    const now = this.clock();
    if (inv.expires_at <= now) return { ok: false, status: 410, message: 'This invitation has expired: ask the account owner to invite you again.' };
    // The invitation is taken (deleted) first, in the same transaction: one revoked or accepted meanwhile adds nobody.
    const taken = await this.db.kysely.transaction().execute(async (tx) => {
      if ((await deleteInvitation(tx, accountId, id)) === 0) return false;
      await insertMembershipIfAbsent(tx, { account_id: accountId, user_id: userId, role: inv.role, created_at: now, last_used_at: null });
      return true;
    });
    return taken ? { ok: true, accountId } : unknown;
  }

  // ---------------------------------------------------------------- members of an account

  async members(accountId: string): Promise<Member[]> {
    return (await listMembers(this.db.kysely, accountId)).map((r) => ({
      id: r.user_id, email: r.email, role: r.role as Role, createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /**
   * Adds an e-mail to the account. A new e-mail becomes a person with this password and a member (201); an e-mail
   * that already has a login (in any account) keeps its password untouched and gets an invitation to accept with
   * their own credentials (202); a person already a member is refused (409).
   */
  async addMember(accountId: string, email: string, password: string, role: Role, publicUrl: string): Promise<Outcome<Added>> {
    const normalized = normalizeEmail(email);
    if (!normalized) return fail(422, `"${email}" is not an email address.`, 'email');
    if (!ROLES.includes(role)) return fail(422, `role must be one of ${ROLES.join(', ')}.`, 'role');
    let r;
    try {
      r = await this.accounts.addPerson(accountId, normalized, password, role);
    } catch (err) {
      return fail(422, (err as Error).message, 'password');
    }
    if (r.created) return { ok: true, value: { member: (await this.members(accountId)).find((m) => m.id === r.userId)! } };
    if (r.member) return fail(409, `${normalized} is already a member of this account; change their role instead.`, 'email');
    return { ok: true, value: await this.inviteAnswer(accountId, r.userId, normalized, role, publicUrl) };
  }

  /** Invites a person who already has a login (the command line's `mesure users invite`). */
  async inviteByEmail(accountId: string, email: string, role: Role, publicUrl: string): Promise<Outcome<InvitationAnswer>> {
    const normalized = normalizeEmail(email);
    if (!normalized) return fail(422, `"${email}" is not an email address.`, 'email');
    if (!ROLES.includes(role)) return fail(422, `role must be one of ${ROLES.join(', ')}.`, 'role');
    const user = await getUserByEmail(this.db.kysely, normalized);
    if (!user) return fail(404, `${normalized} has no Mesure login yet: create it with a password instead (\`mesure users create\`, or Settings → Users).`, 'email');
    if (await getMembership(this.db.kysely, accountId, user.id)) return fail(409, `${normalized} is already a member of this account; change their role instead.`, 'email');
    return { ok: true, value: await this.inviteAnswer(accountId, user.id, normalized, role, publicUrl) };
  }

  private async inviteAnswer(accountId: string, userId: string, email: string, role: Role, publicUrl: string): Promise<InvitationAnswer> {
    const { invitation, token } = await this.invite(accountId, userId, email, role);
    return {
      invitation, token,
      link: `${publicUrl.replace(/\/+$/, '')}/#invitation=${token}`,
      message: `${email} already has a Mesure login, so no password was set or changed: pass them this link (or the token), shown only now. They accept it once logged in with their own password, before ${invitation.expiresAt}.`,
    };
  }

  /** Records an invitation of an existing person (replacing a pending one); the token is in this answer only. */
  async invite(accountId: string, userId: string, email: string, role: Role): Promise<{ invitation: Invitation; token: string }> {
    const now = this.clock();
    const id = `inv_${randomBytes(8).toString('hex')}`;
    const secret = randomBytes(24).toString('base64url');
    const row: InvitationRow = { account_id: accountId, id, user_id: userId, email, role, token_hash: sha256(secret), created_at: now, expires_at: now + INVITATION_TTL_MS };
    await deleteExpiredInvitations(this.db.kysely, accountId, now);
    await replaceInvitation(this.db.kysely, row);
    return { invitation: toInvitation(row), token: `minv_${accountId}_${id}_${secret}` };
  }

  async invitations(accountId: string): Promise<Invitation[]> {
    return (await listInvitations(this.db.kysely, accountId, this.clock())).map(toInvitation);
  }

  async revokeInvitation(accountId: string, id: string): Promise<Outcome<null>> {
    if ((await deleteInvitation(this.db.kysely, accountId, id)) === 0) return fail(404, `No pending invitation ${id} in this account.`);
    return { ok: true, value: null };
  }

  async setRole(accountId: string, userId: string, role: Role): Promise<Outcome<Member>> {
    if (!(await getMembership(this.db.kysely, accountId, userId))) return fail(404, `No member ${userId} in this account.`);
    if ((await updateMemberRole(this.db.kysely, accountId, userId, role)) === 0) {
      return fail(409, 'This is the last owner of the account: make another member owner first.', 'role');
    }
    return { ok: true, value: (await this.members(accountId)).find((m) => m.id === userId)! };
  }

  async removeMember(accountId: string, userId: string): Promise<Outcome<null>> {
    if (!(await getMembership(this.db.kysely, accountId, userId))) return fail(404, `No member ${userId} in this account.`);
    if ((await deleteMember(this.db.kysely, accountId, userId)) === 0) {
      return fail(409, 'This is the last owner of the account: make another member owner before removing this one.');
    }
    await deleteSessionsOfMember(this.db.kysely, accountId, userId);
    return { ok: true, value: null };
  }
}

/** Compares a CSRF header with the session's token in constant time. */
export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function hashMatches(expectedHex: string, givenHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(givenHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function toInvitation(r: InvitationRow): Invitation {
  return { id: r.id, email: r.email, role: r.role as Role, createdAt: new Date(Number(r.created_at)).toISOString(), expiresAt: new Date(Number(r.expires_at)).toISOString() };
}

function fail<T>(status: 404 | 409 | 422, message: string, field?: string): Outcome<T> {
  return { ok: false, status, message, errors: field ? [{ index: 0, field, message }] : [] };
}
