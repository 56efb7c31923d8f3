// Tests for the Postmark adapter, on records in Postmark's documented webhook format, behind HTTP Basic credentials.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectParsed, fixture, rawRequest } from '../test-helpers';
import { postmark } from './postmark';

const CREDENTIALS = 'mesure:s3cret-Pa55:with-colon';
const NOW = 1_750_300_000_000;
const MESSAGE_ID = '883953f4-6105-42a2-a16a-77a8eac79483';
// 2025-06-18T00:00:00Z = 1735689600 (2025-01-01) + (31+28+31+30+31+17) days × 86400 = 1750204800 s.
const JUNE_18 = 1_750_204_800_000;

const load = (name: string) => fixture(__dirname, name);
/** What a client sends for https://user:pass@host/…: the pair in an Authorization header, base64. */
const basic = (pair: string) => `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
const req = (body: Buffer | string, authorization?: string) =>
  rawRequest({
    url: 'https://mesure.example.com/webhooks/postmark/acc_1',
    body,
    headers: authorization ? { authorization } : {},
  });
const parse = (name: string) => expectParsed(postmark.parse(req(load(name)), NOW));

describe('postmark verify', () => {
  it('accepts the Basic credentials written in the URL', () => {
    expect(postmark.verify(req(load('delivery.json'), basic(CREDENTIALS)), CREDENTIALS, NOW)).toEqual({ ok: true });
  });
  it('refuses wrong credentials, a prefix of them, or a wrong user, with 403', () => {
    for (const pair of ['mesure:wrong', 'mesure:s3cret-Pa55', 'other:s3cret-Pa55:with-colon', `${CREDENTIALS}x`]) {
      expect(postmark.verify(req(load('delivery.json'), basic(pair)), CREDENTIALS, NOW)).toMatchObject({
        ok: false,
        status: 403,
      });
    }
  });
  it('refuses a request without credentials, or with another scheme, with 401', () => {
    expect(postmark.verify(req(load('delivery.json')), CREDENTIALS, NOW)).toMatchObject({ status: 401 });
    expect(postmark.verify(req(load('delivery.json'), `Bearer ${CREDENTIALS}`), CREDENTIALS, NOW)).toMatchObject({
      status: 401,
    });
  });
  it('refuses everything when the account has no credentials set', () => {
    expect(postmark.verify(req(load('delivery.json'), basic(':')), '', NOW)).toMatchObject({ status: 403 });
  });
});

describe('postmark records', () => {
  it('maps Delivery to delivered, linked by Metadata, with a derived stable event id', () => {
    expect(parse('delivery.json').events).toEqual([
      {
        type: 'delivered',
        at: JUNE_18 + 57_730_273, // 16:02:10.273 = 57730 s + 273 ms
        ref: { kind: 'id', messageId: 'msg_1' },
        provider: 'postmark',
        providerMessageId: MESSAGE_ID,
        providerEventId: `Delivery:${MESSAGE_ID}:2025-06-18T16:02:10.2735393Z`,
      },
    ]);
  });
  it('maps HardBounce to a hard bounce, linked by campaign + lower-case Email', () => {
    expect(parse('bounce-hard.json').events[0]).toMatchObject({
      type: 'bounced',
      bounceType: 'hard',
      ref: { kind: 'recipient', campaignId: 'cmp_5', recipient: 'gone@example.com' },
      failureCode: 'HardBounce',
      failureMessage: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
      meta: { details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.', inactive: true },
    });
    expect(parse('bounce-hard.json').optChanges).toEqual([]);
  });
  it.each([
    ['SoftBounce', 'soft'],
    ['Transient', 'soft'],
    ['DnsError', 'soft'],
    ['Blocked', 'soft'],
    ['BadEmailAddress', 'hard'],
  ])('maps bounce Type %s to %s', (bounceType, expected) => {
    const body = load('bounce-soft.json').toString().replace('"SoftBounce"', JSON.stringify(bounceType));
    const [event] = expectParsed(postmark.parse(req(body), NOW)).events;
    expect(event).toMatchObject({ type: 'bounced', bounceType: expected, failureCode: bounceType });
    expect(event.ref).toEqual({ kind: 'provider', provider: 'postmark', providerMessageId: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d' });
  });
  it('skips bounce types that are not delivery failures, and maps a never-sent one to failed', () => {
    const auto = load('bounce-soft.json').toString().replace('"SoftBounce"', '"AutoResponder"');
    expect(expectParsed(postmark.parse(req(auto), NOW))).toMatchObject({ events: [], skipped: ['bounce type AutoResponder ignored'] });
    const api = load('bounce-soft.json').toString().replace('"SoftBounce"', '"SMTPApiError"');
    expect(expectParsed(postmark.parse(req(api), NOW)).events[0]).toMatchObject({
      type: 'failed',
      failureReason: 'provider_rejected',
    });
  });
  it('maps SpamComplaint to complained and an opt-out', () => {
    const out = parse('spam-complaint.json');
    expect(out.events[0]).toMatchObject({ type: 'complained', at: JUNE_18 + 61_200_000 }); // 17:00:00 = 61200 s
    expect(out.optChanges).toEqual([
      { channel: 'email', address: 'camille.martin@example.com', optedOut: true, reason: 'spam_complaint' },
    ]);
  });
  it('maps Open and Click, with the link and the user agent', () => {
    expect(parse('open.json').events[0]).toMatchObject({
      type: 'opened',
      at: JUNE_18 + 58_200_907, // 16:10:00.907 = 58200 s + 907 ms
      ref: { kind: 'provider', provider: 'postmark', providerMessageId: MESSAGE_ID },
      meta: { firstOpen: true },
    });
    expect(parse('click.json').events[0]).toMatchObject({
      type: 'clicked',
      url: 'https://shop.example.com/spring?utm_source=postmark',
      at: JUNE_18 + 72_660_500, // 16:11:00.5 at −04:00 = 20:11:00.5 UTC = 72660 s + 500 ms
    });
  });
  it('maps a recipient unsubscribe (SubscriptionChange) to unsubscribed and an opt-out', () => {
    const out = parse('subscription-change.json');
    expect(out.events).toMatchObject([{ type: 'unsubscribed', ref: { kind: 'id', messageId: 'msg_1' } }]);
    expect(out.optChanges).toEqual([
      { channel: 'email', address: 'camille.martin@example.com', optedOut: true, reason: 'postmark_ManualSuppression' },
    ]);
  });
  it('maps a reactivation to an opt-in, with no event', () => {
    const body = load('subscription-change.json')
      .toString()
      .replace('"SuppressSending": true', '"SuppressSending": false')
      .replace('"SuppressionReason": "ManualSuppression"', '"SuppressionReason": null')
      .replace('"Origin": "Recipient"', '"Origin": "Customer"');
    const out = expectParsed(postmark.parse(req(body), NOW));
    expect(out.events).toEqual([]);
    expect(out.optChanges).toEqual([
      { channel: 'email', address: 'camille.martin@example.com', optedOut: false, reason: 'postmark_Reactivated' },
    ]);
  });
  it('gives a retried record the same event id and different records different ids', () => {
    const ids = ['delivery.json', 'open.json', 'click.json', 'spam-complaint.json'].map((f) => parse(f).events[0].providerEventId);
    expect(new Set(ids).size).toBe(4);
    expect(parse('open.json').events[0].providerEventId).toBe(ids[1]);
  });
  it('refuses bodies without a RecordType, and never throws on arbitrary records', () => {
    expect(postmark.parse(req('{"Type":"HardBounce"}'), NOW).ok).toBe(false);
    expect(postmark.parse(req('nope'), NOW).ok).toBe(false);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom('Delivery', 'Bounce', 'Open', 'Click', 'SubscriptionChange', 'X'), (rest, kind) => {
        expect(postmark.parse(req(JSON.stringify({ ...rest, RecordType: kind })), NOW).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
