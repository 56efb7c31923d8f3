// The shapes the dashboard reads. The API's answers are generated from the server's /openapi.json
// (web/src/api-types.ts, scripts/api-types.ts) and only named here, so a figure renamed in the server breaks the
// type-check instead of the screen; the rest are shapes the server has not published yet, or the dashboard's own.
// Money in minor units, rates as fractions or null.
import type { components } from './api-types';

type Schemas = components['schemas'];

export type Channel = 'whatsapp' | 'sms' | 'email' | 'mail';
export const CHANNELS: Channel[] = ['whatsapp', 'sms', 'email', 'mail'];
export type Role = 'owner' | 'analyst' | 'viewer';

interface Account {
  id: string;
  name: string;
  currency: string;
  timeZone: string;
}

/** POST /auth/login and GET /auth/me (also the answer of POST /auth/account and /auth/invitations/accept). */
export type Session = Schemas['Session'];

export type KpiCardData = Schemas['KpiCard'];

/** The eight cards of the home page, in their order on screen. */
export const KPI_KEYS = [
  'ordersImported',
  'messagesSent',
  'spend',
  'conversions',
  'revenue',
  'cpa',
  'conversionRate',
  'qrScansClicks',
] as const satisfies readonly (keyof Schemas['Overview']['cards'])[];
export type KpiKey = (typeof KPI_KEYS)[number];

export type Overview = Schemas['Overview'];
/** The date credited revenue is counted on (GET /v1/overview and /v1/series/daily `revenueDate`). */
export type RevenueDate = Overview['revenueDate'];
export const REVENUE_DATES: readonly RevenueDate[] = ['send', 'order'];
export type DayFigures = Schemas['DayFigures'];
/** GET /v1/budget: the budget card (KPIS.md). */
export type Budget = Schemas['Budget'];

export type UnpaidInvoices = Schemas['UnpaidInvoices'];

export type CampaignListItem = Schemas['CampaignListItem'];

export type Template = Schemas['Template'];

/** Every figure of KPIS.md by its API name. */
export type Figures = Schemas['Figures'];
export type FigureName = keyof Figures;

export type FunnelStep = Schemas['FunnelStep'];

export type ReferenceRange = Schemas['ReferenceCheck'];

/** One goal of a campaign or journey (GET /v1/campaigns/{id} `goals`, src/services/goals.ts). */
export type Goal = Schemas['Goal'];

/** One A/B variant with its figures (GET /v1/campaigns/{id} `variants`, src/services/experiments.ts). */
export type Variant = Schemas['Variant'];

export type AbMetric = VariantsReport['tests'][number]['metric'];

export type VariantComparison = Schemas['VariantComparison'];

/** GET /v1/campaigns/{id}/variants. */
export type VariantsReport = Schemas['VariantsReport'];

export type Estimate = NonNullable<Lift['conversion']['lift']>;

export type LiftVerdict = Lift['conversion']['verdict'];

/** GET /v1/campaigns/{id}/lift (src/domain/stats/holdout.ts). */
export type Lift = Schemas['Lift'];

/** A campaign's budget (GET /v1/campaigns/{id} `budget`, GET /v1/campaigns/{id}/budget). Minor units. */
export type CampaignBudget = Schemas['CampaignBudget'];

export type CampaignReport = Schemas['CampaignReport'];

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
] as const satisfies readonly Recipient['status'][];

export type Recipient = Schemas['Recipient'];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Proposed: GET /v1/journeys items. */
export type JourneyListItem = Schemas['JourneyListItem'];

/** Proposed: GET /v1/journeys/{id}/report?metrics=… */
export type JourneyReport = Schemas['JourneyReport'];

export const ATTRIBUTION_MODELS = ['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay', 'data_driven'] as const;
type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

/** GET /v1/account (PUT /v1/account takes name, currency, timeZone, defaultCountry, revenueBasis). */
export type AccountInfo = Schemas['AccountInfo'];

/** GET/PUT /v1/attribution/settings (docs/ATTRIBUTION.md): the model and the account's window overrides in hours, per
 * channel and window kind (click, open, read, delivery, scan, sent); null removes a default window. */
export type AttributionSettings = Schemas['AttributionSettings'];

/** GET /v1/attribution/data-driven: the data-driven model's current fit (docs/ATTRIBUTION.md, "Data-driven model"). */
export type DataDrivenModel = Schemas['DataDrivenModel'];

/** GET /v1/keys items (POST /v1/keys answers { id, name, role, key } once). */
export type ApiKey = Schemas['ApiKeyList']['items'][number];

/** GET /v1/users items. */
export type UserItem = Schemas['Member'];

/** GET /v1/invitations items: people who already have a login, invited to this account (never the token). */
export type InvitationItem = Schemas['Invitation'];

/** POST /v1/users: 201 with the new user, or 202 with an invitation whose token and link are shown only here. */
export type AddUserAnswer = UserItem | { invitation: InvitationItem; token: string; link: string; message: string };

/** GET /v1/providers items; secrets go to PUT /v1/providers/{provider}/secret and never come back. */
export type ProviderItem = Schemas['ProviderList']['items'][number];

/** GET /v1/alerts/endpoints items (PUT { url, secret? } adds one; a generated secret is in that answer only). */
export type AlertItem = Schemas['AlertEndpoint'];

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
export type BudgetSettings = Schemas['BudgetSettings'];

/** GET/PUT /v1/retention/settings. */
export type RetentionSettings = Schemas['RetentionSettings'];

/** GET/PUT /v1/reports/settings (a member's scheduled e-mail report) and POST /v1/reports/send's run. */
export type ReportSettings = Schemas['ReportSettings'];
export type ReportRun = Schemas['ReportRun'];

/** GET/PATCH /v1/tracking/settings. */
export type TrackingSettings = Schemas['TrackingSettings'];

/** GET /v1/orders items (src/services/orders.ts). Money in minor units of `currency` (revenue: `revenueCurrency`). */
export type OrderItem = Schemas['Order'];
/** GET /v1/orders/{id}/attribution: why the order is credited as it is. */
export type OrderAttribution = Schemas['OrderAttribution'];
/** GET /v1/messages/{id}/orders: the orders a recipient's message may explain. */
export type MessageOrders = Schemas['MessageOrders'];

/** GET /v1/attribution/compare. */
export type CompareReport = Schemas['CompareReport'];
export type DeclaredReport = Schemas['DeclaredReport'];
export type DeclaredRules = Schemas['DeclaredRules'];

/** GET /v1/audit: who changed what and when, newest first. */
export type AuditPage = Schemas['AuditPage'];
export type AuditEntry = Schemas['AuditEntry'];
/** GET /v1/feedback: recipients' replies, opt-out replies and complaints, newest first. */
export type FeedbackPage = Schemas['FeedbackPage'];
export type FeedbackItem = Schemas['FeedbackItem'];
export type RetentionCohorts = Schemas['RetentionCohorts'];
/** POST /auth/password and /auth/logout-all. */
export type SessionsEnded = Schemas['SessionsEnded'];
export type IncrementalityReport = Schemas['Incrementality'];
