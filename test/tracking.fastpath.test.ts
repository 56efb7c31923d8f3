// The tracking URLs over a real listening server, where node:http answers them before Fastify (the fast path):
// every answer must be the one the router gives (app.inject goes through the router), clicks, scans and opens must
// be stored as through the router, and whatever the fast path does not take must still reach the router.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type Engine, type TestMesure } from './support';
import { PIXEL_GIF } from '../src/tracking/pixel';

const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const DEST = 'https://shop.example/soldes?ref=sms';

forEachEngine('tracking fast path over real HTTP', (engine: Engine) => {
  let m: TestMesure;
  let base: string;
  let link: string;
  let qr: string;
  let pixel: string;
  let messageId: string;
  let mailMessageId: string;

  const get = (path: string, init: { method?: string; ua?: string } = {}) =>
    fetch(`${base}${path}`, { method: init.method ?? 'GET', redirect: 'manual', headers: { 'user-agent': init.ua ?? CHROME } });
  const stored = async (id: string) => {
    await m.deps.tracking.flush();
    return m.db.kysely
      .selectFrom('events').select(['type', 'url', 'machine', 'flag_reason'])
      .where('account_id', '=', m.accountId).where('message_id', '=', id).where('type', 'in', ['clicked', 'scanned', 'opened'])
      .orderBy('at').execute();
  };

  beforeAll(async () => {
    m = await makeMesure(engine);
    const now = Date.now();
    const sms = await m.deps.campaigns.create(m.accountId, { name: 'Soldes', channel: 'sms' });
    const mail = await m.deps.campaigns.create(m.accountId, { name: 'Newsletter', channel: 'email' });
    const a = await m.deps.ingestor.register(m.accountId, sms.id, [{ recipient: { phone: '+33612345601' }, registeredAt: now - 3_600_000 }]);
    const b = await m.deps.ingestor.register(m.accountId, mail.id, [{ recipient: { email: 'ana@example.com' }, registeredAt: now - 3_600_000 }]);
    if (!a.ok || !b.ok) throw new Error('register failed');
    messageId = a.value[0].messageId;
    mailMessageId = b.value[0].messageId;
    const ev = await m.deps.ingestor.ingest(m.accountId, [
      { type: 'delivered', at: now - 3_000_000, ref: { kind: 'id', messageId } },
      { type: 'delivered', at: now - 3_000_000, ref: { kind: 'id', messageId: mailMessageId } },
    ]);
    if (!ev.ok) throw new Error(ev.message);
    expect((await m.deps.tracking.registerDestinations(m.accountId, sms.id, [DEST])).ok).toBe(true);
    expect((await m.deps.tracking.registerDestinations(m.accountId, mail.id, ['https://shop.example/news'])).ok).toBe(true);
    const issued = await m.deps.tracking.issue(m.accountId, sms.id, { all: true });
    const issuedMail = await m.deps.tracking.issue(m.accountId, mail.id, { all: true });
    if (!issued.ok || !issuedMail.ok) throw new Error('issue failed');
    link = new URL(issued.value.messages[0].links[0].trackedUrl).pathname;
    qr = new URL(issued.value.messages[0].qr!.url).pathname;
    pixel = new URL(issuedMail.value.messages[0].pixelUrl!).pathname;
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await m?.cleanup();
  });

  it('redirects a click to the registered destination with the same headers as the router, and stores it', async () => {
    const r = await get(`${link}?to=https://evil.example/`);
    expect(r.status).toBe(302);
    const location = new URL(r.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/soldes');
    expect(location.searchParams.get('ref')).toBe('sms');
    expect(location.searchParams.get('utm_medium')).toBe('sms');
    expect(location.searchParams.get('to')).toBeNull();
    expect(r.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, private, max-age=0');
    expect(await r.text()).toBe(`Redirecting to ${location.href}`);

    const routed = await m.app.inject({ method: 'GET', url: link, headers: { 'user-agent': CHROME } });
    expect(routed.statusCode).toBe(302);
    for (const h of ['cache-control', 'pragma', 'expires', 'content-type']) expect(r.headers.get(h), h).toBe(routed.headers[h]);
    // Two clicks, two click ids: everything else in the two locations is the same.
    const routedLocation = new URL(String(routed.headers.location));
    const clickIdParam = [...location.searchParams.keys()].find((k) => location.searchParams.get(k) !== routedLocation.searchParams.get(k));
    expect(clickIdParam).toBe('mesure_cid');
    routedLocation.searchParams.delete('mesure_cid');
    location.searchParams.delete('mesure_cid');
    expect(location.href).toBe(routedLocation.href);

    expect(await stored(messageId)).toEqual([
      { type: 'clicked', url: DEST, machine: 0, flag_reason: null },
      { type: 'clicked', url: DEST, machine: 0, flag_reason: null },
    ]);
  });

  it('answers HEAD without a body and flags it; a scan is a scan; a bot is flagged, never dropped', async () => {
    const head = await get(link, { method: 'HEAD' });
    expect(head.status).toBe(302);
    expect(await head.text()).toBe('');
    const scan = await get(`${qr}/extra/path`);
    expect(scan.status).toBe(302);
    const bot = await get(link, { ua: 'curl/8.5.0' });
    expect(bot.status).toBe(302);
    const rows = (await stored(messageId)).slice(2);
    expect(rows.map((r) => [r.type, r.machine, r.flag_reason?.split(':')[0]])).toEqual([
      ['clicked', 1, 'head_request'],
      ['scanned', 0, undefined],
      ['clicked', 1, 'isbot'],
    ]);
  });

  it('serves the open pixel with no-cache headers and stores the open', async () => {
    const misses = m.deps.tracking.stats.cacheMisses;
    const r = await get(pixel);
    expect(m.deps.tracking.stats.cacheMisses).toBe(misses); // an email's pixel is in memory from its issue on
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/gif');
    expect(r.headers.get('cache-control')).toContain('no-store');
    expect(Buffer.from(await r.arrayBuffer())).toEqual(PIXEL_GIF);
    expect(await stored(mailMessageId)).toEqual([{ type: 'opened', url: null, machine: 0, flag_reason: null }]);
  });

  it('answers unknown, forged and malformed tokens with the plain 404 page, storing nothing', async () => {
    const before = (await stored(messageId)).length;
    const token = link.slice(3);
    const forged = `/l/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [forged, '/l/short', `/q/${token}`.replace(/.$/, '_'), '/o/nothing.gif', `/o/${token}.gif`]) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(await r.text(), path).toContain('Link not found');
    }
    // A link token is not a pixel token and the other way round.
    expect((await get(`/l/${pixel.slice(3).replace(/\.gif$/, '')}`)).status).toBe(404);
    expect((await stored(messageId)).length).toBe(before);
  });

  it('leaves what it does not take to the router: other methods, encoded tokens, other paths', async () => {
    const post = await fetch(`${base}${link}`, { method: 'POST', redirect: 'manual' });
    expect(post.status).toBe(404);
    expect((await post.json()).error).toBe('not_found');
    // Percent-encoding is decoded by the router, which then finds the link.
    const encoded = await get(`${link.slice(0, -1)}%${link.charCodeAt(link.length - 1).toString(16).toUpperCase()}`);
    expect(encoded.status).toBe(302);
    const deeper = await get(`${pixel}/more`);
    expect(deeper.status).toBe(404);
    expect((await deeper.json()).error).toBe('not_found');
    const api = await fetch(`${base}/v1/tracking/settings`, { headers: m.auth });
    expect(api.status).toBe(200);
    expect((await api.json()).utm).toBe(true);
  });

  it('answers the same when the account is not in memory, and follows a settings change on a link clicked before', async () => {
    const before = (await stored(messageId)).length;
    const first = new URL((await get(link)).headers.get('location')!);
    m.deps.accounts.forget(m.accountId); // the next click reads the account (the path that waits for a promise)
    const reread = new URL((await get(link)).headers.get('location')!);
    expect(reread.searchParams.get('mesure_cid')).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(reread.searchParams.get('mesure_cid')).not.toBe(first.searchParams.get('mesure_cid'));
    for (const u of [first, reread]) u.searchParams.delete('mesure_cid');
    expect(reread.href).toBe(first.href);

    const off = await fetch(`${base}/v1/tracking/settings`, { method: 'PATCH', headers: { ...m.auth, 'content-type': 'application/json' }, body: JSON.stringify({ utm: false, clickIdParam: 'cid' }) });
    expect(off.status).toBe(200);
    expect((await get(link)).headers.get('location')).toMatch(/^https:\/\/shop\.example\/soldes\?ref=sms&cid=[A-Za-z0-9_-]{16}$/);
    const on = await fetch(`${base}/v1/tracking/settings`, { method: 'PATCH', headers: { ...m.auth, 'content-type': 'application/json' }, body: JSON.stringify({ utm: true, clickIdParam: 'mesure_cid' }) });
    expect(on.status).toBe(200);
    expect(new URL((await get(link)).headers.get('location')!).searchParams.get('utm_campaign')).toBe('soldes');
    expect((await stored(messageId)).length).toBe(before + 4);
  });
});
