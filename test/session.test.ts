// Dashboard access on a real store: login, cookie flags, CSRF, logout, rate limits, roles, and the settings
// endpoints (account, API keys, members with the last-owner guard), on SQLite and PostgreSQL.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

const PASSWORD = 'correct horse battery';

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const set = String(res.headers['set-cookie']);
  return set.split(';')[0];
}

async function login(m: TestMesure, email: string, password = PASSWORD, ip = '10.0.0.1') {
  const res = await m.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password }, remoteAddress: ip });
  return { res, cookie: res.statusCode === 200 ? cookieOf(res) : '', csrf: res.statusCode === 200 ? (res.json().csrfToken as string) : '' };
}

forEachEngine('dashboard sessions', (engine) => {
  let m: TestMesure;
  beforeAll(async () => {
    m = await makeMesure(engine);
    await m.deps.accounts.createUser(m.accountId, 'Owner@Shop.test', PASSWORD, 'owner');
    await m.deps.accounts.createUser(m.accountId, 'analyst@shop.test', PASSWORD, 'analyst');
    await m.deps.accounts.createUser(m.accountId, 'viewer@shop.test', PASSWORD, 'viewer');
  });
  afterAll(async () => m?.cleanup());

  it('logs in with an HTTP-only SameSite=Lax cookie, stores only the hash of the session id, and answers /auth/me', async () => {
    const { res, cookie, csrf } = await login(m, 'owner@shop.test');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ email: 'owner@shop.test', role: 'owner' });
    expect(body.account).toMatchObject({ id: m.accountId, name: 'Test shop', currency: 'EUR', timeZone: 'Europe/Paris' });
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const set = String(res.headers['set-cookie']);
    expect(set).toMatch(/^mesure_session=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    expect(set).not.toContain('Secure'); // the public URL of the test server is http://
    const token = cookie.split('=')[1];
    const rows = await m.db.kysely.selectFrom('sessions').select(['id_hash']).execute();
    expect(rows.map((r) => r.id_hash)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(rows.map((r) => r.id_hash)).not.toContain(token);

    const me = await m.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body);
  });

  it('refuses a wrong password and an unknown email with the same 401', async () => {
    const a = await login(m, 'owner@shop.test', 'wrong password', '10.0.0.2');
    const b = await login(m, 'nobody@shop.test', PASSWORD, '10.0.0.2');
    expect(a.res.statusCode).toBe(401);
    expect(b.res.statusCode).toBe(401);
    expect(a.res.json().message).toBe(b.res.json().message);
    expect(a.res.headers['set-cookie']).toBeUndefined();
  });

  it('lets the cookie read figures, but needs the CSRF token to change anything', async () => {
    const { cookie, csrf } = await login(m, 'analyst@shop.test');
    expect((await m.app.inject({ method: 'GET', url: '/v1/overview', headers: { cookie } })).statusCode).toBe(200);
    const payload = { name: 'Soldes', channel: 'sms', kind: 'manual' };
    const without = await m.app.inject({ method: 'POST', url: '/v1/campaigns', headers: { cookie }, payload });
    expect(without.statusCode).toBe(403);
    expect(without.json().message).toContain('X-CSRF-Token');
    const wrong = await m.app.inject({ method: 'POST', url: '/v1/campaigns', headers: { cookie, 'x-csrf-token': csrf.replace(/^./, csrf[0] === 'a' ? 'b' : 'a') }, payload });
    expect(wrong.statusCode).toBe(403);
    const ok = await m.app.inject({ method: 'POST', url: '/v1/campaigns', headers: { cookie, 'x-csrf-token': csrf }, payload });
    expect(ok.statusCode).toBe(201);
    // The export link is a plain download: GET with the cookie alone.
    const csv = await m.app.inject({ method: 'GET', url: `/v1/campaigns/${ok.json().id}/export.csv`, headers: { cookie } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
  });

  it('ends the session at logout: the old cookie no longer opens anything', async () => {
    const { cookie, csrf } = await login(m, 'viewer@shop.test');
    expect((await m.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie } })).statusCode).toBe(403);
    const out = await m.app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    expect((await m.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await m.app.inject({ method: 'GET', url: '/v1/overview', headers: { cookie } })).statusCode).toBe(401);
  });

  it('gives each role what it may do: viewer reads figures only, analyst no keys or users, owner everything', async () => {
    const viewer = await login(m, 'viewer@shop.test');
    const analyst = await login(m, 'analyst@shop.test');
    const owner = await login(m, 'owner@shop.test');
    const call = (s: { cookie: string; csrf: string }, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
      m.app.inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload }).then((r) => r.statusCode);
    expect(await call(viewer, 'GET', '/v1/campaigns')).toBe(200);
    expect(await call(viewer, 'POST', '/v1/campaigns', { name: 'x', channel: 'sms' })).toBe(403);
    expect(await call(viewer, 'PUT', '/v1/account', { name: 'x' })).toBe(403);
    expect(await call(analyst, 'GET', '/v1/keys')).toBe(403);
    expect(await call(analyst, 'GET', '/v1/users')).toBe(403);
    expect(await call(analyst, 'PUT', '/v1/account', { name: 'x' })).toBe(403);
    expect(await call(owner, 'GET', '/v1/keys')).toBe(200);
    expect(await call(owner, 'GET', '/v1/users')).toBe(200);
  });

  it('changes the account only with a valid IANA time zone, and never half-applies a request', async () => {
    const owner = await login(m, 'owner@shop.test');
    const put = (payload: object) => m.app.inject({ method: 'PUT', url: '/v1/account', headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf }, payload });
    const bad = await put({ name: 'Renamed', timeZone: 'Europe/Atlantis' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([{ path: '/timeZone', message: 'not an IANA time zone' }]);
    expect((await put({ name: 'Renamed', colour: 'blue' })).statusCode).toBe(400);
    expect((await put({ currency: 'euro' })).statusCode).toBe(400);
    expect((await m.app.inject({ method: 'GET', url: '/v1/account', headers: m.auth })).json().name).toBe('Test shop');
    const ok = await put({ name: 'Boutique', timeZone: 'America/New_York', currency: 'USD', defaultCountry: 'US', revenueBasis: 'gross' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Boutique', timeZone: 'America/New_York', currency: 'USD', defaultCountry: 'US', revenueBasis: 'gross' });
    const me = await m.app.inject({ method: 'GET', url: '/auth/me', headers: { cookie: owner.cookie } });
    expect(me.json().account).toMatchObject({ name: 'Boutique', currency: 'USD', timeZone: 'America/New_York' });
    expect((await m.app.inject({ method: 'GET', url: '/v1/account', headers: m.auth })).json().settings.revenueBasis).toBe('gross');
    await put({ name: 'Test shop', timeZone: 'Europe/Paris', currency: 'EUR', defaultCountry: 'FR', revenueBasis: 'net' });
  });

  it('creates an API key shown once, lists it without its secret, and revokes it', async () => {
    const owner = await login(m, 'owner@shop.test');
    const h = { cookie: owner.cookie, 'x-csrf-token': owner.csrf };
    const created = await m.app.inject({ method: 'POST', url: '/v1/keys', headers: h, payload: { name: 'shop plugin', role: 'analyst' } });
    expect(created.statusCode).toBe(201);
    const { id, key } = created.json();
    expect(key).toMatch(new RegExp(`^mesure_${m.accountId}_${id}_`));
    expect((await m.app.inject({ method: 'GET', url: '/v1/overview', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
    const list = await m.app.inject({ method: 'GET', url: '/v1/keys', headers: h });
    const item = list.json().items.find((k: { id: string }) => k.id === id);
    expect(item).toMatchObject({ name: 'shop plugin', role: 'analyst', prefix: `mesure_${m.accountId}_${id}`, revokedAt: null });
    // The secret is what follows the key's public prefix (it may itself contain "_").
    expect(list.body).not.toContain(key.slice(`mesure_${m.accountId}_${id}_`.length));
    expect((await m.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: h })).statusCode).toBe(204);
    expect((await m.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: h })).statusCode).toBe(404);
    expect((await m.app.inject({ method: 'GET', url: '/v1/overview', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
  });

  it('adds, re-roles and removes members, and never leaves the account without an owner', async () => {
    const owner = await login(m, 'owner@shop.test');
    const h = { cookie: owner.cookie, 'x-csrf-token': owner.csrf };
    const add = await m.app.inject({ method: 'POST', url: '/v1/users', headers: h, payload: { email: 'New@Shop.test', password: 'long enough pw', role: 'viewer' } });
    expect(add.statusCode).toBe(201);
    const newcomer = add.json();
    expect(newcomer).toMatchObject({ email: 'new@shop.test', role: 'viewer' });
    expect((await m.app.inject({ method: 'POST', url: '/v1/users', headers: h, payload: { email: 'new@shop.test', password: 'long enough pw', role: 'owner' } })).statusCode).toBe(409);
    expect((await m.app.inject({ method: 'POST', url: '/v1/users', headers: h, payload: { email: 'short@shop.test', password: 'short', role: 'owner' } })).statusCode).toBe(400);
    expect((await m.app.inject({ method: 'POST', url: '/v1/users', headers: h, payload: { email: 'not an email', password: 'long enough pw', role: 'owner' } })).statusCode).toBe(422);

    const users = (await m.app.inject({ method: 'GET', url: '/v1/users', headers: h })).json().items as { id: string; email: string; role: string }[];
    expect(users.map((u) => `${u.email}:${u.role}`)).toEqual(['analyst@shop.test:analyst', 'new@shop.test:viewer', 'owner@shop.test:owner', 'viewer@shop.test:viewer']);
    const ownerId = users.find((u) => u.email === 'owner@shop.test')!.id;

    // The only owner can be neither demoted nor removed…
    const demote = await m.app.inject({ method: 'PATCH', url: `/v1/users/${ownerId}`, headers: h, payload: { role: 'analyst' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().message).toContain('last owner');
    expect((await m.app.inject({ method: 'DELETE', url: `/v1/users/${ownerId}`, headers: h })).statusCode).toBe(409);
    // …until another member is owner.
    const promote = await m.app.inject({ method: 'PATCH', url: `/v1/users/${newcomer.id}`, headers: h, payload: { role: 'owner' } });
    expect(promote.statusCode).toBe(200);
    expect(promote.json().role).toBe('owner');
    const theirs = await login(m, 'new@shop.test', 'long enough pw');
    expect(theirs.res.json().user.role).toBe('owner');
    // Removing a member ends their sessions at once.
    expect((await m.app.inject({ method: 'DELETE', url: `/v1/users/${newcomer.id}`, headers: h })).statusCode).toBe(204);
    expect((await m.app.inject({ method: 'GET', url: '/v1/overview', headers: { cookie: theirs.cookie } })).statusCode).toBe(401);
    expect((await m.app.inject({ method: 'DELETE', url: `/v1/users/${newcomer.id}`, headers: h })).statusCode).toBe(404);
    expect((await m.app.inject({ method: 'PATCH', url: `/v1/users/${ownerId}`, headers: h, payload: { role: 'boss' } })).statusCode).toBe(400);
  });
});

describe('login rate limits', () => {
  let m: TestMesure;
  beforeAll(async () => {
    m = await makeMesure('sqlite', { env: { MESURE_PUBLIC_URL: 'https://mesure.example' } });
    await m.deps.accounts.createUser(m.accountId, 'owner@shop.test', PASSWORD, 'owner');
  });
  afterAll(async () => m?.cleanup());

  it('marks the cookie Secure when the public URL is https', async () => {
    const { res } = await login(m, 'owner@shop.test', PASSWORD, '10.1.0.1');
    expect(String(res.headers['set-cookie'])).toContain('Secure');
  });

  it('answers 429 with Retry-After after 10 attempts a minute from one address, even with the right password', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await login(m, `guess${i}@shop.test`, 'nope', '10.2.0.1')).res.statusCode);
    expect(codes).toEqual(Array(10).fill(401));
    const blocked = await login(m, 'owner@shop.test', PASSWORD, '10.2.0.1');
    expect(blocked.res.statusCode).toBe(429);
    expect(Number(blocked.res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.res.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another address is not blocked.
    expect((await login(m, 'owner@shop.test', PASSWORD, '10.2.0.2')).res.statusCode).toBe(200);
  });

  it('limits attempts per email too, whatever the address', async () => {
    for (let i = 0; i < 10; i++) await login(m, 'target@shop.test', 'nope', `10.3.0.${i + 1}`);
    const r = await login(m, 'Target@Shop.test', 'nope', '10.3.1.1');
    expect(r.res.statusCode).toBe(429);
    expect(r.res.json()).toMatchObject({ error: 'too_many_requests' });
  });
});
