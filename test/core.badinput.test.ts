// Bad input gets a clear 4xx naming the problem, nothing is half-written, and nothing answers 500.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

forEachEngine('bad input', (engine) => {
  let m: TestMesure;
  let campaignId: string;
  let messageId: string;

  beforeAll(async () => {
    m = await makeMesure(engine, { env: { MESURE_BODY_LIMIT: String(2 * 1024 * 1024) } });
    campaignId = (await m.app.inject({ method: 'POST', url: '/v1/campaigns', headers: m.auth, payload: { name: 'C', channel: 'email' } })).json().id;
    const reg = await m.app.inject({ method: 'POST', url: `/v1/campaigns/${campaignId}/messages`, headers: m.auth, payload: { messages: [{ recipient: { email: 'a@example.com' } }] } });
    messageId = reg.json().messages[0].messageId;
  });
  afterAll(async () => m?.cleanup());

  const send = (payload: string | object, headers: Record<string, string> = {}) =>
    m.app.inject({ method: 'POST', url: '/v1/events', headers: { ...m.auth, 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const storedEvents = async () => Number((await m.db.kysely.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())!.n);
  const ok = { type: 'sent', at: '2026-11-20T10:00:00Z', messageId: '' };

  it('malformed JSON → 400 naming it', async () => {
    const res = await send('{"events": [');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request' });
    expect(res.json().message).toMatch(/JSON/);
  });

  it('wrong types → 400 with the item and field', async () => {
    const res = await send({ events: [{ ...ok, messageId }, { type: 'sent', at: 1732000000, messageId }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/events/1/at' })]));
    expect(await storedEvents()).toBe(0);
  });

  it('unknown event type → 400 listing the allowed ones', async () => {
    const res = await send({ events: [{ ...ok, type: 'exploded', messageId }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].path).toBe('/events/0/type');
    expect(res.json().details[0].message).toMatch(/delivered/);
  });

  it('unknown properties are refused, not silently dropped', async () => {
    const res = await send({ events: [{ ...ok, messageId, colour: 'blue' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0]).toMatchObject({ path: '/events/0/colour', message: 'unknown property "colour"' });
  });

  it('timestamps far in the future or before 2000 → 400', async () => {
    const future = await send({ events: [{ ...ok, messageId, at: '2099-01-01T00:00:00Z' }] });
    expect(future.statusCode).toBe(400);
    expect(future.json().details[0]).toMatchObject({ path: '/events/0/at' });
    expect(future.json().details[0].message).toMatch(/future/);
    const old = await send({ events: [{ ...ok, messageId, at: '1970-01-21T00:00:00Z' }] });
    expect(old.statusCode).toBe(400);
    expect(old.json().details[0].message).toMatch(/before 2000/);
  });

  it('an event naming its message in two ways, or in none → 400', async () => {
    const res = await send({ events: [{ ...ok, messageId, campaignId, recipient: 'a@example.com' }, { type: 'sent', at: ok.at }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.map((d: { path: string }) => d.path)).toEqual(['/events/0/messageId', '/events/1/messageId']);
  });

  it('more than 10,000 events → 400; an oversized body → 413', async () => {
    const many = Array.from({ length: 10_001 }, () => ({ ...ok, messageId }));
    const res = await send({ events: many });
    expect([400, 413]).toContain(res.statusCode);
    const huge = await send({ events: [{ ...ok, messageId, failureMessage: 'x'.repeat(3 * 1024 * 1024) }] });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().message).toMatch(/larger than/);
  });

  it('unknown campaigns and messages → 422 and nothing of the batch is stored', async () => {
    const res = await send({
      events: [
        { ...ok, messageId },
        { ...ok, messageId: 'msg_doesnotexist' },
        { type: 'sent', at: ok.at, campaignId: 'cmp_nope', recipient: 'a@example.com' },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().details.map((d: { path: string }) => d.path)).toEqual(['/events/1/messageId', '/events/2/campaignId']);
    expect(await storedEvents()).toBe(0);
    const d = (await m.app.inject({ method: 'GET', url: `/v1/campaigns/${campaignId}`, headers: m.auth })).json();
    expect(d.figures.sent).toBe(0);
  });

  it('no key, a malformed key or a revoked key → 401', async () => {
    const none = await m.app.inject({ method: 'GET', url: '/v1/campaigns' });
    expect(none.statusCode).toBe(401);
    expect(none.json().message).toMatch(/Bearer/);
    const bad = await m.app.inject({ method: 'GET', url: '/v1/campaigns', headers: { authorization: 'Bearer nope' } });
    expect(bad.statusCode).toBe(401);
    const k = await m.deps.accounts.createKey(m.accountId, 'temp');
    await m.deps.accounts.revokeKey(m.accountId, k.token.split('_').slice(3, 5).join('_'));
    const revoked = await m.app.inject({ method: 'GET', url: '/v1/campaigns', headers: { authorization: `Bearer ${k.token}` } });
    expect(revoked.statusCode).toBe(401);
    const tampered = await m.app.inject({ method: 'GET', url: '/v1/campaigns', headers: { authorization: `Bearer ${m.key.slice(0, -2)}xx` } });
    expect(tampered.statusCode).toBe(401);
  });

  it('a viewer key cannot write', async () => {
    const k = await m.deps.accounts.createKey(m.accountId, 'viewer', 'viewer');
    const res = await m.app.inject({ method: 'POST', url: '/v1/campaigns', headers: { authorization: `Bearer ${k.token}` }, payload: { name: 'x', channel: 'sms' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/analyst/);
  });

  it('campaign input: bad channel, empty name, unknown campaign on update, change of channel', async () => {
    const bad = await m.app.inject({ method: 'POST', url: '/v1/campaigns', headers: m.auth, payload: { name: '', channel: 'fax' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.map((d: { path: string }) => d.path).sort()).toEqual(['/channel', '/name']);
    const missing = await m.app.inject({ method: 'PATCH', url: '/v1/campaigns/cmp_nope', headers: m.auth, payload: { name: 'x' } });
    expect(missing.statusCode).toBe(404);
    const channel = await m.app.inject({ method: 'PATCH', url: `/v1/campaigns/${campaignId}`, headers: m.auth, payload: { channel: 'sms' } });
    expect(channel.statusCode).toBe(409);
  });

  it('messages without a usable recipient → 422, none stored', async () => {
    const res = await m.app.inject({ method: 'POST', url: `/v1/campaigns/${campaignId}/messages`, headers: m.auth, payload: { messages: [{ recipient: { email: 'b@example.com' } }, { recipient: { phone: '+33611111111' } }] } });
    expect(res.statusCode).toBe(422);
    expect(res.json().details[0]).toMatchObject({ path: '/messages/1/recipient' });
    const d = (await m.app.inject({ method: 'GET', url: `/v1/campaigns/${campaignId}`, headers: m.auth })).json();
    expect(d.figures.audience).toBe(1);
  });

  it('bad query strings → 400, unknown routes → 404 with a hint, never 500', async () => {
    const q = await m.app.inject({ method: 'GET', url: '/v1/overview?from=2026-13-45', headers: m.auth });
    expect(q.statusCode).toBe(400);
    const reversed = await m.app.inject({ method: 'GET', url: '/v1/overview?from=2026-11-20&to=2026-11-01', headers: m.auth });
    expect(reversed.statusCode).toBe(400);
    const limit = await m.app.inject({ method: 'GET', url: '/v1/campaigns?limit=0', headers: m.auth });
    expect(limit.statusCode).toBe(400);
    const nf = await m.app.inject({ method: 'GET', url: '/v1/nothing', headers: m.auth });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().message).toMatch(/openapi/);
  });

  it('a single event with an error names the field', async () => {
    const res = await m.app.inject({ method: 'POST', url: '/v1/events/single', headers: m.auth, payload: { type: 'clicked', at: ok.at, messageId, url: 'javascript:alert(1)' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().details[0].path).toBe('/url');
    const good = await m.app.inject({ method: 'POST', url: '/v1/events/single', headers: m.auth, payload: { type: 'sent', at: ok.at, messageId } });
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ applied: 1 });
  });
});
