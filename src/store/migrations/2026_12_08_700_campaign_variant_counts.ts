// Read paths at scale (issue #20): the campaign page's A/B variants without walking the campaign's messages.
// campaign_variant_counts holds, per (campaign, variant), the counts of the variant's messages (the columns of
// campaign_days, plus `delivered_clicked`: delivered messages with a click, the click-rate test's numerator). The
// application keeps it in the same statements' transaction as campaign_days (src/services/ingest.ts, from the domain's
// variantCounts), so no trigger has to repeat the message rules; like campaign_days, retention dropping old messages
// leaves it as it was. Only messages with a variant have a row: a campaign without an A/B test costs nothing.
//
// Back-filled here from the messages that have a variant, with the message rules of today written in SQL (frozen in
// time, as a migration must be: src/domain/message.ts messageCounts is the reference, and
// test/rollups.equivalence.test.ts re-runs this back-fill against it). The partial index messages_variant
// (2026_12_07_201), read only to ask whether a campaign had variant messages, is dropped: the rollup answers that.
import { sql, type Kysely } from 'kysely';

const FIELDS = [
  'audience', 'sent', 'delivered', 'undelivered', 'bounced_soft', 'bounced_hard', 'opened', 'total_opens',
  'machine_opens', 'clicked', 'total_clicks', 'bot_clicks', 'replied', 'leads', 'unsubscribed', 'complained',
  'scanners', 'total_scans', 'spend_minor', 'delivered_clicked',
] as const;

// The message rules (src/domain/message.ts, 8 December 2026) over a row `m` of messages and its campaign's channel.
const later = (a: string, b: string) => `CASE WHEN ${a} IS NULL THEN ${b} WHEN ${b} IS NULL THEN ${a} WHEN ${a} > ${b} THEN ${a} ELSE ${b} END`;
const evidence = later('m.delivered_at', 'm.last_engaged_at');
const failure = later('m.failed_at', 'm.bounced_at');
const sent = '(m.sent_at IS NOT NULL OR m.bounced_at IS NOT NULL OR m.delivered_at IS NOT NULL OR m.last_engaged_at IS NOT NULL)';
const endsInFailure = `(${sent} AND (${failure}) IS NOT NULL AND ((${evidence}) IS NULL OR (${failure}) >= (${evidence})))`;
const human = '(m.opened_at IS NOT NULL OR m.clicked_at IS NOT NULL OR m.scanned_at IS NOT NULL OR m.replied_at IS NOT NULL)';
const failed = `(${endsInFailure} AND NOT ${human})`;
const delivered = `(${sent} AND NOT ${failed} AND (c.channel = 'mail' OR (${evidence}) IS NOT NULL))`;
const bounce = `(${endsInFailure} AND m.bounced_at IS NOT NULL AND m.bounced_at >= coalesce(m.failed_at, m.bounced_at))`;
const one = (cond: string) => `CASE WHEN ${cond} THEN 1 ELSE 0 END`;
const EXPRESSIONS: Record<(typeof FIELDS)[number], string> = {
  audience: '1',
  sent: one(sent),
  delivered: one(delivered),
  undelivered: one(`${sent} AND ${failed}`),
  bounced_soft: one(`${bounce} AND (m.bounce_type IS NULL OR m.bounce_type <> 'hard')`),
  bounced_hard: one(`${bounce} AND m.bounce_type = 'hard'`),
  opened: one(`${delivered} AND m.opens > 0`),
  total_opens: 'm.opens',
  machine_opens: 'm.machine_opens',
  clicked: one('m.clicks > 0'),
  total_clicks: 'm.clicks',
  bot_clicks: 'm.bot_clicks',
  replied: one('m.replies > 0'),
  leads: one('m.replies > 0 OR m.lead_at IS NOT NULL'),
  unsubscribed: one(`${sent} AND m.unsubscribed_at IS NOT NULL`),
  complained: one('m.complained_at IS NOT NULL'),
  scanners: one('m.scans > 0'),
  total_scans: 'm.scans',
  spend_minor: `CASE WHEN m.cost_state = 'committed' THEN coalesce(m.cost_minor, 0) ELSE 0 END`,
  delivered_clicked: one(`${delivered} AND m.clicks > 0`),
};

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  let t = db.schema
    .createTable('campaign_variant_counts')
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('variant', 'text', (c) => c.notNull())
    // The variant's first message id: a variant sent without being declared is listed in the order it first appeared.
    .addColumn('first_message', 'text', (c) => c.notNull());
  for (const f of FIELDS) t = t.addColumn(f, 'bigint', (c) => c.notNull().defaultTo(0));
  await t.addPrimaryKeyConstraint('campaign_variant_counts_pk', ['account_id', 'campaign_id', 'variant']).execute();
  await sql.raw(`INSERT INTO campaign_variant_counts (account_id, campaign_id, variant, first_message, ${FIELDS.join(', ')})
    SELECT m.account_id, m.campaign_id, m.variant, min(m.id), ${FIELDS.map((f) => `sum(${EXPRESSIONS[f]})`).join(', ')}
    FROM messages m JOIN campaigns c ON c.account_id = m.account_id AND c.id = m.campaign_id
    WHERE m.variant IS NOT NULL
    GROUP BY m.account_id, m.campaign_id, m.variant`).execute(db);
  await db.schema.dropIndex('messages_variant').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('messages_variant').on('messages').columns(['account_id', 'campaign_id', 'variant']).where(sql.ref('variant'), 'is not', null).execute();
  await db.schema.dropTable('campaign_variant_counts').ifExists().execute();
}
