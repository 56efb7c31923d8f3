// Demo campaigns with a holdout whose true lift the generator knows (issue #24, part 3): held-out contacts buy at
// the base rate, treated ones at base × (1 + true lift), so the incrementality page has a truth to show and a test
// has one to check. Buyers are counted out exactly in each group (every k-th), baskets drawn from a seeded stream.
import type { Experiments } from '../services/experiments';
import type { Ingestor } from '../services/ingest';
import type { Orders } from '../services/orders';
import type { Campaigns } from '../services/campaigns';
import { buildOrder, type Order } from '../domain/orders';
import type { IncomingEvent } from '../domain/types';
import { mulberry32 } from '../domain/stats';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DemoHoldoutOptions {
  now: number;
  seed?: number;
  /** The true revenue lift of every holdout campaign: treated buy at base × (1 + trueLift). Default 0.25. */
  trueLift?: number;
  /** Share of held-out contacts buying within the window. Default 0.08. */
  baseRate?: number;
  /** Recipients per campaign. Default 2,000. */
  audience?: number;
  /** Share held out. Default 0.2. */
  holdoutShare?: number;
}

/** The email campaigns with a holdout, by days before `now`. */
const HOLDOUT_PLANS = [
  { name: 'Test holdout — Newsletter décembre', daysAgo: 12 },
  { name: 'Test holdout — Offre fidélité', daysAgo: 26 },
  { name: 'Test holdout — Nouveautés', daysAgo: 40 },
];

// The truth these campaigns are built on: the incrementality factor (incremental ÷ attributed revenue) is
// trueLift ÷ (1 + trueLift), since every treated buyer's order is attributed to the campaign here (each treated buyer
// opened the email, and no other campaign reaches these contacts).

/** Whether the k-th member (from 0) of a group buying at `rate` buys: exactly ⌊n·rate⌋ or ⌈n·rate⌉ of the first n do. */
export function buysAt(k: number, rate: number): boolean {
  return Math.floor((k + 1) * rate) > Math.floor(k * rate);
}

export async function generateDemoHoldouts(
  deps: { campaigns: Campaigns; experiments: Experiments; ingestor: Ingestor; orders: Orders },
  accountId: string,
  opts: DemoHoldoutOptions,
): Promise<{ campaigns: number; messages: number; orders: number }> {
  const trueLift = opts.trueLift ?? 0.25;
  const baseRate = opts.baseRate ?? 0.08;
  const audience = opts.audience ?? 2000;
  const share = opts.holdoutShare ?? 0.2;
  const baskets = { treated: mulberry32((opts.seed ?? 42) + 1), holdout: mulberry32((opts.seed ?? 42) + 2) };
  const basket = (rnd: () => number) => 2000 + Math.floor(rnd() * 8000);
  let messages = 0;
  let seq = 0;
  const orders: Order[] = [];
  for (const [ci, plan] of HOLDOUT_PLANS.entries()) {
    const sendAt = opts.now - plan.daysAgo * DAY;
    const campaign = await deps.campaigns.create(accountId, {
      name: plan.name, channel: 'email', kind: 'manual', sendAt, activatedAt: null, status: 'completed',
      template: { name: `holdout-${ci}`, version: '1', language: 'fr', format: 'html', content: '<p><a href="https://shop.example/">Boutique</a></p>' },
      tags: ['email', 'demo', 'holdout'], budget: null,
    });
    const set = await deps.experiments.setHoldout(accountId, 'campaign', campaign.id, share, [campaign.id]);
    if (!set.ok) throw new Error(`demo holdout: ${set.message}`);
    const recipients = Array.from({ length: audience }, (_, i) => ({ recipient: { email: `holdout.${ci}.${i}@example.net` }, registeredAt: sendAt }));
    const assigned = await deps.experiments.assignAudience(accountId, campaign.id, recipients);
    if (!assigned.ok) throw new Error(`demo holdout: ${assigned.message}`);
    const events: IncomingEvent[] = [];
    const seen = { treated: 0, holdout: 0 };
    for (const r of assigned.value.recipients) {
      const group = r.status === 'treated' ? 'treated' : 'holdout';
      const k = seen[group]++;
      if (r.messageId) {
        const ref = { kind: 'id' as const, messageId: r.messageId };
        events.push({ type: 'sent', at: sendAt + 1000, ref, costMinor: 1 }, { type: 'delivered', at: sendAt + 60_000, ref });
      }
      if (!buysAt(k, group === 'treated' ? baseRate * (1 + trueLift) : baseRate)) continue;
      // Treated buyers opened the email first: their order is attributed (email open window: 5 days).
      if (r.messageId) events.push({ type: 'opened', at: sendAt + 2 * HOUR, ref: { kind: 'id', messageId: r.messageId } });
      const at = Math.min(sendAt + 3 * HOUR + Math.floor(baskets[group]() * 3 * DAY), opts.now - 60_000);
      const gross = basket(baskets[group]);
      const id = `DEMO-H${ci}-${seq++}`;
      const built = buildOrder({
        externalId: id, source: 'api', name: `#${id.slice(5)}`, at, currency: 'EUR', grossMinor: gross, taxMinor: 0, shippingMinor: 0,
        discountCodes: [], landingSite: null, itemQuantity: 1, customer: { email: recipients[r.index].recipient.email, phone: null }, cancelledAt: null,
      });
      if (!built.ok) throw new Error(`demo holdout order: ${built.reason}`);
      orders.push(built.order);
    }
    messages += assigned.value.treated;
    for (let i = 0; i < events.length; i += 10_000) {
      const res = await deps.ingestor.ingest(accountId, events.slice(i, i + 10_000));
      if (!res.ok) throw new Error(`demo holdout: ${res.message}`);
    }
  }
  for (let i = 0; i < orders.length; i += 500) await deps.orders.upsert(accountId, orders.slice(i, i + 500));
  return { campaigns: HOLDOUT_PLANS.length, messages, orders: orders.length };
}
