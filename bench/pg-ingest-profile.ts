// Where a batch of API events spends its time on PostgreSQL (issue #25): registers an account with M messages in its
// own schema, then ingests batches of 500 events (the soak's mix) the way `POST /v1/events` does, timing every SQL
// statement sent (by its text), with and without the rollup triggers. Prints per-batch milliseconds and the statements
// by total time; then the triggers' own time in one INSERT of a batch (EXPLAIN ANALYZE), statement-level against the
// former row-level one. Usage: npm run bench:pg-ingest -- [--messages 20000] [--batches 20]
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import * as statementTriggers from '../src/store/migrations/2026_12_07_440_rollup_statement_triggers';
import { makeMesure } from '../test/support';
import { eventBatch } from './support';
import type { IncomingEvent } from '../src/domain/types';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const MESSAGES = arg('messages', 20_000);
const BATCHES = arg('batches', 20);
const SIZE = 500;
class Rollback extends Error {}

const times = new Map<string, { n: number; ms: number }>();
let recording = false;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const proto = pg.Client.prototype as any;
const original = proto.query;
proto.query = function (this: unknown, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text ?? '?';
  const started = performance.now();
  const r = original.apply(this, args);
  if (recording && r && typeof r.then === 'function') {
    r.then(() => {
      const key = text.replace(/\s+/g, ' ').slice(0, 140);
      const t = times.get(key) ?? { n: 0, ms: 0 };
      t.n++;
      t.ms += performance.now() - started;
      times.set(key, t);
    }, () => {});
  }
  return r;
};

const m = await makeMesure('postgres');
try {
  const campaignIds: string[] = [];
  for (let c = 0; c < 3; c++) campaignIds.push((await m.deps.campaigns.create(m.accountId, { name: `C${c}`, channel: 'email' })).id);
  const ids: string[] = [];
  for (let i = 0; i < MESSAGES; i += 2000) {
    const items = Array.from({ length: Math.min(2000, MESSAGES - i) }, (_, j) => ({ recipient: { email: `r${i + j}@example.com` } }));
    const r = await m.deps.ingestor.register(m.accountId, campaignIds[(i / 2000) % 3], items);
    if (!r.ok) throw new Error(r.message);
    ids.push(...r.value.map((x) => x.messageId));
  }
  const now = Date.now();
  let batch = 0;
  const toEvents = (b: ReturnType<typeof eventBatch>): IncomingEvent[] =>
    b.map((e) => ({ type: e.type as IncomingEvent['type'], at: Date.parse(e.at), ref: { kind: 'id', messageId: e.messageId }, ...(e.url ? { url: e.url } : {}) }));
  const run = async (label: string) => {
    times.clear();
    recording = true;
    const per: number[] = [];
    for (let k = 0; k < BATCHES; k++) {
      const events = toEvents(eventBatch(ids, batch++, SIZE, now));
      const t0 = performance.now();
      const r = await m.deps.ingestor.accept(m.accountId, events);
      per.push(performance.now() - t0);
      if (!r.ok) throw new Error(r.message);
    }
    recording = false;
    per.sort((a, b) => a - b);
    const total = per.reduce((a, b) => a + b, 0);
    console.log(`\n${label}: ${BATCHES} batches of ${SIZE}: mean ${(total / BATCHES).toFixed(1)} ms, median ${per[per.length >> 1].toFixed(1)} ms, max ${per[per.length - 1].toFixed(1)} ms`);
    const rows = [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14);
    for (const [sql, t] of rows) console.log(`  ${t.ms.toFixed(0).padStart(7)} ms ${String(t.n).padStart(5)}×  ${sql}`);
  };
  // Warm: the first passes send and deliver; later ones open and click.
  await run('with the rollup triggers (warm-up)');
  await run('with the rollup triggers');
  const c = new pg.Client({ connectionString: process.env.MESURE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test' });
  await c.connect();
  const schema = m.db.schema as string;
  const triggers = (await c.query(`SELECT tgname FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = $1 AND r.relname = 'events' AND NOT t.tgisinternal`, [schema])).rows.map((r) => r.tgname as string);
  for (const t of triggers) await c.query(`ALTER TABLE "${schema}".events DISABLE TRIGGER ${t}`);
  await run(`without the triggers (${triggers.join(', ')})`);
  for (const t of triggers) await c.query(`ALTER TABLE "${schema}".events ENABLE TRIGGER ${t}`);
  await run('with the triggers again');
  await c.end();

  // The triggers alone, measured by PostgreSQL (EXPLAIN ANALYZE reports each trigger's time): one statement inserting a
  // batch of 500 events of the same mix (a quarter human clicks, a tenth machine-flagged), with the statement-level
  // triggers, then with 2026_12_07_200's row-level trigger put back; in a transaction rolled back.
  const insertBatch = (k: number) => sql.raw(`EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO events (account_id, dedupe_key, message_id, campaign_id, type, at, received_at, url, machine, flag_reason)
    SELECT m.account_id, 'profile:${k}:' || g, m.id, m.campaign_id, (ARRAY['sent','delivered','opened','clicked'])[g % 4 + 1], g, 0,
      CASE WHEN g % 4 = 3 THEN 'https://shop.example/p' END, CASE WHEN g % 10 = 0 THEN 1 ELSE 0 END, NULL
    FROM generate_series(0, ${SIZE - 1}) g JOIN (SELECT account_id, id, campaign_id, row_number() OVER (ORDER BY id) - 1 AS i FROM messages LIMIT ${SIZE}) m ON m.i = g`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const measure = async (trx: Kysely<any>, label: string) => {
    const runs: { total: number; triggers: number }[] = [];
    for (let k = 0; k < 7; k++) {
      const { rows } = await insertBatch(batch++ * 10 + k).execute(trx);
      const plan = (rows[0] as { 'QUERY PLAN': { 'Execution Time': number; Triggers?: { Time: number }[] }[] })['QUERY PLAN'][0];
      runs.push({ total: plan['Execution Time'], triggers: (plan.Triggers ?? []).reduce((a, t) => a + t.Time, 0) });
    }
    runs.sort((a, b) => a.total - b.total);
    const mid = runs[runs.length >> 1];
    console.log(`  ${label}: insert of ${SIZE} events ${mid.total.toFixed(1)} ms, of which triggers ${mid.triggers.toFixed(1)} ms (median of 7)`);
  };
  console.log('\nEXPLAIN ANALYZE, one INSERT of a batch:');
  await m.db.kysely.transaction().execute(async (trx) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const k = trx as unknown as Kysely<any>;
    await measure(k, 'statement-level triggers (2026_12_07_440)');
    await statementTriggers.down(k);
    await measure(k, 'row-level trigger (2026_12_07_200)');
    await sql.raw('ALTER TABLE events DISABLE TRIGGER USER').execute(k);
    await measure(k, 'no trigger');
    throw new Rollback();
  }).catch((err) => {
    if (!(err instanceof Rollback)) throw err;
  });
} finally {
  await m.cleanup();
}
