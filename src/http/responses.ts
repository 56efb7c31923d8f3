// JSON schemas of the API's answers, published in /openapi.json (components.schemas) and nowhere else: they are
// documentation, never Fastify's response serializer (fast-json-stringify would drop unknown fields and turn a null
// rate into 0). The black-box suite validates every 2xx body against them, and the dashboard's types are generated
// from them (scripts/api-types.ts), so a figure renamed here or in the server breaks a test or the type-check.
import { ATTRIBUTION_MODELS, RULE_MODELS } from '../domain/attribution/models';
import { NOT_COUNTED_REASONS } from '../domain/attribution/credits';
import { TOUCH_KINDS } from '../domain/attribution/touches';
import { CHANNELS, CAMPAIGN_STATUSES } from '../domain/types';
import { MESSAGE_STATUSES } from '../domain/message';
import { REVENUE_DATES, type CampaignFigures } from '../domain/kpis';

type Schema = Record<string, unknown>;

/** An object whose properties are all present unless listed in `optional`, and which has no others. */
/** The date credited revenue and conversions are counted on (GET /v1/overview and /v1/series/daily ?revenueDate=). */
const revenueDate: Schema = {
  type: 'string', enum: [...REVENUE_DATES],
  description: 'send: on the send date of the credited message (the default, as KPIS.md says); order: on the order date, as the shop counts it.',
};
function obj(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties).filter((k) => !optional.includes(k)), properties };
}
/** A secret once set: its last four characters only (…a1b2; just … for a secret under 12 characters); null: none set. */
const secretHint: Schema = { type: ['string', 'null'], description: 'The secret\'s last four characters (…a1b2), never the secret; null: none set.' };
/** The schema, or null. */
function orNull(s: Schema): Schema {
  if (typeof s.type === 'string' && !s.properties && !s.items) return { ...s, type: [s.type, 'null'] };
  return { anyOf: [s, { type: 'null' }] };
}
const described = (s: Schema, description: string): Schema => ({ ...s, description });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const time: Schema = { type: 'string', format: 'date-time' };
const day: Schema = { type: 'string', format: 'date' };
const minor = (d = 'Minor units of the currency.'): Schema => ({ type: 'integer', description: d });
const fraction = (d: string): Schema => ({ type: ['number', 'null'], description: `${d} A fraction; null when the denominator is 0.` });
const arr = (items: Schema): Schema => ({ type: 'array', items });
const channel: Schema = { type: 'string', enum: [...CHANNELS] };
/** The purchase and churn figures of a cohort (src/domain/cohorts.ts). */
const cohortPurchases = (): Record<string, Schema> => ({
  buyers: described(int, 'Contacts with at least one order (not cancelled).'),
  repeatBuyers: described(int, 'Contacts with at least two orders.'),
  repeatPurchaseRate: described(orNull(num), 'repeat buyers / buyers; null without buyers.'),
  medianDaysBetweenOrders: described(orNull(num), "Median of the whole days between a contact's consecutive orders (gaps over 365 days count as 365); null without a repeat buyer."),
  churned: described(int, 'Contacts no longer reachable: opted out, complained, hard-bounced or invalid on the channel (all channels: on every channel they were sent a message on).'),
  churnRate: described(orNull(num), 'churned / contacts; null without contacts.'),
});
const role: Schema = { type: 'string', enum: ['owner', 'analyst', 'viewer'] };
const anyObject: Schema = { type: 'object', additionalProperties: true };
const period = obj({ from: day, to: day });

const declaredTarget: Schema = {
  anyOf: [obj({ channel }), obj({ campaignId: str }), { type: 'string', enum: ['other'] }],
  description: "Where a rule maps an answer: a channel, a campaign, or 'other'.",
};
const declaredRulesView: Record<string, Schema> = {
  attributes: described(arr(str), 'Note attribute names read as the declared source (Shopify), tried in this order, without case.'),
  rules: described(arr(obj({
    match: { type: 'string', enum: ['equals', 'contains'] }, pattern: str, target: declaredTarget,
    matches: described(int, 'Stored answers (orders) this rule takes: each answer counts for the first rule it matches.'),
  })), 'In order: the first rule an answer matches (without case or accents) maps it.'),
  answers: described(int, 'Orders with a declared source.'),
  unmapped: described(int, 'Of them, answers no rule matches.'),
};

// ------------------------------------------------------------------------------------------ the figures of KPIS.md

/**
 * Every per-campaign figure of KPIS.md, by its API name (src/domain/kpis.ts CampaignFigures): counts are integers,
 * money in minor units, rates fractions or null.
 */
const FIGURE_PROPERTIES = {
  audience: described(int, 'Messages registered for the campaign: every recipient it targeted, including those refused before sending.'),
  sent: described(int, 'Messages accepted by the provider, or letters printed and shipped.'),
  sendRate: fraction('sent / audience.'),
  notSent: described(int, 'audience − sent.'),
  delivered: described(int, 'Sent messages with a delivery signal (or implied by a human read, open, click or reply); letters: = sent.'),
  deliveryRate: fraction('delivered / sent.'),
  undelivered: described(int, 'Sent messages that finally failed.'),
  undeliveredRate: fraction('undelivered / sent.'),
  bouncesSoft: described(int, 'Soft bounces.'),
  bouncesHard: described(int, 'Hard bounces.'),
  bounces: described(int, 'Soft + hard bounces.'),
  bounceRate: fraction('bounces / sent.'),
  opened: described(int, 'Delivered messages with at least one human open (unique opens; a WhatsApp read is an open).'),
  openRate: fraction('opened / delivered; null for channels without an open signal (SMS, letters).'),
  totalOpens: described(int, 'All human open events.'),
  opensPerOpener: fraction('totalOpens / opened.'),
  machineOpens: described(int, 'Opens by machines (mail privacy proxies), kept apart from the human figures.'),
  clicked: described(int, 'Messages with at least one human click on a tracked link (unique clicks).'),
  clickRate: fraction('clicked / delivered (CTR).'),
  totalClicks: described(int, 'All human click events.'),
  clicksPerClicker: fraction('totalClicks / clicked.'),
  clickToOpenRate: fraction('clicked / opened.'),
  botClicks: described(int, 'Clicks by bots and link scanners, kept apart from the human figures.'),
  replied: described(int, 'Messages with a reply.'),
  engagementRate: fraction('replied / delivered.'),
  leads: described(int, 'Messages with a reply or a lead event.'),
  cpl: fraction('spend / leads, in minor units (cost per lead).'),
  unsubscribed: described(int, 'Sent messages whose recipient opted out from it.'),
  unsubscribeRate: fraction('unsubscribed / delivered.'),
  noLongerReachable: described(int, 'unsubscribed + hard bounces.'),
  abuseReports: described(int, 'Spam complaints.'),
  abuseRate: fraction('abuseReports / delivered.'),
  qrScans: described(int, "Total scans of the campaign's QR codes or personal URLs."),
  qrScanners: described(int, 'Distinct recipients who scanned.'),
  scanRate: fraction('qrScanners / sent.'),
  conversions: described(int, 'Orders attributed to the campaign.'),
  converters: described(int, 'Distinct recipients with at least one attributed order.'),
  conversionRate: fraction('converters / delivered.'),
  orderRate: fraction('conversions / delivered.'),
  revenue: minor('Attributed order revenue, net of refunds and cancellations, on the account basis; minor units.'),
  revenueDirect: minor('Revenue of orders with a direct touch (click, scan, code); minor units.'),
  revenueInfluenced: minor('revenue − revenueDirect; minor units.'),
  revenueNew: minor("Revenue of credited orders that are their contact's first order in the shop's history (new customers); minor units. Orders no contact matched are in neither part."),
  revenueReturning: minor("Revenue of credited orders of contacts who had ordered before (returning customers); minor units."),
  conversionsNew: described(int, 'Credited orders of new customers.'),
  conversionsReturning: described(int, 'Credited orders of returning customers.'),
  averageOrderValue: fraction('revenue / conversions, in minor units.'),
  revenuePerConversion: fraction('revenue / conversions, in minor units (RPC).'),
  itemsPerOrder: fraction('items / conversions.'),
  revenuePerRecipient: fraction('revenue / delivered, in minor units.'),
  spend: minor("Committed cost of the campaign's messages plus its fixed cost; minor units."),
  costPerRecipient: fraction('spend / delivered, in minor units.'),
  roas: fraction('revenue / spend.'),
  roi: fraction('(revenue − spend) / spend.'),
  cpa: fraction('spend / conversions, in minor units.'),
} satisfies Record<keyof CampaignFigures, Schema>; // a figure renamed or added in the domain is a type error here


const campaignStatus: Schema = { type: 'string', enum: [...CAMPAIGN_STATUSES] };
const template = obj({ name: orNull(str), version: orNull(str), language: orNull(str), format: { type: ['string', 'null'], enum: ['text', 'html', null] }, content: orNull(str) });

const estimate = obj({ estimate: num, low: num, high: num });
const interval = obj({ low: num, high: num });
const liftVerdict: Schema = { type: 'string', enum: ['not_enough_data', 'no_significant_difference', 'positive', 'negative'] };
const liftGroup = obj({
  n: described(int, 'Contacts in the group.'),
  converters: int,
  conversionRate: fraction('converters / n.'),
  conversionRateInterval: orNull(interval),
  revenuePerRecipient: fraction('Revenue in the window / n, in minor units.'),
  revenuePerRecipientInterval: orNull(interval),
});
const liftProperties: Record<string, Schema> = {
  currency: str,
  holdoutShare: described(num, 'Share of the audience held out.'),
  windowDays: num,
  status: { type: 'string', enum: ['ok', 'not_enough_data'] },
  reason: orNull(str),
  confidence: num,
  treated: liftGroup,
  holdout: liftGroup,
  conversion: obj({ rateDifference: orNull(estimate), incrementalConversions: orNull(estimate), lift: orNull(estimate), pValue: orNull(num), verdict: liftVerdict }),
  revenue: obj({ perRecipientDifference: orNull(estimate), incrementalRevenueMinor: orNull(estimate), lift: orNull(estimate), pValue: orNull(num), verdict: liftVerdict }),
  attributedRevenueMinor: minor(),
  causedShareOfAttributed: described(orNull(estimate), 'Incremental revenue / attributed revenue.'),
};

const RECIPIENT = obj({
  messageId: str, recipient: str, contactId: orNull(str), status: { type: 'string', enum: [...MESSAGE_STATUSES] },
  failureReason: orNull(str), failureCode: orNull(str), bounceType: orNull(str), variant: orNull(str), providerMessageId: orNull(str),
  sentAt: orNull(time), deliveredAt: orNull(time), openedAt: orNull(time), clickedAt: orNull(time), repliedAt: orNull(time), unsubscribedAt: orNull(time),
  opens: int, clicks: int, machineOpens: int, botClicks: int, scans: int, cost: minor(),
});

const journeyStep = obj({ id: str, position: int, name: str, channel, delayMinutes: int, campaignIds: arr(str) });
const attributionModel: Schema = { type: 'string', enum: [...ATTRIBUTION_MODELS] };
const ruleModel: Schema = { type: 'string', enum: [...RULE_MODELS] };
const fittedWeight = (key: Record<string, Schema>): Schema => obj({
  ...key,
  value: described(num, 'Shapley value (channels, in conversion-rate units) or removal effect (campaigns, 0 to 1).'),
  share: described(num, 'value / the sum of the values of its kind.'),
  low: described(num, '2.5th percentile of the share over the bootstrap resamples.'),
  high: described(num, '97.5th percentile of the share over the bootstrap resamples.'),
});
const dataDrivenFit = {
  status: { type: 'string', enum: ['fitted', 'insufficient_data', 'never'] },
  fittedAt: orNull(time),
  trigger: { anyOf: [{ type: 'string', enum: ['manual', 'scheduled'] }, { type: 'null' }] },
  period: orNull(obj({ from: day, to: day })),
  conversions: described(int, 'Converting paths the fit learnt from (orders with a counted touch in the period).'),
  paths: described(int, 'Paths the fit learnt from, converting and not.'),
  minConversions: described(int, 'Below this many conversions the model is not fitted.'),
  reason: described(orNull(str), 'Why the fit was refused; null when fitted or never run.'),
  pConversion: described(orNull(num), "The Markov chain's probability of conversion from the start."),
  resamples: orNull(int),
  channels: arr(fittedWeight({ channel })),
  campaigns: arr(fittedWeight({ campaignId: str })),
};
const modelFigures = obj({ conversions: int, weightedConversions: num, revenue: minor(), revenueDirect: minor(), revenueInfluenced: minor() });

/** The named schemas of /openapi.json (components.schemas); the dashboard's types are generated from them. */
export const RESPONSE_SCHEMAS = {
  /** Every figure is always present. */
  Figures: obj(FIGURE_PROPERTIES),
  /** The figures a journey report was asked for (`metrics`), by the same names. */
  FigureSelection: { type: 'object', additionalProperties: false, properties: FIGURE_PROPERTIES },
  Template: template,
  Campaign: obj({
    id: str, name: str, slug: str, channel, kind: { type: 'string', enum: ['manual', 'automatic'] }, status: campaignStatus,
    statusReason: orNull(str), sendAt: orNull(time), activatedAt: orNull(time), template: ref('Template'), tags: arr(str),
    budget: described(orNull(int), 'Minor units; null: no budget.'),
    budgetOutOfRange: described({ type: 'boolean', const: true }, 'Set when the stored budget is beyond the accepted bound: shown as null.'),
    fixedCost: minor('Counted once in spend; minor units.'),
    fixedCostOutOfRange: described({ type: 'boolean', const: true }, 'Set when the stored fixed cost is beyond the accepted bound: counted as 0.'),
    createdAt: time, updatedAt: time,
  }, ['budgetOutOfRange', 'fixedCostOutOfRange']),
  CampaignListItem: obj({
    id: str, name: str, channel, status: campaignStatus, statusReason: orNull(str), kind: { type: 'string', enum: ['manual', 'automatic'] },
    sendAt: described(orNull(time), 'Send date, or activation date of an automatic campaign.'), activatedAt: orNull(time), tags: arr(str),
    audience: FIGURE_PROPERTIES.audience, sent: FIGURE_PROPERTIES.sent, openRate: FIGURE_PROPERTIES.openRate, clickRate: FIGURE_PROPERTIES.clickRate,
    revenue: FIGURE_PROPERTIES.revenue, roas: FIGURE_PROPERTIES.roas, spend: FIGURE_PROPERTIES.spend, conversions: FIGURE_PROPERTIES.conversions,
    revenueNew: FIGURE_PROPERTIES.revenueNew, revenueReturning: FIGURE_PROPERTIES.revenueReturning,
    conversionsNew: FIGURE_PROPERTIES.conversionsNew, conversionsReturning: FIGURE_PROPERTIES.conversionsReturning,
  }),
  CampaignList: obj({ items: arr(ref('CampaignListItem')), nextCursor: orNull(str), total: int }),
  FunnelStep: obj({
    step: { type: 'string', enum: ['audience', 'sent', 'engaged', 'converters'] }, count: int,
    shareOfAudience: fraction('count / audience.'), dropOff: fraction('1 − count / previous step; null for the first step.'),
  }),
  ReferenceCheck: obj({
    figure: str, value: orNull(num), low: num, high: num, best: orNull(num),
    position: { type: ['string', 'null'], enum: ['below', 'within', 'above', null] }, atBest: bool,
  }),
  Goal: obj({
    id: str, name: str, kind: { type: 'string', enum: ['target', 'segment'] },
    target: described(orNull(num), "In the figure's unit (a fraction for rates, minor units for money); members for a segment goal."),
    targetOutOfRange: { type: 'boolean', const: true },
    createdAt: time,
    metric: described(str, 'A figure of KPIS.md by its API name; membersLeft for a segment goal.'),
    comparator: { type: ['string', 'null'], enum: ['>=', '<=', null] },
    unit: { type: 'string', enum: ['count', 'money', 'rate', 'ratio'] },
    segment: anyObject,
    value: orNull(num), progress: described(orNull(num), 'Share of the way, in [0, 1]; 1 once achieved.'), achieved: bool,
    firstAchievedDate: orNull(day),
    membersAtStart: int, remaining: int, achievedAt: orNull(time),
    points: arr(obj({ date: day, value: orNull(num), achieved: bool, progress: orNull(num) })),
  }, ['targetOutOfRange', 'comparator', 'unit', 'segment', 'firstAchievedDate', 'membersAtStart', 'remaining', 'achievedAt']),
  Goals: obj({ goals: arr(ref('Goal')) }),
  Variant: obj({
    variant: str, name: str, template: { type: 'object', additionalProperties: false, properties: template.properties as Schema },
    split: orNull(num), isControl: bool, declared: described(bool, 'False for a variant found on messages but never declared.'), figures: ref('Figures'),
  }),
  VariantComparison: obj({
    metric: { type: 'string', enum: ['open_rate', 'click_rate', 'conversion_rate', 'revenue_per_recipient'] },
    control: obj({ id: str, n: int, value: orNull(num) }), variant: obj({ id: str, n: int, value: orNull(num) }),
    difference: orNull(num), relativeLift: orNull(num), confidence: num, low: orNull(num), high: orNull(num), pValue: orNull(num),
    probabilityToBeatControl: orNull(num), method: { type: 'string', enum: ['z_test_newcombe_interval', 'welch_t_test'] },
    verdict: { type: 'string', enum: ['not_enough_data', 'no_significant_difference', 'variant_wins', 'control_wins'] }, reason: orNull(str),
  }),
  VariantsReport: obj({
    control: str,
    variants: arr(ref('Variant')),
    tests: arr(obj({
      metric: { type: 'string', enum: ['openRate', 'clickRate', 'conversionRate', 'revenuePerRecipient'] },
      verdict: { type: 'string', enum: ['not_enough_data', 'no_significant_difference', 'winner'] },
      winner: orNull(str), correction: { type: 'string', enum: ['none', 'holm'] }, comparisons: arr(ref('VariantComparison')),
    })),
    unassigned: described(int, 'Messages of the campaign without a variant.'),
  }, ['control']),
  CampaignBudget: obj({
    currency: str, budget: described(orNull(int), 'Minor units; null: no budget.'), used: minor('Committed cost; minor units.'),
    reserved: minor('Cost reserved by the send gate, not yet committed or released; minor units.'),
    remaining: described(orNull(int), 'budget − used − reserved; null without a budget.'), usedShare: fraction('used / budget.'),
    status: campaignStatus, statusReason: orNull(str), openReservations: int,
  }),
  CampaignReport: obj({
    campaign: ref('Campaign'),
    figures: ref('Figures'),
    notSent: arr(obj({ reason: str, count: int })),
    flagged: arr(obj({ kind: { type: 'string', enum: ['open', 'click'] }, reason: str, count: int })),
    links: arr(obj({ url: str, totalClicks: int, uniqueClicks: int })),
    funnel: arr(ref('FunnelStep')),
    reference: arr(ref('ReferenceCheck')),
    goals: arr(ref('Goal')),
    variants: arr(ref('Variant')),
    budget: orNull(ref('CampaignBudget')),
    incrementality: described(orNull(obj({
      source: { type: 'string', enum: ['own_holdout', 'channel_factor', 'none'] },
      incrementalRevenueMinor: orNull(estimate),
      incrementalRoas: described(orNull(estimate), 'Incremental revenue ÷ spend.'),
      factor: described(orNull(estimate), 'Incremental ÷ attributed revenue: its own, or its channel’s.'),
    })), "Incremental revenue and ROAS: from the campaign's own holdout, else its channel's factor × its attributed revenue (GET /v1/incrementality)."),
    feedback: described(ref('FeedbackCounts'), "The campaign's replies, opt-out replies and complaints (GET /v1/feedback?campaign= lists them)."),
    conversionsByType: ref('ConversionsByType'),
    products: described(ref('CampaignProducts'), "The campaign's top product types and products by attributed revenue, all time (docs/ATTRIBUTION.md, \"What sold\")."),
  }),
  CampaignProductRow: obj({
    key: described(orNull(str), 'The product type, or the product (its id, else its SKU, else its title); null: not known (an order without lines, a line without type).'),
    label: described(orNull(str), 'The type, or the product title.'),
    revenue: minor("Attributed revenue shared to the group's lines; minor units."),
    conversions: described(num, "Credited orders containing the group, each at the campaign's weight of the order (fractional as credits are)."),
    revenueShare: fraction("Of the campaign's attributed revenue."),
  }),
  CampaignProducts: obj({ currency: str, types: arr(ref('CampaignProductRow')), products: arr(ref('CampaignProductRow')) }),
  ProductGroup: obj({
    key: described(orNull(str), 'The product type, or the product (its id, else its SKU, else its title); null: not known (an order without lines, a line without type).'),
    label: described(orNull(str), 'The type, or the product title.'),
    revenue: minor("Attributed revenue: each credited order's credit shared among its lines by their value after discounts and refunds; minor units."),
    conversions: described(num, 'Credited orders containing the group, each counted at its credit weight (fractional as credits are).'),
    spend: minor("Σ over the campaigns crediting the group: the campaign's spend of the period × the group's share of the campaign's attributed revenue of the period; minor units, rounded."),
    roas: fraction('revenue / spend.'),
    campaigns: described(int, 'Campaigns that credited the group.'),
  }),
  ProductReport: obj({
    groupBy: { type: 'string', enum: ['type', 'product'] },
    period: obj({ from: orNull(day), to: orNull(day) }),
    campaignId: orNull(str),
    currency: str,
    model: { type: 'string', enum: [...ATTRIBUTION_MODELS] },
    items: arr(ref('ProductGroup')),
    totals: obj({ revenue: minor(), spend: minor('Spend of the campaigns that credited any group.'), roas: fraction('revenue / spend.') }),
  }),
  Recipient: RECIPIENT,
  RecipientPage: obj({ items: arr(ref('Recipient')), nextCursor: orNull(str) }),
  KpiCard: obj({
    value: orNull(num), previous: described(orNull(num), 'The value over the previous period of the same length.'),
    trend: fraction('(value − previous) / previous.'), good: described({ type: 'string', enum: ['up', 'down'] }, 'Which direction is good (down for costs).'),
  }),
  Overview: obj({
    period, previousPeriod: period, currency: str, timeZone: str, revenueDate,
    cards: obj({
      ...Object.fromEntries(['ordersImported', 'messagesSent', 'spend', 'conversions', 'revenue', 'cpa', 'conversionRate', 'qrScansClicks'].map((k) => [k, ref('KpiCard')])),
      mer: described(ref('KpiCard'), "MER (marketing efficiency ratio): revenue of every order placed in the period, credited or not / all spend of the period (whatever revenueDate says)."),
    }),
    figures: ref('Figures'),
    unconvertedOrders: described(arr(obj({ currency: str, orders: int, revenueMinor: int })), "Orders in a currency no rate converts, reported apart (never added to the account's revenue)."),
  }),
  DayFigures: obj({
    date: day, sent: int, delivered: int, opened: int, clicked: int, scans: int, conversions: int,
    revenue: minor('Credited revenue counted on that day: of the messages sent that day (revenueDate send), or of the orders placed that day (order); minor units.'),
    spend: minor(),
  }),
  DailySeries: obj({ revenueDate, days: arr(ref('DayFigures')) }),
  Incrementality: obj({
    currency: str,
    confidence: num,
    channels: arr(obj({
      channel: { type: 'string', enum: [...CHANNELS] },
      factor: described(orNull(obj({ estimate: num, low: num, high: num, campaigns: int, standardError: num, variance: { type: 'string', enum: ['within', 'between'] } })),
        "Σ incremental ÷ Σ attributed revenue over the channel's pooled holdout campaigns, with its interval; null without one."),
      suggestion: described(orNull(obj({
        windowHours: num,
        revenueWithinMinor: described(num, "The treated recipients' order revenue within that window of their message, over the pooled campaigns."),
        incrementalMinor: num,
        candidates: arr(obj({ windowHours: num, revenueWithinMinor: num })),
        windowsHours: described({ type: 'object', additionalProperties: num }, 'The body of PUT /v1/attribution/settings windowsHours for this channel that applies the suggestion.'),
      })), 'The attribution window whose revenue is closest to the measured incremental revenue.'),
    })),
    campaigns: arr(obj({
      campaignId: str, name: str, channel: { type: 'string', enum: [...CHANNELS] }, holdoutShare: num,
      status: { type: 'string', enum: ['ok', 'not_enough_data'] }, reason: orNull(str), windowDays: num,
      attributedRevenueMinor: minor(), incrementalRevenueMinor: orNull(estimate),
      factor: described(orNull(estimate), 'Its own incremental ÷ attributed revenue.'),
      pooled: described({ type: 'boolean' }, "Part of its channel's factor (enough data, attributed revenue above zero)."),
    })),
  }),
  Lift: obj({ campaignId: str, holdoutOf: { type: ['string', 'null'], enum: ['campaign', 'journey', null] }, ...liftProperties }),
  Budget: obj({
    currency: str,
    total: minor('Sum of the budgets of active campaigns (or the monthly budget); minor units.'),
    used: minor('Committed (billed) cost of sent messages; minor units.'),
    reserved: minor('Cost of messages being processed by the send gate; minor units.'),
    remaining: minor('total − used − reserved; minor units.'),
    dailyAverage: minor('Spend of the last 7 days / 7; minor units.'),
    forecastDays: described(orNull(num), 'remaining / dailyAverage; null when the daily average is 0.'),
    light: { type: 'string', enum: ['green', 'amber', 'red'] },
    remainingShare: fraction('remaining / total.'),
    spendLast7Days: minor(), period, campaigns: int, monthlyBudget: orNull(int), asOf: time,
  }),
  JourneyListItem: obj({
    id: str, name: str, status: { type: 'string', enum: ['active', 'paused'] }, channels: arr(channel), startedAt: orNull(time),
    steps: int, campaigns: int, messages: described(int, 'Audience of its campaigns.'), sent: FIGURE_PROPERTIES.sent,
    openRate: FIGURE_PROPERTIES.openRate, clickRate: FIGURE_PROPERTIES.clickRate,
  }),
  JourneyList: obj({ items: arr(ref('JourneyListItem')), nextCursor: orNull(str), total: int }),
  JourneyReport: obj({
    journey: ref('JourneyListItem'), period, currency: str,
    metrics: ref('FigureSelection'),
    channels: arr(obj({ channel, figures: ref('FigureSelection') })),
    steps: arr({ ...journeyStep, required: [...(journeyStep.required as string[]), 'audience', 'sent', 'delivered', 'openRate', 'clickRate'], properties: { ...(journeyStep.properties as Schema), audience: int, sent: int, delivered: int, openRate: FIGURE_PROPERTIES.openRate, clickRate: FIGURE_PROPERTIES.clickRate } }),
    messages: arr(obj({ campaignId: str, stepId: str, name: str, channel, sent: int, openRate: FIGURE_PROPERTIES.openRate, clickRate: FIGURE_PROPERTIES.clickRate })),
  }),
  Order: obj({
    id: str, externalId: str, source: str, name: orNull(str), orderedAt: time, currency: str,
    gross: minor(), tax: minor(), shipping: minor(), net: minor(), discount: minor(), discountCodes: arr(str), landingSite: orNull(str),
    utm: obj({ source: orNull(str), medium: orNull(str), campaign: orNull(str), content: orNull(str) }), clickId: orNull(str),
    itemQuantity: int, cancelledAt: orNull(time), refunded: minor(),
    revenue: minor('Revenue on the account basis, in minor units of revenueCurrency.'), revenueCurrency: str,
    converted: described(bool, "False when no rate converts the order into the account's currency: its revenue is reported apart."),
    customer: obj({ externalId: orNull(str), email: orNull(str), phone: orNull(str) }),
    contactId: orNull(str), matchedBy: orNull(str),
    declaredSource: described(orNull(obj({ text: str, target: orNull(declaredTarget) })), "What the buyer said brought them, as they wrote it, and where the account's rules map it (null: no rule matches); null when nothing was declared or the buyer was erased."),
    attribution: obj({
      model: attributionModel, direct: orNull(bool),
      credits: arr(obj({ campaignId: str, messageId: orNull(str), channel: orNull(channel), kind: str, weight: num, revenue: minor(), cohortDay: orNull(day) })),
    }),
  }),
  OrderPage: obj({ items: arr(ref('Order')), nextCursor: orNull(str) }),
  Conversion: obj({
    id: str, type: described(str, 'The slug the account gave the kind of conversion (signup, booking, store_visit…).'), occurredAt: time,
    idempotencyKey: str, source: { type: 'string', enum: ['api', 'csv'] },
    customer: obj({ id: orNull(str), email: orNull(str), phone: orNull(str) }),
    contactId: orNull(str), matchedBy: described(orNull(str), 'The key that matched the person to a contact: customer_id, email, phone (or erased).'),
    value: described(orNull(int), 'The value given, in minor units of currency; null: none. Never added to order revenue.'), currency: orNull(str),
    credits: described(arr(obj({
      campaignId: str, messageId: orNull(str), channel, kind: str, weight: num, weightMicro: int,
      value: minor('The credited part of the value (in the account currency when a rate converts it).'), currency: str, direct: bool,
    })), "The credit rows under the account's model, the same engine and rounding as an order's; empty: no eligible touch."),
  }),
  ConversionPage: obj({ model: attributionModel, items: arr(ref('Conversion')), nextCursor: orNull(str) }),
  ConversionTypes: obj({ types: arr(obj({ type: str, count: int })) }),
  ConversionImport: obj({
    lines: int, conversions: int, created: int, unchanged: described(int, 'Rows whose idempotency key and content were already stored.'),
    rejected: int, rejections: arr(obj({ line: int, reason: str })),
  }),
  ConversionsByType: described({
    type: 'object',
    additionalProperties: obj({
      count: described(int, 'Conversions of the type with a credit row for the campaign.'),
      credited: described(num, "The sum of the campaign's shares of them under the account model (fractional credit)."),
      value: minor("The campaign's credited part of their values, account currency; shown apart, never added to revenue."),
    }),
  }, "Conversions other than orders credited to the campaign, per type (docs/ATTRIBUTION.md, 'Conversions other than orders')."),
  OrderAttribution: obj({
    order: obj({ id: str, externalId: str, name: orNull(str), orderedAt: time, revenue: minor('Revenue on the account basis, in minor units of revenueCurrency.'), revenueCurrency: str, cancelled: bool }),
    contact: described(orNull(obj({
      id: str,
      matchedBy: described(orNull(str), 'The key that matched the buyer to the contact: customer_id, email, phone, address (or erased).'),
      key: described(orNull(str), "That key's value as the order gave it (null for an address or an erased buyer)."),
    })), 'The contact the order was matched to; null when no key of the buyer matched or made one.'),
    model: described(attributionModel, "The account's model: the one whose credits are stored."),
    models: arr(attributionModel),
    halfLifeMs: described(int, 'Time decay: a touch loses half its weight per this many milliseconds before the newest one.'),
    direct: described(orNull(bool), 'True when the counted touches are direct (click, scan, UTM, code), false when influence only, null when none counted.'),
    looked: described(obj({ from: time, to: time }), 'The span searched for touches: twice the longest window before the order, a week after it.'),
    touches: described(arr(obj({
      campaignId: str, campaignName: orNull(str), messageId: orNull(str), channel, kind: { type: 'string', enum: [...TOUCH_KINDS] },
      direct: described(bool, 'A direct kind of touch (click, scan, UTM, code); otherwise influence (open, read, delivery, sent).'),
      at: time,
      ageMs: described(int, 'Order time − touch time (negative: after the order).'),
      via: described({ type: 'string', enum: ['contact', 'click_id', 'utm', 'code'] }, "How the touch reached the order: a message of the matched contact, or the order's landing click id, utm_campaign or discount code."),
      viaValue: described(orNull(str), 'The click id, utm_campaign or code (null for the contact\'s messages).'),
      counted: bool,
      reason: described({ type: ['string', 'null'], enum: [...NOT_COUNTED_REASONS, null] }, 'Why it did not count; null when it counted.'),
      windowMs: described(orNull(int), 'Its window (a counted touch, or one outside it).'),
      beyondMs: described(orNull(int), 'outside_window: by how much the touch is older than its window.'),
      afterMs: described(orNull(int), 'after_order: how long after the order it happened.'),
      flagReason: described(orNull(str), 'machine_open, bot_click: why ingestion flagged it.'),
      shares: described(orNull(obj(Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, num])))), "A counted touch's share of the order under each model (each model's shares sum to 1); null when not counted."),
    })), 'Every touch around the order, oldest first, with the verdict of the code that computes the credits.'),
    credits: described(obj(Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, arr(ref('ExplainedCredit'))]))), 'The credit rows each model gives this order.'),
    stored: described(arr(obj({
      model: attributionModel, campaignId: str, campaignName: orNull(str), messageId: orNull(str), channel, kind: str, weight: num, weightMicro: int,
      revenue: minor(), currency: str, direct: bool, cohortDay: day,
    })), "The credit rows stored for the order under the account's model (what every figure sums)."),
    storedMatches: described(bool, "The stored rows equal the account model's computed credits (false only while a recompute is under way)."),
  }),
  MessageOrders: obj({
    messageId: str, campaignId: str, contactId: orNull(str), model: attributionModel,
    items: described(arr(obj({
      id: str, externalId: str, name: orNull(str), orderedAt: time, revenue: minor(), revenueCurrency: str,
      credited: described(bool, "The message's campaign is credited with the order under the account's model."),
      creditRevenue: described(orNull(int), "That credit's revenue (minor units); null when not credited."),
    })), "The contact's orders from the message's send to twice the longest window after it, oldest first (at most 50)."),
  }),
  ExplainedCredit: obj({
    campaignId: str, campaignName: orNull(str), messageId: orNull(str), channel, kind: str,
    weight: num, weightMicro: described(int, 'The share in millionths; the rows sum to 1,000,000.'), revenue: minor(), direct: bool,
  }),
  ModelFigures: modelFigures,
  DeclaredRules: obj(declaredRulesView),
  DeclaredRulesUpdate: obj({
    ...declaredRulesView,
    remapped: described(orNull(obj({ answers: int, changed: int, pages: int })), 'Stored answers mapped again under the new rules (pages of 500, one transaction each) and how many changed target; null for a dry run.'),
  }),
  DeclaredReport: obj({
    period, groupedBy: { type: 'string', enum: ['order_time'] }, currency: str, model: attributionModel,
    orders: described(int, 'Orders placed in the period.'),
    answered: described(int, 'Of them, orders with a declared source.'),
    channels: arr(obj({
      channel,
      declaredOrders: described(int, 'Orders whose declared source maps to this channel (or to a campaign of it).'),
      declaredRevenue: minor('Their revenue on the account basis, in the account currency (unconverted orders count 0).'),
      attributedOrders: described(int, "Orders with a credit on this channel under the account's model."),
      attributedRevenue: minor("What this channel's campaigns were credited with for the period's orders under the account's model."),
      overlapOrders: described(int, 'Orders that declared this channel and are credited to it.'),
    })),
    other: described(obj({ orders: int, revenue: minor() }), "Answers mapped to 'other' (a word of mouth, a search…): declared, but not a channel Mesure sends on."),
    unmapped: described(obj({ orders: int, top: arr(obj({ text: str, orders: int })) }), 'Answers no rule maps, and the 20 most frequent (grouped without case or accents).'),
  }),
  CompareReport: obj({
    period, groupedBy: { type: 'string', enum: ['order_time'] }, currency: str, accountModel: attributionModel, models: arr(attributionModel), orders: int,
    dataDrivenBy: described({ type: 'string', enum: [...ATTRIBUTION_MODELS] }, "What the data_driven column follows: data_driven (the account's fit) or, without a fit, the account's rule model."),
    campaigns: arr(obj({
      campaignId: str, slug: orNull(str), channel: orNull(channel), currency: str,
      byModel: obj(Object.fromEntries(ATTRIBUTION_MODELS.map((m) => [m, ref('ModelFigures')]))),
    })),
  }),
  AccountInfo: obj({
    id: str, name: str, currency: str, timeZone: str, defaultCountry: orNull(str), suspended: bool,
    settings: described(anyObject, 'Stored settings (revenue basis, attribution, public URL…).'),
  }),
  Session: obj({
    user: obj({ id: str, email: str, role }),
    account: obj({ id: str, name: str, currency: str, timeZone: str, defaultCountry: orNull(str) }),
    accounts: described(arr(obj({ id: str, name: str, role })), 'Every account the person may open, most recently used first.'),
    csrfToken: str,
  }),
  Journey: obj({ id: str, name: str, status: { type: 'string', enum: ['active', 'paused'] }, startedAt: time, createdAt: time, updatedAt: time, steps: arr(journeyStep) }),
  JourneyLift: obj({
    journeyId: str, campaignIds: arr(str),
    campaignsWithOwnHoldout: described(arr(str), 'Campaigns of the journey with a holdout of their own, left out of the journey holdout.'),
    heldOutWithMessages: described(int, 'Contacts held out by the journey that still got a message (counted in the holdout, as assigned).'),
    ...liftProperties,
  }),
  BudgetSettings: obj({
    monthlyBudget: described(orNull(int), 'Minor units; null: none.'), graceDays: int, reservationTtlSeconds: int, stripeWebhookSecretSet: bool,
    stripeWebhookSecretHint: secretHint,
  }),
  UnpaidInvoices: obj({
    count: int, overdueCount: int, total: minor('Of the main currency; minor units.'), currency: str,
    totals: arr(obj({ currency: str, total: minor() })), earliestDue: orNull(time), payUrl: orNull(str), overdue: bool,
    suspendsAt: orNull(time), suspended: bool, graceDays: int,
  }, ['overdueCount', 'total', 'currency', 'totals', 'earliestDue', 'payUrl', 'overdue', 'suspendsAt', 'suspended', 'graceDays']),
  RetentionSettings: obj({
    visitorDetailsDays: described(int, 'Days a raw event or visit (click, open, scan) keeps its IP address and user agent.'),
    recipientRowsDays: described(orNull(int), 'Days per-recipient rows (messages, their events and visits, waiting events, holdout members) are kept; null: for ever.'),
  }),
  ReportRun: obj({
    id: str, kind: { type: 'string', enum: ['scheduled', 'manual'] }, to: described(str, 'The address it went (or was to go) to.'), period,
    language: { type: 'string', enum: ['fr', 'en'] },
    status: described({ type: 'string', enum: ['sending', 'sent', 'failed'] }, 'sent: the SMTP server accepted it; failed: see error (a scheduled report is tried again at the next tick, up to 5 times).'),
    attempts: int, error: orNull(str), createdAt: time, sentAt: orNull(time),
  }),
  ReportSettings: obj({
    userId: str, email: str,
    frequency: { type: 'string', enum: ['off', 'weekly', 'monthly'] }, language: { type: 'string', enum: ['fr', 'en'] },
    dayOfWeek: described(int, '1 = Monday … 7 = Sunday.'), dayOfMonth: described(int, '1 … 28.'), hour: described(int, "0 … 23, in the account's time zone."),
    timeZone: str, nextSendAt: described(orNull(time), 'The next scheduled sending; null when reports are off.'),
    lastRun: orNull(ref('ReportRun')),
    smtp: obj({
      configured: described(bool, 'MESURE_SMTP_URL is set: reports can be sent.'), from: str,
      dashboardUrl: described(str, "The address the reports' links start with (MESURE_PUBLIC_URL)."),
      help: described(orNull(str), 'What to configure, in words; null when nothing is missing.'),
    }),
  }),
  ReportSettingsList: obj({
    items: arr(obj({
      userId: str, email: str, frequency: { type: 'string', enum: ['off', 'weekly', 'monthly'] }, language: { type: 'string', enum: ['fr', 'en'] },
      dayOfWeek: int, dayOfMonth: int, hour: int, timeZone: str, nextSendAt: orNull(time), lastRun: orNull(ref('ReportRun')),
    })),
    nextCursor: orNull(str),
    smtp: obj({ configured: bool, from: str, dashboardUrl: str, help: orNull(str) }),
  }),
  TrackingSettings: obj({
    utm: bool, utmSource: str, clickIdParam: str,
    thresholds: obj({ clickAfterDeliveryMs: int, linkSweepMs: int, proxyOpenAfterDeliveryMs: int, flagGatewayReferer: bool }),
    publicUrl: described(orNull(str), "The address the account's links and QR codes are written with; null: the server's MESURE_PUBLIC_URL."),
  }),
  DataDrivenModel: obj({
    ...dataDrivenFit,
    selected: described(bool, 'Whether the account credits its orders by data_driven.'),
    fallbackModel: ruleModel,
    creditedBy: described({ anyOf: [attributionModel, { type: 'null' }] }, 'When selected: data_driven, or the rule model orders fall back to without a fit; null when not selected.'),
    running: described(orNull(obj({ stage: { type: 'string', enum: ['converting_paths', 'other_paths', 'fitting', 'crediting'] }, done: int, total: orNull(int) })), 'A fit in progress on this node.'),
  }),
  DataDrivenFitRun: obj({
    fit: obj(dataDrivenFit),
    recomputed: described(orNull(obj({ orders: int, credited: int, credits: int, seconds: num })), 'Every order credited again (when the account credits by data_driven); else null.'),
  }),
  AttributionSettings: obj({
    fallbackModel: described(ruleModel, 'The rule model data_driven credits by while it has no fit.'),
    model: attributionModel, models: arr(attributionModel), revenueBasis: { type: 'string', enum: ['net', 'gross'] }, halfLifeHours: num,
    windowsHours: described(
      obj(Object.fromEntries(CHANNELS.map((c) => [c, { type: 'object', additionalProperties: { type: ['number', 'null'] } }]))),
      'Attribution windows in hours, per channel and window kind (click, open, read, delivery, scan, sent); null: no window of that kind.',
    ),
  }),
  ProviderList: obj({
    items: arr(obj({
      provider: str, configured: bool, updatedAt: orNull(time), secretHint, webhookUrl: str,
      deliveries: described(obj({
        since: described(int, 'Epoch ms: counted since this process started.'), received: int, stored: int, duplicates: int, refused: int, unreadable: int,
        eventsApplied: int, eventsPending: int, eventsDuplicate: int, itemsSkipped: int, lastReceivedAt: orNull(int),
        lastRefusal: orNull(obj({ at: int, reason: str })),
      }), 'Webhook deliveries seen by this server process.'),
    })),
  }),
  ApiKeyList: obj({
    items: arr(obj({ id: str, name: str, role, prefix: str, createdAt: time, lastUsedAt: orNull(time), revokedAt: orNull(time) })),
    nextCursor: orNull(str),
  }),
  CreatedApiKey: obj({ id: str, name: str, role, key: described(str, 'The secret key, shown in this answer only.') }),
  Member: obj({ id: str, email: str, role, createdAt: time }),
  MemberList: obj({ items: arr(ref('Member')), nextCursor: orNull(str) }),
  Invitation: obj({ id: str, email: str, role, createdAt: time, expiresAt: time }),
  InvitationList: obj({ items: arr(ref('Invitation')), nextCursor: orNull(str) }),
  AlertEndpoint: obj({
    id: str, url: str, createdAt: time, secretHint: described(str, "The signing secret's last four characters (…a1b2)."),
    secret: described(str, 'Shown once, when Mesure generated it.'),
  }, ['secret']),
  AlertEndpointList: obj({ items: arr(ref('AlertEndpoint')) }),
  ShopifySecret: obj({ configured: bool, secretHint, webhookUrl: str }),
  IngestSummary: obj({
    received: int, applied: described(int, 'Events applied to their message.'), duplicates: described(int, 'Events already received (ignored).'),
    pending: described(int, 'Events whose message is not registered yet: kept, applied when it is.'),
    newlyPending: described(int, 'Of the pending ones, those not already waiting.'),
  }, ['newlyPending']),
  RegisteredMessages: obj({
    messages: arr(obj({ index: int, messageId: str, recipient: described(str, 'The address the message is recorded under.'), status: { type: 'string', enum: [...MESSAGE_STATUSES] }, existing: described(bool, 'Registered before (same recipient in the campaign): not created again.') })),
    created: int, existing: int,
  }),
  StepRecipients: obj({
    step: obj({ id: str, name: str, position: int, channel }),
    items: arr({ ...RECIPIENT, required: ['campaignId', ...(RECIPIENT.required as string[])], properties: { campaignId: str, ...(RECIPIENT.properties as Schema) } }),
    nextCursor: orNull(str),
  }),
  Destinations: obj({ destinations: arr(obj({ position: int, url: str })) }),
  DiscountCodes: obj({ campaignId: str, codes: arr(str) }),
  CurrencyRates: obj({ rates: arr(obj({ from: str, to: str, rate: described(str, 'A decimal number as text: 1 from = rate to.'), validFrom: time })) }),
  AuditEntry: obj({
    id: described(str, 'Entries sort newest first by id; the cursor of the next page is the last id.'),
    at: time,
    actor: obj({
      type: { type: 'string', enum: ['user', 'key'] },
      id: described(str, 'The user (usr_…) or API key (key_…).'),
      name: described(str, "The user's e-mail or the key's name at the time of the action."),
    }),
    action: described(str, 'thing.verb, e.g. key.create, budget_settings.update (docs/SECURITY.md lists them).'),
    target: described(orNull(str), 'The id of what was acted on, when there is one.'),
    details: described(anyObject, 'What changed: {"field": {"from": …, "to": …}}, or the validated input; secrets appear as "[redacted]".'),
    ip: orNull(str),
  }),
  SessionsEnded: obj({ endedSessions: described(int, "The person's sessions ended, in every account.") }),
  AuditPage: obj({ items: arr(ref('AuditEntry')), nextCursor: orNull(str) }),
  FeedbackCounts: obj({
    replies: described(int, 'Replies that are not an opt-out word.'),
    optOuts: described(int, 'Replies that are an opt-out word (STOP, ARRET, UNSUBSCRIBE…).'),
    complaints: described(int, 'Spam complaints.'),
  }),
  FeedbackItem: obj({
    at: time,
    campaign: obj({ id: str, name: orNull(str) }),
    channel,
    messageId: str,
    contactId: orNull(str),
    recipient: described(orNull(str), 'As the recipients list shows it (an anonymous key once the person is erased).'),
    kind: { type: 'string', enum: ['reply', 'opt_out', 'complaint'] },
    text: described(orNull(str), 'What the recipient wrote; null for a complaint without text, and once the person is erased.'),
  }),
  FeedbackPage: obj({
    items: arr(ref('FeedbackItem')),
    counts: described(ref('FeedbackCounts'), 'Of the account, or of the `campaign` and `channel` asked for (the other filters do not change them).'),
    nextCursor: orNull(str),
  }),
  RetentionCohorts: obj({
    metric: described({ type: 'string', enum: ['engaged', 'purchased'] }, 'What a cell counts: contacts who engaged (a human open, click, reply or scan) or who bought in that month.'),
    channel: described({ anyOf: [channel, { type: 'null' }] }, 'The channel asked for; null: all channels.'),
    currentMonth: described(str, "This month (YYYY-MM) in the account's time zone: the last cohort."),
    timeZone: str,
    cohorts: arr(obj({
      cohort: described(str, "The cohort month (YYYY-MM): contacts whose first message sent (on the channel) falls in it."),
      contacts: described(int, 'Contacts of the cohort.'),
      cells: described(arr(obj({
        monthsSince: int,
        contacts: described(int, 'Contacts of the cohort active (the metric) in that month.'),
        share: described(orNull(num), 'contacts / the cohort\'s contacts; null for an empty cohort.'),
      })), 'One per month from the cohort month to this month.'),
      ...cohortPurchases(),
    })),
    curve: described(arr(obj({
      monthsSince: int,
      cohorts: described(int, 'Cohorts that have reached this month.'),
      contacts: described(int, 'Contacts of those cohorts.'),
      active: described(int, 'Of them, active (the metric) that many months after their cohort month.'),
      share: described(orNull(num), 'active / contacts (the average retention, weighted by cohort size).'),
    })), 'Average retention by months since the cohort month.'),
    overall: obj({ contacts: int, ...cohortPurchases() }),
  }),
  SuppressionList: obj({ items: arr(obj({ channel, address: str, reason: str, source: str, createdAt: time })), nextCursor: orNull(str) }),
  Contact: obj({
    id: str, externalId: orNull(str), email: orNull(str), phone: described(orNull(str), 'E.164.'),
    address: described(orNull(anyObject), 'The postal address as given: { name, line1, line2, postalCode, city, country }.'),
    firstName: orNull(str), lastName: orNull(str),
    optOuts: described(obj({ email: orNull(time), sms: orNull(time), whatsapp: orNull(time), mail: orNull(time) }), 'When the contact opted out of each channel; null: never.'),
    createdAt: time, updatedAt: time,
  }),
  ContactPage: obj({ items: arr(ref('Contact')), nextCursor: orNull(str) }),
  ContactDetail: obj({
    contact: ref('Contact'),
    optOuts: described(arr(obj({ channel, at: time, reason: orNull(str), source: orNull(str) })), 'The channels the contact opted out of: when, and why (the suppression entry\'s reason and source, else the message they unsubscribed from).'),
    suppressions: described(arr(obj({ channel, address: str, reason: str, source: str, createdAt: time })), 'Suppression entries under the contact\'s e-mail, phone, address key or external id.'),
    attributionModel,
    lifetime: obj({
      currency: str,
      orders: described(int, 'Orders of the contact not cancelled, in any currency.'),
      revenue: minor('Σ revenue of those orders in the account currency (net of refunds, on the account\'s basis), minor units.'),
      creditedRevenue: minor("Σ of what campaigns were credited with for them under the account's attribution model, minor units."),
      unconverted: described(arr(obj({ currency: str, orders: int, revenue: minor() })), 'Orders no rate converted to the account currency, summed apart.'),
      firstOrderAt: orNull(time), lastOrderAt: orNull(time),
      firstEngagedAt: described(orNull(time), 'First human open, click, scan or reply.'),
      lastEngagedAt: described(orNull(time), 'Last human open, click, scan or reply.'),
      channels: described(arr(obj({ channel, messages: int, sent: int, engaged: described(int, 'Messages with a human open, click, scan or reply.') })), 'Messages per channel (channels with none are left out).'),
    }),
  }),
  ContactTimeline: obj({
    items: arr(obj({
      kind: { type: 'string', enum: ['message', 'click', 'scan', 'reply', 'optOut', 'order'] },
      id: described(str, 'The message id, the event\'s key or the order id.'),
      at: described(time, 'A message: its send time (its registration when no send was reported); an event: its time; an order: when it was placed.'),
      campaign: orNull(obj({ id: str, name: orNull(str), channel: str })),
      messageId: orNull(str),
      message: orNull(obj({
        status: { type: 'string', enum: [...MESSAGE_STATUSES] }, notSentReason: orNull(str), failureReason: orNull(str), bounceType: orNull(str),
        registeredAt: time, sentAt: orNull(time), deliveredAt: orNull(time), failedAt: orNull(time), bouncedAt: orNull(time),
        openedAt: orNull(time), clickedAt: orNull(time), repliedAt: orNull(time), scannedAt: orNull(time), unsubscribedAt: orNull(time),
      })),
      url: described(orNull(str), 'A click\'s or scan\'s destination.'),
      machine: described(orNull(bool), 'A click or scan flagged as a bot or machine (never in the human figures); null for other kinds.'),
      flagReason: orNull(str),
      text: described(orNull(str), 'A reply\'s text.'),
      reason: described(orNull(str), 'An opt-out\'s event: unsubscribed or complained.'),
      order: orNull(obj({
        externalId: str, name: orNull(str), source: str, currency: str, gross: minor(), revenue: minor('Revenue on the account\'s basis, net of refunds, in revenueCurrency.'),
        revenueCurrency: str, refunded: minor(), cancelledAt: orNull(time), items: int,
        credits: described(arr(obj({
          campaign: obj({ id: str, name: orNull(str), channel: str }), messageId: orNull(str), kind: str, weight: num, revenue: minor(), currency: str, direct: bool,
        })), "What each campaign was credited with for this order under the account's attribution model."),
      })),
    })),
    nextCursor: orNull(str),
  }),
  ContactExport: obj({
    asOf: time,
    contact: ref('Contact'),
    suppressions: arr(obj({ channel, address: str, reason: str, source: str, createdAt: time })),
    messages: arr(obj({
      id: str, campaignId: str, channel: orNull(str), recipient: str, status: { type: 'string', enum: [...MESSAGE_STATUSES] },
      notSentReason: orNull(str), failureReason: orNull(str), failureMessage: orNull(str), bounceType: orNull(str),
      registeredAt: orNull(time), sentAt: orNull(time), deliveredAt: orNull(time), openedAt: orNull(time), clickedAt: orNull(time),
      repliedAt: orNull(time), unsubscribedAt: orNull(time), complainedAt: orNull(time), cost: minor(),
      events: arr(obj({ type: str, at: orNull(time), url: orNull(str), machine: bool, flagReason: orNull(str), data: described(orNull(anyObject), 'What the provider or the tracker reported with the event (user agent, reply text, failure text…).') })),
    })),
    visits: described(arr(obj({ messageId: str, type: str, at: orNull(time), url: orNull(str), userAgent: orNull(str), ip: orNull(str), machine: bool })), 'Opens, clicks and scans, with the user agent and IP address when they were reported.'),
    orders: arr(obj({
      id: str, source: str, externalId: str, name: orNull(str), orderedAt: orNull(time), currency: str, gross: minor(), revenue: minor(),
      revenueCurrency: str, cancelledAt: orNull(time), refunded: minor(),
      customer: obj({ externalId: orNull(str), email: orNull(str), phone: orNull(str) }),
      billingAddress: { description: 'As the shop sent it.' }, shippingAddress: { description: 'As the shop sent it.' }, noteAttributes: { description: 'As the shop sent them.' },
      declaredSource: described(orNull(str), 'What the buyer said brought them ("how did you hear about us"), as they wrote it.'),
      credits: described(arr(obj({ model: attributionModel, campaignId: str, messageId: orNull(str), channel: str, kind: str, weight: num, revenue: minor(), currency: str, direct: bool })), 'What each campaign was credited with for this order, under each attribution model.'),
    })),
  }),
  ErasureSummary: obj({
    contacts: described(int, 'Contacts removed.'),
    messages: described(int, 'Messages whose recipient became an anonymous key (erased:…); their figures are unchanged.'),
    events: described(int, 'Events whose stored data lost its personal fields (user agent, IP address, reply and failure texts).'),
    orders: described(int, "Orders whose customer fields were emptied; their money and credits are unchanged."),
    conversions: described(int, 'Conversions other than orders (sign-ups, bookings…) of the person, deleted with their credits.'),
    holdoutMembers: int,
    suppressionsRemoved: described(int, "Suppression entries under the person's identifiers, removed."),
    suppressionsAdded: described(int, 'Entries under their one-way hashes, added: the send gate refuses them on those channels.'),
    waitingEvents: described(int, 'Events waiting for an unregistered message that named the person, removed.'),
    deadLetters: described(int, 'Dead letters that named the person, removed.'),
  }),
} satisfies Record<string, Schema>;

export type SchemaName = keyof typeof RESPONSE_SCHEMAS;

/** A reference to a named answer schema, for a route's `schema.answers`. */
export const schemaRef = (name: SchemaName): Schema => ref(name);
