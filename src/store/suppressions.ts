// SQL for the suppression list.
import type { Kysely, Transaction } from 'kysely';
import type Database from 'better-sqlite3';
import type { Db } from './db';
import type { DB, SuppressionRow } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;
const lookups = new WeakMap<Database.Database, Database.Statement>();

/** Adds entries; an address already suppressed on that channel keeps its first reason. Returns how many were new. */
export async function insertSuppressions(h: Handle, rows: SuppressionRow[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const r = await h
      .insertInto('suppressions')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['account_id', 'channel', 'address']).doNothing())
      .executeTakeFirst();
    n += Number(r.numInsertedOrUpdatedRows ?? 0);
  }
  return n;
}

export async function deleteSuppression(h: Handle, accountId: string, channel: string, address: string): Promise<number> {
  const r = await h.deleteFrom('suppressions').where('account_id', '=', accountId).where('channel', '=', channel).where('address', '=', address).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The subset of `addresses` suppressed on `channel`. */
export async function findSuppressed(h: Handle, accountId: string, channel: string, addresses: string[], db?: Db): Promise<Map<string, SuppressionRow>> {
  const out = new Map<string, SuppressionRow>();
  const uniq = [...new Set(addresses)];
  if (db?.sqlite) {
    // One prepared point lookup per address (the send gate checks 10,000 at a time) inside the caller's transaction.
    let st = lookups.get(db.sqlite);
    if (!st) lookups.set(db.sqlite, (st = db.sqlite.prepare('SELECT * FROM suppressions WHERE account_id = ? AND channel = ? AND address = ?')));
    for (const a of uniq) {
      const r = st.get(accountId, channel, a) as SuppressionRow | undefined;
      if (r) out.set(r.address, r);
    }
    return out;
  }
  for (let i = 0; i < uniq.length; i += 900) {
    const rows = await h.selectFrom('suppressions').selectAll().where('account_id', '=', accountId).where('channel', '=', channel).where('address', 'in', uniq.slice(i, i + 900)).execute();
    for (const r of rows) out.set(r.address, r);
  }
  return out;
}

export async function listSuppressions(h: Handle, accountId: string, opts: { channel?: string; after?: string; limit: number }): Promise<SuppressionRow[]> {
  let q = h.selectFrom('suppressions').selectAll().where('account_id', '=', accountId);
  if (opts.channel) q = q.where('channel', '=', opts.channel);
  if (opts.after) {
    const [channel, address] = opts.after.split('\u0000');
    q = q.where((eb) => eb.or([eb('channel', '>', channel), eb.and([eb('channel', '=', channel), eb('address', '>', address)])]));
  }
  return q.orderBy('channel').orderBy('address').limit(opts.limit).execute();
}
