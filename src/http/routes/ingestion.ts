// Ingestion dead letters over HTTP: the items the inbox could not apply after their tries, with their errors; an
// owner applies one again or discards it (src/services/deadLetters.ts).
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError } from '../errors';
import { pageQuery } from '../schemas';
import type { DeadLetters } from '../../services/deadLetters';

declare module '../app' {
  interface Deps {
    deadLetters: DeadLetters;
  }
}

const idParams = {
  type: 'object', additionalProperties: false, required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

export async function ingestionRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const idOf = (req: { params: unknown }) => (req.params as { id: string }).id;

  app.get('/v1/ingestion/dead-letters', {
    schema: {
      summary: 'Items ingestion could not apply after their tries (dead letters), oldest first, with their errors',
      querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
    },
  }, async (req) => {
    const q = req.query as { limit: number; cursor?: string };
    return deps.deadLetters.list(accountOf(req), { limit: q.limit, cursor: q.cursor });
  });

  app.post('/v1/ingestion/dead-letters/:id/retry', { config: { audit: { action: 'dead_letter.retry' } },
    schema: { summary: 'Apply a dead letter again: removed if it applies, kept with its new error otherwise', params: idParams },
  }, async (req) => {
    const r = await deps.deadLetters.retry(accountOf(req), idOf(req));
    if (!r.ok) throw new HttpError(r.status, r.message);
    return r.value;
  });

  app.delete('/v1/ingestion/dead-letters/:id', { config: { audit: { action: 'dead_letter.discard' } },
    schema: { summary: 'Discard a dead letter for good (what it carried is not applied)', params: idParams },
  }, async (req) => {
    const remaining = await deps.deadLetters.discard(accountOf(req), idOf(req));
    if (remaining === null) throw new HttpError(404, `No dead letter ${idOf(req)} in this account; list them with GET /v1/ingestion/dead-letters.`);
    return { discarded: idOf(req), remaining };
  });
}
