// Stripe signature verification, signed with stripe's own generateTestHeaderString.
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { computeSignature, parseSignatureHeader, verifyStripeSignature } from './verify';

const secret = 'whsec_test_mesure_secret';
const T = 1743811200; // 2025-04-05T00:00:00Z, in seconds
const body = JSON.stringify({ id: 'evt_1', object: 'event', note: 'Café ☕ 😀' });
const raw = Buffer.from(body, 'utf8');
const sign = (payload = body, s = secret, timestamp = T) => Stripe.webhooks.generateTestHeaderString({ payload, secret: s, timestamp });
const v1Of = (header: string) => parseSignatureHeader(header)!.v1[0];

describe('verifyStripeSignature', () => {
  it('accepts a body signed by Stripe', () => {
    expect(verifyStripeSignature(raw, sign(), secret, T * 1000)).toEqual({ ok: true, timestamp: T });
  });

  it('computes the same signature as Stripe', () => {
    expect(`t=${T},v1=${computeSignature(raw, T, secret)}`).toBe(sign());
    expect(Stripe.webhooks.signature!.verifyHeader(body, `t=${T},v1=${computeSignature(raw, T, secret)}`, secret, 300, undefined, T * 1000)).toBe(true);
  });

  it('accepts any of several v1 signatures (while the endpoint secret rolls)', () => {
    const oldSig = v1Of(sign(body, 'whsec_old'));
    const newSig = v1Of(sign(body, secret));
    const header = `t=${T},v1=${oldSig},v1=${newSig}`;
    expect(verifyStripeSignature(raw, header, secret, T * 1000).ok).toBe(true);
    expect(verifyStripeSignature(raw, header, 'whsec_old', T * 1000).ok).toBe(true);
    expect(verifyStripeSignature(raw, header, 'whsec_other', T * 1000)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('refuses a changed body or a wrong secret', () => {
    const tampered = Buffer.from(body.replace('Café', 'Cafe'), 'utf8');
    expect(verifyStripeSignature(tampered, sign(), secret, T * 1000)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyStripeSignature(raw, sign(body, 'whsec_wrong'), secret, T * 1000)).toEqual({ ok: false, reason: 'signature_mismatch' });
    // A signature of the wrong length or not hex is a mismatch, not an exception.
    expect(verifyStripeSignature(raw, `t=${T},v1=abc`, secret, T * 1000)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyStripeSignature(raw, `t=${T},v1=${'z'.repeat(64)}`, secret, T * 1000)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('refuses a timestamp more than 5 minutes away, in the past or the future', () => {
    const header = sign();
    expect(verifyStripeSignature(raw, header, secret, (T + 300) * 1000).ok).toBe(true);
    expect(verifyStripeSignature(raw, header, secret, (T + 301) * 1000)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyStripeSignature(raw, header, secret, (T - 300) * 1000).ok).toBe(true);
    expect(verifyStripeSignature(raw, header, secret, (T - 301) * 1000)).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyStripeSignature(raw, header, secret, (T + 600) * 1000, 600).ok).toBe(true);
  });

  it('refuses the timestamp of another signature: t is part of what is signed', () => {
    const sig = v1Of(sign());
    expect(verifyStripeSignature(raw, `t=${T + 1},v1=${sig}`, secret, T * 1000)).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('says what is wrong with a header', () => {
    expect(verifyStripeSignature(raw, undefined, secret, T * 1000)).toEqual({ ok: false, reason: 'missing_header' });
    expect(verifyStripeSignature(raw, '', secret, T * 1000)).toEqual({ ok: false, reason: 'missing_header' });
    expect(verifyStripeSignature(raw, 'garbage', secret, T * 1000)).toEqual({ ok: false, reason: 'malformed_header' });
    expect(verifyStripeSignature(raw, `v1=${v1Of(sign())}`, secret, T * 1000)).toEqual({ ok: false, reason: 'malformed_header' });
    // v0 is Stripe's test scheme, never accepted.
    const v0 = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: T, scheme: 'v0' });
    expect(verifyStripeSignature(raw, v0, secret, T * 1000)).toEqual({ ok: false, reason: 'no_v1_signature' });
    expect(verifyStripeSignature(raw, sign(), '', T * 1000)).toEqual({ ok: false, reason: 'missing_secret' });
  });
});
