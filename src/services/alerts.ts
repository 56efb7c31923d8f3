// Outbound alert webhooks: the account's endpoints, alerts queued in the same transaction as the change that raised
// them (an outbox), and their delivery with signature, retries and a log of every attempt.
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import {
  deleteAlertEndpoint, findDueAlertDeliveries, insertAlertDeliveries, listAlertDeliveries, listAlertEndpoints, updateAlertDelivery,
  upsertAlertEndpoint, getAlertEndpoint, type AlertDeliveryRow,
} from '../store/budgets';
import { hintOf, type SecretBox } from './secrets';
import { alertPayload, alertRequest, nextRetryAt, type AlertDataByKind, type AlertKind } from '../domain/alerts';
import { noMetrics, type ServiceMetrics } from './metrics';

export interface AttemptLog {
  at: string;
  status: number | null;
  error: string | null;
  ms: number;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** Time-ordered ids, so the delivery log lists newest first by id. */
function deliveryId(now: number): string {
  return `ald_${now.toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}

export class Alerts {
  private kickTimer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly clock: () => number = Date.now,
    private readonly opts: { timeoutMs?: number; metrics?: ServiceMetrics } = {},
  ) {}

  async putEndpoint(accountId: string, url: string, secret?: string): Promise<{ id: string; url: string; createdAt: string; secretHint: string; secret?: string }> {
    const generated = secret === undefined;
    const s = secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const row = await upsertAlertEndpoint(this.db.kysely, {
      account_id: accountId, id: `ale_${randomBytes(8).toString('hex')}`, url, secret: this.box.seal(s), created_at: this.clock(),
    });
    // A secret chosen by the caller is never echoed; a generated one is shown this once.
    return { id: row.id, url: row.url, createdAt: iso(row.created_at)!, secretHint: hintOf(s), ...(generated ? { secret: s } : {}) };
  }

  async listEndpoints(accountId: string) {
    return (await listAlertEndpoints(this.db.kysely, accountId)).map((e) => ({
      id: e.id, url: e.url, createdAt: iso(e.created_at), secretHint: hintOf(this.box.open(e.secret)),
    }));
  }

  async deleteEndpoint(accountId: string, id: string): Promise<boolean> {
    return (await deleteAlertEndpoint(this.db.kysely, accountId, id)) > 0;
  }

  /** Queues an alert for every endpoint of the account, inside the caller's transaction. Same alert id: queued once. */
  async enqueueIn<K extends AlertKind>(trx: Transaction<DB>, accountId: string, kind: K, data: AlertDataByKind[K]): Promise<number> {
    const endpoints = await listAlertEndpoints(trx, accountId);
    if (endpoints.length === 0) return 0;
    const now = this.clock();
    const payload = alertPayload(kind, data, now);
    const body = JSON.stringify(payload);
    const rows: AlertDeliveryRow[] = endpoints.map((e) => ({
      account_id: accountId, id: deliveryId(now), alert_id: payload.id, endpoint_id: e.id, kind, payload: body, status: 'pending',
      attempts: 0, next_attempt_at: now, last_attempt_at: null, last_status: null, last_error: null, log: '[]', created_at: now,
    }));
    const n = await insertAlertDeliveries(trx, rows);
    if (n > 0) this.kick();
    return n;
  }

  /** Deliver soon (after the queuing transaction has committed). */
  kick(): void {
    if (this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      // The sweep retries what is still due; the failure is logged, never thrown out of the timer.
      void this.deliverDue().catch((err: unknown) => process.stderr.write(`[alerts] delivering alerts failed: ${(err as Error)?.stack ?? String(err)}\n`));
    }, 20);
    this.kickTimer.unref();
  }

  /** Attempts every delivery that is due; returns how many were attempted. Never runs twice at once. */
  deliverDue(): Promise<number> {
    if (this.running) return this.running.then(() => this.deliverDue());
    this.running = this.deliverDueOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async deliverDueOnce(): Promise<number> {
    const now = this.clock();
    const due = await findDueAlertDeliveries(this.db.kysely, now, 100);
    let n = 0;
    for (const d of due) {
      // Claim it with a lease so another Mesure process on the same database does not send it too.
      const claimed = await this.db.kysely
        .updateTable('alert_deliveries')
        .set({ next_attempt_at: now + 5 * 60_000 })
        .where('account_id', '=', d.account_id)
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', d.next_attempt_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) continue;
      n += 1;
      // One delivery that cannot even be attempted (a stored row it cannot read) keeps its lease and is retried
      // later; the others in the round still go.
      try {
        await this.attempt(d);
      } catch (err) {
        process.stderr.write(`[alerts] delivery ${d.id} of ${d.account_id} failed before sending: ${(err as Error)?.stack ?? String(err)}\n`);
      }
    }
    return n;
  }

  private async attempt(d: AlertDeliveryRow): Promise<void> {
    const endpoint = await getAlertEndpoint(this.db.kysely, d.account_id, d.endpoint_id);
    const log = JSON.parse(d.log) as AttemptLog[];
    const now = this.clock();
    if (!endpoint) {
      await updateAlertDelivery(this.db.kysely, d.account_id, d.id, { status: 'failed', next_attempt_at: null, last_error: 'endpoint removed' });
      return;
    }
    const { body, headers } = alertRequest(JSON.parse(d.payload), this.box.open(endpoint.secret), now);
    const t0 = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(endpoint.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000), redirect: 'manual' });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const attempts = d.attempts + 1;
    log.push({ at: new Date(now).toISOString(), status, error, ms: Math.round(performance.now() - t0) });
    const ok = error === null;
    const next = ok ? null : nextRetryAt(attempts, now);
    (this.opts.metrics ?? noMetrics).alertAttempt(ok ? 'sent' : next === null ? 'failed' : 'retrying');
    await updateAlertDelivery(this.db.kysely, d.account_id, d.id, {
      status: ok ? 'delivered' : next === null ? 'failed' : 'pending',
      attempts,
      next_attempt_at: next,
      last_attempt_at: now,
      last_status: status,
      last_error: error,
      log: JSON.stringify(log),
    });
  }

  async deliveries(accountId: string, opts: { cursor?: string; limit: number; kind?: string; status?: string }) {
    const rows = await listAlertDeliveries(this.db.kysely, accountId, { before: opts.cursor, limit: opts.limit + 1, kind: opts.kind, status: opts.status });
    const page = rows.slice(0, opts.limit);
    return {
      items: page.map((d) => ({
        id: d.id, alertId: d.alert_id, endpointId: d.endpoint_id, type: d.kind, status: d.status, attempts: d.attempts,
        nextAttemptAt: iso(d.next_attempt_at), lastAttemptAt: iso(d.last_attempt_at), lastStatus: d.last_status, lastError: d.last_error,
        createdAt: iso(d.created_at), payload: JSON.parse(d.payload), log: JSON.parse(d.log) as AttemptLog[],
      })),
      nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null,
    };
  }

  close(): void {
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.kickTimer = null;
  }

  /** Waits for a delivery round in progress (used on shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => {});
  }
}
