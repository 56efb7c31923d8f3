// GET /metrics in Prometheus text format (prom-client), off unless MESURE_METRICS=1: one registry per app (never the
// global default one), the counters the services feed (ServiceMetrics), the HTTP timings app.ts feeds, and gauges
// read when scraped. Every label is a closed set: route templates, methods, status codes, providers, outcomes; never
// an account, a raw path or an id.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config';
import type { PoolUse } from '../store/db';
import { PROVIDER_NAMES } from '../providers/types';
import type { AlertAttemptOutcome, EventSource, ServiceMetrics } from '../services/metrics';
import type { HttpMetrics, RoutePlugin } from './app';
import { sendError } from './errors';

/** What the gauges read at scrape time (main.ts passes the store's reads): each must be cheap. */
export interface MetricsSources {
  engine: 'sqlite' | 'postgres';
  version: string;
  /** SQLite's ingestion inbox: items waiting and when the oldest arrived (epoch ms). Absent on PostgreSQL (no inbox). */
  inbox?: () => Promise<{ depth: number; oldestReceivedAt: number | null }>;
  deadLetters: () => Promise<number>;
  /** PostgreSQL's connection pool. */
  pool?: () => PoolUse;
  clock: () => number;
}

/** The route label of a request that matched no route (a 404 from the router): one value, whatever the path. */
const UNMATCHED = '(unmatched)';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Tracked links (clicks) and QR codes (scans): the redirects visitors wait for. */
const REDIRECTS: Record<string, 'click' | 'scan'> = { '/l/:token': 'click', '/l/:token/*': 'click', '/q/:token': 'scan', '/q/:token/*': 'scan' };
/** Webhooks verified by a signature: the message providers' adapters, and Shopify (orders) and Stripe (invoices). */
const SIGNED_PROVIDERS = [...PROVIDER_NAMES, 'shopify', 'stripe'];

export class PrometheusMetrics implements ServiceMetrics, HttpMetrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<'method' | 'route' | 'status'>;
  private readonly redirects: Histogram<'kind'>;
  private readonly acknowledged: Counter<'source'>;
  private readonly applied: Counter<'source'>;
  private readonly signatureFailures: Counter<'provider'>;
  private readonly sweeps: Counter<'outcome'>;
  private readonly sweepSeconds: Histogram;
  private readonly alerts: Counter<'outcome'>;
  private readonly collectFailures: Counter<'gauge'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'mesure_info', help: 'Always 1: the version of Mesure and the database engine it runs on.', labelNames: ['version', 'engine'], registers,
    }).set({ version: sources.version, engine: sources.engine }, 1);
    this.requests = new Histogram({
      name: 'mesure_http_request_duration_seconds',
      help: 'HTTP requests answered, by method, route template and status code, and how long they took.',
      labelNames: ['method', 'route', 'status'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.redirects = new Histogram({
      name: 'mesure_redirect_duration_seconds',
      help: 'Tracked-link redirects (click) and QR-code redirects (scan): time from the request to the answer sent.',
      labelNames: ['kind'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers,
    });
    this.acknowledged = new Counter({
      name: 'mesure_events_acknowledged_total',
      help: 'Events the server answered for once stored (duplicates included), from the API or provider webhooks.',
      labelNames: ['source'], registers,
    });
    this.applied = new Counter({
      name: 'mesure_events_applied_total',
      help: 'Events applied to their messages (new events only; duplicates and events waiting for their message are not).',
      labelNames: ['source'], registers,
    });
    this.signatureFailures = new Counter({
      name: 'mesure_webhook_signature_failures_total',
      help: 'Webhooks refused for their signature (missing, wrong, stale, or no secret set for the account), by provider.',
      labelNames: ['provider'], registers,
    });
    this.sweeps = new Counter({ name: 'mesure_budget_sweeps_total', help: 'Budget sweep rounds, by outcome (ok or failed).', labelNames: ['outcome'], registers });
    this.sweepSeconds = new Histogram({
      name: 'mesure_budget_sweep_duration_seconds', help: 'How long a budget sweep round took.', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60], registers,
    });
    this.alerts = new Counter({
      name: 'mesure_alert_attempts_total',
      help: 'Delivery attempts of outbound alerts: sent (2xx), retrying (failed, tried again later), failed (failed for good).',
      labelNames: ['outcome'], registers,
    });
    this.collectFailures = new Counter({
      name: 'mesure_metrics_collect_failures_total', help: 'Scrapes where a gauge could not be read (it is left out of that scrape).',
      labelNames: ['gauge'], registers,
    });
    // Every known label value from the start, so that rate() and alerts see a 0 rather than no series at all.
    for (const source of ['api', 'webhook'] as const) {
      this.acknowledged.inc({ source }, 0);
      this.applied.inc({ source }, 0);
    }
    for (const provider of SIGNED_PROVIDERS) this.signatureFailures.inc({ provider }, 0);
    for (const kind of ['click', 'scan']) this.redirects.zero({ kind });
    for (const outcome of ['ok', 'failed']) this.sweeps.inc({ outcome }, 0);
    for (const outcome of ['sent', 'retrying', 'failed']) this.alerts.inc({ outcome }, 0);
    for (const gauge of ['dead_letters', ...(sources.inbox ? ['inbox'] : []), ...(sources.pool ? ['db_pool'] : [])]) this.collectFailures.inc({ gauge }, 0);

    // Gauges read when scraped (prom-client calls `collect` with the gauge as `this`). A failed read leaves the gauge
    // out of that scrape (and is counted) rather than failing the whole scrape or repeating a stale value.
    const failures = this.collectFailures;
    const read = <T>(name: string, get: () => Promise<T> | T, set: (gauge: Gauge, value: T) => void) =>
      async function collect(this: Gauge): Promise<void> {
        this.reset();
        try {
          set(this, await get());
        } catch {
          failures.inc({ gauge: name });
        }
      };
    // The pool first: gauges are read in order, and the scrape's own queries below would otherwise count as its use.
    if (sources.pool) {
      const gauges: [string, string, keyof PoolUse][] = [
        ['mesure_db_pool_open_connections', 'PostgreSQL connections open in the pool (busy or idle).', 'total'],
        ['mesure_db_pool_idle_connections', 'PostgreSQL connections open and idle in the pool.', 'idle'],
        ['mesure_db_pool_waiting_queries', 'Queries waiting for a PostgreSQL connection (the pool is exhausted).', 'waiting'],
        ['mesure_db_pool_max_connections', 'The PostgreSQL pool size.', 'max'],
      ];
      for (const [name, help, field] of gauges) new Gauge({ name, help, registers, collect: read('db_pool', sources.pool, (g, u) => g.set(u[field])) });
    }
    if (sources.inbox) {
      const inbox = sources.inbox;
      // One read for both inbox gauges of a scrape.
      let backlog: ReturnType<typeof inbox> | null = null;
      const once = () => (backlog ??= inbox().finally(() => setImmediate(() => (backlog = null))));
      new Gauge({
        name: 'mesure_inbox_items', help: 'Items acknowledged and not yet applied in the SQLite ingestion inbox.', registers,
        collect: read('inbox', once, (g, b) => g.set(b.depth)),
      });
      new Gauge({
        name: 'mesure_inbox_oldest_age_seconds', help: 'Age of the oldest item waiting in the SQLite ingestion inbox (0 when empty).', registers,
        collect: read('inbox', once, (g, b) => g.set(b.oldestReceivedAt === null ? 0 : Math.max(0, sources.clock() - b.oldestReceivedAt) / 1000)),
      });
    }
    new Gauge({
      name: 'mesure_dead_letters', help: 'Items the ingestion inbox could not apply after their tries, waiting to be retried or discarded.', registers,
      collect: read('dead_letters', sources.deadLetters, (g, n) => g.set(n)),
    });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const template = route ?? UNMATCHED;
    this.requests.observe({ method: METHODS.has(method) ? method : 'OTHER', route: template, status: String(status) }, seconds);
    const kind = REDIRECTS[template];
    if (kind && method !== 'HEAD') this.redirects.observe({ kind }, seconds);
  }

  eventsAcknowledged(source: EventSource, n: number): void {
    if (n > 0) this.acknowledged.inc({ source }, n);
  }

  eventsApplied(source: EventSource, n: number): void {
    if (n > 0) this.applied.inc({ source }, n);
  }

  webhookSignatureFailed(provider: string): void {
    // Callers pass known providers only; anything else is folded into one value rather than growing the label set.
    this.signatureFailures.inc({ provider: SIGNED_PROVIDERS.includes(provider) ? provider : 'other' });
  }

  budgetSweep(ok: boolean, seconds: number): void {
    this.sweeps.inc({ outcome: ok ? 'ok' : 'failed' });
    this.sweepSeconds.observe(seconds);
  }

  alertAttempt(outcome: AlertAttemptOutcome): void {
    this.alerts.inc({ outcome });
  }
}

/** Why a scrape is refused (status and message), or null when it may read the metrics. */
export function scrapeRefusal(
  settings: Config['metrics'],
  request: { authorization?: string; remoteAddress?: string; forwarded: boolean },
): { status: 401 | 403; message: string } | null {
  if (settings.token !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(request.authorization ?? '');
    if (m && sameSecret(m[1], settings.token)) return null;
    return { status: 401, message: 'Send "Authorization: Bearer <token>" with the token set in MESURE_METRICS_TOKEN.' };
  }
  // No token: this machine only. A request relayed by a reverse proxy comes from the loopback too, but is not local.
  if (!request.forwarded && isLoopback(request.remoteAddress)) return null;
  return {
    status: 403,
    message: 'Without MESURE_METRICS_TOKEN, /metrics answers only on this machine (loopback, not through a proxy). Set MESURE_METRICS_TOKEN to scrape from elsewhere.',
  };
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return (isIP(v4) === 4 && v4.startsWith('127.')) || address === '::1';
}

/** Compares digests, so that the time taken says nothing about the token. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The /metrics route, registered only when MESURE_METRICS=1 (otherwise the path answers 404 like any unknown one). */
export function metricsRoutes(metrics: PrometheusMetrics, settings: Config['metrics']): RoutePlugin {
  return (app) => {
    app.get('/metrics', { schema: { hide: true } as never }, async (req, reply) => {
      const refused = scrapeRefusal(settings, {
        authorization: req.headers.authorization,
        remoteAddress: req.socket.remoteAddress,
        forwarded: req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined,
      });
      if (refused) {
        if (refused.status === 401) reply.header('www-authenticate', 'Bearer realm="mesure-metrics"');
        return sendError(reply, refused.status, refused.message);
      }
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  };
}
