// The OpenAPI document publishes what the routes validate: path parameters with their own schemas.
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';

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
