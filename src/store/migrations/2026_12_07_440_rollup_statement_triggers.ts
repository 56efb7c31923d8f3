// PostgreSQL: the campaign page's rollups of the event log (2026_12_07_200) kept by statement-level triggers over
// transition tables instead of a plpgsql function per row. A batch of 500 API events ran the per-row function 500 times
// (two upserts per human click, one per flagged event, a function call for every other event): 36 of the INSERT's 59 ms
// (EXPLAIN ANALYZE, `npm run bench:pg-ingest`; 20 ms with these, on a loaded machine), a tenth to a fifth of the whole
// batch. Not the largest cost of a batch, but the one in the hot rows' lock. Now each statement adds its rows' deltas, grouped by key,
// in two upserts in key order (so two transactions take the rollup rows' locks in the same order). The figures are the
// same: per (message, url) the clicks move by the summed delta, and a message counts once for its url while it has at
// least one human click there, so unique clicks move by (after > 0) - (before > 0). SQLite keeps its row triggers.
// An update that changes no rolled-up column (retention clearing user agents) nets to zero and writes nothing; a delete
// under a retention hold (2026_12_07_410_retention) leaves the rollups as they were. Frozen in time: imports no app code.
import { sql, SqliteAdapter, type Kysely } from 'kysely';

/** The set-based body: `src` is a query of (account_id, campaign_id, message_id, type, machine, url, flag_reason, d). */
function body(src: string): string {
  return `
  WITH src AS (${src}),
  clicks AS (
    SELECT account_id, campaign_id, message_id, coalesce(url, '') AS url, sum(d)::bigint AS d FROM src
    WHERE type = 'clicked' AND machine = 0 GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0
  ),
  marked AS (
    INSERT INTO campaign_link_click_messages AS m (account_id, campaign_id, message_id, url, clicks)
      SELECT account_id, campaign_id, message_id, url, d FROM clicks ORDER BY 1, 2, 3, 4
      ON CONFLICT (account_id, campaign_id, message_id, url) DO UPDATE SET clicks = m.clicks + excluded.clicks
      RETURNING m.account_id, m.campaign_id, m.message_id, m.url, m.clicks
  )
  INSERT INTO campaign_link_clicks AS l (account_id, campaign_id, url, total_clicks, unique_clicks)
    SELECT k.account_id, k.campaign_id, k.url, sum(c.d), sum((k.clicks > 0)::int - (k.clicks - c.d > 0)::int)
    FROM marked k JOIN clicks c USING (account_id, campaign_id, message_id, url)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (account_id, campaign_id, url) DO UPDATE SET total_clicks = l.total_clicks + excluded.total_clicks,
      unique_clicks = l.unique_clicks + excluded.unique_clicks;
  WITH src AS (${src})
  INSERT INTO campaign_flagged AS f (account_id, campaign_id, type, reason, count)
    SELECT account_id, campaign_id, type, coalesce(flag_reason, 'flagged'), sum(d) FROM src
    WHERE type IN ('opened', 'clicked', 'scanned') AND machine = 1
    GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (account_id, campaign_id, type, reason) DO UPDATE SET count = f.count + excluded.count;`;
}

const COLUMNS = 'account_id, campaign_id, message_id, type, machine, url, flag_reason';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  await sql.raw('DROP TRIGGER IF EXISTS events_rollup ON events').execute(db);
  await sql.raw('DROP FUNCTION IF EXISTS events_rollup()').execute(db);
  await sql.raw('DROP FUNCTION IF EXISTS events_rollup_apply(events, integer)').execute(db);
  const fns: [string, string, string][] = [
    ['events_rollup_insert', 'INSERT', `SELECT ${COLUMNS}, 1 AS d FROM new_rows`],
    // Retention deletes old events under a hold (2026_12_07_410_retention): their rollups stay as they were.
    ['events_rollup_delete', 'DELETE', `SELECT ${COLUMNS}, -1 AS d FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM rollup_holds h WHERE h.account_id = o.account_id)`],
    // An update (the sweep's re-flag of clicks to machine) takes the old rows out and puts the new ones in.
    ['events_rollup_update', 'UPDATE', `SELECT ${COLUMNS}, -1 AS d FROM old_rows UNION ALL SELECT ${COLUMNS}, 1 AS d FROM new_rows`],
  ];
  for (const [name, on, src] of fns) {
    const first = on === 'DELETE' ? 'old_rows' : 'new_rows';
    await sql.raw(`
CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${first}) THEN RETURN NULL; END IF;
  ${body(src)}
  RETURN NULL;
END $$`).execute(db);
    const tables = on === 'INSERT' ? 'NEW TABLE AS new_rows' : on === 'DELETE' ? 'OLD TABLE AS old_rows' : 'OLD TABLE AS old_rows NEW TABLE AS new_rows';
    await sql.raw(`CREATE TRIGGER ${name} AFTER ${on} ON events REFERENCING ${tables} FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) return;
  for (const name of ['events_rollup_insert', 'events_rollup_delete', 'events_rollup_update']) {
    await sql.raw(`DROP TRIGGER IF EXISTS ${name} ON events`).execute(db);
    await sql.raw(`DROP FUNCTION IF EXISTS ${name}()`).execute(db);
  }
  // The row-level trigger of 2026_12_07_200, as 2026_12_07_410_retention left it (honouring retention's holds).
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
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM rollup_holds WHERE account_id = OLD.account_id) THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND (OLD.type, OLD.machine, OLD.url, OLD.flag_reason, OLD.campaign_id, OLD.message_id, OLD.account_id)
    IS NOT DISTINCT FROM (NEW.type, NEW.machine, NEW.url, NEW.flag_reason, NEW.campaign_id, NEW.message_id, NEW.account_id) THEN RETURN NULL; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM events_rollup_apply(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM events_rollup_apply(NEW, 1); END IF;
  RETURN NULL;
END $$`).execute(db);
  await sql.raw('CREATE TRIGGER events_rollup AFTER INSERT OR UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_rollup()').execute(db);
}
