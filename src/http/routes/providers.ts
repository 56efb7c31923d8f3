// Provider webhooks (public: each provider's signature is the authentication) and the management of each
// account's provider secrets (owner role; a secret is never shown back).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps, FastPath } from '../app';
import { accountOf } from '../app';
import { ERROR_NAMES, HttpError, sendError } from '../errors';
import { PROVIDER_NAMES, type ProviderName } from '../../providers';
import type { WebhookOutcome } from '../../services/webhooks';
import { schemaRef } from '../responses';

const providerParams = {
  type: 'object',
  required: ['provider'],
  properties: { provider: { type: 'string', enum: [...PROVIDER_NAMES] } },
} as const;

/** Twilio's incoming-message webhook expects TwiML: an empty <Response/> sends no automatic reply. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * The URLs the provider may have called: the configured public URL with the path as received, the one named by
 * X-Forwarded-Proto/Host (read here even when MESURE_TRUST_PROXY is off: a URL only selects what the signature
 * must cover, it never replaces the signature), and the one the request itself names (Host). Twilio signs the URL.
 */
export function calledUrls(req: FastifyRequest, publicUrl: string): string[] {
  return urlsCalled(req.url, req.headers, req.host ? `${req.protocol}://${req.host}` : undefined, publicUrl);
}

function urlsCalled(url: string, headers: IncomingHttpHeaders, origin: string | undefined, publicUrl: string): string[] {
  const urls = [`${publicUrl.replace(/\/$/, '')}${url}`];
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.split(',')[0].trim();
  const proto = first(headers['x-forwarded-proto']);
  const host = first(headers['x-forwarded-host']) ?? headers.host;
  if (host && (proto === 'http' || proto === 'https')) urls.push(`${proto}://${host}${url}`);
  if (origin) urls.push(`${origin}${url}`);
  return [...new Set(urls)];
}

function queryOf(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** What a webhook delivery is answered, built once for the route and the fast path. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown): Answer => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) });
const failure = (status: number, message: string): Answer => json(status, { error: ERROR_NAMES[status] ?? 'error', message, details: [] });
const INTERNAL = failure(500, 'Something went wrong on our side; nothing was half-written (every write is one transaction). Retry, and check the server log if it persists.');

function answerOf(provider: string, outcome: WebhookOutcome): Answer {
  switch (outcome.kind) {
    case 'stored':
    case 'duplicate': {
      if (provider === 'twilio') return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: EMPTY_TWIML };
      return json(200, outcome.kind === 'stored' ? { stored: true, ...outcome.summary } : { stored: false, duplicate: true });
    }
    case 'unknown_provider':
      return failure(404, `Mesure has no webhook for provider "${provider}"; known: ${PROVIDER_NAMES.join(', ')}.`);
    case 'refused':
      // No detail: whether the account exists or has a secret is not for the caller to learn.
      return failure(outcome.status, outcome.status === 401 ? 'The webhook signature is missing.' : 'The webhook could not be verified.');
    case 'replayed':
      return failure(403, 'The webhook could not be verified: its one-time token was already used.');
    case 'unreadable':
      return failure(400, `The webhook was verified but its body is not one this provider sends: ${outcome.reason}.`);
  }
}

const BODY_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);

/**
 * Provider deliveries straight from node:http (see FastPath), attached to the route below: the same checks and
 * answers without Fastify's per-request cost. The server hands it only what lands on /webhooks/:provider/:accountId
 * (Shopify's and Stripe's own routes are more specific and never reach it). It takes only what it can answer exactly as
 * the route would: a JSON or form body whose declared Content-Length is within the body limit. Anything else (chunked
 * or oversized bodies, other types) goes on to the router, which answers as before (413, 415…).
 */
export function webhookFastPath(deps: Deps): FastPath {
  const limit = deps.bodyLimitBytes ?? 16 * 1024 * 1024;
  return (req, res, params) => {
    const { provider, accountId } = params;
    if (!provider || !accountId) return false;
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!BODY_TYPES.has(type)) return false;
    const length = Number(req.headers['content-length']);
    if (!Number.isSafeInteger(length) || length < 0 || length > limit || req.headers['transfer-encoding'] !== undefined) return false;
    const url = req.url ?? '';
    // Whatever escapes (answering included) rejects this promise, which the server answers 500 (see FastPath).
    return bodyOf(req, res).then(async (rawBody) => {
      if (!rawBody) return;
      let json: unknown;
      if (type === 'application/json' && rawBody.length > 0) {
        // As the router's JSON parser does, before any signature check; the adapter reads this parse (RawRequest.json).
        try {
          json = JSON.parse(rawBody.toString('utf8'));
        } catch (err) {
          return sendAnswer(res, failure(400, `Malformed JSON: ${(err as Error).message}`));
        }
      }
      const q = url.indexOf('?');
      const query: Record<string, string> = {};
      if (q >= 0) for (const [k, v] of new URLSearchParams(url.slice(q + 1))) if (!(k in query)) query[k] = v;
      const host = req.headers.host;
      const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
      let outcome: WebhookOutcome;
      try {
        outcome = await deps.webhooks.receive(provider, accountId, { method: 'POST', headers: req.headers, rawBody, query, json }, urlsCalled(url, req.headers, host ? `${secure ? 'https' : 'http'}://${host}` : undefined, deps.publicUrl));
      } catch (err) {
        // Refused before it was taken (the ingestion worker restarting): the provider retries later.
        if ((err as { statusCode?: number })?.statusCode === 503) return sendAnswer(res, failure(503, (err as Error).message));
        process.stderr.write(`[webhooks] ${provider} delivery for ${JSON.stringify(accountId.slice(0, 100))} failed: ${(err as Error)?.stack ?? String(err)}\n`);
        return sendAnswer(res, INTERNAL);
      }
      sendAnswer(res, answerOf(provider, outcome));
    });
  };
}

/** The whole body of a request; undefined (socket closed) if the connection fails before its end. */
function bodyOf(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
    });
    req.on('error', () => {
      res.destroy();
      resolve(undefined);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
  });
}

function sendAnswer(res: ServerResponse, a: Answer): void {
  res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(a.body) });
  res.end(a.body);
}

export async function providerRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  // ------------------------------------------------------------------ webhooks
  // Served by the fast path on a listening server; the route answers the same for app.inject() and what it passes on.
  app.post(
    '/webhooks/:provider/:accountId',
    {
      config: { fastPath: webhookFastPath(deps) },
      schema: {
        summary: 'Receive a provider webhook (WhatsApp, Twilio, SendGrid, Mailgun, Postmark); answered after COMMIT',
        tags: ['webhooks'],
      },
    },
    async (req, reply) => {
      const { provider, accountId } = req.params as { provider: string; accountId: string };
      if (!req.rawBody) return sendError(reply, 415, 'Send the body as the provider does: application/json or application/x-www-form-urlencoded.');
      const outcome = await deps.webhooks.receive(
        provider,
        accountId,
        { method: req.method, headers: req.headers, rawBody: req.rawBody, query: queryOf(req) },
        calledUrls(req, deps.publicUrl),
      );
      if (outcome.kind === 'refused') req.log.warn({ provider, accountId, reason: outcome.reason }, 'webhook refused');
      const a = answerOf(provider, outcome);
      return reply.code(a.status).headers(a.headers).send(a.body);
    },
  );

  app.get(
    '/webhooks/whatsapp/:accountId',
    { schema: { summary: "WhatsApp's subscribe handshake: echoes hub.challenge when hub.verify_token matches", tags: ['webhooks'] } },
    async (req, reply) => {
      const { accountId } = req.params as { accountId: string };
      const result = await deps.webhooks.handshake(accountId, queryOf(req));
      if (!result.ok) {
        return sendError(reply, result.status, result.status === 400 ? 'Expected hub.mode=subscribe with hub.challenge.' : 'The verify token does not match.');
      }
      return reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(result.challenge);
    },
  );

  // ------------------------------------------------------------------ secrets
  app.get('/v1/providers', { schema: { summary: 'Each provider: whether a secret is set, since when, and the webhook URL to paste', answers: { 200: schemaRef('ProviderList') } } }, async (req) => ({
    items: await deps.webhooks.list(accountOf(req)),
  }));

  app.put(
    '/v1/providers/:provider/secret',
    {
      config: { audit: { action: 'provider_secret.set' } },
      schema: {
        summary: "Set a provider's webhook secret (never shown back)",
        params: providerParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['secret'],
          properties: { secret: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
      },
    },
    async (req, reply) => {
      const { provider } = req.params as { provider: ProviderName };
      const outcome = await deps.webhooks.setSecret(accountOf(req), provider, (req.body as { secret: string }).secret);
      if (!outcome.ok) throw new HttpError(400, outcome.message, [{ path: '/secret', message: outcome.message }]);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/v1/providers/:provider/secret',
    { config: { audit: { action: 'provider_secret.delete' } }, schema: { summary: "Remove a provider's webhook secret: its webhooks are refused from then on", params: providerParams } },
    async (req, reply) => {
      const { provider } = req.params as { provider: ProviderName };
      await deps.webhooks.deleteSecret(accountOf(req), provider);
      return reply.code(204).send();
    },
  );
}
