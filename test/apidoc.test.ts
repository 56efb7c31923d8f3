// The API documents stay true to the server: docs/API-REFERENCE.md is a fresh generation from /openapi.json, every
// route and every parameter, request and response property of /openapi.json is named in docs/API.md or in the
// reference, every route docs/API.md names exists, and docs/API.md links to the reference.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadOpenApiDocument, operations, renderApiReference, REFERENCE_FILE, REGENERATE_COMMAND,
  type OpenApiDocument, type Schema,
} from '../scripts/api-reference';

const API_MD = resolve(import.meta.dirname, '../docs/API.md');
const METHOD = '(?:GET|HEAD|POST|PUT|PATCH|DELETE)';
/** Prefixes of the routes /openapi.json lists (the tracking redirects and the dashboard's files are outside it). */
const API_PREFIXES = ['/v1/', '/auth/', '/webhooks/'];

/**
 * Every 'METHOD /path' a markdown text names, the way API.md writes them: `GET /v1/overview?from&to`,
 * `GET`/`PUT /v1/shopify/secret`, `GET|PUT|DELETE /v1/campaigns/{id}/cost-model`. HEAD counts as GET.
 */
function namedRoutes(markdown: string): string[] {
  const found = new Set<string>();
  const re = new RegExp(`\\b(${METHOD}(?:\`?\\s*[|/]\\s*\`?${METHOD})*)\`?\\s+(/[^\\s\`?,;)]*)`, 'g');
  for (const m of markdown.matchAll(re)) {
    const path = m[2].replace(/\.$/, '');
    for (const method of m[1].match(new RegExp(METHOD, 'g')) ?? []) found.add(`${method === 'HEAD' ? 'GET' : method} ${path}`);
  }
  return [...found];
}

/** The names a route's clients must know: its parameters and every property of its request and response bodies. */
function namesOf(doc: OpenApiDocument, op: ReturnType<typeof operations>[number]['op']): string[] {
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (s: unknown): void => {
    if (s === null || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    if (Array.isArray(s)) return s.forEach(walk);
    const schema = s as Schema;
    if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) {
      let at: unknown = doc;
      for (const part of schema.$ref.slice(2).split('/')) at = (at as Record<string, unknown> | undefined)?.[part];
      walk(at);
    }
    for (const name of Object.keys(schema.properties ?? {})) names.add(name);
    for (const [key, value] of Object.entries(schema)) if (key !== 'enum' && key !== 'const' && key !== 'default') walk(value);
  };
  for (const p of op.parameters ?? []) names.add(p.name);
  walk(op.requestBody);
  walk(op.responses);
  return [...names];
}

/** Each route's section of the reference ('### `GET /v1/campaigns/{id}`' up to the next heading of level 2 or 3). */
function sectionsOf(reference: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = reference.split(/^(?=#{2,3} )/m);
  for (const part of parts) {
    const m = /^### `([A-Z]+ [^`]+)`/.exec(part);
    if (m) sections.set(m[1], part);
  }
  return sections;
}

function names(text: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`).test(text);
}

/** Routes of a document whose properties are named neither in API.md nor in the route's (or a shared) section. */
function unnamedProperties(doc: OpenApiDocument, apiMd: string, reference: string): string[] {
  const sections = sectionsOf(reference);
  const shared = reference.split(/^## Shared schemas$/m)[1] ?? '';
  const missing: string[] = [];
  for (const { key, op } of operations(doc)) {
    const section = sections.get(key) ?? '';
    for (const name of namesOf(doc, op)) {
      if (!names(section, name) && !names(shared, name) && !names(apiMd, name)) missing.push(`${key}: ${name}`);
    }
  }
  return missing;
}

/**
 * The request body properties API.md writes right after a route (`POST /v1/x` `{ name, tags?: string[] }`, an
 * optional "(owner)" between) that the route's body schema does not have: a property the server would refuse.
 * Map keys (`perSegment: { default, FR? }`) count when they match the map's key pattern.
 */
function unreadBodyProperties(doc: OpenApiDocument, markdown: string): string[] {
  const ops = new Map(operations(doc).map((o) => [o.key, o.op]));
  const unread: string[] = [];
  for (const m of markdown.matchAll(/`(POST|PUT|PATCH|DELETE) (\/[^`\s?]+)`\s*(?:\([^)]*\)\s*)?`(\{[^`]*\})`/g)) {
    const key = `${m[1]} ${m[2]}`;
    const known = new Set<string>();
    const keyPatterns: RegExp[] = [];
    const walk = (s: unknown): void => {
      if (s === null || typeof s !== 'object') return;
      if (Array.isArray(s)) return s.forEach(walk);
      const schema = s as Schema;
      for (const name of Object.keys(schema.properties ?? {})) known.add(name);
      if (schema.propertyNames?.pattern) keyPatterns.push(new RegExp(schema.propertyNames.pattern));
      for (const [k, v] of Object.entries(schema)) if (k !== 'enum' && k !== 'const' && k !== 'default') walk(v);
    };
    walk(ops.get(key)?.requestBody);
    // A property starts an item ('{', ',' or '|' before it) and ends it ('?', ':', ',', '}' or '|' after it); quoted
    // values ("text"|"html") and null are values, not properties.
    const body = m[3].replace(/"[^"]*"/g, '""');
    for (const [, name] of body.matchAll(/(?<=[{,|]\s*)([A-Za-z_][A-Za-z0-9_]*)\??(?=\s*[:,}|])/g)) {
      if (name === 'null' || known.has(name) || keyPatterns.some((p) => p.test(name))) continue;
      unread.push(`${key}: ${name}`);
    }
  }
  return unread;
}

describe('docs/API.md and docs/API-REFERENCE.md against /openapi.json', () => {
  let doc: OpenApiDocument;
  let routes: string[];
  const apiMd = readFileSync(API_MD, 'utf8');
  const reference = readFileSync(REFERENCE_FILE, 'utf8');
  beforeAll(async () => {
    doc = await loadOpenApiDocument();
    routes = operations(doc).map((o) => o.key);
  }, 60_000);

  it('has a committed docs/API-REFERENCE.md equal to a fresh generation', () => {
    const fresh = renderApiReference(doc);
    if (fresh !== reference) {
      const a = reference.split('\n');
      const b = fresh.split('\n');
      const line = b.findIndex((l, i) => l !== a[i]);
      expect.fail(
        `docs/API-REFERENCE.md is stale: run \`${REGENERATE_COMMAND}\` and commit the result. ` +
          `First difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}`,
      );
    }
  });

  it('links docs/API.md to the reference', () => {
    expect(/\]\(API-REFERENCE\.md(#[^)]*)?\)/.test(apiMd), 'docs/API.md must link to API-REFERENCE.md').toBe(true);
  });

  it('names every route of /openapi.json in docs/API.md', () => {
    const named = new Set(namedRoutes(apiMd));
    expect(routes.length).toBeGreaterThan(90);
    expect(routes.filter((r) => !named.has(r)), 'routes of /openapi.json that docs/API.md does not name (write them as `METHOD /path`)').toEqual([]);
  });

  it('names in docs/API.md only routes that exist', () => {
    const known = new Set(routes);
    const bogus = namedRoutes(apiMd).filter((r) => API_PREFIXES.some((p) => r.split(' ')[1].startsWith(p)) && !known.has(r));
    expect(bogus, 'routes docs/API.md names that /openapi.json does not list (path parameters must use its names, e.g. {id})').toEqual([]);
  });

  it('gives in docs/API.md only request body properties the server reads', () => {
    expect(unreadBodyProperties(doc, apiMd), 'properties docs/API.md gives a route\'s body that its schema does not have (the server answers 400)').toEqual([]);
  });

  it('names every parameter and request and response property of every route in docs/API.md or in the reference', () => {
    expect(unnamedProperties(doc, apiMd, reference), 'run `npm run docs:api`, or describe them in docs/API.md').toEqual([]);
  });
});

// The server publishes no response schemas yet (another change adds them); the reference must render them when it does.
describe('renderApiReference with response schemas', () => {
  const figures: Schema = {
    type: 'object',
    required: ['sent', 'openRate'],
    properties: { sent: { type: 'integer', minimum: 0 }, openRate: { type: ['number', 'null'], description: 'opened / delivered' } },
  };
  const doc: OpenApiDocument = {
    components: {
      schemas: { Figures: figures },
      responses: { Error: { description: 'An error', content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' } } } } } } },
    },
    paths: {
      '/v1/campaigns/{id}': {
        get: {
          summary: 'A campaign',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 200 } }],
          responses: {
            '200': {
              description: 'OK',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      campaign: { type: 'object', properties: { sendAt: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] } } },
                      figures: { $ref: '#/components/schemas/Figures' },
                      notSent: { type: 'array', items: { type: 'object', properties: { reason: { type: 'string', enum: ['opted_out', 'duplicate'] }, count: { type: 'integer' } } } },
                      unpaid: { oneOf: [{ type: 'object', properties: { count: { const: 0 } } }, { type: 'object', properties: { total: { type: 'integer' } } }] },
                    },
                  },
                },
              },
            },
            '404': { $ref: '#/components/responses/Error' },
          },
        },
      },
    },
  };
  const text = renderApiReference(doc);

  it('lists nested, array, nullable and linked properties with their types', () => {
    expect(text).toContain('Response `200` (`application/json`):');
    expect(text).toContain('| `campaign.sendAt` | string \\| null |  | format date-time |  |');
    // A shared schema is linked where it is used and described once, with its own required properties.
    expect(text).toContain('| `figures` | [Figures](#schema-figures) |  |  |  |');
    expect(text).toContain('### Schema Figures');
    expect(text).toContain('| `openRate` | number \\| null | yes |  | opened / delivered |');
    expect(text).toContain('| `notSent` | array of object |  |  |  |');
    expect(text).toContain('| `notSent[].reason` | string |  | one of `opted_out`, `duplicate` |  |');
    expect(text).toContain('| `unpaid.count` | `0` |  |  | (form 1 of 2) |');
    expect(text).toContain('| `unpaid.total` | integer |  |  | (form 2 of 2) |');
    expect(text).toContain('`404` [Error](#response-error)');
  });

  it('names every property, so the check passes on it and fails on a reference without them', () => {
    expect(unnamedProperties(doc, '', text)).toEqual([]);
    expect(unnamedProperties(doc, '', text.replace(/^\| `notSent\[\]\.reason`.*$/m, ''))).toEqual(['GET /v1/campaigns/{id}: reason']);
  });
});

describe('namedRoutes', () => {
  it('reads the ways docs/API.md writes routes', () => {
    expect(namedRoutes('`GET /v1/overview?from=2026-01-01` and `GET`/`PUT /v1/shopify/secret`, `GET|PUT|DELETE /v1/campaigns/{id}/cost-model`; `GET|HEAD /l/{token}`.').sort()).toEqual([
      'DELETE /v1/campaigns/{id}/cost-model',
      'GET /l/{token}',
      'GET /v1/campaigns/{id}/cost-model',
      'GET /v1/overview',
      'GET /v1/shopify/secret',
      'PUT /v1/campaigns/{id}/cost-model',
      'PUT /v1/shopify/secret',
    ]);
  });
});
