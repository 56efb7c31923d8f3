// Declared sources over HTTP (issue #24, part 5): the owner's mapping rules (GET/PUT /v1/attribution/declared-rules,
// with a preview of the stored answers each takes) and declared vs attributed per channel (GET /v1/attribution/declared).
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError, sendOutcome } from '../errors';
import { isoDate } from '../schemas';
import { schemaRef } from '../responses';
import { CHANNELS } from '../../domain/types';
import { addDays } from '../../domain/kpis';
import { MAX_DECLARED_PATTERN, MAX_DECLARED_RULES, type DeclaredRule } from '../../domain/declared';
import { todayIn } from '../../services/campaigns';
import type { DeclaredSources } from '../../services/declared';

declare module '../app' {
  interface Deps {
    declared: DeclaredSources;
  }
}

const target = {
  anyOf: [
    { type: 'object', additionalProperties: false, required: ['channel'], properties: { channel: { type: 'string', enum: [...CHANNELS] } } },
    { type: 'object', additionalProperties: false, required: ['campaignId'], properties: { campaignId: { type: 'string', minLength: 1, maxLength: 100 } } },
    { type: 'string', enum: ['other'] },
  ],
} as const;

const rulesBody = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    attributes: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' } },
    rules: {
      type: 'array',
      maxItems: MAX_DECLARED_RULES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['match', 'pattern', 'target'],
        properties: {
          match: { type: 'string', enum: ['equals', 'contains'] },
          pattern: { type: 'string', minLength: 1, maxLength: MAX_DECLARED_PATTERN, pattern: '\\S' },
          target,
        },
      },
    },
  },
} as const;

export async function declaredRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const service = () => deps.declared;

  app.get('/v1/attribution/declared-rules', {
    schema: { summary: 'The rules mapping declared sources to channels or campaigns, each with the stored answers it takes', answers: { 200: schemaRef('DeclaredRules') } },
  }, async (req) => service().rules(accountOf(req)));

  app.put('/v1/attribution/declared-rules', {
    config: { audit: { action: 'declared_rules.update', before: async (req) => (await service().rules(accountOf(req))) as never } },
    schema: {
      summary: 'Replace the declared-source rules (first match wins; equals/contains, without case or accents) and re-map every stored answer; ?dryRun=true previews only',
      querystring: { type: 'object', additionalProperties: false, properties: { dryRun: { type: 'boolean', default: false } } },
      body: rulesBody,
      answers: { 200: schemaRef('DeclaredRulesUpdate') },
    },
  }, async (req, reply) => {
    const b = req.body as { attributes?: string[]; rules: DeclaredRule[] };
    return sendOutcome(reply, await service().setRules(accountOf(req), b, (req.query as { dryRun: boolean }).dryRun), 200, 'rules');
  });

  app.get('/v1/attribution/declared', {
    schema: {
      summary: 'Declared vs attributed, per channel, for the orders placed in a period (grouped by order time), with the unmapped answers',
      querystring: { type: 'object', additionalProperties: false, properties: { from: isoDate, to: isoDate } },
      answers: { 200: schemaRef('DeclaredReport') },
    },
  }, async (req) => {
    const accountId = accountOf(req);
    const q = req.query as { from?: string; to?: string };
    const account = (await deps.accounts.get(accountId))!;
    const to = q.to ?? todayIn(account.time_zone, deps.clock());
    const from = q.from ?? addDays(to, -29);
    if (from > to) throw new HttpError(400, `The period starts (${from}) after it ends (${to}).`, [{ path: '/from', message: 'must be on or before to' }]);
    if (addDays(from, 3660) < to) throw new HttpError(400, 'The period is longer than ten years; choose a shorter one.');
    return service().report(accountId, from, to);
  });
}
