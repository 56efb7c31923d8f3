// The contact page (issue #18): who a person is (identifiers, opt-outs per channel and why, suppression entries),
// their lifetime figures, and their timeline across channels, newest first, a page at a time. Reads only: every
// query goes through an index by contact, message or order (src/store/contactPage.ts).
import type { Db } from '../store/db';
import { getContact } from '../store/erasure';
import {
  findSuppressionEntries, listContactEventTimes, listContactMessages, listContactOrders, listCreditsOfOrders, pageContactEvents,
  pageContactMessages, pageContactOrders, type ContactCreditRow, type ContactEventRow, type ContactMessageRow, type ContactOrderRow,
} from '../store/contactPage';
import { wasSent } from '../domain/message';
import {
  contactLifetime, decodeTimelineCursor, encodeTimelineCursor, sourceBound, timelinePage, TIMELINE_RANK, type ContactLifetime, type TimelineKey,
} from '../domain/contactPage';
import { CHANNELS, type Channel } from '../domain/types';
import { readSettings } from './attribution';
import { contactView, type ContactView, type ContactsOutcome } from './contacts';
import type { AccountDirectory } from './accounts';

const iso = (ms: number | string | null | undefined) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
const ENGAGEMENT_TYPES = ['opened', 'clicked', 'scanned', 'replied'] as const;
/** The events the timeline lists as items of their own; opens and deliveries are times of their message. */
const TIMELINE_EVENT_TYPES = ['clicked', 'scanned', 'replied', 'unsubscribed', 'complained'] as const;
const EVENT_KIND: Record<string, TimelineItem['kind']> = { clicked: 'click', scanned: 'scan', replied: 'reply', unsubscribed: 'optOut', complained: 'optOut' };

export interface ContactDetail {
  contact: ContactView;
  /** Channels the contact opted out of: when, and why (the suppression entry's reason, or the message's unsubscribe). */
  optOuts: { channel: Channel; at: string; reason: string | null; source: string | null }[];
  suppressions: { channel: string; address: string; reason: string; source: string; createdAt: string }[];
  attributionModel: string;
  lifetime: Omit<ContactLifetime, 'firstOrderAt' | 'lastOrderAt' | 'firstEngagedAt' | 'lastEngagedAt'> & {
    firstOrderAt: string | null;
    lastOrderAt: string | null;
    firstEngagedAt: string | null;
    lastEngagedAt: string | null;
  };
}

interface CampaignRef {
  id: string;
  name: string | null;
  channel: string;
}

export interface TimelineItem {
  kind: 'message' | 'click' | 'scan' | 'reply' | 'optOut' | 'order';
  /** The message id, the event's key or the order id. */
  id: string;
  at: string;
  campaign: CampaignRef | null;
  messageId: string | null;
  message: {
    status: string; notSentReason: string | null; failureReason: string | null; bounceType: string | null;
    registeredAt: string; sentAt: string | null; deliveredAt: string | null; failedAt: string | null; bouncedAt: string | null;
    openedAt: string | null; clickedAt: string | null; repliedAt: string | null; scannedAt: string | null; unsubscribedAt: string | null;
  } | null;
  url: string | null;
  machine: boolean | null;
  flagReason: string | null;
  text: string | null;
  reason: string | null;
  order: {
    externalId: string; name: string | null; source: string; currency: string; gross: number; revenue: number; revenueCurrency: string;
    refunded: number; cancelledAt: string | null; items: number;
    credits: { campaign: CampaignRef; messageId: string | null; kind: string; weight: number; revenue: number; currency: string; direct: boolean }[];
  } | null;
}

type Keyed = TimelineKey & { item: () => TimelineItem };

const blank = { campaign: null, messageId: null, message: null, url: null, machine: null, flagReason: null, text: null, reason: null, order: null };

function messageItem(m: ContactMessageRow): TimelineItem {
  return {
    ...blank, kind: 'message', id: m.id, at: iso(m.at)!, messageId: m.id,
    campaign: { id: m.campaign_id, name: m.campaign_name, channel: m.channel },
    message: {
      status: m.status, notSentReason: m.not_sent_reason, failureReason: m.failure_reason, bounceType: m.bounce_type,
      registeredAt: iso(m.registered_at)!, sentAt: iso(m.sent_at), deliveredAt: iso(m.delivered_at), failedAt: iso(m.failed_at), bouncedAt: iso(m.bounced_at),
      openedAt: iso(m.opened_at), clickedAt: iso(m.clicked_at), repliedAt: iso(m.replied_at), scannedAt: iso(m.scanned_at), unsubscribedAt: iso(m.unsubscribed_at),
    },
  };
}

function eventItem(e: ContactEventRow): TimelineItem {
  let text: string | null = null;
  if (e.type === 'replied' && e.data) {
    try {
      const t = (JSON.parse(e.data) as { text?: unknown }).text;
      text = typeof t === 'string' ? t : null;
    } catch {
      text = null;
    }
  }
  return {
    ...blank, kind: EVENT_KIND[e.type], id: e.dedupe_key, at: iso(e.at)!, messageId: e.message_id,
    campaign: { id: e.campaign_id, name: e.campaign_name, channel: e.channel },
    url: e.url, machine: Number(e.machine) === 1, flagReason: e.flag_reason, text,
    reason: e.type === 'unsubscribed' || e.type === 'complained' ? e.type : null,
  };
}

function orderItem(o: ContactOrderRow, credits: ContactCreditRow[]): TimelineItem {
  return {
    ...blank, kind: 'order', id: o.id, at: iso(o.ordered_at)!,
    order: {
      externalId: o.external_id, name: o.name, source: o.source, currency: o.currency, gross: Number(o.gross_minor), revenue: Number(o.revenue_minor),
      revenueCurrency: o.revenue_currency, refunded: Number(o.refunded_minor), cancelledAt: iso(o.cancelled_at), items: Number(o.item_quantity),
      credits: credits.map((c) => ({
        campaign: { id: c.campaign_id, name: c.campaign_name, channel: c.channel }, messageId: c.message_id, kind: c.kind,
        weight: Number(c.weight_micro) / 1e6, revenue: Number(c.revenue_minor), currency: c.currency, direct: Number(c.direct) === 1,
      })),
    },
  };
}

export class ContactPages {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountDirectory,
  ) {}

  private async settings(accountId: string) {
    const account = await this.accounts.get(accountId);
    if (!account) throw new Error(`Account ${accountId} not found.`);
    return { currency: account.currency, model: readSettings(JSON.parse(account.settings || '{}')).model };
  }

  /** Who the person is and their lifetime figures; 404 for a contact not in the account (or erased). */
  async detail(accountId: string, contactId: string): Promise<ContactsOutcome<ContactDetail>> {
    const h = this.db.kysely;
    const contact = await getContact(h, accountId, contactId);
    if (!contact) return { ok: false, status: 404, message: `No contact ${contactId} in this account (it may have been erased).` };
    const { currency, model } = await this.settings(accountId);
    const [messages, events, orders] = await Promise.all([
      listContactMessages(h, accountId, contactId),
      listContactEventTimes(h, accountId, contactId, ENGAGEMENT_TYPES),
      listContactOrders(h, accountId, contactId),
    ]);
    const credits = await listCreditsOfOrders(h, accountId, model, orders.map((o) => o.id));
    // The addresses the contact is reached under, on the channels that use them; an external id on every channel.
    const pairs: { channel: string; address: string }[] = [];
    if (contact.email) pairs.push({ channel: 'email', address: contact.email });
    if (contact.phone) pairs.push({ channel: 'sms', address: contact.phone }, { channel: 'whatsapp', address: contact.phone });
    if (contact.address_key) pairs.push({ channel: 'mail', address: contact.address_key });
    if (contact.external_id) for (const channel of CHANNELS) pairs.push({ channel, address: `ext:${contact.external_id}` });
    const suppressions = await findSuppressionEntries(h, accountId, pairs);
    const optOuts: ContactDetail['optOuts'] = [];
    for (const channel of CHANNELS) {
      const at = contact[`opt_out_${channel}`];
      if (at === null) continue;
      const entry = suppressions.find((s) => s.channel === channel);
      const unsubscribed = messages.find((m) => m.channel === channel && m.unsubscribed_at !== null);
      optOuts.push({
        channel, at: iso(at)!,
        reason: entry?.reason ?? (unsubscribed ? 'unsubscribed' : null),
        source: entry?.source ?? (unsubscribed ? `message:${unsubscribed.id}` : null),
      });
    }
    const lifetime = contactLifetime(
      currency,
      messages.map((m) => ({
        channel: m.channel as Channel,
        sent: wasSent({
          sent_at: m.sent_at, delivered_at: m.delivered_at, bounced_at: m.bounced_at, opened_at: m.opened_at, clicked_at: m.clicked_at,
          replied_at: m.replied_at, scanned_at: m.scanned_at, last_engaged_at: m.last_engaged_at,
        }),
        openedAt: m.opened_at === null ? null : Number(m.opened_at), clickedAt: m.clicked_at === null ? null : Number(m.clicked_at),
        scannedAt: m.scanned_at === null ? null : Number(m.scanned_at), repliedAt: m.replied_at === null ? null : Number(m.replied_at),
      })),
      events.map((e) => ({ type: e.type, at: Number(e.at), machine: Number(e.machine) === 1 })),
      orders.map((o) => ({ revenue: Number(o.revenue_minor), revenueCurrency: o.revenue_currency, cancelled: o.cancelled_at !== null, orderedAt: Number(o.ordered_at) })),
      credits.map((c) => ({ revenue: Number(c.revenue_minor), currency: c.currency })),
    );
    return {
      ok: true,
      value: {
        contact: contactView(contact),
        optOuts,
        suppressions: suppressions.map((s) => ({ channel: s.channel, address: s.address, reason: s.reason, source: s.source, createdAt: iso(s.created_at)! })),
        attributionModel: model,
        lifetime: {
          ...lifetime,
          firstOrderAt: iso(lifetime.firstOrderAt), lastOrderAt: iso(lifetime.lastOrderAt),
          firstEngagedAt: iso(lifetime.firstEngagedAt), lastEngagedAt: iso(lifetime.lastEngagedAt),
        },
      },
    };
  }

  /**
   * The contact's timeline, newest first: messages, clicks, scans, replies, opt-outs and orders with their credits under
   * the account's model. Each source gives at most `limit + 1` items after the cursor; the page is the first `limit`.
   */
  async timeline(accountId: string, contactId: string, opts: { cursor?: string; limit: number }): Promise<ContactsOutcome<{ items: TimelineItem[]; nextCursor: string | null }>> {
    const h = this.db.kysely;
    let cursor: TimelineKey | null = null;
    if (opts.cursor !== undefined) {
      cursor = decodeTimelineCursor(opts.cursor);
      if (!cursor) return { ok: false, status: 400, message: 'The cursor is not one this timeline gave; start again without it.', field: 'cursor' };
    }
    if (!(await getContact(h, accountId, contactId))) return { ok: false, status: 404, message: `No contact ${contactId} in this account (it may have been erased).` };
    const { model } = await this.settings(accountId);
    const n = opts.limit + 1;
    const [messages, events, orders] = await Promise.all([
      pageContactMessages(h, accountId, contactId, sourceBound(TIMELINE_RANK.message, cursor), n),
      pageContactEvents(h, accountId, contactId, TIMELINE_EVENT_TYPES, sourceBound(TIMELINE_RANK.event, cursor), n),
      pageContactOrders(h, accountId, contactId, sourceBound(TIMELINE_RANK.order, cursor), n),
    ]);
    const page = timelinePage<Keyed>([
      orders.map((o) => ({ at: Number(o.ordered_at), rank: TIMELINE_RANK.order, id: o.id, item: () => orderItem(o, []) })),
      events.map((e) => ({ at: Number(e.at), rank: TIMELINE_RANK.event, id: e.dedupe_key, item: () => eventItem(e) })),
      messages.map((m) => ({ at: Number(m.at), rank: TIMELINE_RANK.message, id: m.id, item: () => messageItem(m) })),
    ], opts.limit);
    const items = page.items.map((k) => k.item());
    const orderIds = items.filter((i) => i.kind === 'order').map((i) => i.id);
    const credits = await listCreditsOfOrders(h, accountId, model, orderIds);
    for (const i of items) {
      if (i.kind !== 'order') continue;
      const o = orders.find((x) => x.id === i.id)!;
      i.order = orderItem(o, credits.filter((c) => c.order_id === o.id)).order;
    }
    return { ok: true, value: { items, nextCursor: page.next ? encodeTimelineCursor(page.next) : null } };
  }
}
