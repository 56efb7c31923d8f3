// Attribution over stored data: the account's settings, the touches of an order (its buyer's messages and their
// human clicks, opens, reads, scans, deliveries and sends; its landing click id and UTM; its discount codes), the
// credits written per order, re-attribution when late data arrives, full recomputation, the "compare models" view,
// and the money figures the campaign pages read (MoneySource).
import { readDeclaredConfig, type DeclaredConfig } from '../domain/declared';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { CacheListener } from './cacheBus';
import type { DB } from '../store/schema';
import {
  countOrders, countUnconvertedOrders, deleteAttributionsOfOrders, findHumanEngagements, findTouchMessages,
  findTouchMessagesByIds, findMachineEngagements, findAttributionsOfOrders, findOrdersOfContacts, findCampaignNames, getOrder, insertAttributions, listCampaignsForAttribution, listCurrencyRates, listDiscountCodes, listOrdersByBuyerPage, listOrdersPage,
  sumAttributionsByCampaign, sumAttributionsByDay, sumAttributionsByOrder, sumAttributionsForPeriod, sumOrdersRevenue, updateNewCustomerMarks, deleteOtherModels,
  type CampaignMoneyRow,
  type AttributionRow, type BuyerCursor, type CampaignLookupRow, type CreditPeriod, type OrderRow, type TouchMessageRow,
} from '../store/orders';
import {
  accountWindows, attributeOrder, compareModels, explainOrder, isDirect, windowFor, DEFAULT_HALF_LIFE_MS, DEFAULT_MODEL, ATTRIBUTION_MODELS, messageSentAt, touchesFromSignals,
  RULE_MODELS, WEIGHT_SCALE, WINDOW_KINDS, type AttributableOrder, type ModelOptions, type RuleModel, type ResolvedSignal, type AttributionModel, type AttributionWindows, type ExchangeRate, type ModelComparisonRow, type Touch,
  type TouchKind, type WindowKind,
} from '../domain/attribution';
import type { RevenueBasis } from '../domain/orders';
import { markNewCustomers } from '../domain/newCustomers';
import { latestFit } from '../store/dataDriven';
import { shareCredits } from '../domain/orderLines';
import { deleteLineCreditsOfOrders, deleteOtherModelsLineCredits, findLinesOfOrders, insertLineCredits, type LineCreditRow } from '../store/products';
import { CHANNELS, type Channel } from '../domain/types';
import { dayInZone } from '../domain/message';
import { NO_MONEY, type MoneyFacts, type RevenueDate } from '../domain/kpis';
import type { AccountDirectory } from './accounts';
import type { AppliedEvent } from './ingest';
import type { Writer } from './writer';
import { nextDay, zonedDayStart, type MoneySource } from './campaigns';
import {
  deleteConversionCreditsOfOtherModels, deleteCreditsOfConversions, findConversionsOfContacts, insertConversionCredits, listConversionsById,
  type ConversionCreditRow, type ConversionRow,
} from '../store/conversions';

type Handle = Db['kysely'] | Transaction<DB>;
const HOUR = 3_600_000;

/** The account's attribution settings, stored in its settings (`revenueBasis`, `attribution`). */
export interface AttributionSettings {
  model: AttributionModel;
  /** The rule model `data_driven` credits by while it has no fit (the rule model the account used before it). */
  fallbackModel: RuleModel;
  revenueBasis: RevenueBasis;
  /** Per channel and window kind, in hours; null removes a default window. Only the account's overrides. */
  windowsHours: Partial<Record<Channel, Partial<Record<WindowKind, number | null>>>>;
  halfLifeHours: number;
}

/** The window kinds shown per channel (the defaults of docs/ATTRIBUTION.md): direct first, then influence. */
export const CHANNEL_WINDOW_KINDS: Record<Channel, [WindowKind, WindowKind]> = {
  email: ['click', 'open'],
  sms: ['click', 'delivery'],
  whatsapp: ['click', 'read'],
  mail: ['scan', 'sent'],
};

/** Reads the stored settings; also understands the dashboard's `{ direct, influence }` per channel. */
export function readSettings(raw: Record<string, unknown>): AttributionSettings {
  const a = (raw.attribution ?? {}) as { model?: string; fallbackModel?: string; windowsHours?: Record<string, Record<string, number | null>>; halfLifeHours?: number };
  const model = (ATTRIBUTION_MODELS as readonly string[]).includes(a.model ?? '') ? (a.model as AttributionModel) : DEFAULT_MODEL;
  const windowsHours: AttributionSettings['windowsHours'] = {};
  for (const channel of CHANNELS) {
    const given = a.windowsHours?.[channel];
    if (!given) continue;
    const out: Partial<Record<WindowKind, number | null>> = {};
    for (const [k, v] of Object.entries(given)) {
      const kind = k === 'direct' ? CHANNEL_WINDOW_KINDS[channel][0] : k === 'influence' ? CHANNEL_WINDOW_KINDS[channel][1] : k;
      if ((WINDOW_KINDS as readonly string[]).includes(kind) && (v === null || (typeof v === 'number' && v >= 0))) out[kind as WindowKind] = v;
    }
    windowsHours[channel] = out;
  }
  return {
    model,
    fallbackModel: (RULE_MODELS as readonly string[]).includes(a.fallbackModel ?? '') ? (a.fallbackModel as RuleModel) : DEFAULT_MODEL,
    revenueBasis: raw.revenueBasis === 'gross' ? 'gross' : 'net',
    windowsHours,
    halfLifeHours: typeof a.halfLifeHours === 'number' && a.halfLifeHours > 0 ? a.halfLifeHours : DEFAULT_HALF_LIFE_MS / HOUR,
  };
}

export function effectiveWindows(s: AttributionSettings): AttributionWindows {
  const overrides: Partial<Record<Channel, Partial<Record<WindowKind, number | null>>>> = {};
  for (const [channel, kinds] of Object.entries(s.windowsHours) as [Channel, Partial<Record<WindowKind, number | null>>][]) {
    overrides[channel] = Object.fromEntries(Object.entries(kinds).map(([k, h]) => [k, h === null ? null : Math.round(h * HOUR)]));
  }
  return accountWindows(overrides);
}

/** What attributing one account's orders needs, loaded once per batch. */
export interface AccountContext {
  accountId: string;
  currency: string;
  timeZone: string;
  defaultCountry: string | undefined;
  settings: AttributionSettings;
  /** Which note attributes hold the declared source and the rules mapping it (domain/declared.ts). */
  declared: DeclaredConfig;
  windows: AttributionWindows;
  /** The longest window: no touch older than this before an order can count. */
  maxWindowMs: number;
  halfLifeMs: number;
  /** What the models need besides the path: the half-life, the data-driven fit's campaign weights and fallback. */
  modelOptions: ModelOptions;
  /** The data-driven fit crediting orders: its id, or null when `data_driven` falls back to `fallbackModel`. */
  fitId: string | null;
  rates: ExchangeRate[];
  campaigns: Map<string, CampaignLookupRow>;
  bySlug: Map<string, CampaignLookupRow[]>;
  codes: Map<string, string>;
  loadedAt: number;
}

/** Mesure click id → the message whose tracked link was clicked (and when), from the tracking area. */
export type ClickIdResolver = (accountId: string, clickId: string) => Promise<{ messageId: string; at: number | null } | null>;

/**
 * Adapts whatever the tracking service answers (a message id, or an object naming it and maybe the click time) so
 * that this area does not depend on its exact shape; absent service or method: no resolution (UTM still works).
 */
export function trackingClickResolver(tracking: () => unknown): ClickIdResolver {
  return async (accountId, clickId) => {
    const t = tracking() as { findMessageByClickId?: (a: string, c: string) => Promise<unknown> } | undefined;
    if (!t || typeof t.findMessageByClickId !== 'function') return null;
    const r = (await t.findMessageByClickId(accountId, clickId)) as unknown;
    if (typeof r === 'string') return { messageId: r, at: null };
    if (!r || typeof r !== 'object') return null;
    const o = r as Record<string, unknown>;
    const messageId = (o.messageId ?? o.message_id) as unknown;
    if (typeof messageId !== 'string') return null;
    const rawAt = o.at ?? o.clickedAt ?? o.clicked_at;
    const at = typeof rawAt === 'number' ? rawAt : typeof rawAt === 'string' ? Date.parse(rawAt) : null;
    return { messageId, at: at !== null && Number.isFinite(at) ? at : null };
  };
}

/** How a touch reached the order: a message of the matched contact, or the order's own landing click id, UTM or code. */
export interface TouchOrigin {
  via: 'contact' | 'click_id' | 'utm' | 'code';
  /** The click id, utm_campaign or discount code; null for the contact's messages (the order's matchedBy says how). */
  value: string | null;
}
/** How long after an order its explanation still lists touches (shown as "after the order"). */
const EXPLAIN_AFTER_MS = 7 * 24 * HOUR;

const TOUCH_EVENT_TYPES = new Set(['sent', 'delivered', 'opened', 'clicked', 'scanned']);
const CONTEXT_TTL_MS = 2000;

/**
 * What the engine reads of the unit it credits: an order, or a conversion other than an order (a sign-up, a booking…)
 * seen as one through `conversionUnit` (no landing URL, no discount code; its value in place of revenue). Both go
 * through the same touches, windows, models and rounding.
 */
export type CreditedUnit = Pick<
  OrderRow,
  'account_id' | 'id' | 'contact_id' | 'ordered_at' | 'click_id' | 'click_message_id' | 'click_at' | 'utm_campaign' | 'utm_medium' | 'discount_codes' |
  'revenue_minor' | 'revenue_currency' | 'cancelled_at' | 'item_quantity' | 'new_customer'
>;

/** A conversion as the engine's unit: its time, its person, its value (0 without one); it carries no signal of its own. */
export function conversionUnit(c: ConversionRow): CreditedUnit {
  return {
    account_id: c.account_id, id: c.id, contact_id: c.contact_id, ordered_at: Number(c.occurred_at), click_id: null, click_message_id: null, click_at: null,
    utm_campaign: null, utm_medium: null, discount_codes: '[]', revenue_minor: Number(c.credit_value_minor), revenue_currency: c.credit_currency,
    cancelled_at: null, item_quantity: 0, new_customer: null,
  };
}

export interface RecomputeSummary {
  orders: number;
  credited: number;
  credits: number;
  seconds: number;
}

export class Attribution implements MoneySource {
  private contexts = new Map<string, AccountContext>();

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    public clickIds: ClickIdResolver = async () => null,
  ) {}

  // ------------------------------------------------------------------------------------------ context

  async context(h: Handle, accountId: string): Promise<AccountContext> {
    const hit = this.contexts.get(accountId);
    if (hit && performance.now() - hit.loadedAt < CONTEXT_TTL_MS) return hit;
    const account = await this.accounts.get(accountId, h);
    if (!account) throw new Error(`Account ${accountId} not found.`);
    const stored = JSON.parse(account.settings || '{}') as Record<string, unknown>;
    const settings = readSettings(stored);
    const windows = effectiveWindows(settings);
    const maxWindowMs = Math.max(0, ...Object.values(windows).flatMap((k) => Object.values(k).filter((v): v is number => typeof v === 'number')));
    const campaigns = await listCampaignsForAttribution(h, accountId);
    const bySlug = new Map<string, CampaignLookupRow[]>();
    for (const c of campaigns) bySlug.set(c.slug, [...(bySlug.get(c.slug) ?? []), c]);
    // The newest data-driven fit (one indexed row): its campaigns' removal-effect shares weigh data_driven's paths.
    const fit = await latestFit(h, accountId);
    const weights = fit?.status === 'fitted' ? (JSON.parse(fit.weights) as { campaigns: { campaignId: string; share: number }[] }).campaigns : null;
    const ctx: AccountContext = {
      accountId,
      currency: account.currency,
      timeZone: account.time_zone,
      defaultCountry: account.default_country ?? undefined,
      settings,
      declared: readDeclaredConfig(stored),
      windows,
      maxWindowMs,
      halfLifeMs: settings.halfLifeHours * HOUR,
      modelOptions: {
        halfLifeMs: settings.halfLifeHours * HOUR,
        fallbackModel: settings.fallbackModel,
        campaignWeights: weights ? new Map(weights.map((c) => [c.campaignId, c.share])) : undefined,
      },
      fitId: weights ? fit!.id : null,
      rates: (await listCurrencyRates(h, accountId)).map((r) => ({ from: r.from_currency, to: r.to_currency, rate: r.rate, validFrom: Number(r.valid_from) })),
      campaigns: new Map(campaigns.map((c) => [c.id, c])),
      bySlug,
      codes: new Map((await listDiscountCodes(h, accountId)).map((d) => [d.code, d.campaign_id])),
      loadedAt: performance.now(),
    };
    this.contexts.set(accountId, ctx);
    return ctx;
  }

  /** Another node changed the account (its settings, rates, codes…), or changes may have been missed (`everything`). */
  readonly dropCached: CacheListener = (change) => {
    if (change === 'everything') this.contexts.clear();
    else if (change.kind === 'account') this.contexts.delete(change.accountId);
  };

  /** Settings, rates, codes or campaigns changed: the next batch reloads them (here, and on the other nodes). */
  invalidate(accountId: string): void {
    this.contexts.delete(accountId);
    this.accounts.forget(accountId);
  }

  // ------------------------------------------------------------------------------------------ touches

  /**
   * The touches of each order, from stored data only. Messages of the buyer are read once for the whole batch,
   * and their event log only for messages engaged more than once (the first open, click and scan are on the message).
   */
  async gatherTouches(
    h: Handle,
    ctx: AccountContext,
    orders: CreditedUnit[],
    explain = false,
  ): Promise<{ touches: Map<string, Touch[]>; messages: Map<string, TouchMessageRow>; origins: Map<string, TouchOrigin[]> }> {
    const touches = new Map<string, Touch[]>();
    const messages = new Map<string, TouchMessageRow>();
    // Explaining an order looks wider than crediting it (twice the longest window before, a week after, machine
    // opens and bot clicks too) so that it can show what did not count; the domain drops all of those from the credit.
    const lookback = explain ? 2 * ctx.maxWindowMs : ctx.maxWindowMs;
    const after = explain ? EXPLAIN_AFTER_MS : 0;
    const origins = new Map<string, TouchOrigin[]>();
    if (orders.length === 0) return { touches, messages, origins };
    let minAt = Infinity;
    let maxAt = -Infinity;
    for (const o of orders) {
      minAt = Math.min(minAt, o.ordered_at);
      maxAt = Math.max(maxAt, o.ordered_at);
    }
    const since = minAt - lookback;
    const contactIds = [...new Set(orders.map((o) => o.contact_id).filter((c): c is string => c !== null))];
    const byContact = new Map<string, TouchMessageRow[]>();
    for (const m of contactIds.length ? await findTouchMessages(h, ctx.accountId, contactIds, since, this.db) : []) {
      messages.set(m.id, m);
      const list = byContact.get(m.contact_id!);
      if (list) list.push(m);
      else byContact.set(m.contact_id!, [m]);
    }
    const clickMessageIds = orders.map((o) => o.click_message_id).filter((id): id is string => id !== null && !messages.has(id));
    for (const m of clickMessageIds.length ? await findTouchMessagesByIds(h, ctx.accountId, clickMessageIds) : []) messages.set(m.id, m);
    if ([...messages.values()].some((m) => !ctx.campaigns.has(m.campaign_id))) {
      // A campaign created since the context was loaded.
      this.contexts.delete(ctx.accountId);
      const fresh = await this.context(h, ctx.accountId);
      ctx.campaigns = fresh.campaigns;
      ctx.bySlug = fresh.bySlug;
    }
    const repeated = [...messages.values()].filter((m) => m.opens + m.clicks + m.scans > 1 && (m.last_engaged_at ?? -Infinity) >= since).map((m) => m.id);
    const engagements = new Map<string, { type: string; at: number }[]>();
    for (const e of repeated.length ? await findHumanEngagements(h, ctx.accountId, repeated, since, maxAt + after, this.db) : []) {
      const list = engagements.get(e.message_id);
      if (list) list.push(e);
      else engagements.set(e.message_id, [e]);
    }
    const repeatedSet = new Set(repeated);
    // When each message was sent (the domain rule): it counts for the orders placed from then on, whenever it was registered.
    const sentAt = new Map<string, number>();
    for (const m of messages.values()) {
      const sendAt = ctx.campaigns.get(m.campaign_id)?.send_at;
      sentAt.set(m.id, messageSentAt(m, Number(m.registered_at), sendAt === null || sendAt === undefined ? null : Number(sendAt)));
    }

    const machine = new Map<string, { type: string; at: number; flag_reason: string | null }[]>();
    if (explain) {
      for (const e of messages.size ? await findMachineEngagements(h, ctx.accountId, [...messages.keys()], since, maxAt + after) : []) {
        machine.set(e.message_id, [...(machine.get(e.message_id) ?? []), e]);
      }
    }

    for (const o of orders) {
      const lo = o.ordered_at - lookback;
      const hi = o.ordered_at;
      const out: Touch[] = [];
      // The buyer's messages this order can see, whatever else the page read: exactly what reading this order alone gives.
      const own = o.contact_id ? ownMessages(byContact.get(o.contact_id), sentAt, lo, hi) : [];
      for (const m of explain && o.contact_id ? ownMessages(byContact.get(o.contact_id), sentAt, lo, hi + after) : own) {
        const channel = ctx.campaigns.get(m.campaign_id)?.channel as Channel | undefined;
        if (!channel) continue;
        messageTouches(m, channel, repeatedSet.has(m.id) ? (engagements.get(m.id) ?? []) : null, lo, hi + after, out);
        for (const e of machine.get(m.id) ?? []) {
          const kind: TouchKind = e.type === 'opened' ? (channel === 'whatsapp' ? 'read' : 'open') : e.type === 'clicked' ? 'click' : 'scan';
          out.push({ campaignId: m.campaign_id, messageId: m.id, channel, kind, at: e.at, machine: true, flagReason: e.flag_reason });
        }
      }
      const origin: TouchOrigin[] | null = explain ? out.map(() => ({ via: 'contact', value: null })) : null;
      // What the order itself says (its landing click id or UTM, its discount codes), resolved against the account's
      // campaigns, becomes touches through the domain's touchesFromSignals.
      const resolved: ResolvedSignal[] = [];
      // The landing URL's click id names the message whose link was clicked: a direct touch at the click.
      const clicked = o.click_message_id ? messages.get(o.click_message_id) : undefined;
      const clickedCampaign = clicked && sentAt.get(clicked.id)! <= hi ? ctx.campaigns.get(clicked.campaign_id) : undefined;
      if (clicked && clickedCampaign) {
        resolved.push({ via: 'utm', campaignId: clickedCampaign.id, messageId: clicked.id, channel: clickedCampaign.channel as Channel, at: o.click_at === null ? undefined : Number(o.click_at) });
        origin?.push({ via: 'click_id', value: o.click_id });
      } else if (o.utm_campaign) {
        // utm_campaign naming a campaign by its slug (when no click id said more).
        const c = campaignBySlug(ctx, o.utm_campaign, o.utm_medium, hi);
        if (c) {
          resolved.push({ via: 'utm', campaignId: c.id, messageId: ownMessageOf(own, sentAt, c.id), channel: c.channel as Channel });
          origin?.push({ via: 'utm', value: o.utm_campaign });
        }
      }
      for (const code of JSON.parse(o.discount_codes) as string[]) {
        const campaignId = ctx.codes.get(code);
        const c = campaignId ? ctx.campaigns.get(campaignId) : undefined;
        if (c) {
          resolved.push({ via: 'code', campaignId: c.id, messageId: ownMessageOf(own, sentAt, c.id), channel: c.channel as Channel });
          origin?.push({ via: 'code', value: code });
        }
      }
      out.push(...touchesFromSignals({ at: hi }, resolved));
      touches.set(o.id, out);
      if (origin) origins.set(o.id, origin);
    }
    return { touches, messages, origins };
  }

  /** The credit rows of these orders under the account's model. Pure over what gatherTouches read. */
  creditRows(ctx: AccountContext, orders: CreditedUnit[], touches: Map<string, Touch[]>, messages: Map<string, TouchMessageRow>, model = ctx.settings.model): AttributionRow[] {
    const rows: AttributionRow[] = [];
    for (const o of orders) {
      const credits = attributeOrder(attributable(o), touches.get(o.id) ?? [], model, ctx.windows, ctx.modelOptions);
      for (const c of credits) {
        const m = c.messageId ? messages.get(c.messageId) : undefined;
        rows.push({
          account_id: o.account_id,
          order_id: o.id,
          model,
          campaign_id: c.campaignId,
          message_id: c.messageId,
          contact_id: o.contact_id ?? m?.contact_id ?? null,
          channel: c.channel,
          kind: c.kind,
          weight_micro: c.weightMicro,
          revenue_minor: c.revenueMinor,
          currency: o.revenue_currency,
          direct: c.direct ? 1 : 0,
          items: o.item_quantity,
          order_at: o.ordered_at,
          cohort_day: m?.cohort_day ?? campaignDay(ctx, c.campaignId, o.ordered_at),
          new_customer: o.new_customer === null ? null : Number(o.new_customer),
        });
      }
    }
    return rows;
  }

  /** Replaces the credits of these orders (inside the caller's transaction). Returns the rows written. */
  async attributeIn(trx: Transaction<DB>, ctx: AccountContext, orders: OrderRow[]): Promise<AttributionRow[]> {
    if (orders.length === 0) return [];
    const { touches, messages } = await this.gatherTouches(trx, ctx, orders);
    const rows = this.creditRows(ctx, orders, touches, messages);
    await deleteAttributionsOfOrders(trx, ctx.accountId, orders.map((o) => o.id), this.db);
    await insertAttributions(trx, rows, this.db);
    await this.writeLineCredits(trx, ctx.accountId, orders.map((o) => o.id), rows);
    return rows;
  }

  /**
   * Replaces the credits of these conversions (inside the caller's transaction): the same touches, model and rounding
   * as an order's (creditRows), written to conversion_credits with the conversion's type; the value is split as revenue is.
   */
  async attributeConversionsIn(trx: Transaction<DB>, ctx: AccountContext, conversions: ConversionRow[]): Promise<ConversionCreditRow[]> {
    if (conversions.length === 0) return [];
    const units = conversions.map(conversionUnit);
    const { touches, messages } = await this.gatherTouches(trx, ctx, units);
    const typeOf = new Map(conversions.map((c) => [c.id, c.type]));
    const rows: ConversionCreditRow[] = this.creditRows(ctx, units, touches, messages).map((r) => ({
      account_id: r.account_id, conversion_id: r.order_id, model: r.model, campaign_id: r.campaign_id, type: typeOf.get(r.order_id)!,
      message_id: r.message_id, contact_id: r.contact_id, channel: r.channel, kind: r.kind, weight_micro: r.weight_micro, value_minor: r.revenue_minor,
      currency: r.currency, direct: r.direct, occurred_at: r.order_at, cohort_day: r.cohort_day,
    }));
    await deleteCreditsOfConversions(trx, ctx.accountId, conversions.map((c) => c.id));
    await insertConversionCredits(trx, rows);
    return rows;
  }

  /**
   * What sold: each campaign's credit of these orders shared among the orders' lines (shareCredits), replacing what
   * was kept. Reads the lines of the credited orders only (primary-key ranges).
   */
  private async writeLineCredits(trx: Transaction<DB>, accountId: string, orderIds: string[], rows: AttributionRow[]): Promise<void> {
    await deleteLineCreditsOfOrders(trx, accountId, orderIds);
    if (rows.length === 0) return;
    const byOrder = new Map<string, AttributionRow[]>();
    for (const r of rows) byOrder.set(r.order_id, [...(byOrder.get(r.order_id) ?? []), r]);
    const lines = await findLinesOfOrders(trx, accountId, [...byOrder.keys()]);
    const linesOf = new Map<string, typeof lines>();
    for (const l of lines) linesOf.set(l.order_id, [...(linesOf.get(l.order_id) ?? []), l]);
    const out: LineCreditRow[] = [];
    for (const [orderId, credits] of byOrder) {
      const own = linesOf.get(orderId) ?? [];
      const byNo = new Map(own.map((l) => [l.line_no, l]));
      const byCampaign = new Map(credits.map((c) => [c.campaign_id, c]));
      const shares = shareCredits(
        own.map((l) => ({ lineNo: l.line_no, netMinor: l.net_minor, quantity: l.quantity })),
        credits.map((c) => ({ campaignId: c.campaign_id, revenueMinor: Number(c.revenue_minor), weightMicro: Number(c.weight_micro) })),
      );
      for (const s of shares) {
        const line = byNo.get(s.lineNo);
        const credit = byCampaign.get(s.campaignId)!;
        out.push({
          account_id: accountId, order_id: orderId, model: credit.model, campaign_id: s.campaignId, line_no: s.lineNo,
          product_key: line ? (line.product_id ?? line.sku ?? line.title) : null, product_title: line?.title ?? null, product_type: line?.product_type ?? null,
          revenue_minor: s.revenueMinor, weight_micro: s.weightMicro, currency: credit.currency, cohort_day: credit.cohort_day,
        });
      }
    }
    await insertLineCredits(trx, out);
  }

  /**
   * Late data: events just applied (a click ingested after its order, a late delivery…) re-attribute the orders of
   * the same buyers placed inside the longest window after them. Runs in the ingesting transaction.
   */
  onEventsApplied = async (trx: Transaction<DB>, accountId: string, applied: AppliedEvent[]): Promise<void> => {
    const touching = applied.filter((a) => !a.machine && a.contactId !== null && TOUCH_EVENT_TYPES.has(a.type));
    if (touching.length === 0) return;
    const ctx = await this.context(trx, accountId);
    const at = touching.map((a) => a.at);
    const orders = await findOrdersOfContacts(trx, accountId, touching.map((a) => a.contactId!), Math.min(...at), Math.max(...at) + ctx.maxWindowMs, this.db.kind === 'postgres');
    const affected = orders.filter((o) => touching.some((a) => a.contactId === o.contact_id && a.at <= o.ordered_at && o.ordered_at - a.at <= ctx.maxWindowMs));
    await this.attributeIn(trx, ctx, affected);
    // Conversions other than orders are re-credited by the same rule (index conversions_contact: the same buyers, the same span).
    const conversions = await findConversionsOfContacts(trx, accountId, touching.map((a) => a.contactId!), Math.min(...at), Math.max(...at) + ctx.maxWindowMs);
    await this.attributeConversionsIn(trx, ctx, conversions.filter((c) => touching.some((a) => a.contactId === c.contact_id && a.at <= c.occurred_at && c.occurred_at - a.at <= ctx.maxWindowMs)));
  };

  /**
   * Redoes every credit of the account (model, windows or codes changed; `mesure attribute --recompute`), page by
   * page in order time, each page one transaction: figures stay readable meanwhile.
   */
  async recompute(accountId: string, opts: { pageSize?: number; progress?: (done: number, total: number) => void; beforePage?: (trx: Transaction<DB>, rows: OrderRow[]) => Promise<void> } = {}): Promise<RecomputeSummary> {
    const t0 = performance.now();
    this.invalidate(accountId);
    const ctx = await this.context(this.db.kysely, accountId);
    const total = await countOrders(this.db.kysely, accountId);
    await this.writer.run(async (trx) => {
      await deleteOtherModels(trx, accountId, ctx.settings.model);
      await deleteOtherModelsLineCredits(trx, accountId, ctx.settings.model);
    });
    const pageSize = opts.pageSize ?? 2000;
    // Pages in buyer order: a page's buyers are neighbours in the messages' contact index, so their messages are read
    // in a few statements over a narrow part of it (in time order every page's buyers are spread over all of it).
    let after: BuyerCursor | undefined;
    let done = 0;
    let credited = 0;
    let credits = 0;
    for (;;) {
      const page = await this.writer.run(async (trx) => {
        const { rows, next } = await listOrdersByBuyerPage(trx, accountId, after, pageSize, this.db);
        if (opts.beforePage) await opts.beforePage(trx, rows);
        await remarkNewCustomers(trx, accountId, rows);
        const written = await this.attributeIn(trx, ctx, rows);
        return { rows, next, written };
      }, pageSize);
      done += page.rows.length;
      credits += page.written.length;
      credited += new Set(page.written.map((r) => r.order_id)).size;
      if (page.rows.length) opts.progress?.(done, total);
      if (!page.next) break;
      after = page.next;
    }
    // Then the conversions other than orders, by id, page by page (their credits go to conversion_credits).
    await this.writer.run((trx) => deleteConversionCreditsOfOtherModels(trx, accountId, ctx.settings.model));
    let afterId: string | null = null;
    for (;;) {
      const page: ConversionRow[] = await this.writer.run(async (trx) => {
        const rows = await listConversionsById(trx, accountId, afterId, pageSize);
        await this.attributeConversionsIn(trx, ctx, rows);
        return rows;
      }, pageSize);
      if (page.length < pageSize) break;
      afterId = page[page.length - 1].id;
    }
    return { orders: done, credited, credits, seconds: (performance.now() - t0) / 1000 };
  }

  // ------------------------------------------------------------------------------------------ one order explained

  /**
   * Why an order is credited as it is (GET /v1/orders/{id}/attribution): its contact and the key that matched it, every
   * touch around it with the domain's verdict (explainOrder, the code that computes the credits), each counted touch's
   * share under every model, the credits every model would give, and the rows stored under the account's model.
   * Indexed reads only: the order, its buyer's messages and their events, its credit rows. Null: no such order.
   */
  async explain(accountId: string, orderId: string) {
    const h = this.db.kysely;
    const o = await getOrder(h, accountId, orderId);
    if (!o) return null;
    const ctx = await this.context(h, accountId);
    // The stored rows are read beside the touches (on PostgreSQL, on another pooled connection).
    const [{ touches, origins }, storedAll] = await Promise.all([this.gatherTouches(h, ctx, [o], true), findAttributionsOfOrders(h, accountId, [o.id])]);
    const list = touches.get(o.id) ?? [];
    const origin = origins.get(o.id) ?? [];
    const order = attributable(o);
    const x = explainOrder(order, list, ctx.windows, ctx.modelOptions);
    const stored = storedAll.filter((r) => r.model === ctx.settings.model);
    const names = new Map((await findCampaignNames(h, accountId, list.map((t) => t.campaignId))).map((c) => [c.id, c.name]));
    const position = new Map(x.path.map((i, k) => [i, k]));
    const iso = (ms: number) => new Date(ms).toISOString();
    const shown = list
      .map((t, i) => {
        const v = x.verdicts[i];
        const k = position.get(i);
        return {
          campaignId: t.campaignId,
          campaignName: names.get(t.campaignId) ?? null,
          messageId: t.messageId,
          channel: t.channel,
          kind: t.kind,
          direct: isDirect(t.kind),
          at: iso(t.at),
          ageMs: order.at - t.at,
          via: origin[i]?.via ?? 'contact',
          viaValue: origin[i]?.value ?? null,
          counted: v.counted,
          reason: v.counted ? null : v.reason,
          windowMs: !v.counted && v.reason === 'outside_window' ? v.windowMs : v.counted ? windowFor(ctx.windows, t.channel, t.kind) : null,
          beyondMs: !v.counted && v.reason === 'outside_window' ? v.beyondMs : null,
          afterMs: !v.counted && v.reason === 'after_order' ? v.afterMs : null,
          flagReason: !v.counted && (v.reason === 'machine_open' || v.reason === 'bot_click') ? v.flagReason : null,
          shares: k === undefined ? null : Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, x.byModel[m].shares[k]])),
          _at: t.at,
        };
      })
      .sort((a, b) => a._at - b._at || Number(b.counted) - Number(a.counted))
      .map(({ _at, ...t }) => t);
    const credits = (model: AttributionModel) => x.byModel[model].credits.map((c) => ({
      campaignId: c.campaignId, campaignName: names.get(c.campaignId) ?? null, messageId: c.messageId, channel: c.channel, kind: c.kind,
      weight: c.weight, weightMicro: c.weightMicro, revenue: c.revenueMinor, direct: c.direct,
    }));
    const storedRows = stored
      .map((r) => ({
        model: r.model as AttributionModel, campaignId: r.campaign_id, campaignName: names.get(r.campaign_id) ?? null, messageId: r.message_id,
        channel: r.channel as Channel, kind: r.kind, weight: Number(r.weight_micro) / WEIGHT_SCALE, weightMicro: Number(r.weight_micro),
        revenue: Number(r.revenue_minor), currency: r.currency, direct: r.direct === 1 || (r.direct as unknown) === true, cohortDay: r.cohort_day,
      }))
      .sort((a, b) => b.weightMicro - a.weightMicro || (a.campaignId < b.campaignId ? -1 : 1));
    const computed = credits(ctx.settings.model);
    const key = (c: { campaignId: string; messageId: string | null; kind: string; weightMicro: number; revenue: number; direct: boolean }) =>
      JSON.stringify([c.campaignId, c.messageId, c.kind, c.weightMicro, c.revenue, c.direct]);
    return {
      order: {
        id: o.id, externalId: o.external_id, name: o.name, orderedAt: iso(Number(o.ordered_at)), revenue: Number(o.revenue_minor),
        revenueCurrency: o.revenue_currency, cancelled: o.cancelled_at !== null,
      },
      contact: o.contact_id === null ? null : { id: o.contact_id, matchedBy: o.matched_by, key: matchedValue(o) },
      model: ctx.settings.model,
      models: [...ATTRIBUTION_MODELS],
      halfLifeMs: ctx.halfLifeMs,
      direct: x.direct,
      looked: { from: iso(order.at - 2 * ctx.maxWindowMs), to: iso(order.at + EXPLAIN_AFTER_MS) },
      touches: shown,
      credits: Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, credits(m)])),
      stored: storedRows,
      // False only while the stored rows lag the data (a recompute under way) or were written under other settings.
      storedMatches: storedRows.length === computed.length && storedRows.map(key).sort().join() === computed.map(key).sort().join(),
    };
  }

  /**
   * The orders a recipient's message may explain (GET /v1/messages/{id}/orders, the campaign page's recipient row):
   * its contact's orders placed from the message's send to twice the longest window after it (the span an order's
   * explanation looks back over), at most 50, oldest first, each saying whether the message's campaign is credited
   * with it under the account's model. Null: no such message.
   */
  async ordersOfMessage(accountId: string, messageId: string) {
    const h = this.db.kysely;
    const [m] = await findTouchMessagesByIds(h, accountId, [messageId]);
    if (!m) return null;
    const ctx = await this.context(h, accountId);
    const sendAt = ctx.campaigns.get(m.campaign_id)?.send_at;
    const sent = messageSentAt(m, Number(m.registered_at), sendAt === null || sendAt === undefined ? null : Number(sendAt));
    const orders = m.contact_id ? (await findOrdersOfContacts(h, accountId, [m.contact_id], sent, sent + 2 * ctx.maxWindowMs)).sort((a, b) => a.ordered_at - b.ordered_at || (a.id < b.id ? -1 : 1)).slice(0, 50) : [];
    const credits = await findAttributionsOfOrders(h, accountId, orders.map((o) => o.id));
    return {
      messageId: m.id,
      campaignId: m.campaign_id,
      contactId: m.contact_id,
      model: ctx.settings.model,
      items: orders.map((o) => {
        const credit = credits.find((c) => c.order_id === o.id && c.model === ctx.settings.model && c.campaign_id === m.campaign_id);
        return {
          id: o.id, externalId: o.external_id, name: o.name, orderedAt: new Date(Number(o.ordered_at)).toISOString(), revenue: Number(o.revenue_minor),
          revenueCurrency: o.revenue_currency, credited: credit !== undefined, creditRevenue: credit ? Number(credit.revenue_minor) : null,
        };
      }),
    };
  }

  // ------------------------------------------------------------------------------------------ compare models

  /** Revenue per campaign under every model, side by side, for the orders placed in [from, to] (account days). */
  async compare(accountId: string, from: string, to: string) {
    const ctx = await this.context(this.db.kysely, accountId);
    const fromMs = zonedDayStart(from, ctx.timeZone);
    const toMs = zonedDayStart(nextDay(to), ctx.timeZone);
    const merged = new Map<string, ModelComparisonRow>();
    let after: { at: number; id: string } | undefined;
    let orders = 0;
    for (;;) {
      const rows = await listOrdersPage(this.db.kysely, accountId, { after, limit: 2000, fromMs, toMs });
      if (rows.length === 0) break;
      orders += rows.length;
      const { touches } = await this.gatherTouches(this.db.kysely, ctx, rows);
      const part = compareModels(rows.map((o) => ({ order: attributable(o), touches: touches.get(o.id) ?? [] })), ctx.windows, ATTRIBUTION_MODELS, ctx.modelOptions);
      for (const r of part) {
        const key = `${r.campaignId}|${r.currency}`;
        const into = merged.get(key);
        if (!into) merged.set(key, r);
        else for (const m of ATTRIBUTION_MODELS) for (const f of Object.keys(r.byModel[m]) as (keyof ModelComparisonRow['byModel'][AttributionModel])[]) into.byModel[m][f] += r.byModel[m][f];
      }
      const last = rows[rows.length - 1];
      after = { at: last.ordered_at, id: last.id };
      if (rows.length < 2000) break;
    }
    const campaigns = [...merged.values()].map((r) => {
      const c = ctx.campaigns.get(r.campaignId);
      return {
        campaignId: r.campaignId,
        slug: c?.slug ?? null,
        channel: c?.channel ?? null,
        currency: r.currency,
        byModel: Object.fromEntries(ATTRIBUTION_MODELS.map((m) => {
          const f = r.byModel[m];
          return [m, {
            conversions: f.conversions, weightedConversions: f.weightedConversionsMicro / WEIGHT_SCALE, revenue: f.revenueMinor,
            revenueDirect: f.directRevenueMinor, revenueInfluenced: f.influencedRevenueMinor,
          }];
        })),
      };
    });
    return {
      period: { from, to }, groupedBy: 'order_time', currency: ctx.currency, accountModel: ctx.settings.model, models: [...ATTRIBUTION_MODELS],
      // The data_driven column: by the account's fit, or (no fit) by its rule model.
      dataDrivenBy: ctx.fitId ? 'data_driven' : ctx.settings.fallbackModel, orders, campaigns,
    };
  }

  // ------------------------------------------------------------------------------------------ MoneySource

  async byCampaign(accountId: string, campaignIds: string[]): Promise<Map<string, MoneyFacts>> {
    if (campaignIds.length === 0) return new Map();
    const ctx = await this.context(this.db.kysely, accountId);
    const rows = await sumAttributionsByCampaign(this.db.kysely, accountId, ctx.settings.model, ctx.currency, campaignIds);
    return new Map(rows.map((r) => [r.campaign_id, moneyFacts(r)]));
  }

  async forPeriod(accountId: string, from: string, to: string, channel?: Channel, revenueDate: RevenueDate = 'send'): Promise<MoneyFacts> {
    const ctx = await this.context(this.db.kysely, accountId);
    const period: CreditPeriod = revenueDate === 'send'
      ? { by: 'send', fromDay: from, toDay: to }
      : { by: 'order', fromMs: zonedDayStart(from, ctx.timeZone), toMs: zonedDayStart(nextDay(to), ctx.timeZone) };
    return moneyFacts(await sumAttributionsForPeriod(this.db.kysely, accountId, ctx.settings.model, ctx.currency, period, channel));
  }

  async ordersImported(accountId: string, fromMs: number, toMs: number): Promise<number> {
    return countOrders(this.db.kysely, accountId, fromMs, toMs);
  }

  async shopRevenue(accountId: string, fromMs: number, toMs: number): Promise<number> {
    const ctx = await this.context(this.db.kysely, accountId);
    return sumOrdersRevenue(this.db.kysely, accountId, ctx.currency, fromMs, toMs);
  }

  async revenueByDay(accountId: string, from: string, to: string, channel?: Channel, revenueDate: RevenueDate = 'send'): Promise<Map<string, { revenue: number; conversions: number }>> {
    const ctx = await this.context(this.db.kysely, accountId);
    if (revenueDate === 'order') {
      // By the order date: the period's credited orders, each on its day in the account's zone.
      const orders = await sumAttributionsByOrder(this.db.kysely, accountId, ctx.settings.model, ctx.currency, zonedDayStart(from, ctx.timeZone), zonedDayStart(nextDay(to), ctx.timeZone), channel);
      const byDay = new Map<string, { revenue: number; conversions: number }>();
      for (const o of orders) {
        const day = dayInZone(o.orderAt, ctx.timeZone);
        const into = byDay.get(day) ?? { revenue: 0, conversions: 0 };
        into.revenue += o.revenue;
        into.conversions += 1;
        byDay.set(day, into);
      }
      return byDay;
    }
    const rows = await sumAttributionsByDay(this.db.kysely, accountId, ctx.settings.model, ctx.currency, from, to, channel);
    return new Map(rows.map((r) => [r.day, { revenue: r.revenue, conversions: r.conversions }]));
  }

  /** Orders placed in [fromMs, toMs) whose currency has no rate: reported apart, never summed. */
  async unconvertedOrders(accountId: string, fromMs: number, toMs: number) {
    const ctx = await this.context(this.db.kysely, accountId);
    return countUnconvertedOrders(this.db.kysely, accountId, ctx.currency, fromMs, toMs);
  }
}

// ------------------------------------------------------------------------------------------------ helpers

/**
 * A recompute page holds every order of its buyers (or only orders no contact matched), so their new / returning marks
 * are computed again from it alone: this repairs a mark two concurrent batches left wrong (docs/ATTRIBUTION.md).
 */
async function remarkNewCustomers(trx: Transaction<DB>, accountId: string, rows: OrderRow[]): Promise<void> {
  const marks = markNewCustomers(rows.map((o) => ({ id: o.id, contactId: o.contact_id, orderedAt: Number(o.ordered_at) })));
  const moved = rows.filter((o) => marks.get(o.id) !== (o.new_customer === null ? null : Number(o.new_customer)));
  await updateNewCustomerMarks(trx, accountId, moved.map((o) => ({ id: o.id, mark: marks.get(o.id)! })));
  for (const o of moved) o.new_customer = marks.get(o.id)!;
}

function moneyFacts(r: Omit<CampaignMoneyRow, 'campaign_id'>): MoneyFacts {
  return {
    ...NO_MONEY, conversions: r.conversions, converters: r.converters, revenueMinor: r.revenue, revenueDirectMinor: r.revenue_direct,
    revenueInfluencedMinor: r.revenue - r.revenue_direct, items: r.items, revenueNewMinor: r.revenue_new, revenueReturningMinor: r.revenue_returning,
    conversionsNew: r.conversions_new, conversionsReturning: r.conversions_returning,
  };
}

export function attributable(o: CreditedUnit): AttributableOrder {
  return { at: o.ordered_at, revenueMinor: o.revenue_minor, currency: o.revenue_currency, cancelled: o.cancelled_at !== null };
}

/** The value of the key that matched the order to its contact, as the order gave it (an address is not repeated). */
function matchedValue(o: OrderRow): string | null {
  switch (o.matched_by) {
    case 'customer_id': return o.customer_external_id;
    case 'email': return o.email;
    case 'phone': return o.phone;
    default: return null;
  }
}

/** The messages sent by `hi` (messageSentAt) with a send, delivery or engagement since `lo` (findTouchMessages' filter, per order). */
function ownMessages(all: TouchMessageRow[] | undefined, sentAt: Map<string, number>, lo: number, hi: number): TouchMessageRow[] {
  if (!all) return [];
  const since = (t: number | null) => t !== null && Number(t) >= lo;
  return all.filter((m) => sentAt.get(m.id)! <= hi && (since(m.last_engaged_at) || since(m.delivered_at) || since(m.sent_at)));
}

/** The touches one message gave: its send, delivery, human opens (reads), clicks and scans, inside [lo, hi]. */
function messageTouches(m: TouchMessageRow, channel: Channel, events: { type: string; at: number }[] | null, lo: number, hi: number, out: Touch[]): void {
  const push = (kind: TouchKind, at: number | null) => {
    if (at !== null && at >= lo && at <= hi) out.push({ campaignId: m.campaign_id, messageId: m.id, channel, kind, at: Number(at) });
  };
  // Kinds without a window for the channel (an email delivery, an SMS send) are dropped by attributeOrder.
  push('sent', m.sent_at === null ? null : Number(m.sent_at));
  push('delivery', m.delivered_at === null ? null : Number(m.delivered_at));
  const openKind: TouchKind = channel === 'whatsapp' ? 'read' : 'open';
  if (events) {
    for (const e of events) push(e.type === 'opened' ? openKind : e.type === 'clicked' ? 'click' : 'scan', e.at);
  } else {
    push(openKind, m.opened_at === null ? null : Number(m.opened_at));
    push('click', m.clicked_at === null ? null : Number(m.clicked_at));
    push('scan', m.scanned_at === null ? null : Number(m.scanned_at));
  }
}

const launchedAt = (c: CampaignLookupRow) => Number(c.send_at ?? c.activated_at ?? c.created_at);

/** The campaign a `utm_campaign` slug names: on the `utm_medium` channel when it names one, the latest launched by the order. */
function campaignBySlug(ctx: AccountContext, slug: string, medium: string | null, orderAt: number): CampaignLookupRow | null {
  let candidates = ctx.bySlug.get(slug.trim().toLowerCase()) ?? [];
  const m = medium?.trim().toLowerCase();
  if (m && (CHANNELS as readonly string[]).includes(m)) candidates = candidates.filter((c) => c.channel === m);
  if (candidates.length === 0) return null;
  const launched = candidates.filter((c) => launchedAt(c) <= orderAt);
  const pool = launched.length ? launched : candidates;
  return pool.reduce((best, c) => (launchedAt(c) > launchedAt(best) || (launchedAt(c) === launchedAt(best) && c.id > best.id) ? c : best));
}

/**
 * The buyer's own message of a campaign (so a code or UTM credit lands on their message and its send day): the last
 * one sent by the order (`own` holds only those).
 */
function ownMessageOf(own: TouchMessageRow[], sentAt: Map<string, number>, campaignId: string): string | null {
  let best: TouchMessageRow | null = null;
  for (const m of own) if (m.campaign_id === campaignId && (!best || sentAt.get(m.id)! > sentAt.get(best.id)!)) best = m;
  return best?.id ?? null;
}

/** Send day of a campaign credited without a message (shared code, UTM only): its send date, else the order's day. */
function campaignDay(ctx: AccountContext, campaignId: string, orderAt: number): string {
  const c = ctx.campaigns.get(campaignId);
  return dayInZone(c?.send_at !== null && c?.send_at !== undefined ? Number(c.send_at) : orderAt, ctx.timeZone);
}
