// Outbound alert webhooks (budget 80 % / 100 %, campaign stopped automatically, invoice overdue, account
// suspended): their payload, their signature (Stripe's scheme, so receivers can reuse Stripe code) and retries.
import { createHash, createHmac } from 'node:crypto';

export const ALERT_KINDS = ['budget.80', 'budget.100', 'campaign.stopped', 'invoice.overdue', 'account.suspended'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, exactly as Stripe-Signature. */
export const ALERT_SIGNATURE_HEADER = 'Mesure-Signature';

export interface BudgetAlertData {
  accountId: string;
  /** Null for the account's monthly budget. */
  campaignId: string | null;
  /** The month of an account budget ("2025-06"), so next month's alert is a new one. */
  period?: string | null;
  budgetMinor: number;
  usedMinor: number;
  currency: string;
}

export interface CampaignStoppedData {
  accountId: string;
  campaignId: string;
  reason: 'budget_exhausted';
  budgetMinor: number;
  usedMinor: number;
  reservedMinor: number;
  currency: string;
}

export interface InvoiceOverdueData {
  accountId: string;
  invoiceId: string;
  number: string | null;
  amountDueMinor: number;
  currency: string;
  dueAt: number | null;
  payUrl: string | null;
}

export interface AccountSuspendedData {
  accountId: string;
  reason: 'invoice_overdue';
  since: number;
  invoiceIds: string[];
}

export interface AlertDataByKind {
  'budget.80': BudgetAlertData;
  'budget.100': BudgetAlertData;
  'campaign.stopped': CampaignStoppedData;
  'invoice.overdue': InvoiceOverdueData;
  'account.suspended': AccountSuspendedData;
}

/** Times leave the domain as ISO 8601 strings, the API's convention. */
type Wire<T> = { [K in keyof T]: K extends 'dueAt' | 'since' ? (T[K] extends number ? string : string | null) : T[K] };

export interface AlertPayload<K extends AlertKind = AlertKind> {
  /** Stable: the same alert always gets the same id, so the delivery log and receivers can dedupe on it. */
  id: string;
  type: K;
  createdAt: string;
  data: Wire<AlertDataByKind[K]>;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

// What makes an alert "the same one": crossing 80 % again after the budget was raised is a new alert.
function alertKey<K extends AlertKind>(kind: K, data: AlertDataByKind[K]): string {
  switch (kind) {
    case 'budget.80':
    case 'budget.100': {
      const d = data as BudgetAlertData;
      return [kind, d.accountId, d.campaignId ?? `account:${d.period ?? ''}`, d.budgetMinor].join(':');
    }
    case 'campaign.stopped': {
      const d = data as CampaignStoppedData;
      return [kind, d.accountId, d.campaignId, d.budgetMinor].join(':');
    }
    case 'invoice.overdue': {
      const d = data as InvoiceOverdueData;
      return [kind, d.accountId, d.invoiceId].join(':');
    }
    case 'account.suspended': {
      const d = data as AccountSuspendedData;
      return [kind, d.accountId, d.since].join(':');
    }
  }
  return kind;
}

export function alertPayload<K extends AlertKind>(kind: K, data: AlertDataByKind[K], now: number): AlertPayload<K> {
  const wire: Record<string, unknown> = { ...data };
  if ('dueAt' in data) wire.dueAt = iso((data as InvoiceOverdueData).dueAt);
  if ('since' in data) wire.since = iso((data as AccountSuspendedData).since);
  const id = 'alert_' + createHash('sha256').update(alertKey(kind, data)).digest('hex').slice(0, 32);
  return { id, type: kind, createdAt: new Date(now).toISOString(), data: wire as Wire<AlertDataByKind[K]> };
}

/**
 * The Mesure-Signature header value for a body sent at `timestamp` (epoch ms; the header carries seconds, like
 * Stripe's). Sign the exact bytes that are sent.
 */
export function signAlert(body: string | Buffer, secret: string, timestamp: number): string {
  const t = Math.floor(timestamp / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.`, 'utf8').update(body).digest('hex');
  return `t=${t},v1=${v1}`;
}

/** Body and headers of one delivery attempt; sign again at each retry so the timestamp stays fresh. */
export function alertRequest<K extends AlertKind>(
  payload: AlertPayload<K>,
  secret: string,
  now: number,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [ALERT_SIGNATURE_HEADER.toLowerCase()]: signAlert(body, secret, now),
      'mesure-alert-id': payload.id,
    },
  };
}

/** Retries: 1 min after the first failure, doubling, at most 6 h apart, 12 attempts in all (about 20.5 h). */
export const ALERT_RETRY = { baseMs: 60_000, capMs: 6 * 3_600_000, maxAttempts: 12 } as const;

/**
 * When to try again after `attempt` deliveries (1 = the first) have failed; null once all attempts are spent.
 * No jitter: alerts are few, and a deterministic schedule is easier to show in the delivery log.
 */
export function nextRetryAt(attempt: number, now: number, retry: { baseMs: number; capMs: number; maxAttempts: number } = ALERT_RETRY): number | null {
  if (!Number.isInteger(attempt) || attempt < 1 || attempt >= retry.maxAttempts) return null;
  // 2 ** (attempt − 1) overflows nothing before the cap applies: attempts are few.
  return now + Math.min(retry.baseMs * 2 ** (attempt - 1), retry.capMs);
}
