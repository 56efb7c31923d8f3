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

/** POST /auth/login and GET /auth/me. */
export interface Session {
  user: { id?: string; email: string; role: Role };
  account: Account & { defaultCountry?: string | null };
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
  budget?: number | null;
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

/** Proposed: one goal of a campaign or journey and its progress. */
export interface Goal {
  id?: string;
  name: string;
  metric?: string;
  target: number | null;
  value: number | null;
  progress: number | null;
  unit?: 'count' | 'money' | 'rate';
}

/** Proposed: one A/B variant with the same per-campaign figures as the campaign. */
export interface Variant {
  variant: string;
  name?: string;
  figures: Figures;
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
