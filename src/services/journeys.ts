// Journeys: named flows of campaigns over time across channels, their steps, and the journey report (chosen figures
// from the start to today, a breakdown by channel, each step's sends, open and click rates, recipients and CSV).
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db';
import type { CampaignRow } from '../store/schema';
import { getCampaigns, iterateCampaignMessages } from '../store/campaigns';
import {
  findCampaignLinks, getJourney, insertJourney, insertJourneyCampaigns, insertSteps, listJourneyCampaigns, listJourneyRows,
  listMessagesOfCampaigns, listSteps, maxStepPosition, sumCampaignDaysOf, updateJourney,
  type JourneyCampaignRow, type JourneyRow, type JourneyStepRow,
} from '../store/journeys';
import { addCounts, dayInZone, zeroCounts, type MessageCounts } from '../domain/message';
import { mixedFigures, NO_MONEY, type CampaignFigures, type ChannelCounts, type MoneyFacts } from '../domain/kpis';
import type { Channel } from '../domain/types';
import type { AccountDirectory } from './accounts';
import { todayIn, toRecipient, type Campaigns } from './campaigns';
import { fixedCostsByCampaign } from './fixedCosts';
import type { ItemError, Outcome } from './ingest';
import type { Writer } from './writer';

/** The figures a journey report can show (issue 8's list, in KPIS.md's words, camelCase as the API names them). */
export const JOURNEY_METRICS = [
  'clickRate', 'clicked', 'clickToOpenRate', 'openRate', 'opened', 'totalClicks', 'totalOpens', 'abuseRate', 'abuseReports',
  'bounceRate', 'bounces', 'delivered', 'deliveryRate', 'sent', 'undelivered', 'undeliveredRate', 'unsubscribeRate',
  'unsubscribed', 'revenuePerRecipient', 'averageOrderValue', 'orderRate', 'conversions', 'revenue',
] as const satisfies readonly (keyof CampaignFigures)[];
export type JourneyMetric = (typeof JOURNEY_METRICS)[number];
export const DEFAULT_JOURNEY_METRICS: JourneyMetric[] = ['sent', 'deliveryRate', 'openRate', 'clickRate', 'revenue'];

export type JourneyStatus = 'active' | 'paused';

export interface StepInput {
  name: string;
  channel: Channel;
  delayMinutes?: number;
  campaignIds?: string[];
}

export interface JourneyInput {
  name: string;
  status?: JourneyStatus;
  startedAt?: number;
  steps?: StepInput[];
}

export interface JourneyStep {
  id: string;
  position: number;
  name: string;
  channel: Channel;
  delayMinutes: number;
  campaignIds: string[];
}

export interface Journey {
  id: string;
  name: string;
  status: JourneyStatus;
  startedAt: string;
  createdAt: string;
  updatedAt: string;
  steps: JourneyStep[];
}

const iso = (t: number) => new Date(t).toISOString();
const fail = (status: 404 | 409 | 422, message: string, errors: ItemError[] = []): Outcome<never> => ({ ok: false, status, message, errors });

export function addMoney(into: MoneyFacts, m: MoneyFacts): MoneyFacts {
  return {
    conversions: into.conversions + m.conversions,
    converters: into.converters + m.converters,
    revenueMinor: into.revenueMinor + m.revenueMinor,
    revenueDirectMinor: into.revenueDirectMinor + m.revenueDirectMinor,
    revenueInfluencedMinor: into.revenueInfluencedMinor + m.revenueInfluencedMinor,
    items: into.items + m.items,
    revenueNewMinor: into.revenueNewMinor + m.revenueNewMinor,
    revenueReturningMinor: into.revenueReturningMinor + m.revenueReturningMinor,
    conversionsNew: into.conversionsNew + m.conversionsNew,
    conversionsReturning: into.conversionsReturning + m.conversionsReturning,
    fixedCostMinor: into.fixedCostMinor + m.fixedCostMinor,
  };
}

function pick(f: CampaignFigures, metrics: readonly string[]): Record<string, number | null> {
  return Object.fromEntries(metrics.map((m) => [m, f[m as keyof CampaignFigures] as number | null]));
}

export class Journeys {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly campaigns: Campaigns,
    private readonly clock: () => number = Date.now,
  ) {}

  async create(accountId: string, input: JourneyInput): Promise<Outcome<Journey>> {
    const now = this.clock();
    const row: JourneyRow = {
      account_id: accountId,
      id: `jrn_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      name: input.name,
      status: input.status ?? 'active',
      started_at: input.startedAt ?? now,
      created_at: now,
      updated_at: now,
    };
    const steps = (input.steps ?? []).map((s, i) => this.stepRow(accountId, row.id, i + 1, s));
    const checked = await this.checkLinks(accountId, row.id, (input.steps ?? []).map((s, i) => ({ step: steps[i], campaignIds: s.campaignIds ?? [] })), 'steps');
    if (!checked.ok) return checked;
    await this.writer.run(async (trx) => {
      await insertJourney(trx, row);
      await insertSteps(trx, steps);
      await insertJourneyCampaigns(trx, checked.value);
    });
    return { ok: true, value: (await this.get(accountId, row.id))! };
  }

  async update(accountId: string, id: string, patch: { name?: string; status?: JourneyStatus; startedAt?: number }): Promise<Outcome<Journey>> {
    if (!(await getJourney(this.db.kysely, accountId, id))) return fail(404, `No journey ${id} in this account.`);
    const set: Partial<JourneyRow> = { updated_at: this.clock() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
    await this.writer.run((trx) => updateJourney(trx, accountId, id, set));
    return { ok: true, value: (await this.get(accountId, id))! };
  }

  async addStep(accountId: string, id: string, input: StepInput): Promise<Outcome<Journey>> {
    if (!(await getJourney(this.db.kysely, accountId, id))) return fail(404, `No journey ${id} in this account.`);
    const step = this.stepRow(accountId, id, (await maxStepPosition(this.db.kysely, accountId, id)) + 1, input);
    const checked = await this.checkLinks(accountId, id, [{ step, campaignIds: input.campaignIds ?? [] }], 'steps', true);
    if (!checked.ok) return checked;
    await this.writer.run(async (trx) => {
      await insertSteps(trx, [step]);
      await insertJourneyCampaigns(trx, checked.value);
    });
    return { ok: true, value: (await this.get(accountId, id))! };
  }

  /** Puts campaigns in a step. A campaign belongs to one step only, and has the step's channel. */
  async linkCampaigns(accountId: string, id: string, stepId: string, campaignIds: string[]): Promise<Outcome<Journey>> {
    if (!(await getJourney(this.db.kysely, accountId, id))) return fail(404, `No journey ${id} in this account.`);
    const step = (await listSteps(this.db.kysely, accountId, [id])).find((s) => s.id === stepId);
    if (!step) return fail(404, `No step ${stepId} in journey ${id}.`);
    const checked = await this.checkLinks(accountId, id, [{ step, campaignIds }], 'campaignIds', true);
    if (!checked.ok) return checked;
    await this.writer.run((trx) => insertJourneyCampaigns(trx, checked.value));
    return { ok: true, value: (await this.get(accountId, id))! };
  }

  private stepRow(accountId: string, journeyId: string, position: number, s: StepInput): JourneyStepRow {
    return {
      account_id: accountId,
      id: `stp_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      journey_id: journeyId,
      position,
      name: s.name,
      channel: s.channel,
      delay_minutes: s.delayMinutes ?? 0,
    };
  }

  /** Checks every campaign to link (exists, same channel as its step, not in a step already) before anything is written. */
  private async checkLinks(
    accountId: string,
    journeyId: string,
    wanted: { step: JourneyStepRow; campaignIds: string[] }[],
    listPath: string,
    single = false,
  ): Promise<Outcome<JourneyCampaignRow[]>> {
    const all = wanted.flatMap((w) => w.campaignIds);
    const campaigns = new Map((await getCampaigns(this.db.kysely, accountId, all)).map((c) => [c.id, c]));
    const links = new Map((await findCampaignLinks(this.db.kysely, accountId, all)).map((l) => [l.campaign_id, l]));
    const errors: ItemError[] = [];
    const seen = new Set<string>();
    const rows: JourneyCampaignRow[] = [];
    const now = this.clock();
    wanted.forEach((w, stepIndex) => {
      w.campaignIds.forEach((cid, i) => {
        const where = single ? { index: i, field: '' } : { index: stepIndex, field: `campaignIds/${i}` };
        const c = campaigns.get(cid);
        const link = links.get(cid);
        if (!c) errors.push({ ...where, message: `no campaign ${cid} in this account` });
        else if (c.channel !== w.step.channel) errors.push({ ...where, message: `campaign ${cid} is a ${c.channel} campaign; the step sends ${w.step.channel}` });
        else if (seen.has(cid)) errors.push({ ...where, message: `campaign ${cid} is listed twice` });
        else if (link && link.step_id !== w.step.id) errors.push({ ...where, message: `campaign ${cid} already belongs to ${link.journey_id === journeyId ? 'another step of this journey' : `journey ${link.journey_id}`}` });
        else if (!link) rows.push({ account_id: accountId, campaign_id: cid, journey_id: journeyId, step_id: w.step.id, linked_at: now });
        seen.add(cid);
      });
    });
    if (errors.length) {
      const status = errors.some((e) => e.message.includes('already belongs')) ? 409 : 422;
      return { ok: false, status, message: `${errors.length} campaign(s) cannot join the journey: ${errors[0].message}; nothing was changed.`, errors: errors.map((e) => ({ ...e, field: e.field.replace(/^\//, '') })) };
    }
    void listPath;
    return { ok: true, value: rows };
  }

  async get(accountId: string, id: string): Promise<Journey | undefined> {
    const row = await getJourney(this.db.kysely, accountId, id);
    if (!row) return undefined;
    const [steps, links] = await Promise.all([listSteps(this.db.kysely, accountId, [id]), listJourneyCampaigns(this.db.kysely, accountId, [id])]);
    return toJourney(row, steps, links);
  }

  /** The journeys list: status, channels, start, and the figures of their messages since the start. */
  async list(accountId: string, opts: { limit: number; cursor?: string; status?: JourneyStatus }) {
    let rows = await listJourneyRows(this.db.kysely, accountId);
    if (opts.status) rows = rows.filter((r) => r.status === opts.status);
    const start = opts.cursor ? Number(Buffer.from(opts.cursor, 'base64url').toString()) || 0 : 0;
    const page = rows.slice(start, start + opts.limit);
    const items = [];
    for (const r of page) items.push((await this.summary(accountId, r)).item);
    const next = start + opts.limit < rows.length ? Buffer.from(String(start + opts.limit)).toString('base64url') : null;
    return { items, nextCursor: next, total: rows.length };
  }

  /** Counts and money of a journey's campaigns, for the messages sent from the journey's start to today. */
  private async summary(accountId: string, row: JourneyRow) {
    const account = (await this.accounts.get(accountId))!;
    const [steps, links] = await Promise.all([listSteps(this.db.kysely, accountId, [row.id]), listJourneyCampaigns(this.db.kysely, accountId, [row.id])]);
    const journey = toJourney(row, steps, links);
    const from = dayInZone(row.started_at, account.time_zone);
    const to = todayIn(account.time_zone, this.clock());
    const ids = links.map((l) => l.campaign_id);
    const [counts, money, campaignRows, fixed] = await Promise.all([
      from <= to ? sumCampaignDaysOf(this.db.kysely, accountId, ids, from, to) : Promise.resolve(new Map<string, MessageCounts>()),
      this.campaigns.money.byCampaign(accountId, ids),
      getCampaigns(this.db.kysely, accountId, ids),
      fixedCostsByCampaign(this.db.kysely, accountId, ids),
    ]);
    const byId = new Map(campaignRows.map((c) => [c.id, c]));
    const facts = (campaignIds: string[]) => {
      const parts: ChannelCounts[] = [];
      let m: MoneyFacts = NO_MONEY;
      for (const id of campaignIds) {
        const cc = counts.get(id);
        const channel = byId.get(id)?.channel as Channel | undefined;
        if (cc && channel) parts.push({ channel, counts: cc });
        m = addMoney(m, { ...(money.get(id) ?? NO_MONEY), fixedCostMinor: fixed.get(id) ?? 0 });
      }
      return mixedFigures(parts, m);
    };
    const total = facts(ids);
    const channels = [...new Set(steps.map((s) => s.channel as Channel))];
    const item = {
      id: row.id, name: row.name, status: row.status as JourneyStatus, channels, startedAt: iso(row.started_at),
      steps: steps.length, campaigns: ids.length, messages: total.audience, sent: total.sent, openRate: total.openRate, clickRate: total.clickRate,
    };
    return { journey, item, total, facts, byId, period: { from, to }, currency: account.currency };
  }

  /** Figures of a journey (every figure of KPIS.md over its campaigns since its start): what goals read. */
  async figures(accountId: string, id: string): Promise<{ figures: CampaignFigures; startedAt: number; campaignIds: string[] } | undefined> {
    const row = await getJourney(this.db.kysely, accountId, id);
    if (!row) return undefined;
    const s = await this.summary(accountId, row);
    return { figures: s.total, startedAt: row.started_at, campaignIds: s.journey.steps.flatMap((st) => st.campaignIds) };
  }

  /** The journey report: chosen figures, breakdown by channel, each step and each campaign with sends, open and click rates. */
  async report(accountId: string, id: string, metrics: readonly JourneyMetric[] = DEFAULT_JOURNEY_METRICS) {
    const row = await getJourney(this.db.kysely, accountId, id);
    if (!row) return undefined;
    const s = await this.summary(accountId, row);
    const byChannel = new Map<Channel, string[]>();
    for (const step of s.journey.steps) byChannel.set(step.channel, [...(byChannel.get(step.channel) ?? []), ...step.campaignIds]);
    return {
      journey: s.item,
      period: s.period,
      currency: s.currency,
      metrics: pick(s.total, metrics),
      channels: [...byChannel].map(([channel, ids]) => ({ channel, figures: pick(s.facts(ids), metrics) })),
      steps: s.journey.steps.map((step) => {
        const f = s.facts(step.campaignIds);
        return { ...step, audience: f.audience, sent: f.sent, delivered: f.delivered, openRate: f.openRate, clickRate: f.clickRate };
      }),
      messages: s.journey.steps.flatMap((step) =>
        step.campaignIds.map((cid) => {
          const f = s.facts([cid]);
          const c = s.byId.get(cid) as CampaignRow;
          return { campaignId: cid, stepId: step.id, name: c.name, channel: c.channel as Channel, sent: f.sent, openRate: f.openRate, clickRate: f.clickRate };
        }),
      ),
    };
  }

  /** One step's recipients since the journey's start, paginated by message id. */
  async stepRecipients(accountId: string, id: string, stepId: string, f: { limit: number; cursor?: string }) {
    const journey = await this.get(accountId, id);
    if (!journey) return undefined;
    const step = journey.steps.find((s) => s.id === stepId);
    if (!step) return undefined;
    const account = (await this.accounts.get(accountId))!;
    const from = dayInZone(Date.parse(journey.startedAt), account.time_zone);
    const rows = await listMessagesOfCampaigns(this.db.kysely, accountId, step.campaignIds, { from, after: f.cursor, limit: f.limit + 1 });
    const page = rows.slice(0, f.limit);
    return {
      step: { id: step.id, name: step.name, position: step.position, channel: step.channel },
      items: page.map((m) => ({ campaignId: m.campaign_id, ...toRecipient(m) })),
      nextCursor: rows.length > f.limit ? page[page.length - 1].id : null,
    };
  }

  /** Every recipient of every step, in step order, page by page (constant memory): the CSV export. */
  async *exportRows(accountId: string, id: string) {
    const journey = await this.get(accountId, id);
    if (!journey) return;
    const campaigns = new Map((await getCampaigns(this.db.kysely, accountId, journey.steps.flatMap((s) => s.campaignIds))).map((c) => [c.id, c]));
    const account = (await this.accounts.get(accountId))!;
    const from = dayInZone(Date.parse(journey.startedAt), account.time_zone);
    for (const step of journey.steps) {
      for (const cid of step.campaignIds) {
        for await (const page of iterateCampaignMessages(this.db.kysely, accountId, cid)) {
          yield page.filter((m) => m.cohort_day >= from).map((m) => ({ step: step.position, stepName: step.name, channel: step.channel, campaignId: cid, campaign: campaigns.get(cid)?.name ?? '', ...toRecipient(m) }));
        }
      }
    }
  }
}

function toJourney(row: JourneyRow, steps: JourneyStepRow[], links: JourneyCampaignRow[]): Journey {
  return {
    id: row.id,
    name: row.name,
    status: row.status as JourneyStatus,
    startedAt: iso(row.started_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    steps: steps.map((s) => ({
      id: s.id,
      position: s.position,
      name: s.name,
      channel: s.channel as Channel,
      delayMinutes: s.delay_minutes,
      campaignIds: links.filter((l) => l.step_id === s.id).map((l) => l.campaign_id).sort(),
    })),
  };
}
