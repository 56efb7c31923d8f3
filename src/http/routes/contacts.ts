// One person's data over HTTP (issue #17): find a contact by an identifier, export everything held on them, erase them
// (by contact id or by identifier). Erasure is recorded in the audit trail by the service, in its own transaction,
// with counts only (never the identifiers): the routes declare no `audit` spec.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { sendError } from '../errors';
import { pageQuery } from '../schemas';
import { schemaRef } from '../responses';
import { actorOf } from './audit';
import type { Contacts, ContactsOutcome, ErasureTarget } from '../../services/contacts';
import type { ContactPages } from '../../services/contactPage';

declare module '../app' {
  interface Deps {
    contacts: Contacts;
    contactPages: ContactPages;
  }
}

const contactId = { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', pattern: '^ct_[0-9A-Za-z_-]{1,60}$' } } } as const;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const eraseBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    email: text(320),
    phone: text(40),
    externalId: text(200),
    address: {
      type: 'object', additionalProperties: false, required: ['line1', 'postalCode', 'city'],
      properties: { name: text(200), line1: text(200), line2: text(200), postalCode: text(20), city: text(100), country: text(60) },
    },
  },
} as const;

function send<T>(reply: FastifyReply, out: ContactsOutcome<T>) {
  if (out.ok) return reply.send(out.value);
  return sendError(reply, out.status, out.message, out.field ? [{ path: `/${out.field}`, message: out.message }] : []);
}

export async function contactRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/v1/contacts', {
    schema: {
      summary: 'Contacts with exactly this e-mail, phone, external id or postal address key (without q: every contact, by id)',
      description: '`q` is normalised as contacts are stored (lower-case e-mail, E.164 phone in any written form, address key LINE1|…|POSTCODE|CITY|COUNTRY) and matched exactly, never as a substring.',
      tags: ['contacts'],
      querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, q: text(320) } },
      answers: { 200: schemaRef('ContactPage') },
    },
  }, async (req) => {
    const q = req.query as { q?: string; limit: number; cursor?: string };
    return deps.contacts.search(accountOf(req), q.q, { cursor: q.cursor, limit: q.limit });
  });

  app.get('/v1/contacts/:id', {
    schema: {
      summary: 'One contact: identifiers, opt-outs per channel and why, suppression entries, lifetime orders and revenue, first and last engagement, messages per channel',
      description: 'Money in minor units of the account currency; credited revenue under the account\'s attribution model. 404 for a contact of another account, or erased.',
      tags: ['contacts'],
      params: contactId,
      answers: { 200: schemaRef('ContactDetail') },
    },
  }, async (req, reply) => send(reply, await deps.contactPages.detail(accountOf(req), (req.params as { id: string }).id)));

  app.get('/v1/contacts/:id/timeline', {
    schema: {
      summary: "One contact's timeline across channels, newest first: messages, clicks, scans, replies, opt-outs, orders with each campaign's credit",
      description: 'Ordered by time, then order before event before message at the same instant, then id: a stable order, paged by `cursor`.',
      tags: ['contacts'],
      params: contactId,
      querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
      answers: { 200: schemaRef('ContactTimeline') },
    },
  }, async (req, reply) => {
    const q = req.query as { limit: number; cursor?: string };
    return send(reply, await deps.contactPages.timeline(accountOf(req), (req.params as { id: string }).id, { cursor: q.cursor, limit: q.limit }));
  });

  app.get('/v1/contacts/:id/export', {
    schema: {
      summary: "Everything Mesure holds on one contact (JSON): identifiers, opt-outs, suppressions, messages and their events, visits, orders and their credits",
      tags: ['contacts'],
      params: contactId,
      answers: { 200: schemaRef('ContactExport') },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const out = await deps.contacts.export(accountOf(req), id);
    if (out.ok) reply.header('content-disposition', `attachment; filename="${id}.json"`);
    return send(reply, out);
  });

  const erase = async (accountId: string, target: ErasureTarget, req: Parameters<typeof actorOf>[0], ip: string, reply: FastifyReply) =>
    send(reply, await deps.contacts.erase(accountId, target, actorOf(req), ip));

  app.delete('/v1/contacts/:id', {
    schema: {
      summary: 'Erase a contact: identifiers removed everywhere, figures unchanged, kept on the suppression list as a one-way hash',
      tags: ['contacts'],
      params: contactId,
      answers: { 200: schemaRef('ErasureSummary') },
    },
  }, async (req, reply) => erase(accountOf(req), { contactId: (req.params as { id: string }).id }, req.principal!, req.ip, reply));

  app.post('/v1/contacts/erase', {
    schema: {
      summary: 'Erase whoever an e-mail, phone, external id or postal address names (with or without a contact)',
      tags: ['contacts'],
      body: eraseBody,
      answers: { 200: schemaRef('ErasureSummary') },
    },
  }, async (req, reply) => erase(accountOf(req), req.body as ErasureTarget, req.principal!, req.ip, reply));
}
