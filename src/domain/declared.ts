// Declared source ("how did you hear about us"): the buyer's own words kept with the order, the owner's rules that map
// them to a channel or a campaign, and the per-channel comparison of what buyers declared with what attribution credited.
// Pure functions: the service reads and writes, these decide.

import { CHANNELS, type Channel } from './types';

/** Longest declared answer kept, in characters (the rest of a longer text is cut: it is free text, not a key). */
export const DECLARED_MAX_LENGTH = 200;
/** Note attribute names read as the declared source when the account names none (Shopify post-purchase survey apps). */
export const DEFAULT_DECLARED_ATTRIBUTES = ['how_did_you_hear', 'hdyhau', 'how_did_you_hear_about_us'] as const;
export const MAX_DECLARED_RULES = 200;
export const MAX_DECLARED_PATTERN = 100;

export type DeclaredTarget = { channel: Channel } | { campaignId: string } | 'other';
export interface DeclaredRule {
  match: 'equals' | 'contains';
  pattern: string;
  target: DeclaredTarget;
}
export interface DeclaredConfig {
  /** Note attribute names holding the answer, tried in this order (compared without case). */
  attributes: string[];
  rules: DeclaredRule[];
}

/** The answer as kept: trimmed, inner runs of white space made one space, cut to DECLARED_MAX_LENGTH; null when empty. */
export function cleanDeclared(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const t = raw.replace(/\s+/g, ' ').trim();
  if (t === '') return null;
  // Cut on code points, never inside a surrogate pair.
  return [...t].slice(0, DECLARED_MAX_LENGTH).join('').trim();
}

/** The text rules compare: without accents (NFD, combining marks dropped), lower case, white space made one space. */
export function foldDeclared(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The first configured note attribute (names compared without case) holding a non-empty answer. */
export function declaredFromNoteAttributes(notes: Record<string, string>, attributes: readonly string[]): string | null {
  const entries = Object.entries(notes);
  for (const name of attributes) {
    const wanted = name.trim().toLowerCase();
    for (const [k, v] of entries) {
      if (k.trim().toLowerCase() !== wanted) continue;
      const clean = cleanDeclared(v);
      if (clean !== null) return clean;
    }
  }
  return null;
}

/** The index of the first rule the answer matches, or -1. An empty pattern matches nothing. */
export function firstMatchingRule(rules: readonly DeclaredRule[], answer: string): number {
  const text = foldDeclared(answer);
  for (let i = 0; i < rules.length; i++) {
    const p = foldDeclared(rules[i].pattern);
    if (p === '') continue;
    if (rules[i].match === 'equals' ? text === p : text.includes(p)) return i;
  }
  return -1;
}

/** How a target is stored with the order: `channel:sms`, `campaign:<id>`, `other`; null is "not mapped". */
export function encodeTarget(t: DeclaredTarget): string {
  if (t === 'other') return 'other';
  return 'channel' in t ? `channel:${t.channel}` : `campaign:${t.campaignId}`;
}

export function decodeTarget(s: string | null): DeclaredTarget | null {
  if (s === null) return null;
  if (s === 'other') return 'other';
  if (s.startsWith('channel:')) {
    const c = s.slice('channel:'.length);
    return (CHANNELS as readonly string[]).includes(c) ? { channel: c as Channel } : null;
  }
  return s.startsWith('campaign:') ? { campaignId: s.slice('campaign:'.length) } : null;
}

/** The stored target of an answer under the rules (null: no rule matches, the answer is "unmapped"). */
export function mapDeclared(rules: readonly DeclaredRule[], answer: string | null): string | null {
  if (answer === null) return null;
  const i = firstMatchingRule(rules, answer);
  return i < 0 ? null : encodeTarget(rules[i].target);
}

/**
 * How many stored answers each rule takes (an answer counts for the first rule it matches, as mapping does) and how
 * many no rule takes. `answers` are distinct texts with their order counts; the counts sum to Σ orders.
 */
export function previewRules(rules: readonly DeclaredRule[], answers: readonly { text: string; orders: number }[]): { matches: number[]; unmapped: number } {
  const matches = rules.map(() => 0);
  let unmapped = 0;
  for (const a of answers) {
    const i = firstMatchingRule(rules, a.text);
    if (i < 0) unmapped += a.orders;
    else matches[i] += a.orders;
  }
  return { matches, unmapped };
}

/** One order of the period as the comparison needs it. Revenue is in the account's currency (unconverted: null). */
export interface DeclaredOrder {
  id: string;
  declared: string | null;
  target: string | null;
  revenueMinor: number | null;
  /** Its credits under the account's model (account's currency). */
  credits: { channel: string; revenueMinor: number }[];
}

export interface DeclaredChannelRow {
  channel: Channel;
  declaredOrders: number;
  declaredRevenue: number;
  attributedOrders: number;
  attributedRevenue: number;
  overlapOrders: number;
}

export interface DeclaredReport {
  orders: number;
  answered: number;
  channels: DeclaredChannelRow[];
  other: { orders: number; revenue: number };
  unmapped: { orders: number; top: { text: string; orders: number }[] };
}

/**
 * Declared vs attributed per channel over the orders of a period. An order declares channel X when its answer maps to
 * X or to a campaign of channel X; it is attributed to X when a credit of the account's model is on X (counted once
 * per order however many credits). Overlap: both. Unmapped answers are grouped by their folded text (the first
 * spelling seen is shown) and the `topN` most frequent listed (ties by text).
 */
export function declaredVsAttributed(orders: readonly DeclaredOrder[], campaignChannel: (id: string) => string | undefined, topN = 20): DeclaredReport {
  const rows = new Map<Channel, DeclaredChannelRow>(CHANNELS.map((c) => [c, { channel: c, declaredOrders: 0, declaredRevenue: 0, attributedOrders: 0, attributedRevenue: 0, overlapOrders: 0 }]));
  const other = { orders: 0, revenue: 0 };
  const unmapped = new Map<string, { text: string; orders: number }>();
  let unmappedOrders = 0;
  let answered = 0;
  for (const o of orders) {
    const t = decodeTarget(o.target);
    let declared: Channel | null = null;
    if (t !== null && t !== 'other') {
      const c = 'channel' in t ? t.channel : campaignChannel(t.campaignId);
      if (c !== undefined && (CHANNELS as readonly string[]).includes(c)) declared = c as Channel;
    }
    const attributed = new Set<Channel>();
    for (const cr of o.credits) {
      const row = rows.get(cr.channel as Channel);
      if (!row) continue;
      row.attributedRevenue += cr.revenueMinor;
      attributed.add(row.channel);
    }
    for (const c of attributed) rows.get(c)!.attributedOrders += 1;
    if (o.declared !== null) answered += 1;
    if (declared !== null) {
      const row = rows.get(declared)!;
      row.declaredOrders += 1;
      row.declaredRevenue += o.revenueMinor ?? 0;
      if (attributed.has(declared)) row.overlapOrders += 1;
    } else if (o.declared !== null && o.target !== null) {
      // 'other', or a campaign since deleted: declared, but not a channel Mesure sends on.
      other.orders += 1;
      other.revenue += o.revenueMinor ?? 0;
    } else if (o.declared !== null) {
      unmappedOrders += 1;
      const key = foldDeclared(o.declared);
      const seen = unmapped.get(key);
      if (seen) seen.orders += 1;
      else unmapped.set(key, { text: o.declared, orders: 1 });
    }
  }
  const top = [...unmapped.entries()]
    .sort(([ka, a], [kb, b]) => b.orders - a.orders || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .slice(0, topN)
    .map(([, v]) => v);
  return { orders: orders.length, answered, channels: [...rows.values()], other, unmapped: { orders: unmappedOrders, top } };
}

/**
 * The account's declared-source settings from its stored settings (`settings.declared`); anything unreadable falls back
 * to the default attribute names and no rule (the route validated what it stored).
 */
export function readDeclaredConfig(settings: Record<string, unknown>): DeclaredConfig {
  const d = settings.declared;
  const o = typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : {};
  const attributes = Array.isArray(o.attributes) && o.attributes.every((a) => typeof a === 'string') ? (o.attributes as string[]) : [...DEFAULT_DECLARED_ATTRIBUTES];
  const rules = Array.isArray(o.rules) ? (o.rules as DeclaredRule[]) : [];
  return { attributes, rules };
}
