// Settings the dashboard changes: the account (name, currency, time zone, default country, revenue basis), API keys
// (created and shown once, revoked), members with their roles and invitations of people who already have a login.
// Owners only, except reading the account.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendError } from '../errors';
import { isValidTimeZone, ROLES, toAccount, type Account, type Role } from '../../services/accounts';
import type { Outcome } from '../../services/ingest';
import { schemaRef } from '../responses';

const idParam = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;

const accountPutSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    timeZone: { type: 'string', minLength: 1, maxLength: 100 },
    defaultCountry: { anyOf: [{ type: 'string', pattern: '^[A-Z]{2}$' }, { type: 'null' }] },
    revenueBasis: { type: 'string', enum: ['net', 'gross'] },
  },
} as const;

const keyCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, role: { type: 'string', enum: [...ROLES] } },
} as const;

const userCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password', 'role'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 320 },
    password: { type: 'string', minLength: 8, maxLength: 1000 },
    role: { type: 'string', enum: [...ROLES] },
  },
} as const;

const userPatchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: { role: { type: 'string', enum: [...ROLES] } },
} as const;

/** The account as GET /v1/account shows it, with the revenue basis lifted out of the settings. */
export function accountBody(a: Account) {
  return {
    id: a.id, name: a.name, currency: a.currency, timeZone: a.timeZone, defaultCountry: a.defaultCountry, suspended: a.suspended,
    revenueBasis: a.settings.revenueBasis ?? 'net', settings: a.settings,
  };
}

/** A service outcome about one body: its field errors are paths into that body. */
function send<T>(reply: FastifyReply, outcome: Outcome<T>, okStatus = 200) {
  if (outcome.ok) return outcome.value === null ? reply.code(204).send() : reply.code(okStatus).send(outcome.value);
  return sendError(reply, outcome.status, outcome.message, outcome.errors.map((e) => ({ path: `/${e.field}`, message: e.message })));
}

export async function settingsRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  // ------------------------------------------------------------------ account
  app.put('/v1/account', { config: { audit: { action: 'account.update', before: async (req) => { const a = await deps.accounts.get(accountOf(req)); return a ? accountBody(toAccount(a)) : null; } } }, schema: { summary: "Change the account's name, currency, time zone, default country or revenue basis", tags: ['settings'], body: accountPutSchema } }, async (req) => {
    const b = req.body as { name?: string; currency?: string; timeZone?: string; defaultCountry?: string | null; revenueBasis?: 'net' | 'gross' };
    if (b.timeZone !== undefined && !isValidTimeZone(b.timeZone)) {
      throw new HttpError(400, `Unknown time zone "${b.timeZone}": use an IANA name such as Europe/Paris or America/New_York.`, [{ path: '/timeZone', message: 'not an IANA time zone' }]);
    }
    const { revenueBasis, ...rest } = b;
    const accountId = accountOf(req);
    // The revenue basis changes what every credited order is worth: when the orders area is running, it stores the
    // basis and credits the orders again; otherwise there is nothing credited yet and the setting is stored here.
    const orders = (deps as { orders?: { updateSettings(accountId: string, patch: { revenueBasis: 'net' | 'gross' }): Promise<unknown> } }).orders;
    let a = await deps.accounts.update(accountId, { ...rest, ...(revenueBasis && !orders ? { settings: { revenueBasis } } : {}) });
    if (!a) throw new HttpError(404, 'This account no longer exists.');
    if (revenueBasis && orders && (a.settings.revenueBasis ?? 'net') !== revenueBasis) {
      await orders.updateSettings(accountId, { revenueBasis });
      a = (await deps.accounts.update(accountId, {}))!;
    }
    // The attribution engine keeps each account's settings (time zone, basis) between batches: reload them.
    (deps as { attribution?: { invalidate(accountId: string): void } }).attribution?.invalidate(a.id);
    return accountBody(a);
  });

  // ------------------------------------------------------------------ API keys
  app.get('/v1/keys', { schema: { summary: "The account's API keys (never their secrets)", tags: ['settings'], answers: { 200: schemaRef('ApiKeyList') } } }, async (req) => {
    const accountId = accountOf(req);
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const items = (await deps.accounts.listKeys(accountId)).map((k) => ({
      id: k.id, name: k.name, role: k.role, prefix: `mesure_${accountId}_${k.id}`,
      createdAt: iso(k.createdAt), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt),
    }));
    return { items, nextCursor: null };
  });

  app.post('/v1/keys', { config: { audit: { action: 'key.create' } }, schema: { summary: 'Create an API key; the key is in this answer only', tags: ['settings'], body: keyCreateSchema, answers: { 201: schemaRef('CreatedApiKey') } } }, async (req, reply) => {
    const b = req.body as { name: string; role?: Role };
    const k = await deps.accounts.createKey(accountOf(req), b.name, b.role ?? 'owner');
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ id: k.id, name: b.name, role: b.role ?? 'owner', key: k.token });
  });

  app.delete('/v1/keys/:id', { config: { audit: { action: 'key.revoke' } }, schema: { summary: 'Revoke an API key', tags: ['settings'], params: idParam } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    if (!(await deps.accounts.revokeKey(accountOf(req), id))) throw new HttpError(404, `No active key ${id} in this account.`);
    return reply.code(204).send();
  });

  // ------------------------------------------------------------------ members
  app.get('/v1/users', { schema: { summary: "The account's dashboard users and their roles", tags: ['settings'], answers: { 200: schemaRef('MemberList') } } }, async (req) => ({
    items: await deps.sessions.members(accountOf(req)),
    nextCursor: null,
  }));

  app.post('/v1/users', { config: { audit: { action: 'user.add', target: (_req, answer) => { const a = answer as { id?: string; invitation?: { id?: string } } | undefined; return a?.id ?? a?.invitation?.id; } } }, schema: { summary: 'Add a dashboard user (201), or invite a person who already has a login (202)', tags: ['settings'], body: userCreateSchema } }, async (req, reply) => {
    const b = req.body as { email: string; password: string; role: Role };
    const r = await deps.sessions.addMember(accountOf(req), b.email, b.password, b.role, deps.publicUrl);
    if (!r.ok) return send(reply, r);
    if ('member' in r.value) return reply.code(201).send(r.value.member);
    // The invitation token is in this answer only.
    reply.header('cache-control', 'no-store');
    return reply.code(202).send(r.value);
  });

  app.get('/v1/invitations', { schema: { summary: "The account's pending invitations (never their tokens)", tags: ['settings'], answers: { 200: schemaRef('InvitationList') } } }, async (req) => ({
    items: await deps.sessions.invitations(accountOf(req)),
    nextCursor: null,
  }));

  app.delete('/v1/invitations/:id', { config: { audit: { action: 'invitation.revoke' } }, schema: { summary: 'Revoke a pending invitation (its token stops working)', tags: ['settings'], params: idParam } }, async (req, reply) => {
    return send(reply, await deps.sessions.revokeInvitation(accountOf(req), (req.params as { id: string }).id));
  });

  app.patch('/v1/users/:id', { config: { audit: { action: 'user.role_change', before: async (req) => (await deps.sessions.members(accountOf(req))).find((m) => m.id === (req.params as { id: string }).id) as never } }, schema: { summary: "Change a user's role (the last owner stays owner)", tags: ['settings'], params: idParam, body: userPatchSchema } }, async (req, reply) => {
    return send(reply, await deps.sessions.setRole(accountOf(req), (req.params as { id: string }).id, (req.body as { role: Role }).role));
  });

  app.delete('/v1/users/:id', { config: { audit: { action: 'user.remove' } }, schema: { summary: 'Remove a user from the account (never the last owner)', tags: ['settings'], params: idParam } }, async (req, reply) => {
    return send(reply, await deps.sessions.removeMember(accountOf(req), (req.params as { id: string }).id));
  });
}
