// Dashboard session routes (/auth/login, /auth/me, /auth/logout, /auth/account to switch account,
// /auth/invitations/accept) and the resolver that turns the session cookie into a principal for /v1 routes, with the
// CSRF check on unsafe methods.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps, SessionResolver } from '../app';
import { HttpError, sendError } from '../errors';
import { csrfMatches, SESSION_TTL_MS, type ResolvedSession, type SessionOutcome, type Sessions } from '../../services/sessions';
import { schemaRef } from '../responses';

declare module '../app' {
  interface Deps {
    sessions: Sessions;
  }
}

export const SESSION_COOKIE = 'mesure_session';

// The session id is base64url (no character needs escaping), and it is read in the /v1 authentication hook,
// which runs before any plugin's hook: a few lines here rather than a cookie plugin.
function readCookie(header: string, name: string): string | null {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionToken(req: FastifyRequest): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  return readCookie(header, SESSION_COOKIE);
}

/**
 * Session cookie → principal; an unsafe method also needs the session's CSRF token in X-CSRF-Token, and a request
 * naming the account it expects (X-Mesure-Account, sent by the dashboard) must match the session's account.
 */
export function sessionResolver(sessions: Sessions): SessionResolver {
  return async (req) => {
    const token = sessionToken(req);
    if (!token) return null;
    const s = await sessions.resolve(token);
    if (!s) return null;
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(s.csrfToken, req.headers['x-csrf-token'] as string | undefined)) {
      throw new HttpError(403, 'Missing or wrong X-CSRF-Token header: send the csrfToken returned by /auth/login or /auth/me with every change made with the session cookie.');
    }
    // The session's account changes when the person switches, in any tab: a page still showing the previous account
    // names it, and is refused rather than shown (or allowed to change) the other account's data under its header.
    const expected = req.headers['x-mesure-account'];
    if (typeof expected === 'string' && expected !== s.accountId) {
      throw new HttpError(409, `This session now opens another account (switched in another tab or window), not ${expected.slice(0, 100)}: reload the page.`);
    }
    return { accountId: s.accountId, role: s.user.role, via: 'session', userId: s.user.id, email: s.user.email };
  };
}

const loginSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 320 },
    password: { type: 'string', minLength: 1, maxLength: 1000 },
    /** An invitation token to accept in the same step (opens its account). */
    invitation: { type: 'string', minLength: 1, maxLength: 300 },
  },
} as const;

const switchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['accountId'],
  properties: { accountId: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const acceptSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: { token: { type: 'string', minLength: 1, maxLength: 300 } },
} as const;

const passwordSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['currentPassword', 'newPassword'],
  properties: {
    currentPassword: { type: 'string', minLength: 1, maxLength: 1000 },
    newPassword: { type: 'string', minLength: 8, maxLength: 1000 },
  },
} as const;

export async function sessionRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const secure = deps.publicUrl.startsWith('https://');
  const setCookie = (reply: FastifyReply, value: string, maxAgeMs: number) =>
    reply.header('set-cookie', sessionCookie(value, Math.floor(maxAgeMs / 1000), secure));

  app.post('/auth/login', { schema: { summary: 'Log in to the dashboard (sets the session cookie)', tags: ['session'], body: loginSchema, answers: { 200: schemaRef('Session') } } }, async (req, reply) => {
    const { email, password, invitation } = req.body as { email: string; password: string; invitation?: string };
    const r = await deps.sessions.login(email, password, req.ip, invitation);
    if (!r.ok) {
      if (r.retryAfter) reply.header('retry-after', String(r.retryAfter));
      return sendError(reply, r.status, r.message);
    }
    setCookie(reply, r.token, SESSION_TTL_MS);
    reply.header('cache-control', 'no-store');
    return r.view;
  });

  app.get('/auth/me', { schema: { summary: 'The logged-in person, the open account, every account they may open, and the CSRF token', tags: ['session'], answers: { 200: schemaRef('Session') } } }, async (req, reply) => {
    const token = sessionToken(req);
    const s = token ? await deps.sessions.resolve(token) : null;
    if (!s) return sendError(reply, 401, 'Not logged in.');
    reply.header('cache-control', 'no-store');
    return deps.sessions.view(s);
  });

  /** The session of a change made with the cookie: logged in, and the CSRF token in X-CSRF-Token. */
  const changingSession = async (req: FastifyRequest, reply: FastifyReply): Promise<ResolvedSession | null> => {
    const token = sessionToken(req);
    const s = token ? await deps.sessions.resolve(token) : null;
    if (!s) {
      sendError(reply, 401, 'Not logged in: log in with your own email and password first.');
      return null;
    }
    if (!csrfMatches(s.csrfToken, req.headers['x-csrf-token'] as string | undefined)) {
      sendError(reply, 403, 'Missing or wrong X-CSRF-Token header: send the csrfToken returned by /auth/login or /auth/me.');
      return null;
    }
    return s;
  };
  const answer = (reply: FastifyReply, r: SessionOutcome) => {
    if (!r.ok) return sendError(reply, r.status, r.message);
    reply.header('cache-control', 'no-store');
    return r.value;
  };

  app.post('/auth/account', { schema: { summary: 'Open another account of the logged-in person in this session', tags: ['session'], body: switchSchema } }, async (req, reply) => {
    const s = await changingSession(req, reply);
    if (!s) return reply;
    return answer(reply, await deps.sessions.switchAccount(s, (req.body as { accountId: string }).accountId));
  });

  app.post('/auth/invitations/accept', { schema: { summary: 'Accept an invitation to an account as the logged-in person; opens that account', tags: ['session'], body: acceptSchema } }, async (req, reply) => {
    const s = await changingSession(req, reply);
    if (!s) return reply;
    return answer(reply, await deps.sessions.acceptInvitation(s, (req.body as { token: string }).token));
  });

  app.post('/auth/password', { schema: { summary: 'Change your password (give the current one); ends your other sessions, keeps this one', tags: ['session'], body: passwordSchema, answers: { 200: schemaRef('SessionsEnded') } } }, async (req, reply) => {
    const s = await changingSession(req, reply);
    if (!s) return reply;
    const b = req.body as { currentPassword: string; newPassword: string };
    const r = await deps.sessions.changePassword(s, b.currentPassword, b.newPassword, req.ip);
    if (!r.ok) {
      if (r.retryAfter) reply.header('retry-after', String(r.retryAfter));
      return sendError(reply, r.status, r.message, r.field ? [{ path: `/${r.field}`, message: r.message }] : []);
    }
    reply.header('cache-control', 'no-store');
    return r.value;
  });

  app.post('/auth/logout-all', { schema: { summary: 'Log out everywhere: ends every session of yours, this one included', tags: ['session'], answers: { 200: schemaRef('SessionsEnded') } } }, async (req, reply) => {
    const s = await changingSession(req, reply);
    if (!s) return reply;
    const r = await deps.sessions.logoutEverywhere(s, req.ip);
    setCookie(reply, '', 0);
    reply.header('cache-control', 'no-store');
    return r;
  });

  app.post('/auth/logout', { schema: { summary: 'Log out (ends the session)', tags: ['session'] } }, async (req, reply) => {
    const token = sessionToken(req);
    const s = token ? await deps.sessions.resolve(token) : null;
    if (s && !csrfMatches(s.csrfToken, req.headers['x-csrf-token'] as string | undefined)) {
      return sendError(reply, 403, 'Missing or wrong X-CSRF-Token header.');
    }
    if (token) await deps.sessions.logout(token);
    setCookie(reply, '', 0);
    return reply.code(204).send();
  });
}
