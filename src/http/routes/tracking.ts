// Tracking routes: the public redirects (/l/ click, /q/ scan), the open pixel (/o/), and the /v1 API that
// registers destinations, issues per-recipient links and QR codes, rewrites bodies, revokes links and changes
// the account's tracking settings. Validate → authorize → service → respond.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps, FastPath } from '../app';
import { accountOf } from '../app';
import { HttpError, sendError, sendOutcome } from '../errors';
import type { Tracking, VisitRequest } from '../../services/tracking';
import type { LinkTarget } from '../../store/tracking';
import { isWellFormedToken } from '../../tracking/tokens';
import { NO_CACHE_HEADERS, PIXEL_GIF, PIXEL_HEADERS } from '../../tracking/pixel';
import { renderQr, type ErrorCorrection } from '../../tracking/qr';
import { schemaRef } from '../responses';

declare module '../app' {
  interface Deps {
    tracking: Tracking;
  }
}

const NOT_FOUND_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Link not found</title></head>' +
  '<body><h1>Link not found</h1><p>This link is unknown or no longer active.</p></body></html>';

/** What a tracking URL answers, built once for both the Fastify route and the fast path. */
interface Answer {
  status: number;
  headers: Record<string, string | number>;
  body?: string | Buffer;
}

const NOT_FOUND: Answer = {
  status: 404,
  headers: { ...NO_CACHE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(NOT_FOUND_PAGE) },
  body: NOT_FOUND_PAGE,
};
const PIXEL: Answer = { status: 200, headers: PIXEL_HEADERS, body: PIXEL_GIF };

const UNUSABLE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Link cannot be opened</title></head>' +
  '<body><h1>Link cannot be opened</h1><p>The address this link leads to is not a valid web address, so Mesure did not open it. ' +
  'Please tell the sender of the message.</p></body></html>';
/** A link whose stored destination is not a usable http(s) URL (see Tracking.templateOf): said plainly, never a crash. */
const UNUSABLE: Answer = {
  status: 404,
  headers: { ...NO_CACHE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(UNUSABLE_PAGE) },
  body: UNUSABLE_PAGE,
};

function visitOf(method: string, h: IncomingHttpHeaders): VisitRequest {
  return { method, userAgent: firstOf(h['user-agent']), referer: firstOf(h.referer), via: firstOf(h.via) };
}

function firstOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

type VisitKind = 'clicked' | 'scanned' | 'opened';

/**
 * A click (/l/), scan (/q/) or open (/o/): the destination comes only from the token's row; the query string and
 * any extra path are ignored. Unknown, revoked or malformed tokens get the plain 404 page.
 */
async function answerVisit(t: Tracking, kind: VisitKind, token: string, method: string, headers: IncomingHttpHeaders): Promise<Answer> {
  if (!isWellFormedToken(token)) return NOT_FOUND;
  return answerLink(t, kind, await t.resolve(token), method, headers);
}

/** What a visit to the link a token resolved to answers, once recorded (waiting when the visit must wait). */
async function answerLink(t: Tracking, kind: VisitKind, resolved: LinkTarget | null, method: string, headers: IncomingHttpHeaders): Promise<Answer> {
  const link = servable(kind, resolved);
  if (!link) return NOT_FOUND;
  if (kind === 'opened') {
    await t.open(link, visitOf(method, headers));
    return PIXEL;
  }
  const location = await t.visit(link, kind, visitOf(method, headers));
  return location === null ? UNUSABLE : redirectTo(location);
}

/**
 * `answerLink` without a promise, for most visits: undefined (nothing recorded) when the visit must wait or its
 * account is not in memory.
 */
function answerLinkNow(t: Tracking, kind: VisitKind, resolved: LinkTarget | null, method: string, headers: IncomingHttpHeaders): Answer | undefined {
  const link = servable(kind, resolved);
  if (!link) return NOT_FOUND;
  if (kind === 'opened') return t.openNow(link, visitOf(method, headers)) ? PIXEL : undefined;
  const location = t.visitNow(link, kind, visitOf(method, headers));
  return location === undefined ? undefined : location === null ? UNUSABLE : redirectTo(location);
}

/** The link if it serves this kind of visit (a pixel for an open, a link to a destination for a click or a scan). */
function servable(kind: VisitKind, link: LinkTarget | null): LinkTarget | null {
  if (!link) return null;
  if (kind === 'opened') return link.kind === 'pixel' ? link : null;
  return link.kind === 'link' && link.url ? link : null;
}

function redirectTo(location: string): Answer {
  const body = `Redirecting to ${location}`;
  return {
    status: 302,
    headers: { ...NO_CACHE_HEADERS, location, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) },
    body,
  };
}

const KIND_BY_LETTER: Record<string, VisitKind> = { l: 'clicked', q: 'scanned', o: 'opened' };

/**
 * The tracking URLs straight from node:http (see FastPath): the same answers as the routes below without Fastify's
 * per-request cost, which is most of a redirect's CPU. Anything it does not recognise exactly (another method, a
 * percent-encoded token, an /o/ URL with more path) goes on to the router, which answers as before.
 */
export function trackingFastPath(t: Tracking): FastPath {
  return (req, res) => {
    const url = req.url;
    if (!url || url.length < 4 || url.charCodeAt(0) !== 47 || url.charCodeAt(2) !== 47) return false;
    const kind = KIND_BY_LETTER[url[1]];
    if (!kind || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    let end = url.length;
    for (let i = 3; i < url.length; i++) {
      const c = url.charCodeAt(i);
      if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
        end = i;
        break;
      }
    }
    let token = url.slice(3, end);
    if (kind === 'opened') {
      if (url.charCodeAt(end) === 47) return false;
      if (token.endsWith('.gif')) token = token.slice(0, -4);
    }
    if (token === '' || token.includes('%')) return false;
    const method = req.method;
    if (!isWellFormedToken(token)) {
      writeAnswer(res, method, url, NOT_FOUND);
      return true;
    }
    // A token in memory is answered in this call unless the visit must wait; otherwise the paths that await.
    let cached: LinkTarget | null | undefined;
    let now: Answer | undefined;
    try {
      cached = t.lookup(token);
      if (cached !== undefined) now = answerLinkNow(t, kind, cached, method, req.headers);
    } catch (err) {
      failVisit(res, method, url, err);
      return true;
    }
    if (now !== undefined) {
      writeAnswer(res, method, url, now);
      return true;
    }
    const later = cached === undefined ? answerVisit(t, kind, token, method, req.headers) : answerLink(t, kind, cached, method, req.headers);
    // Returned, so that whatever escapes is answered 500 by the server (see FastPath).
    return later.then((a) => writeAnswer(res, method, url, a), (err: unknown) => failVisit(res, method, url, err));
  };
}

function failVisit(res: ServerResponse, method: string, url: string, err: unknown): void {
  process.stderr.write(`[tracking] ${method} ${url.split('?')[0]} failed: ${(err as Error).stack ?? String(err)}\n`);
  if (res.headersSent) return void res.destroy();
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Mesure could not answer this link just now; please try again.');
}

/**
 * Writes an answer; never throws. A header Node refuses (ERR_INVALID_CHAR) cannot come from a stored destination any
 * more (they are canonical ASCII), but if one ever did it would end the process from here: answer 500 instead.
 */
function writeAnswer(res: ServerResponse, method: string, url: string, a: Answer): void {
  try {
    res.writeHead(a.status, a.headers);
  } catch (err) {
    failVisit(res, method, url, err);
    return;
  }
  res.end(method === 'HEAD' ? undefined : a.body);
}

function send(reply: FastifyReply, method: string, a: Answer) {
  return reply.code(a.status).headers(a.headers).send(method === 'HEAD' ? undefined : a.body);
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
    // Checked in code (tracking/qr.ts publicBase) for a message that says what is wrong; null: the server's address.
    publicUrl: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
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
const campaignParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;

export async function trackingRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const t = deps.tracking;

  // ------------------------------------------------------------------ public: redirects and pixel
  // Served by the fast path on a listening server; these routes answer the same for app.inject() and for the
  // requests the fast path passes on.
  const fastPath = trackingFastPath(t);
  const visit = (kind: VisitKind, param: 'token' | 'file') => async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = (req.params as Record<string, string>)[param];
    const token = kind === 'opened' ? raw.replace(/\.gif$/, '') : raw;
    return send(reply, req.method, await answerVisit(t, kind, token, req.method, req.headers));
  };
  for (const [path, kind] of [['/l/', 'clicked'], ['/q/', 'scanned']] as const) {
    app.route({ method: ['GET', 'HEAD'], url: `${path}:token`, config: { fastPath }, handler: visit(kind, 'token') });
    app.route({ method: ['GET', 'HEAD'], url: `${path}:token/*`, config: { fastPath }, handler: visit(kind, 'token') });
  }
  app.route({ method: ['GET', 'HEAD'], url: '/o/:file', config: { fastPath }, handler: visit('opened', 'file') });

  // ------------------------------------------------------------------ API
  const campaignId = (req: FastifyRequest) => (req.params as { id: string }).id;

  app.get('/v1/campaigns/:id/links', { schema: { summary: "A campaign's registered destinations", tags: ['tracking'], params: campaignParam, answers: { 200: schemaRef('Destinations') } } }, async (req) => {
    const accountId = accountOf(req);
    if (!(await deps.campaigns.get(accountId, campaignId(req)))) throw new HttpError(404, `No campaign ${campaignId(req)} in this account.`);
    return { destinations: await t.destinations(accountId, campaignId(req)) };
  });

  app.post('/v1/campaigns/:id/links', { schema: { summary: "Register a campaign's destination URLs (http(s) only, stored percent-encoded)", tags: ['tracking'], params: campaignParam, body: destinationsSchema } }, async (req, reply) => {
    const body = req.body as { destinations: string[] };
    const outcome = await t.registerDestinations(accountOf(req), campaignId(req), body.destinations);
    if (!outcome.ok) return sendOutcome(reply, outcome, 200, 'destinations');
    return reply.code(200).send({ destinations: outcome.value });
  });

  app.post('/v1/campaigns/:id/links/issue', { schema: { summary: 'Issue per-recipient tracked links, QR URL and open pixel', tags: ['tracking'], params: campaignParam, body: issueSchema } }, async (req, reply) => {
    const body = req.body as { messageIds?: string[]; all?: true; cursor?: string; limit?: number };
    return sendOutcome(reply, await t.issue(accountOf(req), campaignId(req), body), 200, 'messageIds');
  });

  app.post('/v1/campaigns/:id/qr', { schema: { summary: 'Per-recipient QR codes as data URLs, with a manifest (≤ 500 a page)', tags: ['tracking'], params: campaignParam, body: qrSchema } }, async (req, reply) => {
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
    return sendOutcome(reply, await t.rewrite(accountOf(req), body), 200, 'links');
  });

  app.delete('/v1/links/:token', { config: { audit: { action: 'link.revoke' } }, schema: { summary: 'Revoke a tracked link (its URL answers 404 from now on)', tags: ['tracking'], params: tokenParam } }, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    if (!isWellFormedToken(token)) throw new HttpError(404, `No tracked link ${String(token).slice(0, 40)} in this account.`);
    const r = await t.revoke(accountOf(req), token);
    if (r === 'unknown') throw new HttpError(404, `No tracked link ${token} in this account.`);
    return reply.code(200).send({ token, revoked: true, alreadyRevoked: r === 'already' });
  });

  app.get('/v1/tracking/settings', { schema: { summary: "The account's tracking settings (UTM, click id parameter, bot thresholds, public address of links and QR codes)", tags: ['tracking'], answers: { 200: schemaRef('TrackingSettings') } } }, async (req) => t.settingsOf(accountOf(req)));

  app.patch('/v1/tracking/settings', { config: { audit: { action: 'tracking_settings.update', before: async (req) => (await t.settingsOf(accountOf(req))) as never } }, schema: { summary: 'Change tracking settings', tags: ['tracking'], body: settingsSchema, answers: { 200: schemaRef('TrackingSettings') } } }, async (req, reply) =>
    sendOutcome(reply, await t.updateSettings(accountOf(req), req.body as never), 200, 'settings'),
  );

  // Visits still in memory are stored before the database closes.
  app.addHook('onClose', async () => {
    await t.persist();
  });
}
