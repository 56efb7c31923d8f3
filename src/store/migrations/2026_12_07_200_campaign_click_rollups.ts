// Per-campaign rollups of the event log for the campaign page ("Clicks per link", "Flagged opens and clicks"), so that
// reading a campaign no longer scans its whole event log (issue #25). Kept by triggers on `events`, so that every
// write path (ingestion worker, direct PostgreSQL path, tracking clicks and opens, the sweep's re-flag) updates them in
// the same statement as the event, and a duplicate ignored by the log's primary key (INSERT OR IGNORE / ON CONFLICT DO
// NOTHING) fires nothing. Back-filled here from the events already stored. Frozen in time: imports no app code.
//
// - campaign_link_click_messages: per (message, url), its human clicks: the first-click marker behind unique clicks
//   (a message counts once per url while it has at least one human click there; a re-flag to machine can take it out).
// - campaign_link_clicks: per (campaign, url), total human clicks and unique clicking messages.
// - campaign_flagged: per (campaign, event type, reason), machine-flagged opens, clicks and scans.
// A NULL url is counted under '' (the page shows it as '').
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaign_link_click_messages')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('clicks', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_link_click_messages_pk', ['account_id', 'campaign_id', 'message_id', 'url'])
    .execute();
  await db.schema
    .createTable('campaign_link_clicks')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('total_clicks', 'bigint', (c) => c.notNull())
    .addColumn('unique_clicks', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_link_clicks_pk', ['account_id', 'campaign_id', 'url'])
    .execute();
  await db.schema
    .createTable('campaign_flagged')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_flagged_pk', ['account_id', 'campaign_id', 'type', 'reason'])
    .execute();

  // Back-fill from the stored log.
  await sql`INSERT INTO campaign_link_click_messages (account_id, campaign_id, message_id, url, clicks)
    SELECT account_id, campaign_id, message_id, coalesce(url, ''), count(*) FROM events
    WHERE type = 'clicked' AND machine = 0 GROUP BY account_id, campaign_id, message_id, coalesce(url, '')`.execute(db);
  await sql`INSERT INTO campaign_link_clicks (account_id, campaign_id, url, total_clicks, unique_clicks)
    SELECT account_id, campaign_id, url, sum(clicks), count(*) FROM campaign_link_click_messages
    GROUP BY account_id, campaign_id, url`.execute(db);
  await sql`INSERT INTO campaign_flagged (account_id, campaign_id, type, reason, count)
    SELECT account_id, campaign_id, type, coalesce(flag_reason, 'flagged'), count(*) FROM events
    WHERE type IN ('opened', 'clicked', 'scanned') AND machine = 1
    GROUP BY account_id, campaign_id, type, coalesce(flag_reason, 'flagged')`.execute(db);

  if (db.getExecutor().adapter instanceof SqliteAdapter) await sqliteTriggers(db);
  else await postgresTriggers(db);
}

/** SQLite: no variables in a trigger, so each step reads the marker the step before left. */
async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  // `r` is the row (new or old), `d` is +1 (add) or -1 (remove).
  const human = (r: 'new' | 'old', d: 1 | -1) => `
    INSERT OR IGNORE INTO campaign_link_click_messages (account_id, campaign_id, message_id, url, clicks)
      VALUES (${r}.account_id, ${r}.campaign_id, ${r}.message_id, coalesce(${r}.url, ''), 0);
    UPDATE campaign_link_click_messages SET clicks = clicks + (${d})
      WHERE account_id = ${r}.account_id AND campaign_id = ${r}.campaign_id AND message_id = ${r}.message_id AND url = coalesce(${r}.url, '');
    INSERT OR IGNORE INTO campaign_link_clicks (account_id, campaign_id, url, total_clicks, unique_clicks)
      VALUES (${r}.account_id, ${r}.campaign_id, coalesce(${r}.url, ''), 0, 0);
    UPDATE campaign_link_clicks SET total_clicks = total_clicks + (${d}),
      unique_clicks = unique_clicks + (SELECT CASE WHEN clicks = ${d === 1 ? 1 : 0} THEN ${d} ELSE 0 END FROM campaign_link_click_messages
        WHERE account_id = ${r}.account_id AND campaign_id = ${r}.campaign_id AND message_id = ${r}.message_id AND url = coalesce(${r}.url, ''))
      WHERE account_id = ${r}.account_id AND campaign_id = ${r}.campaign_id AND url = coalesce(${r}.url, '');`;
  const flagged = (r: 'new' | 'old', d: 1 | -1) => `
    INSERT OR IGNORE INTO campaign_flagged (account_id, campaign_id, type, reason, count)
      VALUES (${r}.account_id, ${r}.campaign_id, ${r}.type, coalesce(${r}.flag_reason, 'flagged'), 0);
    UPDATE campaign_flagged SET count = count + (${d})
      WHERE account_id = ${r}.account_id AND campaign_id = ${r}.campaign_id AND type = ${r}.type AND reason = coalesce(${r}.flag_reason, 'flagged');`;
  const isHuman = (r: string) => `${r}.type = 'clicked' AND ${r}.machine = 0`;
  const isFlagged = (r: string) => `${r}.type IN ('opened', 'clicked', 'scanned') AND ${r}.machine = 1`;
  const changed = `(old.type IS NOT new.type OR old.machine IS NOT new.machine OR old.url IS NOT new.url OR old.flag_reason IS NOT new.flag_reason
    OR old.campaign_id IS NOT new.campaign_id OR old.message_id IS NOT new.message_id OR old.account_id IS NOT new.account_id)`;
  const triggers: [string, string, string, string][] = [
    ['events_rollup_click_in', 'INSERT', isHuman('new'), human('new', 1)],
    ['events_rollup_flag_in', 'INSERT', isFlagged('new'), flagged('new', 1)],
    ['events_rollup_click_out', 'DELETE', isHuman('old'), human('old', -1)],
    ['events_rollup_flag_out', 'DELETE', isFlagged('old'), flagged('old', -1)],
    // An update (the sweep's re-flag of clicks to machine) takes the old row out and puts the new one in.
    ['events_rollup_click_upd_out', 'UPDATE', `${changed} AND ${isHuman('old')}`, human('old', -1)],
    ['events_rollup_flag_upd_out', 'UPDATE', `${changed} AND ${isFlagged('old')}`, flagged('old', -1)],
    ['events_rollup_click_upd_in', 'UPDATE', `${changed} AND ${isHuman('new')}`, human('new', 1)],
    ['events_rollup_flag_upd_in', 'UPDATE', `${changed} AND ${isFlagged('new')}`, flagged('new', 1)],
  ];
  // SQLite does not promise an order between the triggers of one update; the out and in of one row touch different
  // keys, or (only the flag reason changed) commute: out then in, or in then out, leaves the same counts.
  for (const [name, on, when, body] of triggers) {
    await sql.raw(`CREATE TRIGGER ${name} AFTER ${on} ON events FOR EACH ROW WHEN ${when} BEGIN ${body} END`).execute(db);
  }
}

/** PostgreSQL: one row-level function; `SET search_path FROM CURRENT` keeps it on the schema it was created in. */
async function postgresTriggers(db: Kysely<any>): Promise<void> {
  await sql.raw(`
CREATE FUNCTION events_rollup_apply(r events, d integer) RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE n bigint;
BEGIN
  IF r.type = 'clicked' AND r.machine = 0 THEN
    INSERT INTO campaign_link_click_messages AS m (account_id, campaign_id, message_id, url, clicks)
      VALUES (r.account_id, r.campaign_id, r.message_id, coalesce(r.url, ''), d)
      ON CONFLICT (account_id, campaign_id, message_id, url) DO UPDATE SET clicks = m.clicks + d
      RETURNING clicks INTO n;
    INSERT INTO campaign_link_clicks AS l (account_id, campaign_id, url, total_clicks, unique_clicks)
      VALUES (r.account_id, r.campaign_id, coalesce(r.url, ''), d,
        CASE WHEN d = 1 AND n = 1 THEN 1 WHEN d = -1 AND n = 0 THEN -1 ELSE 0 END)
      ON CONFLICT (account_id, campaign_id, url) DO UPDATE SET total_clicks = l.total_clicks + excluded.total_clicks,
        unique_clicks = l.unique_clicks + excluded.unique_clicks;
  ELSIF r.type IN ('opened', 'clicked', 'scanned') AND r.machine = 1 THEN
    INSERT INTO campaign_flagged AS f (account_id, campaign_id, type, reason, count)
      VALUES (r.account_id, r.campaign_id, r.type, coalesce(r.flag_reason, 'flagged'), d)
      ON CONFLICT (account_id, campaign_id, type, reason) DO UPDATE SET count = f.count + d;
  END IF;
END $$`).execute(db);
  await sql.raw(`
CREATE FUNCTION events_rollup() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM events_rollup_apply(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM events_rollup_apply(NEW, 1); END IF;
  RETURN NULL;
END $$`).execute(db);
  await sql.raw(`CREATE TRIGGER events_rollup AFTER INSERT OR UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_rollup()`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const t of ['click_in', 'flag_in', 'click_out', 'flag_out', 'click_upd_out', 'flag_upd_out', 'click_upd_in', 'flag_upd_in']) {
      await sql.raw(`DROP TRIGGER IF EXISTS events_rollup_${t}`).execute(db);
    }
  } else {
    await sql.raw('DROP TRIGGER IF EXISTS events_rollup ON events').execute(db);
    await sql.raw('DROP FUNCTION IF EXISTS events_rollup()').execute(db);
    await sql.raw('DROP FUNCTION IF EXISTS events_rollup_apply(events, integer)').execute(db);
  }
  for (const t of ['campaign_flagged', 'campaign_link_clicks', 'campaign_link_click_messages']) await db.schema.dropTable(t).ifExists().execute();
}
