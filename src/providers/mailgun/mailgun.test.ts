// Tests for the Mailgun adapter, on webhook bodies in Mailgun's documented JSON format with real signatures.

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectParsed, fixture, rawRequest } from '../test-helpers';
import { mailgun } from './mailgun';

/** The signing key the fixtures were signed with (HMAC-SHA256 of timestamp + token, hex). */
const SIGNING_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f0-mesure-test';
const MESSAGE_ID = '20250618163000.1.6A3F0B5C2D1E0F9A@mg.shop.example.com';

const load = (name: string) => fixture(__dirname, name);
const json = (name: string) => JSON.parse(load(name).toString());
const req = (body: Buffer | string) => rawRequest({ url: 'https://mesure.example.com/webhooks/mailgun/acc_1', body });
/** "Now" 10 s after the delivery was signed. */
const nowFor = (name: string) => Number(json(name).signature.timestamp) * 1000 + 10_000;
const parse = (name: string) => expectParsed(mailgun.parse(req(load(name)), nowFor(name)));

/** Re-signs a body as Mailgun would, with a chosen timestamp and token. */
function resign(body: Record<string, unknown>, timestamp: number, token: string, key = SIGNING_KEY) {
  const signature = createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
  return JSON.stringify({ ...body, signature: { timestamp: String(timestamp), token, signature } });
}

describe('mailgun verify', () => {
  it.each(['accepted.json', 'delivered.json', 'failed-permanent.json', 'opened.json', 'complained.json'])(
    'accepts the signed fixture %s',
    (name) => {
      expect(mailgun.verify(req(load(name)), SIGNING_KEY, nowFor(name))).toEqual({ ok: true });
    },
  );
  it('matches an HMAC computed here independently', () => {
    const { signature } = json('delivered.json');
    const expected = createHmac('sha256', SIGNING_KEY).update(signature.timestamp + signature.token).digest('hex');
    expect(signature.signature).toBe(expected);
  });
  it('refuses a wrong signing key with 403', () => {
    expect(mailgun.verify(req(load('delivered.json')), 'another-key', nowFor('delivered.json'))).toMatchObject({
      ok: false,
      status: 403,
    });
  });
  it('refuses a tampered token or timestamp', () => {
    const body = json('delivered.json');
    body.signature.token = body.signature.token.replace(/^./, '0');
    expect(mailgun.verify(req(JSON.stringify(body)), SIGNING_KEY, nowFor('delivered.json'))).toMatchObject({ status: 403 });
  });
  it('refuses a stale delivery: 301 s old is outside the 5-minute window, 300 s is inside', () => {
    const body = json('delivered.json');
    const t = 1_750_263_720;
    expect(mailgun.verify(req(resign(body, t, 'tok-1')), SIGNING_KEY, (t + 301) * 1000)).toMatchObject({ status: 403 });
    expect(mailgun.verify(req(resign(body, t, 'tok-1')), SIGNING_KEY, (t + 300) * 1000).ok).toBe(true);
    expect(mailgun.verify(req(resign(body, t, 'tok-1')), SIGNING_KEY, (t - 301) * 1000)).toMatchObject({ status: 403 });
  });
  it('refuses a missing signature with 401, and everything when no key is set', () => {
    const body = json('delivered.json');
    delete body.signature;
    expect(mailgun.verify(req(JSON.stringify(body)), SIGNING_KEY, nowFor('delivered.json'))).toMatchObject({ status: 401 });
    expect(mailgun.verify(req('not json'), SIGNING_KEY, 0)).toMatchObject({ status: 401 });
    expect(mailgun.verify(req(load('delivered.json')), '', nowFor('delivered.json'))).toMatchObject({ status: 403 });
  });
  it('hands back the token so the caller can refuse a replay of the same delivery', () => {
    expect(parse('delivered.json').replayKeys).toEqual(['mailgun:b8d4f6a2e0c9b7d5f3a1e9c7b5d3f1a9e7c5b3d1f9a7e5c3b1']);
  });
});

describe('mailgun events', () => {
  const own = { kind: 'provider', provider: 'mailgun', providerMessageId: MESSAGE_ID };
  it('maps accepted to queued, linked by the mesure_message_id user variable', () => {
    expect(parse('accepted.json').events).toEqual([
      {
        type: 'queued',
        at: 1_750_263_700_120, // 1750263700.120451 s → ms, rounded
        ref: { kind: 'id', messageId: 'msg_1' },
        provider: 'mailgun',
        providerMessageId: MESSAGE_ID,
        providerEventId: 'CCXMjJ7nQi2N3BPigGOdgQ',
      },
    ]);
  });
  it('names the message by the bare id when its message-id header comes in the "<id@domain>" form', () => {
    const body = json('failed-permanent.json');
    body['event-data'].message.headers['message-id'] = `<${MESSAGE_ID}>`;
    expect(expectParsed(mailgun.parse(req(JSON.stringify(body)), nowFor('failed-permanent.json'))).events[0].ref).toEqual(own);
  });
  it('maps delivered, linked by campaign + lower-case recipient', () => {
    expect(parse('delivered.json').events[0]).toMatchObject({
      type: 'delivered',
      at: 1_750_263_720_530, // .529574 s rounds to 530 ms
      ref: { kind: 'recipient', campaignId: 'cmp_4', recipient: 'camille.martin@example.com' },
    });
  });
  it('maps a permanent failure to a hard bounce with the SMTP code and description', () => {
    expect(parse('failed-permanent.json').events[0]).toEqual({
      type: 'bounced',
      at: 1_750_263_730_281,
      ref: own,
      providerEventId: 'G9Bn5sl1TC6nu79C8C0bwg',
      bounceType: 'hard',
      failureCode: '550',
      failureMessage: 'The email account that you tried to reach does not exist.',
    });
  });
  it('maps a temporary failure to a soft bounce', () => {
    expect(parse('failed-temporary.json').events[0]).toMatchObject({
      type: 'bounced',
      bounceType: 'soft',
      failureCode: '452',
      failureMessage: '4.2.2 The email account that you tried to reach is over quota.',
    });
  });
  it('maps a failure on a suppressed address to failed (never sent) with its reason', () => {
    const [event] = parse('failed-suppressed.json').events;
    expect(event).toMatchObject({ type: 'failed', failureReason: 'opted_out', failureCode: '605' });
    expect(event.bounceType).toBeUndefined();
  });
  it('maps opened and clicked, keeping the user agent and the url', () => {
    expect(parse('opened.json').events[0]).toMatchObject({ type: 'opened', ref: own, providerEventId: 'J2Eq8vo4WF9qx02F1F3ezj' });
    expect(parse('opened.json').events[0].meta?.userAgent).toMatch(/^Mozilla\/5.0 \(iPhone/);
    expect(parse('clicked.json').events[0]).toMatchObject({
      type: 'clicked',
      url: 'https://shop.example.com/spring?utm_source=mailgun',
    });
  });
  it('maps unsubscribed and complained to events and opt-outs', () => {
    const unsub = parse('unsubscribed.json');
    expect(unsub.events[0]).toMatchObject({ type: 'unsubscribed', ref: own });
    expect(unsub.optChanges).toEqual([
      { channel: 'email', address: 'camille.martin@example.com', optedOut: true, reason: 'unsubscribe' },
    ]);
    const complaint = parse('complained.json');
    expect(complaint.events[0]).toMatchObject({ type: 'complained', ref: own });
    expect(complaint.optChanges[0]).toMatchObject({ optedOut: true, reason: 'spam_complaint' });
  });
  it('skips events Mesure does not track, and refuses non-Mailgun bodies', () => {
    const body = json('delivered.json');
    body['event-data'].event = 'stored';
    expect(expectParsed(mailgun.parse(req(JSON.stringify(body)), 0))).toMatchObject({
      events: [],
      skipped: ['event stored ignored'],
    });
    expect(mailgun.parse(req('[]'), 0).ok).toBe(false);
  });
  it('never throws on arbitrary event-data', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (data) => {
        expect(mailgun.parse(req(JSON.stringify({ 'event-data': data })), 0).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
