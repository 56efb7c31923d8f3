// Every figure of ../shared/KPIS.md as pure functions of counts. A rate with a zero denominator is null.
import type { Channel } from './types';
import { addCounts, zeroCounts, type MessageCounts } from './message';

export function rate(numerator: number | null, denominator: number | null): number | null {
  if (numerator === null || denominator === null || denominator === 0) return null;
  return numerator / denominator;
}

/** Money and order facts of a campaign, from attribution and costs (zero until attribution has run). */
export interface MoneyFacts {
  conversions: number; // attributed orders (credit-weighted sums are rounded by the caller)
  converters: number;
  revenueMinor: number;
  revenueDirectMinor: number;
  revenueInfluencedMinor: number;
  items: number;
  fixedCostMinor: number;
  /** The part of the revenue and conversions from new customers' orders, and from returning ones (newCustomers.ts); orders without a matched contact are in neither. */
  revenueNewMinor: number;
  revenueReturningMinor: number;
  conversionsNew: number;
  conversionsReturning: number;
}

export const NO_MONEY: MoneyFacts = {
  conversions: 0, converters: 0, revenueMinor: 0, revenueDirectMinor: 0, revenueInfluencedMinor: 0, items: 0, fixedCostMinor: 0,
  revenueNewMinor: 0, revenueReturningMinor: 0, conversionsNew: 0, conversionsReturning: 0,
};

export interface CampaignFigures {
  audience: number;
  sent: number;
  sendRate: number | null;
  notSent: number;
  delivered: number;
  deliveryRate: number | null;
  undelivered: number;
  undeliveredRate: number | null;
  bouncesSoft: number;
  bouncesHard: number;
  bounces: number;
  bounceRate: number | null;
  opened: number;
  openRate: number | null;
  totalOpens: number;
  opensPerOpener: number | null;
  machineOpens: number;
  clicked: number;
  clickRate: number | null;
  totalClicks: number;
  clicksPerClicker: number | null;
  clickToOpenRate: number | null;
  botClicks: number;
  replied: number;
  engagementRate: number | null;
  leads: number;
  cpl: number | null;
  unsubscribed: number;
  unsubscribeRate: number | null;
  noLongerReachable: number;
  abuseReports: number;
  abuseRate: number | null;
  qrScans: number;
  qrScanners: number;
  scanRate: number | null;
  conversions: number;
  converters: number;
  conversionRate: number | null;
  orderRate: number | null;
  revenue: number;
  revenueDirect: number;
  revenueInfluenced: number;
  revenueNew: number;
  revenueReturning: number;
  conversionsNew: number;
  conversionsReturning: number;
  averageOrderValue: number | null;
  revenuePerConversion: number | null;
  itemsPerOrder: number | null;
  revenuePerRecipient: number | null;
  spend: number;
  costPerRecipient: number | null;
  roas: number | null;
  roi: number | null;
  cpa: number | null;
}

/** Channels whose opens cannot be observed: their open-based rates are null ("—"), not 0 %. */
const NO_OPEN_SIGNAL: readonly Channel[] = ['sms', 'mail'];

/** Whether a channel gives an open signal (an e-mail's pixel, a WhatsApp read); SMS and letters do not. */
export function hasOpenSignal(channel: Channel): boolean {
  return !NO_OPEN_SIGNAL.includes(channel);
}

/** The counts of one channel's messages, as a period or a journey adds them up. */
export interface ChannelCounts {
  channel: Channel;
  counts: MessageCounts;
}

/** The figures of one campaign (one channel). */
export function campaignFigures(c: MessageCounts, money: MoneyFacts, channel: Channel): CampaignFigures {
  return figuresOf(c, money, hasOpenSignal(channel) ? c : null);
}

/**
 * The figures of messages of several channels together (a period, a journey, one of its steps): every count is
 * the sum over channels, but the open-based rates (open rate, opens per opener, click-to-open rate) read only
 * the channels that have an open signal, so SMS and letters never weigh in their denominators (KPIS.md).
 */
export function mixedFigures(parts: readonly ChannelCounts[], money: MoneyFacts): CampaignFigures {
  const total = zeroCounts();
  const withOpens = zeroCounts();
  let opensMeasured = false;
  for (const p of parts) {
    addCounts(total, p.counts);
    if (hasOpenSignal(p.channel)) {
      addCounts(withOpens, p.counts);
      opensMeasured = true;
    }
  }
  return figuresOf(total, money, opensMeasured ? withOpens : null);
}

/** `opens`: the counts the open-based rates read (those of channels with an open signal), null when none has one. */
function figuresOf(c: MessageCounts, money: MoneyFacts, opens: MessageCounts | null): CampaignFigures {
  const spend = c.spend_minor + money.fixedCostMinor;
  const bounces = c.bounced_soft + c.bounced_hard;
  const revenue = money.revenueMinor;
  return {
    audience: c.audience,
    sent: c.sent,
    sendRate: rate(c.sent, c.audience),
    notSent: c.audience - c.sent,
    delivered: c.delivered,
    deliveryRate: rate(c.delivered, c.sent),
    undelivered: c.undelivered,
    undeliveredRate: rate(c.undelivered, c.sent),
    bouncesSoft: c.bounced_soft,
    bouncesHard: c.bounced_hard,
    bounces,
    bounceRate: rate(bounces, c.sent),
    opened: c.opened,
    openRate: opens && rate(opens.opened, opens.delivered),
    totalOpens: c.total_opens,
    opensPerOpener: opens && rate(opens.total_opens, opens.opened),
    machineOpens: c.machine_opens,
    clicked: c.clicked,
    clickRate: rate(c.clicked, c.delivered),
    totalClicks: c.total_clicks,
    clicksPerClicker: rate(c.total_clicks, c.clicked),
    clickToOpenRate: opens && rate(opens.clicked, opens.opened),
    botClicks: c.bot_clicks,
    replied: c.replied,
    engagementRate: rate(c.replied, c.delivered),
    leads: c.leads,
    cpl: rate(spend, c.leads),
    unsubscribed: c.unsubscribed,
    unsubscribeRate: rate(c.unsubscribed, c.delivered),
    noLongerReachable: c.unsubscribed + c.bounced_hard,
    abuseReports: c.complained,
    abuseRate: rate(c.complained, c.delivered),
    qrScans: c.total_scans,
    qrScanners: c.scanners,
    scanRate: rate(c.scanners, c.sent),
    conversions: money.conversions,
    converters: money.converters,
    conversionRate: rate(money.converters, c.delivered),
    orderRate: rate(money.conversions, c.delivered),
    revenue,
    revenueDirect: money.revenueDirectMinor,
    revenueInfluenced: money.revenueInfluencedMinor,
    revenueNew: money.revenueNewMinor,
    revenueReturning: money.revenueReturningMinor,
    conversionsNew: money.conversionsNew,
    conversionsReturning: money.conversionsReturning,
    averageOrderValue: rate(revenue, money.conversions),
    revenuePerConversion: rate(revenue, money.conversions),
    itemsPerOrder: rate(money.items, money.conversions),
    revenuePerRecipient: rate(revenue, c.delivered),
    spend,
    costPerRecipient: rate(spend, c.delivered),
    roas: rate(revenue, spend),
    roi: spend === 0 ? null : (revenue - spend) / spend,
    cpa: rate(spend, money.conversions),
  };
}

// ---------------------------------------------------------------- overview

export type Good = 'up' | 'down';
export interface Card {
  value: number | null;
  previous: number | null;
  /** (value − previous) / previous; null when previous is 0 or either is null ("new" on screen). */
  trend: number | null;
  good: Good;
}

export function card(value: number | null, previous: number | null, good: Good): Card {
  const trend = value === null || previous === null || previous === 0 ? null : (value - previous) / previous;
  return { value, previous, trend, good };
}

export interface PeriodFacts {
  /** The period's counts, per channel (see mixedFigures). */
  counts: ChannelCounts[];
  money: MoneyFacts;
  ordersImported: number;
  /** Revenue of every order placed in the period, credited or not (the MER's numerator), in the account's currency. */
  shopRevenueMinor: number;
}

/**
 * Which date a view counts credited revenue on: the send date of the credited message (KPIS.md's rule, the default)
 * or the order date (as the shop's own reports count it).
 */
export type RevenueDate = 'send' | 'order';
export const REVENUE_DATES: readonly RevenueDate[] = ['send', 'order'];

/** MER (marketing efficiency ratio): all revenue of the period's orders, attributed or not / all spend of the period. */
export function mer(shopRevenueMinor: number, spendMinor: number): number | null {
  return rate(shopRevenueMinor, spendMinor);
}

export interface OverviewCards {
  ordersImported: Card;
  messagesSent: Card;
  spend: Card;
  conversions: Card;
  revenue: Card;
  cpa: Card;
  conversionRate: Card;
  qrScansClicks: Card;
  mer: Card;
}

export function overviewCards(current: PeriodFacts, previous: PeriodFacts): OverviewCards {
  const cur = mixedFigures(current.counts, current.money);
  const prev = mixedFigures(previous.counts, previous.money);
  // QR scans / clicks: human clicks on tracked links plus QR scans (total events), the engagement figure the
  // letters seed puts on its home page.
  const engaged = (f: CampaignFigures) => f.totalClicks + f.qrScans;
  return {
    ordersImported: card(current.ordersImported, previous.ordersImported, 'up'),
    messagesSent: card(cur.sent, prev.sent, 'up'),
    spend: card(cur.spend, prev.spend, 'down'),
    conversions: card(cur.conversions, prev.conversions, 'up'),
    revenue: card(cur.revenue, prev.revenue, 'up'),
    cpa: card(cur.cpa, prev.cpa, 'down'),
    conversionRate: card(cur.conversionRate, prev.conversionRate, 'up'),
    qrScansClicks: card(engaged(cur), engaged(prev), 'up'),
    mer: card(mer(current.shopRevenueMinor, cur.spend), mer(previous.shopRevenueMinor, prev.spend), 'up'),
  };
}

// ---------------------------------------------------------------- funnel

export type FunnelStepName = 'audience' | 'sent' | 'engaged' | 'converters';
export interface FunnelStep {
  step: FunnelStepName;
  count: number;
  shareOfAudience: number | null;
  /** 1 − this / previous step; null for the first step or when the previous step is 0. */
  dropOff: number | null;
}

/** audience → sent → engaged (clickers; QR scanners for mail) → converters. */
export function funnel(f: CampaignFigures, channel: Channel): FunnelStep[] {
  const engaged = channel === 'mail' ? f.qrScanners : f.clicked;
  const counts: [FunnelStepName, number][] = [
    ['audience', f.audience],
    ['sent', f.sent],
    ['engaged', engaged],
    ['converters', f.converters],
  ];
  return counts.map(([step, count], i) => {
    const prev = i === 0 ? null : counts[i - 1][1];
    const ratio = prev === null ? null : rate(count, prev);
    return { step, count, shareOfAudience: rate(count, f.audience), dropOff: ratio === null ? null : 1 - ratio };
  });
}

// ---------------------------------------------------------------- reference ranges (seeds 001, 002)

export interface ReferenceRange {
  figure: keyof CampaignFigures;
  channel: Channel;
  low: number;
  high: number;
  best: number | null;
  /** For figures where lower is better (unsubscribe rate) "best" is a ceiling. */
  lowerIsBetter?: boolean;
}

export const REFERENCE_RANGES: ReferenceRange[] = [
  { figure: 'openRate', channel: 'whatsapp', low: 0.85, high: 0.9, best: 0.95 },
  { figure: 'clickRate', channel: 'whatsapp', low: 0.15, high: 0.25, best: 0.3 },
  { figure: 'unsubscribeRate', channel: 'whatsapp', low: 0.003, high: 0.006, best: 0.002, lowerIsBetter: true },
  { figure: 'conversionRate', channel: 'whatsapp', low: 0.3, high: 0.45, best: 0.5 },
  { figure: 'roas', channel: 'whatsapp', low: 5, high: 7, best: 10 },
  { figure: 'conversionRate', channel: 'mail', low: 0.02, high: 0.1, best: null },
];

export interface ReferenceCheck {
  figure: string;
  value: number | null;
  low: number;
  high: number;
  best: number | null;
  position: 'below' | 'within' | 'above' | null;
  atBest: boolean;
}

export function referenceChecks(f: CampaignFigures, channel: Channel): ReferenceCheck[] {
  return REFERENCE_RANGES.filter((r) => r.channel === channel).map((r) => {
    const value = f[r.figure] as number | null;
    const position = value === null ? null : value < r.low ? 'below' : value > r.high ? 'above' : 'within';
    const atBest =
      value !== null && r.best !== null && (r.lowerIsBetter ? value <= r.best : value >= r.best);
    return { figure: r.figure, value, low: r.low, high: r.high, best: r.best, position, atBest };
  });
}

// ---------------------------------------------------------------- periods

/** Adds days to a YYYY-MM-DD date (calendar arithmetic, no time zone involved). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The period of the same length just before [from, to] (inclusive days). */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const length = daysBetween(from, to) + 1;
  return { from: addDays(from, -length), to: addDays(from, -1) };
}
