// SIGTERM (issue #23 point 4), tested as deployed on SQLite and PostgreSQL: `mesure serve` stopped while events and
// clicks arrive continuously exits 0 within its bound (MESURE_SHUTDOWN_TIMEOUT_MS), and after a restart on the same
// database every event and click it acknowledged is in the campaign's figures and its inbox is empty; a request that
// never finishes makes it exit 1 at the bound, naming what it cut.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { dropPgSchema, forEachEngine, PG_URL, type Engine } from './support';
import { call, callOk, createAccountWithCli, createCampaignWithMessages, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

const BROWSER = { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/124.0 Mobile Safari/537.36' };

function envFor(engine: Engine, dir: string, schema: string): Record<string, string> {
  return engine === 'sqlite' ? { DATABASE_URL: `file:${join(dir, 'mesure.db')}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
}

/** Sends SIGTERM and resolves with the exit code and how long the process took to exit. */
async function terminate(server: ServerProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const exited = new Promise<number | null>((ok) => server.child.once('exit', (code) => ok(code)));
  server.child.kill('SIGTERM');
  const code = await exited;
  return { code, ms: Date.now() - t0 };
}

forEachEngine('shutdown: SIGTERM', (engine: Engine) => {
  it('under load: exits 0 within the bound, and a restart finds every acknowledged event and click in the figures', async () => {
    const tmp = tempDir('mesure-shutdown-');
    const schema = `sd_${randomBytes(5).toString('hex')}`;
    const env = { ...envFor(engine, tmp.dir, schema), MESURE_METRICS: '1', MESURE_PUBLIC_URL: 'http://mesure.test' };
    let server: ServerProcess | undefined;
    try {
      const { key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Shutdown shop');
      server = await startServerProcess(env);
      const url = server.url;
      // 2,000 messages receive `sent` events (one each, in batches of 20); 1,000 others have a tracked link clicked once.
      const { campaignId, messageIds } = await createCampaignWithMessages(url, key, 3000, { name: 'Soldes' });
      await callOk(url, 'POST', `/v1/campaigns/${campaignId}/links`, key, { destinations: ['https://shop.example/soldes'] });
      const clickPaths: string[] = [];
      for (let from = 2000; from < 3000; from += 500) {
        const issued = await callOk<{ messages: { links: { trackedUrl: string }[] }[] }>(url, 'POST', `/v1/campaigns/${campaignId}/links/issue`, key, { messageIds: messageIds.slice(from, from + 500) });
        clickPaths.push(...issued.messages.map((m) => new URL(m.links[0].trackedUrl).pathname));
      }

      // The load: two loops posting event batches, two following tracked links, until the server stops answering.
      let ackedEvents = 0;
      let ackedClicks = 0;
      let nextBatch = 0;
      let nextClick = 0;
      let stopped = false;
      const at = new Date(Date.now() - 3600_000).toISOString();
      const eventLoop = async () => {
        while (!stopped && nextBatch < 100) {
          const b = nextBatch++;
          const events = messageIds.slice(b * 20, b * 20 + 20).map((messageId) => ({ type: 'sent', at, messageId }));
          try {
            const r = await call(url, 'POST', '/v1/events', key, { events });
            if (r.status === 200) ackedEvents += events.length;
            else if (r.status !== 503) throw new Error(`POST /v1/events answered ${r.status}: ${JSON.stringify(r.body)}`);
          } catch (err) {
            if ((err as Error).message.startsWith('POST /v1/events answered')) throw err;
            return; // the connection was refused or closed: the server is gone
          }
        }
      };
      const clickLoop = async () => {
        while (!stopped && nextClick < clickPaths.length) {
          const path = clickPaths[nextClick++];
          try {
            const r = await fetch(`${url}${path}`, { redirect: 'manual', headers: BROWSER });
            await r.arrayBuffer();
            if (r.status === 302) ackedClicks += 1;
          } catch {
            return;
          }
        }
      };
      const loops = Promise.all([eventLoop(), eventLoop(), clickLoop(), clickLoop()]);
      // Let the load run until both kinds are flowing, then stop the server in the middle of it.
      const started = Date.now();
      while ((ackedEvents < 200 || ackedClicks < 50) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 20));
      expect(ackedEvents).toBeGreaterThanOrEqual(200);
      const exit = await terminate(server);
      stopped = true;
      await loops;
      // The default bound is 10 s: a clean stop exits 0 well within it (exit 1 would mean it cut something).
      expect({ code: exit.code, stderr: server.stderr().split('\n').filter((l) => /stop|cut|Stopp/i.test(l)) }).toMatchObject({ code: 0 });
      expect(exit.ms).toBeLessThan(10_000);
      expect(server.stderr()).toMatch(/SIGTERM: stopping .*at most 10000 ms/);
      expect(server.stderr()).toMatch(/Stopped cleanly in \d+ ms\./);
      // Work was still arriving when it stopped (otherwise this would test an idle shutdown).
      expect(ackedEvents).toBeLessThan(2000);

      // Restarted on the same database: the figures hold every acknowledged event and click, nothing more. A click
      // implies its message was sent (KPIS.md), and the clicked messages are not those given `sent` events: sent counts
      // both sets, one message each.
      server = await startServerProcess(env);
      const figures = (await callOk<{ figures: { sent: number; clicked: number; totalClicks: number } }>(server.url, 'GET', `/v1/campaigns/${campaignId}`, key)).figures;
      expect({ sent: figures.sent, clicked: figures.clicked, totalClicks: figures.totalClicks }).toEqual({
        sent: ackedEvents + ackedClicks, clicked: ackedClicks, totalClicks: ackedClicks,
      });
      // Nothing left unapplied: the inbox (SQLite) is empty once the read above has waited for what the last process
      // left, and the server is ready.
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      if (engine === 'sqlite') expect(metrics).toMatch(/^mesure_inbox_items 0$/m);
      expect(metrics).toMatch(/^mesure_dead_letters 0$/m);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server?.kill();
      if (engine === 'postgres') await dropPgSchema(schema);
      tmp.remove();
    }
  }, 240_000);

  it('past MESURE_SHUTDOWN_TIMEOUT_MS: exits 1 naming the request it could not finish', async () => {
    const tmp = tempDir('mesure-shutdown-bound-');
    const schema = `sb_${randomBytes(5).toString('hex')}`;
    const env = { ...envFor(engine, tmp.dir, schema), MESURE_SHUTDOWN_TIMEOUT_MS: '1500' };
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess(env);
      // A provider-like client that sends its headers and never the body it announced: its request stays in flight.
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((ok) => socket.once('connect', ok));
      socket.on('error', () => {});
      socket.write('POST /webhooks/sendgrid/acc_nobody HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"event":');
      await new Promise((r) => setTimeout(r, 300));
      const exit = await terminate(server);
      socket.destroy();
      expect(exit.code).toBe(1);
      // At the bound (1.5 s), not long after: the process exits by itself.
      expect(exit.ms).toBeGreaterThanOrEqual(1400);
      expect(exit.ms).toBeLessThan(6000);
      expect(server.stderr()).toContain('Stopping took longer than MESURE_SHUTDOWN_TIMEOUT_MS (1500 ms)');
      expect(server.stderr()).toContain('1 client connection(s) still open with a request not yet answered');
    } finally {
      await server?.kill();
      if (engine === 'postgres') await dropPgSchema(schema);
      tmp.remove();
    }
  }, 120_000);
});
