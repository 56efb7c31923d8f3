// Provider webhooks end to end: look up the account's secret, verify the raw request, parse it, refuse replays,
// then record replay keys, events and opt-out changes in one group-committed transaction before answering.
// Also the secrets themselves (set, delete, list: never shown back) and the WhatsApp subscribe handshake.
import { createHash, createPublicKey } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema';
import type { Db } from '../store/db';
import {
  deleteExpiredReplayKeys, deleteProviderSecret, findReplayKeys, getProviderSecret, insertReplayKeys,
  listProviderSecrets, upsertProviderSecret, type WebhookReplayKeyRow,
} from '../store/providers';
import { deleteSuppression, findSuppressed, insertSuppressions } from '../store/suppressions';
import { findContactsByKeys, updateContact } from '../store/campaigns';
import { normalizeEmail, normalizePhone } from '../domain/contacts';
import { badCharacter } from '../domain/bounds';
import type { IncomingEvent } from '../domain/types';
import {
  getProviderAdapter, whatsappHandshake, whatsappSecrets, PROVIDER_NAMES, REPLAY_WINDOW_MS,
  type OptChange, type ParsedWebhook, type ProviderName, type RawRequest,
} from '../providers';
import type { Writer } from './writer';
import { hintOf, type SecretBox } from './secrets';
import type { Ingestor } from './ingest';
import type { AccountDirectory } from './accounts';
import type { CacheBus, CacheListener } from './cacheBus';
import type { IngestWorker } from './ingestWorker';
import { noMetrics, type ServiceMetrics } from './metrics';

declare module '../http/app' {
  interface Deps {
    webhooks: Webhooks;
  }
}

/**
 * How long a delivery that changes opt-outs is remembered by the digest of its bytes: its redelivery within this time
 * is answered 200 and changes nothing. (Events need no such memory: their dedupe keys are kept for ever.) Providers
 * redeliver only when they did not get our 2xx, which comes after COMMIT, so retries of a stored delivery come
 * within minutes; a day covers them.
 */
export const DELIVERY_MEMORY_MS = 24 * 3600 * 1000;
/** Longer than any account id Mesure makes (`acc_` and 16 hex digits, or a name given at creation), like the API's ids. */
const MAX_ACCOUNT_ID_LENGTH = 200;
/** A signed timestamp is accepted up to REPLAY_WINDOW_MS either side of now: a token must outlive both sides. */
export const TOKEN_MEMORY_MS = 2 * REPLAY_WINDOW_MS + 60 * 1000;
const SECRET_CACHE_MS = 10_000;
const PRUNE_EVERY_MS = 60_000;
/** Deliveries per Writer job at most (a WhatsApp or SendGrid delivery may carry many events). */
const MAX_BATCH = 500;
/** Jobs of deliveries stored at once; the next deliveries wait for one to finish (see `Webhooks.enqueue`). */
const MAX_IN_FLIGHT = 1;

/** What one stored delivery carried (how its events fared is counted per provider in `DeliveryStats`). */
export interface WebhookSummary {
  events: number;
  /** Items understood but producing nothing (unknown status, reply naming no message…). */
  skipped: number;
  optChanges: number;
}

export interface EventTally {
  applied: number;
  duplicates: number;
  pending: number;
  /** Events whose echoed ids named nothing in the account and carried no provider id to fall back on. */
  dropped: number;
}

/** A verified, parsed delivery as it is stored: what the ingestion worker receives (plain data). */
export interface VerifiedDelivery {
  accountId: string;
  provider: string;
  parsed: ParsedWebhook;
  digest: string;
  now: number;
}

/** What storing a batch of deliveries did: one outcome per delivery, and the events' fate per account and provider. */
export interface StoredDeliveries {
  outcomes: WebhookOutcome[];
  tally: [string, EventTally][];
}

interface PendingDelivery extends VerifiedDelivery {
  resolve: (o: WebhookOutcome) => void;
  reject: (e: unknown) => void;
}

/** What happened to one delivery; the route maps each kind to an HTTP answer. */
export type WebhookOutcome =
  | { kind: 'stored'; summary: WebhookSummary }
  /** The same bytes were already stored: nothing changes, and the provider must stop retrying (2xx). */
  | { kind: 'duplicate' }
  | { kind: 'unknown_provider' }
  /** Missing (401) or wrong (403) signature, stale timestamp, no secret, unknown account: `reason` is for logs only. */
  | { kind: 'refused'; status: 401 | 403; reason: string }
  /** A one-time key (Mailgun token) already used by another body: a forged replay. */
  | { kind: 'replayed' }
  /** Verified, but not a body this provider sends. */
  | { kind: 'unreadable'; reason: string };

export interface DeliveryStats {
  since: number;
  received: number;
  stored: number;
  duplicates: number;
  refused: number;
  unreadable: number;
  eventsApplied: number;
  eventsPending: number;
  eventsDuplicate: number;
  itemsSkipped: number;
  lastReceivedAt: number | null;
  lastRefusal: { at: number; reason: string } | null;
}

export interface ProviderStatus {
  provider: ProviderName;
  configured: boolean;
  updatedAt: string | null;
  /** The secret's last four characters (`…a1b2`), never more; null without one. */
  secretHint: string | null;
  webhookUrl: string;
  /** Deliveries seen by this server process since it started (refusals only for a configured account). */
  deliveries: DeliveryStats;
}

export type SecretOutcome = { ok: true } | { ok: false; message: string };

/**
 * A delivery that only carries events: applying it later changes nothing about its answer (events dedupe by their
 * own keys), so the ingestion worker may acknowledge it once it is in the inbox. Deliveries with one-time tokens or
 * opt-out changes are decided (duplicate, replay) and applied before their answer.
 */
export function eventsOnly(d: VerifiedDelivery): boolean {
  return d.parsed.optChanges.length === 0 && d.parsed.replayKeys.length === 0;
}

/** What an acknowledged delivery carried, told before it is applied. */
export function summaryOf(d: VerifiedDelivery): WebhookSummary {
  return { events: d.parsed.events.length, skipped: d.parsed.skipped.length, optChanges: d.parsed.optChanges.length };
}

/** Never a valid secret: lets an unknown account go through the same checks as a known one, then be refused. */
const NO_SECRET = '\u0000unset:\u0000unset';

export class Webhooks {
  private secrets = new Map<string, { secret: string | undefined; at: number }>();
  private stats = new Map<string, DeliveryStats>();
  private pending: PendingDelivery[] = [];
  private flushScheduled = false;
  /** Writer jobs of deliveries being stored (see `enqueue`). */
  private inFlight = 0;
  /** Stored batches: how many deliveries shared each Writer job (group commit at work). */
  readonly batchStats = { batches: 0, deliveries: 0, largest: 0 };
  private lastPrune = 0;
  readonly startedAt: number;
  /** On SQLite, the worker thread that stores deliveries (main.ts sets it): requests are read during its commits. */
  offload?: IngestWorker;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly writer: Writer,
    private readonly ingestor: Ingestor,
    private readonly accounts: AccountDirectory,
    private readonly publicUrl: string,
    private readonly clock: () => number = Date.now,
    private readonly metrics: ServiceMetrics = noMetrics,
    /** On a node among several, a changed secret is announced to the other nodes (services/cacheBus.ts). */
    private readonly changes?: CacheBus,
  ) {
    this.startedAt = clock();
  }

  /** Another node changed a provider secret, or changes may have been missed (`everything`). */
  readonly dropCached: CacheListener = (change) => {
    if (change === 'everything') this.secrets.clear();
    else if (change.kind === 'secret') this.secrets.delete(`${change.accountId}/${change.provider}`);
  };

  /**
   * One delivery to /webhooks/<provider>/<accountId>. `urls` are the forms of the URL the provider may have
   * called (public URL, forwarded host): Twilio signs the URL, so each is tried. Resolves after COMMIT.
   */
  async receive(provider: string, accountId: string, request: Omit<RawRequest, 'url'>, urls: string[]): Promise<WebhookOutcome> {
    const adapter = getProviderAdapter(provider);
    if (!adapter) return { kind: 'unknown_provider' };
    const now = this.clock();
    const secret = await this.secretOf(accountId, provider);
    const stats = secret ? this.statsOf(accountId, provider) : undefined;
    if (stats) {
      stats.received += 1;
      stats.lastReceivedAt = now;
    }

    // An unknown account or a missing secret takes the same path as a wrong signature, so answers cannot tell
    // which accounts exist: a missing signature is 401 either way, anything else 403.
    // One request object whose url is each URL the provider may have signed in turn (built field by field: an
    // object spread's result is slower to read).
    const req: RawRequest = { method: request.method, url: urls[0] ?? '', headers: request.headers, rawBody: request.rawBody, query: request.query, json: request.json };
    let verdict: ReturnType<typeof adapter.verify> = adapter.verify(req, secret ?? NO_SECRET, now);
    for (let i = 1; i < urls.length && !verdict.ok; i++) {
      req.url = urls[i];
      verdict = adapter.verify(req, secret ?? NO_SECRET, now);
    }
    if (!secret || !verdict.ok) {
      const status = verdict.ok ? 403 : verdict.status;
      const reason = !secret ? 'no secret set for this account and provider' : verdict.ok ? '' : verdict.reason;
      if (stats) {
        stats.refused += 1;
        stats.lastRefusal = { at: now, reason };
      }
      // By provider only (a closed set: the adapter exists): the account stays out of the metrics.
      this.metrics.webhookSignatureFailed(provider);
      return { kind: 'refused', status, reason };
    }

    const parsed = adapter.parse(req, now);
    if (!parsed.ok) {
      stats!.unreadable += 1;
      return { kind: 'unreadable', reason: parsed.reason };
    }
    // The digest names the delivery's bytes; only deliveries remembered by it (see `store`) need it.
    const remembered = parsed.value.optChanges.length > 0 || parsed.value.replayKeys.length > 0;
    const digest = remembered ? createHash('sha256').update(request.rawBody).digest('hex') : '';
    const outcome = await this.enqueue({ accountId, provider, parsed: parsed.value, digest, now });
    if (outcome.kind === 'stored') {
      this.metrics.eventsAcknowledged('webhook', outcome.summary.events);
      stats!.stored += 1;
      stats!.itemsSkipped += outcome.summary.skipped;
      this.pruneLater(now);
    } else if (outcome.kind === 'duplicate') {
      stats!.duplicates += 1;
    } else if (outcome.kind === 'replayed') {
      stats!.refused += 1;
      stats!.lastRefusal = { at: now, reason: 'one-time token already used by another delivery' };
    }
    return outcome;
  }

  /**
   * Deliveries verified in the same turn of the event loop are stored by one Writer job: one replay-key lookup,
   * one insert, one ingestion per account and provider, instead of a dozen queries each. While `MAX_IN_FLIGHT` jobs
   * are being stored, new deliveries gather for the next one (group commit: under load, fewer and larger commits,
   * and no delivery waits longer than the job ahead of it). If a job fails, each delivery is retried alone, so one
   * bad delivery cannot sink the others.
   */
  private enqueue(d: Omit<PendingDelivery, 'resolve' | 'reject'>): Promise<WebhookOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ accountId: d.accountId, provider: d.provider, parsed: d.parsed, digest: d.digest, now: d.now, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= MAX_IN_FLIGHT || this.pending.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += MAX_BATCH) {
      this.inFlight += 1;
      void this.storeBatch(all.slice(i, i + MAX_BATCH)).finally(() => {
        this.inFlight -= 1;
        this.scheduleFlush();
      });
    }
  }

  private async storeBatch(batch: PendingDelivery[]): Promise<void> {
    try {
      // Field by field: an object rest's result is a dictionary-mode object, slower to encode.
      const deliveries: VerifiedDelivery[] = batch.map((d) => ({ accountId: d.accountId, provider: d.provider, parsed: d.parsed, digest: d.digest, now: d.now }));
      const { outcomes, tally } = this.offload ? await this.offloaded(this.offload, deliveries) : await this.storeDeliveries(deliveries);
      this.batchStats.batches += 1;
      this.batchStats.deliveries += batch.length;
      this.batchStats.largest = Math.max(this.batchStats.largest, batch.length);
      // Counted once committed: a rolled-back attempt counts nothing.
      this.noteTally(tally);
      batch.forEach((d, i) => d.resolve(outcomes[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      for (const d of batch) await this.storeBatch([d]);
    }
  }

  /**
   * Stores deliveries through the worker: sent as JSON (stored as it is in its inbox when the delivery carries only
   * events, whose outcome is known here: `summaryOf`); the others are applied there before it answers.
   */
  private async offloaded(worker: IngestWorker, deliveries: VerifiedDelivery[]): Promise<StoredDeliveries> {
    const only = deliveries.map(eventsOnly);
    const r = await worker.run({
      kind: 'deliveries',
      accounts: deliveries.map((d) => d.accountId),
      deliveries: deliveries.map((d) => JSON.stringify(d)),
      eventsOnly: only,
    });
    let i = 0;
    const outcomes = deliveries.map((d, k): WebhookOutcome => (only[k] ? { kind: 'stored', summary: summaryOf(d) } : r.outcomes[i++]));
    return { outcomes, tally: r.tally };
  }

  /** How the events of committed deliveries fared, per account and provider (from this thread or the worker). */
  noteTally(tally: [string, EventTally][]): void {
    for (const [key, t] of tally) {
      this.metrics.eventsApplied('webhook', t.applied);
      const stats = this.stats.get(key);
      if (!stats) continue;
      stats.eventsApplied += t.applied;
      stats.eventsPending += t.pending;
      stats.eventsDuplicate += t.duplicates;
      stats.itemsSkipped += t.dropped;
    }
  }

  /**
   * Resolves once every delivery acknowledged so far is applied. With the ingestion worker, deliveries that carry
   * only events are acknowledged once stored in its inbox and applied moments later; without it, already.
   */
  async settle(): Promise<void> {
    await this.offload?.drain();
  }

  /** Stores verified deliveries in one Writer job (on this thread: the ingestion worker calls it too). */
  async storeDeliveries(batch: VerifiedDelivery[]): Promise<StoredDeliveries> {
    const weight = Math.max(1, batch.reduce((n, d) => n + d.parsed.events.length, 0));
    return this.writer.run((trx) => this.storeDeliveriesIn(trx, batch), weight);
  }

  /** The body of `storeDeliveries` inside a transaction the caller holds (the worker's inbox processing). */
  async storeDeliveriesIn(trx: Transaction<DB>, batch: VerifiedDelivery[]): Promise<StoredDeliveries> {
    const tally = new Map<string, EventTally>();
    const outcomes = await this.store(trx, batch, tally);
    return { outcomes, tally: [...tally] };
  }

  /** Everything a batch of deliveries changes, in one transaction: nothing is written unless all of it is. */
  private async store(trx: Transaction<DB>, batch: VerifiedDelivery[], tally: Map<string, EventTally>): Promise<WebhookOutcome[]> {
    tally.clear();
    // Events carry their own dedupe keys, so a redelivery of events alone changes nothing without help. Opt-out
    // changes have none: a delivery that carries some is remembered by its digest, so that a STOP redelivered after
    // a START does not opt the number out again. One-time tokens (Mailgun) are remembered always.
    const keysOf = (d: VerifiedDelivery) => [
      ...new Set([...(d.parsed.optChanges.length > 0 ? [`delivery:${d.provider}:${d.digest}`] : []), ...d.parsed.replayKeys]),
    ];
    const byAccount = new Map<string, VerifiedDelivery[]>();
    for (const d of batch) byAccount.set(d.accountId, [...(byAccount.get(d.accountId) ?? []), d]);
    const known = new Map<string, string>();
    for (const [accountId, ds] of byAccount) {
      const keys = [...new Set(ds.flatMap(keysOf))];
      if (keys.length === 0) continue;
      const found = await findReplayKeys(trx, accountId, keys);
      for (const [key, digest] of found) known.set(`${accountId}\u0000${key}`, digest);
    }

    // In arrival order: a key seen before (stored, or earlier in this batch) makes a duplicate when the bytes are
    // the same, a replay when they differ.
    const outcomes: WebhookOutcome[] = [];
    const accepted: VerifiedDelivery[] = [];
    const rows: WebhookReplayKeyRow[] = [];
    for (const d of batch) {
      const keys = keysOf(d);
      const seen = keys.flatMap((k) => known.get(`${d.accountId}\u0000${k}`) ?? []);
      if (seen.length > 0) {
        outcomes.push(seen.every((digest) => digest === d.digest) ? { kind: 'duplicate' } : { kind: 'replayed' });
        continue;
      }
      for (const key of keys) {
        known.set(`${d.accountId}\u0000${key}`, d.digest);
        const memory = key.startsWith('delivery:') ? DELIVERY_MEMORY_MS : TOKEN_MEMORY_MS;
        rows.push({ account_id: d.accountId, key, digest: d.digest, seen_at: d.now, expires_at: d.now + memory });
      }
      accepted.push(d);
      outcomes.push({ kind: 'stored', summary: summaryOf(d) });
    }
    for (let i = 0; i < rows.length; i += 500) await insertReplayKeys(trx, rows.slice(i, i + 500));

    // One ingestion per account and provider; opt-out changes after the events, in arrival order, so that a
    // resubscribe later in a batch wins over an earlier unsubscribe.
    const groups = new Map<string, VerifiedDelivery[]>();
    for (const d of accepted) {
      const key = `${d.accountId}/${d.provider}`;
      groups.set(key, [...(groups.get(key) ?? []), d]);
    }
    for (const [key, ds] of groups) {
      const { accountId, provider } = ds[0];
      tally.set(key, await this.ingest(trx, accountId, ds.flatMap((d) => d.parsed.events)));
      for (const d of ds) await this.applyOptChanges(trx, accountId, provider, d.parsed.optChanges, d.now);
    }
    return outcomes;
  }

  /**
   * Ingests the events; an event whose echoed metadata names a message or campaign this account does not have
   * falls back to the provider's message id (kept as an orphan until registered), or is dropped and counted:
   * one stale id in a batch must not make the provider retry the whole batch for ever.
   */
  private async ingest(trx: Transaction<DB>, accountId: string, events: IncomingEvent[]) {
    let batch = events;
    let dropped = 0;
    for (let attempt = 0; attempt < 3 && batch.length > 0; attempt++) {
      const outcome = await this.ingestor.ingestIn(trx, accountId, batch);
      if (outcome.ok) {
        const { applied, duplicates, pending } = outcome.value;
        return { applied, duplicates, pending, dropped };
      }
      if (outcome.status !== 422) throw new Error(`webhook ingestion failed: ${outcome.message}`);
      const bad = new Set(outcome.errors.map((e) => e.index));
      const next: IncomingEvent[] = [];
      batch.forEach((e, i) => {
        if (!bad.has(i)) next.push(e);
        else if (e.provider && e.providerMessageId) {
          next.push({ ...e, ref: { kind: 'provider', provider: e.provider, providerMessageId: e.providerMessageId } });
        } else dropped += 1;
      });
      batch = next;
    }
    if (batch.length > 0) throw new Error('webhook ingestion: references still unresolved after falling back to provider ids');
    return { applied: 0, duplicates: 0, pending: 0, dropped };
  }

  /**
   * Opt-outs join the channel's suppression list and mark the contact opted out; opt-ins (WhatsApp resume,
   * START, resubscribe) take the address off the list, except a hard bounce, which no opt-in makes deliverable.
   */
  private async applyOptChanges(trx: Transaction<DB>, accountId: string, provider: string, changes: OptChange[], now: number): Promise<void> {
    if (changes.length === 0) return;
    const account = await this.accounts.get(accountId, trx);
    const country = account?.default_country ?? undefined;
    for (const c of changes) {
      const address = c.channel === 'email' ? (normalizeEmail(c.address) ?? c.address) : (normalizePhone(c.address, country) ?? c.address);
      if (c.optedOut) {
        await insertSuppressions(trx, [{ account_id: accountId, channel: c.channel, address, reason: c.reason, source: `webhook:${provider}`, created_at: now }]);
      } else {
        const current = (await findSuppressed(trx, accountId, c.channel, [address])).get(address);
        if (current && current.reason !== 'hard_bounce') await deleteSuppression(trx, accountId, c.channel, address);
      }
      const contacts = await findContactsByKeys(trx, accountId, {
        externalIds: [],
        emails: c.channel === 'email' ? [address] : [],
        phones: c.channel === 'email' ? [] : [address],
        addressKeys: [],
      });
      for (const contact of contacts) {
        await updateContact(trx, accountId, contact.id, { [`opt_out_${c.channel}`]: c.optedOut ? now : null, updated_at: now });
      }
    }
  }

  /** Old replay keys are deleted after the answer, at most once a minute, through the Writer. */
  private pruneLater(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.writer.run((trx) => deleteExpiredReplayKeys(trx, now)).catch(() => {
      // Pruning is housekeeping: a failure (e.g. the server closing) leaves keys for the next round.
    });
  }

  /** Meta's GET subscribe check: the challenge when the verify token matches, else 400/403. */
  async handshake(accountId: string, query: Record<string, string>): Promise<{ ok: true; challenge: string } | { ok: false; status: 400 | 403 }> {
    const secret = await this.secretOf(accountId, 'whatsapp');
    const verifyToken = secret ? whatsappSecrets(secret).verifyToken : undefined;
    const result = whatsappHandshake(query, verifyToken ?? '');
    return result.ok ? result : { ok: false, status: result.status };
  }

  // ------------------------------------------------------------------ secrets

  async setSecret(accountId: string, provider: ProviderName, secret: string): Promise<SecretOutcome> {
    const value = secret.trim();
    const problem = secretProblem(provider, value);
    if (problem) return { ok: false, message: problem };
    const sealed = this.box.seal(value);
    await this.writer.run((trx) => upsertProviderSecret(trx, accountId, provider, sealed, this.clock()));
    this.secrets.delete(`${accountId}/${provider}`);
    await this.changes?.publish({ kind: 'secret', accountId, provider });
    return { ok: true };
  }

  async deleteSecret(accountId: string, provider: ProviderName): Promise<boolean> {
    const n = await this.writer.run((trx) => deleteProviderSecret(trx, accountId, provider));
    this.secrets.delete(`${accountId}/${provider}`);
    await this.changes?.publish({ kind: 'secret', accountId, provider });
    return n > 0;
  }

  async list(accountId: string): Promise<ProviderStatus[]> {
    const set = new Map((await listProviderSecrets(this.db.kysely, accountId)).map((d) => [d.provider, d]));
    return PROVIDER_NAMES.map((provider) => {
      const s = set.get(provider);
      return {
        provider,
        configured: s !== undefined,
        updatedAt: s !== undefined ? new Date(s.updatedAt).toISOString() : null,
        secretHint: s !== undefined ? hintOf(this.box.open(s.secret)) : null,
        webhookUrl: webhookUrl(this.publicUrl, provider, accountId),
        deliveries: { ...this.statsOf(accountId, provider) },
      };
    });
  }

  /**
   * Secrets are read on every delivery, so they are cached briefly; a change made through this process is seen at
   * once, one made through another process within SECRET_CACHE_MS.
   */
  private async secretOf(accountId: string, provider: string): Promise<string | undefined> {
    // The account id comes from a public URL: one no account can have (a NUL, which PostgreSQL refuses, a lone
    // surrogate, an absurd length) is an account without a secret, answered as any unknown account is.
    if (accountId.length > MAX_ACCOUNT_ID_LENGTH || badCharacter(accountId) !== null) return undefined;
    const key = `${accountId}/${provider}`;
    const now = this.clock();
    const hit = this.secrets.get(key);
    if (hit && now - hit.at < SECRET_CACHE_MS) return hit.secret;
    const stored = await getProviderSecret(this.db.kysely, accountId, provider);
    const secret = stored === undefined ? undefined : this.box.open(stored);
    if (this.secrets.size > 10_000) this.secrets.clear();
    this.secrets.set(key, { secret, at: now });
    return secret;
  }

  private statsOf(accountId: string, provider: string): DeliveryStats {
    const key = `${accountId}/${provider}`;
    let s = this.stats.get(key);
    if (!s) {
      s = {
        since: this.startedAt, received: 0, stored: 0, duplicates: 0, refused: 0, unreadable: 0,
        eventsApplied: 0, eventsPending: 0, eventsDuplicate: 0, itemsSkipped: 0, lastReceivedAt: null, lastRefusal: null,
      };
      this.stats.set(key, s);
    }
    return s;
  }
}

/** The URL to paste into the provider's console; Postmark's carries the Basic credentials chosen as its secret. */
export function webhookUrl(publicUrl: string, provider: ProviderName, accountId: string): string {
  const url = `${publicUrl.replace(/\/$/, '')}/webhooks/${provider}/${encodeURIComponent(accountId)}`;
  return provider === 'postmark' ? url.replace(/^(https?:\/\/)/i, '$1<user>:<password>@') : url;
}

/** Why a secret cannot be the one this provider needs, in words the user can act on; null when it can. */
export function secretProblem(provider: ProviderName, secret: string): string | null {
  if (secret === '') return 'The secret is empty.';
  switch (provider) {
    case 'whatsapp': {
      const { appSecret } = whatsappSecrets(secret);
      if (!appSecret) return 'Give the WhatsApp app secret and verify token as "appSecret:verifyToken" or {"appSecret":"…","verifyToken":"…"}.';
      return null;
    }
    case 'sendgrid':
      try {
        const key = secret.startsWith('-----BEGIN')
          ? createPublicKey(secret)
          : createPublicKey({ key: Buffer.from(secret, 'base64'), format: 'der', type: 'spki' });
        if (key.asymmetricKeyType === 'ec') return null;
      } catch {
        // Reported below.
      }
      return "This is not SendGrid's verification key: paste the base64 public key shown under Signed Event Webhook (Settings → Mail Settings → Event Webhooks).";
    case 'postmark': {
      const colon = secret.indexOf(':');
      if (colon <= 0 || colon === secret.length - 1) return 'Give the Postmark credentials as "user:password", the same pair written into the webhook URL.';
      return null;
    }
    case 'twilio':
    case 'mailgun':
      return /\s/.test(secret) ? 'The secret contains spaces: paste it exactly as the provider shows it.' : null;
  }
}
