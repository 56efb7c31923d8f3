// The black-box fuzzer's generators: a JSON schema (as /openapi.json publishes it) → a fast-check arbitrary of
// mostly valid values with hostile mutations mixed in, and hostile path ids, query strings and raw bodies.
import fc from 'fast-check';

export type Schema = Record<string, any>;

/**
 * Numbers JSON.stringify cannot write (1e400, -0, 2^53+1 as digits) travel as this marker inside a string and
 * are spliced into the JSON text raw by `toJsonText`.
 */
const RAW = '\u0001RAW:';
const raw = (jsonText: string) => `${RAW}${jsonText}\u0001`;

/** JSON text of `value`, with the raw-number markers replaced by their literal text. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001RAW:(.*?)\\u0001"/g, (_m, t: string) => t);
}

const HOSTILE_NUMBERS = ['1e308', '-1e308', '1e400', '-1e400', '-0', '9007199254740993', '-9007199254740993', '1e-400', '0.1e1', '123456789012345678901234567890', '5e-324'];
const HOSTILE_STRINGS = [
  '', ' ', 'NaN', 'Infinity', '-Infinity', 'null', 'undefined', 'true', '0', '-0', '1e400', '9007199254740993',
  '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '\u202e\u0000', '\uffff', '\ufeff', '%00', '%ED%A0%80',
  '9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00Z',
  '99999999999999', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T25:61:61Z', '1970-01-01T00:00:00+99:99',
  '9999-12-31', '0000-00-00', '275760-09-13', '../../etc/passwd', '<script>alert(1)</script>', "'; DROP TABLE campaigns; --",
  '${7*7}', '__proto__', 'constructor', 'x'.repeat(10_001), 'é'.repeat(3000), '𝔘'.repeat(2000), 'a\r\nb', 'https://\u0000.example/',
  'javascript:alert(1)', 'http://[::1', 'USD', 'eur', 'ZZZ',
];

/** A value of another JSON type, or a hostile string/number, for any schema. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_NUMBERS).map(raw),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, -(2 ** 63), Number.MAX_SAFE_INTEGER, [], {}, [null], [{}], { '': null }),
  fc.constantFrom({ __proto__: { polluted: true } } as unknown, JSON.parse('{"__proto__":{"x":1}}'), JSON.parse('{"constructor":{"prototype":{"x":1}}}')),
  deepNest(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.double(),
  fc.integer(),
);

/** Nested arrays/objects 1,000-5,000 deep (JSON text, raw). */
function deepNest(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 1_000, max: 5_000 }), fc.boolean()).map(([n, arr]) => raw(arr ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));
}

const WEIGHT_VALID = 12;

/**
 * Values of `schema` by hostility: 0 = valid only; 1 = valid with extremes that still pass validation (so they reach
 * the handlers); 2 = also wrong types, values just out of bounds, missing and unknown fields, at every level.
 */
export function fromSchema(schema: Schema | undefined, hostility = 2, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFrom(schema ?? {}, hostility, depth);
  if (hostility === 0) return valid;
  if (hostility === 1) return fc.oneof({ arbitrary: valid, weight: WEIGHT_VALID }, { arbitrary: edge(schema ?? {}), weight: 2 });
  return fc.oneof(
    { arbitrary: valid, weight: WEIGHT_VALID },
    { arbitrary: edge(schema ?? {}), weight: 3 },
    { arbitrary: nearMiss(schema ?? {}), weight: 2 },
    { arbitrary: hostileValue, weight: 1 },
  );
}

/**
 * Values of the schema's own type at its extremes, which pass validation and reach the code: NUL and lone
 * surrogates, the longest string in 4-byte characters, the largest integers (2^53+1, 1e308 where no maximum),
 * -0, the smallest double, far dates, the longest array.
 */
function edge(s: Schema): fc.Arbitrary<unknown> {
  const out: unknown[] = [];
  for (const t of typesOf(s)) {
    if (t === 'string' && !s.enum && !('const' in s)) {
      if (s.format === 'date-time') out.push('9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z', '1970-01-01T00:00:00+14:00', '2026-01-01T00:00:00.123456789Z', '0000-01-01T00:00:00Z', '2026-03-29T02:30:00+01:00');
      else if (s.format === 'date') out.push('9999-12-31', '0001-01-01', '0000-01-01', '2024-02-29');
      else if (!s.pattern && !s.format) {
        const n = Math.max(s.minLength ?? 1, 1);
        out.push('\u0000'.padEnd(n, 'a'), 'a\u0000b'.padEnd(n, 'a'), '\ud800'.padEnd(n, 'a'), 'x\udfff'.padEnd(n, 'a'), ' '.repeat(n), '\u202e'.padEnd(n, 'a'), 'NaN'.padEnd(n, 'a'));
        if (s.maxLength !== undefined) out.push('𝔘'.repeat(Math.min(s.maxLength, 300_000)), 'é'.repeat(Math.min(s.maxLength, 300_000)));
      }
    }
    if (t === 'integer' || t === 'number') {
      const max = s.maximum;
      const min = s.minimum ?? s.exclusiveMinimum;
      if (max === undefined) out.push(raw('1e308'), raw('9007199254740993'), 2 ** 53, 2 ** 63, raw('1e20'));
      else out.push(max);
      if (min === undefined || min <= 0) out.push(raw('-0'));
      if (min === undefined) out.push(raw('-1e308'), -(2 ** 53));
      if (t === 'number') out.push(raw('5e-324'), raw('0.1e-300'));
    }
    if (t === 'array' && typeof s.maxItems === 'number' && s.items) {
      const item = minimalValid(s.items);
      out.push(Array.from({ length: s.maxItems }, () => item));
    }
  }
  return out.length ? fc.constantFrom(...out) : validFrom(s, 0, 5);
}

/** Values just outside the schema's bounds: one past maxLength/maxItems/maximum, one under the minimum, a wrong enum. */
function nearMiss(s: Schema): fc.Arbitrary<unknown> {
  const out: fc.Arbitrary<unknown>[] = [];
  if (typeof s.maxLength === 'number') out.push(fc.constant('m'.repeat(s.maxLength + 1)), fc.constant('é'.repeat(s.maxLength + 1)));
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push(fc.constant('m'.repeat(s.minLength - 1)));
  if (typeof s.maximum === 'number') out.push(fc.constant(s.maximum + 1), fc.constant(raw(`${s.maximum}.0000000001`)));
  if (typeof s.minimum === 'number') out.push(fc.constant(s.minimum - 1), fc.constant(s.minimum - 0.5));
  if (typeof s.exclusiveMinimum === 'number') out.push(fc.constant(s.exclusiveMinimum));
  if (Array.isArray(s.enum)) out.push(fc.constant(`${String(s.enum[0])}x`), fc.constant(String(s.enum[0]).toUpperCase()));
  if (typeof s.maxItems === 'number' && s.maxItems <= 10_000) {
    // One past maxItems: the smallest valid item repeated, so the body stays under the server's limit.
    const item = s.items ? minimalValid(s.items) : 1;
    out.push(fc.constant(Array.from({ length: (s.maxItems as number) + 1 }, () => item)));
  }
  if (s.format === 'date-time' || s.format === 'date') out.push(fc.constantFrom('9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '99999999999999', '2026-02-30', '2026-02-29T00:00:00Z', '0000-01-01'));
  if (s.type === 'object' || s.properties) out.push(fc.constant({}), fc.constant({ unknownField: 1 }));
  return out.length ? fc.oneof(...out) : hostileValue;
}

/** A small valid value of `s`: objects with their required properties only. */
export function minimalValid(s: Schema): unknown {
  const types = typesOf(s);
  if ((types.includes('object') || s.properties) && !('const' in s) && !s.enum) {
    const merged = s.oneOf ? mergeBranch(s, s.oneOf[0]) : s;
    const o: Record<string, unknown> = {};
    for (const k of merged.required ?? []) o[k] = minimalValid(merged.properties?.[k] ?? {});
    return o;
  }
  return fc.sample(validFrom(s, 0, 5), { numRuns: 1, seed: 7 })[0];
}

function typesOf(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  if (s.properties || s.additionalProperties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

function validFrom(s: Schema, h: number, depth: number): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) {
    const branches = (s.oneOf ?? s.anyOf) as Schema[];
    // A oneOf beside properties (goal kinds, links/issue) constrains the object: merge each branch into it.
    if (s.properties) return fc.oneof(...branches.map((b) => validFrom(mergeBranch(s, b), h, depth)));
    return fc.oneof(...branches.map((b) => fromSchema(b, h, depth + 1)));
  }
  const types = typesOf(s);
  if (types.length === 0) return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(...types.map((t) => ofType(t, s, h, depth)));
}

function mergeBranch(s: Schema, b: Schema): Schema {
  const { oneOf: _o, anyOf: _a, ...rest } = s;
  const props = { ...rest.properties };
  for (const [k, v] of Object.entries<Schema>(b.properties ?? {})) props[k] = { ...props[k], ...v };
  const required = [...new Set([...(rest.required ?? []), ...(b.required ?? [])])];
  const banned = new Set<string>([...(b.not?.required ?? []), ...((b.not?.anyOf ?? []) as Schema[]).flatMap((x) => x.required ?? [])]);
  for (const k of banned) delete props[k];
  return { ...rest, properties: props, required };
}

function ofType(t: string, s: Schema, h: number, depth: number): fc.Arbitrary<unknown> {
  switch (t) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const min = s.minimum ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : -1_000_000);
      const max = s.maximum ?? Math.max(min + 1_000_000, 1_000_000);
      return fc.oneof(fc.constantFrom(min, Math.min(max, Number.MAX_SAFE_INTEGER)), fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }));
    }
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1e9;
      const max = s.maximum ?? 1e9;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: s.exclusiveMinimum !== undefined }).map((x) => (Object.is(x, -0) ? 0 : x));
    }
    case 'string':
      return stringOf(s);
    case 'array': {
      const item = s.items ? fromSchema(s.items, h, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      return fc.array(item, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 5, 5) });
    }
    case 'object':
      return objectOf(s, h, depth);
    default:
      return fc.constant(null);
  }
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  const maxLength = Math.min(s.maxLength ?? 60, 300);
  const minLength = s.minLength ?? 0;
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'uri') return fc.webUrl().filter((u) => u.length <= (s.maxLength ?? 2000));
  if (typeof s.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= minLength && x.length <= (s.maxLength ?? Infinity));
    } catch {
      // an unsupported pattern: fall through to plain strings
    }
  }
  return fc.oneof(
    { arbitrary: fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, 30)) }), weight: 4 },
    { arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(maxLength, 20)) }), weight: 1 },
    { arbitrary: fc.constant('x'.repeat(Math.max(minLength, s.maxLength ?? 1))), weight: 1 },
  );
}

function objectOf(s: Schema, h: number, depth: number): fc.Arbitrary<unknown> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(s.required ?? []);
  const names = Object.keys(props);
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const n of names) parts[n] = fromSchema(props[n], h, depth + 1);
  let base: fc.Arbitrary<Record<string, unknown>> =
    names.length === 0 ? fc.constant({}) : fc.record(parts, { requiredKeys: names.filter((n) => required.has(n)) }) as fc.Arbitrary<Record<string, unknown>>;
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    const keyArb = s.propertyNames?.pattern ? fc.stringMatching(new RegExp(s.propertyNames.pattern)) : fc.string({ maxLength: 20 });
    const extra = fc.dictionary(keyArb, fromSchema(s.additionalProperties, h, depth + 1), { maxKeys: 4 });
    base = fc.tuple(base, extra).map(([a, b]) => ({ ...b, ...a }));
  }
  if (required.has('default') && !props.default && s.additionalProperties) {
    base = fc.tuple(base, fromSchema(s.additionalProperties, h, depth + 1)).map(([a, d]) => ({ default: d, ...a }));
  }
  if (h < 2) return base;
  // Mutations of the whole object: drop a required field, add an unknown one.
  return fc.oneof(
    { arbitrary: base, weight: 8 },
    { arbitrary: fc.tuple(base, fc.constantFrom(...(required.size ? [...required] : ['_']))).map(([o, k]) => { const c = { ...o }; delete c[k]; return c; }), weight: 1 },
    { arbitrary: fc.tuple(base, fc.constantFrom('unknownField', '__proto__', 'accountId', 'account_id', 'id'), hostileValue).map(([o, k, v]) => Object.assign(JSON.parse(JSON.stringify({ ...o })), { [k]: v })), weight: 1 },
  );
}

/** Path segment values: a real id, garbage, hostile encodings (NUL, lone surrogate bytes, very long, traversal). */
export function pathIdArb(real: string[]): fc.Arbitrary<string> {
  const hostile = fc.constantFrom(
    '%00', 'a%00b', '%ED%A0%80', '%F0%9F', '%C0%AF', '%FF', '%25', '..%2F..%2Fetc', '%2E%2E', 'null', 'undefined', '0', '-1', '1e400', 'NaN',
    'x'.repeat(5_000), '%E2%80%AE', encodeURIComponent('é'.repeat(300)), '%20', '%0D%0ASet-Cookie:x=1', encodeURIComponent("' OR 1=1 --"),
  );
  const random = fc.string({ minLength: 1, maxLength: 60 }).map((x) => encodeURIComponent(x.replace(/[\ud800-\udfff]/g, '')) || 'x');
  return real.length
    ? fc.oneof({ arbitrary: fc.constantFrom(...real), weight: 5 }, { arbitrary: hostile, weight: 3 }, { arbitrary: random, weight: 2 })
    : fc.oneof(hostile, random);
}

/** A query string from the operation's query parameters (each present or not, mostly valid), plus raw extras. */
export function queryArb(params: { name: string; schema: Schema }[], cursors: string[]): fc.Arbitrary<string> {
  const one = (p: { name: string; schema: Schema }) => {
    const values: fc.Arbitrary<unknown>[] = [fromSchema(p.schema)];
    if (p.name === 'cursor' && cursors.length) values.push(fc.constantFrom(...cursors));
    return fc.option(fc.oneof(...values), { nil: undefined, freq: 2 });
  };
  const record = fc.tuple(...params.map(one));
  const extras = fc.option(fc.constantFrom('limit=1e400', 'limit=-0', 'limit=9007199254740993', 'from=275760-09-13&to=0001-01-01', 'from=9999-12-31', 'cursor=%00', 'cursor=%ED%A0%80', 'cursor=a&cursor=b', 'unknown=1', '%zz=1', 'limit[]=1', 'from=99999999999999', 'channel=email&channel=sms', 'q=%00', 'metrics=' + 'x,'.repeat(500)), { nil: undefined, freq: 3 });
  return fc.tuple(params.length ? record : fc.constant([] as unknown[]), extras).map(([vals, extra]) => {
    const parts: string[] = [];
    vals.forEach((v, i) => {
      if (v === undefined) return;
      const text = typeof v === 'string' ? v.replace(/^\u0001RAW:(.*)\u0001$/, '$1') : typeof v === 'object' ? toJsonText(v) : String(v);
      parts.push(`${encodeURIComponent(params[i].name)}=${safeEncode(text)}`);
    });
    if (extra) parts.push(extra);
    return parts.length ? `?${parts.join('&')}` : '';
  });
}

/** encodeURIComponent that writes a lone surrogate as its (invalid) UTF-8 bytes instead of throwing. */
export function safeEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c >= 0xd800 && c <= 0xdfff ? '%ED%' + (0xa0 + ((c >> 6) & 0x1f)).toString(16).toUpperCase() + '%' + (0x80 + (c & 0x3f)).toString(16).toUpperCase() : encodeURIComponent(ch);
  }
  return out;
}

/** How a body is sent: JSON (the usual), or a hostile framing. */
export type BodyMode = 'json' | 'invalid-json' | 'wrong-type' | 'no-type' | 'over-limit' | 'empty' | 'charset';

export const bodyModeArb: fc.Arbitrary<BodyMode> = fc.oneof(
  { arbitrary: fc.constant<BodyMode>('json'), weight: 20 },
  { arbitrary: fc.constantFrom<BodyMode>('invalid-json', 'wrong-type', 'no-type', 'over-limit', 'empty', 'charset'), weight: 3 },
);

const INVALID_JSON = ['{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'NaN', '{"a":NaN}', '{"a":Infinity}', '\u0000', '\ufeff{}', '{"a":"\\ud800"', '{"a":"\\x00"}', 'nul', '{"a":1}{"b":2}', '"', '{"a":01}', '{"a":.5}', '{"a":-}', '{"a":"\\u12"}'];

/** The bytes and headers of a body for `value` framed as `mode` (`limit`: the server's body limit in bytes). */
export function frameBody(value: unknown, mode: BodyMode, limit: number, pick: number): { body?: Buffer; headers: Record<string, string> } {
  const json = Buffer.from(toJsonText(value));
  switch (mode) {
    case 'json':
      return { body: json, headers: { 'content-type': 'application/json' } };
    case 'invalid-json':
      return { body: Buffer.from(INVALID_JSON[pick % INVALID_JSON.length]), headers: { 'content-type': 'application/json' } };
    case 'wrong-type':
      return { body: json, headers: { 'content-type': ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/csv', 'application/octet-stream', 'image/png'][pick % 7] } };
    case 'no-type':
      return { body: json, headers: {} };
    case 'charset':
      return { body: json, headers: { 'content-type': ['application/json; charset=utf-16', 'application/json; charset=latin1', 'APPLICATION/JSON', 'application/json;;', 'application/vnd.api+json'][pick % 5] } };
    case 'empty':
      return { body: Buffer.alloc(0), headers: { 'content-type': 'application/json' } };
    case 'over-limit': {
      const filler = JSON.stringify({ events: [{ type: 'sent', at: '2026-01-01T00:00:00Z', text: 'x'.repeat(limit) }] });
      return { body: Buffer.from(filler), headers: { 'content-type': 'application/json' } };
    }
  }
}
