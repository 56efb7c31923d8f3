// `npm run bench:retention`: GET /v1/retention on a big account, SQLite and PostgreSQL (when reachable), and the cost
// the cohort rollups add to ingesting a batch of events. Per engine: a fresh Mesure in this process; BENCH_CONTACTS
// contacts (200,000) and BENCH_MESSAGES messages (1,000,000) over the last 12 months written by direct bulk inserts
// (the store's bulk paths, no rollup kept), a fifth of the contacts with two orders; then the migration's set-based
// back-fill fills the rollups (timed: what migrating such an account costs). Then GET /v1/retention over HTTP, warm
// median of 5, for each metric, all channels and one. Then a batch of BENCH_BATCH (500) human opens, each on another
// contact and in this month (so each one moves its contact's months, marks and the counts): timed through the
// ingestion service, and the cohort part of the same kind of change (cohortMessages, in a transaction rolled back) timed
// on its own. Prints the load average so that figures from a busy machine are read as such.
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startInProcess, callOk, fmt } from './support';
import { PG_URL, postgresReachable, dropPgSchema } from '../test/support';
import { insertContacts } from '../src/store/campaigns';
import { insertMessages, findMessagesByIds } from '../src/store/messages';
import { insertOrders, type OrderRow } from '../src/store/orders';
import { emptyState, deriveStatus } from '../src/domain/message';
import { backfillRetentionCohorts } from '../src/store/migrations/2026_12_09_100_retention_cohorts';
import { cohortMessages } from '../src/services/cohorts';
import type { ContactRow, MessageRow } from '../src/store/schema';
import type { Channel } from '../src/domain/types';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 200_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const CHANNELS: Channel[] = ['email', 'sms', 'whatsapp', 'email'];
const DAY = 86_400_000;
const log = (s: string) => process.stdout.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(engine: 'sqlite' | 'postgres'): Promise<void> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = engine === 'postgres'
    ? { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_SECRET_KEY: randomBytes(32).toString('base64') }
    : {};
  const server = await startInProcess(env);
  const { mesure, accountId, key, url } = server;
  const d = mesure.deps;
  try {
    const now = Date.now();
    let t = performance.now();
    // 12 campaigns a month apart (the last this month), on the four channels in turn.
    const campaigns: { id: string; channel: Channel; at: number }[] = [];
    for (let m = 0; m < 12; m++) {
      const channel = CHANNELS[m % CHANNELS.length];
      const c = await d.campaigns.create(accountId, { name: `Month ${m}`, channel });
      campaigns.push({ id: c.id, channel, at: now - (11 - m) * 30 * DAY - 3600_000 });
    }
    const contactIds = Array.from({ length: CONTACTS }, (_, i) => `ct_bench${String(i).padStart(8, '0')}`);
    const db = mesure.db;
    const h = db.kysely;
    for (let i = 0; i < CONTACTS; i += 10_000) {
      const rows: ContactRow[] = contactIds.slice(i, i + 10_000).map((id, k) => ({
        account_id: accountId, id, external_id: `x${i + k}`, email: `c${i + k}@bench.test`, phone: null, address: null, address_key: null,
        first_name: null, last_name: null, opt_out_email: null, opt_out_sms: null, opt_out_whatsapp: null, opt_out_mail: null, created_at: now, updated_at: now,
      }));
      await h.transaction().execute((trx) => insertContacts(trx, rows, db));
    }
    // Message i goes to contact i mod CONTACTS, in month (contact's first month + its rank) — so contacts join in every
    // month and keep receiving; a third opened, one in seven clicked, one in fifty unsubscribed.
    const perContact = Math.ceil(MESSAGES / CONTACTS);
    for (let i = 0; i < MESSAGES; i += 10_000) {
      const rows: MessageRow[] = [];
      for (let j = i; j < Math.min(MESSAGES, i + 10_000); j++) {
        const c = j % CONTACTS;
        const rank = Math.floor(j / CONTACTS);
        const month = Math.min(11, (c % 12) + rank * Math.max(1, Math.floor(12 / perContact)));
        const camp = campaigns[month];
        const at = camp.at - (c % 20) * 3600_000;
        const s = emptyState();
        Object.assign(s, { sent_at: at, delivered_at: at + 60_000 });
        if (j % 3 === 0) Object.assign(s, { opened_at: at + 7200_000, opens: 1, last_engaged_at: at + 7200_000 });
        if (j % 7 === 0) Object.assign(s, { clicked_at: at + 9000_000, clicks: 1, last_engaged_at: at + 9000_000 });
        if (j % 50 === 0) s.unsubscribed_at = at + 10_000_000;
        s.status = deriveStatus(s);
        const dayStr = new Date(at).toISOString().slice(0, 10);
        rows.push(Object.assign(s, {
          account_id: accountId, id: `msg_bench${String(j).padStart(9, '0')}`, campaign_id: camp.id, contact_id: contactIds[c],
          recipient: `c${c}.${rank}@bench.test`, provider: null, provider_message_id: null, variant: null, registered_at: at - 60_000, cohort_day: dayStr,
          cost_minor: 0, cost_state: 'none',
        }));
      }
      await h.transaction().execute((trx) => insertMessages(trx, rows, db));
    }
    const orders: OrderRow[] = [];
    for (let c = 0; c < CONTACTS; c += 5) {
      for (const k of [0, 1]) {
        const at = now - ((c % 300) + k * 25) * DAY;
        orders.push({
          account_id: accountId, id: `ord_bench${c}_${k}`, source: 'api', external_id: `B-${c}-${k}`, ordered_at: at, version_at: at, currency: 'EUR',
          gross_minor: 5000, tax_minor: 0, shipping_minor: 0, net_minor: 5000, discount_minor: 0, discount_codes: '[]', note_attributes: '{}',
          item_quantity: 1, refunded_minor: 0, revenue_minor: 5000, revenue_currency: 'EUR', received_at: at, updated_at: at,
          contact_id: contactIds[c], email: `c${c}@bench.test`, matched_by: 'email', cancelled_at: null,
        } as unknown as OrderRow);
      }
    }
    for (let i = 0; i < orders.length; i += 5000) await h.transaction().execute((trx) => insertOrders(trx, orders.slice(i, i + 5000), db));
    log(`${engine}: built ${fmt(CONTACTS)} contacts, ${fmt(MESSAGES)} messages over 12 months (${perContact} per contact), ${fmt(orders.length)} orders by bulk inserts in ${fmt((performance.now() - t) / 1000, 1)} s`);

    t = performance.now();
    for (const table of ['cohort_counts', 'contact_cohort_marks', 'contact_months'] as const) await h.deleteFrom(table).execute();
    await backfillRetentionCohorts(h as never);
    log(`${engine}: migration back-fill of the cohort rollups: ${fmt((performance.now() - t) / 1000, 1)} s`);

    for (const q of ['metric=engaged', 'metric=purchased', 'metric=engaged&channel=sms', 'metric=engaged&months=24']) {
      const path = `/v1/retention?${q}`;
      await callOk(url, 'GET', path, key);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        await callOk(url, 'GET', path, key);
        times.push(performance.now() - s);
      }
      log(`${engine}: GET ${path}: median of 5 warm ${fmt(median(times), 1)} ms (min ${fmt(Math.min(...times), 1)}, max ${fmt(Math.max(...times), 1)})`);
    }

    // Ingestion: human opens this month on BATCH messages of different contacts (each a new engaged month).
    const last = campaigns[11];
    const lastIds = (await h.selectFrom('messages').select('id').where('account_id', '=', accountId).where('campaign_id', '=', last.id).limit(BATCH * 2).execute()).map((r) => r.id);
    const opens = lastIds.slice(0, BATCH).map((id) => ({ type: 'clicked' as const, at: now - 60_000, url: 'https://shop.test/', ref: { kind: 'id' as const, messageId: id } }));
    t = performance.now();
    const r = await d.ingestor.ingest(accountId, opens);
    if (!r.ok) throw new Error(r.message);
    const whole = performance.now() - t;
    // The cohort part alone, on the same kind of change for the other BATCH messages, rolled back.
    const others = await findMessagesByIds(h, accountId, lastIds.slice(BATCH));
    const changes = others.map((m) => ({ before: m, after: { ...m, clicked_at: now - 60_000, clicks: 1, last_engaged_at: now - 60_000 } }));
    t = performance.now();
    await h.transaction().execute(async (trx) => {
      await cohortMessages(db, trx, 'Europe/Paris', accountId, changes, new Map([[last.id, last.channel]]));
      throw Object.assign(new Error('rollback'), { rollback: true });
    }).catch((e) => { if (!(e as { rollback?: boolean }).rollback) throw e; });
    const cohortPart = performance.now() - t;
    log(`${engine}: a batch of ${BATCH} human clicks, each a new engaged month: ${fmt(whole, 1)} ms through the ingestion; the cohort rollups' part of such a batch alone: ${fmt(cohortPart, 1)} ms (${fmt((100 * cohortPart) / whole, 0)} % of the batch)`);
  } finally {
    await server.close();
    if (engine === 'postgres') await dropPgSchema(schema);
  }
}

async function main(): Promise<void> {
  log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await run('sqlite');
  if (await postgresReachable()) await run('postgres');
  else log('postgres: not reachable, skipped');
  log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
