// Recipients' feedback (Getgabs KPI 8): which events are feedback, of what kind, and how a keyword finds them.
// Pure: the service writes and reads the rows, these decide.
import type { EventType } from './types';

/** A real reply, a reply that is an opt-out word (STOP, ARRET…), or a complaint (a spam report). */
export type FeedbackKind = 'reply' | 'opt_out' | 'complaint';
export const FEEDBACK_KINDS: readonly FeedbackKind[] = ['reply', 'opt_out', 'complaint'];

/** The feedback an event is, or null: `replied` and `complained` events are; everything else is not. */
export function feedbackKindOf(type: EventType, text: string | undefined, isOptOutWord: (text: string) => boolean): FeedbackKind | null {
  if (type === 'complained') return 'complaint';
  if (type !== 'replied') return null;
  return text !== undefined && isOptOutWord(text) ? 'opt_out' : 'reply';
}

/**
 * The form a text is searched in: lower case, without accents, so "arret" finds "Arrêt" and "LIVRAISON" finds
 * "livraison". The keyword is put in the same form, and matched as a substring.
 */
export function searchFormOf(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export interface FeedbackCounts {
  replies: number;
  optOuts: number;
  complaints: number;
}

/** Counts by kind from rows counted by kind (a kind no row has counts 0). */
export function feedbackCounts(rows: { kind: string; count: number }[]): FeedbackCounts {
  const n = (k: FeedbackKind) => rows.filter((r) => r.kind === k).reduce((s, r) => s + r.count, 0);
  return { replies: n('reply'), optOuts: n('opt_out'), complaints: n('complaint') };
}
