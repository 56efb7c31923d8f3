// SQL of scheduled reports: each member's settings (`reports`) and the runs (`report_runs`), always by account.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';

declare module './schema' {
  interface DB {
    reports: ReportRow;
    report_runs: ReportRunRow;
  }
}

export interface ReportRow {
  account_id: string;
  user_id: string;
  frequency: string;
  language: string;
  day_of_week: number;
  day_of_month: number;
  hour: number;
  since: number;
  updated_at: number;
}

export interface ReportRunRow {
  account_id: string;
  id: string;
  user_id: string;
  email: string;
  kind: string;
  slot: string;
  period_from: string;
  period_to: string;
  language: string;
  status: string;
  attempts: number;
  error: string | null;
  smtp_message_id: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

type H = Kysely<DB> | Transaction<DB>;

export async function getReportRow(db: H, accountId: string, userId: string): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('account_id', '=', accountId).where('user_id', '=', userId).executeTakeFirst();
}

export async function upsertReportRow(db: H, row: ReportRow): Promise<void> {
  const { account_id: _a, user_id: _u, ...rest } = row;
  await db.insertInto('reports').values(row).onConflict((oc) => oc.columns(['account_id', 'user_id']).doUpdateSet(rest)).execute();
}

/** A member of the account with their login e-mail and role (the report's recipient). */
export interface ReportMember {
  user_id: string;
  email: string;
  role: string;
}

/** The account's members in id order, one page after `after`. */
export async function listReportMembers(db: H, accountId: string, opts: { after?: string; limit: number }): Promise<ReportMember[]> {
  let q = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id', 'users.email', 'memberships.role'])
    .where('memberships.account_id', '=', accountId)
    .orderBy('memberships.user_id')
    .limit(opts.limit);
  if (opts.after) q = q.where('memberships.user_id', '>', opts.after);
  return q.execute();
}

export async function getReportMember(db: H, accountId: string, userId: string): Promise<ReportMember | undefined> {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['memberships.user_id', 'users.email', 'memberships.role'])
    .where('memberships.account_id', '=', accountId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
}

export async function listReportRowsFor(db: H, accountId: string, userIds: string[]): Promise<ReportRow[]> {
  if (!userIds.length) return [];
  return db.selectFrom('reports').selectAll().where('account_id', '=', accountId).where('user_id', 'in', userIds).execute();
}

/** Every report that is on, of a member still in its account, with the member's e-mail (the periodic tick reads them). */
export async function listActiveReports(db: H): Promise<(ReportRow & { email: string })[]> {
  return db
    .selectFrom('reports')
    .innerJoin('memberships', (j) => j.onRef('memberships.account_id', '=', 'reports.account_id').onRef('memberships.user_id', '=', 'reports.user_id'))
    .innerJoin('users', 'users.id', 'reports.user_id')
    .selectAll('reports')
    .select('users.email')
    .where('reports.frequency', '!=', 'off')
    .orderBy('reports.account_id')
    .orderBy('reports.user_id')
    .execute();
}

/** The runs of a member's slots, by slot (to skip the slots already sent). */
export async function getReportRunBySlot(db: H, accountId: string, userId: string, slot: string): Promise<ReportRunRow | undefined> {
  return db.selectFrom('report_runs').selectAll().where('account_id', '=', accountId).where('user_id', '=', userId).where('slot', '=', slot).executeTakeFirst();
}

/**
 * Claims a member's slot for sending: inserts its run as `sending`, or takes over a run that failed (fewer than
 * `maxAttempts` tries) or whose sender went quiet (`sending` not updated since `staleBefore`). True when this caller
 * must send it; false when it is sent, being sent, or given up.
 */
export async function claimReportRun(db: H, run: ReportRunRow, maxAttempts: number, staleBefore: number): Promise<boolean> {
  const inserted = await db
    .insertInto('report_runs')
    .values(run)
    .onConflict((oc) => oc.columns(['account_id', 'user_id', 'slot']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
  const taken = await db
    .updateTable('report_runs')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), updated_at: run.updated_at, email: run.email, language: run.language }))
    .where('account_id', '=', run.account_id)
    .where('user_id', '=', run.user_id)
    .where('slot', '=', run.slot)
    .where('attempts', '<', maxAttempts)
    .where((eb) => eb.or([eb('status', '=', 'failed'), eb.and([eb('status', '=', 'sending'), eb('updated_at', '<', staleBefore)])]))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

export async function finishReportRun(
  db: H, accountId: string, userId: string, slot: string,
  outcome: { status: 'sent' | 'failed'; error: string | null; smtpMessageId: string | null; at: number },
): Promise<ReportRunRow | undefined> {
  await db
    .updateTable('report_runs')
    .set({ status: outcome.status, error: outcome.error, smtp_message_id: outcome.smtpMessageId, updated_at: outcome.at, sent_at: outcome.status === 'sent' ? outcome.at : null })
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .where('slot', '=', slot)
    .execute();
  return getReportRunBySlot(db, accountId, userId, slot);
}

/** A member's latest run (the last one tried). */
export async function getLatestReportRun(db: H, accountId: string, userId: string): Promise<ReportRunRow | undefined> {
  return db
    .selectFrom('report_runs')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('user_id', '=', userId)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
