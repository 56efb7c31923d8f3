// The audit trail over HTTP: GET /v1/audit (owners), and the one hook that records every successful change made
// through a route that declares an action (`config: { audit: { action: 'key.create' } }`). The entry is written after
// the change commits and before the answer leaves, so a caller never sees a 2xx whose entry was not attempted; the
// changes are made by a dozen services, each in its own transaction, which this hook does not reach into (a crash
// between the two writes loses the entry, not the change). Sessions (password, log out everywhere) record theirs in
// the same transaction as the change (src/services/sessions.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps, Principal } from '../app';
import { accountOf } from '../app';
import { HttpError } from '../errors';
import { isoTime, pageQuery } from '../schemas';
import { schemaRef } from '../responses';
import { fieldChanges, redact, type Details } from '../../domain/audit';
import type { Actor, AuditTrail } from '../../services/audit';

declare module '../app' {
  interface Deps {
    audit: AuditTrail;
  }
}

/** What a route records when it answers 2xx. */
export interface AuditSpec {
  /** `thing.verb`, listed in docs/SECURITY.md. */
  action: string;
  /**
   * Reads what the change is about to replace: the details are then `{field: {from, to}}` for the body's fields that
   * change, instead of the body. Called after validation and authorization, before the handler.
   */
  before?: (req: FastifyRequest) => Promise<Details | null | undefined>;
  /** Body fields never recorded (a recipient's address: the audit trail keeps no one's personal data). */
  omit?: readonly string[];
  /** The details from the request and the parsed answer, instead of the body (a CSV import: its counts). */
  details?: (req: FastifyRequest, answer: unknown) => Details;
  /** The id of what was acted on, when it is not a path parameter (a created thing: from the answer). */
  target?: (req: FastifyRequest, answer: unknown) => string | null | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Successful requests to this route are recorded in the audit trail (see src/http/routes/audit.ts). */
    audit?: AuditSpec;
  }
  interface FastifyRequest {
    auditBefore?: Details | null;
  }
}

/** The actor of an authenticated request: its user or its API key. */
export function actorOf(p: Principal): Actor {
  if (p.via === 'key') return { type: 'key', id: p.keyId ?? 'key', name: p.keyName ?? '' };
  return { type: 'user', id: p.userId ?? 'user', name: p.email ?? '' };
}

/** A body worth recording: plain JSON data (a streamed CSV or a buffer is not). */
function plainBody(body: unknown): Details | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  if (Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') return null;
  return body as Details;
}

function parsedAnswer(payload: unknown): unknown {
  if (typeof payload !== 'string' || payload.length > 1_000_000) return undefined;
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

const TARGET_PARAMS = ['id', 'provider', 'token'] as const;

/** The details and target of a successful request, as the route's spec says. */
function entryOf(spec: AuditSpec, req: FastifyRequest, payload: unknown): { target: string | null; details: Details } {
  const params = { ...((req.params ?? {}) as Record<string, string>) };
  let target: string | null = null;
  for (const k of TARGET_PARAMS) {
    if (typeof params[k] === 'string') {
      target = params[k];
      delete params[k];
      break;
    }
  }
  const answer = spec.details || spec.target || target === null ? parsedAnswer(payload) : undefined;
  if (target === null) {
    const fromAnswer = spec.target ? spec.target(req, answer) : (answer as { id?: unknown } | undefined)?.id;
    target = typeof fromAnswer === 'string' ? fromAnswer : null;
  }
  let details: Details;
  if (spec.details) details = spec.details(req, answer);
  else {
    const body = plainBody(req.body) ?? {};
    const query = plainBody(req.query) ?? {};
    const input = redact({ ...params, ...query, ...body }, spec.omit) as Details;
    details = req.auditBefore ? fieldChanges(redact(req.auditBefore, spec.omit) as Details, input) : input;
  }
  return { target, details };
}

const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQuery,
    cursor: { type: 'string', pattern: '^aud_[0-9a-z]{19}$' },
    action: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z_]+(\\.[a-z_]*)?$' },
    actor: { type: 'string', minLength: 1, maxLength: 320 },
    since: isoTime,
    until: isoTime,
  },
} as const;

export async function auditRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.addHook('preHandler', async (req) => {
    const spec = req.routeOptions.config?.audit;
    if (spec?.before && req.principal) req.auditBefore = (await spec.before(req)) ?? null;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const spec = req.routeOptions.config?.audit;
    // Only what was done: a 4xx or 5xx changed nothing (every endpoint refuses before it writes), and only in the
    // account the request was authenticated for.
    if (!spec || !req.principal || reply.statusCode < 200 || reply.statusCode > 299) return payload;
    try {
      const { target, details } = entryOf(spec, req, payload);
      await deps.audit.record({ accountId: req.principal.accountId, actor: actorOf(req.principal), action: spec.action, target, details, ip: req.ip });
    } catch (err) {
      // The change is made and committed: answering 500 would invite a retry of something already done.
      process.stderr.write(`[audit] could not record ${spec.action} in ${req.principal.accountId}: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    return payload;
  });

  app.get('/v1/audit', {
    schema: {
      summary: 'The audit trail: who changed what and when, newest first',
      description: 'Filters: `action` (exact, or a prefix ending in "." such as `key.`), `actor` (a user or key id, an e-mail or a key name), `since` (inclusive) and `until` (exclusive) as ISO date-times.',
      tags: ['settings'],
      querystring: auditQuery,
      answers: { 200: schemaRef('AuditPage') },
    },
  }, async (req) => {
    const q = req.query as { limit: number; cursor?: string; action?: string; actor?: string; since?: string; until?: string };
    if (q.since && q.until && Date.parse(q.since) >= Date.parse(q.until)) {
      throw new HttpError(400, `since (${q.since}) must be before until (${q.until}).`, [{ path: '/since', message: 'not before until' }]);
    }
    return deps.audit.list(accountOf(req), q);
  });
}
