// Invoices of the account's messaging costs (recorded by API or from Stripe webhooks), the unpaid warning, and
// the suspension of sending once an overdue invoice has passed the grace period; alerts for both.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import type { Writer } from './writer';
import { hintOf, type SecretBox } from './secrets';
import type { AccountDirectory } from './accounts';
import type { Alerts } from './alerts';
import type { Outcome } from './ingest';
import {
  getBillingSettings, getInvoiceRow, insertInvoiceEvent, listAccountsWithUnpaidInvoices, listInvoiceRows, upsertBillingSettings,
  upsertInvoiceRow, type InvoiceRow,
} from '../store/budgets';
import {
  applyInvoiceEvent, invoiceState, isOverdue, overdueSince, suspension, unpaidWarning, type Invoice, type InvoiceEvent,
  type InvoiceEventType, type InvoiceStatus, type Suspension,
} from '../domain/invoices';
import { parseStripeEvent, verifyStripeSignature } from '../providers/stripe';
import { noMetrics, type ServiceMetrics } from './metrics';

export const DEFAULT_GRACE_DAYS = 14;
const DAY_MS = 86_400_000;
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function toInvoice(r: InvoiceRow): Invoice {
  return {
    externalId: r.external_id, number: r.number, amountDueMinor: Number(r.amount_due_minor), amountRemainingMinor: Number(r.amount_remaining_minor),
    currency: r.currency, dueAt: r.due_at, hostedInvoiceUrl: r.hosted_invoice_url, status: r.status as InvoiceStatus, statusAt: r.status_at,
    paidAt: r.paid_at, overdueAt: r.overdue_at, lastPaymentFailedAt: r.last_payment_failed_at, updatedAt: r.updated_at, lastEventId: r.last_event_id,
  };
}

function toRow(accountId: string, i: Invoice, source: string, createdAt: number): InvoiceRow {
  return {
    account_id: accountId, external_id: i.externalId, number: i.number, amount_due_minor: i.amountDueMinor, amount_remaining_minor: i.amountRemainingMinor,
    currency: i.currency, due_at: i.dueAt, hosted_invoice_url: i.hostedInvoiceUrl, status: i.status, status_at: i.statusAt, paid_at: i.paidAt,
    overdue_at: i.overdueAt, last_payment_failed_at: i.lastPaymentFailedAt, updated_at: i.updatedAt, last_event_id: i.lastEventId, source, created_at: createdAt,
  };
}

/** An invoice as the API shows it. */
export function invoiceView(i: Invoice, now: number) {
  return {
    id: i.externalId, number: i.number, status: i.status, state: invoiceState(i, now), overdue: isOverdue(i, now),
    amountDue: i.amountDueMinor, amountRemaining: i.amountRemainingMinor, currency: i.currency, dueAt: iso(i.dueAt), payUrl: i.hostedInvoiceUrl,
    paidAt: iso(i.paidAt), overdueAt: iso(i.overdueAt), lastPaymentFailedAt: iso(i.lastPaymentFailedAt), updatedAt: iso(i.updatedAt),
  };
}

export interface InvoiceInput {
  id: string;
  number?: string | null;
  amountDue: number;
  amountRemaining?: number | null;
  currency: string;
  dueAt?: number | null;
  payUrl?: string | null;
  status: 'open' | 'paid' | 'void' | 'uncollectible';
  paidAt?: number | null;
  overdue?: boolean;
}

const EVENT_OF_STATUS: Record<InvoiceInput['status'], InvoiceEventType> = {
  open: 'invoice.finalized', paid: 'invoice.paid', void: 'invoice.voided', uncollectible: 'invoice.marked_uncollectible',
};

export type StripeWebhookResult =
  | { status: 200; body: { received: true; applied: boolean; duplicate?: boolean; ignored?: string } }
  | { status: 401 | 403; message: string };

export class Billing {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly alerts: Alerts,
    private readonly clock: () => number = Date.now,
    private readonly metrics: ServiceMetrics = noMetrics,
  ) {}

  async graceDays(h: Db['kysely'] | Transaction<DB>, accountId: string): Promise<number> {
    return (await getBillingSettings(h, accountId))?.grace_days ?? DEFAULT_GRACE_DAYS;
  }

  /** Whether sending is suspended now, from the account's unpaid invoices. */
  async suspensionIn(h: Db['kysely'] | Transaction<DB>, accountId: string, now: number): Promise<Suspension> {
    const unpaid = (await listInvoiceRows(h, accountId, { unpaidOnly: true })).map(toInvoice);
    if (unpaid.length === 0) return { suspended: false, since: null, invoiceIds: [] };
    return suspension(unpaid, now, await this.graceDays(h, accountId));
  }

  /** Records an invoice given by the API (one event made up from its status). */
  async record(accountId: string, input: InvoiceInput): Promise<Outcome<ReturnType<typeof invoiceView>>> {
    const now = this.clock();
    const events: InvoiceEvent[] = [];
    const snapshot = {
      externalId: input.id, number: input.number ?? null, amountDueMinor: input.amountDue, amountRemainingMinor: input.amountRemaining ?? null,
      currency: input.currency.toUpperCase(), dueAt: input.dueAt ?? null, hostedInvoiceUrl: input.payUrl ?? null, status: input.status, paidAt: input.paidAt ?? null,
    };
    events.push({ eventId: `api_${randomUUID()}`, type: EVENT_OF_STATUS[input.status], at: now, invoice: snapshot });
    if (input.overdue && input.status === 'open') events.push({ eventId: `api_${randomUUID()}`, type: 'invoice.overdue', at: now, invoice: snapshot });
    const invoice = await this.writer.run(async (trx) => {
      let last: Invoice | null = null;
      for (const e of events) last = (await this.applyIn(trx, accountId, e, 'api')) ?? last;
      await this.checkIn(trx, accountId, now);
      return last!;
    });
    this.alerts.kick();
    return { ok: true, value: invoiceView(invoice, now) };
  }

  async setStripeSecret(accountId: string, secret: string): Promise<void> {
    await upsertBillingSettings(this.db.kysely, accountId, { stripe_webhook_secret: this.box.seal(secret) }, this.clock());
  }

  /** The Stripe webhook secret's last four characters, from the stored (sealed) value; null without one. */
  stripeSecretHint(stored: string | null | undefined): string | null {
    return stored ? hintOf(this.box.open(stored)) : null;
  }

  async setGraceDays(accountId: string, days: number): Promise<void> {
    await upsertBillingSettings(this.db.kysely, accountId, { grace_days: days }, this.clock());
  }

  /** A Stripe webhook delivery: verified over the raw body, deduped on the event id, answered after COMMIT. */
  async stripeWebhook(accountId: string, rawBody: Buffer | undefined, signature: string | undefined): Promise<StripeWebhookResult> {
    // A refusal must not tell whether the account exists or has a secret: an unknown account, one without a secret and
    // a wrong signature answer alike (401 unsigned, 403 refused), so the webhook URL cannot be used to probe accounts.
    if (!rawBody || !signature) {
      this.metrics.webhookSignatureFailed('stripe');
      return { status: 401, message: 'Missing body or Stripe-Signature header: Stripe signs every delivery.' };
    }
    const account = await this.accounts.get(accountId);
    const stored = account ? (await getBillingSettings(this.db.kysely, accountId))?.stripe_webhook_secret : null;
    const secret = stored ? this.box.open(stored) : null;
    const now = this.clock();
    // Without a secret, check against a random one: the reason given (signature or timestamp) is then the same as for a wrong secret.
    const verified = verifyStripeSignature(rawBody, signature, secret || randomUUID(), now);
    if (!verified.ok || !secret) {
      this.metrics.webhookSignatureFailed('stripe');
      const reason = verified.ok ? 'signature_mismatch' : verified.reason;
      return { status: 403, message: `Stripe signature refused: ${reason}. Check the endpoint's signing secret (whsec_…) set with PUT /v1/stripe/secret.` };
    }
    const parsed = parseStripeEvent(rawBody);
    if (!parsed.ok) return { status: 200, body: { received: true, applied: false, ignored: parsed.reason } };
    const event = parsed.event;
    const owner = event.invoice.metadata.mesure_account_id;
    if (owner && owner !== accountId) return { status: 200, body: { received: true, applied: false, ignored: 'other_account' } };
    const applied = await this.writer.run(async (trx) => {
      const inv = await this.applyIn(trx, accountId, event, 'stripe');
      if (inv) await this.checkIn(trx, accountId, now);
      return inv !== null;
    });
    this.alerts.kick();
    return { status: 200, body: applied ? { received: true, applied: true } : { received: true, applied: false, duplicate: true } };
  }

  /** Applies one event (null when it was already applied). */
  private async applyIn(trx: Transaction<DB>, accountId: string, event: InvoiceEvent, source: string): Promise<Invoice | null> {
    const fresh = await insertInvoiceEvent(trx, { account_id: accountId, event_id: event.eventId, type: event.type, invoice_id: event.invoice.externalId, received_at: this.clock() });
    if (!fresh) return null;
    const currentRow = await getInvoiceRow(trx, accountId, event.invoice.externalId);
    const next = applyInvoiceEvent(currentRow ? toInvoice(currentRow) : null, event);
    await upsertInvoiceRow(trx, toRow(accountId, next, currentRow?.source ?? source, currentRow?.created_at ?? this.clock()));
    return next;
  }

  /**
   * Raises the overdue and suspension alerts the account's invoices call for now (each alert id is queued once),
   * and keeps the account's `suspended` flag in step.
   */
  async checkIn(trx: Transaction<DB>, accountId: string, now: number): Promise<Suspension> {
    const unpaid = (await listInvoiceRows(trx, accountId, { unpaidOnly: true })).map(toInvoice);
    for (const i of unpaid) {
      if (!isOverdue(i, now)) continue;
      await this.alerts.enqueueIn(trx, accountId, 'invoice.overdue', {
        accountId, invoiceId: i.externalId, number: i.number, amountDueMinor: i.amountRemainingMinor, currency: i.currency, dueAt: i.dueAt, payUrl: i.hostedInvoiceUrl,
      });
    }
    const s = suspension(unpaid, now, await this.graceDays(trx, accountId));
    if (s.suspended) await this.alerts.enqueueIn(trx, accountId, 'account.suspended', { accountId, reason: 'invoice_overdue', since: s.since!, invoiceIds: s.invoiceIds });
    const account = await this.accounts.get(accountId, trx);
    if (account && (account.suspended === 1) !== s.suspended) {
      await trx.updateTable('accounts').set({ suspended: s.suspended ? 1 : 0 }).where('id', '=', accountId).execute();
      this.accounts.forget(accountId);
    }
    return s;
  }

  /** The timer's round: overdue and suspension checks of every account with unpaid invoices. */
  async checkAll(): Promise<void> {
    const now = this.clock();
    for (const accountId of await listAccountsWithUnpaidInvoices(this.db.kysely)) {
      await this.writer.run((trx) => this.checkIn(trx, accountId, now));
    }
  }

  async list(accountId: string, opts: { cursor?: string; limit: number }) {
    const now = this.clock();
    const rows = await listInvoiceRows(this.db.kysely, accountId, { after: opts.cursor, limit: opts.limit + 1 });
    const page = rows.slice(0, opts.limit);
    return { items: page.map((r) => invoiceView(toInvoice(r), now)), nextCursor: rows.length > opts.limit ? page[page.length - 1].external_id : null };
  }

  /** The unpaid warning (docs/API.md): count, total, currency, earliest due date, pay link, overdue, suspendsAt. */
  async unpaid(accountId: string) {
    const now = this.clock();
    const account = (await this.accounts.get(accountId))!;
    const invoices = (await listInvoiceRows(this.db.kysely, accountId, { unpaidOnly: true })).map(toInvoice);
    const w = unpaidWarning(invoices, now);
    if (!w) return { count: 0 };
    const grace = await this.graceDays(this.db.kysely, accountId);
    const main = w.totals.find((t) => t.currency === account.currency) ?? w.totals[0];
    const starts = invoices.map(overdueSince).filter((t): t is number => t !== null).map((t) => t + grace * DAY_MS);
    const s = suspension(invoices, now, grace);
    return {
      count: w.count,
      overdueCount: w.overdueCount,
      total: main.amountMinor,
      currency: main.currency,
      totals: w.totals.map((t) => ({ currency: t.currency, total: t.amountMinor })),
      earliestDue: iso(w.earliestDueAt),
      payUrl: w.payUrl,
      overdue: w.overdueCount > 0,
      // Sending is suspended strictly after this instant (overdue since + grace period); null when no date is known.
      suspendsAt: s.suspended ? iso(s.since) : starts.length ? iso(Math.min(...starts)) : null,
      suspended: s.suspended,
      graceDays: grace,
    };
  }
}
