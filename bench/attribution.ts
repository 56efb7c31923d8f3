// Attribution benchmark on SQLite: N orders against M messages (default 1,000,000 against 10,000,000).
// The data is built with bulk inserts straight into a fresh, migrated SQLite file (timed apart), then:
//   baseline  reading every order page by page, no attribution (same run, same file);
//   recompute `mesure attribute --recompute`: every order credited again, page by page;
//   arriving  orders stored and credited one request at a time (sequential latency) and 64 at a time (group commit),
//             through the service and through real HTTP (POST /v1/orders on a listening server).
// Usage: npx tsx bench/attribution.ts [--orders 1000000] [--messages 10000000] [--arriving 2000] [--db /tmp/x.db] [--keep]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { assemble } from '../src/main';
import { listOrdersPage } from '../src/store/orders';
import { buildOrder } from '../src/domain/orders';
import { mulberry32 } from '../src/domain/stats';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const ORDERS = arg('orders', 1_000_000);
const MESSAGES = arg('messages', 10_000_000);
const ARRIVING = arg('arriving', 2000);
const PER_CONTACT = 10;
const CAMPAIGNS = 100;
const CONTACTS = Math.max(1, Math.floor(MESSAGES / PER_CONTACT));
const DAY = 86_400_000;
const dbArg = process.argv.indexOf('--db');
const dir = mkdtempSync(join(tmpdir(), 'mesure-bench-attr-'));
const file = dbArg > 0 ? process.argv[dbArg + 1] : join(dir, 'bench.db');
const log = (s: string) => process.stdout.write(`${s}\n`);
const load = () => `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
const fmt = (n: number) => Math.round(n).toLocaleString('en');

/** Seeded so that every run builds the same data. */
const rnd = mulberry32(12345);

const m = await assemble(loadConfig({ DATABASE_URL: `file:${file}`, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://bench' }));
const sqlite = m.db.sqlite!;
const account = await m.deps.accounts.create({ name: 'Bench', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
const A = account.id;
const END = Date.parse('2026-11-25T00:00:00Z');
const START = END - 90 * DAY;

// ---------------------------------------------------------------------------------------------- generation
log(`${load()}`);
log(`Building ${fmt(MESSAGES)} messages for ${fmt(CONTACTS)} contacts in ${CAMPAIGNS} campaigns, and ${fmt(ORDERS)} orders, in ${file}`);
const g0 = performance.now();
sqlite.pragma('synchronous = OFF');
const channels = ['email', 'sms', 'whatsapp', 'mail'] as const;
const campaigns = Array.from({ length: CAMPAIGNS }, (_, i) => ({ id: `cmp_${String(i).padStart(4, '0')}`, channel: channels[i % 4], sendAt: START + Math.floor((i / CAMPAIGNS) * 85 * DAY) }));
const insCampaign = sqlite.prepare(`INSERT INTO campaigns (account_id, id, name, slug, channel, kind, send_at, status, tags, fixed_cost_minor, settings, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, 'manual', ?, 'completed', '[]', 0, '{}', ?, ?)`);
for (const c of campaigns) insCampaign.run(A, c.id, c.id, c.id, c.channel, c.sendAt, c.sendAt, c.sendAt);
const insContact = sqlite.prepare(`INSERT INTO contacts (account_id, id, email, phone, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)`);
const insMessage = sqlite.prepare(`INSERT INTO messages (account_id, id, campaign_id, contact_id, recipient, status, registered_at, cohort_day, sent_at, delivered_at,
  opened_at, clicked_at, scanned_at, last_engaged_at, opens, clicks, scans) VALUES (?, ?, ?, ?, ?, 'delivered', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const insEvent = sqlite.prepare(`INSERT INTO events (account_id, dedupe_key, message_id, campaign_id, type, at, received_at, machine) VALUES (?, ?, ?, ?, ?, ?, ?, 0)`);
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);
let messages = 0;
let events = 0;
// Messages are registered campaign by campaign (as `register` does), so a contact's ten messages lie far apart in the
// table, as in a real account: within each block of contacts, one campaign's messages, then the next campaign's.
const genMessages = sqlite.transaction((from: number, to: number) => {
  const byCampaign: [number, number][][] = campaigns.map(() => []);
  for (let c = from; c < to; c++) {
    insContact.run(A, `ct_${c}`, `c${c}@example.com`, null);
    for (let k = 0; k < PER_CONTACT && c * PER_CONTACT + k < MESSAGES; k++) byCampaign[(c * 7 + k * 13) % CAMPAIGNS].push([c, k]);
  }
  for (let j = 0; j < CAMPAIGNS; j++) {
    const camp = campaigns[j];
    for (const [c, k] of byCampaign[j]) {
      const contactId = `ct_${c}`;
      const id = `msg_${c}_${k}`;
      const sent = camp.sendAt + Math.floor(rnd() * 3_600_000);
      const delivered = camp.channel === 'mail' ? null : sent + 5000;
      const engaged = rnd();
      const opened = (camp.channel === 'email' || camp.channel === 'whatsapp') && engaged < 0.3 ? sent + Math.floor(rnd() * DAY) : null;
      const clicked = camp.channel !== 'mail' && engaged < 0.04 ? sent + Math.floor(rnd() * 2 * DAY) : null;
      const scanned = camp.channel === 'mail' && engaged < 0.04 ? sent + Math.floor(rnd() * 10 * DAY) : null;
      // One clicker in ten clicks twice: those messages are read from the event log.
      const clicks = clicked ? (rnd() < 0.1 ? 2 : 1) : 0;
      const last = Math.max(opened ?? 0, clicked ?? 0, scanned ?? 0) || null;
      insMessage.run(A, id, camp.id, contactId, `c${c}@example.com`, sent - 60_000, dayOf(sent), sent, delivered, opened, clicked, scanned,
        clicks === 2 ? clicked! + DAY : last, opened ? 1 : 0, clicks, scanned ? 1 : 0);
      if (clicks === 2) {
        insEvent.run(A, `${id}|c1`, id, camp.id, 'clicked', clicked, clicked);
        insEvent.run(A, `${id}|c2`, id, camp.id, 'clicked', clicked! + DAY, clicked! + DAY);
        events += 2;
      }
      messages++;
    }
  }
});
for (let c = 0; c < CONTACTS; c += 50_000) {
  genMessages(c, Math.min(CONTACTS, c + 50_000));
  process.stderr.write(`  messages ${fmt(messages)} / ${fmt(MESSAGES)}\r`);
}
const insOrder = sqlite.prepare(`INSERT INTO orders (account_id, id, source, external_id, ordered_at, version_at, currency, gross_minor, tax_minor, shipping_minor,
  net_minor, discount_minor, discount_codes, note_attributes, item_quantity, refunded_minor, contact_id, matched_by, revenue_minor, revenue_currency, received_at, updated_at)
  VALUES (?, ?, 'api', ?, ?, ?, 'EUR', ?, ?, 0, ?, 0, '[]', '{}', ?, 0, ?, 'email', ?, 'EUR', ?, ?)`);
const genOrders = sqlite.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) {
    const at = START + 5 * DAY + Math.floor(rnd() * 85 * DAY);
    const net = 2000 + Math.floor(rnd() * 8000);
    insOrder.run(A, `ord_${String(i).padStart(8, '0')}`, `B-${i}`, at, at, net + Math.round(net * 0.2), Math.round(net * 0.2), net, 1 + (i % 3),
      `ct_${Math.floor(rnd() * CONTACTS)}`, net, at, at);
  }
});
for (let i = 0; i < ORDERS; i += 50_000) genOrders(i, Math.min(ORDERS, i + 50_000));
sqlite.pragma('synchronous = FULL');
sqlite.pragma('wal_checkpoint(TRUNCATE)');
sqlite.exec('ANALYZE');
const genSeconds = (performance.now() - g0) / 1000;
log(`Generation: ${genSeconds.toFixed(1)} s (${fmt(messages)} messages, ${fmt(events)} events, ${fmt(ORDERS)} orders; file ${(statSync(file).size / 1e9).toFixed(2)} GB); ${load()}`);

// ---------------------------------------------------------------------------------------------- baseline
const cpuMs = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const b0 = performance.now();
const bc0 = process.cpuUsage();
let after: { at: number; id: string } | undefined;
let read = 0;
for (;;) {
  const rows = await listOrdersPage(m.db.kysely, A, { after, limit: 2000 });
  if (rows.length === 0) break;
  read += rows.length;
  after = { at: rows[rows.length - 1].ordered_at, id: rows[rows.length - 1].id };
}
const baseSeconds = (performance.now() - b0) / 1000;
log(`Baseline (read every order, no attribution): ${fmt(read)} orders in ${baseSeconds.toFixed(1)} s = ${fmt(read / baseSeconds)} orders/s; CPU ${((cpuMs(bc0) / read) * 1000).toFixed(1)} µs/order`);

// ---------------------------------------------------------------------------------------------- recompute
let lastPct = -1;
const rc0 = process.cpuUsage();
const s = await m.deps.orders.recompute(A, {
  progress: (done, total) => {
    const pct = Math.floor((done / total) * 10);
    if (pct !== lastPct) process.stderr.write(`  attributed ${fmt(done)} / ${fmt(total)}\r`);
    lastPct = pct;
  },
});
log(`Attribution (recompute, ${ORDERS >= 1_000_000 ? 'full size' : 'scaled run'}): ${fmt(s.orders)} orders against ${fmt(messages)} messages in ${s.seconds.toFixed(1)} s = ` +
  `${fmt(s.orders / s.seconds)} orders/s (${((s.seconds / s.orders) * 1e6).toFixed(1)} µs/order, CPU ${((cpuMs(rc0) / s.orders) * 1000).toFixed(1)} µs/order); ${fmt(s.credited)} credited, ${fmt(s.credits)} credit rows; ${load()}`);

// ---------------------------------------------------------------------------------------------- arriving
const arriving = (i: number) => {
  const at = END - Math.floor(rnd() * 10 * DAY);
  const built = buildOrder({ externalId: `LIVE-${i}`, source: 'api', at, currency: 'EUR', grossMinor: 6000, taxMinor: 1000, itemQuantity: 1, customer: { email: `c${Math.floor(rnd() * CONTACTS)}@example.com` } });
  if (!built.ok) throw new Error(built.reason);
  return built.order;
};
const quantiles = (xs: number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(3);
  return `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, mean ${(xs.reduce((x, y) => x + y, 0) / xs.length).toFixed(3)} ms`;
};
// The attribution work itself: upsertIn inside a Writer transaction (match the buyer, store, read touches, credit),
// timed without BEGIN and COMMIT: what each order adds to a group commit, whose fsync the group shares.
const work: number[] = [];
const w0 = process.cpuUsage();
for (let i = 0; i < ARRIVING; i++) {
  const o = arriving(i);
  await m.deps.writer.run(async (trx) => {
    const t = performance.now();
    await m.deps.orders.upsertIn(trx, A, [o], []);
    work.push(performance.now() - t);
  });
}
log(`Arriving, work inside the transaction (no BEGIN/COMMIT): ${ARRIVING} orders, ${quantiles(work)}; process CPU incl. commits ${((cpuMs(w0) / ARRIVING) * 1000).toFixed(0)} µs/order`);
// End to end, one at a time: every order pays its own COMMIT and fsync (synchronous=FULL).
const lat: number[] = [];
for (let i = ARRIVING; i < 2 * ARRIVING; i++) {
  const o = arriving(i);
  const t = performance.now();
  await m.deps.orders.upsert(A, [o]);
  lat.push(performance.now() - t);
}
log(`Arriving one at a time, end to end (match, store, credit, COMMIT with fsync): ${ARRIVING} orders, ${quantiles(lat)}`);
// End to end, 64 callers at a time: the Writer groups them, one COMMIT (one fsync) per group.
const CONC = 64;
let next = 2 * ARRIVING;
const conc: number[] = [];
const commits0 = m.deps.writer.stats.transactions;
const c0 = performance.now();
const cc0 = process.cpuUsage();
await Promise.all(Array.from({ length: CONC }, async () => {
  while (next < 3 * ARRIVING) {
    const o = arriving(next++);
    const t = performance.now();
    await m.deps.orders.upsert(A, [o]);
    conc.push(performance.now() - t);
  }
}));
const cSeconds = (performance.now() - c0) / 1000;
log(`Arriving ${CONC} callers at a time (group commit): ${ARRIVING} orders in ${cSeconds.toFixed(2)} s = ${fmt(ARRIVING / cSeconds)} orders/s, ` +
  `${((cSeconds / ARRIVING) * 1000).toFixed(3)} ms/order, CPU ${((cpuMs(cc0) / ARRIVING) * 1000).toFixed(0)} µs/order, ${m.deps.writer.stats.transactions - commits0} commits; latency per order ${quantiles(conc)}`);

// End to end through real HTTP: 64 callers at a time, each posting one order to POST /v1/orders on a listening server
// (authentication, JSON schema, service, group commit, answer after COMMIT). Client and server share this process.
const apiKey = (await m.deps.accounts.createKey(A, 'bench', 'analyst')).token;
await m.app.listen({ port: 0, host: '127.0.0.1' });
const ordersUrl = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}/v1/orders`;
const httpHeaders = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const apiOrder = (i: number) => ({
  id: `HTTP-${i}`, createdAt: new Date(END - Math.floor(rnd() * 10 * DAY)).toISOString(), currency: 'EUR', total: 6000, tax: 1000, itemQuantity: 1,
  customer: { email: `c${Math.floor(rnd() * CONTACTS)}@example.com` },
});
const post = async (i: number) => {
  const res = await fetch(ordersUrl, { method: 'POST', headers: httpHeaders, body: JSON.stringify({ orders: [apiOrder(i)] }) });
  if (res.status !== 200) throw new Error(`POST /v1/orders answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
};
const httpSeq: number[] = [];
for (let i = 0; i < ARRIVING; i++) {
  const t = performance.now();
  await post(i);
  httpSeq.push(performance.now() - t);
}
log(`Arriving over HTTP one at a time (POST /v1/orders, one order each): ${ARRIVING} orders, ${quantiles(httpSeq)}`);
let nextHttp = ARRIVING;
const httpConc: number[] = [];
const hCommits0 = m.deps.writer.stats.transactions;
const h0 = performance.now();
const hc0 = process.cpuUsage();
await Promise.all(Array.from({ length: CONC }, async () => {
  while (nextHttp < 2 * ARRIVING) {
    const i = nextHttp++;
    const t = performance.now();
    await post(i);
    httpConc.push(performance.now() - t);
  }
}));
const hSeconds = (performance.now() - h0) / 1000;
log(`Arriving over HTTP, ${CONC} callers at a time (POST /v1/orders, group commit): ${ARRIVING} orders in ${hSeconds.toFixed(2)} s = ${fmt(ARRIVING / hSeconds)} orders/s, ` +
  `${((hSeconds / ARRIVING) * 1000).toFixed(3)} ms/order, CPU ${((cpuMs(hc0) / ARRIVING) * 1000).toFixed(0)} µs/order (client and server), ` +
  `${m.deps.writer.stats.transactions - hCommits0} commits; latency per order ${quantiles(httpConc)}; ${load()}`);

await m.close();
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
