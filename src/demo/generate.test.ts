// The demo generator's times are whole milliseconds whatever the seed, clock and scale (issue #20: a fractional scan
// time stopped `mesure demo --scale 20` on PostgreSQL at 46 %, and SQLite had silently stored it as a real).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../domain/stats';
import { demoTraffic, PLANS, type DemoChunk } from './generate';
import { demoOrder } from './orders';

const DAY = 86_400_000;

/** A campaign's chunks joined into one: its whole traffic. */
function whole(chunks: Iterable<DemoChunk>): DemoChunk {
  const all: DemoChunk = { items: [], events: [] };
  for (const c of chunks) {
    all.items.push(...c.items);
    all.events.push(...c.events);
  }
  return all;
}
// Any clock from 2020 to 2040, in whole milliseconds as Date.now() gives it.
const now = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) });

describe('demo traffic', () => {
  it('dates every message and event in whole milliseconds, for every plan, seed and clock', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PLANS.length - 1 }), fc.integer(), now, fc.integer({ min: 1, max: 400 }), (ci, seed, t, n) => {
        const rnd = mulberry32(seed);
        const plan = PLANS[ci];
        const sendAt = t - plan.daysAgo * DAY + Math.floor(rnd() * 6) * 3_600_000 - 3 * 3_600_000;
        const { items, events } = whole(demoTraffic(plan, ci, 'cmp_x', sendAt, n, t, rnd));
        expect(items).toHaveLength(n);
        for (const item of items) expect(Number.isInteger(item.registeredAt), `registeredAt ${item.registeredAt}`).toBe(true);
        for (const e of events) expect(Number.isInteger(e.at), `${e.type} at ${e.at}`).toBe(true);
        // Costs go to a bigint column too.
        for (const e of events) if (e.costMinor !== undefined) expect(Number.isInteger(e.costMinor)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('draws the same traffic whatever the chunk size: chunks joined equal one chunk of the whole audience', () => {
    // The loader streams chunks (bounded memory); the demo must stay the one the seed makes.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: PLANS.length - 1 }), fc.integer(), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 50 }), (ci, seed, n, size) => {
        const t = Date.UTC(2026, 11, 7, 12);
        const sendAt = t - PLANS[ci].daysAgo * DAY;
        const chunks = [...demoTraffic(PLANS[ci], ci, 'cmp_x', sendAt, n, t, mulberry32(seed), size)];
        // ceil(n / size) chunks, each of `size` recipients but the last.
        expect(chunks).toHaveLength(Math.ceil(n / size));
        for (const c of chunks.slice(0, -1)) expect(c.items).toHaveLength(size);
        expect(whole(chunks)).toEqual(whole(demoTraffic(PLANS[ci], ci, 'cmp_x', sendAt, n, t, mulberry32(seed), n)));
        // Every event of a chunk names one of the chunk's own messages: a chunk is registered before its events.
        for (const c of chunks) {
          const ids = new Set(c.items.map((i) => i.providerMessageId));
          for (const e of c.events) expect(e.ref.kind === 'provider' && ids.has(e.ref.providerMessageId)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('scans letters (the path that wrote a fraction) at whole milliseconds', () => {
    // The letters' plan (catalogue, 2,500 letters): about 4.5 % are scanned, so a few thousand draws hold scans.
    const ci = PLANS.findIndex((p) => p.channel === 'mail');
    const { events } = whole(demoTraffic(PLANS[ci], ci, 'cmp_x', Date.UTC(2026, 10, 13, 9), 2500, Date.UTC(2026, 11, 7, 12), mulberry32(42)));
    const scans = events.filter((e) => e.type === 'scanned');
    expect(scans.length).toBeGreaterThan(50);
    for (const s of scans) expect(Number.isInteger(s.at), `scanned at ${s.at}`).toBe(true);
  });
});

describe('demo orders', () => {
  it('dates orders, cancellations and refunds in whole milliseconds whatever the delay drawn', () => {
    fc.assert(
      fc.property(now, fc.integer({ min: 0, max: 90 * DAY }), fc.double({ min: -90 * DAY, max: 30 * DAY, noNaN: true }), fc.integer(), (t, back, delayMs, seed) => {
        const rnd = mulberry32(seed);
        for (let seq = 0; seq < 30; seq++) {
          const { order, refund } = demoOrder({ since: t - back, delayMs, email: 'a@example.com' }, seq, t, rnd);
          expect(Number.isInteger(order.at), `order at ${order.at}`).toBe(true);
          expect(order.at).toBeLessThanOrEqual(t - 60_000);
          if (order.cancelledAt !== null) expect(Number.isInteger(order.cancelledAt)).toBe(true);
          if (refund) expect(Number.isInteger(refund.refund.at)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
