import { describe, expect, it } from 'vitest';
import { feedbackCounts, feedbackKindOf, searchFormOf } from './feedback';

const stop = (t: string) => t.trim().toUpperCase() === 'STOP';

describe('feedback', () => {
  it('tells replies, opt-out words and complaints apart, and ignores other events', () => {
    expect(feedbackKindOf('replied', 'Merci, livré hier', stop)).toBe('reply');
    expect(feedbackKindOf('replied', ' stop ', stop)).toBe('opt_out');
    expect(feedbackKindOf('replied', undefined, stop)).toBe('reply');
    expect(feedbackKindOf('complained', undefined, stop)).toBe('complaint');
    expect(feedbackKindOf('unsubscribed', 'STOP', stop)).toBeNull();
    expect(feedbackKindOf('clicked', undefined, stop)).toBeNull();
  });

  it('searches without case or accents', () => {
    expect(searchFormOf('Arrêt ÉTÉ')).toBe('arret ete');
    expect(searchFormOf('LIVRAISON rapide')).toContain(searchFormOf('Livraison'));
  });

  it('counts by kind, 0 for a kind no row has', () => {
    expect(feedbackCounts([{ kind: 'reply', count: 3 }, { kind: 'complaint', count: 1 }])).toEqual({ replies: 3, optOuts: 0, complaints: 1 });
  });
});
