// The ingestion worker (SQLite): clicks, webhook deliveries and API events are written by a worker thread with its own connection,
// through the same hooks as the request thread (attribution re-credits an order after a late click, budgets price a
// WhatsApp delivery), a webhook is answered only once the worker has committed, and a settings change made on the
// request thread reaches the worker's caches. These tests run on the real clock: a custom clock keeps ingestion on
// the request thread (a function cannot cross threads), which is what most other suites use.
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeMesure, type TestMesure } from './support';
import { loadConfig } from '../src/config';
import { assemble } from '../src/main';
import { hookSignature, sameHooks, startIngestWorker } from '../src/services/ingestWorker';
import type { IncomingEvent } from '../src/domain/types';
import { Inbox } from '../src/services/inbox';

const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';
const DAY = 86_400_000;
const WA_APP_SECRET = 'wa-app-secret-for-tests';

describe('ingestion worker [sqlite]', () => {
  let m: TestMesure;
  beforeEach(async () => {
    m = await makeMesure('sqlite');
  });
  afterEach(async () => {
    await m.cleanup();
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) => {
    const r = await m.app.inject({ method, url, headers: m.auth, payload: payload as object });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.body ? r.json() : null;
  };
  const events = async (list: (Omit<IncomingEvent, 'ref'> & { messageId: string })[]) => {
    const r = await m.deps.ingestor.ingest(m.accountId, list.map(({ messageId, ...e }) => ({ ...e, ref: { kind: 'id', messageId } }) as IncomingEvent));
    if (!r.ok) throw new Error(r.message);
  };
  const click = async (token: string) => {
    const r = await m.app.inject({ method: 'GET', url: `/l/${token}`, headers: { 'user-agent': CHROME } });
    expect(r.statusCode).toBe(302);
    await m.deps.tracking.flush();
  };
  const clickRow = (messageId: string) =>
    m.db.kysely.selectFrom('events').select(['machine', 'flag_reason']).where('message_id', '=', messageId).where('type', '=', 'clicked').executeTakeFirst();

  it('runs on SQLite files, with the same ingestion hooks as the request thread', () => {
    expect(m.deps.tracking.offload).toBeDefined();
    expect(m.deps.webhooks.offload).toBe(m.deps.tracking.offload);
    expect(hookSignature(m.deps.ingestor)).toEqual({ costing: 'Budgets', afterApply: ['onEventsApplied', 'recordFeedback'] });
  });

  it('stores clicks in the worker: a late click re-credits an order, and a threshold change reaches the worker', async () => {
    const T0 = Date.now();
    const email = (await m.deps.campaigns.create(m.accountId, { name: 'Late email', channel: 'email', sendAt: T0 - 3 * DAY, status: 'completed' })).id;
    const reg = await m.deps.ingestor.register(m.accountId, email, [
      { recipient: { email: 'ana@example.com' }, registeredAt: T0 - 3 * DAY },
      { recipient: { email: 'bob@example.com' }, registeredAt: T0 - 3 * DAY },
      { recipient: { email: 'eve@example.com' }, registeredAt: T0 - 3 * DAY },
    ]);
    if (!reg.ok) throw new Error(reg.message);
    const [ana, bob, eve] = reg.value.map((r) => r.messageId);
    await events([
      { messageId: ana, type: 'sent', at: T0 - 2 * DAY },
      { messageId: ana, type: 'delivered', at: T0 - 2 * DAY + 1000 },
      // Bob and Eve were delivered 10 s ago: over the default 5 s "too fast after delivery" threshold.
      { messageId: bob, type: 'delivered', at: T0 - 10_000 },
      { messageId: eve, type: 'delivered', at: T0 - 10_000 },
    ]);
    expect((await m.deps.tracking.registerDestinations(m.accountId, email, ['https://shop.example/x'])).ok).toBe(true);
    const issued = await m.deps.tracking.issue(m.accountId, email, { all: true });
    if (!issued.ok) throw new Error(issued.message);
    const token = new Map(issued.value.messages.map((x) => [x.messageId, x.links[0].token]));

    // Ana buys a minute from now (net 100.00); her click comes before the purchase but is stored after the order.
    await call('POST', '/v1/orders', {
      orders: [{ id: '2001', createdAt: new Date(T0 + 60_000).toISOString(), currency: 'EUR', total: 12000, tax: 2000, itemQuantity: 2, customer: { email: 'ana@example.com' } }],
    });
    const revenue = async () => (await m.deps.orders.attribution.byCampaign(m.accountId, [email])).get(email)?.revenueMinor ?? 0;
    expect(await revenue()).toBe(0);
    const tasks = m.deps.tracking.offload!.stats.tasks;
    await click(token.get(ana)!);
    expect(m.deps.tracking.offload!.stats.tasks).toBeGreaterThan(tasks);
    expect(await clickRow(ana)).toEqual({ machine: 0, flag_reason: null });
    expect(await revenue()).toBe(10000);

    // Bob's click 10 s after delivery is human under the default threshold (the worker has cached the account)…
    await click(token.get(bob)!);
    expect(await clickRow(bob)).toEqual({ machine: 0, flag_reason: null });
    // …then the account asks for an hour: Eve's click, as late after her delivery, is flagged by the worker.
    await call('PATCH', '/v1/tracking/settings', { thresholds: { clickAfterDeliveryMs: 3_600_000 } });
    await click(token.get(eve)!);
    expect(await clickRow(eve)).toEqual({ machine: 1, flag_reason: 'fast_after_delivery' });
    expect(m.deps.tracking.stats).toMatchObject({ written: 3, lost: 0, queued: 0 });
  });

  it('answers a webhook after the worker committed it, priced by the budgets hook', async () => {
    await call('PUT', `/v1/providers/whatsapp/secret`, { secret: `${WA_APP_SECRET}:verify-me` });
    // WhatsApp marketing in France: 14.32 ¢ (thousandths of a cent) → 14 ¢ a message.
    await call('PUT', '/v1/cost-model', { whatsapp: { marketing: { default: 10000, FR: 14320 }, utility: { default: 5000, FR: 4000 } } });
    const c = (await call('POST', '/v1/campaigns', { name: 'WhatsApp sale', channel: 'whatsapp' })).id as string;
    const wamid = 'wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
    const reg = await call('POST', `/v1/campaigns/${c}/messages`, { messages: [{ recipient: { phone: '+33612345678' }, provider: 'whatsapp', providerMessageId: wamid }] });
    const messageId = reg.results?.[0]?.messageId ?? reg.messages?.[0]?.messageId ?? reg.items?.[0]?.messageId;
    expect(messageId).toBeTypeOf('string');

    const at = Math.floor(Date.now() / 1000) - 60;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
        messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
        statuses: [{ id: wamid, status: 'delivered', timestamp: String(at), recipient_id: '33612345678', pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' } }],
      } }] }],
    });
    const signature = `sha256=${createHmac('sha256', WA_APP_SECRET).update(body).digest('hex')}`;
    const tasks = m.deps.webhooks.offload!.stats.tasks;
    const r = await m.app.inject({ method: 'POST', url: `/webhooks/whatsapp/${m.accountId}`, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, payload: body });
    expect(r.statusCode, r.body).toBe(200);
    expect(m.deps.webhooks.offload!.stats.tasks).toBe(tasks + 1);
    // Read at once, on the request thread's own connection: committed before the answer, in the inbox or (the
    // worker applies it moments later) already applied from it.
    const message = () => m.db.kysely.selectFrom('messages').select(['status', 'delivered_at', 'cost_minor']).where('account_id', '=', m.accountId).where('id', '=', messageId).executeTakeFirstOrThrow();
    const inbox = () => m.db.sqlite!.prepare('SELECT kind, payload FROM ingest_inbox WHERE account_id = ?').all(m.accountId) as { kind: string; payload: string }[];
    const waiting = inbox();
    if (waiting.length > 0) {
      expect(waiting.map((w) => w.kind)).toEqual(['delivery']);
      expect(waiting[0].payload).toContain(wamid);
    } else {
      expect((await message()).status).toBe('delivered');
    }
    await m.deps.webhooks.settle();
    expect(await message()).toEqual({ status: 'delivered', delivered_at: at * 1000, cost_minor: 14 });
    expect(inbox()).toEqual([]);
    // The provider page counts the event once applied.
    const providers = await call('GET', '/v1/providers');
    const wa = providers.items.find((p: { provider: string }) => p.provider === 'whatsapp');
    expect(wa.deliveries).toMatchObject({ received: 1, stored: 1, eventsApplied: 1 });
  });

  it('stays off when the hooks differ from those the worker wires, and ingestion stays on the request thread', async () => {
    const extra = async function auditTrail() {};
    m.deps.ingestor.afterApply.push(extra);
    const logged: string[] = [];
    try {
      expect(sameHooks(hookSignature(m.deps.ingestor), { costing: 'Budgets', afterApply: ['onEventsApplied', 'recordFeedback'] })).toBe(false);
      const w = await startIngestWorker({ db: m.db, config: m.config, ingestor: m.deps.ingestor, accounts: m.deps.accounts, secretKeys: m.secrets.keys, customClock: false, log: (s) => logged.push(s) });
      expect(w).toBeNull();
      expect(logged.join('\n')).toMatch(/differ/);
    } finally {
      m.deps.ingestor.afterApply.pop();
    }
  });

  it('stores events named by campaign and recipient or by provider id, and orphans, the same way through the worker', async () => {
    const T0 = Date.now();
    const sms = (await m.deps.campaigns.create(m.accountId, { name: 'Flash', channel: 'sms', sendAt: T0 - DAY, status: 'completed' })).id;
    const reg = await m.deps.ingestor.register(m.accountId, sms, [{ recipient: { phone: '+33612345601' }, registeredAt: T0 - DAY, provider: 'twilio', providerMessageId: 'SM0001' }]);
    if (!reg.ok) throw new Error(reg.message);
    const messageId = reg.value[0].messageId;
    const iso = (ms: number) => new Date(ms).toISOString();
    const post = await m.app.inject({
      method: 'POST', url: '/v1/events', headers: m.auth,
      payload: {
        events: [
          // Named by Mesure's id.
          { type: 'sent', messageId, at: iso(T0 - DAY + 1_000) },
          // Named by campaign and recipient, written as the person typed it.
          { type: 'delivered', campaignId: sms, recipient: '06 12 34 56 01', at: iso(T0 - DAY + 5_000) },
          // A recipient not registered yet: kept until it is.
          { type: 'delivered', campaignId: sms, recipient: '+33612345602', at: iso(T0 - DAY + 6_000) },
        ],
      },
    });
    expect(post.statusCode, post.body).toBe(200);
    expect(post.json()).toMatchObject({ received: 3, applied: 2, duplicates: 0, pending: 1 });
    const detail = await call('GET', `/v1/campaigns/${sms}`);
    expect(detail.figures).toMatchObject({ audience: 1, sent: 1, delivered: 1 });
    const row = m.db.sqlite!.prepare('SELECT status, provider, provider_message_id FROM messages WHERE id = ?').get(messageId);
    expect(row).toEqual({ status: 'delivered', provider: 'twilio', provider_message_id: 'SM0001' });
    // A later event names the message by the provider's id.
    const byProvider = await m.app.inject({ method: 'POST', url: '/v1/events/single', headers: m.auth, payload: { type: 'clicked', provider: 'twilio', providerMessageId: 'SM0001', at: iso(T0 - DAY + 60_000), url: 'https://shop.example/' } });
    expect(byProvider.json()).toMatchObject({ applied: 1, pending: 0 });
    // The waiting recipient is registered: its delivery applies.
    const second = await m.deps.ingestor.register(m.accountId, sms, [{ recipient: { phone: '+33612345602' }, registeredAt: T0 - DAY }]);
    expect(second).toMatchObject({ ok: true, value: [{ status: 'delivered' }] });
    expect((await call('GET', `/v1/campaigns/${sms}`)).figures).toMatchObject({ audience: 2, sent: 2, delivered: 2, clicked: 1 }); // a delivery implies the send
  });

  it('answers POST /v1/events once the events are in the log, and the account\'s next request sees them applied', async () => {
    const T0 = Date.now();
    const campaign = (await m.deps.campaigns.create(m.accountId, { name: 'Newsletter', channel: 'email', sendAt: T0 - 3 * DAY, status: 'completed' })).id;
    const N = 2_500;
    const reg = await m.deps.ingestor.register(m.accountId, campaign, Array.from({ length: N }, (_, i) => ({ recipient: { email: `r${i}@example.com` }, registeredAt: T0 - 3 * DAY })));
    if (!reg.ok) throw new Error(reg.message);
    // Every recipient: sent, delivered; the first 1,000 open; the first 400 of those click (twice for the first 100).
    // Posted clicks first and sends last, to show the order does not matter.
    const batch: { type: string; messageId: string; at: string; url?: string }[] = [];
    const iso = (ms: number) => new Date(ms).toISOString();
    reg.value.forEach((r, i) => {
      if (i < 400) batch.push({ type: 'clicked', messageId: r.messageId, at: iso(T0 - 2 * DAY), url: 'https://shop.example/a' });
      if (i < 100) batch.push({ type: 'clicked', messageId: r.messageId, at: iso(T0 - 2 * DAY + 60_000), url: 'https://shop.example/a' });
      if (i < 1_000) batch.push({ type: 'opened', messageId: r.messageId, at: iso(T0 - 2 * DAY - 60_000) });
      batch.push({ type: 'delivered', messageId: r.messageId, at: iso(T0 - 3 * DAY + 2_000) });
      batch.push({ type: 'sent', messageId: r.messageId, at: iso(T0 - 3 * DAY + 1_000) });
    });
    expect(batch).toHaveLength(400 + 100 + 1_000 + 2 * N); // 6,500

    const post = await m.app.inject({ method: 'POST', url: '/v1/events', headers: m.auth, payload: { events: batch } });
    expect(post.statusCode, post.body).toBe(200);
    expect(post.json()).toMatchObject({ received: 6_500, applied: 6_500, duplicates: 0, pending: 0 });
    // Answered: every event is in the log already.
    const stored = () => m.db.sqlite!.prepare('SELECT count(*) FROM events WHERE account_id = ?').pluck().get(m.accountId);
    expect(stored()).toBe(6_500);

    // The next request of the account waits until they are applied to messages and daily counts.
    const detail = await call('GET', `/v1/campaigns/${campaign}`);
    expect(detail.figures).toMatchObject({ audience: N, sent: N, delivered: N, opened: 1_000, clicked: 400, totalClicks: 500 });
    expect(m.db.sqlite!.prepare('SELECT count(*) FROM ingest_inbox').pluck().get()).toBe(0);
    const byStatus = m.db.sqlite!.prepare('SELECT status, count(*) AS n FROM messages WHERE account_id = ? GROUP BY status ORDER BY status').all(m.accountId);
    // A message's status is its furthest step: 400 clicked, 1,000 − 400 opened, 2,500 − 1,000 delivered.
    expect(byStatus).toEqual([{ status: 'clicked', n: 400 }, { status: 'delivered', n: 1_500 }, { status: 'opened', n: 600 }]);

    // The same batch again changes nothing.
    const again = await m.app.inject({ method: 'POST', url: '/v1/events', headers: m.auth, payload: { events: batch } });
    expect(again.json()).toMatchObject({ received: 6_500, applied: 0, duplicates: 6_500 });
    expect((await call('GET', `/v1/campaigns/${campaign}`)).figures).toMatchObject({ sent: N, opened: 1_000, clicked: 400, totalClicks: 500 });

    // Refusals are unchanged: an unknown message is named, nothing stored.
    const bad = await m.app.inject({ method: 'POST', url: '/v1/events', headers: m.auth, payload: { events: [batch[0], { type: 'sent', messageId: 'msg_unknown', at: iso(T0) }] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details).toEqual([{ path: '/events/1/messageId', message: 'no message msg_unknown in this account' }]);
    expect(stored()).toBe(6_500);
  });
});

describe('ingestion inbox [sqlite]', () => {
  it('applies API events a stopped process acknowledged, once, before the next process answers a read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesure-inbox-'));
    const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'mesure.db')}`, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://mesure.test' });
    try {
      // The first process acknowledges the events as the worker does (Inbox.appendEvents: the event log and the inbox
      // rows in one commit) and stops before applying any of them. Stopping a live worker "in the middle" was a race:
      // on a loaded machine the worker applied all 16 rows while the main thread was still closing the server. Here no
      // loop runs: without the worker (MESURE_INGEST_WORKER=0) the server applies only what it finds at its start, and
      // this inbox is stopped before it appends, so its rows stay as a killed process would leave them.
      const saved = process.env.MESURE_INGEST_WORKER;
      process.env.MESURE_INGEST_WORKER = '0';
      const first = await assemble(config).finally(() => {
        if (saved === undefined) delete process.env.MESURE_INGEST_WORKER;
        else process.env.MESURE_INGEST_WORKER = saved;
      });
      const account = await first.deps.accounts.create({ name: 'Shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
      const key = await first.deps.accounts.createKey(account.id, 'test', 'owner');
      const T0 = Date.now();
      const sms = await first.deps.campaigns.create(account.id, { name: 'Soldes', channel: 'sms', sendAt: T0 - DAY, status: 'completed' });
      const N = 2_000;
      const reg = await first.deps.ingestor.register(account.id, sms.id, Array.from({ length: N }, (_, i) => ({ recipient: { phone: `+336123${String(i).padStart(5, '0')}` }, registeredAt: T0 - DAY })));
      if (!reg.ok) throw new Error(reg.message);
      const events = reg.value.flatMap((r) => [
        { type: 'sent' as const, at: T0 - DAY + 1_000, ref: { kind: 'id' as const, messageId: r.messageId } },
        { type: 'delivered' as const, at: T0 - DAY + 5_000, ref: { kind: 'id' as const, messageId: r.messageId } },
      ]);
      const d = first.deps;
      const inbox = new Inbox(first.db, d.writer, d.tracking, d.webhooks, d.ingestor, () => {});
      await inbox.stop();
      const ack = await inbox.appendEvents(account.id, events);
      expect(ack.outcome).toMatchObject({ ok: true, value: { applied: 2 * N } });
      await first.close();
      // 2 × 2,000 events, 250 to a row (EVENTS_PER_ROW): 16 rows wait in the inbox, none applied.
      const probe = new Database(join(dir, 'mesure.db'), { readonly: true });
      const waiting = probe.prepare("SELECT count(*) FROM ingest_inbox WHERE kind = 'events'").pluck().get() as number;
      const deliveredYet = probe.prepare('SELECT count(*) FROM messages WHERE account_id = ? AND delivered_at IS NOT NULL').pluck().get(account.id) as number;
      probe.close();
      expect(waiting).toBe((2 * N) / 250);
      expect(deliveredYet).toBe(0);

      const second = await assemble(config);
      try {
        const r = await second.app.inject({ method: 'GET', url: `/v1/campaigns/${sms.id}`, headers: { authorization: `Bearer ${key.token}` } });
        expect(r.statusCode, r.body).toBe(200);
        expect(r.json().figures).toMatchObject({ audience: N, sent: N, delivered: N });
        const counts = second.db.sqlite!.prepare('SELECT sum(sent) AS sent, sum(delivered) AS delivered FROM campaign_days WHERE account_id = ?').get(account.id);
        expect(counts).toEqual({ sent: N, delivered: N });
        expect(second.db.sqlite!.prepare('SELECT count(*) FROM ingest_inbox').pluck().get()).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps what it acknowledged across a restart: rows left in the inbox are applied at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesure-inbox-'));
    const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'mesure.db')}`, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://mesure.test' });
    try {
      const first = await assemble(config);
      const d = first.deps;
      const account = await d.accounts.create({ name: 'Shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
      const T0 = Date.now();
      const sms = await d.campaigns.create(account.id, { name: 'Soldes', channel: 'sms' });
      const reg = await d.ingestor.register(account.id, sms.id, [{ recipient: { phone: '+33612345601' }, registeredAt: T0 - DAY }]);
      if (!reg.ok) throw new Error(reg.message);
      const messageId = reg.value[0].messageId;
      const ev = await d.ingestor.ingest(account.id, [{ type: 'delivered', at: T0 - DAY, ref: { kind: 'id', messageId } }]);
      if (!ev.ok) throw new Error(ev.message);
      await d.tracking.registerDestinations(account.id, sms.id, ['https://shop.example/soldes']);
      const issued = await d.tracking.issue(account.id, sms.id, { all: true });
      if (!issued.ok) throw new Error(issued.message);
      const token = issued.value.messages[0].links[0].token;
      // Two clicks acknowledged by a process that stopped before applying them: the rows it left in its inbox.
      const visit = (id: string, at: number) => JSON.stringify({
        accountId: account.id, messageId, campaignId: sms.id, kind: 'clicked', url: 'https://shop.example/soldes', token, id, at,
        req: { method: 'GET', userAgent: CHROME },
      });
      const insert = first.db.sqlite!.prepare('INSERT INTO ingest_inbox (account_id, seq, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)');
      insert.run(account.id, 1, 'visit', visit('click-one', T0 - 60_000), T0 - 60_000);
      // A row that cannot be applied (its payload was damaged) must not block the others, nor be thrown away.
      insert.run(account.id, 2, 'visit', '{"accountId": "damaged', T0 - 45_000);
      insert.run(account.id, 3, 'visit', visit('click-two', T0 - 30_000), T0 - 30_000);
      await first.close();

      const second = await assemble(config);
      try {
        const clicks = () => second.db.kysely.selectFrom('messages').select(['clicks', 'clicked_at']).where('account_id', '=', account.id).where('id', '=', messageId).executeTakeFirstOrThrow();
        // Applied by the new worker on its own, without anyone asking.
        const deadline = Date.now() + 10_000;
        while ((await clicks()).clicks < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(await clicks()).toEqual({ clicks: 2, clicked_at: T0 - 60_000 });
        // The damaged row is set aside after its tries (the start's and two alone), with its error, counted and logged;
        // the inbox is empty. (flush: the worker's report of it has reached this thread.)
        await second.deps.tracking.flush();
        expect(second.db.sqlite!.prepare('SELECT seq FROM ingest_inbox').pluck().all()).toEqual([]);
        const letters = second.db.sqlite!.prepare('SELECT seq, kind, tries, payload, error FROM ingest_dead_letters').all() as { error: string }[];
        expect(letters).toMatchObject([{ seq: 2, kind: 'visit', tries: 3, payload: '{"accountId": "damaged' }]);
        expect(letters[0].error).toMatch(/JSON/);
        expect(second.deps.tracking.stats.applyFailures).toBe(1);
        const stored = await second.db.kysely.selectFrom('events').select(['dedupe_key']).where('account_id', '=', account.id).where('type', '=', 'clicked').orderBy('at').execute();
        expect(stored.map((e) => e.dedupe_key)).toEqual(['pe:tracking:click-one', 'pe:tracking:click-two']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
