// Provider webhooks (public: each provider's signature is the authentication) and the management of each
// account's provider secrets (owner role; a secret is never shown back).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendError } from '../errors';
import { PROVIDER_NAMES, type ProviderName } from '../../providers';
import type { WebhookOutcome } from '../../services/webhooks';

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
  const urls = [`${publicUrl.replace(/\/$/, '')}${req.url}`];
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.split(',')[0].trim();
  const proto = first(req.headers['x-forwarded-proto']);
  const host = first(req.headers['x-forwarded-host']) ?? req.headers.host;
  if (host && (proto === 'http' || proto === 'https')) urls.push(`${proto}://${host}${req.url}`);
  if (req.host) urls.push(`${req.protocol}://${req.host}${req.url}`);
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

function answer(reply: FastifyReply, provider: string, outcome: WebhookOutcome) {
  switch (outcome.kind) {
    case 'stored':
    case 'duplicate': {
      if (provider === 'twilio') return reply.code(200).header('content-type', 'text/xml; charset=utf-8').send(EMPTY_TWIML);
      return reply.code(200).send(outcome.kind === 'stored' ? { stored: true, ...outcome.summary } : { stored: false, duplicate: true });
    }
    case 'unknown_provider':
      return sendError(reply, 404, `Mesure has no webhook for provider "${provider}"; known: ${PROVIDER_NAMES.join(', ')}.`);
    case 'refused':
      // No detail: whether the account exists or has a secret is not for the caller to learn.
      return sendError(reply, outcome.status, outcome.status === 401 ? 'The webhook signature is missing.' : 'The webhook could not be verified.');
    case 'replayed':
      return sendError(reply, 403, 'The webhook could not be verified: its one-time token was already used.');
    case 'unreadable':
      return sendError(reply, 400, `The webhook was verified but its body is not one this provider sends: ${outcome.reason}.`);
  }
}

export async function providerRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  // ------------------------------------------------------------------ webhooks
  app.post(
    '/webhooks/:provider/:accountId',
    {
      config: { public: true },
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
      return answer(reply, provider, outcome);
    },
  );

  app.get(
    '/webhooks/whatsapp/:accountId',
    { config: { public: true }, schema: { summary: "WhatsApp's subscribe handshake: echoes hub.challenge when hub.verify_token matches", tags: ['webhooks'] } },
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
  app.get('/v1/providers', { schema: { summary: 'Each provider: whether a secret is set, since when, and the webhook URL to paste' } }, async (req) => ({
    items: await deps.webhooks.list(accountOf(req)),
  }));

  app.put(
    '/v1/providers/:provider/secret',
    {
      config: { role: 'owner' },
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
    { config: { role: 'owner' }, schema: { summary: "Remove a provider's webhook secret: its webhooks are refused from then on", params: providerParams } },
    async (req, reply) => {
      const { provider } = req.params as { provider: ProviderName };
      await deps.webhooks.deleteSecret(accountOf(req), provider);
      return reply.code(204).send();
    },
  );
}
