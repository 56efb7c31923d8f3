// Retention cohorts (issue #18): the rollups kept in the transaction of every message change, order change and erasure
// (cohortMessages / refreshCohorts, called by the ingestion, the orders and the erasure), and the read of
// GET /v1/retention from cohort_counts alone. The rules are the domain's (src/domain/cohorts.ts).
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB, MessageRow } from '../store/schema';
import {
  addCohortCounts, addContactMonths, findCohortMarks, findContactMonths, findOrderTimesOfContacts, listCohortCounts, lockContacts,
  replaceCohortMarks, type ContactMonthDelta,
} from '../store/cohorts';
import {
  addMonths, cohortMarks, contactMonthsDelta, marksDelta, messageContactMonths, monthInZone, retentionTable, type CohortMark, type CohortMetric,
  type ContactMonth, type RetentionTable,
} from '../domain/cohorts';
import type { Channel } from '../domain/types';
import type { AccountDirectory } from './accounts';

/**
 * Adds the messages' changes (before null: a new message) to their contacts' months, then brings those contacts' marks
 * and the cohort counts up to date. Most changes (a delivery, a second click) move no month: then nothing is written.
 */
export async function cohortMessages(
  db: Db, trx: Transaction<DB>, timeZone: string, accountId: string,
  changes: { before: MessageRow | null; after: MessageRow }[], channels: Map<string, Channel>,
): Promise<void> {
  const deltas: ContactMonthDelta[] = [];
  for (const { before, after } of changes) {
    if (after.contact_id === null) continue;
    const channel = channels.get(after.campaign_id)!;
    for (const d of contactMonthsDelta(before && messageContactMonths(before, channel, timeZone), messageContactMonths(after, channel, timeZone))) {
      deltas.push({ ...d, contactId: after.contact_id });
    }
  }
  if (deltas.length === 0) return;
  await addContactMonths(trx, accountId, deltas);
  await refreshCohorts(db, trx, timeZone, accountId, [...new Set(deltas.map((d) => d.contactId))]);
}

/**
 * Recomputes the marks of these contacts from their months and orders (an erased contact has none) and moves
 * cohort_counts by the difference. Reads only these contacts' own rows.
 */
export async function refreshCohorts(db: Db, trx: Transaction<DB>, timeZone: string, accountId: string, contactIds: string[]): Promise<void> {
  if (contactIds.length === 0) return;
  const alive = await lockContacts(db, trx, accountId, contactIds);
  const months = new Map<string, ContactMonth[]>();
  for (const r of await findContactMonths(trx, accountId, [...alive])) {
    const list = months.get(r.contact_id) ?? [];
    list.push({ channel: r.channel as Channel, month: r.month, messages: Number(r.messages), engaged: Number(r.engaged), unreachable: Number(r.unreachable) });
    months.set(r.contact_id, list);
  }
  const orders = new Map<string, number[]>();
  for (const o of await findOrderTimesOfContacts(trx, accountId, [...alive])) orders.set(o.contact_id, [...(orders.get(o.contact_id) ?? []), o.ordered_at]);
  const before = new Map<string, CohortMark[]>();
  for (const m of await findCohortMarks(trx, accountId, contactIds)) {
    const list = before.get(m.contact_id) ?? [];
    list.push({ channel: m.channel as CohortMark['channel'], cohort: m.cohort_month, metric: m.metric as CohortMetric, month: m.month, n: Number(m.n) });
    before.set(m.contact_id, list);
  }
  const changed: string[] = [];
  const marks: (CohortMark & { contactId: string })[] = [];
  const counts: CohortMark[] = [];
  for (const id of contactIds) {
    const after = alive.has(id) ? cohortMarks(months.get(id) ?? [], orders.get(id) ?? [], timeZone) : [];
    const delta = marksDelta(before.get(id) ?? [], after);
    if (delta.length === 0) continue;
    changed.push(id);
    for (const m of after) marks.push({ ...m, contactId: id });
    counts.push(...delta);
  }
  if (changed.length === 0) return;
  await replaceCohortMarks(trx, accountId, changed, marks);
  await addCohortCounts(trx, accountId, marksDelta([], counts));
}

export interface RetentionQuery {
  metric: 'engaged' | 'purchased';
  channel?: Channel;
  /** How many cohorts, ending with the current month (1–24). */
  months: number;
}

/** The read side: one account's triangle, curve and purchase figures, from cohort_counts only. */
export class Cohorts {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountDirectory,
    private readonly clock: () => number = Date.now,
  ) {}

  async table(accountId: string, q: RetentionQuery): Promise<RetentionTable & { metric: string; channel: Channel | null; currentMonth: string; timeZone: string }> {
    const timeZone = (await this.accounts.get(accountId))?.time_zone ?? 'UTC';
    const current = monthInZone(this.clock(), timeZone);
    const first = addMonths(current, -(q.months - 1));
    const rows = await listCohortCounts(this.db.kysely, accountId, q.channel ?? 'all', first, ['contacts', q.metric, 'buyers', 'repeat_buyers', 'churned', 'order_gaps']);
    return { metric: q.metric, channel: q.channel ?? null, currentMonth: current, timeZone, ...retentionTable(rows, q.metric, first, current) };
  }
}
