// Tests for the SendGrid Event Webhook adapter; @sendgrid/eventwebhook checks the signatures independently.

import { generateKeyPairSync, sign } from 'node:crypto';
import { EventWebhook } from '@sendgrid/eventwebhook';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectParsed, fixture, rawRequest } from '../test-helpers';
import { sendgrid } from './sendgrid';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
/** The verification key as SendGrid's settings page shows it: base64 of the DER SubjectPublicKeyInfo. */
const PUBLIC_KEY = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const NOW = 1_750_264_100_000;
const TS = String(NOW / 1000 - 30); // signed 30 s before we check it
const X_MESSAGE_ID = 'XBg2anf2TqCy6WXKQFhieQ';
const FULL_ID = 'XBg2anf2TqCy6WXKQFhieQ.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0';

/** Signs as SendGrid does: ECDSA P-256 with SHA-256 over the timestamp text then the body bytes, DER, base64. */
function signAsSendGrid(body: Buffer, timestamp = TS, key = privateKey) {
  return sign('sha256', Buffer.concat([Buffer.from(timestamp), body]), { key, dsaEncoding: 'der' }).toString('base64');
}
function signed(body: Buffer, timestamp = TS, signature = signAsSendGrid(body, timestamp)) {
  return rawRequest({
    url: 'https://mesure.example.com/webhooks/sendgrid/acc_1',
    body,
    headers: {
      'X-Twilio-Email-Event-Webhook-Signature': signature,
      'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
    },
  });
}
const load = () => fixture(__dirname, 'events.json');
const library = new EventWebhook();
const libraryAccepts = (body: Buffer, signature: string, timestamp: string) =>
  library.verifySignature(library.convertPublicKeyToECDSA(PUBLIC_KEY), body, signature, timestamp);

describe('sendgrid verify', () => {
  it('accepts a signed delivery, and the official library agrees', () => {
    const body = load();
    const req = signed(body);
    expect(sendgrid.verify(req, PUBLIC_KEY, NOW)).toEqual({ ok: true });
    expect(libraryAccepts(body, signAsSendGrid(body), TS)).toBe(true);
  });
  it('accepts the key in PEM form too', () => {
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(sendgrid.verify(signed(load()), pem, NOW).ok).toBe(true);
  });
  it('refuses a signature from another key pair (wrong secret) with 403, as the library does', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const body = load();
    const sig = signAsSendGrid(body, TS, other);
    expect(sendgrid.verify(signed(body, TS, sig), PUBLIC_KEY, NOW)).toMatchObject({ ok: false, status: 403 });
    expect(libraryAccepts(body, sig, TS)).toBe(false);
  });
  it('refuses a tampered body and a changed timestamp header', () => {
    const body = load();
    const sig = signAsSendGrid(body);
    const tampered = Buffer.from(body.toString().replace('"bounce"', '"delivered"'));
    expect(sendgrid.verify(signed(tampered, TS, sig), PUBLIC_KEY, NOW)).toMatchObject({ status: 403 });
    expect(libraryAccepts(tampered, sig, TS)).toBe(false);
    const otherTs = String(Number(TS) + 1);
    expect(sendgrid.verify(signed(body, otherTs, sig), PUBLIC_KEY, NOW)).toMatchObject({ status: 403 });
  });
  it('refuses a stale or future timestamp beyond 5 minutes, even when correctly signed', () => {
    const body = load();
    const stale = String(NOW / 1000 - 301); // 301 s old > 300 s window
    const edge = String(NOW / 1000 - 300); // exactly 300 s old: still inside
    const future = String(NOW / 1000 + 301);
    expect(sendgrid.verify(signed(body, stale), PUBLIC_KEY, NOW)).toMatchObject({ ok: false, status: 403 });
    expect(sendgrid.verify(signed(body, edge), PUBLIC_KEY, NOW).ok).toBe(true);
    expect(sendgrid.verify(signed(body, future), PUBLIC_KEY, NOW)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses missing headers with 401 and an unreadable key with 403', () => {
    const body = load();
    expect(sendgrid.verify(rawRequest({ body }), PUBLIC_KEY, NOW)).toMatchObject({ ok: false, status: 401 });
    const noTs = rawRequest({ body, headers: { 'x-twilio-email-event-webhook-signature': signAsSendGrid(body) } });
    expect(sendgrid.verify(noTs, PUBLIC_KEY, NOW)).toMatchObject({ status: 401 });
    expect(sendgrid.verify(signed(body), 'not a key', NOW)).toMatchObject({ status: 403 });
    expect(sendgrid.verify(signed(body, TS, 'garbage'), PUBLIC_KEY, NOW)).toMatchObject({ status: 403 });
  });
  it('agrees with the library on arbitrary bodies, signed or tampered', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.boolean(), (text, tamper) => {
        const body = Buffer.from(text);
        const sig = signAsSendGrid(body);
        const seen = tamper ? Buffer.concat([body, Buffer.from(' ')]) : body;
        const ours = sendgrid.verify(signed(seen, TS, sig), PUBLIC_KEY, NOW).ok;
        expect(ours).toBe(libraryAccepts(seen, sig, TS));
        expect(ours).toBe(!tamper);
      }),
      { numRuns: 15 },
    );
  });
});

describe('sendgrid events', () => {
  const out = expectParsed(sendgrid.parse(rawRequest({ body: load() }), NOW));
  const byId = (id: string) => out.events.find((e) => e.providerEventId === id)!;
  const ownRef = { kind: 'provider', provider: 'sendgrid', providerMessageId: X_MESSAGE_ID };

  it('maps processed to queued, linked by the mesure_message_id custom arg, keeping the X-Message-Id', () => {
    expect(byId('rbtnWrG1DVDGGGFHFyun0A==')).toEqual({
      type: 'queued',
      at: 1_750_263_700_000, // 1750263700 s × 1000
      ref: { kind: 'id', messageId: 'msg_1' },
      provider: 'sendgrid',
      providerMessageId: X_MESSAGE_ID,
      providerEventId: 'rbtnWrG1DVDGGGFHFyun0A==',
      meta: { sg_message_id: FULL_ID },
    });
  });
  it('maps deferred to sent: SendGrid already handed it to the receiving server', () => {
    expect(byId('t7LEShmowp86DTdUW8M-GQ==')).toMatchObject({ type: 'sent', ref: { kind: 'id', messageId: 'msg_1' } });
    expect(byId('t7LEShmowp86DTdUW8M-GQ==').failureReason).toBeUndefined();
  });
  it('maps delivered, linked by campaign + lower-case email', () => {
    expect(byId('rWVYmVk90MjZJ9iohOBa3w==')).toMatchObject({
      type: 'delivered',
      ref: { kind: 'recipient', campaignId: 'cmp_9', recipient: 'camille.martin@example.com' },
    });
  });
  it('maps opens, flagging sg_machine_open as a machine open', () => {
    const human = byId('FOTFFO0ecsBE-zxFXfs6WA==');
    expect(human).toMatchObject({ type: 'opened', ref: ownRef });
    expect(human.machine).toBeUndefined();
    expect(byId('Xq3uR1k2QnmjA9dZ0yQm4w==')).toMatchObject({ type: 'opened', machine: true, flagReason: 'provider_flag' });
  });
  it('maps click with its url', () => {
    expect(byId('kCAi1KttyQdEKHhdC-nuEA==')).toMatchObject({
      type: 'clicked',
      url: 'https://shop.example.com/spring?utm_source=sendgrid',
      at: 1_750_263_900_000,
    });
  });
  it('maps bounce type bounce to hard and blocked to soft, with status and reason', () => {
    expect(byId('6g4ZI7SA-xmRDv57GoPIPw==')).toMatchObject({
      type: 'bounced',
      bounceType: 'hard',
      failureCode: '5.0.0',
      failureMessage: '500 unknown recipient',
      ref: { kind: 'provider', provider: 'sendgrid', providerMessageId: 'Y7kP2mQ9TbO1rW3xZ5aC8g' },
      meta: { bounce_classification: 'Invalid Address' },
    });
    expect(byId('9Hc2k4Nw-QmRDv57GoPIPx==')).toMatchObject({ type: 'bounced', bounceType: 'soft', failureCode: '5.7.1' });
  });
  it('takes the X-Message-Id back from older dotted sg_message_ids too', () => {
    const body = JSON.stringify([
      { event: 'delivered', email: 'a@example.com', timestamp: 1, sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0' },
    ]);
    const [event] = expectParsed(sendgrid.parse(rawRequest({ body }), NOW)).events;
    expect(event.ref).toEqual({ kind: 'provider', provider: 'sendgrid', providerMessageId: '14c5d75ce93.dfd.64b469' });
  });
  it('maps dropped to failed with the suppression reason', () => {
    expect(byId('zmzJhfJgAfUSOW80yEbPyw==')).toMatchObject({
      type: 'failed',
      failureReason: 'opted_out',
      failureMessage: 'Unsubscribed Address',
    });
  });
  it.each([
    ['Bounced Address', 'invalid_recipient'],
    ['Invalid', 'invalid_recipient'],
    ['Spam Reporting Address', 'opted_out'],
    ['Spam Content (if spam checker app enabled)', 'provider_rejected'],
  ])('maps drop reason %s to %s', (reason, expected) => {
    const body = JSON.stringify([{ event: 'dropped', email: 'a@example.com', timestamp: 1, sg_message_id: 'x.y', reason }]);
    const [event] = expectParsed(sendgrid.parse(rawRequest({ body }), NOW)).events;
    expect(event.failureReason).toBe(expected);
  });
  it('maps spamreport, unsubscribe and group_unsubscribe to events and opt-outs; group_resubscribe opts back in', () => {
    expect(byId('37nvH5QBz858KGVYCM4uOA==')).toMatchObject({ type: 'complained', ref: ownRef });
    expect(byId('zz_BjPgU_5pS-J8vlfB1sg==')).toMatchObject({ type: 'unsubscribed', ref: ownRef });
    expect(byId('ahSCB7xYcXFb-hEaawsPRw==')).toMatchObject({ type: 'unsubscribed', ref: ownRef });
    const address = 'camille.martin@example.com';
    expect(out.optChanges).toEqual([
      { channel: 'email', address, optedOut: true, reason: 'spam_complaint' },
      { channel: 'email', address, optedOut: true, reason: 'unsubscribe' },
      { channel: 'email', address, optedOut: true, reason: 'group_unsubscribe:10' },
      { channel: 'email', address, optedOut: false, reason: 'group_resubscribe:10' },
    ]);
  });
  it('produces one event per delivery event (12 of 13: group_resubscribe is only an opt-in), ids unique', () => {
    expect(out.events).toHaveLength(12);
    expect(new Set(out.events.map((e) => e.providerEventId)).size).toBe(12);
    expect(out.replayKeys).toEqual([]);
  });
  it('gives a duplicated delivery exactly the same events, and a reversed batch the same events reversed', () => {
    const again = expectParsed(sendgrid.parse(rawRequest({ body: load() }), NOW + 60_000));
    expect(again).toEqual(out);
    const reversed = Buffer.from(JSON.stringify(JSON.parse(load().toString()).reverse()));
    const back = expectParsed(sendgrid.parse(rawRequest({ body: reversed }), NOW));
    expect(back.events).toEqual([...out.events].reverse());
  });
  it('refuses a body that is not an array, and skips events it cannot link', () => {
    expect(sendgrid.parse(rawRequest({ body: '{"event":"open"}' }), NOW).ok).toBe(false);
    const res = expectParsed(sendgrid.parse(rawRequest({ body: '[{"event":"open"},{"event":"weird","sg_message_id":"a"}]' }), NOW));
    expect(res).toMatchObject({ events: [], skipped: ['event open names no message', 'event weird ignored'] });
  });
  it('never throws on arbitrary JSON arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), (arr) => {
        expect(sendgrid.parse(rawRequest({ body: JSON.stringify(arr) }), NOW).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
