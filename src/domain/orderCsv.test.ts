import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  BILLBEE_MAPPING,
  CsvOrderAssembler,
  detectMapping,
  GENERIC_MAPPING,
  mapCsvRow,
  missingColumns,
  parseCsvTime,
  SHOPIFY_MAPPING,
  type CsvImportOutcome,
  type OrderCsvMapping,
} from './orderCsv';
import { matchKeys, revenueOf } from './orders';

/** Shopify's order export header (Orders → Export → CSV for Excel, Numbers or other spreadsheet programs). */
const SHOPIFY_HEADER =
  'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,' +
  'Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,' +
  'Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,' +
  'Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,' +
  'Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,' +
  'Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,' +
  'Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Phone';

/** Builds a Shopify export line from the columns that matter; the others stay empty. */
function shopifyLine(values: Record<string, string>): string {
  return SHOPIFY_HEADER.split(',')
    .map((c) => {
      const v = values[c] ?? '';
      return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    })
    .join(',');
}

const FIRST_ROW = {
  Name: '#1001',
  Email: 'Ann@Example.com',
  'Financial Status': 'partially_refunded',
  'Paid at': '2025-03-10 09:16:00 +0100',
  Currency: 'EUR',
  Subtotal: '100.00',
  Shipping: '5.00',
  Taxes: '17.50',
  Total: '122.50',
  'Discount Code': 'spring10',
  'Discount Amount': '10.00',
  'Created at': '2025-03-10 09:15:00 +0100',
  'Lineitem quantity': '2',
  'Billing Name': 'Ann Example',
  'Billing Address1': '1 rue de Rivoli',
  'Billing City': 'Paris',
  'Billing Zip': '75001',
  'Billing Country': 'FR',
  'Billing Phone': '+33 6 12 34 56 78',
  'Note Attributes': 'gift_wrap: yes\nsource: newsletter',
  'Refunded Amount': '24.50',
  Id: '5940139491234',
};

function importCsv(text: string, mapping: OrderCsvMapping): CsvImportOutcome[] {
  const rows: Record<string, string>[] = parse(text, { columns: true, skip_empty_lines: true });
  const assembler = new CsvOrderAssembler(mapping);
  // Data rows start on line 2 (the header is line 1). Record number + 1 is the line number only while no record
  // holds a quoted line break; the service takes real line numbers from csv-parse (`info: true`).
  return [...rows.flatMap((row, i) => assembler.push(row, i + 2)), ...assembler.end()];
}

describe('Shopify order export', () => {
  const file = [
    SHOPIFY_HEADER,
    shopifyLine(FIRST_ROW),
    shopifyLine({ Name: '#1001', 'Lineitem quantity': '1', 'Lineitem name': 'Mug' }), // second line item: order fields empty
    shopifyLine({ ...FIRST_ROW, Name: '#1002', Id: '5940139491235', Total: '30.00', Taxes: '5.00', Shipping: '0.00', 'Refunded Amount': '0.00', 'Cancelled at': '2025-03-11 10:00:00 +0100', 'Lineitem quantity': '1' }),
  ].join('\n');

  it('reads one order from its rows, adding the line items', () => {
    const out = importCsv(file, SHOPIFY_MAPPING);
    expect(out.map((o) => o.kind)).toEqual(['order', 'order']);
    const first = out[0];
    if (first.kind !== 'order') throw new Error('not an order');
    const o = first.order;
    expect(first.line).toBe(2);
    expect(o.externalId).toBe('5940139491234'); // the numeric id, as webhooks name the same order
    expect(o.name).toBe('#1001');
    expect(o.at).toBe(Date.UTC(2025, 2, 10, 8, 15, 0)); // 09:15 at +01:00
    expect(o.itemQuantity).toBe(3); // 2 on the order row + 1 on the line-item row
    expect([o.grossMinor, o.taxMinor, o.shippingMinor, o.discountMinor]).toEqual([12250, 1750, 500, 1000]);
    expect(o.netMinor).toBe(10000); // 122.50 − 17.50 − 5.00
    expect(o.discountCodes).toEqual(['SPRING10']);
    expect(o.noteAttributes).toEqual({ gift_wrap: 'yes', source: 'newsletter' });
    expect(matchKeys(o).map((k) => k.kind)).toEqual(['email', 'phone', 'address']);
    // Refunded 24.50 with no split: net part 24.50 × 10000 / 12250 = 20.00 → net revenue 100.00 − 20.00 = 80.00
    expect(revenueOf(o, 'net')).toBe(8000);
    expect(revenueOf(o, 'gross')).toBe(9800); // 122.50 − 24.50
  });
  it('reads a cancelled order', () => {
    const second = importCsv(file, SHOPIFY_MAPPING)[1];
    if (second.kind !== 'order') throw new Error('not an order');
    expect(second.order.cancelledAt).toBe(Date.UTC(2025, 2, 11, 9, 0, 0));
    expect(revenueOf(second.order, 'net')).toBe(0);
  });
  it('gives the same orders when the same file is imported twice (same ids, same content)', () =>
    expect(importCsv(file, SHOPIFY_MAPPING)).toEqual(importCsv(file, SHOPIFY_MAPPING)));
  it('is recognized from its header', () => {
    expect(detectMapping(SHOPIFY_HEADER.split(','))).toBe(SHOPIFY_MAPPING);
    expect(missingColumns(SHOPIFY_HEADER.split(','), SHOPIFY_MAPPING)).toEqual([]);
  });
});

describe('bad lines', () => {
  const ROW = { ...FIRST_ROW, 'Note Attributes': 'gift_wrap: yes' }; // one physical line per record
  const file = [
    SHOPIFY_HEADER,
    shopifyLine({ ...ROW, Name: '#2001', Id: '', Total: '12,34.50' }), // line 2
    shopifyLine({ ...ROW, Name: '#2002', Id: '', Currency: '' }), // line 3
    shopifyLine({ ...ROW, Name: '#2003', Id: '', 'Created at': '03/10/2025 09:15' }), // line 4
    shopifyLine({ ...ROW, Name: '#2004', Id: '', 'Lineitem quantity': 'two' }), // line 5
    shopifyLine({ Name: '#2005', 'Lineitem quantity': '1' }), // line 6: line item without its order row
    shopifyLine({ ...ROW, Name: '#2006', Id: '', Taxes: '-1.00' }), // line 7
    shopifyLine({ ...ROW, Name: '', Id: '' }), // line 8
    shopifyLine({ ...ROW, Name: '#2008', Id: '', Currency: 'EURO' }), // line 9
    shopifyLine({ ...ROW, Name: '#2009', Id: '', 'Created at': '2025-02-30 10:00:00 +0000' }), // line 10
    shopifyLine({ ...ROW, Name: '#2010', Id: '' }), // line 11: good
    shopifyLine({ Name: '#2010', 'Lineitem quantity': '-1' }), // line 12: bad line item of a good order
    shopifyLine({ Name: '#2010', 'Lineitem quantity': '4' }), // line 13
  ].join('\n');

  it('reports each rejected line with its number and a precise reason, and keeps the good orders', () => {
    const out = importCsv(file, SHOPIFY_MAPPING);
    expect(out.filter((o) => o.kind === 'rejected')).toEqual([
      { kind: 'rejected', line: 2, reason: 'invalid amount "12,34.50" in column Total' },
      { kind: 'rejected', line: 3, reason: 'missing currency (column Currency)' },
      { kind: 'rejected', line: 4, reason: 'unreadable time "03/10/2025 09:15" in column Created at' },
      { kind: 'rejected', line: 5, reason: 'invalid quantity "two" in column Lineitem quantity' },
      { kind: 'rejected', line: 6, reason: 'line item of order #2005 without its order line (total missing?)' },
      { kind: 'rejected', line: 7, reason: 'negative tax "-1.00" in column Taxes' },
      { kind: 'rejected', line: 8, reason: 'missing order id (column Name)' },
      { kind: 'rejected', line: 9, reason: 'invalid currency "EURO" in column Currency' },
      { kind: 'rejected', line: 10, reason: 'unreadable time "2025-02-30 10:00:00 +0000" in column Created at' },
      { kind: 'rejected', line: 12, reason: 'invalid quantity "-1" in column Lineitem quantity' },
    ]);
    const orders = out.filter((o) => o.kind === 'order');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ line: 11, order: { externalId: '#2010', itemQuantity: 2 + 4 } });
  });
});

describe('generic and Billbee files', () => {
  it('reads a one-row-per-order file with a landing site, in the account time zone', () => {
    const r = mapCsvRow(
      {
        order_id: 'A-17',
        created_at: '2025-07-01 14:00',
        currency: 'jpy',
        total: '5500',
        tax: '500',
        shipping: '0',
        email: 'ken@example.jp',
        quantity: '1',
        landing_site: '/?utm_campaign=summer&mesure_cid=AbCdEfGhIjKlMnOp',
      },
      { ...GENERIC_MAPPING, timeZone: 'Asia/Tokyo' },
      2,
    );
    expect(r).toMatchObject({
      kind: 'ok',
      order: { externalId: 'A-17', currency: 'JPY', at: Date.UTC(2025, 6, 1, 5, 0), grossMinor: 5500, netMinor: 5000, landing: { utmCampaign: 'summer', clickId: 'AbCdEfGhIjKlMnOp' } },
    });
  });
  it('rejects a generic row without a total (no line-item rows there)', () =>
    expect(mapCsvRow({ order_id: 'A-18', created_at: '2025-07-01', currency: 'EUR' }, GENERIC_MAPPING, 3)).toEqual({
      kind: 'rejected',
      line: 3,
      reason: 'missing total (column total)',
    }));
  it('reads German column names and dates with the Billbee mapping and a decimal comma', () => {
    const header = ['Bestellnummer', 'Bestelldatum', 'Währung', 'Gesamtbetrag', 'MwSt', 'Versandkosten', 'E-Mail'];
    expect(detectMapping(header)).toBe(BILLBEE_MAPPING);
    const r = mapCsvRow(
      { Bestellnummer: 'BB-1', Bestelldatum: '10.03.2025 09:15', Währung: 'EUR', Gesamtbetrag: '1.190,00', MwSt: '190,00', Versandkosten: '0,00', 'E-Mail': 'k@example.de' },
      { ...BILLBEE_MAPPING, decimalSeparator: ',', timeZone: 'Europe/Berlin' },
      2,
    );
    // 09:15 in Berlin in March (CET, +01:00) = 08:15 UTC; 1190.00 − 190.00 − 0 = 1000.00 net
    expect(r).toMatchObject({ kind: 'ok', order: { externalId: 'BB-1', at: Date.UTC(2025, 2, 10, 8, 15), grossMinor: 119000, netMinor: 100000 } });
  });
  it('names missing required columns', () =>
    expect(missingColumns(['order_id', 'total'], GENERIC_MAPPING)).toEqual(['order time (created_at)', 'currency (currency)']));
});

describe('parseCsvTime', () => {
  it('keeps explicit offsets', () => {
    expect(parseCsvTime('2024-05-01 10:00:00 +0000')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseCsvTime('2024-05-01T10:00:00-04:00')).toBe(Date.UTC(2024, 4, 1, 14));
    expect(parseCsvTime('2024-05-01T10:00:00.250Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 250));
  });
  it('reads times without offset in the given zone, across daylight saving', () => {
    expect(parseCsvTime('2025-01-10 10:00', 'Europe/Paris')).toBe(Date.UTC(2025, 0, 10, 9)); // CET +1
    expect(parseCsvTime('2025-07-10 10:00', 'Europe/Paris')).toBe(Date.UTC(2025, 6, 10, 8)); // CEST +2
    // 30 March 2025: clocks go from 02:00 to 03:00; 03:30 is CEST → 01:30 UTC
    expect(parseCsvTime('2025-03-30 03:30', 'Europe/Paris')).toBe(Date.UTC(2025, 2, 30, 1, 30));
    expect(parseCsvTime('2025-03-10')).toBe(Date.UTC(2025, 2, 10));
  });
  it('refuses ambiguous or impossible dates and unknown zones', () => {
    expect(parseCsvTime('05/01/2024')).toBeNull();
    expect(parseCsvTime('31.02.2025')).toBeNull();
    expect(parseCsvTime('2025-03-10 25:00')).toBeNull();
    expect(parseCsvTime('2025-03-10 10:00', 'Mars/Olympus')).toBeNull();
    expect(parseCsvTime('yesterday')).toBeNull();
  });
});

describe('order lines in CSV files', () => {
  it("reads Shopify's line-item rows as the order's lines (price, discount, SKU, vendor)", () => {
    const file = [
      SHOPIFY_HEADER + ',Vendor',
      `${shopifyLine({ ...FIRST_ROW, 'Lineitem name': 'Tee - Navy / M', 'Lineitem price': '25.00', 'Lineitem discount': '5.00', 'Lineitem sku': 'TEE-M' })},Atelier`,
      `${shopifyLine({ Name: '#1001', 'Lineitem quantity': '1', 'Lineitem name': 'Mug', 'Lineitem price': '20.00', 'Lineitem sku': 'MUG' })},Atelier`,
    ].join('\n');
    const [out] = importCsv(file, SHOPIFY_MAPPING);
    if (out.kind !== 'order') throw new Error(JSON.stringify(out));
    expect(out.order.itemQuantity).toBe(3);
    expect(out.order.lines).toEqual([
      { lineNo: 1, lineId: null, productId: null, variantId: null, sku: 'TEE-M', title: 'Tee - Navy / M', productType: null, vendor: 'Atelier', quantity: 2, unitPriceMinor: 2500, discountMinor: 500 },
      { lineNo: 2, lineId: null, productId: null, variantId: null, sku: 'MUG', title: 'Mug', productType: null, vendor: 'Atelier', quantity: 1, unitPriceMinor: 2000, discountMinor: 0 },
    ]);
  });

  it('gathers consecutive generic rows of one order, a line each, and names an unreadable line price', () => {
    const file = [
      'order_id,created_at,currency,total,product_title,product_type,quantity,unit_price,line_discount',
      'G-1,2026-11-20T10:00:00Z,EUR,30.00,Bougie,Home,2,10.00,',
      'G-1,2026-11-20T10:00:00Z,EUR,30.00,Savon,Bath,1,12.00,2.00',
      'G-2,2026-11-20T11:00:00Z,EUR,5.00,Vase,Home,1,"5,00",',
    ].join('\n');
    const out = importCsv(file, GENERIC_MAPPING);
    expect(out.map((o) => o.kind)).toEqual(['rejected', 'order']);
    expect(out[0]).toEqual({ kind: 'rejected', line: 4, reason: 'invalid amount "5,00" in column unit_price' });
    out.shift();
    if (out[0].kind !== 'order') throw new Error('not an order');
    // The first row's fields; quantities 2 + 1; lines in row order.
    expect(out[0].order.itemQuantity).toBe(3);
    expect(out[0].order.grossMinor).toBe(3000);
    expect(out[0].order.lines?.map((l) => [l.lineNo, l.title, l.productType, l.quantity, l.unitPriceMinor, l.discountMinor])).toEqual([
      [1, 'Bougie', 'Home', 2, 1000, 0],
      [2, 'Savon', 'Bath', 1, 1200, 200],
    ]);
  });
});
