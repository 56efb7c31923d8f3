// The demo's regular customers (#18): each is sent every dated campaign on its channel, and several buy more than once
// after clicks or scans on campaigns of different channels, so the contact page has repeat buyers to show.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../domain/stats';
import { regularsTraffic, type DemoCampaign } from './regulars';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7, 12);
const CAMPAIGNS: DemoCampaign[] = [
  { id: 'c_wa', channel: 'whatsapp', sendAt: NOW - 2 * DAY }, { id: 'c_em', channel: 'email', sendAt: NOW - 9 * DAY },
  { id: 'c_sms', channel: 'sms', sendAt: NOW - 16 * DAY }, { id: 'c_mail', channel: 'mail', sendAt: NOW - 24 * DAY },
  { id: 'c_sms2', channel: 'sms', sendAt: NOW - 52 * DAY }, { id: 'c_em2', channel: 'email', sendAt: NOW - 60 * DAY },
];

describe('demo regulars', () => {
  it('reaches every regular in every campaign under one customer id, and makes repeat buyers', () => {
    for (const seed of [42, 1, 7]) {
      const { items, events, orders } = regularsTraffic(CAMPAIGNS, NOW, mulberry32(seed + 18));
      // 8 regulars × 6 campaigns, each message naming the same 8 customer ids.
      expect([...items.values()].map((l) => l.length)).toEqual([8, 8, 8, 8, 8, 8]);
      expect(new Set([...items.values()].flat().map((i) => i.recipient.externalId)).size).toBe(8);
      for (const e of events) {
        expect(Number.isInteger(e.at)).toBe(true);
        expect(e.at).toBeLessThanOrEqual(NOW);
      }
      const perBuyer = new Map<string, number>();
      for (const o of orders) perBuyer.set(o.email!, (perBuyer.get(o.email!) ?? 0) + 1);
      // Every one of the 8 buys at least twice (after two campaigns two apart in the list: here two channels each).
      expect(perBuyer.size).toBe(8);
      expect(Math.min(...perBuyer.values()), `seed ${seed}`).toBeGreaterThanOrEqual(2);
      expect(events.filter((e) => e.type === 'unsubscribed')).toHaveLength(1);
    }
  });
});
