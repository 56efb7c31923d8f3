// Checks an answer against the schema /openapi.json publishes for it (components.schemas, src/http/responses.ts),
// strictly: an object schema that lists properties allows no other, so a field the server sends and the document
// omits fails, as does a null where the document promises a number.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;

type Doc = { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>; components?: unknown };

/** The schema with `additionalProperties: false` on every object schema that lists properties and says nothing else. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' ? v : closed(v);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** Validators by 'METHOD /path' and status, from the published document. */
export function answerValidators(doc: Doc): (route: string, status: number) => ValidateFunction | undefined {
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
  const components = closed(doc.components);
  const cache = new Map<string, ValidateFunction | undefined>();
  return (route, status) => {
    const key = `${route} ${status}`;
    if (!cache.has(key)) {
      const [method, path] = route.split(' ');
      const schema = doc.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']?.schema;
      cache.set(key, schema === undefined ? undefined : ajv.compile({ ...(closed(schema) as object), components }));
    }
    return cache.get(key);
  };
}

/** The validator's errors in a line each ("/figures/openRate must be number,null"). */
export function answerErrors(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`).join('\n');
}
