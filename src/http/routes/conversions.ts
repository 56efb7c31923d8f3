// Conversions other than orders (a sign-up, a booking, a store visit, a reply "OUI"): one in through the API with an
// idempotency key, many through a CSV file, the list and the count per type. Validate → authorize → service → respond.
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendError } from '../errors';
import { isoDate, isoTime, money } from '../schemas';
import { csvImportBody } from '../csv';
import { schemaRef } from '../responses';
import { checkConversion, CONVERSION_TYPE_PATTERN } from '../../domain/conversions';
import type { Conversions } from '../../services/conversions';

declare module '../app' {
  interface Deps {
    conversions: Conversions;
  }
}

const text = (max: number) => ({ type: 'string', maxLength: max }) as const;
const typeSchema = { type: 'string', pattern: CONVERSION_TYPE_PATTERN, maxLength: 40 } as const;

const conversionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'occurredAt', 'idempotencyKey'],
  properties: {
    type: typeSchema,
    occurredAt: isoTime,
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    customer: { type: 'object', additionalProperties: false, properties: { id: text(200), email: text(320), phone: text(40) } },
    value: money,
    currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
  },
} as const;

type ApiConversion = { type: string; occurredAt: string; idempotencyKey: string; customer?: { id?: string; email?: string; phone?: string }; value?: number; currency?: string };

export async function conversionRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const service = () => deps.conversions;

  app.post('/v1/conversions', {
    schema: {
      summary: 'Record one conversion other than an order (sign-up, booking, visit…); the same idempotency key and body answer the same, another body 409',
      body: conversionBody,
      answers: { 200: schemaRef('Conversion') },
    },
  }, async (req, reply) => {
    const b = req.body as ApiConversion;
    const accountId = accountOf(req);
    const account = (await deps.accounts.get(accountId))!;
    const checked = checkConversion({
      type: b.type, at: Date.parse(b.occurredAt), idempotencyKey: b.idempotencyKey,
      customer: { customerId: b.customer?.id ?? null, email: b.customer?.email ?? null, phone: b.customer?.phone ?? null },
      valueMinor: b.value ?? null, currency: b.value === undefined ? (b.currency ?? null) : (b.currency ?? account.currency),
    });
    if (!checked.ok) return sendError(reply, 422, `${checked.reason}; nothing was stored.`, [{ path: `/${checked.field}`, message: checked.reason }]);
    const r = await service().record(accountId, [checked.conversion], 'api');
    if (!r.ok) return sendError(reply, 409, `${r.conflicts[0].reason}; send a new key for a new conversion.`, [{ path: '/idempotencyKey', message: 'used for a different conversion' }]);
    const [item] = r.items;
    if (item.replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(200).send(item.conversion);
  });

  app.post('/v1/conversions/import', {
    schema: {
      summary: 'Import a CSV file of conversions (text/csv body): type, occurred_at, idempotency_key, email, phone, customer_id, value, currency; all or nothing',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          timeZone: { type: 'string', maxLength: 60 },
          decimalSeparator: { type: 'string', enum: ['.', ','] },
          currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
        },
      },
      answers: { 200: schemaRef('ConversionImport') },
    },
  }, async (req, reply) => {
    const q = req.query as { timeZone?: string; decimalSeparator?: '.' | ','; currency?: string };
    const type = String(req.headers['content-type'] ?? '');
    if (!/^(text\/csv|text\/plain|application\/octet-stream)\b/i.test(type)) return sendError(reply, 415, 'Send the file as the request body with Content-Type: text/csv.');
    const bytes = await csvImportBody(reply, req.body as Readable | string | Buffer | undefined, req.headers['content-length'], q.timeZone, deps.bodyLimitBytes ?? 16 * 1024 * 1024);
    if (bytes === null) return reply;
    const r = await service().importCsv(accountOf(req), bytes, { timeZone: q.timeZone, currency: q.currency?.toUpperCase(), decimalSeparator: q.decimalSeparator });
    if (!r.ok) {
      const details = (r.report?.rejections ?? []).map((x) => ({ path: `/lines/${x.line}`, message: x.reason }));
      return sendError(reply, r.status, r.message, details);
    }
    return r.report;
  });

  app.get('/v1/conversions', {
    schema: {
      summary: 'Conversions other than orders, newest first, with their credits under the account model; filters type, from, to',
      answers: { 200: schemaRef('ConversionPage') },
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { type: typeSchema, from: isoDate, to: isoDate, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, cursor: { type: 'string', maxLength: 300 } },
      },
    },
  }, async (req) => {
    const q = req.query as { type?: string; from?: string; to?: string; limit: number; cursor?: string };
    if (q.from && q.to && q.from > q.to) throw new HttpError(400, `The period starts (${q.from}) after it ends (${q.to}).`, [{ path: '/from', message: 'must be on or before to' }]);
    const r = await service().list(accountOf(req), q);
    if (!r.ok) throw new HttpError(400, r.message, [{ path: '/cursor', message: 'unknown cursor' }]);
    return { model: r.model, items: r.items, nextCursor: r.nextCursor };
  });

  app.get('/v1/conversions/types', {
    schema: { summary: "The account's conversion types with how many conversions each has", answers: { 200: schemaRef('ConversionTypes') } },
  }, async (req) => service().types(accountOf(req)));
}
