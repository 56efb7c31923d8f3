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

/** Metadata kept as JSON: every string (keys too) cleaned, nesting cut at MAX_DEPTH. */
export function cleanJson(x: unknown, depth = 0): unknown {
  if (typeof x === 'string') return cleanString(x, MAX_TEXT_LENGTH);
  if (typeof x === 'number') return Number.isFinite(x) ? x : null;
  if (typeof x !== 'object' || x === null) return x;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(x)) return x.map((v) => cleanJson(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) out[cleanString(k, 200)] = cleanJson(v, depth + 1);
  return out;
}

function cleanRef(ref: MessageRef): MessageRef {
  const L = EVENT_STRING_LIMITS;
  if (ref.kind === 'id') return { kind: 'id', messageId: cleanString(ref.messageId, L.messageId) };
  if (ref.kind === 'provider') return { kind: 'provider', provider: cleanString(ref.provider, L.provider), providerMessageId: cleanString(ref.providerMessageId, L.providerMessageId) };
  return { kind: 'recipient', campaignId: cleanString(ref.campaignId, L.campaignId), recipient: cleanString(ref.recipient, L.recipient) };
}

/** One parsed event within bounds, or why it is dropped. */
export function boundEvent(e: IncomingEvent, now: number): { ok: true; event: IncomingEvent } | { ok: false; reason: string } {
  const problem = eventTimeProblem(e.at, now);
  if (problem) {
    const when = !Number.isFinite(e.at) ? 'not a number' : Math.abs(e.at) <= 8.64e15 ? new Date(e.at).toISOString() : `${e.at} ms since 1970`;
    return { ok: false, reason: `${e.type} event dropped: its timestamp (${when}) ${problem}` };
  }
  const out = { ...e, ref: cleanRef(e.ref) } as IncomingEvent & Record<string, unknown>;
  for (const [field, max] of Object.entries(EVENT_STRING_LIMITS)) {
    const v = out[field];
    if (typeof v === 'string') out[field] = cleanString(v, max);
  }
  if (out.costMinor !== undefined && moneyProblem(out.costMinor)) delete out.costMinor;
  if (out.meta !== undefined) out.meta = cleanJson(out.meta) as IncomingEvent['meta'];
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
