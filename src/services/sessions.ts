// Dashboard access: login with email and password, sessions kept as SHA-256 hashes of a random 32-byte id, a CSRF
// token per session, rate-limited attempts, and the account's members (roles, removal, never without an owner).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/db';
import { deleteSession, deleteExpiredSessions, getUser, insertSession, listMembershipsOfUser } from '../store/accounts';
import {
  deleteMember, deleteSessionsOfMember, extendSession, getLiveSession, getMembership, listMembers, updateMemberRole,
} from '../store/sessions';
import { normalizeEmail } from '../domain/contacts';
import { ROLES, type AccountDirectory, type Role } from './accounts';
import type { Outcome } from './ingest';

export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
/** A session's expiry moves forward when used, at most once an hour (one write an hour, not one a request). */
const EXTEND_EVERY_MS = 3600 * 1000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Fixed-window counters per key, bounded in memory: old windows are dropped as new keys arrive. */
export class AttemptLimiter {
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

export interface SessionView {
  user: { id: string; email: string; role: Role };
  account: { id: string; name: string; currency: string; timeZone: string; defaultCountry: string | null };
  csrfToken: string;
}

export type LoginResult =
  | { ok: true; token: string; view: SessionView; expiresAt: number }
  | { ok: false; status: 401 | 403 | 429; message: string; retryAfter?: number };

export interface Member {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

export class Sessions {
  readonly byIp: AttemptLimiter;
  readonly byEmail: AttemptLimiter;

  constructor(
    private readonly db: Db,
    private readonly accounts: AccountDirectory,
    private readonly clock: () => number = Date.now,
    limits: { perMinute?: number } = {},
  ) {
    this.byIp = new AttemptLimiter(limits.perMinute ?? 10, 60_000);
    this.byEmail = new AttemptLimiter(limits.perMinute ?? 10, 60_000);
  }

  async login(emailRaw: string, password: string, ip: string): Promise<LoginResult> {
    const now = this.clock();
    const email = normalizeEmail(emailRaw) ?? emailRaw.trim().toLowerCase();
    const wait = Math.max(this.byIp.hit(ip, now), this.byEmail.hit(email, now));
    if (wait > 0) return { ok: false, status: 429, message: `Too many login attempts; try again in ${wait} s.`, retryAfter: wait };
    const userId = await this.accounts.checkPassword(emailRaw, password);
    if (!userId) return { ok: false, status: 401, message: 'Wrong email or password.' };
    const memberships = (await listMembershipsOfUser(this.db.kysely, userId)).sort((a, b) => a.account_id.localeCompare(b.account_id));
    if (!memberships.length) return { ok: false, status: 403, message: 'This user belongs to no account: ask an owner to add you (Settings → Users).' };
    const m = memberships[0];
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = now + SESSION_TTL_MS;
    await deleteExpiredSessions(this.db.kysely, now);
    await insertSession(this.db.kysely, { id_hash: sha256(token), account_id: m.account_id, user_id: userId, csrf_token: csrf, created_at: now, expires_at: expiresAt });
    const user = (await getUser(this.db.kysely, userId))!;
    return { ok: true, token, expiresAt, view: await this.view(m.account_id, { id: userId, email: user.email, role: m.role as Role }, csrf) };
  }

  /** The live session behind a cookie value, or null (unknown, expired, or its member removed). */
  async resolve(token: string): Promise<SessionView | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const now = this.clock();
    const idHash = sha256(token);
    const s = await getLiveSession(this.db.kysely, idHash, now);
    if (!s) return null;
    if (now + SESSION_TTL_MS - s.expires_at > EXTEND_EVERY_MS) await extendSession(this.db.kysely, idHash, now + SESSION_TTL_MS);
    return this.view(s.account_id, { id: s.user_id, email: s.email, role: s.role as Role }, s.csrf_token);
  }

  async logout(token: string): Promise<void> {
    await deleteSession(this.db.kysely, sha256(token));
  }

  private async view(accountId: string, user: SessionView['user'], csrfToken: string): Promise<SessionView> {
    const a = (await this.accounts.get(accountId))!;
    return {
      user,
      account: { id: a.id, name: a.name, currency: a.currency, timeZone: a.time_zone, defaultCountry: a.default_country },
      csrfToken,
    };
  }

  // ---------------------------------------------------------------- members of an account

  async members(accountId: string): Promise<Member[]> {
    return (await listMembers(this.db.kysely, accountId)).map((r) => ({
      id: r.user_id, email: r.email, role: r.role as Role, createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** Adds a member with a password (an email already known elsewhere keeps its own password). */
  async addMember(accountId: string, email: string, password: string, role: Role): Promise<Outcome<Member>> {
    const normalized = normalizeEmail(email);
    if (!normalized) return fail(422, `"${email}" is not an email address.`, 'email');
    if (!ROLES.includes(role)) return fail(422, `role must be one of ${ROLES.join(', ')}.`, 'role');
    if ((await this.members(accountId)).some((m) => m.email === normalized)) {
      return fail(409, `${normalized} is already a member of this account; change their role instead.`, 'email');
    }
    try {
      const r = await this.accounts.createUser(accountId, normalized, password, role);
      const member = (await this.members(accountId)).find((m) => m.id === r.userId)!;
      return { ok: true, value: member };
    } catch (err) {
      return fail(422, (err as Error).message, 'password');
    }
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

function fail<T>(status: 404 | 409 | 422, message: string, field?: string): Outcome<T> {
  return { ok: false, status, message, errors: field ? [{ index: 0, field, message }] : [] };
}
