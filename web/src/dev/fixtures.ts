// A small hand-made account in the shapes of docs/API.md, for developing the dashboard without the server and
// for component tests. Figures are consistent with KPIS.md (rates = numerator / denominator as written).
import type {
  AccountInfo,
  AttributionSettings,
  AlertItem,
  ApiKey,
  Budget,
  CampaignListItem,
  CampaignReport,
  DayFigures,
  Figures,
  JourneyListItem,
  JourneyReport,
  Overview,
  ProviderItem,
  Recipient,
  Session,
  UnpaidInvoices,
  UserItem,
} from '../types';

export const session: Session = {
  user: { id: 'usr_demo', email: 'owner@demo.test', role: 'owner' },
  account: { id: 'acc_demo', name: 'Demo shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' },
  accounts: [{ id: 'acc_demo', name: 'Demo shop', role: 'owner' }],
  csrfToken: 'csrf-demo',
};

/** Every figure at 0 (counts, money) or null (rates): the fixtures below set the ones they show. */
function figures(shown: Partial<Figures>): Figures {
  return { audience: 0, sent: 0, sendRate: null, notSent: 0, delivered: 0, deliveryRate: null, undelivered: 0, undeliveredRate: null, bouncesSoft: 0, bouncesHard: 0, bounces: 0, bounceRate: null, opened: 0, openRate: null, totalOpens: 0, opensPerOpener: null, machineOpens: 0, clicked: 0, clickRate: null, totalClicks: 0, clicksPerClicker: null, clickToOpenRate: null, botClicks: 0, replied: 0, engagementRate: null, leads: 0, cpl: null, unsubscribed: 0, unsubscribeRate: null, noLongerReachable: 0, abuseReports: 0, abuseRate: null, qrScans: 0, qrScanners: 0, scanRate: null, conversions: 0, converters: 0, conversionRate: null, orderRate: null, revenue: 0, revenueDirect: 0, revenueInfluenced: 0, revenueNew: 0, revenueReturning: 0, conversionsNew: 0, conversionsReturning: 0, averageOrderValue: null, revenuePerConversion: null, itemsPerOrder: null, revenuePerRecipient: null, spend: 0, costPerRecipient: null, roas: null, roi: null, cpa: null, ...shown };
}

export const overview: Overview = {
  period: { from: '2026-10-27', to: '2026-11-25' },
  previousPeriod: { from: '2026-09-27', to: '2026-10-26' },
  currency: 'EUR',
  cards: {
    // (1284 − 1142) / 1142 = 0.1243
    ordersImported: { value: 1284, previous: 1142, trend: 0.1243, good: 'up' },
    messagesSent: { value: 48210, previous: 46760, trend: 0.031, good: 'up' },
    spend: { value: 293140, previous: 271400, trend: 0.08, good: 'down' },
    conversions: { value: 612, previous: 626, trend: -0.0224, good: 'up' },
    revenue: { value: 3874020, previous: 3411000, trend: 0.1357, good: 'up' },
    // 293140 / 612 = 479 cents
    cpa: { value: 479, previous: 434, trend: 0.1037, good: 'down' },
    conversionRate: { value: 0.0213, previous: 0.0198, trend: 0.0757, good: 'up' },
    qrScansClicks: { value: 3120, previous: 0, trend: null, good: 'up' },
    // MER: 4 520 000 of orders / 293 140 of spend = 15.42; before, 3 980 000 / 271 400 = 14.66; (15.42 − 14.66) / 14.66 = 0.0518
    mer: { value: 15.42, previous: 14.66, trend: 0.0518, good: 'up' },
  },
  timeZone: 'Europe/Paris',
  revenueDate: 'send',
  figures: figures({ sent: 48210, spend: 293140, conversions: 612, revenue: 3874020, cpa: 479 }),
  unconvertedOrders: [],
};

export function series(from: string, to: string): { revenueDate: 'send'; days: DayFigures[] } {
  const days: DayFigures[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  let i = 0;
  while (d <= end && i < 400) {
    const sent = 900 + ((i * 377) % 1100);
    days.push({
      date: d.toISOString().slice(0, 10),
      sent,
      delivered: Math.round(sent * 0.96),
      opened: Math.round(sent * 0.6),
      clicked: Math.round(sent * 0.09),
      scans: 0,
      conversions: Math.round(sent * 0.012),
      revenue: Math.round(sent * 0.012) * 6300,
      spend: sent * 6,
    });
    d.setUTCDate(d.getUTCDate() + 1);
    i++;
  }
  return { revenueDate: 'send', days };
}

export const budget: Budget = {
  currency: 'EUR',
  total: 500000,
  used: 353000,
  reserved: 23000,
  remaining: 124000, // 500000 − 353000 − 23000
  dailyAverage: 3800,
  forecastDays: 32.6, // 124000 / 3800
  light: 'amber',
  remainingShare: 0.248, // 124000 / 500000
  spendLast7Days: 26600, // 3800 × 7
  period: { from: '2026-11-19', to: '2026-11-25' },
  campaigns: 3,
  monthlyBudget: null,
  asOf: '2026-11-25T12:00:00.000Z',
};

export const invoices: UnpaidInvoices = {
  count: 2,
  total: 41200,
  currency: 'EUR',
  earliestDue: '2026-12-03T00:00:00.000Z',
  payUrl: 'https://billing.example/pay',
  overdue: false,
  suspendsAt: '2026-12-17T00:00:00.000Z',
};

export const campaigns: CampaignListItem[] = [
  {
    id: 'cmp_blackfriday',
    name: 'Black Friday WhatsApp',
    channel: 'whatsapp',
    status: 'completed',
    statusReason: null,
    kind: 'manual',
    sendAt: '2026-11-24T09:00:00.000Z',
    activatedAt: null,
    tags: ['promo'],
    audience: 10000,
    sent: 9400,
    openRate: 0.8721,
    clickRate: 0.2,
    revenue: 2184000,
    roas: 7.74,
    spend: 282000,
    conversions: 700,
    revenueNew: 0,
    revenueReturning: 0,
    conversionsNew: 0,
    conversionsReturning: 0,
  },
  {
    id: 'cmp_letter',
    name: 'Winter catalogue letter',
    channel: 'mail',
    status: 'stopped',
    statusReason: 'budget_exhausted',
    kind: 'automatic',
    sendAt: null,
    activatedAt: '2026-11-02T08:00:00.000Z',
    tags: [],
    audience: 1200,
    sent: 800,
    openRate: null,
    clickRate: null,
    revenue: 512000,
    roas: 0.53,
    spend: 960000,
    conversions: 64,
    revenueNew: 0,
    revenueReturning: 0,
    conversionsNew: 0,
    conversionsReturning: 0,
  },
  {
    id: 'cmp_newsletter',
    name: 'November newsletter',
    channel: 'email',
    status: 'sending',
    statusReason: null,
    kind: 'manual',
    sendAt: '2026-11-20T07:30:00.000Z',
    activatedAt: null,
    tags: [],
    audience: 30000,
    sent: 29500,
    openRate: 0.3412,
    clickRate: 0.041,
    revenue: 930000,
    roas: 31,
    spend: 30000,
    conversions: 310,
    revenueNew: 0,
    revenueReturning: 0,
    conversionsNew: 0,
    conversionsReturning: 0,
  },
];

export const campaignReport: CampaignReport = {
  campaign: {
    id: 'cmp_blackfriday',
    name: 'Black Friday WhatsApp',
    slug: 'black-friday-whatsapp',
    channel: 'whatsapp',
    kind: 'manual',
    status: 'completed',
    statusReason: null,
    sendAt: '2026-11-24T09:00:00.000Z',
    activatedAt: null,
    tags: ['promo'],
    budget: null,
    fixedCost: 0,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-24T09:00:00.000Z',
    template: {
      name: 'black_friday_2026',
      version: '3',
      language: 'fr',
      format: 'text',
      content: 'Bonjour Marie 👋\n−30 % sur toute la boutique jusqu’à lundi.\nhttps://shop.example/bf',
    },
  },
  figures: {
    audience: 10000,
    sent: 9400,
    sendRate: 0.94, // 9400 / 10000
    notSent: 600, // 10000 − 9400
    delivered: 9200,
    deliveryRate: 0.9787, // 9200 / 9400
    undelivered: 200,
    undeliveredRate: 0.0213,
    bouncesSoft: 0,
    bouncesHard: 0,
    bounces: 0,
    bounceRate: 0,
    opened: 8023,
    openRate: 0.8721, // 8023 / 9200
    totalOpens: 9100,
    opensPerOpener: 1.1342,
    clicked: 1840,
    clickRate: 0.2, // 1840 / 9200
    totalClicks: 2300,
    clicksPerClicker: 1.25,
    clickToOpenRate: 0.2293,
    replied: 120,
    engagementRate: 0.013,
    leads: 130,
    cpl: 2169,
    unsubscribed: 46,
    unsubscribeRate: 0.005, // 46 / 9200
    noLongerReachable: 46,
    abuseReports: 0,
    abuseRate: 0,
    qrScans: 0,
    qrScanners: 0,
    scanRate: 0,
    conversions: 700,
    converters: 690,
    conversionRate: 0.075, // 690 / 9200
    orderRate: 0.0761,
    revenue: 2184000,
    averageOrderValue: 3120, // 2184000 / 700
    revenuePerConversion: 3120,
    itemsPerOrder: 1.8,
    revenuePerRecipient: 237,
    spend: 282000,
    costPerRecipient: 31,
    roas: 7.74, // 2184000 / 282000
    roi: 6.74,
    cpa: 403,
    revenueDirect: 1800000,
    revenueInfluenced: 384000,
    // 2 184 000 = 1 310 000 new (420 orders) + 850 000 returning (270) + 24 000 of 10 orders no contact matched
    revenueNew: 1310000,
    revenueReturning: 850000,
    conversionsNew: 420,
    conversionsReturning: 270,
    machineOpens: 0,
    botClicks: 14,
  },
  notSent: [
    { reason: 'invalid_recipient', count: 420 },
    { reason: 'opted_out', count: 150 },
    { reason: 'duplicate', count: 30 },
  ],
  flagged: [{ kind: 'click', reason: 'isbot:Slackbot', count: 14 }],
  links: [
    { url: 'https://shop.example/bf', totalClicks: 2100, uniqueClicks: 1700 },
    { url: 'https://shop.example/stop', totalClicks: 200, uniqueClicks: 180 },
  ],
  funnel: [
    { step: 'audience', count: 10000, shareOfAudience: 1, dropOff: null },
    { step: 'sent', count: 9400, shareOfAudience: 0.94, dropOff: 0.06 },
    { step: 'engaged', count: 1840, shareOfAudience: 0.184, dropOff: 0.8043 }, // 1 − 1840 / 9400
    { step: 'converters', count: 690, shareOfAudience: 0.069, dropOff: 0.625 }, // 1 − 690 / 1840
  ],
  reference: [
    { figure: 'openRate', value: 0.8721, low: 0.85, high: 0.9, best: 0.95, position: 'within', atBest: false },
    { figure: 'clickRate', value: 0.2, low: 0.15, high: 0.25, best: 0.3, position: 'within', atBest: false },
    { figure: 'unsubscribeRate', value: 0.005, low: 0.003, high: 0.006, best: 0.002, position: 'within', atBest: false },
    { figure: 'conversionRate', value: 0.075, low: 0.3, high: 0.45, best: 0.5, position: 'below', atBest: false },
    { figure: 'roas', value: 7.74, low: 5, high: 7, best: 10, position: 'above', atBest: false },
  ],
  goals: [
    { id: 'g1', name: 'Revenue ≥ 25 000 €', kind: 'target', metric: 'revenue', comparator: '>=', target: 2500000, value: 2184000, progress: 0.8736, achieved: false, unit: 'money', createdAt: '2026-11-20T10:00:00.000Z', points: [] },
  ],
  variants: [
    { variant: 'A', name: 'A', split: 0.5, isControl: true, declared: true, template: {}, figures: figures({ sent: 4700, openRate: 0.86, clickRate: 0.19, conversionRate: 0.07, revenue: 1000000 }) },
    { variant: 'B', name: 'B', split: 0.5, isControl: false, declared: true, template: {}, figures: figures({ sent: 4700, openRate: 0.884, clickRate: 0.21, conversionRate: 0.08, revenue: 1184000 }) },
  ],
  budget: null,
  feedback: { replies: 42, optOuts: 3, complaints: 1 },
  conversionsByType: { booking: { count: 12, credited: 9.5, value: 114000 }, signup: { count: 40, credited: 31.25, value: 0 } },
  incrementality: { source: 'channel_factor', incrementalRevenueMinor: { estimate: 41200, low: 18000, high: 64400 }, incrementalRoas: { estimate: 2.1, low: 0.9, high: 3.3 }, factor: { estimate: 0.27, low: 0.12, high: 0.42 } },
  products: {
    currency: 'EUR',
    types: [
      { key: 'Accessories', label: 'Accessories', revenue: 520000, conversions: 180, revenueShare: 0.5591 },
      { key: 'Apparel', label: 'Apparel', revenue: 410000, conversions: 130, revenueShare: 0.4409 },
    ],
    products: [
      { key: 'p-bag', label: 'Tote bag', revenue: 310000, conversions: 104, revenueShare: 0.3333 },
      { key: 'p-tee', label: 'Tee', revenue: 250000, conversions: 90, revenueShare: 0.2688 },
    ],
  },
};

export const recipients: Recipient[] = Array.from({ length: 120 }, (_, i) => {
  const failed = i % 10 === 0;
  return {
    messageId: `msg_${i}`,
    recipient: `+3361234${String(i).padStart(4, '0')}`,
    contactId: `c_${i}`,
    status: failed ? 'not_sent' : i % 3 === 0 ? 'clicked' : i % 2 === 0 ? 'opened' : 'delivered',
    failureReason: failed ? (i % 20 === 0 ? 'opted_out' : 'invalid_recipient') : null,
    failureCode: failed && i % 20 !== 0 ? '131026' : null,
    bounceType: null,
    variant: null,
    providerMessageId: failed ? null : `wamid.demo${i}`,
    sentAt: failed ? null : '2026-11-24T09:00:05.000Z',
    deliveredAt: failed ? null : '2026-11-24T09:00:09.000Z',
    openedAt: failed || i % 2 ? null : '2026-11-24T09:12:00.000Z',
    clickedAt: failed || i % 3 ? null : '2026-11-24T09:13:00.000Z',
    repliedAt: null,
    unsubscribedAt: null,
    opens: failed || i % 2 ? 0 : 1,
    clicks: failed || i % 3 ? 0 : 1,
    machineOpens: 0,
    botClicks: 0,
    scans: 0,
    cost: failed ? 0 : 30,
  };
});

// Proposed endpoints (journeys and settings), in the shapes of ../types.ts.
export const journeys: JourneyListItem[] = [
  {
    id: 'jr_welcome',
    name: 'Welcome series',
    status: 'active',
    channels: ['email', 'sms'],
    startedAt: '2026-09-01T08:00:00.000Z',
    steps: 2,
    campaigns: 2,
    messages: 3,
    sent: 5400,
    openRate: 0.52,
    clickRate: 0.081,
  },
];

export const journeyReport: JourneyReport = {
  journey: journeys[0],
  period: { from: '2026-09-01', to: '2026-11-25' },
  currency: 'EUR',
  metrics: { sent: 5400, deliveryRate: 0.981, openRate: 0.52, clickRate: 0.081, revenue: 1240000, clickToOpenRate: 0.1558 },
  channels: [
    { channel: 'email', figures: { sent: 3600, openRate: 0.52, clickRate: 0.09, bounceRate: 0.012 } },
    { channel: 'sms', figures: { sent: 1800, deliveryRate: 0.97, clickRate: 0.063, undeliveredRate: 0.03 } },
  ],
  messages: [
    { campaignId: 'cmp_newsletter', stepId: 'stp_email', name: 'Welcome email', channel: 'email', sent: 1800, openRate: 0.61, clickRate: 0.11 },
    { campaignId: 'cmp_blackfriday', stepId: 'stp_sms', name: 'Two days later SMS', channel: 'sms', sent: 1800, openRate: null, clickRate: 0.063 },
  ],
  steps: [
    { id: 'stp_email', position: 1, name: 'Welcome email', channel: 'email', delayMinutes: 0, campaignIds: ['cmp_newsletter'], audience: 1850, sent: 1800, delivered: 1780, openRate: 0.61, clickRate: 0.11 },
    { id: 'stp_sms', position: 2, name: 'Two days later SMS', channel: 'sms', delayMinutes: 2880, campaignIds: ['cmp_blackfriday'], audience: 1820, sent: 1800, delivered: 1746, openRate: null, clickRate: 0.063 },
  ],
};

export const account: AccountInfo = {
  id: 'acc_demo',
  name: 'Demo shop',
  currency: 'EUR',
  timeZone: 'Europe/Paris',
  defaultCountry: 'FR',
  suspended: false,
  settings: { revenueBasis: 'net' },
};

export const attributionSettings: AttributionSettings = {
  model: 'last_touch',
  fallbackModel: 'last_touch',
  models: ['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay', 'data_driven'],
  revenueBasis: 'net',
  // The server's default windows (docs/ATTRIBUTION.md), in hours.
  windowsHours: { whatsapp: { click: 120, read: 12 }, sms: { click: 120, delivery: 12 }, email: { click: 120, open: 120 }, mail: { scan: 720, sent: 720 } },
  halfLifeHours: 168,
};

export const keys: ApiKey[] = [
  { id: 'key_1a2b3c4d5e6f', name: 'Shop backend', role: 'owner', prefix: 'mesure_acc_demo_key_1a2b3c4d5e6f', createdAt: '2026-10-01T10:00:00.000Z', lastUsedAt: '2026-11-25T07:12:00.000Z', revokedAt: null },
];
export const users: UserItem[] = [
  { id: 'u1', email: 'owner@demo.test', role: 'owner', createdAt: '2026-09-01T10:00:00.000Z' },
  { id: 'u2', email: 'viewer@demo.test', role: 'viewer', createdAt: '2026-10-01T10:00:00.000Z' },
];
const noDeliveries: ProviderItem['deliveries'] = {
  since: Date.parse('2026-11-25T06:00:00.000Z'), received: 0, stored: 0, duplicates: 0, refused: 0, unreadable: 0,
  eventsApplied: 0, eventsPending: 0, eventsDuplicate: 0, itemsSkipped: 0, lastReceivedAt: null, lastRefusal: null,
};
export const providers: ProviderItem[] = [
  { provider: 'whatsapp', configured: true, updatedAt: '2026-10-01T10:00:00.000Z', secretHint: '…7f3a', webhookUrl: 'https://mesure.example/webhooks/whatsapp/acc_demo', deliveries: noDeliveries },
  { provider: 'twilio', configured: false, updatedAt: null, secretHint: null, webhookUrl: 'https://mesure.example/webhooks/twilio/acc_demo', deliveries: noDeliveries },
];
export const alerts: AlertItem[] = [{ id: 'ale_1', url: 'https://hooks.example/mesure', createdAt: '2026-11-01T10:00:00.000Z', secretHint: '…k9Qe' }];
