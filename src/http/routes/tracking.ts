// Tracking routes: the public redirects (/l/ click, /q/ scan), the open pixel (/o/), and the /v1 API that
// registers destinations, issues per-recipient links and QR codes, rewrites bodies, revokes links and changes
// the account's tracking settings. Validate → authorize → service → respond.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendError, sendOutcome } from '../errors';
import type { Tracking, VisitRequest } from '../../services/tracking';
import { isWellFormedToken } from '../../tracking/tokens';
import { NO_CACHE_HEADERS, PIXEL_GIF, PIXEL_HEADERS } from '../../tracking/pixel';
import { renderQr, type ErrorCorrection } from '../../tracking/qr';

declare module '../app' {
  interface Deps {
    tracking: Tracking;
  }
}

const NOT_FOUND_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Link not found</title></head>' +
  '<body><h1>Link not found</h1><p>This link is unknown or no longer active.</p></body></html>';

function notFound(reply: FastifyReply) {
  return reply.code(404).headers({ ...NO_CACHE_HEADERS, 'content-type': 'text/html; charset=utf-8' }).send(NOT_FOUND_PAGE);
}

function visitOf(req: FastifyRequest): VisitRequest {
  const h = req.headers;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return { method: req.method, userAgent: one(h['user-agent']), referer: one(h.referer), via: one(h.via) };
}

const messageIds = { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;
const selection = {
  messageIds,
  all: { type: 'boolean', const: true },
  cursor: { type: 'string', maxLength: 200 },
  limit: { type: 'integer', minimum: 1, maximum: 5000 },
} as const;

const destinationsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['destinations'],
  properties: { destinations: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 2000 } } },
} as const;

const issueSchema = {
  type: 'object',
  additionalProperties: false,
  properties: selection,
  oneOf: [{ required: ['messageIds'] }, { required: ['all'] }],
} as const;

const rewriteSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messageId', 'body', 'format'],
  properties: {
    messageId: { type: 'string', minLength: 1, maxLength: 200 },
    body: { type: 'string', maxLength: 500_000 },
    format: { type: 'string', enum: ['text', 'html'] },
    pixel: { type: 'boolean' },
  },
} as const;

const qrSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...selection,
    limit: { type: 'integer', minimum: 1, maximum: 500 },
    format: { type: 'string', enum: ['png', 'svg'] },
    size: { type: 'integer', minimum: 50, maximum: 4000 },
    margin: { type: 'integer', minimum: 0, maximum: 40 },
    errorCorrection: { type: 'string', enum: ['L', 'M', 'Q', 'H'] },
  },
  oneOf: [{ required: ['messageIds'] }, { required: ['all'] }],
} as const;

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    utm: { type: 'boolean' },
    utmSource: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,60}$' },
    clickIdParam: { type: 'string', pattern: '^[A-Za-z0-9_]{1,40}$' },
    thresholds: {
      type: 'object',
      additionalProperties: false,
      properties: {
        clickAfterDeliveryMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        linkSweepMs: { type: 'integer', minimum: 0, maximum: 600_000 },
        proxyOpenAfterDeliveryMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
        flagGatewayReferer: { type: 'boolean' },
      },
    },
  },
} as const;

const tokenParam = { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } } as const;

export async function trackingRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const t = deps.tracking;

  // ------------------------------------------------------------------ public: redirects and pixel
  // The destination comes only from the token's row; the query string and any extra path are ignored.
  const redirect = (kind: 'clicked' | 'scanned') => async (req: FastifyRequest, reply: FastifyReply) => {
    const token = (req.params as { token: string }).token;
    if (!isWellFormedToken(token)) return notFound(reply);
    const link = await t.resolve(token);
    if (!link || link.kind !== 'link' || !link.url) return notFound(reply);
    const location = await t.visit(link, kind, visitOf(req));
    return reply.code(302).headers({ ...NO_CACHE_HEADERS, location, 'content-type': 'text/plain; charset=utf-8' }).send(req.method === 'HEAD' ? undefined : `Redirecting to ${location}`);
  };
  for (const [path, kind] of [['/l/', 'clicked'], ['/q/', 'scanned']] as const) {
    app.route({ method: ['GET', 'HEAD'], url: `${path}:token`, config: { public: true }, handler: redirect(kind) });
    app.route({ method: ['GET', 'HEAD'], url: `${path}:token/*`, config: { public: true }, handler: redirect(kind) });
  }

  app.route({
    method: ['GET', 'HEAD'],
    url: '/o/:file',
    config: { public: true },
    handler: async (req, reply) => {
      const token = (req.params as { file: string }).file.replace(/\.gif$/, '');
      if (!isWellFormedToken(token)) return notFound(reply);
      const link = await t.resolve(token);
      if (!link || link.kind !== 'pixel') return notFound(reply);
      await t.open(link, visitOf(req));
      return reply.code(200).headers(PIXEL_HEADERS).send(req.method === 'HEAD' ? undefined : PIXEL_GIF);
    },
  });

  // ------------------------------------------------------------------ API
  const campaignId = (req: FastifyRequest) => (req.params as { id: string }).id;

  app.get('/v1/campaigns/:id/links', { schema: { summary: "A campaign's registered destinations", tags: ['tracking'] } }, async (req) => {
    const accountId = accountOf(req);
    if (!(await deps.campaigns.get(accountId, campaignId(req)))) throw new HttpError(404, `No campaign ${campaignId(req)} in this account.`);
    return { destinations: await t.destinations(accountId, campaignId(req)) };
  });

  app.post('/v1/campaigns/:id/links', { schema: { summary: "Register a campaign's destination URLs (http(s) only)", tags: ['tracking'], body: destinationsSchema } }, async (req, reply) => {
    const body = req.body as { destinations: string[] };
    const outcome = await t.registerDestinations(accountOf(req), campaignId(req), body.destinations);
    if (!outcome.ok) return sendOutcome(reply, outcome, 200, 'destinations');
    return reply.code(200).send({ destinations: outcome.value });
  });

  app.post('/v1/campaigns/:id/links/issue', { schema: { summary: 'Issue per-recipient tracked links, QR URL and open pixel', tags: ['tracking'], body: issueSchema } }, async (req, reply) => {
    const body = req.body as { messageIds?: string[]; all?: true; cursor?: string; limit?: number };
    return sendOutcome(reply, await t.issue(accountOf(req), campaignId(req), body), 200, 'messageIds');
  });

  app.post('/v1/campaigns/:id/qr', { schema: { summary: 'Per-recipient QR codes as data URLs, with a manifest (≤ 500 a page)', tags: ['tracking'], body: qrSchema } }, async (req, reply) => {
    const body = req.body as { messageIds?: string[]; all?: true; cursor?: string; limit?: number; format?: 'png' | 'svg'; size?: number; margin?: number; errorCorrection?: ErrorCorrection };
    if (body.messageIds && body.messageIds.length > 500) return sendError(reply, 400, 'At most 500 QR codes a request; page with all + cursor, or use `mesure qr` for files.', [{ path: '/messageIds', message: 'at most 500 items' }]);
    const outcome = await t.issue(accountOf(req), campaignId(req), { ...body, limit: body.limit ?? 100 });
    if (!outcome.ok) return sendOutcome(reply, outcome, 200, 'messageIds');
    if (outcome.value.destinations.length === 0) {
      return sendError(reply, 409, 'The campaign has no destination yet: register one with POST /v1/campaigns/:id/links before drawing QR codes.');
    }
    const format = body.format ?? 'png';
    const opts = { size: body.size, margin: body.margin, errorCorrection: body.errorCorrection };
    const codes = [];
    for (const m of outcome.value.messages) {
      if (!m.qr) continue;
      let dataUrl: string;
      try {
        dataUrl = format === 'png'
          ? `data:image/png;base64,${(await renderQr(m.qr.url, { ...opts, format: 'png' })).toString('base64')}`
          : `data:image/svg+xml;base64,${Buffer.from(await renderQr(m.qr.url, { ...opts, format: 'svg' })).toString('base64')}`;
      } catch (err) {
        throw new HttpError(400, `Cannot draw the QR code: ${(err as Error).message}.`, [{ path: '/size', message: (err as Error).message }]);
      }
      codes.push({ messageId: m.messageId, recipient: m.recipient, url: m.qr.url, printedUrl: m.qr.printedUrl, destination: m.qr.destination, file: `${m.messageId}.${format}`, dataUrl });
    }
    return { format, codes, nextCursor: outcome.value.nextCursor };
  });

  app.post('/v1/rewrite', { schema: { summary: "A message body with every link replaced by the recipient's tracked link", tags: ['tracking'], body: rewriteSchema } }, async (req, reply) => {
    const body = req.body as { messageId: string; body: string; format: 'text' | 'html'; pixel?: boolean };
    return sendOutcome(reply, await t.rewrite(accountOf(req), body), 200, 'body');
  });

  app.delete('/v1/links/:token', { schema: { summary: 'Revoke a tracked link (its URL answers 404 from now on)', tags: ['tracking'], params: tokenParam } }, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    if (!isWellFormedToken(token)) throw new HttpError(404, `No tracked link ${String(token).slice(0, 40)} in this account.`);
    const r = await t.revoke(accountOf(req), token);
    if (r === 'unknown') throw new HttpError(404, `No tracked link ${token} in this account.`);
    return reply.code(200).send({ token, revoked: true, alreadyRevoked: r === 'already' });
  });

  app.get('/v1/tracking/settings', { schema: { summary: "The account's tracking settings (UTM, click id parameter, bot thresholds)", tags: ['tracking'] } }, async (req) => t.settingsOf(accountOf(req)));

  app.patch('/v1/tracking/settings', { config: { role: 'owner' }, schema: { summary: 'Change tracking settings', tags: ['tracking'], body: settingsSchema } }, async (req, reply) =>
    sendOutcome(reply, await t.updateSettings(accountOf(req), req.body as never), 200, 'settings'),
  );

  // Visits still in memory are written before the database closes.
  app.addHook('onClose', async () => {
    await t.flush();
  });
}
