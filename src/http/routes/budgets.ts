// Budget, send gate, suppression list, invoice, Stripe webhook and alert routes. Each one validates, authorizes,
// calls a service and answers: the rules live in services/budgets.ts, billing.ts, alerts.ts and the domain.
import { countsOf } from '../../domain/audit';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { bodyTooLarge, HttpError, sendError, sendOutcome } from '../errors';
import { isoTime, money, moneyOrNull, pageQuery, recipientSchema } from '../schemas';
import { neutralizeCsvCell, readCsvBody } from '../csv';
import { CHANNELS, FAILURE_REASONS, type Channel } from '../../domain/types';
import { WHATSAPP_CATEGORIES } from '../../domain/costs';
import { ALERT_KINDS } from '../../domain/alerts';
import type { Budgets, SendRecipient } from '../../services/budgets';
import type { Billing, InvoiceInput } from '../../services/billing';
import type { Alerts } from '../../services/alerts';
import type { SuppressionList } from '../../services/suppressions';
import { schemaRef } from '../responses';

declare module '../app' {
  interface Deps {
    budgets: Budgets;
    billing: Billing;
    alerts: Alerts;
    suppressionList: SuppressionList;
  }
}

const milli = { type: 'integer', minimum: 0, maximum: 1_000_000_000 } as const;
const countryPrices = {
  type: 'object', required: ['default'], propertyNames: { pattern: '^(default|[A-Z]{2})$' }, additionalProperties: milli,
} as const;
const letterPrices = {
  type: 'object', additionalProperties: false, required: ['printing', 'enveloping', 'postage'],
  properties: {
    printing: milli, enveloping: milli,
    postage: { type: 'object', required: ['domestic', 'international'], propertyNames: { pattern: '^(domestic|international|[A-Z]{2})$' }, additionalProperties: milli },
  },
} as const;
const modelSections = {
  whatsapp: { type: 'object', additionalProperties: false, properties: Object.fromEntries(WHATSAPP_CATEGORIES.map((c) => [c, countryPrices])) },
  sms: { type: 'object', additionalProperties: false, required: ['perSegment'], properties: { perSegment: countryPrices } },
  email: { type: 'object', additionalProperties: false, required: ['perMessage'], properties: { perMessage: milli } },
  mail: {
    type: 'object', additionalProperties: false, required: ['formats'],
    properties: { homeCountry: { type: 'string', pattern: '^[A-Z]{2}$' }, formats: { type: 'object', propertyNames: { pattern: '^[a-z0-9_-]{1,40}$' }, additionalProperties: letterPrices } },
  },
  fixedCostMinor: money,
};
/** Prices in thousandths of a minor unit (1000 = one cent), see docs/BUDGETS.md. */
const costModelSchema = {
  type: 'object', additionalProperties: false,
  properties: { currency: { type: 'string', pattern: '^[A-Za-z]{3}$' }, ...modelSections },
} as const;
// An override may give any part of a section (merged key by key over the account's model).
const partial = (s: unknown): unknown => {
  if (typeof s !== 'object' || s === null) return s;
  const o = { ...(s as Record<string, unknown>) };
  delete o.required;
  if (o.properties) o.properties = Object.fromEntries(Object.entries(o.properties as Record<string, unknown>).map(([k, v]) => [k, partial(v)]));
  if (o.additionalProperties && typeof o.additionalProperties === 'object') o.additionalProperties = partial(o.additionalProperties);
  return o;
};
const overrideSchema = { type: 'object', additionalProperties: false, properties: Object.fromEntries(Object.entries(modelSections).map(([k, v]) => [k, partial(v)])) } as const;

const sendsBodySchema = {
  type: 'object', additionalProperties: false, required: ['recipients'],
  properties: {
    recipients: {
      type: 'array', minItems: 1, maxItems: 10_000,
      items: {
        type: 'object', additionalProperties: false,
        properties: {
          ...recipientSchema.properties,
          text: { type: 'string', maxLength: 10_000 },
          segments: { type: 'integer', minimum: 1, maximum: 100 },
          country: { type: 'string', pattern: '^[A-Za-z]{2}$' },
          pricingCategory: { type: 'string', enum: [...WHATSAPP_CATEGORIES] },
          letterFormat: { type: 'string', minLength: 1, maxLength: 40 },
        },
      },
    },
  },
} as const;
const messageIds = { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;
const commitSchema = {
  type: 'object', additionalProperties: false, required: ['messageIds'],
  properties: {
    messageIds,
    provider: { type: 'string', minLength: 1, maxLength: 40 },
    providerMessageIds: { type: 'array', maxItems: 10_000, items: { type: ['string', 'null'], minLength: 1, maxLength: 200 } },
    costs: { type: 'array', maxItems: 10_000, items: moneyOrNull },
  },
} as const;
const releaseSchema = {
  type: 'object', additionalProperties: false, required: ['messageIds'],
  properties: { messageIds, reason: { type: 'string', enum: [...FAILURE_REASONS] } },
} as const;
const settingsSchema = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: {
    monthlyBudget: moneyOrNull,
    graceDays: { type: 'integer', minimum: 0, maximum: 365 },
    reservationTtlSeconds: { type: 'integer', minimum: 10, maximum: 7 * 86_400 },
  },
} as const;
/**
 * What the audit trail keeps of an alert endpoint: its host, never the URL's path or query (often a token), and whether
 * Mesure generated its signing secret (a field named after a secret would be redacted, whatever its value).
 */
function endpointDetails(b: { url: string; secret?: string }) {
  let host = '';
  try {
    host = new URL(b.url).host;
  } catch {
    // Validated as a URI before the handler; nothing to keep otherwise.
  }
  return { host, generated: b.secret === undefined };
}

const invoiceSchema = {
  type: 'object', additionalProperties: false, required: ['id', 'amountDue', 'currency', 'status'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    number: { type: ['string', 'null'], maxLength: 100 },
    amountDue: money,
    amountRemaining: moneyOrNull,
    currency: { type: 'string', pattern: '^[A-Za-z]{3}$' },
    dueAt: { anyOf: [isoTime, { type: 'null' }] },
    payUrl: { anyOf: [{ type: 'string', format: 'uri', maxLength: 2000 }, { type: 'null' }] },
    status: { type: 'string', enum: ['open', 'paid', 'void', 'uncollectible'] },
    paidAt: { anyOf: [isoTime, { type: 'null' }] },
    overdue: { type: 'boolean' },
  },
} as const;

export async function budgetRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const idOf = (req: { params: unknown }) => (req.params as { id: string }).id;

  // ------------------------------------------------------------------ the send gate
  app.post('/v1/campaigns/:id/sends', { schema: { summary: 'Ask the send gate for a batch of recipients (≤ 10,000): each allowed with its reserved cost, or refused with a reason', body: sendsBodySchema } }, async (req, reply) => {
    const body = req.body as { recipients: SendRecipient[] };
    return sendOutcome(reply, await deps.budgets.reserve(accountOf(req), idOf(req), body.recipients), 200, 'recipients');
  });

  app.post('/v1/campaigns/:id/sends/commit', { schema: { summary: 'The provider accepted these messages: their cost becomes used', body: commitSchema } }, async (req, reply) => {
    const b = req.body as { messageIds: string[]; provider?: string; providerMessageIds?: (string | null)[]; costs?: (number | null)[] };
    for (const [name, list] of [['providerMessageIds', b.providerMessageIds], ['costs', b.costs]] as const) {
      if (list && list.length !== b.messageIds.length) {
        return sendError(reply, 400, `${name} must have one entry per message id (${b.messageIds.length}), got ${list.length}.`, [{ path: `/${name}`, message: 'length differs from messageIds' }]);
      }
    }
    return sendOutcome(reply, await deps.budgets.commit(accountOf(req), idOf(req), b), 200, 'messageIds');
  });

  app.post('/v1/campaigns/:id/sends/release', { schema: { summary: 'These messages will not be sent: their reserved cost is freed', body: releaseSchema } }, async (req, reply) => {
    return sendOutcome(reply, await deps.budgets.release(accountOf(req), idOf(req), req.body as never), 200, 'messageIds');
  });

  // ------------------------------------------------------------------ budgets and costs
  app.get('/v1/budget', { schema: { summary: "The account's budget card (KPIS.md)", answers: { 200: schemaRef('Budget') } } }, async (req) => {
    const card = await deps.budgets.card(accountOf(req));
    if (!card) throw new HttpError(404, 'No budget yet: give a campaign a budget (PATCH /v1/campaigns/{id} { budget }) or set a monthly budget (PUT /v1/budget/settings).');
    return card;
  });

  app.get('/v1/campaigns/:id/budget', { schema: { summary: "A campaign's budget: used, reserved, remaining", answers: { 200: schemaRef('CampaignBudget') } } }, async (req) => {
    const b = await deps.budgets.campaignBudget(accountOf(req), idOf(req));
    if (!b) throw new HttpError(404, `No campaign ${idOf(req)} in this account.`);
    return b;
  });

  app.get('/v1/budget/settings', { schema: { summary: 'Monthly budget, invoice grace period and reservation TTL', answers: { 200: schemaRef('BudgetSettings') } } }, async (req) => deps.budgets.settings(accountOf(req)));
  app.put('/v1/budget/settings', { config: { audit: { action: 'budget_settings.update', before: async (req) => (await deps.budgets.settings(accountOf(req))) as never } }, schema: { summary: 'Set the monthly budget, invoice grace period or reservation TTL', body: settingsSchema, answers: { 200: schemaRef('BudgetSettings') } } }, async (req) =>
    deps.budgets.putSettings(accountOf(req), req.body as never),
  );

  app.get('/v1/cost-model', { schema: { summary: "The account's cost model (prices in thousandths of a minor unit)" } }, async (req) => {
    const m = await deps.budgets.getAccountModel(accountOf(req));
    if (!m) throw new HttpError(404, 'No cost model yet: PUT /v1/cost-model with prices per channel (thousandths of a minor unit: 1000 = one cent).');
    return m;
  });
  app.put('/v1/cost-model', { config: { audit: { action: 'cost_model.update', before: async (req) => (await deps.budgets.getAccountModel(accountOf(req))) as never } }, schema: { summary: "Replace the account's cost model", body: costModelSchema } }, async (req, reply) =>
    sendOutcome(reply, await deps.budgets.putAccountModel(accountOf(req), req.body as never), 200, 'model'),
  );
  app.get('/v1/campaigns/:id/cost-model', { schema: { summary: "A campaign's cost override and the merged model it prices with" } }, async (req) => {
    const accountId = accountOf(req);
    if (!(await deps.campaigns.get(accountId, idOf(req)))) throw new HttpError(404, `No campaign ${idOf(req)} in this account.`);
    return { override: await deps.budgets.getCampaignOverride(accountId, idOf(req)), model: await deps.budgets.modelFor(deps.db.kysely, accountId, idOf(req)) };
  });
  app.put('/v1/campaigns/:id/cost-model', { config: { audit: { action: 'campaign_cost_model.update', before: async (req) => (await deps.budgets.getCampaignOverride(accountOf(req), idOf(req))) as never } }, schema: { summary: "Set a campaign's cost override (merged key by key over the account's model)", body: overrideSchema } }, async (req, reply) =>
    sendOutcome(reply, await deps.budgets.putCampaignOverride(accountOf(req), idOf(req), req.body as never)),
  );
  app.delete('/v1/campaigns/:id/cost-model', { config: { audit: { action: 'campaign_cost_model.delete' } }, schema: { summary: "Remove a campaign's cost override" } }, async (req, reply) => {
    const out = await deps.budgets.putCampaignOverride(accountOf(req), idOf(req), null);
    return out.ok ? reply.code(204).send() : sendOutcome(reply, out);
  });

  // ------------------------------------------------------------------ suppression list
  app.get('/v1/suppressions', { schema: { summary: 'The suppression list', querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, channel: { type: 'string', enum: [...CHANNELS] } } }, answers: { 200: schemaRef('SuppressionList') } } }, async (req) =>
    deps.suppressionList.list(accountOf(req), req.query as never),
  );
  const entrySchema = {
    type: 'object', additionalProperties: false, required: ['channel', 'address'],
    properties: { channel: { type: 'string', enum: [...CHANNELS] }, address: { type: 'string', minLength: 1, maxLength: 500 }, reason: { type: 'string', minLength: 1, maxLength: 60 } },
  } as const;
  app.post('/v1/suppressions', { config: { audit: { action: 'suppression.add', omit: ['address'] } }, schema: { summary: 'Add an address to the suppression list', body: entrySchema } }, async (req, reply) => {
    const out = await deps.suppressionList.add(accountOf(req), req.body as never);
    if (!out.ok) return sendError(reply, 400, `${out.message}.`, [{ path: '/address', message: out.message }]);
    return reply.code(out.value.created ? 201 : 200).send(out.value);
  });
  app.delete('/v1/suppressions', { config: { audit: { action: 'suppression.remove', omit: ['address'] } }, schema: { summary: 'Remove an address from the suppression list', querystring: { type: 'object', additionalProperties: false, required: ['channel', 'address'], properties: { channel: { type: 'string', enum: [...CHANNELS] }, address: { type: 'string', minLength: 1, maxLength: 500 } } } } }, async (req, reply) => {
    const q = req.query as { channel: Channel; address: string };
    if (!(await deps.suppressionList.remove(accountOf(req), q.channel, q.address))) throw new HttpError(404, `${q.address} is not on the ${q.channel} suppression list.`);
    return reply.code(204).send();
  });
  app.post('/v1/suppressions/import', { config: { audit: { action: 'suppression.import', details: (_req, answer) => countsOf(answer) } }, schema: { summary: 'Import a CSV (channel,address,reason); rejected lines are reported with their numbers' } }, async (req, reply) => {
    const ct = String(req.headers['content-type'] ?? '');
    if (!/^text\/csv|^text\/plain/.test(ct)) return sendError(reply, 415, 'Send the CSV as text/csv (header: channel,address,reason).');
    const limit = deps.bodyLimitBytes ?? 16 * 1024 * 1024;
    const bytes = await readCsvBody(req.body as Readable, req.headers['content-length'], limit);
    if (bytes === null) return sendError(reply, 413, bodyTooLarge(limit, 'split the file into several imports'));
    const out = await deps.suppressionList.importCsv(accountOf(req), bytes.toString('utf8'));
    if (!out.ok) return sendError(reply, 400, out.message);
    return out.value;
  });
  app.get('/v1/suppressions/export.csv', { schema: { summary: 'The suppression list as CSV (streamed)' } }, async (req, reply) => {
    const accountId = accountOf(req);
    const csv = stringify({ header: true, columns: ['channel', 'address', 'reason', 'source', 'createdAt'], cast: { string: neutralizeCsvCell } });
    (async () => {
      try {
        for await (const page of deps.suppressionList.exportRows(accountId)) for (const r of page) if (!csv.write(r)) await new Promise((ok) => csv.once('drain', ok));
        csv.end();
      } catch (err) {
        csv.destroy(err as Error);
      }
    })();
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="suppressions.csv"');
    return reply.send(csv);
  });

  // ------------------------------------------------------------------ invoices and Stripe
  app.post('/v1/invoices', { config: { audit: { action: 'invoice.record' } }, schema: { summary: 'Record an invoice (or its new state)', body: invoiceSchema } }, async (req, reply) => {
    const b = req.body as Omit<InvoiceInput, 'dueAt' | 'paidAt'> & { dueAt?: string | null; paidAt?: string | null };
    const input: InvoiceInput = { ...b, dueAt: b.dueAt ? Date.parse(b.dueAt) : null, paidAt: b.paidAt ? Date.parse(b.paidAt) : null };
    return sendOutcome(reply, await deps.billing.record(accountOf(req), input), 201);
  });
  app.get('/v1/invoices', { schema: { summary: "The account's invoices", querystring: { type: 'object', additionalProperties: false, properties: pageQuery } } }, async (req) =>
    deps.billing.list(accountOf(req), req.query as never),
  );
  app.get('/v1/invoices/unpaid', { schema: { summary: 'The unpaid invoice warning: amount, earliest due date, pay link, overdue, suspension date', answers: { 200: schemaRef('UnpaidInvoices') } } }, async (req) =>
    deps.billing.unpaid(accountOf(req)),
  );
  app.put('/v1/stripe/secret', { config: { audit: { action: 'stripe_secret.set' } },
    schema: { summary: "Set the Stripe webhook signing secret (whsec_…); never shown again", body: { type: 'object', additionalProperties: false, required: ['secret'], properties: { secret: { type: 'string', minLength: 10, maxLength: 200 } } } },
  }, async (req, reply) => {
    await deps.billing.setStripeSecret(accountOf(req), (req.body as { secret: string }).secret);
    return reply.code(204).send();
  });
  app.post('/webhooks/stripe/:accountId', { schema: { summary: 'Stripe invoice events (signed with Stripe-Signature)' } }, async (req, reply) => {
    const sig = req.headers['stripe-signature'];
    const out = await deps.billing.stripeWebhook((req.params as { accountId: string }).accountId, req.rawBody, Array.isArray(sig) ? sig[0] : sig);
    if (out.status !== 200) return sendError(reply, out.status, out.message);
    return out.body;
  });

  // ------------------------------------------------------------------ alerts
  // An endpoint URL often carries a token (chat webhooks): the trail keeps its host, and whether Mesure made the secret.
  app.put('/v1/alerts/endpoints', {
    config: { audit: { action: 'alert_endpoint.set', details: (req) => endpointDetails(req.body as { url: string; secret?: string }) } },
    schema: {
      summary: 'Add (or re-key) an alert endpoint; without a secret one is generated and shown once',
      body: { type: 'object', additionalProperties: false, required: ['url'], properties: { url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 }, secret: { type: 'string', minLength: 16, maxLength: 200 } } },
      answers: { 200: schemaRef('AlertEndpoint') },
    },
  }, async (req) => {
    const b = req.body as { url: string; secret?: string };
    return deps.alerts.putEndpoint(accountOf(req), b.url, b.secret);
  });
  app.get('/v1/alerts/endpoints', { schema: { summary: 'Alert endpoints (secrets are never shown)', answers: { 200: schemaRef('AlertEndpointList') } } }, async (req) => ({ items: await deps.alerts.listEndpoints(accountOf(req)) }));
  app.delete('/v1/alerts/endpoints/:id', { config: { audit: { action: 'alert_endpoint.delete' } }, schema: { summary: 'Remove an alert endpoint' } }, async (req, reply) => {
    if (!(await deps.alerts.deleteEndpoint(accountOf(req), idOf(req)))) throw new HttpError(404, `No alert endpoint ${idOf(req)} in this account.`);
    return reply.code(204).send();
  });
  app.get('/v1/alerts/deliveries', {
    schema: {
      summary: 'The alert delivery log, newest first, with every attempt',
      querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, type: { type: 'string', enum: [...ALERT_KINDS] }, status: { type: 'string', enum: ['pending', 'delivered', 'failed'] } } },
    },
  }, async (req) => {
    const q = req.query as { limit: number; cursor?: string; type?: string; status?: string };
    return deps.alerts.deliveries(accountOf(req), { limit: q.limit, cursor: q.cursor, kind: q.type, status: q.status });
  });
}

