// Ingestion dead letters: the inbox rows that could not be applied after their tries (see Inbox, inbox.ts), listed,
// applied again, or discarded. Listing and discarding run here on either engine; applying again is done by whoever owns
// the inbox (the SQLite ingestion worker). PostgreSQL applies ingestion before it answers, so it never has any.
import type { Db } from '../store/db';
import { countDeadLetters, deleteDeadLetter, getDeadLetter, listDeadLetters, type DeadLetterRow } from '../store/inbox';
import type { DeadLetterRetry } from './inbox';

/** What applies a dead letter again: the ingestion worker, or an inbox on this thread. */
export interface DeadLetterRetrier {
  retryDeadLetter(accountId: string, id: string): Promise<DeadLetterRetry>;
}

/** A dead letter's payload is shown up to this many characters (a delivery can be long). */
const PAYLOAD_SHOWN = 4000;

export interface DeadLetter {
  id: string;
  /** 'visit' (a click, scan or open), 'delivery' (a provider webhook) or 'events' (API events already in the log). */
  kind: string;
  error: string;
  tries: number;
  receivedAt: string;
  movedAt: string;
  payload: string;
  payloadTruncated: boolean;
}

export type RetryResult =
  | { ok: false; status: 404 | 409; message: string }
  | { ok: true; value: { id: string; applied: boolean; error?: string; tries?: number; remaining: number } };

export class DeadLetters {
  constructor(
    private readonly db: Db,
    /** Null where nothing owns an inbox (PostgreSQL, or SQLite with neither worker nor inbox). */
    private readonly retrier: DeadLetterRetrier | null,
  ) {}

  async list(accountId: string, opts: { limit: number; cursor?: string }): Promise<{ items: DeadLetter[]; total: number; nextCursor: string | null }> {
    const rows = await listDeadLetters(this.db.kysely, accountId, { after: opts.cursor, limit: opts.limit + 1 });
    const page = rows.slice(0, opts.limit);
    return {
      items: page.map(shown),
      total: await countDeadLetters(this.db.kysely, accountId),
      nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null,
    };
  }

  count(accountId: string): Promise<number> {
    return countDeadLetters(this.db.kysely, accountId);
  }

  async retry(accountId: string, id: string): Promise<RetryResult> {
    const notFound = { ok: false as const, status: 404 as const, message: `No dead letter ${id} in this account; list them with GET /v1/ingestion/dead-letters.` };
    if (!this.retrier) {
      if (!(await getDeadLetter(this.db.kysely, accountId, id))) return notFound;
      return { ok: false, status: 409, message: 'This server runs no ingestion inbox to apply it again (SQLite with MESURE_INGEST_WORKER=0?); start it with the ingestion worker, or discard it.' };
    }
    const r = await this.retrier.retryDeadLetter(accountId, id);
    if (!r.found) return notFound;
    const remaining = await this.count(accountId);
    return { ok: true, value: r.applied ? { id, applied: true, remaining } : { id, applied: false, error: r.error, tries: r.tries, remaining } };
  }

  /** Discards a dead letter for good; the number left, or null when there was no such dead letter. */
  async discard(accountId: string, id: string): Promise<number | null> {
    if (!(await deleteDeadLetter(this.db.kysely, accountId, id))) return null;
    return this.count(accountId);
  }
}

function shown(r: DeadLetterRow): DeadLetter {
  return {
    id: r.id, kind: r.kind, error: r.error, tries: Number(r.tries),
    receivedAt: new Date(Number(r.received_at)).toISOString(), movedAt: new Date(Number(r.moved_at)).toISOString(),
    payload: r.payload.slice(0, PAYLOAD_SHOWN), payloadTruncated: r.payload.length > PAYLOAD_SHOWN,
  };
}
