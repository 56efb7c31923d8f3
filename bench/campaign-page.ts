// `npm run bench:campaign-page`: the campaign page (GET /v1/campaigns/{id}) on one big campaign, before and after its
// "Clicks per link" and "Flagged opens and clicks" moved from a scan of the campaign's event log to rollups (issue #25).
// Mesure runs in this process on a fresh SQLite file; the campaign's messages are registered through the service and
// its events written through the store's insert (so the triggers keep the rollups, as in production), in one
// transaction. Then, while a client sends one tracked-link redirect after another, the page is read BENCH_READS times:
// "after" is the page as served; "before" is the same page plus the two old scans (recountClicksByUrl,
// recountFlaggedByReason, the queries the page ran until then) on the same main thread. Prints page p50/p99, the
// redirects' p50/p99/max during each phase, and the main thread's longest stall (event-loop delay).
// Settings by environment: BENCH_MESSAGES (200000), BENCH_EVENTS_PER_MESSAGE (5: ~1M events), BENCH_READS (30).
import { request, Agent } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startInProcess, fmt } from './support';
import { insertEvents } from '../src/store/messages';
import { recountClicksByUrl, recountFlaggedByReason } from './campaign-scans';
import type { EventRow } from '../src/store/schema';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 200_000);
const PER_MESSAGE = Number(process.env.BENCH_EVENTS_PER_MESSAGE ?? 5);
const READS = Number(process.env.BENCH_READS ?? 30);
const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const URLS = ['https://shop.example/soldes', 'https://shop.example/nouveautes', 'https://shop.example/panier'];
const log = (s: string) => process.stderr.write(`${s}\n`);
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

function get(base: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((ok, ko) => {
    const req = request(`${base}${path}`, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', ko);
    req.end();
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main(): Promise<void> {
  const server = await startInProcess({ MESURE_PUBLIC_URL: 'http://127.0.0.1' });
  const { mesure, accountId, key, url: base } = server;
  const d = mesure.deps;
  try {
    const campaign = await d.campaigns.create(accountId, { name: 'Soldes de printemps', channel: 'email' });
    const now = Date.now();
    const ids: string[] = [];
    let t = performance.now();
    for (let i = 0; i < MESSAGES; i += 5000) {
      const items = Array.from({ length: Math.min(5000, MESSAGES - i) }, (_, k) => ({ recipient: { email: `r${i + k}@example.org` }, registeredAt: now - 7_200_000 }));
      const r = await d.ingestor.register(accountId, campaign.id, items);
      if (!r.ok) throw new Error(r.message);
      ids.push(...r.value.map((m) => m.messageId));
    }
    log(`registered ${fmt(MESSAGES)} messages in ${fmt((performance.now() - t) / 1000, 1)} s`);

    // Events: sent, delivered, opened (1 in 10 by a machine), then clicks on one of three links (1 in 20 by a bot).
    t = performance.now();
    const sqlite = mesure.db.sqlite!;
    let written = 0;
    sqlite.exec('BEGIN');
    for (let i = 0; i < ids.length; i += 10_000) {
      const rows: EventRow[] = [];
      for (let m = i; m < Math.min(ids.length, i + 10_000); m++) {
        for (let k = 0; k < PER_MESSAGE; k++) {
          const type = k === 0 ? 'sent' : k === 1 ? 'delivered' : k === 2 ? 'opened' : 'clicked';
          const machine = (type === 'opened' && m % 10 === 0) || (type === 'clicked' && (m + k) % 20 === 0) ? 1 : 0;
          rows.push({
            account_id: accountId, dedupe_key: `b:${ids[m]}:${k}`, message_id: ids[m], campaign_id: campaign.id, type, at: now - 3_600_000 + k * 1000,
            received_at: now, url: type === 'clicked' ? URLS[(m + k) % 3] : null, machine, flag_reason: machine ? (type === 'opened' ? 'apple_mpp' : 'scanner') : null, data: null,
          } as EventRow);
        }
      }
      written += (await insertEvents(mesure.db, mesure.db.kysely, rows)).size;
    }
    // The events above go in the log only (not applied to their messages): mark the messages delivered as applying
    // would, or the page's "not sent, by reason" would walk 200,000 pending messages, which no sent campaign has.
    sqlite.prepare(`UPDATE messages SET status = 'delivered', sent_at = ?, delivered_at = ? WHERE account_id = ? AND campaign_id = ?`).run(now - 3_600_000, now - 3_599_000, accountId, campaign.id);
    sqlite.exec('COMMIT');
    log(`wrote ${fmt(written)} events in ${fmt((performance.now() - t) / 1000, 1)} s`);

    await d.tracking.registerDestinations(accountId, campaign.id, URLS);
    const issued = await d.tracking.issue(accountId, campaign.id, { messageIds: ids.slice(0, 200) });
    if (!issued.ok) throw new Error(issued.message);
    const paths = issued.value.messages.flatMap((m) => m.links.map((l) => new URL(l.trackedUrl).pathname));

    const phase = async (name: string, read: () => Promise<void>) => {
      const pages: number[] = [];
      const redirects: number[] = [];
      let stop = false;
      const clicker = (async () => {
        for (let i = 0; !stop; i++) {
          const s = performance.now();
          if ((await get(base, paths[i % paths.length], { 'user-agent': CHROME })) !== 302) throw new Error('redirect failed');
          redirects.push(performance.now() - s);
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      for (let i = 0; i < READS; i++) {
        const s = performance.now();
        await read();
        pages.push(performance.now() - s);
        await new Promise((r) => setTimeout(r, 20));
      }
      loop.disable();
      stop = true;
      await clicker;
      const row = `| ${name} | ${fmt(pct(pages, 50), 1)} ms | ${fmt(pct(pages, 99), 1)} ms | ${fmt(pct(redirects, 50), 1)} ms | ${fmt(pct(redirects, 99), 1)} ms | ${fmt(Math.max(...redirects), 1)} ms | ${fmt(loop.max / 1e6, 1)} ms |`;
      console.log(row);
    };
    const page = async () => {
      if ((await get(base, `/v1/campaigns/${campaign.id}`, { authorization: `Bearer ${key}` })) !== 200) throw new Error('page failed');
    };
    console.log(`\nCampaign page, ${fmt(MESSAGES)} messages, ${fmt(written)} events, ${READS} reads, SQLite:\n`);
    console.log('| page | page p50 | page p99 | redirect p50 | redirect p99 | redirect max | longest main-thread stall |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    await phase('before (page + the two old scans)', async () => {
      await page();
      await Promise.all([recountClicksByUrl(mesure.db.kysely, accountId, campaign.id), recountFlaggedByReason(mesure.db.kysely, accountId, campaign.id)]);
    });
    await phase('after (rollups)', page);
  } finally {
    agent.destroy();
    await server.close();
  }
}

await main();
