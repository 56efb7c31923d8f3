// Guards run on every API request before validation: a NUL character or a lone UTF-16 surrogate in a body, a query
// string or a path parameter is refused with 400 naming the field, so both engines answer the same (PostgreSQL
// cannot store either; SQLite would store what PostgreSQL refuses).
import { badCharacter } from '../domain/bounds';
import type { Detail } from './errors';

const MAX_DEPTH = 64;

/** JSON Pointer escaping of one path segment. */
const segment = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** The first string (value or key) in `value` that cannot be stored, with its JSON Pointer path, or null. */
export function findBadString(value: unknown, path = '', depth = 0): Detail | null {
  if (typeof value === 'string') {
    const why = badCharacter(value);
    return why ? { path: path || '/', message: why } : null;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return null;
  // A streamed body (CSV import) or a buffer is not data to walk: its bytes are checked where they are parsed.
  if (Buffer.isBuffer(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadString(value[i], `${path}/${i}`, depth + 1);
      if (bad) return bad;
    }
    return null;
  }
  for (const k of Object.keys(value)) {
    const keyWhy = badCharacter(k);
    if (keyWhy) return { path: `${path}/${segment(k.replace(/[\u0000\uD800-\uDFFF]/g, '\uFFFD'))}`, message: `the property name ${keyWhy}` };
    const bad = findBadString((value as Record<string, unknown>)[k], `${path}/${segment(k)}`, depth + 1);
    if (bad) return bad;
  }
  return null;
}

/** The 400 message for a bad string found in `where` (body, query string, path). */
export function badStringMessage(where: 'body' | 'querystring' | 'params', d: Detail): string {
  const place = where === 'body' ? 'body' : where === 'querystring' ? 'query string' : 'path';
  return `Invalid ${place}: ${d.path} ${d.message}. Remove it (send text as UTF-8 without control character U+0000).`;
}
