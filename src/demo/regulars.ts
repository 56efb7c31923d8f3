// The demo's regular customers (issue #18: the contact page is not empty on first start): eight people each reached by
// every dated campaign, on every channel (one contact, matched by their customer id), who open, click, scan and reply
// now and then, and buy again and again after their clicks, so their timelines mix channels and their orders are
// credited to several campaigns. Seeded: the same people every time.
import type { Campaigns } from '../services/campaigns';
import type { Ingestor, RegisterItem } from '../services/ingest';
import type { Orders } from '../services/orders';
import type { Channel, IncomingEvent } from '../domain/types';
import { mulberry32 } from '../domain/stats';
import { demoOrder, type DemoOrderWish } from './orders';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const PEOPLE = [
  ['Camille', 'Durand', 'Lyon', '69002'], ['Hugo', 'Lefebvre', 'Nantes', '44000'], ['Chloé', 'Moreau', 'Lille', '59000'],
  ['Lucas', 'Girard', 'Bordeaux', '33000'], ['Inès', 'Roux', 'Toulouse', '31000'], ['Nathan', 'Fournier', 'Rennes', '35000'],
  ['Manon', 'Bonnet', 'Paris', '75011'], ['Théo', 'Lambert', 'Marseille', '13001'],
] as const;

/**
 * Regular `k`'s identity, the same for every channel (each campaign sends to its channel's address): the first message
 * registered makes their contact with every key, which later messages and orders then find.
 */
function identity(k: number) {
  const [first, last, city, postalCode] = PEOPLE[k];
  const plain = (s: string) => s.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return {
    externalId: `cust-regular-${k + 1}`, firstName: first, lastName: last, email: `${plain(first)}.${plain(last)}@exemple.fr`,
    phone: `+3367000${String(1000 + k)}`, address: { name: `${first} ${last}`, line1: `${12 + k} place du Marché`, postalCode, city, country: 'FR' },
  };
}

export interface DemoCampaign {
  id: string;
  channel: Channel;
  sendAt: number;
}

/**
 * The regulars' messages (per campaign), their events and the orders they place. Pure, in a fixed order of draws; every
 * time is a whole number of milliseconds no later than `now`.
 */
export function regularsTraffic(campaigns: DemoCampaign[], now: number, rnd: () => number): {
  items: Map<string, RegisterItem[]>; events: IncomingEvent[]; orders: DemoOrderWish[];
} {
  const items = new Map<string, RegisterItem[]>();
  const events: IncomingEvent[] = [];
  const orders: DemoOrderWish[] = [];
  const at = (t: number) => Math.min(Math.round(t), now - 60_000);
  for (const [ci, c] of campaigns.entries()) {
    const list: RegisterItem[] = [];
    for (let k = 0; k < PEOPLE.length; k++) {
      // Each regular surely buys after two campaigns two apart in the list (the demo's plans alternate channels), and
      // may after others: every one of them is a repeat buyer.
      const sure = campaigns.length > 2 && [0, 2].includes((ci - k + campaigns.length * PEOPLE.length) % campaigns.length);
      const sent = c.sendAt + k * 60_000;
      const ref = { kind: 'provider' as const, provider: 'demo-regular', providerMessageId: `regular-${k}-${c.id}` };
      list.push({ recipient: identity(k), provider: ref.provider, providerMessageId: ref.providerMessageId, registeredAt: sent - 60_000 });
      events.push({ type: 'sent', at: at(sent), ref });
      if (c.channel === 'mail') {
        if (sure || rnd() < 0.5) {
          const scan = at(sent + (3 + rnd() * 5) * DAY);
          events.push({ type: 'scanned', at: scan, ref });
          if (sure || rnd() < 0.6) orders.push({ since: scan, delayMs: rnd() * 2 * DAY, email: identity(k).email });
        }
        continue;
      }
      events.push({ type: 'delivered', at: at(sent + 30_000), ref });
      if (c.channel !== 'sms' && rnd() < 0.8) events.push({ type: 'opened', at: at(sent + rnd() * 6 * HOUR), ref });
      if (sure || rnd() < 0.45) {
        const click = at(sent + 6 * HOUR + rnd() * DAY);
        events.push({ type: 'clicked', at: click, ref, url: 'https://shop.example/' });
        // Regulars buy after most of their clicks: the order is credited to this campaign.
        if (sure || rnd() < 0.6) orders.push({ since: click, delayMs: HOUR + rnd() * 2 * DAY, email: identity(k).email });
      }
      if (c.channel === 'whatsapp' && rnd() < 0.3) events.push({ type: 'replied', at: at(sent + 2 * HOUR), ref, text: 'Merci, je passe en boutique samedi !' });
    }
    items.set(c.id, list);
  }
  // One of them stops the SMS (still a customer by e-mail and WhatsApp).
  const sms = campaigns.filter((c) => c.channel === 'sms').sort((a, b) => b.sendAt - a.sendAt)[0];
  if (sms) events.push({ type: 'unsubscribed', at: at(sms.sendAt + 2 * 60_000 + HOUR), ref: { kind: 'provider', provider: 'demo-regular', providerMessageId: `regular-2-${sms.id}` } });
  return { items, events, orders };
}

export async function generateDemoRegulars(
  deps: { campaigns: Campaigns; ingestor: Ingestor; orders?: Orders },
  accountId: string,
  opts: { now: number; seed?: number },
): Promise<{ messages: number; orders: number }> {
  const rnd = mulberry32((opts.seed ?? 42) + 18);
  const list = await deps.campaigns.list(accountId, { limit: 100 });
  const dated = list.items.filter((c) => c.sendAt).map((c) => ({ id: c.id, channel: c.channel as Channel, sendAt: Date.parse(c.sendAt!) }));
  const { items, events, orders } = regularsTraffic(dated, opts.now, rnd);
  let messages = 0;
  for (const [campaignId, batch] of items) {
    const res = await deps.ingestor.register(accountId, campaignId, batch);
    if (!res.ok) throw new Error(`demo regulars: ${res.message}`);
    messages += batch.length;
  }
  const res = await deps.ingestor.ingest(accountId, events);
  if (!res.ok) throw new Error(`demo regulars: ${res.message}`);
  if (!deps.orders) return { messages, orders: 0 };
  // Numbered far from the other demo orders (DEMO-10000…): DEMO-90000 on.
  const made = orders.map((o, i) => demoOrder(o, 80_000 + i, opts.now, rnd));
  await deps.orders.upsert(accountId, made.map((m) => m.order), made.flatMap((m) => (m.refund ? [m.refund] : [])));
  return { messages, orders: made.length };
}
