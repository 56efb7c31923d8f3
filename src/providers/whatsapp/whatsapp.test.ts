// Tests for the WhatsApp Cloud API adapter, on payloads in Meta's documented webhook format.

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectParsed, fixture, rawRequest } from '../test-helpers';
import { hintsFromCallbackData, whatsapp, whatsappHandshake, whatsappSecrets } from './whatsapp';

const APP_SECRET = '5f1e7a0c9b3d4e2fa6b8c0d1e2f3a4b5';
const NOW = 1_750_264_500_000;
const WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA';

function signed(body: Buffer, secret = APP_SECRET) {
  const sig = 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
  return rawRequest({ url: 'https://mesure.example.com/webhooks/whatsapp/acc_1', body, headers: { 'x-hub-signature-256': sig } });
}
const load = (name: string) => fixture(__dirname, name);
const parse = (body: Buffer) => expectParsed(whatsapp.parse(rawRequest({ body }), NOW));

describe('whatsapp verify', () => {
  it('accepts a body signed with the app secret', () => {
    expect(whatsapp.verify(signed(load('status-sent.json')), APP_SECRET, NOW)).toEqual({ ok: true });
  });
  it('accepts the secret stored as JSON or appSecret:verifyToken', () => {
    const req = signed(load('status-sent.json'));
    expect(whatsapp.verify(req, JSON.stringify({ appSecret: APP_SECRET, verifyToken: 'tok' }), NOW).ok).toBe(true);
    expect(whatsapp.verify(req, `${APP_SECRET}:tok`, NOW).ok).toBe(true);
  });
  it('refuses a wrong secret with 403', () => {
    const res = whatsapp.verify(signed(load('status-sent.json'), 'another-secret'), APP_SECRET, NOW);
    expect(res).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses a tampered body: one byte changed after signing', () => {
    const req = signed(load('status-sent.json'));
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString().replace('"sent"', '"read"')) };
    expect(whatsapp.verify(tampered, APP_SECRET, NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses a missing signature with 401 and a malformed one with 403', () => {
    const body = load('status-sent.json');
    expect(whatsapp.verify(rawRequest({ body }), APP_SECRET, NOW)).toMatchObject({ ok: false, status: 401 });
    const bad = rawRequest({ body, headers: { 'X-Hub-Signature-256': 'sha1=abc' } });
    expect(whatsapp.verify(bad, APP_SECRET, NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses everything when no app secret is set, so an empty key cannot be forged', () => {
    const sig = 'sha256=' + createHmac('sha256', '').update('{}').digest('hex');
    const req = rawRequest({ body: '{}', headers: { 'x-hub-signature-256': sig } });
    expect(whatsapp.verify(req, '', NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('reads the header whatever its case and accepts upper-case hex', () => {
    const body = load('status-read.json');
    const hex = createHmac('sha256', APP_SECRET).update(body).digest('hex').toUpperCase();
    const req = rawRequest({ body, headers: { 'X-Hub-Signature-256': `sha256=${hex}` } });
    expect(whatsapp.verify(req, APP_SECRET, NOW).ok).toBe(true);
  });
});

describe('whatsapp handshake', () => {
  const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'my-token', 'hub.challenge': '1158201444' };
  it('echoes the challenge when the verify token matches', () => {
    expect(whatsappHandshake(q, 'my-token')).toEqual({ ok: true, challenge: '1158201444' });
  });
  it('refuses a wrong or empty verify token with 403', () => {
    expect(whatsappHandshake(q, 'other')).toMatchObject({ ok: false, status: 403 });
    expect(whatsappHandshake({ ...q, 'hub.verify_token': '' }, '')).toMatchObject({ ok: false, status: 403 });
  });
  it('answers 400 to anything that is not a subscribe request', () => {
    expect(whatsappHandshake({ ...q, 'hub.mode': 'unsubscribe' }, 'my-token')).toMatchObject({ status: 400 });
    expect(whatsappHandshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'my-token' }, 'my-token')).toMatchObject({
      status: 400,
    });
  });
  it('splits the stored secret into app secret and verify token', () => {
    expect(whatsappSecrets('abc:tok:en')).toEqual({ appSecret: 'abc', verifyToken: 'tok:en' });
    expect(whatsappSecrets('abc')).toEqual({ appSecret: 'abc' });
    expect(whatsappSecrets('{"appSecret":"abc","verifyToken":"t"}')).toEqual({ appSecret: 'abc', verifyToken: 't' });
  });
});

describe('whatsapp statuses', () => {
  it('maps sent, linked by the mid= callback data, keeping the provider id and pricing category', () => {
    const { events, optChanges } = parse(load('status-sent.json'));
    expect(optChanges).toEqual([]);
    expect(events).toEqual([
      {
        type: 'sent',
        at: 1_750_263_773_000, // "1750263773" seconds × 1000
        ref: { kind: 'id', messageId: 'msg_1' },
        provider: 'whatsapp',
        providerMessageId: WAMID,
        providerEventId: `${WAMID}:sent`,
        pricingCategory: 'marketing',
        meta: {
          recipient_id: '33612345678',
          conversation_id: '1ad3d8f8d7c9a4b2e1f0',
          pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' },
        },
      },
    ]);
  });

  it('links delivered by campaign + E.164 recipient when the callback data is JSON with a campaign id', () => {
    const [event] = parse(load('status-delivered.json')).events;
    expect(event).toMatchObject({
      type: 'delivered',
      ref: { kind: 'recipient', campaignId: 'cmp_7', recipient: '+33612345678' },
      providerMessageId: WAMID,
    });
  });

  it('maps read to opened, linked by the wamid when there is no callback data', () => {
    const [event] = parse(load('status-read.json')).events;
    expect(event).toMatchObject({
      type: 'opened',
      at: 1_750_263_901_000,
      ref: { kind: 'provider', provider: 'whatsapp', providerMessageId: WAMID },
      providerEventId: `${WAMID}:read`,
    });
    expect(event.provider).toBeUndefined();
  });

  const CODES: Array<[number, string]> = [
    [131026, 'invalid_recipient'],
    [131050, 'opted_out'],
    [131049, 'limited_by_provider'],
    [131048, 'limited_by_provider'],
    [130429, 'rate_limited'],
    [131056, 'rate_limited'],
    [131047, 'outside_window'],
    [131000, 'provider_error'],
    [470, 'provider_error'],
  ];
  it.each(CODES)('maps failure code %i to %s, keeping the code', (code, reason) => {
    const body = Buffer.from(load('status-failed.json').toString().replace('"code": 131026', `"code": ${code}`));
    const { events, optChanges } = parse(body);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'failed',
      failureReason: reason,
      failureCode: String(code),
      failureMessage: 'Message undeliverable',
    });
    // Only 131050 (user stopped marketing messages) puts the number on the suppression list.
    expect(optChanges).toEqual(
      code === 131050 ? [{ channel: 'whatsapp', address: '+33698765432', optedOut: true, reason: 'whatsapp_131050' }] : [],
    );
  });

  it('gives every status of one message its own event id, and a redelivery the same one', () => {
    const ids = ['status-sent.json', 'status-delivered.json', 'status-read.json'].map(
      (f) => parse(load(f)).events[0].providerEventId,
    );
    expect(new Set(ids).size).toBe(3);
    expect(parse(load('status-read.json')).events[0].providerEventId).toBe(ids[2]);
  });

  it('skips statuses Mesure has no event for, and says so', () => {
    const body = Buffer.from(load('status-read.json').toString().replace('"read"', '"deleted"'));
    const out = parse(body);
    expect(out.events).toEqual([]);
    expect(out.skipped).toEqual(['status deleted ignored']);
  });
});

describe('whatsapp replies and opt-outs', () => {
  const ref = { kind: 'provider', provider: 'whatsapp', providerMessageId: WAMID };
  it('maps a text reply to replied, linked by context.id', () => {
    const out = parse(load('reply-text.json'));
    expect(out.events).toEqual([
      {
        type: 'replied',
        at: 1_750_264_000_000,
        ref,
        providerEventId: 'wamid.HBgLMzM2MTIzNDU2NzgVAgASGBQzQTdFRkQyMzM5QjA1QUFBMDk2RQA=:replied',
        text: 'Is the offer still valid on Saturday?',
        meta: { from: '+33612345678' },
      },
    ]);
    expect(out.optChanges).toEqual([]);
  });
  it('maps a quick-reply button and an interactive reply to replied with their visible text', () => {
    expect(parse(load('reply-button.json')).events[0]).toMatchObject({ type: 'replied', ref, text: 'See the offer' });
    expect(parse(load('reply-interactive.json')).events[0]).toMatchObject({ type: 'replied', ref, text: 'Book a fitting' });
  });
  it('treats "Arrêt" as an opt-out: reply, unsubscribed and a suppression of the number', () => {
    const out = parse(load('reply-stop.json'));
    expect(out.events.map((e) => e.type)).toEqual(['replied', 'unsubscribed']);
    expect(out.events[1]).toMatchObject({ ref, at: 1_750_264_300_000 });
    expect(out.optChanges).toEqual([{ channel: 'whatsapp', address: '+33612345678', optedOut: true, reason: 'reply_stop' }]);
  });
  it.each(['STOP', 'stop', ' Stop. ', 'ARRET', 'arrêt !', 'Unsubscribe'])('recognizes %j as stop', (text) => {
    const body = Buffer.from(load('reply-stop.json').toString().replace('"Arrêt"', JSON.stringify(text)));
    expect(parse(body).optChanges).toHaveLength(1);
  });
  it.each(['Stop sending me the catalogue? no, keep it', 'stopped', 'ok'])('does not treat %j as stop', (text) => {
    const body = Buffer.from(load('reply-stop.json').toString().replace('"Arrêt"', JSON.stringify(text)));
    expect(parse(body).optChanges).toEqual([]);
  });
  it('treats a quick-reply button whose payload is STOP as an opt-out, whatever its label', () => {
    const body = Buffer.from(
      load('reply-button.json').toString().replace('"SHOW_OFFER"', '"STOP"').replace('"See the offer"', '"Stop promotions"'),
    );
    const out = parse(body);
    expect(out.events.map((e) => e.type)).toEqual(['replied', 'unsubscribed']);
    expect(out.optChanges).toHaveLength(1);
  });
  it('still records the opt-out of a STOP that replies to no message, without an event', () => {
    const body = JSON.parse(load('reply-stop.json').toString());
    delete body.entry[0].changes[0].value.messages[0].context;
    const out = parse(Buffer.from(JSON.stringify(body)));
    expect(out.events).toEqual([]);
    expect(out.optChanges).toHaveLength(1);
    expect(out.skipped).toEqual(['reply without context: names no message']);
  });
  it('maps user_preferences marketing stop and resume to opt-out changes', () => {
    const stop = parse(load('user-preferences.json'));
    expect(stop.optChanges).toEqual([
      { channel: 'whatsapp', address: '+33612345678', optedOut: true, reason: 'whatsapp_marketing_stop' },
    ]);
    const resume = parse(Buffer.from(load('user-preferences.json').toString().replace('"stop"', '"resume"')));
    expect(resume.optChanges[0]).toMatchObject({ optedOut: false, reason: 'whatsapp_marketing_resume' });
  });
});

describe('whatsapp parse robustness', () => {
  it('refuses bodies that are not WhatsApp envelopes', () => {
    expect(whatsapp.parse(rawRequest({ body: 'not json' }), NOW).ok).toBe(false);
    expect(whatsapp.parse(rawRequest({ body: '{"object":"page","entry":[]}' }), NOW).ok).toBe(false);
  });
  it('never throws, whatever JSON arrives under the envelope', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value }] }] });
        const res = whatsapp.parse(rawRequest({ body }), NOW);
        expect(res.ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
  it('reads mid= and JSON callback data, and ignores anything else', () => {
    expect(hintsFromCallbackData('mid=m1&cid=c1')).toEqual({ messageId: 'm1', campaignId: 'c1' });
    expect(hintsFromCallbackData('{"mesure_message_id":"m2"}')).toEqual({ messageId: 'm2', campaignId: undefined });
    expect(hintsFromCallbackData('{broken')).toEqual({});
    expect(hintsFromCallbackData('order 55')).toEqual({ messageId: undefined, campaignId: undefined });
  });
});
