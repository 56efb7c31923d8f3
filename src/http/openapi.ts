// The OpenAPI 3.1 document, generated from the JSON schemas the routes validate with, so it cannot drift; the answers
// are published from each route's `schema.answers` (src/http/responses.ts), which the black-box suite checks.
import type {} from 'fastify';
import { RESPONSE_SCHEMAS } from './responses';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The JSON schema of each success answer, by status code, for /openapi.json only. Not `response`: Fastify would
     * use that as a serializer, dropping fields it does not list and turning a null rate into 0.
     */
    answers?: Record<number, unknown>;
  }
}

export interface RouteDoc {
  method: string;
  url: string;
  schema?: { body?: unknown; querystring?: unknown; params?: unknown; response?: unknown; answers?: Record<number, unknown>; summary?: string; description?: string; tags?: string[] };
}

/** The success answers of a route: its published schemas, or a bare 200 while a route has none yet. */
function successResponses(answers: Record<number, unknown> | undefined): Record<string, unknown> {
  if (!answers || Object.keys(answers).length === 0) return { '200': { description: 'OK' } };
  return Object.fromEntries(Object.entries(answers).map(([status, schema]) => [status, { description: 'OK', content: { 'application/json': { schema } } }]));
}

export function openApiDocument(routes: RouteDoc[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    // A path parameter is published with the schema the route validates it with (a plain string when it has none).
    const p = r.schema?.params as { properties?: Record<string, unknown> } | undefined;
    const params = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: p?.properties?.[m[1]] ?? { type: 'string' } }));
    const q = r.schema?.querystring as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    const query = Object.entries(q?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: q?.required?.includes(name) ?? false, schema }));
    const op: Record<string, unknown> = {
      summary: r.schema?.summary,
      description: r.schema?.description,
      tags: r.schema?.tags ?? [r.url.split('/')[2] ?? 'misc'],
      parameters: [...params, ...query],
      responses: { ...successResponses(r.schema?.answers), '400': { $ref: '#/components/responses/Error' }, '401': { $ref: '#/components/responses/Error' } },
    };
    if (r.schema?.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.schema.body } } };
    if (!r.url.startsWith('/v1')) op.security = [];
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Mesure API', version: '1', description: 'Campaign measurement: messages, events, orders and the figures of KPIS.md. Money in integer minor units, rates as fractions, times in ISO 8601.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      schemas: RESPONSE_SCHEMAS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `mesure keys create`.' } },
      responses: {
        Error: {
          description: 'An error: what is wrong and what to do',
          content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } } } } },
        },
      },
    },
    paths,
  };
}
