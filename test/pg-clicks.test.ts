// Clicks stored first and folded later (issue #25, src/services/visitInbox.ts), through listening servers: a burst of
// clicks concurrent with event batches on the same campaign ends in exact figures (both engines); on PostgreSQL a click
// acknowledged but not yet folded survives a SIGKILL and is folded once after the restart, and two nodes folding the
// same inbox (plus what a killed node left) count every click once.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, callOk, createAccountWithCli, createCampaignWithMessages, pool, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { forEachEngine, PG_URL, type Engine } from './support';

const BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
const A = 'https://shop.example/a';
const B = 'https://shop.example/b';

interface Figures { audience: number; sent: number; delivered: number; opened: number; clicked: number; totalClicks: number; botClicks: number }
interface Page { figures: Figures; links: { url: string; totalClicks: number; uniqueClicks: number }[] }

/** A campaign of `n` e-mail messages, sent and delivered three hours ago, each with a link to A and one to B. */
async function campaignWithLinks(url: string, key: string, n: number, name: string): Promise<{ id: string; messageIds: string[]; pathOf: Map<string, string[]> }> {
  const { campaignId: id, messageIds } = await createCampaignWithMessages(url, key, n, { name, prefix: name });
  await callOk(url, 'POST', `/v1/campaigns/${id}/links`, key, { destinations: [A, B] });
  const pathOf = new Map<string, string[]>();
  for (let i = 0; i < n; i += 500) {
    const r = await callOk<{ messages: { messageId: string; links: { trackedUrl: string }[] }[] }>(url, 'POST', `/v1/campaigns/${id}/links/issue`, key, { messageIds: messageIds.slice(i, i + 500) });
    for (const m of r.messages) pathOf.set(m.messageId, m.links.map((l) => new URL(l.trackedUrl).pathname));
  }
  // Delivered long before the clicks: none is "too soon after delivery" (a scanner's sign).
  const at = (k: number) => new Date(Date.now() - 3 * 3600_000 + k).toISOString();
  for (let i = 0; i < n; i += 500) {
    const part = messageIds.slice(i, i + 500);
    await callOk(url, 'POST', '/v1/events', key, { events: part.flatMap((m, j) => [{ type: 'sent', at: at(i + j), messageId: m }, { type: 'delivered', at: at(i + j + 1), messageId: m }]) });
  }
  return { id, messageIds, pathOf };
}

/** Message i clicks its link to A when i is even, to B when odd: one human click each, never both links (a sweep). */
async function clickOnce(base: string | ((i: number) => string), pathOf: Map<string, string[]>, messageIds: string[], from: number, to: number): Promise<void> {
  await pool(to - from, 16, async (k) => {
    const i = from + k;
    const r = await fetch(`${typeof base === 'string' ? base : base(i)}${pathOf.get(messageIds[i])![i % 2]}`, { redirect: 'manual', headers: { 'user-agent': BROWSER } });
    expect(r.status).toBe(302);
    await r.arrayBuffer();
  });
}

async function until<T>(what: string, ms: number, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!done(v)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(v).slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  return v;
}

const linkCounts = (p: Page) => Object.fromEntries(p.links.map((l) => [l.url, [l.totalClicks, l.uniqueClicks]]));

forEachEngine('clicks stored first, folded once', (engine: Engine) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let key: string;
  let accountId: string;
  let db: pg.Client | undefined;
  const servers: ServerProcess[] = [];
  const sql = async (text: string, params: unknown[] = []) => (await db!.query(text, params)).rows as Record<string, unknown>[];
  const start = async (extra: Record<string, string> = {}) => {
    const s = await startServerProcess({ ...env, ...extra });
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    ({ env, drop } = databaseEnv(engine));
    ({ accountId, key } = await createAccountWithCli(env, 'Clicks shop'));
    if (engine === 'postgres') {
      db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${env.MESURE_PG_SCHEMA}` });
      await db.connect();
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.kill();
    await db?.end();
    await drop();
  });

  it('counts a burst of clicks exactly while event batches on the same campaign commit beside it', async () => {
    const server = await start();
    const N = 400;
    const c = await campaignWithLinks(server.url, key, N, 'burst');
    // The burst: every message clicks once while its opens arrive in 8 API batches of 50 (the same campaign's daily
    // counts and rollups), and a second campaign's 400 messages are sent and delivered in 8 batches of 100.
    const other = await createCampaignWithMessages(server.url, key, 400, { name: 'beside', prefix: 'beside' });
    const at = (k: number) => new Date(Date.now() - 2 * 3600_000 + k).toISOString();
    await Promise.all([
      clickOnce(server.url, c.pathOf, c.messageIds, 0, N),
      pool(8, 4, async (b) => {
        const opens = c.messageIds.slice(b * 50, b * 50 + 50).map((m, j) => ({ type: 'opened', at: at(b * 50 + j), messageId: m }));
        await callOk(server.url, 'POST', '/v1/events', key, { events: opens });
      }),
      pool(8, 4, async (b) => {
        const part = other.messageIds.slice(b * 50, b * 50 + 50);
        await callOk(server.url, 'POST', '/v1/events', key, { events: part.flatMap((m, j) => [{ type: 'sent', at: at(j), messageId: m }, { type: 'delivered', at: at(j + 1), messageId: m }]) });
      }),
    ]);
    const page = () => callOk<Page>(server.url, 'GET', `/v1/campaigns/${c.id}`, key);
    await until('every click folded', 30_000, page, (p) => p.figures.totalClicks >= N);
    // Folded once: a second look a moment later holds the same counts.
    await new Promise((r) => setTimeout(r, 1500));
    const p = await page();
    // 400 messages, each sent, delivered, opened once (API) and clicked once by a browser: 400 unique and total clicks,
    // no bot. Even messages clicked A, odd ones B: 200 clicks on each, each by a different message (unique = total).
    expect(p.figures).toMatchObject({ audience: 400, sent: 400, delivered: 400, opened: 400, clicked: 400, totalClicks: 400, botClicks: 0 });
    expect(linkCounts(p)).toEqual({ [A]: [200, 200], [B]: [200, 200] });
    // The second campaign: 400 sent (8 × 50 messages, one sent each) and 400 delivered, no click.
    expect((await callOk<Page>(server.url, 'GET', `/v1/campaigns/${other.campaignId}`, key)).figures).toMatchObject({ audience: 400, sent: 400, delivered: 400, totalClicks: 0 });
    expect(server.stderr()).not.toMatch(/NOT stored/);
    const late = Math.max(0, ...[...server.stderr().matchAll(/total late (\d+)\)/g)].map((m) => Number(m[1])));
    console.log(`[pg-clicks ${engine}] burst of ${N} clicks beside 16 event batches: ${late} written more than 1 s after the redirect`);
    if (engine === 'postgres') expect(Number((await sql('SELECT count(*) AS n FROM ingest_inbox'))[0].n)).toBe(0);
    await server.stop();
  }, 240_000);

  if (engine === 'postgres') {
    it('keeps clicks stored but not folded across a SIGKILL, and folds each once after the restart', async () => {
      // A node that stores clicks and folds none (MESURE_FOLD_VISITS=0): its clicks wait in the inbox, acknowledged.
      const keeper = await start({ MESURE_FOLD_VISITS: '0' });
      const N = 120;
      const c = await campaignWithLinks(keeper.url, key, N, 'crash');
      await clickOnce(keeper.url, c.pathOf, c.messageIds, 0, N);
      // Every answered click is a row in the database within a second or so (the redirect's batch lingers 10 ms).
      await until('120 clicks in the inbox', 10_000, async () => Number((await sql('SELECT count(*) AS n FROM ingest_inbox WHERE account_id = $1', [accountId]))[0].n), (n) => n === N);
      expect((await callOk<Page>(keeper.url, 'GET', `/v1/campaigns/${c.id}`, key)).figures.totalClicks).toBe(0);
      await keeper.kill();

      const server = await start();
      const page = () => callOk<Page>(server.url, 'GET', `/v1/campaigns/${c.id}`, key);
      await until('the kept clicks folded', 30_000, page, (p) => p.figures.totalClicks >= N);
      await new Promise((r) => setTimeout(r, 1500));
      const p = await page();
      // 120 messages, one browser click each: 60 on A (even), 60 on B (odd), 120 unique, no bot.
      expect(p.figures).toMatchObject({ audience: 120, delivered: 120, clicked: 120, totalClicks: 120, botClicks: 0 });
      expect(linkCounts(p)).toEqual({ [A]: [60, 60], [B]: [60, 60] });
      // In the event log once each, and the inbox empty.
      const [row] = await sql("SELECT count(*) AS n, count(DISTINCT dedupe_key) AS d FROM events WHERE account_id = $1 AND campaign_id = $2 AND type = 'clicked'", [accountId, c.id]);
      expect([Number(row.n), Number(row.d)]).toEqual([120, 120]);
      expect(Number((await sql('SELECT count(*) AS n FROM ingest_inbox'))[0].n)).toBe(0);
      await server.stop();
    }, 240_000);

    it('folds once with two nodes folding the same inbox, with what a killed node left', async () => {
      const keeper = await start({ MESURE_FOLD_VISITS: '0' });
      const N = 1200;
      const c = await campaignWithLinks(keeper.url, key, N, 'nodes');
      // The first 600 clicks are stored by a node that folds nothing, which is then killed.
      await clickOnce(keeper.url, c.pathOf, c.messageIds, 0, 600);
      await until('600 clicks in the inbox', 10_000, async () => Number((await sql('SELECT count(*) AS n FROM ingest_inbox WHERE account_id = $1', [accountId]))[0].n), (n) => n === 600);
      await keeper.kill();
      // Two nodes start together (both fold the 600 left, slices of 500 claimed with SKIP LOCKED) while the other 600
      // clicks arrive on both, alternately.
      const [n1, n2] = await Promise.all([start({ MESURE_NODE_ID: 'f1' }), start({ MESURE_NODE_ID: 'f2' })]);
      await clickOnce((i) => (i % 4 < 2 ? n1.url : n2.url), c.pathOf, c.messageIds, 600, N);
      const page = () => callOk<Page>(n2.url, 'GET', `/v1/campaigns/${c.id}`, key);
      await until('every click folded', 60_000, page, (p) => p.figures.totalClicks >= N);
      await new Promise((r) => setTimeout(r, 1500));
      const p = await page();
      // 1,200 messages, one browser click each: 600 on A (even), 600 on B (odd), 1,200 unique, no bot; counted once.
      expect(p.figures).toMatchObject({ audience: 1200, delivered: 1200, clicked: 1200, totalClicks: 1200, botClicks: 0 });
      expect(linkCounts(p)).toEqual({ [A]: [600, 600], [B]: [600, 600] });
      const [row] = await sql("SELECT count(*) AS n, count(DISTINCT dedupe_key) AS d FROM events WHERE account_id = $1 AND campaign_id = $2 AND type = 'clicked'", [accountId, c.id]);
      expect([Number(row.n), Number(row.d)]).toEqual([1200, 1200]);
      expect(Number((await sql('SELECT count(*) AS n FROM ingest_inbox'))[0].n)).toBe(0);
      // The other node reads the same figures.
      expect((await callOk<Page>(n1.url, 'GET', `/v1/campaigns/${c.id}`, key)).figures).toMatchObject({ clicked: 1200, totalClicks: 1200 });
      const ready = await call(n1.url, 'GET', '/readyz', '');
      expect((ready.body as { checks: { inbox: { ok: boolean; oldestAgeMs: number } } }).checks.inbox).toEqual({ ok: true, oldestAgeMs: 0 });
      await Promise.all([n1.stop(), n2.stop()]);
    }, 300_000);
  }
});
