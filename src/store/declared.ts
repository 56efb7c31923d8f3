// SQL of declared sources ("how did you hear about us"): the answers stored with orders, counted for the rules'
// preview, paged through for re-mapping, and the period's orders with their answers and revenue for the comparison.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema';
import './orders';

type Handle = Kysely<DB> | Transaction<DB>;

/**
 * Each distinct stored answer and how many orders gave it. Bounded by the account's orders that have an answer:
 * the partial index orders_declared holds only those, never the other orders.
 */
export async function countDeclaredAnswers(h: Handle, accountId: string): Promise<{ text: string; orders: number }[]> {
  const rows = await h.selectFrom('orders')
    .select(['declared_source', sql<number>`count(*)`.as('orders')])
    .where('account_id', '=', accountId).where('declared_source', 'is not', null)
    .groupBy('declared_source').orderBy('declared_source').execute();
  return rows.map((r) => ({ text: r.declared_source!, orders: Number(r.orders) }));
}

/** One page (by order id, through orders_declared) of the orders with an answer, with where it is mapped now. */
export async function listDeclaredPage(h: Handle, accountId: string, afterId: string | null, limit: number) {
  let q = h.selectFrom('orders').select(['id', 'declared_source', 'declared_target'])
    .where('account_id', '=', accountId).where('declared_source', 'is not', null);
  if (afterId !== null) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
}

/** Stores where answers map now: one UPDATE per distinct target. */
export async function setDeclaredTargets(h: Handle, accountId: string, changes: { id: string; target: string | null }[]): Promise<void> {
  const byTarget = new Map<string | null, string[]>();
  for (const c of changes) byTarget.set(c.target, [...(byTarget.get(c.target) ?? []), c.id]);
  for (const [target, ids] of byTarget) {
    for (let i = 0; i < ids.length; i += 500) {
      await h.updateTable('orders').set({ declared_target: target }).where('account_id', '=', accountId).where('id', 'in', ids.slice(i, i + 500)).execute();
    }
  }
}

/**
 * The orders placed in [fromMs, toMs) with their revenue and answer: a range of the orders_time index
 * (account_id, ordered_at, id), bounded by the period's orders.
 */
export async function listOrdersWithDeclared(h: Handle, accountId: string, fromMs: number, toMs: number) {
  return h.selectFrom('orders').select(['id', 'revenue_minor', 'revenue_currency', 'declared_source', 'declared_target'])
    .where('account_id', '=', accountId).where('ordered_at', '>=', fromMs).where('ordered_at', '<', toMs)
    .orderBy('ordered_at').orderBy('id').execute();
}
