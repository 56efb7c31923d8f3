// A/B variants and holdout groups of a campaign: the audience split (held out / treated, and which variant), the
// per-variant figures with their comparisons, and the true lift measured against the holdout.
import { timeOrderedId } from './ids';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { CampaignRow, ContactRow, DB, MessageRow } from '../store/schema';
import { findContactsByKeys, getCampaign, insertContacts, sumCampaignDaysByCampaign } from '../store/campaigns';
import { findMessagesByIds } from '../store/messages';
import {
  findCampaignLinks, findHoldoutMembers, getHoldoutSetting, getJourney, hasAssignedAudience, insertHoldoutMembers, listGroupOutcomes,
  listCampaignVariantCounts, listHoldoutSettings, listJourneyCampaigns, listSteps, listVariantRows, replaceVariants, sumAttributedByMessage, sumMessageGroupOutcomes,
  upsertHoldoutSetting, type CampaignVariantRow, type HoldoutMemberRow, type LiftGroup,
} from '../store/journeys';
import { variantCounts, zeroCounts, type MessageCounts } from '../domain/message';
import { campaignFigures, NO_MONEY, type CampaignFigures } from '../domain/kpis';
import {
  AB_METRICS, compareVariants, holdoutPosition, isHeldOut, pickWinner, trueLift, type AbMetric, type GroupOutcome,
  type VariantFigures,
} from '../domain/stats';
import { DEFAULT_WINDOWS } from '../domain/attribution';
import { normalizeAddress, normalizeEmail, normalizePhone, recipientAddress } from '../domain/contacts';
import type { Channel } from '../domain/types';
import type { AccountDirectory } from './accounts';
import type { Campaigns, Template } from './campaigns';
import type { Ingestor, ItemError, Outcome, RecipientIdentity, RegisterItem } from './ingest';
import type { Writer } from './writer';

/** A failed outcome thrown out of a write job so that its transaction rolls back: nothing is half-applied. */
class Rollback extends Error {
  constructor(readonly outcome: Outcome<never>) {
    super(outcome.ok ? '' : outcome.message);
  }
}

async function transactional<T>(writer: Writer, weight: number, job: (trx: Transaction<DB>) => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await writer.run(job, weight) };
  } catch (err) {
    if (err instanceof Rollback) return err.outcome;
    throw err;
  }
}

const fail = (status: 404 | 409 | 422, message: string, errors: ItemError[] = []): Outcome<never> => ({ ok: false, status, message, errors });

export interface VariantInput {
  id: string;
  name?: string;
  template?: Template;
  /** Share of the treated audience, in (0, 1]; the splits of a campaign sum to 1. */
  split: number;
  isControl?: boolean;
}

export interface Variant {
  variant: string;
  name: string;
  template: Template;
  split: number | null;
  isControl: boolean;
  /** False for a variant found on messages but never declared. */
  declared: boolean;
}

export interface AudienceAssignment {
  index: number;
  status: 'treated' | 'held_out';
  contactId: string | null;
  recipient: string;
  messageId: string | null;
  variant: string | null;
  /** Already assigned by an earlier request (the same answer as then). */
  existing: boolean;
}

/** The moment a held-out contact would have been sent; orders are read over the same window as the treated. */
export function liftWindowMs(channel: Channel): number {
  return Math.max(...Object.values(DEFAULT_WINDOWS[channel]).filter((v): v is number => typeof v === 'number'));
}

const METRIC_NAMES: Record<AbMetric, string> = {
  open_rate: 'openRate', click_rate: 'clickRate', conversion_rate: 'conversionRate', revenue_per_recipient: 'revenuePerRecipient',
};

export class Experiments {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly ingestor: Ingestor,
    private readonly accounts: AccountDirectory,
    private readonly campaigns: Campaigns,
    private readonly clock: () => number = Date.now,
  ) {}

  // ------------------------------------------------------------------ holdout

  /**
   * Sets the share of a campaign's (or journey's) audience kept back. It can change only until the first contact is
   * assigned: changing it later would move contacts between the groups and break the comparison.
   */
  async setHoldout(accountId: string, kind: 'campaign' | 'journey', ownerId: string, share: number, campaignIds: string[]): Promise<Outcome<{ share: number }>> {
    return transactional(this.writer, 1, async (trx) => {
      const current = await getHoldoutSetting(trx, accountId, kind, ownerId);
      if (current && current.share !== share && (await hasAssignedAudience(trx, accountId, campaignIds))) {
        throw new Rollback(fail(409, `The holdout share is ${current.share} and the audience is already assigned; changing it would move contacts between the treated and the held-out groups. Create a new ${kind} to test another share.`));
      }
      if (!current && share > 0 && (await hasAssignedAudience(trx, accountId, campaignIds))) {
        throw new Rollback(fail(409, `The audience of this ${kind} is already assigned without a holdout; a holdout must be set before the first recipient.`));
      }
      await upsertHoldoutSetting(trx, { account_id: accountId, owner_kind: kind, owner_id: ownerId, share, updated_at: this.clock() });
      return { share };
    });
  }

  /** The holdout that applies to a campaign: its own, else its journey's (hashed by the journey, so a contact is held out of every step). */
  async holdoutOf(accountId: string, campaignId: string): Promise<{ share: number; hashId: string; owner: 'campaign' | 'journey' } | null> {
    const own = await getHoldoutSetting(this.db.kysely, accountId, 'campaign', campaignId);
    if (own) return { share: own.share, hashId: campaignId, owner: 'campaign' };
    const [link] = await findCampaignLinks(this.db.kysely, accountId, [campaignId]);
    if (!link) return null;
    const j = await getHoldoutSetting(this.db.kysely, accountId, 'journey', link.journey_id);
    return j ? { share: j.share, hashId: link.journey_id, owner: 'journey' } : null;
  }

  async journeyCampaignIds(accountId: string, journeyId: string): Promise<string[]> {
    return (await listJourneyCampaigns(this.db.kysely, accountId, [journeyId])).map((l) => l.campaign_id);
  }

  /**
   * The sender's audience for a campaign: each recipient is held out (recorded in the holdout, sent nothing) or
   * treated (registered as a message, with its variant when the campaign has variants). Deterministic per contact:
   * repeating the request gives the same answer, and nothing is written twice. All or nothing.
   */
  async assignAudience(accountId: string, campaignId: string, items: RegisterItem[]): Promise<Outcome<{ recipients: AudienceAssignment[]; treated: number; heldOut: number }>> {
    const campaign = await getCampaign(this.db.kysely, accountId, campaignId);
    if (!campaign) return fail(404, `No campaign ${campaignId} in this account.`);
    const holdout = await this.holdoutOf(accountId, campaignId);
    const variants = (await listVariantRows(this.db.kysely, accountId, campaignId)).filter((v) => v.split > 0);
    const unknown = items.flatMap((it, index) => (it.variant !== undefined && variants.length > 0 && !variants.some((v) => v.id === it.variant) ? [{ index, field: 'variant', message: `no variant ${it.variant} on this campaign (${variants.map((v) => v.id).join(', ')})` }] : []));
    if (unknown.length) return fail(422, `${unknown.length} recipient(s) name an unknown variant; nothing was stored.`, unknown);
    // The same rule as message registration, checked for every recipient (a held-out one is never registered).
    const channel = campaign.channel as Channel;
    const unusable = items.flatMap((it, index) => {
      const r = it.recipient;
      const raw = channel === 'email' ? r.email : channel === 'mail' ? r.address : r.phone;
      return raw || r.externalId ? [] : [{ index, field: 'recipient', message: `a ${channel} message needs ${channel === 'email' ? 'an email' : channel === 'mail' ? 'a postal address' : 'a phone number'} or an externalId` }];
    });
    if (unusable.length) return fail(422, `${unusable.length} recipient(s) have no usable address; nothing was stored.`, unusable);

    return transactional(this.writer, Math.max(1, items.length), async (trx) => {
      const account = (await this.accounts.get(accountId, trx))!;
      const country = account.default_country ?? undefined;
      const now = this.clock();
      const contacts = await resolveContacts(trx, accountId, items.map((i) => i.recipient), country, now);
      const contactIds = contacts.flatMap((c) => (c ? [c] : []));
      const alreadyHeld = new Map((await findHoldoutMembers(trx, accountId, campaignId, contactIds)).map((m) => [m.contact_id, m]));
      const alreadySent = await contactsWithMessages(trx, accountId, campaignId, contactIds);

      const out: AudienceAssignment[] = [];
      const treated: { item: RegisterItem; index: number }[] = [];
      const members: HoldoutMemberRow[] = [];
      const heldNow = new Set<string>();
      items.forEach((item, index) => {
        const contactId = contacts[index];
        const recipient = recipientOf(channel, item.recipient, country);
        const prior = contactId ? alreadyHeld.get(contactId) : undefined;
        const hold =
          contactId !== null &&
          (prior !== undefined ||
            heldNow.has(contactId) ||
            (holdout !== null && holdout.share > 0 && !alreadySent.has(contactId) && isHeldOut(accountId, holdout.hashId, contactId, holdout.share)));
        if (hold) {
          if (!prior && !heldNow.has(contactId!)) {
            members.push({ account_id: accountId, campaign_id: campaignId, contact_id: contactId!, recipient, assigned_at: item.registeredAt ?? now });
          }
          out.push({ index, status: 'held_out', contactId, recipient: prior?.recipient ?? recipient, messageId: null, variant: null, existing: prior !== undefined || heldNow.has(contactId!) });
          heldNow.add(contactId!);
          return;
        }
        const variant = item.variant ?? (variants.length ? pickVariant(variants, holdoutPosition(accountId, `${campaignId}#variant`, contactId ?? recipient)) : undefined);
        treated.push({ item: { ...item, ...(variant !== undefined ? { variant } : {}) }, index });
        out.push({ index, status: 'treated', contactId, recipient, messageId: null, variant: variant ?? null, existing: false });
      });

      if (treated.length) {
        const registered = await this.ingestor.registerIn(trx, accountId, campaignId, treated.map((t) => t.item));
        if (!registered.ok) {
          throw new Rollback(fail(registered.status, registered.message, registered.errors.map((e) => ({ ...e, index: treated[e.index].index }))));
        }
        const existingRows = new Map<string, MessageRow>();
        for (const r of registered.value) {
          const o = out[treated[r.index].index];
          o.messageId = r.messageId;
          o.recipient = r.recipient;
          o.existing = r.existing;
          if (r.existing) existingRows.set(r.messageId, {} as MessageRow);
        }
        // A message registered earlier keeps the variant it was sent with.
        if (existingRows.size) {
          const rows = await trx.selectFrom('messages').select(['id', 'variant']).where('account_id', '=', accountId).where('id', 'in', [...existingRows.keys()]).execute();
          const byId = new Map(rows.map((r) => [r.id, r.variant]));
          for (const o of out) if (o.messageId && byId.has(o.messageId)) o.variant = byId.get(o.messageId) ?? null;
        }
      }
      await insertHoldoutMembers(trx, members);
      return { recipients: out, treated: out.filter((o) => o.status === 'treated').length, heldOut: out.filter((o) => o.status === 'held_out').length };
    });
  }

  // ------------------------------------------------------------------ variants

  /** Declares the campaign's variants (replacing earlier ones): splits sum to 1, exactly one control (the first by default). */
  async setVariants(accountId: string, campaignId: string, inputs: VariantInput[]): Promise<Outcome<Variant[]>> {
    const campaign = await getCampaign(this.db.kysely, accountId, campaignId);
    if (!campaign) return fail(404, `No campaign ${campaignId} in this account.`);
    const errors: ItemError[] = [];
    const ids = new Set<string>();
    inputs.forEach((v, index) => {
      if (ids.has(v.id)) errors.push({ index, field: 'id', message: `variant ${v.id} appears twice` });
      ids.add(v.id);
    });
    const total = inputs.reduce((s, v) => s + v.split, 0);
    if (Math.abs(total - 1) > 1e-9) errors.push({ index: 0, field: 'split', message: `the splits must sum to 1 (they sum to ${total})` });
    const controls = inputs.filter((v) => v.isControl).length;
    if (controls > 1) errors.push({ index: inputs.findIndex((v, i) => v.isControl && inputs.slice(0, i).some((w) => w.isControl)), field: 'isControl', message: 'only one variant can be the control' });
    if (errors.length) return fail(422, `The variants are not consistent: ${errors[0].message}; nothing was changed.`, errors);
    const now = this.clock();
    const rows: CampaignVariantRow[] = inputs.map((v, position) => ({
      account_id: accountId,
      campaign_id: campaignId,
      id: v.id,
      name: v.name ?? v.id,
      template: JSON.stringify(v.template ?? {}),
      split: v.split,
      is_control: (controls === 0 ? position === 0 : v.isControl === true) ? 1 : 0,
      position,
      created_at: now,
    }));
    await this.writer.run((trx) => replaceVariants(trx, accountId, campaignId, rows));
    return { ok: true, value: rows.map(toVariant) };
  }

  /**
   * Every figure per variant (KPIS.md's, from the variant's messages and their attributed orders), and for open,
   * click and conversion rate and revenue per recipient the comparison of each variant with the control and the
   * winner, named only when significant. Null when the campaign has neither declared variants nor variant messages.
   */
  async variantsReport(accountId: string, campaignId: string) {
    const campaign = await getCampaign(this.db.kysely, accountId, campaignId);
    if (!campaign) return undefined;
    const declared = await listVariantRows(this.db.kysely, accountId, campaignId);
    const facts = await this.variantFacts(accountId, campaign);
    const variants: Variant[] = declared.map(toVariant);
    for (const id of facts.keys()) {
      if (id !== null && !variants.some((v) => v.variant === id)) {
        variants.push({ variant: id, name: id, template: {}, split: null, isControl: false, declared: false });
      }
    }
    if (variants.length === 0) return { variants: [], tests: [], unassigned: facts.get(null)?.counts.audience ?? 0 };
    if (!variants.some((v) => v.isControl)) variants[0].isControl = true;
    const control = variants.find((v) => v.isControl)!;
    const ordered = [control, ...variants.filter((v) => v !== control)];
    const stats: VariantFigures[] = ordered.map((v) => facts.get(v.variant)?.stats ?? emptyStats(v.variant));
    const tests =
      ordered.length < 2
        ? []
        : AB_METRICS.map((metric) => {
            const winner = pickWinner(stats, metric);
            return {
              metric: METRIC_NAMES[metric],
              verdict: winner.verdict,
              winner: winner.winnerId,
              correction: winner.correction,
              comparisons: stats.slice(1).map((s) => compareVariants(stats[0], s, metric)),
            };
          });
    return {
      control: control.variant,
      variants: ordered.map((v) => ({ ...v, figures: facts.get(v.variant)?.figures ?? campaignFigures(zeroCounts(), NO_MONEY, campaign.channel as Channel) })),
      tests,
      /** Messages of the campaign without a variant: not part of the test. */
      unassigned: facts.get(null)?.counts.audience ?? 0,
    };
  }

  /** The variants as the campaign page shows them; a campaign without any variant costs two indexed lookups, not a scan. */
  async variantsForPage(accountId: string, campaignId: string) {
    const declared = await listVariantRows(this.db.kysely, accountId, campaignId);
    if (declared.length === 0 && (await listCampaignVariantCounts(this.db.kysely, accountId, campaignId)).size === 0) return [];
    return (await this.variantsReport(accountId, campaignId))?.variants ?? [];
  }

  /**
   * Counts, money and test inputs per variant: the counts from campaign_variant_counts (kept on write from the same
   * per-message rules as the campaign's figures), the money from the campaign's attributed messages, read by id. Its
   * cost follows the number of variants and of attributed messages, not the campaign's size. `null` holds the
   * messages without a variant: the campaign's audience less its variants'.
   */
  private async variantFacts(accountId: string, campaign: CampaignRow) {
    const channel = campaign.channel as Channel;
    const account = (await this.accounts.get(accountId))!;
    const model = attributionModel(account.settings);
    const [rollup, campaignCounts, attributed] = await Promise.all([
      listCampaignVariantCounts(this.db.kysely, accountId, campaign.id),
      sumCampaignDaysByCampaign(this.db.kysely, accountId, [campaign.id]),
      sumAttributedByMessage(this.db.kysely, accountId, campaign.id, model, account.currency),
    ]);
    const out = new Map<string | null, { counts: MessageCounts; stats: VariantFigures; converters: number; orders: number; revenue: number; figures?: CampaignFigures }>();
    let assigned = 0;
    for (const [variant, c] of rollup) {
      const { delivered_clicked: deliveredClicked, ...counts } = c;
      out.set(variant, { counts, stats: { ...emptyStats(variant), delivered: c.delivered, opened: c.opened, clicked: deliveredClicked }, converters: 0, orders: 0, revenue: 0 });
      assigned += c.audience;
    }
    const unassigned = (campaignCounts.get(campaign.id)?.audience ?? 0) - assigned;
    if (unassigned > 0) out.set(null, { counts: { ...zeroCounts(), audience: unassigned }, stats: emptyStats(''), converters: 0, orders: 0, revenue: 0 });
    const messages = attributed.size ? await findMessagesByIds(this.db.kysely, accountId, [...attributed.keys()], this.db) : [];
    for (const m of messages) {
      const f = out.get(m.variant);
      const money = attributed.get(m.id)!;
      if (!f || m.variant === null) continue;
      f.orders += money.orders;
      f.revenue += money.revenue;
      f.converters += 1;
      if (variantCounts(m, channel).delivered) {
        f.stats.converters += 1;
        f.stats.revenueMinor += money.revenue;
        f.stats.revenueSqMinor += money.revenue * money.revenue;
      }
    }
    for (const f of out.values()) {
      f.figures = campaignFigures(f.counts, { ...NO_MONEY, conversions: f.orders, converters: f.converters, revenueMinor: f.revenue }, channel);
    }
    return out;
  }

  // ------------------------------------------------------------------ true lift

  /** Treated against held-out contacts over the attribution window, next to the attributed revenue. */
  async lift(accountId: string, campaignId: string, opts: { windowDays?: number } = {}) {
    const campaign = await getCampaign(this.db.kysely, accountId, campaignId);
    if (!campaign) return undefined;
    const account = (await this.accounts.get(accountId))!;
    const windowMs = liftWindow(opts.windowDays, [campaign.channel as Channel]);
    const [holdout, money] = await Promise.all([this.holdoutOf(accountId, campaignId), this.campaigns.money.byCampaign(accountId, [campaignId])]);
    const measured = await this.compareGroups(
      accountId, account.currency, windowMs, money.get(campaignId)?.revenueMinor ?? 0,
      { group: 'treated', campaignIds: [campaignId], per: 'message' },
      { group: 'holdout', campaignIds: [campaignId], per: 'message' },
    );
    return {
      campaignId,
      currency: account.currency,
      holdoutShare: holdout?.share ?? 0,
      holdoutOf: holdout?.owner ?? null,
      windowDays: windowMs / 86_400_000,
      ...measured.result,
    };
  }

  /**
   * The journey's true lift, per contact over all its campaigns: treated = contacts with at least one message of them,
   * holdout = contacts held out by the journey's share (of the campaigns without a holdout of their own), each from
   * its first message or assignment. A contact held out by the journey that still has a message (a step with its own
   * holdout, or a message registered directly) stays in the holdout, as assigned, and is counted apart.
   */
  async journeyLift(accountId: string, journeyId: string, opts: { windowDays?: number } = {}) {
    const journey = await getJourney(this.db.kysely, accountId, journeyId);
    if (!journey) return undefined;
    const account = (await this.accounts.get(accountId))!;
    const [steps, campaignIds, setting] = await Promise.all([
      listSteps(this.db.kysely, accountId, [journeyId]),
      this.journeyCampaignIds(accountId, journeyId),
      getHoldoutSetting(this.db.kysely, accountId, 'journey', journeyId),
    ]);
    const [own, money] = await Promise.all([
      listHoldoutSettings(this.db.kysely, accountId, 'campaign', campaignIds),
      this.campaigns.money.byCampaign(accountId, campaignIds),
    ]);
    const withOwn = new Set(own.map((o) => o.owner_id));
    const windowMs = liftWindow(opts.windowDays, steps.map((s) => s.channel as Channel));
    const attributedRevenueMinor = campaignIds.reduce((sum, id) => sum + (money.get(id)?.revenueMinor ?? 0), 0);
    const measured = await this.compareGroups(
      accountId, account.currency, windowMs, attributedRevenueMinor,
      { group: 'treated', campaignIds, per: 'contact' },
      { group: 'holdout', campaignIds: campaignIds.filter((id) => !withOwn.has(id)), per: 'contact' },
    );
    return {
      journeyId,
      currency: account.currency,
      holdoutShare: setting?.share ?? 0,
      campaignIds,
      campaignsWithOwnHoldout: campaignIds.filter((id) => withOwn.has(id)),
      windowDays: windowMs / 86_400_000,
      heldOutWithMessages: measured.heldOutWithMessages,
      ...measured.result,
    };
  }

  /**
   * trueLift of two groups read over the same window. Members are compared as assigned (intention to treat): a
   * member found in both groups (only possible per contact) counts in the holdout alone.
   */
  private async compareGroups(accountId: string, currency: string, windowMs: number, attributedRevenueMinor: number, treated: LiftGroup, holdout: LiftGroup) {
    if (treated.per === 'message') {
      // Treated members are messages and held-out ones contacts (msg_… and ct_… ids): no member is in both groups, so
      // the treated sums need only the messages whose contact ordered, not a row per message (issue #20).
      const [sums, holdoutRows] = await Promise.all([
        sumMessageGroupOutcomes(this.db.kysely, accountId, treated.campaignIds, windowMs, currency),
        listGroupOutcomes(this.db.kysely, accountId, holdout, windowMs, currency),
      ]);
      const outcome = { ...groupOutcome(sums.buyers), n: sums.members };
      return { result: trueLift({ treated: outcome, holdout: groupOutcome(holdoutRows), attributedRevenueMinor }), heldOutWithMessages: 0 };
    }
    const [treatedRows, holdoutRows] = await Promise.all([
      listGroupOutcomes(this.db.kysely, accountId, treated, windowMs, currency),
      listGroupOutcomes(this.db.kysely, accountId, holdout, windowMs, currency),
    ]);
    const held = new Set(holdoutRows.map((r) => r.member));
    const treatedOnly = treatedRows.filter((r) => !held.has(r.member));
    return {
      result: trueLift({ treated: groupOutcome(treatedOnly), holdout: groupOutcome(holdoutRows), attributedRevenueMinor }),
      heldOutWithMessages: treatedRows.length - treatedOnly.length,
    };
  }
}

/** The window in ms: `windowDays` when given, else the longest default attribution window of the channels. */
function liftWindow(windowDays: number | undefined, channels: Channel[]): number {
  if (windowDays !== undefined) return Math.round(windowDays * 86_400_000);
  return Math.max(...(channels.length ? channels : (['email'] as Channel[])).map(liftWindowMs));
}

/** Sums of one group: every assigned member counts, with 0 when it bought nothing in the window. */
export function groupOutcome(rows: { orders: number; revenue: number }[]): GroupOutcome {
  let converters = 0;
  let revenueSum = 0;
  let revenueSumSq = 0;
  for (const r of rows) {
    if (r.orders > 0) converters += 1;
    revenueSum += r.revenue;
    revenueSumSq += r.revenue * r.revenue;
  }
  return { n: rows.length, converters, revenueSum, revenueSumSq };
}

function emptyStats(id: string): VariantFigures {
  return { id, delivered: 0, opened: 0, clicked: 0, converters: 0, revenueMinor: 0, revenueSqMinor: 0 };
}

function toVariant(r: CampaignVariantRow): Variant {
  return { variant: r.id, name: r.name, template: JSON.parse(r.template), split: r.split, isControl: r.is_control === 1, declared: true };
}

/** The variant whose cumulative split covers `position` (in [0, 1)). */
export function pickVariant(variants: Pick<CampaignVariantRow, 'id' | 'split'>[], position: number): string {
  const total = variants.reduce((s, v) => s + v.split, 0);
  let acc = 0;
  for (const v of variants) {
    acc += v.split / total;
    if (position < acc) return v.id;
  }
  return variants[variants.length - 1].id;
}

/** The account's attribution model (settings.attribution.model), last touch by default as docs/ATTRIBUTION.md says. */
export function attributionModel(settings: string | Record<string, unknown>): string {
  const s = typeof settings === 'string' ? (JSON.parse(settings || '{}') as Record<string, unknown>) : settings;
  const a = s.attribution as { model?: unknown } | undefined;
  return typeof a?.model === 'string' ? a.model : typeof s.attributionModel === 'string' ? s.attributionModel : 'last_touch';
}

function recipientOf(channel: Channel, r: RecipientIdentity, country?: string): string {
  return (
    recipientAddress(channel, r, country) ??
    (channel === 'email' ? normalizeEmail(r.email) ?? r.email : channel === 'mail' ? normalizeAddress(r.address) : normalizePhone(r.phone, country) ?? r.phone) ??
    (r.externalId ? `ext:${r.externalId}` : '')
  );
}

async function contactsWithMessages(trx: Transaction<DB>, accountId: string, campaignId: string, contactIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < contactIds.length; i += 900) {
    const rows = await trx
      .selectFrom('messages')
      .select('contact_id')
      .where('account_id', '=', accountId)
      .where('campaign_id', '=', campaignId)
      .where('contact_id', 'in', contactIds.slice(i, i + 900))
      .execute();
    for (const r of rows) if (r.contact_id) out.add(r.contact_id);
  }
  return out;
}

/**
 * The contact of each recipient, created when unknown, by the keys message registration uses (external id, email,
 * phone, postal address, strongest first): the holdout is decided per contact before any message exists.
 */
async function resolveContacts(trx: Transaction<DB>, accountId: string, identities: RecipientIdentity[], country: string | undefined, now: number): Promise<(string | null)[]> {
  const norm = identities.map((r) => ({
    externalId: r.externalId ?? null,
    email: normalizeEmail(r.email),
    phone: normalizePhone(r.phone, country),
    addressKey: normalizeAddress(r.address),
    raw: r,
  }));
  const found = await findContactsByKeys(trx, accountId, {
    externalIds: norm.flatMap((n) => (n.externalId ? [n.externalId] : [])),
    emails: norm.flatMap((n) => (n.email ? [n.email] : [])),
    phones: norm.flatMap((n) => (n.phone ? [n.phone] : [])),
    addressKeys: norm.flatMap((n) => (n.addressKey ? [n.addressKey] : [])),
  });
  const index = new Map<string, string>();
  const put = (c: Pick<ContactRow, 'id' | 'external_id' | 'email' | 'phone' | 'address_key'>) => {
    if (c.external_id) index.set(`x:${c.external_id}`, c.id);
    if (c.email) index.set(`e:${c.email}`, c.id);
    if (c.phone) index.set(`p:${c.phone}`, c.id);
    if (c.address_key) index.set(`a:${c.address_key}`, c.id);
  };
  found.forEach(put);
  const created: ContactRow[] = [];
  const out = norm.map((n) => {
    const hit =
      (n.externalId && index.get(`x:${n.externalId}`)) || (n.email && index.get(`e:${n.email}`)) ||
      (n.phone && index.get(`p:${n.phone}`)) || (n.addressKey && index.get(`a:${n.addressKey}`)) || null;
    if (hit) return hit;
    if (!n.externalId && !n.email && !n.phone && !n.addressKey) return null;
    const row: ContactRow = {
      account_id: accountId,
      id: timeOrderedId('ct_'),
      external_id: n.externalId, email: n.email, phone: n.phone,
      address: n.raw.address ? JSON.stringify(n.raw.address) : null,
      address_key: n.addressKey,
      first_name: n.raw.firstName ?? null, last_name: n.raw.lastName ?? null,
      opt_out_email: null, opt_out_sms: null, opt_out_whatsapp: null, opt_out_mail: null,
      created_at: now, updated_at: now,
    };
    created.push(row);
    put(row);
    return row.id;
  });
  await insertContacts(trx, created);
  return out;
}
