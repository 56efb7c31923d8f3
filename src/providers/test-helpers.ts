// Builds RawRequest values and reads fixture bytes for the provider adapter tests (test-only helper).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedWebhook, ParseResult, RawRequest } from './types';

export function rawRequest(parts: Partial<RawRequest> & { body?: string | Buffer }): RawRequest {
  const url = parts.url ?? 'https://mesure.example.com/webhooks/test/acc_1';
  const query = parts.query ?? Object.fromEntries(new URL(url).searchParams);
  const rawBody = parts.rawBody ?? (Buffer.isBuffer(parts.body) ? parts.body : Buffer.from(parts.body ?? '', 'utf8'));
  return { method: parts.method ?? 'POST', url, headers: parts.headers ?? {}, rawBody, query };
}

/** Fixture bytes exactly as stored: signatures are computed over them, so they are never re-serialized. */
export function fixture(dir: string, name: string): Buffer {
  return readFileSync(join(dir, 'fixtures', name));
}

export function expectParsed(result: ParseResult): ParsedWebhook {
  if (!result.ok) throw new Error(`parse failed: ${result.reason}`);
  return result.value;
}
