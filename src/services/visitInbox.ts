// PostgreSQL: clicks, scans and opens stored first, folded into the figures later (issue #25). A batch of clicks is one
// plain INSERT of their own rows in the ingestion inbox, in autocommit on a connection of their own: it touches no
// daily-count or rollup row, so it never waits for the locks of an events group committing beside it. A fold loop then
// classifies the oldest visits and applies them (event log, messages, daily counts, rollups, attribution) through the
// events' writer, each slice ahead of the event batches waiting there, so on one node folds and event groups take those
// rows one after the other, never against each other, and a backlog of events does not hold the clicks' figures back.
// A row is deleted in the transaction that folds it, and rows are claimed with FOR UPDATE SKIP LOCKED: folded exactly
// once, across a crash (a row still there is folded after the restart) and across nodes (each claims rows no other
// holds). A row that cannot be folded is tried alone, its tries counted, and after MAX_TRIES moved to the dead letters.
import type { Kysely } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import {
  claimVisitRow, claimVisitRows, deleteDeadLetter, deleteInboxRowsIn, hasVisitRows, insertVisitRows, lockDeadLetter, moveInboxRowToDeadLettersIn, noteDeadLetterTryIn, noteInboxTry, type InboxRow,
} from '../store/inbox';
import { timeOrderedId } from './ids';
import { MAX_TRIES, type DeadLetterRetry } from './inbox';
import type { StoredVisit, StoredVisits, Tracking } from './tracking';
import type { Writer } from './writer';

export interface VisitInboxOptions {
  /** Fold on this node (default true). A node may only store clicks and leave folding to the others (MESURE_FOLD_VISITS=0). */
  fold?: boolean;
  /** Visits folded per transaction (default 500). */
  slice?: number;
  /** How often an idle node looks for visits stored by the other nodes or left by a stopped process (ms, default 500). */
  pollMs?: number;
  clock?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface VisitInboxStats {
  appended: number;
  folded: number;
  slices: number;
  deadLettered: number;
  /** Folding attempts that failed (each logged); their rows stay in the inbox and are tried again. */
  failures: number;
}

export class VisitInbox {
  readonly stats: VisitInboxStats = { appended: 0, folded: 0, slices: 0, deadLettered: 0, failures: 0 };
  private readonly fold: boolean;
  private readonly slice: number;
  private readonly pollMs: number;
  private readonly clock: () => number;
  private readonly log: NonNullable<VisitInboxOptions['log']>;
  private running: Promise<void> | null = null;
  private stopping = false;
  private dirty = false;
  private wake: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    /** A connection of the visits' own (`Db.ownConnection`): appends never wait for a pooled connection or a lock. */
    private readonly appendConnection: Kysely<DB>,
    /** The events' writer: folds commit in its queue, grouped with event batches. */
    private readonly foldWriter: Writer,
    private readonly tracking: Tracking,
    options: VisitInboxOptions = {},
  ) {
    this.fold = options.fold ?? true;
    this.slice = options.slice ?? 500;
    this.pollMs = options.pollMs ?? 500;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? ((level, m) => { if (level !== 'info') process.stderr.write(`[visit inbox] ${level}: ${m}\n`); });
  }

  /** Stores visits as they are; resolves after COMMIT. Nothing is folded yet. */
  async append(visits: StoredVisit[]): Promise<StoredVisits> {
    const at = this.clock();
    const rows = visits.map((v) => ({ account_id: v.accountId, payload: JSON.stringify(v), received_at: at }));
    // One statement in autocommit (one round trip, where a transaction takes three): the redirect's queue already
    // gathers its visits into batches, one in flight at a time.
    await insertVisitRows(this.appendConnection, rows);
    this.stats.appended += rows.length;
    this.kick();
    return { lost: 0, reflagged: 0 };
  }

  /** Folds what the inbox holds now and keeps folding what arrives; looks again every `pollMs` for other nodes' rows. */
  start(): this {
    if (!this.fold) return this;
    this.kick();
    // The idle look reads on a pooled connection first: a fold only takes a turn of the events' writer when there is
    // something to fold (a claim on an empty inbox cost 25–65 ms of an events group on the loaded machine).
    this.timer = setInterval(() => {
      if (this.running || this.stopping) return;
      hasVisitRows(this.db.kysely).then((yes) => { if (yes) this.kick(); }, (err: unknown) => this.log('warn', `looking for visits to fold failed: ${errorText(err)}`));
    }, this.pollMs);
    this.timer.unref();
    return this;
  }

  /**
   * Resolves once the inbox held nothing this node could claim (tests, benchmarks, `Tracking.flush`). On a node that
   * does not fold, resolves at once.
   */
  async drain(): Promise<void> {
    if (!this.fold || this.stopping) return;
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  /** Stops after the slice in progress; what is left stays in the inbox, folded by another node or at the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.wake?.();
    await this.running;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private kick(): void {
    if (!this.fold || this.stopping) return;
    this.dirty = true;
    if (this.running) {
      this.wake?.();
      return;
    }
    this.running = this.loop()
      .catch((err: unknown) => this.log('error', `folding visits stopped (they stay stored; the next arrival resumes it): ${(err as Error)?.stack ?? String(err)}`))
      .finally(() => {
        this.running = null;
        if (this.dirty && !this.stopping) this.kick();
      });
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.dirty = false;
      const n = await this.foldSlice();
      if (n > 0) continue;
      if (this.dirty) continue;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
      return;
    }
  }

  /** Folds the oldest visits no other node holds, in one transaction of the events' writer; returns how many. */
  private async foldSlice(): Promise<number> {
    let claimed: InboxRow[] = [];
    try {
      const r = await this.foldWriter.run(async (trx) => {
        claimed = await claimVisitRows(trx, this.slice);
        if (!claimed.length) return null;
        const out = await this.tracking.storeVisitsIn(trx, claimed.map((row) => JSON.parse(row.payload) as StoredVisit));
        await deleteInboxRowsIn(trx, claimed);
        return out;
      }, this.slice, true);
      if (!r) return 0;
      this.folded(claimed.length, r);
      return claimed.length;
    } catch (err) {
      this.stats.failures++;
      if (claimed.length === 0) {
        this.log('error', `folding visits failed before any was claimed; trying again shortly: ${errorText(err)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000).unref());
        return 0;
      }
      this.log('warn', `folding ${claimed.length} visit(s) failed; folding them one by one: ${errorText(err)}`);
      for (const row of claimed) await this.foldAlone(row);
      return claimed.length;
    }
  }

  /** One row in its own transaction; on failure its try is counted, and after MAX_TRIES it goes to the dead letters. */
  private async foldAlone(row: InboxRow): Promise<void> {
    try {
      const r = await this.foldWriter.run(async (trx) => {
        const again = await claimVisitRow(trx, row);
        // Gone (another node folded it) or held elsewhere: nothing to do here.
        if (!again) return null;
        const out = await this.tracking.storeVisitsIn(trx, [JSON.parse(again.payload) as StoredVisit]);
        await deleteInboxRowsIn(trx, [again]);
        return out;
      });
      if (r) this.folded(1, r);
    } catch (err) {
      const error = errorText(err);
      const tries = await this.foldWriter.run((trx) => noteInboxTry(trx, row, error));
      if (tries === null) return;
      if (tries < MAX_TRIES) {
        this.log('error', `visit ${row.seq} of account ${row.account_id} could not be folded (try ${tries} of ${MAX_TRIES}): ${error}`);
        return;
      }
      const id = timeOrderedId('dl_', this.clock());
      await this.foldWriter.run((trx) => moveInboxRowToDeadLettersIn(trx, row, { id, error, tries, movedAt: this.clock() }));
      this.stats.deadLettered++;
      this.log('error', `visit ${row.seq} of account ${row.account_id} could not be folded after ${tries} tries; moved to the dead letters as ${id}: ${error}`);
    }
  }

  private folded(n: number, r: StoredVisits): void {
    this.stats.folded += n;
    this.stats.slices++;
    this.tracking.noteProcessed({ visits: n, deliveries: 0, events: 0, lost: r.lost, reflagged: r.reflagged, tally: [], failed: 0, cursor: 0 });
  }

  /** Folds a dead letter again (`DeadLetterRetrier`): folded and removed in one transaction, or one more try noted. */
  async retryDeadLetter(accountId: string, id: string): Promise<DeadLetterRetry> {
    try {
      const r = await this.foldWriter.run(async (trx) => {
        const letter = await lockDeadLetter(trx, accountId, id);
        if (!letter) return null;
        if (letter.kind !== 'visit') throw new Error(`a ${letter.kind} dead letter is applied by a SQLite server only`);
        const out = await this.tracking.storeVisitsIn(trx, [JSON.parse(letter.payload) as StoredVisit]);
        await deleteDeadLetter(trx, accountId, id);
        return out;
      });
      if (!r) return { found: false };
      this.folded(1, r);
      return { found: true, applied: true };
    } catch (err) {
      const error = errorText(err);
      const tries = await this.foldWriter.run((trx) => noteDeadLetterTryIn(trx, accountId, id, error, this.clock()));
      return tries === null ? { found: false } : { found: true, applied: false, error, tries };
    }
  }
}

function errorText(err: unknown): string {
  const text = (err as Error)?.message ?? String(err);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
