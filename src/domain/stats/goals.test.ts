// Checks target goals on hand-made series and segment goals on a hand-built order history.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluateTargetGoal, goalProgress, parseSegmentDefinition, segmentGoal, type OrderFact, type SegmentDefinition } from './goals';

describe('evaluateTargetGoal', () => {
  it('follows a revenue ≥ 5,000 € goal over time', () => {
    const goal = { metric: 'revenue', comparator: '>=' as const, target: 500_000 };
    // Given out of order on purpose: the result is in date order.
    const r = evaluateTargetGoal(goal, [
      { date: '2024-05-03', value: 510_000 },
      { date: '2024-05-01', value: 125_000 },
      { date: '2024-05-02', value: 400_000 },
      { date: '2024-05-04', value: 620_000 },
    ]);
    expect(r.points.map((p) => p.date)).toEqual(['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
    // 125,000/500,000 = 0.25; 400,000/500,000 = 0.8; then met.
    expect(r.points.map((p) => p.progress)).toEqual([0.25, 0.8, 1, 1]);
    expect(r).toMatchObject({ current: 620_000, achieved: true, progress: 1, firstAchievedDate: '2024-05-03' });
  });

  it('measures a CPA ≤ 8 € goal by how far the cost must still fall', () => {
    const goal = { metric: 'cpa', comparator: '<=' as const, target: 800 };
    const r = evaluateTargetGoal(goal, [
      { date: 1, value: null }, // no conversion yet: CPA undefined
      { date: 2, value: 1600 }, // 800/1600 = 0.5: the cost must halve
      { date: 3, value: 750 }, // met
      { date: 4, value: 1000 }, // 800/1000 = 0.8: no longer met
    ]);
    expect(r.points.map((p) => p.progress)).toEqual([null, 0.5, 1, 0.8]);
    expect(r).toMatchObject({ current: 1000, achieved: false, progress: 0.8, firstAchievedDate: 3 });
  });

  it('handles a conversion-rate goal, an empty series and a latest value that is unknown', () => {
    const rate = { metric: 'conversion_rate', comparator: '>=' as const, target: 0.05 };
    // 0.02/0.05 = 0.4.
    expect(evaluateTargetGoal(rate, [{ date: '2024-01-01', value: 0.02 }]).progress).toBeCloseTo(0.4, 12);
    expect(evaluateTargetGoal(rate, [])).toMatchObject({ current: null, achieved: false, progress: null, firstAchievedDate: null });
    expect(evaluateTargetGoal(rate, [{ date: 'a', value: 0.06 }, { date: 'b', value: null }])).toMatchObject({
      current: null,
      achieved: false,
      progress: null,
      firstAchievedDate: 'a',
    });
    expect(() => evaluateTargetGoal({ metric: 'x', comparator: '>' as never, target: 1 }, [])).toThrow(RangeError);
  });

  it('keeps progress in [0, 1], equal to 1 exactly when the goal is met', () => {
    fc.assert(
      fc.property(fc.constantFrom('>=' as const, '<=' as const), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), (comparator, target, value) => {
        const goal = { metric: 'm', comparator, target };
        const p = goalProgress(goal, value)!;
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        const met = comparator === '>=' ? value >= target : value <= target;
        if (met) expect(p).toBe(1);
        else expect(p).toBeLessThan(1);
      }),
    );
  });
});

const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
const year = (y: number) => ({ from: Date.UTC(y, 0, 1), to: Date.UTC(y + 1, 0, 1) });

// "Bought in 2019 and not in 2020" (seed 004), campaign from 1 March 2021.
const lapsed: SegmentDefinition = { all: [{ bought: year(2019) }, { notBought: year(2020) }] };
const history: OrderFact[] = [
  { contactId: 'alice', orderedAt: day('2019-05-04'), amountMinor: 3000 }, // member
  { contactId: 'alice', orderedAt: day('2021-03-10'), amountMinor: 4500 }, // → leaves on 10 March
  { contactId: 'bob', orderedAt: day('2019-02-01'), amountMinor: 2000 },
  { contactId: 'bob', orderedAt: day('2020-06-01'), amountMinor: 2000 }, // bought in 2020: never a member
  { contactId: 'bob', orderedAt: day('2021-03-05'), amountMinor: 2000 }, // so this purchase is no progress
  { contactId: 'carol', orderedAt: day('2019-11-20'), amountMinor: 8000 }, // member, does not buy again
  { contactId: 'dan', orderedAt: day('2018-07-01'), amountMinor: 9000 }, // only 2018: not a member
  { contactId: 'eve', orderedAt: day('2019-12-24'), amountMinor: 6000 }, // member
  { contactId: 'eve', orderedAt: day('2021-02-15'), amountMinor: 1000 }, // before the start: still a member (2021 is in no range)
  { contactId: 'eve', orderedAt: day('2021-03-20'), amountMinor: 1500 }, // → leaves on 20 March
  { contactId: 'frank', orderedAt: day('2019-07-14'), amountMinor: 2500 }, // member
  { contactId: 'frank', orderedAt: day('2021-03-12'), amountMinor: 0 }, // cancelled order: not a purchase
  { contactId: 'frank', orderedAt: day('2021-04-15'), amountMinor: 3000 }, // after "now": not counted yet
  { contactId: 'gina', orderedAt: day('2019-08-08'), amountMinor: 0 }, // a cancelled order does not make a buyer
];

describe('segmentGoal', () => {
  it('counts the members at the start and those who left by buying (seed 004: bought in 2019, not in 2020)', () => {
    const r = segmentGoal({ definition: lapsed, orders: history, campaignStart: Date.UTC(2021, 2, 1), now: day('2021-04-01'), target: 3 });
    // Members: alice, carol, eve, frank (bob bought in 2020, dan not in 2019, gina's only order was cancelled).
    expect(r.membersAtStart).toEqual(['alice', 'carol', 'eve', 'frank']);
    // Left by buying since 1 March: alice (10 March), eve (20 March); frank's order was cancelled, his next is after now.
    expect(r.left).toEqual([
      { contactId: 'alice', leftAt: day('2021-03-10') },
      { contactId: 'eve', leftAt: day('2021-03-20') },
    ]);
    expect(r).toMatchObject({ remaining: 2, progress: 2, target: 3, achieved: false, achievedAt: null });
    expect(r.progressShare).toBeCloseTo(2 / 3, 12);
  });

  it('grows with time and records when the target was reached', () => {
    const at = (now: number, target: number) =>
      segmentGoal({ definition: lapsed, orders: history, campaignStart: Date.UTC(2021, 2, 1), now, target });
    expect(at(day('2021-03-15'), 2).progress).toBe(1); // only alice so far
    expect(at(day('2021-03-25'), 2)).toMatchObject({ progress: 2, achieved: true, achievedAt: day('2021-03-20'), progressShare: 1 });
    // By 20 April frank has bought too: 3 of 3.
    expect(at(day('2021-04-20'), 3)).toMatchObject({ progress: 3, remaining: 1, achieved: true, achievedAt: day('2021-04-15') });
  });

  it('applies minimum order count and spend, and judges membership only on orders before the start', () => {
    // Spent at least 50.00 in 2019 (alice 30.00 no, carol 80.00 yes, eve 60.00 yes, frank 25.00 no, bob 20.00 no),
    // and did not buy in 2021 before the start either: eve bought on 15 February, so she is out.
    const bigSpenders: SegmentDefinition = {
      all: [{ bought: year(2019), minSpendMinor: 5000 }, { notBought: { from: Date.UTC(2021, 0, 1), to: Date.UTC(2022, 0, 1) } }],
    };
    const r = segmentGoal({ definition: bigSpenders, orders: history, campaignStart: Date.UTC(2021, 2, 1), now: day('2021-04-01'), target: 1 });
    // The notBought range runs past the start, but purchases after the start are progress, not exclusions.
    expect(r.membersAtStart).toEqual(['carol']);
    expect(r.progress).toBe(0);
    // Two or more orders in 2019–2020: only bob (2019 and 2020).
    const repeat: SegmentDefinition = { all: [{ bought: { from: Date.UTC(2019, 0, 1), to: Date.UTC(2021, 0, 1) }, minOrders: 2 }] };
    const b = segmentGoal({ definition: repeat, orders: history, campaignStart: Date.UTC(2021, 2, 1), now: day('2021-04-01'), target: 1 });
    expect(b).toMatchObject({ membersAtStart: ['bob'], progress: 1, achieved: true, achievedAt: day('2021-03-05') });
  });

  it('includes contacts without any order when the audience is given', () => {
    // "Did not buy in 2020", over an audience with a contact who never ordered (zoe) and one who did (bob).
    const r = segmentGoal({
      definition: { all: [{ notBought: year(2020) }] },
      orders: history,
      campaignStart: Date.UTC(2021, 2, 1),
      now: day('2021-04-01'),
      target: 1,
      contacts: ['zoe', 'bob', 'alice'],
    });
    expect(r.membersAtStart).toEqual(['alice', 'zoe']);
    expect(r.left.map((l) => l.contactId)).toEqual(['alice']);
  });

  it('only counts members as leavers, and later orders never lower the progress', () => {
    const contacts = ['a', 'b', 'c', 'd'];
    const order = fc.record({
      contactId: fc.constantFrom(...contacts),
      orderedAt: fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2021, 11, 31) }),
      amountMinor: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(order, { maxLength: 30 }), fc.integer({ min: 0, max: 300 }), (orders, days) => {
        const start = Date.UTC(2021, 0, 1);
        const now = start + days * 86_400_000;
        const r = segmentGoal({ definition: lapsed, orders, campaignStart: start, now, target: 2 });
        for (const l of r.left) {
          expect(r.membersAtStart).toContain(l.contactId);
          expect(l.leftAt >= start && l.leftAt <= now).toBe(true);
        }
        const later = segmentGoal({ definition: lapsed, orders, campaignStart: start, now: now + 86_400_000, target: 2 });
        expect(later.membersAtStart).toEqual(r.membersAtStart);
        expect(later.progress).toBeGreaterThanOrEqual(r.progress);
      }),
    );
  });

  it('refuses a target below 1 or a time before the start', () => {
    expect(() => segmentGoal({ definition: lapsed, orders: [], campaignStart: 10, now: 20, target: 0 })).toThrow(RangeError);
    expect(() => segmentGoal({ definition: lapsed, orders: [], campaignStart: 20, now: 10, target: 1 })).toThrow(RangeError);
  });
});

describe('parseSegmentDefinition', () => {
  it('accepts the documented JSON form, with ISO date-times or epoch milliseconds', () => {
    const r = parseSegmentDefinition({
      all: [
        { bought: { from: '2019-01-01T00:00:00+01:00', to: '2020-01-01T00:00:00+01:00' }, minOrders: 2, minSpendMinor: 10_000 },
        { notBought: { from: 1577833200000, to: 1609455600000 } },
      ],
    });
    // 2019-01-01T00:00+01:00 is 2018-12-31T23:00Z.
    expect(r).toEqual({
      ok: true,
      value: {
        all: [
          { bought: { from: Date.UTC(2018, 11, 31, 23), to: Date.UTC(2019, 11, 31, 23) }, minOrders: 2, minSpendMinor: 10_000 },
          { notBought: { from: 1577833200000, to: 1609455600000 } },
        ],
      },
    });
  });

  it('rejects anything else', () => {
    const range = { from: 0, to: 1000 };
    const bad: unknown[] = [
      null,
      [],
      { all: [] },
      { all: [{ bought: range }], any: [] }, // unknown top-level field
      { all: [{ bought: range, where: 'x' }] }, // unknown clause field
      { all: [{ bought: { from: 1000, to: 0 } }] }, // empty range
      { all: [{ bought: { from: '2019-01-01', to: '2020-01-01' } }] }, // dates without a time zone
      { all: [{ bought: range, minOrders: 0 }] },
      { all: [{ bought: range, minSpendMinor: 1.5 }] },
      { all: [{ notBought: range, minOrders: 1 }] },
      { all: [{ boughtSomething: range }] },
      { all: Array.from({ length: 11 }, () => ({ bought: range })) },
    ];
    for (const input of bad) expect(parseSegmentDefinition(input).ok, JSON.stringify(input)).toBe(false);
  });
});
