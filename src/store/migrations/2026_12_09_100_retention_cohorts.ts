// Retention cohorts (issue #18): GET /v1/retention reads cohort_counts, a few hundred rows per account and channel,
// instead of grouping every contact on each request. Three tables, kept by the application in the transaction that
// writes messages and orders (src/services/cohorts.ts, from src/domain/cohorts.ts):
// - contact_months: per contact, channel and month, its messages sent (by cohort day), its messages with a first human
//   open/click/reply/scan in the month, and its messages saying it is out of reach (added to by each message change);
// - contact_cohort_marks: what each contact currently counts for in cohort_counts (its cohort, active months, buyer,
//   repeat buyer, churned, gaps between orders), so that a change of one contact moves the counts by the difference;
// - cohort_counts: the sum of the marks per (channel, cohort month, metric, month).
// Back-filled here, set-based, with the rules of today written in SQL (frozen in time: src/domain/cohorts.ts is the
// reference, and test/cohorts.equivalence.test.ts runs this back-fill against it). Months of engagements and orders
// are in the account's time zone: a table of month starts per account, made here with Intl, stands in for SQLite's
// missing zone arithmetic (the same lookup runs on PostgreSQL, so both engines give the same months).
import { sql, type Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('contact_months')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('messages', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('engaged', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('unreachable', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('contact_months_pk', ['account_id', 'contact_id', 'channel', 'month'])
    .execute();
  await db.schema.createTable('contact_cohort_marks')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('cohort_month', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_cohort_marks_pk', ['account_id', 'contact_id', 'channel', 'cohort_month', 'metric', 'month'])
    .execute();
  await db.schema.createTable('cohort_counts')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('cohort_month', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('contacts', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cohort_counts_pk', ['account_id', 'channel', 'cohort_month', 'metric', 'month'])
    .execute();
  await backfillRetentionCohorts(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['cohort_counts', 'contact_cohort_marks', 'contact_months', 'cohort_month_starts']) await db.schema.dropTable(t).ifExists().execute();
}

/** The instant (epoch ms) the month `month0` (0-based) of `year` starts in `timeZone`. */
function monthStart(year: number, month0: number, timeZone: string): number {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const offset = (t: number) => {
    const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(t / 1000) * 1000;
  };
  const local = Date.UTC(year, month0, 1);
  return local - offset(local - offset(local));
}

const FIRST_YEAR = 1990;
const LAST_YEAR = 2100;

/** The month (account's zone) of the epoch-ms expression `t` of a row whose account is `account`. */
const monthOf = (account: string, t: string) =>
  `(SELECT s.month FROM cohort_month_starts s WHERE s.account_id = ${account} AND s.starts_at <= ${t} ORDER BY s.starts_at DESC LIMIT 1)`;

const SENT = '(m.sent_at IS NOT NULL OR m.bounced_at IS NOT NULL OR m.delivered_at IS NOT NULL OR m.last_engaged_at IS NOT NULL)';
const UNREACHABLE = `(m.unsubscribed_at IS NOT NULL OR m.complained_at IS NOT NULL OR (m.bounced_at IS NOT NULL AND m.bounce_type = 'hard')
  OR m.not_sent_reason IN ('opted_out', 'invalid_recipient') OR m.failure_reason IN ('opted_out', 'invalid_recipient'))`;

/** Fills the three (empty) tables from messages, orders and contacts. Exported for the equivalence test. */
export async function backfillRetentionCohorts(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cohort_month_starts').ifExists().execute();
  await db.schema.createTable('cohort_month_starts')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cohort_month_starts_pk', ['account_id', 'starts_at'])
    .execute();
  // Only accounts with contacts (a point lookup each): the others have nothing to count.
  const accounts = (await sql<{ id: string; time_zone: string }>`SELECT a.id, a.time_zone FROM accounts a
    WHERE EXISTS (SELECT 1 FROM contacts k WHERE k.account_id = a.id)`.execute(db)).rows;
  for (const a of accounts) {
    const rows = [];
    for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
      for (let m = 0; m < 12; m++) rows.push({ account_id: a.id, starts_at: monthStart(y, m, a.time_zone), month: `${y}-${String(m + 1).padStart(2, '0')}` });
    }
    for (let i = 0; i < rows.length; i += 200) await db.insertInto('cohort_month_starts').values(rows.slice(i, i + 200)).execute();
  }
  const engagement = ['opened_at', 'clicked_at', 'replied_at', 'scanned_at'].map((col) => `
      SELECT m.account_id, m.contact_id, c.channel, m.id, ${monthOf('m.account_id', `m.${col}`)} AS month
      FROM messages m JOIN campaigns c ON c.account_id = m.account_id AND c.id = m.campaign_id
      WHERE m.contact_id IS NOT NULL AND m.${col} IS NOT NULL`).join('\n      UNION ALL');
  await sql.raw(`
    INSERT INTO contact_months (account_id, contact_id, channel, month, messages, engaged, unreachable)
    SELECT account_id, contact_id, channel, month, sum(messages), sum(engaged), sum(unreachable) FROM (
      SELECT m.account_id, m.contact_id, c.channel, substr(m.cohort_day, 1, 7) AS month,
        CASE WHEN ${SENT} THEN 1 ELSE 0 END AS messages, 0 AS engaged, CASE WHEN ${UNREACHABLE} THEN 1 ELSE 0 END AS unreachable
      FROM messages m JOIN campaigns c ON c.account_id = m.account_id AND c.id = m.campaign_id
      WHERE m.contact_id IS NOT NULL
      UNION ALL
      SELECT account_id, contact_id, channel, month, 0, 1, 0 FROM (SELECT DISTINCT account_id, contact_id, channel, id, month FROM (${engagement}) e) d
    ) x GROUP BY account_id, contact_id, channel, month`).execute(db);
  await sql.raw(`
    INSERT INTO contact_cohort_marks (account_id, contact_id, channel, cohort_month, metric, month, n)
    WITH cm AS (
      SELECT r.* FROM contact_months r WHERE EXISTS (SELECT 1 FROM contacts k WHERE k.account_id = r.account_id AND k.id = r.contact_id)
    ), rws AS (
      SELECT account_id, contact_id, channel, month, messages, engaged, unreachable FROM cm
      UNION ALL SELECT account_id, contact_id, 'all', month, messages, engaged, unreachable FROM cm
    ), coh AS (
      SELECT account_id, contact_id, channel, min(CASE WHEN messages > 0 THEN month END) AS cohort,
        max(CASE WHEN unreachable > 0 THEN 1 ELSE 0 END) AS gone
      FROM rws GROUP BY account_id, contact_id, channel
    ), k AS (
      SELECT * FROM coh WHERE cohort IS NOT NULL
    ), reach AS (
      SELECT account_id, contact_id, count(*) AS channels, sum(gone) AS gone FROM k WHERE channel <> 'all' GROUP BY account_id, contact_id
    ), ord AS (
      SELECT o.account_id, o.contact_id, o.ordered_at, ${monthOf('o.account_id', 'o.ordered_at')} AS month,
        lag(o.ordered_at) OVER (PARTITION BY o.account_id, o.contact_id ORDER BY o.ordered_at) AS prev
      FROM orders o WHERE o.contact_id IS NOT NULL AND o.cancelled_at IS NULL
    ), buy AS (
      SELECT account_id, contact_id, count(*) AS n FROM ord GROUP BY account_id, contact_id
    ), gap AS (
      SELECT account_id, contact_id, CASE WHEN (ordered_at - prev) / 86400000 > 365 THEN 365 ELSE (ordered_at - prev) / 86400000 END AS days
      FROM ord WHERE prev IS NOT NULL
    )
    SELECT account_id, contact_id, channel, cohort, 'contacts', cohort, 1 FROM k
    UNION ALL
    SELECT DISTINCT k.account_id, k.contact_id, k.channel, k.cohort, 'engaged', r.month, 1 FROM k
      JOIN rws r ON r.account_id = k.account_id AND r.contact_id = k.contact_id AND r.channel = k.channel
      WHERE r.engaged > 0 AND r.month >= k.cohort
    UNION ALL
    SELECT DISTINCT k.account_id, k.contact_id, k.channel, k.cohort, 'purchased', o.month, 1 FROM k
      JOIN ord o ON o.account_id = k.account_id AND o.contact_id = k.contact_id WHERE o.month >= k.cohort
    UNION ALL
    SELECT k.account_id, k.contact_id, k.channel, k.cohort, 'buyers', '', 1 FROM k
      JOIN buy b ON b.account_id = k.account_id AND b.contact_id = k.contact_id
    UNION ALL
    SELECT k.account_id, k.contact_id, k.channel, k.cohort, 'repeat_buyers', '', 1 FROM k
      JOIN buy b ON b.account_id = k.account_id AND b.contact_id = k.contact_id WHERE b.n >= 2
    UNION ALL
    SELECT k.account_id, k.contact_id, k.channel, k.cohort, 'order_gaps', CAST(g.days AS text), count(*) FROM k
      JOIN gap g ON g.account_id = k.account_id AND g.contact_id = k.contact_id
      GROUP BY k.account_id, k.contact_id, k.channel, k.cohort, g.days
    UNION ALL
    SELECT k.account_id, k.contact_id, k.channel, k.cohort, 'churned', '', 1 FROM k
      JOIN reach r ON r.account_id = k.account_id AND r.contact_id = k.contact_id
      WHERE (k.channel <> 'all' AND k.gone = 1) OR (k.channel = 'all' AND r.gone = r.channels)`).execute(db);
  await sql.raw(`
    INSERT INTO cohort_counts (account_id, channel, cohort_month, metric, month, contacts)
    SELECT account_id, channel, cohort_month, metric, month, sum(n) FROM contact_cohort_marks
    GROUP BY account_id, channel, cohort_month, metric, month`).execute(db);
  await db.schema.dropTable('cohort_month_starts').execute();
}
