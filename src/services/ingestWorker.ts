// Ingestion off the request thread, on SQLite. better-sqlite3 runs every statement and every commit's fsync on the
// calling thread, so a batch of clicks or webhook deliveries written by the server's own connection stops the event
// loop for tens of milliseconds, and every redirect and webhook request waits. Here a worker thread owns a second
// connection to the same file (WAL: one writer at a time, readers never wait; transactions begin IMMEDIATE and
// busy_timeout waits for the other connection) and runs the same Tracking, Webhooks and Ingestor code with the same
// ingestion hooks (attribution after events apply, budgets pricing costs). The request thread posts a batch and
// awaits the answer, which comes after the worker's COMMIT: a webhook is still acknowledged only once stored.
// PostgreSQL writes are asynchronous already, so there the services write in the request thread as before.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Db } from '../store/db';
import type { Config } from '../config';
import { prepareById, type Ingestor, type IngestSummary, type Outcome } from './ingest';
import type { IncomingEvent } from '../domain/types';
import type { AccountDirectory } from './accounts';
import type { StoredVisit, StoredVisits } from './tracking';
import type { StoredDeliveries, VerifiedDelivery } from './webhooks';
import type { DeadLetterRetry } from './inbox';
import type { SecretKeys } from './secrets';

/**
 * What the request thread asks of the worker. Visits, and deliveries that carry only events, are appended to the
 * inbox and answered after that COMMIT; the worker applies them moments later (see `Inbox`, inbox.ts). Other deliveries
 * (one-time tokens, opt-out changes) are applied before the answer. API events are stored in the event log and their
 * effect on messages in the inbox, in one commit. `drain` answers once the inbox is empty; `settle` once every row up
 * to `seq` is applied.
 */
export type IngestTask =
  /** Visits as JSON (`StoredVisit`), and the account of each: stored in the inbox as they come, never re-encoded. */
  | { kind: 'visits'; accounts: string[]; visits: string[] }
  /**
   * Deliveries as JSON (`VerifiedDelivery`), the account of each and whether it carries only events (`eventsOnly`):
   * those are stored in the inbox as they come; the others are parsed and applied before the answer. The result
   * holds the outcomes of the others only, in order (an events-only delivery's outcome is known: `summaryOf`).
   */
  | { kind: 'deliveries'; accounts: string[]; deliveries: string[]; eventsOnly: boolean[] }
  /**
   * `events`: the IncomingEvent[], or a `PreparedBatch` of them, as JSON (the worker parses JSON several times faster
   * than it would take a structured clone).
   */
  | { kind: 'events'; accountId: string; events: string }
  | { kind: 'settle'; seq: number }
  /** Applies a dead letter again (see `Inbox.retryDeadLetter`). */
  | { kind: 'retryDeadLetter'; accountId: string; id: string }
  | { kind: 'drain' };
type ResultOf<T extends IngestTask> = T extends { kind: 'visits' }
  ? StoredVisits
  : T extends { kind: 'drain' }
    ? InboxStats
    : T extends { kind: 'events' }
      ? { outcome: Outcome<IngestSummary>; seq: number }
      : T extends { kind: 'settle' }
        ? number
        : T extends { kind: 'retryDeadLetter' }
          ? DeadLetterRetry
          : StoredDeliveries;

/** What applying a slice of the inbox did: the worker reports it to the request thread, which keeps the counts. */
export interface ProcessedReport {
  visits: number;
  deliveries: number;
  /** API events applied to their messages. */
  events: number;
  lost: number;
  reflagged: number;
  tally: StoredDeliveries['tally'];
  /** Rows that failed alone for good: moved to the dead letters (or, if even that failed, kept for the next start). */
  failed: number;
  /** Every row up to this sequence number is applied (or failed and logged). */
  cursor: number;
}

/** The inbox as the worker sees it. */
export interface InboxStats {
  /** Rows stored and not yet applied. */
  pending: number;
  appended: number;
  processed: number;
  failed: number;
  /** Rows moved to the dead letters by this worker. */
  deadLettered: number;
}

/** What the worker needs to open its own connection and build its services. */
export interface WorkerSetup {
  databaseUrl: string;
  publicUrl: string;
  /** The sealing keys (base64), current first: the worker's services open stored secrets as the request thread's do. */
  secretKeys: string[];
  /** The ingestion hooks of the request thread's Ingestor: the worker refuses to run with different ones. */
  hooks: HookSignature;
}

/** Messages from the request thread to the worker. */
export type ToWorker =
  | { type: 'task'; id: number; task: IngestTask }
  /** An account's row or settings changed: drop what the worker cached about it. */
  | { type: 'forget'; accountId: string }
  | { type: 'close' };

/** Messages from the worker to the request thread. */
export type FromWorker =
  /** `leftover`: the highest sequence number the inbox held at start (rows a stopped process acknowledged). */
  | { type: 'ready'; leftover: number }
  | { type: 'refused'; reason: string }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; message: string }
  /** Budgets queued an alert: the request thread's Alerts sends it (one sender, no duplicate delivery). */
  | { type: 'alerts' }
  /** A slice of the inbox was applied. */
  | { type: 'processed'; report: ProcessedReport }
  | { type: 'closed' };

/** Which hooks an Ingestor runs, by name: both threads must run the same ones, or events would be applied differently. */
export interface HookSignature {
  costing: string | null;
  afterApply: string[];
}

export function hookSignature(ingestor: Ingestor): HookSignature {
  return { costing: ingestor.costing?.constructor.name ?? null, afterApply: ingestor.afterApply.map((f) => f.name || 'anonymous') };
}

export function sameHooks(a: HookSignature, b: HookSignature): boolean {
  return a.costing === b.costing && a.afterApply.length === b.afterApply.length && a.afterApply.every((n, i) => n === b.afterApply[i]);
}

export interface IngestWorkerOptions {
  db: Db;
  config: Config;
  ingestor: Ingestor;
  accounts: AccountDirectory;
  secretKeys: SecretKeys;
  /** A custom clock (tests) cannot cross threads: such a Mesure writes on its own thread. */
  customClock: boolean;
  /** Called when the worker queued alerts to send. */
  onAlerts?: () => void;
  /** Called when the worker applied a slice of its inbox. */
  onProcessed?: (report: ProcessedReport) => void;
  log?: (message: string) => void;
}

/**
 * Starts the worker when the database is a SQLite file and nothing forbids it (MESURE_INGEST_WORKER=0, a custom
 * clock, an in-memory database); resolves with null otherwise, or when the worker's hooks differ from ours (logged).
 */
export async function startIngestWorker(opts: IngestWorkerOptions): Promise<IngestWorker | null> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[ingest worker] ${m}\n`));
  const url = opts.config.database.url;
  if (opts.db.kind !== 'sqlite' || opts.customClock || process.env.MESURE_INGEST_WORKER === '0' || /:memory:/.test(url)) return null;
  const secretKeys = [opts.secretKeys.current, ...opts.secretKeys.previous].map((k) => k.toString('base64'));
  const setup: WorkerSetup = { databaseUrl: url, publicUrl: opts.config.http.publicUrl, secretKeys, hooks: hookSignature(opts.ingestor) };
  const worker = new IngestWorker(setup, log, opts.onAlerts, opts.onProcessed);
  const started = await worker.started;
  if (started !== true) {
    log(`not used, ingestion stays on the request thread: ${started}`);
    await worker.close();
    return null;
  }
  opts.ingestor.offload = worker;
  // The worker caches account rows (time zone, tracking and attribution settings) like this thread does: whatever
  // makes this thread forget an account makes the worker forget it too.
  const forget = opts.accounts.forget.bind(opts.accounts);
  opts.accounts.forget = (id: string) => {
    forget(id);
    worker.forget(id);
  };
  return worker;
}

/**
 * The worker's bootstrap: from the TypeScript sources, registers tsx in that thread (module hooks are per thread: neither `register()` in the
 * request thread, as bin/mesure.js does, nor vitest's transform reach a worker), then imports the TypeScript entry.
 */
function workerScript(): string {
  // Running from the CLI bundle (build/cli.mjs, see scripts/build-cli.mjs): the worker's entry is bundled beside it,
  // plain JavaScript that needs no loader.
  if (import.meta.url.endsWith('.mjs')) {
    const bundled = new URL('./ingestWorker.entry.mjs', import.meta.url).href;
    return `process.setSourceMapsEnabled(true); import(${JSON.stringify(bundled)});`;
  }
  // The ESM build of tsx's API (what `import 'tsx/esm/api'` gives), found through tsx's own package.json.
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exported = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'];
  const tsx = new URL(exported.import.default, pathToFileURL(pkg)).href;
  const entry = new URL('./ingestWorker.entry.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
}

/** The thread inherits Node's flags except tsx's own loader flags (registered once, by the bootstrap). */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === '--require' || args[i] === '--import' || args[i] === '-r') && /[\\/]tsx[\\/]|^tsx$/.test(args[i + 1] ?? '')) i++;
    else if (/^--(require|import)=.*([\\/]tsx[\\/]|=tsx$)/.test(args[i])) continue;
    else out.push(args[i]);
  }
  return out;
}

const FIRST_RESTART_DELAY_MS = 500;

/** The worker cannot take work right now: answered 503 (retry shortly), never taken and then lost. */
function unavailable(message: string): Error {
  return Object.assign(new Error(`${message[0].toUpperCase()}${message.slice(1)}.`), { statusCode: 503 });
}

export class IngestWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private closing = false;
  /** Resolves with true once the worker's services are built, or with why it could not start. */
  readonly started: Promise<true | string>;
  readonly stats = { tasks: 0, restarts: 0 };
  /** Inbox rows applied up to this sequence number, as last reported by the worker. */
  private applied = 0;
  private restartDelay = FIRST_RESTART_DELAY_MS;
  private restartTimer: NodeJS.Timeout | null = null;
  /** Per account, the last inbox row holding its API events: its reads wait until it is applied. */
  private pendingEvents = new Map<string, number>();
  /** Rows a stopped process left in the inbox: every account's first read waits for them. */
  private leftover = 0;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly log: (message: string) => void,
    private readonly onAlerts?: () => void,
    private readonly onProcessed?: (report: ProcessedReport) => void,
  ) {
    this.started = this.spawn();
  }

  private spawn(): Promise<true | string> {
    // A new worker numbers its inbox rows from what the file holds: what the last one acknowledged and did not apply
    // is its `leftover`, which every account's next read waits for.
    this.applied = 0;
    this.pendingEvents.clear();
    this.leftover = 0;
    const worker = new Worker(workerScript(), { eval: true, workerData: this.setup, execArgv: workerExecArgv() });
    this.worker = worker;
    return new Promise((resolve) => {
      worker.on('message', (m: FromWorker) => {
        // A throw here would be an uncaught exception of the request thread: one bad message is logged, not fatal.
        try {
          this.receive(m, resolve);
        } catch (err) {
          this.log(`a message from the worker could not be handled: ${(err as Error)?.stack ?? String(err)}`);
        }
      });
      worker.on('error', (err) => {
        resolve(err.message);
        this.log(`failed: ${err.stack ?? err.message}`);
      });
      worker.on('exit', (code) => {
        resolve(`exited with code ${code}`);
        if (this.worker === worker) this.worker = null;
        // Calls in flight may or may not have committed: their callers retry (clicks) or answer 503 (webhooks, which
        // the provider redelivers; events dedupe).
        const lost = [...this.calls.values()];
        this.calls.clear();
        for (const c of lost) c.reject(unavailable(`the ingestion worker stopped (code ${code}) while storing this; retry in a moment`));
        if (this.closing) return;
        // Started again without waiting for a call: what it acknowledged and did not apply is applied by the next one.
        this.log(`exited with code ${code}; starting a new one in ${this.restartDelay} ms`);
        this.scheduleRestart();
      });
    });
  }

  /** Starts a new worker after the current delay (doubling up to 30 s while starts keep failing). */
  private scheduleRestart(): void {
    if (this.restartTimer || this.closing) return;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(delay * 2, 30_000);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.worker || this.closing) return;
      this.stats.restarts++;
      void this.spawn().then((started) => {
        if (started !== true) this.log(`could not start again: ${started}`);
      });
    }, delay);
    this.restartTimer.unref();
  }

  private receive(m: FromWorker, resolve: (started: true | string) => void): void {
    if (m.type === 'ready') {
      this.leftover = m.leftover;
      resolve(true);
    }
    else if (m.type === 'refused') resolve(m.reason);
    else if (m.type === 'alerts') this.onAlerts?.();
    else if (m.type === 'processed') {
      this.applied = Math.max(this.applied, m.report.cursor);
      this.onProcessed?.(m.report);
    }
    else if (m.type === 'result') {
      const call = this.calls.get(m.id);
      this.calls.delete(m.id);
      if (m.ok) {
        this.restartDelay = FIRST_RESTART_DELAY_MS;
        call?.resolve(m.value);
      }
      else call?.reject(new Error(m.message));
    }
  }

  /** Runs a task in the worker; resolves after its COMMIT. */
  async run<T extends IngestTask>(task: T): Promise<ResultOf<T>> {
    if (this.closing) throw new Error('the ingestion worker is closed');
    if (!this.worker) {
      // While a failed worker waits for its restart, new work is refused at once (503) rather than queued in memory.
      if (this.restartTimer) throw unavailable('the ingestion worker is restarting; nothing was stored, retry in a moment');
      this.stats.restarts++;
      const started = await this.spawn();
      if (started !== true) {
        this.scheduleRestart();
        throw unavailable(`the ingestion worker could not start (${started}); nothing was stored, retry in a moment`);
      }
    }
    const id = this.nextId++;
    this.stats.tasks++;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker!.postMessage({ type: 'task', id, task } satisfies ToWorker);
    });
  }

  /**
   * Stores API events (`POST /v1/events`): resolves after their COMMIT to the event log, before they are applied to
   * messages and daily counts; `settled` lets a read of the account wait for that.
   */
  async ingestEvents(accountId: string, events: IncomingEvent[]): Promise<Outcome<IngestSummary>> {
    // The usual batch (events named by Mesure's id) is turned into its log rows here, on the thread with time to spare:
    // the worker, which every write waits for, then only checks the messages and inserts.
    const prepared = prepareById(accountId, events, Date.now());
    const { outcome, seq } = await this.run({ kind: 'events', accountId, events: JSON.stringify(prepared ?? events) });
    if (seq > (this.pendingEvents.get(accountId) ?? 0)) this.pendingEvents.set(accountId, seq);
    return outcome;
  }

  /**
   * Resolves once every API event acknowledged for the account (and whatever a stopped process left) is applied to
   * messages, so that a read after a write sees it. Immediate when nothing is waiting.
   */
  async settled(accountId: string): Promise<void> {
    const target = Math.max(this.pendingEvents.get(accountId) ?? 0, this.leftover);
    if (target <= this.applied) {
      if (this.pendingEvents.has(accountId)) this.pendingEvents.delete(accountId);
      return;
    }
    this.applied = Math.max(this.applied, await this.run({ kind: 'settle', seq: target }));
    if ((this.pendingEvents.get(accountId) ?? 0) <= this.applied) this.pendingEvents.delete(accountId);
  }

  /** Resolves once everything the worker has acknowledged is applied (tests, benchmarks, `flush`). */
  async drain(): Promise<InboxStats> {
    return this.run({ kind: 'drain' });
  }

  /** Applies a dead letter again in the worker, which owns the inbox; resolves with what happened. */
  retryDeadLetter(accountId: string, id: string): Promise<DeadLetterRetry> {
    return this.run({ kind: 'retryDeadLetter', accountId, id });
  }

  forget(accountId: string): void {
    this.worker?.postMessage({ type: 'forget', accountId } satisfies ToWorker);
  }

  /** Lets calls in flight finish, closes the worker's connection and ends the thread. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const worker = this.worker;
    if (!worker) return;
    await Promise.allSettled([...this.calls.values()].map((c) => new Promise((done) => {
      const { resolve, reject } = c;
      c.resolve = (v) => { resolve(v); done(null); };
      c.reject = (e) => { reject(e); done(null); };
    })));
    const exited = new Promise((done) => worker.once('exit', done));
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
    this.worker = null;
  }
}
