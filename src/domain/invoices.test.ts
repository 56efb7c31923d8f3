// Invoice state from events in any order, the unpaid warning and suspension after the grace period.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applyInvoiceEvent,
  invoiceState,
  isOverdue,
  suspension,
  unpaidWarning,
  type Invoice,
  type InvoiceEvent,
  type InvoiceEventType,
  type InvoiceSnapshot,
  type InvoiceStatus,
} from './invoices';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 1); // invoice finalized
const DUE = T0 + 30 * DAY;

function snap(status: InvoiceStatus | null, over: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot {
  return {
    externalId: 'in_1',
    number: 'MES-0001',
    amountDueMinor: 12000,
    amountRemainingMinor: status === 'paid' ? 0 : 12000,
    currency: 'EUR',
    dueAt: DUE,
    hostedInvoiceUrl: 'https://invoice.stripe.com/i/acct_1/test_1',
    status,
    ...over,
  };
}

function ev(eventId: string, type: InvoiceEventType, at: number, invoice: InvoiceSnapshot): InvoiceEvent {
  return { eventId, type, at, invoice };
}

const fold = (events: InvoiceEvent[]) => events.reduce<Invoice | null>((inv, e) => applyInvoiceEvent(inv, e), null)!;

// One invoice's life: finalized, a failed payment, overdue, then paid.
const finalized = ev('evt_1', 'invoice.finalized', T0, snap('open'));
const failed = ev('evt_2', 'invoice.payment_failed', T0 + 31 * DAY, snap('open'));
const overdue = ev('evt_3', 'invoice.overdue', T0 + 32 * DAY, snap('open'));
const paid = ev('evt_4', 'invoice.paid', T0 + 40 * DAY, snap('paid', { paidAt: T0 + 40 * DAY }));

describe('applyInvoiceEvent', () => {
  it('follows an invoice from finalized to paid', () => {
    const open = fold([finalized]);
    expect(open).toMatchObject({ status: 'open', statusAt: T0, number: 'MES-0001', amountRemainingMinor: 12000, dueAt: DUE });
    const late = fold([finalized, failed, overdue]);
    expect(late).toMatchObject({ status: 'open', lastPaymentFailedAt: T0 + 31 * DAY, overdueAt: T0 + 32 * DAY });
    const done = fold([finalized, failed, overdue, paid]);
    expect(done).toMatchObject({ status: 'paid', statusAt: T0 + 40 * DAY, paidAt: T0 + 40 * DAY, amountRemainingMinor: 0 });
  });

  it('never moves a paid invoice back to open when an older event arrives late', () => {
    const inv = fold([paid, overdue, finalized]);
    expect(inv.status).toBe('paid');
    expect(inv.amountRemainingMinor).toBe(0);
    expect(inv.overdueAt).toBe(T0 + 32 * DAY);
  });

  it('fills what a late event knows and the newer one did not carry', () => {
    const inv = fold([ev('evt_9', 'invoice.paid', T0 + 5 * DAY, snap('paid', { hostedInvoiceUrl: null })), finalized]);
    expect(inv.hostedInvoiceUrl).toBe('https://invoice.stripe.com/i/acct_1/test_1');
    expect(inv.status).toBe('paid');
  });

  it('lets an uncollectible invoice be paid or voided afterwards', () => {
    const written = ev('evt_5', 'invoice.marked_uncollectible', T0 + 60 * DAY, snap('uncollectible'));
    expect(fold([finalized, written]).status).toBe('uncollectible');
    expect(fold([finalized, written, ev('evt_6', 'invoice.paid', T0 + 70 * DAY, snap('paid'))]).status).toBe('paid');
    expect(fold([finalized, written, ev('evt_7', 'invoice.voided', T0 + 70 * DAY, snap('void'))]).status).toBe('void');
  });

  it('reaches the same invoice whatever the order, and applying an event twice changes nothing', () => {
    const all = [finalized, failed, overdue, paid, ev('evt_8', 'invoice.payment_failed', T0 + 35 * DAY, snap('open'))];
    const expected = fold(all);
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), fc.array(fc.nat(all.length - 1), { maxLength: 5 }), (order, dupes) => {
        const events = [...order];
        for (const d of dupes) events.splice(d, 0, all[d]);
        expect(fold(events)).toEqual(expected);
      }),
    );
  });
});

describe('overdue', () => {
  it('is derived from the due date and now, strictly after it', () => {
    const inv = fold([finalized]);
    expect(isOverdue(inv, DUE)).toBe(false);
    expect(invoiceState(inv, DUE)).toBe('open');
    expect(isOverdue(inv, DUE + 1)).toBe(true);
    expect(invoiceState(inv, DUE + 1)).toBe('overdue');
  });

  it('follows the provider when it says so, even without a due date', () => {
    const noDue = ev('evt_1', 'invoice.finalized', T0, snap('open', { dueAt: null }));
    expect(isOverdue(fold([noDue]), T0 + 100 * DAY)).toBe(false);
    const said = ev('evt_3', 'invoice.overdue', T0 + DAY, snap('open', { dueAt: null }));
    expect(isOverdue(fold([noDue, said]), T0 + DAY)).toBe(true);
  });

  it('is never true of a paid, void or draft invoice', () => {
    expect(invoiceState(fold([finalized, paid]), DUE + 100 * DAY)).toBe('paid');
    expect(invoiceState(fold([finalized, ev('evt_7', 'invoice.voided', T0 + DAY, snap('void'))]), DUE + DAY)).toBe('void');
  });
});

describe('unpaidWarning', () => {
  const now = T0 + 20 * DAY;
  const a = fold([ev('a1', 'invoice.finalized', T0, snap('open', { externalId: 'in_A', dueAt: now + 10 * DAY, hostedInvoiceUrl: 'https://pay/A' }))]);
  // B: 3000 due, 2000 already paid, due 2 days ago: overdue.
  const b = fold([
    ev('b1', 'invoice.finalized', T0, snap('open', { externalId: 'in_B', amountDueMinor: 3000, amountRemainingMinor: 1000, dueAt: now - 2 * DAY, hostedInvoiceUrl: 'https://pay/B' })),
  ]);
  const c = fold([ev('c1', 'invoice.paid', T0, snap('paid', { externalId: 'in_C' }))]);
  const d = fold([ev('d1', 'invoice.voided', T0, snap('void', { externalId: 'in_D' }))]);
  // E: written off in USD, no due date: still owed, overdue since written off.
  const e = fold([ev('e1', 'invoice.marked_uncollectible', T0 + DAY, snap('uncollectible', { externalId: 'in_E', currency: 'USD', amountDueMinor: 500, amountRemainingMinor: 500, dueAt: null, hostedInvoiceUrl: null }))]);

  it('sums what is owed per currency and points to the most urgent invoice', () => {
    // EUR: A 12000 + B 1000 remaining = 13000; USD: E 500. Overdue: B (due passed) and E (written off).
    // Most urgent: overdue first, by due date (B, then E without a date), then A.
    expect(unpaidWarning([a, b, c, d, e], now)).toEqual({
      count: 3,
      overdueCount: 2,
      totals: [
        { currency: 'EUR', amountMinor: 13000 },
        { currency: 'USD', amountMinor: 500 },
      ],
      earliestDueAt: now - 2 * DAY,
      payUrl: 'https://pay/B',
      invoiceIds: ['in_B', 'in_E', 'in_A'],
    });
  });

  it('is null when everything is paid or void', () => {
    expect(unpaidWarning([c, d], now)).toBeNull();
    expect(unpaidWarning([], now)).toBeNull();
  });
});

describe('suspension', () => {
  const open = fold([finalized]);

  it('suspends sending once an invoice is overdue longer than the grace period', () => {
    // Due DUE, grace 7 days: at DUE + 7 days still allowed, one millisecond later suspended.
    expect(suspension([open], DUE + 7 * DAY, 7).suspended).toBe(false);
    expect(suspension([open], DUE + 7 * DAY + 1, 7)).toEqual({ suspended: true, since: DUE + 7 * DAY, invoiceIds: ['in_1'] });
    expect(suspension([open], DUE + 1, 0).suspended).toBe(true);
  });

  it('is lifted by paying or voiding the invoice', () => {
    expect(suspension([fold([finalized, overdue, paid])], DUE + 30 * DAY, 7).suspended).toBe(false);
    expect(suspension([fold([finalized, ev('evt_7', 'invoice.voided', DUE + 20 * DAY, snap('void'))])], DUE + 30 * DAY, 7).suspended).toBe(false);
  });

  it('ignores an invoice with nothing left to pay', () => {
    const settled = fold([ev('evt_1', 'invoice.finalized', T0, snap('open', { amountRemainingMinor: 0 }))]);
    expect(suspension([settled], DUE + 30 * DAY, 0).suspended).toBe(false);
  });
});
