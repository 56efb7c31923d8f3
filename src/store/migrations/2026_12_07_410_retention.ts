// Retention (issue #17): per-recipient rows older than an account's bound are dropped, while the campaign page's
// figures stay. Two things make that possible. Frozen in time: never import application code here.
//
// - rollup_holds: while a retention batch deletes old events, it holds a row here (inserted and deleted inside the
//   batch's own transaction, so no other transaction ever sees it); the rollup triggers of migration 2026_12_07_200
//   then leave "Clicks per link" and "Flagged opens and clicks" as they were instead of taking the events out.
//   On PostgreSQL the trigger also skips updates that change none of the columns the rollups read (the retention's
//   removal of user agents from `data`).
// - campaign_not_sent_dropped: the "not sent, by reason" counts of dropped messages, which the campaign page adds to
//   those it counts on the messages that remain.
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rollup_holds')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_holds_pk', ['account_id', 'id'])
    .execute();
  await db.schema
    .createTable('campaign_not_sent_dropped')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_not_sent_dropped_pk', ['account_id', 'campaign_id', 'reason'])
    .execute();

  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sqliteDeleteTriggers(db, true);
  } else {
    await postgresTrigger(db, true);
  }
}

const HELD = (r: string) => `NOT EXISTS (SELECT 1 FROM rollup_holds WHERE account_id = ${r}.account_id)`;

/** Recreates the two DELETE triggers of 2026_12_07_200 with (or without) the hold in their condition. */
async function sqliteDeleteTriggers(db: Kysely<any>, hold: boolean): Promise<void> {
  // The bodies are the ones of 2026_12_07_200, copied (a migration never imports another's code).
  const human = `
    INSERT OR IGNORE INTO campaign_link_click_messages (account_id, campaign_id, message_id, url, clicks)
      VALUES (old.account_id, old.campaign_id, old.message_id, coalesce(old.url, ''), 0);
    UPDATE campaign_link_click_messages SET clicks = clicks + (-1)
      WHERE account_id = old.account_id AND campaign_id = old.campaign_id AND message_id = old.message_id AND url = coalesce(old.url, '');
    INSERT OR IGNORE INTO campaign_link_clicks (account_id, campaign_id, url, total_clicks, unique_clicks)
      VALUES (old.account_id, old.campaign_id, coalesce(old.url, ''), 0, 0);
    UPDATE campaign_link_clicks SET total_clicks = total_clicks + (-1),
      unique_clicks = unique_clicks + (SELECT CASE WHEN clicks = 0 THEN -1 ELSE 0 END FROM campaign_link_click_messages
        WHERE account_id = old.account_id AND campaign_id = old.campaign_id AND message_id = old.message_id AND url = coalesce(old.url, ''))
      WHERE account_id = old.account_id AND campaign_id = old.campaign_id AND url = coalesce(old.url, '');`;
  const flagged = `
    INSERT OR IGNORE INTO campaign_flagged (account_id, campaign_id, type, reason, count)
      VALUES (old.account_id, old.campaign_id, old.type, coalesce(old.flag_reason, 'flagged'), 0);
    UPDATE campaign_flagged SET count = count + (-1)
      WHERE account_id = old.account_id AND campaign_id = old.campaign_id AND type = old.type AND reason = coalesce(old.flag_reason, 'flagged');`;
  const triggers: [string, string, string][] = [
    ['events_rollup_click_out', `old.type = 'clicked' AND old.machine = 0`, human],
    ['events_rollup_flag_out', `old.type IN ('opened', 'clicked', 'scanned') AND old.machine = 1`, flagged],
  ];
  for (const [name, when, body] of triggers) {
    await sql.raw(`DROP TRIGGER IF EXISTS ${name}`).execute(db);
    await sql.raw(`CREATE TRIGGER ${name} AFTER DELETE ON events FOR EACH ROW WHEN ${when}${hold ? ` AND ${HELD('old')}` : ''} BEGIN ${body} END`).execute(db);
  }
}

/** Replaces the row trigger's function of 2026_12_07_200 with one that honours holds (or the original). */
async function postgresTrigger(db: Kysely<any>, hold: boolean): Promise<void> {
  const skip = hold
    ? `
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM rollup_holds WHERE account_id = OLD.account_id) THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND (OLD.type, OLD.machine, OLD.url, OLD.flag_reason, OLD.campaign_id, OLD.message_id, OLD.account_id)
    IS NOT DISTINCT FROM (NEW.type, NEW.machine, NEW.url, NEW.flag_reason, NEW.campaign_id, NEW.message_id, NEW.account_id) THEN RETURN NULL; END IF;`
    : '';
  await sql.raw(`
CREATE OR REPLACE FUNCTION events_rollup() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN${skip}
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM events_rollup_apply(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM events_rollup_apply(NEW, 1); END IF;
  RETURN NULL;
END $$`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) await sqliteDeleteTriggers(db, false);
  else await postgresTrigger(db, false);
  await db.schema.dropTable('campaign_not_sent_dropped').ifExists().execute();
  await db.schema.dropTable('rollup_holds').ifExists().execute();
}
