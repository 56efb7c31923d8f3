// Row types of the tables, as Kysely sees them. Times are epoch milliseconds, money integer minor units,
// booleans 0/1 (portable between SQLite and PostgreSQL).
import type { Generated } from 'kysely';
import type { MessageCounts, MessageState, VariantCounts } from '../domain/message';

export interface AccountRow {
  id: string;
  name: string;
  currency: string;
  time_zone: string;
  default_country: string | null;
  settings: string;
  suspended: number;
  created_at: number;
}

export interface ApiKeyRow {
  account_id: string;
  id: string;
  name: string;
  secret_hash: string;
  role: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ContactRow {
  account_id: string;
  id: string;
  external_id: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  address_key: string | null;
  first_name: string | null;
  last_name: string | null;
  opt_out_email: number | null;
  opt_out_sms: number | null;
  opt_out_whatsapp: number | null;
  opt_out_mail: number | null;
  created_at: number;
  updated_at: number;
}

export interface CampaignRow {
  account_id: string;
  id: string;
  name: string;
  slug: string;
  channel: string;
  kind: string;
  send_at: number | null;
  activated_at: number | null;
  status: string;
  status_reason: string | null;
  template_name: string | null;
  template_version: string | null;
  template_language: string | null;
  template_format: string | null;
  template_content: string | null;
  tags: string;
  budget_minor: number | null;
  /** Retired by migration 2026_12_07_100: always 0, read by nothing; a campaign's fixed cost is in its cost model. */
  fixed_cost_minor: number;
  settings: string;
  created_at: number;
  updated_at: number;
}

/** A message: who it went to and how, plus its state (the fields the status state machine owns). */
export interface MessageRow extends MessageState {
  account_id: string;
  id: string;
  campaign_id: string;
  contact_id: string | null;
  recipient: string;
  provider: string | null;
  provider_message_id: string | null;
  variant: string | null;
  registered_at: number;
  cohort_day: string;
  cost_minor: number;
  cost_state: string;
}

export interface EventRow {
  account_id: string;
  dedupe_key: string;
  message_id: string;
  campaign_id: string;
  type: string;
  at: number;
  received_at: number;
  url: string | null;
  machine: number;
  flag_reason: string | null;
  data: string | null;
}

export interface OrphanEventRow {
  account_id: string;
  ref_key: string;
  dedupe_key: string;
  event: string;
  received_at: number;
}

/** The counts of one campaign's messages whose cohort (send) day is `day`. */
export interface CampaignDayRow extends MessageCounts {
  account_id: string;
  campaign_id: string;
  day: string;
}

/** The counts of one campaign's messages of one variant (the A/B report), kept beside campaign_days (2026_12_08_700). */
export interface CampaignVariantCountRow extends VariantCounts {
  account_id: string;
  campaign_id: string;
  variant: string;
  first_message: string;
}

/** Rollups of the event log for the campaign page, kept by triggers on `events` (migration 2026_12_07_200). */
export interface CampaignLinkClicksRow {
  account_id: string;
  campaign_id: string;
  url: string;
  total_clicks: number;
  unique_clicks: number;
}

export interface CampaignFlaggedRow {
  account_id: string;
  campaign_id: string;
  type: string;
  reason: string;
  count: number;
}

/** Messages never sent, per campaign and reason (kept by triggers on messages: 2026_12_07_420). */
export interface CampaignNotSentRow {
  account_id: string;
  campaign_id: string;
  reason: string;
  count: number;
}

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: number;
}
export interface MembershipRow {
  account_id: string;
  user_id: string;
  role: string;
  created_at: number;
  /** When a session last opened this account: login opens the most recent one. */
  last_used_at: number | null;
}
export interface InvitationRow {
  account_id: string;
  id: string;
  user_id: string;
  email: string;
  role: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
}
export interface SessionRow {
  id_hash: string;
  account_id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

export interface SuppressionRow {
  account_id: string;
  channel: string;
  address: string;
  reason: string;
  source: string;
  created_at: number;
}

export interface DB {
  suppressions: SuppressionRow;
  accounts: AccountRow;
  api_keys: ApiKeyRow;
  contacts: ContactRow;
  campaigns: CampaignRow;
  messages: MessageRow;
  events: EventRow;
  orphan_events: OrphanEventRow;
  campaign_days: CampaignDayRow;
  campaign_variant_counts: CampaignVariantCountRow;
  campaign_link_clicks: CampaignLinkClicksRow;
  campaign_flagged: CampaignFlaggedRow;
  campaign_not_sent: CampaignNotSentRow;
  users: UserRow;
  memberships: MembershipRow;
  invitations: InvitationRow;
  sessions: SessionRow;
  kysely_migration?: { name: string; timestamp: string; _?: Generated<number> };
}
