// The crash loop: the real server (`mesure serve`) is killed with SIGKILL three times in the middle of mixed ingestion
// (API batches, single API events, signed WhatsApp webhooks sent with Content-Length, clicks on tracked links) and
// restarted on the same database each time, each kill landing right after an answer (a batch, a webhook, a single
// event in turn). After every restart each item it acknowledged is found, on its message:
// API events by their provider event ids, webhook statuses by the provider's. A click is answered before it is written
// (docs/TRACKING.md): every click written before the kill (applied, or in the SQLite inbox) is counted on its message
// after it; those still in memory may be lost. Nothing is left waiting in the inbox or set aside. Both engines.
import { createHmac, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import { call, callOk, createAccountWithCli, createCampaignWithMessages, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

const CYCLES = 3;
const EMAIL_MESSAGES = 300;
const WHATSAPP_MESSAGES = 1_500;
const BATCH = 40;
const WA_SECRET = 'crashloop-app-secret';
/** How long the load runs before each kill (ms), at random between the two. */
const LOAD_MS = [900, 1_800] as const;

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

/** One answer over a socket of `agent`: status and Location. Rejects when the server is gone. */
function send(agent: Agent, base: string, method: string, path: string, body?: Buffer, headers: Record<string, string | number> = {}): Promise<{ status: number; location?: string }> {
  const url = new URL(path, base);
  return new Promise((ok, ko) => {
    const req = request({ agent, method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: body ? { ...headers, 'content-length': body.length } : headers }, (res) => {
      res.resume();
      res.on('error', ko);
      res.on('end', () => ok({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', ko);
    req.end(body);
  });
}

forEachEngine('crash loop: repeated SIGKILL during mixed ingestion', (engine) => {
  it('finds every acknowledged event, webhook and click on its message after each of three restarts', async () => {
    const tmp = tempDir('mesure-crashloop-');
    const schema = `crash_${randomBytes(5).toString('hex')}`;
    const file = join(tmp.dir, 'mesure.db');
    const env: Record<string, string> = engine === 'sqlite' ? { DATABASE_URL: `file:${file}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    let server: ServerProcess | undefined;
    let pgClient: pg.Client | undefined;
    let sqlite: Database.Database | undefined;
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    try {
      // 1. An account; an email campaign with tracked links; a WhatsApp campaign whose messages carry wamids.
      const { accountId, key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Crash loop shop');
      server = await startServerProcess(env);
      const email = await createCampaignWithMessages(server.url, key, EMAIL_MESSAGES, { name: 'Crash loop mail' });
      await callOk(server.url, 'POST', `/v1/campaigns/${email.campaignId}/links`, key, { destinations: ['https://shop.example/sale'] });
      const issued = await callOk<{ messages: { messageId: string; links: { trackedUrl: string }[] }[] }>(server.url, 'POST', `/v1/campaigns/${email.campaignId}/links/issue`, key, { all: true, limit: 1000 });
      const links = issued.messages.map((m) => ({ messageId: m.messageId, path: new URL(m.links[0].trackedUrl).pathname }));
      expect(links).toHaveLength(EMAIL_MESSAGES);
      const wa = await callOk<{ id: string }>(server.url, 'POST', '/v1/campaigns', key, { name: 'Crash loop WhatsApp', channel: 'whatsapp' });
      const wamids = Array.from({ length: WHATSAPP_MESSAGES }, (_, i) => `wamid.CRASHLOOP${String(i).padStart(8, '0')}`);
      const registered = await callOk<{ messages: { index: number; messageId: string }[] }>(server.url, 'POST', `/v1/campaigns/${wa.id}/messages`, key, {
        messages: wamids.map((providerMessageId, i) => ({ recipient: { phone: `+336${String(10_000_000 + i)}` }, provider: 'whatsapp', providerMessageId })),
      });
      const waMessage = new Map(registered.messages.map((m) => [wamids[m.index], m.messageId]));
      expect((await call(server.url, 'PUT', '/v1/providers/whatsapp/secret', key, { secret: `${WA_SECRET}:verify-token` })).status).toBe(204);

      // What the server acknowledged, by the key its event is stored under → the message it belongs to.
      const acked = new Map<string, string>();
      const ackedKind = { batch: 0, single: 0, webhook: 0, click: 0 };
      /** Clicks answered, by click id, with when the answer came. */
      const clicks: { key: string; messageId: string; at: number }[] = [];
      /** Per message, the timestamp fields an acknowledged event must have set. */
      const mustSet = new Map<string, Set<string>>();
      const expectSet = (messageId: string, field: string) => {
        const s = mustSet.get(messageId) ?? new Set<string>();
        s.add(field);
        mustSet.set(messageId, s);
      };
      let serial = 0;
      let webhookNext = 0;
      const at = Date.now() - 3_600_000;

      const readBack = async (): Promise<Query> => {
        if (engine === 'sqlite') {
          sqlite ??= new Database(file, { readonly: true });
          return async (sql, params = []) => sqlite!.prepare(sql).all(...params) as Row[];
        }
        if (!pgClient) {
          pgClient = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
          await pgClient.connect();
        }
        return async (sql, params = []) => (await pgClient!.query(sql.replace(/\?/g, ((i) => () => `$${++i}`)(0)), params)).rows;
      };

      const query = await readBack();
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        // 2. Mixed load from four clients until the kill.
        let stop = false;
        let armed: 'batch' | 'single' | 'webhook' | null = null;
        let fire = () => {};
        const url = server.url;
        const batches = (async () => {
          while (!stop) {
            const events = Array.from({ length: BATCH }, (_, j) => {
              const n = serial++;
              const type = n % 2 === 0 ? 'delivered' : 'opened';
              return { type, providerEventId: `b${n}`, messageId: email.messageIds[(n * 7 + j) % EMAIL_MESSAGES], at: new Date(at + n).toISOString() };
            });
            let r: { status: number; location?: string };
            try {
              r = await send(agent, url, 'POST', '/v1/events', Buffer.from(JSON.stringify({ events })), { authorization: `Bearer ${key}`, 'content-type': 'application/json' });
            } catch (err) {
              if (!stop) throw err; // a request in flight at the kill: neither acknowledged nor refused
              return;
            }
            expect(r.status).toBe(200);
            for (const e of events) {
              acked.set(`pe:api:${e.providerEventId}`, e.messageId);
              expectSet(e.messageId, e.type === 'delivered' ? 'delivered_at' : 'opened_at');
            }
            ackedKind.batch++;
            if (armed === 'batch') fire();
          }
        })();
        const singles = (async () => {
          while (!stop) {
            const n = serial++;
            const e = { type: 'delivered', providerEventId: `s${n}`, messageId: email.messageIds[n % EMAIL_MESSAGES], at: new Date(at + n).toISOString() };
            let r: { status: number; location?: string };
            try {
              r = await send(agent, url, 'POST', '/v1/events/single', Buffer.from(JSON.stringify(e)), { authorization: `Bearer ${key}`, 'content-type': 'application/json' });
            } catch (err) {
              if (!stop) throw err; // a request in flight at the kill: neither acknowledged nor refused
              return;
            }
            expect(r.status).toBe(200);
            acked.set(`pe:api:${e.providerEventId}`, e.messageId);
            expectSet(e.messageId, 'delivered_at');
            ackedKind.single++;
            if (armed === 'single') fire();
          }
        })();
        const webhooks = (async () => {
          while (!stop && webhookNext < WHATSAPP_MESSAGES * 2) {
            // Each wamid is delivered, then read: every delivery is new to the server (its id is wamid:status).
            const i = webhookNext++;
            const wamid = wamids[i >> 1];
            const status = i % 2 === 0 ? 'delivered' : 'read';
            const body = Buffer.from(JSON.stringify({
              object: 'whatsapp_business_account',
              entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '1' }, statuses: [{ id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000) - 120), recipient_id: '33610000000' }] } }] }],
            }));
            const signature = `sha256=${createHmac('sha256', WA_SECRET).update(body).digest('hex')}`;
            let r: { status: number; location?: string };
            try {
              r = await send(agent, url, 'POST', `/webhooks/whatsapp/${accountId}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': signature });
            } catch (err) {
              if (!stop) throw err; // a request in flight at the kill: neither acknowledged nor refused
              return;
            }
            expect(r.status).toBe(200);
            acked.set(`pe:whatsapp:${wamid}:${status}`, waMessage.get(wamid)!);
            expectSet(waMessage.get(wamid)!, status === 'delivered' ? 'delivered_at' : 'opened_at');
            ackedKind.webhook++;
            if (armed === 'webhook') fire();
          }
        })();
        const clicking = (async () => {
          let n = cycle * 7919;
          while (!stop) {
            const link = links[n++ % links.length];
            let r: { status: number; location?: string };
            try {
              r = await send(agent, url, 'GET', link.path, undefined, { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15' });
            } catch (err) {
              if (!stop) throw err; // a request in flight at the kill: neither acknowledged nor refused
              return;
            }
            expect(r.status).toBe(302);
            const clickId = new URL(r.location!).searchParams.get('mesure_cid');
            expect(clickId).toBeTruthy();
            clicks.push({ key: `pe:tracking:${clickId}`, messageId: link.messageId, at: Date.now() });
            ackedKind.click++;
          }
        })();
        await new Promise((ok) => setTimeout(ok, LOAD_MS[0] + Math.floor(Math.random() * (LOAD_MS[1] - LOAD_MS[0]))));
        // The clicks the server has written by now (applied, or on SQLite still in its inbox): these must be counted
        // after the crash. The others were answered and are still in memory, the window docs/TRACKING.md describes.
        const before = await query('SELECT dedupe_key AS k FROM events WHERE account_id = ? AND type = ?', [accountId, 'clicked']);
        const written = new Set(before.map((r) => r.k as string));
        if (engine === 'sqlite') {
          for (const r of await query("SELECT payload FROM ingest_inbox WHERE kind = 'visit'")) written.add(`pe:tracking:${(JSON.parse(r.payload as string) as { id: string }).id}`);
        }
        // Kill right after an answer of one kind (each cycle another): were anything answered before its COMMIT, this
        // is when it would be lost. (If none comes within 5 s, kill anyway.)
        armed = (['batch', 'webhook', 'single'] as const)[cycle % 3];
        await Promise.race([new Promise<void>((ok) => (fire = ok)), new Promise((ok) => setTimeout(ok, 5_000))]);
        stop = true;
        await server.kill();
        armed = null;
        await Promise.all([batches, singles, webhooks, clicking]);

        // 3. Restart on the same database. The first read waits for what the killed process left in its inbox.
        server = await startServerProcess(env);
        await callOk(server.url, 'GET', `/v1/campaigns/${email.campaignId}`, key);
        if (engine === 'postgres') {
          // PostgreSQL stores clicks first and folds them beside reads (docs/TRACKING.md): the clicks the killed process
          // stored but had not folded are folded by the new one, moments after its start. The checks below read the
          // event log and the messages in separate queries, so they wait until nothing is left to fold (the load has
          // stopped: nothing new arrives).
          for (const until = Date.now() + 60_000; Number((await query('SELECT count(*) AS n FROM ingest_inbox'))[0].n) > 0;) {
            if (Date.now() > until) throw new Error(`cycle ${cycle + 1}: clicks still waiting to be folded a minute after the restart`);
            await new Promise((ok) => setTimeout(ok, 200));
          }
        }
        const stored = new Map((await query('SELECT dedupe_key, message_id FROM events WHERE account_id = ?', [accountId])).map((r) => [r.dedupe_key as string, r.message_id as string]));
        const lost = [...acked].filter(([k, messageId]) => stored.get(k) !== messageId).map(([k]) => k);
        expect(lost.slice(0, 10), `cycle ${cycle + 1}: ${lost.length} acknowledged event(s) of ${acked.size} not found on their message`).toEqual([]);
        const mustCount = clicks.filter((c) => written.has(c.key));
        const lostClicks = mustCount.filter((c) => stored.get(c.key) !== c.messageId).map((c) => c.key);
        expect(lostClicks.slice(0, 10), `cycle ${cycle + 1}: ${lostClicks.length} click(s) of ${mustCount.length} written before the kill not found`).toEqual([]);

        // Applied to their messages, not only logged: each acknowledged event set its timestamp.
        const messages = new Map((await query('SELECT id, delivered_at, opened_at, clicks, bot_clicks FROM messages WHERE account_id = ?', [accountId])).map((r) => [r.id as string, r]));
        const unapplied = [...mustSet].flatMap(([id, fields]) => [...fields].filter((f) => messages.get(id)?.[f] == null).map((f) => `${id}.${f}`));
        expect(unapplied.slice(0, 10), `cycle ${cycle + 1}: ${unapplied.length} acknowledged event(s) stored but not applied to their message`).toEqual([]);
        // Clicks counted on their messages: each message's clicks (human and machine) equal its stored click events.
        const clickEvents = new Map<string, number>();
        for (const r of await query("SELECT message_id FROM events WHERE account_id = ? AND type = 'clicked'", [accountId])) {
          clickEvents.set(r.message_id as string, (clickEvents.get(r.message_id as string) ?? 0) + 1);
        }
        const miscounted = links
          .map((l) => ({ id: l.messageId, stored: clickEvents.get(l.messageId) ?? 0, counted: Number(messages.get(l.messageId)?.clicks ?? 0) + Number(messages.get(l.messageId)?.bot_clicks ?? 0) }))
          .filter((m) => m.stored !== m.counted);
        expect(miscounted.slice(0, 5), `cycle ${cycle + 1}: ${miscounted.length} message(s) whose click count differs from their stored clicks`).toEqual([]);

        if (engine === 'sqlite') {
          // Everything is accounted for: nothing waits in the inbox, nothing was set aside.
          expect(Number((await query('SELECT count(*) AS n FROM ingest_inbox'))[0].n)).toBe(0);
        }
        expect(await callOk(server.url, 'GET', '/v1/ingestion/dead-letters', key)).toMatchObject({ items: [], total: 0 });
      }
      // Every kind of item was acknowledged along the way, or the test proved nothing about it.
      expect(ackedKind.batch).toBeGreaterThan(0);
      expect(ackedKind.single).toBeGreaterThan(0);
      expect(ackedKind.webhook).toBeGreaterThan(0);
      expect(ackedKind.click).toBeGreaterThan(0);
    } finally {
      agent.destroy();
      sqlite?.close();
      await pgClient?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await pgClient?.end().catch(() => {});
      await server?.stop();
      tmp.remove();
    }
  }, 120_000);
});
