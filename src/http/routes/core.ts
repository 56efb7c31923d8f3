// Core routes: campaigns, message registration, events, figures and exports. Each one validates, authorizes,
// calls a service and answers: no business rule lives here.
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendError, sendOutcome, type Detail } from '../errors';
import {
  campaignCreateSchema, campaignPatchSchema, eventSchema, eventsBodySchema, messagesBodySchema, pageQuery, figuresPeriodQuerySchema,
} from '../schemas';
import { schemaRef } from '../responses';
import type { Channel, IncomingEvent, MessageRef } from '../../domain/types';
import type { RegisterItem } from '../../services/ingest';
import { todayIn } from '../../services/campaigns';
import { addDays, type RevenueDate } from '../../domain/kpis';
import { MESSAGE_STATUSES } from '../../domain/message';
import { campaignCsvChunks } from '../campaignCsv';
import { EARLIEST_AT, FUTURE_SLACK_MS } from '../../domain/bounds';

// The event window every path shares (webhooks drop what falls outside it): domain/bounds.ts.
const EARLIEST = EARLIEST_AT;

type ApiEvent = {
  type: IncomingEvent['type'];
  at: string;
  messageId?: string;
  provider?: string;
  providerMessageId?: string;
  campaignId?: string;
  recipient?: string;
} & Omit<Partial<IncomingEvent>, 'type' | 'at' | 'ref'>;

/** Fields of an API event that become the domain event's `ref` and `at` (or are set first, `type`). */
const NOT_COPIED = new Set(['type', 'at', 'messageId', 'providerMessageId', 'campaignId', 'recipient']);

/** Turns API events into domain events, collecting every problem with its item index and field. */
export function toIncomingEvents(items: ApiEvent[], now: number, listPath = '/events'): { events: IncomingEvent[]; details: Detail[] } {
  const details: Detail[] = [];
  const events: IncomingEvent[] = [];
  items.forEach((raw, i) => {
    const at = Date.parse(raw.at);
    const p = (f: string) => `${listPath}/${i}/${f}`;
    if (at < EARLIEST) details.push({ path: p('at'), message: `${raw.at} is before 2000-01-01: check the unit (seconds vs milliseconds) or the year` });
    else if (at > now + FUTURE_SLACK_MS) details.push({ path: p('at'), message: `${raw.at} is more than 24 hours in the future: check the clock and the time zone` });
    const forms = [raw.messageId !== undefined, raw.providerMessageId !== undefined, raw.campaignId !== undefined || raw.recipient !== undefined].filter(Boolean).length;
    let ref: MessageRef | null = null;
    if (forms !== 1) {
      details.push({ path: p('messageId'), message: 'name the message in exactly one way: messageId, or provider + providerMessageId, or campaignId + recipient' });
    } else if (raw.messageId !== undefined) ref = { kind: 'id', messageId: raw.messageId };
    else if (raw.providerMessageId !== undefined) {
      if (!raw.provider) details.push({ path: p('provider'), message: 'providerMessageId needs provider (e.g. "whatsapp", "twilio")' });
      else ref = { kind: 'provider', provider: raw.provider, providerMessageId: raw.providerMessageId };
    } else if (!raw.campaignId || !raw.recipient) {
      details.push({ path: p(raw.campaignId ? 'recipient' : 'campaignId'), message: 'campaignId and recipient go together' });
    } else ref = { kind: 'recipient', campaignId: raw.campaignId, recipient: raw.recipient };
    if (raw.type === 'clicked' && raw.url !== undefined && !/^https?:\/\//i.test(raw.url)) {
      details.push({ path: p('url'), message: 'url must be an http(s) URL' });
    }
    if (!ref) return;
    // Every other field as given. (Not `{ ...rest }` of an object rest: V8 builds those in dictionary mode, and reading
    // their fields afterwards cost microseconds per event; this object keeps a fast shape.)
    const e = { type: raw.type, at, ref } as IncomingEvent;
    for (const k of Object.keys(raw)) if (!NOT_COPIED.has(k)) (e as unknown as Record<string, unknown>)[k] = (raw as Record<string, unknown>)[k];
    if (raw.type === 'bounced' && !e.bounceType) e.bounceType = 'soft';
    if (raw.provider && raw.messageId !== undefined) e.provider = raw.provider;
    events.push(e);
  });
  return { events, details };
}

export async function coreRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const now = deps.clock;

  // ------------------------------------------------------------------ account
  app.get('/v1/account', { schema: { summary: 'The authenticated account', answers: { 200: schemaRef('AccountInfo') } } }, async (req) => {
    const a = (await deps.accounts.get(accountOf(req)))!;
    return { id: a.id, name: a.name, currency: a.currency, timeZone: a.time_zone, defaultCountry: a.default_country, suspended: a.suspended === 1, settings: JSON.parse(a.settings) };
  });

  // ------------------------------------------------------------------ campaigns
  /** A campaign's fixed cost has one place, its cost model (docs/BUDGETS.md): the old campaign field is refused. */
  const refuseFixedCost = (b: Record<string, unknown>) => {
    if (b.fixedCost === undefined) return;
    throw new HttpError(400, 'A campaign no longer takes fixedCost: set its fixed cost as fixedCostMinor in its cost model, PUT /v1/campaigns/{id}/cost-model { "fixedCostMinor": … } (or for every campaign in the account\'s, PUT /v1/cost-model).', [
      { path: '/fixedCost', message: 'set fixedCostMinor with PUT /v1/campaigns/{id}/cost-model instead' },
    ]);
  };
  app.post('/v1/campaigns', { config: { audit: { action: 'campaign.create' } }, schema: { summary: 'Create a campaign', body: campaignCreateSchema, answers: { 201: schemaRef('Campaign') } } }, async (req, reply) => {
    const b = req.body as Record<string, unknown> & { sendAt?: string | null; activatedAt?: string | null };
    refuseFixedCost(b);
    const c = await deps.campaigns.create(accountOf(req), {
      ...(b as object),
      sendAt: b.sendAt ? Date.parse(b.sendAt) : null,
      activatedAt: b.activatedAt ? Date.parse(b.activatedAt) : null,
    } as never);
    return reply.code(201).send(c);
  });

  app.patch('/v1/campaigns/:id', { config: { audit: { action: 'campaign.update', before: async (req) => (await deps.campaigns.get(accountOf(req), (req.params as { id: string }).id)) as never } }, schema: { summary: 'Update a campaign', body: campaignPatchSchema, answers: { 200: schemaRef('Campaign') } } }, async (req, reply) => {
    const b = req.body as Record<string, unknown> & { sendAt?: string | null; activatedAt?: string | null };
    refuseFixedCost(b);
    const patch = { ...(b as object) } as Record<string, unknown>;
    if (b.sendAt !== undefined) patch.sendAt = b.sendAt ? Date.parse(b.sendAt) : null;
    if (b.activatedAt !== undefined) patch.activatedAt = b.activatedAt ? Date.parse(b.activatedAt) : null;
    return sendOutcome(reply, await deps.campaigns.update(accountOf(req), (req.params as { id: string }).id, patch as never));
  });

  app.get(
    '/v1/campaigns',
    {
      schema: {
        summary: 'Campaigns with the figures of the home table',
        answers: { 200: schemaRef('CampaignList') },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQuery,
            channel: { type: 'string', enum: ['whatsapp', 'sms', 'email', 'mail'] },
            status: { type: 'string', maxLength: 60 },
            sort: { type: 'string', enum: ['sendAt', '-sendAt', 'sent', '-sent', 'openRate', '-openRate', 'revenue', '-revenue', 'roas', '-roas', 'name', '-name'] },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { limit: number; cursor?: string; channel?: Channel; status?: string; sort?: string };
      return deps.campaigns.list(accountOf(req), q);
    },
  );

  app.get('/v1/campaigns/:id', { schema: { summary: 'Everything the campaign page shows', answers: { 200: schemaRef('CampaignReport') } } }, async (req) => {
    const d = await deps.campaigns.detail(accountOf(req), (req.params as { id: string }).id);
    if (!d) throw new HttpError(404, `No campaign ${(req.params as { id: string }).id} in this account.`);
    return d;
  });

  app.get(
    '/v1/campaigns/:id/recipients',
    {
      schema: {
        summary: "A campaign's recipients by status",
        answers: { 200: schemaRef('RecipientPage') },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageQuery, status: { type: 'string', enum: [...MESSAGE_STATUSES] }, reason: { type: 'string', maxLength: 60 }, q: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (req) => {
      const accountId = accountOf(req);
      const id = (req.params as { id: string }).id;
      if (!(await deps.campaigns.get(accountId, id))) throw new HttpError(404, `No campaign ${id} in this account.`);
      return deps.campaigns.recipients(accountId, id, req.query as never);
    },
  );

  app.get('/v1/campaigns/:id/export.csv', { schema: { summary: "CSV export of a campaign's recipients and statuses (streamed)" } }, async (req, reply) => {
    const accountId = accountOf(req);
    const id = (req.params as { id: string }).id;
    const campaign = await deps.campaigns.get(accountId, id);
    if (!campaign) throw new HttpError(404, `No campaign ${id} in this account.`);
    // Readable.from reads on only as fast as the client takes the text, and stops when it goes away.
    const csv = Readable.from(campaignCsvChunks(deps.campaigns.csvRows(accountId, id)), { objectMode: false });
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="${campaign.slug}-recipients.csv"`);
    return reply.send(csv);
  });

  // ------------------------------------------------------------------ messages and events
  app.post('/v1/campaigns/:id/messages', { schema: { summary: "Register a campaign's messages (≤ 10,000)", body: messagesBodySchema, answers: { 200: schemaRef('RegisteredMessages') } } }, async (req, reply) => {
    const body = req.body as { messages: (Omit<RegisterItem, 'registeredAt'> & { registeredAt?: string })[] };
    const items: RegisterItem[] = body.messages.map((m) => ({ ...m, registeredAt: m.registeredAt ? Date.parse(m.registeredAt) : undefined }));
    const outcome = await deps.ingestor.register(accountOf(req), (req.params as { id: string }).id, items);
    if (!outcome.ok) return sendOutcome(reply, outcome, 200, 'messages');
    return reply.code(200).send({ messages: outcome.value, created: outcome.value.filter((m) => !m.existing).length, existing: outcome.value.filter((m) => m.existing).length });
  });

  // Answered once the events are committed to the log; on SQLite with the ingestion worker their effect on messages and
  // daily counts follows moments later, and the account's next API request waits for it (Deps.readBarrier).
  const ingestion = { skipReadBarrier: true };
  app.post('/v1/events', { config: ingestion, schema: { summary: 'Ingest a batch of events (≤ 10,000; all or nothing)', body: eventsBodySchema, answers: { 200: schemaRef('IngestSummary') } } }, async (req, reply) => {
    const { events, details } = toIncomingEvents((req.body as { events: ApiEvent[] }).events, now());
    if (details.length) return sendError(reply, 400, `${details.length} problem(s) in the batch; nothing was stored. First: ${details[0].path} ${details[0].message}.`, details);
    return sendOutcome(reply, await deps.ingestor.accept(accountOf(req), events), 200, 'events');
  });

  app.post('/v1/events/single', { config: ingestion, schema: { summary: 'Ingest one event', body: eventSchema, answers: { 200: schemaRef('IngestSummary') } } }, async (req, reply) => {
    const { events, details } = toIncomingEvents([req.body as ApiEvent], now(), '');
    if (details.length) return sendError(reply, 400, `Invalid event: ${details[0].path.replace(/^\/0/, '')} ${details[0].message}.`, details.map((d) => ({ ...d, path: d.path.replace(/^\/0/, '') })));
    return sendOutcome(reply, await deps.ingestor.accept(accountOf(req), events), 200, 'event');
  });

  // ------------------------------------------------------------------ figures
  const period = async (accountId: string, q: { from?: string; to?: string }) => {
    const account = (await deps.accounts.get(accountId))!;
    const to = q.to ?? todayIn(account.time_zone, now());
    const from = q.from ?? addDays(to, -29);
    if (from > to) throw new HttpError(400, `The period starts (${from}) after it ends (${to}).`, [{ path: '/from', message: 'must be on or before to' }]);
    if (addDays(from, 3660) < to) throw new HttpError(400, 'The period is longer than ten years; choose a shorter one.');
    return { from, to };
  };

  app.get('/v1/overview', { schema: { summary: 'Account overview for a period, with the previous period and trends', querystring: figuresPeriodQuerySchema, answers: { 200: schemaRef('Overview') } } }, async (req) => {
    const q = req.query as { from?: string; to?: string; channel?: Channel; revenueDate?: RevenueDate };
    const accountId = accountOf(req);
    const p = await period(accountId, q);
    return deps.campaigns.overview(accountId, p.from, p.to, q.channel, q.revenueDate ?? 'send');
  });

  app.get('/v1/series/daily', { schema: { summary: 'Daily series (messages sent that day and their outcomes)', querystring: figuresPeriodQuerySchema, answers: { 200: schemaRef('DailySeries') } } }, async (req) => {
    const q = req.query as { from?: string; to?: string; channel?: Channel; revenueDate?: RevenueDate };
    const accountId = accountOf(req);
    const p = await period(accountId, q);
    return deps.campaigns.dailySeries(accountId, p.from, p.to, q.channel, q.revenueDate ?? 'send');
  });
}
