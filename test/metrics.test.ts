// GET /metrics (issue #23 point 3), tested as deployed on SQLite and PostgreSQL: `mesure serve` with MESURE_METRICS=1
// and a token runs a known workload over real HTTP, and the exact counts are read back from the Prometheus text; the
// scrape is refused without the token, no account id or raw path appears in it, and a server started without
// MESURE_METRICS answers 404.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { dropPgSchema, forEachEngine, PG_URL, type Engine } from './support';
import { sample } from './prometheus';
import { call, callOk, createAccountWithCli, createCampaignWithMessages, deliver, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

const TOKEN = 'scrape-token-0123456789abcdef';

const scrape = (url: string, authorization?: string) => fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });

forEachEngine('metrics: GET /metrics', (engine: Engine) => {
  it('counts a known workload exactly, refuses a scrape without the token, names no account or path; 404 when off', async () => {
    const tmp = tempDir('mesure-metrics-');
    const schema = `met_${randomBytes(5).toString('hex')}`;
    const env: Record<string, string> = engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    let server: ServerProcess | undefined;
    try {
      const { accountId, key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Metrics shop');
      server = await startServerProcess({ ...env, MESURE_METRICS: '1', MESURE_METRICS_TOKEN: TOKEN, MESURE_PUBLIC_URL: 'http://mesure.test' });
      const url = server.url;

      // The workload. Setup requests (campaign, messages, links) are counted too, under their own routes; the figures
      // checked below are those of the workload's routes only.
      const { campaignId, messageIds } = await createCampaignWithMessages(url, key, 9, { name: 'Soldes' });
      await callOk(url, 'POST', `/v1/campaigns/${campaignId}/links`, key, { destinations: ['https://shop.example/soldes'] });
      const issued = await callOk<{ messages: { links: { trackedUrl: string }[] }[] }>(url, 'POST', `/v1/campaigns/${campaignId}/links/issue`, key, { messageIds: messageIds.slice(0, 2) });
      const linkPaths = issued.messages.map((m) => new URL(m.links[0].trackedUrl).pathname);
      // 3 batches of 2, 3 and 4 `sent` events, each on a message of its own: 9 new events, all acknowledged and applied.
      const at = new Date(Date.now() - 3600_000).toISOString();
      for (const [from, to] of [[0, 2], [2, 5], [5, 9]]) {
        const events = messageIds.slice(from, to).map((messageId) => ({ type: 'sent', at, messageId }));
        expect((await call(url, 'POST', '/v1/events', key, { events })).status).toBe(200);
      }
      // 2 clicks on tracked links (redirected: 302).
      for (const path of linkPaths) {
        const r = await fetch(`${url}${path}`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Chrome/124.0 Mobile Safari/537.36' } });
        expect(r.status).toBe(302);
      }
      // 1 SendGrid webhook with a wrong signature (the account has no SendGrid secret either: refused alike).
      const bad = await deliver(url, `/webhooks/sendgrid/${accountId}`, JSON.stringify([{ event: 'delivered', sg_message_id: 'x', timestamp: 1 }]), {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': 'MEUCIQDwrong',
        'x-twilio-email-event-webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      });
      expect([401, 403]).toContain(bad.status);
      // 1 request on no route.
      expect((await call(url, 'POST', `/v1/no-such-route/${campaignId}`, key, {})).status).toBe(404);
      // A read of the account waits until its acknowledged events are applied (SQLite applies them moments after).
      await callOk(url, 'GET', `/v1/campaigns/${campaignId}`, key);

      // Refused without the token, or with another one.
      expect((await scrape(url)).status).toBe(401);
      const wrong = await scrape(url, 'Bearer not-the-token-0123456789');
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as { message: string }).message).toMatch(/MESURE_METRICS_TOKEN/);

      const read = async () => {
        const r = await scrape(url, `Bearer ${TOKEN}`);
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        return r.text();
      };
      // The inbox applies (SQLite) or folds (PostgreSQL) the clicks moments after their redirect: wait until it is empty.
      let text = await read();
      const deadline = Date.now() + 20_000;
      while (sample(text, 'mesure_inbox_items') !== 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        text = await read();
      }

      const requests = (method: string, route: string, status: number) =>
        sample(text, 'mesure_http_request_duration_seconds_count', { method, route, status: String(status) });
      // By hand from the workload above: 3 event batches answered 200; 2 redirects; 1 webhook refused (401 when the
      // signature is not even readable, 403 when wrong: whichever the server answered); 1 POST on no route.
      expect(requests('POST', '/v1/events', 200)).toBe(3);
      expect(requests('GET', '/l/:token', 302)).toBe(2);
      expect(requests('POST', '/webhooks/:provider/:accountId', bad.status)).toBe(1);
      expect(requests('POST', '(unmatched)', 404)).toBe(1);
      // Setup: 1 campaign created (201).
      expect(requests('POST', '/v1/campaigns', 201)).toBe(1);
      expect(sample(text, 'mesure_redirect_duration_seconds_count', { kind: 'click' })).toBe(2);
      expect(sample(text, 'mesure_redirect_duration_seconds_count', { kind: 'scan' })).toBe(0);
      // 2 + 3 + 4 = 9 events acknowledged, and the same 9 applied (new, on registered messages).
      expect(sample(text, 'mesure_events_acknowledged_total', { source: 'api' })).toBe(9);
      expect(sample(text, 'mesure_events_applied_total', { source: 'api' })).toBe(9);
      expect(sample(text, 'mesure_events_acknowledged_total', { source: 'webhook' })).toBe(0);
      expect(sample(text, 'mesure_webhook_signature_failures_total', { provider: 'sendgrid' })).toBe(1);
      expect(sample(text, 'mesure_webhook_signature_failures_total', { provider: 'twilio' })).toBe(0);
      expect(sample(text, 'mesure_dead_letters')).toBe(0);
      expect(sample(text, 'mesure_alert_attempts_total', { outcome: 'failed' })).toBe(0);
      expect(text).toMatch(new RegExp(`^mesure_info\\{version="[0-9.]+",engine="${engine}"\\} 1$`, 'm'));
      expect(sample(text, 'mesure_inbox_items')).toBe(0);
      expect(sample(text, 'mesure_inbox_oldest_age_seconds')).toBe(0);
      if (engine === 'sqlite') {
        expect(sample(text, 'mesure_db_pool_max_connections')).toBeUndefined();
      } else {
        // PostgreSQL: a pool of 10 connections (its inbox holds clicks not yet folded, empty here).
        expect(sample(text, 'mesure_db_pool_max_connections')).toBe(10);
        const open = sample(text, 'mesure_db_pool_open_connections')!;
        expect(open).toBeGreaterThanOrEqual(1);
        expect(open).toBeLessThanOrEqual(10);
        expect(sample(text, 'mesure_db_pool_waiting_queries')).toBe(0);
      }

      // Bounded labels: no account, campaign or message id, no link token, no raw path.
      for (const secret of [accountId, campaignId, ...messageIds, ...linkPaths, '/v1/no-such-route', TOKEN, key]) expect(text).not.toContain(secret);
      const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
      for (const route of routes) expect(route === '(unmatched)' || route === '/*' || /^\/[a-z0-9_./:*-]*$/i.test(route)).toBe(true);

      // Off unless MESURE_METRICS=1: the same database served without it answers 404.
      await server.stop();
      expect(server.child.exitCode).toBe(0);
      server = await startServerProcess({ ...env, MESURE_METRICS_TOKEN: TOKEN });
      const off = await scrape(server.url, `Bearer ${TOKEN}`);
      expect(off.status).toBe(404);
      expect(await off.text()).not.toContain('mesure_');
    } finally {
      await server?.kill();
      if (engine === 'postgres') await dropPgSchema(schema);
      tmp.remove();
    }
  }, 240_000);
});
