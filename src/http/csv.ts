// CSV over HTTP: cells a spreadsheet would run as a formula are neutralised on the way out, and an imported file's
// body is read within the body limit on the way in.
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { isValidTimeZone } from '../services/accounts';
import { bodyTooLarge, sendError } from './errors';

// CSV cells that a spreadsheet would run as a formula (= + - @, tab, carriage return) are prefixed with a quote.
export function neutralizeCsvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * An imported CSV file's whole body as bytes, or null when it is larger than `limit` (said by its Content-Length, or
 * found while reading: the rest is drained unread). CSV bodies reach the routes as raw streams, which Fastify's
 * bodyLimit does not watch; reading the whole file first also means an import never stores half of a refused file.
 */
export function readCsvBody(body: Readable | string | Buffer, contentLength: string | undefined, limit: number): Promise<Buffer | null> {
  if (Number(contentLength) > limit) return Promise.resolve(null);
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
    return Promise.resolve(b.length > limit ? null : b);
  }
  // Events rather than `for await`: leaving that loop early destroys the request, and the 413 needs its socket.
  return new Promise((ok, ko) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size <= limit) return void parts.push(b);
      body.off('data', onData);
      body.off('end', onEnd);
      body.resume();
      ok(null);
    };
    const onEnd = () => ok(Buffer.concat(parts, size));
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', ko);
  });
}

/**
 * One CSV field as csv-stringify writes it with `cast: { string: neutralizeCsvCell }` (null → empty, numbers as
 * written, strings neutralised then quoted when they hold a comma, a quote or a line break): the campaign export
 * builds its lines with it, a fraction of the cost of a stringify stream per row (csv.test.ts holds the two equal).
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const s = neutralizeCsvCell(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * What both CSV imports (orders, conversions) check before reading their file: a known IANA time zone when one is
 * given, a body, and a body within the limit. The file's bytes, or null once the 400 / 413 saying what is wrong is sent.
 */
export async function csvImportBody(reply: FastifyReply, body: Readable | string | Buffer | undefined, contentLength: string | undefined, timeZone: string | undefined, limit: number): Promise<Buffer | null> {
  if (timeZone && !isValidTimeZone(timeZone)) {
    sendError(reply, 400, `Unknown time zone "${timeZone}" (use an IANA name such as Europe/Paris).`, [{ path: '/timeZone', message: 'unknown time zone' }]);
    return null;
  }
  if (body === undefined) {
    sendError(reply, 400, 'The CSV body is empty.');
    return null;
  }
  const bytes = await readCsvBody(body, contentLength, limit);
  if (bytes === null) sendError(reply, 413, bodyTooLarge(limit, 'split the file into several imports'));
  return bytes;
}
