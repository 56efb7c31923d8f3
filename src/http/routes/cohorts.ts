// Retention cohorts over HTTP (issue #18): GET /v1/retention, read from the cohort_counts rollup only
// (src/services/cohorts.ts). GET/PUT /v1/retention/settings (data retention) are another thing: src/http/routes/retention.ts.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { schemaRef } from '../responses';
import { CHANNELS, type Channel } from '../../domain/types';
import type { Cohorts } from '../../services/cohorts';

declare module '../app' {
  interface Deps {
    cohorts: Cohorts;
  }
}

export async function cohortRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/v1/retention', {
    schema: {
      summary: 'Retention cohorts: contacts by the month of their first message, and the share active in each later month',
      description:
        'Contacts grouped by the month (account time zone) of their first message sent — on `channel` when given — and, for each month since, ' +
        'the share who engaged (`metric=engaged`: a human open, click, reply or scan; bot and machine-flagged ones do not count) or bought ' +
        '(`metric=purchased`: an order of theirs that month). With the repeat purchase rate, the median days between orders and churn ' +
        '(contacts no longer reachable) per cohort and overall. `months`: how many cohorts, ending with this month (default 12, at most 24). ' +
        'Definitions: docs/RETENTION.md.',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          cohort: { type: 'string', enum: ['month'], default: 'month' },
          metric: { type: 'string', enum: ['engaged', 'purchased'], default: 'engaged' },
          channel: { type: 'string', enum: [...CHANNELS] },
          months: { type: 'integer', minimum: 1, maximum: 24, default: 12 },
        },
      },
      answers: { 200: schemaRef('RetentionCohorts') },
    },
  }, async (req) => {
    const q = req.query as { metric: 'engaged' | 'purchased'; channel?: Channel; months: number };
    return deps.cohorts.table(accountOf(req), { metric: q.metric, channel: q.channel, months: q.months });
  });
}
