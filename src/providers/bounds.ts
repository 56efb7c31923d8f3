// The bounds every provider adapter's output goes through (domain/bounds.ts): a delivery is signed by the provider,
// so it is never refused for one bad item. An event dated outside the window is dropped with a reason (counted in the
// webhook's answer), strings lose NUL and lone surrogates (U+FFFD instead) and are cut to the API's lengths.
import { EVENT_STRING_LIMITS, eventTimeProblem, MAX_TEXT_LENGTH, moneyProblem, replaceBadCharacters, truncate } from '../domain/bounds';
import type { IncomingEvent, MessageRef } from '../domain/types';
import type { ParseResult, ProviderAdapter } from './types';

const MAX_DEPTH = 32;

/** A string fit to store: bad characters replaced, at most `max` long. */
export function cleanString(s: string, max: number): string {
  return truncate(replaceBadCharacters(s), max);
}

/** Metadata kept as JSON: every string (keys too) cleaned, nesting cut at MAX_DEPTH. Unchanged input is returned as is. */
export function cleanJson(x: unknown, depth = 0): unknown {
  return jsonIsClean(x, depth) ? x : rebuildJson(x, depth);
}

/** Whether cleanJson would change nothing: checked without allocating, since nearly every delivery is clean. */
function jsonIsClean(x: unknown, depth: number): boolean {
  if (typeof x === 'string') return cleanString(x, MAX_TEXT_LENGTH) === x;
  if (typeof x === 'number') return Number.isFinite(x);
  if (typeof x !== 'object' || x === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) if (!jsonIsClean(x[i], depth + 1)) return false;
    return true;
  }
  for (const k in x) {
    if (!Object.hasOwn(x, k)) continue;
    if (cleanString(k, 200) !== k || !jsonIsClean((x as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

function rebuildJson(x: unknown, depth: number): unknown {
  if (typeof x === 'string') return cleanString(x, MAX_TEXT_LENGTH);
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  if (typeof x !== 'object' || x === null) return x;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(x)) return x.map((v) => rebuildJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[cleanString(k, 200)] = rebuildJson(v, depth + 1);
  return out;
}

/** The ref with its strings cleaned; the same object when they need nothing (the usual case). */
function cleanRef(ref: MessageRef): MessageRef {
  const L = EVENT_STRING_LIMITS;
  if (ref.kind === 'id') {
    const messageId = cleanString(ref.messageId, L.messageId);
    return messageId === ref.messageId ? ref : { kind: 'id', messageId };
  }
  if (ref.kind === 'provider') {
    const provider = cleanString(ref.provider, L.provider);
    const providerMessageId = cleanString(ref.providerMessageId, L.providerMessageId);
    return provider === ref.provider && providerMessageId === ref.providerMessageId ? ref : { kind: 'provider', provider, providerMessageId };
  }
  const campaignId = cleanString(ref.campaignId, L.campaignId);
  const recipient = cleanString(ref.recipient, L.recipient);
  return campaignId === ref.campaignId && recipient === ref.recipient ? ref : { kind: 'recipient', campaignId, recipient };
}

const STRING_FIELDS = Object.entries(EVENT_STRING_LIMITS);

/** One parsed event within bounds, or why it is dropped. */
export function boundEvent(e: IncomingEvent, now: number): { ok: true; event: IncomingEvent } | { ok: false; reason: string } {
  const problem = eventTimeProblem(e.at, now);
  if (problem) {
    const when = !Number.isFinite(e.at) ? 'not a number' : Math.abs(e.at) <= 8.64e15 ? new Date(e.at).toISOString() : `${e.at} ms since 1970`;
    return { ok: false, reason: `${e.type} event dropped: its timestamp (${when}) ${problem}` };
  }
  // The adapter built this event for this delivery alone: it is cleaned in place, and only what needs it is written
  // (a copy by object spread, or a delete, would leave V8 a slow dictionary-mode object for every event).
  const out = e as IncomingEvent & Record<string, unknown>;
  const ref = cleanRef(e.ref);
  if (ref !== e.ref) out.ref = ref;
  for (let i = 0; i < STRING_FIELDS.length; i++) {
    const [field, max] = STRING_FIELDS[i];
    const v = out[field];
    if (typeof v === 'string') {
      const clean = cleanString(v, max);
      if (clean !== v) out[field] = clean;
    }
  }
  if (out.costMinor !== undefined && moneyProblem(out.costMinor)) out.costMinor = undefined;
  if (out.meta !== undefined) {
    const meta = cleanJson(out.meta);
    if (meta !== out.meta) out.meta = meta as IncomingEvent['meta'];
  }
  return { ok: true, event: out };
}

/** The parse result with every event and opt-out change within bounds (see the file's head). */
export function boundParsed(result: ParseResult, now: number): ParseResult {
  if (!result.ok) return result;
  const p = result.value;
  const events: IncomingEvent[] = [];
  for (const e of p.events) {
    const b = boundEvent(e, now);
    if (b.ok) events.push(b.event);
    else p.skipped.push(b.reason);
  }
  p.events = events;
  p.optChanges = p.optChanges.map((c) => ({ ...c, address: cleanString(c.address, EVENT_STRING_LIMITS.recipient), reason: cleanString(c.reason, 60) }));
  p.replayKeys = p.replayKeys.map((k) => cleanString(k, 200));
  return result;
}

/** The adapter, its parse output bounded. */
export function bounded(adapter: ProviderAdapter): ProviderAdapter {
  return { name: adapter.name, verify: adapter.verify, parse: (req, now) => boundParsed(adapter.parse(req, now), now) };
}
