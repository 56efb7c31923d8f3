// Tracking end to end on both engines: links registered and clicked as a person, as scanners and bots, with
// forged and altered tokens and destination parameters; revoked links; QR scans against typed URLs; the open
// pixel; and per-link figures checked against hand counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { forEachEngine, makeMesure, type Engine, type TestMesure } from './support';
import { PIXEL_GIF } from '../src/tracking/pixel';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const SEC = 1000;

interface Issued {
  messageId: string;
  recipient: string;
  links: { url: string; token: string; trackedUrl: string }[];
  qr: { url: string; printedUrl: string; destination: string } | null;
  pixelUrl: string;
}

forEachEngine('tracking', (engine: Engine) => {
  let m: TestMesure;
  let now = T0;
  let campaignId: string;
  let mailCampaignId: string;
  let issued: Issued[];
  const A = 'https://shop.example/a?x=1';
  const B = 'https://shop.example/b';
  const path = (u: string) => new URL(u).pathname;

  const api = async (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: unknown) => {
    const r = await m.app.inject({ method, url, headers: m.auth, payload: payload as never });
    return { status: r.statusCode, body: r.body ? r.json() : undefined };
  };
  const visit = (url: string, opts: { method?: 'GET' | 'HEAD'; ua?: string | null; referer?: string } = {}) =>
    m.app.inject({
      method: opts.method ?? 'GET',
      url,
      headers: { ...(opts.ua === null ? { 'user-agent': '' } : { 'user-agent': opts.ua ?? CHROME }), ...(opts.referer ? { referer: opts.referer } : {}) },
    });
  const detail = async (id = campaignId) => (await api('GET', `/v1/campaigns/${id}`)).body;
  const events = async (messageId: string) =>
    m.db.kysely.selectFrom('events').select(['type', 'url', 'machine', 'flag_reason', 'at']).where('account_id', '=', m.accountId).where('message_id', '=', messageId).where('type', 'in', ['clicked', 'scanned', 'opened']).orderBy('at').execute();

  beforeAll(async () => {
    m = await makeMesure(engine, { clock: () => now });
    const c = await api('POST', '/v1/campaigns', { name: "Soldes d'été", channel: 'sms' });
    campaignId = c.body.id;
    const reg = await api('POST', `/v1/campaigns/${campaignId}/messages`, {
      messages: [
        { recipient: { phone: '+33612345601' }, variant: 'A' },
        { recipient: { phone: '+33612345602' } },
        { recipient: { phone: '+33612345603' } },
        { recipient: { phone: '+33612345604' } },
        { recipient: { phone: 'not a phone' } },
      ],
    });
    expect(reg.status).toBe(200);
    const ids: string[] = reg.body.messages.map((x: { messageId: string }) => x.messageId);
    // Sent and delivered at T0 (the fifth was refused before sending: no link is issued for it by `all`).
    const ev = await api('POST', '/v1/events', {
      events: ids.slice(0, 4).flatMap((id) => [
        { type: 'sent', at: new Date(T0).toISOString(), messageId: id },
        { type: 'delivered', at: new Date(T0).toISOString(), messageId: id },
      ]),
    });
    expect(ev.status).toBe(200);
    const d = await api('POST', `/v1/campaigns/${campaignId}/links`, { destinations: [A, B] });
    expect(d.body.destinations).toEqual([{ position: 0, url: A }, { position: 1, url: B }]);
    const iss = await api('POST', `/v1/campaigns/${campaignId}/links/issue`, { all: true });
    expect(iss.status).toBe(200);
    issued = (iss.body.messages as Issued[]).sort((a, b) => a.recipient.localeCompare(b.recipient)); // +33612345601 … 04

    const mail = await api('POST', '/v1/campaigns', { name: 'Lettre printemps', channel: 'mail' });
    mailCampaignId = mail.body.id;
    const mreg = await api('POST', `/v1/campaigns/${mailCampaignId}/messages`, {
      messages: [{ recipient: { address: { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris' } } }],
    });
    await api('POST', '/v1/events', { events: [{ type: 'sent', at: new Date(T0).toISOString(), messageId: mreg.body.messages[0].messageId }] });
    await api('POST', `/v1/campaigns/${mailCampaignId}/links`, { destinations: ['https://shop.example/printemps'] });
  });
  afterAll(async () => {
    await m?.cleanup();
  });

  it('issues one short link per recipient and destination, idempotently, skipping recipients never sent', async () => {
    expect(issued).toHaveLength(4);
    for (const x of issued) {
      expect(x.links.map((l) => l.url)).toEqual([A, B]);
      for (const l of x.links) expect(l.trackedUrl).toMatch(/^http:\/\/mesure\.test\/l\/[A-Za-z0-9_-]{12}$/);
      expect(x.qr!.url).toBe(x.links[0].trackedUrl.replace('/l/', '/q/'));
      expect(x.pixelUrl).toMatch(/^http:\/\/mesure\.test\/o\/[A-Za-z0-9_-]{12}\.gif$/);
    }
    expect(new Set(issued.flatMap((x) => x.links.map((l) => l.token))).size).toBe(8);
    const again = await api('POST', `/v1/campaigns/${campaignId}/links/issue`, { messageIds: [issued[0].messageId] });
    expect(again.body.messages[0].links).toEqual(issued[0].links);
  });

  it('redirects a person to the registered destination with UTM and a click id, and stores the click', async () => {
    now = T0 + 60 * SEC;
    const misses = m.deps.tracking.stats.cacheMisses;
    const r = await visit(path(issued[0].links[0].trackedUrl));
    expect(r.statusCode).toBe(302);
    // Issued a minute ago by this process: resolved from its cache, the database not asked.
    expect(m.deps.tracking.stats.cacheMisses).toBe(misses);
    expect(r.headers['cache-control']).toContain('no-store');
    const loc = r.headers.location as string;
    const cid = new URL(loc).searchParams.get('mesure_cid')!;
    expect(cid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(loc).toBe(`https://shop.example/a?x=1&utm_source=mesure&utm_medium=sms&utm_campaign=soldes-d-ete&utm_content=A&mesure_cid=${cid}`);
    await m.deps.tracking.flush();
    expect(await events(issued[0].messageId)).toEqual([{ type: 'clicked', url: A, machine: 0, flag_reason: null, at: now }]);
    expect(await m.deps.tracking.findMessageByClickId(m.accountId, cid)).toEqual({ messageId: issued[0].messageId, campaignId, clickedAt: now });
    expect(await m.deps.tracking.findMessageByClickId(m.accountId, 'AAAAAAAAAAAAAAAA')).toBeUndefined();
    const d = await detail();
    expect(d.figures.clicked).toBe(1);
    expect(d.links).toEqual([{ url: A, totalClicks: 1, uniqueClicks: 1 }]);
  });

  it('keeps two real clicks at the same millisecond, and counts per link by hand', async () => {
    now = T0 + 120 * SEC; // clock frozen: both requests get the same `at`
    const [r1, r2] = await Promise.all([visit(path(issued[0].links[0].trackedUrl)), visit(path(issued[0].links[0].trackedUrl))]);
    expect([r1.statusCode, r2.statusCode]).toEqual([302, 302]);
    expect(r1.headers.location).not.toBe(r2.headers.location); // one click id each
    now = T0 + 200 * SEC;
    expect((await visit(path(issued[1].links[1].trackedUrl))).statusCode).toBe(302);
    now = T0 + 300 * SEC;
    expect((await visit(path(issued[1].links[0].trackedUrl))).statusCode).toBe(302);
    await m.deps.tracking.flush();
    // Hand count (human clicks only): A: message 0 ×3, message 1 ×1 → total 4, unique 2; B: message 1 ×1.
    const d = await detail();
    expect(d.links).toEqual([{ url: A, totalClicks: 4, uniqueClicks: 2 }, { url: B, totalClicks: 1, uniqueClicks: 1 }]);
    expect(d.figures.clicked).toBe(2);
    expect(d.figures.totalClicks).toBe(5);
  });

  it('flags scanners, bots and previews with a reason, stores them, and keeps them out of human figures', async () => {
    const target = issued[2];
    now = T0 + 2 * SEC; // 2 s after delivery
    expect((await visit(path(target.links[0].trackedUrl))).statusCode).toBe(302);
    now = T0 + 400 * SEC;
    const head = await visit(path(target.links[0].trackedUrl), { method: 'HEAD' });
    expect(head.statusCode).toBe(302);
    expect(head.body).toBe('');
    await visit(path(target.links[0].trackedUrl), { ua: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' });
    await visit(path(target.links[0].trackedUrl), { ua: 'curl/8.5.0' });
    await visit(path(target.links[0].trackedUrl), { ua: null });
    await visit(path(target.links[0].trackedUrl), { referer: 'https://eur01.safelinks.protection.outlook.com/?url=x' });
    await m.deps.tracking.flush();
    const stored = await events(target.messageId);
    expect(stored.map((e) => [e.machine, e.flag_reason])).toEqual([
      [1, 'fast_after_delivery'],
      [1, 'head_request'],
      [1, 'preview:Slackbot'],
      [1, 'isbot:curl/8.5.0'],
      [1, 'no_user_agent'],
      [1, 'gateway:safelinks'],
    ]);
    const d = await detail();
    expect(d.figures.clicked).toBe(2); // unchanged by six machine clicks
    expect(d.figures.botClicks).toBe(6);
    const reasons = Object.fromEntries(d.flagged.map((f: { reason: string; count: number }) => [f.reason, f.count]));
    expect(reasons).toMatchObject({ fast_after_delivery: 1, head_request: 1, 'preview:Slackbot': 1, 'isbot:curl/8.5.0': 1, no_user_agent: 1, 'gateway:safelinks': 1 });
    expect(d.links).toEqual([{ url: A, totalClicks: 4, uniqueClicks: 2 }, { url: B, totalClicks: 1, uniqueClicks: 1 }]);
  });

  it('flags a link sweep, re-flagging the click stored before the sweep completed', async () => {
    const target = issued[3];
    now = T0 + 500 * SEC;
    await visit(path(target.links[0].trackedUrl));
    await m.deps.tracking.flush(); // stored as human: the sweep is not complete yet
    expect((await detail()).figures.clicked).toBe(3);
    now = T0 + 500 * SEC + 800;
    await visit(path(target.links[1].trackedUrl));
    await m.deps.tracking.flush();
    expect((await events(target.messageId)).map((e) => [e.url, e.machine, e.flag_reason])).toEqual([
      [A, 1, 'link_sweep'],
      [B, 1, 'link_sweep'],
    ]);
    const d = await detail();
    expect(d.figures.clicked).toBe(2);
    expect(d.figures.totalClicks).toBe(5);
    const recipient = (await api('GET', `/v1/campaigns/${campaignId}/recipients?q=45604`)).body.items[0];
    expect(recipient).toMatchObject({ clicks: 0, botClicks: 2, clickedAt: null, status: 'delivered' });
  });

  it('never redirects anywhere but the registered destination, whatever the request says', async () => {
    now = T0 + 600 * SEC;
    const tok = issued[1].links[1].token;
    for (const u of [`/l/${tok}?url=https://evil.example`, `/l/${tok}/https://evil.example/x`, `/l/${tok}?redirect=//evil.example&mesure_cid=forged`, `/l/${tok}#https://evil.example`]) {
      const r = await visit(u);
      expect(r.statusCode, u).toBe(302);
      expect(new URL(r.headers.location as string).origin).toBe('https://shop.example');
      expect(r.headers.location).toMatch(/^https:\/\/shop\.example\/b\?utm_source=mesure&utm_medium=sms&utm_campaign=soldes-d-ete&mesure_cid=[A-Za-z0-9_-]{16}$/);
    }
    const altered = tok.slice(0, 11) + (tok[11] === 'A' ? 'B' : 'A');
    for (const u of [`/l/${altered}`, '/l/short', `/l/${tok}x`, '/l/..%2F..%2Fv1', `/q/${altered}`, '/l/', `/l/${tok.slice(0, 11)}%3C`]) {
      const r = await visit(u);
      expect(r.statusCode, u).toBe(404);
      expect(r.headers.location).toBeUndefined();
      expect(r.headers['content-type'], u).toMatch(/^text\/html/);
    }
    // The pixel token is not a link.
    expect((await visit(`/l/${path(issued[0].pixelUrl).slice(3, 15)}`)).statusCode).toBe(404);
  });

  it('answers 404 for a revoked link, and refuses to revoke a token of another account', async () => {
    const tok = issued[1].links[1].token;
    const other = await m.deps.accounts.create({ name: 'Other shop' });
    const otherKey = await m.deps.accounts.createKey(other.id, 'k', 'owner');
    const foreign = await m.app.inject({ method: 'DELETE', url: `/v1/links/${tok}`, headers: { authorization: `Bearer ${otherKey.token}` } });
    expect(foreign.statusCode).toBe(404);
    expect((await visit(`/l/${tok}`)).statusCode).toBe(302); // still live (and cached)
    const del = await api('DELETE', `/v1/links/${tok}`);
    expect(del).toEqual({ status: 200, body: { token: tok, revoked: true, alreadyRevoked: false } });
    expect((await visit(`/l/${tok}`)).statusCode).toBe(404);
    expect((await visit(`/q/${tok}`)).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/links/${tok}`)).body.alreadyRevoked).toBe(true);
    expect((await api('DELETE', '/v1/links/AAAAAAAAAAAA')).status).toBe(404);
  });

  it('tells a QR scan (/q/) from the printed URL typed in a browser (/l/), and the QR PNG decodes to its URL', async () => {
    const q = await api('POST', `/v1/campaigns/${mailCampaignId}/qr`, { all: true, format: 'png', size: 300, errorCorrection: 'H' });
    expect(q.status).toBe(200);
    const code = q.body.codes[0];
    const png = PNG.sync.read(Buffer.from(code.dataUrl.split(',')[1], 'base64'));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(code.url);
    expect(code.url).toMatch(/\/q\/[A-Za-z0-9_-]{12}$/);
    expect(code.printedUrl).toBe(code.url.replace('/q/', '/l/'));
    const svg = await api('POST', `/v1/campaigns/${mailCampaignId}/qr`, { all: true, format: 'svg' });
    expect(Buffer.from(svg.body.codes[0].dataUrl.split(',')[1], 'base64').toString()).toContain('<svg');

    now = T0 + 3 * 24 * 3600 * SEC; // a letter arrives days later
    const scan = await visit(path(code.url), { ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1' });
    expect(scan.statusCode).toBe(302);
    expect(scan.headers.location).toMatch(/^https:\/\/shop\.example\/printemps\?utm_source=mesure&utm_medium=mail&utm_campaign=lettre-printemps&mesure_cid=/);
    now += 3600 * SEC;
    expect((await visit(path(code.printedUrl))).statusCode).toBe(302);
    await m.deps.tracking.flush();
    expect((await events(code.messageId)).map((e) => e.type)).toEqual(['scanned', 'clicked']);
    const f = (await detail(mailCampaignId)).figures;
    expect([f.qrScans, f.qrScanners, f.clicked, f.totalClicks]).toEqual([1, 1, 1, 1]);
  });

  it('serves the open pixel with no-cache headers and records human and machine opens', async () => {
    const pixel = path(issued[0].pixelUrl);
    now = T0 + 700 * SEC;
    const r = await visit(pixel, { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Thunderbird/125.0' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('image/gif');
    expect(r.headers['cache-control']).toBe('no-store, no-cache, must-revalidate, private, max-age=0');
    expect(r.headers.pragma).toBe('no-cache');
    expect(r.headers.expires).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(r.rawPayload.equals(PIXEL_GIF)).toBe(true);
    await visit(pixel, { ua: 'Mozilla/5.0' }); // Apple Mail Privacy Protection
    await visit(pixel.replace(/\.gif$/, '')); // without the extension
    expect((await visit('/o/AAAAAAAAAAAA.gif')).statusCode).toBe(404);
    await m.deps.tracking.flush();
    const opens = (await events(issued[0].messageId)).filter((e) => e.type === 'opened');
    expect(opens.map((e) => [e.machine, e.flag_reason])).toEqual([[0, null], [1, 'apple_mpp'], [0, null]]);
    const f = (await detail()).figures;
    expect([f.opened, f.totalOpens, f.machineOpens]).toEqual([1, 2, 1]);
  });

  it('rewrites a body with the recipient links, registering new destinations on the fly', async () => {
    const html = `<p><a href="${B}">B</a> <a href="https://shop.example/new">new</a> <a href="https://shop.example/unsubscribe">stop</a> <a href="mailto:x@y.z">m</a></p></body>`;
    const r = await api('POST', '/v1/rewrite', { messageId: issued[2].messageId, body: html, format: 'html', pixel: true });
    expect(r.status).toBe(200);
    const [lb, ln] = r.body.links;
    expect(lb).toEqual(issued[2].links[1]);
    expect(ln.url).toBe('https://shop.example/new');
    expect(r.body.body).toBe(
      `<p><a href="${lb.trackedUrl}">B</a> <a href="${ln.trackedUrl}">new</a> <a href="https://shop.example/unsubscribe">stop</a> <a href="mailto:x@y.z">m</a></p>` +
        `<img src="${issued[2].pixelUrl}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px"></body>`,
    );
    expect((await api('GET', `/v1/campaigns/${campaignId}/links`)).body.destinations.map((d: { url: string }) => d.url)).toEqual([A, B, 'https://shop.example/new']);
    const text = await api('POST', '/v1/rewrite', { messageId: issued[2].messageId, body: `Soldes ! ${A}.`, format: 'text' });
    expect(text.body.body).toBe(`Soldes ! ${issued[2].links[0].trackedUrl}.`);
  });

  it('appends only the click id when the account turns UTM off', async () => {
    const s = await api('PATCH', '/v1/tracking/settings', { utm: false, thresholds: { clickAfterDeliveryMs: 1000 } });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ utm: false, utmSource: 'mesure', clickIdParam: 'mesure_cid', thresholds: { clickAfterDeliveryMs: 1000, linkSweepMs: 2000 } });
    const r = await visit(path(issued[0].links[0].trackedUrl));
    expect(r.headers.location).toMatch(/^https:\/\/shop\.example\/a\?x=1&mesure_cid=[A-Za-z0-9_-]{16}$/);
    await api('PATCH', '/v1/tracking/settings', { utm: true });
    await m.deps.tracking.flush();
  });

  it('validates input and changes nothing on a bad request', async () => {
    const bad = await api('POST', `/v1/campaigns/${campaignId}/links`, { destinations: ['https://ok.example/', 'javascript:alert(1)', '/relative'] });
    expect(bad.status).toBe(422);
    expect(bad.body.details.map((d: { path: string }) => d.path)).toEqual(['/destinations/1/url', '/destinations/2/url']);
    expect((await api('GET', `/v1/campaigns/${campaignId}/links`)).body.destinations).toHaveLength(3);
    expect((await api('POST', `/v1/campaigns/${campaignId}/links`, { destinations: [] })).status).toBe(400);
    expect((await api('POST', '/v1/campaigns/cmp_nope/links', { destinations: [A] })).status).toBe(404);
    const issue = await api('POST', `/v1/campaigns/${campaignId}/links/issue`, { messageIds: [issued[0].messageId, 'msg_nope'] });
    expect(issue.status).toBe(422);
    expect(issue.body.details).toEqual([{ path: '/messageIds/1/messageId', message: `no message msg_nope in campaign ${campaignId}` }]);
    expect((await api('POST', `/v1/campaigns/${campaignId}/links/issue`, { messageIds: ['x'], all: true })).status).toBe(400);
    expect((await api('POST', '/v1/rewrite', { messageId: 'msg_nope', body: 'x', format: 'text' })).status).toBe(404);
    expect((await api('POST', '/v1/rewrite', { messageId: issued[0].messageId, body: 'x', format: 'rtf' })).status).toBe(400);
    expect((await api('PATCH', '/v1/tracking/settings', { clickIdParam: 'a b' })).status).toBe(400);
    expect((await m.app.inject({ method: 'POST', url: `/v1/campaigns/${campaignId}/links`, payload: { destinations: [A] } })).statusCode).toBe(401);
  });
});

describe('tracking answers after commit when asked to (durability mode)', () => {
  it('has the click stored by the time the redirect is answered', async () => {
    const m = await makeMesure('sqlite');
    try {
      const { Tracking } = await import('../src/services/tracking');
      const t = new Tracking(m.db, m.deps.writer, m.deps.ingestor, m.deps.accounts, { publicUrl: 'http://mesure.test', ackAfterCommit: true });
      const c = await m.deps.campaigns.create(m.accountId, { name: 'x', channel: 'sms' });
      const reg = await m.deps.ingestor.register(m.accountId, c.id, [{ recipient: { phone: '+33612345601' } }]);
      if (!reg.ok) throw new Error('register');
      await t.registerDestinations(m.accountId, c.id, ['https://shop.example/']);
      const iss = await t.issue(m.accountId, c.id, { all: true });
      if (!iss.ok) throw new Error('issue');
      const link = (await t.resolve(iss.value.messages[0].links[0].token))!;
      await t.visit(link, 'clicked', { method: 'GET', userAgent: CHROME });
      const n = await m.db.kysely.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'clicked').executeTakeFirst();
      expect(Number(n!.n)).toBe(1);
      expect(t.stats).toMatchObject({ written: 1, queued: 0, lost: 0 });
    } finally {
      await m.cleanup();
    }
  });
});
