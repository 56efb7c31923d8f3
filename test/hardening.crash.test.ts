// No request can end the server: a tracked link whose stored destination holds a raw line break or a character Node
// refuses in a header (written straight into the database, as a bad import or an old version could have left it)
// is answered without crashing `mesure serve`, the server keeps answering, and the clicks it acknowledged before
// are stored after a restart. SQLite and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import { callOk, createAccountWithCli, startServerProcess, tempDir, type ServerProcess } from '../bench/support';


type Row = Record<string, unknown>;

forEachEngine('hardening: a hostile stored destination cannot end the server', (engine) => {
  it('answers the bad links, keeps serving, and keeps the clicks acknowledged before', async () => {
    const tmp = tempDir('mesure-hardening-crash-');
    const schema = `hc_${randomBytes(5).toString('hex')}`;
    const dbFile = join(tmp.dir, 'mesure.db');
    const env: Record<string, string> = engine === 'sqlite' ? { DATABASE_URL: `file:${dbFile}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    let server: ServerProcess | undefined;
    let pgClient: pg.Client | undefined;
    // Plain SQL beside the server: what an operator's tool, a bad import or an older version could leave.
    const sql = async (text: string, params: unknown[] = []): Promise<Row[]> => {
      if (engine === 'sqlite') {
        const db = new Database(dbFile);
        try {
          const st = db.prepare(text.replace(/\$\d+/g, '?'));
          return st.reader ? (st.all(...params) as Row[]) : (st.run(...params), []);
        } finally {
          db.close();
        }
      }
      pgClient ??= await (async () => {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`SET search_path TO ${schema}`);
        return c;
      })();
      return (await pgClient.query(text, params)).rows as Row[];
    };
    try {
      const { accountId, key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Crash shop');
      server = await startServerProcess({ ...env, MESURE_PUBLIC_URL: 'http://mesure.test' });
      const api = <T = any>(method: string, path: string, body?: unknown) => callOk<T>(server!.url, method, path, key, body);
      const campaign = await api<{ id: string }>('POST', '/v1/campaigns', { name: 'Soldes', channel: 'sms' });
      await api('POST', `/v1/campaigns/${campaign.id}/messages`, {
        messages: [{ recipient: { phone: '+33612345601' } }, { recipient: { phone: '+33612345602' } }, { recipient: { phone: '+33612345603' } }],
      });
      await api('POST', `/v1/campaigns/${campaign.id}/links`, { destinations: ['https://shop.example/soldes'] });
      const issued = await api<{ messages: { messageId: string; links: { trackedUrl: string }[] }[] }>('POST', `/v1/campaigns/${campaign.id}/links/issue`, { all: true });
      const [good, lineBreak, wide] = issued.messages.map((m) => new URL(m.links[0].trackedUrl).pathname);
      const goodMessageId = issued.messages[0].messageId;
      const click = (path: string) => fetch(`${server!.url}${path}`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/124.0 Mobile Safari/537.36' } });

      // The bad destinations are written while the server is stopped, so that it reads them (it keeps links in memory).
      await server.stop();
      const tokenOf = (path: string) => path.split('/')[2];
      await sql('UPDATE tracked_links SET url = $1 WHERE account_id = $2 AND token = $3', ['https://shop.example/a\r\nSet-Cookie: pwned=1', accountId, tokenOf(lineBreak)]);
      await sql('UPDATE tracked_links SET url = $1 WHERE account_id = $2 AND token = $3', ['https://shop.example/\u0100', accountId, tokenOf(wide)]);
      server = await startServerProcess({ ...env, MESURE_PUBLIC_URL: 'http://mesure.test' });

      // Clicks acknowledged before anything goes wrong: redirected, so kept from here on.
      for (let i = 0; i < 3; i++) expect((await click(good)).status).toBe(302);

      for (const path of [lineBreak, wide, lineBreak]) {
        const r = await click(path);
        // An error page, or a redirect whose Location is plain ASCII: never a header carrying the injected line.
        if (r.status === 302) expect(r.headers.get('location')).toMatch(/^[\x21-\x7e]+$/);
        else expect([404, 500]).toContain(r.status);
        expect(r.headers.get('set-cookie')).toBeNull();
      }
      // Still serving: the health check, the API and the good link.
      expect(server.child.exitCode).toBeNull();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await click(good)).status).toBe(302);
      await api('GET', `/v1/campaigns/${campaign.id}`);

      // A restart: the four clicks on the good link are stored (whatever the bad links recorded is another matter).
      await server.stop();
      server = await startServerProcess({ ...env, MESURE_PUBLIC_URL: 'http://mesure.test' });
      const deadline = Date.now() + 10_000;
      let clicks: Row[] = [];
      while (Date.now() < deadline) {
        clicks = await sql("SELECT url FROM events WHERE account_id = $1 AND message_id = $2 AND type = 'clicked'", [accountId, goodMessageId]);
        if (clicks.length >= 4) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(clicks.map((c) => c.url)).toEqual(Array(4).fill('https://shop.example/soldes'));
    } finally {
      await server?.stop();
      if (pgClient) {
        await pgClient.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await pgClient.end();
      }
      tmp.remove();
    }
  }, 240_000);
});
