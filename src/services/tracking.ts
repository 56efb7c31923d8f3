// Tracking: registers a campaign's destinations, issues per-recipient links, rewrites bodies, and records every
// click, scan and open. The redirect path is the product's hottest: a token is resolved from an LRU cache
// (one indexed read on a miss), the visitor is answered at once, and the event waits in a bounded in-memory
// queue that a single flusher classifies (bots, sweeps, too fast) and writes in batches through the Ingestor
// (group commit: many clicks, one transaction). See docs/TRACKING.md, "Durability under load".
import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Db } from '../store/db';
import type { Transaction } from 'kysely';
import type { DB, MessageRow } from '../store/schema';
import {
  countDestinationsOfMessages, findLinksOfMessages, findMessageIdByClickId, flagEvents, getLinkTarget, getMessageTimes,
  getMessagesBasic, getTrackedLink, insertDestinations, insertTrackedLinks, listCampaignMessageIds, listDestinations,
  listHumanClicks, listRecentClicks, revokeTrackedLink, type CampaignDestinationRow, type LinkTarget, type TrackedLinkRow,
} from '../store/tracking';
import { findMessagesByIds } from '../store/messages';
import { getCampaign } from '../store/campaigns';
import { clickIdPool, newClickId, newLinkToken, isWellFormedClickId, type RandomBytes } from '../tracking/tokens';
import { clickDestination, DEFAULT_CLICK_ID_PARAM, DEFAULT_UTM_SOURCE, destinationTemplate, type DestinationTemplate } from '../tracking/utm';
import { CANONICAL_CHARS_RE, canonicalDestination, canonicalDestinations } from '../tracking/destination';
import { classifyClick, classifyOpen, findLinkSweeps, resolveThresholds, type TrackingThresholds, type Verdict } from '../tracking/bots';
import { extractLinks, rewriteLinks, type BodyKind } from '../tracking/rewrite';
import { linkUrl, publicBase, qrUrl } from '../tracking/qr';
import type { Channel, IncomingEvent } from '../domain/types';
import type { AccountRow } from '../store/schema';
import type { AccountDirectory } from './accounts';
import type { CacheBus, CacheListener } from './cacheBus';
import { saveMessageChanges, type Ingestor, type Outcome } from './ingest';
import type { Writer } from './writer';
import type { IngestWorker, ProcessedReport } from './ingestWorker';

/** The provider name tracked events carry: their dedupe key is "pe:tracking:<click id>". */
export const TRACKING_PROVIDER = 'tracking';

/** An account's tracking settings, kept in `accounts.settings.tracking`. */
export interface TrackingSettings {
  utm: boolean;
  utmSource: string;
  clickIdParam: string;
  thresholds: TrackingThresholds;
  /**
   * The address recipients reach this account's links and QR codes at (`publicBase`): stored with the account, so
   * that `mesure qr`, run where the server's environment is not, prints the same one. Null: the server's
   * MESURE_PUBLIC_URL.
   */
  publicUrl: string | null;
}

export interface TrackingSettingsInput {
  utm?: boolean;
  utmSource?: string;
  clickIdParam?: string;
  publicUrl?: string | null;
  thresholds?: Partial<TrackingThresholds>;
}

export interface Destination {
  position: number;
  url: string;
}

export interface IssuedLink {
  url: string;
  token: string;
  trackedUrl: string;
}

export interface IssuedMessage {
  messageId: string;
  recipient: string;
  links: IssuedLink[];
  /** The URL to encode in the recipient's QR code (first destination, /q/) and the one to print as text (/l/). */
  qr: { url: string; printedUrl: string; destination: string } | null;
  /** The open pixel's URL (email). */
  pixelUrl: string;
}

export interface VisitRequest {
  method: string;
  userAgent?: string;
  referer?: string;
  via?: string;
}

type VisitKind = 'clicked' | 'scanned' | 'opened';

/** A visit as it is stored: what the ingestion worker receives (plain data). */
export interface StoredVisit {
  accountId: string;
  messageId: string;
  campaignId: string;
  kind: VisitKind;
  url: string | null;
  token: string;
  /** Per-request unique id: the click id carried to the shop (or a random id for opens). */
  id: string;
  at: number;
  req: VisitRequest;
}

interface QueuedVisit extends StoredVisit {
  enqueuedAt: number;
  done?: () => void;
}

/** What storing a batch of visits changed beyond the visits themselves. */
export interface StoredVisits {
  /** Refused by ingestion (a message vanished after its link was issued): logged, not retried. */
  lost: number;
  /** Stored clicks re-flagged as part of a link sweep. */
  reflagged: number;
}

export interface TrackingStats {
  /** Visits waiting in memory for their batch. */
  queued: number;
  written: number;
  /** Written more than `lateMs` after the visitor was answered. */
  writtenLate: number;
  /** Not stored: the queue was at its hard limit (each one logged, counted here). */
  lost: number;
  /** Redirects that waited for their commit because the queue was above its soft limit. */
  throttled: number;
  batches: number;
  writeErrors: number;
  /** Stored clicks re-flagged as part of a link sweep completed later. */
  reflagged: number;
  /** Stored visits the worker's inbox could not apply (kept there, logged, applied again at the next start). */
  applyFailures: number;
  cacheHits: number;
  cacheMisses: number;
}

export interface TrackingOptions {
  publicUrl: string;
  /** On a node among several, a revoked link is announced to the other nodes' caches (services/cacheBus.ts). */
  changes?: CacheBus;
  clock?: () => number;
  randomBytes?: RandomBytes;
  /** Answer a visit only after its event is committed (slower, nothing held in memory). Default false. */
  ackAfterCommit?: boolean;
  /** Above this many queued visits, a redirect waits (up to `throttleWaitMs`) for its commit. */
  softLimit?: number;
  /** At this many queued visits, new ones are not stored: counted in `lost` and logged. */
  hardLimit?: number;
  throttleWaitMs?: number;
  maxBatch?: number;
  /** How long the flusher waits for more visits before writing a batch that is not full (ms). Default 10. */
  lingerMs?: number;
  cacheSize?: number;
  cacheTtlMs?: number;
  lateMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** Small LRU over a Map (insertion order = recency), with a time to live so a revoke elsewhere is seen. */
class Lru<V> {
  private map = new Map<string, { v: V; exp: number }>();
  constructor(private readonly size: number, private readonly ttlMs: number) {}
  get(k: string, now: number): V | undefined {
    const e = this.map.get(k);
    if (!e) return undefined;
    if (e.exp < now) {
      this.map.delete(k);
      return undefined;
    }
    this.map.delete(k);
    this.map.set(k, e);
    return e.v;
  }
  set(k: string, v: V, now: number, ttlMs = this.ttlMs): void {
    this.map.delete(k);
    this.map.set(k, { v, exp: now + ttlMs });
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as string);
  }
  delete(k: string): void {
    this.map.delete(k);
  }
  clear(): void {
    this.map.clear();
  }
}

/** crypto.randomBytes drawn 4 KiB at a time: tokens and click ids are needed on every redirect. */
function pooledRandomBytes(): RandomBytes {
  let pool = Buffer.alloc(0);
  let at = 0;
  return (n: number) => {
    if (at + n > pool.length) {
      pool = cryptoRandomBytes(4096);
      at = 0;
    }
    const out = pool.subarray(at, at + n);
    at += n;
    return out;
  };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const NOT_FOUND = Symbol('not found');
/** A destination as the redirect serves it: the template around the click id, and the canonical URL the visit records. */
interface ServedDestination extends DestinationTemplate {
  url: string;
}

export class Tracking {
  readonly stats: TrackingStats = {
    queued: 0, written: 0, writtenLate: 0, lost: 0, throttled: 0, batches: 0, writeErrors: 0, reflagged: 0, applyFailures: 0, cacheHits: 0, cacheMisses: 0,
  };
  private readonly clock: () => number;
  private readonly random: RandomBytes;
  private readonly nextClickId: () => string;
  /**
   * Destinations around the click id, per account settings, shared by every link to one destination of one campaign
   * (and variant): most recipients click their link once, and their links share a few destinations. (Not also kept per
   * link: an entry per cached link would cost memory and collection work to save one string concatenation a click.)
   */
  private readonly templates = new WeakMap<TrackingSettings, Map<string, ServedDestination | null>>();
  private readonly opts: Required<Omit<TrackingOptions, 'clock' | 'randomBytes' | 'log' | 'changes'>>;
  private readonly changes?: CacheBus;
  private readonly log: (level: 'info' | 'warn' | 'error', message: string) => void;
  private readonly cache: Lru<LinkTarget | typeof NOT_FOUND>;
  private queue: QueuedVisit[] = [];
  private flushing: Promise<void> | null = null;
  private lastLossLog = 0;
  private lossesSinceLog = 0;
  private lastLateLog = 0;
  private settingsCache = new WeakMap<AccountRow, TrackingSettings>();
  /** On SQLite, the worker thread that stores visits (main.ts sets it): the redirect thread never waits for a commit. */
  offload?: IngestWorker;
  /**
   * On PostgreSQL, where visits are stored first, as rows of their own, and folded into the figures later
   * (services/visitInbox.ts; main.ts sets it): a click's commit never waits for the locks of an events group.
   */
  visitInbox?: { append(visits: StoredVisit[]): Promise<StoredVisits>; drain(): Promise<void> };

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly ingestor: Ingestor,
    private readonly accounts: AccountDirectory,
    options: TrackingOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.random = options.randomBytes ?? pooledRandomBytes();
    const injected = options.randomBytes;
    this.nextClickId = injected ? () => newClickId(injected) : clickIdPool(cryptoRandomBytes);
    this.log = options.log ?? ((level, message) => { if (level !== 'info') process.stderr.write(`[tracking] ${level}: ${message}\n`); });
    this.opts = {
      publicUrl: options.publicUrl,
      ackAfterCommit: options.ackAfterCommit ?? false,
      softLimit: options.softLimit ?? 20_000,
      hardLimit: options.hardLimit ?? 200_000,
      throttleWaitMs: options.throttleWaitMs ?? 1_000,
      maxBatch: options.maxBatch ?? 2_000,
      lingerMs: options.lingerMs ?? 10,
      cacheSize: options.cacheSize ?? 100_000,
      cacheTtlMs: options.cacheTtlMs ?? 5 * 60_000,
      lateMs: options.lateMs ?? 1_000,
    };
    this.cache = new Lru(this.opts.cacheSize, this.opts.cacheTtlMs);
    this.changes = options.changes;
  }

  /** Another node revoked a link, or changes may have been missed (`everything`): drop what the redirect cached. */
  readonly dropCached: CacheListener = (change) => {
    if (change === 'everything') this.cache.clear();
    else if (change.kind === 'link') this.cache.delete(change.token);
  };

  // ------------------------------------------------------------------ settings

  /** The account's tracking settings, defaults filled in. */
  async settingsOf(accountId: string): Promise<TrackingSettings | undefined> {
    const row = await this.accounts.get(accountId);
    return row && this.settingsOfRow(row);
  }

  private settingsOfRow(row: AccountRow): TrackingSettings {
    let s = this.settingsCache.get(row);
    if (s) return s;
    const raw = ((JSON.parse(row.settings || '{}') as { tracking?: TrackingSettingsInput }).tracking ?? {}) as TrackingSettingsInput;
    let thresholds: TrackingThresholds;
    try {
      thresholds = resolveThresholds(raw.thresholds);
    } catch {
      thresholds = resolveThresholds();
    }
    s = {
      utm: raw.utm ?? true,
      utmSource: raw.utmSource ?? DEFAULT_UTM_SOURCE,
      clickIdParam: raw.clickIdParam ?? DEFAULT_CLICK_ID_PARAM,
      thresholds,
      publicUrl: typeof raw.publicUrl === 'string' && raw.publicUrl !== '' ? raw.publicUrl : null,
    };
    this.settingsCache.set(row, s);
    return s;
  }

  /** Changes some settings; thresholds are merged key by key over the current override. */
  async updateSettings(accountId: string, patch: TrackingSettingsInput): Promise<Outcome<TrackingSettings>> {
    const row = await this.accounts.get(accountId);
    if (!row) return { ok: false, status: 404, message: `Account ${accountId} not found.`, errors: [] };
    const current = ((JSON.parse(row.settings || '{}') as { tracking?: TrackingSettingsInput }).tracking ?? {}) as TrackingSettingsInput;
    const next: TrackingSettingsInput = { ...current, ...patch, thresholds: { ...(current.thresholds ?? {}), ...(patch.thresholds ?? {}) } };
    if (typeof patch.publicUrl === 'string') {
      const base = publicBase(patch.publicUrl);
      if (!base.ok) return { ok: false, status: 422, message: `publicUrl ${base.reason}.`, errors: [] };
      next.publicUrl = base.value;
    }
    try {
      resolveThresholds(next.thresholds);
    } catch (err) {
      return { ok: false, status: 422, message: (err as Error).message, errors: [] };
    }
    await this.accounts.update(accountId, { settings: { tracking: next } });
    return { ok: true, value: (await this.settingsOf(accountId))! };
  }

  /**
   * The address this account's links and QR codes are written with: its own (tracking settings) when set, else the
   * server's. `fromAccount` says which, for `mesure qr` to refuse a default nobody chose.
   */
  async publicUrlOf(accountId: string, h?: Transaction<DB>): Promise<{ url: string; fromAccount: boolean }> {
    const row = await this.accounts.get(accountId, h);
    const own = row ? this.settingsOfRow(row).publicUrl : null;
    return own ? { url: own, fromAccount: true } : { url: this.opts.publicUrl, fromAccount: false };
  }

  // ------------------------------------------------------------------ destinations and links

  /**
   * Registers destinations in their canonical form (tracking/destination.ts: http(s) only, percent-encoded, no control
   * character), keeping those already registered; returns them all, in order. One refused URL refuses them all.
   */
  async registerDestinations(accountId: string, campaignId: string, inputs: string[]): Promise<Outcome<Destination[]>> {
    const canonical = canonicalDestinations(inputs);
    if (!canonical.ok) {
      const errors = canonical.errors.map((e) => ({ index: e.index, field: 'url', message: e.message }));
      return { ok: false, status: 422, message: `${errors.length} destination(s) refused; nothing was registered: ${errors[0].message}.`, errors };
    }
    const urls = canonical.urls;
    return this.writer.run(async (trx) => {
      if (!(await getCampaign(trx, accountId, campaignId))) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
      const existing = await listDestinations(trx, accountId, campaignId);
      const known = new Set(existing.map((d) => d.url));
      let next = existing.length ? Math.max(...existing.map((d) => d.position)) + 1 : 0;
      const rows: CampaignDestinationRow[] = [];
      for (const url of new Set(urls)) {
        if (known.has(url)) continue;
        rows.push({ account_id: accountId, campaign_id: campaignId, position: next++, url, url_hash: sha256(url), created_at: this.clock() });
      }
      await insertDestinations(trx, rows);
      return { ok: true, value: [...existing, ...rows].map((d) => ({ position: d.position, url: d.url })) };
    }, Math.max(1, urls.length));
  }

  async destinations(accountId: string, campaignId: string): Promise<Destination[]> {
    return (await listDestinations(this.db.kysely, accountId, campaignId)).map((d) => ({ position: d.position, url: d.url }));
  }

  /**
   * Issues (or returns the already issued) tracked links of these messages: one per destination, plus the
   * open pixel. `all`: the campaign's messages page by page (by id, after `cursor`), except those refused before
   * sending (no letter is printed for them).
   */
  async issue(
    accountId: string,
    campaignId: string,
    sel: { messageIds?: string[]; all?: boolean; cursor?: string; limit?: number },
  ): Promise<Outcome<{ messages: IssuedMessage[]; nextCursor: string | null; destinations: Destination[] }>> {
    const issued: LinkTarget[] = [];
    const outcome = await this.writer.run((trx) => this.issueIn(trx, accountId, campaignId, { ...sel, issued }), Math.max(1, sel.messageIds?.length ?? sel.limit ?? 1000));
    // Committed: the links just issued are the ones about to be clicked (a send follows), so their first click need
    // not look its token up. (Within the cache's size and time to live; a rolled-back issue primes nothing.)
    if (outcome.ok) {
      const now = this.clock();
      for (const l of issued) this.cache.set(l.token, l, now);
    }
    return outcome;
  }

  /**
   * The body of `issue`, inside a transaction the caller holds: the send gate issues its allowed messages' links in
   * the transaction that reserves them (one commit per batch, links and reservations durable together).
   */
  async issueIn(
    trx: Transaction<DB>,
    accountId: string,
    campaignId: string,
    sel: {
      messageIds?: string[]; all?: boolean; cursor?: string; limit?: number; created?: { id: string; recipient: string }[];
      /** Receives the live links issued or found (with what a redirect needs), for the caller to cache after COMMIT. */
      issued?: LinkTarget[];
    },
  ): Promise<Outcome<{ messages: IssuedMessage[]; nextCursor: string | null; destinations: Destination[] }>> {
    // `created`: messages of this campaign that the caller's transaction has just inserted (the send gate's), so
    // known to exist, with no link yet: neither read back nor searched for links.
    const created = new Map((sel.created ?? []).map((m) => [m.id, { id: m.id, recipient: m.recipient, campaign_id: campaignId, variant: undefined as string | null | undefined }]));
    const campaign = await getCampaign(trx, accountId, campaignId);
    if (!campaign) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
    const dests = await listDestinations(trx, accountId, campaignId);
    // `variant` undefined: not read (the gate's fresh messages), so their links are not handed to `issued`.
    let messages: { id: string; recipient: string; variant?: string | null }[];
    let nextCursor: string | null = null;
    if (sel.messageIds) {
      const toRead = created.size ? sel.messageIds.filter((id) => !created.has(id)) : sel.messageIds;
      const found = new Map<string, { id: string; recipient: string; campaign_id: string; variant?: string | null }>(created);
      if (toRead.length) for (const m of await getMessagesBasic(trx, accountId, toRead, this.db)) found.set(m.id, m);
      const errors = sel.messageIds.flatMap((id, index) =>
        found.get(id)?.campaign_id === campaignId ? [] : [{ index, field: 'messageId', message: `no message ${id} in campaign ${campaignId}` }],
      );
      if (errors.length) return { ok: false, status: 422, message: `${errors.length} message id(s) are not messages of this campaign; nothing was issued.`, errors };
      messages = [...new Set(sel.messageIds)].map((id) => found.get(id)!);
    } else {
      const limit = sel.limit ?? 1000;
      const page = await listCampaignMessageIds(trx, accountId, campaignId, { after: sel.cursor, limit: limit + 1, excludeNotSent: true });
      messages = page.slice(0, limit);
      if (page.length > limit) nextCursor = messages[messages.length - 1].id;
    }
    const now = this.clock();
    const have = new Map<string, TrackedLinkRow>();
    const linkable = created.size ? messages.filter((m) => !created.has(m.id)).map((m) => m.id) : messages.map((m) => m.id);
    if (linkable.length) for (const l of await findLinksOfMessages(trx, accountId, linkable, this.db)) have.set(`${l.message_id}|${l.kind}|${l.position}`, l);
    const fresh: TrackedLinkRow[] = [];
    const linkOf = (messageId: string, kind: 'link' | 'pixel', position: number, url: string | null): TrackedLinkRow => {
      const key = `${messageId}|${kind}|${position}`;
      let l = have.get(key);
      if (!l) {
        l = { account_id: accountId, token: newLinkToken(this.random), message_id: messageId, campaign_id: campaignId, kind, position, url, created_at: now, revoked_at: null };
        have.set(key, l);
        fresh.push(l);
      }
      return l;
    };
    const base = (await this.publicUrlOf(accountId, trx)).url;
    const target = (l: TrackedLinkRow, variant: string | null): LinkTarget => ({
      account_id: l.account_id, token: l.token, message_id: l.message_id, campaign_id: l.campaign_id, kind: l.kind, url: l.url,
      revoked_at: null, variant, channel: campaign.channel, slug: campaign.slug,
    });
    const out: IssuedMessage[] = messages.map((m) => {
      const links = dests.map((d) => {
        const l = linkOf(m.id, 'link', d.position, d.url);
        if (sel.issued && m.variant !== undefined && l.revoked_at === null) sel.issued.push(target(l, m.variant));
        return { url: d.url, token: l.token, trackedUrl: linkUrl(base, l.token), revoked: l.revoked_at !== null };
      });
      const pixel = linkOf(m.id, 'pixel', 0, null);
      // Only an email is opened through its pixel: other channels' pixels would take the cache's room from their links.
      if (sel.issued && m.variant !== undefined && pixel.revoked_at === null && campaign.channel === 'email') sel.issued.push(target(pixel, m.variant));
      const first = links.find((l) => !l.revoked);
      return {
        messageId: m.id,
        recipient: m.recipient,
        links: links.map(({ revoked: _r, ...l }) => l),
        qr: first ? { url: qrUrl(base, first.token), printedUrl: first.trackedUrl, destination: first.url } : null,
        pixelUrl: `${base.replace(/\/+$/, '')}/o/${pixel.token}.gif`,
      };
    });
    await insertTrackedLinks(trx, fresh, this.db);
    for (const l of fresh) this.cache.delete(l.token); // a negative entry for a token just issued
    return { ok: true, value: { messages: out, nextCursor, destinations: dests.map((d) => ({ position: d.position, url: d.url })) } };
  }

  /**
   * A message body with every tracked link replaced by the recipient's own. Destinations found in the body and
   * not yet registered for the campaign are registered on the fly (appended, in order of appearance).
   * `pixel` (HTML only) adds the open pixel before </body> (or at the end).
   */
  async rewrite(accountId: string, input: { messageId: string; body: string; format: BodyKind; pixel?: boolean }): Promise<Outcome<{ body: string; links: IssuedLink[] }>> {
    const [message] = await getMessagesBasic(this.db.kysely, accountId, [input.messageId]);
    if (!message) return { ok: false, status: 404, message: `No message ${input.messageId} in this account.`, errors: [] };
    // The links as the body writes them (HTML entities decoded), each put in its canonical form before anything is
    // registered: one link that cannot be tracked refuses the whole body.
    const found = extractLinks(input.body, input.format);
    const canonical = canonicalDestinations(found);
    if (!canonical.ok) {
      const errors = canonical.errors.map((e) => ({ index: e.index, field: 'url', message: `the body's ${e.message}` }));
      return {
        ok: false, status: 422,
        message: `${errors.length} link(s) in the body cannot be tracked; nothing was rewritten or registered: ${errors[0].message}. Fix the link in the body (or mark it data-mesure-notrack) and send it again.`,
        errors,
      };
    }
    const canonicalOf = new Map(found.map((u, i) => [u, canonical.urls[i]]));
    const urls = [...new Set(canonical.urls)];
    if (urls.length) {
      const reg = await this.registerDestinations(accountId, message.campaign_id, urls);
      if (!reg.ok) return reg;
    }
    const issued = await this.issue(accountId, message.campaign_id, { messageIds: [message.id] });
    if (!issued.ok) return issued;
    const m = issued.value.messages[0];
    const byUrl = new Map(m.links.map((l) => [l.url, l]));
    let body = rewriteLinks(input.body, input.format, (url) => byUrl.get(canonicalOf.get(url) ?? url)?.trackedUrl ?? url);
    if (input.pixel && input.format === 'html') {
      const img = `<img src="${m.pixelUrl}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`;
      const at = body.toLowerCase().lastIndexOf('</body>');
      body = at < 0 ? body + img : body.slice(0, at) + img + body.slice(at);
    }
    return { ok: true, value: { body, links: urls.map((u) => byUrl.get(u)!).filter(Boolean) } };
  }

  /**
   * Revokes a link: its token answers 404 from now on (in this process at once; on the other nodes of the database as
   * soon as they hear the change, see services/cacheBus.ts; in another process without the bus within the cache TTL).
   */
  async revoke(accountId: string, token: string): Promise<'revoked' | 'already' | 'unknown'> {
    const changed = await this.writer.run((trx) => revokeTrackedLink(trx, accountId, token, this.clock()));
    this.cache.delete(token);
    await this.changes?.publish({ kind: 'link', accountId, token });
    if (changed > 0) return 'revoked';
    return (await getTrackedLink(this.db.kysely, accountId, token)) ? 'already' : 'unknown';
  }

  // ------------------------------------------------------------------ the redirect path

  /** The live link behind a well-formed token, or null (unknown or revoked). Cached. */
  async resolve(token: string): Promise<LinkTarget | null> {
    const hit = this.lookup(token);
    if (hit !== undefined) return hit;
    const now = this.clock();
    this.stats.cacheMisses++;
    const row = await getLinkTarget(this.db, token);
    // Unknown tokens are remembered briefly, so a stream of forged tokens costs one read each at most per 30 s.
    if (!row) this.cache.set(token, NOT_FOUND, now, 30_000);
    else this.cache.set(token, { ...row, revoked_at: row.revoked_at === null ? null : Number(row.revoked_at) }, now);
    return row && row.revoked_at === null ? row : null;
  }

  /** `resolve` from the cache alone: the link, null (unknown or revoked), or undefined when the cache does not know. */
  lookup(token: string): LinkTarget | null | undefined {
    const hit = this.cache.get(token, this.clock());
    if (hit === undefined) return undefined;
    this.stats.cacheHits++;
    return hit === NOT_FOUND || hit.revoked_at !== null ? null : hit;
  }

  /**
   * Records a click (`/l/`) or a scan (`/q/`) and returns where to send the visitor: the registered
   * destination with UTM and a fresh click id. Resolves at once unless the queue is above its soft limit or
   * the service answers after commit. null: the stored destination is not a usable http(s) URL (nothing recorded;
   * the visitor gets an error page).
   */
  async visit(link: LinkTarget, kind: 'clicked' | 'scanned', req: VisitRequest): Promise<string | null> {
    const { location, committed } = this.recordVisit(link, kind, req, await this.accounts.get(link.account_id));
    if (committed) await committed;
    return location;
  }

  /**
   * `visit` without waiting, for the redirect's synchronous path: the location, or undefined (nothing recorded)
   * when the visit must wait (answer after commit, queue over its soft limit) or the account is not cached; null as
   * for `visit`.
   */
  visitNow(link: LinkTarget, kind: 'clicked' | 'scanned', req: VisitRequest): string | null | undefined {
    if (this.mustWait()) return undefined;
    const account = this.accounts.peek(link.account_id);
    return account ? this.recordVisit(link, kind, req, account).location : undefined;
  }

  /** Queues a click or scan with a fresh click id; where to send the visitor, and what to wait for if it must wait. */
  private recordVisit(link: LinkTarget, kind: 'clicked' | 'scanned', req: VisitRequest, account: AccountRow | undefined) {
    const settings = account ? this.settingsOfRow(account) : this.settingsOfRow({ settings: '{}' } as AccountRow);
    const served = this.templateOf(link, settings);
    if (served === null) return { location: null, committed: undefined };
    const clickId = this.nextClickId();
    const location = clickDestination(served, clickId);
    return { location, committed: this.enqueue(link, kind, served.url, clickId, req) };
  }

  /** Records an open of the pixel. */
  async open(link: LinkTarget, req: VisitRequest): Promise<void> {
    const committed = this.enqueue(link, 'opened', null, this.nextClickId(), req);
    if (committed) await committed;
  }

  /** `open` without waiting: false (nothing recorded) when the visit must wait. */
  openNow(link: LinkTarget, req: VisitRequest): boolean {
    if (this.mustWait()) return false;
    this.enqueue(link, 'opened', null, this.nextClickId(), req);
    return true;
  }

  /**
   * The link's destination around the click id (see `templates`), or null when the stored destination cannot be
   * served. Built from the stored text put through the canonicaliser again, once per destination (not per click): a
   * row stored before canonical destinations, or written by hand, is re-encoded or, if it cannot be, remembered as
   * unservable, so no stored value reaches the Location header (or a click's recorded URL) unchecked.
   */
  private templateOf(link: LinkTarget, settings: TrackingSettings): ServedDestination | null {
    let byDestination = this.templates.get(settings);
    if (byDestination === undefined) {
      byDestination = new Map();
      this.templates.set(settings, byDestination);
    }
    const key = `${link.channel}\u0000${link.slug}\u0000${link.variant ?? ''}\u0000${link.url}`;
    let template = byDestination.get(key);
    if (template === undefined) {
      try {
        const canonical = canonicalDestination(link.url ?? '');
        if (!canonical.ok) throw new TypeError(`${JSON.stringify((link.url ?? '').slice(0, 200))} ${canonical.problem}`);
        const t = destinationTemplate(canonical.url, {
          utmEnabled: settings.utm,
          utmSource: settings.utmSource,
          channel: link.channel as Channel,
          campaignSlug: link.slug,
          variant: link.variant ?? undefined,
          clickIdParam: settings.clickIdParam,
        });
        if (!CANONICAL_CHARS_RE.test(t.head) || (t.tail !== '' && !CANONICAL_CHARS_RE.test(t.tail))) throw new TypeError('the redirect would not be printable ASCII');
        template = { head: t.head, tail: t.tail, url: canonical.url };
      } catch (err) {
        this.log('warn', `link ${link.token} (campaign ${link.campaign_id}, account ${link.account_id}) has an unusable destination; its visitors get an error page: ${(err as Error).message}`);
        template = null;
      }
      if (byDestination.size >= 10_000) byDestination.clear(); // bounded: an account's live destinations are far fewer
      byDestination.set(key, template);
    }
    return template;
  }

  /** Whether a visit recorded now would wait for its commit. */
  private mustWait(): boolean {
    return this.opts.ackAfterCommit || this.queue.length >= this.opts.softLimit;
  }

  /** Queues a visit; returns what to wait for when it must wait (see `mustWait`), else undefined. */
  private enqueue(link: LinkTarget, kind: VisitKind, url: string | null, id: string, req: VisitRequest): Promise<void> | undefined {
    const now = this.clock();
    if (this.queue.length >= this.opts.hardLimit) {
      this.stats.lost++;
      this.lossesSinceLog++;
      if (now - this.lastLossLog >= 1000) {
        this.log('error', `click queue full (${this.queue.length} waiting for the database): ${this.lossesSinceLog} ${kind} event(s) NOT stored since the last report (total lost ${this.stats.lost}); visitors were still redirected`);
        this.lastLossLog = now;
        this.lossesSinceLog = 0;
      }
      return undefined;
    }
    const v: QueuedVisit = {
      accountId: link.account_id, messageId: link.message_id, campaignId: link.campaign_id, kind, url, token: link.token, id, at: now,
      req: { method: req.method, userAgent: req.userAgent?.slice(0, 500), referer: req.referer?.slice(0, 500), via: req.via?.slice(0, 200) },
      enqueuedAt: now,
    };
    const wait = this.mustWait();
    let committed: Promise<void> | undefined;
    if (wait) committed = new Promise<void>((resolve) => (v.done = resolve));
    this.queue.push(v);
    this.stats.queued = this.queue.length;
    this.kick();
    if (!committed) return undefined;
    if (this.opts.ackAfterCommit) return committed;
    // Over the soft limit: slow the visitor down a little (backpressure), but redirect anyway.
    this.stats.throttled++;
    return Promise.race([committed, new Promise<void>((r) => setTimeout(r, this.opts.throttleWaitMs).unref())]);
  }

  private kick(): void {
    if (!this.flushing) this.flushing = this.drainLoop().finally(() => (this.flushing = null));
  }

  /** Resolves once every visit queued so far is durably stored (at shutdown): in the worker's inbox, or applied. */
  async persist(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      if (!this.flushing) this.kick();
      await this.flushing;
    }
  }

  /** Resolves once every visit queued so far is stored and applied (tests, benchmarks, the CLI). */
  async flush(): Promise<void> {
    await this.persist();
    await this.offload?.drain();
    await this.visitInbox?.drain();
  }

  /** What the worker's inbox did with visits once it applied them. */
  noteProcessed(report: ProcessedReport): void {
    this.stats.lost += report.lost;
    this.stats.reflagged += report.reflagged;
    this.stats.applyFailures += report.failed;
  }

  private async drainLoop(): Promise<void> {
    let backoff = 50;
    while (this.queue.length > 0) {
      // Linger a moment so that a batch gathers the clicks of the next few milliseconds: on SQLite a write runs
      // on the event loop, and writing clicks one by one would take the CPU the redirects need.
      if (this.queue.length < this.opts.maxBatch && this.opts.lingerMs > 0) await new Promise((r) => setTimeout(r, this.opts.lingerMs));
      const batch = this.queue.slice(0, this.opts.maxBatch);
      try {
        await this.writeBatch(batch);
        this.queue.splice(0, batch.length);
        this.stats.queued = this.queue.length;
        backoff = 50;
        const now = this.clock();
        let late = 0;
        for (const v of batch) {
          if (now - v.enqueuedAt > this.opts.lateMs) late++;
          v.done?.();
        }
        this.stats.written += batch.length;
        this.stats.writtenLate += late;
        this.stats.batches++;
        if (late && now - this.lastLateLog >= 1000) {
          this.log('warn', `${late} visit(s) written more than ${this.opts.lateMs} ms after the redirect (queue ${this.queue.length}; total late ${this.stats.writtenLate})`);
          this.lastLateLog = now;
        }
      } catch (err) {
        // The batch stays at the head of the queue and is retried: a database hiccup delays clicks, never loses them.
        this.stats.writeErrors++;
        this.log('error', `writing ${batch.length} visit(s) failed, retrying in ${backoff} ms (queue ${this.queue.length}): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }

  /** Stores a batch through the ingestion worker (SQLite) or the visit inbox (PostgreSQL) when there is one, else here. */
  private async writeBatch(batch: QueuedVisit[]): Promise<void> {
    // Field by field rather than an object rest (`{ enqueuedAt, done, ...v }`), whose result V8 keeps in dictionary
    // mode: slower to encode and to read.
    const visits: StoredVisit[] = batch.map((v) => ({
      accountId: v.accountId, messageId: v.messageId, campaignId: v.campaignId, kind: v.kind, url: v.url, token: v.token, id: v.id, at: v.at, req: v.req,
    }));
    // To the worker as JSON, which it stores in its inbox as it is (cheaper on both threads than a structured clone).
    const r = this.offload
      ? await this.offload.run({ kind: 'visits', accounts: visits.map((v) => v.accountId), visits: visits.map((v) => JSON.stringify(v)) })
      : this.visitInbox ? await this.visitInbox.append(visits) : await this.storeVisits(visits);
    this.stats.lost += r.lost;
    this.stats.reflagged += r.reflagged;
  }

  /** Classifies a batch and stores it in one transaction (group commit). */
  async storeVisits(batch: StoredVisit[]): Promise<StoredVisits> {
    return this.writer.run((trx) => this.storeVisitsIn(trx, batch), Math.max(1, batch.length));
  }

  /**
   * The body of `storeVisits` inside a transaction the caller holds (the ingestion worker applies a slice of its
   * inbox and deletes it in one commit): classification reads, events, and sweep re-flags, account by account.
   */
  async storeVisitsIn(trx: Transaction<DB>, batch: StoredVisit[]): Promise<StoredVisits> {
    const byAccount = new Map<string, StoredVisit[]>();
    for (const v of batch) {
      const list = byAccount.get(v.accountId) ?? [];
      list.push(v);
      byAccount.set(v.accountId, list);
    }
    const out: StoredVisits = { lost: 0, reflagged: 0 };
    for (const [accountId, visits] of byAccount) {
      const r = await this.writeAccountBatch(trx, accountId, visits);
      out.lost += r.lost;
      out.reflagged += r.reflagged;
    }
    return out;
  }

  private async writeAccountBatch(trx: Transaction<DB>, accountId: string, visits: StoredVisit[]): Promise<StoredVisits> {
    const account = await this.accounts.get(accountId, trx);
    const t = account ? this.settingsOfRow(account).thresholds : resolveThresholds();
    const ids = [...new Set(visits.map((v) => v.messageId))];
    const clickIds = [...new Set(visits.filter((v) => v.kind === 'clicked').map((v) => v.messageId))];
    const minAt = Math.min(...visits.map((v) => v.at));
    const times = await getMessageTimes(trx, accountId, ids);
    const linkCounts = await countDestinationsOfMessages(trx, accountId, clickIds);
    const recent = await listRecentClicks(trx, accountId, clickIds, minAt - t.linkSweepMs);
    // Clicks of each message as the sweep rule sees them: stored ones, then this batch's in time order.
    const clicksOf = new Map<string, { at: number; url: string; stored?: string; human: boolean; visit?: number }[]>();
    for (const r of recent) {
      const list = clicksOf.get(r.message_id) ?? [];
      list.push({ at: Number(r.at), url: r.url ?? '', stored: r.dedupe_key, human: r.machine === 0 });
      clicksOf.set(r.message_id, list);
    }
    const verdicts: Verdict[] = [];
    const order = visits.map((_, i) => i).sort((a, b) => visits[a].at - visits[b].at);
    for (const i of order) {
      const v = visits[i];
      const mt = times.get(v.messageId);
      const common = { method: v.req.method, userAgent: v.req.userAgent, at: v.at, deliveredAt: mt?.deliveredAt ?? undefined, sentAt: mt?.sentAt ?? undefined };
      if (v.kind === 'opened') {
        // Apple's relay egress ranges are not matched (no list ships offline): MPP is recognised by its user agent.
        verdicts[i] = classifyOpen({ ...common, via: v.req.via }, t);
        continue;
      }
      const prior = clicksOf.get(v.messageId) ?? [];
      verdicts[i] = classifyClick(
        {
          ...common,
          referer: v.req.referer,
          url: v.kind === 'clicked' ? (v.url ?? undefined) : undefined,
          priorClicksOfMessage: prior.map((c) => ({ at: c.at, url: c.url })),
          linksInMessage: linkCounts.get(v.messageId) ?? 0,
        },
        t,
      );
      if (v.kind === 'clicked') {
        prior.push({ at: v.at, url: v.url ?? '', human: !verdicts[i].machine, visit: i });
        clicksOf.set(v.messageId, prior);
      }
    }
    // A sweep completed by this batch: its earlier clicks were judged human before the last one arrived.
    const reflag = new Map<string, string[]>();
    for (const [messageId, clicks] of clicksOf) {
      const n = linkCounts.get(messageId) ?? 0;
      for (const idx of findLinkSweeps(clicks, n, t)) {
        const c = clicks[idx];
        if (!c.human) continue;
        if (c.visit !== undefined) verdicts[c.visit] = { machine: true, reason: 'link_sweep' };
        else if (c.stored) reflag.set(messageId, [...(reflag.get(messageId) ?? []), c.stored]);
      }
    }
    const events: IncomingEvent[] = visits.map((v, i) => ({
      type: v.kind,
      at: v.at,
      ref: { kind: 'id', messageId: v.messageId },
      provider: TRACKING_PROVIDER,
      providerEventId: v.id,
      url: v.url ?? undefined,
      machine: verdicts[i].machine,
      flagReason: verdicts[i].reason,
      meta: { token: v.token, ...(v.req.userAgent ? { userAgent: v.req.userAgent } : {}) },
    }));
    const outcome = await this.ingestor.ingestIn(trx, accountId, events);
    if (!outcome.ok) {
      // Only possible if a message vanished after its link was issued: nothing else can be fixed by retrying.
      this.log('error', `${events.length} visit(s) of account ${accountId} refused by ingestion: ${outcome.message}`);
      return { lost: events.length, reflagged: 0 };
    }
    const reflagged = reflag.size ? await this.reflagSweeps(trx, accountId, account?.time_zone ?? 'UTC', reflag) : 0;
    return { lost: 0, reflagged };
  }

  /**
   * Re-flags stored human clicks that turned out to open a link sweep: the events become machine ones and their
   * messages' counts move from clicks to bot clicks through saveMessageChanges, so daily counts stay the sum.
   */
  private async reflagSweeps(trx: Transaction<DB>, accountId: string, timeZone: string, byMessage: Map<string, string[]>): Promise<number> {
    const changes: { before: MessageRow; after: MessageRow }[] = [];
    const flaggedPer = new Map<string, number>();
    for (const [messageId, keys] of byMessage) flaggedPer.set(messageId, await flagEvents(trx, accountId, keys, 'link_sweep'));
    const ids = [...flaggedPer].filter(([, n]) => n > 0).map(([id]) => id);
    if (!ids.length) return 0;
    const firstHuman = new Map<string, number>();
    for (const c of await listHumanClicks(trx, accountId, ids)) firstHuman.set(c.message_id, Math.min(firstHuman.get(c.message_id) ?? Infinity, c.at));
    for (const m of await findMessagesByIds(trx, accountId, ids, this.db, this.db.kind === 'postgres')) {
      const n = flaggedPer.get(m.id)!;
      const after: MessageRow = { ...m, clicks: Math.max(0, m.clicks - n), bot_clicks: m.bot_clicks + n, clicked_at: firstHuman.get(m.id) ?? null };
      changes.push({ before: m, after });
    }
    const channels = await this.ingestor.channelsOf(trx, accountId, changes.map((c) => c.after.campaign_id));
    await saveMessageChanges(this.db, trx, timeZone, accountId, changes, channels, true);
    return [...flaggedPer.values()].reduce((a, b) => a + b, 0);
  }

  // ------------------------------------------------------------------ attribution

  /** The message a click id (from an order's landing URL) belongs to, or undefined. One indexed read. */
  async findMessageByClickId(accountId: string, clickId: string): Promise<{ messageId: string; campaignId: string; clickedAt: number } | undefined> {
    if (!isWellFormedClickId(clickId)) return undefined;
    const r = await findMessageIdByClickId(this.db.kysely, accountId, `pe:${TRACKING_PROVIDER}:${clickId}`);
    return r && { messageId: r.messageId, campaignId: r.campaignId, clickedAt: r.at };
  }
}
