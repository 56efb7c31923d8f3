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

/** `prefix` + 9 base-36 digits of the current millisecond + 64 random bits in hex: sortable and unique. */
export function timeOrderedId(prefix: string, now = Date.now()): string {
  return `${prefix}${now.toString(36).padStart(9, '0')}${random8()}`;
}
