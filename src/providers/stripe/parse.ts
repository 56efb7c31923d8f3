// Turns a Stripe webhook body (a snapshot event about an invoice) into Mesure's InvoiceEvent. Other event
// types and malformed bodies are dropped with a reason, never thrown.
import {
  INVOICE_STATUSES,
  isInvoiceEventType,
  type InvoiceEvent,
  type InvoiceSnapshot,
  type InvoiceStatus,
} from '../../domain/invoices';
import { moneyProblem, plannedTimeProblem, replaceBadCharacters, truncate } from '../../domain/bounds';

export interface StripeInvoiceSnapshot extends InvoiceSnapshot {
  /** Stripe customer id (`cus_…`): how the service finds the Mesure account. */
  customerId: string | null;
  /** The invoice's metadata, e.g. `mesure_account_id` when Mesure created the invoice. */
  metadata: Record<string, string>;
}

export interface StripeInvoiceEvent extends InvoiceEvent {
  livemode: boolean;
  invoice: StripeInvoiceSnapshot;
}

export type StripeParseFailure = 'invalid_json' | 'not_an_event' | 'unhandled_type' | 'not_an_invoice' | 'invalid_invoice';

export type StripeParseResult =
  | { ok: true; event: StripeInvoiceEvent }
  | { ok: false; reason: StripeParseFailure; eventId?: string; type?: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// Within the bounds every input shares (domain/bounds.ts): a signed delivery's strings lose NUL and lone surrogates
// (U+FFFD instead) and are cut to 2,000 characters; amounts beyond 10^12 minor units or times outside 2000–2099 read
// as missing, so the event is dropped as an invalid invoice rather than stored as a value that breaks reads.
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? truncate(replaceBadCharacters(v), 2000) : null);
const int = (v: unknown): number | null => (typeof v === 'number' && moneyProblem(v) === null ? v : null);
/** Stripe times are unix seconds; the domain's are epoch milliseconds. */
const ms = (v: unknown): number | null => {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? v * 1000 : null;
  return s === null || plannedTimeProblem(s) !== null ? null : s;
};

function invoiceStatus(v: unknown): InvoiceStatus | null {
  return typeof v === 'string' && (INVOICE_STATUSES as readonly string[]).includes(v) ? (v as InvoiceStatus) : null;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[str(k) ?? '\uFFFD'] = str(val) ?? '';
  return out;
}

/** Parses a raw body (Buffer or string) or an already-decoded JSON value. */
export function parseStripeEvent(body: Buffer | string | unknown): StripeParseResult {
  let json: unknown = body;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    try {
      json = JSON.parse(body.toString());
    } catch {
      return { ok: false, reason: 'invalid_json' };
    }
  }
  if (!isObj(json) || json.object !== 'event' || !str(json.id) || !str(json.type) || !isObj(json.data)) {
    return { ok: false, reason: 'not_an_event' };
  }
  const eventId = str(json.id)!;
  const type = json.type as string;
  if (!isInvoiceEventType(type)) return { ok: false, reason: 'unhandled_type', eventId, type };
  const inv = json.data.object;
  if (!isObj(inv) || inv.object !== 'invoice') return { ok: false, reason: 'not_an_invoice', eventId, type };
  const externalId = str(inv.id);
  const amountDueMinor = int(inv.amount_due);
  const currency = str(inv.currency);
  const at = ms(json.created);
  if (!externalId || amountDueMinor === null || !currency || at === null) {
    return { ok: false, reason: 'invalid_invoice', eventId, type };
  }
  const transitions = isObj(inv.status_transitions) ? inv.status_transitions : {};
  const customer = isObj(inv.customer) ? str(inv.customer.id) : str(inv.customer);
  return {
    ok: true,
    event: {
      eventId,
      type,
      at,
      livemode: json.livemode === true,
      invoice: {
        externalId,
        number: str(inv.number),
        amountDueMinor,
        amountRemainingMinor: int(inv.amount_remaining),
        // Stripe writes ISO 4217 codes in lower case; Mesure stores them in upper case.
        currency: currency.toUpperCase(),
        dueAt: ms(inv.due_date),
        hostedInvoiceUrl: str(inv.hosted_invoice_url),
        status: invoiceStatus(inv.status),
        paidAt: ms(transitions.paid_at),
        customerId: customer,
        metadata: stringMap(inv.metadata),
      },
    },
  };
}
