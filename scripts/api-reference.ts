// Writes docs/API-REFERENCE.md from the OpenAPI document the server publishes at /openapi.json (built here without
// listening, on an in-memory database): every route with its role, parameters, request body and response properties.
// Run `npm run docs:api`; test/apidoc.test.ts fails when the committed file differs from a fresh generation.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config';
import { assemble } from '../src/main';
import { accessOf } from '../src/http/roles';

export const REFERENCE_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/API-REFERENCE.md');
export const REGENERATE_COMMAND = 'npm run docs:api';

/** A JSON schema as /openapi.json publishes it (only the keywords this renderer reads are typed). */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema | Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  not?: Schema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  default?: unknown;
  [keyword: string]: unknown;
}

interface Parameter { name: string; in: string; required?: boolean; description?: string; schema?: Schema }
interface Content { schema?: Schema }
interface Response { $ref?: string; description?: string; content?: Record<string, Content> }
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, Content> };
  responses?: Record<string, Response>;
  security?: unknown[];
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; responses?: Record<string, Response> };
  [key: string]: unknown;
}

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'];

/** The document the server serves at /openapi.json, from an app that is built but never listens. */
export async function loadOpenApiDocument(): Promise<OpenApiDocument> {
  const config = loadConfig({ DATABASE_URL: 'file::memory:', MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://localhost:3000' });
  const mesure = await assemble(config);
  try {
    const res = await mesure.app.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
    return res.json() as OpenApiDocument;
  } finally {
    await mesure.close();
  }
}

/** Every operation of the document as 'METHOD /path' (paths as the document writes them: '/v1/campaigns/{id}'). */
export function operations(doc: OpenApiDocument): { key: string; method: string; path: string; op: Operation }[] {
  const out: { key: string; method: string; path: string; op: Operation }[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      if (METHODS.includes(method)) out.push({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op });
    }
  }
  return out;
}

/** The heading anchor GitHub gives a route's heading ('### `GET /v1/campaigns/{id}`' → 'get-v1campaignsid'). */
function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-');
}

// ------------------------------------------------------------------------------------------------ schema → rows

interface Row { path: string; type: string; required: boolean; constraints: string[]; description?: string }

const COMPONENT_SCHEMA = '#/components/schemas/';

function code(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  // A backtick inside a code span would end it; a pipe would end the table cell.
  return `\`${text.replace(/`/g, "'")}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function num(n: number): string {
  return Number.isInteger(n) && Math.abs(n) >= 10_000 ? n.toLocaleString('en-US') : String(n);
}

function range(min: number | undefined, max: number | undefined, unit: string): string | undefined {
  if (min === undefined && max === undefined) return undefined;
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${num(min)}${unit}` : `${num(min)}–${num(max)}${unit}`;
  return min !== undefined ? `≥ ${num(min)}${unit}` : `≤ ${num(max as number)}${unit}`;
}

function resolvePointer(doc: OpenApiDocument, ref: string): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at as Schema;
}

/** A link to a shared schema of the components section, or undefined when the $ref points elsewhere. */
function componentLink(ref: string): string | undefined {
  if (!ref.startsWith(COMPONENT_SCHEMA)) return undefined;
  const name = ref.slice(COMPONENT_SCHEMA.length);
  return `[${name}](#${anchorOf(`schema ${name}`)})`;
}

function isNull(s: Schema): boolean {
  return s.type === 'null' || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null');
}

/** Splits "X or null" (anyOf/oneOf with a null branch, type arrays with 'null', nullable: true) into X and a flag. */
function unwrapNullable(s: Schema): { schema: Schema; nullable: boolean } {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = s[key];
    if (branches && branches.some(isNull)) {
      const rest = branches.filter((b) => !isNull(b));
      const { [key]: _dropped, ...others } = s;
      const schema = rest.length === 1 ? { ...others, ...rest[0], description: s.description ?? rest[0].description } : { ...others, [key]: rest };
      return { schema, nullable: true };
    }
  }
  if (Array.isArray(s.type) && s.type.includes('null')) {
    const types = s.type.filter((t) => t !== 'null');
    return { schema: { ...s, type: types.length === 1 ? types[0] : types }, nullable: true };
  }
  return { schema: s, nullable: s.nullable === true };
}

/** The type column: 'string', 'integer | null', 'array of object', 'map of integer', a link to a shared schema… */
function typeOf(s: Schema, doc: OpenApiDocument): string {
  if (s.$ref) return componentLink(s.$ref) ?? typeOf(resolvePointer(doc, s.$ref) ?? {}, doc);
  const { schema, nullable } = unwrapNullable(s);
  let t: string;
  if (schema.$ref) t = typeOf({ $ref: schema.$ref }, doc);
  else if (schema.const !== undefined) t = code(schema.const);
  else if (Array.isArray(schema.type)) t = schema.type.join(' | ');
  else if (schema.type === 'array' || (!schema.type && schema.items)) {
    const items = Array.isArray(schema.items) ? undefined : schema.items;
    t = items ? `array of ${typeOf(items, doc)}` : 'array';
  } else if (schema.type === 'object' || (!schema.type && schema.properties)) {
    t = !schema.properties && schema.additionalProperties && typeof schema.additionalProperties === 'object'
      ? `map of ${typeOf(schema.additionalProperties, doc)}`
      : 'object';
  } else if (schema.type) t = schema.type;
  else if (schema.anyOf || schema.oneOf) t = (schema.anyOf ?? schema.oneOf ?? []).map((b) => typeOf(b, doc)).join(' or ');
  else if (schema.allOf) t = schema.allOf.map((b) => typeOf(b, doc)).join(' and ');
  else t = 'any';
  return nullable ? `${t} \\| null` : t;
}

function constraintsOf(s: Schema): string[] {
  const c: string[] = [];
  if (s.enum) c.push(`one of ${s.enum.map(code).join(', ')}`);
  if (s.format) c.push(`format ${s.format}`);
  const length = range(s.minLength, s.maxLength, ' characters');
  if (length) c.push(length);
  if (s.minimum !== undefined && s.maximum !== undefined) c.push(`${num(s.minimum)} to ${num(s.maximum)}`);
  else if (s.minimum !== undefined) c.push(`≥ ${num(s.minimum)}`);
  else if (s.maximum !== undefined) c.push(`≤ ${num(s.maximum)}`);
  if (s.exclusiveMinimum !== undefined) c.push(`> ${num(s.exclusiveMinimum)}`);
  if (s.exclusiveMaximum !== undefined) c.push(`< ${num(s.exclusiveMaximum)}`);
  const items = range(s.minItems, s.maxItems, ' items');
  if (items) c.push(items);
  const props = range(s.minProperties, s.maxProperties, ' keys');
  if (props) c.push(props);
  if (s.pattern) c.push(`pattern ${code(s.pattern)}`);
  if (s.propertyNames) {
    const k = s.propertyNames;
    const keyRules = [k.pattern ? `match ${code(k.pattern)}` : undefined, range(k.minLength, k.maxLength, ' characters'), k.enum ? `one of ${k.enum.map(code).join(', ')}` : undefined].filter(Boolean);
    if (keyRules.length) c.push(`keys ${keyRules.join(', ')}`);
  }
  if (s.default !== undefined) c.push(`default ${code(s.default)}`);
  // An array of plain values: the rules each value follows (an array of objects lists its items' properties instead).
  const item = Array.isArray(s.items) ? undefined : s.items && unwrapNullable(s.items).schema;
  if (item && !item.properties && !item.$ref) {
    const each = constraintsOf(item);
    if (each.length) c.push(`each ${each.join(', ')}`);
  }
  return c;
}

/** One branch of a oneOf/anyOf that only adds rules over the object's own properties, in words. */
function ruleOf(b: Schema): string | undefined {
  if (b.type || b.items || b.$ref) return undefined;
  if (b.properties && Object.values(b.properties).some((p) => p.const === undefined && p.enum === undefined)) return undefined;
  const parts: string[] = [];
  for (const [name, p] of Object.entries(b.properties ?? {})) parts.push(`${code(name)} ${p.const !== undefined ? `= ${code(p.const)}` : `in ${(p.enum ?? []).map(code).join(', ')}`}`);
  if (b.required?.length) parts.push(`with ${b.required.map(code).join(', ')}`);
  if (b.not) {
    const names = [b.not.required ?? [], ...(b.not.anyOf ?? []).map((x) => x.required ?? [])].flat();
    if (!names.length) return undefined;
    parts.push(`without ${names.map(code).join(', ')}`);
  }
  return parts.length ? parts.join(', ') : undefined;
}

/**
 * Flattens a schema into one row per property, paths written as a client reads them: `template.name`,
 * `messages[].recipient.email`, `perSegment.<key>`. Shared schemas ($ref to components) are linked, not repeated.
 */
function rowsOf(s: Schema, doc: OpenApiDocument, path: string, seen: string[] = []): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  if (s.$ref) {
    if (componentLink(s.$ref)) return { rows, notes };
    const target = resolvePointer(doc, s.$ref);
    if (!target || seen.includes(s.$ref)) return { rows, notes };
    return rowsOf(target, doc, path, [...seen, s.$ref]);
  }
  const { schema } = unwrapNullable(s);
  if (schema.$ref) return rowsOf({ $ref: schema.$ref }, doc, path, seen);
  const add = (child: Schema, childPath: string, required: boolean) => {
    const { schema: inner } = unwrapNullable(child);
    rows.push({ path: childPath, type: typeOf(child, doc), required, constraints: constraintsOf(inner), description: child.description ?? inner.description });
    const sub = rowsOf(child, doc, childPath, seen);
    rows.push(...sub.rows);
    notes.push(...sub.notes);
  };
  const prefix = path ? `${path}.` : '';
  for (const [name, child] of Object.entries(schema.properties ?? {})) add(child, `${prefix}${name}`, schema.required?.includes(name) ?? false);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const sub = rowsOf(schema.additionalProperties, doc, `${prefix}<key>`, seen);
    rows.push(...sub.rows);
    notes.push(...sub.notes);
  }
  const items = Array.isArray(schema.items) ? undefined : schema.items;
  if (items) {
    const sub = rowsOf(items, doc, `${path}[]`, seen);
    rows.push(...sub.rows);
    notes.push(...sub.notes);
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = schema[key];
    if (!branches) continue;
    const rules = branches.map(ruleOf);
    const where = path ? ` in ${code(path)}` : '';
    if (rules.every((r) => r !== undefined)) {
      notes.push(`${key === 'oneOf' ? 'Exactly one' : 'At least one'} of these holds${where}: ${rules.map((r, i) => `(${i + 1}) ${r}`).join('; ')}.`);
      continue;
    }
    // Branches that are shapes of their own: each branch's properties, marked with the branch they belong to.
    branches.forEach((b, i) => {
      const sub = rowsOf(b, doc, path, seen);
      for (const r of sub.rows) rows.push({ ...r, description: `(form ${i + 1} of ${branches.length}) ${r.description ?? ''}`.trim() });
      notes.push(...sub.notes);
    });
    if (path || branches.length) notes.push(`${where ? `${code(path)} has` : 'The body has'} ${key === 'oneOf' ? 'exactly one' : 'one or more'} of ${branches.length} forms: ${branches.map((b, i) => `(${i + 1}) ${typeOf(b, doc)}`).join(', ')}.`);
  }
  for (const part of schema.allOf ?? []) {
    const sub = rowsOf(part, doc, path, seen);
    rows.push(...sub.rows);
    notes.push(...sub.notes);
  }
  return { rows, notes };
}

function schemaTable(s: Schema, doc: OpenApiDocument): string[] {
  const { rows, notes } = rowsOf(s, doc, '');
  const out: string[] = [];
  if (!rows.length) out.push(`A ${typeOf(s, doc)}${constraintsOf(unwrapNullable(s).schema).map((c) => `, ${c}`).join('')}.`);
  else {
    const top = typeOf(s, doc);
    if (top !== 'object') out.push(`A ${top}${constraintsOf(unwrapNullable(s).schema).map((c) => `, ${c}`).join('')}:`, '');
    out.push('| Property | Type | Required | Constraints | Description |', '| --- | --- | --- | --- | --- |');
    for (const r of rows) out.push(`| ${code(r.path)} | ${r.type} | ${r.required ? 'yes' : ''} | ${cell(r.constraints.join('; '))} | ${cell(r.description ?? '')} |`);
  }
  for (const n of notes) out.push('', n);
  return out;
}

// ------------------------------------------------------------------------------------------------ document → markdown

function roleOf(method: string, path: string): string {
  const url = path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
  const access = accessOf(method, url);
  if (access === undefined) return 'not in src/http/roles.ts';
  return access === 'public' ? 'public (no API key; see the summary for how the caller is checked)' : `${access} or above`;
}

function responseOf(r: Response, doc: OpenApiDocument): { name?: string; response: Response } {
  if (r.$ref?.startsWith('#/components/responses/')) {
    const name = r.$ref.slice('#/components/responses/'.length);
    return { name, response: doc.components?.responses?.[name] ?? {} };
  }
  return { response: r };
}

function renderOperation(method: string, path: string, op: Operation, doc: OpenApiDocument): string[] {
  const out = [`### \`${method} ${path}\``, ''];
  if (op.summary) out.push(`${op.summary}.`.replace(/\.\.$/, '.'), '');
  if (op.description) out.push(op.description, '');
  out.push(`Role: ${roleOf(method, path)}.`, '');

  const params = op.parameters ?? [];
  if (params.length) {
    out.push('Parameters:', '', '| Name | In | Type | Required | Constraints | Description |', '| --- | --- | --- | --- | --- | --- |');
    for (const p of params) {
      const s = p.schema ?? {};
      out.push(`| ${code(p.name)} | ${p.in} | ${typeOf(s, doc)} | ${p.required ? 'yes' : ''} | ${cell(constraintsOf(unwrapNullable(s).schema).join('; '))} | ${cell(p.description ?? s.description ?? '')} |`);
    }
    out.push('');
  }

  for (const [type, content] of Object.entries(op.requestBody?.content ?? {})) {
    out.push(`Request body (\`${type}\`${op.requestBody?.required ? ', required' : ''}):`, '');
    out.push(...(content.schema ? schemaTable(content.schema, doc) : ['No schema published.']), '');
  }

  const statuses = Object.entries(op.responses ?? {});
  const described: string[] = [];
  for (const [status, raw] of statuses) {
    const { name, response } = responseOf(raw, doc);
    const contents = Object.entries(response.content ?? {});
    if (name) {
      described.push(`\`${status}\` [${name}](#${anchorOf(`response ${name}`)})`);
      continue;
    }
    if (!contents.some(([, c]) => c.schema)) {
      described.push(`\`${status}\`${response.description && response.description !== 'OK' ? ` ${response.description}` : ''}`);
      continue;
    }
    for (const [type, content] of contents) {
      out.push(`Response \`${status}\` (\`${type}\`)${response.description && response.description !== 'OK' ? `: ${response.description}` : ''}:`, '');
      out.push(...(content.schema ? schemaTable(content.schema, doc) : ['No schema published.']), '');
    }
  }
  if (described.length) out.push(`Responses${statuses.length > described.length ? ' also' : ''} (no body schema in /openapi.json): ${described.join(', ')}.`, '');
  return out;
}

/** docs/API-REFERENCE.md for a document: deterministic (no date, no server URL), so a fresh generation can be compared. */
export function renderApiReference(doc: OpenApiDocument): string {
  const ops = operations(doc);
  const groups = new Map<string, typeof ops>();
  for (const o of ops) {
    const tag = o.op.tags?.[0] ?? 'misc';
    groups.set(tag, [...(groups.get(tag) ?? []), o]);
  }
  const out = [
    '# HTTP API reference',
    '',
    `<!-- Generated from /openapi.json by scripts/api-reference.ts: do not edit by hand, run \`${REGENERATE_COMMAND}\`. -->`,
    '',
    'Every route the server answers under `/v1`, `/auth` and `/webhooks`, as its JSON schemas validate it (the same document the',
    'server publishes at `/openapi.json`). What the figures mean, how the routes work together and the examples are in',
    '[API.md](API.md); the lowest role of each route comes from `src/http/roles.ts`. Bodies are validated strictly: a property',
    'not listed is refused with `400`. Query strings and path parameters are converted from text to the type shown.',
    '',
    `${ops.length} routes:`,
    '',
  ];
  for (const [tag, list] of groups) {
    out.push(`- ${tag}: ${list.map((o) => `[${o.key}](#${anchorOf(`${o.method} ${o.path}`)})`).join(', ')}`);
  }
  out.push('');
  for (const [tag, list] of groups) {
    out.push(`## ${tag}`, '');
    for (const o of list) out.push(...renderOperation(o.method, o.path, o.op, doc));
  }
  const schemas = Object.entries(doc.components?.schemas ?? {});
  if (schemas.length) {
    out.push('## Shared schemas', '');
    for (const [name, s] of schemas) {
      out.push(`### Schema ${name}`, '');
      if (s.description) out.push(s.description, '');
      out.push(...schemaTable(s, doc), '');
    }
  }
  const responses = Object.entries(doc.components?.responses ?? {});
  if (responses.length) {
    out.push('## Shared responses', '');
    for (const [name, r] of responses) {
      out.push(`### Response ${name}`, '');
      if (r.description) out.push(`${r.description}.`, '');
      for (const [type, content] of Object.entries(r.content ?? {})) {
        out.push(`\`${type}\`:`, '', ...(content.schema ? schemaTable(content.schema, doc) : ['No schema published.']), '');
      }
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

async function main(): Promise<void> {
  const text = renderApiReference(await loadOpenApiDocument());
  writeFileSync(REFERENCE_FILE, text);
  process.stdout.write(`Wrote ${REFERENCE_FILE} (${text.split('\n').length} lines).\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
