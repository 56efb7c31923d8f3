import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { markNewCustomers, type OrderOfContact } from './newCustomers';

describe('markNewCustomers', () => {
  it('marks the earliest order of each contact new, the later ones returning, and orders without a contact unknown', () => {
    const marks = markNewCustomers([
      { id: 'o2', contactId: 'a', orderedAt: 200 },
      { id: 'o1', contactId: 'a', orderedAt: 100 },
      { id: 'o3', contactId: 'b', orderedAt: 300 },
      { id: 'o4', contactId: null, orderedAt: 50 },
    ]);
    expect(Object.fromEntries(marks)).toEqual({ o1: 1, o2: 0, o3: 1, o4: null });
  });

  it('breaks a tie on the order time by the smaller id', () => {
    const marks = markNewCustomers([
      { id: 'ord_b', contactId: 'a', orderedAt: 100 },
      { id: 'ord_a', contactId: 'a', orderedAt: 100 },
    ]);
    expect(Object.fromEntries(marks)).toEqual({ ord_a: 1, ord_b: 0 });
  });

  it('a late, older order makes the former first order returning', () => {
    const before = markNewCustomers([{ id: 'o1', contactId: 'a', orderedAt: 100 }]);
    const after = markNewCustomers([{ id: 'o1', contactId: 'a', orderedAt: 100 }, { id: 'o0', contactId: 'a', orderedAt: 10 }]);
    expect(before.get('o1')).toBe(1);
    expect(after.get('o1')).toBe(0);
    expect(after.get('o0')).toBe(1);
  });

  const orders = fc.uniqueArray(
    fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), contactId: fc.constantFrom('a', 'b', 'c', null), orderedAt: fc.integer({ min: 0, max: 5 }) }),
    { selector: (o) => o.id, maxLength: 20 },
  );

  it('exactly one new order per contact, none for unmatched orders, whatever the order of the input', () => {
    fc.assert(fc.property(orders, fc.context(), (list: OrderOfContact[], ctx) => {
      const marks = markNewCustomers(list);
      const shuffled = markNewCustomers([...list].reverse());
      ctx.log(JSON.stringify(list));
      expect(shuffled).toEqual(marks);
      const contacts = new Set(list.map((o) => o.contactId).filter((c) => c !== null));
      expect(list.filter((o) => marks.get(o.id) === 1).length).toBe(contacts.size);
      for (const o of list) {
        if (o.contactId === null) expect(marks.get(o.id)).toBeNull();
        // The new order is no later than any order of its contact.
        if (marks.get(o.id) === 1) expect(list.every((p) => p.contactId !== o.contactId || p.orderedAt >= o.orderedAt)).toBe(true);
      }
    }));
  });
});
