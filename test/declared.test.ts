// Declared source ("how did you hear about us", issue #24 part 5) through a listening `mesure serve` (request log on),
// on SQLite and PostgreSQL: answers arrive as a Shopify note attribute (a signed orders/create, framed as Shopify sends
// it), an order CSV column named by the import's mapping, and the API's `declaredSource`; the owner's rules (with
// accents and case) are previewed, stored and re-map the stored answers; declared vs attributed per channel is checked
// against figures computed by hand; erasing the buyer empties the text; no answer ever reaches the server's output.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngineConcurrently } from './support';
import { deliver, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { accountWithCli, send, shopifySignature } from './blackbox/harness';

const SHOPIFY_SECRET = 'shpss_declared_0123456789';
const S1_TEXT = '  Une LETTRE reçue  ';
const PERIOD = 'from=2025-03-01&to=2025-03-31';

interface Channel { channel: string; declaredOrders: number; declaredRevenue: number; attributedOrders: number; attributedRevenue: number; overlapOrders: number }
interface Report { orders: number; answered: number; groupedBy: string; channels: Channel[]; other: { orders: number; revenue: number }; unmapped: { orders: number; top: { text: string; orders: number }[] } }

forEachEngineConcurrently('declared sources through a listening server', (engine) => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let accountId = '';
  let key = '';
  let mailCampaign = '';
  let emailCampaign = '';

  const call = async (method: string, path: string, json?: unknown) => {
    const r = await send(server.url, method, path, { key, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  const shopifyOrder = async (eventId: string, edit: (o: Record<string, unknown>) => void) => {
    const o = JSON.parse(readFileSync('src/providers/shopify/fixtures/orders-create.json', 'utf8')) as Record<string, unknown>;
    edit(o);
    const body = JSON.stringify(o);
    const r = await deliver(server.url, `/webhooks/shopify/${accountId}`, body, {
      'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-event-id': eventId, 'x-shopify-webhook-id': `w-${eventId}`,
      'x-shopify-hmac-sha256': shopifySignature(body, SHOPIFY_SECRET), 'x-shopify-shop-domain': 'declared-shop.myshopify.com', 'x-shopify-api-version': '2025-01',
    });
    expect(r.status, r.body).toBe(200);
  };
  const orders = async () => {
    const items = (await call('GET', '/v1/orders?from=2025-03-01&to=2025-03-31&limit=100')).items as { externalId: string; declaredSource: unknown }[];
    return Object.fromEntries(items.map((o) => [o.externalId, o.declaredSource]));
  };
  const report = (): Promise<Report> => call('GET', `/v1/attribution/declared?${PERIOD}`);
  const channel = (r: Report, c: string) => r.channels.find((x) => x.channel === c);

  const rules = () => [
    { match: 'contains', pattern: 'Lettre', target: { channel: 'mail' } },
    { match: 'equals', pattern: 'E-MAIL', target: { channel: 'email' } },
    { match: 'contains', pattern: 'soldes d’ete', target: { campaignId: emailCampaign } },
    { match: 'contains', pattern: 'AMÍ', target: 'other' },
  ];

  beforeAll(async () => {
    const db = databaseEnv(engine);
    drop = db.drop;
    ({ accountId, key } = await accountWithCli(db.env, 'Declared shop'));
    server = await startServerProcess({ ...db.env, MESURE_LOG: '1' });
    await call('PUT', '/v1/shopify/secret', { secret: SHOPIFY_SECRET });
    mailCampaign = (await call('POST', '/v1/campaigns', { name: 'Catalogue papier', channel: 'mail', sendAt: '2025-02-01T09:00:00Z' })).id;
    emailCampaign = (await call('POST', '/v1/campaigns', { name: 'Newsletter mars', channel: 'email', sendAt: '2025-02-01T09:00:00Z' })).id;
    // Discount codes credit the orders that use them to a campaign: a direct touch with the whole order.
    await call('PUT', `/v1/campaigns/${mailCampaign}/discount-codes`, { codes: ['SPRING10', 'LETTRE10'] });
    await call('PUT', `/v1/campaigns/${emailCampaign}/discount-codes`, { codes: ['MAIL5'] });

    // S1: the fixture (net 52.50, code SPRING10) with the survey's answer among its note attributes.
    await shopifyOrder('e-s1', (o) => {
      o.note_attributes = [{ name: 'gift_wrap', value: 'yes' }, { name: 'How_Did_You_Hear', value: S1_TEXT }];
    });
    // S2: another order with Shopify's source_name and landing_site but no survey answer: nothing is declared.
    await shopifyOrder('e-s2', (o) => {
      o.id = 820982911946154999;
      o.admin_graphql_api_id = 'gid://shopify/Order/820982911946154999';
      o.name = '#9998';
      o.discount_codes = [];
      o.source_name = 'instagram';
    });
    const api = (id: string, at: string, total: number, extra: Record<string, unknown>) => ({ id, createdAt: at, currency: 'EUR', total, tax: 0, ...extra });
    await call('POST', '/v1/orders', {
      orders: [
        api('A1', '2025-03-11T10:00:00Z', 10000, { declaredSource: 'E-mail', discountCodes: ['MAIL5'] }),
        api('A2', '2025-03-12T10:00:00Z', 8000, { declaredSource: 'lettre de la boutique', discountCodes: ['MAIL5'] }),
        api('A3', '2025-03-13T10:00:00Z', 6000, { declaredSource: 'Les SOLDES d’ÉTÉ' }),
        api('A4', '2025-03-14T10:00:00Z', 3000, { declaredSource: 'Google' }),
        api('A5', '2025-03-15T10:00:00Z', 7000, { discountCodes: ['LETTRE10'] }),
        // Outside the period (April): stored and mapped, never in March's figures.
        api('A6', '2025-04-02T10:00:00Z', 9000, { declaredSource: 'Lettre', discountCodes: ['LETTRE10'] }),
      ],
    });
    const csv = [
      'order_id,created_at,currency,total,Comment nous avez-vous connu ?',
      'C1,2025-03-16T10:00:00Z,EUR,20.00,GOOGLE ',
      'C2,2025-03-17T10:00:00Z,EUR,15.00,"Une  amie\nau travail"',
    ].join('\n');
    const columns = encodeURIComponent(JSON.stringify({ declaredSource: 'Comment nous avez-vous connu ?' }));
    const imported = await send(server.url, 'POST', `/v1/orders/import?mapping=generic&columns=${columns}`, { key, body: csv, contentType: 'text/csv' });
    expect(imported.status, imported.text).toBe(200);
    expect(imported.json).toMatchObject({ orders: 2, created: 2, rejected: 0 });
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it('stores the answer from a Shopify note attribute, a CSV column and the API, trimmed, and nothing from source_name', async () => {
    const o = await orders();
    expect(o['820982911946154508']).toEqual({ text: 'Une LETTRE reçue', target: null });
    expect(o['820982911946154999']).toBeNull();
    expect(o.A1).toEqual({ text: 'E-mail', target: null });
    expect(o.A5).toBeNull();
    expect(o.C1).toEqual({ text: 'GOOGLE', target: null });
    expect(o.C2).toEqual({ text: 'Une amie au travail', target: null });
    const rulesNow = await call('GET', '/v1/attribution/declared-rules');
    // 8 answers: S1, A1, A2, A3, A4, A6, C1, C2; no rule yet.
    expect(rulesNow).toEqual({ attributes: ['how_did_you_hear', 'hdyhau', 'how_did_you_hear_about_us'], rules: [], answers: 8, unmapped: 8 });
  });

  it('previews rules without storing them, refuses a campaign of no account and a malformed rule', async () => {
    const preview = await call('PUT', '/v1/attribution/declared-rules?dryRun=true', { rules: rules() });
    // "Lettre": S1, A2, A6 = 3; "E-MAIL" equals: A1 = 1; "soldes d’ete": A3 = 1; "AMÍ": C2 = 1; unmapped: A4, C1 = 2.
    expect(preview.rules.map((r: { matches: number }) => r.matches)).toEqual([3, 1, 1, 1]);
    expect(preview).toMatchObject({ answers: 8, unmapped: 2, remapped: null });
    expect((await call('GET', '/v1/attribution/declared-rules')).rules).toEqual([]);
    expect((await orders()).A1).toEqual({ text: 'E-mail', target: null });

    const unknown = await send(server.url, 'PUT', '/v1/attribution/declared-rules', { key, json: { rules: [{ match: 'equals', pattern: 'x', target: { campaignId: 'cmp_nope' } }] } });
    expect(unknown.status).toBe(422);
    expect(unknown.json.details[0]).toMatchObject({ path: '/rules/0/target/campaignId' });
    const bad = await send(server.url, 'PUT', '/v1/attribution/declared-rules', { key, json: { rules: [{ match: 'regex', pattern: 'x', target: 'other' }] } });
    expect(bad.status).toBe(400);
    expect((await call('GET', '/v1/attribution/declared-rules')).rules).toEqual([]);
  });

  it('stores the rules and re-maps every stored answer', async () => {
    const put = await call('PUT', '/v1/attribution/declared-rules', { rules: rules() });
    // 8 answers in one page; all but A4 and C1 (Google) change target: 6.
    expect(put.remapped).toEqual({ answers: 8, changed: 6, pages: 1 });
    expect(put.rules.map((r: { matches: number }) => r.matches)).toEqual([3, 1, 1, 1]);
    const o = await orders();
    expect(o['820982911946154508']).toEqual({ text: 'Une LETTRE reçue', target: { channel: 'mail' } });
    expect(o.A3).toEqual({ text: 'Les SOLDES d’ÉTÉ', target: { campaignId: emailCampaign } });
    expect(o.C2).toEqual({ text: 'Une amie au travail', target: 'other' });
    expect(o.A4).toEqual({ text: 'Google', target: null });
    // An order arriving after the rules is mapped as it is stored.
    await call('POST', '/v1/orders', { orders: [{ id: 'A7', createdAt: '2025-04-03T10:00:00Z', currency: 'EUR', total: 100, declaredSource: 'e-mail' }] });
    expect((await call('GET', '/v1/orders?from=2025-04-03&to=2025-04-03')).items[0].declaredSource).toEqual({ text: 'e-mail', target: { channel: 'email' } });
  });

  it('compares declared with attributed per channel (computed by hand)', async () => {
    const r = await report();
    // March: S1, S2, A1–A5, C1, C2 = 9 orders; answered: S1, A1, A2, A3, A4, C1, C2 = 7.
    expect(r).toMatchObject({ orders: 9, answered: 7, groupedBy: 'order_time' });
    // mail declared: S1 (net 69.00 − 11.50 − 5.00 = 52.50) + A2 (80.00) = 2 orders, 13250.
    // mail attributed (codes SPRING10, LETTRE10): S1 5250 + A5 7000 = 2 orders, 12250; overlap: S1.
    expect(channel(r, 'mail')).toEqual({ channel: 'mail', declaredOrders: 2, declaredRevenue: 13250, attributedOrders: 2, attributedRevenue: 12250, overlapOrders: 1 });
    // email declared: A1 (100.00) + A3 through the email campaign (60.00) = 2, 16000.
    // email attributed (MAIL5): A1 10000 + A2 8000 = 2, 18000; overlap: A1.
    expect(channel(r, 'email')).toEqual({ channel: 'email', declaredOrders: 2, declaredRevenue: 16000, attributedOrders: 2, attributedRevenue: 18000, overlapOrders: 1 });
    expect(channel(r, 'sms')).toEqual({ channel: 'sms', declaredOrders: 0, declaredRevenue: 0, attributedOrders: 0, attributedRevenue: 0, overlapOrders: 0 });
    // other: C2 (15.00); unmapped: A4 "Google" (14 March) and C1 "GOOGLE" (16 March), one text, first spelling.
    expect(r.other).toEqual({ orders: 1, revenue: 1500 });
    expect(r.unmapped).toEqual({ orders: 2, top: [{ text: 'Google', orders: 2 }] });
    const badPeriod = await send(server.url, 'GET', '/v1/attribution/declared?from=2025-04-01&to=2025-03-01', { key });
    expect(badPeriod.status).toBe(400);
  });

  it('erasing the buyer empties the text; no answer reaches the server output', async () => {
    const erased = await send(server.url, 'POST', '/v1/contacts/erase', { key, json: { email: 'jon@example.com' } });
    expect(erased.status, erased.text).toBe(200);
    const o = await orders();
    expect(o['820982911946154508']).toBeNull();
    // 9 answers (8 + A7) less S1's.
    expect(await call('GET', '/v1/attribution/declared-rules')).toMatchObject({ answers: 8, unmapped: 2 });
    const r = await report();
    // mail declared now A2 only (8000); attributed unchanged (erasure keeps the credit).
    expect(channel(r, 'mail')).toEqual({ channel: 'mail', declaredOrders: 1, declaredRevenue: 8000, attributedOrders: 2, attributedRevenue: 12250, overlapOrders: 0 });
    expect(r.answered).toBe(6);
    const output = server.stdout() + server.stderr();
    for (const t of ['LETTRE reçue', 'SOLDES', 'amie', 'GOOGLE', 'Lettre du facteur']) expect(output).not.toContain(t);
  });

  it("reads the note attribute the account names, and no longer the default ones", async () => {
    const put = await call('PUT', '/v1/attribution/declared-rules', { attributes: ['Comment nous avez-vous connu'], rules: rules() });
    expect(put.attributes).toEqual(['Comment nous avez-vous connu']);
    const april = (id: string, notes: { name: string; value: string }[]) => (o: Record<string, unknown>) => {
      o.id = Number(id);
      o.admin_graphql_api_id = `gid://shopify/Order/${id}`;
      o.created_at = '2025-04-05T10:00:00+02:00';
      o.updated_at = '2025-04-05T10:00:00+02:00';
      o.note_attributes = notes;
      // Another buyer: the fixture's Jon is erased above, and an erased buyer's later orders keep no customer text.
      o.email = 'ana@shop.test';
      o.contact_email = 'ana@shop.test';
      o.phone = null;
      o.customer = null;
      o.billing_address = null;
      o.shipping_address = null;
    };
    await shopifyOrder('e-s3', april('7001', [{ name: 'comment nous avez-vous connu', value: 'Lettre du facteur' }]));
    await shopifyOrder('e-s4', april('7002', [{ name: 'how_did_you_hear', value: 'Lettre' }]));
    const items = (await call('GET', '/v1/orders?from=2025-04-05&to=2025-04-05')).items as { externalId: string; declaredSource: unknown }[];
    const by = Object.fromEntries(items.map((o) => [o.externalId, o.declaredSource]));
    // Names compared without case; the answer is mapped by the stored rules as it is stored.
    expect(by['7001']).toEqual({ text: 'Lettre du facteur', target: { channel: 'mail' } });
    expect(by['7002']).toBeNull();
  });
});
