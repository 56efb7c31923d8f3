// A realistic demo data set: campaigns over the four channels across the last 90 days, tens of thousands of
// messages with plausible rates and failures of each reason, sent through the real ingestion path.
import type { AccountDirectory } from '../services/accounts';
import type { Campaigns } from '../services/campaigns';
import type { Ingestor, RegisterItem } from '../services/ingest';
import type { Orders } from '../services/orders';
import { generateDemoOrders } from './orders';
import { generateDemoRegulars } from './regulars';
import { generateDemoHoldouts } from './holdouts';
import type { Experiments } from '../services/experiments';
import type { Channel, FailureReason, IncomingEvent } from '../domain/types';
import { mulberry32 } from '../domain/stats';

export const DEMO_USER = { email: 'demo@mesure.dev', password: 'mesure-demo' };

export interface Plan {
  name: string;
  channel: Channel;
  daysAgo: number;
  audience: number;
  kind?: 'manual' | 'automatic';
  costMinor: number;
  template: { name: string; content: string; format: 'text' | 'html'; language: string; version: string };
  status?: 'completed' | 'sending' | 'stopped';
  statusReason?: string;
  budget?: number;
}

export const PLANS: Plan[] = [
  { name: 'Black Friday — WhatsApp', channel: 'whatsapp', daysAgo: 2, audience: 6000, costMinor: 9, status: 'sending', budget: 60000,
    template: { name: 'black_friday_2026', version: '3', language: 'fr', format: 'text', content: 'Bonjour {{1}} ! -30 % sur toute la boutique jusqu’à dimanche. Découvrez : https://shop.example/bf' } },
  { name: 'Newsletter novembre', channel: 'email', daysAgo: 9, audience: 12000, costMinor: 1,
    template: { name: 'newsletter-nov', version: '1', language: 'fr', format: 'html', content: '<h1>Les nouveautés de novembre</h1><p>Bonjour {{first_name}},</p><p><a href="https://shop.example/nouveautes">Voir la collection</a></p>' } },
  { name: 'Vente flash SMS', channel: 'sms', daysAgo: 16, audience: 5000, costMinor: 5, status: 'stopped', statusReason: 'budget_exhausted', budget: 24000,
    template: { name: 'flash-sms', version: '2', language: 'fr', format: 'text', content: 'VENTE FLASH -40% 24h seulement : https://shop.example/flash STOP au 36180' } },
  { name: 'Catalogue hiver (courrier)', channel: 'mail', daysAgo: 24, audience: 2500, costMinor: 112,
    template: { name: 'catalogue-hiver', version: '1', language: 'fr', format: 'text', content: 'Votre catalogue hiver. Scannez le QR code pour 10 € offerts.' } },
  { name: 'Relance panier WhatsApp', channel: 'whatsapp', daysAgo: 33, audience: 3000, kind: 'automatic', costMinor: 9,
    template: { name: 'cart_reminder', version: '5', language: 'fr', format: 'text', content: 'Vous avez oublié quelque chose ! Votre panier vous attend : https://shop.example/cart' } },
  { name: 'Bienvenue (email)', channel: 'email', daysAgo: 41, audience: 4000, kind: 'automatic', costMinor: 1,
    template: { name: 'welcome', version: '2', language: 'fr', format: 'html', content: '<p>Bienvenue ! Voici 10 % avec le code <b>BIENVENUE10</b>.</p><p><a href="https://shop.example/">Boutique</a></p>' } },
  { name: 'Avant-première VIP SMS', channel: 'sms', daysAgo: 52, audience: 2500, costMinor: 5,
    template: { name: 'vip-sms', version: '1', language: 'fr', format: 'text', content: 'Accès VIP en avant-première : https://shop.example/vip' } },
  { name: 'Newsletter octobre', channel: 'email', daysAgo: 60, audience: 11000, costMinor: 1,
    template: { name: 'newsletter-oct', version: '1', language: 'fr', format: 'html', content: '<h1>Octobre</h1><p><a href="https://shop.example/octobre">Découvrir</a> · <a href="https://shop.example/blog">Le blog</a></p>' } },
  { name: 'Réactivation clients 2019 (courrier)', channel: 'mail', daysAgo: 71, audience: 1500, costMinor: 118,
    template: { name: 'reactivation', version: '1', language: 'fr', format: 'text', content: 'Vous nous manquez ! Scannez pour découvrir nos nouveautés.' } },
  { name: 'Retour en stock WhatsApp', channel: 'whatsapp', daysAgo: 84, audience: 2500, costMinor: 9,
    template: { name: 'back_in_stock', version: '1', language: 'en', format: 'text', content: 'Good news: it is back in stock! https://shop.example/restock' } },
];

/** Per channel: shares of the audience refused (by reason), then outcome probabilities of sent messages. */
const REFUSALS: Record<Channel, [FailureReason, number][]> = {
  whatsapp: [['invalid_recipient', 0.02], ['opted_out', 0.01], ['duplicate', 0.003], ['campaign_stopped', 0.001]],
  sms: [['invalid_recipient', 0.015], ['opted_out', 0.012], ['duplicate', 0.004], ['campaign_paused', 0.002]],
  email: [['invalid_recipient', 0.006], ['opted_out', 0.01], ['duplicate', 0.002], ['account_suspended', 0.001]],
  mail: [['invalid_recipient', 0.02], ['duplicate', 0.003], ['other', 0.002]],
};
const PROVIDER_FAILURES: Record<Channel, [FailureReason, string, number][]> = {
  whatsapp: [['invalid_recipient', '131026', 0.012], ['limited_by_provider', '131049', 0.01], ['rate_limited', '130429', 0.002], ['outside_window', '131047', 0.001], ['opted_out', '131050', 0.002]],
  sms: [['unreachable', '30003', 0.008], ['blocked', '30004', 0.002], ['spam_filtered', '30007', 0.002], ['invalid_recipient', '30005', 0.004]],
  email: [['provider_rejected', '550', 0.002]],
  mail: [],
};
const PROVIDER: Record<Channel, string> = { whatsapp: 'whatsapp', sms: 'twilio', email: 'sendgrid', mail: 'print' };
const FIRST = ['Camille', 'Léa', 'Hugo', 'Louis', 'Chloé', 'Emma', 'Jules', 'Manon', 'Lucas', 'Inès', 'Nathan', 'Sarah'];
/** What recipients write back, in French and English (the Feedback page), and their opt-out words. */
const DEMO_REPLIES = [
  'Merci !', 'Super offre, merci', 'Est-ce que la livraison est gratuite ?', 'Quand arrive ma commande ?', 'Le lien ne marche pas chez moi',
  'Vous avez la taille M en stock ?', 'Thanks, just ordered!', 'Is this available in blue?', 'Trop de messages en ce moment…',
  'Le code promo est refusé au paiement', 'Great prices, thank you', 'Pouvez-vous me rappeler ?',
];
const DEMO_STOPS = ['STOP', 'Stop', 'ARRET'];
const CITIES: [string, string][] = [['Paris', '75011'], ['Lyon', '69003'], ['Marseille', '13006'], ['Lille', '59000'], ['Nantes', '44000'], ['Bordeaux', '33000']];

export interface DemoProgress {
  (done: number, total: number, label: string): void;
}

export interface DemoResult {
  accountId: string;
  apiKey: string;
  campaigns: number;
  messages: number;
  events: number;
  orders: number;
}

export async function generateDemo(
  deps: { accounts: AccountDirectory; campaigns: Campaigns; ingestor: Ingestor; orders?: Orders; experiments?: Experiments },
  opts: {
    now: number; seed?: number; scale?: number; progress?: DemoProgress;
    /** Recipients drawn and loaded per step (5,000): the loader's memory. */
    chunk?: number;
    /** How a step is stored: by default `registerWithEvents`, one transaction (the equivalence test passes the old path). */
    load?: (accountId: string, campaignId: string, chunk: DemoChunk) => Promise<void>;
    /** Also three email campaigns with a holdout of known true lift (src/demo/holdouts.ts), made last. */
    holdouts?: { trueLift?: number };
  },
): Promise<DemoResult> {
  const rnd = mulberry32(opts.seed ?? 42); // seeded: the same demo every time
  const scale = opts.scale ?? 1;
  const account = await deps.accounts.create({ name: 'Boutique Démo', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
  const key = await deps.accounts.createKey(account.id, 'demo', 'owner');
  await deps.accounts.createUser(account.id, DEMO_USER.email, DEMO_USER.password, 'owner').catch(async () => {
    // The demo user already exists (another demo account): just add the membership.
  });
  const load = opts.load ?? (async (accountId: string, campaignId: string, c: DemoChunk) => {
    await deps.ingestor.registerWithEvents(accountId, campaignId, c.items, c.events);
  });
  const total = PLANS.reduce((s, p) => s + Math.round(p.audience * scale), 0);
  let done = 0;
  let events = 0;
  const day = 86_400_000;
  for (const [ci, plan] of PLANS.entries()) {
    const sendAt = opts.now - plan.daysAgo * day + Math.floor(rnd() * 6) * 3_600_000 - 3 * 3_600_000;
    const campaign = await deps.campaigns.create(account.id, {
      name: plan.name, channel: plan.channel, kind: plan.kind ?? 'manual',
      sendAt: plan.kind === 'automatic' ? null : sendAt, activatedAt: plan.kind === 'automatic' ? sendAt : null,
      status: plan.status ?? 'completed', template: plan.template, tags: [plan.channel, 'demo'], budget: plan.budget ?? null,
    });
    if (plan.statusReason) await deps.campaigns.update(account.id, campaign.id, { status: plan.status, statusReason: plan.statusReason });
    const n = Math.round(plan.audience * scale);
    // Streamed: a chunk of recipients is drawn, registered with its events in one transaction and dropped, so memory
    // stays that of one chunk whatever the scale (the whole campaign's arrays took 3.4 GB at --scale 200).
    for (const chunk of demoTraffic(plan, ci, campaign.id, sendAt, n, opts.now, rnd, opts.chunk)) {
      await load(account.id, campaign.id, chunk).catch((err: Error) => {
        throw new Error(`demo: ${err.message}`);
      });
      events += chunk.events.length;
      done += chunk.items.length;
      opts.progress?.(done, total, plan.name);
    }
  }
  // Orders, attributed as they arrive, so that revenue figures are alive (when the orders area is wired).
  let orders = 0;
  if (deps.orders) {
    opts.progress?.(done, total, 'orders and their attribution…');
    orders = (await generateDemoOrders({ campaigns: deps.campaigns, orders: deps.orders }, account.id, { now: opts.now, seed: opts.seed })).orders;
  }
  // Regular customers across every channel, who buy again and again: the contact page has someone to show (#18).
  opts.progress?.(done, total, 'regular customers…');
  const regulars = await generateDemoRegulars(deps, account.id, { now: opts.now, seed: opts.seed });
  orders += regulars.orders;
  // Last, so that no other generator's orders reach their contacts: the truth stays the one given (#24).
  let holdouts = { campaigns: 0, messages: 0, orders: 0 };
  if (opts.holdouts && deps.orders && deps.experiments) {
    opts.progress?.(done, total, 'campaigns with a holdout…');
    holdouts = await generateDemoHoldouts({ campaigns: deps.campaigns, experiments: deps.experiments, ingestor: deps.ingestor, orders: deps.orders }, account.id, { now: opts.now, seed: opts.seed, trueLift: opts.holdouts.trueLift });
  }
  return {
    accountId: account.id, apiKey: key.token, campaigns: PLANS.length + holdouts.campaigns, messages: total + regulars.messages + holdouts.messages, events, orders: orders + holdouts.orders,
  };
}

/** Recipients per chunk of the demo loader: one transaction registers them and stores their events. */
const DEMO_CHUNK = 5000;

/** A run of consecutive recipients of a campaign: their messages and the events that follow them. */
export interface DemoChunk {
  items: RegisterItem[];
  events: IncomingEvent[];
}

/**
 * One campaign's messages and events, drawn from `rnd` in a fixed order (the same demo for the same seed), in chunks
 * of `chunk` recipients with their events, made as they are asked for: only one chunk is in memory at a time, whatever
 * the audience (at `--scale 200` the largest campaign has 2.4 million recipients). Pure apart from `rnd`.
 * Every time is a whole number of milliseconds: PostgreSQL's bigint columns refuse a fraction (issue #20), so a
 * time drawn as a fraction of a span is rounded here, where it is computed.
 */
export function* demoTraffic(
  plan: Plan, ci: number, campaignId: string, sendAt: number, n: number, now: number, rnd: () => number, chunk = DEMO_CHUNK,
): Generator<DemoChunk> {
  const day = 86_400_000;
  let items: RegisterItem[] = [];
  let evs: IncomingEvent[] = [];
  for (let i = 0; i < n; i++) {
    if (items.length === chunk) {
      yield { items, events: evs };
      items = [];
      evs = [];
    }
    const first = FIRST[Math.floor(rnd() * FIRST.length)];
    const num = 10_000_000 + ci * 1_000_000 + i;
    const phone = `+336${String(num).padStart(8, '0').slice(-8)}`;
    const email = `${first.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')}.${num}@example.com`;
    const [city, postalCode] = CITIES[Math.floor(rnd() * CITIES.length)];
    const recipient = plan.channel === 'email' ? { email, firstName: first } : plan.channel === 'mail'
      ? { address: { name: `${first} Martin`, line1: `${(i % 120) + 1} rue de la République`, postalCode, city, country: 'FR' }, firstName: first, externalId: `cust-${num}` }
      : { phone, firstName: first, email };
    const at = sendAt + Math.floor(rnd() * (plan.kind === 'automatic' ? 20 * day : 2 * 3_600_000));
    // Refused before sending?
    let r = rnd();
    let refused: FailureReason | undefined;
    for (const [reason, share] of REFUSALS[plan.channel]) {
      if (r < share) { refused = reason; break; }
      r -= share;
    }
    if (!refused && plan.statusReason === 'budget_exhausted' && i > n * 0.86) refused = 'budget_exhausted';
    const providerMessageId = `${PROVIDER[plan.channel]}-${campaignId}-${i}`;
    items.push({ recipient, provider: PROVIDER[plan.channel], providerMessageId, registeredAt: at - 60_000, notSentReason: refused });
    if (refused) continue;
    const ref = { kind: 'provider' as const, provider: PROVIDER[plan.channel], providerMessageId };
    // Rejected by the provider?
    let f = rnd();
    let failed = false;
    for (const [reason, code, share] of PROVIDER_FAILURES[plan.channel]) {
      if (f < share) {
        evs.push({ type: 'failed', at: at + 2000, ref, failureReason: reason, failureCode: code, providerEventId: `${providerMessageId}:failed` });
        failed = true;
        break;
      }
      f -= share;
    }
    if (failed) continue;
    evs.push({ type: 'sent', at, ref, costMinor: plan.costMinor, providerEventId: `${providerMessageId}:sent` });
    if (plan.channel === 'mail') {
      if (rnd() < 0.045) {
        const t = at + Math.round((3 + rnd() * 20) * day);
        evs.push({ type: 'scanned', at: Math.min(t, now - 60_000), ref });
        if (rnd() < 0.2) evs.push({ type: 'scanned', at: Math.min(t + 3_600_000, now - 30_000), ref });
      }
      continue;
    }
    const delivery = rnd();
    const deliveredAt = at + 5000 + Math.floor(rnd() * 60_000);
    if (plan.channel === 'email') {
      if (delivery < 0.016) { evs.push({ type: 'bounced', at: deliveredAt, ref, bounceType: 'soft', failureCode: '421' }); continue; }
      if (delivery < 0.024) { evs.push({ type: 'bounced', at: deliveredAt, ref, bounceType: 'hard', failureCode: '550' }); continue; }
    } else if (delivery < 0.03) {
      // Delivered then finally failed, or failed after sending.
      evs.push({ type: 'failed', at: deliveredAt + 1000, ref, failureReason: plan.channel === 'sms' ? 'unreachable' : 'provider_error', failureCode: plan.channel === 'sms' ? '30003' : '131000' });
      continue;
    }
    evs.push({ type: 'delivered', at: deliveredAt, ref });
    const openShare = plan.channel === 'whatsapp' ? 0.86 : plan.channel === 'email' ? 0.36 : 0;
    const clickShare = plan.channel === 'whatsapp' ? 0.2 : plan.channel === 'email' ? 0.045 : 0.07;
    if (plan.channel === 'email' && rnd() < 0.18) {
      evs.push({ type: 'opened', at: deliveredAt + 3000, ref, machine: true, flagReason: rnd() < 0.8 ? 'apple_mpp' : 'provider_flag' });
    }
    const opened = rnd() < openShare;
    const openedAt = Math.min(deliveredAt + Math.floor(rnd() * 2 * day), now - 1000);
    if (opened) {
      evs.push({ type: 'opened', at: openedAt, ref });
      if (rnd() < 0.3) evs.push({ type: 'opened', at: Math.min(openedAt + 3_600_000, now - 500), ref });
    }
    if ((opened || plan.channel === 'sms') && rnd() < clickShare / (openShare || 1)) {
      const url = plan.template.content.match(/https:\/\/[^\s"<]+/)?.[0] ?? 'https://shop.example/';
      evs.push({ type: 'clicked', at: Math.min(openedAt + 60_000, now - 400), ref, url });
      if (rnd() < 0.25) evs.push({ type: 'clicked', at: Math.min(openedAt + 120_000, now - 300), ref, url });
    }
    if (plan.channel === 'email' && rnd() < 0.01) evs.push({ type: 'clicked', at: deliveredAt + 1000, ref, url: 'https://shop.example/', machine: true, flagReason: 'security_gateway' });
    // Replies in words (the Feedback page), picked by the message's index rather than drawn: the other draws stay.
    if (plan.channel === 'whatsapp' && rnd() < 0.04) evs.push({ type: 'replied', at: Math.min(openedAt + 300_000, now - 200), ref, text: DEMO_REPLIES[(i + ci) % DEMO_REPLIES.length] });
    else if (plan.channel === 'sms' && i % 41 === 5) evs.push({ type: 'replied', at: Math.min(deliveredAt + 900_000, now - 200), ref, text: DEMO_REPLIES[(i + ci) % DEMO_REPLIES.length] });
    if (rnd() < (plan.channel === 'email' ? 0.003 : 0.004)) {
      const unsubscribedAt = Math.min(openedAt + 600_000, now - 100);
      // On WhatsApp and SMS an unsubscribe is a STOP reply, which the providers report as both (src/providers).
      const stop = plan.channel === 'whatsapp' || plan.channel === 'sms' ? DEMO_STOPS[i % DEMO_STOPS.length] : undefined;
      if (stop) evs.push({ type: 'replied', at: unsubscribedAt, ref, text: stop });
      evs.push({ type: 'unsubscribed', at: unsubscribedAt, ref, text: stop });
    }
    if (plan.channel === 'email' && rnd() < 0.0006) evs.push({ type: 'complained', at: Math.min(openedAt + 700_000, now - 100), ref });
  }
  if (items.length > 0) yield { items, events: evs };
}
