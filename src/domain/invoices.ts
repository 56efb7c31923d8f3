// Invoices of the account's messaging costs: their state as events (Stripe's or the API's) arrive in any order,
// the unpaid warning shown to the account, and the suspension of sending after overdue + grace.

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
/** What a screen shows: the stored status, or 'overdue' for an unpaid invoice past its due date. */
export type InvoiceState = InvoiceStatus | 'overdue';

export const INVOICE_EVENT_TYPES = [
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.overdue',
  'invoice.marked_uncollectible',
  'invoice.voided',
] as const;
export type InvoiceEventType = (typeof INVOICE_EVENT_TYPES)[number];

/** What one event says about an invoice at the time of the event. Times are epoch ms. */
export interface InvoiceSnapshot {
  externalId: string;
  number: string | null;
  amountDueMinor: number;
  /** What is still owed after partial payments; falls back to amountDueMinor. */
  amountRemainingMinor?: number | null;
  currency: string;
  dueAt: number | null;
  hostedInvoiceUrl: string | null;
  status: InvoiceStatus | null;
  paidAt?: number | null;
}

export interface InvoiceEvent {
  /** Stripe's event id (dedupe key), or one the API makes up for a manual change. */
  eventId: string;
  type: InvoiceEventType;
  /** When the event happened (Stripe's `created`). */
  at: number;
  invoice: InvoiceSnapshot;
}

export interface Invoice {
  externalId: string;
  number: string | null;
  amountDueMinor: number;
  amountRemainingMinor: number;
  currency: string;
  dueAt: number | null;
  hostedInvoiceUrl: string | null;
  status: InvoiceStatus;
  /** When the invoice entered its current status. */
  statusAt: number;
  paidAt: number | null;
  /** First time the provider said the invoice is overdue. */
  overdueAt: number | null;
  lastPaymentFailedAt: number | null;
  /** Time and id of the newest event applied: its snapshot's fields win. */
  updatedAt: number;
  lastEventId: string;
}

// Statuses only move forward: draft → open → (uncollectible →) paid | void. Paid ranks above void: an invoice
// cannot really be both, and money received is the fact that must not be lost.
const RANK: Record<InvoiceStatus, number> = { draft: 0, open: 1, uncollectible: 2, void: 3, paid: 4 };

const IMPLIED: Record<InvoiceEventType, InvoiceStatus> = {
  'invoice.finalized': 'open',
  'invoice.paid': 'paid',
  'invoice.payment_failed': 'open',
  'invoice.overdue': 'open',
  'invoice.marked_uncollectible': 'uncollectible',
  'invoice.voided': 'void',
};

export function isInvoiceEventType(v: unknown): v is InvoiceEventType {
  return typeof v === 'string' && (INVOICE_EVENT_TYPES as readonly string[]).includes(v);
}

function eventStatus(event: InvoiceEvent): InvoiceStatus {
  const implied = IMPLIED[event.type];
  const snap = event.invoice.status;
  return snap && RANK[snap] > RANK[implied] ? snap : implied;
}

function newer(at: number, id: string, thanAt: number, thanId: string): boolean {
  return at > thanAt || (at === thanAt && id > thanId);
}

const minOf = (a: number | null, b: number | null | undefined) => (a === null ? (b ?? null) : b == null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null | undefined) => (a === null ? (b ?? null) : b == null ? a : Math.max(a, b));

/**
 * Applies one event to an invoice (null when first seen). The result does not depend on the order events
 * arrive in, and applying an event twice changes nothing: the status is the furthest one any event reached,
 * data fields come from the newest event that carries them, and times are first/last seen.
 */
export function applyInvoiceEvent(current: Invoice | null, event: InvoiceEvent): Invoice {
  const snap = event.invoice;
  const status = eventStatus(event);
  const paidAt = status === 'paid' ? (snap.paidAt ?? event.at) : null;
  const remaining = snap.amountRemainingMinor ?? (status === 'paid' ? 0 : snap.amountDueMinor);
  if (!current) {
    return {
      externalId: snap.externalId,
      number: snap.number,
      amountDueMinor: snap.amountDueMinor,
      amountRemainingMinor: remaining,
      currency: snap.currency,
      dueAt: snap.dueAt,
      hostedInvoiceUrl: snap.hostedInvoiceUrl,
      status,
      statusAt: event.at,
      paidAt,
      overdueAt: event.type === 'invoice.overdue' ? event.at : null,
      lastPaymentFailedAt: event.type === 'invoice.payment_failed' ? event.at : null,
      updatedAt: event.at,
      lastEventId: event.eventId,
    };
  }
  const isNewer = newer(event.at, event.eventId, current.updatedAt, current.lastEventId);
  const pick = <T>(fromEvent: T | null, fromCurrent: T | null): T | null =>
    isNewer ? (fromEvent ?? fromCurrent) : (fromCurrent ?? fromEvent);
  const rankUp = RANK[status] > RANK[current.status];
  const sameStatus = status === current.status;
  return {
    externalId: current.externalId,
    number: pick(snap.number, current.number),
    amountDueMinor: isNewer ? snap.amountDueMinor : current.amountDueMinor,
    amountRemainingMinor: isNewer ? remaining : current.amountRemainingMinor,
    currency: isNewer ? snap.currency : current.currency,
    dueAt: pick(snap.dueAt, current.dueAt),
    hostedInvoiceUrl: pick(snap.hostedInvoiceUrl, current.hostedInvoiceUrl),
    status: rankUp ? status : current.status,
    statusAt: rankUp ? event.at : sameStatus ? Math.min(current.statusAt, event.at) : current.statusAt,
    paidAt: minOf(current.paidAt, paidAt),
    overdueAt: event.type === 'invoice.overdue' ? minOf(current.overdueAt, event.at) : current.overdueAt,
    lastPaymentFailedAt:
      event.type === 'invoice.payment_failed' ? maxOf(current.lastPaymentFailedAt, event.at) : current.lastPaymentFailedAt,
    updatedAt: isNewer ? event.at : current.updatedAt,
    lastEventId: isNewer ? event.eventId : current.lastEventId,
  };
}

/** Money is still owed: open, or written off as uncollectible (writing it off does not pay it). */
export function isUnpaid(invoice: Invoice): boolean {
  return (invoice.status === 'open' || invoice.status === 'uncollectible') && owedMinor(invoice) > 0;
}

function owedMinor(invoice: Invoice): number {
  return invoice.amountRemainingMinor ?? invoice.amountDueMinor;
}

/**
 * Since when an unpaid invoice counts as overdue (whether or not that time has come yet): its due date, or
 * the first time the provider said it is overdue, or when it was written off; null when none is known.
 */
export function overdueSince(invoice: Invoice): number | null {
  if (!isUnpaid(invoice)) return null;
  let since = minOf(invoice.dueAt, invoice.overdueAt);
  if (invoice.status === 'uncollectible') since = minOf(since, invoice.statusAt);
  return since;
}

export function isOverdue(invoice: Invoice, now: number): boolean {
  const since = overdueSince(invoice);
  // The provider saying so settles it; otherwise the due date must have passed.
  return since !== null && (now > since || invoice.overdueAt !== null);
}

export function invoiceState(invoice: Invoice, now: number): InvoiceState {
  return isOverdue(invoice, now) ? 'overdue' : invoice.status;
}

export interface UnpaidWarning {
  count: number;
  overdueCount: number;
  /** Amount still owed, one entry per currency (sums never mix currencies), sorted by currency. */
  totals: Array<{ currency: string; amountMinor: number }>;
  /** Earliest due date among unpaid invoices; null when none has one. */
  earliestDueAt: number | null;
  /** Where to pay: the most urgent invoice's hosted page (overdue first, then earliest due). */
  payUrl: string | null;
  invoiceIds: string[];
}

/** The warning shown while invoices are open or overdue; null when everything is paid. */
export function unpaidWarning(invoices: Invoice[], now: number): UnpaidWarning | null {
  const unpaid = invoices.filter(isUnpaid);
  if (unpaid.length === 0) return null;
  const urgency = (i: Invoice) => [isOverdue(i, now) ? 0 : 1, i.dueAt ?? Number.POSITIVE_INFINITY] as const;
  const sorted = [...unpaid].sort((x, y) => {
    const [ox, dx] = urgency(x);
    const [oy, dy] = urgency(y);
    return ox - oy || dx - dy || x.externalId.localeCompare(y.externalId);
  });
  const totals = new Map<string, number>();
  for (const i of unpaid) totals.set(i.currency, (totals.get(i.currency) ?? 0) + owedMinor(i));
  const dues = unpaid.map((i) => i.dueAt).filter((d): d is number => d !== null);
  return {
    count: unpaid.length,
    overdueCount: unpaid.filter((i) => isOverdue(i, now)).length,
    totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountMinor]) => ({ currency, amountMinor })),
    earliestDueAt: dues.length > 0 ? Math.min(...dues) : null,
    payUrl: sorted.find((i) => i.hostedInvoiceUrl)?.hostedInvoiceUrl ?? null,
    invoiceIds: sorted.map((i) => i.externalId),
  };
}

const DAY_MS = 86_400_000;

export interface Suspension {
  suspended: boolean;
  /** When the suspension began (overdue since + grace), for the earliest invoice that causes it. */
  since: number | null;
  /** The invoices that cause it: paying (or voiding) all of them lifts it. */
  invoiceIds: string[];
}

/** Sending is suspended once an unpaid invoice has been overdue for longer than the grace period. */
export function suspension(invoices: Invoice[], now: number, graceDays: number): Suspension {
  const causes: Array<{ id: string; from: number }> = [];
  for (const i of invoices) {
    const since = overdueSince(i);
    if (since === null) continue;
    const from = since + graceDays * DAY_MS;
    if (now > from) causes.push({ id: i.externalId, from });
  }
  if (causes.length === 0) return { suspended: false, since: null, invoiceIds: [] };
  causes.sort((a, b) => a.from - b.from || a.id.localeCompare(b.id));
  return { suspended: true, since: causes[0].from, invoiceIds: causes.map((c) => c.id) };
}
