// buildApp(deps): the Fastify application with every route, never listening (tests call app.inject()).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Config } from '../config';
import type { Db } from '../store/db';
import type { AccountDirectory, Role } from '../services/accounts';
import type { Ingestor } from '../services/ingest';
import type { Campaigns } from '../services/campaigns';
import type { Writer } from '../services/writer';
import { errorHandler, HttpError } from './errors';
import { badStringMessage, findBadString } from './guards';
import { coreRoutes } from './routes/core';
import { openApiDocument, type RouteDoc } from './openapi';
import { accessOf, allows, GUARDED_PREFIXES, routeKey, type Access } from './roles';
import { checkReadiness } from '../services/readiness';

/**
 * What routes can reach. Product areas add their services to this interface from their own files with
 * `declare module '../http/app' { interface Deps { tracking: Tracking } }` and set them in main.ts.
 */
export interface Deps {
  config: Config;
  db: Db;
  accounts: AccountDirectory;
  ingestor: Ingestor;
  campaigns: Campaigns;
  writer: Writer;
  publicUrl: string;
  bodyLimitBytes?: number;
  logger?: boolean;
  clock: () => number;
  /**
   * Resolves once the account's acknowledged API events are applied to its messages (the SQLite ingestion worker
   * applies them moments after it answers): every authenticated request but the ingestion itself waits for it, so a
   * read after a write sees the write. Unset where events are applied before the answer.
   */
  readBarrier?: (accountId: string) => Promise<void>;
  /** Request timings for GET /metrics (MESURE_METRICS=1); unset: nothing is measured. */
  metrics?: HttpMetrics;
}

/** Where answered requests are reported: by route template (undefined when no route matched), never the raw path. */
export interface HttpMetrics {
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void;
}

/** A route with a fast path, as the server's route table keeps it. */
interface FastRoute {
  route: string;
  fastPath: FastPath;
}

/**
 * A route's own handler straight from node:http, before Fastify sees the request, attached to the route with
 * `config: { fastPath }`. Only for the public hot paths (tracking redirects and pixel, provider webhooks), where
 * Fastify's per-request machinery (hooks, reply serialisation) costs several times the work itself. The server hands
 * it a request only when the route Fastify would choose for the URL is the one it is attached to (see `buildApp`), with
 * that route's path parameters. It answers false to pass the request on to Fastify, true when it took it, or a promise
 * when it took it and answers later. Such a request gets no Fastify hook, log line or error handler: whatever it throws,
 * at once or through its promise, the server answers 500 and logs. `app.inject()` does not go through the server: the
 * route's ordinary handler must give the same answers.
 */
export type FastPath = (req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>) => boolean | Promise<unknown>;

/** A product area's routes. */
export type RoutePlugin = (app: FastifyInstance, deps: Deps) => Promise<void> | void;

export interface Principal {
  accountId: string;
  role: Role;
  via: 'key' | 'session';
  userId?: string;
  /** The session's person (via 'session'), as the audit trail names them. */
  email?: string;
  /** The API key (via 'key'), as the audit trail names it. */
  keyId?: string;
  keyName?: string;
}

const UNICODE_ESCAPE = Buffer.from('\\u');

// ajv-formats is CommonJS: its default export arrives wrapped or not depending on the loader.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
  }
  interface FastifyRequest {
    principal?: Principal;
    rawBody?: Buffer;
    /** Set by the JSON body parser: whether the raw text holds a \u escape (see the NUL and surrogate guard). */
    jsonEscapes?: boolean;
  }
  interface FastifyContextConfig {
    /** Does not wait for the account's acknowledged events to be applied (see `Deps.readBarrier`): ingestion itself. */
    skipReadBarrier?: boolean;
    /** Answers this route's requests on a listening server before Fastify (see FastPath). */
    fastPath?: FastPath;
  }
}

function guarded(url: string): boolean {
  return GUARDED_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`));
}

/** Resolves a session cookie to a principal; provided by the dashboard's session plugin. */
export type SessionResolver = (req: FastifyRequest) => Promise<Principal | null>;

export async function buildApp(deps: Deps, plugins: RoutePlugin[] = [], opts: { sessionResolver?: SessionResolver } = {}): Promise<FastifyInstance> {
  // Every route as Fastify's router holds it (find-my-way with Fastify's default options, which are its own defaults;
  // no route here uses constraints), with its fast path or null: a URL lands on the route Fastify would choose, so
  // /webhooks/shopify/:accountId wins over /webhooks/:provider/:accountId, and only a fast path's own route reaches it.
  const routeTable = FindMyWay();
  const metrics = deps.metrics;
  // Set once the app starts closing (SIGTERM): answers on a kept-alive connection then close it, so that the server
  // stops once the requests in flight are answered rather than when clients choose to hang up.
  let closing = false;
  const app = Fastify({
    // The request log (MESURE_LOG=1) names the path, never the query string: a search there may hold a person's phone
    // number or the words of their reply (GET /v1/feedback?q=…). Bodies are never logged.
    logger: deps.logger ? { level: 'info', serializers: { req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url.split('?')[0] }) } } : false,
    bodyLimit: deps.bodyLimitBytes ?? 16 * 1024 * 1024,
    trustProxy: deps.config?.http.trustProxy ?? false,
    ajv: { customOptions: {} },
    // The server Fastify would create, with the fast paths in front of its handler (timeouts as Fastify sets them).
    serverFactory: (handler, options) => {
      const server = createServer((req, res) => {
        if (closing) res.setHeader('connection', 'close');
        const found = routeTable.find(req.method as HTTPMethod, req.url ?? '/');
        const fast = found?.store as FastRoute | null | undefined;
        if (fast) {
          // A request a fast path takes never reaches Fastify's hooks: it is timed here, by its route's template.
          const t0 = metrics ? performance.now() : 0;
          const observe = metrics ? () => metrics.observeRequest(req.method ?? '', fast.route, res.statusCode, (performance.now() - t0) / 1000) : undefined;
          if (observe) res.once('finish', observe);
          if (runFastPath(fast.fastPath, req, res, found!.params)) return;
          if (observe) res.removeListener('finish', observe);
        }
        handler(req, res);
      });
      const o = options as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
      server.requestTimeout = o.requestTimeout ?? 0;
      server.setTimeout(o.connectionTimeout ?? 0);
      return server;
    },
  });
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (!routeTable.hasRoute(method as HTTPMethod, r.url)) {
        const fastPath = r.config?.fastPath;
        routeTable.on(method as HTTPMethod, r.url, noRouteHandler, fastPath ? ({ route: r.url, fastPath } satisfies FastRoute) : null);
      }
    }
  });

  // Bodies are validated strictly (no type coercion, unknown properties refused); query strings and path
  // parameters are coerced from their string form.
  const bodyAjv = addFormats(new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false }));
  const queryAjv = addFormats(new Ajv({ allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyAjv.compile(schema) : queryAjv.compile(schema),
  );

  // Keep the raw bytes of JSON bodies: webhook signatures are computed over them.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    req.rawBody = buf;
    if (buf.length === 0) return done(null, undefined);
    // In JSON text a NUL or a lone surrogate can only be written as a \u escape (raw control characters are invalid
    // JSON, and bytes that are not UTF-8 decode to U+FFFD): without one, the guard need not walk the parsed body.
    req.jsonEscapes = buf.includes(UNICODE_ESCAPE);
    try {
      done(null, JSON.parse(buf.toString('utf8')));
    } catch (err) {
      const e = new HttpError(400, `Malformed JSON: ${(err as Error).message}`);
      done(e, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (req, body, done) => {
    req.rawBody = body as Buffer;
    done(null, Object.fromEntries(new URLSearchParams((body as Buffer).toString('utf8'))));
  });
  app.addContentTypeParser(['text/csv', 'text/plain', 'application/octet-stream'], (_req, payload, done) => done(null, payload));

  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  if (metrics) {
    // By the route's template as registered (`/v1/campaigns/:id`), never the path asked for; undefined for a 404 of
    // the router, which the metrics count under one label.
    app.addHook('onResponse', (req, reply, done) => {
      metrics.observeRequest(req.method, req.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}. The API is described at /openapi.json.`, details: [] }),
  );

  const routes: RouteDoc[] = [];
  app.addHook('onRoute', (r) => {
    if (guarded(r.url)) {
      for (const method of [r.method].flat()) {
        if (method !== 'HEAD') routes.push({ method, url: r.url, schema: r.schema as RouteDoc['schema'] });
        // A route nobody thought about the role of never starts: the table is the one place that says who may call it.
        if (accessOf(method, r.url) === undefined) {
          throw new Error(`The route ${routeKey(method, r.url)} has no line in src/http/roles.ts: add one with the lowest role that may call it.`);
        }
      }
    }
  });

  // Authentication and the role check, from the one table in roles.ts: a bearer API key, or the dashboard session
  // cookie. Routes outside /v1, /auth and /webhooks (tracking, the dashboard's files, /healthz) are public; a /v1 URL
  // with no route still needs a key before its 404, so strangers do not learn which routes exist.
  app.addHook('onRequest', async (req) => {
    const routeUrl = req.routeOptions.url;
    const listed = routeUrl === undefined ? undefined : accessOf(req.method, routeUrl);
    // No line (guarded routes always have one): a /v1 URL that lands on no API route (the 404, or the dashboard's
    // catch-all) needs a key; anything else is public.
    const needed: Access = listed ?? (req.url === '/v1' || req.url.startsWith('/v1/') || req.url.startsWith('/v1?') ? 'viewer' : 'public');
    if (needed === 'public') return;
    const header = req.headers.authorization;
    let principal: Principal | null = null;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const who = m ? await deps.accounts.authenticate(m[1]) : null;
      if (!who) throw new HttpError(401, 'The API key is missing, malformed or revoked. Send "Authorization: Bearer <key>" with a key from `mesure keys create`.');
      principal = { accountId: who.accountId, role: who.role, via: 'key', keyId: who.keyId, keyName: who.keyName };
    } else if (opts.sessionResolver) {
      principal = await opts.sessionResolver(req);
    }
    if (!principal) throw new HttpError(401, 'Authentication required: send "Authorization: Bearer <key>" (create one with `mesure keys create`).');
    if (!allows(principal.role, needed)) throw new HttpError(403, `This needs the ${needed} role; yours is ${principal.role}.`);
    req.principal = principal;
    if (deps.readBarrier && !req.routeOptions.config?.skipReadBarrier) await deps.readBarrier(principal.accountId);
  });

  // NUL and lone surrogates refused with 400 naming the field, on both engines (guards.ts). Provider webhooks are
  // signed by the provider and must not be lost for a stray character: their adapters replace them instead.
  app.addHook('preValidation', async (req) => {
    for (const where of ['params', 'querystring', 'body'] as const) {
      if (where === 'body' && (req.url.startsWith('/webhooks/') || req.jsonEscapes === false)) return;
      const bad = findBadString(where === 'params' ? req.params : where === 'querystring' ? req.query : req.body);
      if (bad) throw new HttpError(400, badStringMessage(where, bad), [bad]);
    }
  });

  // Probes for load balancers and monitors, public and outside the API like the dashboard: /healthz says the process
  // answers (no database), /readyz that it can serve (database, migrations, inbox; 503 naming what is wrong).
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const r = await checkReadiness(deps.db, deps.config.readiness, deps.clock);
    if (r.ok) return r;
    const wrong = Object.entries(r.checks).filter(([, c]) => !c.ok && !c.message?.startsWith('not checked')).map(([name, c]) => `${name}: ${c.message}`);
    return reply.code(503).send({ ...r, message: `Not ready: ${wrong.join('; ')}.` });
  });
  await coreRoutes(app, deps);
  for (const plugin of plugins) await plugin(app, deps);
  app.get('/openapi.json', async () => openApiDocument(routes, deps.publicUrl));
  return app;
}

// The table only says which route a URL lands on: its store holds the fast path, and Fastify runs the real handler.
function noRouteHandler(): void {}

/**
 * Runs a fast path. Whatever it throws, at once or through its promise, is logged and answered 500 (the socket is
 * closed instead when its answer had begun), so no request, however hostile, can end the process or hang.
 */
function runFastPath(fast: FastPath, req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>): boolean {
  let taken: boolean | Promise<unknown>;
  try {
    taken = fast(req, res, params);
  } catch (err) {
    failFastPath(req, res, err);
    return true;
  }
  if (typeof taken === 'boolean') return taken;
  taken.then(undefined, (err: unknown) => failFastPath(req, res, err));
  return true;
}

const FAST_PATH_FAILURE = JSON.stringify({
  error: 'internal',
  message: 'Something went wrong on our side; nothing was half-written (every write is one transaction). Retry, and check the server log if it persists.',
  details: [],
});

function failFastPath(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  // The URL is quoted: it is the caller's text and may hold line breaks.
  process.stderr.write(`[fast path] ${req.method} ${JSON.stringify((req.url ?? '').split('?')[0].slice(0, 300))} failed: ${(err as Error)?.stack ?? String(err)}\n`);
  try {
    if (res.headersSent || res.writableEnded) return void res.destroy();
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(FAST_PATH_FAILURE) });
    res.end(FAST_PATH_FAILURE);
  } catch {
    res.destroy();
  }
}

/** The authenticated account of a /v1 request. */
export function accountOf(req: FastifyRequest): string {
  if (!req.principal) throw new HttpError(401, 'Authentication required.');
  return req.principal.accountId;
}
