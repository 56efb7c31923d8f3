// Reading order CSV rows (Shopify's order export, Billbee, any shop) into Mesure orders through a column mapping,
// with a precise reason for every rejected line. Streaming the file is the service's job; this is row by row.

import type { PostalAddress } from './contacts';
import { buildOrder, isCurrencyCode, parseMoney, type MoneyFormat, type Order } from './orders';
import { LINE_STRING_LIMITS, MAX_ORDER_LINES, type OrderLine } from './orderLines';

/** One mapped field: a column name, or several candidates (the first that has a value in the row is used). */
export type Columns = string | readonly string[];

export interface AddressColumns {
  name?: Columns;
  line1?: Columns;
  line2?: Columns;
  postalCode?: Columns;
  city?: Columns;
  country?: Columns;
}

export interface LineColumns {
  title: Columns;
  /** One unit's price. */
  price?: Columns;
  /** Every discount on the line (all its units). */
  discount?: Columns;
  sku?: Columns;
  productId?: Columns;
  variantId?: Columns;
  productType?: Columns;
  vendor?: Columns;
}

export interface OrderCsvMapping {
  /** Column whose value names the order on every row of it (Shopify writes one row per line item). */
  orderKey: Columns;
  /** The order's id; the same id imported twice is the same order (idempotence). */
  externalId: Columns;
  createdAt: Columns;
  currency?: Columns;
  /** Used when the file has no currency column or the cell is empty. */
  defaultCurrency?: string;
  /** Gross total paid, with tax and shipping. */
  total: Columns;
  tax?: Columns;
  shipping?: Columns;
  discountAmount?: Columns;
  /** Discount codes; several in one cell are separated by commas. */
  discountCode?: Columns;
  email?: Columns;
  phone?: Columns;
  customerId?: Columns;
  billing?: AddressColumns;
  shippingAddress?: AddressColumns;
  quantity?: Columns;
  refundedAmount?: Columns;
  cancelledAt?: Columns;
  landingSite?: Columns;
  /** "name: value" pairs, one per line (Shopify's "Note Attributes"). */
  noteAttributes?: Columns;
  /** What the buyer said brought them ("how did you hear about us"), as they wrote it. */
  declaredSource?: Columns;
  name?: Columns;
  /**
   * The line item a row carries (what was bought); its quantity is `quantity`. A row with a line title has a line;
   * rows of one order (Shopify's continuation rows, or consecutive rows with the same order id) add their lines.
   */
  line?: LineColumns;
  /**
   * Shopify puts the order's own fields on the first row only; the following rows of the same order carry just a
   * line item. With this on, a row whose total is empty is such a continuation row.
   */
  lineItemRows?: boolean;
  decimalSeparator?: MoneyFormat['decimalSeparator'];
  /** IANA zone for times written without an offset ("2025-03-10 09:15"). Default UTC. */
  timeZone?: string;
}

/**
 * Shopify's order export (Orders → Export): "Name" (#1001) on every row of an order, "Id" its numeric id, the order
 * fields on the first row only, times like "2024-05-01 10:00:00 +0000". "Id" is preferred to "Name" so that an
 * order imported by CSV and received by webhook is the same order.
 */
export const SHOPIFY_MAPPING: OrderCsvMapping = {
  orderKey: 'Name',
  externalId: ['Id', 'Name'],
  name: 'Name',
  createdAt: ['Created at', 'Paid at'],
  currency: 'Currency',
  total: 'Total',
  tax: 'Taxes',
  shipping: 'Shipping',
  discountAmount: 'Discount Amount',
  discountCode: 'Discount Code',
  email: 'Email',
  phone: ['Phone', 'Billing Phone', 'Shipping Phone'],
  billing: { name: 'Billing Name', line1: ['Billing Address1', 'Billing Street'], line2: 'Billing Address2', postalCode: 'Billing Zip', city: 'Billing City', country: 'Billing Country' },
  shippingAddress: { name: 'Shipping Name', line1: ['Shipping Address1', 'Shipping Street'], line2: 'Shipping Address2', postalCode: 'Shipping Zip', city: 'Shipping City', country: 'Shipping Country' },
  quantity: 'Lineitem quantity',
  refundedAmount: 'Refunded Amount',
  cancelledAt: 'Cancelled at',
  noteAttributes: 'Note Attributes',
  // The export has no product id nor type: a product is known by its SKU, else its name.
  line: { title: 'Lineitem name', price: 'Lineitem price', discount: 'Lineitem discount', sku: 'Lineitem sku', vendor: 'Vendor' },
  lineItemRows: true,
  decimalSeparator: '.',
};

/**
 * Billbee: its exports are configurable, so this mapping takes the names of Billbee's order fields (as its API
 * spells them) and their German labels; adjust it to the columns of your export.
 */
export const BILLBEE_MAPPING: OrderCsvMapping = {
  orderKey: ['OrderNumber', 'Bestellnummer'],
  externalId: ['OrderNumber', 'Bestellnummer'],
  name: ['OrderNumber', 'Bestellnummer'],
  createdAt: ['CreatedAt', 'OrderDate', 'Bestelldatum'],
  currency: ['Currency', 'Währung'],
  total: ['TotalCost', 'Gesamtbetrag', 'Summe'],
  tax: ['TaxAmount', 'MwSt', 'Steuer'],
  shipping: ['ShippingCost', 'Versandkosten'],
  email: ['Email', 'E-Mail'],
  phone: ['Phone', 'Telefon'],
  customerId: ['CustomerId', 'CustomerNumber', 'Kundennummer'],
  billing: {
    name: ['InvoiceName', 'Name'],
    line1: ['InvoiceStreet', 'Street', 'Straße'],
    postalCode: ['InvoiceZip', 'Zip', 'PLZ'],
    city: ['InvoiceCity', 'City', 'Ort'],
    country: ['InvoiceCountryISO2', 'CountryISO2', 'Land'],
  },
  quantity: ['Quantity', 'Menge', 'Anzahl'],
  refundedAmount: ['RefundedAmount', 'Erstattet'],
  cancelledAt: ['CancelledAt', 'Storniert am'],
  lineItemRows: false,
  decimalSeparator: '.',
};

/** A plain one-row-per-order file, for shops without a known export. */
export const GENERIC_MAPPING: OrderCsvMapping = {
  orderKey: 'order_id',
  externalId: 'order_id',
  name: 'order_name',
  createdAt: 'created_at',
  currency: 'currency',
  total: 'total',
  tax: 'tax',
  shipping: 'shipping',
  discountAmount: 'discount',
  discountCode: 'discount_codes',
  email: 'email',
  phone: 'phone',
  customerId: 'customer_id',
  billing: { name: 'name', line1: 'address1', line2: 'address2', postalCode: 'zip', city: 'city', country: 'country' },
  quantity: 'quantity',
  refundedAmount: 'refunded',
  cancelledAt: 'cancelled_at',
  landingSite: 'landing_site',
  declaredSource: 'declared_source',
  line: {
    title: 'product_title', price: 'unit_price', discount: 'line_discount', sku: 'sku', productId: 'product_id', variantId: 'variant_id',
    productType: 'product_type', vendor: 'vendor',
  },
  lineItemRows: false,
  decimalSeparator: '.',
};

const list = (c: Columns | undefined): readonly string[] => (c === undefined ? [] : typeof c === 'string' ? [c] : c);

/** The mapping whose signature columns the header has: Shopify, then Billbee, else generic. */
export function detectMapping(header: readonly string[]): OrderCsvMapping {
  const has = (c: string) => header.includes(c);
  if (has('Name') && (has('Lineitem quantity') || has('Financial Status'))) return SHOPIFY_MAPPING;
  if (list(BILLBEE_MAPPING.externalId).some(has)) return BILLBEE_MAPPING;
  return GENERIC_MAPPING;
}

/** Required fields none of whose columns is in the header: the file is refused before any row is read. */
export function missingColumns(header: readonly string[], mapping: OrderCsvMapping): string[] {
  const required: [string, Columns | undefined][] = [
    ['order id', mapping.externalId],
    ['order time', mapping.createdAt],
    ['total', mapping.total],
  ];
  if (mapping.defaultCurrency === undefined) required.push(['currency', mapping.currency]);
  return required.filter(([, cols]) => !list(cols).some((c) => header.includes(c))).map(([label, cols]) => `${label} (${list(cols).join(' or ') || 'unmapped'})`);
}

// ---------------------------------------------------------------------------------------------------------------
// Times

function zoneOffsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** A wall-clock time in `timeZone` to epoch ms (two passes, so times next to a DST change land right). */
function zonedToUtc(wallUtcMs: number, timeZone: string): number {
  const first = wallUtcMs - zoneOffsetMs(wallUtcMs, timeZone);
  return wallUtcMs - zoneOffsetMs(first, timeZone);
}

/**
 * Order times as exports write them: ISO 8601 or Shopify's "2024-05-01 10:00:00 +0000" (offset kept), or the
 * German "01.05.2024 10:00" (day first). Without an offset the time is read in `timeZone`. Slashed dates
 * ("05/01/2024") are refused: month and day order cannot be told apart. Null when unreadable or impossible.
 */
export function parseCsvTime(raw: string, timeZone = 'UTC'): number | null {
  const s = raw.trim();
  let y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, ms = 0;
  let offset: string | undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  const dmy = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (iso) {
    [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    if (iso[4] !== undefined) [h, mi, sec] = [Number(iso[4]), Number(iso[5]), Number(iso[6] ?? 0)];
    if (iso[7] !== undefined) ms = Number(iso[7].slice(0, 3).padEnd(3, '0'));
    offset = iso[8];
  } else if (dmy) {
    [d, mo, y] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
    if (dmy[4] !== undefined) [h, mi, sec] = [Number(dmy[4]), Number(dmy[5]), Number(dmy[6] ?? 0)];
  } else return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  const back = new Date(wall);
  // Date.UTC rolls 31 February over to March: refuse instead of guessing.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return null;
  if (offset === undefined) {
    try {
      return zonedToUtc(wall, timeZone);
    } catch {
      return null;
    }
  }
  if (/^z$/i.test(offset)) return wall;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
  const minutes = (Number(m[2]) * 60 + Number(m[3])) * (m[1] === '-' ? -1 : 1);
  return wall - minutes * 60_000;
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

export type CsvRow = Record<string, string | undefined>;

export type CsvRowResult =
  | { kind: 'ok'; line: number; orderKey: string; order: Order }
  /** A further line item of the order named `orderKey` (Shopify): adds its quantity (and its line) to that order. */
  | { kind: 'continuation'; line: number; orderKey: string; itemQuantity: number; item: LineCells | null }
  | { kind: 'rejected'; line: number; reason: string };

function cell(row: CsvRow, cols: Columns | undefined): { column: string; value: string } | null {
  for (const column of list(cols)) {
    const v = row[column]?.trim();
    if (v) return { column, value: v };
  }
  return null;
}

function parseQuantity(raw: string): number | null {
  return /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : null;
}

function parseNoteAttributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

function addressFrom(row: CsvRow, cols: AddressColumns | undefined): PostalAddress | null {
  if (!cols) return null;
  const a: PostalAddress = {
    name: cell(row, cols.name)?.value ?? null,
    line1: cell(row, cols.line1)?.value ?? null,
    line2: cell(row, cols.line2)?.value ?? null,
    postalCode: cell(row, cols.postalCode)?.value ?? null,
    city: cell(row, cols.city)?.value ?? null,
    country: cell(row, cols.country)?.value ?? null,
  };
  return Object.values(a).some((v) => v !== null) ? a : null;
}

/**
 * One CSV row (columns by header name) to an order, a continuation row, or a rejection naming the line and the
 * column at fault. `lineNumber` is the row's line in the file (the header is line 1), as the report shows it.
 */
export function mapCsvRow(row: CsvRow, mapping: OrderCsvMapping, lineNumber: number): CsvRowResult {
  const reject = (reason: string): CsvRowResult => ({ kind: 'rejected', line: lineNumber, reason });
  const format: MoneyFormat = { decimalSeparator: mapping.decimalSeparator ?? '.' };
  const orderKey = cell(row, mapping.orderKey)?.value ?? cell(row, mapping.externalId)?.value;
  if (orderKey === undefined) return reject(`missing order id (column ${list(mapping.orderKey).join(' or ')})`);

  const total = cell(row, mapping.total);
  if (total === null && mapping.lineItemRows) {
    const q = cell(row, mapping.quantity);
    const itemQuantity = q === null ? 0 : parseQuantity(q.value);
    if (itemQuantity === null) return reject(`invalid quantity "${q!.value}" in column ${q!.column}`);
    return { kind: 'continuation', line: lineNumber, orderKey, itemQuantity, item: lineCells(row, mapping, itemQuantity) };
  }
  if (total === null) return reject(`missing total (column ${list(mapping.total).join(' or ')})`);

  const externalId = cell(row, mapping.externalId)?.value ?? orderKey;
  const currencyCell = cell(row, mapping.currency);
  const currency = (currencyCell?.value ?? mapping.defaultCurrency ?? '').toUpperCase();
  if (currency === '') return reject(`missing currency (column ${list(mapping.currency).join(' or ') || 'unmapped'})`);
  if (!isCurrencyCode(currency)) return reject(`invalid currency "${currencyCell?.value}" in column ${currencyCell?.column}`);

  const money = (label: string, cols: Columns | undefined): number | string => {
    const c = cell(row, cols);
    if (c === null) return 0;
    const v = parseMoney(c.value, currency, format);
    if (v === null) return `invalid amount "${c.value}" in column ${c.column}`;
    if (v < 0) return `negative ${label} "${c.value}" in column ${c.column}`;
    return v;
  };
  const gross = money('total', mapping.total);
  const tax = money('tax', mapping.tax);
  const shipping = money('shipping', mapping.shipping);
  const discount = money('discount', mapping.discountAmount);
  const refunded = money('refunded amount', mapping.refundedAmount);
  for (const v of [gross, tax, shipping, discount, refunded]) if (typeof v === 'string') return reject(v);

  const created = cell(row, mapping.createdAt);
  if (created === null) return reject(`missing order time (column ${list(mapping.createdAt).join(' or ')})`);
  const at = parseCsvTime(created.value, mapping.timeZone);
  if (at === null) return reject(`unreadable time "${created.value}" in column ${created.column}`);
  const cancelledCell = cell(row, mapping.cancelledAt);
  const cancelledAt = cancelledCell === null ? null : parseCsvTime(cancelledCell.value, mapping.timeZone);
  if (cancelledCell !== null && cancelledAt === null) return reject(`unreadable time "${cancelledCell.value}" in column ${cancelledCell.column}`);
  const q = cell(row, mapping.quantity);
  const quantity = q === null ? 0 : parseQuantity(q.value);
  if (quantity === null) return reject(`invalid quantity "${q!.value}" in column ${q!.column}`);

  const cells = lineCells(row, mapping, quantity);
  const firstLine = cells === null ? null : toLine(cells, currency, format, 1);
  if (typeof firstLine === 'string') return reject(firstLine);
  const refundedMinor = refunded as number;
  const billing = addressFrom(row, mapping.billing);
  const shippingAddress = addressFrom(row, mapping.shippingAddress);
  const built = buildOrder({
    externalId,
    source: 'csv',
    name: cell(row, mapping.name)?.value ?? null,
    at,
    // A file is a snapshot: its version is the time it says the order last changed, else the order time.
    updatedAt: Math.max(at, cancelledAt ?? at),
    currency,
    grossMinor: gross as number,
    taxMinor: tax as number,
    shippingMinor: shipping as number,
    discountMinor: discount as number,
    discountCodes: (cell(row, mapping.discountCode)?.value ?? '').split(','),
    landingSite: cell(row, mapping.landingSite)?.value ?? null,
    noteAttributes: parseNoteAttributes(cell(row, mapping.noteAttributes)?.value ?? ''),
    declaredSource: cell(row, mapping.declaredSource)?.value ?? null,
    customer: {
      customerId: cell(row, mapping.customerId)?.value ?? null,
      email: cell(row, mapping.email)?.value ?? null,
      phone: cell(row, mapping.phone)?.value ?? null,
      address: billing ?? shippingAddress,
      shippingAddress,
    },
    itemQuantity: quantity,
    cancelledAt,
    // One refund per order with a fixed id, so importing the file again (or a later export) never adds it twice.
    refunds: refundedMinor > 0 ? [{ refundId: `csv:${externalId}`, at: cancelledAt ?? at, amountMinor: refundedMinor, netMinor: null }] : [],
    ...(firstLine ? { lines: [firstLine] } : {}),
  });
  if (!built.ok) return reject(built.reason);
  return { kind: 'ok', line: lineNumber, orderKey, order: built.order };
}

/** The cells of a row's line item, read as text (their currency is the order's, known on its first row). */
export interface LineCells {
  title: string;
  quantity: number;
  price: { column: string; value: string } | null;
  discount: { column: string; value: string } | null;
  sku: string | null;
  productId: string | null;
  variantId: string | null;
  productType: string | null;
  vendor: string | null;
}

function lineCells(row: CsvRow, mapping: OrderCsvMapping, quantity: number): LineCells | null {
  const m = mapping.line;
  const title = m ? cell(row, m.title) : null;
  if (!m || title === null) return null;
  const v = (c: Columns | undefined) => cell(row, c)?.value ?? null;
  return {
    title: title.value, quantity, price: cell(row, m.price), discount: cell(row, m.discount), sku: v(m.sku), productId: v(m.productId),
    variantId: v(m.variantId), productType: v(m.productType), vendor: v(m.vendor),
  };
}

/** A line item's cells in the order's currency; a text naming the cell at fault when an amount is unreadable. */
function toLine(c: LineCells, currency: string, format: MoneyFormat, lineNo: number): OrderLine | string {
  const amount = (x: { column: string; value: string } | null): number | string => {
    if (x === null) return 0;
    const v = parseMoney(x.value, currency, format);
    return v === null || v < 0 ? `invalid amount "${x.value}" in column ${x.column}` : v;
  };
  if (lineNo > MAX_ORDER_LINES) return `more than ${MAX_ORDER_LINES} lines in one order`;
  const L = LINE_STRING_LIMITS;
  for (const [label, v, max] of [['title', c.title, L.title], ['SKU', c.sku, L.sku], ['product id', c.productId, L.productId], ['variant id', c.variantId, L.variantId], ['product type', c.productType, L.productType], ['vendor', c.vendor, L.vendor]] as const) {
    if (v !== null && v.length > max) return `line ${lineNo} ${label} is ${v.length} characters long; at most ${max}`;
  }
  const price = amount(c.price);
  const discount = amount(c.discount);
  if (typeof price === 'string') return price;
  if (typeof discount === 'string') return discount;
  return {
    lineNo, lineId: null, productId: c.productId, variantId: c.variantId, sku: c.sku, title: c.title, productType: c.productType, vendor: c.vendor,
    quantity: c.quantity, unitPriceMinor: price, discountMinor: discount,
  };
}

export type CsvImportOutcome = { kind: 'order'; line: number; order: Order } | { kind: 'rejected'; line: number; reason: string };

/**
 * Gathers the rows of one order (Shopify's line-item rows follow their order row) while a file streams through:
 * `push` each row, then `end` once; each returns the outcomes that are complete. Holds one order at a time.
 */
export class CsvOrderAssembler {
  private current: { key: string; line: number; order: Order } | null = null;

  constructor(private readonly mapping: OrderCsvMapping) {}

  push(row: CsvRow, lineNumber: number): CsvImportOutcome[] {
    const r = mapCsvRow(row, this.mapping, lineNumber);
    if (r.kind === 'continuation') {
      if (this.current === null || this.current.key !== r.orderKey) {
        return [{ kind: 'rejected', line: r.line, reason: `line item of order ${r.orderKey} without its order line (total missing?)` }];
      }
      const order = this.current.order;
      const lines = order.lines ?? [];
      const line = r.item === null ? null : toLine(r.item, order.currency, { decimalSeparator: this.mapping.decimalSeparator ?? '.' }, lines.length + 1);
      if (typeof line === 'string') return [{ kind: 'rejected', line: r.line, reason: line }];
      this.current.order = { ...order, itemQuantity: order.itemQuantity + r.itemQuantity, ...(line ? { lines: [...lines, line] } : {}) };
      return [];
    }
    // A bad line is reported on its own; it does not close the order being gathered, whose next line items may follow.
    if (r.kind === 'rejected') return [r];
    // A further row of the order being gathered with a line of its own (a one-line-per-row file): the order's
    // fields are the first row's, and the line is added.
    if (this.current !== null && this.current.key === r.orderKey && r.order.lines?.length && this.current.order.lines?.length) {
      const order = this.current.order;
      const added = r.order.lines.map((l, i) => ({ ...l, lineNo: order.lines!.length + i + 1 }));
      this.current.order = { ...order, itemQuantity: order.itemQuantity + r.order.itemQuantity, lines: [...order.lines!, ...added] };
      return [];
    }
    const done = this.end();
    this.current = { key: r.orderKey, line: r.line, order: r.order };
    return done;
  }

  end(): CsvImportOutcome[] {
    const c = this.current;
    this.current = null;
    return c === null ? [] : [{ kind: 'order', line: c.line, order: c.order }];
  }
}
