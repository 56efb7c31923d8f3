// The shapes of docs/API.md as the dashboard reads them. Money in minor units, rates as fractions or null.
// Journeys, goals, variants and settings are proposed shapes (see the report of issue 7) until the server lands.

export type Channel = 'whatsapp' | 'sms' | 'email' | 'mail';
export const CHANNELS: Channel[] = ['whatsapp', 'sms', 'email', 'mail'];
export type Role = 'owner' | 'analyst' | 'viewer';

export interface Account {
  id: string;
  name: string;
  currency: string;
  timeZone: string;
}

/** POST /auth/login and GET /auth/me (also the answer of POST /auth/account and /auth/invitations/accept). */
export interface Session {
  user: { id?: string; email: string; role: Role };
  account: Account & { defaultCountry?: string | null };
  /** Every account the person may open, most recently used first (one entry for most people). */
  accounts?: { id: string; name: string; role: Role }[];
  csrfToken: string;
}

export interface KpiCardData {
  value: number | null;
  previous: number | null;
  trend: number | null;
  good: 'up' | 'down';
}

export const KPI_KEYS = [
  'ordersImported',
  'messagesSent',
  'spend',
  'conversions',
  'revenue',
  'cpa',
  'conversionRate',
  'qrScansClicks',
] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

export interface Overview {
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  currency: string;
  cards: Record<KpiKey, KpiCardData>;
  /** Orders in a currency no rate converts, reported apart (never added to the account's revenue). */
  unconvertedOrders?: { currency: string; orders: number; revenueMinor: number }[];
}

export interface DayFigures {
  date: string;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  conversions: number;
  revenue: number;
  spend: number;
}

export interface Budget {
  currency: string;
  total: number;
  used: number;
  reserved: number;
  remaining: number;
  dailyAverage: number;
  forecastDays: number | null;
  light: 'green' | 'amber' | 'red';
}

export interface UnpaidInvoices {
  count: number;
  total?: number;
  currency?: string;
  earliestDue?: string;
  payUrl?: string;
  overdue?: boolean;
  suspendsAt?: string | null;
}

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'completed' | 'stopped';

export interface CampaignListItem {
  id: string;
  name: string;
  channel: Channel;
  status: CampaignStatus;
  statusReason: string | null;
  kind: 'manual' | 'automatic';
  sendAt: string | null;
  activatedAt: string | null;
  tags: string[];
  audience: number;
  sent: number;
  openRate: number | null;
  revenue: number;
  roas: number | null;
  spend: number;
}

export interface Template {
  name: string;
  version: string | number;
  language: string;
  content: string;
  format: 'text' | 'html';
}

export interface Campaign extends CampaignListItem {
  template: Template | null;
  /** The campaign's budget in minor units (null: none). */
  budget?: number | null;
  fixedCost?: number | null;
}

export type Figures = Record<string, number | null>;

export type FunnelStepName = 'audience' | 'sent' | 'engaged' | 'converters';
export interface FunnelStep {
  step: FunnelStepName;
  count: number;
  shareOfAudience: number | null;
  dropOff: number | null;
}

export interface ReferenceRange {
  figure: string;
  value: number | null;
  low: number;
  high: number;
  best: number | null;
  position: 'below' | 'within' | 'above' | null;
}

/** One goal of a campaign or journey (GET /v1/campaigns/{id} `goals`, src/services/goals.ts). */
export interface Goal {
  id: string;
  name: string;
  kind: 'target' | 'segment';
  /** A figure of KPIS.md (`membersLeft` for a segment goal). */
  metric: string;
  comparator?: '>=' | '<=';
  /** In the figure's unit: a fraction for rates, minor units for money; a member count for a segment goal. */
  target: number;
  unit: 'count' | 'money' | 'rate' | 'ratio';
  /** Today's value (a segment goal: members who bought again). */
  value: number | null;
  /** Share of the way, in [0, 1]; 1 once achieved. */
  progress: number | null;
  achieved: boolean;
  firstAchievedDate?: string | null;
  createdAt?: string;
  points?: { date: string; value: number | null; progress: number | null; achieved: boolean }[];
  membersAtStart?: number;
  remaining?: number;
  achievedAt?: string | null;
}

/** One A/B variant with its figures (GET /v1/campaigns/{id} `variants`, src/services/experiments.ts). */
export interface Variant {
  variant: string;
  name: string;
  template?: Partial<Template>;
  split: number | null;
  isControl: boolean;
  declared: boolean;
  figures: Figures;
}

export type AbVerdict = 'not_enough_data' | 'no_significant_difference' | 'variant_wins' | 'control_wins';
export type AbMetric = 'openRate' | 'clickRate' | 'conversionRate' | 'revenuePerRecipient';

export interface VariantComparison {
  control: { id: string; n: number; value: number | null };
  variant: { id: string; n: number; value: number | null };
  difference: number | null;
  relativeLift: number | null;
  confidence: number;
  low: number | null;
  high: number | null;
  pValue: number | null;
  probabilityToBeatControl: number | null;
  method: string;
  verdict: AbVerdict;
  reason: string | null;
}

/** GET /v1/campaigns/{id}/variants. */
export interface VariantsReport {
  control?: string;
  variants: Variant[];
  tests: {
    metric: AbMetric;
    verdict: 'not_enough_data' | 'no_significant_difference' | 'winner';
    winner: string | null;
    correction: 'none' | 'holm';
    comparisons: VariantComparison[];
  }[];
  unassigned: number;
}

export interface Estimate {
  estimate: number;
  low: number;
  high: number;
}

export type LiftVerdict = 'not_enough_data' | 'no_significant_difference' | 'positive' | 'negative';

export interface LiftGroup {
  n: number;
  converters: number;
  conversionRate: number | null;
  conversionRateInterval: { low: number; high: number } | null;
  revenuePerRecipient: number | null;
  revenuePerRecipientInterval: { low: number; high: number } | null;
}

/** GET /v1/campaigns/{id}/lift (src/domain/stats/holdout.ts). */
export interface Lift {
  campaignId: string;
  currency: string;
  holdoutShare: number;
  holdoutOf: 'campaign' | 'journey' | null;
  windowDays: number;
  status: 'ok' | 'not_enough_data';
  reason: string | null;
  confidence: number;
  treated: LiftGroup;
  holdout: LiftGroup;
  conversion: { rateDifference: Estimate | null; incrementalConversions: Estimate | null; lift: Estimate | null; pValue: number | null; verdict: LiftVerdict };
  revenue: { perRecipientDifference: Estimate | null; incrementalRevenueMinor: Estimate | null; lift: Estimate | null; pValue: number | null; verdict: LiftVerdict };
  attributedRevenueMinor: number;
  causedShareOfAttributed: Estimate | null;
}

/** A campaign's budget (GET /v1/campaigns/{id} `budget`, GET /v1/campaigns/{id}/budget). Minor units. */
export interface CampaignBudget {
  currency: string;
  budget: number | null;
  used: number;
  reserved: number;
  remaining: number | null;
  usedShare: number | null;
  status?: string;
  statusReason?: string | null;
  openReservations?: number;
}

export interface CampaignReport {
  campaign: Campaign;
  figures: Figures;
  notSent: { reason: string; count: number }[];
  flagged: { kind: 'open' | 'click'; reason: string; count: number }[];
  links: { url: string; totalClicks: number; uniqueClicks: number }[];
  funnel: FunnelStep[];
  reference: ReferenceRange[];
  goals?: Goal[];
  variants?: Variant[];
  budget?: CampaignBudget | null;
}

export const RECIPIENT_STATUSES = [
  'pending',
  'not_sent',
  'queued',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'undelivered',
  'bounced',
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export interface Recipient {
  messageId: string;
  recipient: string;
  contactId: string | null;
  status: RecipientStatus;
  failureReason: string | null;
  failureCode: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  opens: number;
  clicks: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Proposed: GET /v1/journeys items. */
export interface JourneyListItem {
  id: string;
  name: string;
  status: 'active' | 'paused' | 'draft' | 'archived';
  channels: Channel[];
  startedAt: string | null;
  messages: number;
  sent: number;
  openRate: number | null;
  clickRate: number | null;
}

/** Proposed: GET /v1/journeys/{id}/report?metrics=… */
export interface JourneyReport {
  journey: JourneyListItem;
  currency?: string;
  metrics: Figures;
  channels: { channel: 'email' | 'sms' | 'whatsapp' | 'mail'; figures: Figures }[];
  messages: {
    campaignId: string;
    name: string;
    channel: Channel;
    sent: number;
    openRate: number | null;
    clickRate: number | null;
  }[];
}

export const ATTRIBUTION_MODELS = ['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

/** GET /v1/account (PUT /v1/account takes name, currency, timeZone, defaultCountry, revenueBasis). */
export interface AccountInfo {
  id: string;
  name: string;
  currency: string;
  timeZone: string;
  defaultCountry: string | null;
  suspended: boolean;
  settings: { revenueBasis?: 'net' | 'gross'; [k: string]: unknown };
}

/** GET/PUT /v1/attribution/settings (docs/ATTRIBUTION.md): the model and the account's window overrides in hours, per
 * channel and window kind (click, open, read, delivery, scan, sent); null removes a default window. */
export interface AttributionSettings {
  model: AttributionModel;
  revenueBasis?: 'net' | 'gross';
  windowsHours: Partial<Record<Channel, Record<string, number | null>>>;
  halfLifeHours?: number;
}

/** GET /v1/keys items (POST /v1/keys answers { id, name, role, key } once). */
export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** GET /v1/users items. */
export interface UserItem {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

/** GET /v1/invitations items: people who already have a login, invited to this account (never the token). */
export interface InvitationItem {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
}

/** POST /v1/users: 201 with the new user, or 202 with an invitation whose token and link are shown only here. */
export type AddUserAnswer = UserItem | { invitation: InvitationItem; token: string; link: string; message: string };

/** GET /v1/providers items; secrets go to PUT /v1/providers/{provider}/secret and never come back. */
export interface ProviderItem {
  provider: string;
  configured: boolean;
  updatedAt: string | null;
  webhookUrl: string;
}

/** GET /v1/alerts/endpoints items (PUT { url, secret? } adds one; a generated secret is in that answer only). */
export interface AlertItem {
  id: string;
  url: string;
  createdAt: string;
}

/** Prices in thousandths of a minor unit (1000 = one cent), by country with a default (src/domain/costs.ts). */
export type CountryPrices = { default: number } & Record<string, number>;
export const WHATSAPP_CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const;
export type WhatsAppCategory = (typeof WHATSAPP_CATEGORIES)[number];
export interface LetterPrices {
  printing: number;
  enveloping: number;
  postage: { domestic: number; international: number } & Record<string, number>;
}

/** GET/PUT /v1/cost-model. */
export interface CostModel {
  currency?: string;
  whatsapp?: Partial<Record<WhatsAppCategory, CountryPrices>>;
  sms?: { perSegment: CountryPrices };
  email?: { perMessage: number };
  mail?: { homeCountry?: string; formats: Record<string, LetterPrices> };
  /** Minor units, counted once per campaign. */
  fixedCostMinor?: number;
}

/** GET/PUT /v1/budget/settings. */
export interface BudgetSettings {
  monthlyBudget: number | null;
  graceDays: number;
  reservationTtlSeconds: number;
  stripeWebhookSecretSet?: boolean;
}

/** GET/PATCH /v1/tracking/settings. */
export interface TrackingSettings {
  utm: boolean;
  utmSource: string;
  clickIdParam: string;
  thresholds: { clickAfterDeliveryMs: number; linkSweepMs: number; proxyOpenAfterDeliveryMs: number; flagGatewayReferer: boolean };
  /** Where recipients reach the links and QR codes; null: the server's MESURE_PUBLIC_URL. */
  publicUrl: string | null;
}

/** GET /v1/orders items (src/services/orders.ts). Money in minor units of `currency` (revenue: `revenueCurrency`). */
export interface OrderItem {
  id: string;
  externalId: string;
  source: string;
  name: string | null;
  orderedAt: string;
  currency: string;
  gross: number;
  net: number;
  refunded: number;
  cancelledAt: string | null;
  revenue: number;
  revenueCurrency: string;
  converted: boolean;
  contactId: string | null;
  matchedBy: string | null;
  customer?: { externalId: string | null; email: string | null; phone: string | null };
  itemQuantity: number;
  discountCodes: string[];
  attribution: {
    model: AttributionModel;
    direct: boolean | null;
    credits: { campaignId: string; messageId: string | null; channel: Channel | null; kind: string; weight: number; revenue: number }[];
  };
}

export interface ModelFigures {
  conversions: number;
  weightedConversions: number;
  revenue: number;
  revenueDirect: number;
  revenueInfluenced: number;
}

/** GET /v1/attribution/compare. */
export interface CompareReport {
  period: { from: string; to: string };
  currency: string;
  accountModel: AttributionModel;
  models: AttributionModel[];
  orders: number;
  campaigns: { campaignId: string; slug: string | null; channel: Channel | null; currency: string; byModel: Record<AttributionModel, ModelFigures> }[];
}
