import { describe, expect, it } from 'vitest';
import { applyShare, eventsNote, EVENTS_PER_ROW, weighed } from './inbox';
import { eventFromRow, eventRow, prepareById } from './ingest';
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
  it('keeps rowids as ranges, and only what the log does not keep (provider message ids)', () => {
    expect(eventsNote([7, 8, 9, 12, 13], new Map())).toEqual({ ranges: [[7, 9], [12, 13]] });
    expect(eventsNote([3, 4], new Map([[3, { provider: 'whatsapp', providerMessageId: 'wamid.X' }]]))).toEqual({
      ranges: [[3, 4]],
      extra: { 3: { provider: 'whatsapp', providerMessageId: 'wamid.X' } },
    });
  });

  it('prepares a batch named by message ids as the rows the log gets, duplicates marked', () => {
    const at = 1_764_000_000_000;
    const events: IncomingEvent[] = [
      { type: 'delivered', at, ref: { kind: 'id', messageId: 'msg_1' } },
      { type: 'clicked', at: at + 5, ref: { kind: 'id', messageId: 'msg_1' }, url: 'https://shop.example/a', machine: true, flagReason: 'isbot:x' },
      { type: 'delivered', at, ref: { kind: 'id', messageId: 'msg_1' } },
      { type: 'bounced', at, ref: { kind: 'id', messageId: 'msg_2' }, bounceType: 'hard', providerEventId: 'sg-1' },
    ];
    expect(prepareById('acc_1', events, 99)).toEqual({
      received: 4,
      receivedAt: 99,
      values: [
        [0, `msg_1|delivered|${at}|`, 'msg_1', 'delivered', at, null, 0, null, null, 0],
        [1, `msg_1|clicked|${at + 5}|https://shop.example/a`, 'msg_1', 'clicked', at + 5, 'https://shop.example/a', 1, 'isbot:x', null, 0],
        [2, `msg_1|delivered|${at}|`, 'msg_1', 'delivered', at, null, 0, null, null, 1],
        [3, 'pe:api:sg-1', 'msg_2', 'bounced', at, null, 0, null, '{"bounceType":"hard","providerEventId":"sg-1"}', 0],
      ],
    });
    // Another way of naming the message, or a provider message id to record: the general path.
    expect(prepareById('acc_1', [{ type: 'sent', at, ref: { kind: 'id', messageId: 'msg_1' }, providerMessageId: 'SM1' }], 99)).toBeNull();
    expect(prepareById('acc_1', [{ type: 'sent', at, ref: { kind: 'provider', provider: 'twilio', providerMessageId: 'SM1' } }], 99)).toBeNull();
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
