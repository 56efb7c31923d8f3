// What the services count for GET /metrics, as a narrow interface: the services say what happened, the Prometheus
// registry (src/http/metrics.ts, wired in main.ts) keeps the numbers. Labels are closed sets, never an account or a path.

/** Where events came in: the API (`POST /v1/events`) or a provider webhook. */
export type EventSource = 'api' | 'webhook';

/** How a delivery attempt of an outbound alert ended: sent (2xx), failed and retried later, failed for good. */
export type AlertAttemptOutcome = 'sent' | 'retrying' | 'failed';

export interface ServiceMetrics {
  /** Events the server answered for (stored in the log, duplicates included): a batch of `n` acknowledged. */
  eventsAcknowledged(source: EventSource, n: number): void;
  /** Events applied to their messages (new ones only: duplicates and events waiting for their message are not). */
  eventsApplied(source: EventSource, n: number): void;
  /** A provider webhook refused for its signature (missing, wrong, stale, or no secret set for the account). */
  webhookSignatureFailed(provider: string): void;
  /** A budget sweep round ended (expiring reservations, checking invoices, retrying alerts). */
  budgetSweep(ok: boolean, seconds: number): void;
  alertAttempt(outcome: AlertAttemptOutcome): void;
}

/** Counts nothing: services built without metrics (the ingestion worker's, tests, the CLI). */
export const noMetrics: ServiceMetrics = {
  eventsAcknowledged() {},
  eventsApplied() {},
  webhookSignatureFailed() {},
  budgetSweep() {},
  alertAttempt() {},
};
