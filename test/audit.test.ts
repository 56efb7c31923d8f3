// The audit trail and the session controls through `mesure serve` on SQLite and PostgreSQL: a known set of changes
// made with an API key and with a dashboard session is read back exactly (actions, actors, newest first, paged with
// a cursor, filtered); failed changes record nothing; secrets, passwords and recipients' addresses never appear;
// only owners read it, and only their own account's. Then a password change ends the person's other sessions and
// keeps the current one, and "log out everywhere" ends them all, both audited.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngine } from './support';
import { send, startBlackbox, type Blackbox } from './blackbox/harness';

const SECRET = 'twilio-auth-token-c0ffee-7531';
const ANNA = { email: 'anna@shop.test', password: 'anna-first-password' };
const BOB = { email: 'bob@shop.test', password: 'bob-first-password' };
const BOB_NEW = 'bob-second-password';
const SUPPRESSED = 'someone.private@example.org';
const CHAT_PATH = 'T0001/B0002/XyZsecretPathToken';

/** One browser: the session cookie, and the CSRF token on every change. */
class Browser {
  cookie = '';
  csrf = '';
  constructor(readonly url: string) {}
  async send(method: string, path: string, json?: unknown) {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    const r = await send(this.url, method, path, { json, headers });
    const set = r.headers['set-cookie']?.[0];
    if (set) this.cookie = set.split(';')[0];
    if (typeof r.json?.csrfToken === 'string') this.csrf = r.json.csrfToken;
    return r;
  }
  async login(email: string, password: string) {
    const r = await this.send('POST', '/auth/login', { email, password });
    expect(r.status, r.text).toBe(200);
    return this;
  }
}

/** An entry as the test compares it: the action, who, and on what. */
const line = (e: { action: string; actor: { type: string; id: string; name: string }; target: string | null }) =>
  `${e.action} by ${e.actor.type}:${e.actor.id}:${e.actor.name} on ${e.target}`;

forEachEngine('audit trail and sessions', (engine) => {
  let bb: Blackbox;
  let owner: string;
  let ownerKeyId: string;
  const get = async (path: string, key = owner) => {
    const r = await send(bb.url, 'GET', path, { key });
    expect(r.status, r.text).toBe(200);
    return r.json;
  };
  /** The whole trail, newest first, read `limit` at a time through the cursor. */
  const readAll = async (limit: number, filters = '') => {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Parameters<typeof line>[0][]; nextCursor: string | null } = await get(`/v1/audit?limit=${limit}${filters}${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.items.map(line));
      cursor = page.nextCursor;
    } while (cursor);
    return pages;
  };

  beforeAll(async () => {
    bb = await startBlackbox(engine, 'Audit shop', ['Other shop']);
    owner = bb.keys.owner;
    ownerKeyId = /_(key_[0-9a-f]+)_/.exec(owner)![1];
  }, 120_000);
  afterAll(async () => {
    await bb?.stop();
  });

  it('reads back exactly what was changed, by whom, newest first and page by page; failures and secrets never appear', async () => {
    const keyActor = `key:${ownerKeyId}:first key`; // `mesure accounts create` names its key "first key"
    const analystKeyId = /_(key_[0-9a-f]+)_/.exec(bb.keys.analyst)![1];
    const viewerKeyId = /_(key_[0-9a-f]+)_/.exec(bb.keys.viewer)![1];

    // With the owner key: rename the account, add a user, set a provider secret.
    expect((await send(bb.url, 'PUT', '/v1/account', { key: owner, json: { name: 'Renamed shop' } })).status).toBe(200);
    const added = await send(bb.url, 'POST', '/v1/users', { key: owner, json: { ...ANNA, role: 'owner' } });
    expect(added.status, added.text).toBe(201);
    const annaId = added.json.id as string;
    expect((await send(bb.url, 'PUT', '/v1/providers/twilio/secret', { key: owner, json: { secret: SECRET } })).status).toBe(204);
    // A chat webhook whose URL is its own secret: the trail keeps the host only.
    const endpoint = await send(bb.url, 'PUT', '/v1/alerts/endpoints', { key: owner, json: { url: `https://hooks.chat.example/services/${CHAT_PATH}` } });
    expect(endpoint.status, endpoint.text).toBe(200);
    // Refused changes: invalid (400), unknown key (404), a viewer's attempt (403). None may leave an entry.
    expect((await send(bb.url, 'PUT', '/v1/budget/settings', { key: owner, json: { monthlyBudget: -5 } })).status).toBe(400);
    expect((await send(bb.url, 'DELETE', '/v1/keys/key_0000000000ff', { key: owner })).status).toBe(404);
    expect((await send(bb.url, 'PUT', '/v1/budget/settings', { key: bb.keys.viewer, json: { monthlyBudget: 1 } })).status).toBe(403);

    // With Anna's dashboard session: a monthly budget, and an address suppressed.
    const sinceSession = new Date().toISOString();
    const anna = await new Browser(bb.url).login(ANNA.email, ANNA.password);
    expect((await anna.send('PUT', '/v1/budget/settings', { monthlyBudget: 50000 })).status).toBe(200);
    expect((await anna.send('POST', '/v1/suppressions', { channel: 'email', address: SUPPRESSED })).status).toBe(201);
    expect((await anna.send('PATCH', '/v1/tracking/settings', { nonsense: true })).status).toBe(400);

    const annaActor = `user:${annaId}:${ANNA.email}`;
    // Newest first. The two oldest are the harness's own: it made the analyst and viewer keys with the owner key.
    const expected = [
      `suppression.add by ${annaActor} on null`,
      `budget_settings.update by ${annaActor} on null`,
      `alert_endpoint.set by ${keyActor} on ${endpoint.json.id}`,
      `provider_secret.set by ${keyActor} on twilio`,
      `user.add by ${keyActor} on ${annaId}`,
      `account.update by ${keyActor} on ${bb.accountId}`,
      `key.create by ${keyActor} on ${viewerKeyId}`,
      `key.create by ${keyActor} on ${analystKeyId}`,
    ];
    // 8 entries, 3 a page: pages of 3, 3 and 2, and the last page says there is no next one.
    expect(await readAll(3)).toEqual([expected.slice(0, 3), expected.slice(3, 6), expected.slice(6)]);
    expect(expected.slice(6)).toHaveLength(2);
    expect((await readAll(50)).flat()).toEqual(expected);

    // What changed: from → to where the route knows the value before, the input otherwise, secrets only as set.
    const all = (await get('/v1/audit?limit=50')).items as { action: string; details: Record<string, unknown>; ip: string | null; at: string }[];
    const details = (action: string) => all.find((e) => e.action === action)!.details;
    expect(details('account.update')).toEqual({ name: { from: 'Audit shop', to: 'Renamed shop' } });
    expect(details('budget_settings.update')).toEqual({ monthlyBudget: { from: null, to: 50000 } }); // a new account has no monthly budget
    expect(details('user.add')).toEqual({ email: ANNA.email, password: '[redacted]', role: 'owner' });
    expect(details('provider_secret.set')).toEqual({ secret: '[redacted]' });
    expect(details('alert_endpoint.set')).toEqual({ host: 'hooks.chat.example', generated: true }); // Mesure made its signing secret
    expect(details('suppression.add')).toEqual({ channel: 'email' }); // never whose address
    expect(details('key.create')).toEqual({ name: 'viewer key', role: 'viewer' });
    const text = JSON.stringify(all);
    for (const hidden of [SECRET, ANNA.password, SUPPRESSED, CHAT_PATH, endpoint.json.secret]) expect(text).not.toContain(hidden);
    expect(all.every((e) => e.ip === '127.0.0.1')).toBe(true);

    // Filters: an action, an action prefix, an actor by e-mail or id, a period.
    expect((await readAll(50, '&action=key.create')).flat()).toEqual(expected.slice(6));
    expect((await readAll(50, '&action=key.')).flat()).toEqual(expected.slice(6));
    expect((await readAll(50, `&actor=${encodeURIComponent(ANNA.email)}`)).flat()).toEqual(expected.slice(0, 2));
    expect((await readAll(50, `&actor=${ownerKeyId}`)).flat()).toEqual(expected.slice(2));
    expect((await readAll(50, `&since=${sinceSession}`)).flat()).toEqual(expected.slice(0, 2));
    expect((await readAll(50, `&until=${sinceSession}`)).flat()).toEqual(expected.slice(2));
    const bad = await send(bb.url, 'GET', `/v1/audit?since=${sinceSession}&until=${sinceSession}`, { key: owner });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('must be before until');

    // Owners only, and only their own account.
    expect((await send(bb.url, 'GET', '/v1/audit', { key: bb.keys.analyst })).status).toBe(403);
    expect((await send(bb.url, 'GET', '/v1/audit', { key: bb.keys.viewer })).status).toBe(403);
    expect(await get('/v1/audit', bb.others[0].key)).toEqual({ items: [], nextCursor: null });
  });

  it('a password change ends the other sessions and keeps this one; log out everywhere ends them all; both audited', async () => {
    const added = await send(bb.url, 'POST', '/v1/users', { key: owner, json: { ...BOB, role: 'analyst' } });
    expect(added.status, added.text).toBe(201);
    const bobId = added.json.id as string;
    const here = await new Browser(bb.url).login(BOB.email, BOB.password);
    const elsewhere = await new Browser(bb.url).login(BOB.email, BOB.password);

    // Refused: the wrong current password (403), a new one too short (400); nothing changes.
    const wrong = await here.send('POST', '/auth/password', { currentPassword: 'not-my-password', newPassword: BOB_NEW });
    expect(wrong.status).toBe(403);
    expect(wrong.json.message).toContain('current password is wrong');
    expect((await here.send('POST', '/auth/password', { currentPassword: BOB.password, newPassword: 'short' })).status).toBe(400);
    expect((await elsewhere.send('GET', '/auth/me')).status).toBe(200);
    // Without the CSRF token: refused.
    expect((await send(bb.url, 'POST', '/auth/password', { json: { currentPassword: BOB.password, newPassword: BOB_NEW }, headers: { cookie: here.cookie } })).status).toBe(403);

    const changed = await here.send('POST', '/auth/password', { currentPassword: BOB.password, newPassword: BOB_NEW });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toEqual({ endedSessions: 1 }); // the one elsewhere
    expect((await here.send('GET', '/auth/me')).status).toBe(200);
    expect((await here.send('GET', '/v1/campaigns')).status).toBe(200);
    expect((await elsewhere.send('GET', '/auth/me')).status).toBe(401);
    expect((await elsewhere.send('GET', '/v1/campaigns')).status).toBe(401);
    expect((await new Browser(bb.url).send('POST', '/auth/login', { email: BOB.email, password: BOB.password })).status).toBe(401);
    const third = await new Browser(bb.url).login(BOB.email, BOB_NEW);

    const out = await here.send('POST', '/auth/logout-all');
    expect(out.status, out.text).toBe(200);
    expect(out.json).toEqual({ endedSessions: 2 }); // this one and the third
    expect(out.headers['set-cookie']?.[0]).toMatch(/Max-Age=0/);
    expect((await here.send('GET', '/auth/me')).status).toBe(401);
    expect((await third.send('GET', '/auth/me')).status).toBe(401);
    // The password stays the new one.
    await new Browser(bb.url).login(BOB.email, BOB_NEW);

    const bob = (await get(`/v1/audit?actor=${bobId}`)).items as { action: string; target: string; details: unknown; actor: { name: string } }[];
    expect(bob.map((e) => [e.action, e.target, e.details, e.actor.name])).toEqual([
      ['user.logout_all', bobId, { endedSessions: 2 }, BOB.email],
      ['user.password_change', bobId, { endedSessions: 1 }, BOB.email],
    ]);
    expect(JSON.stringify(bob)).not.toContain(BOB_NEW);
  });
});
