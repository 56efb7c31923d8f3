// Incrementality factors per channel, the holdout campaigns they come from and the window suggestions:
// validate → authorize → service → respond. Applying a suggestion goes through PUT /v1/attribution/settings.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import type { Incrementality } from '../../services/incrementality';
import { schemaRef } from '../responses';

declare module '../app' {
  interface Deps {
    incrementality: Incrementality;
  }
}

export async function incrementalityRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/v1/incrementality', {
    schema: {
      summary: 'Incrementality factor per channel (incremental ÷ attributed revenue, pooled over the campaigns with a holdout), its campaigns, and the attribution window that matches it',
      tags: ['holdout'],
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      answers: { 200: schemaRef('Incrementality') },
    },
  }, async (req) => deps.incrementality.report(accountOf(req)));
}
