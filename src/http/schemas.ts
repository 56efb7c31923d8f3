// JSON schemas of the API's bodies, shared by validation and the OpenAPI document.
// Every number has a minimum and a maximum, every string a maxLength, every array a maxItems: the bounds are those of
// domain/bounds.ts, listed in docs/API.md ("Limits").
import { CHANNELS, CAMPAIGN_STATUSES, EVENT_TYPES, FAILURE_REASONS } from '../domain/types';
import { MAX_MONEY_MINOR } from '../domain/bounds';
import { REVENUE_DATES } from '../domain/kpis';

/** Years 2000 to 2099: Date.parse reads six-digit years, and a time in year 275760 breaks every later read. */
export const DATE_TIME_PATTERN = '^20[0-9]{2}-';
export const isoTime = { type: 'string', format: 'date-time', pattern: DATE_TIME_PATTERN, maxLength: 40 } as const;
export const isoDate = { type: 'string', format: 'date', pattern: DATE_TIME_PATTERN, maxLength: 10 } as const;
/** An amount in minor units (cents): a whole number from 0 to 10^12. */
export const money = { type: 'integer', minimum: 0, maximum: MAX_MONEY_MINOR } as const;
export const moneyOrNull = { type: ['integer', 'null'], minimum: 0, maximum: MAX_MONEY_MINOR } as const;
const id = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const eventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'at'],
  properties: {
    type: { type: 'string', enum: [...EVENT_TYPES] },
    // The /v1/events window (2000-01-01 to now + 24 h, domain/bounds.ts) is checked in code, with a message that says
    // which end was crossed and what to check.
    at: { type: 'string', format: 'date-time', maxLength: 40 },
    messageId: id,
    provider: { type: 'string', minLength: 1, maxLength: 40 },
    providerMessageId: id,
    campaignId: id,
    recipient: { type: 'string', minLength: 1, maxLength: 500 },
    providerEventId: id,
    bounceType: { type: 'string', enum: ['soft', 'hard'] },
    url: { type: 'string', maxLength: 4000 },
    machine: { type: 'boolean' },
    flagReason: { type: 'string', maxLength: 200 },
    failureReason: { type: 'string', enum: [...FAILURE_REASONS] },
    failureCode: { type: 'string', maxLength: 100 },
    failureMessage: { type: 'string', maxLength: 2000 },
    text: { type: 'string', maxLength: 5000 },
    pricingCategory: { type: 'string', maxLength: 40 },
    segments: { type: 'integer', minimum: 1, maximum: 100 },
    costMinor: money,
  },
} as const;

export const eventsBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, maxItems: 10_000, items: eventSchema } },
} as const;

const address = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 200 }, line1: { type: 'string', maxLength: 300 }, line2: { type: 'string', maxLength: 300 },
    postalCode: { type: 'string', maxLength: 20 }, city: { type: 'string', maxLength: 100 }, country: { type: 'string', maxLength: 60 },
  },
} as const;

export const recipientSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    externalId: id,
    email: { type: 'string', maxLength: 320 },
    phone: { type: 'string', maxLength: 40 },
    address,
    firstName: { type: 'string', maxLength: 100 },
    lastName: { type: 'string', maxLength: 100 },
  },
} as const;

export const messagesBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['messages'],
  properties: {
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['recipient'],
        properties: {
          recipient: recipientSchema,
          provider: { type: 'string', minLength: 1, maxLength: 40 },
          providerMessageId: id,
          variant: { type: 'string', maxLength: 40 },
          notSentReason: { type: 'string', enum: [...FAILURE_REASONS] },
          registeredAt: isoTime,
        },
      },
    },
  },
} as const;

/** A message template as the recipient saw it. */
export const templateSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: ['string', 'null'], maxLength: 200 },
    version: { type: ['string', 'null'], maxLength: 50 },
    language: { type: ['string', 'null'], maxLength: 20 },
    format: { type: ['string', 'null'], enum: ['text', 'html', null] },
    content: { type: ['string', 'null'], maxLength: 200_000 },
  },
} as const;

const campaignProps = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  channel: { type: 'string', enum: [...CHANNELS] },
  kind: { type: 'string', enum: ['manual', 'automatic'] },
  sendAt: { anyOf: [isoTime, { type: 'null' }] },
  activatedAt: { anyOf: [isoTime, { type: 'null' }] },
  status: { type: 'string', enum: [...CAMPAIGN_STATUSES] },
  template: templateSchema,
  tags: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 60 } },
  budget: moneyOrNull,
  // Refused (400) by the route: kept here so the answer says where fixed costs went, not "unknown property".
  fixedCost: { ...money, description: 'No longer accepted: a campaign\'s fixed cost is `fixedCostMinor` in its cost model (PUT /v1/campaigns/{id}/cost-model).' },
} as const;

export const campaignCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'channel'],
  properties: campaignProps,
} as const;

export const campaignPatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: campaignProps,
} as const;

export const periodQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: isoDate,
    to: isoDate,
    channel: { type: 'string', enum: [...CHANNELS] },
  },
} as const;

/** A period of figures, and the date its credited revenue is counted on (KPIS.md: the send date unless the view says so). */
export const figuresPeriodQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...periodQuerySchema.properties,
    revenueDate: {
      type: 'string', enum: [...REVENUE_DATES], default: 'send',
      description: 'send (default): credited revenue and conversions on the send date of the credited message; order: on the order date.',
    },
  },
} as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
  cursor: { type: 'string', maxLength: 200 },
} as const;
