// Retention (issue #17): each account's bounds on how long IP addresses and user agents, and per-recipient rows, are
// kept, and the job that enforces them (daily in `mesure serve`, or `mesure retention run`). The job works in small
// batches, each its own short transaction through the writer, and yields to the event loop between them, so a
// request never waits behind it for more than one batch (docs/PRIVACY.md, "Retention").
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../store/db';
import type { AccountDirectory } from './accounts';
import type { Writer } from './writer';
import { retentionCutoffs, retentionOf, withoutVisitorDetails, type RetentionSettings } from '../domain/retention';
import {
  deleteHoldoutMembers, deleteOrphanEvents, dropMessages, listDeadLettersPage, listEventDataPage, listHoldoutAgesPage, listMessageAgesPage,
  listOrphanEventsPage, listReservedMessageIds, updateDeadLetterPayloads, updateEventData, updateOrphanEvents,
} from '../store/retention';

/** What one run did to one account. */
export interface RetentionReport {
  accountId: string;
  settings: RetentionSettings;
  /** Events and waiting events whose IP address and user agent were removed. */
  eventsCleared: number;
  waitingEventsCleared: number;
  /** Ingestion dead letters (items that could not be applied) whose IP address and user agent were removed. */
  deadLettersCleared: number;
  /** Per-recipient rows dropped (only with a `recipientRowsDays` bound). */
  messagesDropped: number;
  eventsDropped: number;
  waitingEventsDropped: number;
  holdoutMembersDropped: number;
  /** Rows read to find them. */
  scanned: number;
}

export interface RetentionRunOptions {
  accountId?: string;
  /** The time the bounds are counted back from (default: the clock). */
  now?: number;
  /** Called after every batch: the account, the step and the rows read so far in it. */
  onProgress?: (accountId: string, step: RetentionStep, scanned: number) => void;
  /** Checked between batches: true ends the run there (what is done stays done; the next run does the rest). */
  shouldStop?: () => boolean;
}

export type RetentionStep = 'events' | 'waiting events' | 'dead letters' | 'messages' | 'holdout members';

/** Rows read per batch: a batch holds SQLite's connection for a few milliseconds at most. */
const PAGE = 500;
/** Messages dropped per transaction (each with its events). */
const DROP = 25;

export class Retention {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly clock: () => number = Date.now,
    private readonly page = PAGE,
  ) {}

  async settings(accountId: string): Promise<RetentionSettings | undefined> {
    const a = await this.accounts.get(accountId);
    return a && retentionOf((JSON.parse(a.settings || '{}') as { retention?: unknown }).retention);
  }

  /** Sets one or both bounds (already validated by the route's schema); the next run applies them. */
  async update(accountId: string, patch: Partial<RetentionSettings>): Promise<RetentionSettings | undefined> {
    const current = await this.settings(accountId);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    const a = await this.accounts.update(accountId, { settings: { retention: next } });
    return a && retentionOf(a.settings.retention);
  }

  /** Applies every account's bounds (or one account's), batch by batch. */
  async run(opts: RetentionRunOptions = {}): Promise<RetentionReport[]> {
    const ids = opts.accountId ? [opts.accountId] : (await this.accounts.list()).map((a) => a.id);
    const out: RetentionReport[] = [];
    for (const id of ids) {
      // Read afresh: another process (a second server, the dashboard's) may have changed them since this one cached the account.
      this.accounts.forget(id);
      const settings = await this.settings(id);
      if (!settings) throw new Error(`No account ${id}.`);
      if (opts.shouldStop?.()) break;
      out.push(await this.runAccount(id, settings, opts.now ?? this.clock(), opts));
    }
    return out;
  }

  private async runAccount(accountId: string, settings: RetentionSettings, now: number, opts: RetentionRunOptions): Promise<RetentionReport> {
    const { onProgress } = opts;
    const stop = () => opts.shouldStop?.() === true;
    const { visitorDetailsBefore, recipientRowsBefore } = retentionCutoffs(settings, now);
    const r: RetentionReport = {
      accountId, settings, eventsCleared: 0, waitingEventsCleared: 0, deadLettersCleared: 0, messagesDropped: 0, eventsDropped: 0, waitingEventsDropped: 0, holdoutMembersDropped: 0, scanned: 0,
    };
    const h = this.db.kysely;

    // 1. Messages (and their events) registered before the rows bound: first, so the next step reads fewer events.
    if (recipientRowsBefore !== null) {
      let after = '';
      let scanned = 0;
      for (;;) {
        const page = await listMessageAgesPage(h, accountId, after, this.page);
        if (page.length === 0) break;
        after = page[page.length - 1].id;
        scanned += page.length;
        const old = page.filter((m) => m.registered_at < recipientRowsBefore).map((m) => m.id);
        if (old.length) {
          const reserved = await listReservedMessageIds(h, accountId, old);
          const ids = old.filter((id) => !reserved.has(id));
          // Each message goes with all its events (and their rollup triggers): a few dozen messages per transaction.
          for (let i = 0; i < ids.length; i += DROP) {
            const part = ids.slice(i, i + DROP);
            const d = await this.writer.run((trx) => dropMessages(trx, accountId, part, randomUUID()), part.length);
            r.messagesDropped += d.messages;
            r.eventsDropped += d.events;
            await nextTurn();
          }
        }
        onProgress?.(accountId, 'messages', scanned);
        await nextTurn();
        if (page.length < this.page || stop()) break;
      }
      r.scanned += scanned;
    }

    if (stop()) return r;
    // 2. IP addresses and user agents of the events that happened before the details bound.
    {
      let after = '';
      let scanned = 0;
      for (;;) {
        const page = await listEventDataPage(h, accountId, after, this.page);
        if (page.length === 0) break;
        after = page[page.length - 1].dedupe_key;
        scanned += page.length;
        const changes: { dedupe_key: string; data: string | null }[] = [];
        for (const e of page) {
          if (e.at >= visitorDetailsBefore || e.data === null) continue;
          const data = withoutVisitorDetails(e.data);
          if (data !== undefined) changes.push({ dedupe_key: e.dedupe_key, data });
        }
        if (changes.length) r.eventsCleared += await this.writer.run((trx) => updateEventData(trx, accountId, changes), changes.length);
        onProgress?.(accountId, 'events', scanned);
        await nextTurn();
        if (page.length < this.page || stop()) break;
      }
      r.scanned += scanned;
    }

    if (stop()) return r;
    // 3. Events still waiting for their message: dropped past the rows bound, else cleared past the details bound
    // (both by when they arrived: a waiting event has no row of its own to date it otherwise).
    {
      let after: { ref_key: string; dedupe_key: string } | null = null;
      let scanned = 0;
      for (;;) {
        const page = await listOrphanEventsPage(h, accountId, after, this.page);
        if (page.length === 0) break;
        const last = page[page.length - 1];
        after = { ref_key: last.ref_key, dedupe_key: last.dedupe_key };
        scanned += page.length;
        const drop = recipientRowsBefore === null ? [] : page.filter((o) => o.received_at < recipientRowsBefore);
        const clear: { ref_key: string; dedupe_key: string; event: string }[] = [];
        for (const o of page) {
          if (drop.includes(o) || o.received_at >= visitorDetailsBefore) continue;
          const event = withoutVisitorDetails(o.event);
          if (event !== undefined) clear.push({ ref_key: o.ref_key, dedupe_key: o.dedupe_key, event: event ?? '{}' });
        }
        if (drop.length || clear.length) {
          const [dropped, cleared] = await this.writer.run(async (trx) => [await deleteOrphanEvents(trx, accountId, drop), await updateOrphanEvents(trx, accountId, clear)], drop.length + clear.length);
          r.waitingEventsDropped += dropped;
          r.waitingEventsCleared += cleared;
        }
        onProgress?.(accountId, 'waiting events', scanned);
        await nextTurn();
        if (page.length < this.page || stop()) break;
      }
      r.scanned += scanned;
    }

    if (stop()) return r;
    // 4. Dead letters of the ingestion (a visit or a delivery that could not be applied, kept to retry or discard):
    // their IP addresses and user agents past the details bound, by when they arrived. A visit retried without its
    // user agent is then judged as a visit without one.
    {
      let after = '';
      let scanned = 0;
      for (;;) {
        const page = await listDeadLettersPage(h, accountId, after, this.page);
        if (page.length === 0) break;
        after = page[page.length - 1].id;
        scanned += page.length;
        const changes: { id: string; payload: string }[] = [];
        for (const d of page) {
          if (d.received_at >= visitorDetailsBefore) continue;
          const payload = withoutVisitorDetails(d.payload);
          if (payload !== undefined) changes.push({ id: d.id, payload: payload ?? '{}' });
        }
        if (changes.length) r.deadLettersCleared += await this.writer.run((trx) => updateDeadLetterPayloads(trx, accountId, changes), changes.length);
        onProgress?.(accountId, 'dead letters', scanned);
        await nextTurn();
        if (page.length < this.page || stop()) break;
      }
      r.scanned += scanned;
    }

    if (stop()) return r;
    // 5. Holdout members (contacts kept back from a campaign, with their address) assigned before the rows bound.
    if (recipientRowsBefore !== null) {
      let after: { campaign_id: string; contact_id: string } | null = null;
      let scanned = 0;
      for (;;) {
        const page = await listHoldoutAgesPage(h, accountId, after, this.page);
        if (page.length === 0) break;
        const last = page[page.length - 1];
        after = { campaign_id: last.campaign_id, contact_id: last.contact_id };
        scanned += page.length;
        const old = page.filter((m) => m.assigned_at < recipientRowsBefore);
        if (old.length) r.holdoutMembersDropped += await this.writer.run((trx) => deleteHoldoutMembers(trx, accountId, old), old.length);
        onProgress?.(accountId, 'holdout members', scanned);
        await nextTurn();
        if (page.length < this.page || stop()) break;
      }
      r.scanned += scanned;
    }
    return r;
  }

  /**
   * Runs every account's retention once a day (first a minute after the start); returns the function that stops the
   * timer and ends a run in progress after its current batch.
   */
  startDaily(everyMs = 3_600_000, firstAfterMs = 60_000): () => Promise<void> {
    let running: Promise<unknown> | null = null;
    let lastDay = '';
    let stopped = false;
    const tick = () => {
      if (running || stopped) return;
      const day = new Date(this.clock()).toISOString().slice(0, 10);
      if (day === lastDay) return;
      running = this.run({ shouldStop: () => stopped })
        .then(() => { lastDay = day; })
        .catch((err: unknown) => {
          // Retried at the next tick; the timer carries on.
          process.stderr.write(`[retention] daily run failed: ${(err as Error)?.stack ?? String(err)}\n`);
        })
        .finally(() => { running = null; });
    };
    const first = setTimeout(tick, firstAfterMs);
    const timer = setInterval(tick, everyMs);
    first.unref();
    timer.unref();
    return async () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    };
  }
}
