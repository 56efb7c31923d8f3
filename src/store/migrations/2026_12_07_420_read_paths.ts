// Read paths at scale (issue #20): what the campaign page and its recipients list read without walking a campaign's
// messages. Frozen in time: imports no app code.
//
// - campaign_not_sent: per (campaign, reason), the messages never sent ("Not sent, by reason"), kept by triggers on
//   `messages` so that every write path (registration, the send gate, ingestion, the sweep) updates it in the
//   statement that changes the message. The reason is the one the page always grouped by:
//   coalesce(not_sent_reason, failure_reason, 'provider_rejected' for not_sent else 'pending'). Back-filled here.
// - messages_status becomes (account_id, campaign_id, status, id): the recipients list filtered by status reads it in
//   id order (its cursor), and the unfiltered list and the CSV export merge one such ordered range per status,
//   instead of sorting the campaign's messages or walking the account's. One index replaced, none added.
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
const NEVER_SENT = `('pending', 'queued', 'not_sent')`;
const reason = (r: string) => `coalesce(${r}.not_sent_reason, ${r}.failure_reason, CASE WHEN ${r}.status = 'not_sent' THEN 'provider_rejected' ELSE 'pending' END)`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaign_not_sent')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_not_sent_pk', ['account_id', 'campaign_id', 'reason'])
    .execute();
  await sql.raw(`INSERT INTO campaign_not_sent (account_id, campaign_id, reason, count)
    SELECT m.account_id, m.campaign_id, ${reason('m')}, count(*) FROM messages m WHERE m.status IN ${NEVER_SENT}
    GROUP BY m.account_id, m.campaign_id, ${reason('m')}`).execute(db);

  await db.schema.dropIndex('messages_status').execute();
  await db.schema.createIndex('messages_status').on('messages').columns(['account_id', 'campaign_id', 'status', 'id']).execute();

  if (db.getExecutor().adapter instanceof SqliteAdapter) await sqliteTriggers(db);
  else await postgresTriggers(db);
}

/** SQLite: INSERT OR IGNORE then UPDATE (no upsert inside a trigger body), as the click rollups do. */
async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  const apply = (r: 'new' | 'old', d: 1 | -1) => `
    INSERT OR IGNORE INTO campaign_not_sent (account_id, campaign_id, reason, count) VALUES (${r}.account_id, ${r}.campaign_id, ${reason(r)}, 0);
    UPDATE campaign_not_sent SET count = count + (${d})
      WHERE account_id = ${r}.account_id AND campaign_id = ${r}.campaign_id AND reason = ${reason(r)};`;
  const never = (r: string) => `${r}.status IN ${NEVER_SENT}`;
  // Only an UPDATE that sets one of these columns can move a message in, out or between reasons (the store writes
  // only the columns that changed); `changed` skips one that sets them to the same values.
  const columns = 'status, not_sent_reason, failure_reason, campaign_id, account_id';
  const changed = `(old.status IS NOT new.status OR old.not_sent_reason IS NOT new.not_sent_reason OR old.failure_reason IS NOT new.failure_reason
    OR old.campaign_id IS NOT new.campaign_id OR old.account_id IS NOT new.account_id)`;
  const triggers: [string, string, string, string][] = [
    ['messages_not_sent_in', 'INSERT', never('new'), apply('new', 1)],
    ['messages_not_sent_out', 'DELETE', never('old'), apply('old', -1)],
    ['messages_not_sent_upd_out', `UPDATE OF ${columns}`, `${changed} AND ${never('old')}`, apply('old', -1)],
    ['messages_not_sent_upd_in', `UPDATE OF ${columns}`, `${changed} AND ${never('new')}`, apply('new', 1)],
  ];
  for (const [name, on, when, body] of triggers) {
    await sql.raw(`CREATE TRIGGER ${name} AFTER ${on} ON messages FOR EACH ROW WHEN ${when} BEGIN ${body} END`).execute(db);
  }
}

/** PostgreSQL: one row-level function, fired only by the columns that matter (`SET search_path FROM CURRENT` as 200). */
async function postgresTriggers(db: Kysely<any>): Promise<void> {
  await sql.raw(`
CREATE FUNCTION messages_not_sent_apply(r messages, d integer) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF r.status IN ${NEVER_SENT} THEN
    INSERT INTO campaign_not_sent AS n (account_id, campaign_id, reason, count) VALUES (r.account_id, r.campaign_id, ${reason('r')}, d)
      ON CONFLICT (account_id, campaign_id, reason) DO UPDATE SET count = n.count + d;
  END IF;
END $$`).execute(db);
  await sql.raw(`
CREATE FUNCTION messages_not_sent() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status AND OLD.not_sent_reason IS NOT DISTINCT FROM NEW.not_sent_reason
    AND OLD.failure_reason IS NOT DISTINCT FROM NEW.failure_reason AND OLD.campaign_id = NEW.campaign_id AND OLD.account_id = NEW.account_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM messages_not_sent_apply(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM messages_not_sent_apply(NEW, 1); END IF;
  RETURN NULL;
END $$`).execute(db);
  // WHEN clauses keep the function out of the way of the many writes that touch no never-sent message.
  const never = (r: string) => `${r}.status IN ${NEVER_SENT}`;
  await sql.raw(`CREATE TRIGGER messages_not_sent_ins AFTER INSERT ON messages FOR EACH ROW WHEN (${never('NEW')}) EXECUTE FUNCTION messages_not_sent()`).execute(db);
  await sql.raw(`CREATE TRIGGER messages_not_sent_del AFTER DELETE ON messages FOR EACH ROW WHEN (${never('OLD')}) EXECUTE FUNCTION messages_not_sent()`).execute(db);
  await sql.raw(`CREATE TRIGGER messages_not_sent_upd AFTER UPDATE OF status, not_sent_reason, failure_reason, campaign_id, account_id ON messages
    FOR EACH ROW WHEN (${never('OLD')} OR ${never('NEW')}) EXECUTE FUNCTION messages_not_sent()`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const t of ['in', 'out', 'upd_out', 'upd_in']) await sql.raw(`DROP TRIGGER IF EXISTS messages_not_sent_${t}`).execute(db);
  } else {
    for (const t of ['messages_not_sent_ins', 'messages_not_sent_del', 'messages_not_sent_upd']) await sql.raw(`DROP TRIGGER IF EXISTS ${t} ON messages`).execute(db);
    await sql.raw('DROP FUNCTION IF EXISTS messages_not_sent()').execute(db);
    await sql.raw('DROP FUNCTION IF EXISTS messages_not_sent_apply(messages, integer)').execute(db);
  }
  await db.schema.dropIndex('messages_status').execute();
  await db.schema.createIndex('messages_status').on('messages').columns(['account_id', 'campaign_id', 'status']).execute();
  await db.schema.dropTable('campaign_not_sent').ifExists().execute();
}
