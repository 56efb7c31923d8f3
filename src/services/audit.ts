// The audit trail: records who (a dashboard user or an API key) changed what in an account and when, and lists it
// for owners (GET /v1/audit). Entries are written by the HTTP layer's audit hook for routes that declare an action
// (src/http/routes/audit.ts), and by services inside their own transaction where they make the change themselves.
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import { insertAuditEntry, listAuditEntries, type AuditRow } from '../store/audit';
import { boundedDetails, redact, type Details } from '../domain/audit';

export interface Actor {
  type: 'user' | 'key';
  /** usr_… or key_… */
  id: string;
  /** The user's e-mail or the key's name, at the time of the action. */
  name: string;
}

export interface AuditEntryInput {
  accountId: string;
  actor: Actor;
  /** What was done, as `thing.verb` (key.create, budget_settings.update…); docs/SECURITY.md lists them. */
  action: string;
  /** The id of what was acted on, when there is one. */
  target?: string | null;
  details?: Details;
  ip?: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  target: string | null;
  details: Details;
  ip: string | null;
}

export interface AuditFilters {
  cursor?: string;
  limit: number;
  action?: string;
  actor?: string;
  since?: string;
  until?: string;
}

// Ids sort in the order entries were written by this process, even within one millisecond: the time in base 36, a
// counter, then random bits (several processes writing at once still never collide).
let lastMs = 0;
let counter = 0;
function auditId(now: number): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else counter++;
  const rnd = Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0');
  return `aud_${lastMs.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${rnd}`;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: new Date(Number(r.at)).toISOString(),
  actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
  action: r.action,
  target: r.target,
  details: JSON.parse(r.details) as Details,
  ip: r.ip,
});

export class AuditTrail {
  constructor(private readonly db: Db, private readonly clock: () => number = Date.now) {}

  /** Writes one entry, in the caller's transaction when given one. Secrets in the details are redacted here too. */
  async record(e: AuditEntryInput, h: Kysely<DB> | Transaction<DB> = this.db.kysely): Promise<void> {
    const now = this.clock();
    await insertAuditEntry(h, {
      account_id: e.accountId,
      id: auditId(now),
      at: now,
      actor_type: e.actor.type,
      actor_id: e.actor.id,
      actor_name: e.actor.name,
      action: e.action,
      target: e.target ?? null,
      details: boundedDetails(redact(e.details ?? {}) as Details),
      ip: e.ip ?? null,
    });
  }

  /** One page of the account's entries, newest first; `nextCursor` continues after its last entry. */
  async list(accountId: string, f: AuditFilters): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
    const prefix = f.action?.endsWith('.') ? f.action : undefined;
    const rows = await listAuditEntries(this.db.kysely, accountId, {
      before: f.cursor,
      action: prefix ? undefined : f.action,
      actionPrefix: prefix,
      actor: f.actor,
      since: f.since ? Date.parse(f.since) : undefined,
      until: f.until ? Date.parse(f.until) : undefined,
      limit: f.limit + 1,
    });
    const page = rows.slice(0, f.limit);
    return { items: page.map(toEntry), nextCursor: rows.length > f.limit ? page[page.length - 1].id : null };
  }
}
