// Demo orders for the demo account, so that revenue figures are alive: buyers who clicked, scanned, opened or
// received a message before buying (across channels), shop-wide codes and UTM links, buyers Mesure never
// messaged, a few refunds and cancellations, and orders in dollars without a rate (reported apart).
import type { Campaigns } from '../services/campaigns';
import type { Orders, RefundInput } from '../services/orders';
import { buildOrder, type Order } from '../domain/orders';
import type { Channel } from '../domain/types';
import { mulberry32 } from '../domain/stats';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Buying shares per message state: clicks convert best, opens and deliveries a little (influence). */
const BUY: Record<string, number> = { clicked: 0.15, opened: 0.012, delivered: 0.01 };

export async function generateDemoOrders(
  deps: { campaigns: Campaigns; orders: Orders },
  accountId: string,
  opts: { now: number; seed?: number },
): Promise<{ orders: number; refunds: number; credited: number }> {
  const rnd = mulberry32(opts.seed ?? 7);
  const orders: Order[] = [];
  const refunds: RefundInput[] = [];
  let n = 0;
  const add = (o: DemoOrderWish) => {
    const made = demoOrder(o, n++, opts.now, rnd);
    orders.push(made.order);
    if (made.refund) refunds.push(made.refund);
  };

  const list = await deps.campaigns.list(accountId, { limit: 100 });
  for (const c of list.items) {
    const channel = c.channel as Channel;
    for (const status of ['clicked', 'opened', 'delivered'] as const) {
      const page = await deps.campaigns.recipients(accountId, c.id, { status, limit: 600 });
      for (const r of page.items) {
        if (rnd() >= BUY[status]) continue;
        const since = Date.parse((status === 'clicked' ? r.clickedAt : status === 'opened' ? r.openedAt : r.deliveredAt) ?? r.sentAt ?? '');
        if (!Number.isFinite(since)) continue;
        // Clicks buy within days; opens and SMS deliveries within the hours of their influence windows.
        const delayMs = status === 'clicked' ? rnd() * 3 * DAY : channel === 'email' ? rnd() * 4 * DAY : rnd() * 10 * HOUR;
        if (channel === 'email') add({ since, delayMs, email: r.recipient });
        else if (channel === 'sms' || channel === 'whatsapp') add({ since, delayMs, phone: r.recipient });
      }
    }
    if (channel === 'mail') {
      // Letters: scanners buy with the catalogue's code (a direct touch through the code).
      const code = c.name.includes('hiver') ? 'HIVER10' : 'RETOUR15';
      await deps.orders.setDiscountCodes(accountId, c.id, [code]);
      const scanned = await deps.campaigns.recipients(accountId, c.id, { status: 'clicked', limit: 600 });
      // A scan is on the message (status clicked); the code touch is dated at the order, inside the 30-day window.
      for (const r of scanned.items) if (r.scans > 0 && r.sentAt && rnd() < 0.4) add({ since: Date.parse(r.sentAt), delayMs: (3 + rnd() * 20) * DAY, codes: [code] });
    }
    if (channel === 'email' && c.sendAt) {
      // Visitors who came through a forwarded newsletter link: the UTM names the campaign.
      const slug = (await deps.campaigns.get(accountId, c.id))?.slug;
      for (let i = 0; i < 15; i++) add({ since: Date.parse(c.sendAt), delayMs: rnd() * 4 * DAY, landing: `/?utm_source=mesure&utm_medium=email&utm_campaign=${slug}` });
    }
  }
  // Buyers no campaign reached, and a few orders in dollars (no rate: shown apart).
  for (let i = 0; i < 400; i++) add({ since: opts.now, delayMs: -rnd() * 90 * DAY, email: `walkin.${i}@example.org` });
  for (let i = 0; i < 6; i++) add({ since: opts.now, delayMs: -rnd() * 30 * DAY, email: `us.${i}@example.org`, currency: 'USD' });

  let credited = 0;
  for (let i = 0; i < orders.length; i += 500) credited += (await deps.orders.upsert(accountId, orders.slice(i, i + 500))).credited;
  await deps.orders.upsert(accountId, [], refunds);
  return { orders: orders.length, refunds: refunds.length, credited };
}

/** A demo order to make: `delayMs` after `since` (before it when negative), for this buyer or through this code or link. */
export interface DemoOrderWish {
  since: number;
  delayMs: number;
  email?: string;
  phone?: string;
  codes?: string[];
  landing?: string;
  currency?: string;
}

/**
 * The `seq`-th demo order (and its refund, for some), drawn from `rnd` in a fixed order. Pure. Its times are whole
 * milliseconds: the delay is drawn as a fraction of a span and rounded here (PostgreSQL's bigint refuses a fraction).
 */
export function demoOrder(o: DemoOrderWish, seq: number, now: number, rnd: () => number): { order: Order; refund?: RefundInput } {
  const at = Math.min(o.since + Math.round(o.delayMs), now - 60_000);
  const items = 1 + Math.floor(rnd() * 3);
  const net = items * (1500 + Math.floor(rnd() * 4500));
  const tax = Math.round(net * 0.2);
  const shipping = rnd() < 0.6 ? 490 : 0;
  const id = `DEMO-${10_000 + seq}`;
  const cancelled = rnd() < 0.02;
  const built = buildOrder({
    externalId: id, source: 'api', name: `#${id.slice(5)}`, at, currency: o.currency ?? 'EUR', grossMinor: net + tax + shipping, taxMinor: tax,
    shippingMinor: shipping, discountCodes: o.codes, landingSite: o.landing ?? null, itemQuantity: items,
    customer: { email: o.email ?? null, phone: o.phone ?? null }, cancelledAt: cancelled ? at + DAY : null,
  });
  if (!built.ok) throw new Error(`demo order: ${built.reason}`);
  if (cancelled || rnd() >= 0.05) return { order: built.order };
  const amount = Math.round((net + tax) * (rnd() < 0.5 ? 1 : 0.4));
  return { order: built.order, refund: { source: 'api', orderExternalId: id, refund: { refundId: `${id}-R1`, at: at + 3 * DAY, amountMinor: amount, netMinor: Math.round(amount / 1.2) } } };
}
