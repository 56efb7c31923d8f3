import { describe, expect, it } from 'vitest';
import { applyShare, eventsNote, EVENTS_PER_ROW, weighed } from './inbox';
import { eventFromRow, eventRow } from './ingest';
import type { IncomingEvent } from '../domain/types';

describe('applyShare: how much of the time the inbox is applied while requests keep arriving', () => {
  const duty = { min: 0.02, max: 0.5, lagForMaxMs: 60_000 };
  it('stays at the floor while applying is fresh', () => {
    expect(applyShare(0, duty)).toBe(0.02);
    // 0.5 × 2,000 / 60,000 = 0.0167 < 0.02
    expect(applyShare(2_000, duty)).toBe(0.02);
  });
  it('grows with the age of the oldest waiting row', () => {
    expect(applyShare(6_000, duty)).toBeCloseTo(0.05, 10); // 0.5 × 6 / 60
    expect(applyShare(30_000, duty)).toBeCloseTo(0.25, 10);
  });
  it('is capped once applying is a minute late or more', () => {
    expect(applyShare(60_000, duty)).toBe(0.5);
    expect(applyShare(3_600_000, duty)).toBe(0.5);
  });
});

describe('API events in the inbox: a note of where they are in the log', () => {
  const stored = (rowid: number, e: Partial<IncomingEvent> = {}) => ({ e: { type: 'sent', at: 1, ref: { kind: 'id', messageId: 'msg_1' }, ...e } as IncomingEvent, messageId: 'msg_1', rowid });

  it('keeps rowids as ranges, and only the provider message ids the log does not keep', () => {
    expect(eventsNote([stored(7), stored(8), stored(9), stored(12), stored(13)])).toEqual({ ranges: [[7, 9], [12, 13]] });
    expect(eventsNote([stored(3, { providerMessageId: 'wamid.X', provider: 'whatsapp' }), stored(4)])).toEqual({
      ranges: [[3, 4]],
      extra: { 3: { provider: 'whatsapp', providerMessageId: 'wamid.X' } },
    });
    // A provider reference names the provider when the event does not.
    const byProvider = stored(5, { ref: { kind: 'provider', provider: 'twilio', providerMessageId: 'SM1' }, providerMessageId: 'SM1' });
    expect(eventsNote([byProvider]).extra).toEqual({ 5: { provider: 'twilio', providerMessageId: 'SM1' } });
  });

  it('reads back from an event row every field applying an event uses', () => {
    const e: IncomingEvent = {
      type: 'failed', at: 1_764_000_000_000, ref: { kind: 'recipient', campaignId: 'cmp_1', recipient: '+33612345678' },
      providerEventId: 'ev-1', provider: 'whatsapp', providerMessageId: 'wamid.1', bounceType: 'soft', url: 'https://shop.example/',
      machine: true, flagReason: 'isbot:test', failureReason: 'opted_out', failureCode: '131050', failureMessage: 'stopped',
      text: 'STOP', pricingCategory: 'marketing', segments: 2, costMinor: 12, costCurrency: 'EUR', meta: { recipient_id: '336' },
    };
    const row = eventRow('acc_1', 'pe:whatsapp:ev-1', { id: 'msg_9', campaign_id: 'cmp_1' }, e, 1_764_000_000_500);
    const back = eventFromRow(row, { provider: 'whatsapp', providerMessageId: 'wamid.1' });
    expect(back).toEqual({ ...e, ref: { kind: 'id', messageId: 'msg_9' } });
    // An event with none of the optional fields comes back with none.
    const plain: IncomingEvent = { type: 'delivered', at: 5, ref: { kind: 'id', messageId: 'msg_9' } };
    expect(eventFromRow(eventRow('acc_1', 'k', { id: 'msg_9', campaign_id: 'cmp_1' }, plain, 6))).toEqual(plain);
  });
});

describe('weighed: how many inbox rows one slice applies', () => {
  const row = (kind: 'visit' | 'delivery' | 'events') => ({ kind });
  it('counts a visit or delivery as one item and a row of API events as EVENTS_PER_ROW', () => {
    expect(weighed([row('visit'), row('visit'), row('delivery')], 2)).toHaveLength(2);
    expect(weighed([row('events'), row('events'), row('events')], 2 * EVENTS_PER_ROW)).toHaveLength(2);
    expect(weighed([row('visit'), row('events')], EVENTS_PER_ROW)).toHaveLength(1);
  });
  it('always takes at least one row', () => {
    expect(weighed([row('events'), row('visit')], 32)).toHaveLength(1);
    expect(weighed([], 32)).toEqual([]);
  });
});
