// SQL for the audit trail: entries are only added, and read newest first by account with optional filters.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema';

declare module './schema' {
  interface DB {
    audit_log: AuditRow;
  }
}

export interface AuditRow {
  account_id: string;
  id: string;
  at: number;
  actor_type: 'user' | 'key';
  actor_id: string;
  actor_name: string;
  action: string;
  target: string | null;
  details: string;
  ip: string | null;
}

type Handle = Kysely<DB> | Transaction<DB>;

export async function insertAuditEntry(h: Handle, row: AuditRow): Promise<void> {
  await h.insertInto('audit_log').values(row).execute();
}

export interface AuditQuery {
  /** Entries with an id below this one (the previous page's last entry). */
  before?: string;
  /** An exact action, or every action starting with `actionPrefix` (e.g. "key."). */
  action?: string;
  actionPrefix?: string;
  /** The actor's id (usr_…, key_…) or the e-mail or key name it had. */
  actor?: string;
  since?: number;
  until?: number;
  limit: number;
}

/** The account's entries, newest first. */
export async function listAuditEntries(h: Handle, accountId: string, q: AuditQuery): Promise<AuditRow[]> {
  let s = h.selectFrom('audit_log').selectAll().where('account_id', '=', accountId);
  if (q.before !== undefined) s = s.where('id', '<', q.before);
  if (q.action !== undefined) s = s.where('action', '=', q.action);
  // substr rather than LIKE: no wildcard to escape, and both engines compare it the same way (no collation).
  if (q.actionPrefix !== undefined) s = s.where(sql<string>`substr(action, 1, ${q.actionPrefix.length})`, '=', q.actionPrefix);
  if (q.actor !== undefined) {
    const actor = q.actor;
    s = s.where((eb) => eb.or([eb('actor_id', '=', actor), eb('actor_name', '=', actor)]));
  }
  if (q.since !== undefined) s = s.where('at', '>=', q.since);
  if (q.until !== undefined) s = s.where('at', '<', q.until);
  return s.orderBy('id', 'desc').limit(q.limit).execute();
}
