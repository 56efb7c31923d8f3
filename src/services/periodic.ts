// Periodic work that must run once across every node on the database (the budget sweep, the daily goal evaluation):
// each period is claimed in `job_runs` by the first node to tick in it, under a lease the holder renews while it runs.
// A holder that dies (or fails) leaves its lease to lapse; the next tick of any node after that takes the run over.
// On SQLite there is one serving process: it claims every period itself, so it runs as before, and records its runs.
import { hostname } from 'node:os';
import type { Db } from '../store/db';
import { claimJobRun, endJobRun, renewJobRun } from '../store/nodes';

export interface PeriodicJobOptions {
  db: Db;
  /** The job's name in `job_runs`. */
  job: string;
  /** One run per period; periods are cut on the epoch (a day is a UTC day). */
  periodMs: number;
  /** How often each node looks for a period to run (default a quarter of the period, at most a minute). */
  tickMs?: number;
  /** The first look after start (default one tick). */
  firstTickMs?: number;
  /** How long a claim holds without renewal (default the tick × 4, at least 10 s); renewed every third of it. */
  leaseMs?: number;
  node: string;
  clock: () => number;
  run: () => Promise<void>;
}

/** This process's name in `job_runs`: MESURE_NODE_ID, or host:pid. */
export function nodeName(configured: string | undefined): string {
  return configured || `${hostname()}:${process.pid}`;
}

export class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly tickMs: number;
  private readonly leaseMs: number;

  constructor(private readonly o: PeriodicJobOptions) {
    this.tickMs = o.tickMs ?? Math.min(Math.max(1, Math.floor(o.periodMs / 4)), 60_000);
    this.leaseMs = o.leaseMs ?? Math.max(this.tickMs * 4, 10_000);
  }

  /** The bound on taking over a run whose holder died: its lease lapses, then any node's next tick takes it. */
  get takeoverBoundMs(): number {
    return this.leaseMs + this.tickMs;
  }

  start(): this {
    this.arm(this.o.firstTickMs ?? this.tickMs);
    return this;
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.arm(this.tickMs));
    }, ms);
    this.timer.unref();
  }

  /** Runs the current period when no node has (or its holder's lease lapsed). Never throws; never runs twice at once. */
  tick(): Promise<void> {
    this.running ??= this.claimAndRun().finally(() => { this.running = null; });
    return this.running;
  }

  private async claimAndRun(): Promise<void> {
    const { db, job, node, clock, periodMs } = this.o;
    const now = clock();
    const period = Math.floor(now / periodMs) * periodMs;
    let claimed: boolean;
    try {
      claimed = await claimJobRun(db.kysely, job, period, node, now, now + this.leaseMs);
    } catch (err) {
      process.stderr.write(`[${job}] could not claim the run of ${new Date(period).toISOString()}, the next tick tries again: ${(err as Error)?.message ?? String(err)}\n`);
      return;
    }
    if (!claimed) return;
    const renew = setInterval(() => {
      void renewJobRun(db.kysely, job, period, node, clock() + this.leaseMs).catch(() => {
        // A failed renewal only shortens the lease: at worst another node runs the period again, as after a crash.
      });
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let ok = false;
    try {
      await this.o.run();
      ok = true;
    } catch (err) {
      process.stderr.write(`[${job}] run failed, the next tick of any node runs it again: ${(err as Error)?.stack ?? String(err)}\n`);
    } finally {
      clearInterval(renew);
    }
    await endJobRun(db.kysely, job, period, node, clock(), ok).catch((err: unknown) => {
      process.stderr.write(`[${job}] could not record the end of its run (its lease lapses instead): ${(err as Error)?.message ?? String(err)}\n`);
    });
  }

  /** Stops ticking and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
