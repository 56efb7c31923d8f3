// Durability: the real server (`mesure serve`, a child process) is killed with SIGKILL in the middle of
// sustained ingestion from several clients, then restarted. Every event of every acknowledged request must be
// stored, every request is all or nothing, messages equal a replay of their stored events, and the daily counts
// equal a recount from messages. Run on SQLite (WAL, synchronous=FULL) and on PostgreSQL.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import {
  call, callOk, createAccountWithCli, createCampaignWithMessages, startServerProcess, tempDir, type ServerProcess,
} from '../bench/support';
import { applyEvent, COUNT_FIELDS, emptyState, messageCounts, type MessageCounts } from '../src/domain/message';
import type { IncomingEvent } from '../src/domain/types';

const MESSAGES = 2_000;
const CLIENTS = 4;
const BATCH = 200;
/** Kill once this many requests were acknowledged (or after KILL_BY_MS, whichever comes first). */
const KILL_AFTER_ACKS = 8;
const KILL_BY_MS = 12_000;
const TYPES = ['sent', 'delivered', 'opened', 'clicked'] as const;

type Row = Record<string, unknown>;
type Query = (sql: string, params?: unknown[]) => Promise<Row[]>;

interface Sent {
  keys: string[];
  body: Buffer;
}

forEachEngine('durability: SIGKILL during sustained ingestion', (engine) => {
  it('keeps every acknowledged event, applies each request wholly or not at all, and keeps counts equal to a recount', async () => {
    const tmp = tempDir('mesure-durability-');
    const schema = `dur_${randomBytes(5).toString('hex')}`;
    const env: Record<string, string> =
      engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
    let server: ServerProcess | undefined;
    let pgClient: pg.Client | undefined;
    let sqlite: Database.Database | undefined;
    try {
      // 1. An account and key from the CLI, a campaign and its messages over HTTP.
      const { accountId, key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Durability shop');
      server = await startServerProcess(env);
      const { campaignId, messageIds } = await createCampaignWithMessages(server.url, key, MESSAGES, { name: 'Crash test' });
      expect(messageIds.filter(Boolean)).toHaveLength(MESSAGES);

      // 2. Sustained ingestion from several clients; SIGKILL while requests are in flight.
      const now = Date.now();
      const acknowledged: Sent[] = [];
      const unknown: Sent[] = []; // in flight when the server died: stored wholly or not at all
      const refused: string[] = [];
      let killed = false;
      let serial = 0;
      const makeBatch = (client: number): Sent => {
        const keys: string[] = [];
        const events = Array.from({ length: BATCH }, (_, j) => {
          const n = serial++;
          const providerEventId = `c${client}-e${n}`;
          keys.push(`pe:api:${providerEventId}`);
          const type = TYPES[n % 4];
          return {
            type, providerEventId,
            messageId: messageIds[(n * 7919 + j) % MESSAGES],
            at: new Date(now - 3_600_000 + n).toISOString(),
            ...(type === 'clicked' ? { url: 'https://shop.example/p' } : {}),
          };
        });
        return { keys, body: Buffer.from(JSON.stringify({ events })) };
      };
      let acksReached!: () => void;
      const enoughAcks = new Promise<void>((ok) => (acksReached = ok));
      const clients = Array.from({ length: CLIENTS }, async (_, client) => {
        while (!killed) {
          const batch = makeBatch(client);
          try {
            const r = await call(server!.url, 'POST', '/v1/events', key, batch.body);
            if (r.status >= 200 && r.status < 300) {
              acknowledged.push(batch);
              if (acknowledged.length >= KILL_AFTER_ACKS) acksReached();
            } else refused.push(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          } catch {
            unknown.push(batch);
            return;
          }
        }
      });
      await Promise.race([enoughAcks, new Promise((ok) => setTimeout(ok, KILL_BY_MS))]);
      await new Promise((ok) => setTimeout(ok, Math.floor(Math.random() * 100)));
      killed = true;
      await server.kill();
      await Promise.all(clients);
      expect(refused).toEqual([]);
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(unknown.length).toBeGreaterThan(0); // the kill did land in the middle of requests

      // 3. Restart on the same database, then read what is stored. On SQLite the killed process may have acknowledged
      // events it had not applied to messages yet (its ingestion inbox): the restarted server's first API read waits
      // until they are.
      server = await startServerProcess(env);
      await callOk(server.url, 'GET', `/v1/campaigns/${campaignId}`, key);
      let query: Query;
      if (engine === 'sqlite') {
        sqlite = new Database(join(tmp.dir, 'mesure.db'), { readonly: true });
        query = async (sql, params = []) => sqlite!.prepare(sql).all(...params) as Row[];
      } else {
        pgClient = new pg.Client({
          connectionString: PG_URL,
          options: `-c search_path=${schema}`,
          types: { getTypeParser: (oid: number, format?: string) => (oid === 20 || oid === 1700 ? Number : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) } as never,
        });
        await pgClient.connect();
        query = async (sql, params = []) => (await pgClient!.query(sql.replace(/\?/g, ((i) => () => `$${++i}`)(0)), params)).rows;
      }
      const stored = new Set((await query('SELECT dedupe_key FROM events WHERE account_id = ?', [accountId])).map((r) => r.dedupe_key as string));

      const lost = acknowledged.flatMap((b) => b.keys).filter((k) => !stored.has(k));
      expect(lost, `${lost.length} acknowledged event(s) lost out of ${acknowledged.length * BATCH}`).toEqual([]);
      const halfApplied = unknown.map((b) => b.keys.filter((k) => stored.has(k)).length).filter((n) => n !== 0 && n !== BATCH);
      expect(halfApplied, 'a request in flight at the kill was half stored').toEqual([]);
      const expectedCount = acknowledged.length * BATCH + unknown.filter((b) => stored.has(b.keys[0])).length * BATCH;
      expect(stored.size).toBe(expectedCount);

      // 4. Messages equal a replay of their stored events; daily counts equal a recount from messages.
      const messages = await query('SELECT * FROM messages WHERE account_id = ?', [accountId]);
      const events = await query('SELECT message_id, type, at, url, machine FROM events WHERE account_id = ?', [accountId]);
      const byMessage = new Map<string, IncomingEvent[]>();
      for (const e of events) {
        const list = byMessage.get(e.message_id as string) ?? [];
        list.push({ type: e.type, at: Number(e.at), url: e.url ?? undefined, machine: e.machine === 1, ref: { kind: 'id', messageId: e.message_id } } as IncomingEvent);
        byMessage.set(e.message_id as string, list);
      }
      const STATE = ['status', 'sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'last_engaged_at', 'opens', 'clicks'] as const;
      const drift: string[] = [];
      for (const m of messages) {
        const replayed = (byMessage.get(m.id as string) ?? []).reduce((s, e) => applyEvent(s, e), emptyState(null));
        for (const f of STATE) if (replayed[f] !== (m[f] === null ? null : typeof replayed[f] === 'number' ? Number(m[f]) : m[f])) drift.push(`${m.id}.${f}`);
      }
      expect(drift.slice(0, 10), `${drift.length} message field(s) differ from a replay of the stored events`).toEqual([]);

      const recount = new Map<string, MessageCounts>();
      for (const m of messages) {
        const k = `${m.campaign_id}|${m.cohort_day}`;
        const c = messageCounts(m as never, 'email');
        const into = recount.get(k);
        if (!into) recount.set(k, { ...c });
        else for (const f of COUNT_FIELDS) into[f] += c[f];
      }
      const days = await query('SELECT * FROM campaign_days WHERE account_id = ?', [accountId]);
      const stale: string[] = [];
      const keys = new Set([...recount.keys(), ...days.map((d) => `${d.campaign_id}|${d.day}`)]);
      for (const k of keys) {
        const d = days.find((x) => `${x.campaign_id}|${x.day}` === k);
        for (const f of COUNT_FIELDS) {
          if (Number(d?.[f] ?? 0) !== (recount.get(k)?.[f] ?? 0)) stale.push(`${k} ${f}: stored ${d?.[f] ?? 0}, recount ${recount.get(k)?.[f] ?? 0}`);
        }
      }
      expect(stale).toEqual([]);
      expect([...recount.keys()].every((k) => k.startsWith(`${campaignId}|`))).toBe(true);
      expect(recount.get([...recount.keys()][0])!.audience).toBeGreaterThan(0);

      // 5. The restarted server works and stays idempotent: an acknowledged batch sent again changes nothing.
      const again = await callOk<{ applied: number; duplicates: number }>(server.url, 'POST', '/v1/events', key, acknowledged[0].body);
      expect(again).toMatchObject({ applied: 0, duplicates: BATCH });
      const fresh = await call(server.url, 'POST', '/v1/events', key, makeBatch(99).body);
      expect(fresh.status).toBe(200);
      expect((fresh.body as { applied: number }).applied).toBe(BATCH);
    } finally {
      sqlite?.close();
      await pgClient?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      await pgClient?.end().catch(() => {});
      await server?.stop();
      tmp.remove();
    }
  }, 90_000);
});
