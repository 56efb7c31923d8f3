// Parsing Stripe invoice events from fixtures shaped like Stripe's, then the whole path: verify, parse, apply.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { applyInvoiceEvent, suspension, unpaidWarning, type Invoice } from '../../domain/invoices';
import { parseStripeEvent } from './parse';
import { verifyStripeSignature } from './verify';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));

const FIN = 1740787200_000; // 2025-03-01T00:00:00Z
const DUE = 1743379200_000; // 2025-03-31T00:00:00Z
const DAY = 86_400_000;
const URL_ = 'https://invoice.stripe.com/i/acct_1NvEXAMPLE/test_YWNjdF8xTnZFWEFNUExFLF9SbUVYQU1QTEU0MiwxMzQ4MDAwMDA0';

describe('parseStripeEvent', () => {
  it('reads an invoice.finalized event', () => {
    expect(parseStripeEvent(fixture('invoice.finalized'))).toEqual({
      ok: true,
      event: {
        eventId: 'evt_1QxMsrEXAMPLEfin',
        type: 'invoice.finalized',
        at: FIN,
        livemode: false,
        invoice: {
          externalId: 'in_1QxMsrEXAMPLE0042',
          number: 'MES-2025-0042',
          amountDueMinor: 48250,
          amountRemainingMinor: 48250,
          currency: 'EUR',
          dueAt: DUE,
          hostedInvoiceUrl: URL_,
          status: 'open',
          paidAt: null,
          customerId: 'cus_RmEXAMPLEacme',
          metadata: { mesure_account_id: 'acc_demo' },
        },
      },
    });
  });

  it('reads the status, amounts and times of each invoice event', () => {
    const cases = [
      ['invoice.payment_failed', 'open', DUE + 3600_000, 48250, null],
      ['invoice.overdue', 'open', DUE + DAY, 48250, null],
      ['invoice.paid', 'paid', DUE + 5 * DAY, 0, DUE + 5 * DAY],
      ['invoice.marked_uncollectible', 'uncollectible', DUE + 60 * DAY, 48250, null],
      ['invoice.voided', 'void', FIN + 2 * DAY, 48250, null],
    ] as const;
    for (const [type, status, at, remaining, paidAt] of cases) {
      const r = parseStripeEvent(fixture(type));
      if (!r.ok) throw new Error(`${type}: ${r.reason}`);
      expect(r.event).toMatchObject({ type, at, invoice: { status, amountDueMinor: 48250, amountRemainingMinor: remaining, paidAt } });
    }
  });

  it('accepts a string or an already-decoded body', () => {
    const text = fixture('invoice.paid').toString();
    expect(parseStripeEvent(text)).toEqual(parseStripeEvent(JSON.parse(text)));
  });

  it('drops what it does not handle, with a reason', () => {
    expect(parseStripeEvent(fixture('customer.created'))).toEqual({
      ok: false,
      reason: 'unhandled_type',
      eventId: 'evt_1QxMsrEXAMPLEcust',
      type: 'customer.created',
    });
    expect(parseStripeEvent(Buffer.from('{not json'))).toEqual({ ok: false, reason: 'invalid_json' });
    expect(parseStripeEvent({ id: 'x', object: 'invoice' })).toEqual({ ok: false, reason: 'not_an_event' });
    const broken = JSON.parse(fixture('invoice.paid').toString());
    delete broken.data.object.amount_due;
    expect(parseStripeEvent(broken)).toMatchObject({ ok: false, reason: 'invalid_invoice', eventId: 'evt_1QxMsrEXAMPLEpaid' });
    broken.data.object = { id: 'cus_1', object: 'customer' };
    expect(parseStripeEvent(broken)).toMatchObject({ ok: false, reason: 'not_an_invoice' });
  });
});

describe('from Stripe webhook to suspension', () => {
  const secret = 'whsec_mesure_e2e';

  function receive(current: Invoice | null, name: string): Invoice {
    const raw = fixture(name);
    const created = JSON.parse(raw.toString()).created as number;
    const header = Stripe.webhooks.generateTestHeaderString({ payload: raw.toString(), secret, timestamp: created });
    // Delivered 10 seconds after Stripe signed it.
    const verified = verifyStripeSignature(raw, header, secret, created * 1000 + 10_000);
    if (!verified.ok) throw new Error(verified.reason);
    const parsed = parseStripeEvent(raw);
    if (!parsed.ok) throw new Error(parsed.reason);
    return applyInvoiceEvent(current, parsed.event);
  }

  it('warns, suspends after the grace period, and lifts the suspension once paid, even when events arrive late', () => {
    let inv = receive(null, 'invoice.finalized');
    inv = receive(inv, 'invoice.overdue');
    // Grace 3 days after DUE: suspended from DUE + 3 days (exclusive).
    expect(suspension([inv], DUE + 3 * DAY, 3).suspended).toBe(false);
    expect(suspension([inv], DUE + 4 * DAY, 3).suspended).toBe(true);
    expect(unpaidWarning([inv], DUE + 4 * DAY)).toMatchObject({ count: 1, overdueCount: 1, totals: [{ currency: 'EUR', amountMinor: 48250 }], earliestDueAt: DUE, payUrl: URL_ });
    inv = receive(inv, 'invoice.paid');
    // The payment failure was delivered after the payment: it must not reopen the invoice.
    inv = receive(inv, 'invoice.payment_failed');
    expect(inv.status).toBe('paid');
    expect(suspension([inv], DUE + 6 * DAY, 3).suspended).toBe(false);
    expect(unpaidWarning([inv], DUE + 6 * DAY)).toBeNull();
  });
});

describe('parseStripeEvent bounds', () => {
  const event = (inv: Record<string, unknown>, created = 1_765_000_000) =>
    JSON.stringify({ id: 'evt_\u0000x', object: 'event', type: 'invoice.finalized', created, livemode: false, data: { object: { object: 'invoice', id: 'in_1', amount_due: 1200, currency: 'eur', status: 'open', ...inv } } });
  it('replaces NUL and lone surrogates in a signed event rather than losing it', () => {
    const r = parseStripeEvent(event({ number: 'A\uD800', metadata: { 'k\u0000': 'v\u0000' } }));
    expect(r).toMatchObject({ ok: true, event: { eventId: 'evt_\uFFFDx', invoice: { number: 'A\uFFFD', metadata: { 'k\uFFFD': 'v\uFFFD' } } } });
  });
  it('drops an invoice whose amount is beyond 10^12 minor units or whose time is outside 2000–2099', () => {
    expect(parseStripeEvent(event({ amount_due: 1e13 }))).toMatchObject({ ok: false, reason: 'invalid_invoice' });
    expect(parseStripeEvent(event({}, 99_999_999_999))).toMatchObject({ ok: false, reason: 'invalid_invoice' });
    expect(parseStripeEvent(event({ due_date: 99_999_999_999 }))).toMatchObject({ ok: true, event: { invoice: { dueAt: null } } });
  });
});
