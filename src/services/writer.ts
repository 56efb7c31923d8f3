// Group commit: write jobs queue up while a transaction runs, and the next transaction takes them all, so many
// requests share one commit (and one fsync). A request is answered only once its transaction has committed.
// If a grouped transaction fails, each of its jobs is retried alone so that one bad job cannot sink the others.
// On PostgreSQL each writer has a connection of its own, outside the shared pool: a commit never queues behind reads.
import { setImmediate as nextTurn } from 'node:timers';
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';

export type WriteJob<T> = (trx: Transaction<DB>) => Promise<T>;

interface Queued {
  job: WriteJob<unknown>;
  weight: number;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface WriterStats {
  transactions: number;
  jobs: number;
  largestGroup: number;
}

export class Writer {
  private queue: Queued[] = [];
  private draining = false;
  readonly stats: WriterStats = { transactions: 0, jobs: 0, largestGroup: 0 };

  /** Where transactions run: a connection of the writer's own on PostgreSQL (`Db.ownConnection`), else the database's. */
  private readonly kysely: Kysely<DB>;

  constructor(
    db: Db,
    /** Upper bound of the summed job weights (e.g. events) in one transaction. */
    private readonly maxWeight = 50_000,
  ) {
    this.kysely = db.ownConnection?.() ?? db.kysely;
  }

  /**
   * Runs `job` inside a transaction shared with other queued jobs; resolves after COMMIT. `first`: queued ahead of the
   * jobs waiting (the next transaction takes it), for bounded background work whose delay would grow with the queue
   * (PostgreSQL's fold of stored clicks: one slice at a time, so it never holds more than one place).
   */
  run<T>(job: WriteJob<T>, weight = 1, first = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const q: Queued = { job: job as WriteJob<unknown>, weight, resolve: resolve as (v: unknown) => void, reject };
      if (first) this.queue.unshift(q);
      else this.queue.push(q);
      if (!this.draining) {
        // Open the transaction one turn of the event loop later: requests whose bodies have already arrived are
        // parsed meanwhile and join the same commit. On SQLite a job runs without yielding, so without this turn
        // every request would commit (and fsync) alone. (Imported from node:timers: fake timers leave it alone.)
        this.draining = true;
        nextTurn(() => void this.drain());
      }
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const group: Queued[] = [];
        let weight = 0;
        while (this.queue.length > 0 && (group.length === 0 || weight + this.queue[0].weight <= this.maxWeight)) {
          const q = this.queue.shift()!;
          group.push(q);
          weight += q.weight;
        }
        await this.commitGroup(group);
      }
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: Queued[]): Promise<void> {
    this.stats.largestGroup = Math.max(this.stats.largestGroup, group.length);
    try {
      const results = await this.kysely.transaction().execute(async (trx) => {
        const out: unknown[] = [];
        for (const q of group) out.push(await q.job(trx));
        return out;
      });
      this.stats.transactions += 1;
      this.stats.jobs += group.length;
      group.forEach((q, i) => q.resolve(results[i]));
    } catch (err) {
      if (group.length === 1) {
        group[0].reject(err);
        return;
      }
      for (const q of group) await this.commitGroup([q]);
    }
  }
}
