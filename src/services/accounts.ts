// Accounts (tenants), their API keys and dashboard users. Keys are shown once and stored as SHA-256 hashes;
// passwords as argon2id hashes.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { CacheBus, CacheListener } from './cacheBus';
import type { AccountRow, DB } from '../store/schema';
import {
  getAccount, getApiKey, getUserByEmail, insertAccount, insertApiKey, insertMembershipIfAbsent, insertUser, listAccounts,
  listApiKeys, revokeApiKey, updateAccount,
} from '../store/accounts';
import { getMembership } from '../store/sessions';
import { normalizeEmail } from '../domain/contacts';

export const ROLES = ['owner', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** What adding an e-mail to an account did: created a new person, or found an existing one (left untouched). */
export type AddPerson = { created: true; userId: string; email: string; member: true } | { created: false; userId: string; email: string; member: boolean };

export interface AccountSettings {
  revenueBasis?: 'net' | 'gross';
  [k: string]: unknown;
}

export interface Account {
  id: string;
  name: string;
  currency: string;
  timeZone: string;
  defaultCountry: string | null;
  suspended: boolean;
  settings: AccountSettings;
  createdAt: number;
}

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    name: r.name,
    currency: r.currency,
    timeZone: r.time_zone,
    defaultCountry: r.default_country,
    suspended: r.suspended === 1,
    settings: JSON.parse(r.settings || '{}'),
    createdAt: r.created_at,
  };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Why a new password is refused, or null: the one rule for a person created and a password changed. */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'The password must have at least 8 characters.';
  if (password.length > 1000) return 'The password must have at most 1000 characters.';
  return null;
}

/** The stored form of a password (argon2id). */
export function hashPassword(password: string): Promise<string> {
  return argonHash(password);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads accounts with a small cache: the ingestion path asks for the time zone of every batch. */
export class AccountDirectory {
  private cache = new Map<string, AccountRow>();
  /** `changes`: on a node among several, forgetting an account tells the other nodes too (services/cacheBus.ts). */
  constructor(private readonly db: Db, private readonly clock: () => number = Date.now, private readonly changes?: CacheBus) {}

  async get(id: string, h: Kysely<DB> | Transaction<DB> = this.db.kysely): Promise<AccountRow | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = await getAccount(h, id);
    if (row) this.cache.set(id, row);
    return row;
  }

  /** The cached row, without reading: the redirect's synchronous path (`get` on a miss). */
  peek(id: string): AccountRow | undefined {
    return this.cache.get(id);
  }

  /** The account changed (settings, suspension, currency…): re-read it here, and on the other nodes (`changes`). */
  forget(id: string): void {
    this.cache.delete(id);
    void this.changes?.publish({ kind: 'account', accountId: id });
  }

  /** Another node changed an account, or changes may have been missed (`everything`): drop the cached rows. */
  readonly dropCached: CacheListener = (change) => {
    if (change === 'everything') this.cache.clear();
    else if (change.kind === 'account') this.cache.delete(change.accountId);
  };

  async list(): Promise<Account[]> {
    return (await listAccounts(this.db.kysely)).map(toAccount);
  }

  async create(input: { name: string; currency?: string; timeZone?: string; defaultCountry?: string; id?: string }): Promise<Account> {
    const tz = input.timeZone ?? 'Europe/Paris';
    if (!isValidTimeZone(tz)) throw new Error(`Unknown time zone "${tz}" (use an IANA name such as Europe/Paris).`);
    const currency = (input.currency ?? 'EUR').toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`Currency must be an ISO 4217 code such as EUR, got "${input.currency}".`);
    const row: AccountRow = {
      id: input.id ?? `acc_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      currency,
      time_zone: tz,
      default_country: input.defaultCountry?.toUpperCase() ?? null,
      settings: '{}',
      suspended: 0,
      created_at: this.clock(),
    };
    await insertAccount(this.db.kysely, row);
    return toAccount(row);
  }

  async update(id: string, patch: { name?: string; currency?: string; timeZone?: string; defaultCountry?: string | null; settings?: AccountSettings; suspended?: boolean }): Promise<Account | undefined> {
    const current = await getAccount(this.db.kysely, id);
    if (!current) return undefined;
    const row: Partial<AccountRow> = {};
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.currency !== undefined) row.currency = patch.currency.toUpperCase();
    if (patch.timeZone !== undefined) row.time_zone = patch.timeZone;
    if (patch.defaultCountry !== undefined) row.default_country = patch.defaultCountry?.toUpperCase() ?? null;
    if (patch.settings !== undefined) row.settings = JSON.stringify({ ...JSON.parse(current.settings || '{}'), ...patch.settings });
    if (patch.suspended !== undefined) row.suspended = patch.suspended ? 1 : 0;
    if (Object.keys(row).length) await updateAccount(this.db.kysely, id, row);
    this.forget(id);
    return toAccount((await getAccount(this.db.kysely, id))!);
  }

  /** Creates an API key; the returned token is the only time the secret is visible. */
  async createKey(accountId: string, name: string, role: Role = 'owner'): Promise<{ id: string; token: string }> {
    const id = `key_${randomBytes(6).toString('hex')}`;
    const secret = randomBytes(24).toString('base64url');
    await insertApiKey(this.db.kysely, {
      account_id: accountId, id, name, role, secret_hash: sha256(secret), created_at: this.clock(), last_used_at: null, revoked_at: null,
    });
    return { id, token: `mesure_${accountId}_${id}_${secret}` };
  }

  async listKeys(accountId: string) {
    return (await listApiKeys(this.db.kysely, accountId)).map((k) => ({
      id: k.id, name: k.name, role: k.role, createdAt: k.created_at, lastUsedAt: k.last_used_at, revokedAt: k.revoked_at,
    }));
  }

  async revokeKey(accountId: string, id: string): Promise<boolean> {
    return (await revokeApiKey(this.db.kysely, accountId, id, this.clock())) > 0;
  }

  /** The account and role behind a bearer token, or null. Constant-time comparison of the secret's hash. */
  async authenticate(token: string): Promise<{ accountId: string; role: Role; keyId: string; keyName: string } | null> {
    const m = /^mesure_(acc_[A-Za-z0-9]+|[A-Za-z0-9-]+)_(key_[0-9a-f]+)_([A-Za-z0-9_-]+)$/.exec(token);
    if (!m) return null;
    const [, accountId, keyId, secret] = m;
    const key = await getApiKey(this.db.kysely, accountId, keyId);
    if (!key || key.revoked_at !== null) return null;
    const a = Buffer.from(sha256(secret), 'hex');
    const b = Buffer.from(key.secret_hash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    return { accountId, role: key.role as Role, keyId, keyName: key.name };
  }

  /**
   * Adds an e-mail to an account. A new e-mail creates the person with this password and their membership; an
   * e-mail that already has a login anywhere is left untouched (its password, its memberships): the caller decides
   * what to do (invite the person, who accepts with their own credentials).
   */
  async addPerson(accountId: string, emailRaw: string, password: string, role: Role): Promise<AddPerson> {
    const email = normalizeEmail(emailRaw);
    if (!email) throw new Error(`"${emailRaw}" is not an email address.`);
    const existing = await getUserByEmail(this.db.kysely, email);
    if (existing) return { created: false, userId: existing.id, email, member: !!(await this.membershipOf(accountId, existing.id)) };
    const problem = passwordProblem(password);
    if (problem) throw new Error(problem);
    const now = this.clock();
    const user = { id: `usr_${randomUUID().replace(/-/g, '').slice(0, 16)}`, email, password_hash: await hashPassword(password), created_at: now };
    try {
      await this.db.kysely.transaction().execute(async (tx) => {
        await insertUser(tx, user);
        await insertMembershipIfAbsent(tx, { account_id: accountId, user_id: user.id, role, created_at: now, last_used_at: null });
      });
    } catch (err) {
      // The same e-mail created at the same moment by another request: it is an existing person now.
      const raced = await getUserByEmail(this.db.kysely, email);
      if (!raced) throw err;
      return { created: false, userId: raced.id, email, member: !!(await this.membershipOf(accountId, raced.id)) };
    }
    return { created: true, userId: user.id, email, member: true };
  }

  /**
   * The command line's way to add a user: a new e-mail is created; an existing person is attached to the account
   * only when given their own current password (proof that they agree), never re-passworded or re-roled.
   */
  async createUser(accountId: string, emailRaw: string, password: string, role: Role): Promise<{ userId: string; created: boolean }> {
    const r = await this.addPerson(accountId, emailRaw, password, role);
    if (r.created) return { userId: r.userId, created: true };
    if (r.member) {
      throw new Error(`${r.email} is already a member of account ${accountId}; change their role in the dashboard (Settings → Users) or with PATCH /v1/users/${r.userId}.`);
    }
    if ((await this.checkPassword(r.email, password)) !== r.userId) {
      throw new Error(
        `${r.email} already has a Mesure login with another password, which is never changed from here: give their own password to attach them, or invite them (\`mesure users invite --account ${accountId} --email ${r.email}\`, or Settings → Users) and let them accept.`,
      );
    }
    await insertMembershipIfAbsent(this.db.kysely, { account_id: accountId, user_id: r.userId, role, created_at: this.clock(), last_used_at: null });
    return { userId: r.userId, created: false };
  }

  private membershipOf(accountId: string, userId: string) {
    return getMembership(this.db.kysely, accountId, userId);
  }

  async checkPassword(emailRaw: string, password: string): Promise<string | null> {
    const email = normalizeEmail(emailRaw);
    const user = email ? await getUserByEmail(this.db.kysely, email) : undefined;
    if (!user) {
      // Spend the same time as a real check so that response time does not reveal which emails exist.
      await argonVerify(DUMMY_HASH, password).catch(() => false);
      return null;
    }
    return (await argonVerify(user.password_hash, password)) ? user.id : null;
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0m8gk3S8bNqGZ0fM1HhWJ0l3uFq4W1Qe0nKc5f7Ck9E';
