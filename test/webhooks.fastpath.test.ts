// Provider webhooks over a real listening server, where node:http answers deliveries before Fastify (the fast path):
// each answer must be the router's (app.inject goes through the router), signatures are checked the same way
// (Twilio's over the URL it called), and what the fast path does not take (oversized, chunked, other types) still
// gets the router's answer. Both engines; on SQLite files the ingestion worker's inbox is in the way, so the test
// waits for it (`settle`) before reading what was applied.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import twilioLib from 'twilio';
import { forEachEngine, makeMesure, type Engine, type TestMesure } from './support';

const WA_SECRET = 'wa-app-secret-fastpath';
const TWILIO_TOKEN = 'twilio-auth-token-fastpath-0123456';

forEachEngine('provider webhooks fast path over real HTTP', (engine: Engine) => {
  let m: TestMesure;
  let base: string;
  let messageId: string;
  const wamid = 'wamid.FASTPATH0000000000000000000000001';
  const smsSid = 'SM0123456789abcdef0123456789abcdef';

  const waBody = (status: string, at: number) => JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '1' }, statuses: [{ id: wamid, status, timestamp: String(at), recipient_id: '33612345601' }] } }] }],
  });
  const sign = (body: string, secret = WA_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${base}${path}`, { method: 'POST', body, headers });
  const routed = (path: string, body: string, headers: Record<string, string>) => m.app.inject({ method: 'POST', url: path, payload: body, headers });
  const message = () => m.db.kysely.selectFrom('messages').select(['status', 'delivered_at', 'opened_at']).where('account_id', '=', m.accountId).where('id', '=', messageId).executeTakeFirstOrThrow();

  beforeAll(async () => {
    m = await makeMesure(engine);
    for (const [provider, secret] of [['whatsapp', `${WA_SECRET}:verify`], ['twilio', TWILIO_TOKEN]]) {
      const r = await m.app.inject({ method: 'PUT', url: `/v1/providers/${provider}/secret`, headers: m.auth, payload: { secret } });
      expect(r.statusCode).toBe(204);
    }
    const wa = await m.deps.campaigns.create(m.accountId, { name: 'WhatsApp', channel: 'whatsapp' });
    const sms = await m.deps.campaigns.create(m.accountId, { name: 'SMS', channel: 'sms' });
    const a = await m.deps.ingestor.register(m.accountId, wa.id, [{ recipient: { phone: '+33612345601' }, provider: 'whatsapp', providerMessageId: wamid }]);
    const b = await m.deps.ingestor.register(m.accountId, sms.id, [{ recipient: { phone: '+33612345602' }, provider: 'twilio', providerMessageId: smsSid }]);
    if (!a.ok || !b.ok) throw new Error('register failed');
    messageId = a.value[0].messageId;
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(m.app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await m?.cleanup();
  });

  it('stores a signed WhatsApp status and answers as the router does; a redelivery changes nothing', async () => {
    const at = Math.floor(Date.now() / 1000) - 120;
    const body = waBody('delivered', at);
    const r = await post(`/webhooks/whatsapp/${m.accountId}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await r.json()).toEqual({ stored: true, events: 1, skipped: 0, optChanges: 0 });
    await m.deps.webhooks.settle();
    expect(await message()).toEqual({ status: 'delivered', delivered_at: at * 1000, opened_at: null });
    // The same delivery through the router: the same answer, and still one delivery applied.
    const again = await routed(`/webhooks/whatsapp/${m.accountId}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ stored: true, events: 1, skipped: 0, optChanges: 0 });
    await m.deps.webhooks.settle();
    const events = await m.db.kysely.selectFrom('events').select(['type']).where('account_id', '=', m.accountId).where('message_id', '=', messageId).execute();
    expect(events).toEqual([{ type: 'delivered' }]);
  });

  it('refuses a wrong or missing signature with the router answers, storing nothing', async () => {
    const body = waBody('read', Math.floor(Date.now() / 1000) - 60);
    const path = `/webhooks/whatsapp/${m.accountId}`;
    const variants: Record<string, string>[] = [
      { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, 'another-secret') },
      { 'content-type': 'application/json' },
    ];
    for (const headers of variants) {
      const fast = await post(path, body, headers);
      const viaRouter = await routed(path, body, headers);
      expect(fast.status).toBe(viaRouter.statusCode);
      expect(await fast.json()).toEqual(viaRouter.json());
    }
    expect((await post(path, body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(path, body, { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, 'x') })).status).toBe(403);
    // Unknown account: the same 403 as a wrong signature.
    expect((await post('/webhooks/whatsapp/acc_unknown', body, { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) })).status).toBe(403);
    await m.deps.webhooks.settle();
    expect((await message()).opened_at).toBeNull();
  });

  it('checks Twilio signatures over the URL Twilio called, form-encoded', async () => {
    const fields = { MessageSid: smsSid, MessageStatus: 'delivered', To: '+33612345602', AccountSid: 'AC0123' };
    const path = `/webhooks/twilio/${m.accountId}`;
    const signature = twilioLib.getExpectedTwilioSignature(TWILIO_TOKEN, `http://mesure.test${path}`, fields);
    const r = await post(path, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(await r.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    const tampered = await post(path, new URLSearchParams({ ...fields, MessageStatus: 'failed' }).toString(), { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature });
    expect(tampered.status).toBe(403);
    await m.deps.webhooks.settle();
    const sms = await m.db.kysely.selectFrom('messages').select(['status']).where('account_id', '=', m.accountId).where('provider_message_id', '=', smsSid).executeTakeFirstOrThrow();
    expect(sms.status).toBe('delivered');
  });

  it('answers malformed JSON 400 before any signature check, as the router does', async () => {
    const path = `/webhooks/whatsapp/${m.accountId}`;
    const fast = await post(path, '{"object":', { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' });
    const viaRouter = await routed(path, '{"object":', { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' });
    expect(fast.status).toBe(400);
    expect(viaRouter.statusCode).toBe(400);
    expect((await fast.json()).message).toBe(viaRouter.json().message);
  });

  it('leaves oversized, chunked and other bodies to the router (413, 415)', async () => {
    const limit = m.config.http.bodyLimitBytes;
    const big = `{"pad":"${'x'.repeat(limit)}"}`;
    const tooBig = await post(`/webhooks/whatsapp/${m.accountId}`, big, { 'content-type': 'application/json', 'x-hub-signature-256': sign(big) });
    expect(tooBig.status).toBe(413);
    const text = await post(`/webhooks/whatsapp/${m.accountId}`, 'hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    // A chunked body (no Content-Length) still goes through the router and is stored.
    const at = Math.floor(Date.now() / 1000) - 30;
    const body = waBody('read', at);
    const chunked = await fetch(`${base}/webhooks/whatsapp/${m.accountId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) },
      body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(body)); c.close(); } }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(200);
    await m.deps.webhooks.settle();
    expect((await message()).opened_at).toBe(at * 1000);
  });

  it('takes every generic provider on the fast path, and leaves Shopify and Stripe to their own routes', async () => {
    // Which path called the service: the fast path hands the adapter its JSON parse (RawRequest.json), the route does not.
    const webhooks = m.deps.webhooks;
    const receive = webhooks.receive;
    const seen: string[] = [];
    webhooks.receive = (provider, accountId, raw, urls) => {
      seen.push(`${provider} ${'json' in raw ? 'fast path' : 'router'}`);
      return receive.call(webhooks, provider, accountId, raw, urls);
    };
    try {
      for (const provider of ['whatsapp', 'twilio', 'sendgrid', 'mailgun', 'postmark']) {
        // Unsigned: refused, which is enough to see who answered.
        const r = await post(`/webhooks/${provider}/${m.accountId}`, '{"unsigned":true}', { 'content-type': 'application/json' });
        expect(r.status, provider).toBe(401);
      }
      const shopify = await post(`/webhooks/shopify/${m.accountId}`, '{}', { 'content-type': 'application/json' });
      expect(await shopify.json()).toMatchObject({ message: 'Shopify signature refused: missing Shopify HMAC header.' });
      const stripe = await post(`/webhooks/stripe/${m.accountId}`, '{}', { 'content-type': 'application/json' });
      expect(stripe.status).toBe(401);
      expect((await stripe.json()).message).toMatch(/^Missing body or Stripe-Signature header/);
    } finally {
      webhooks.receive = receive;
    }
    expect(seen).toEqual(['whatsapp fast path', 'twilio fast path', 'sendgrid fast path', 'mailgun fast path', 'postmark fast path']);
  });
});
