// The SQLite ingestion worker thread dying must not stall ingestion: the request thread notices, starts a new one
// by itself (so what the dead one acknowledged is applied without waiting for new traffic), and in the meantime
// answers requests (a 503 to retry, or stored), never hangs. Over a listening server; SQLite only (PostgreSQL has no
// worker).
import { createHmac } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMesure, type TestMesure } from './support';
import type { IngestWorker } from '../src/services/ingestWorker';

const WA_SECRET = 'wa-app-secret-worker-death';

describe('hardening: the ingestion worker thread dies', () => {
  let m: TestMesure;
  let base: string;
  let worker: IngestWorker;
  const wamids = ['wamid.WORKERDEATH00000000000000000001', 'wamid.WORKERDEATH00000000000000000002'];

  const waBody = (wamid: string, at: number) => JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '1' }, statuses: [{ id: wamid, status: 'delivered', timestamp: String(at), recipient_id: '33612345601' }] } }] }],
  });
  const deliver = (body: string) => fetch(`${base}/webhooks/whatsapp/${m.accountId}`, {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', WA_SECRET).update(body).digest('hex')}` },
  });
  const statusOf = async (wamid: string) => (await m.db.kysely.selectFrom('messages').select('status').where('account_id', '=', m.accountId).where('provider_message_id', '=', wamid).executeTakeFirstOrThrow()).status;

  beforeAll(async () => {
    m = await makeMesure('sqlite');
    worker = m.deps.webhooks.offload as IngestWorker;
    expect(worker, 'the SQLite ingestion worker runs').toBeDefined();
    expect((await m.app.inject({ method: 'PUT', url: '/v1/providers/whatsapp/secret', headers: m.auth, payload: { secret: `${WA_SECRET}:verify` } })).statusCode).toBe(204);
    const c = await m.deps.campaigns.create(m.accountId, { name: 'WhatsApp', channel: 'whatsapp' });
    const r = await m.deps.ingestor.register(m.accountId, c.id, wamids.map((wamid, i) => ({ recipient: { phone: `+3361234560${i + 1}` }, provider: 'whatsapp', providerMessageId: wamid })));
    if (!r.ok) throw new Error('register failed');
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await m?.cleanup();
  });

  it('starts a new worker by itself, answers meanwhile, and stores what comes next', async () => {
    const first = await deliver(waBody(wamids[0], Math.floor(Date.now() / 1000) - 60));
    expect(first.status).toBe(200);
    const restartsBefore = worker.stats.restarts;
    // The thread dies (as an out-of-memory or a native crash would end it).
    await (worker as unknown as { worker: Worker }).worker.terminate();

    // No request is made: the request thread starts a new worker on its own, within its first delay (0.5 s).
    const deadline = Date.now() + 5_000;
    while (worker.stats.restarts === restartsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(worker.stats.restarts).toBe(restartsBefore + 1);
    await worker.started;
    await m.deps.webhooks.settle();
    expect(await statusOf(wamids[0])).toBe('delivered');

    // The next delivery is stored and applied by the new worker.
    const next = await deliver(waBody(wamids[1], Math.floor(Date.now() / 1000) - 30));
    expect(next.status).toBe(200);
    await m.deps.webhooks.settle();
    expect(await statusOf(wamids[1])).toBe('delivered');
  });

  it('answers 503 (retry) rather than hanging while the worker is down and restarting', async () => {
    await (worker as unknown as { worker: Worker }).worker.terminate();
    // Right after the death, before the restart delay has passed.
    const r = await deliver(waBody(wamids[1], Math.floor(Date.now() / 1000) - 10));
    expect(r.status).toBe(503);
    expect((await r.json()).message).toMatch(/ingestion worker is restarting.*retry/i);
    const events = await m.app.inject({ method: 'POST', url: '/v1/events', headers: m.auth, payload: { events: [{ type: 'delivered', providerEventId: 'ev-worker-down', messageId: 'msg_unknown', at: new Date().toISOString() }] } });
    expect(events.statusCode).toBe(503);
  });
});
