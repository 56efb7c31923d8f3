// Retention settings (issue #17): how long the account keeps IP addresses and user agents, and per-recipient rows.
// Owners only (src/http/roles.ts); a change is audited. The daily job and `mesure retention run` apply them.
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError } from '../errors';
import { schemaRef } from '../responses';
import { RETENTION_LIMITS } from '../../domain/retention';
import type { Retention } from '../../services/retention';

declare module '../app' {
  interface Deps {
    retention: Retention;
  }
}

const days = (lim: { min: number; max: number }) => ({ type: 'integer', minimum: lim.min, maximum: lim.max }) as const;

const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    visitorDetailsDays: days(RETENTION_LIMITS.visitorDetailsDays),
    recipientRowsDays: { anyOf: [days(RETENTION_LIMITS.recipientRowsDays), { type: 'null' }] },
  },
} as const;

export async function retentionRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const current = async (accountId: string) => {
    const s = await deps.retention.settings(accountId);
    if (!s) throw new HttpError(404, 'This account no longer exists.');
    return s;
  };

  app.get('/v1/retention/settings', { schema: { summary: 'How long IP addresses and user agents, and per-recipient rows, are kept', tags: ['settings'], answers: { 200: schemaRef('RetentionSettings') } } }, async (req) =>
    current(accountOf(req)));

  app.put('/v1/retention/settings', {
    config: { audit: { action: 'retention_settings.update', before: async (req) => (await current(accountOf(req))) as never } },
    schema: { summary: 'Set how long IP addresses and user agents, and per-recipient rows, are kept (applied by the daily retention job)', tags: ['settings'], body: settingsSchema, answers: { 200: schemaRef('RetentionSettings') } },
  }, async (req) => {
    const s = await deps.retention.update(accountOf(req), req.body as { visitorDetailsDays?: number; recipientRowsDays?: number | null });
    if (!s) throw new HttpError(404, 'This account no longer exists.');
    return s;
  });
}
