// The OpenAPI document publishes what the routes validate: path parameters with their own schemas.
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';
import { RESPONSE_SCHEMAS } from './responses';

describe('openApiDocument', () => {
  it('publishes a path parameter with the schema the route validates it with, and a plain string otherwise', () => {
    const doc = openApiDocument(
      [
        { method: 'DELETE', url: '/v1/keys/:id', schema: { params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } } } } },
        { method: 'GET', url: '/v1/campaigns/:id', schema: {} },
      ],
      'http://mesure.test',
    );
    const paths = doc.paths as Record<string, Record<string, { parameters: { name: string; in: string; schema: unknown }[] }>>;
    expect(paths['/v1/keys/{id}'].delete.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 100 } }]);
    expect(paths['/v1/campaigns/{id}'].get.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
  });
});

describe('published answers', () => {
  it("publishes a route's answers with their status and leaves routes without one at a bare 200", () => {
    const doc = openApiDocument(
      [
        { method: 'POST', url: '/v1/campaigns', schema: { answers: { 201: { $ref: '#/components/schemas/Campaign' } } } },
        { method: 'GET', url: '/healthz', schema: {} },
      ],
      'http://mesure.test',
    );
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    expect(paths['/v1/campaigns'].post.responses['201']).toEqual({ description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Campaign' } } } });
    expect(paths['/v1/campaigns'].post.responses['200']).toBeUndefined();
    expect(paths['/healthz'].get.responses['200']).toEqual({ description: 'OK' });
  });

  it('resolves every $ref of the answer schemas to a named schema', () => {
    const names = new Set(Object.keys(RESPONSE_SCHEMAS));
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) if (k === '$ref') refs.push(String(x)); else walk(x);
      }
    };
    walk(RESPONSE_SCHEMAS);
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((r) => !names.has(r.replace('#/components/schemas/', '')))).toEqual([]);
  });
});
