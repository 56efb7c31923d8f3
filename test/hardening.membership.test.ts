// Membership is per account, through a listening server (`mesure serve`) on SQLite and PostgreSQL: the owner of one
// account can no longer take over another account's user by adding their e-mail with a password of their choice.
// Replays the attack (B's user x, A's owner "adds" x with a password of A's choosing) and checks what each session
// then reaches, the invitation flow, the account switch, and that A's role changes never touch B's membership.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Migrator, type Kysely, type Migration } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import { migrateToLatest, openDatabase } from '../src/store/db';
import { migrations } from '../src/store/migrations';
import { call, callOk, createAccountWithCli, runCli, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

const X = 'x@example.com';
const PB = 'password-chosen-by-x-in-B';
const PA = 'password-chosen-by-owner-of-A';

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  cookie: string | null;
}

/** One browser: keeps the session cookie and sends the CSRF token on unsafe methods. */
class Browser {
  cookie = '';
  csrf = '';
  constructor(readonly baseUrl: string) {}
  async send(method: string, path: string, body?: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && (opts.csrf ?? true) && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const parsed = text ? JSON.parse(text) : null;
    if (parsed && typeof parsed.csrfToken === 'string') this.csrf = parsed.csrfToken;
    return { status: res.status, body: parsed, cookie: setCookie };
  }
  login(email: string, password: string) {
    return this.send('POST', '/auth/login', { email, password });
  }
}

forEachEngine('hardening: membership is per account', (engine) => {
  it('never lets the owner of A reach B\'s user with a password of their choice; x joins A only by accepting, and A\'s changes never touch B', async () => {
    const tmp = tempDir('mesure-membership-');
    const schema = `mem_${randomBytes(5).toString('hex')}`;
    const env: Record<string, string> =
      engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    let server: ServerProcess | undefined;
    try {
      // Two accounts from the CLI, each with a campaign of its own so that a read shows whose data it is.
      const A = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Shop A');
      const B = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Shop B');
      server = await startServerProcess(env);
      const url = server.url;
      await callOk(url, 'POST', '/v1/campaigns', A.key, { name: 'Campaign of A', channel: 'email' });
      await callOk(url, 'POST', '/v1/campaigns', B.key, { name: 'Campaign of B', channel: 'email' });

      // 1. B's owner creates x with x's password.
      const created = await call(url, 'POST', '/v1/users', B.key, { email: X, password: PB, role: 'analyst' });
      expect(created.status).toBe(201);
      const xId = (created.body as { id: string }).id;

      // 2. A's owner "adds" x with a password of A's choosing: an invitation, never a silently kept password.
      const added = await call(url, 'POST', '/v1/users', A.key, { email: X, password: PA, role: 'viewer' });
      expect(added.status).toBe(202);
      const inv = added.body as { invitation: { id: string; email: string; role: string }; token: string; link: string; message: string };
      expect(inv.invitation).toMatchObject({ email: X, role: 'viewer' });
      expect(inv.token).toMatch(/^minv_/);
      expect(inv.link).toContain(`#invitation=${inv.token}`);
      expect(inv.message).toContain('already has a Mesure login');
      // Still no membership in A: A's user list does not show x, and a second attempt is another invitation.
      expect(((await callOk<{ items: { email: string }[] }>(url, 'GET', '/v1/users', A.key)).items).map((u) => u.email)).not.toContain(X);
      const listed = await callOk<{ items: { id: string; email: string; role: string; token?: string }[] }>(url, 'GET', '/v1/invitations', A.key);
      expect(listed.items).toEqual([expect.objectContaining({ id: inv.invitation.id, email: X, role: 'viewer' })]);
      // The token's secret (what follows `minv_<account>_<invitation id>_`; base64url, so it may hold '_' itself).
      const secret = inv.token.slice(inv.token.indexOf(inv.invitation.id) + inv.invitation.id.length + 1);
      expect(secret.length).toBe(32);
      expect(JSON.stringify(listed)).not.toContain(secret);
      // B sees no invitation of A's.
      expect((await callOk<{ items: unknown[] }>(url, 'GET', '/v1/invitations', B.key)).items).toEqual([]);

      // 3. A's password opens nothing; x's own password opens B, and B only.
      const owner = new Browser(url);
      expect((await owner.login(X, PA)).status).toBe(401);
      expect(owner.cookie).toBe('');
      const x = new Browser(url);
      const login = await x.login(X, PB);
      expect(login.status).toBe(200);
      expect(login.body.account.id).toBe(B.accountId);
      expect(login.body.accounts).toEqual([{ id: B.accountId, name: 'Shop B', role: 'analyst' }]);
      expect((await x.send('GET', '/auth/me')).body.account.id).toBe(B.accountId);
      expect((await x.send('GET', '/v1/account')).body).toMatchObject({ id: B.accountId, name: 'Shop B' });
      const campaignsB = (await x.send('GET', '/v1/campaigns')).body.items.map((c: { name: string }) => c.name);
      expect(campaignsB).toEqual(['Campaign of B']);
      // Not a member of A yet: the switch is refused, and the same for an account that does not exist.
      const early = await x.send('POST', '/auth/account', { accountId: A.accountId });
      expect(early.status).toBe(404);
      expect(early.body.message).toContain('not a member');
      expect((await x.send('POST', '/auth/account', { accountId: 'acc_doesnotexist' })).status).toBe(404);
      expect((await x.send('GET', '/v1/account')).body.id).toBe(B.accountId);

      // 4. The invitation: only x may accept it, only with the CSRF token, and it gives the invited role in A.
      const y = new Browser(url);
      expect((await callOk(url, 'POST', '/v1/users', A.key, { email: 'y@example.com', password: 'y-password-1', role: 'owner' }))).toBeTruthy();
      expect((await y.login('y@example.com', 'y-password-1')).status).toBe(200);
      const stolen = await y.send('POST', '/auth/invitations/accept', { token: inv.token });
      expect(stolen.status).toBe(403);
      expect(stolen.body.message).toContain('another login');
      expect((await x.send('POST', '/auth/invitations/accept', { token: inv.token }, { csrf: false })).status).toBe(403);
      expect((await x.send('POST', '/auth/invitations/accept', { token: inv.token.slice(0, -2) + 'zz' })).status).toBe(404);
      const accepted = await x.send('POST', '/auth/invitations/accept', { token: inv.token });
      expect(accepted.status).toBe(200);
      expect(accepted.body.account.id).toBe(A.accountId);
      expect(accepted.body.user).toMatchObject({ id: xId, email: X, role: 'viewer' });
      expect(accepted.body.accounts.map((a: { id: string; role: string }) => [a.id, a.role]).sort()).toEqual(
        [[A.accountId, 'viewer'], [B.accountId, 'analyst']].sort(),
      );
      expect((await x.send('POST', '/auth/invitations/accept', { token: inv.token })).status).toBe(404); // used once
      expect((await x.send('GET', '/v1/account')).body).toMatchObject({ id: A.accountId, name: 'Shop A' });
      expect((await x.send('GET', '/v1/campaigns')).body.items.map((c: { name: string }) => c.name)).toEqual(['Campaign of A']);
      // A viewer in A: reading only, whatever x may do in B.
      expect((await x.send('POST', '/v1/campaigns', { name: 'x in A', channel: 'email' })).status).toBe(403);
      expect((await callOk<{ items: unknown[] }>(url, 'GET', '/v1/invitations', A.key)).items).toEqual([]);
      // Adding x to A again: already a member.
      expect((await call(url, 'POST', '/v1/users', A.key, { email: X, password: PA, role: 'owner' })).status).toBe(409);

      // 5. Switching back and forth: each account with its own role.
      const back = await x.send('POST', '/auth/account', { accountId: B.accountId });
      expect(back.status).toBe(200);
      expect(back.body.user.role).toBe('analyst');
      expect((await x.send('GET', '/v1/account')).body.id).toBe(B.accountId);
      // A tab still showing A (it names A in X-Mesure-Account, as the dashboard does) is refused, never served B.
      const staleRead = await x.send('GET', '/v1/campaigns', undefined, { headers: { 'x-mesure-account': A.accountId } });
      expect(staleRead.status).toBe(409);
      expect(staleRead.body.message).toContain('reload the page');
      expect((await x.send('POST', '/v1/campaigns', { name: 'meant for A', channel: 'email' }, { headers: { 'x-mesure-account': A.accountId } })).status).toBe(409);
      expect((await x.send('GET', '/v1/campaigns', undefined, { headers: { 'x-mesure-account': B.accountId } })).body.items.map((c: { name: string }) => c.name)).toEqual(['Campaign of B']);
      expect((await x.send('POST', '/auth/account', { accountId: A.accountId }, { csrf: false })).status).toBe(403);
      expect((await x.send('POST', '/auth/account', { accountId: A.accountId })).body.user.role).toBe('viewer');

      // 6. A's owner changes and removes x's membership of A: B's membership of x stays as it was.
      const roleOfXIn = async (key: string) => (await callOk<{ items: { id: string; role: string }[] }>(url, 'GET', '/v1/users', key)).items.find((u) => u.id === xId)?.role;
      expect((await call(url, 'PATCH', `/v1/users/${xId}`, A.key, { role: 'owner' })).status).toBe(200);
      expect(await roleOfXIn(A.key)).toBe('owner');
      expect(await roleOfXIn(B.key)).toBe('analyst');
      expect((await call(url, 'DELETE', `/v1/users/${xId}`, A.key)).status).toBe(204);
      expect(await roleOfXIn(A.key)).toBeUndefined();
      expect(await roleOfXIn(B.key)).toBe('analyst');
      // x's session was on A: it ends; x's password still opens B, and only B.
      expect((await x.send('GET', '/v1/account')).status).toBe(401);
      const again = await new Browser(url).login(X, PB);
      expect(again.status).toBe(200);
      expect(again.body.account.id).toBe(B.accountId);
      expect(again.body.accounts.map((a: { id: string }) => a.id)).toEqual([B.accountId]);

      // 7. The CLI follows the same rule: A's password for x is refused and changes nothing.
      await expect(runCli(['users', 'create', '--account', A.accountId, '--email', X, '--password', PA], env)).rejects.toThrow(/already has a Mesure login/);
      expect((await new Browser(url).login(X, PA)).status).toBe(401);
      expect(await roleOfXIn(A.key)).toBeUndefined();
      // With x's own password the operator may attach x (x's consent); the password stays x's.
      expect(await runCli(['users', 'create', '--account', A.accountId, '--email', X, '--password', PB, '--role', 'viewer'], env)).toContain('attached existing login');
      expect(await roleOfXIn(A.key)).toBe('viewer');
      expect(await roleOfXIn(B.key)).toBe('analyst');
      // The last used account is where x lands: B (x switched nowhere since), not the one just added.
      expect((await new Browser(url).login(X, PB)).body.account.id).toBe(B.accountId);

      // 8. A person left without any account logs in with the invitation link: the login accepts it, for them only.
      // (This brings the test to ten logins from 127.0.0.1, the per-address limit a minute: add none without a pause.)
      const Z = { email: 'z@example.com', password: 'z-own-password' };
      const zId = (await callOk<{ id: string }>(url, 'POST', '/v1/users', B.key, { ...Z, role: 'viewer' })).id;
      const zInv = await call(url, 'POST', '/v1/users', A.key, { email: Z.email, password: PA, role: 'analyst' });
      expect(zInv.status).toBe(202);
      const zToken = (zInv.body as { token: string }).token;
      expect((await call(url, 'DELETE', `/v1/users/${zId}`, B.key)).status).toBe(204);
      expect((await new Browser(url).login(Z.email, Z.password)).status).toBe(403); // no account left
      const other = await new Browser(url).send('POST', '/auth/login', { email: X, password: PB, invitation: zToken });
      expect(other.status).toBe(403); // right password, someone else's invitation: no session
      expect(other.cookie).toBeNull();
      expect((await new Browser(url).send('POST', '/auth/login', { email: Z.email, password: PA, invitation: zToken })).status).toBe(401);
      const z = new Browser(url);
      const zLogin = await z.send('POST', '/auth/login', { ...Z, invitation: zToken });
      expect(zLogin.status).toBe(200);
      expect(zLogin.body.account.id).toBe(A.accountId);
      expect(zLogin.body.user.role).toBe('analyst');
      expect((await z.send('GET', '/v1/account')).body.id).toBe(A.accountId);
    } finally {
      if (server) await server.stop();
      if (engine === 'postgres') {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
      tmp.remove();
    }
  }, 120_000);

  it('keeps every member of a database made before the change, with their account and role, and the same login', async () => {
    const tmp = tempDir('mesure-membership-mig-');
    const schema = `memm_${randomBytes(5).toString('hex')}`;
    const db = engine === 'sqlite' ? await openDatabase(`file:${join(tmp.dir, 'mesure.db')}`) : await openDatabase(PG_URL, { schema });
    try {
      const migrator = new Migrator({
        db: db.kysely,
        ...(db.schema ? { migrationTableSchema: db.schema } : {}),
        provider: { getMigrations: async () => migrations as Record<string, Migration> },
      });
      const before = await migrator.migrateTo('2026_11_27_010_ingest_inbox');
      expect(before.error).toBeUndefined();
      const k = db.kysely as unknown as Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- rows as the old schema had them
      for (const id of ['acc_a', 'acc_b']) {
        await k.insertInto('accounts').values({ id, name: id, currency: 'EUR', time_zone: 'Europe/Paris', default_country: null, settings: '{}', suspended: 0, created_at: 1 }).execute();
      }
      await k.insertInto('users').values([
        { id: 'usr_1', email: 'one@example.com', password_hash: 'h1', created_at: 1000 },
        { id: 'usr_2', email: 'two@example.com', password_hash: 'h2', created_at: 2000 },
      ]).execute();
      await k.insertInto('memberships').values([
        { account_id: 'acc_a', user_id: 'usr_1', role: 'owner' },
        { account_id: 'acc_b', user_id: 'usr_1', role: 'viewer' },
        { account_id: 'acc_b', user_id: 'usr_2', role: 'owner' },
      ]).execute();
      await migrateToLatest(db);
      const rows = await k.selectFrom('memberships').select(['account_id', 'user_id', 'role', 'created_at', 'last_used_at']).orderBy('account_id').orderBy('user_id').execute();
      expect(rows.map((r) => ({ ...r, created_at: Number(r.created_at) }))).toEqual([
        { account_id: 'acc_a', user_id: 'usr_1', role: 'owner', created_at: 1000, last_used_at: null },
        { account_id: 'acc_b', user_id: 'usr_1', role: 'viewer', created_at: 1000, last_used_at: null },
        { account_id: 'acc_b', user_id: 'usr_2', role: 'owner', created_at: 2000, last_used_at: null },
      ]);
      expect((await k.selectFrom('users').select(['id', 'password_hash']).orderBy('id').execute())).toEqual([
        { id: 'usr_1', password_hash: 'h1' },
        { id: 'usr_2', password_hash: 'h2' },
      ]);
      expect(await k.selectFrom('invitations').selectAll().execute()).toEqual([]);
    } finally {
      await db.close();
      if (engine === 'postgres') {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
      tmp.remove();
    }
  }, 60_000);
});
