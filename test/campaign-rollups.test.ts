// The campaign page's "Clicks per link" and "Flagged opens and clicks" come from rollups kept by triggers on the event
// log (issue #25). Through a listening `mesure serve` (SQLite and PostgreSQL): a mixed, shuffled workload with
// duplicates (in one batch and across batches), API clicks with and without url, machine opens / clicks / scans,
// and clicks on tracked links, must show on the page exactly what a hand model of the workload says and what a
// recount of the event log (the old scan, kept as reference) says; so must a later re-flag of clicks to machine
// (the sweep's update), and the migration's back-fill must rebuild the same rollups from the log.
import { request } from 'node:http';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import type { DB } from '../src/store/schema';
import { recountClicksByUrl, recountFlaggedByReason } from '../bench/campaign-scans';
import { flagEvents } from '../src/store/tracking';
import * as rollups from '../src/store/migrations/2026_12_07_200_campaign_click_rollups';
import * as statementTriggers from '../src/store/migrations/2026_12_07_440_rollup_statement_triggers';
import { callOk, createAccountWithCli, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';

const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const A = 'https://shop.example/a';
const B = 'https://shop.example/b';

function visit(base: string, path: string): Promise<number> {
  const url = new URL(path, base);
  return new Promise((ok, ko) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { 'user-agent': CHROME } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
      res.on('error', ko);
    });
    req.on('error', ko);
    req.end();
  });
}

/** A seeded shuffle (mulberry32), so that a failure replays. */
function shuffle<T>(xs: T[], seed: number): T[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Ev { type: string; at: string; messageId: string; url?: string; machine?: boolean; flagReason?: string }
type Links = { url: string; totalClicks: number; uniqueClicks: number }[];
type Flagged = { kind: string; reason: string; count: number }[];
const byKind = (f: Flagged) => [...f].sort((x, y) => `${x.kind}/${x.reason}`.localeCompare(`${y.kind}/${y.reason}`));

forEachEngine('campaign page rollups through a listening server', (engine) => {
  it('counts every click and flag once, equal to a hand model and to a recount of the log, after a re-flag and a back-fill', async () => {
    const { env, drop } = databaseEnv(engine);
    let server: ServerProcess | undefined;
    let db: Kysely<DB> | undefined;
    try {
      const { accountId, key } = await createAccountWithCli(env, 'Rollups shop');
      db =
        engine === 'sqlite'
          ? new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(env.DATABASE_URL.replace(/^file:/, '')) }) })
          : new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${env.MESURE_PG_SCHEMA}`, max: 2 }) }) });
      server = await startServerProcess(env);
      const base = server.url;
      const campaign = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Rollups', channel: 'email' });
      const registered = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${campaign.id}/messages`, key, {
        messages: Array.from({ length: 12 }, (_, i) => ({ recipient: { email: `r${i}@example.org` } })),
      });
      const ids = registered.messages.sort((x, y) => x.index - y.index).map((m) => m.messageId);

      // The workload, over messages m0..m11 (times in the last hour, one second apart per event so keys differ).
      const t0 = Date.now() - 3600_000;
      const at = (k: number) => new Date(t0 + k * 1000).toISOString();
      const events: Ev[] = [];
      for (let i = 0; i < 12; i++) events.push({ type: 'sent', at: at(i), messageId: ids[i] }, { type: 'delivered', at: at(20 + i), messageId: ids[i] });
      // Human clicks: m0 clicks A three times, m1 A once and B once, m2 B twice, m3 A once, m4 with no url twice.
      const human: [number, string | undefined][] = [[0, A], [0, A], [0, A], [1, A], [1, B], [2, B], [2, B], [3, A], [4, undefined], [4, undefined]];
      human.forEach(([m, url], k) => events.push(url ? { type: 'clicked', at: at(100 + k), messageId: ids[m], url } : { type: 'clicked', at: at(100 + k), messageId: ids[m] }));
      // Machine: m5 opened ×2 by 'apple_mpp', m6 opened once with no reason, m7 clicked A by 'scanner' ×2, m8 scanned by 'scanner'.
      const machine: Ev[] = [
        { type: 'opened', at: at(200), messageId: ids[5], machine: true, flagReason: 'apple_mpp' },
        { type: 'opened', at: at(201), messageId: ids[5], machine: true, flagReason: 'apple_mpp' },
        { type: 'opened', at: at(202), messageId: ids[6], machine: true },
        { type: 'clicked', at: at(203), messageId: ids[7], url: A, machine: true, flagReason: 'scanner' },
        { type: 'clicked', at: at(204), messageId: ids[7], url: A, machine: true, flagReason: 'scanner' },
        { type: 'scanned', at: at(205), messageId: ids[8], machine: true, flagReason: 'scanner' },
      ];
      events.push(...machine);
      // Duplicates: every click and machine event sent twice more (same message, type, time, url: same dedupe key).
      const dupes = events.filter((e) => e.type !== 'sent' && e.type !== 'delivered');
      const batches = [shuffle([...events, ...dupes.slice(0, 6)], 25)];
      batches.push(shuffle([...dupes, ...dupes.slice(3)], 7));
      for (const b of batches) {
        for (let i = 0; i < b.length; i += 9) await callOk(base, 'POST', '/v1/events', key, { events: b.slice(i, i + 9) });
      }
      // Tracked clicks (human browser): m9 clicks its A link twice, m10 its B link once.
      await callOk(base, 'POST', `/v1/campaigns/${campaign.id}/links`, key, { destinations: [A, B] });
      const issued = await callOk<{ messages: { messageId: string; links: { url: string; trackedUrl: string }[] }[] }>(base, 'POST', `/v1/campaigns/${campaign.id}/links/issue`, key, { messageIds: [ids[9], ids[10]] });
      const link = (m: number, url: string) => new URL(issued.messages.find((x) => x.messageId === ids[m])!.links.find((l) => l.url === url)!.trackedUrl).pathname;
      for (const p of [link(9, A), link(9, A), link(10, B)]) expect(await visit(base, p)).toBe(302);

      // By hand: A = m0 ×3 + m1 + m3 + m9 ×2 = 7 total, 4 unique (m0, m1, m3, m9); B = m1 + m2 ×2 + m10 = 4 total,
      // 3 unique; '' (no url) = m4 ×2 = 2 total, 1 unique. Machine clicks of m7 count in no link.
      const expectedLinks: Links = [
        { url: A, totalClicks: 7, uniqueClicks: 4 },
        { url: B, totalClicks: 4, uniqueClicks: 3 },
        { url: '', totalClicks: 2, uniqueClicks: 1 },
      ];
      // Flagged: opens apple_mpp 2, opens 'flagged' (no reason) 1, clicks scanner: 2 (clicked) and 1 (scanned).
      const expectedFlagged: Flagged = byKind([
        { kind: 'open', reason: 'apple_mpp', count: 2 },
        { kind: 'open', reason: 'flagged', count: 1 },
        { kind: 'click', reason: 'scanner', count: 2 },
        { kind: 'click', reason: 'scanner', count: 1 },
      ]);
      const page = () => callOk<{ links: Links; flagged: Flagged }>(base, 'GET', `/v1/campaigns/${campaign.id}`, key);
      let shown = await page();
      for (let i = 0; i < 100 && JSON.stringify(shown.links) !== JSON.stringify(expectedLinks); i++) {
        await new Promise((r) => setTimeout(r, 100)); // tracked clicks are written in the background
        shown = await page();
      }
      expect(shown.links).toEqual(expectedLinks);
      expect(byKind(shown.flagged)).toEqual(expectedFlagged);
      expect(await recountClicksByUrl(db, accountId, campaign.id)).toEqual(expectedLinks);
      expect(byKind(await recountFlaggedByReason(db, accountId, campaign.id))).toEqual(expectedFlagged);

      // The sweep's re-flag (an update of stored events): m3's only A click and one of m0's three become machine.
      const keysOf = async (m: number) =>
        (await db!.selectFrom('events').select(['dedupe_key', 'at']).where('account_id', '=', accountId).where('message_id', '=', ids[m]).where('type', '=', 'clicked').orderBy('at').execute()).map((r) => r.dedupe_key);
      expect(await flagEvents(db, accountId, [(await keysOf(3))[0], (await keysOf(0))[0]], 'sweep')).toBe(2);
      // A: 7 − 2 = 5 total, unique 4 − 1 (m3 has no human A click left; m0 still has two) = 3; flagged clicks 'sweep' 2.
      const afterLinks: Links = [{ url: A, totalClicks: 5, uniqueClicks: 3 }, expectedLinks[1], expectedLinks[2]];
      const afterFlagged = byKind([...expectedFlagged, { kind: 'click', reason: 'sweep', count: 2 }]);
      shown = await page();
      expect(shown.links).toEqual(afterLinks);
      expect(byKind(shown.flagged)).toEqual(afterFlagged);
      expect(await recountClicksByUrl(db, accountId, campaign.id)).toEqual(afterLinks);
      expect(byKind(await recountFlaggedByReason(db, accountId, campaign.id))).toEqual(afterFlagged);

      // The migration's back-fill rebuilds the same page from the log alone.
      await server.stop();
      server = undefined;
      /* eslint-disable @typescript-eslint/no-explicit-any */
      // (On PostgreSQL the triggers are 2026_12_07_440's statement-level ones: taken off first, put back last.)
      await statementTriggers.down(db as Kysely<any>);
      await rollups.down(db as Kysely<any>);
      await rollups.up(db as Kysely<any>);
      await statementTriggers.up(db as Kysely<any>);
      server = await startServerProcess(env);
      const rebuilt = await callOk<{ links: Links; flagged: Flagged }>(server.url, 'GET', `/v1/campaigns/${campaign.id}`, key);
      expect(rebuilt.links).toEqual(afterLinks);
      expect(byKind(rebuilt.flagged)).toEqual(afterFlagged);
    } finally {
      await server?.stop();
      await db?.destroy();
      await drop();
    }
  }, 120_000);
});
