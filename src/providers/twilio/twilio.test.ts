// Tests for the Twilio adapter, signed and checked with Twilio's own Node library as the independent party.

import fc from 'fast-check';
import twilioLib from 'twilio';
import { describe, expect, it } from 'vitest';
import { expectParsed, fixture, rawRequest } from '../test-helpers';
import { candidateUrls, twilio, twilioSignature } from './twilio';

const AUTH_TOKEN = '12345abcdef67890abcdef1234567890';
const NOW = 1_750_263_900_000;
const BASE = 'https://mesure.example.com/webhooks/twilio/acc_1';
const SID = 'SM1f0e8ae6ade43cb3c0ce4525424e404f';

const load = (name: string) => fixture(__dirname, name);
const params = (body: Buffer) => Object.fromEntries(new URLSearchParams(body.toString()));

/** A request as Twilio sends it: signed by the twilio library over `signedUrl`, received by us at `seenUrl`. */
function fromTwilio(body: Buffer, signedUrl = BASE, seenUrl = signedUrl, token = AUTH_TOKEN) {
  const signature = twilioLib.getExpectedTwilioSignature(token, signedUrl, params(body));
  return rawRequest({
    url: seenUrl,
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  });
}
const parse = (body: Buffer, url = BASE) => expectParsed(twilio.parse(rawRequest({ url, body }), NOW));

describe('twilio verify', () => {
  it('accepts what the twilio library signs, and agrees with its validateRequest', () => {
    const req = fromTwilio(load('status-delivered.txt'));
    expect(twilio.verify(req, AUTH_TOKEN, NOW)).toEqual({ ok: true });
    const sig = req.headers['x-twilio-signature'] as string;
    expect(twilioLib.validateRequest(AUTH_TOKEN, sig, BASE, params(req.rawBody))).toBe(true);
  });
  it('computes the same signature as the library, query string included', () => {
    const url = `${BASE}?mesure_message_id=msg_1&x=a%20b`;
    const body = load('status-undelivered.txt');
    const fields = new Map([...new URLSearchParams(body.toString())].map(([k, v]) => [k, [v]]));
    expect(twilioSignature(AUTH_TOKEN, url, fields)).toBe(twilioLib.getExpectedTwilioSignature(AUTH_TOKEN, url, params(body)));
  });
  it('accepts the URL with or without the default :443, whichever side added it', () => {
    const body = load('status-sent.txt');
    const withPort = 'https://mesure.example.com:443/webhooks/twilio/acc_1?mesure_message_id=msg_1';
    const without = 'https://mesure.example.com/webhooks/twilio/acc_1?mesure_message_id=msg_1';
    expect(twilio.verify(fromTwilio(body, withPort, without), AUTH_TOKEN, NOW).ok).toBe(true);
    expect(twilio.verify(fromTwilio(body, without, withPort), AUTH_TOKEN, NOW).ok).toBe(true);
    expect(twilio.verify(fromTwilio(body, without, without), AUTH_TOKEN, NOW).ok).toBe(true);
  });
  it('lists the port variants without normalizing the path', () => {
    expect(candidateUrls("https://h.example/a/b?q=it's")).toEqual([
      "https://h.example/a/b?q=it's",
      "https://h.example:443/a/b?q=it's",
      'https://h.example/a/b?q=it%27s',
      'https://h.example:443/a/b?q=it%27s',
    ]);
    expect(candidateUrls('http://h.example:8080/x')).toEqual(['http://h.example:8080/x', 'http://h.example/x']);
  });
  it('refuses another URL (a different account path) with 403', () => {
    const req = fromTwilio(load('status-sent.txt'), BASE, 'https://mesure.example.com/webhooks/twilio/acc_2');
    expect(twilio.verify(req, AUTH_TOKEN, NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses a wrong auth token with 403', () => {
    const req = fromTwilio(load('status-sent.txt'), BASE, BASE, 'ffffffffffffffffffffffffffffffff');
    expect(twilio.verify(req, AUTH_TOKEN, NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses a tampered body: status changed after signing', () => {
    const req = fromTwilio(load('status-undelivered.txt'));
    const tampered = { ...req, rawBody: Buffer.from(req.rawBody.toString().replaceAll('undelivered', 'delivered')) };
    expect(twilio.verify(tampered, AUTH_TOKEN, NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses a missing signature with 401, and everything when no token is set', () => {
    const body = load('status-sent.txt');
    expect(twilio.verify(rawRequest({ url: BASE, body }), AUTH_TOKEN, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(twilio.verify(fromTwilio(body, BASE, BASE, ''), '', NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('checks JSON-bodied webhooks through bodySHA256, as validateRequestWithBody does', () => {
    const json = Buffer.from('{"MessageSid":"SMx","MessageStatus":"sent"}');
    const hash = twilioLib.getExpectedBodyHash(json.toString());
    const url = `${BASE}?bodySHA256=${hash}`;
    const sig = twilioLib.getExpectedTwilioSignature(AUTH_TOKEN, url, {});
    expect(twilioLib.validateRequestWithBody(AUTH_TOKEN, sig, url, json.toString())).toBe(true);
    const req = rawRequest({ url, body: json, headers: { 'x-twilio-signature': sig } });
    expect(twilio.verify(req, AUTH_TOKEN, NOW).ok).toBe(true);
    expect(twilio.verify({ ...req, rawBody: Buffer.from('{"MessageSid":"SMy"}') }, AUTH_TOKEN, NOW)).toMatchObject({
      status: 403,
    });
  });
  it('agrees with validateRequest on arbitrary parameters, repeated names included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('Body', 'To', 'MediaUrl0', 'a', 'B'), fc.string()), { maxLength: 6 }),
        (pairs) => {
          const body = Buffer.from(new URLSearchParams(pairs).toString());
          const libParams: Record<string, string | string[]> = {};
          for (const [k, v] of pairs) {
            const prev = libParams[k];
            libParams[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
          }
          const sig = twilioLib.getExpectedTwilioSignature(AUTH_TOKEN, BASE, libParams);
          const req = rawRequest({ url: BASE, body, headers: { 'x-twilio-signature': sig } });
          expect(twilio.verify(req, AUTH_TOKEN, NOW).ok).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('twilio status callbacks', () => {
  it('maps sent with segments and an exact cost, linked by the callback URL message id', () => {
    const [event] = parse(load('status-sent.txt'), `${BASE}?mesure_message_id=msg_1`).events;
    expect(event).toEqual({
      type: 'sent',
      at: NOW, // status callbacks carry no time of their own
      ref: { kind: 'id', messageId: 'msg_1' },
      provider: 'twilio',
      providerMessageId: SID,
      providerEventId: `${SID}:sent`,
      segments: 2,
      // Price "-0.07580" USD = 7.580 cents, rounded half away from zero to 8; the exact string stays in meta.
      costMinor: 8,
      costCurrency: 'USD',
      meta: { to: '+33612345678', price: '-0.07580', priceUnit: 'USD' },
    });
  });
  it('converts an exact price without rounding: "-0.0500" EUR is 5 cents', () => {
    const body = Buffer.from(load('status-sent.txt').toString().replace('-0.07580', '-0.0500').replace('USD', 'EUR'));
    expect(parse(body).events[0]).toMatchObject({ costMinor: 5, costCurrency: 'EUR' });
  });
  it('maps delivered, linked by campaign + To when the URL names a campaign', () => {
    const [event] = parse(load('status-delivered.txt'), `${BASE}?mesure_campaign_id=cmp_3`).events;
    expect(event).toMatchObject({
      type: 'delivered',
      ref: { kind: 'recipient', campaignId: 'cmp_3', recipient: '+33612345678' },
      providerMessageId: SID,
      meta: { to: '+33612345678', rawDlrDoneDate: '2506181602' },
    });
  });
  it('links by the MessageSid when the URL carries no metadata', () => {
    expect(parse(load('status-delivered.txt')).events[0].ref).toEqual({
      kind: 'provider',
      provider: 'twilio',
      providerMessageId: SID,
    });
  });
  it('maps a WhatsApp-via-Twilio read to opened', () => {
    expect(parse(load('status-whatsapp-read.txt')).events[0]).toMatchObject({
      type: 'opened',
      providerEventId: 'SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d:read',
    });
  });
  it.each([
    ['queued', 'queued'],
    ['accepted', 'queued'],
    ['sending', 'queued'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'failed'],
    ['failed', 'failed'],
  ])('maps MessageStatus %s to %s', (status, type) => {
    const body = Buffer.from(load('status-delivered.txt').toString().replaceAll('=delivered', `=${status}`));
    expect(parse(body).events[0]).toMatchObject({ type, providerEventId: `${SID}:${status}` });
  });

  const CODES: Array<[string, string, string]> = [
    ['30003', 'unreachable', 'Unreachable destination handset'],
    ['30004', 'blocked', 'Message blocked'],
    ['30005', 'invalid_recipient', 'Unknown destination handset'],
    ['30006', 'invalid_recipient', 'Landline or unreachable carrier: the number cannot receive SMS'],
    ['30007', 'spam_filtered', 'Message filtered as spam by the carrier'],
    ['30008', 'provider_error', 'Unknown error'],
    ['21610', 'opted_out', 'Recipient replied STOP: Twilio refuses to message them'],
    ['30034', 'provider_error', undefined as unknown as string],
  ];
  it.each(CODES)('maps ErrorCode %s to %s', (code, reason, message) => {
    const body = Buffer.from(load('status-undelivered.txt').toString().replace('ErrorCode=30003', `ErrorCode=${code}`));
    const { events, optChanges } = parse(body);
    expect(events[0]).toMatchObject({ type: 'failed', failureReason: reason, failureCode: code });
    expect(events[0].failureMessage).toBe(message);
    expect(optChanges).toEqual(
      code === '21610' ? [{ channel: 'sms', address: '+33698765432', optedOut: true, reason: 'twilio_21610' }] : [],
    );
  });
  it('prefers the ErrorMessage Twilio sends over the built-in wording', () => {
    const body = Buffer.from(`${load('status-undelivered.txt').toString()}&ErrorMessage=Carrier+violation`);
    expect(parse(body).events[0].failureMessage).toBe('Carrier violation');
  });
  it('gives a redelivered callback the same event id, and skips unknown statuses', () => {
    const a = parse(load('status-delivered.txt')).events[0].providerEventId;
    expect(parse(load('status-delivered.txt')).events[0].providerEventId).toBe(a);
    const odd = Buffer.from(load('status-delivered.txt').toString().replaceAll('=delivered', '=partially_delivered'));
    expect(parse(odd)).toMatchObject({ events: [], skipped: ['status partially_delivered ignored'] });
  });
});

describe('twilio inbound messages', () => {
  it('records STOP as an opt-out of the sender, with no event when nothing names a message', () => {
    const out = parse(load('inbound-stop.txt'));
    expect(out.optChanges).toEqual([{ channel: 'sms', address: '+33612345678', optedOut: true, reason: 'reply_stop' }]);
    expect(out.events).toEqual([]);
    expect(out.skipped).toEqual(['inbound message names no message']);
  });
  it.each(['STOP', 'stopall', 'Unsubscribe', 'END', 'quit', 'REVOKE', 'optout', 'Cancel'])('treats %s as opt-out', (w) => {
    const body = Buffer.from(load('inbound-stop.txt').toString().replace('Body=Stop', `Body=${w}`));
    expect(parse(body).optChanges[0]).toMatchObject({ optedOut: true });
  });
  it('treats START as an opt-in and an ordinary reply as neither', () => {
    const start = Buffer.from(load('inbound-stop.txt').toString().replace('Body=Stop', 'Body=START'));
    expect(parse(start).optChanges).toEqual([
      { channel: 'sms', address: '+33612345678', optedOut: false, reason: 'reply_start' },
    ]);
    const other = Buffer.from(load('inbound-stop.txt').toString().replace('Body=Stop', 'Body=Stop+by+tomorrow'));
    expect(parse(other).optChanges).toEqual([]);
  });
  it('follows OptOutType from Advanced Opt-Out, including custom keywords', () => {
    const body = Buffer.from(load('inbound-stop.txt').toString().replace('Body=Stop', 'Body=ARRET&OptOutType=STOP'));
    expect(parse(body).optChanges[0]).toMatchObject({ optedOut: true });
  });
  it('links an SMS reply and its STOP by campaign + sender when the URL names a campaign', () => {
    const out = parse(load('inbound-stop.txt'), `${BASE}?mesure_campaign_id=cmp_3`);
    const ref = { kind: 'recipient', campaignId: 'cmp_3', recipient: '+33612345678' };
    expect(out.events).toMatchObject([
      { type: 'replied', ref, text: 'Stop', providerEventId: 'SM7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f:replied' },
      { type: 'unsubscribed', ref, providerEventId: 'SM7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f:unsubscribed' },
    ]);
  });
  it('links a WhatsApp reply by OriginalRepliedMessageSid', () => {
    const out = parse(load('inbound-whatsapp-reply.txt'));
    expect(out.events).toEqual([
      {
        type: 'replied',
        at: NOW,
        ref: { kind: 'provider', provider: 'twilio', providerMessageId: 'SM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d' },
        providerEventId: 'SM3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e:replied',
        text: 'Yes please, send me the sizes',
        meta: { from: 'whatsapp:+33612345678' },
      },
    ]);
    expect(out.optChanges).toEqual([]);
  });
  it('refuses a body with no MessageSid, and never throws on arbitrary bytes', () => {
    expect(twilio.parse(rawRequest({ url: BASE, body: 'Body=hi' }), NOW).ok).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const body = Buffer.concat([Buffer.from('MessageSid=SM1&'), Buffer.from(bytes)]);
        expect(twilio.parse(rawRequest({ url: BASE, body }), NOW).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
