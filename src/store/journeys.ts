// SQL for journeys, their steps and campaigns, goals and their snapshots, holdout groups and A/B variants, and the
// reads that join messages to orders and attributions for true lift, variants and segment goals.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB, MessageRow } from './schema';
import { COUNT_FIELDS, VARIANT_FIELDS, zeroCounts, type MessageCounts, type VariantCounts } from '../domain/message';

type Handle = Kysely<DB> | Transaction<DB>;
const CHUNK = 900;

export interface JourneyRow {
  account_id: string;
  id: string;
  name: string;
  status: string;
  started_at: number;
  created_at: number;
  updated_at: number;
}
export interface JourneyStepRow {
  account_id: string;
  id: string;
  journey_id: string;
  position: number;
  name: string;
  channel: string;
  delay_minutes: number;
}
export interface JourneyCampaignRow {
  account_id: string;
  campaign_id: string;
  journey_id: string;
  step_id: string;
  linked_at: number;
}
export interface GoalRow {
  account_id: string;
  id: string;
  owner_kind: 'campaign' | 'journey';
  owner_id: string;
  name: string;
  kind: 'target' | 'segment';
  metric: string | null;
  comparator: string | null;
  target: number;
  segment_definition: string | null;
  created_at: number;
}
export interface GoalSnapshotRow {
  account_id: string;
  goal_id: string;
  day: string;
  value: number | null;
  progress: number | null;
  achieved: number;
  computed_at: number;
}
export interface HoldoutSettingRow {
  account_id: string;
  owner_kind: 'campaign' | 'journey';
  owner_id: string;
  share: number;
  updated_at: number;
}
export interface HoldoutMemberRow {
  account_id: string;
  campaign_id: string;
  contact_id: string;
  recipient: string;
  assigned_at: number;
}
export interface CampaignVariantRow {
  account_id: string;
  campaign_id: string;
  id: string;
  name: string;
  template: string;
  split: number;
  is_control: number;
  position: number;
  created_at: number;
}

declare module './schema' {
  interface DB {
    journeys: JourneyRow;
    journey_steps: JourneyStepRow;
    journey_campaigns: JourneyCampaignRow;
    goals: GoalRow;
    goal_snapshots: GoalSnapshotRow;
    holdout_settings: HoldoutSettingRow;
    holdout_members: HoldoutMemberRow;
    campaign_variants: CampaignVariantRow;
  }
}

/**
 * The columns of the orders and attribution tables these reads use (their owner, src/store/orders.ts, declares the
 * full rows); kept apart from DB so the two declarations never have to agree on every column.
 */
interface OrderReads {
  messages: MessageRow;
  holdout_members: HoldoutMemberRow;
  orders: { account_id: string; id: string; contact_id: string | null; ordered_at: number; revenue_minor: number; revenue_currency: string; cancelled_at: number | null };
  attributions: { account_id: string; order_id: string; model: string; campaign_id: string; message_id: string | null; revenue_minor: number; currency: string };
}
const reads = (h: Handle) => h as unknown as Kysely<OrderReads>;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------- journeys and steps

export async function insertJourney(h: Handle, row: JourneyRow): Promise<void> {
  await h.insertInto('journeys').values(row).execute();
}
export async function getJourney(h: Handle, accountId: string, id: string): Promise<JourneyRow | undefined> {
  return h.selectFrom('journeys').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst();
}
export async function listJourneyRows(h: Handle, accountId: string): Promise<JourneyRow[]> {
  return h.selectFrom('journeys').selectAll().where('account_id', '=', accountId).orderBy('started_at', 'desc').orderBy('id').execute();
}
export async function updateJourney(h: Handle, accountId: string, id: string, patch: Partial<JourneyRow>): Promise<void> {
  await h.updateTable('journeys').set(patch).where('account_id', '=', accountId).where('id', '=', id).execute();
}

export async function insertSteps(h: Handle, rows: JourneyStepRow[]): Promise<void> {
  if (rows.length) await h.insertInto('journey_steps').values(rows).execute();
}
/** Steps of the given journeys (all of the account's when `journeyIds` is omitted), in journey then position order. */
export async function listSteps(h: Handle, accountId: string, journeyIds?: string[]): Promise<JourneyStepRow[]> {
  let q = h.selectFrom('journey_steps').selectAll().where('account_id', '=', accountId);
  if (journeyIds) {
    if (journeyIds.length === 0) return [];
    q = q.where('journey_id', 'in', journeyIds);
  }
  return q.orderBy('journey_id').orderBy('position').execute();
}
export async function maxStepPosition(h: Handle, accountId: string, journeyId: string): Promise<number> {
  const r = await h
    .selectFrom('journey_steps')
    .select(sql<number>`coalesce(max(position), 0)`.as('p'))
    .where('account_id', '=', accountId)
    .where('journey_id', '=', journeyId)
    .executeTakeFirst();
  return Number(r?.p ?? 0);
}

export async function insertJourneyCampaigns(h: Handle, rows: JourneyCampaignRow[]): Promise<void> {
  for (const part of chunks(rows, 200)) await h.insertInto('journey_campaigns').values(part).execute();
}
/** Links of the given journeys (all of the account's when omitted). */
export async function listJourneyCampaigns(h: Handle, accountId: string, journeyIds?: string[]): Promise<JourneyCampaignRow[]> {
  let q = h.selectFrom('journey_campaigns').selectAll().where('account_id', '=', accountId);
  if (journeyIds) {
    if (journeyIds.length === 0) return [];
    q = q.where('journey_id', 'in', journeyIds);
  }
  return q.execute();
}
export async function findCampaignLinks(h: Handle, accountId: string, campaignIds: string[]): Promise<JourneyCampaignRow[]> {
  const out: JourneyCampaignRow[] = [];
  for (const part of chunks([...new Set(campaignIds)])) {
    out.push(...(await h.selectFrom('journey_campaigns').selectAll().where('account_id', '=', accountId).where('campaign_id', 'in', part).execute()));
  }
  return out;
}

/** Counts per campaign of the messages whose cohort day is within [from, to]. */
export async function sumCampaignDaysOf(h: Handle, accountId: string, campaignIds: string[], from: string, to: string): Promise<Map<string, MessageCounts>> {
  const out = new Map<string, MessageCounts>();
  for (const part of chunks([...new Set(campaignIds)])) {
    const rows = await h
      .selectFrom('campaign_days')
      .select(['campaign_id', ...COUNT_FIELDS.map((f) => sql<number>`coalesce(sum(${sql.ref(f)}), 0)`.as(f))])
      .where('account_id', '=', accountId)
      .where('campaign_id', 'in', part)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .groupBy('campaign_id')
      .execute();
    for (const r of rows) {
      const c = zeroCounts();
      for (const f of COUNT_FIELDS) c[f] = Number((r as unknown as Record<string, unknown>)[f] ?? 0);
      out.set(r.campaign_id, c);
    }
  }
  return out;
}

/** One page of the messages of some campaigns (a journey step's recipients), by message id; cohort days within [from, to]. */
export async function listMessagesOfCampaigns(
  h: Handle,
  accountId: string,
  campaignIds: string[],
  f: { from?: string; to?: string; after?: string; limit: number },
): Promise<MessageRow[]> {
  if (campaignIds.length === 0) return [];
  let q = h.selectFrom('messages').selectAll().where('account_id', '=', accountId).where('campaign_id', 'in', campaignIds);
  if (f.from) q = q.where('cohort_day', '>=', f.from);
  if (f.to) q = q.where('cohort_day', '<=', f.to);
  if (f.after) q = q.where('id', '>', f.after);
  return q.orderBy('id').limit(f.limit).execute();
}

/** Contact ids of the messages of some campaigns (the audience a goal is about). */
export async function listAudienceContacts(h: Handle, accountId: string, campaignIds: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const part of chunks([...new Set(campaignIds)])) {
    const rows = await h
      .selectFrom('messages')
      .select('contact_id')
      .distinct()
      .where('account_id', '=', accountId)
      .where('campaign_id', 'in', part)
      .where('contact_id', 'is not', null)
      .execute();
    for (const r of rows) out.add(r.contact_id!);
  }
  return [...out];
}

// ---------------------------------------------------------------- goals

export async function insertGoal(h: Handle, row: GoalRow): Promise<void> {
  await h.insertInto('goals').values(row).execute();
}
/** Deletes a goal and its daily snapshots; false when the account has no goal with this id. */
export async function deleteGoal(h: Handle, accountId: string, goalId: string): Promise<boolean> {
  await h.deleteFrom('goal_snapshots').where('account_id', '=', accountId).where('goal_id', '=', goalId).execute();
  const r = await h.deleteFrom('goals').where('account_id', '=', accountId).where('id', '=', goalId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
export async function listGoalRows(h: Handle, accountId: string, owner?: { kind: 'campaign' | 'journey'; id: string }): Promise<GoalRow[]> {
  let q = h.selectFrom('goals').selectAll().where('account_id', '=', accountId);
  if (owner) q = q.where('owner_kind', '=', owner.kind).where('owner_id', '=', owner.id);
  return q.orderBy('created_at').orderBy('id').execute();
}
/** Accounts that have at least one goal (for the daily evaluation). */
export async function listAccountsWithGoals(h: Handle): Promise<string[]> {
  const rows = await h.selectFrom('goals').select('account_id').distinct().execute();
  return rows.map((r) => r.account_id);
}
export async function upsertGoalSnapshots(h: Handle, rows: GoalSnapshotRow[]): Promise<void> {
  for (const part of chunks(rows, 200)) {
    await h
      .insertInto('goal_snapshots')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['account_id', 'goal_id', 'day']).doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          progress: eb.ref('excluded.progress'),
          achieved: eb.ref('excluded.achieved'),
          computed_at: eb.ref('excluded.computed_at'),
        })),
      )
      .execute();
  }
}
export async function listGoalSnapshots(h: Handle, accountId: string, goalIds: string[]): Promise<GoalSnapshotRow[]> {
  const out: GoalSnapshotRow[] = [];
  for (const part of chunks([...new Set(goalIds)])) {
    out.push(...(await h.selectFrom('goal_snapshots').selectAll().where('account_id', '=', accountId).where('goal_id', 'in', part).orderBy('day').execute()));
  }
  return out;
}

// ---------------------------------------------------------------- holdout

export async function upsertHoldoutSetting(h: Handle, row: HoldoutSettingRow): Promise<void> {
  await h
    .insertInto('holdout_settings')
    .values(row)
    .onConflict((oc) => oc.columns(['account_id', 'owner_kind', 'owner_id']).doUpdateSet((eb) => ({ share: eb.ref('excluded.share'), updated_at: eb.ref('excluded.updated_at') })))
    .execute();
}
export async function getHoldoutSetting(h: Handle, accountId: string, kind: 'campaign' | 'journey', ownerId: string): Promise<HoldoutSettingRow | undefined> {
  return h
    .selectFrom('holdout_settings')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('owner_kind', '=', kind)
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
}

/** The holdout settings of some owners of one kind (the campaigns of a journey that have their own). */
export async function listHoldoutSettings(h: Handle, accountId: string, kind: 'campaign' | 'journey', ownerIds: string[]): Promise<HoldoutSettingRow[]> {
  const out: HoldoutSettingRow[] = [];
  for (const part of chunks([...new Set(ownerIds)])) {
    out.push(...(await h.selectFrom('holdout_settings').selectAll().where('account_id', '=', accountId).where('owner_kind', '=', kind).where('owner_id', 'in', part).execute()));
  }
  return out;
}

/** Adds held-out contacts; one already held out keeps its first assignment. */
export async function insertHoldoutMembers(h: Handle, rows: HoldoutMemberRow[]): Promise<void> {
  for (const part of chunks(rows, 200)) {
    await h.insertInto('holdout_members').values(part).onConflict((oc) => oc.columns(['account_id', 'campaign_id', 'contact_id']).doNothing()).execute();
  }
}
export async function findHoldoutMembers(h: Handle, accountId: string, campaignId: string, contactIds: string[]): Promise<HoldoutMemberRow[]> {
  const out: HoldoutMemberRow[] = [];
  for (const part of chunks([...new Set(contactIds)])) {
    out.push(
      ...(await h
        .selectFrom('holdout_members')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('campaign_id', '=', campaignId)
        .where('contact_id', 'in', part)
        .execute()),
    );
  }
  return out;
}

/** Whether any audience (message or held-out contact) has been assigned for these campaigns. */
export async function hasAssignedAudience(h: Handle, accountId: string, campaignIds: string[]): Promise<boolean> {
  if (campaignIds.length === 0) return false;
  const m = await h.selectFrom('messages').select('id').where('account_id', '=', accountId).where('campaign_id', 'in', campaignIds).limit(1).executeTakeFirst();
  if (m) return true;
  const hm = await h.selectFrom('holdout_members').select('contact_id').where('account_id', '=', accountId).where('campaign_id', 'in', campaignIds).limit(1).executeTakeFirst();
  return hm !== undefined;
}

/**
 * Who is compared for a true lift. `treated`: the messages of the campaigns; `holdout`: the contacts held out of
 * them. `per: 'message'` makes each message a member (a campaign's audience, as its figures count it);
 * `per: 'contact'` makes each contact one member across all the campaigns (a journey), starting at its first message
 * or first assignment (a message without a contact stays a member of its own).
 */
export interface LiftGroup {
  group: 'treated' | 'holdout';
  campaignIds: string[];
  per: 'message' | 'contact';
}

/**
 * Each member of a group with the orders of its contact placed in [start, start + windowMs]: `start` is the
 * message's registration (treated) or the assignment time (held out), the earliest one for a member of several
 * rows. One row per member; members without any order in the window have orders = 0 and revenue = 0. Cancelled
 * orders (and orders of no revenue) are not purchases; revenue in another currency than the account's (no rate to
 * convert it) is left out, as everywhere.
 */
export async function listGroupOutcomes(
  h: Handle,
  accountId: string,
  g: LiftGroup,
  windowMs: number,
  currency: string,
): Promise<{ member: string; orders: number; revenue: number }[]> {
  if (g.campaignIds.length === 0) return [];
  const ids = [...new Set(g.campaignIds)];
  const members =
    g.group === 'holdout'
      ? reads(h)
          .selectFrom('holdout_members as m')
          .select(['m.contact_id as member', sql<string | null>`m.contact_id`.as('contact_id'), sql<number>`min(m.assigned_at)`.as('start')])
          .where('m.account_id', '=', accountId)
          .where('m.campaign_id', 'in', ids)
          .groupBy('m.contact_id')
      : g.per === 'message'
        ? reads(h)
            .selectFrom('messages as m')
            .select(['m.id as member', sql<string | null>`m.contact_id`.as('contact_id'), sql<number>`m.registered_at`.as('start')])
            .where('m.account_id', '=', accountId)
            .where('m.campaign_id', 'in', ids)
        : reads(h)
            .selectFrom('messages as m')
            .select([sql<string>`coalesce(m.contact_id, m.id)`.as('member'), sql<string | null>`max(m.contact_id)`.as('contact_id'), sql<number>`min(m.registered_at)`.as('start')])
            .where('m.account_id', '=', accountId)
            .where('m.campaign_id', 'in', ids)
            .groupBy(sql`coalesce(m.contact_id, m.id)`);
  const rows = await reads(h)
    .selectFrom(members.as('g'))
    .leftJoin('orders as o', (j) =>
      j
        .on('o.account_id', '=', accountId)
        .onRef('o.contact_id', '=', 'g.contact_id')
        .onRef('o.ordered_at', '>=', 'g.start')
        .on('o.ordered_at', '<=', sql<number>`g.start + ${windowMs}`)
        .on('o.cancelled_at', 'is', null)
        .on('o.revenue_minor', '>', 0)
        .on('o.revenue_currency', '=', currency),
    )
    .select(['g.member', sql<number>`count(o.id)`.as('orders'), sql<number>`coalesce(sum(o.revenue_minor), 0)`.as('revenue')])
    .groupBy('g.member')
    .execute();
  return rows.map((r) => ({ member: String(r.member), orders: Number(r.orders), revenue: Number(r.revenue) }));
}

/**
 * listGroupOutcomes of a treated group per message, in two reads that never walk the campaign's rows: how many
 * messages it has (an index-only count), and only the members with an order in their window, found from the account's
 * orders through messages_touches (account, contact, registered_at…). Every other member has no order and 0 revenue.
 * Buyers in id order, the order listGroupOutcomes gives them on SQLite (the sums of squares add up the same way).
 */
export async function sumMessageGroupOutcomes(
  h: Handle,
  accountId: string,
  campaignIds: string[],
  windowMs: number,
  currency: string,
): Promise<{ members: number; buyers: { member: string; orders: number; revenue: number }[] }> {
  if (campaignIds.length === 0) return { members: 0, buyers: [] };
  const ids = [...new Set(campaignIds)];
  const count = await reads(h)
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .where('campaign_id', 'in', ids)
    .executeTakeFirst();
  const rows = await reads(h)
    .selectFrom('orders as o')
    // A CROSS JOIN keeps the orders as the outer loop on SQLite (its planner would otherwise walk the account's messages
    // in id order for the GROUP BY); PostgreSQL plans it as the inner join its conditions make it.
    .crossJoin('messages as m')
    .select(['m.id as member', sql<number>`count(o.id)`.as('orders'), sql<number>`coalesce(sum(o.revenue_minor), 0)`.as('revenue')])
    .whereRef('m.account_id', '=', 'o.account_id')
    .whereRef('m.contact_id', '=', 'o.contact_id')
    .where('o.account_id', '=', accountId)
    .where('m.account_id', '=', accountId)
    .where('o.cancelled_at', 'is', null)
    .where('o.revenue_minor', '>', 0)
    .where('o.revenue_currency', '=', currency)
    .where('m.campaign_id', 'in', ids)
    .whereRef('m.registered_at', '<=', 'o.ordered_at')
    // Both bounds on registered_at, so that the index range does the window's work (o.ordered_at <= start + window).
    .where('m.registered_at', '>=', sql<number>`o.ordered_at - ${windowMs}`)
    .groupBy('m.id')
    .execute();
  return {
    members: Number(count?.n ?? 0),
    buyers: rows.map((r) => ({ member: String(r.member), orders: Number(r.orders), revenue: Number(r.revenue) })).sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0)),
  };
}

/** Orders (purchases of positive revenue, not cancelled) of some contacts: the facts segment goals read. */
export async function listOrderFacts(h: Handle, accountId: string, contactIds: string[]): Promise<{ contactId: string; orderedAt: number; amountMinor: number }[]> {
  const out: { contactId: string; orderedAt: number; amountMinor: number }[] = [];
  for (const part of chunks([...new Set(contactIds)])) {
    const rows = await reads(h)
      .selectFrom('orders')
      .select(['contact_id', 'ordered_at', 'revenue_minor', 'cancelled_at'])
      .where('account_id', '=', accountId)
      .where('contact_id', 'in', part)
      .execute();
    for (const r of rows) {
      out.push({ contactId: r.contact_id!, orderedAt: Number(r.ordered_at), amountMinor: r.cancelled_at === null ? Number(r.revenue_minor) : 0 });
    }
  }
  return out;
}

/** Attributed revenue per message of a campaign under one model and currency (rows naming no message are left out). */
export async function sumAttributedByMessage(
  h: Handle,
  accountId: string,
  campaignId: string,
  model: string,
  currency: string,
): Promise<Map<string, { orders: number; revenue: number }>> {
  const rows = await reads(h)
    .selectFrom('attributions')
    .select(['message_id', sql<number>`count(distinct order_id)`.as('orders'), sql<number>`coalesce(sum(revenue_minor), 0)`.as('revenue')])
    .where('account_id', '=', accountId)
    .where('campaign_id', '=', campaignId)
    .where('model', '=', model)
    .where('currency', '=', currency)
    .where('message_id', 'is not', null)
    .groupBy('message_id')
    .execute();
  return new Map(rows.map((r) => [r.message_id!, { orders: Number(r.orders), revenue: Number(r.revenue) }]));
}

// ---------------------------------------------------------------- variants

export async function replaceVariants(h: Handle, accountId: string, campaignId: string, rows: CampaignVariantRow[]): Promise<void> {
  await h.deleteFrom('campaign_variants').where('account_id', '=', accountId).where('campaign_id', '=', campaignId).execute();
  if (rows.length) await h.insertInto('campaign_variants').values(rows).execute();
}
/**
 * The counts of a campaign's messages per variant (campaign_variant_counts), in the order the variants first appeared
 * (their first message id); only variants with messages have a row.
 */
export async function listCampaignVariantCounts(h: Handle, accountId: string, campaignId: string): Promise<Map<string, VariantCounts>> {
  const rows = await h.selectFrom('campaign_variant_counts').selectAll().where('account_id', '=', accountId).where('campaign_id', '=', campaignId).orderBy('first_message').execute();
  return new Map(rows.map((r) => [r.variant, Object.fromEntries(VARIANT_FIELDS.map((f) => [f, Number(r[f])])) as unknown as VariantCounts]));
}
export async function listVariantRows(h: Handle, accountId: string, campaignId: string): Promise<CampaignVariantRow[]> {
  return h.selectFrom('campaign_variants').selectAll().where('account_id', '=', accountId).where('campaign_id', '=', campaignId).orderBy('position').execute();
}
