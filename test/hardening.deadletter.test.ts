// Dead letters over a listening server: an inbox row the applier cannot apply (written into the SQLite file while the
// server is stopped, as a torn or foreign row would be) is tried a bounded number of times, moved aside with its error,
// never blocks the rows behind it, and is listed, retried and discarded through the API. On PostgreSQL ingestion is
// applied before it is acknowledged: the routes exist and answer an empty list.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import { call, callOk, createAccountWithCli, createCampaignWithMessages, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

interface Letter { id: string; kind: string; error: string; tries: number; payload: string; receivedAt: string; movedAt: string }
interface Page { items: Letter[]; total: number; nextCursor: string | null }

forEachEngine('ingestion dead letters through a listening server', (engine) => {
  it('moves what cannot be applied aside after 3 tries, applies what follows, and lists, retries and discards it', async () => {
    const tmp = tempDir('mesure-deadletter-');
    const schema = `dl_${randomBytes(5).toString('hex')}`;
    const file = join(tmp.dir, 'mesure.db');
    const env: Record<string, string> = engine === 'sqlite' ? { DATABASE_URL: `file:${file}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    let server: ServerProcess | undefined;
    try {
      const { accountId, key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Dead letter shop');
      server = await startServerProcess(env);
      const analyst = (await callOk<{ key: string }>(server.url, 'POST', '/v1/keys', key, { name: 'analyst', role: 'analyst' })).key;
      const { campaignId, messageIds } = await createCampaignWithMessages(server.url, key, 4, { name: 'Dead letters' });
      const at = Date.now() - 3_600_000;
      await callOk(server.url, 'POST', '/v1/events', key, {
        events: messageIds.flatMap((messageId) => [
          { type: 'sent', messageId, at: new Date(at).toISOString() },
          { type: 'delivered', messageId, at: new Date(at + 1000).toISOString() },
        ]),
      });
      const opened = async () => (await callOk<{ figures: { opened: number } }>(server!.url, 'GET', `/v1/campaigns/${campaignId}`, key)).figures.opened;
      expect(await opened()).toBe(0);

      if (engine === 'postgres') {
        // Nothing waits in an inbox on PostgreSQL: the routes answer, with nothing in them.
        expect(await callOk<Page>(server.url, 'GET', '/v1/ingestion/dead-letters', analyst)).toEqual({ items: [], total: 0, nextCursor: null });
        expect((await call(server.url, 'POST', '/v1/ingestion/dead-letters/dl_nothing/retry', key)).status).toBe(404);
        expect((await call(server.url, 'DELETE', '/v1/ingestion/dead-letters/dl_nothing', key)).status).toBe(404);
        return;
      }

      // 1. Stop the server; behind it, the inbox gets a row cut short (not JSON), a delivery the applier cannot read,
      // and three opens a recipient made: the opens must be applied even though the bad rows come first.
      await server.stop();
      server = undefined;
      const sqlite = new Database(file);
      const base = Number(sqlite.prepare('SELECT coalesce(max(seq), 0) AS n FROM ingest_inbox').pluck().get());
      const open = (messageId: string, n: number) => JSON.stringify({
        accountId, messageId, campaignId, kind: 'opened', url: null, token: `tok${n}`, id: `open${n}`, at: Date.now() - 60_000 + n,
        req: { method: 'GET', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36' },
      });
      const insert = sqlite.prepare('INSERT INTO ingest_inbox (account_id, seq, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)');
      const torn = `{"accountId":"${accountId}","messageId":"${messageIds[0]}","kind":"ope`;
      insert.run(accountId, base + 1, 'visit', torn, Date.now() - 120_000);
      insert.run(accountId, base + 2, 'delivery', '{"accountId":null}', Date.now() - 120_000);
      for (let i = 0; i < 3; i++) insert.run(accountId, base + 3 + i, 'visit', open(messageIds[i], i), Date.now() - 100_000);
      sqlite.close();

      // 2. Start again: the first read waits for what the inbox held. The opens are applied, the bad rows moved aside.
      server = await startServerProcess(env);
      expect(await opened()).toBe(3);
      const page = await callOk<Page>(server.url, 'GET', '/v1/ingestion/dead-letters', analyst);
      expect(page.total).toBe(2);
      expect(page.items.map((l) => [l.kind, l.tries])).toEqual([['visit', 3], ['delivery', 3]]);
      expect(page.items[0].payload).toBe(torn);
      expect(page.items[0].error).toMatch(/JSON/);
      expect(page.items[1].error.length).toBeGreaterThan(0);
      const [tornLetter, deliveryLetter] = page.items;
      // Every item is accounted for: applied (3 opens), in the inbox (none), or in the dead letters (2).
      const check = new Database(file, { readonly: true });
      expect(check.prepare('SELECT count(*) FROM ingest_inbox').pluck().get()).toBe(0);
      check.close();

      // 3. One page at a time.
      const first = await callOk<Page>(server.url, 'GET', '/v1/ingestion/dead-letters?limit=1', analyst);
      expect(first.items.map((l) => l.id)).toEqual([tornLetter.id]);
      expect(first.nextCursor).toBe(tornLetter.id);
      const second = await callOk<Page>(server.url, 'GET', `/v1/ingestion/dead-letters?limit=1&cursor=${first.nextCursor}`, analyst);
      expect(second).toMatchObject({ items: [{ id: deliveryLetter.id }], nextCursor: null });

      // 4. Retry and discard are for owners.
      expect((await call(server.url, 'POST', `/v1/ingestion/dead-letters/${tornLetter.id}/retry`, analyst)).status).toBe(403);
      expect((await call(server.url, 'DELETE', `/v1/ingestion/dead-letters/${tornLetter.id}`, analyst)).status).toBe(403);

      // 5. Retrying it as it is fails again: it stays, with one more try and its error.
      const again = await callOk<{ applied: boolean; error: string; tries: number; remaining: number }>(server.url, 'POST', `/v1/ingestion/dead-letters/${tornLetter.id}/retry`, key);
      expect(again).toMatchObject({ id: tornLetter.id, applied: false, tries: 4, remaining: 2 });
      expect(again.error).toMatch(/JSON/);

      // 6. Once what it needed is there (here, its payload mended), a retry applies it: the fourth open counts.
      const mend = new Database(file);
      mend.prepare('UPDATE ingest_dead_letters SET payload = ? WHERE id = ?').run(open(messageIds[3], 3), tornLetter.id);
      mend.close();
      expect(await callOk(server.url, 'POST', `/v1/ingestion/dead-letters/${tornLetter.id}/retry`, key)).toEqual({ id: tornLetter.id, applied: true, remaining: 1 });
      expect(await opened()).toBe(4);
      expect((await call(server.url, 'POST', `/v1/ingestion/dead-letters/${tornLetter.id}/retry`, key)).status).toBe(404);

      // 7. Discarding the other leaves none; discarding it twice is a 404 that says where to look.
      expect(await callOk(server.url, 'DELETE', `/v1/ingestion/dead-letters/${deliveryLetter.id}`, key)).toEqual({ discarded: deliveryLetter.id, remaining: 0 });
      const gone = await call(server.url, 'DELETE', `/v1/ingestion/dead-letters/${deliveryLetter.id}`, key);
      expect(gone.status).toBe(404);
      expect((gone.body as { message: string }).message).toMatch(/GET \/v1\/ingestion\/dead-letters/);
      expect(await callOk<Page>(server.url, 'GET', '/v1/ingestion/dead-letters', analyst)).toEqual({ items: [], total: 0, nextCursor: null });

      // 8. Bounds: a limit out of range is a 400, an id too long a 400 (or 414, refused before routing).
      expect((await call(server.url, 'GET', '/v1/ingestion/dead-letters?limit=100000', analyst)).status).toBe(400);
      expect([400, 414]).toContain((await call(server.url, 'DELETE', `/v1/ingestion/dead-letters/${'x'.repeat(200)}`, key)).status);

      // 9. Without the ingestion worker (MESURE_INGEST_WORKER=0), what a previous process left in the inbox is applied
      // at start all the same, a row that cannot be is set aside, and a retry answers.
      await server.stop();
      server = undefined;
      const again2 = new Database(file);
      again2.prepare('INSERT INTO ingest_inbox (account_id, seq, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)').run(accountId, 1, 'visit', '{"accountId":', Date.now());
      again2.close();
      server = await startServerProcess({ ...env, MESURE_INGEST_WORKER: '0' });
      let left: Page = { items: [], total: 0, nextCursor: null };
      for (const until = Date.now() + 10_000; left.total === 0 && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
        left = await callOk<Page>(server.url, 'GET', '/v1/ingestion/dead-letters', analyst);
      }
      expect(left.items.map((l) => [l.kind, l.tries, l.payload])).toEqual([['visit', 3, '{"accountId":']]);
      expect(await callOk(server.url, 'POST', `/v1/ingestion/dead-letters/${left.items[0].id}/retry`, key)).toMatchObject({ applied: false, tries: 4, remaining: 1 });
    } finally {
      await server?.stop();
      if (engine === 'postgres') {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
        await c.end();
      }
      tmp.remove();
    }
  }, 90_000);
});
