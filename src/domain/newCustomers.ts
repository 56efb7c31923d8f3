// New or returning customer (KPIS.md): an order is "new" when it is its contact's first order in the shop's whole
// history (any source), else "returning"; an order no contact matched is "unknown" (null) and counts in neither.
// "First" is the earliest ordered_at, ties broken by the smaller order id, so the mark never depends on load order.

/** 1: new customer, 0: returning, null: no matched contact. */
export type NewCustomerMark = 0 | 1 | null;

export interface OrderOfContact {
  id: string;
  contactId: string | null;
  orderedAt: number;
}

/**
 * The mark of each order, given every order of the contacts involved (a contact's marks depend on all its orders, so
 * the caller passes them all: a late, older order turns the contact's earlier "new" into "returning").
 */
export function markNewCustomers(orders: readonly OrderOfContact[]): Map<string, NewCustomerMark> {
  const first = new Map<string, OrderOfContact>();
  for (const o of orders) {
    if (o.contactId === null) continue;
    const best = first.get(o.contactId);
    if (!best || o.orderedAt < best.orderedAt || (o.orderedAt === best.orderedAt && o.id < best.id)) first.set(o.contactId, o);
  }
  const marks = new Map<string, NewCustomerMark>();
  for (const o of orders) marks.set(o.id, o.contactId === null ? null : first.get(o.contactId)!.id === o.id ? 1 : 0);
  return marks;
}
