// Rewrites the provider message ids stored before they were put in one form on the way in: a message registered with
// Mailgun's "<id@domain>" (its send API's answer) could never meet its webhooks' "id@domain", nor one registered with
// SendGrid's full sg_message_id its events' X-Message-Id. Events waiting for such a message (orphans) are re-keyed too.
// Frozen in time: never import application code here (the rule below is src/domain/providerIds.ts on 2026-12-07,
// written out again on purpose).
//
// A stored id is only rewritten when that names one message without doubt: not when another message of the account
// already holds the new form (that one keeps receiving the events), nor when two stored ids would become the same
// (two recipients' copies of one SendGrid send): those keep their old text, as unlinked as they were.
import { sql, type Kysely } from 'kysely';

function canonical(provider: string | null, raw: string): string {
  let id = raw.trim();
  if (id.length >= 2 && id.startsWith('<') && id.endsWith('>')) id = id.slice(1, -1).trim();
  if (provider === 'sendgrid') id = /^(.+?)\.(filter|recvd)/.exec(id)?.[1] ?? id.split('.')[0];
  return id === '' ? raw : id;
}

/** Only ids the rule can change are read: bracketed or padded ones, and SendGrid's with a dot. */
const CANDIDATE = sql<boolean>`(provider_message_id LIKE '<%' OR provider_message_id LIKE '% ' OR provider_message_id LIKE ' %' OR (provider = 'sendgrid' AND provider_message_id LIKE '%.%'))`;

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const rows = (await db
    .selectFrom('messages')
    .select(['account_id', 'id', 'provider', 'provider_message_id'])
    .where('provider_message_id', 'is not', null)
    .where(CANDIDATE)
    .execute()) as { account_id: string; id: string; provider: string | null; provider_message_id: string }[];
  const wanted = new Map<string, typeof rows>();
  for (const r of rows) {
    const next = canonical(r.provider, r.provider_message_id);
    if (next === r.provider_message_id) continue;
    const key = JSON.stringify([r.account_id, r.provider, next]);
    wanted.set(key, [...(wanted.get(key) ?? []), r]);
  }
  for (const [key, [r, ...others]] of wanted) {
    if (others.length > 0) continue;
    const next = (JSON.parse(key) as string[])[2];
    const held = await db
      .selectFrom('messages')
      .select('id')
      .where('account_id', '=', r.account_id)
      .where((eb) => (r.provider === null ? eb('provider', 'is', null) : eb('provider', '=', r.provider)))
      .where('provider_message_id', '=', next)
      .executeTakeFirst();
    if (held) continue;
    await db.updateTable('messages').set({ provider_message_id: next }).where('account_id', '=', r.account_id).where('id', '=', r.id).execute();
  }

  // Orphans wait under "p:<provider>:<id>"; the event they hold says which part is the provider.
  const orphans = (await db
    .selectFrom('orphan_events')
    .select(['account_id', 'ref_key', 'dedupe_key', 'event'])
    .where('ref_key', 'like', 'p:%')
    .where((eb) => eb.or([eb('ref_key', 'like', '%<%'), eb('ref_key', 'like', '% '), eb('ref_key', 'like', 'p:%: %'), eb('ref_key', 'like', 'p:sendgrid:%.%')]))
    .execute()) as { account_id: string; ref_key: string; dedupe_key: string; event: string }[];
  for (const o of orphans) {
    let e: { ref?: { kind?: string; provider?: string; providerMessageId?: string }; provider?: string; providerMessageId?: string };
    try {
      e = JSON.parse(o.event);
    } catch {
      continue;
    }
    const ref = e.ref;
    if (ref?.kind !== 'provider' || typeof ref.provider !== 'string' || typeof ref.providerMessageId !== 'string') continue;
    if (o.ref_key !== `p:${ref.provider}:${ref.providerMessageId}`) continue;
    const next = canonical(ref.provider, ref.providerMessageId);
    if (next === ref.providerMessageId) continue;
    const refKey = `p:${ref.provider}:${next}`;
    ref.providerMessageId = next;
    if (typeof e.providerMessageId === 'string') e.providerMessageId = canonical(e.provider ?? ref.provider, e.providerMessageId);
    const where = (q: any) => q.where('account_id', '=', o.account_id).where('ref_key', '=', o.ref_key).where('dedupe_key', '=', o.dedupe_key);
    const same = await db
      .selectFrom('orphan_events')
      .select('ref_key')
      .where('account_id', '=', o.account_id)
      .where('ref_key', '=', refKey)
      .where('dedupe_key', '=', o.dedupe_key)
      .executeTakeFirst();
    // The same event already waits under the new key (sent once in each form): one copy is enough.
    if (same) await where(db.deleteFrom('orphan_events')).execute();
    else await where(db.updateTable('orphan_events').set({ ref_key: refKey, event: JSON.stringify(e) })).execute();
  }
}

export async function down(): Promise<void> {
  // The old spellings are not kept: the canonical form names the same messages.
}
