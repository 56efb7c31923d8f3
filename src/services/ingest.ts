// Event ingestion and message registration: resolve each event's message, drop duplicates, keep orphans for
// later, apply the rest to message state and daily counts, all inside one group-committed transaction.
import { timeOrderedId } from './ids';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB, EventRow, MessageRow, OrphanEventRow, SuppressionRow } from '../store/schema';
import {
  addCampaignDays, addCampaignVariantCounts, findEarliestSentDays, findMessageCampaigns, findMessagesByIds, findMessagesByProviderIds, findMessagesByRecipients, insertEvents,
  hasNeverSentOffDay, insertEventValues, insertMessages, insertOrphanEvents, listNeverSentMessages, takeOrphanEvents, updateMessages, type DayDelta, type EventValues, type VariantDelta,
} from '../store/messages';
import { findContactsByKeys, getCampaigns, insertContacts, updateContact } from '../store/campaigns';
import { findSuppressed, insertSuppressions } from '../store/suppressions';
import {
  addCounts, applyEvent, campaignSendDay, cohortAt, cohortDay, countsDelta, dayInZone, deriveStatus, emptyState, isZero, messageCounts,
  variantCounts, variantDelta, VARIANT_FIELDS, wasSent,
  type MessageCounts, type MessageState, type VariantCounts,
} from '../domain/message';
import { normalizeAddress, normalizeEmail, normalizePhone, recipientKeys, type PostalAddress, type RecipientKeys } from '../domain/contacts';
import type { Channel, FailureReason, IncomingEvent, MessageRef } from '../domain/types';
import { canonicalProviderMessageId, withCanonicalProviderIds } from '../domain/providerIds';
import { instantProblem, moneyProblem } from '../domain/bounds';
import type { Writer } from './writer';
import type { AccountDirectory } from './accounts';
import type { ErasureKeys } from './erasure';
import { noMetrics, type ServiceMetrics } from './metrics';
import { cohortMessages } from './cohorts';

/** The keys of a recipient known by nothing (an erased person's, once replaced by their anonymous key). */
const NO_KEYS: RecipientKeys = { address: null, email: null, phone: null, addressKey: null, phoneCountry: null };

/** How many message → campaign pairs `storeIn` keeps, all accounts together (about 100 bytes each). */
const MESSAGE_CAMPAIGNS_CACHED = 500_000;

export interface ItemError {
  index: number;
  field: string;
  message: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 404 | 409 | 422; message: string; errors: ItemError[] };

export interface IngestSummary {
  received: number;
  /**
   * Events newly stored in the log (not duplicates, not orphans): applied to their messages in the same transaction,
   * or, when stored by `storeIn` (the ingestion worker), moments later from its inbox.
   */
  applied: number;
  duplicates: number;
  /** Events whose message is not registered yet: kept, applied when it is. */
  pending: number;
  /** Of those, how many were not already waiting (a repeated orphan is kept once). */
  newlyPending?: number;
}

/** An event names a message the account does not have. */
const noMessage = (index: number, messageId: string): ItemError => ({ index, field: 'messageId', message: `no message ${messageId} in this account` });

/** A batch refused because some events name what does not exist: nothing stored. */
const unknownReferences = (errors: ItemError[]): Outcome<never> => ({
  ok: false, status: 422, message: `${errors.length} event(s) name something that does not exist; nothing was stored.`, errors,
});

const refKey = (ref: MessageRef, recipient?: string): string =>
  ref.kind === 'provider' ? `p:${ref.provider}:${ref.providerMessageId}` : ref.kind === 'recipient' ? `r:${ref.campaignId}:${recipient ?? ref.recipient}` : `m:${ref.messageId}`;

/** How a (campaign, recipient) reference names its recipient, normalised like registered messages are. */
export function normalizeRecipient(channel: Channel, raw: string, defaultCountry?: string): string {
  const trimmed = raw.trim();
  if (channel === 'email') return normalizeEmail(trimmed) ?? trimmed.toLowerCase();
  if (channel === 'sms' || channel === 'whatsapp') return normalizePhone(trimmed, defaultCountry) ?? trimmed;
  return trimmed;
}

/**
 * What a message is recorded under: its channel's normalised address; else the value given, as given (a malformed
 * address is kept, to be shown as not sent); else its external id. Null when it has none of them, e.g. only blanks:
 * such a message cannot be registered, and the send gate only refuses it.
 */
export function recordedRecipient(channel: Channel, recipient: RecipientIdentity, keys: RecipientKeys, defaultCountry?: string): string | null {
  if (keys.address) return keys.address;
  const raw = channel === 'email' ? recipient.email : channel === 'mail' ? normalizeAddress(recipient.address) ?? formatAddress(recipient.address) : recipient.phone;
  return (raw ? normalizeRecipient(channel, raw, defaultCountry) : '') || (recipient.externalId ? `ext:${recipient.externalId}` : null);
}

function dedupeKey(e: IncomingEvent, target: string): string {
  if (e.providerEventId) {
    const provider = e.ref.kind === 'provider' ? e.ref.provider : (e.provider ?? 'api');
    return `pe:${provider}:${e.providerEventId}`;
  }
  return `${target}|${e.type}|${e.at}|${e.url ?? ''}`;
}

/** An event just applied to its message, as listeners see it (attribution re-credits orders a late touch changes). */
export interface AppliedEvent {
  messageId: string;
  campaignId: string;
  contactId: string | null;
  type: IncomingEvent['type'];
  at: number;
  machine: boolean;
  /** The campaign's channel. */
  channel: Channel;
  /** A reply's text (the feedback list keeps it). */
  text?: string;
}
/** An event stored in the log whose effect on its message is applied later (the ingestion inbox, SQLite). */
export interface StoredEvent {
  e: IncomingEvent;
  messageId: string;
}

/** What an event carried that its log row does not keep (see `eventFromRow`). */
export type EventExtra = Pick<IncomingEvent, 'provider' | 'providerMessageId'>;

/**
 * Takes the events just stored in the log (the rowids of the rows, and by rowid what a row does not keep), inside the
 * storing transaction, to apply them later: the caller keeps a durable note of them in the same commit (the ingestion
 * inbox), reads them back with `eventFromRow` and applies them with `applyStoredIn`.
 */
export type DeferredApply = (accountId: string, rowids: number[], extras: Map<number, EventExtra>) => void;

/**
 * A batch whose events all name their message by Mesure's id and carry no provider message id (the API's usual batch),
 * made ready on the request thread for `storePreparedIn` on another: each event as its log row's values, with the same
 * dedupe keys and rows as `ingestIn` builds. The campaign of each message is read where the batch is stored.
 */
export interface PreparedBatch {
  received: number;
  receivedAt: number;
  values: EventValues[];
}

/** `PreparedBatch` of a batch, or null when some event names its message otherwise or carries a provider message id. */
export function prepareById(accountId: string, events: IncomingEvent[], now: number): PreparedBatch | null {
  const seen = new Set<string>();
  const values: EventValues[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.ref.kind !== 'id' || e.providerMessageId !== undefined) return null;
    const dk = dedupeKey(e, e.ref.messageId);
    const duplicate = seen.has(dk) ? 1 : 0;
    seen.add(dk);
    const r = eventRow(accountId, dk, { id: e.ref.messageId, campaign_id: '' }, e, now);
    values.push([i, dk, r.message_id, r.type, r.at, r.url, r.machine, r.flag_reason, r.data, duplicate]);
  }
  return { received: events.length, receivedAt: now, values };
}

export type AppliedEventsListener = (trx: Transaction<DB>, accountId: string, applied: AppliedEvent[]) => Promise<void>;

/** Called inside the ingesting transaction with each changed message (`after` may be amended) and its events. */
export interface CostingHook {
  beforeSave(
    trx: Transaction<DB>,
    accountId: string,
    changes: { before: MessageRow; after: MessageRow }[],
    items: { e: IncomingEvent; m: MessageRow }[],
    channels: Map<string, Channel>,
  ): Promise<void>;
}

export class Ingestor {
  /** Sets message costs from what events report, before the changes are saved (the budgets area provides it). */
  costing?: CostingHook;

  /** Run inside the ingesting transaction after events are applied, so what they derive commits with them. */
  readonly afterApply: AppliedEventsListener[] = [];

  /** Each account's erasure pepper: registration and the send gate recognise erased people by their hashes. */
  erasure?: ErasureKeys;

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly clock: () => number = Date.now,
    private readonly metrics: ServiceMetrics = noMetrics,
  ) {}

  /**
   * Where the API's events go when something else stores them (the ingestion worker on SQLite: stored in the log and
   * the inbox, answered, applied to messages moments later). Unset: `ingest` on this thread.
   */
  offload?: { ingestEvents(accountId: string, events: IncomingEvent[]): Promise<Outcome<IngestSummary>> };

  /** Stores and applies a batch of events for one account, all or nothing. Resolves after COMMIT. */
  ingest(accountId: string, events: IncomingEvent[]): Promise<Outcome<IngestSummary>> {
    return this.writer.run((trx) => this.applyEvents(trx, accountId, events), Math.max(1, events.length));
  }

  /**
   * The API's ingestion (`POST /v1/events`): resolves after the events are committed to the log. With an offload
   * their effect on messages and daily counts follows moments later (the API waits for it before it reads anything
   * for the account); without one, `ingest`.
   */
  async accept(accountId: string, events: IncomingEvent[]): Promise<Outcome<IngestSummary>> {
    const outcome = this.offload ? await this.offload.ingestEvents(accountId, events) : await this.ingest(accountId, events);
    if (outcome.ok) {
      this.metrics.eventsAcknowledged('api', outcome.value.received);
      // Applied in the same commit without an offload; with one, as its inbox applies them (`noteApplied`).
      if (!this.offload) this.metrics.eventsApplied('api', outcome.value.applied);
    }
    return outcome;
  }

  /** API events the ingestion worker's inbox applied to their messages (it reports each slice to this thread). */
  noteApplied(events: number): void {
    if (events > 0) this.metrics.eventsApplied('api', events);
  }

  /**
   * Stores a batch in the event log (and orphans), all or nothing, inside the caller's transaction, and hands the
   * stored events to `later` instead of applying them: same validation, resolution and deduplication as `ingestIn`.
   */
  storeIn(trx: Transaction<DB>, accountId: string, events: IncomingEvent[], later: DeferredApply): Promise<Outcome<IngestSummary>> {
    return this.applyEvents(trx, accountId, events, later);
  }

  /**
   * `storeIn` for a batch prepared on another thread (`prepareById`): the same answer and the same rows in the log,
   * for the work of checking the messages exist and inserting.
   */
  async storePreparedIn(trx: Transaction<DB>, accountId: string, batch: PreparedBatch, later: DeferredApply): Promise<Outcome<IngestSummary>> {
    const account = await this.accounts.get(accountId, trx);
    if (!account) return { ok: false, status: 404, message: `Account ${accountId} not found.`, errors: [] };
    const ids: string[] = [];
    for (const v of batch.values) ids.push(v[2]);
    const campaigns = this.campaignsOfMessages(accountId, ids);
    const errors: ItemError[] = [];
    batch.values.forEach((v, i) => {
      if (campaigns[i] === undefined) errors.push(noMessage(v[0], v[2]));
    });
    if (errors.length > 0) return unknownReferences(errors);
    const rowids: number[] = [];
    insertEventValues(this.db, accountId, batch.receivedAt, batch.values, campaigns as string[], rowids);
    later(accountId, rowids, new Map());
    return { ok: true, value: { received: batch.received, applied: rowids.length, duplicates: batch.received - rowids.length, pending: 0, newlyPending: 0 } };
  }

  /**
   * The campaign of each message (in the same order; undefined where the account has no such message), SQLite, from
   * `messageCampaigns` first. One map lookup per event: at tens of thousands of events a second, each hash counts.
   */
  private campaignsOfMessages(accountId: string, ids: string[]): (string | undefined)[] {
    let cache = this.messageCampaigns.get(accountId);
    if (!cache) this.messageCampaigns.set(accountId, (cache = new Map()));
    const out: (string | undefined)[] = new Array(ids.length);
    const missing: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const campaignId = cache.get(ids[i]);
      if (campaignId === undefined) missing.push(i);
      else out[i] = campaignId;
    }
    if (missing.length === 0) return out;
    if (this.messageCampaignsSize + missing.length > MESSAGE_CAMPAIGNS_CACHED) {
      this.messageCampaigns.clear();
      this.messageCampaigns.set(accountId, (cache = new Map()));
      this.messageCampaignsSize = 0;
    }
    const found = findMessageCampaigns(this.db, accountId, missing.map((i) => ids[i]));
    for (const i of missing) {
      const campaignId = found.get(ids[i]);
      if (campaignId === undefined) continue;
      if (!cache.has(ids[i])) this.messageCampaignsSize++;
      cache.set(ids[i], campaignId);
      out[i] = campaignId;
    }
    return out;
  }

  /**
   * Applies events `storeIn` stored, to their messages as they are now (re-read in this transaction), the daily
   * counts and the hooks, exactly as `ingestIn` would have. Events whose message is gone since are skipped.
   */
  async applyStoredIn(trx: Transaction<DB>, accountId: string, stored: StoredEvent[]): Promise<number> {
    const account = await this.accounts.get(accountId, trx);
    if (!account || stored.length === 0) return 0;
    const messages = new Map((await findMessagesByIds(trx, accountId, stored.map((s) => s.messageId), this.db)).map((m) => [m.id, m]));
    const items: { e: IncomingEvent; m: MessageRow }[] = [];
    for (const s of stored) {
      const m = messages.get(s.messageId);
      if (m) items.push({ e: s.e, m });
    }
    return this.applyToMessages(trx, account.time_zone, accountId, items);
  }

  /**
   * The body of `ingest`, inside a transaction the caller already holds (a provider webhook records its replay
   * keys, events and opt-out changes in one commit). A failed outcome has written nothing.
   */
  ingestIn(trx: Transaction<DB>, accountId: string, events: IncomingEvent[]): Promise<Outcome<IngestSummary>> {
    return this.applyEvents(trx, accountId, events);
  }

  private async applyEvents(trx: Transaction<DB>, accountId: string, given: IncomingEvent[], later?: DeferredApply): Promise<Outcome<IngestSummary>> {
    const account = await this.accounts.get(accountId, trx);
    if (!account) return { ok: false, status: 404, message: `Account ${accountId} not found.`, errors: [] };
    const now = this.clock();
    // Provider ids in the form messages are registered under, whatever the event's source wrote ("<id@domain>"…).
    const events = given.map(withCanonicalProviderIds);
    // Times are stored in bigint columns: a fraction would be refused by PostgreSQL mid-batch and kept by SQLite as a
    // real, so the engines would disagree. Every caller passes whole milliseconds; one that does not is told which.
    const fractional = events.flatMap((e, index): ItemError[] => {
      const problem = instantProblem(e.at);
      const cost = e.costMinor === undefined ? null : moneyProblem(e.costMinor);
      return [
        ...(problem ? [{ index, field: 'at', message: `${e.at} ${problem}` }] : []),
        ...(cost ? [{ index, field: 'costMinor', message: `${e.costMinor} ${cost}` }] : []),
      ];
    });
    if (fractional.length) return { ok: false, status: 422, message: `${fractional.length} event field(s) are not whole numbers (milliseconds, minor units); nothing was stored.`, errors: fractional };

    // 1. Resolve every reference to a message.
    const ids: string[] = [];
    const byProvider = new Map<string, string[]>();
    const byCampaign = new Map<string, string[]>();
    for (const e of events) {
      if (e.ref.kind === 'id') ids.push(e.ref.messageId);
      else if (e.ref.kind === 'provider') {
        const list = byProvider.get(e.ref.provider) ?? [];
        list.push(e.ref.providerMessageId);
        byProvider.set(e.ref.provider, list);
      } else {
        const list = byCampaign.get(e.ref.campaignId) ?? [];
        list.push(e.ref.recipient);
        byCampaign.set(e.ref.campaignId, list);
      }
    }
    const errors: ItemError[] = [];
    const campaigns = new Map((await getCampaigns(trx, accountId, [...byCampaign.keys()])).map((c) => [c.id, c]));
    // Stored now and applied later, an event needs only its message's id and campaign: the whole row is read when
    // it is applied. (On SQLite; the partial rows below are used for nothing else.)
    type Target = Pick<MessageRow, 'id' | 'campaign_id'>;
    const messages = new Map<string, MessageRow>();
    const byProviderKey = new Map<string, MessageRow>();
    const byRecipientKey = new Map<string, MessageRow>();
    if (later && this.db.sqlite) {
      this.campaignsOfMessages(accountId, ids).forEach((campaignId, i) => {
        if (campaignId !== undefined) messages.set(ids[i], { id: ids[i], campaign_id: campaignId } satisfies Target as MessageRow);
      });
    } else {
      // Locked (PostgreSQL) until this transaction ends: clicks apply beside it in their own (findMessagesByIds).
      for (const m of await findMessagesByIds(trx, accountId, ids, this.db, this.db.kind === 'postgres')) messages.set(m.id, m);
    }
    for (const [provider, pids] of byProvider) {
      for (const m of await findMessagesByProviderIds(trx, accountId, provider, pids, this.db.kind === 'postgres')) {
        messages.set(m.id, m);
        byProviderKey.set(`p:${provider}:${m.provider_message_id}`, m);
      }
    }
    const normalized = new Map<IncomingEvent, string>();
    for (const [campaignId, raws] of byCampaign) {
      const campaign = campaigns.get(campaignId);
      if (!campaign) continue;
      const recips = raws.map((r) => normalizeRecipient(campaign.channel as Channel, r, account.default_country ?? undefined));
      for (const m of await findMessagesByRecipients(trx, accountId, campaignId, recips, undefined, this.db.kind === 'postgres')) {
        messages.set(m.id, m);
        byRecipientKey.set(`r:${campaignId}:${m.recipient}`, m);
      }
    }
    events.forEach((e, index) => {
      if (e.ref.kind === 'id' && !messages.has(e.ref.messageId)) {
        errors.push(noMessage(index, e.ref.messageId));
      } else if (e.ref.kind === 'recipient') {
        const campaign = campaigns.get(e.ref.campaignId);
        if (!campaign) errors.push({ index, field: 'campaignId', message: `no campaign ${e.ref.campaignId} in this account` });
        else normalized.set(e, normalizeRecipient(campaign.channel as Channel, e.ref.recipient, account.default_country ?? undefined));
      }
    });
    if (errors.length > 0) return unknownReferences(errors);

    // 2. Split into events to apply and orphans to keep.
    const eventRows: EventRow[] = [];
    const rowEvents = new Map<string, { e: IncomingEvent; m: MessageRow }>();
    const orphans: OrphanEventRow[] = [];
    for (const e of events) {
      // A message named by Mesure's id exists (checked above); other references may name one not registered yet.
      let m: MessageRow | undefined;
      if (e.ref.kind === 'id') m = messages.get(e.ref.messageId);
      else {
        const key = refKey(e.ref, normalized.get(e));
        m = e.ref.kind === 'provider' ? byProviderKey.get(key) : byRecipientKey.get(key);
        if (!m) {
          orphans.push({ account_id: accountId, ref_key: key, dedupe_key: dedupeKey(e, key), event: JSON.stringify(e), received_at: now });
          continue;
        }
      }
      if (!m) throw new Error(`message ${(e.ref as { messageId: string }).messageId} vanished while its events were stored`);
      const dk = dedupeKey(e, m.id);
      if (rowEvents.has(dk)) continue;
      rowEvents.set(dk, { e, m });
      eventRows.push(eventRow(accountId, dk, m, e, now));
    }
    const pending = await insertOrphanEvents(trx, orphans);
    const where = later ? { index: [] as number[], rowid: [] as number[] } : undefined;
    const inserted = await insertEvents(this.db, trx, eventRows, where);
    let applied: number;
    if (later && where) {
      const items = [...rowEvents.values()];
      const extras = new Map<number, EventExtra>();
      where.index.forEach((i, j) => {
        const e = items[i].e;
        if (e.providerMessageId !== undefined) {
          extras.set(where.rowid[j], { provider: e.provider ?? (e.ref.kind === 'provider' ? e.ref.provider : undefined), providerMessageId: e.providerMessageId });
        }
      });
      later(accountId, where.rowid, extras);
      applied = inserted.size;
    } else {
      applied = await this.applyToMessages(trx, account.time_zone, accountId, [...inserted].map((k) => rowEvents.get(k)!));
    }
    return {
      ok: true,
      value: { received: events.length, applied, duplicates: events.length - applied - orphans.length, pending: orphans.length, newlyPending: pending } as IngestSummary,
    };
  }

  /** Applies stored events to their messages and the daily counts. Returns how many were applied. */
  private async applyToMessages(
    trx: Transaction<DB>,
    timeZone: string,
    accountId: string,
    items: { e: IncomingEvent; m: MessageRow }[],
  ): Promise<number> {
    if (items.length === 0) return 0;
    const before = new Map<string, MessageRow>();
    const after = new Map<string, MessageRow>();
    for (const { e, m } of items) {
      if (!before.has(m.id)) before.set(m.id, m);
      const current = after.get(m.id) ?? m;
      const next = applyEvent(current, e);
      if (e.providerMessageId && !next.provider_message_id) {
        next.provider = e.provider ?? (e.ref.kind === 'provider' ? e.ref.provider : null);
        next.provider_message_id = e.providerMessageId;
      }
      // A cost reported with an event is the provider's actual (billed) figure: it replaces the estimate.
      if (e.costMinor !== undefined) {
        next.cost_minor = e.costMinor;
        next.cost_state = 'committed';
      }
      after.set(m.id, next);
    }
    const channels = await this.channelsOf(trx, accountId, [...after.values()].map((m) => m.campaign_id));
    const changes = [...after].map(([id, next]) => ({ before: before.get(id)!, after: next }));
    // Budgets price reported costs with the account's model and keep their ledger in step (services/budgets.ts).
    if (this.costing) await this.costing.beforeSave(trx, accountId, changes, items, channels);
    // The rows were read FOR UPDATE in this transaction (or registered in it): locked.
    await saveMessageChanges(this.db, trx, timeZone, accountId, changes, channels, true);
    await this.recordOptOuts(trx, accountId, items, channels);
    if (this.afterApply.length) {
      const applied = items.map(({ e, m }): AppliedEvent => ({ messageId: m.id, campaignId: m.campaign_id, contactId: m.contact_id, type: e.type, at: e.at, machine: e.machine === true, channel: channels.get(m.campaign_id)!, text: e.text }));
      for (const listener of this.afterApply) await listener(trx, accountId, applied);
    }
    return items.length;
  }

  /**
   * Unsubscribes, complaints, hard bounces and provider opt-out failures (STOP, WhatsApp 131050) put the
   * recipient on the channel's suppression list and mark the contact opted out of that channel.
   */
  private async recordOptOuts(
    trx: Transaction<DB>,
    accountId: string,
    items: { e: IncomingEvent; m: MessageRow }[],
    channels: Map<string, Channel>,
  ): Promise<void> {
    const rows: SuppressionRow[] = [];
    for (const { e, m } of items) {
      const reason = suppressionReason(e);
      if (!reason) continue;
      const channel = channels.get(m.campaign_id)!;
      rows.push({ account_id: accountId, channel, address: m.recipient, reason, source: `message:${m.id}`, created_at: e.at });
      if (m.contact_id) await updateContact(trx, accountId, m.contact_id, { [`opt_out_${channel}`]: e.at, updated_at: e.at });
    }
    await insertSuppressions(trx, rows);
  }

  private campaignChannels = new Map<string, Channel>();
  /**
   * The campaign of messages events named recently, by account then message: a message keeps its campaign and is never
   * deleted, so an entry cannot go stale. Only the deferred paths (`storeIn`, `storePreparedIn`) use it; bounded, all
   * accounts together, by clearing it.
   */
  private messageCampaigns = new Map<string, Map<string, string>>();
  private messageCampaignsSize = 0;
  /** The channel of each campaign (immutable, so cached). */
  async channelsOf(trx: Transaction<DB>, accountId: string, campaignIds: string[]): Promise<Map<string, Channel>> {
    const out = new Map<string, Channel>();
    const missing: string[] = [];
    for (const id of new Set(campaignIds)) {
      const c = this.campaignChannels.get(`${accountId}/${id}`);
      if (c) out.set(id, c);
      else missing.push(id);
    }
    for (const c of await getCampaigns(trx, accountId, missing)) {
      this.campaignChannels.set(`${accountId}/${c.id}`, c.channel as Channel);
      out.set(c.id, c.channel as Channel);
    }
    return out;
  }

  /** Registers a campaign's messages (one per recipient) and applies the events that were waiting for them. */
  register(accountId: string, campaignId: string, items: RegisterItem[]): Promise<Outcome<RegisteredMessage[]>> {
    return this.writer.run((trx) => this.registerIn(trx, accountId, campaignId, items), Math.max(1, items.length));
  }

  /**
   * The demo loader's step (src/demo/generate.ts): registers a run of a campaign's messages, then stores and applies
   * events that name them, in one transaction (one commit where `register` then `ingest` take two), with the same
   * effects. All or nothing: a refusal of either half rolls the whole step back and rejects with its message.
   */
  registerWithEvents(accountId: string, campaignId: string, items: RegisterItem[], events: IncomingEvent[]): Promise<IngestSummary> {
    return this.writer.run(async (trx) => {
      const registered = await this.registerIn(trx, accountId, campaignId, items);
      if (!registered.ok) throw new Error(`${registered.message} ${JSON.stringify(registered.errors.slice(0, 3))}`);
      const ingested = await this.applyEvents(trx, accountId, events);
      if (!ingested.ok) throw new Error(`${ingested.message} ${JSON.stringify(ingested.errors.slice(0, 3))}`);
      return ingested.value;
    }, Math.max(1, items.length + events.length));
  }

  /**
   * New messages whose provider message id is already another message's, or twice in the batch: a provider id names
   * one message (the unique key says so), so the batch is refused with 409 before anything is written.
   */
  private async reusedProviderIds(trx: Transaction<DB>, accountId: string, fresh: { item: RegisterItem; index: number }[]): Promise<ItemError[]> {
    const named = fresh.filter((p) => p.item.provider !== undefined && p.item.providerMessageId !== undefined);
    if (named.length === 0) return [];
    const taken = new Set<string>();
    for (const provider of new Set(named.map((p) => p.item.provider!))) {
      const ids = named.filter((p) => p.item.provider === provider).map((p) => p.item.providerMessageId!);
      for (const m of await findMessagesByProviderIds(trx, accountId, provider, ids)) taken.add(`${provider}\u0000${m.provider_message_id}`);
    }
    const errors: ItemError[] = [];
    const inBatch = new Map<string, number>();
    for (const p of named) {
      const key = `${p.item.provider}\u0000${p.item.providerMessageId}`;
      const earlier = inBatch.get(key);
      if (taken.has(key)) errors.push({ index: p.index, field: 'providerMessageId', message: `${p.item.provider} message id ${p.item.providerMessageId} is already another message's in this account: send its events to that message, or fix the id` });
      else if (earlier !== undefined) errors.push({ index: p.index, field: 'providerMessageId', message: `${p.item.provider} message id ${p.item.providerMessageId} is also item ${earlier}'s: one provider id names one message` });
      else inBatch.set(key, p.index);
    }
    return errors;
  }

  /** After a campaign's send date changed: its never-sent messages move to the new send day (redateNeverSent). */
  async sendDateChanged(accountId: string, campaignId: string): Promise<void> {
    await this.writer.run(async (trx) => {
      const account = await this.accounts.get(accountId, trx);
      if (account) await redateNeverSent(this.db, trx, account.time_zone, accountId, [campaignId], true);
    });
  }

  async registerIn(trx: Transaction<DB>, accountId: string, campaignId: string, given: RegisterItem[]): Promise<Outcome<RegisteredMessage[]>> {
    // A provider id is stored in the one form events are looked up by (Mailgun's send API answers "<id@domain>").
    const items = given.map((i) => (i.providerMessageId === undefined ? i : { ...i, providerMessageId: canonicalProviderMessageId(i.provider, i.providerMessageId) }));
    const account = await this.accounts.get(accountId, trx);
    const [campaign] = await getCampaigns(trx, accountId, [campaignId]);
    if (!account || !campaign) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
    const channel = campaign.channel as Channel;
    const country = account.default_country ?? undefined;
    const now = this.clock();

    const errors: ItemError[] = [];
    const prepared = items.map((item, index) => {
      // Each recipient is normalised once (its phone parsed once): the channel's address and the contact keys.
      const keys = item.keys ?? recipientKeys(channel, item.recipient, country);
      const address = keys.address;
      const recipient = recordedRecipient(channel, item.recipient, keys, country);
      if (!recipient) {
        errors.push({ index, field: 'recipient', message: `a ${channel} message needs ${channel === 'email' ? 'an email' : channel === 'mail' ? 'a postal address' : 'a phone number'} or an externalId` });
      }
      const timeProblem = item.registeredAt === undefined ? null : instantProblem(item.registeredAt);
      if (timeProblem) errors.push({ index, field: 'registeredAt', message: `${item.registeredAt} ${timeProblem}` });
      const costProblem = item.costMinor === undefined ? null : moneyProblem(item.costMinor);
      if (costProblem) errors.push({ index, field: 'costMinor', message: `${item.costMinor} ${costProblem}` });
      return { item, index, keys, recipient: recipient ?? '', invalid: address === null };
    });
    if (errors.length) return { ok: false, status: 422, message: `${errors.length} problem(s) with the messages (a recipient, a time or a cost); nothing was stored.`, errors };

    // An erased person is never stored again: their message is recorded under their anonymous key, with no contact.
    const erased = await this.erasedAmong(trx, accountId, channel, prepared.map((p) => ({ recipient: p.recipient, externalId: p.item.recipient.externalId })));
    for (const [i, anonymous] of erased) {
      const p = prepared[i];
      prepared[i] = { ...p, item: { ...p.item, recipient: {} }, keys: NO_KEYS, recipient: anonymous };
    }

    const existing = new Map((await findMessagesByRecipients(trx, accountId, campaignId, prepared.map((p) => p.recipient), this.db)).map((m) => [m.recipient, m]));
    const reused = await this.reusedProviderIds(trx, accountId, prepared.filter((p, i) => !existing.has(p.recipient) && prepared.findIndex((q) => q.recipient === p.recipient) === i));
    if (reused.length) {
      return { ok: false, status: 409, message: `${reused.length} message(s) reuse a provider message id another message has; nothing was stored. First: ${reused[0].message}.`, errors: reused };
    }
    const contacts = await this.resolveContacts(trx, accountId, prepared.map((p) => ({ raw: p.item.recipient, keys: p.keys })), now);
    const sendDay = campaignSendDay(
      campaign.send_at === null ? null : Number(campaign.send_at),
      (await findEarliestSentDays(trx, accountId, [campaignId])).get(campaignId) ?? null,
      account.time_zone,
    );
    const out: RegisteredMessage[] = [];
    const rows: MessageRow[] = [];
    const seen = new Map<string, MessageRow>();
    for (const p of prepared) {
      const found = existing.get(p.recipient) ?? seen.get(p.recipient);
      if (found) {
        out.push({ index: p.index, messageId: found.id, recipient: found.recipient, status: found.status, existing: true });
        continue;
      }
      const reason: FailureReason | null = p.item.notSentReason ?? (p.invalid ? 'invalid_recipient' : null);
      const state: MessageState = emptyState(reason);
      const registeredAt = p.item.registeredAt ?? now;
      // Object.assign rather than a spread: the same row, but spreading a 35-key state and adding 13 keys costs
      // V8 about 25 µs per row (measured), more than inserting it.
      const row: MessageRow = Object.assign(state, {
        account_id: accountId,
        id: newMessageId(),
        campaign_id: campaignId,
        contact_id: contacts[p.index]?.id ?? null,
        recipient: p.recipient,
        provider: p.item.provider ?? null,
        provider_message_id: p.item.providerMessageId ?? null,
        variant: p.item.variant ?? null,
        registered_at: registeredAt,
        // Never sent yet: it counts on its campaign's send day, not on the (import) day it is registered.
        cohort_day: sendDay ?? dayInZone(registeredAt, account.time_zone),
        cost_minor: p.item.costMinor ?? 0,
        cost_state: p.item.costState ?? (p.item.costMinor !== undefined ? 'estimated' : 'none'),
      });
      row.status = deriveStatus(row);
      rows.push(row);
      seen.set(p.recipient, row);
      out.push({ index: p.index, messageId: row.id, recipient: row.recipient, status: row.status, existing: false });
    }
    await insertMessages(trx, rows, this.db);
    const deltas = new Map<string, DayDelta>();
    for (const r of rows) addDelta(deltas, accountId, campaignId, r.cohort_day, messageCounts(r, channel));
    await addCampaignDays(this.db, trx, [...deltas.values()]);
    const variants = new Map<string, VariantDelta>();
    for (const r of rows) if (r.variant !== null) addVariantDelta(variants, accountId, campaignId, r.variant, r.id, variantCounts(r, channel));
    await addCampaignVariantCounts(this.db, trx, [...variants.values()]);
    // A message refused as opted out or invalid already says its contact is out of reach (retention cohorts).
    await cohortMessages(this.db, trx, account.time_zone, accountId, rows.map((after) => ({ before: null, after })), new Map([[campaignId, channel]]));

    // Events that arrived before their message: apply them now.
    const keys = rows.flatMap((r) => [`r:${campaignId}:${r.recipient}`, ...(r.provider_message_id ? [`p:${r.provider ?? ''}:${r.provider_message_id}`] : [])]);
    const waiting = await takeOrphanEvents(trx, accountId, keys, this.db);
    if (waiting.length) {
      const byKey = new Map<string, MessageRow>();
      for (const r of rows) {
        byKey.set(`r:${campaignId}:${r.recipient}`, r);
        if (r.provider_message_id) byKey.set(`p:${r.provider ?? ''}:${r.provider_message_id}`, r);
      }
      const eventRows: EventRow[] = [];
      const rowEvents = new Map<string, { e: IncomingEvent; m: MessageRow }>();
      for (const o of waiting) {
        const e = JSON.parse(o.event) as IncomingEvent;
        const m = byKey.get(o.ref_key)!;
        const dk = dedupeKey(e, m.id);
        if (rowEvents.has(dk)) continue;
        rowEvents.set(dk, { e, m });
        eventRows.push(eventRow(accountId, dk, m, e, o.received_at));
      }
      const inserted = await insertEvents(this.db, trx, eventRows);
      // Apply against the freshly inserted rows: re-read so before/after deltas start from what is stored.
      const current = new Map((await findMessagesByIds(trx, accountId, [...new Set([...inserted].map((k) => rowEvents.get(k)!.m.id))])).map((m) => [m.id, m]));
      await this.applyToMessages(trx, account.time_zone, accountId, [...inserted].map((k) => ({ e: rowEvents.get(k)!.e, m: current.get(rowEvents.get(k)!.m.id)! })));
      const final = new Map((await findMessagesByIds(trx, accountId, [...current.keys()])).map((m) => [m.id, m]));
      for (const o of out) {
        const f = final.get(o.messageId);
        if (f) o.status = f.status;
      }
    }
    return { ok: true, value: out };
  }

  /**
   * The recipients (as messages store them, with their external id) that belong to an erased person, by index: the
   * suppression list holds their hash on this channel (domain/erasure.ts). Each maps to the anonymous key their
   * message is recorded under. Empty, at the cost of one point lookup, for an account that never erased anyone.
   */
  async erasedAmong(trx: Transaction<DB>, accountId: string, channel: Channel, items: { recipient: string | null; externalId?: string }[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const key = this.erasure ? await this.erasure.keyer(trx, accountId) : null;
    if (!key) return out;
    const hashed = items.map((it) => ({ own: it.recipient ? key(it.recipient) : null, ext: it.externalId !== undefined ? key(`ext:${it.externalId}`) : null }));
    const listed = await findSuppressed(trx, accountId, channel, hashed.flatMap((h) => [h.own, h.ext].filter((x): x is string => x !== null)), this.db);
    hashed.forEach((h, i) => {
      if ((h.own && listed.has(h.own)) || (h.ext && listed.has(h.ext))) out.set(i, h.own ?? h.ext!);
    });
    return out;
  }

  private async resolveContacts(
    trx: Transaction<DB>,
    accountId: string,
    identities: { raw: RecipientIdentity; keys: RecipientKeys }[],
    now: number,
  ): Promise<({ id: string } | null)[]> {
    const norm = identities.map(({ raw, keys }) => ({
      externalId: raw.externalId ?? null,
      email: keys.email,
      phone: keys.phone,
      addressKey: keys.addressKey,
      raw,
    }));
    const found = await findContactsByKeys(trx, accountId, {
      externalIds: norm.flatMap((n) => (n.externalId ? [n.externalId] : [])),
      emails: norm.flatMap((n) => (n.email ? [n.email] : [])),
      phones: norm.flatMap((n) => (n.phone ? [n.phone] : [])),
      addressKeys: norm.flatMap((n) => (n.addressKey ? [n.addressKey] : [])),
    }, this.db);
    const index = new Map<string, { id: string }>();
    const put = (c: { id: string; external_id: string | null; email: string | null; phone: string | null; address_key: string | null }) => {
      if (c.external_id) index.set(`x:${c.external_id}`, c);
      if (c.email) index.set(`e:${c.email}`, c);
      if (c.phone) index.set(`p:${c.phone}`, c);
      if (c.address_key) index.set(`a:${c.address_key}`, c);
    };
    found.forEach(put);
    const created = [];
    const out: ({ id: string } | null)[] = [];
    for (const n of norm) {
      const hit =
        (n.externalId && index.get(`x:${n.externalId}`)) || (n.email && index.get(`e:${n.email}`)) ||
        (n.phone && index.get(`p:${n.phone}`)) || (n.addressKey && index.get(`a:${n.addressKey}`)) || null;
      if (hit) {
        out.push(hit);
        continue;
      }
      if (!n.externalId && !n.email && !n.phone && !n.addressKey) {
        out.push(null);
        continue;
      }
      const row = {
        account_id: accountId,
        id: timeOrderedId('ct_'),
        external_id: n.externalId,
        email: n.email,
        phone: n.phone,
        address: n.raw.address ? JSON.stringify(n.raw.address) : null,
        address_key: n.addressKey,
        first_name: n.raw.firstName ?? null,
        last_name: n.raw.lastName ?? null,
        opt_out_email: null, opt_out_sms: null, opt_out_whatsapp: null, opt_out_mail: null,
        created_at: now,
        updated_at: now,
      };
      created.push(row);
      put(row);
      out.push(row);
    }
    await insertContacts(trx, created, this.db);
    return out;
  }
}

export interface RecipientIdentity {
  externalId?: string;
  email?: string;
  phone?: string;
  address?: PostalAddress;
  firstName?: string;
  lastName?: string;
}

export interface RegisterItem {
  recipient: RecipientIdentity;
  provider?: string;
  providerMessageId?: string;
  variant?: string;
  /** Recorded as refused before sending (the send gate's reasons). */
  notSentReason?: FailureReason;
  registeredAt?: number;
  costMinor?: number;
  /** 'reserved' when the send gate holds the cost (default: 'estimated' with a cost, else 'none'). */
  costState?: 'reserved';
  /** The recipient's keys when the caller already normalised it (`recipientKeys` of the campaign's channel). */
  keys?: RecipientKeys;
}

export interface RegisteredMessage {
  index: number;
  messageId: string;
  recipient: string;
  status: string;
  existing: boolean;
}

export function newMessageId(): string {
  return timeOrderedId('msg_');
}

function formatAddress(a: PostalAddress | undefined): string | undefined {
  if (!a) return undefined;
  const s = [a.line1, a.postalCode, a.city].filter(Boolean).join(' ').trim();
  return s || undefined;
}

export function eventRow(accountId: string, dk: string, m: Pick<MessageRow, 'id' | 'campaign_id'>, e: IncomingEvent, receivedAt: number): EventRow {
  let data: Record<string, unknown> | null = null;
  if (hasData(e)) {
    data = {};
    for (const k of DATA_FIELDS) {
      if (e[k] !== undefined) data[k] = e[k];
    }
  }
  return {
    account_id: accountId,
    dedupe_key: dk,
    message_id: m.id,
    campaign_id: m.campaign_id,
    type: e.type,
    at: e.at,
    received_at: receivedAt,
    url: e.url ?? null,
    machine: e.machine ? 1 : 0,
    flag_reason: e.flagReason ?? null,
    data: data && Object.keys(data).length ? JSON.stringify(data) : null,
  };
}

/** Whether an event has any field `eventRow` keeps in `data` (most events have none: checked by name, cheaply). */
function hasData(e: IncomingEvent): boolean {
  return e.bounceType !== undefined || e.failureReason !== undefined || e.failureCode !== undefined || e.failureMessage !== undefined ||
    e.text !== undefined || e.pricingCategory !== undefined || e.segments !== undefined || e.costMinor !== undefined ||
    e.costCurrency !== undefined || e.meta !== undefined || e.providerEventId !== undefined;
}

/** The fields of an event `eventRow` keeps in `data`. */
const DATA_FIELDS = ['bounceType', 'failureReason', 'failureCode', 'failureMessage', 'text', 'pricingCategory', 'segments', 'costMinor', 'costCurrency', 'meta', 'providerEventId'] as const;

/**
 * The event `eventRow` stored, as applying it needs it: everything but the message reference (now the message's id)
 * and the provider's message id it may have carried, which the row does not keep (`extra`).
 */
export function eventFromRow(row: EventRow, extra?: EventExtra): IncomingEvent {
  const e: IncomingEvent = { type: row.type as IncomingEvent['type'], at: Number(row.at), ref: { kind: 'id', messageId: row.message_id } };
  if (row.url !== null) e.url = row.url;
  if (row.machine) e.machine = true;
  if (row.flag_reason !== null) e.flagReason = row.flag_reason;
  if (row.data !== null) Object.assign(e, JSON.parse(row.data) as Partial<IncomingEvent>);
  if (extra) Object.assign(e, extra);
  return e;
}

/**
 * Writes changed messages and moves their contribution in the daily counts from their old cohort day to
 * their new one. Every change to a message's state (events, costs) goes through here so that the counts
 * always equal the sum over messages.
 */
export async function saveMessageChanges(
  db: Db,
  trx: Transaction<DB>,
  timeZone: string,
  accountId: string,
  changes: { before: MessageRow; after: MessageRow }[],
  channels: Map<string, Channel>,
  /** The caller read the rows FOR UPDATE (PostgreSQL): see `updateMessages`. */
  locked = false,
): Promise<void> {
  await writeMessageChanges(db, trx, timeZone, accountId, changes, channels, locked);
  // A message sent (or re-dated) may set or move its campaign's send day, on which the never-sent ones count; a
  // never-sent message given another day (budgets recompute it) goes back to it.
  const moved = new Set<string>();
  for (const { before: old, after: next } of changes) {
    if (old.cohort_day === next.cohort_day && wasSent(old) === wasSent(next)) continue;
    moved.add(next.campaign_id);
  }
  if (moved.size) await redateNeverSent(db, trx, timeZone, accountId, [...moved]);
}

/**
 * Moves every never-sent message of these campaigns to its campaign's send day (campaignSendDay), with its counts;
 * a look at campaign_days first skips the campaigns where nothing is to move (the usual case), so this costs two
 * small queries per campaign. A campaign without a send day keeps its never-sent messages on their registration
 * days, where they are unless a send day was taken away: only then (`sendDateRemoved`) are they all read again.
 */
export async function redateNeverSent(
  db: Db, trx: Transaction<DB>, timeZone: string, accountId: string, campaignIds: string[], sendDateRemoved = false,
): Promise<void> {
  const campaigns = await getCampaigns(trx, accountId, campaignIds);
  const earliest = await findEarliestSentDays(trx, accountId, campaignIds);
  for (const c of campaigns) {
    const day = campaignSendDay(c.send_at === null ? null : Number(c.send_at), earliest.get(c.id) ?? null, timeZone);
    if (day === null ? !sendDateRemoved : !(await hasNeverSentOffDay(trx, accountId, c.id, day))) continue;
    const changes = [];
    for (const m of await listNeverSentMessages(trx, accountId, c.id, day)) {
      const to = cohortDay(m, Number(m.registered_at), timeZone, day);
      if (to !== m.cohort_day) changes.push({ before: m, after: { ...m, cohort_day: to } });
    }
    if (changes.length) await writeMessageChanges(db, trx, timeZone, accountId, changes, new Map([[c.id, c.channel as Channel]]));
  }
}

/** saveMessageChanges without re-dating the never-sent messages: each never-sent message keeps the day it is given. */
async function writeMessageChanges(...[db, trx, timeZone, accountId, changes, channels, locked]: Parameters<typeof saveMessageChanges>): Promise<void> {
  const deltas = new Map<string, DayDelta>();
  const variants = new Map<string, VariantDelta>();
  const changed: MessageRow[] = [];
  const previous: MessageRow[] = [];
  for (const { before: old, after: next } of changes) {
    next.status = deriveStatus(next);
    if (wasSent(next)) next.cohort_day = dayInZone(cohortAt(next, next.registered_at), timeZone);
    changed.push(next);
    previous.push(old);
    const channel = channels.get(next.campaign_id)!;
    // A message keeps its campaign and variant (neither is a mutable column): its variant's row takes the whole change.
    if (next.variant !== null) addVariantDelta(variants, accountId, next.campaign_id, next.variant, next.id, variantDelta(variantCounts(old, channel), variantCounts(next, channel)));
    const [before, after] = [messageCounts(old, channel), messageCounts(next, channel)];
    if (old.campaign_id === next.campaign_id && old.cohort_day === next.cohort_day) {
      addDelta(deltas, accountId, next.campaign_id, next.cohort_day, countsDelta(before, after));
    } else {
      // The message leaves its old day and arrives on its new one.
      addDelta(deltas, accountId, old.campaign_id, old.cohort_day, countsDelta(before, null));
      addDelta(deltas, accountId, next.campaign_id, next.cohort_day, countsDelta(null, after));
    }
  }
  await updateMessages(db, trx, changed, previous, locked);
  await addCampaignDays(db, trx, [...deltas.values()].filter((d) => !isZero(d.counts)));
  await addCampaignVariantCounts(db, trx, [...variants.values()].filter((d) => VARIANT_FIELDS.some((f) => d.counts[f] !== 0)));
  await cohortMessages(db, trx, timeZone, accountId, changes, channels);
}

/** Why an event puts its recipient on the suppression list, or null. */
export function suppressionReason(e: IncomingEvent): string | null {
  if (e.type === 'unsubscribed') return 'unsubscribed';
  if (e.type === 'complained') return 'complained';
  if (e.type === 'bounced' && e.bounceType === 'hard') return 'hard_bounce';
  if (e.type === 'failed' && e.failureReason === 'opted_out') return 'opted_out';
  return null;
}

/** Adds `counts` (a message's counts, or a change of them: countsDelta) to the (campaign, day) delta. */
function addVariantDelta(map: Map<string, VariantDelta>, accountId: string, campaignId: string, variant: string, messageId: string, counts: VariantCounts): void {
  const key = `${campaignId}|${variant}`;
  const d = map.get(key);
  if (!d) map.set(key, { accountId, campaignId, variant, messageId, counts: { ...counts } });
  else for (const f of VARIANT_FIELDS) d.counts[f] += counts[f];
}

function addDelta(map: Map<string, DayDelta>, accountId: string, campaignId: string, day: string, counts: MessageCounts): void {
  const key = `${campaignId}|${day}`;
  const d = map.get(key);
  if (!d) map.set(key, { accountId, campaignId, day, counts: { ...counts } });
  else addCounts(d.counts, counts);
}
