// Recipients' feedback over HTTP (issue #18): GET /v1/feedback (the list, newest first, with the counts by kind) and
// GET /v1/feedback/export.csv (the same rows, streamed). The campaign page's counts come with GET /v1/campaigns/{id}.
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError } from '../errors';
import { isoTime, pageQuery } from '../schemas';
import { schemaRef } from '../responses';
import { csvField } from '../csv';
import { CHANNELS, type Channel } from '../../domain/types';
import { FEEDBACK_KINDS, type FeedbackKind } from '../../domain/feedback';
import type { Feedback, FeedbackFilter } from '../../services/feedback';

declare module '../app' {
  interface Deps {
    feedback: Feedback;
  }
}

const filters = {
  campaign: { type: 'string', minLength: 1, maxLength: 100 },
  channel: { type: 'string', enum: [...CHANNELS] },
  kind: { type: 'string', enum: [...FEEDBACK_KINDS] },
  q: { type: 'string', minLength: 1, maxLength: 200 },
  from: isoTime,
  to: isoTime,
} as const;

const description =
  'Replies (`reply`), replies that are an opt-out word such as STOP or ARRET (`opt_out`) and complaints (`complaint`), newest first. ' +
  'Filters: `campaign` (id), `channel`, `kind`, `q` (a keyword: part of the text, any case, accents ignored), `from` (inclusive) and `to` (exclusive) as ISO date-times.';

type Query = { campaign?: string; channel?: Channel; kind?: FeedbackKind; q?: string; from?: string; to?: string };

function filterOf(q: Query): FeedbackFilter {
  const from = q.from === undefined ? undefined : Date.parse(q.from);
  const to = q.to === undefined ? undefined : Date.parse(q.to);
  if (from !== undefined && to !== undefined && from >= to) {
    throw new HttpError(400, `from (${q.from}) must be before to (${q.to}).`, [{ path: '/from', message: 'not before to' }]);
  }
  return { campaign: q.campaign, channel: q.channel, kind: q.kind, q: q.q, from, to };
}

const COLUMNS = ['at', 'campaignId', 'campaignName', 'channel', 'messageId', 'contactId', 'recipient', 'kind', 'text'] as const;

export async function feedbackRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/v1/feedback', {
    schema: {
      summary: "Recipients' feedback: replies, opt-out replies and complaints, with their text",
      description,
      querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, cursor: { type: 'string', pattern: '^fb[0-9a-z]{9}[0-9a-f]{16}$' }, ...filters } },
      answers: { 200: schemaRef('FeedbackPage') },
    },
  }, async (req) => {
    const q = req.query as Query & { limit: number; cursor?: string };
    return deps.feedback.list(accountOf(req), { ...filterOf(q), cursor: q.cursor, limit: q.limit });
  });

  app.get('/v1/feedback/export.csv', {
    schema: {
      summary: "CSV export of recipients' feedback (streamed), with the list's filters",
      description,
      querystring: { type: 'object', additionalProperties: false, properties: filters },
    },
  }, async (req, reply) => {
    const accountId = accountOf(req);
    const filter = filterOf(req.query as Query);
    async function* lines(): AsyncGenerator<string> {
      yield `${COLUMNS.join(',')}\n`;
      for await (const page of deps.feedback.export(accountId, filter)) {
        let chunk = '';
        for (const f of page) {
          const row = [f.at, f.campaign.id, f.campaign.name, f.channel, f.messageId, f.contactId, f.recipient, f.kind, f.text];
          chunk += `${row.map((v) => csvField(v)).join(',')}\n`;
        }
        yield chunk;
      }
    }
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="feedback.csv"');
    return reply.send(Readable.from(lines(), { objectMode: false }));
  });
}
