// SQL for provider webhooks: each account's secret per provider, and the replay keys already seen.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema';

export interface ProviderSecretRow {
  account_id: string;
  provider: string;
  secret: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookReplayKeyRow {
  account_id: string;
  key: string;
  digest: string;
  seen_at: number;
  expires_at: number;
}

declare module './schema' {
  interface DB {
    provider_secrets: ProviderSecretRow;
    webhook_replay_keys: WebhookReplayKeyRow;
  }
}

type Handle = Kysely<DB> | Transaction<DB>;

export async function getProviderSecret(h: Handle, accountId: string, provider: string): Promise<string | undefined> {
  const row = await h
    .selectFrom('provider_secrets')
    .select('secret')
    .where('account_id', '=', accountId)
    .where('provider', '=', provider)
    .executeTakeFirst();
  return row?.secret;
}

/** Which providers have a secret, since when, and the stored (sealed) value, from which the service derives its hint. */
export async function listProviderSecrets(h: Handle, accountId: string): Promise<{ provider: string; secret: string; updatedAt: number }[]> {
  const rows = await h
    .selectFrom('provider_secrets')
    .select(['provider', 'secret', 'updated_at'])
    .where('account_id', '=', accountId)
    .orderBy('provider')
    .execute();
  return rows.map((r) => ({ provider: r.provider, secret: r.secret, updatedAt: Number(r.updated_at) }));
}

/** Sets or replaces the secret; created_at keeps the first time one was set. */
export async function upsertProviderSecret(h: Handle, accountId: string, provider: string, secret: string, now: number): Promise<void> {
  await h
    .insertInto('provider_secrets')
    .values({ account_id: accountId, provider, secret, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['account_id', 'provider']).doUpdateSet({ secret, updated_at: now }))
    .execute();
}

export async function deleteProviderSecret(h: Handle, accountId: string, provider: string): Promise<number> {
  const r = await h.deleteFrom('provider_secrets').where('account_id', '=', accountId).where('provider', '=', provider).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The keys of `keys` already seen for this account (expired ones included until pruned), with their digests. */
export async function findReplayKeys(h: Handle, accountId: string, keys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  const rows = await h
    .selectFrom('webhook_replay_keys')
    .select(['key', 'digest'])
    .where('account_id', '=', accountId)
    .where('key', 'in', keys)
    .execute();
  for (const r of rows) out.set(r.key, r.digest);
  return out;
}

/** Plain insert: a key stored meanwhile by another process fails the transaction, which is then retried alone. */
export async function insertReplayKeys(h: Handle, rows: WebhookReplayKeyRow[]): Promise<void> {
  if (rows.length) await h.insertInto('webhook_replay_keys').values(rows).execute();
}

/** Forgets keys whose window has passed, every account at once. Returns how many were deleted. */
export async function deleteExpiredReplayKeys(h: Handle, now: number): Promise<number> {
  const r = await h.deleteFrom('webhook_replay_keys').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
