// Goals of campaigns and journeys: a target on a figure, or a segment that should shrink as its members buy.
// Evaluated from stored data on demand (GET) and once a day (a timer, or `mesure goals evaluate`), which keeps one
// snapshot per goal and day: the progress over time.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db';
import { getCampaign, sumCampaignDaysByCampaign } from '../store/campaigns';
import {
  insertGoal, listAccountsWithGoals, listAudienceContacts, listGoalRows, listGoalSnapshots, listOrderFacts,
  upsertGoalSnapshots, type GoalRow, type GoalSnapshotRow,
  deleteGoal,
} from '../store/journeys';
import { campaignFigures, NO_MONEY, type CampaignFigures } from '../domain/kpis';
import { zeroCounts } from '../domain/message';
import { figureProblem, storedFigure } from '../domain/bounds';
import { dayInZone } from '../domain/message';
import type { Channel } from '../domain/types';
import {
  evaluateTargetGoal, parseSegmentDefinition, segmentGoal, type GoalComparator, type SegmentDefinition,
} from '../domain/stats';
import type { AccountDirectory } from './accounts';
import type { Campaigns } from './campaigns';
import { fixedCostsByCampaign } from './fixedCosts';
import type { Outcome } from './ingest';
import type { Journeys } from './journeys';
import type { Writer } from './writer';

/** Figures a target goal can follow: every numeric per-campaign figure of KPIS.md. */
export const GOAL_METRICS = Object.keys(campaignFigures(zeroCounts(), NO_MONEY, 'email')) as (keyof CampaignFigures)[];

const MONEY = new Set(['revenue', 'revenueDirect', 'revenueInfluenced', 'averageOrderValue', 'revenuePerConversion', 'revenuePerRecipient', 'spend', 'costPerRecipient', 'cpa', 'cpl']);
export function metricUnit(metric: string): 'money' | 'rate' | 'count' | 'ratio' {
  if (MONEY.has(metric)) return 'money';
  if (metric.endsWith('Rate')) return 'rate';
  if (['roas', 'roi', 'opensPerOpener', 'clicksPerClicker', 'itemsPerOrder'].includes(metric)) return 'ratio';
  return 'count';
}

export type GoalOwner = { kind: 'campaign' | 'journey'; id: string };

/** A target on a conversion type other than orders: `conversions:<type>` (docs/ATTRIBUTION.md), a count. */
const CONVERSION_METRIC = /^conversions:([a-z0-9][a-z0-9_-]{0,39})$/;

/** The conversions of a type credited to these campaigns under the account's model (counted once per campaign credited). */
export type ConversionCounter = (accountId: string, campaignIds: string[], type: string) => Promise<number>;

export type GoalInput =
  | { kind: 'target'; name?: string; metric: string; comparator: GoalComparator; target: number }
  | { kind: 'segment'; name?: string; segment: unknown; target: number };

const fail = (status: 404 | 422, message: string, field = ''): Outcome<never> => ({ ok: false, status, message, errors: field ? [{ index: 0, field, message }] : [] });

export class Goals {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly campaigns: Campaigns,
    private readonly journeys: Journeys,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts conversions other than orders for `conversions:<type>` goals (set by the composition root). */
  conversionCount: ConversionCounter = async () => 0;

  async create(accountId: string, owner: GoalOwner, input: GoalInput) {
    if (!(await this.ownerFacts(accountId, owner))) return fail(404, `No ${owner.kind} ${owner.id} in this account.`);
    let definition: string | null = null;
    const targetProblem = figureProblem(input.target);
    if (targetProblem) return fail(422, `The target ${targetProblem}.`, 'target');
    if (input.kind === 'target') {
      if (!GOAL_METRICS.includes(input.metric as keyof CampaignFigures) && !CONVERSION_METRIC.test(input.metric)) {
        return fail(422, `Unknown figure "${input.metric}"; choose one of ${GOAL_METRICS.join(', ')}, or conversions:<type> for a conversion type.`, 'metric');
      }
    } else {
      const parsed = parseSegmentDefinition(input.segment);
      if (!parsed.ok) return fail(422, `Invalid segment: ${parsed.error}.`, 'segment');
      if (!Number.isInteger(input.target) || input.target < 1) return fail(422, 'A segment goal targets a whole number of members (≥ 1) who leave the group by buying.', 'target');
      definition = JSON.stringify(input.segment);
    }
    const row: GoalRow = {
      account_id: accountId,
      id: `goal_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      owner_kind: owner.kind,
      owner_id: owner.id,
      name: input.name ?? defaultName(input),
      kind: input.kind,
      metric: input.kind === 'target' ? input.metric : null,
      comparator: input.kind === 'target' ? input.comparator : null,
      target: input.target,
      segment_definition: definition,
      created_at: this.clock(),
    };
    await this.writer.run((trx) => insertGoal(trx, row));
    const [goal] = await this.evaluate(accountId, owner, [row]);
    return { ok: true as const, value: goal };
  }

  /** Removes a goal and its snapshots; false when the account has no such goal. */
  async remove(accountId: string, goalId: string): Promise<boolean> {
    return this.writer.run((trx) => deleteGoal(trx, accountId, goalId));
  }

  /** The owner's goals with their progress now and their daily snapshots; undefined when the owner does not exist. */
  async list(accountId: string, owner: GoalOwner) {
    if (!(await this.ownerFacts(accountId, owner))) return undefined;
    return this.evaluate(accountId, owner, await listGoalRows(this.db.kysely, accountId, owner));
  }

  /** Evaluates every goal of every account (or one account) and stores today's snapshot. Returns how many. */
  async evaluateAll(opts: { accountId?: string; progress?: (done: number, total: number) => void } = {}): Promise<number> {
    const accountIds = opts.accountId ? [opts.accountId] : await listAccountsWithGoals(this.db.kysely);
    const rows = [];
    for (const a of accountIds) rows.push(...(await listGoalRows(this.db.kysely, a)).map((g) => ({ a, g })));
    let done = 0;
    for (const { a, g } of rows) {
      const account = await this.accounts.get(a);
      const [e] = await this.evaluate(a, { kind: g.owner_kind, id: g.owner_id }, [g]);
      if (account && e) {
        const snapshot: GoalSnapshotRow = {
          account_id: a, goal_id: g.id, day: dayInZone(this.clock(), account.time_zone), value: e.value, progress: e.progress,
          achieved: e.achieved ? 1 : 0, computed_at: this.clock(),
        };
        await this.writer.run((trx) => upsertGoalSnapshots(trx, [snapshot]));
      }
      opts.progress?.(++done, rows.length);
    }
    return rows.length;
  }

  private async ownerFacts(accountId: string, owner: GoalOwner): Promise<{ figures: CampaignFigures; start: number; campaignIds: string[] } | undefined> {
    if (owner.kind === 'journey') {
      const j = await this.journeys.figures(accountId, owner.id);
      return j && { figures: j.figures, start: j.startedAt, campaignIds: j.campaignIds };
    }
    const row = await getCampaign(this.db.kysely, accountId, owner.id);
    if (!row) return undefined;
    const counts = (await sumCampaignDaysByCampaign(this.db.kysely, accountId, [owner.id])).get(owner.id) ?? zeroCounts();
    const money = (await this.campaigns.money.byCampaign(accountId, [owner.id])).get(owner.id) ?? NO_MONEY;
    return {
      figures: campaignFigures(counts, { ...money, fixedCostMinor: (await fixedCostsByCampaign(this.db.kysely, accountId, [owner.id])).get(owner.id) ?? 0 }, row.channel as Channel),
      start: row.send_at ?? row.activated_at ?? row.created_at,
      campaignIds: [owner.id],
    };
  }

  private async evaluate(accountId: string, owner: GoalOwner, goals: GoalRow[]) {
    if (goals.length === 0) return [];
    const facts = (await this.ownerFacts(accountId, owner))!;
    const account = (await this.accounts.get(accountId))!;
    const now = this.clock();
    const today = dayInZone(now, account.time_zone);
    const snapshots = await listGoalSnapshots(this.db.kysely, accountId, goals.map((g) => g.id));
    let orders: Awaited<ReturnType<typeof listOrderFacts>> | null = null;
    let contacts: string[] = [];
    const out = [];
    for (const g of goals) {
      const history = snapshots.filter((s) => s.goal_id === g.id && s.day < today).map((s) => ({ date: s.day, value: s.value === null ? null : Number(s.value) }));
      const base = { id: g.id, name: g.name, kind: g.kind, target: Number(g.target), createdAt: new Date(Number(g.created_at)).toISOString() };
      if (storedFigure(g.target) === null) {
        // Stored by an older version that took any number (1e400 is Infinity): shown, not evaluated, so the page
        // still answers and the goal can be deleted (DELETE /v1/goals/{id}).
        out.push({
          ...base, target: null, targetOutOfRange: true, metric: g.metric ?? 'membersLeft', comparator: g.comparator as GoalComparator | null,
          value: null, progress: null, achieved: false, points: [],
        });
        continue;
      }
      if (g.kind === 'target') {
        const type = CONVERSION_METRIC.exec(g.metric!)?.[1];
        const value = type !== undefined ? await this.conversionCount(accountId, facts.campaignIds, type) : (facts.figures[g.metric as keyof CampaignFigures] as number | null);
        const r = evaluateTargetGoal({ metric: g.metric!, comparator: g.comparator as GoalComparator, target: Number(g.target) }, [...history, { date: today, value }]);
        out.push({
          ...base, metric: g.metric!, comparator: g.comparator as GoalComparator, unit: metricUnit(g.metric!),
          value: r.current, progress: r.progress, achieved: r.achieved, firstAchievedDate: r.firstAchievedDate, points: r.points,
        });
        continue;
      }
      if (orders === null) {
        contacts = await listAudienceContacts(this.db.kysely, accountId, facts.campaignIds);
        orders = await listOrderFacts(this.db.kysely, accountId, contacts);
      }
      const definition = JSON.parse(g.segment_definition!) as unknown;
      const parsed = parseSegmentDefinition(definition);
      const r = segmentGoal({
        definition: (parsed.ok ? parsed.value : { all: [] }) as SegmentDefinition,
        orders,
        contacts,
        campaignStart: Math.min(facts.start, now),
        now,
        target: Number(g.target),
      });
      const points = [...history, { date: today, value: r.progress }].map((p) => ({
        ...p, progress: p.value === null ? null : Math.min(1, p.value / Number(g.target)), achieved: p.value !== null && p.value >= Number(g.target),
      }));
      out.push({
        ...base, metric: 'membersLeft', unit: 'count' as const, segment: definition,
        value: r.progress, progress: r.progressShare, achieved: r.achieved,
        membersAtStart: r.membersAtStart.length, remaining: r.remaining,
        achievedAt: r.achievedAt === null ? null : new Date(r.achievedAt).toISOString(), points,
      });
    }
    return out;
  }
}

function defaultName(g: GoalInput): string {
  if (g.kind === 'segment') return `Segment: ${g.target} members buy again`;
  return `${g.metric} ${g.comparator} ${g.target}`;
}
