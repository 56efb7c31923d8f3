// One place where domain outcomes and framework errors become HTTP answers: `{ error, message, details }`.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Outcome } from '../services/ingest';
import { MAX_MONEY_MINOR } from '../domain/bounds';
import { DATE_TIME_PATTERN } from './schemas';

export const ERROR_NAMES: Record<number, string> = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 409: 'conflict',
  413: 'payload_too_large', 415: 'unsupported_media_type', 422: 'unprocessable', 429: 'too_many_requests', 500: 'internal', 503: 'unavailable',
};

export interface Detail {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly details: Detail[] = []) {
    super(message);
  }
}

export function sendError(reply: FastifyReply, status: number, message: string, details: Detail[] = []) {
  return reply.code(status).send({ error: ERROR_NAMES[status] ?? 'error', message, details });
}

/** Sends a service outcome: the value with `okStatus`, or the typed failure. */
export function sendOutcome<T>(reply: FastifyReply, outcome: Outcome<T>, okStatus = 200, listName = 'items') {
  if (outcome.ok) return reply.code(okStatus).send(outcome.value);
  return sendError(
    reply,
    outcome.status,
    outcome.message,
    outcome.errors.map((e) => ({ path: `/${listName}/${e.index}/${e.field}`, message: e.message })),
  );
}

/** The 413 message: the limit, and what to do about it. */
export function bodyTooLarge(limit: number, split: string): string {
  return `The request body is larger than the limit of ${limit} bytes; ${split}, or raise MESURE_BODY_LIMIT on the server.`;
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof HttpError) return sendError(reply, err.status, err.message, err.details);
  if (err.validation) {
    const details = err.validation.map((v) => {
      const missing = (v.params as { missingProperty?: string })?.missingProperty;
      const extra = (v.params as { additionalProperty?: string })?.additionalProperty;
      const path = `${v.instancePath}${missing ? `/${missing}` : ''}${extra ? `/${extra}` : ''}` || '/';
      const allowed = (v.params as { allowedValues?: unknown[] })?.allowedValues;
      const pattern = (v.params as { pattern?: string })?.pattern;
      const message = extra
        ? `unknown property "${extra}"`
        : allowed
          ? `${v.message}: ${allowed.join(', ')}`
          : pattern === DATE_TIME_PATTERN
            ? 'must be a date in the years 2000 to 2099 (ISO 8601, e.g. 2026-01-31T09:00:00Z)'
            : v.keyword === 'maximum' && (v.params as { limit?: number })?.limit === MAX_MONEY_MINOR
              ? `${v.message} (amounts are whole minor units, at most 10^12)`
              : (v.message ?? 'invalid');
      return { path, message };
    });
    const where = err.validationContext ?? 'body';
    return sendError(reply, 400, `Invalid ${where}: ${details.slice(0, 3).map((d) => `${d.path} ${d.message}`).join('; ')}${details.length > 3 ? ` (and ${details.length - 3} more)` : ''}.`, details);
  }
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return sendError(reply, 413, bodyTooLarge(req.routeOptions.bodyLimit ?? 0, 'split the batch (at most 10,000 items a request)'));
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'Send JSON with Content-Type: application/json.');
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return sendError(reply, 400, 'The JSON body is empty.');
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.statusCode === 400) {
    return sendError(reply, 400, `Malformed JSON: ${err.message}`);
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return sendError(reply, err.statusCode, err.message);
  // A part that cannot take work right now (the ingestion worker restarting): nothing was taken, retry shortly.
  if (err.statusCode === 503) return sendError(reply, 503, err.message);
  req.log.error({ err }, 'unhandled error');
  return sendError(reply, 500, 'Something went wrong on our side; nothing was half-written (every write is one transaction). Retry, and check the server log if it persists.');
}
