// Hostile destinations against the real server (`mesure serve`, a child process), on SQLite and PostgreSQL: a
// destination with characters above U+00FF or CR/LF used to be stored as given, and the first click on it threw
// ERR_INVALID_CHAR while writing Location, ending the process (and the clicks queued in memory) again after every
// restart. Destinations are now stored percent-encoded, control characters are refused with a 422 naming the link,
// rows stored before are rewritten by a migration, and no stored value can make a click crash the server.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL, rerunMigration } from './support';
import * as canonicalDestinations from '../src/store/migrations/2026_12_07_030_canonical_destinations';
import { call, callOk, createAccountWithCli, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
// é = UTF-8 C3 A9, € = E2 82 AC: the destination as a browser would send it.
const SOLDES = 'https://shop.example/soldes-été-€50';
const SOLDES_CANONICAL = 'https://shop.example/soldes-%C3%A9t%C3%A9-%E2%82%AC50';

type Row = Record<string, unknown>;
type Exec = (sql: string, params?: unknown[]) => Promise<Row[]>;

interface Visit {
  status: number;
  location?: string;
  body: string;
}

/** A GET of a tracking URL as a browser sends it, redirects not followed; rejects if the server hangs up. */
function visit(base: string, path: string): Promise<Visit> {
  const url = new URL(path, base);
  return new Promise((ok, ko) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { 'user-agent': CHROME } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, location: res.headers.location, body }));
      res.on('error', ko);
    });
    req.on('error', ko);
    req.end();
  });
}

/** Polls until `check` holds (the click queue writes in the background) or 10 s pass. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

forEachEngine('hostile destinations through a listening server', (engine) => {
  it('stores destinations percent-encoded, refuses CR/LF naming the link, and no click can end the process', async () => {
    const tmp = tempDir('mesure-destinations-');
    const schema = `dst_${randomBytes(5).toString('hex')}`;
    const env: Record<string, string> =
      engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    let server: ServerProcess | undefined;
    let sqlite: Database.Database | undefined;
    let pgClient: pg.Client | undefined;
    try {
      const { accountId, key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Destinations shop');
      let exec: Exec;
      if (engine === 'sqlite') {
        sqlite = new Database(join(tmp.dir, 'mesure.db'));
        sqlite.pragma('busy_timeout = 5000');
        exec = async (q, params = []) => (/^\s*select/i.test(q) ? (sqlite!.prepare(q).all(...params) as Row[]) : (sqlite!.prepare(q).run(...params), []));
      } else {
        pgClient = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await pgClient.connect();
        exec = async (q, params = []) => (await pgClient!.query(q.replace(/\?/g, ((i) => () => `$${++i}`)(0)), params)).rows;
      }
      server = await startServerProcess(env);
      let base = server.url;

      const campaign = await callOk<{ id: string; slug: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Soldes été', channel: 'email' });
      expect(campaign.slug).toBe('soldes-ete');
      const registered = await callOk<{ messages: { messageId: string }[] }>(base, 'POST', `/v1/campaigns/${campaign.id}/messages`, key, {
        messages: [{ recipient: { email: 'ana@example.org' } }],
      });
      const messageId = registered.messages[0].messageId;

      // 1. A destination with é and €: stored and shown in its canonical, percent-encoded form.
      const linked = await callOk<{ destinations: { position: number; url: string }[] }>(base, 'POST', `/v1/campaigns/${campaign.id}/links`, key, { destinations: [SOLDES] });
      expect(linked.destinations).toEqual([{ position: 0, url: SOLDES_CANONICAL }]);
      // The same address written the other way is the same destination, not a second one.
      const again = await callOk<{ destinations: unknown[] }>(base, 'POST', `/v1/campaigns/${campaign.id}/links`, key, { destinations: [SOLDES_CANONICAL] });
      expect(again.destinations).toEqual([{ position: 0, url: SOLDES_CANONICAL }]);
      const shown = await callOk<{ destinations: unknown[] }>(base, 'GET', `/v1/campaigns/${campaign.id}/links`, key);
      expect(shown.destinations).toEqual([{ position: 0, url: SOLDES_CANONICAL }]);

      // 2. Its click: 302 to exactly that URL plus the UTM parameters and this click's id; the server stays up.
      const issued = await callOk<{ messages: { links: { url: string; trackedUrl: string }[] }[] }>(base, 'POST', `/v1/campaigns/${campaign.id}/links/issue`, key, { messageIds: [messageId] });
      expect(issued.messages[0].links.map((l) => l.url)).toEqual([SOLDES_CANONICAL]);
      const clickPath = new URL(issued.messages[0].links[0].trackedUrl).pathname;
      const click = await visit(base, clickPath);
      expect(click.status).toBe(302);
      const expectedHead = `${SOLDES_CANONICAL}?utm_source=mesure&utm_medium=email&utm_campaign=soldes-ete&mesure_cid=`;
      expect(click.location!.slice(0, expectedHead.length)).toBe(expectedHead);
      expect(click.location!.slice(expectedHead.length)).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect((await call(base, 'GET', '/healthz', key)).status).toBe(200);

      // 3. /v1/rewrite: an href with &#8364; is canonicalised; one with &#13;&#10; refuses the whole body, naming it.
      const hostile = '<p><a href="https://shop.example/prix-&#8364;50">Prix</a> <a href="https://shop.example/x&#13;&#10;Set-Cookie: a=b">Piège</a></p>';
      const refused = await call(base, 'POST', '/v1/rewrite', key, { messageId, format: 'html', body: hostile });
      expect(refused.status).toBe(422);
      const refusal = refused.body as { message: string; details: { path: string; message: string }[] };
      expect(refusal.message).toContain('link 2 "https://shop.example/x\\r\\nSet-Cookie: a=b" contains a control character (U+000D');
      expect(refusal.message).toContain('nothing was rewritten or registered');
      expect(refusal.details).toEqual([{ path: '/links/1/url', message: expect.stringContaining('link 2') }]);
      // Nothing half-applied: the € link of the refused body was not registered.
      expect((await callOk<{ destinations: unknown[] }>(base, 'GET', `/v1/campaigns/${campaign.id}/links`, key)).destinations).toHaveLength(1);
      const rewritten = await callOk<{ body: string; links: { url: string; trackedUrl: string }[] }>(base, 'POST', '/v1/rewrite', key, {
        messageId, format: 'html', body: '<p><a href="https://shop.example/prix-&#8364;50">Prix</a></p>',
      });
      expect(rewritten.links.map((l) => l.url)).toEqual(['https://shop.example/prix-%E2%82%AC50']);
      expect(rewritten.body).toBe(`<p><a href="${rewritten.links[0].trackedUrl}">Prix</a></p>`);
      const euroClick = await visit(base, new URL(rewritten.links[0].trackedUrl).pathname);
      expect(euroClick.status).toBe(302);
      expect(euroClick.location!.startsWith('https://shop.example/prix-%E2%82%AC50?utm_source=mesure&utm_medium=email&utm_campaign=soldes-ete&mesure_cid=')).toBe(true);

      // 4. A direct API link with CR/LF: 422 naming it, and its valid neighbour is not registered either.
      const direct = await call(base, 'POST', `/v1/campaigns/${campaign.id}/links`, key, { destinations: ['https://shop.example/ok', 'https://shop.example/a\r\nb'] });
      expect(direct.status).toBe(422);
      const directError = direct.body as { message: string; details: { path: string; message: string }[] };
      expect(directError.message).toBe(
        '1 destination(s) refused; nothing was registered: link 2 "https://shop.example/a\\r\\nb" contains a control character (U+000D at position 22): remove line breaks, tabs and other invisible characters from the URL.',
      );
      expect(directError.details.map((d) => d.path)).toEqual(['/destinations/1/url']);
      const after = await callOk<{ destinations: { url: string }[] }>(base, 'GET', `/v1/campaigns/${campaign.id}/links`, key);
      expect(after.destinations.map((d) => d.url)).toEqual([SOLDES_CANONICAL, 'https://shop.example/prix-%E2%82%AC50']);

      // 5. The server still answers, and the two clicks are counted.
      expect((await call(base, 'GET', '/healthz', key)).status).toBe(200);
      const clicks = async () => Number((await exec("SELECT COUNT(*) AS n FROM events WHERE account_id = ? AND message_id = ? AND type = 'clicked'", [accountId, messageId]))[0].n);
      await eventually(async () => (await clicks()) === 2);
      expect(await clicks()).toBe(2);

      // 6. Rows stored before canonical destinations (or written by hand): stop, put hostile text in the tables as the
      //    old code stored it, start again. The click on the CR/LF one answers an error page; the server stays up.
      await server.stop();
      server = undefined;
      await exec('UPDATE campaign_destinations SET url = ? WHERE account_id = ? AND campaign_id = ? AND position = 1', ['https://shop.example/a\r\nb', accountId, campaign.id]);
      await exec("UPDATE tracked_links SET url = ? WHERE account_id = ? AND campaign_id = ? AND kind = 'link' AND position = 1", ['https://shop.example/a\r\nb', accountId, campaign.id]);
      await exec('UPDATE campaign_destinations SET url = ? WHERE account_id = ? AND campaign_id = ? AND position = 0', [SOLDES, accountId, campaign.id]);
      await exec("UPDATE tracked_links SET url = ? WHERE account_id = ? AND campaign_id = ? AND kind = 'link' AND position = 0", [SOLDES, accountId, campaign.id]);
      await exec("UPDATE events SET url = ? WHERE account_id = ? AND type = 'clicked' AND url = ?", [SOLDES, accountId, SOLDES_CANONICAL]);
      server = await startServerProcess(env);
      base = server.url;
      expect(await clicks()).toBe(2); // the restart found the clicks
      const broken = await visit(base, new URL(rewritten.links[0].trackedUrl).pathname);
      expect(broken.status).toBe(404);
      expect(broken.body).toContain('Link cannot be opened');
      expect(broken.location).toBeUndefined();
      // A stored value that is not canonical is re-encoded when its click is answered (and the click records it so).
      const reencoded = await visit(base, clickPath);
      expect(reencoded.status).toBe(302);
      expect(reencoded.location!.startsWith(expectedHead)).toBe(true);
      await eventually(async () => (await clicks()) === 3);
      expect(await clicks()).toBe(3);
      expect((await call(base, 'GET', '/healthz', key)).status).toBe(200);

      // 7. The migration rewrites such rows: canonical where it can, neutralised where it cannot.
      await server.stop();
      server = undefined;
      await rerunMigration(engine === 'sqlite' ? { sqliteFile: join(tmp.dir, 'mesure.db') } : { pgSchema: schema }, canonicalDestinations);
      server = await startServerProcess(env);
      base = server.url;
      const migrated = await exec('SELECT position, url FROM campaign_destinations WHERE account_id = ? AND campaign_id = ? ORDER BY position', [accountId, campaign.id]);
      expect(migrated.map((r) => [Number(r.position), r.url])).toEqual([[0, SOLDES_CANONICAL], [1, 'mesure-invalid:https://shop.example/a%0D%0Ab']]);
      const links = await exec("SELECT position, url FROM tracked_links WHERE account_id = ? AND campaign_id = ? AND kind = 'link' ORDER BY position", [accountId, campaign.id]);
      expect(links.map((r) => [Number(r.position), r.url])).toEqual([[0, SOLDES_CANONICAL], [1, 'mesure-invalid:https://shop.example/a%0D%0Ab']]);
      expect((await visit(base, new URL(rewritten.links[0].trackedUrl).pathname)).status).toBe(404);
      expect((await visit(base, clickPath)).status).toBe(302);
      await eventually(async () => (await clicks()) === 4);
      expect(await clicks()).toBe(4);
      // Every click on the € destination names it in one form, so "clicks per link" shows one line for it.
      const perUrl = await exec("SELECT url, COUNT(*) AS n FROM events WHERE account_id = ? AND type = 'clicked' GROUP BY url ORDER BY url", [accountId]);
      expect(perUrl.map((r) => [r.url, Number(r.n)])).toEqual([['https://shop.example/prix-%E2%82%AC50', 1], [SOLDES_CANONICAL, 3]]);
      expect((await call(base, 'GET', '/healthz', key)).status).toBe(200);
    } finally {
      await server?.stop();
      sqlite?.close();
      await pgClient?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await pgClient?.end().catch(() => {});
      tmp.remove();
    }
  }, 120_000);
});
