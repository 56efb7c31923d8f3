// The send gate and the money behind it: cost models, reservations against a campaign's budget (and the account's
// monthly budget) under a row lock, commit / release / expiry, the automatic stop and resume, provider costs from
// ingested events, budget alerts and the budget card. See docs/BUDGETS.md.
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { CampaignRow, DB, MessageRow } from '../store/schema';
import type { Writer } from './writer';
import type { AccountDirectory } from './accounts';
import type { Alerts } from './alerts';
import type { Billing } from './billing';
import { recordedRecipient, saveMessageChanges, type CostingHook, type Ingestor, type ItemError, type Outcome, type RegisterItem } from './ingest';
import { todayIn } from './campaigns';
import { fixedCostsByDay } from './fixedCosts';
import { findContactsByKeys, getCampaign, getCampaigns, listCampaignRows, updateCampaign } from '../store/campaigns';
import { findMessagesByIds, findMessagesByProviderIds, findMessagesByRecipients } from '../store/messages';
import { findSuppressed } from '../store/suppressions';
import {
  addToLedgers, countReservations, deleteCostModel, deleteReservations, findExpiredReservations, getBillingSettings, getCostModel, getCostModels, getLedgers,
  insertReservations, listCampaignLedgers, lockLedgers, sumSpend, upsertBillingSettings, upsertCostModel, type LedgerRow, type ReservationRow,
} from '../store/budgets';
import {
  actualCostFromProvider, countryOfPhone, estimateMessageCost, isWhatsAppCategory, mergeCostModel, type CostModel, type CostModelOverride,
} from '../domain/costs';
import {
  budgetAlertsCrossed, budgetCard, ledgerDeltas, ledgerReserve, ledgerShare, monthScope, MONTH_SCOPE, shouldResume, usedShare,
  type LedgerTotals, type ReservationRefusal,
} from '../domain/budget';
import { recipientKeys, type PostalAddress, type RecipientKeys } from '../domain/contacts';
import { addDays } from '../domain/kpis';
import { cohortAt, dayInZone, wasSent } from '../domain/message';
import type { CampaignStatus, Channel, FailureReason, IncomingEvent } from '../domain/types';
import { storedMoney } from '../domain/bounds';
import { canonicalProviderMessageId } from '../domain/providerIds';
import { noMetrics, type ServiceMetrics } from './metrics';

export const DEFAULT_RESERVATION_TTL_MS = 15 * 60_000;

/** One recipient the sender wants to send to, with what prices the message. */
export interface SendRecipient {
  email?: string;
  phone?: string;
  address?: PostalAddress;
  externalId?: string;
  firstName?: string;
  lastName?: string;
  /** SMS body (segments are counted from it); defaults to the campaign's template content. */
  text?: string;
  /** SMS segments when the sender already counted them. */
  segments?: number;
  /** Destination country (ISO alpha-2) when the phone or address does not tell it. */
  country?: string;
  /** WhatsApp pricing category; 'marketing' when absent. */
  pricingCategory?: string;
  letterFormat?: string;
}

export type GateRefusal = ReservationRefusal | 'opted_out' | 'invalid_recipient' | 'duplicate';

export type GateResult =
  | { index: number; status: 'allowed'; messageId: string; recipient: string; cost: number; priced: boolean; tracking?: unknown }
  | { index: number; status: 'refused'; reason: GateRefusal; messageId: string | null; recipient: string | null };

export interface GateAnswer {
  allowed: number;
  refused: number;
  reserved: number;
  expiresAt: string;
  results: GateResult[];
  campaign: { status: CampaignStatus; statusReason: string | null };
  budget: CampaignBudget;
}

export interface CampaignBudget {
  currency: string;
  budget: number | null;
  used: number;
  reserved: number;
  remaining: number | null;
  usedShare: number | null;
}

/**
 * What the tracking area offers the gate, when it is wired (deps.tracking): links and QR URL per message, issued
 * inside the gate's transaction (links and reservations commit together, in one commit per batch).
 */
export interface GateTracking {
  /** `created`: the message was inserted by this transaction (so it has no link yet), not an existing one re-admitted. */
  forGate(trx: Transaction<DB>, accountId: string, campaignId: string, messages: { messageId: string; recipient: string; created: boolean }[]): Promise<Map<string, unknown>>;
}

export interface CommitAnswer { committed: number; alreadyCommitted: number; late: number; used: number; budget: CampaignBudget }
export interface ReleaseAnswer { released: number; alreadyReleased: number; freed: number; campaign: { status: string; statusReason: string | null }; budget: CampaignBudget }

const iso = (t: number) => new Date(t).toISOString();

function campaignBudgetView(currency: string, budget: number | null, l: Pick<LedgerRow, 'used_minor' | 'reserved_minor'> | undefined): CampaignBudget {
  const used = l?.used_minor ?? 0;
  const reserved = l?.reserved_minor ?? 0;
  return { currency, budget, used, reserved, remaining: budget === null ? null : budget - used - reserved, usedShare: usedShare(used, budget) };
}

export class Budgets implements CostingHook {
  /** Set in main.ts when the tracking area is wired; the gate then returns tracked links and the QR URL. */
  tracking?: GateTracking;

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly ingestor: Ingestor,
    private readonly billing: Billing,
    private readonly alerts: Alerts,
    private readonly clock: () => number = Date.now,
    private readonly opts: { reservationTtlMs?: number } = {},
  ) {}

  // ---------------------------------------------------------------- cost models
  async getAccountModel(accountId: string): Promise<CostModel | null> {
    const r = await getCostModel(this.db.kysely, accountId, '');
    return r ? (JSON.parse(r.model) as CostModel) : null;
  }
  async putAccountModel(accountId: string, model: Omit<CostModel, 'currency'> & { currency?: string }): Promise<Outcome<CostModel>> {
    const account = (await this.accounts.get(accountId))!;
    if (model.currency && model.currency.toUpperCase() !== account.currency) {
      return { ok: false, status: 422, message: `The cost model must be in the account's currency (${account.currency}); sums never mix currencies.`, errors: [{ index: 0, field: 'currency', message: `expected ${account.currency}` }] };
    }
    const full: CostModel = { ...model, currency: account.currency };
    await upsertCostModel(this.db.kysely, { account_id: accountId, campaign_id: '', model: JSON.stringify(full), updated_at: this.clock() });
    return { ok: true, value: full };
  }
  async getCampaignOverride(accountId: string, campaignId: string): Promise<CostModelOverride | null> {
    const r = await getCostModel(this.db.kysely, accountId, campaignId);
    return r ? (JSON.parse(r.model) as CostModelOverride) : null;
  }
  async putCampaignOverride(accountId: string, campaignId: string, override: CostModelOverride | null): Promise<Outcome<{ override: CostModelOverride | null; model: CostModel | null }>> {
    if (!(await getCampaign(this.db.kysely, accountId, campaignId))) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
    if (override === null) await deleteCostModel(this.db.kysely, accountId, campaignId);
    else await upsertCostModel(this.db.kysely, { account_id: accountId, campaign_id: campaignId, model: JSON.stringify(override), updated_at: this.clock() });
    return { ok: true, value: { override, model: await this.modelFor(this.db.kysely, accountId, campaignId) } };
  }
  /** The model a campaign prices with: the account's, with the campaign's override merged over it; null without one. */
  async modelFor(h: Db['kysely'] | Transaction<DB>, accountId: string, campaignId: string): Promise<CostModel | null> {
    const rows = await getCostModels(h, accountId, campaignId);
    const base = rows.find((r) => r.campaign_id === '');
    if (!base) return null;
    const over = rows.find((r) => r.campaign_id === campaignId);
    return mergeCostModel(JSON.parse(base.model) as CostModel, over ? (JSON.parse(over.model) as CostModelOverride) : null);
  }

  // ---------------------------------------------------------------- settings
  async settings(accountId: string) {
    const s = await getBillingSettings(this.db.kysely, accountId);
    return {
      monthlyBudget: storedMoney(s?.monthly_budget_minor),
      graceDays: s?.grace_days ?? (await this.billing.graceDays(this.db.kysely, accountId)),
      reservationTtlSeconds: Math.round((s?.reservation_ttl_ms ?? this.defaultTtl()) / 1000),
      stripeWebhookSecretSet: !!s?.stripe_webhook_secret,
      stripeWebhookSecretHint: this.billing.stripeSecretHint(s?.stripe_webhook_secret),
    };
  }
  async putSettings(accountId: string, patch: { monthlyBudget?: number | null; graceDays?: number; reservationTtlSeconds?: number }) {
    const row: Record<string, number | null> = {};
    if (patch.monthlyBudget !== undefined) row.monthly_budget_minor = patch.monthlyBudget;
    if (patch.graceDays !== undefined) row.grace_days = patch.graceDays;
    if (patch.reservationTtlSeconds !== undefined) row.reservation_ttl_ms = patch.reservationTtlSeconds * 1000;
    await upsertBillingSettings(this.db.kysely, accountId, row, this.clock());
    if (patch.graceDays !== undefined) await this.writer.run((trx) => this.billing.checkIn(trx, accountId, this.clock()));
    return this.settings(accountId);
  }
  private defaultTtl(): number {
    return this.opts.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  }

  // ---------------------------------------------------------------- the gate
  /**
   * For each recipient: allowed (a message with its cost reserved) or refused with a reason, recorded as a not-sent
   * message. All or nothing: a batch the cost model cannot price under a budget is refused whole (422).
   */
  async reserve(accountId: string, campaignId: string, recipients: SendRecipient[]): Promise<Outcome<GateAnswer>> {
    const account = await this.accounts.get(accountId);
    const campaign = await getCampaign(this.db.kysely, accountId, campaignId);
    if (!account || !campaign) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
    const channel = campaign.channel as Channel;
    const country = account.default_country ?? undefined;
    const model = await this.modelFor(this.db.kysely, accountId, campaignId);
    const settings = await getBillingSettings(this.db.kysely, accountId);
    const budgeted = storedMoney(campaign.budget_minor) !== null || storedMoney(settings?.monthly_budget_minor) !== null;

    // Normalising and pricing are pure CPU work: done before taking the lock.
    const errors: ItemError[] = [];
    const prepared = recipients.map((r, index) => {
      // Normalised once, here: registration reuses these keys instead of parsing the phone again.
      const keys = recipientKeys(channel, r, country);
      const address = keys.address;
      if (r.pricingCategory !== undefined && !isWhatsAppCategory(r.pricingCategory)) {
        errors.push({ index, field: 'pricingCategory', message: 'must be marketing, utility, authentication or service' });
      }
      let cost = 0;
      let priced = false;
      if (address !== null) {
        const dest = (r.country ?? (channel === 'sms' || channel === 'whatsapp' ? keys.phoneCountry : r.address?.country) ?? country ?? null);
        const destination = dest && /^[A-Za-z]{2}$/.test(dest) ? dest.toUpperCase() : (country ?? null);
        if (model) {
          const est = estimateMessageCost(model, {
            channel, country: destination, category: isWhatsAppCategory(r.pricingCategory) ? r.pricingCategory : undefined,
            text: r.text ?? campaign.template_content ?? '', segments: r.segments, letterFormat: r.letterFormat,
          });
          cost = est.costMinor;
          priced = est.detail.priced;
          if (!priced && budgeted) errors.push({ index, field: 'recipient', message: `the cost model has no price for ${est.detail.missing}: set it with PUT /v1/cost-model so the budget can hold this message` });
        } else if (budgeted) {
          errors.push({ index, field: 'recipient', message: 'the account has no cost model: set one with PUT /v1/cost-model before sending against a budget' });
        }
      }
      return { r, index, keys, address, cost, priced };
    });
    if (errors.length) return { ok: false, status: 422, message: `${errors.length} recipient(s) cannot be priced or are malformed; nothing was reserved. First: ${errors[0].message}.`, errors };

    const answer = await this.writer.run(async (trx) => {
      const created = new Set<string>();
      const out = await this.reserveIn(trx, accountId, campaign, prepared, created);
      if (out.ok && this.tracking) {
        const allowed = out.value.results.filter((x): x is Extract<GateResult, { status: 'allowed' }> => x.status === 'allowed');
        if (allowed.length) {
          const links = await this.tracking.forGate(trx, accountId, campaignId, allowed.map((a) => ({ messageId: a.messageId, recipient: a.recipient, created: created.has(a.messageId) })));
          for (const a of allowed) if (links.has(a.messageId)) a.tracking = links.get(a.messageId);
        }
      }
      return out;
    }, Math.max(1, recipients.length));
    this.alerts.kick();
    return answer;
  }

  private async reserveIn(
    trx: Transaction<DB>,
    accountId: string,
    campaignBefore: CampaignRow,
    prepared: { r: SendRecipient; index: number; keys: RecipientKeys; address: string | null; cost: number; priced: boolean }[],
    created: Set<string>,
  ): Promise<Outcome<GateAnswer>> {
    const now = this.clock();
    const account = (await this.accounts.get(accountId, trx))!;
    const tz = account.time_zone;
    const campaignId = campaignBefore.id;
    const channel = campaignBefore.channel as Channel;
    const settings = await getBillingSettings(trx, accountId);
    const monthly = storedMoney(settings?.monthly_budget_minor);
    const month = monthScope(dayInZone(now, tz));
    const ttl = settings?.reservation_ttl_ms ?? this.defaultTtl();

    // 1. Lock the ledger rows (the campaign's, then the month's), then expire what is overdue for this campaign.
    await lockLedgers(this.db, trx, accountId, [campaignId, month]);
    await this.expireIn(trx, accountId, tz, await findExpiredReservations(trx, now, { accountId, campaignId }, 100_000));
    const ledgers = await getLedgers(trx, accountId, [campaignId, month]);
    const campaign = (await getCampaign(trx, accountId, campaignId))!;
    // The running totals the gate decides on, recipient by recipient (ledgerReserve adds each allowed reservation).
    const totals = (scope: string, budgetMinor: number | null): LedgerTotals => ({
      budgetMinor, usedMinor: ledgers.get(scope)?.used_minor ?? 0, reservedMinor: ledgers.get(scope)?.reserved_minor ?? 0,
    });
    let camp = totals(campaignId, storedMoney(campaign.budget_minor));
    let mon = totals(month, monthly);
    let status = campaign.status as CampaignStatus;
    let statusReason = campaign.status_reason;
    const suspended = (await this.billing.suspensionIn(trx, accountId, now)).suspended;

    // 2. What is known about these recipients: existing messages, suppression list, contacts' opt-outs.
    const addresses = prepared.flatMap((p) => (p.address ? [p.address] : []));
    const existing = new Map((await findMessagesByRecipients(trx, accountId, campaignId, addresses, this.db)).map((m) => [m.recipient, m]));
    const suppressed = await findSuppressed(trx, accountId, channel, addresses, this.db);
    // Erased people are on the list under their hashes (by address, or by external id): refused as opted out.
    const erased = await this.ingestor.erasedAmong(trx, accountId, channel, prepared.map((p) => ({ recipient: p.address, externalId: p.r.externalId })));
    const optedOut = await this.optedOutContacts(trx, accountId, channel, prepared);

    // 3. Decide, one recipient after the other, against the running totals.
    const results: GateResult[] = new Array(prepared.length);
    const fresh: { p: (typeof prepared)[number]; item: RegisterItem; allowed: boolean }[] = [];
    const readmitted: { before: MessageRow; after: MessageRow; index: number }[] = [];
    const seen = new Map<string, number>();
    let stoppedNow = false;
    for (const p of prepared) {
      const refuse = (reason: GateRefusal, messageId: string | null = null) => {
        results[p.index] = { index: p.index, status: 'refused', reason, messageId, recipient: p.address };
      };
      if (p.address === null) {
        // A malformed address is recorded as a message not sent; a recipient with nothing to record it by ({}) is
        // only refused (registering it would fail the whole batch).
        if (recordedRecipient(channel, p.r, p.keys, account.default_country ?? undefined) !== null) fresh.push({ p, allowed: false, item: { recipient: identity(p.r), keys: p.keys, notSentReason: 'invalid_recipient' } });
        refuse('invalid_recipient');
        continue;
      }
      const firstAt = seen.get(p.address);
      if (firstAt !== undefined) {
        refuse('duplicate');
        continue;
      }
      seen.set(p.address, p.index);
      const old = existing.get(p.address);
      if (old && (wasSent(old) || old.queued_at !== null || old.cost_state === 'reserved' || old.cost_state === 'committed')) {
        refuse('duplicate', old.id);
        continue;
      }
      let reason: GateRefusal | null = null;
      if (suppressed.has(p.address) || erased.has(p.index) || optedOut.has(p.address) || (p.r.externalId !== undefined && optedOut.has(`x:${p.r.externalId}`))) reason = 'opted_out';
      else {
        const c = ledgerReserve(camp, p.cost, { campaignStatus: status, accountSuspended: suspended });
        const d = c.decision;
        // The account's month (no budget: always allowed) is asked only once the campaign allows the message.
        const m = d.allowed ? ledgerReserve(mon, p.cost, { campaignStatus: 'sending', accountSuspended: false }) : null;
        if (!d.allowed) {
          // A campaign the gate stopped for money keeps answering "budget exhausted", the reason a sender acts on.
          reason = d.reason === 'campaign_stopped' && statusReason === 'budget_exhausted' ? 'budget_exhausted' : d.reason;
        } else if (!m!.decision.allowed) {
          reason = 'budget_exhausted';
        } else {
          camp = c.ledger;
          mon = m!.ledger;
        }
        if (d.stopCampaign && status !== 'stopped') {
          status = 'stopped';
          statusReason = 'budget_exhausted';
          stoppedNow = true;
        }
      }
      if (reason === null) {
        if (old) {
          readmitted.push({ before: old, after: { ...old, cost_minor: p.cost, cost_state: 'reserved', not_sent_reason: null }, index: p.index });
          results[p.index] = { index: p.index, status: 'allowed', messageId: old.id, recipient: p.address, cost: p.cost, priced: p.priced };
        } else {
          fresh.push({ p, allowed: true, item: { recipient: identity(p.r), keys: p.keys, costMinor: p.cost, costState: 'reserved', registeredAt: now } });
        }
      } else if (old) {
        if (old.not_sent_reason !== reason) readmitted.push({ before: old, after: { ...old, not_sent_reason: reason }, index: p.index });
        refuse(reason, old.id);
      } else {
        fresh.push({ p, allowed: false, item: { recipient: identity(p.r), keys: p.keys, notSentReason: reason as FailureReason, registeredAt: now } });
        refuse(reason);
      }
    }

    // 4. Write: new messages (allowed ones reserved, refused ones not sent), re-admitted ones, reservations, ledger.
    const expiresAt = now + ttl;
    const reservations: ReservationRow[] = [];
    if (fresh.length) {
      const registered = await this.ingestor.registerIn(trx, accountId, campaignId, fresh.map((f) => f.item));
      if (!registered.ok) throw new Error(`registering the gate's messages failed: ${registered.message}`);
      registered.value.forEach((m, i) => {
        const f = fresh[i];
        if (!m.existing) created.add(m.messageId);
        if (f.allowed) {
          results[f.p.index] = { index: f.p.index, status: 'allowed', messageId: m.messageId, recipient: m.recipient, cost: f.p.cost, priced: f.p.priced };
          reservations.push({ account_id: accountId, message_id: m.messageId, campaign_id: campaignId, cost_minor: f.p.cost, reserved_at: now, expires_at: expiresAt });
        } else {
          (results[f.p.index] as Extract<GateResult, { status: 'refused' }>).messageId = m.messageId;
        }
      });
    }
    for (const x of readmitted) {
      if (x.after.cost_state === 'reserved') reservations.push({ account_id: accountId, message_id: x.before.id, campaign_id: campaignId, cost_minor: Number(x.after.cost_minor), reserved_at: now, expires_at: expiresAt });
    }
    if (readmitted.length) await saveMessageChanges(this.db, trx, tz, accountId, readmitted, new Map([[campaignId, channel]]));
    await insertReservations(this.db, trx, reservations);
    const reservedNow = reservations.reduce((s, r) => s + r.cost_minor, 0);
    // New messages are registered now (this month); re-admitted ones keep their own month.
    const deltas = ledgerDeltas(readmitted.map((x) => ({ before: x.before, after: x.after })), tz);
    const freshCost = reservedNow - readmitted.reduce((s, x) => s + ledgerShare(x.after).reserved, 0);
    for (const scope of [campaignId, month]) {
      const d = deltas.get(scope) ?? { used: 0, reserved: 0 };
      d.reserved += freshCost;
      deltas.set(scope, d);
    }
    const after = await addToLedgers(trx, accountId, deltas);
    const ledger = after.get(campaignId) ?? ledgers.get(campaignId);
    if (status !== campaign.status || statusReason !== campaign.status_reason) {
      await updateCampaign(trx, accountId, campaignId, { status, status_reason: statusReason, updated_at: now });
    }
    if (stoppedNow && storedMoney(campaign.budget_minor) !== null) {
      await this.alerts.enqueueIn(trx, accountId, 'campaign.stopped', {
        accountId, campaignId, reason: 'budget_exhausted', budgetMinor: storedMoney(campaign.budget_minor)!, usedMinor: ledger?.used_minor ?? 0,
        reservedMinor: ledger?.reserved_minor ?? 0, currency: account.currency,
      });
    }
    if (suspended) await this.billing.checkIn(trx, accountId, now);
    const allowed = results.filter((r) => r.status === 'allowed').length;
    return {
      ok: true,
      value: {
        allowed, refused: results.length - allowed, reserved: reservedNow, expiresAt: iso(expiresAt), results,
        campaign: { status, statusReason },
        budget: campaignBudgetView(account.currency, storedMoney(campaign.budget_minor), ledger),
      },
    };
  }

  /** Addresses (and `x:` external ids) whose contact opted out of this channel. */
  private async optedOutContacts(trx: Transaction<DB>, accountId: string, channel: Channel, prepared: { r: SendRecipient; address: string | null }[]): Promise<Set<string>> {
    const withAddress = prepared.filter((p) => p.address !== null);
    const keys = { externalIds: [] as string[], emails: [] as string[], phones: [] as string[], addressKeys: [] as string[] };
    for (const p of withAddress) {
      if (p.r.externalId) keys.externalIds.push(p.r.externalId);
      if (channel === 'email') keys.emails.push(p.address!);
      else if (channel === 'mail') keys.addressKeys.push(p.address!);
      else keys.phones.push(p.address!);
    }
    const out = new Set<string>();
    const field = `opt_out_${channel}` as const;
    for (const c of await findContactsByKeys(trx, accountId, keys, this.db)) {
      if (c[field] === null) continue;
      if (c.external_id) out.add(`x:${c.external_id}`);
      const key = channel === 'email' ? c.email : channel === 'mail' ? c.address_key : c.phone;
      if (key) out.add(key);
    }
    return out;
  }

  // ---------------------------------------------------------------- commit, release, expiry
  /** The provider accepted these messages: their cost becomes used (the actual cost when given) and they count as sent. */
  async commit(
    accountId: string,
    campaignId: string,
    input: { messageIds: string[]; provider?: string; providerMessageIds?: (string | null)[]; costs?: (number | null)[] },
  ): Promise<Outcome<CommitAnswer>> {
    const out = await this.writer.run<Outcome<CommitAnswer>>(async (trx) => {
      const now = this.clock();
      const account = (await this.accounts.get(accountId, trx))!;
      const campaign = await getCampaign(trx, accountId, campaignId);
      if (!campaign) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
      const found = new Map((await findMessagesByIds(trx, accountId, input.messageIds, undefined, this.db.kind === 'postgres')).map((m) => [m.id, m]));
      const errors: ItemError[] = [];
      const provider = input.provider ?? 'api';
      // In the form events look them up by (Mailgun's send API answers "<id@domain>", its webhooks "id@domain").
      const providerIds = input.providerMessageIds?.map((x) => (x ? canonicalProviderMessageId(provider, x) : x));
      const pids = (providerIds ?? []).filter((x): x is string => !!x);
      const taken = new Map((await findMessagesByProviderIds(trx, accountId, provider, pids)).map((m) => [m.provider_message_id!, m.id]));
      const changes: { before: MessageRow; after: MessageRow }[] = [];
      let already = 0;
      let late = 0;
      const done = new Set<string>();
      input.messageIds.forEach((id, index) => {
        const m = found.get(id);
        if (!m || m.campaign_id !== campaignId) return errors.push({ index, field: 'messageIds', message: `no message ${id} in campaign ${campaignId}` });
        if (m.cost_state !== 'reserved' && m.cost_state !== 'released' && m.cost_state !== 'committed') {
          return errors.push({ index, field: 'messageIds', message: `message ${id} was not reserved by the send gate` });
        }
        const pid = providerIds?.[index] ?? null;
        if (pid && taken.has(pid) && taken.get(pid) !== id) return errors.push({ index, field: 'providerMessageIds', message: `${provider} message ${pid} already belongs to message ${taken.get(pid)}` });
        if (done.has(id)) return;
        done.add(id);
        if (m.cost_state === 'committed') {
          already += 1;
          return;
        }
        if (m.cost_state === 'released') late += 1;
        const cost = input.costs?.[index];
        const next: MessageRow = { ...m, cost_state: 'committed', cost_minor: cost ?? Number(m.cost_minor), sent_at: m.sent_at ?? now };
        if (pid && !m.provider_message_id) {
          next.provider = provider;
          next.provider_message_id = pid;
        }
        changes.push({ before: m, after: next });
      });
      if (errors.length) return { ok: false, status: 422, message: `${errors.length} message(s) cannot be committed; nothing was changed. First: ${errors[0].message}.`, errors };
      await saveMessageChanges(this.db, trx, account.time_zone, accountId, changes, new Map([[campaignId, campaign.channel as Channel]]));
      await deleteReservations(trx, accountId, changes.map((c) => c.before.id));
      await this.moveLedgers(trx, accountId, account.time_zone, changes);
      const ledger = (await getLedgers(trx, accountId, [campaignId])).get(campaignId);
      return {
        ok: true,
        value: {
          committed: changes.length, alreadyCommitted: already, late, used: changes.reduce((s, c) => s + Number(c.after.cost_minor), 0),
          budget: campaignBudgetView(account.currency, storedMoney(campaign.budget_minor), ledger),
        },
      };
    }, Math.max(1, input.messageIds.length));
    this.alerts.kick();
    return out;
  }

  /** These messages will not be sent: their reserved cost is freed and they count as not sent for `reason`. */
  async release(accountId: string, campaignId: string, input: { messageIds: string[]; reason?: FailureReason }): Promise<Outcome<ReleaseAnswer>> {
    const out = await this.writer.run<Outcome<ReleaseAnswer>>(async (trx) => {
      const account = (await this.accounts.get(accountId, trx))!;
      const campaign = await getCampaign(trx, accountId, campaignId);
      if (!campaign) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
      const found = new Map((await findMessagesByIds(trx, accountId, input.messageIds, undefined, this.db.kind === 'postgres')).map((m) => [m.id, m]));
      const errors: ItemError[] = [];
      const changes: { before: MessageRow; after: MessageRow }[] = [];
      const done = new Set<string>();
      let already = 0;
      input.messageIds.forEach((id, index) => {
        const m = found.get(id);
        if (!m || m.campaign_id !== campaignId) return errors.push({ index, field: 'messageIds', message: `no message ${id} in campaign ${campaignId}` });
        if (m.cost_state === 'committed') return errors.push({ index, field: 'messageIds', message: `message ${id} is already committed (sent): it cannot be released` });
        if (m.cost_state !== 'reserved' && m.cost_state !== 'released') return errors.push({ index, field: 'messageIds', message: `message ${id} was not reserved by the send gate` });
        if (done.has(id)) return;
        done.add(id);
        if (m.cost_state === 'released' && m.not_sent_reason !== null) {
          already += 1;
          return;
        }
        changes.push({ before: m, after: { ...m, cost_state: 'released', not_sent_reason: input.reason ?? 'other' } });
      });
      if (errors.length) return { ok: false, status: 422, message: `${errors.length} message(s) cannot be released; nothing was changed. First: ${errors[0].message}.`, errors };
      await saveMessageChanges(this.db, trx, account.time_zone, accountId, changes, new Map([[campaignId, campaign.channel as Channel]]));
      await deleteReservations(trx, accountId, changes.map((c) => c.before.id));
      await this.moveLedgers(trx, accountId, account.time_zone, changes);
      await this.resumeIfPaid(trx, accountId, [campaignId]);
      const c = (await getCampaign(trx, accountId, campaignId))!;
      const ledger = (await getLedgers(trx, accountId, [campaignId])).get(campaignId);
      return {
        ok: true,
        value: {
          released: changes.length, alreadyReleased: already, freed: changes.reduce((s, x) => s + ledgerShare(x.before).reserved, 0),
          campaign: { status: c.status, statusReason: c.status_reason },
          budget: campaignBudgetView(account.currency, storedMoney(c.budget_minor), ledger),
        },
      };
    }, Math.max(1, input.messageIds.length));
    return out;
  }

  /** Releases reservations whose TTL has passed (the timer's sweep, every account). Returns how many. */
  async expireDue(limit = 10_000): Promise<number> {
    const now = this.clock();
    return this.writer.run(async (trx) => {
      const due = await findExpiredReservations(trx, now, null, limit);
      const byAccount = new Map<string, ReservationRow[]>();
      for (const r of due) byAccount.set(r.account_id, [...(byAccount.get(r.account_id) ?? []), r]);
      let n = 0;
      for (const [accountId, rows] of byAccount) {
        const account = await this.accounts.get(accountId, trx);
        if (account) n += await this.expireIn(trx, accountId, account.time_zone, rows);
      }
      return n;
    });
  }

  /** Expiry is a release that the sender did not ask for: the message stays "not yet processed", its cost is freed. */
  private async expireIn(trx: Transaction<DB>, accountId: string, timeZone: string, rows: ReservationRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const messages = await findMessagesByIds(trx, accountId, rows.map((r) => r.message_id), undefined, this.db.kind === 'postgres');
    const changes = messages.filter((m) => m.cost_state === 'reserved').map((m) => ({ before: m, after: { ...m, cost_state: 'released' } }));
    const campaignIds = [...new Set(changes.map((c) => c.before.campaign_id))];
    const channels = new Map((await getCampaigns(trx, accountId, campaignIds)).map((c) => [c.id, c.channel as Channel]));
    await saveMessageChanges(this.db, trx, timeZone, accountId, changes, channels);
    await deleteReservations(trx, accountId, rows.map((r) => r.message_id));
    await this.moveLedgers(trx, accountId, timeZone, changes);
    await this.resumeIfPaid(trx, accountId, campaignIds);
    return changes.length;
  }

  /** Applies the ledger moves of message changes and raises the budget alerts they cross. */
  private async moveLedgers(trx: Transaction<DB>, accountId: string, timeZone: string, changes: { before: MessageRow; after: MessageRow }[]): Promise<void> {
    const deltas = ledgerDeltas(changes, timeZone);
    if (deltas.size === 0) return;
    const after = await addToLedgers(trx, accountId, deltas);
    const movedUsed = [...deltas].filter(([, d]) => d.used !== 0).map(([s]) => s);
    if (movedUsed.length === 0) return;
    const account = (await this.accounts.get(accountId, trx))!;
    const campaigns = new Map((await getCampaigns(trx, accountId, movedUsed.filter((s) => !s.startsWith(MONTH_SCOPE)))).map((c) => [c.id, c]));
    const monthly = movedUsed.some((s) => s.startsWith(MONTH_SCOPE)) ? storedMoney((await getBillingSettings(trx, accountId))?.monthly_budget_minor) : null;
    for (const scope of movedUsed) {
      const isMonth = scope.startsWith(MONTH_SCOPE);
      const budget = isMonth ? monthly : storedMoney(campaigns.get(scope)?.budget_minor);
      if (budget === null) continue;
      const now = after.get(scope)!.used_minor;
      const prev = now - deltas.get(scope)!.used;
      for (const level of budgetAlertsCrossed(usedShare(prev, Number(budget)), usedShare(now, Number(budget)))) {
        await this.alerts.enqueueIn(trx, accountId, level === 80 ? 'budget.80' : 'budget.100', {
          accountId, campaignId: isMonth ? null : scope, period: isMonth ? scope.slice(MONTH_SCOPE.length) : null, budgetMinor: Number(budget), usedMinor: now, currency: account.currency,
        });
      }
    }
  }

  /** Campaigns stopped for budget exhaustion whose budget can pay again go back to sending. */
  private async resumeIfPaid(trx: Transaction<DB>, accountId: string, campaignIds: string[]): Promise<void> {
    if (campaignIds.length === 0) return;
    const ledgers = await getLedgers(trx, accountId, campaignIds);
    for (const c of await getCampaigns(trx, accountId, campaignIds)) {
      const l = ledgers.get(c.id);
      const resume = shouldResume({
        campaignStatus: c.status as CampaignStatus, stopReason: c.status_reason, budgetMinor: storedMoney(c.budget_minor),
        usedMinor: l?.used_minor ?? 0, reservedMinor: l?.reserved_minor ?? 0,
      });
      if (resume) await updateCampaign(trx, accountId, c.id, { status: 'sending', status_reason: null, updated_at: this.clock() });
    }
  }

  /** Campaigns.update calls this when a budget changed: a raised budget resumes a campaign the gate stopped. */
  async budgetChanged(accountId: string, campaignId: string): Promise<void> {
    await this.writer.run(async (trx) => {
      await lockLedgers(this.db, trx, accountId, [campaignId]);
      await this.resumeIfPaid(trx, accountId, [campaignId]);
    });
  }

  // ---------------------------------------------------------------- provider costs (ingestion hook)
  /**
   * Inside ingestion: a reported cost (provider price, WhatsApp pricing category, SMS segments) is priced with the
   * campaign's model and commits the message; a reserved message the provider reports sent is committed at its
   * estimate. The ledger moves with it.
   */
  async beforeSave(
    trx: Transaction<DB>,
    accountId: string,
    changes: { before: MessageRow; after: MessageRow }[],
    items: { e: IncomingEvent; m: MessageRow }[],
    channels: Map<string, Channel>,
  ): Promise<void> {
    const events = new Map<string, IncomingEvent[]>();
    for (const { e, m } of items) events.set(m.id, [...(events.get(m.id) ?? []), e]);
    const models = new Map<string, CostModel | null>();
    const touched: { before: MessageRow; after: MessageRow }[] = [];
    for (const c of changes) {
      const es = events.get(c.before.id) ?? [];
      const channel = channels.get(c.after.campaign_id)!;
      const reported = [...es].reverse().find((e) => e.costMinor !== undefined)?.costMinor;
      const meta = [...es].reverse().find((e) => e.meta && typeof e.meta === 'object' && 'pricing' in e.meta)?.meta?.pricing as { type?: string; billable?: boolean } | undefined;
      const hasFacts = reported !== undefined || (channel === 'whatsapp' && (c.after.pricing_category !== c.before.pricing_category || meta !== undefined)) || (channel === 'sms' && c.after.segments !== c.before.segments && c.after.segments !== null);
      const held = c.before.cost_state === 'reserved' || c.before.cost_state === 'released';
      if (hasFacts) {
        if (!models.has(c.after.campaign_id)) models.set(c.after.campaign_id, await this.modelFor(trx, accountId, c.after.campaign_id));
        const model = models.get(c.after.campaign_id);
        const estimate = Number(c.before.cost_minor);
        const actual = model
          ? actualCostFromProvider(model, {
              channel, country: channel === 'sms' || channel === 'whatsapp' ? countryOfPhone(c.after.recipient) : null, costMinor: reported ?? null,
              pricingCategory: c.after.pricing_category, pricingType: meta?.type ?? null, billable: meta?.billable ?? null, segments: c.after.segments,
            }, estimate)
          : reported !== undefined ? { costMinor: reported, source: 'provider_price' as const } : { costMinor: estimate, source: 'estimate' as const };
        if (actual.source !== 'estimate' || held || c.before.cost_state === 'committed') {
          c.after.cost_minor = actual.costMinor;
          c.after.cost_state = 'committed';
        }
      } else if (held && wasSent(c.after)) {
        c.after.cost_minor = Number(c.before.cost_minor);
        c.after.cost_state = 'committed';
      }
      if (c.after.cost_state !== c.before.cost_state || Number(c.after.cost_minor) !== Number(c.before.cost_minor)) touched.push(c);
    }
    if (touched.length === 0) return;
    const account = (await this.accounts.get(accountId, trx))!;
    // saveMessageChanges sets the cohort day afterwards; the ledger needs the month now, so compute it the same way.
    for (const t of touched) t.after.cohort_day = dayInZone(cohortAt(t.after, t.after.registered_at), account.time_zone);
    await deleteReservations(trx, accountId, touched.filter((t) => t.before.cost_state === 'reserved' && t.after.cost_state !== 'reserved').map((t) => t.before.id));
    await this.moveLedgers(trx, accountId, account.time_zone, touched);
  }

  // ---------------------------------------------------------------- reading
  /** One campaign's budget: budget, used, reserved, remaining, used share. */
  async campaignBudget(accountId: string, campaignId: string): Promise<(CampaignBudget & { status: string; statusReason: string | null; openReservations: number }) | null> {
    const account = (await this.accounts.get(accountId))!;
    const c = await getCampaign(this.db.kysely, accountId, campaignId);
    if (!c) return null;
    const l = (await getLedgers(this.db.kysely, accountId, [campaignId])).get(campaignId);
    const open = await countReservations(this.db.kysely, accountId, campaignId);
    return { ...campaignBudgetView(account.currency, storedMoney(c.budget_minor), l), status: c.status, statusReason: c.status_reason, openReservations: open };
  }

  /**
   * The account's budget card (KPIS.md): over the active campaigns with a budget (draft, scheduled, sending, paused,
   * or stopped by the gate for money), or over the month when an account monthly budget is set. Null without budgets.
   */
  async card(accountId: string) {
    const now = this.clock();
    const account = (await this.accounts.get(accountId))!;
    const monthly = storedMoney((await getBillingSettings(this.db.kysely, accountId))?.monthly_budget_minor);
    const active = (await listCampaignRows(this.db.kysely, accountId, {})).filter(
      (c) => storedMoney(c.budget_minor) !== null && (['draft', 'scheduled', 'sending', 'paused'].includes(c.status) || (c.status === 'stopped' && c.status_reason === 'budget_exhausted')),
    );
    if (active.length === 0 && monthly === null) return null;
    const today = todayIn(account.time_zone, now);
    const from = addDays(today, -6);
    let used = 0;
    let reserved = 0;
    let spend7 = 0;
    if (monthly !== null) {
      const l = (await getLedgers(this.db.kysely, accountId, [monthScope(today)])).get(monthScope(today));
      used = l?.used_minor ?? 0;
      reserved = l?.reserved_minor ?? 0;
      spend7 = await sumSpend(this.db.kysely, accountId, from, today) + (await fixedCostsByDay(this.db.kysely, accountId, account.time_zone, from, today)).total;
    } else {
      for (const l of await listCampaignLedgers(this.db.kysely, accountId, active.map((c) => c.id))) {
        used += l.used_minor;
        reserved += l.reserved_minor;
      }
      const ids = active.map((c) => c.id);
      spend7 = await sumSpend(this.db.kysely, accountId, from, today, ids) + (await fixedCostsByDay(this.db.kysely, accountId, account.time_zone, from, today, { campaignIds: ids })).total;
    }
    const card = budgetCard({
      campaignBudgetsMinor: active.map((c) => storedMoney(c.budget_minor)!), accountMonthlyBudgetMinor: monthly, usedMinor: used, reservedMinor: reserved,
      spendLast7DaysMinor: spend7, now,
    });
    return {
      currency: account.currency, total: card.totalMinor, used: card.usedMinor, reserved: card.reservedMinor, remaining: card.remainingMinor,
      dailyAverage: card.dailyAverageMinor, forecastDays: card.forecastDays, light: card.light, remainingShare: card.remainingShare,
      spendLast7Days: spend7, period: { from, to: today }, campaigns: active.length, monthlyBudget: monthly, asOf: iso(now),
    };
  }
}

function identity(r: SendRecipient) {
  return { email: r.email, phone: r.phone, address: r.address, externalId: r.externalId, firstName: r.firstName, lastName: r.lastName };
}


/**
 * The background round started by main.ts: expire reservations past their TTL, check invoices for overdue and
 * suspension alerts, deliver due alerts. Correctness never depends on it: the gate expires its campaign's
 * reservations itself, and reads suspension from the invoices at each call.
 */
export class BudgetSweep {
  private round: Promise<void> | null = null;

  /** Rounds are started by a PeriodicJob (main.ts): once per period across every node on the database. */
  constructor(private readonly parts: { budgets: Budgets; billing: Billing; alerts: Alerts; metrics?: ServiceMetrics }) {}

  /** One round (never two at once); errors are kept for the next round rather than crashing the process. */
  runOnce(): Promise<void> {
    this.round ??= (async () => {
      const t0 = performance.now();
      const metrics = this.parts.metrics ?? noMetrics;
      try {
        // Keep going while full pages expire (bounded by what is due now).
        while ((await this.parts.budgets.expireDue(10_000)) >= 10_000);
        await this.parts.billing.checkAll();
        await this.parts.alerts.deliverDue();
        metrics.budgetSweep(true, (performance.now() - t0) / 1000);
      } catch (err) {
        metrics.budgetSweep(false, (performance.now() - t0) / 1000);
        process.stderr.write(`[budget sweep] round failed, the next one runs as usual: ${(err as Error)?.stack ?? String(err)}\n`);
      } finally {
        this.round = null;
      }
    })();
    return this.round;
  }

  async stop(): Promise<void> {
    this.parts.alerts.close();
    await this.round;
    await this.parts.alerts.idle();
  }
}

/**
 * Adapts the tracking area's service (deps.tracking, when wired) to the gate: tracked links and the QR URL of each
 * allowed message. Read lazily, so the order areas are wired in does not matter; absent tracking means no links.
 */
export function trackingForGate(get: () => unknown): GateTracking {
  type Issued = Promise<{ ok: boolean; value?: { messages: { messageId: string; links: unknown[]; qr: unknown; pixelUrl?: string }[] } }>;
  type IssueIn = (trx: Transaction<DB>, a: string, c: string, sel: { messageIds: string[]; created: { id: string; recipient: string }[] }) => Issued;
  return {
    forGate: async (trx, accountId, campaignId, messages) => {
      const t = get() as { issueIn?: IssueIn } | undefined;
      const out = new Map<string, unknown>();
      if (!t || typeof t.issueIn !== 'function') return out;
      const issued = await t.issueIn.call(t, trx, accountId, campaignId, {
        messageIds: messages.map((m) => m.messageId),
        created: messages.filter((m) => m.created).map((m) => ({ id: m.messageId, recipient: m.recipient })),
      });
      if (!issued.ok || !issued.value) return out;
      for (const m of issued.value.messages) out.set(m.messageId, { links: m.links, qr: m.qr, pixelUrl: m.pixelUrl });
      return out;
    },
  };
}
