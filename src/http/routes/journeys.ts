// Journeys, goals, A/B variants, holdout groups and true lift: validate → authorize → service → respond.
import type { FastifyInstance } from 'fastify';
import { stringify } from 'csv-stringify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendOutcome } from '../errors';
import { isoTime, messagesBodySchema, pageQuery, recipientSchema, templateSchema } from '../schemas';
import { MAX_FIGURE } from '../../domain/bounds';
import { neutralizeCsvCell } from '../csv';
import { CHANNELS } from '../../domain/types';
import type { RegisterItem } from '../../services/ingest';
import { DEFAULT_JOURNEY_METRICS, JOURNEY_METRICS, type JourneyMetric, type Journeys } from '../../services/journeys';
import type { GoalInput, GoalOwner, Goals } from '../../services/goals';
import type { Experiments, VariantInput } from '../../services/experiments';
import { schemaRef } from '../responses';

declare module '../app' {
  interface Deps {
    journeys: Journeys;
    goals: Goals;
    experiments: Experiments;
  }
}

const idList = { type: 'array', maxItems: 500, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;

const stepSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'channel'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    channel: { type: 'string', enum: [...CHANNELS] },
    delayMinutes: { type: 'integer', minimum: 0, maximum: 525_600 },
    campaignIds: idList,
  },
} as const;

const journeyProps = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  status: { type: 'string', enum: ['active', 'paused'] },
  startedAt: isoTime,
} as const;

const journeyCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { ...journeyProps, steps: { type: 'array', maxItems: 100, items: stepSchema } },
} as const;

const journeyPatchSchema = { type: 'object', additionalProperties: false, minProperties: 1, properties: journeyProps } as const;

const linkSchema = { type: 'object', additionalProperties: false, required: ['campaignIds'], properties: { campaignIds: { ...idList, minItems: 1 } } } as const;

const goalSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'target'],
  properties: {
    kind: { type: 'string', enum: ['target', 'segment'] },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    metric: { type: 'string', minLength: 1, maxLength: 60 },
    comparator: { type: 'string', enum: ['>=', '<='] },
    target: { type: 'number', minimum: -MAX_FIGURE, maximum: MAX_FIGURE },
    segment: { type: 'object', maxProperties: 50 },
  },
  oneOf: [
    { properties: { kind: { const: 'target' } }, required: ['metric', 'comparator'], not: { required: ['segment'] } },
    { properties: { kind: { const: 'segment' } }, required: ['segment'], not: { anyOf: [{ required: ['metric'] }, { required: ['comparator'] }] } },
  ],
} as const;

const holdoutSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['share'],
  properties: { share: { type: 'number', minimum: 0, maximum: 0.5 } },
} as const;

const audienceSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['recipients'],
  properties: {
    recipients: {
      type: 'array',
      minItems: 1,
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['recipient'],
        properties: {
          recipient: recipientSchema,
          provider: messagesBodySchema.properties.messages.items.properties.provider,
          providerMessageId: messagesBodySchema.properties.messages.items.properties.providerMessageId,
          variant: { type: 'string', minLength: 1, maxLength: 40 },
          registeredAt: isoTime,
        },
      },
    },
  },
} as const;

const template = templateSchema;

const variantsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['variants'],
  properties: {
    variants: {
      type: 'array',
      minItems: 2,
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'split'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 40 },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          template,
          split: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          isControl: { type: 'boolean' },
        },
      },
    },
  },
} as const;

const metricsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { metrics: { type: 'string', maxLength: 1000 } },
} as const;

type Params = { id: string; stepId?: string };

/** `?metrics=a,b` → the chosen figures, refusing unknown names with the list of known ones. */
function parseMetrics(raw: string | undefined): JourneyMetric[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_JOURNEY_METRICS;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(JOURNEY_METRICS as readonly string[]).includes(n));
  if (unknown.length) {
    throw new HttpError(400, `Unknown figure(s) in metrics: ${unknown.join(', ')}. Choose among ${JOURNEY_METRICS.join(', ')}.`, [{ path: '/metrics', message: `unknown: ${unknown.join(', ')}` }]);
  }
  return [...new Set(names)] as JourneyMetric[];
}

export async function journeyRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const tags = ['journeys'];

  // ------------------------------------------------------------------ journeys
  app.get('/v1/journeys', {
    schema: { summary: 'Journeys with their channels, start and figures since the start', tags, answers: { 200: schemaRef('JourneyList') }, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, status: { type: 'string', enum: ['active', 'paused'] } } } },
  }, async (req) => deps.journeys.list(accountOf(req), req.query as never));

  app.post('/v1/journeys', { config: { audit: { action: 'journey.create' } }, schema: { summary: 'Create a journey, with its steps and their campaigns', tags, body: journeyCreateSchema, answers: { 201: schemaRef('Journey') } } }, async (req, reply) => {
    const b = req.body as { name: string; status?: 'active' | 'paused'; startedAt?: string; steps?: never[] };
    return sendOutcome(reply, await deps.journeys.create(accountOf(req), { ...b, startedAt: b.startedAt ? Date.parse(b.startedAt) : undefined }), 201, 'steps');
  });

  app.get('/v1/journeys/:id', { schema: { summary: 'A journey and its steps', answers: { 200: schemaRef('Journey') } } }, async (req) => {
    const j = await deps.journeys.get(accountOf(req), (req.params as Params).id);
    if (!j) throw new HttpError(404, `No journey ${(req.params as Params).id} in this account.`);
    return j;
  });

  app.patch('/v1/journeys/:id', { config: { audit: { action: 'journey.update' } }, schema: { summary: "Rename, pause or resume a journey, or move its start", tags, body: journeyPatchSchema } }, async (req, reply) => {
    const b = req.body as { name?: string; status?: 'active' | 'paused'; startedAt?: string };
    return sendOutcome(reply, await deps.journeys.update(accountOf(req), (req.params as Params).id, { ...b, startedAt: b.startedAt ? Date.parse(b.startedAt) : undefined }));
  });

  app.post('/v1/journeys/:id/steps', { config: { audit: { action: 'journey.step_add' } }, schema: { summary: 'Add a step at the end of a journey', tags, body: stepSchema } }, async (req, reply) =>
    sendOutcome(reply, await deps.journeys.addStep(accountOf(req), (req.params as Params).id, req.body as never), 201, 'campaignIds'));

  app.post('/v1/journeys/:id/steps/:stepId/campaigns', { config: { audit: { action: 'journey.step_campaigns' } }, schema: { summary: 'Put campaigns in a step (a campaign belongs to one step)', tags, body: linkSchema } }, async (req, reply) => {
    const p = req.params as Params;
    return sendOutcome(reply, await deps.journeys.linkCampaigns(accountOf(req), p.id, p.stepId!, (req.body as { campaignIds: string[] }).campaignIds), 200, 'campaignIds');
  });

  app.get('/v1/journeys/:id/report', { schema: { summary: 'Journey report from its start to today: chosen figures, by channel, by step', tags, querystring: metricsQuery, answers: { 200: schemaRef('JourneyReport') } } }, async (req) => {
    const metrics = parseMetrics((req.query as { metrics?: string }).metrics);
    const r = await deps.journeys.report(accountOf(req), (req.params as Params).id, metrics);
    if (!r) throw new HttpError(404, `No journey ${(req.params as Params).id} in this account.`);
    return r;
  });

  app.get('/v1/journeys/:id/steps/:stepId/recipients', {
    schema: { summary: "A journey step's recipients (paginated)", tags, answers: { 200: schemaRef('StepRecipients') }, querystring: { type: 'object', additionalProperties: false, properties: pageQuery } },
  }, async (req) => {
    const p = req.params as Params;
    const r = await deps.journeys.stepRecipients(accountOf(req), p.id, p.stepId!, req.query as { limit: number; cursor?: string });
    if (!r) throw new HttpError(404, `No step ${p.stepId} in journey ${p.id} of this account.`);
    return r;
  });

  app.get('/v1/journeys/:id/export.csv', { schema: { summary: "CSV export of a journey's recipients, step by step (streamed)", tags } }, async (req, reply) => {
    const accountId = accountOf(req);
    const id = (req.params as Params).id;
    if (!(await deps.journeys.get(accountId, id))) throw new HttpError(404, `No journey ${id} in this account.`);
    const columns = ['step', 'stepName', 'channel', 'campaignId', 'campaign', 'messageId', 'recipient', 'contactId', 'status', 'failureReason', 'variant', 'sentAt', 'deliveredAt', 'openedAt', 'clickedAt', 'opens', 'clicks', 'cost'];
    const csv = stringify({ header: true, columns, cast: { string: neutralizeCsvCell } });
    (async () => {
      try {
        for await (const page of deps.journeys.exportRows(accountId, id)) {
          for (const row of page) if (!csv.write(row)) await new Promise((r) => csv.once('drain', r));
        }
        csv.end();
      } catch (err) {
        csv.destroy(err as Error);
      }
    })();
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="journey-${id}.csv"`);
    return reply.send(csv);
  });

  // ------------------------------------------------------------------ goals
  for (const kind of ['campaign', 'journey'] as const) {
    const base = kind === 'campaign' ? '/v1/campaigns/:id/goals' : '/v1/journeys/:id/goals';
    app.post(base, { config: { audit: { action: 'goal.create' } }, schema: { summary: `Add a goal to a ${kind} (a target on a figure, or a segment to shrink)`, tags: ['goals'], body: goalSchema, answers: { 201: schemaRef('Goal') } } }, async (req, reply) => {
      const owner: GoalOwner = { kind, id: (req.params as Params).id };
      return sendOutcome(reply, await deps.goals.create(accountOf(req), owner, req.body as GoalInput), 201, 'goal');
    });
    app.get(base, { schema: { summary: `The goals of a ${kind} with their progress now and over time`, tags: ['goals'], answers: { 200: schemaRef('Goals') } } }, async (req) => {
      const owner: GoalOwner = { kind, id: (req.params as Params).id };
      const goals = await deps.goals.list(accountOf(req), owner);
      if (!goals) throw new HttpError(404, `No ${kind} ${owner.id} in this account.`);
      return { goals };
    });
    app.post(kind === 'campaign' ? '/v1/campaigns/:id/holdout' : '/v1/journeys/:id/holdout', {
      config: { audit: { action: `${kind}.holdout` } },
      schema: { summary: `Keep a share of the ${kind}'s audience as a holdout (set before the first recipient)`, tags: ['holdout'], body: holdoutSchema },
    }, async (req, reply) => {
      const accountId = accountOf(req);
      const id = (req.params as Params).id;
      const exists = kind === 'campaign' ? await deps.campaigns.get(accountId, id) : await deps.journeys.get(accountId, id);
      if (!exists) throw new HttpError(404, `No ${kind} ${id} in this account.`);
      const campaignIds = kind === 'campaign' ? [id] : await deps.experiments.journeyCampaignIds(accountId, id);
      return sendOutcome(reply, await deps.experiments.setHoldout(accountId, kind, id, (req.body as { share: number }).share, campaignIds));
    });
  }

  app.delete('/v1/goals/:id', {
    config: { audit: { action: 'goal.delete' } },
    schema: { summary: 'Remove a goal (of a campaign or a journey) and its history', tags: ['goals'], params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } },
  }, async (req, reply) => {
    const id = (req.params as Params).id;
    if (!(await deps.goals.remove(accountOf(req), id))) throw new HttpError(404, `No goal ${id} in this account.`);
    return reply.code(204).send();
  });

  // ------------------------------------------------------------------ audience, variants, lift
  app.post('/v1/campaigns/:id/audience', {
    schema: { summary: "Assign a campaign's audience: each recipient held out or treated (registered, with its variant)", tags: ['holdout'], body: audienceSchema },
  }, async (req, reply) => {
    const body = req.body as { recipients: (Omit<RegisterItem, 'registeredAt'> & { registeredAt?: string })[] };
    const items: RegisterItem[] = body.recipients.map((r) => ({ ...r, registeredAt: r.registeredAt ? Date.parse(r.registeredAt) : undefined }));
    return sendOutcome(reply, await deps.experiments.assignAudience(accountOf(req), (req.params as Params).id, items), 200, 'recipients');
  });

  app.post('/v1/campaigns/:id/variants', { config: { audit: { action: 'campaign.variants' } }, schema: { summary: "Declare a campaign's A/B variants (replaces earlier ones)", tags: ['variants'], body: variantsSchema } }, async (req, reply) => {
    const outcome = await deps.experiments.setVariants(accountOf(req), (req.params as Params).id, (req.body as { variants: VariantInput[] }).variants);
    if (!outcome.ok) return sendOutcome(reply, outcome, 200, 'variants');
    return reply.code(201).send({ variants: outcome.value });
  });

  app.get('/v1/campaigns/:id/variants', { schema: { summary: 'Every figure per variant, and the comparisons with the control', tags: ['variants'], answers: { 200: schemaRef('VariantsReport') } } }, async (req) => {
    const r = await deps.experiments.variantsReport(accountOf(req), (req.params as Params).id);
    if (!r) throw new HttpError(404, `No campaign ${(req.params as Params).id} in this account.`);
    return r;
  });

  const liftQuery = { type: 'object', additionalProperties: false, properties: { windowDays: { type: 'number', exclusiveMinimum: 0, maximum: 365 } } } as const;
  app.get('/v1/campaigns/:id/lift', {
    schema: {
      summary: 'True lift: treated against holdout over the attribution window, with 95 % intervals, next to the attributed revenue',
      tags: ['holdout'],
      querystring: liftQuery,
      answers: { 200: schemaRef('Lift') },
    },
  }, async (req) => {
    const r = await deps.experiments.lift(accountOf(req), (req.params as Params).id, req.query as { windowDays?: number });
    if (!r) throw new HttpError(404, `No campaign ${(req.params as Params).id} in this account.`);
    return r;
  });

  app.get('/v1/journeys/:id/lift', {
    schema: {
      summary: "A journey's true lift: contacts sent any of its messages against those its holdout kept back, each from its first message",
      tags: ['holdout'],
      querystring: liftQuery,
      answers: { 200: schemaRef('JourneyLift') },
    },
  }, async (req) => {
    const r = await deps.experiments.journeyLift(accountOf(req), (req.params as Params).id, req.query as { windowDays?: number });
    if (!r) throw new HttpError(404, `No journey ${(req.params as Params).id} in this account.`);
    return r;
  });
}
