// Identifiers of the rows written in bulk (messages, contacts, orders): time-ordered, so that new rows land at
// the end of their primary-key index instead of on random pages (a large speed-up once tables outgrow the page
// cache), and lists ordered by id come out in the order things were created.
import { randomBytes } from 'node:crypto';

let pool = Buffer.alloc(0);
let offset = 0;

function random8(): string {
  if (offset + 8 > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 8);
  offset += 8;
  return hex;
}

let lastMs = -1;
let lastTail = 0n;

/**
 * `prefix` + 9 base-36 digits of the current millisecond + 64 bits in hex: sortable and unique. The 64 bits are random
 * for the first id of a millisecond and counted up from there for the next ones (as a monotonic ULID does), so ids
 * made in one process sort in the order they were made, not at random within a millisecond: a list by id then shows
 * the same rows in any database (the demo loaded twice from one seed draws the same buyers on SQLite and PostgreSQL).
 */
export function timeOrderedId(prefix: string, now = Date.now()): string {
  // A random start below 2^63 leaves 2^63 ids of headroom in the millisecond before the count would overflow.
  const tail = now === lastMs && lastTail < 0xffff_ffff_ffff_ffffn ? lastTail + 1n : BigInt(`0x${random8()}`) >> 1n;
  lastMs = now;
  lastTail = tail;
  return `${prefix}${now.toString(36).padStart(9, '0')}${tail.toString(16).padStart(16, '0')}`;
}
