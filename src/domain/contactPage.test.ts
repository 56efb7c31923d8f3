import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contactLifetime, decodeTimelineCursor, encodeTimelineCursor, sourceBound, timelinePage, TIMELINE_RANK, type TimelineKey } from './contactPage';

const msg = (channel: 'email' | 'sms', sent: boolean, t: Partial<Record<'openedAt' | 'clickedAt' | 'scannedAt' | 'repliedAt', number>> = {}) => ({
  channel, sent, openedAt: t.openedAt ?? null, clickedAt: t.clickedAt ?? null, scannedAt: t.scannedAt ?? null, repliedAt: t.repliedAt ?? null,
});

describe('contactLifetime', () => {
  it('sums orders in the account currency, keeps the others apart, and leaves cancelled orders out', () => {
    const l = contactLifetime(
      'EUR',
      [msg('email', true, { openedAt: 50 }), msg('sms', false), msg('email', true)],
      [{ type: 'clicked', at: 900, machine: true }, { type: 'opened', at: 40, machine: true }, { type: 'replied', at: 300, machine: false }, { type: 'delivered', at: 999, machine: false }],
      [
        { revenue: 1000, revenueCurrency: 'EUR', cancelled: false, orderedAt: 100 },
        { revenue: 0, revenueCurrency: 'EUR', cancelled: true, orderedAt: 50 },
        { revenue: 700, revenueCurrency: 'USD', cancelled: false, orderedAt: 400 },
      ],
      [{ revenue: 600, currency: 'EUR' }, { revenue: 700, currency: 'USD' }],
    );
    // Orders: 2 not cancelled. Revenue in EUR: 1000; USD 700 apart. Credited in EUR: 600.
    expect(l).toMatchObject({ orders: 2, revenue: 1000, creditedRevenue: 600, unconverted: [{ currency: 'USD', orders: 1, revenue: 700 }], firstOrderAt: 100, lastOrderAt: 400 });
    // Engagement: the message's open at 50 and the reply at 300; machine events and deliveries never count.
    expect([l.firstEngagedAt, l.lastEngagedAt]).toEqual([50, 300]);
    expect(l.channels).toEqual([
      { channel: 'email', messages: 2, sent: 2, engaged: 1 },
      { channel: 'sms', messages: 1, sent: 0, engaged: 0 },
    ]);
  });

  it('has no engagement or order times for a contact without any', () => {
    expect(contactLifetime('EUR', [], [], [], [])).toMatchObject({ orders: 0, revenue: 0, firstEngagedAt: null, lastEngagedAt: null, firstOrderAt: null, channels: [] });
  });
});

describe('the timeline order and its cursor', () => {
  it('reads back the cursors it makes and refuses any other', () => {
    const k = { at: 1_700_000_000_000, rank: TIMELINE_RANK.event, id: 'ev|x' };
    expect(decodeTimelineCursor(encodeTimelineCursor(k))).toEqual(k);
    for (const bad of ['', 'not base64 json', Buffer.from('[1,7,"x"]').toString('base64url'), Buffer.from('[1.5,0,"x"]').toString('base64url'), Buffer.from('{"at":1}').toString('base64url')]) {
      expect(decodeTimelineCursor(bad)).toBeNull();
    }
  });

  // Paging with any limit gives the whole list once, in order: each source stands for a sorted table the store reads.
  it('pages through merged sources without losing or repeating an item', () => {
    const item = fc.record({ at: fc.integer({ min: 0, max: 5 }), rank: fc.constantFrom(0, 1, 2), id: fc.string({ minLength: 1, maxLength: 3 }) });
    fc.assert(fc.property(fc.uniqueArray(item, { selector: (i) => `${i.rank}|${i.id}` }), fc.integer({ min: 1, max: 5 }), (items, limit) => {
      const bySource = [0, 1, 2].map((r) => items.filter((i) => i.rank === r).sort((a, b) => b.at - a.at || (a.id > b.id ? -1 : a.id < b.id ? 1 : 0)));
      const read = (rank: number, cursor: TimelineKey | null) => {
        const b = sourceBound(rank, cursor);
        return bySource[rank].filter((i) => !b || i.at < b.before || (i.at === b.before && (b.orEqualAt === 'all' || (typeof b.orEqualAt === 'object' && i.id < b.orEqualAt.idBelow)))).slice(0, limit + 1);
      };
      const seen: TimelineKey[] = [];
      let cursor: TimelineKey | null = null;
      for (let pages = 0; pages <= items.length + 1; pages++) {
        const p = timelinePage([0, 1, 2].map((r) => read(r, cursor)), limit);
        seen.push(...p.items);
        cursor = p.next;
        if (!cursor) break;
      }
      const whole = timelinePage(bySource, items.length + 1).items;
      expect(seen).toEqual(whole);
      expect(whole).toHaveLength(items.length);
    }));
  });
});
