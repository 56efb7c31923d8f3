// SQL of the retention cohorts (issue #18, migration 2026_12_09_100): contacts' months added to as messages change,
// each contact's marks replaced by difference, cohort_counts moved by the same difference, and the one read of
// GET /v1/retention. Every read here is bounded by the contacts a write touched (their own rows, by primary key or
// the orders_contact_id index) or, for the request, by one account's channel over at most 24 cohorts.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';
import type { Db } from './db';
import type { CohortCountRow, CohortMark, CohortMetric, ContactMonth } from '../domain/cohorts';
import type { Channel } from '../domain/types';

declare module './schema' {
  interface DB {
    contact_months: ContactMonthRow;
    contact_cohort_marks: ContactCohortMarkRow;
    cohort_counts: CohortCountsRow;
  }
}

export interface ContactMonthRow {
  account_id: string;
  contact_id: string;
  channel: string;
  month: string;
  messages: number;
  engaged: number;
  unreachable: number;
}
export interface ContactCohortMarkRow {
  account_id: string;
  contact_id: string;
  channel: string;
  cohort_month: string;
  metric: string;
  month: string;
  n: number;
}
export interface CohortCountsRow {
  account_id: string;
  channel: string;
  cohort_month: string;
  metric: string;
  month: string;
  contacts: number;
}

type Handle = Kysely<DB> | Transaction<DB>;
const CHUNK = 200;
function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface ContactMonthDelta extends ContactMonth {
  contactId: string;
}

/** Adds to contact_months, in key order (two PostgreSQL transactions take the rows' locks in the same order). */
export async function addContactMonths(h: Handle, accountId: string, deltas: ContactMonthDelta[]): Promise<void> {
  // One row per key: PostgreSQL refuses an upsert that meets the same row twice.
  const merged = new Map<string, ContactMonthDelta>();
  for (const d of deltas) {
    const k = `${d.contactId}|${d.channel}|${d.month}`;
    const m = merged.get(k);
    if (!m) merged.set(k, { ...d });
    else {
      m.messages += d.messages;
      m.engaged += d.engaged;
      m.unreachable += d.unreachable;
    }
  }
  const sorted = [...merged.values()].sort((a, b) => cmp(`${a.contactId}|${a.channel}|${a.month}`, `${b.contactId}|${b.channel}|${b.month}`));
  for (const part of chunks(sorted)) {
    await h.insertInto('contact_months')
      .values(part.map((d) => ({ account_id: accountId, contact_id: d.contactId, channel: d.channel, month: d.month, messages: d.messages, engaged: d.engaged, unreachable: d.unreachable })))
      .onConflict((oc) => oc.columns(['account_id', 'contact_id', 'channel', 'month']).doUpdateSet((eb) => ({
        messages: eb(eb.ref('contact_months.messages'), '+', eb.ref('excluded.messages')),
        engaged: eb(eb.ref('contact_months.engaged'), '+', eb.ref('excluded.engaged')),
        unreachable: eb(eb.ref('contact_months.unreachable'), '+', eb.ref('excluded.unreachable')),
      })))
      .execute();
  }
}

/**
 * The contacts among `ids` that still exist (an erased one is gone), locked until the transaction ends on PostgreSQL
 * (in id order), so that two transactions never diff the same contact's marks side by side.
 */
export async function lockContacts(db: Db, h: Handle, accountId: string, ids: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks([...ids].sort(cmp))) {
    const q = h.selectFrom('contacts').select('id').where('account_id', '=', accountId).where('id', 'in', part).orderBy('id');
    for (const r of await (db.kind === 'postgres' ? q.forUpdate() : q).execute()) out.add(r.id);
  }
  return out;
}

export async function findContactMonths(h: Handle, accountId: string, contactIds: string[]): Promise<ContactMonthRow[]> {
  const out: ContactMonthRow[] = [];
  for (const part of chunks(contactIds)) out.push(...(await h.selectFrom('contact_months').selectAll().where('account_id', '=', accountId).where('contact_id', 'in', part).execute()));
  return out;
}

/** The times of the contacts' orders not cancelled (the orders_contact_id index). */
export async function findOrderTimesOfContacts(h: Handle, accountId: string, contactIds: string[]): Promise<{ contact_id: string; ordered_at: number }[]> {
  const out: { contact_id: string; ordered_at: number }[] = [];
  for (const part of chunks(contactIds)) {
    const rows = await h.selectFrom('orders').select(['contact_id', 'ordered_at']).where('account_id', '=', accountId).where('contact_id', 'in', part)
      .where('cancelled_at', 'is', null).execute();
    for (const r of rows) out.push({ contact_id: r.contact_id!, ordered_at: Number(r.ordered_at) });
  }
  return out;
}

export async function findCohortMarks(h: Handle, accountId: string, contactIds: string[]): Promise<ContactCohortMarkRow[]> {
  const out: ContactCohortMarkRow[] = [];
  for (const part of chunks(contactIds)) out.push(...(await h.selectFrom('contact_cohort_marks').selectAll().where('account_id', '=', accountId).where('contact_id', 'in', part).execute()));
  return out;
}

/** Replaces the marks of these contacts by `marks` (the contacts' whole new set). */
export async function replaceCohortMarks(h: Handle, accountId: string, contactIds: string[], marks: (CohortMark & { contactId: string })[]): Promise<void> {
  for (const part of chunks(contactIds)) await h.deleteFrom('contact_cohort_marks').where('account_id', '=', accountId).where('contact_id', 'in', part).execute();
  for (const part of chunks(marks)) {
    await h.insertInto('contact_cohort_marks')
      .values(part.map((m) => ({ account_id: accountId, contact_id: m.contactId, channel: m.channel, cohort_month: m.cohort, metric: m.metric, month: m.month, n: m.n })))
      .execute();
  }
}

/** Moves cohort_counts by the marks' differences, in key order. */
export async function addCohortCounts(h: Handle, accountId: string, deltas: CohortMark[]): Promise<void> {
  const key = (m: CohortMark) => `${m.channel}|${m.cohort}|${m.metric}|${m.month}`;
  const sorted = [...deltas].sort((a, b) => cmp(key(a), key(b)));
  for (const part of chunks(sorted)) {
    await h.insertInto('cohort_counts')
      .values(part.map((m) => ({ account_id: accountId, channel: m.channel, cohort_month: m.cohort, metric: m.metric, month: m.month, contacts: m.n })))
      .onConflict((oc) => oc.columns(['account_id', 'channel', 'cohort_month', 'metric', 'month']).doUpdateSet((eb) => ({
        contacts: eb(eb.ref('cohort_counts.contacts'), '+', eb.ref('excluded.contacts')),
      })))
      .execute();
  }
}

/**
 * The counts of one channel's (or 'all') cohorts from `firstCohort` on, for the metrics asked: bounded by the cohorts
 * asked (≤ 24) × (their months ≤ 24 per metric, and gap lengths ≤ 366), read by the primary key's prefix.
 */
export async function listCohortCounts(h: Handle, accountId: string, channel: Channel | 'all', firstCohort: string, metrics: CohortMetric[]): Promise<CohortCountRow[]> {
  const rows = await h.selectFrom('cohort_counts').select(['cohort_month', 'metric', 'month', 'contacts'])
    .where('account_id', '=', accountId).where('channel', '=', channel).where('cohort_month', '>=', firstCohort).where('metric', 'in', metrics)
    .where('contacts', '<>', 0).execute();
  return rows.map((r) => ({ cohort: r.cohort_month, metric: r.metric as CohortMetric, month: r.month, contacts: Number(r.contacts) }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
