// Orders in: Shopify webhooks, CSV files and the API all end in `upsertIn`, which merges versions, keeps refunds
// (even those that arrive before their order), matches the buyer to a contact, stores the order and credits it,
// in one transaction. Also the account's order-related settings: Shopify secret, discount codes, currency rates,
// attribution settings.
import { createHash } from 'node:crypto';
import { timeOrderedId } from './ids';
import type { Readable } from 'node:stream';
import { markNewCustomers } from '../domain/newCustomers';
import type { Transaction } from 'kysely';
import { parse } from 'csv-parse';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import {
  findAttributionsOfOrders, findContactsForOrders, findOrdersByExternalIds, findOrdersWithCodes, findRefundsOfOrders, getShopifySecrets,
  insertOrders, insertRefunds, insertWebhookDelivery, listCurrencyRates, listDiscountCodes, listOrdersPage, putShopifySecrets,
  replaceCampaignDiscountCodes, replaceCurrencyRates, updateOrder, webhookDeliverySeen, findOrderTimesOfContacts, updateNewCustomerMarks,
  type AttributionRow, type ContactKeyRow, type OrderRefundRow, type OrderRow,
} from '../store/orders';
import { getCampaign, insertContacts } from '../store/campaigns';
import { findLinesOfOrders, replaceOrderLines, type OrderLineRow } from '../store/products';
import { linesAfterRefunds, type OrderLine, type RefundLine } from '../domain/orderLines';
import type { ContactRow } from '../store/schema';
import {
  applyRefund, matchContact, matchKeys, mergeOrderVersions, normalizeDiscountCodes, refundedMinor, type MatchKey, type Order, type OrderRefund,
  type OrderSource, type RevenueBasis,
} from '../domain/orders';
import {
  BILLBEE_MAPPING, CsvOrderAssembler, detectMapping, GENERIC_MAPPING, missingColumns, SHOPIFY_MAPPING, type CsvImportOutcome, type OrderCsvMapping,
} from '../domain/orderCsv';
import { declaredFromNoteAttributes, decodeTarget, mapDeclared } from '../domain/declared';
import { toAttributable, ATTRIBUTION_MODELS, WINDOW_KINDS, type AttributionModel, type WindowKind } from '../domain/attribution';
import { parseShopifyWebhook, shopifyDedupeKey, shopifyTopic, verifyShopify, type Headers } from '../providers/shopify/shopify';
import { CHANNELS, type Channel } from '../domain/types';
import { normalizeAddress, type PostalAddress } from '../domain/contacts';
import type { AccountDirectory } from './accounts';
import type { ErasureKeys } from './erasure';
import type { Writer } from './writer';
import { hintOf, type SecretBox } from './secrets';
import type { ItemError, Outcome } from './ingest';
import {
  CHANNEL_WINDOW_KINDS, effectiveWindows, readSettings, type AccountContext, type Attribution, type AttributionSettings, type RecomputeSummary,
} from './attribution';
import { nextDay, zonedDayStart } from './campaigns';
import { refreshCohorts } from './cohorts';
import { noMetrics, type ServiceMetrics } from './metrics';

export interface RefundInput {
  source: OrderSource;
  orderExternalId: string;
  refund: OrderRefund;
}

export interface UpsertSummary {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  refunds: { received: number; added: number; waitingForOrder: number };
  /** Orders (new or changed) that got at least one credit. */
  credited: number;
}

export interface ImportReport {
  mapping: string;
  lines: number;
  orders: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first rejected lines (at most 1,000 listed), with line numbers as the file counts them (header = 1). */
  rejections: { line: number; reason: string }[];
}

export interface CsvImportOptions {
  mapping?: 'shopify' | 'billbee' | 'generic' | 'auto';
  /** Overrides of the mapping's fields (column names), e.g. `{ "total": "Grand total" }`. */
  columns?: Partial<OrderCsvMapping>;
  timeZone?: string;
  decimalSeparator?: '.' | ',';
  defaultCurrency?: string;
}

const MAPPINGS: Record<string, OrderCsvMapping> = { shopify: SHOPIFY_MAPPING, billbee: BILLBEE_MAPPING, generic: GENERIC_MAPPING };
const IMPORT_BATCH = 500;
const MAX_LISTED_REJECTIONS = 1000;

const json = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));
const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

/** A stored order back to the domain's Order, with its refunds. */
export function rowToOrder(r: OrderRow, refunds: OrderRefund[]): Order {
  return {
    externalId: r.external_id,
    source: r.source as OrderSource,
    name: r.name,
    at: Number(r.ordered_at),
    updatedAt: Number(r.version_at),
    currency: r.currency,
    grossMinor: Number(r.gross_minor),
    taxMinor: Number(r.tax_minor),
    shippingMinor: Number(r.shipping_minor),
    netMinor: Number(r.net_minor),
    discountMinor: Number(r.discount_minor),
    discountCodes: JSON.parse(r.discount_codes),
    landing: { site: r.landing_site, clickId: r.click_id, utmSource: r.utm_source, utmMedium: r.utm_medium, utmCampaign: r.utm_campaign, utmContent: r.utm_content },
    noteAttributes: JSON.parse(r.note_attributes),
    declaredSource: r.declared_source,
    customer: {
      customerId: r.customer_external_id, email: r.email, phone: r.phone,
      address: json<PostalAddress>(r.billing_address), shippingAddress: json<PostalAddress>(r.shipping_address),
    },
    itemQuantity: Number(r.item_quantity),
    cancelledAt: r.cancelled_at === null ? null : Number(r.cancelled_at),
    refunds,
  };
}

function refundOf(r: OrderRefundRow): OrderRefund {
  const base = { refundId: r.refund_id, at: Number(r.at), amountMinor: Number(r.amount_minor), netMinor: r.net_minor === null ? null : Number(r.net_minor) };
  return r.line_items ? { ...base, lines: JSON.parse(r.line_items) as RefundLine[] } : base;
}

/** A refund as stored: its returned lines as JSON (null when the source did not say). */
function refundRow(accountId: string, source: string, orderExternalId: string, r: OrderRefund, now: number): OrderRefundRow {
  return {
    account_id: accountId, source, refund_id: r.refundId, order_external_id: orderExternalId, at: r.at, amount_minor: r.amountMinor, net_minor: r.netMinor,
    received_at: now, line_items: r.lines?.length ? JSON.stringify(r.lines) : null,
  };
}

/** An order's lines as stored, each with the money its refunds returned and what it is still worth. */
function lineRows(accountId: string, orderId: string, lines: readonly OrderLine[], refunds: readonly OrderRefund[]): OrderLineRow[] {
  const after = linesAfterRefunds(lines, refunds.flatMap((r) => r.lines ?? []));
  return lines.map((l, i) => ({
    account_id: accountId, order_id: orderId, line_no: l.lineNo, line_id: l.lineId, product_id: l.productId, variant_id: l.variantId, sku: l.sku,
    title: l.title, product_type: l.productType, vendor: l.vendor, quantity: l.quantity, unit_price_minor: l.unitPriceMinor, discount_minor: l.discountMinor,
    refunded_minor: after[i].refundedMinor, net_minor: after[i].netMinor,
  }));
}

const LINE_FIELDS = ['line_no', 'line_id', 'product_id', 'variant_id', 'sku', 'title', 'product_type', 'vendor', 'quantity', 'unit_price_minor', 'discount_minor', 'refunded_minor', 'net_minor'] as const;
const lineSignature = (r: OrderLineRow) => LINE_FIELDS.map((f) => (r[f] === null ? null : String(r[f])));

function lineOfRow(r: OrderLineRow): OrderLine {
  return {
    lineNo: r.line_no, lineId: r.line_id, productId: r.product_id, variantId: r.variant_id, sku: r.sku, title: r.title, productType: r.product_type,
    vendor: r.vendor, quantity: r.quantity, unitPriceMinor: r.unit_price_minor, discountMinor: r.discount_minor,
  };
}

/** Fields compared to tell a real change from a repeated delivery (ids and bookkeeping times left out). */
function sameOrderRow(a: OrderRow, b: OrderRow): boolean {
  for (const k of Object.keys(a) as (keyof OrderRow)[]) {
    if (k === 'id' || k === 'received_at' || k === 'updated_at') continue;
    const x = a[k];
    const y = b[k];
    if ((x === null ? null : String(x)) !== (y === null ? null : String(y))) return false;
  }
  return true;
}

export class Orders {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    readonly attribution: Attribution,
    private readonly clock: () => number = Date.now,
    private readonly metrics: ServiceMetrics = noMetrics,
  ) {}

  /** Each account's erasure pepper: an erased buyer's later orders store no customer field and make no contact. */
  erasure?: ErasureKeys;

  // ------------------------------------------------------------------------------------------ orders in

  /** Stores orders and refunds of one account, all or nothing, credited; resolves after COMMIT. */
  async upsert(accountId: string, orders: Order[], refunds: RefundInput[] = []): Promise<UpsertSummary> {
    const clicks = await this.resolveClicks(accountId, orders);
    return this.writer.run((trx) => this.upsertIn(trx, accountId, orders, refunds, clicks), Math.max(1, orders.length + refunds.length));
  }

  /** Click ids resolved before the transaction (the tracking area reads with its own handle). */
  private async resolveClicks(accountId: string, orders: Order[]): Promise<Map<string, { messageId: string; at: number | null }>> {
    const out = new Map<string, { messageId: string; at: number | null }>();
    for (const cid of new Set(orders.map((o) => o.landing.clickId).filter((c): c is string => c !== null))) {
      const r = await this.attribution.clickIds(accountId, cid).catch(() => null);
      if (r) out.set(cid, r);
    }
    return out;
  }

  async upsertIn(
    trx: Transaction<DB>,
    accountId: string,
    incoming: Order[],
    refunds: RefundInput[],
    clicks: Map<string, { messageId: string; at: number | null }> = new Map(),
  ): Promise<UpsertSummary> {
    const ctx = await this.attribution.context(trx, accountId);
    const now = this.clock();
    const summary: UpsertSummary = { received: incoming.length, created: 0, updated: 0, unchanged: 0, refunds: { received: refunds.length, added: 0, waitingForOrder: 0 }, credited: 0 };

    // Versions of one order inside the batch merge first; then with what is stored.
    const batch = new Map<string, Order>();
    for (const o of incoming) {
      const key = JSON.stringify([o.source, o.externalId]);
      const seen = batch.get(key);
      batch.set(key, seen ? mergeOrderVersions(seen, o) : o);
    }
    const refundRows: OrderRefundRow[] = refunds.map((r) => refundRow(accountId, r.source, r.orderExternalId, r.refund, now));
    const bySource = new Map<string, Set<string>>();
    const want = (source: string, id: string) => bySource.set(source, (bySource.get(source) ?? new Set()).add(id));
    for (const o of batch.values()) want(o.source, o.externalId);
    for (const r of refunds) want(r.source, r.orderExternalId);

    const existing = new Map<string, OrderRow>();
    const storedRefunds = new Map<string, OrderRefund[]>();
    for (const [source, ids] of bySource) {
      for (const row of await findOrdersByExternalIds(trx, accountId, source, [...ids], this.db)) existing.set(JSON.stringify([source, row.external_id]), row);
      for (const r of await findRefundsOfOrders(trx, accountId, source, [...ids], this.db)) {
        const key = JSON.stringify([source, r.order_external_id]);
        storedRefunds.set(key, [...(storedRefunds.get(key) ?? []), refundOf(r)]);
      }
    }
    summary.refunds.added = await insertRefunds(trx, refundRows);
    for (const r of refunds) {
      const key = JSON.stringify([r.source, r.orderExternalId]);
      storedRefunds.set(key, [...(storedRefunds.get(key) ?? []), r.refund]);
      if (!existing.has(key) && !batch.has(key)) summary.refunds.waitingForOrder += 1;
    }

    // Orders to (re)write: every incoming one, and stored ones that received a refund.
    const targets = new Map<string, Order>();
    for (const [key, o] of batch) {
      const prev = existing.get(key);
      targets.set(key, prev ? mergeOrderVersions(rowToOrder(prev, []), o) : o);
    }
    for (const r of refunds) {
      const key = JSON.stringify([r.source, r.orderExternalId]);
      const prev = existing.get(key);
      if (!targets.has(key) && prev) targets.set(key, rowToOrder(prev, []));
    }
    const newRefunds: OrderRefundRow[] = [];
    for (const [key, o0] of targets) {
      let o = o0;
      for (const r of storedRefunds.get(key) ?? []) o = applyRefund(o, r);
      targets.set(key, o);
      // Refunds embedded in an order version (Shopify's `refunds`, a CSV's refunded amount) are kept like the others.
      const known = new Set((storedRefunds.get(key) ?? []).map((r) => r.refundId));
      for (const r of o.refunds) {
        if (!known.has(r.refundId)) newRefunds.push(refundRow(accountId, o.source, o.externalId, r, now));
      }
    }
    await insertRefunds(trx, newRefunds);

    // An erased buyer (docs/PRIVACY.md): an order erasure left (matched_by 'erased') keeps its contact id and stores no
    // customer field again, and so does an order whose e-mail, phone, customer id or address is on the erased list.
    const erased = new Set<string>();
    const candidates: { key: string; channel: Channel; identifier: string }[] = [];
    for (const [key, o] of targets) {
      if (existing.get(key)?.matched_by === 'erased') erased.add(key);
      else for (const k of matchKeys(o, ctx.defaultCountry)) candidates.push({ key, ...ERASED_LIST[k.kind](k.value) });
    }
    if (this.erasure) for (const i of await this.erasure.erasedAmong(trx, accountId, candidates)) erased.add(candidates[i].key);
    for (const key of erased) targets.set(key, withoutCustomer(targets.get(key)!));
    const matches = await this.matchContacts(trx, accountId, [...targets.values()], ctx.defaultCountry, now);
    for (const key of erased) {
      const prev = existing.get(key);
      if (prev?.contact_id) matches.set(key, { contactId: prev.contact_id, key: { kind: 'erased' as MatchKey['kind'], value: '' } });
      else matches.delete(key);
    }
    const toInsert: OrderRow[] = [];
    const toUpdate: OrderRow[] = [];
    const changed: OrderRow[] = [];
    const rows = new Map<string, OrderRow>();
    for (const [key, order] of targets) {
      const prev = existing.get(key);
      const match = matches.get(key) ?? null;
      const click = order.landing.clickId ? clicks.get(order.landing.clickId) : undefined;
      const row = this.orderRow(ctx, accountId, prev?.id ?? newOrderId(), order, match, now, prev, click);
      rows.set(key, row);
      if (prev && sameOrderRow(prev, row)) {
        if (batch.has(key)) summary.unchanged += 1;
        continue;
      }
      if (prev) {
        toUpdate.push(row);
        if (batch.has(key)) summary.updated += 1;
      } else {
        toInsert.push(row);
        summary.created += 1;
      }
      changed.push(row);
    }
    await this.remarkNewCustomers(trx, accountId, changed, existing);
    for (const row of toUpdate) await updateOrder(trx, row);
    await insertOrders(trx, toInsert, this.db);
    await this.writeLines(trx, accountId, targets, rows, existing, changed);
    // Retention cohorts: the buyers whose orders came, changed or moved to another contact.
    const buyers = new Set<string>();
    for (const r of changed) {
      if (r.contact_id) buyers.add(r.contact_id);
      const before = existing.get(JSON.stringify([r.source, r.external_id]))?.contact_id;
      if (before) buyers.add(before);
    }
    await refreshCohorts(this.db, trx, ctx.timeZone, accountId, [...buyers]);
    const written = await this.attribution.attributeIn(trx, ctx, changed);
    summary.credited = new Set(written.map((r) => r.order_id)).size;
    return summary;
  }

  /**
   * New or returning (domain/newCustomers.ts), before the changed orders are written: the marks of every order of the
   * contacts the batch touches (the new and the former contact of each changed order) are computed again from all
   * their orders, stored and changed, so that a late, older order turns the former first order "returning". The read
   * is bounded by those contacts' own orders (orders_contact_id). Changed rows take their mark here (they are written
   * and credited next); stored orders whose mark moved are updated with their credits.
   */
  private async remarkNewCustomers(trx: Transaction<DB>, accountId: string, changed: OrderRow[], existing: Map<string, OrderRow>): Promise<void> {
    const before = new Map([...existing.values()].map((o) => [o.id, o.contact_id]));
    const contacts = new Set<string>();
    for (const o of changed) {
      if (o.contact_id) contacts.add(o.contact_id);
      const former = before.get(o.id);
      if (former) contacts.add(former);
    }
    const stored = contacts.size ? await findOrderTimesOfContacts(trx, accountId, [...contacts]) : [];
    const mine = new Map(changed.map((o) => [o.id, o]));
    const all = [
      ...stored.filter((o) => !mine.has(o.id)).map((o) => ({ id: o.id, contactId: o.contact_id, orderedAt: o.ordered_at })),
      ...changed.map((o) => ({ id: o.id, contactId: o.contact_id, orderedAt: Number(o.ordered_at) })),
    ];
    const marks = markNewCustomers(all);
    for (const o of changed) o.new_customer = marks.get(o.id) ?? null;
    await updateNewCustomerMarks(trx, accountId, stored.filter((o) => !mine.has(o.id) && marks.get(o.id) !== o.new_customer).map((o) => ({ id: o.id, mark: marks.get(o.id)! })));
  }

  /**
   * What was bought: each order's lines (the version's, else those stored) with every refund of the order taken off
   * the lines it names. Lines that changed are replaced, and their order is credited again even when nothing else of
   * it changed (a refund of one line moves revenue between products). Reads the stored lines of these orders only.
   */
  private async writeLines(trx: Transaction<DB>, accountId: string, targets: Map<string, Order>, rows: Map<string, OrderRow>, existing: Map<string, OrderRow>, changed: OrderRow[]): Promise<void> {
    const storedIds = [...targets.keys()].map((k) => existing.get(k)?.id).filter((id): id is string => id !== undefined);
    const stored = new Map<string, OrderLineRow[]>();
    for (const l of storedIds.length ? await findLinesOfOrders(trx, accountId, storedIds) : []) stored.set(l.order_id, [...(stored.get(l.order_id) ?? []), l]);
    const changedIds = new Set(changed.map((r) => r.id));
    for (const [key, order] of targets) {
      const row = rows.get(key)!;
      const before = stored.get(row.id) ?? [];
      const lines = order.lines ?? before.map(lineOfRow);
      const wanted = lineRows(accountId, row.id, lines, order.refunds);
      if (JSON.stringify(wanted.map(lineSignature)) === JSON.stringify(before.map(lineSignature))) continue;
      await replaceOrderLines(trx, accountId, row.id, wanted);
      if (!changedIds.has(row.id)) changed.push(row);
    }
  }

  private orderRow(
    ctx: AccountContext,
    accountId: string,
    id: string,
    o: Order,
    match: { contactId: string; key: MatchKey } | null,
    now: number,
    prev: OrderRow | undefined,
    click: { messageId: string; at: number | null } | undefined,
  ): OrderRow {
    const revenue = toAttributable(o, { basis: ctx.settings.revenueBasis, currency: ctx.currency, rates: ctx.rates });
    const sameClick = prev && prev.click_id === o.landing.clickId;
    // Given by the API or a CSV column, else the account's note attributes (Shopify's post-purchase survey answer).
    const declared = o.declaredSource ?? declaredFromNoteAttributes(o.noteAttributes, ctx.declared.attributes);
    return {
      account_id: accountId,
      id,
      source: o.source,
      external_id: o.externalId,
      name: o.name,
      ordered_at: o.at,
      version_at: o.updatedAt,
      currency: o.currency,
      gross_minor: o.grossMinor,
      tax_minor: o.taxMinor,
      shipping_minor: o.shippingMinor,
      net_minor: o.netMinor,
      discount_minor: o.discountMinor,
      discount_codes: JSON.stringify(o.discountCodes),
      landing_site: o.landing.site,
      click_id: o.landing.clickId,
      click_message_id: click?.messageId ?? (sameClick ? prev.click_message_id : null),
      click_at: click ? click.at : sameClick ? prev.click_at : null,
      utm_source: o.landing.utmSource,
      utm_medium: o.landing.utmMedium,
      utm_campaign: o.landing.utmCampaign,
      utm_content: o.landing.utmContent,
      note_attributes: JSON.stringify(o.noteAttributes),
      declared_source: declared,
      declared_target: mapDeclared(ctx.declared.rules, declared),
      customer_external_id: o.customer.customerId,
      email: o.customer.email,
      phone: o.customer.phone,
      billing_address: o.customer.address ? JSON.stringify(o.customer.address) : null,
      shipping_address: o.customer.shippingAddress ? JSON.stringify(o.customer.shippingAddress) : null,
      item_quantity: o.itemQuantity,
      cancelled_at: o.cancelledAt,
      refunded_minor: refundedMinor(o),
      contact_id: match?.contactId ?? null,
      matched_by: match?.key.kind ?? null,
      revenue_minor: revenue.revenueMinor,
      revenue_currency: revenue.currency,
      // Set by remarkNewCustomers before the batch is written (it depends on the contact's other orders).
      new_customer: prev ? (prev.new_customer === null ? null : Number(prev.new_customer)) : null,
      received_at: prev ? Number(prev.received_at) : now,
      updated_at: now,
    };
  }

  /**
   * Buyer → contact: customer id, then email, then E.164 phone, then postal address; remembers which key matched.
   * Conversions other than orders (services/conversions.ts) match their person through it too.
   */
  async matchContacts(trx: Transaction<DB>, accountId: string, orders: Order[], defaultCountry: string | undefined, now: number) {
    const keys = orders.map((o) => matchKeys(o, defaultCountry));
    const all = keys.flat();
    const pick = (kind: MatchKey['kind']) => all.filter((k) => k.kind === kind).map((k) => k.value);
    const found = all.length
      ? await findContactsForOrders(trx, accountId, { externalIds: pick('customer_id'), emails: pick('email'), phones: pick('phone'), addressKeys: pick('address') }, this.db)
      : [];
    const index = new Map<string, ContactKeyRow>();
    // The oldest id wins when two contacts share a key, so the choice never depends on read order.
    const put = (k: string, c: ContactKeyRow) => {
      const seen = index.get(k);
      if (!seen || c.id < seen.id) index.set(k, c);
    };
    for (const c of found) {
      if (c.external_id) put(`customer_id:${c.external_id}`, c);
      if (c.email) put(`email:${c.email}`, c);
      if (c.phone) put(`phone:${c.phone}`, c);
      if (c.address_key) put(`address:${c.address_key}`, c);
    }
    const out = new Map<string, { contactId: string; key: MatchKey }>();
    const created: ContactRow[] = [];
    for (const o of orders) {
      const m = matchContact(o, (k) => index.get(`${k.kind}:${k.value}`), defaultCountry);
      if (m) {
        out.set(JSON.stringify([o.source, o.externalId]), { contactId: m.contact.id, key: m.matchedBy });
        continue;
      }
      // No contact yet: the buyer becomes one, with the order's keys, so that messages registered later (a back-fill
      // posting orders before campaigns) find the same person and late events credit this order, as if the messages
      // had come first. The next order of the batch with one of these keys matches it.
      const keys = matchKeys(o, defaultCountry);
      if (keys.length === 0) continue;
      const contact = contactOfOrder(accountId, o, keys, now);
      created.push(contact);
      for (const k of keys) put(`${k.kind}:${k.value}`, contact);
      out.set(JSON.stringify([o.source, o.externalId]), { contactId: contact.id, key: keys[0] });
    }
    await insertContacts(trx, created, this.db);
    return out;
  }

  // ------------------------------------------------------------------------------------------ Shopify

  async setShopifySecret(accountId: string, secret: string, previousSecret?: string): Promise<void> {
    const secrets = previousSecret && previousSecret !== secret ? [secret, previousSecret] : [secret];
    const sealed = this.box.seal(JSON.stringify(secrets));
    await this.writer.run((trx) => putShopifySecrets(trx, accountId, sealed, this.clock()));
  }

  /** The secrets that verify deliveries, the current one first (the previous one is kept while rotating). */
  private async shopifySecrets(accountId: string): Promise<string[]> {
    const stored = await getShopifySecrets(this.db.kysely, accountId);
    return stored === undefined ? [] : (JSON.parse(this.box.open(stored)) as string[]);
  }

  /** Whether a Shopify secret is set, and the current one's last four characters. */
  async shopifySecretState(accountId: string): Promise<{ configured: boolean; secretHint: string | null }> {
    const [current] = await this.shopifySecrets(accountId);
    return { configured: current !== undefined, secretHint: current !== undefined ? hintOf(current) : null };
  }

  /**
   * One Shopify webhook delivery: verified over the raw body (401 and no change otherwise), de-duplicated by its
   * event (else webhook) id, applied and recorded in one transaction, answered after COMMIT.
   */
  async shopifyWebhook(accountId: string, headers: Headers, rawBody: Buffer): Promise<{ status: 200 | 401; body: Record<string, unknown> }> {
    const secrets = await this.shopifySecrets(accountId);
    const verdict = verifyShopify(rawBody, headers, secrets);
    if (!verdict.ok) {
      this.metrics.webhookSignatureFailed('shopify');
      return { status: 401, body: { error: 'unauthorized', message: `Shopify signature refused: ${verdict.reason}.`, details: [] } };
    }
    const topic = shopifyTopic(headers) ?? '';
    const key = shopifyDedupeKey(headers) ?? `shopify:body:${createHash('sha256').update(rawBody).digest('hex')}`;
    if (await webhookDeliverySeen(this.db.kysely, accountId, key)) return { status: 200, body: { duplicate: true } };
    const parsed = parseShopifyWebhook(topic, rawBody);
    const clicks = parsed.kind === 'order' ? await this.resolveClicks(accountId, [parsed.order]) : new Map();
    return this.writer.run(async (trx) => {
      const outcome = parsed.kind === 'order' || parsed.kind === 'refund' ? 'applied' : parsed.kind;
      const reason = parsed.kind === 'ignored' || parsed.kind === 'rejected' ? parsed.reason : null;
      const fresh = await insertWebhookDelivery(trx, { account_id: accountId, dedupe_key: key, topic, outcome, reason, received_at: this.clock() });
      if (!fresh) return { status: 200 as const, body: { duplicate: true } };
      if (parsed.kind === 'order') {
        const s = await this.upsertIn(trx, accountId, [parsed.order], [], clicks);
        return { status: 200 as const, body: { outcome, topic, order: parsed.order.externalId, created: s.created, updated: s.updated } };
      }
      if (parsed.kind === 'refund') {
        const s = await this.upsertIn(trx, accountId, [], [{ source: 'shopify', orderExternalId: parsed.orderExternalId, refund: parsed.refund }], clicks);
        return { status: 200 as const, body: { outcome, topic, order: parsed.orderExternalId, waitingForOrder: s.refunds.waitingForOrder > 0 } };
      }
      // Acknowledged so that Shopify stops retrying; the reason is kept with the delivery.
      return { status: 200 as const, body: { outcome, topic, reason } };
    });
  }

  // ------------------------------------------------------------------------------------------ CSV

  /**
   * Streams a CSV file of orders (constant memory: one order being gathered and one batch at a time), stores them by
   * batches and reports rejected lines with their numbers. Importing the same file twice adds nothing.
   */
  async importCsv(accountId: string, input: Readable, opts: CsvImportOptions = {}, progress?: (report: ImportReport) => void): Promise<Outcome<ImportReport>> {
    const account = await this.accounts.get(accountId);
    if (!account) return { ok: false, status: 404, message: `Account ${accountId} not found.`, errors: [] };
    let mapping: OrderCsvMapping | null = null;
    let mappingName: string = opts.mapping ?? 'auto';
    let headerProblem: string | null = null;
    const report: ImportReport = { mapping: mappingName, lines: 0, orders: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, rejections: [] };
    const reject = (line: number, reason: string) => {
      report.rejected += 1;
      if (report.rejections.length < MAX_LISTED_REJECTIONS) report.rejections.push({ line, reason });
    };
    const parser = parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      trim: false,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim());
        const base = opts.mapping && opts.mapping !== 'auto' ? MAPPINGS[opts.mapping] : detectMapping(names);
        if (!opts.mapping || opts.mapping === 'auto') mappingName = Object.entries(MAPPINGS).find(([, m]) => m === base)?.[0] ?? 'generic';
        mapping = {
          ...base,
          ...(opts.columns ?? {}),
          timeZone: opts.timeZone ?? account.time_zone,
          ...(opts.decimalSeparator ? { decimalSeparator: opts.decimalSeparator } : {}),
          ...(opts.defaultCurrency ? { defaultCurrency: opts.defaultCurrency.toUpperCase() } : {}),
        };
        const missing = missingColumns(names, mapping);
        if (missing.length) {
          headerProblem = `The file's header lacks required column(s) for the ${mappingName} mapping: ${missing.join('; ')}. Name the columns with ?mapping= or columns=.`;
          throw new Error(headerProblem);
        }
        return names;
      },
    });
    parser.on('skip', (err: { lines?: number; message: string }) => reject(err.lines ?? report.lines + 1, `unreadable CSV line: ${err.message}`));
    input.on('error', (err) => parser.destroy(err));
    input.pipe(parser);

    let assembler: CsvOrderAssembler | null = null;
    let batch: Order[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const s = await this.upsert(accountId, batch);
      report.created += s.created;
      report.updated += s.updated;
      report.unchanged += s.unchanged;
      batch = [];
      progress?.(report);
    };
    const take = async (outcomes: CsvImportOutcome[]) => {
      for (const o of outcomes) {
        if (o.kind === 'rejected') reject(o.line, o.reason);
        else {
          report.orders += 1;
          batch.push(o.order);
        }
      }
      if (batch.length >= IMPORT_BATCH) await flush();
    };
    try {
      for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
        assembler ??= new CsvOrderAssembler(mapping!);
        report.lines += 1;
        // info.lines is where the record ends; a quoted cell may span lines, so count back to where it starts.
        const spans = Object.values(item.record).reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
        await take(assembler.push(item.record, item.info.lines - spans));
      }
      if (assembler) await take(assembler.end());
      await flush();
    } catch (err) {
      if (headerProblem) return { ok: false, status: 422, message: headerProblem, errors: [] };
      throw err;
    }
    report.mapping = mappingName;
    return { ok: true, value: report };
  }

  // ------------------------------------------------------------------------------------------ reading

  /** Orders newest first, with their credits under the account's model. */
  async list(accountId: string, q: { from?: string; to?: string; limit: number; cursor?: string }) {
    const ctx = await this.attribution.context(this.db.kysely, accountId);
    let after: { at: number; id: string } | undefined;
    if (q.cursor) {
      try {
        const [at, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as [number, string];
        if (typeof at !== 'number' || typeof id !== 'string') throw new Error();
        after = { at, id };
      } catch {
        return { ok: false as const, message: 'The cursor is not one this list gave; start again without it.' };
      }
    }
    const rows = await listOrdersPage(this.db.kysely, accountId, {
      after, limit: q.limit + 1, descending: true,
      fromMs: q.from ? zonedDayStart(q.from, ctx.timeZone) : undefined,
      toMs: q.to ? zonedDayStart(nextDay(q.to), ctx.timeZone) : undefined,
    });
    const page = rows.slice(0, q.limit);
    const credits = new Map<string, AttributionRow[]>();
    for (const a of await findAttributionsOfOrders(this.db.kysely, accountId, page.map((r) => r.id))) {
      if (a.model === ctx.settings.model) credits.set(a.order_id, [...(credits.get(a.order_id) ?? []), a]);
    }
    const last = page[page.length - 1];
    return {
      ok: true as const,
      items: page.map((r) => toApiOrder(r, credits.get(r.id) ?? [], ctx)),
      nextCursor: rows.length > q.limit ? Buffer.from(JSON.stringify([Number(last.ordered_at), last.id])).toString('base64url') : null,
    };
  }

  // ------------------------------------------------------------------------------------------ settings

  async setDiscountCodes(accountId: string, campaignId: string, rawCodes: string[]): Promise<Outcome<{ campaignId: string; codes: string[] }>> {
    const campaign = await getCampaign(this.db.kysely, accountId, campaignId);
    if (!campaign) return { ok: false, status: 404, message: `No campaign ${campaignId} in this account.`, errors: [] };
    const codes = normalizeDiscountCodes(rawCodes);
    return this.writer.run(async (trx) => {
      const taken = (await listDiscountCodes(trx, accountId, codes)).filter((d) => d.campaign_id !== campaignId);
      if (taken.length) {
        const errors: ItemError[] = taken.map((d) => ({ index: codes.indexOf(d.code), field: '', message: `code ${d.code} is assigned to campaign ${d.campaign_id}; remove it there first` }));
        return { ok: false as const, status: 409 as const, message: `${taken.length} code(s) already belong to another campaign; nothing was changed.`, errors };
      }
      const before = (await listDiscountCodes(trx, accountId)).filter((d) => d.campaign_id === campaignId).map((d) => d.code);
      await replaceCampaignDiscountCodes(trx, accountId, campaignId, codes, this.clock());
      this.attribution.invalidate(accountId);
      // Orders that used a code added or removed are credited again.
      const ctx = await this.attribution.context(trx, accountId);
      await this.attribution.attributeIn(trx, ctx, await findOrdersWithCodes(trx, accountId, [...new Set([...before, ...codes])]));
      return { ok: true as const, value: { campaignId, codes } };
    });
  }

  async discountCodes(accountId: string, campaignId: string): Promise<string[]> {
    return (await listDiscountCodes(this.db.kysely, accountId)).filter((d) => d.campaign_id === campaignId).map((d) => d.code);
  }

  async currencyRates(accountId: string) {
    return (await listCurrencyRates(this.db.kysely, accountId)).map((r) => ({ from: r.from_currency, to: r.to_currency, rate: r.rate, validFrom: iso(Number(r.valid_from)) }));
  }

  /** Replaces the account's rate table, then converts and credits every order again. */
  async setCurrencyRates(accountId: string, rates: { from: string; to: string; rate: string; validFrom: number }[], progress?: (done: number, total: number) => void) {
    await this.writer.run((trx) => replaceCurrencyRates(trx, accountId, rates.map((r) => ({
      account_id: accountId, from_currency: r.from.toUpperCase(), to_currency: r.to.toUpperCase(), valid_from: r.validFrom, rate: r.rate,
    }))));
    const recomputed = await this.recompute(accountId, { revenue: true, progress });
    return { rates: await this.currencyRates(accountId), recomputed };
  }

  async settings(accountId: string) {
    const ctx = await this.attribution.context(this.db.kysely, accountId);
    return settingsView(ctx.settings);
  }

  /** Changes the model, windows, half-life or revenue basis, then credits every order again. */
  async updateSettings(
    accountId: string,
    patch: { model?: AttributionModel; revenueBasis?: RevenueBasis; halfLifeHours?: number; windowsHours?: Partial<Record<Channel, Partial<Record<WindowKind, number | null>>>> },
    progress?: (done: number, total: number) => void,
  ) {
    const account = await this.accounts.get(accountId);
    if (!account) throw new Error(`Account ${accountId} not found.`);
    const raw = JSON.parse(account.settings || '{}') as Record<string, unknown>;
    const current = readSettings(raw);
    const windowsHours = { ...current.windowsHours };
    for (const [channel, kinds] of Object.entries(patch.windowsHours ?? {}) as [Channel, Partial<Record<WindowKind, number | null>>][]) {
      windowsHours[channel] = { ...(windowsHours[channel] ?? {}), ...kinds };
    }
    const model = patch.model ?? current.model;
    const next: AttributionSettings = {
      model,
      // data_driven falls back to the rule model the account used last (its rule model while it has no fit).
      fallbackModel: model !== 'data_driven' ? model : current.model !== 'data_driven' ? current.model : current.fallbackModel,
      revenueBasis: patch.revenueBasis ?? current.revenueBasis,
      halfLifeHours: patch.halfLifeHours ?? current.halfLifeHours,
      windowsHours,
    };
    await this.accounts.update(accountId, {
      settings: { revenueBasis: next.revenueBasis, attribution: { model: next.model, fallbackModel: next.fallbackModel, windowsHours: next.windowsHours, halfLifeHours: next.halfLifeHours } },
    });
    this.attribution.invalidate(accountId);
    const recomputed = await this.recompute(accountId, { revenue: next.revenueBasis !== current.revenueBasis, progress });
    return { settings: settingsView(next), recomputed };
  }

  /** Redoes every credit; with `revenue`, first recomputes each order's revenue (basis or rates changed). */
  async recompute(accountId: string, opts: { revenue?: boolean; progress?: (done: number, total: number) => void; pageSize?: number } = {}): Promise<RecomputeSummary> {
    return this.attribution.recompute(accountId, {
      progress: opts.progress,
      pageSize: opts.pageSize,
      beforePage: opts.revenue ? (trx, rows) => this.refreshRevenue(trx, accountId, rows) : undefined,
    });
  }

  private async refreshRevenue(trx: Transaction<DB>, accountId: string, rows: OrderRow[]): Promise<void> {
    const ctx = await this.attribution.context(trx, accountId);
    const bySource = new Map<string, OrderRow[]>();
    for (const r of rows) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
    for (const [source, list] of bySource) {
      const refunds = new Map<string, OrderRefund[]>();
      for (const f of await findRefundsOfOrders(trx, accountId, source, list.map((r) => r.external_id))) {
        refunds.set(f.order_external_id, [...(refunds.get(f.order_external_id) ?? []), refundOf(f)]);
      }
      for (const r of list) {
        let o = rowToOrder(r, []);
        for (const f of refunds.get(r.external_id) ?? []) o = applyRefund(o, f);
        const v = toAttributable(o, { basis: ctx.settings.revenueBasis, currency: ctx.currency, rates: ctx.rates });
        if (v.revenueMinor !== Number(r.revenue_minor) || v.currency !== r.revenue_currency) {
          r.revenue_minor = v.revenueMinor;
          r.revenue_currency = v.currency;
          r.refunded_minor = refundedMinor(o);
          await updateOrder(trx, r);
        }
      }
    }
  }
}

export function newOrderId(): string {
  return timeOrderedId('ord_');
}

/** Settings as the API shows them: the effective window of every kind per channel, in hours (null: no window). */
export function settingsView(s: AttributionSettings) {
  const windows = effectiveWindows(s);
  const windowsHours = Object.fromEntries(CHANNELS.map((channel) => {
    const kinds: Record<string, number | null> = {};
    for (const k of CHANNEL_WINDOW_KINDS[channel]) kinds[k] = null;
    for (const k of WINDOW_KINDS) {
      const ms = windows[channel][k];
      if (ms !== undefined) kinds[k] = ms / 3_600_000;
    }
    return [channel, kinds];
  }));
  return { model: s.model, fallbackModel: s.fallbackModel, models: [...ATTRIBUTION_MODELS], revenueBasis: s.revenueBasis, halfLifeHours: s.halfLifeHours, windowsHours };
}

function toApiOrder(r: OrderRow, credits: AttributionRow[], ctx: AccountContext) {
  return {
    id: r.id,
    externalId: r.external_id,
    source: r.source,
    name: r.name,
    orderedAt: iso(Number(r.ordered_at)),
    currency: r.currency,
    gross: Number(r.gross_minor),
    tax: Number(r.tax_minor),
    shipping: Number(r.shipping_minor),
    net: Number(r.net_minor),
    discount: Number(r.discount_minor),
    discountCodes: JSON.parse(r.discount_codes) as string[],
    landingSite: r.landing_site,
    utm: { source: r.utm_source, medium: r.utm_medium, campaign: r.utm_campaign, content: r.utm_content },
    clickId: r.click_id,
    itemQuantity: Number(r.item_quantity),
    cancelledAt: iso(r.cancelled_at === null ? null : Number(r.cancelled_at)),
    refunded: Number(r.refunded_minor),
    revenue: Number(r.revenue_minor),
    revenueCurrency: r.revenue_currency,
    /** False when no rate converts the order into the account's currency: its revenue is reported apart. */
    converted: r.revenue_currency === ctx.currency,
    /** Who bought, as the order named them (the dashboard's orders list). */
    customer: { externalId: r.customer_external_id, email: r.email, phone: r.phone },
    contactId: r.contact_id,
    matchedBy: r.matched_by,
    declaredSource: r.declared_source === null ? null : { text: r.declared_source, target: decodeTarget(r.declared_target) },
    attribution: {
      model: ctx.settings.model,
      direct: credits.length ? credits[0].direct === 1 : null,
      credits: credits.map((a) => ({
        campaignId: a.campaign_id, messageId: a.message_id, channel: a.channel, kind: a.kind, weight: a.weight_micro / 1_000_000,
        revenue: Number(a.revenue_minor), cohortDay: a.cohort_day,
      })),
    },
  };
}

/** The contact an order no contact matched makes: its keys (matchKeys, strongest first), the first address that gave one. */
function contactOfOrder(accountId: string, o: Order, keys: MatchKey[], now: number): ContactRow {
  const key = (kind: MatchKey['kind']) => keys.find((k) => k.kind === kind)?.value ?? null;
  const addressKey = key('address');
  const address = [o.customer.address, o.customer.shippingAddress].find((a) => a && addressKey !== null && normalizeAddress(a) === addressKey) ?? null;
  return {
    account_id: accountId,
    id: timeOrderedId('ct_', now),
    external_id: key('customer_id'),
    email: key('email'),
    phone: key('phone'),
    address: address ? JSON.stringify(address) : null,
    address_key: addressKey,
    first_name: null,
    last_name: null,
    opt_out_email: null, opt_out_sms: null, opt_out_whatsapp: null, opt_out_mail: null,
    created_at: now,
    updated_at: now,
  };
}

/** Where an erased buyer's identifier is listed (domain/erasure.ts `erasedSuppressions`), by the kind of order key. */
/** Where an identifier's hash is listed once its person is erased (also read by services/conversions.ts). */
export const ERASED_LIST: Record<MatchKey['kind'], (value: string) => { channel: Channel; identifier: string }> = {
  email: (v) => ({ channel: 'email', identifier: v }),
  phone: (v) => ({ channel: 'sms', identifier: v }),
  address: (v) => ({ channel: 'mail', identifier: v }),
  customer_id: (v) => ({ channel: 'email', identifier: `ext:${v}` }),
};

/** An erased buyer's order as stored: money, items, times and campaign signals, no customer field. */
function withoutCustomer(o: Order): Order {
  return { ...o, customer: { ...o.customer, customerId: null, email: null, phone: null, address: null, shippingAddress: null }, noteAttributes: {} as Order['noteAttributes'], declaredSource: null };
}
