// One person's data (issue #17): finding a contact by an identifier, exporting everything Mesure holds on them, and
// erasing them. Erasure runs in one transaction: their identifiers leave every table (rows that figures count keep an
// anonymous key instead), the contact goes, and they stay on the suppression list as one-way hashes
// (src/services/erasure.ts) so that the send gate refuses them and registration never stores them again.
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { ContactRow, DB, EventRow, MessageRow, SuppressionRow } from '../store/schema';
import type { OrderRow } from '../store/orders';
import { eraseFeedbackTexts } from '../store/feedback';
import { refreshCohorts } from './cohorts';
import {
  anonymizeHoldoutMembers, anonymizeMessage, anonymizeOrders, deleteContacts, deleteDeadLetters, deleteOrphanEventsNaming,
  deleteSuppressionsOf, findAttributionsOfOrders, findDeadLettersNaming, findEventsOfMessages, findPersonMessages,
  findPersonOrders, findSuppressionsOf, getContact, listCampaignChannels, searchContacts, setEventData,
} from '../store/erasure';
import { findContactsByKeys } from '../store/campaigns';
import { insertSuppressions } from '../store/suppressions';
import { scrubbingReplacedValues } from '../store/secrets';
import { normalizeAddress, normalizeEmail, normalizePhone, type PostalAddress } from '../domain/contacts';
import { erasedEventData, erasedSuppressions, isErased, type PersonKeys } from '../domain/erasure';
import type { AccountDirectory } from './accounts';
import type { Actor, AuditTrail } from './audit';
import type { ErasureKeys } from './erasure';
import { deleteConversions, findPersonConversions } from '../store/conversions';
import type { Writer } from './writer';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());

export interface ContactView {
  id: string;
  externalId: string | null;
  email: string | null;
  phone: string | null;
  address: PostalAddress | null;
  firstName: string | null;
  lastName: string | null;
  optOuts: { email: string | null; sms: string | null; whatsapp: string | null; mail: string | null };
  createdAt: string;
  updatedAt: string;
}

function parseAddress(raw: string | null): PostalAddress | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as PostalAddress;
  } catch {
    return { line1: raw };
  }
}

export const contactView = (c: ContactRow): ContactView => ({
  id: c.id,
  externalId: c.external_id,
  email: c.email,
  phone: c.phone,
  address: parseAddress(c.address),
  firstName: c.first_name,
  lastName: c.last_name,
  optOuts: { email: iso(c.opt_out_email), sms: iso(c.opt_out_sms), whatsapp: iso(c.opt_out_whatsapp), mail: iso(c.opt_out_mail) },
  createdAt: iso(c.created_at)!,
  updatedAt: iso(c.updated_at)!,
});

/** Who to erase: a contact, or whoever an identifier names (with or without a contact). */
export type ErasureTarget =
  | { contactId: string }
  | { email?: string; phone?: string; externalId?: string; address?: PostalAddress };

export interface ErasureSummary {
  /** Contacts removed. */
  contacts: number;
  /** Messages whose recipient became an anonymous key. */
  messages: number;
  /** Events whose stored data lost its personal fields (user agent, IP, reply text, failure text). */
  events: number;
  orders: number;
  /** Conversions other than orders, deleted with their credits. */
  conversions: number;
  holdoutMembers: number;
  /** Suppression entries under the person's identifiers, replaced by `added` entries under their hashes. */
  suppressionsRemoved: number;
  suppressionsAdded: number;
  /** Events that waited for an unregistered message, and dead letters, that named the person: removed. */
  waitingEvents: number;
  deadLetters: number;
}

/** Called as each step of an erasure is done (inside its transaction: nothing is committed until the last). */
export type ErasureProgress = (step: string, count: number) => void;

export type ContactsOutcome<T> = { ok: true; value: T } | { ok: false; status: 400 | 404; message: string; field?: string };

/** The identifiers in `q` may be, each normalised as contacts store it (exact lookups on indexed columns). */
function lookupKeys(q: string, country: string | undefined): { column: 'email' | 'phone' | 'external_id' | 'address_key'; value: string }[] {
  const out: { column: 'email' | 'phone' | 'external_id' | 'address_key'; value: string }[] = [{ column: 'external_id', value: q.trim() }];
  const email = normalizeEmail(q);
  if (email) out.push({ column: 'email', value: email });
  const phone = /^[+\d][\d\s().-]{5,}$/.test(q.trim()) ? normalizePhone(q, country) : null;
  if (phone) out.push({ column: 'phone', value: phone });
  if (q.includes('|')) out.push({ column: 'address_key', value: q.trim().toUpperCase() });
  return out;
}

export class Contacts {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly erasure: ErasureKeys,
    private readonly audit: AuditTrail,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Contacts with exactly this e-mail, phone (any written form), external id or address key (without `q`: all), in id order. */
  async search(accountId: string, q: string | undefined, opts: { cursor?: string; limit: number }): Promise<{ items: ContactView[]; nextCursor: string | null }> {
    const country = (await this.accounts.get(accountId))?.default_country ?? undefined;
    const rows = await searchContacts(this.db.kysely, accountId, q === undefined ? null : lookupKeys(q, country), opts.cursor, opts.limit + 1);
    const page = rows.slice(0, opts.limit);
    return { items: page.map(contactView), nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null };
  }

  /** Everything Mesure holds on one contact, readable: a person's copy of their data. */
  async export(accountId: string, contactId: string): Promise<ContactsOutcome<PersonExport>> {
    const h = this.db.kysely;
    const contact = await getContact(h, accountId, contactId);
    if (!contact) return { ok: false, status: 404, message: `No contact ${contactId} in this account.` };
    const keys = keysOf([contact]);
    const channels = await listCampaignChannels(h, accountId);
    const messages = await findPersonMessages(h, accountId, [contact.id], recipientsOf(keys), [...channels.keys()]);
    const events = await findEventsOfMessages(h, accountId, messages.map((m) => m.id));
    const orders = await findPersonOrders(h, accountId, { contactIds: [contact.id], ...keys });
    const credits = await findAttributionsOfOrders(h, accountId, orders.map((o) => o.id));
    const suppressions = await findSuppressionsOf(h, accountId, recipientsOf(keys));
    const byMessage = new Map<string, EventRow[]>();
    for (const e of events) byMessage.set(e.message_id, [...(byMessage.get(e.message_id) ?? []), e]);
    return {
      ok: true,
      value: {
        asOf: iso(this.clock())!,
        contact: contactView(contact),
        suppressions: suppressions.map((s) => ({ channel: s.channel, address: s.address, reason: s.reason, source: s.source, createdAt: iso(s.created_at)! })),
        messages: messages.map((m) => messageExport(m, channels.get(m.campaign_id) ?? null, byMessage.get(m.id) ?? [])),
        visits: events.filter((e) => e.type === 'clicked' || e.type === 'opened' || e.type === 'scanned').map(visitExport),
        orders: orders.map((o) => ({
          ...orderExport(o),
          credits: credits.filter((c) => c.order_id === o.id).map((c) => ({
            model: c.model, campaignId: c.campaign_id, messageId: c.message_id, channel: c.channel, kind: c.kind,
            weight: Number(c.weight_micro) / 1e6, revenue: Number(c.revenue_minor), currency: c.currency, direct: Number(c.direct) === 1,
          })),
        })),
      },
    };
  }

  /**
   * Erases a person in one transaction (see the file's head comment and docs/PRIVACY.md), and records it in the audit
   * trail in the same transaction, with counts and never an identifier.
   */
  async erase(accountId: string, target: ErasureTarget, actor: Actor, ip: string | null = null, progress: ErasureProgress = () => {}): Promise<ContactsOutcome<ErasureSummary>> {
    const country = (await this.accounts.get(accountId))?.default_country ?? undefined;
    const given: PersonKeys = { emails: [], phones: [], addressKeys: [], externalIds: [] };
    if (!('contactId' in target)) {
      if (target.email !== undefined) {
        const e = normalizeEmail(target.email);
        if (!e) return { ok: false, status: 400, message: 'email is not an e-mail address.', field: 'email' };
        given.emails.push(e);
      }
      if (target.phone !== undefined) {
        const p = normalizePhone(target.phone, country);
        if (!p) return { ok: false, status: 400, message: 'phone is not a valid phone number.', field: 'phone' };
        given.phones.push(p);
      }
      if (target.address !== undefined) {
        const a = normalizeAddress(target.address);
        if (!a) return { ok: false, status: 400, message: 'address needs line1, postalCode and city.', field: 'address' };
        given.addressKeys.push(a);
      }
      if (target.externalId !== undefined) given.externalIds.push(target.externalId);
    }
    const key = await this.erasure.ensure(accountId);
    return scrubbingReplacedValues(this.db, () => this.writer.run(async (trx): Promise<ContactsOutcome<ErasureSummary>> => {
      let contacts: ContactRow[];
      if ('contactId' in target) {
        const c = await getContact(trx, accountId, target.contactId);
        if (!c) return { ok: false, status: 404, message: `No contact ${target.contactId} in this account.` };
        contacts = [c];
      } else {
        contacts = await findContactsByKeys(trx, accountId, { externalIds: given.externalIds, emails: given.emails, phones: given.phones, addressKeys: given.addressKeys }, this.db);
      }
      const keys = merge(given, keysOf(contacts));
      const contactIds = contacts.map((c) => c.id);
      const summary = await this.eraseIn(trx, accountId, contactIds, keys, key, progress);
      await this.audit.record({
        accountId, actor, action: 'contact.erase', ip,
        target: 'contactId' in target ? target.contactId : null,
        details: { by: 'contactId' in target ? 'contact' : Object.keys(target).filter((k) => (target as Record<string, unknown>)[k] !== undefined).join(','), ...summary },
      }, trx);
      return { ok: true, value: summary };
    }));
  }

  private async eraseIn(trx: Transaction<DB>, accountId: string, contactIds: string[], personKeys: PersonKeys, key: (identifier: string) => string, progress: ErasureProgress): Promise<ErasureSummary> {
    let keys = merge(personKeys, personKeys);
    const channels = await listCampaignChannels(trx, accountId);
    const messages = (await findPersonMessages(trx, accountId, contactIds, recipientsOf(keys), [...channels.keys()])).filter((m) => !isErased(m.recipient));
    // The contact's messages may reach them under identifiers the contact row lacks (a phone given only with a later
    // message): those join the person's keys, for their orders and suppression entries.
    for (const m of messages) {
      const r = m.recipient;
      if (r.startsWith('ext:')) keys.externalIds.push(r.slice(4));
      else if (channels.get(m.campaign_id) === 'email') keys.emails.push(r);
      else if (channels.get(m.campaign_id) === 'mail') keys.addressKeys.push(r);
      else keys.phones.push(r);
    }
    keys = merge(keys, keys);
    const recipients = recipientsOf(keys);
    progress('messages', messages.length);
    for (const m of messages) await anonymizeMessage(trx, accountId, m.id, key(m.recipient));
    let events = 0;
    for (const e of await findEventsOfMessages(trx, accountId, messages.map((m) => m.id))) {
      const data = erasedEventData(e.data);
      if (data === e.data) continue;
      await setEventData(trx, accountId, e.dedupe_key, data);
      events++;
    }
    progress('events', events);
    // The feedback list's copy of their replies' texts (src/store/feedback.ts): the rows stay for the counts.
    progress('feedback texts', await eraseFeedbackTexts(trx, accountId, messages.map((m) => m.id)));
    const holdoutMembers = await anonymizeHoldoutMembers(trx, accountId, contactIds, key);
    const orders = await findPersonOrders(trx, accountId, { contactIds, ...keys });
    await anonymizeOrders(trx, accountId, orders.map((o) => o.id));
    progress('orders', orders.length);
    // Conversions other than orders (a sign-up, a booking…) go with their credits: by contact and by the person's keys.
    const conversions = await findPersonConversions(trx, accountId, { contactIds, emails: keys.emails, phones: keys.phones, externalIds: keys.externalIds });
    await deleteConversions(trx, accountId, conversions);
    progress('conversions', conversions.length);
    // Every form the person's recipients were stored under, suppression entries included, goes from the list; their
    // hashes take their place on every channel the identifiers reach.
    const suppressionsRemoved = await deleteSuppressionsOf(trx, accountId, [...recipients, ...messages.map((m) => m.recipient)]);
    const now = this.clock();
    const entries: SuppressionRow[] = erasedSuppressions(keys).map((s) => ({ account_id: accountId, channel: s.channel, address: key(s.identifier), reason: 'erased', source: 'erasure', created_at: now }));
    const suppressionsAdded = await insertSuppressions(trx, entries);
    progress('suppression entries under one-way hashes', entries.length);
    // Raw text that may name them: e-mails and phones (also as WhatsApp writes them, without "+"). External ids and
    // address keys are too short or too rewritten to search raw payloads for safely.
    const needles = [...keys.emails, ...keys.phones, ...keys.phones.map((p) => p.replace(/^\+/, ''))];
    const waitingEvents = await deleteOrphanEventsNaming(trx, accountId, needles);
    const letters = await findDeadLettersNaming(trx, accountId, needles);
    await deleteDeadLetters(trx, accountId, letters.map((l) => l.id));
    await deleteContacts(trx, accountId, contactIds);
    // Their retention cohorts' counts go down by what they counted for (the time zone does not matter: they count for nothing now).
    await refreshCohorts(this.db, trx, 'UTC', accountId, contactIds);
    progress('contacts', contactIds.length);
    return {
      contacts: contactIds.length, messages: messages.length, events, orders: orders.length, conversions: conversions.length, holdoutMembers, suppressionsRemoved, suppressionsAdded,
      waitingEvents, deadLetters: letters.length,
    };
  }
}

function keysOf(contacts: ContactRow[]): PersonKeys {
  const keys: PersonKeys = { emails: [], phones: [], addressKeys: [], externalIds: [] };
  for (const c of contacts) {
    if (c.email) keys.emails.push(c.email);
    if (c.phone) keys.phones.push(c.phone);
    if (c.address_key) keys.addressKeys.push(c.address_key);
    if (c.external_id) keys.externalIds.push(c.external_id);
  }
  return keys;
}

function merge(a: PersonKeys, b: PersonKeys): PersonKeys {
  const u = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  return { emails: u(a.emails, b.emails), phones: u(a.phones, b.phones), addressKeys: u(a.addressKeys, b.addressKeys), externalIds: u(a.externalIds, b.externalIds) };
}

/** The recipient strings messages and suppressions store for these identifiers. */
function recipientsOf(k: PersonKeys): string[] {
  return [...k.emails, ...k.phones, ...k.addressKeys, ...k.externalIds.map((x) => `ext:${x}`)];
}

// ---------------------------------------------------------------- the export's shape
export interface PersonExport {
  asOf: string;
  contact: ContactView;
  suppressions: { channel: string; address: string; reason: string; source: string; createdAt: string }[];
  messages: ReturnType<typeof messageExport>[];
  visits: ReturnType<typeof visitExport>[];
  orders: (ReturnType<typeof orderExport> & { credits: unknown[] })[];
}

const parseData = (d: string | null): Record<string, unknown> | null => {
  if (!d) return null;
  try {
    return JSON.parse(d) as Record<string, unknown>;
  } catch {
    return null;
  }
};

function messageExport(m: MessageRow, channel: string | null, events: EventRow[]) {
  return {
    id: m.id, campaignId: m.campaign_id, channel, recipient: m.recipient, status: m.status,
    notSentReason: m.not_sent_reason, failureReason: m.failure_reason, failureMessage: m.failure_message, bounceType: m.bounce_type,
    registeredAt: iso(m.registered_at), sentAt: iso(m.sent_at), deliveredAt: iso(m.delivered_at), openedAt: iso(m.opened_at),
    clickedAt: iso(m.clicked_at), repliedAt: iso(m.replied_at), unsubscribedAt: iso(m.unsubscribed_at), complainedAt: iso(m.complained_at),
    cost: Number(m.cost_minor),
    events: events.map((e) => ({ type: e.type, at: iso(e.at), url: e.url, machine: Number(e.machine) === 1, flagReason: e.flag_reason, data: parseData(e.data) })),
  };
}

function visitExport(e: EventRow) {
  const meta = (parseData(e.data)?.meta ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    messageId: e.message_id, type: e.type, at: iso(e.at), url: e.url,
    userAgent: text(meta.userAgent) ?? text(meta.useragent) ?? text(meta.user_agent),
    ip: text(meta.ip) ?? text(meta.ipAddress),
    machine: Number(e.machine) === 1,
  };
}

function orderExport(o: OrderRow) {
  const json = (s: string | null) => (s ? parseData(s) ?? s : null);
  return {
    id: o.id, source: o.source, externalId: o.external_id, name: o.name, orderedAt: iso(o.ordered_at), currency: o.currency,
    gross: Number(o.gross_minor), revenue: Number(o.revenue_minor), revenueCurrency: o.revenue_currency, cancelledAt: iso(o.cancelled_at),
    refunded: Number(o.refunded_minor),
    customer: { externalId: o.customer_external_id, email: o.email, phone: o.phone },
    billingAddress: json(o.billing_address), shippingAddress: json(o.shipping_address),
    noteAttributes: parseData(o.note_attributes) ?? JSON.parse(o.note_attributes || '[]'),
    declaredSource: o.declared_source,
  };
}
