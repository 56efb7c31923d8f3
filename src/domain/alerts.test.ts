// Alert payloads, their Stripe-compatible signature (checked with stripe's own verifier) and the retry schedule.
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { verifyStripeSignature } from '../providers/stripe/verify';
import { ALERT_RETRY, alertPayload, alertRequest, nextRetryAt, signAlert } from './alerts';

const now = Date.UTC(2025, 5, 15, 12, 0, 0); // 2025-06-15T12:00:00Z
const budget = { accountId: 'acc_1', campaignId: 'cmp_1', budgetMinor: 50000, usedMinor: 40000, currency: 'EUR' };

describe('alertPayload', () => {
  it('carries the kind, the time and the data, times as ISO strings', () => {
    const p = alertPayload('budget.80', budget, now);
    expect(p).toEqual({ id: expect.stringMatching(/^alert_[0-9a-f]{32}$/), type: 'budget.80', createdAt: '2025-06-15T12:00:00.000Z', data: budget });
    const overdue = alertPayload(
      'invoice.overdue',
      { accountId: 'acc_1', invoiceId: 'in_1', number: 'MES-1', amountDueMinor: 48250, currency: 'EUR', dueAt: Date.UTC(2025, 2, 31), payUrl: 'https://pay/1' },
      now,
    );
    expect(overdue.data.dueAt).toBe('2025-03-31T00:00:00.000Z');
    const suspended = alertPayload('account.suspended', { accountId: 'acc_1', reason: 'invoice_overdue', since: Date.UTC(2025, 3, 3), invoiceIds: ['in_1'] }, now);
    expect(suspended.data).toEqual({ accountId: 'acc_1', reason: 'invoice_overdue', since: '2025-04-03T00:00:00.000Z', invoiceIds: ['in_1'] });
    const stopped = alertPayload('campaign.stopped', { ...budget, reason: 'budget_exhausted', reservedMinor: 0 }, now);
    expect(stopped.type).toBe('campaign.stopped');
  });

  it('gives the same alert the same id, and a new one when the budget changed', () => {
    const id = alertPayload('budget.80', budget, now).id;
    expect(alertPayload('budget.80', { ...budget, usedMinor: 41000 }, now + 60_000).id).toBe(id);
    expect(alertPayload('budget.80', { ...budget, budgetMinor: 80000 }, now).id).not.toBe(id);
    expect(alertPayload('budget.100', budget, now).id).not.toBe(id);
    expect(alertPayload('budget.80', { ...budget, campaignId: null, period: '2025-06' }, now).id).not.toBe(
      alertPayload('budget.80', { ...budget, campaignId: null, period: '2025-07' }, now).id,
    );
  });
});

describe('signAlert', () => {
  const secret = 'whsec_receiver';
  const body = JSON.stringify(alertPayload('budget.100', budget, now));

  it('signs like Stripe, so a receiver can verify with Stripe libraries', () => {
    const header = signAlert(body, secret, now);
    expect(header).toBe(Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now / 1000 }));
    expect(Stripe.webhooks.signature!.verifyHeader(body, header, secret, 300, undefined, now)).toBe(true);
    expect(verifyStripeSignature(Buffer.from(body), header, secret, now)).toEqual({ ok: true, timestamp: now / 1000 });
  });

  it('puts the timestamp in seconds and builds the request headers', () => {
    const req = alertRequest(alertPayload('budget.100', budget, now), secret, now + 1500);
    expect(req.headers['mesure-signature']).toMatch(new RegExp(`^t=${(now + 1000) / 1000},v1=[0-9a-f]{64}$`));
    expect(req.headers['content-type']).toBe('application/json');
    expect(verifyStripeSignature(Buffer.from(req.body), req.headers['mesure-signature'], secret, now + 1500).ok).toBe(true);
    expect(verifyStripeSignature(Buffer.from(req.body), req.headers['mesure-signature'], 'other', now + 1500).ok).toBe(false);
  });
});

describe('nextRetryAt', () => {
  const MIN = 60_000;
  it('doubles from one minute, caps at six hours and gives up after 12 attempts', () => {
    expect(nextRetryAt(1, now)).toBe(now + MIN);
    expect(nextRetryAt(2, now)).toBe(now + 2 * MIN);
    expect(nextRetryAt(3, now)).toBe(now + 4 * MIN);
    expect(nextRetryAt(9, now)).toBe(now + 256 * MIN); // 2^8 minutes
    expect(nextRetryAt(10, now)).toBe(now + 360 * MIN); // 512 min capped at 6 h
    expect(nextRetryAt(11, now)).toBe(now + 360 * MIN);
    expect(nextRetryAt(12, now)).toBeNull();
    expect(nextRetryAt(0, now)).toBeNull();
  });

  it('spreads the 11 retries over about 20.5 hours', () => {
    // 1 + 2 + 4 + … + 256 = 511 minutes, plus 2 × 360 = 1231 minutes.
    let total = 0;
    for (let attempt = 1; attempt < ALERT_RETRY.maxAttempts; attempt++) total += nextRetryAt(attempt, 0)!;
    expect(total).toBe(1231 * MIN);
  });
});
