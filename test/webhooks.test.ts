// Provider webhooks end to end, through the HTTP routes, on SQLite and PostgreSQL: secrets, signatures computed
// with the providers' real algorithms (the official twilio library signs; @sendgrid/eventwebhook checks our
// ECDSA signatures), statuses in any order, duplicates, error codes, replies, opt-outs, replays and refusals.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import twilioLib from 'twilio';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachEngine, makeMesure, type TestMesure } from './support';

const T0 = Date.parse('2026-03-10T10:00:00Z');
const sec = (ms: number) => String(Math.floor(ms / 1000));

const WA_APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const WA_VERIFY_TOKEN = 'verify-token-42';
const TWILIO_TOKEN = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const MAILGUN_KEY = 'key-mailgun-signing-3f9c1d';
const POSTMARK_CREDENTIALS = 'mesure:Long-Random-Password-77';
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SENDGRID_PUBLIC_KEY = sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const sendgridLibrary = new EventWebhook();

forEachEngine('provider webhooks', (engine) => {
  let m: TestMesure;
  let now = T0;
  let seq = 0;
  const uid = (p: string) => `${p}${++seq}${engine[0]}`;
  const phone = () => `+336${String(10_000_000 + ++seq).slice(-8)}`;

  beforeAll(async () => {
    m = await makeMesure(engine, { clock: () => now });
    for (const [provider, secret] of [
      ['whatsapp', `${WA_APP_SECRET}:${WA_VERIFY_TOKEN}`],
      ['twilio', TWILIO_TOKEN],
      ['sendgrid', SENDGRID_PUBLIC_KEY],
      ['mailgun', MAILGUN_KEY],
      ['postmark', POSTMARK_CREDENTIALS],
    ]) {
      const r = await m.app.inject({ method: 'PUT', url: `/v1/providers/${provider}/secret`, headers: m.auth, payload: { secret } });
      expect(r.statusCode, r.body).toBe(204);
    }
  });
  afterAll(async () => {
    await m?.cleanup();
  });

  // ---------------------------------------------------------------- helpers
  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const r = await m.app.inject({ method, url, headers: m.auth, payload: payload as object });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };
  const campaign = async (channel: string): Promise<string> => (await api('POST', '/v1/campaigns', { name: uid('c'), channel })).id;
  const register = (campaignId: string, messages: object[]) => api('POST', `/v1/campaigns/${campaignId}/messages`, { messages });
  const detail = (campaignId: string) => api('GET', `/v1/campaigns/${campaignId}`);
  const recipients = async (campaignId: string) => (await api('GET', `/v1/campaigns/${campaignId}/recipients?limit=100`)).items;
  const notSent = async (campaignId: string) =>
    Object.fromEntries(((await detail(campaignId)).notSent as { reason: string; count: number }[]).map((r) => [r.reason, r.count]));
  const eventCount = async () => Number((await m.db.kysely.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const orphanCount = async () => Number((await m.db.kysely.selectFrom('orphan_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const suppression = (channel: string, address: string) =>
    m.db.kysely.selectFrom('suppressions').selectAll().where('account_id', '=', m.accountId).where('channel', '=', channel).where('address', '=', address).executeTakeFirst();
  const message = (id: string) => m.db.kysely.selectFrom('messages').selectAll().where('account_id', '=', m.accountId).where('id', '=', id).executeTakeFirstOrThrow();

  const post = (provider: string, body: string | Buffer, headers: Record<string, string>, suffix = '', accountId = m.accountId) =>
    m.app.inject({ method: 'POST', url: `/webhooks/${provider}/${accountId}${suffix}`, headers, payload: body });

  // WhatsApp Cloud API: X-Hub-Signature-256 = hex HMAC-SHA256 of the raw body with the app secret.
  const waSign = (body: string, secret = WA_APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const waEnvelope = (value: object, field = 'messages') =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ field, value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' }, ...value } }] }],
    });
  const waStatus = (wamid: string, status: string, at: number, recipient: string, extra: object = {}) => ({
    id: wamid, status, timestamp: sec(at), recipient_id: recipient.slice(1), ...extra,
  });
  const waPost = (body: string, accountId = m.accountId, signature = waSign(body)) =>
    post('whatsapp', body, { 'content-type': 'application/json', 'x-hub-signature-256': signature }, '', accountId);
  const waPricing = { pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' } };

  // Twilio: X-Twilio-Signature computed by the official library over the URL Twilio called and the fields.
  const twPost = (fields: Record<string, string>, query = '', calledUrl = `http://mesure.test/webhooks/twilio/${m.accountId}${query}`, headers: Record<string, string> = {}) =>
    post('twilio', new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioLib.getExpectedTwilioSignature(TWILIO_TOKEN, calledUrl, fields),
      ...headers,
    }, query);

  // SendGrid: ECDSA P-256 over timestamp + body; the official library must accept what we send.
  const sgPost = (events: object[], timestamp = sec(now), body = JSON.stringify(events)) => {
    const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), { key: sendgridKeys.privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(sendgridLibrary.verifySignature(sendgridLibrary.convertPublicKeyToECDSA(SENDGRID_PUBLIC_KEY), body, signature, timestamp)).toBe(true);
    return post('sendgrid', body, {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
    });
  };

  // Mailgun: hex HMAC-SHA256 of timestamp + token with the webhook signing key.
  const mgBody = (eventData: object, token: string, timestamp = sec(now)) =>
    JSON.stringify({ signature: { timestamp, token, signature: createHmac('sha256', MAILGUN_KEY).update(timestamp + token).digest('hex') }, 'event-data': eventData });
  const mgPost = (body: string) => post('mailgun', body, { 'content-type': 'application/json' });

  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

  /** How the events of the deliveries made by `send` fared, from the per-provider counts the owner sees. */
  const tallied = async <T>(provider: string, send: () => Promise<T>) => {
    const counts = async () => (await api('GET', '/v1/providers')).items.find((p: { provider: string }) => p.provider === provider).deliveries;
    const before = await counts();
    const result = await send();
    const after = await counts();
    return { result, applied: after.eventsApplied - before.eventsApplied, pending: after.eventsPending - before.eventsPending, duplicates: after.eventsDuplicate - before.eventsDuplicate };
  };

  // ---------------------------------------------------------------- secrets
  describe('secrets', () => {
    it('lists every provider with its URL and whether a secret is set, never the secret', async () => {
      const r = await m.app.inject({ method: 'GET', url: '/v1/providers', headers: m.auth });
      expect(r.statusCode).toBe(200);
      const items = r.json().items as { provider: string; configured: boolean; updatedAt: string; webhookUrl: string }[];
      expect(items.map((i) => i.provider)).toEqual(['whatsapp', 'twilio', 'sendgrid', 'mailgun', 'postmark']);
      const base = `http://mesure.test/webhooks`;
      expect(items.map((i) => i.webhookUrl)).toEqual([
        `${base}/whatsapp/${m.accountId}`,
        `${base}/twilio/${m.accountId}`,
        `${base}/sendgrid/${m.accountId}`,
        `${base}/mailgun/${m.accountId}`,
        `http://<user>:<password>@mesure.test/webhooks/postmark/${m.accountId}`,
      ]);
      expect(items.every((i) => i.configured && i.updatedAt === new Date(T0).toISOString())).toBe(true);
      for (const secret of [WA_APP_SECRET, WA_VERIFY_TOKEN, TWILIO_TOKEN, SENDGRID_PUBLIC_KEY, MAILGUN_KEY, 'Long-Random-Password-77']) {
        expect(r.body).not.toContain(secret);
      }
    });

    it('refuses a secret that cannot be the provider’s, an unknown provider, extra fields and a non-owner', async () => {
      const put = (provider: string, payload: object, headers = m.auth) => m.app.inject({ method: 'PUT', url: `/v1/providers/${provider}/secret`, headers, payload });
      const badKey = await put('sendgrid', { secret: 'not-a-key' });
      expect(badKey.statusCode).toBe(400);
      expect(badKey.json().message).toMatch(/verification key/);
      expect((await put('postmark', { secret: 'no-colon' })).statusCode).toBe(400);
      expect((await put('shopify', { secret: 'x' })).statusCode).toBe(400);
      expect((await put('twilio', { secret: 'x', extra: 1 })).statusCode).toBe(400);
      expect((await put('twilio', { secret: '' })).statusCode).toBe(400);
      const analyst = await m.deps.accounts.createKey(m.accountId, 'analyst', 'analyst');
      const asAnalyst = await put('twilio', { secret: 'abc' }, { authorization: `Bearer ${analyst.token}` });
      expect(asAnalyst.statusCode).toBe(403);
      expect((await m.app.inject({ method: 'PUT', url: '/v1/providers/twilio/secret', payload: { secret: 'abc' } })).statusCode).toBe(401);
      // The stored token is unchanged: a Twilio callback signed with it still passes.
      const c = await campaign('sms');
      await register(c, [{ recipient: { phone: phone() }, provider: 'twilio', providerMessageId: uid('SM') }]);
      expect((await twPost({ MessageSid: uid('SM'), MessageStatus: 'sent', To: phone() })).statusCode).toBe(200);
    });

    it('a removed secret makes its webhooks refused, and setting it again restores them', async () => {
      const other = await m.deps.accounts.create({ name: 'Other shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
      const key = await m.deps.accounts.createKey(other.id, 'k', 'owner');
      const auth = { authorization: `Bearer ${key.token}` };
      const body = mgBody({ event: 'delivered', timestamp: Number(sec(now)), id: uid('ev'), recipient: 'a@example.com', message: { headers: { 'message-id': uid('mg') } } }, uid('tok'));
      expect((await m.app.inject({ method: 'PUT', url: '/v1/providers/mailgun/secret', headers: auth, payload: { secret: MAILGUN_KEY } })).statusCode).toBe(204);
      expect((await post('mailgun', body, { 'content-type': 'application/json' }, '', other.id)).statusCode).toBe(200);
      expect((await m.app.inject({ method: 'DELETE', url: '/v1/providers/mailgun/secret', headers: auth })).statusCode).toBe(204);
      const list = (await m.app.inject({ method: 'GET', url: '/v1/providers', headers: auth })).json().items;
      expect(list.find((p: { provider: string }) => p.provider === 'mailgun')).toMatchObject({ configured: false, updatedAt: null });
      const again = mgBody({ event: 'delivered', timestamp: Number(sec(now)), id: uid('ev'), recipient: 'a@example.com', message: { headers: { 'message-id': uid('mg') } } }, uid('tok'));
      expect((await post('mailgun', again, { 'content-type': 'application/json' }, '', other.id)).statusCode).toBe(403);
    });
  });

  // ---------------------------------------------------------------- refusals
  describe('refusals store nothing and tell nothing', () => {
    it('tampered body, wrong secret, unknown account, missing signature', async () => {
      const c = await campaign('whatsapp');
      const to = phone();
      const wamid = uid('wamid.');
      await register(c, [{ recipient: { phone: to }, provider: 'whatsapp', providerMessageId: wamid }]);
      const before = { events: await eventCount(), orphans: await orphanCount(), detail: await detail(c) };

      const body = waEnvelope({ statuses: [waStatus(wamid, 'delivered', now, to)] });
      const signature = waSign(body);
      const tampered = body.replace('"delivered"', '"read"');
      const tamperedAnswer = await waPost(tampered, m.accountId, signature);
      expect(tamperedAnswer.statusCode).toBe(403);
      const wrongSecret = await waPost(body, m.accountId, waSign(body, 'another-app-secret'));
      expect(wrongSecret.statusCode).toBe(403);
      const unknownAccount = await waPost(body, 'acc_does_not_exist');
      expect(unknownAccount.statusCode).toBe(403);
      // Same answer whether the account exists or not.
      expect(unknownAccount.json()).toEqual(wrongSecret.json());
      expect(unknownAccount.json().message).toBe('The webhook could not be verified.');
      const missingKnown = await post('whatsapp', body, { 'content-type': 'application/json' });
      const missingUnknown = await post('whatsapp', body, { 'content-type': 'application/json' }, '', 'acc_does_not_exist');
      expect([missingKnown.statusCode, missingUnknown.statusCode]).toEqual([401, 401]);
      expect(missingKnown.json()).toEqual(missingUnknown.json());
      // An account with no secret for this provider: the same 403.
      const bare = await m.deps.accounts.create({ name: 'No secrets', currency: 'EUR', timeZone: 'Europe/Paris' });
      expect((await waPost(body, bare.id)).statusCode).toBe(403);

      const twilioTampered = await post('twilio', `MessageSid=SMx&MessageStatus=delivered&To=${encodeURIComponent(to)}`, {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioLib.getExpectedTwilioSignature(TWILIO_TOKEN, `http://mesure.test/webhooks/twilio/${m.accountId}`, { MessageSid: 'SMx', MessageStatus: 'sent', To: to }),
      });
      expect(twilioTampered.statusCode).toBe(403);
      const postmarkWrong = await post('postmark', JSON.stringify({ RecordType: 'Delivery', MessageID: 'x', Recipient: 'a@example.com' }), { 'content-type': 'application/json', authorization: basic('mesure:guess') });
      expect(postmarkWrong.statusCode).toBe(403);
      const postmarkMissing = await post('postmark', JSON.stringify({ RecordType: 'Delivery', MessageID: 'x', Recipient: 'a@example.com' }), { 'content-type': 'application/json' });
      expect(postmarkMissing.statusCode).toBe(401);

      expect(await eventCount()).toBe(before.events);
      expect(await orphanCount()).toBe(before.orphans);
      expect(await detail(c)).toEqual(before.detail);
      // The owner sees why deliveries were refused; the caller never did.
      const wa = (await api('GET', '/v1/providers')).items.find((p: { provider: string }) => p.provider === 'whatsapp');
      expect(wa.deliveries.refused).toBeGreaterThanOrEqual(3);
      expect(wa.deliveries.lastRefusal.reason).toMatch(/signature|X-Hub/);
    });

    it('an unknown provider is 404; a body that is not the provider’s format is 400 once verified', async () => {
      expect((await post('sms77', '{}', { 'content-type': 'application/json' })).statusCode).toBe(404);
      const notWhatsApp = JSON.stringify({ object: 'page', entry: [] });
      const r = await waPost(notWhatsApp);
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toMatch(/whatsapp_business_account/);
    });
  });

  // ---------------------------------------------------------------- WhatsApp
  describe('WhatsApp Cloud API', () => {
    it('answers the subscribe handshake with the challenge as plain text only for the right verify token', async () => {
      const q = (token: string) => `hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;
      const ok = await m.app.inject({ method: 'GET', url: `/webhooks/whatsapp/${m.accountId}?${q(WA_VERIFY_TOKEN)}` });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/plain/);
      expect(ok.body).toBe('1158201444');
      expect((await m.app.inject({ method: 'GET', url: `/webhooks/whatsapp/${m.accountId}?${q('wrong')}` })).statusCode).toBe(403);
      expect((await m.app.inject({ method: 'GET', url: `/webhooks/whatsapp/acc_nope?${q(WA_VERIFY_TOKEN)}` })).statusCode).toBe(403);
      expect((await m.app.inject({ method: 'GET', url: `/webhooks/whatsapp/${m.accountId}?hub.mode=unsubscribe` })).statusCode).toBe(400);
    });

    it('statuses in reverse order and duplicated give the same figures as in order; pricing kept', async () => {
      const c = await campaign('whatsapp');
      const to = phone();
      const wamid = uid('wamid.HBgL');
      const reg = await register(c, [{ recipient: { phone: to }, provider: 'whatsapp', providerMessageId: wamid }]);
      const messageId = reg.messages[0].messageId;
      const read = waEnvelope({ statuses: [waStatus(wamid, 'read', T0 + 3000, to, waPricing)] });
      const delivered = waEnvelope({ statuses: [waStatus(wamid, 'delivered', T0 + 2000, to, waPricing)] });
      const sent = waEnvelope({ statuses: [waStatus(wamid, 'sent', T0 + 1000, to, { ...waPricing, conversation: { id: 'c1', origin: { type: 'marketing' } } })] });
      for (const body of [read, delivered, sent]) {
        const t = await tallied('whatsapp', () => waPost(body));
        expect(t.result.statusCode).toBe(200);
        expect(t.result.json()).toEqual({ stored: true, events: 1, skipped: 0, optChanges: 0 });
        expect(t).toMatchObject({ applied: 1, pending: 0, duplicates: 0 });
      }
      // The same delivery again (a provider retry): acknowledged, and its event is recognised as already stored.
      const dup = await tallied('whatsapp', () => waPost(read));
      expect(dup.result.statusCode).toBe(200);
      expect(dup).toMatchObject({ applied: 0, duplicates: 1 });
      // Same statuses re-sent in one new batch (different bytes): each event is a duplicate, nothing changes.
      const batch = await tallied('whatsapp', () => waPost(waEnvelope({ statuses: [waStatus(wamid, 'sent', T0 + 1000, to), waStatus(wamid, 'read', T0 + 3000, to)] })));
      expect(batch.result.json()).toMatchObject({ stored: true, events: 2 });
      expect(batch).toMatchObject({ applied: 0, duplicates: 2 });

      const f = (await detail(c)).figures;
      expect(f).toMatchObject({ audience: 1, sent: 1, delivered: 1, opened: 1, totalOpens: 1, undelivered: 0, openRate: 1 });
      const row = await message(messageId);
      expect(row).toMatchObject({ status: 'opened', pricing_category: 'marketing', sent_at: T0 + 1000, delivered_at: T0 + 2000, opened_at: T0 + 3000 });
    });

    it('a delivered message that later fails is undelivered; a failure before sending is "not sent" by reason', async () => {
      const c = await campaign('whatsapp');
      const codes: [number, string][] = [
        [131026, 'invalid_recipient'], [131050, 'opted_out'], [131049, 'limited_by_provider'], [131048, 'limited_by_provider'],
        [130429, 'rate_limited'], [131056, 'rate_limited'], [131047, 'outside_window'], [131000, 'provider_error'],
      ];
      const notSentOnes = codes.map(([code, reason]) => ({ code, reason, to: phone(), wamid: uid('wamid.') }));
      const late = { to: phone(), wamid: uid('wamid.') };
      await register(c, [...notSentOnes, late].map((x) => ({ recipient: { phone: x.to }, provider: 'whatsapp', providerMessageId: x.wamid })));
      const failures = notSentOnes.map((x) => waStatus(x.wamid, 'failed', T0 + 5000, x.to, { errors: [{ code: x.code, title: `error ${x.code}` }] }));
      const t = await tallied('whatsapp', () => waPost(waEnvelope({ statuses: failures })));
      expect(t.result.json()).toMatchObject({ events: 8 });
      expect(t.applied).toBe(8);
      // sent, delivered, then failed (131026 later): undelivered, not delivered.
      await waPost(waEnvelope({ statuses: [waStatus(late.wamid, 'sent', T0 + 1000, late.to), waStatus(late.wamid, 'delivered', T0 + 2000, late.to)] }));
      await waPost(waEnvelope({ statuses: [waStatus(late.wamid, 'failed', T0 + 9000, late.to, { errors: [{ code: 131026, title: 'Message undeliverable' }] })] }));

      expect(await notSent(c)).toEqual({
        invalid_recipient: 1, opted_out: 1, limited_by_provider: 2, rate_limited: 2, outside_window: 1, provider_error: 1,
      });
      const f = (await detail(c)).figures;
      expect(f).toMatchObject({ audience: 9, sent: 1, notSent: 8, delivered: 0, undelivered: 1, undeliveredRate: 1 });
      const rows = await recipients(c);
      expect(rows.find((r: { providerMessageId: string }) => r.providerMessageId === late.wamid)).toMatchObject({ status: 'undelivered', failureReason: 'invalid_recipient', failureCode: '131026' });
      expect(rows.find((r: { providerMessageId: string }) => r.providerMessageId === notSentOnes[7].wamid)).toMatchObject({ status: 'not_sent', failureCode: '131000' });
      // 131050 (stopped marketing messages) puts the number on the suppression list.
      expect(await suppression('whatsapp', notSentOnes[1].to)).toBeDefined();
      expect(await suppression('whatsapp', notSentOnes[0].to)).toBeUndefined();
    });

    it('replies count on the message they answer; STOP unsubscribes; marketing stop and resume move the number on and off the list', async () => {
      const c = await campaign('whatsapp');
      const [a, b] = [{ to: phone(), wamid: uid('wamid.') }, { to: phone(), wamid: uid('wamid.') }];
      await register(c, [a, b].map((x) => ({ recipient: { phone: x.to }, provider: 'whatsapp', providerMessageId: x.wamid })));
      await waPost(waEnvelope({ statuses: [waStatus(a.wamid, 'delivered', T0, a.to), waStatus(b.wamid, 'delivered', T0, b.to)] }));
      const reply = (x: { to: string; wamid: string }, text: string) => ({
        from: x.to.slice(1), id: uid('wamid.in'), timestamp: sec(T0 + 60_000), type: 'text', text: { body: text }, context: { from: '15550783881', id: x.wamid },
      });
      await waPost(waEnvelope({ contacts: [{ profile: { name: 'A' }, wa_id: a.to.slice(1) }], messages: [reply(a, 'Oui, je veux le code promo')] }));
      await waPost(waEnvelope({ messages: [reply(b, 'STOP')] }));
      const f = (await detail(c)).figures;
      // A reply proves delivery but is not an open (only a read is).
      expect(f).toMatchObject({ delivered: 2, replied: 2, unsubscribed: 1, opened: 0 });
      expect(await suppression('whatsapp', b.to)).toBeDefined();
      expect(await suppression('whatsapp', a.to)).toBeUndefined();
      const contact = await m.db.kysely.selectFrom('contacts').selectAll().where('account_id', '=', m.accountId).where('phone', '=', b.to).executeTakeFirstOrThrow();
      expect(contact.opt_out_whatsapp).not.toBeNull();

      const pref = (value: string) => waEnvelope({ user_preferences: [{ wa_id: a.to.slice(1), detail: 'User requested to stop marketing messages', category: 'marketing_messages', value, timestamp: Number(sec(now)) }] }, 'user_preferences');
      expect((await waPost(pref('stop'))).statusCode).toBe(200);
      expect(await suppression('whatsapp', a.to)).toMatchObject({ reason: 'whatsapp_marketing_stop', source: 'webhook:whatsapp' });
      expect((await m.db.kysely.selectFrom('contacts').select('opt_out_whatsapp').where('account_id', '=', m.accountId).where('phone', '=', a.to).executeTakeFirstOrThrow()).opt_out_whatsapp).toBe(now);
      expect((await waPost(pref('resume'))).statusCode).toBe(200);
      expect(await suppression('whatsapp', a.to)).toBeUndefined();
      expect((await m.db.kysely.selectFrom('contacts').select('opt_out_whatsapp').where('account_id', '=', m.accountId).where('phone', '=', a.to).executeTakeFirstOrThrow()).opt_out_whatsapp).toBeNull();
    });

    it('a status that arrives before its message is kept, and applied once the message is registered', async () => {
      const c = await campaign('whatsapp');
      const to = phone();
      const wamid = uid('wamid.early');
      const orphansBefore = await orphanCount();
      const t = await tallied('whatsapp', () => waPost(waEnvelope({ statuses: [waStatus(wamid, 'delivered', T0 + 2000, to, waPricing), waStatus(wamid, 'sent', T0 + 1000, to)] })));
      expect(t.result.json()).toMatchObject({ stored: true, events: 2 });
      expect(t).toMatchObject({ applied: 0, pending: 2 });
      expect(await orphanCount()).toBe(orphansBefore + 2);
      expect((await detail(c)).figures).toMatchObject({ audience: 0, sent: 0, delivered: 0 });
      const reg = await register(c, [{ recipient: { phone: to }, provider: 'whatsapp', providerMessageId: wamid }]);
      expect(reg.messages[0].status).toBe('delivered');
      expect((await detail(c)).figures).toMatchObject({ audience: 1, sent: 1, delivered: 1 });
      expect(await message(reg.messages[0].messageId)).toMatchObject({ pricing_category: 'marketing', sent_at: T0 + 1000 });
      // The same delivery again is a duplicate: the message stays as it is.
      await waPost(waEnvelope({ statuses: [waStatus(wamid, 'delivered', T0 + 2000, to, waPricing), waStatus(wamid, 'sent', T0 + 1000, to)] }));
      expect((await detail(c)).figures).toMatchObject({ audience: 1, sent: 1, delivered: 1 });
    });

    it('links by biz_opaque_callback_data, and falls back to the wamid when the echoed id is unknown', async () => {
      const c = await campaign('whatsapp');
      const to = phone();
      const reg = await register(c, [{ recipient: { phone: to } }]);
      const messageId = reg.messages[0].messageId;
      const wamid = uid('wamid.meta');
      const t = await tallied('whatsapp', () => waPost(waEnvelope({ statuses: [
        waStatus(wamid, 'sent', T0 + 1000, to, { biz_opaque_callback_data: `mid=${messageId}` }),
        waStatus(uid('wamid.stale'), 'sent', T0 + 1000, phone(), { biz_opaque_callback_data: 'mid=msg_unknown' }),
      ] })));
      expect(t.result.statusCode).toBe(200);
      expect(t.result.json()).toMatchObject({ events: 2 });
      expect(t).toMatchObject({ applied: 1, pending: 1 });
      expect(await message(messageId)).toMatchObject({ status: 'sent', provider: 'whatsapp', provider_message_id: wamid });
      // Later events that carry only the wamid now find the message.
      await waPost(waEnvelope({ statuses: [waStatus(wamid, 'delivered', T0 + 2000, to)] }));
      expect((await message(messageId)).status).toBe('delivered');
    });
  });

  // ---------------------------------------------------------------- Twilio
  describe('Twilio', () => {
    it('maps each error code: undelivered after sent, "not sent" before; 21610 and inbound STOP suppress the number', async () => {
      const c = await campaign('sms');
      const codes: [string, string][] = [
        ['30003', 'unreachable'], ['30004', 'blocked'], ['30005', 'invalid_recipient'], ['30006', 'invalid_recipient'],
        ['30007', 'spam_filtered'], ['30008', 'provider_error'], ['21610', 'opted_out'],
      ];
      const sentThenFailed = codes.map(([code, reason]) => ({ code, reason, to: phone(), sid: uid('SM') }));
      const failedAtOnce = codes.map(([code, reason]) => ({ code, reason, to: phone(), sid: uid('SM') }));
      await register(c, [...sentThenFailed, ...failedAtOnce].map((x) => ({ recipient: { phone: x.to }, provider: 'twilio', providerMessageId: x.sid })));
      for (const x of sentThenFailed) {
        // Reverse order: the failure first, then the "sent" it followed. Still undelivered, never sent-only.
        expect((await twPost({ MessageSid: x.sid, SmsSid: x.sid, MessageStatus: 'undelivered', SmsStatus: 'undelivered', ErrorCode: x.code, To: x.to, From: '+15017122661', AccountSid: 'AC1', ApiVersion: '2010-04-01' })).statusCode).toBe(200);
        now += 1000;
        const sent = await twPost({ MessageSid: x.sid, MessageStatus: 'sent', To: x.to, From: '+15017122661' });
        expect(sent.headers['content-type']).toMatch(/^text\/xml/);
        expect(sent.body).toContain('<Response></Response>');
      }
      for (const x of failedAtOnce) await twPost({ MessageSid: x.sid, MessageStatus: 'failed', ErrorCode: x.code, To: x.to });
      const f = (await detail(c)).figures;
      // Twilio callbacks carry no event time, so the late "sent" is stamped after the failure: a failure stays final
      // unless newer delivery evidence comes, and "sent" is not delivery evidence.
      expect(f).toMatchObject({ audience: 14, sent: 7, undelivered: 7, delivered: 0 });
      expect(await notSent(c)).toEqual({ unreachable: 1, blocked: 1, invalid_recipient: 2, spam_filtered: 1, provider_error: 1, opted_out: 1 });
      const rows = await recipients(c);
      for (const x of sentThenFailed) {
        expect(rows.find((r: { providerMessageId: string }) => r.providerMessageId === x.sid)).toMatchObject({ status: 'undelivered', failureReason: x.reason, failureCode: x.code });
      }
      expect(await suppression('sms', sentThenFailed[6].to)).toBeDefined();
      expect(await suppression('sms', failedAtOnce[6].to)).toBeDefined();
      expect(await suppression('sms', sentThenFailed[0].to)).toBeUndefined();

      // An inbound STOP from a number, linked to no message: still an opt-out; START takes it back.
      const stopper = phone();
      const stopFields = { MessageSid: uid('SMin'), From: stopper, To: '+15017122661', Body: 'Stop', SmsStatus: 'received', NumMedia: '0' };
      const stop = await twPost(stopFields);
      expect(stop.statusCode).toBe(200);
      expect(await suppression('sms', stopper)).toMatchObject({ reason: 'reply_stop', source: 'webhook:twilio' });
      await twPost({ MessageSid: uid('SMin'), From: stopper, To: '+15017122661', Body: 'START', SmsStatus: 'received' });
      expect(await suppression('sms', stopper)).toBeUndefined();
      // Twilio retrying the old STOP delivery (same bytes) does not opt the number out again.
      expect((await twPost(stopFields)).statusCode).toBe(200);
      expect(await suppression('sms', stopper)).toBeUndefined();
    });

    it('checks the URL as Twilio called it behind a proxy (with or without :443), links by callback parameters, keeps price and segments', async () => {
      const c = await campaign('sms');
      const to = phone();
      const reg = await register(c, [{ recipient: { phone: to } }]);
      const messageId = reg.messages[0].messageId;
      const sid = uid('SM');
      const query = `?mesure_message_id=${messageId}`;
      const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.shop.example' };
      const url = `https://hooks.shop.example:443/webhooks/twilio/${m.accountId}${query}`;
      const fields = { MessageSid: sid, MessageStatus: 'delivered', To: to, NumSegments: '2', Price: '-0.0075', PriceUnit: 'USD' };
      const r = await twPost(fields, query, url, proxied);
      expect(r.statusCode, r.body).toBe(200);
      const noPort = await twPost({ MessageSid: sid, MessageStatus: 'sent', To: to }, query, url.replace(':443', ''), proxied);
      expect(noPort.statusCode).toBe(200);
      // Signed for another host than the one the request names: refused.
      expect((await twPost({ MessageSid: sid, MessageStatus: 'read', To: to }, query, `https://evil.example/webhooks/twilio/${m.accountId}${query}`, proxied)).statusCode).toBe(403);
      // 0.0075 USD is 0.75 cent: 1 cent once rounded half away from zero.
      expect(await message(messageId)).toMatchObject({ status: 'delivered', segments: 2, cost_minor: 1, cost_state: 'committed', provider_message_id: sid });
      expect((await detail(c)).figures).toMatchObject({ sent: 1, delivered: 1, spend: 1 });
    });
  });

  // ---------------------------------------------------------------- SendGrid
  describe('SendGrid', () => {
    it('machine opens are kept out of human opens; a batch re-signed later is a duplicate; stale timestamps are refused', async () => {
      const c = await campaign('email');
      const email = `${uid('jeanne')}@example.com`;
      const sgId = uid('XBg2anf2Tq');
      await register(c, [{ recipient: { email }, provider: 'sendgrid', providerMessageId: sgId }]);
      const ts = Number(sec(T0));
      const fullId = `${sgId}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0`;
      const events = [
        { email, timestamp: ts + 30, event: 'open', sg_event_id: uid('ev'), sg_message_id: fullId, sg_machine_open: true, useragent: 'Mozilla/5.0' },
        { email, timestamp: ts + 10, event: 'delivered', sg_event_id: uid('ev'), sg_message_id: fullId, response: '250 OK' },
        { email, timestamp: ts, event: 'processed', sg_event_id: uid('ev'), sg_message_id: fullId },
        { email, timestamp: ts + 90, event: 'open', sg_event_id: uid('ev'), sg_message_id: fullId, sg_machine_open: false },
        { email, timestamp: ts + 120, event: 'click', sg_event_id: uid('ev'), sg_message_id: fullId, url: 'https://shop.example/soldes' },
      ];
      const body = JSON.stringify(events);
      const stale = await sgPost(events, sec(now - 6 * 60_000), body);
      expect(stale.statusCode).toBe(403);
      expect((await detail(c)).figures.delivered).toBe(0);
      const t = await tallied('sendgrid', () => sgPost(events, sec(now), body));
      expect(t.result.json()).toMatchObject({ stored: true, events: 5 });
      expect(t.applied).toBe(5);
      now += 30_000;
      const retried = await tallied('sendgrid', () => sgPost(events, sec(now), body));
      expect(retried.result.statusCode).toBe(200);
      expect(retried).toMatchObject({ applied: 0, duplicates: 5 });
      const f = (await detail(c)).figures;
      expect(f).toMatchObject({ delivered: 1, opened: 1, totalOpens: 1, machineOpens: 1, clicked: 1, totalClicks: 1, clickRate: 1 });
      expect((await detail(c)).links).toEqual([{ url: 'https://shop.example/soldes', totalClicks: 1, uniqueClicks: 1 }]);
    });

    it('bounce types, spam reports and unsubscribes', async () => {
      const c = await campaign('email');
      const [hard, soft, spam] = [uid('h'), uid('s'), uid('p')].map((p) => ({ email: `${p}@example.com`, id: uid('sg') }));
      await register(c, [hard, soft, spam].map((x) => ({ recipient: { email: x.email }, provider: 'sendgrid', providerMessageId: x.id })));
      const ts = Number(sec(T0));
      const r = await sgPost([
        { email: hard.email, timestamp: ts, event: 'bounce', type: 'bounce', bounce_classification: 'Invalid Address', status: '5.1.1', reason: 'unknown user', sg_event_id: uid('ev'), sg_message_id: `${hard.id}.filter1` },
        { email: soft.email, timestamp: ts, event: 'bounce', type: 'blocked', status: '4.7.1', reason: 'try later', sg_event_id: uid('ev'), sg_message_id: `${soft.id}.filter1` },
        { email: spam.email, timestamp: ts, event: 'delivered', sg_event_id: uid('ev'), sg_message_id: `${spam.id}.filter1` },
        { email: spam.email, timestamp: ts + 5, event: 'spamreport', sg_event_id: uid('ev'), sg_message_id: `${spam.id}.filter1` },
      ]);
      expect(r.statusCode).toBe(200);
      expect((await detail(c)).figures).toMatchObject({ sent: 3, delivered: 1, undelivered: 2, bouncesHard: 1, bouncesSoft: 1, abuseReports: 1, noLongerReachable: 1 });
      expect(await suppression('email', hard.email)).toBeDefined();
      expect(await suppression('email', soft.email)).toBeUndefined();
      expect(await suppression('email', spam.email)).toBeDefined();
    });
  });

  // ---------------------------------------------------------------- Mailgun
  describe('Mailgun', () => {
    it('a reused token with another body is refused; the same delivery again is a harmless duplicate; stale is refused', async () => {
      const c = await campaign('email');
      const email = `${uid('paul')}@example.com`;
      const mgId = `${uid('20260310')}.1@mg.shop.example`;
      await register(c, [{ recipient: { email }, provider: 'mailgun', providerMessageId: mgId }]);
      const data = (event: string, extra: object = {}) => ({ event, id: uid('mgev'), timestamp: Number(sec(T0)) + 10, recipient: email, message: { headers: { 'message-id': mgId } }, ...extra });
      const token = uid('token-').padEnd(50, 'x');
      const delivered = mgBody(data('delivered'), token);
      const t = await tallied('mailgun', () => mgPost(delivered));
      expect(t.result.json()).toMatchObject({ stored: true, events: 1 });
      expect(t.applied).toBe(1);
      const replay = mgBody(data('clicked', { url: 'https://shop.example/x' }), token);
      const refused = await mgPost(replay);
      expect(refused.statusCode).toBe(403);
      expect((await detail(c)).figures).toMatchObject({ delivered: 1, clicked: 0 });
      expect((await mgPost(delivered)).json()).toEqual({ stored: false, duplicate: true });
      const stale = mgBody(data('opened'), uid('token-'), sec(now - 10 * 60_000));
      expect((await mgPost(stale)).statusCode).toBe(403);
      expect((await detail(c)).figures).toMatchObject({ delivered: 1, opened: 0 });
      const fail = mgBody(data('failed', { severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 550, description: 'No such user' } }), uid('token-'));
      expect((await mgPost(fail)).statusCode).toBe(200);
      expect((await detail(c)).figures).toMatchObject({ sent: 1, delivered: 0, undelivered: 1, bouncesHard: 1 });
    });

    it('forgets tokens once their window has passed (after the answer)', async () => {
      const oldKeys = await m.db.kysely.selectFrom('webhook_replay_keys').select('key').where('account_id', '=', m.accountId).where('key', 'like', 'mailgun:%').execute();
      expect(oldKeys.length).toBeGreaterThan(0);
      now += 60 * 60_000;
      const c = await campaign('email');
      const email = `${uid('z')}@example.com`;
      await register(c, [{ recipient: { email } }]);
      await mgPost(mgBody({ event: 'delivered', id: uid('ev'), timestamp: Number(sec(now)), recipient: email, 'user-variables': { mesure_campaign_id: c } }, uid('token-')));
      await m.deps.writer.run(async () => undefined); // the pruning job was queued behind the delivery
      const left = await m.db.kysely.selectFrom('webhook_replay_keys').select('key').where('account_id', '=', m.accountId).where('key', 'like', 'mailgun:%').execute();
      expect(left.length).toBe(1);
      expect((await detail(c)).figures.delivered).toBe(1);
    });
  });

  // ---------------------------------------------------------------- Postmark
  describe('Postmark', () => {
    it('HTTP Basic credentials from the URL; records linked by metadata', async () => {
      const c = await campaign('email');
      const email = `${uid('lea')}@example.com`;
      const reg = await register(c, [{ recipient: { email } }]);
      const messageId = reg.messages[0].messageId;
      const pm = uid('pm-');
      const send = (record: object) => post('postmark', JSON.stringify(record), { 'content-type': 'application/json', authorization: basic(POSTMARK_CREDENTIALS) });
      const delivery = await send({ RecordType: 'Delivery', MessageID: pm, Recipient: email, DeliveredAt: '2026-03-10T10:00:05Z', Metadata: { mesure_message_id: messageId }, MessageStream: 'outbound' });
      expect(delivery.statusCode).toBe(200);
      await send({ RecordType: 'Open', MessageID: pm, Recipient: email, ReceivedAt: '2026-03-10T10:05:00Z', FirstOpen: true });
      await send({ RecordType: 'SubscriptionChange', MessageID: pm, Recipient: email, ChangedAt: '2026-03-10T10:06:00Z', Origin: 'Recipient', SuppressSending: true, SuppressionReason: 'ManualSuppression' });
      expect((await detail(c)).figures).toMatchObject({ delivered: 1, opened: 1, unsubscribed: 1 });
      expect(await suppression('email', email)).toBeDefined();
    });
  });

  it('many deliveries at once are all stored (group commit), each answered after its commit', async () => {
    const c = await campaign('whatsapp');
    const items = Array.from({ length: 40 }, () => ({ to: phone(), wamid: uid('wamid.many') }));
    await register(c, items.map((x) => ({ recipient: { phone: x.to }, provider: 'whatsapp', providerMessageId: x.wamid })));
    const commitsBefore = m.deps.writer.stats.transactions;
    const batchesBefore = m.deps.webhooks.batchStats.batches;
    const bodies = items.map((x) => waEnvelope({ statuses: [waStatus(x.wamid, 'delivered', T0 + 1000, x.to)] }));
    // The first body twice in the same wave, and a Mailgun token used by two different bodies at once.
    const email = `${uid('wave')}@example.com`;
    const token = uid('token-wave-');
    const mg = (event: string) => mgBody({ event, id: uid('ev'), timestamp: Number(sec(now)), recipient: email, message: { headers: { 'message-id': uid('mg') } } }, token);
    const wave = await tallied('whatsapp', () => Promise.all([...bodies, bodies[0]].map((b) => waPost(b)).concat([mgPost(mg('delivered')), mgPost(mg('opened'))])));
    const answers = wave.result;
    expect(answers.slice(0, 41).every((a) => a.statusCode === 200)).toBe(true);
    expect(wave).toMatchObject({ applied: 40, duplicates: 1 });
    expect(answers.slice(41).map((a) => a.statusCode).sort()).toEqual([200, 403]);
    expect((await detail(c)).figures).toMatchObject({ audience: 40, sent: 40, delivered: 40 });
    // Deliveries that arrive together share commits (on SQLite the worker's: one per stored batch).
    expect(m.deps.writer.stats.transactions - commitsBefore).toBeLessThan(40);
    expect(m.deps.webhooks.batchStats.batches - batchesBefore).toBeLessThan(43);
  });
});
