// The ingestion inbox, run by the ingestion worker (SQLite): clicks, scans, opens and events-only webhook deliveries
// are appended as they arrive (one small group-committed transaction: the click is safe and the webhook answered),
// and so are the API's events, stored in the event log and their effect on messages kept here in the same commit;
// all are then applied in slices by a background loop (classification, messages, daily counts, attribution, budgets), each
// slice deleting its rows in the transaction that applies it, so a row is applied exactly once, even across a crash.
// While requests keep arriving the loop yields the CPU most of the time (a duty cycle): a burst of clicks or
// deliveries is answered at the speed of the append and applied as fast as the machine allows without slowing the
// answers; once the burst ends the loop runs flat out. Rows survive a restart and are applied at the next start.
// A row that cannot be applied is tried again alone, its tries counted in the row (so a crash loop counts too), and after
// `MAX_TRIES` it is moved with its error to the dead letters (see `DeadLetters`), where it can be retried or discarded:
// every item is applied, in the inbox, or in the dead letters.
import { setImmediate as nextTurn } from 'node:timers';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import {
  countInboxRows, countInboxTries, countInboxTryAlone, deleteDeadLetterSync, deleteInboxRows, getDeadLetterSync, getMaxInboxSeq, insertInboxRows,
  listInboxRows, moveInboxRowToDeadLetters, noteDeadLetterTry, noteInboxError, type InboxRow,
} from '../store/inbox';
import { timeOrderedId } from './ids';
import type { Writer } from './writer';
import {
  eventFromRow, type DeferredApply, type EventExtra, type Ingestor, type IngestSummary, type Outcome, type PreparedBatch, type StoredEvent,
} from './ingest';
import { findEventsByRowids } from '../store/messages';
import type { IncomingEvent } from '../domain/types';
import type { StoredVisit, StoredVisits, Tracking } from './tracking';
import type { StoredDeliveries, VerifiedDelivery, Webhooks } from './webhooks';
import type { InboxStats, ProcessedReport } from './ingestWorker';

/** Tries before a row that cannot be applied is moved to the dead letters. */
export const MAX_TRIES = 3;

/**
 * The error a row carries while it is being tried alone: if the process dies during that try, the next start finds
 * it still there, and knows the row may be what killed it.
 */
export const STOPPED_DURING_TRY = 'the process stopped while this item was being applied';

/** What retrying a dead letter did. */
export type DeadLetterRetry = { found: false } | { found: true; applied: true } | { found: true; applied: false; error: string; tries: number };

/** API events per inbox row: a row is the unit a slice applies, so this bounds a slice's length. */
export const EVENTS_PER_ROW = 250;

export interface InboxOptions {
  /**
   * Items applied per transaction while requests arrive (smaller keeps appends waiting less behind a slice). A visit
   * or a delivery is one item, a row of API events `EVENTS_PER_ROW`; a slice takes at least one row.
   */
  busySlice?: number;
  /** Items applied per transaction once arrivals stop. */
  idleSlice?: number;
  /** Requests count as arriving if one came within this many ms. */
  busyWindowMs?: number;
  /**
   * Share of the time the loop may run while requests arrive, by how late applying is: `min` while the oldest row
   * waiting is fresh, growing linearly with its age to `max` at `lagForMaxMs` (0 < min ≤ max ≤ 1).
   */
  busyDuty?: { min: number; max: number; lagForMaxMs: number };
  clock?: () => number;
  log?: (level: 'warn' | 'error', message: string) => void;
}

/**
 * The share of time applying takes while requests arrive. Answers come first, but figures must not fall behind for
 * ever under a long burst: the later the oldest row waiting (`lagMs`), the larger the share, from `min` to `max`.
 */
export function applyShare(lagMs: number, duty: { min: number; max: number; lagForMaxMs: number }): number {
  return Math.min(duty.max, Math.max(duty.min, (duty.max * lagMs) / duty.lagForMaxMs));
}

export class Inbox {
  private seq = 0;
  /** Applied (or failed) up to this sequence number. */
  private cursor = 0;
  private lastArrival = Number.NEGATIVE_INFINITY;
  /** When the first row of the last slice applied arrived: how late applying is. */
  private oldestApplied = 0;
  private running = false;
  /** Set by every kick: rows may have arrived since the loop last looked. */
  private dirty = false;
  private wake: ((force?: boolean) => void) | null = null;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private drainWaiters: (() => void)[] = [];
  /** Callers waiting until everything up to a sequence number is applied (the API reads after events). */
  private settleWaiters: { seq: number; resolve: (cursor: number) => void }[] = [];
  private readonly opts: Required<Omit<InboxOptions, 'log'>>;
  private readonly log: NonNullable<InboxOptions['log']>;
  readonly stats = { appended: 0, processed: 0, failed: 0, deadLettered: 0 };

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly tracking: Tracking,
    private readonly webhooks: Webhooks,
    private readonly ingestor: Ingestor,
    private readonly report: (r: ProcessedReport) => void,
    options: InboxOptions = {},
  ) {
    this.opts = {
      busySlice: options.busySlice ?? 32,
      idleSlice: options.idleSlice ?? 1000,
      busyWindowMs: options.busyWindowMs ?? 250,
      busyDuty: options.busyDuty ?? { min: 0.02, max: 0.5, lagForMaxMs: 60_000 },
      clock: options.clock ?? Date.now,
    };
    this.log = options.log ?? ((level, m) => process.stderr.write(`[ingest inbox] ${level}: ${m}\n`));
  }

  /**
   * Picks up where the last process left: rows still in the inbox are applied now. Returns the highest sequence
   * number stored, which the request thread waits for before its first read (events it acknowledged before a crash).
   */
  start(): number {
    this.seq = getMaxInboxSeq(this.db);
    if (countInboxRows(this.db) > 0) {
      // If the last process died applying a slice, it died on this one (slices go in order and delete what they
      // apply): count a try for each of its rows before applying it, so a row that crashes every start is moved aside
      // after a few. One statement, committed before anything else runs.
      const first = weighed(listInboxRows(this.db, 0, this.opts.idleSlice), this.opts.idleSlice);
      if (first.length) countInboxTries(this.db, first[0].seq, first[first.length - 1].seq);
      this.kick();
    }
    return this.seq;
  }

  /**
   * Stores API events in the event log (validated, resolved, deduplicated, orphans kept: `Ingestor.storeIn`) and
   * their effect on messages in the inbox, in one commit; resolves after it with the summary and the sequence number
   * of the last row, which `settle` waits for. Nothing is applied to messages yet.
   */
  async appendEvents(accountId: string, batch: IncomingEvent[] | PreparedBatch): Promise<{ outcome: Outcome<IngestSummary>; seq: number }> {
    const at = this.opts.clock();
    this.lastArrival = at;
    let rows: InboxRow[] = [];
    const note: DeferredApply = (account, rowids, extras) => {
      for (let i = 0; i < rowids.length; i += EVENTS_PER_ROW) {
        const payload = JSON.stringify(eventsNote(rowids.slice(i, i + EVENTS_PER_ROW), extras));
        rows.push({ account_id: account, seq: ++this.seq, kind: 'events', payload, received_at: at });
      }
      insertInboxRows(this.db, rows);
    };
    const size = Array.isArray(batch) ? batch.length : batch.received;
    // A refused batch wrote nothing (storeIn stops before writing); no row either.
    const outcome = await this.writer.run(async (trx) => {
      rows = [];
      return Array.isArray(batch) ? this.ingestor.storeIn(trx, accountId, batch, note) : this.ingestor.storePreparedIn(trx, accountId, batch, note);
    }, Math.max(1, size));
    if (rows.length) {
      this.stats.appended += rows.length;
      this.kick();
    }
    return { outcome, seq: rows.length ? rows[rows.length - 1].seq : 0 };
  }

  /**
   * Resolves (with the cursor) once every row up to `seq` is applied or failed and logged, applying at full speed
   * meanwhile; rows after it keep their pace.
   */
  settle(seq: number): Promise<number> {
    if (seq <= this.cursor) return Promise.resolve(this.cursor);
    return new Promise((resolve) => {
      this.settleWaiters.push({ seq, resolve });
      this.kick();
      this.wake?.(true);
    });
  }

  private releaseSettled(): void {
    if (this.settleWaiters.length === 0) return;
    const still: typeof this.settleWaiters = [];
    for (const w of this.settleWaiters) {
      if (w.seq <= this.cursor) w.resolve(this.cursor);
      else still.push(w);
    }
    this.settleWaiters = still;
  }

  /**
   * Stores visits (each `StoredVisit` as JSON, with its account) in the inbox; resolves after COMMIT. Nothing is
   * applied yet (see `drain`).
   */
  async appendVisits(accounts: string[], visits: string[]): Promise<StoredVisits> {
    await this.append(visits.map((payload, i) => ({ accountId: accounts[i], kind: 'visit' as const, payload })));
    return { lost: 0, reflagged: 0 };
  }

  /**
   * Stores events-only deliveries (each `VerifiedDelivery` as JSON, with its account) in the inbox as they are, and
   * applies the others at once (their answer depends on it: a reused one-time token is refused), all committed
   * before it resolves. The outcomes of the others, in order.
   */
  async appendDeliveries(accounts: string[], deliveries: string[], onlyEvents: boolean[]): Promise<StoredDeliveries> {
    const later: { accountId: string; kind: 'delivery'; payload: string }[] = [];
    const now: VerifiedDelivery[] = [];
    deliveries.forEach((json, i) => {
      if (onlyEvents[i]) later.push({ accountId: accounts[i], kind: 'delivery', payload: json });
      else now.push(JSON.parse(json) as VerifiedDelivery);
    });
    const [, applied] = await Promise.all([
      later.length ? this.append(later) : undefined,
      now.length ? this.webhooks.storeDeliveries(now) : undefined,
    ]);
    return { outcomes: applied?.outcomes ?? [], tally: applied?.tally ?? [] };
  }

  /** Appends rows whose payloads are JSON already; resolves after COMMIT. */
  private async append(items: { accountId: string; kind: InboxRow['kind']; payload: string }[]): Promise<void> {
    const at = this.opts.clock();
    this.lastArrival = at;
    // Numbered when the writer runs the insert, not when it is queued: the apply loop's slices run in the same writer
    // and move the cursor past every row they saw. A number taken at queue time could be lower than those of an events
    // batch queued earlier but numbered (and applied) before this insert ran: the row would sit behind the cursor until
    // the next start (seen in bench:soak: a click 150 s in the inbox, GET /readyz not ready).
    await this.writer.run(async () => {
      insertInboxRows(this.db, items.map((it) => ({ account_id: it.accountId, seq: ++this.seq, kind: it.kind, payload: it.payload, received_at: at })));
    }, items.length);
    this.stats.appended += items.length;
    this.kick();
  }

  /** Resolves once every row stored so far is applied (or failed and logged), at full speed. */
  drain(): Promise<InboxStats> {
    return new Promise((resolve) => {
      this.drainWaiters.push(() => resolve(this.inboxStats()));
      this.kick();
    });
  }

  inboxStats(): InboxStats {
    return { pending: countInboxRows(this.db), ...this.stats };
  }

  /** Stops applying after the slice in progress; what is left stays in the inbox for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.(true);
    await this.loopDone;
    this.releaseAll();
  }

  /**
   * Lets every drain and settle waiter go: the inbox is empty, or the loop stopped (what is left is applied at the
   * next start).
   */
  private releaseAll(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    const settle = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of settle) w.resolve(this.cursor);
  }

  private kick(): void {
    this.dirty = true;
    if (this.stopping) return;
    if (this.running) {
      this.wake?.();
      return;
    }
    this.running = true;
    this.loopDone = this.loop()
      .catch((err: unknown) => {
        this.log('error', `applying the inbox stopped (rows stay stored; the next arrival or start resumes): ${(err as Error)?.stack ?? String(err)}`);
        this.dirty = false;
        this.releaseAll();
      })
      .finally(() => {
        this.running = false;
        // A kick that came after the last look but before `running` fell.
        if (this.dirty && !this.stopping) this.kick();
      });
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      this.dirty = false;
      const hurried = this.drainWaiters.length > 0 || this.settleWaiters.length > 0;
      const busy = !hurried && this.opts.clock() - this.lastArrival < this.opts.busyWindowMs;
      const started = performance.now();
      const n = await this.applySlice(busy ? this.opts.busySlice : this.opts.idleSlice);
      if (n === 0) {
        if (this.dirty) continue;
        this.releaseAll();
        return;
      }
      const duty = applyShare(this.opts.clock() - this.oldestApplied, this.opts.busyDuty);
      if (busy && duty < 1) {
        // Yield the CPU to the threads answering requests: run `duty` of the time while they are busy.
        const ms = ((performance.now() - started) * (1 - duty)) / duty;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.wake = null;
            resolve();
          }, ms);
          // A drain (or a stop) wakes the loop at once.
          this.wake = (force) => {
            if (!force && this.drainWaiters.length === 0 && this.settleWaiters.length === 0) return;
            clearTimeout(timer);
            this.wake = null;
            resolve();
          };
        });
      } else {
        // Let appends waiting behind this slice commit before the next one.
        await new Promise<void>((resolve) => nextTurn(resolve));
      }
    }
  }

  /**
   * Applies the next `limit` rows in one transaction; a failing slice is retried row by row, and so is a row that
   * already used its tries (it may be what killed the last process). Returns rows handled.
   */
  private async applySlice(limit: number): Promise<number> {
    let rows: InboxRow[] = [];
    let suspect: InboxRow | undefined;
    try {
      const report = await this.writer.run(async (trx) => {
        rows = weighed(listInboxRows(this.db, this.cursor, limit), limit);
        const at = rows.findIndex((r) => (r.tries ?? 0) >= MAX_TRIES);
        if (at === 0) suspect = rows[0];
        if (at >= 0) rows = rows.slice(0, at);
        return rows.length ? this.apply(trx, rows) : null;
      }, limit);
      if (suspect) {
        await this.applyAlone(suspect);
        return 1;
      }
      if (!report) return 0;
      this.done(rows, report);
      return rows.length;
    } catch (err) {
      if (rows.length === 0) throw err;
      for (const row of rows) await this.applyAlone(row);
      return rows.length;
    }
  }

  /**
   * Tries one row alone until it applies or has used `MAX_TRIES`, counting each try in the row before it starts;
   * then moves it to the dead letters with its last error. If that bookkeeping fails too (the disk is full, say), the
   * row stays in the inbox for the next start.
   */
  private async applyAlone(row: InboxRow): Promise<void> {
    try {
      let tries = row.tries ?? 0;
      let error = row.last_error ?? null;
      for (;;) {
        if (tries >= MAX_TRIES && error === STOPPED_DURING_TRY) {
          await this.toDeadLetters(row, error, tries);
          return;
        }
        const counted = await this.writer.run(async () => countInboxTryAlone(this.db, row, STOPPED_DURING_TRY));
        if (counted === null) return;
        tries = counted;
        try {
          this.done([row], await this.writer.run((trx) => this.apply(trx, [row])));
          return;
        } catch (err) {
          error = errorText(err);
          if (tries >= MAX_TRIES) {
            await this.toDeadLetters(row, error, tries);
            return;
          }
          const noted = error;
          await this.writer.run(async () => noteInboxError(this.db, row, noted));
        }
      }
    } catch (err) {
      this.fail(row, err);
    }
  }

  private async toDeadLetters(row: InboxRow, error: string, tries: number): Promise<void> {
    const at = this.opts.clock();
    const id = timeOrderedId('dl_', at);
    await this.writer.run(async () => moveInboxRowToDeadLetters(this.db, row, { id, error, tries, movedAt: at }));
    this.cursor = Math.max(this.cursor, row.seq);
    this.stats.failed += 1;
    this.stats.deadLettered += 1;
    this.log('error', `${row.kind} ${row.seq} of account ${row.account_id} could not be applied after ${tries} tries; moved to the dead letters as ${id}: ${error}`);
    this.report({ visits: 0, deliveries: 0, events: 0, lost: 0, reflagged: 0, tally: [], failed: 1, cursor: this.cursor });
    this.releaseSettled();
  }

  /**
   * Applies a dead letter again, with the code that applies the inbox: in one transaction it is applied and removed,
   * or, if it fails again, it stays with one more try and its new error.
   */
  async retryDeadLetter(accountId: string, id: string): Promise<DeadLetterRetry> {
    try {
      const report = await this.writer.run(async (trx) => {
        const letter = getDeadLetterSync(this.db, accountId, id);
        if (!letter) return null;
        const row: InboxRow = { account_id: letter.account_id, seq: Number(letter.seq), kind: letter.kind, payload: letter.payload, received_at: Number(letter.received_at) };
        const r = await this.apply(trx, [row], false);
        deleteDeadLetterSync(this.db, accountId, id);
        return r;
      });
      if (!report) return { found: false };
      this.stats.processed += 1;
      this.report({ ...report, cursor: this.cursor });
      return { found: true, applied: true };
    } catch (err) {
      const error = errorText(err);
      const tried = await this.writer.run(async () => {
        const letter = getDeadLetterSync(this.db, accountId, id);
        if (!letter) return null;
        noteDeadLetterTry(this.db, accountId, id, error, this.opts.clock());
        return Number(letter.tries) + 1;
      });
      return tried === null ? { found: false } : { found: true, applied: false, error, tries: tried };
    }
  }

  private async apply(trx: Transaction<DB>, rows: InboxRow[], fromInbox = true): Promise<ProcessedReport> {
    const visits: StoredVisit[] = [];
    const deliveries: VerifiedDelivery[] = [];
    const events = new Map<string, StoredEvent[]>();
    for (const r of rows) {
      if (r.kind === 'visit') visits.push(JSON.parse(r.payload) as StoredVisit);
      else if (r.kind === 'delivery') deliveries.push(JSON.parse(r.payload) as VerifiedDelivery);
      else {
        const list = events.get(r.account_id);
        const stored = storedEvents(this.db, r.account_id, JSON.parse(r.payload) as EventsNote);
        if (list) list.push(...stored);
        else events.set(r.account_id, stored);
      }
    }
    // Events first: a visit or delivery behind them in the same slice sees the messages they moved.
    let applied = 0;
    for (const [accountId, stored] of events) applied += await this.ingestor.applyStoredIn(trx, accountId, stored);
    const v = visits.length ? await this.tracking.storeVisitsIn(trx, visits) : { lost: 0, reflagged: 0 };
    const d = deliveries.length ? await this.webhooks.storeDeliveriesIn(trx, deliveries) : { outcomes: [], tally: [] };
    if (fromInbox) deleteInboxRows(this.db, rows);
    return { visits: visits.length, deliveries: deliveries.length, events: applied, lost: v.lost, reflagged: v.reflagged, tally: d.tally, failed: 0, cursor: 0 };
  }

  private done(rows: InboxRow[], report: ProcessedReport): void {
    this.cursor = Math.max(this.cursor, rows[rows.length - 1].seq);
    this.oldestApplied = Number(rows[0].received_at);
    this.stats.processed += rows.length;
    this.report({ ...report, cursor: this.cursor });
    this.releaseSettled();
  }

  /**
   * A row whose tries could not even be counted (the database refuses writes) stays in the inbox, tried again at the
   * next start, and is reported.
   */
  private fail(row: InboxRow, err: unknown): void {
    this.cursor = Math.max(this.cursor, row.seq);
    this.stats.failed += 1;
    this.log('error', `${row.kind} ${row.seq} of account ${row.account_id} could not be applied nor moved to the dead letters; kept in the inbox for the next start: ${errorText(err)}`);
    this.report({ visits: 0, deliveries: 0, events: 0, lost: 0, reflagged: 0, tally: [], failed: 1, cursor: this.cursor });
    this.releaseSettled();
  }
}

function errorText(err: unknown): string {
  const text = (err as Error)?.message ?? String(err);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/**
 * What an inbox row keeps of API events: where they are in the event log (rowid ranges) and the provider message ids
 * the log does not keep. A few bytes instead of the events again.
 */
export interface EventsNote {
  ranges: [number, number][];
  /** By rowid: the provider and provider message id an event carried, if it did. */
  extra?: Record<string, EventExtra>;
}

export function eventsNote(rowids: number[], extras: Map<number, EventExtra>): EventsNote {
  const ranges: [number, number][] = [];
  let extra: EventsNote['extra'];
  for (const rowid of rowids) {
    const last = ranges[ranges.length - 1];
    if (last && rowid === last[1] + 1) last[1] = rowid;
    else ranges.push([rowid, rowid]);
    const x = extras.get(rowid);
    if (x) (extra ??= {})[rowid] = x;
  }
  return extra ? { ranges, extra } : { ranges };
}

/** The events a note points at, read back from the log. */
function storedEvents(db: Db, accountId: string, note: EventsNote): StoredEvent[] {
  return findEventsByRowids(db, accountId, note.ranges).map((row) => ({ e: eventFromRow(row, note.extra?.[row.rowid]), messageId: row.message_id }));
}

/** The first rows whose items fit in `limit` (a row of API events weighs `EVENTS_PER_ROW`), at least one. */
export function weighed<R extends Pick<InboxRow, 'kind'>>(rows: R[], limit: number): R[] {
  let weight = 0;
  for (let i = 0; i < rows.length; i++) {
    weight += rows[i].kind === 'events' ? EVENTS_PER_ROW : 1;
    if (weight > limit) return rows.slice(0, Math.max(1, i));
  }
  return rows;
}
