// Scheduled e-mail reports (issue #18): a member's report settings, every member's (owners), and "send me one now".
// From a dashboard session the routes act on the person logged in; an API key belongs to no person, so it names one
// with ?userId= (a member's id from GET /v1/users), as an owner may for anyone.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError } from '../errors';
import { schemaRef } from '../responses';
import { pageQuery } from '../schemas';
import { REPORT_FREQUENCIES, REPORT_LANGUAGES, type ReportSchedule } from '../../domain/reports';
import type { Reports } from '../../services/reports';

declare module '../app' {
  interface Deps {
    reports: Reports;
  }
}

const userQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { userId: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const settingsBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    frequency: { type: 'string', enum: [...REPORT_FREQUENCIES] },
    language: { type: 'string', enum: [...REPORT_LANGUAGES] },
    dayOfWeek: { type: 'integer', minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday (weekly reports).' },
    dayOfMonth: { type: 'integer', minimum: 1, maximum: 28, description: '1 … 28 (monthly reports).' },
    hour: { type: 'integer', minimum: 0, maximum: 23, description: "The hour of sending, in the account's time zone." },
  },
} as const;

/** The member a request is about: the session's person, or ?userId= (another person's: owners only). */
function memberOf(req: FastifyRequest): string {
  const p = req.principal!;
  const asked = (req.query as { userId?: string }).userId;
  if (asked === undefined) {
    if (p.via === 'session' && p.userId) return p.userId;
    throw new HttpError(400, 'An API key belongs to no person: add ?userId= with a member\'s id (from GET /v1/users), or call from a dashboard session.', [{ path: '/userId', message: 'required with an API key' }]);
  }
  if (p.via === 'session' && asked === p.userId) return asked;
  if (p.role !== 'owner') throw new HttpError(403, "Only owners may read or change another member's reports.");
  return asked;
}

const notMember = (userId: string) => new HttpError(404, `No member ${userId} in this account (see GET /v1/users).`);

export async function reportRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/v1/reports/settings', {
    schema: { summary: "A member's scheduled e-mail report: frequency, language, day and hour, next sending, last run, and whether SMTP is configured", tags: ['reports'], querystring: userQuery, answers: { 200: schemaRef('ReportSettings') } },
  }, async (req) => {
    const userId = memberOf(req);
    const s = await deps.reports.settings(accountOf(req), userId);
    if (!s) throw notMember(userId);
    return s;
  });

  app.put('/v1/reports/settings', {
    config: { audit: { action: 'report_settings.update', target: (req) => memberOf(req) } },
    schema: { summary: "Set a member's scheduled e-mail report (a changed schedule counts from now: no report for a slot already past)", tags: ['reports'], querystring: userQuery, body: settingsBody, answers: { 200: schemaRef('ReportSettings') } },
  }, async (req) => {
    const userId = memberOf(req);
    const s = await deps.reports.update(accountOf(req), userId, req.body as Partial<ReportSchedule>);
    if (!s) throw notMember(userId);
    return s;
  });

  app.get('/v1/reports', {
    schema: { summary: "Every member's scheduled e-mail report settings and last run", tags: ['reports'], querystring: { type: 'object', additionalProperties: false, properties: pageQuery }, answers: { 200: schemaRef('ReportSettingsList') } },
  }, async (req) => {
    const q = req.query as { cursor?: string; limit: number };
    return deps.reports.list(accountOf(req), { cursor: q.cursor, limit: q.limit });
  });

  app.post('/v1/reports/send', {
    schema: { summary: "Send a member's report for the period just ended now, whatever its schedule; the run says whether the SMTP server took it", tags: ['reports'], querystring: userQuery, answers: { 200: schemaRef('ReportRun') } },
  }, async (req) => {
    const userId = memberOf(req);
    const r = await deps.reports.sendNow(accountOf(req), userId);
    if (r.ok) return r.run;
    throw r.status === 404 ? notMember(userId) : new HttpError(409, r.message);
  });
}
