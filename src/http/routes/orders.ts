// Orders and attribution routes: Shopify webhooks, the orders batch and CSV import, the orders list, attribution
// settings and the "compare models" view, discount codes and currency rates. Validate → authorize → service → respond.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendError, sendOutcome, type Detail } from '../errors';
import { isoDate, isoTime, money } from '../schemas';
import { csvImportBody } from '../csv';
import { buildOrder, type Order, type OrderRefund, type OrderSource } from '../../domain/orders';
import type { OrderLine } from '../../domain/orderLines';
import { ATTRIBUTION_MODELS, WINDOW_KINDS } from '../../domain/attribution';
import { CHANNELS } from '../../domain/types';
import { addDays } from '../../domain/kpis';
import { todayIn, zonedDayStart } from '../../services/campaigns';
import type { Orders, RefundInput, CsvImportOptions } from '../../services/orders';
import type { DataDriven } from '../../services/dataDriven';
import { schemaRef } from '../responses';

declare module '../app' {
  interface Deps {
    orders: Orders;
    dataDriven: DataDriven;
  }
}

const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const address = {
  type: 'object',
  additionalProperties: false,
  properties: { name: text(200), line1: text(300), line2: text(300), postalCode: text(20), city: text(100), country: text(60) },
} as const;

/** A line returned by a refund: `lineId` is the line's `id`, or its number ("2") when the lines were sent without ids. */
const refundLine = {
  type: 'object',
  additionalProperties: false,
  required: ['lineId', 'amount'],
  properties: { lineId: { type: 'string', minLength: 1, maxLength: 200 }, quantity: { type: 'integer', minimum: 0, maximum: 1_000_000 }, amount: money },
} as const;

const refundInOrder = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'at', 'amount'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 }, at: isoTime, amount: money, net: { anyOf: [money, { type: 'null' }] },
    lines: { type: 'array', maxItems: 500, items: refundLine },
  },
} as const;

/** What was bought: `price` is one unit's price and `discount` every discount on the line, in minor units. */
const orderLine = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'quantity', 'price'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 }, productId: text(200), variantId: text(200), sku: text(200),
    title: { type: 'string', minLength: 1, maxLength: 500 }, productType: text(200), vendor: text(200),
    quantity: { type: 'integer', minimum: 0, maximum: 1_000_000 }, price: money, discount: money,
  },
} as const;

const orderSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'createdAt', 'currency', 'total'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    source: { type: 'string', enum: ['api', 'shopify', 'csv'] },
    name: text(200),
    createdAt: isoTime,
    updatedAt: isoTime,
    currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
    total: money,
    tax: money,
    shipping: money,
    discount: money,
    discountCodes: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100 } },
    landingSite: text(4000),
    noteAttributes: { type: 'object', maxProperties: 100, propertyNames: { maxLength: 200 }, additionalProperties: text(2000) },
    declaredSource: { anyOf: [text(200), { type: 'null' }] },
    customer: {
      type: 'object',
      additionalProperties: false,
      properties: { id: text(200), email: text(320), phone: text(40), address, shippingAddress: address },
    },
    itemQuantity: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    cancelledAt: { anyOf: [isoTime, { type: 'null' }] },
    refunds: { type: 'array', maxItems: 100, items: refundInOrder },
    lines: { type: 'array', maxItems: 500, items: orderLine },
  },
} as const;

const refundSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'orderId', 'at', 'amount'],
  properties: { ...refundInOrder.properties, orderId: { type: 'string', minLength: 1, maxLength: 200 }, source: { type: 'string', enum: ['api', 'shopify', 'csv'] } },
} as const;

const ordersBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orders: { type: 'array', maxItems: 10_000, items: orderSchema },
    refunds: { type: 'array', maxItems: 10_000, items: refundSchema },
  },
} as const;

const windowKinds = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(WINDOW_KINDS.map((k) => [k, { anyOf: [{ type: 'number', minimum: 0, maximum: 8760 }, { type: 'null' }] }])),
} as const;

const settingsBodySchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    model: { type: 'string', enum: [...ATTRIBUTION_MODELS] },
    revenueBasis: { type: 'string', enum: ['net', 'gross'] },
    halfLifeHours: { type: 'number', exclusiveMinimum: 0, maximum: 8760 },
    windowsHours: { type: 'object', additionalProperties: false, properties: Object.fromEntries(CHANNELS.map((c) => [c, windowKinds])) },
  },
} as const;

const ratesBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rates'],
  properties: {
    rates: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to', 'rate', 'validFrom'],
        properties: {
          from: { type: 'string', pattern: '^[A-Za-z]{3}$' },
          to: { type: 'string', pattern: '^[A-Za-z]{3}$' },
          rate: { type: 'string', pattern: '^[0-9]{1,12}(\\.[0-9]{1,12})?$' },
          validFrom: isoDate,
        },
      },
    },
  },
} as const;

const periodQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { from: isoDate, to: isoDate },
} as const;

type ApiAddress = { name?: string; line1?: string; line2?: string; postalCode?: string; city?: string; country?: string };
type ApiOrder = {
  id: string; source?: OrderSource; name?: string; createdAt: string; updatedAt?: string; currency: string; total: number; tax?: number;
  shipping?: number; discount?: number; discountCodes?: string[]; landingSite?: string; noteAttributes?: Record<string, string>;
  declaredSource?: string | null; customer?: { id?: string; email?: string; phone?: string; address?: ApiAddress; shippingAddress?: ApiAddress };
  itemQuantity?: number; cancelledAt?: string | null; refunds?: ApiRefundInOrder[]; lines?: ApiLine[];
};
type ApiRefundLine = { lineId: string; quantity?: number; amount: number };
type ApiRefundInOrder = { id: string; at: string; amount: number; net?: number | null; lines?: ApiRefundLine[] };
type ApiRefund = ApiRefundInOrder & { orderId: string; source?: OrderSource };
type ApiLine = { id?: string; productId?: string; variantId?: string; sku?: string; title: string; productType?: string; vendor?: string; quantity: number; price: number; discount?: number };

const blank = (s: string | undefined) => (s === undefined || s.trim() === '' ? null : s.trim());
const toLine = (l: ApiLine, i: number): OrderLine => ({
  lineNo: i + 1, lineId: blank(l.id), productId: blank(l.productId), variantId: blank(l.variantId), sku: blank(l.sku), title: l.title.trim(),
  productType: blank(l.productType), vendor: blank(l.vendor), quantity: l.quantity, unitPriceMinor: l.price, discountMinor: l.discount ?? 0,
});
const toRefund = (r: ApiRefundInOrder): OrderRefund => ({
  refundId: r.id, at: Date.parse(r.at), amountMinor: r.amount, netMinor: r.net ?? null,
  ...(r.lines?.length ? { lines: r.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity ?? 0, amountMinor: l.amount })) } : {}),
});

const postal = (a: ApiAddress | undefined) =>
  a ? { name: a.name ?? null, line1: a.line1 ?? null, line2: a.line2 ?? null, postalCode: a.postalCode ?? null, city: a.city ?? null, country: a.country ?? null } : null;

/** API orders to domain orders, every problem listed with its path. */
export function toOrders(items: ApiOrder[]): { orders: Order[]; details: Detail[] } {
  const orders: Order[] = [];
  const details: Detail[] = [];
  items.forEach((o, i) => {
    const built = buildOrder({
      externalId: o.id,
      source: o.source ?? 'api',
      name: o.name ?? null,
      at: Date.parse(o.createdAt),
      updatedAt: o.updatedAt ? Date.parse(o.updatedAt) : null,
      currency: o.currency,
      grossMinor: o.total,
      taxMinor: o.tax,
      shippingMinor: o.shipping,
      discountMinor: o.discount,
      discountCodes: o.discountCodes,
      landingSite: o.landingSite ?? null,
      noteAttributes: o.noteAttributes,
      declaredSource: o.declaredSource ?? null,
      customer: {
        customerId: o.customer?.id ?? null, email: o.customer?.email ?? null, phone: o.customer?.phone ?? null,
        address: postal(o.customer?.address), shippingAddress: postal(o.customer?.shippingAddress),
      },
      itemQuantity: o.itemQuantity,
      cancelledAt: o.cancelledAt ? Date.parse(o.cancelledAt) : null,
      refunds: (o.refunds ?? []).map(toRefund),
      ...(o.lines ? { lines: o.lines.map(toLine) } : {}),
    });
    if (!built.ok) details.push({ path: `/orders/${i}`, message: built.reason });
    else if (o.tax !== undefined && o.shipping !== undefined && o.tax + o.shipping > o.total) details.push({ path: `/orders/${i}/total`, message: 'tax + shipping exceed the total' });
    else orders.push(built.order);
  });
  return { orders, details };
}

export async function orderRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const service = () => deps.orders;

  // ------------------------------------------------------------------ Shopify
  app.post('/webhooks/shopify/:accountId', {
    schema: { summary: 'Shopify order webhooks (orders/create, orders/updated, orders/cancelled, refunds/create), HMAC-verified' },
  }, async (req, reply) => {
    const { accountId } = req.params as { accountId: string };
    if (!req.rawBody) return sendError(reply, 401, 'Shopify signature refused: no JSON body to verify.');
    const r = await service().shopifyWebhook(accountId, req.headers as Record<string, string | string[] | undefined>, req.rawBody);
    return reply.code(r.status).send(r.body);
  });

  app.get('/v1/shopify/secret', { schema: { summary: 'Whether a Shopify app secret is set, and the webhook URL to paste in Shopify', answers: { 200: schemaRef('ShopifySecret') } } }, async (req) => {
    const accountId = accountOf(req);
    return { ...(await service().shopifySecretState(accountId)), webhookUrl: `${deps.publicUrl}/webhooks/shopify/${accountId}` };
  });

  app.put('/v1/shopify/secret', { config: { audit: { action: 'shopify_secret.set' } },
    schema: {
      summary: "Set the Shopify app's client secret (never shown again); the previous one may be kept while rotating",
      body: {
        type: 'object', additionalProperties: false, required: ['secret'],
        properties: { secret: { type: 'string', minLength: 8, maxLength: 500 }, previousSecret: { type: 'string', minLength: 8, maxLength: 500 } },
      },
    },
  }, async (req, reply) => {
    const b = req.body as { secret: string; previousSecret?: string };
    await service().setShopifySecret(accountOf(req), b.secret, b.previousSecret);
    return reply.code(204).send();
  });

  // ------------------------------------------------------------------ orders in
  app.post('/v1/orders', { schema: { summary: 'Store a batch of orders and refunds (≤ 10,000 in all; all or nothing)', body: ordersBodySchema } }, async (req, reply) => {
    const b = req.body as { orders?: ApiOrder[]; refunds?: ApiRefund[] };
    const count = (b.orders?.length ?? 0) + (b.refunds?.length ?? 0);
    if (count === 0) return sendError(reply, 400, 'Send at least one order or refund: { "orders": [...], "refunds": [...] }.', [{ path: '/orders', message: 'empty' }]);
    if (count > 10_000) return sendError(reply, 413, `${count} items in one batch; send at most 10,000 orders and refunds together.`);
    const { orders, details } = toOrders(b.orders ?? []);
    const refunds: RefundInput[] = (b.refunds ?? []).map((r) => ({
      source: r.source ?? 'api', orderExternalId: r.orderId, refund: toRefund(r),
    }));
    (b.refunds ?? []).forEach((r, i) => {
      if (r.net !== undefined && r.net !== null && r.net > r.amount) details.push({ path: `/refunds/${i}/net`, message: 'the net part cannot exceed the amount refunded' });
    });
    if (details.length) return sendError(reply, 422, `${details.length} item(s) are invalid; nothing was stored. First: ${details[0].path} ${details[0].message}.`, details);
    return reply.send(await service().upsert(accountOf(req), orders, refunds));
  });

  app.post('/v1/orders/import', {
    schema: {
      summary: 'Import a CSV file of orders (text/csv body, streamed); mapping shopify|billbee|generic or auto-detected',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          mapping: { type: 'string', enum: ['auto', 'shopify', 'billbee', 'generic'] },
          columns: { type: 'string', maxLength: 10_000 },
          timeZone: { type: 'string', maxLength: 60 },
          decimalSeparator: { type: 'string', enum: ['.', ','] },
          currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
        },
      },
    },
  }, async (req, reply) => {
    const q = req.query as { mapping?: CsvImportOptions['mapping']; columns?: string; timeZone?: string; decimalSeparator?: '.' | ','; currency?: string };
    const type = String(req.headers['content-type'] ?? '');
    if (!/^(text\/csv|text\/plain|application\/octet-stream)\b/i.test(type)) {
      return sendError(reply, 415, 'Send the file as the request body with Content-Type: text/csv.');
    }
    let columns: CsvImportOptions['columns'];
    if (q.columns !== undefined) {
      try {
        const parsed = JSON.parse(q.columns) as unknown;
        const ok = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) &&
          Object.values(parsed).every((v) => typeof v === 'string' || typeof v === 'boolean' || (Array.isArray(v) && v.every((x) => typeof x === 'string')) || (typeof v === 'object' && v !== null));
        if (!ok) throw new Error('not an object of column names');
        columns = parsed as CsvImportOptions['columns'];
      } catch (err) {
        return sendError(reply, 400, `columns must be a JSON object naming the file's columns, e.g. {"total":"Grand total"}: ${(err as Error).message}.`, [{ path: '/columns', message: 'invalid JSON mapping' }]);
      }
    }
    // The import stores orders batch by batch as it reads: the whole file is read (within the limit) before the first.
    const bytes = await csvImportBody(reply, req.body as Readable | string | Buffer | undefined, req.headers['content-length'], q.timeZone, deps.bodyLimitBytes ?? 16 * 1024 * 1024);
    if (bytes === null) return reply;
    const { Readable: R } = await import('node:stream');
    const stream = R.from([bytes]);
    const outcome = await service().importCsv(accountOf(req), stream, { mapping: q.mapping, columns, timeZone: q.timeZone, decimalSeparator: q.decimalSeparator, defaultCurrency: q.currency });
    return sendOutcome(reply, outcome);
  });

  // ------------------------------------------------------------------ reading
  app.get('/v1/orders', {
    schema: {
      summary: 'Orders, newest first, with their attribution',
      answers: { 200: schemaRef('OrderPage') },
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { ...periodQuery.properties, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, cursor: { type: 'string', maxLength: 300 } },
      },
    },
  }, async (req) => {
    const r = await service().list(accountOf(req), req.query as { from?: string; to?: string; limit: number; cursor?: string });
    if (!r.ok) throw new HttpError(400, r.message, [{ path: '/cursor', message: 'unknown cursor' }]);
    return { items: r.items, nextCursor: r.nextCursor };
  });

  app.get('/v1/orders/:id/attribution', {
    schema: {
      summary: 'Why an order is credited as it is: its contact and matching key, every touch with whether it counted and why, the weights under every model, the credit rows',
      params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } },
      answers: { 200: schemaRef('OrderAttribution') },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const r = await service().attribution.explain(accountOf(req), id);
    if (!r) throw new HttpError(404, `No order ${id} in this account; GET /v1/orders lists them.`);
    return r;
  });

  app.get('/v1/messages/:id/orders', {
    schema: {
      summary: "The orders a recipient's message may explain: its contact's orders from its send to twice the longest window after, and whether its campaign is credited",
      params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } },
      answers: { 200: schemaRef('MessageOrders') },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const r = await service().attribution.ordersOfMessage(accountOf(req), id);
    if (!r) throw new HttpError(404, `No message ${id} in this account; a campaign's recipients list them.`);
    return r;
  });

  app.get('/v1/attribution/compare', { schema: { summary: 'Revenue per campaign under each attribution model, side by side', querystring: periodQuery, answers: { 200: schemaRef('CompareReport') } } }, async (req) => {
    const accountId = accountOf(req);
    const q = req.query as { from?: string; to?: string };
    const account = (await deps.accounts.get(accountId))!;
    const to = q.to ?? todayIn(account.time_zone, deps.clock());
    const from = q.from ?? addDays(to, -29);
    if (from > to) throw new HttpError(400, `The period starts (${from}) after it ends (${to}).`, [{ path: '/from', message: 'must be on or before to' }]);
    if (addDays(from, 3660) < to) throw new HttpError(400, 'The period is longer than ten years; choose a shorter one.');
    return service().attribution.compare(accountId, from, to);
  });

  app.get('/v1/attribution/settings', { schema: { summary: 'Attribution model, windows per channel and revenue basis', answers: { 200: schemaRef('AttributionSettings') } } }, async (req) => service().settings(accountOf(req)));

  app.put('/v1/attribution/settings', { config: { audit: { action: 'attribution_settings.update', before: async (req) => (await service().settings(accountOf(req))) as never } },
    schema: { summary: 'Change the model, windows (hours, null removes one), half-life or revenue basis; every order is credited again', body: settingsBodySchema },
  }, async (req) => service().updateSettings(accountOf(req), req.body as never));

  // ------------------------------------------------------------------ the data-driven model
  app.get('/v1/attribution/data-driven', {
    schema: { summary: 'The data-driven model: its current fit (weights with bootstrap intervals, date, volume, status), what credits orders, a fit in progress', answers: { 200: schemaRef('DataDrivenModel') } },
  }, async (req) => deps.dataDriven.current(accountOf(req)));

  app.post('/v1/attribution/data-driven/fit', { config: { audit: { action: 'attribution_fit.run' } },
    schema: {
      summary: "Fit the data-driven model now on the last `days` days (default 90); below the minimum of conversions the fit is refused and orders stay credited by the rule model; when the account credits by it, every order is credited again",
      body: { type: ['object', 'null'], additionalProperties: false, properties: { days: { type: 'integer', minimum: 7, maximum: 730 } } },
      answers: { 200: schemaRef('DataDrivenFitRun') },
    },
  }, async (req, reply) => {
    const r = await deps.dataDriven.fit(accountOf(req), { days: (req.body as { days?: number } | null)?.days, trigger: 'manual' });
    if (!r.ok) return sendError(reply, 409, r.message);
    return r.value;
  });

  // ------------------------------------------------------------------ discount codes, rates
  const codesBody = {
    type: 'object', additionalProperties: false, required: ['codes'],
    properties: { codes: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } } },
  } as const;
  app.get('/v1/campaigns/:id/discount-codes', { schema: { summary: "A campaign's discount codes", answers: { 200: schemaRef('DiscountCodes') } } }, async (req) => {
    const { id } = req.params as { id: string };
    const accountId = accountOf(req);
    if (!(await deps.campaigns.get(accountId, id))) throw new HttpError(404, `No campaign ${id} in this account.`);
    return { campaignId: id, codes: await service().discountCodes(accountId, id) };
  });
  app.put('/v1/campaigns/:id/discount-codes', { config: { audit: { action: 'discount_codes.update', before: async (req) => ({ codes: await service().discountCodes(accountOf(req), (req.params as { id: string }).id) }) } }, schema: { summary: "Replace a campaign's discount codes (orders using them are credited to it)", body: codesBody } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    return sendOutcome(reply, await service().setDiscountCodes(accountOf(req), id, (req.body as { codes: string[] }).codes), 200, 'codes');
  });

  app.get('/v1/currency-rates', { schema: { summary: "The account's dated currency rates", answers: { 200: schemaRef('CurrencyRates') } } }, async (req) => ({ rates: await service().currencyRates(accountOf(req)) }));
  app.put('/v1/currency-rates', { config: { audit: { action: 'currency_rates.update' } }, schema: { summary: "Replace the account's dated currency rates (1 from = rate to, from validFrom)", body: ratesBodySchema } }, async (req, reply) => {
    const accountId = accountOf(req);
    const account = (await deps.accounts.get(accountId))!;
    const rates = (req.body as { rates: { from: string; to: string; rate: string; validFrom: string }[] }).rates;
    const details: Detail[] = [];
    rates.forEach((r, i) => {
      if (r.from.toUpperCase() === r.to.toUpperCase()) details.push({ path: `/rates/${i}/to`, message: 'a rate converts between two different currencies' });
      if (!/[1-9]/.test(r.rate)) details.push({ path: `/rates/${i}/rate`, message: 'a rate must be positive' });
    });
    if (details.length) return sendError(reply, 400, `${details.length} rate(s) are invalid; nothing was changed.`, details);
    return service().setCurrencyRates(accountId, rates.map((r) => ({ ...r, validFrom: zonedDayStart(r.validFrom, account.time_zone) })));
  });
}
