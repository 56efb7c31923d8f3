// SQL for the secrets Mesure must read back, across the tables that hold them: provider webhook secrets, Shopify app
// secrets, the Stripe webhook secret, alert signing secrets and erasure peppers (src/store/erasure.ts). Used to seal plain values at start and to re-seal
// every value under a new key (`mesure secrets rotate`); each service reads and writes its own secret elsewhere.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';
import type { Db } from './db';

type Handle = Kysely<DB> | Transaction<DB>;

export type StoredSecretKind = 'provider' | 'shopify' | 'stripe' | 'alert' | 'erasure';

/** One stored secret value and the row it lives in: `ref` is the provider, the alert endpoint id, or '' (one per account). */
export interface StoredSecret {
  kind: StoredSecretKind;
  accountId: string;
  ref: string;
  value: string;
}

/** Every stored secret value, of every account. */
export async function listStoredSecrets(h: Handle): Promise<StoredSecret[]> {
  const out: StoredSecret[] = [];
  for (const r of await h.selectFrom('provider_secrets').select(['account_id', 'provider', 'secret']).orderBy('account_id').orderBy('provider').execute()) {
    out.push({ kind: 'provider', accountId: r.account_id, ref: r.provider, value: r.secret });
  }
  for (const r of await h.selectFrom('shopify_secrets').select(['account_id', 'secrets']).orderBy('account_id').execute()) {
    out.push({ kind: 'shopify', accountId: r.account_id, ref: '', value: r.secrets });
  }
  const stripe = await h
    .selectFrom('billing_settings')
    .select(['account_id', 'stripe_webhook_secret'])
    .where('stripe_webhook_secret', 'is not', null)
    .orderBy('account_id')
    .execute();
  for (const r of stripe) out.push({ kind: 'stripe', accountId: r.account_id, ref: '', value: r.stripe_webhook_secret! });
  for (const r of await h.selectFrom('alert_endpoints').select(['account_id', 'id', 'secret']).orderBy('account_id').orderBy('id').execute()) {
    out.push({ kind: 'alert', accountId: r.account_id, ref: r.id, value: r.secret });
  }
  for (const r of await h.selectFrom('erasure_peppers').select(['account_id', 'pepper']).orderBy('account_id').execute()) {
    out.push({ kind: 'erasure', accountId: r.account_id, ref: '', value: r.pepper });
  }
  return out;
}

/**
 * Replaces a stored value by `next` only if it still holds `s.value` (another process may have changed it since it
 * was read). Returns whether it did.
 */
export async function replaceStoredSecret(h: Handle, s: StoredSecret, next: string): Promise<boolean> {
  let r;
  switch (s.kind) {
    case 'provider':
      r = await h.updateTable('provider_secrets').set({ secret: next })
        .where('account_id', '=', s.accountId).where('provider', '=', s.ref).where('secret', '=', s.value).executeTakeFirst();
      break;
    case 'shopify':
      r = await h.updateTable('shopify_secrets').set({ secrets: next })
        .where('account_id', '=', s.accountId).where('secrets', '=', s.value).executeTakeFirst();
      break;
    case 'stripe':
      r = await h.updateTable('billing_settings').set({ stripe_webhook_secret: next })
        .where('account_id', '=', s.accountId).where('stripe_webhook_secret', '=', s.value).executeTakeFirst();
      break;
    case 'alert':
      r = await h.updateTable('alert_endpoints').set({ secret: next })
        .where('account_id', '=', s.accountId).where('id', '=', s.ref).where('secret', '=', s.value).executeTakeFirst();
      break;
    case 'erasure':
      r = await h.updateTable('erasure_peppers').set({ pepper: next })
        .where('account_id', '=', s.accountId).where('pepper', '=', s.value).executeTakeFirst();
      break;
  }
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Runs `fn` with SQLite's secure_delete on, then checkpoints the WAL into the file and truncates it: the bytes of the
 * values `fn` replaced (plain secrets, or values sealed by a retired key) are overwritten, not left in free space or
 * in old WAL frames. PostgreSQL keeps replaced rows until VACUUM: `fn` just runs (docs/PRIVACY.md says what follows).
 */
export async function scrubbingReplacedValues<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  if (!db.sqlite) return fn();
  const was = db.sqlite.pragma('secure_delete', { simple: true });
  db.sqlite.pragma('secure_delete = ON');
  try {
    return await fn();
  } finally {
    db.sqlite.pragma(`secure_delete = ${Number(was) ? 'ON' : 'OFF'}`);
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  }
}
