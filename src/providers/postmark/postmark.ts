// Postmark webhook adapter: Postmark does not sign, so the account's URL carries HTTP Basic credentials, checked
// here in constant time; Delivery, Bounce, SpamComplaint, Open, Click and SubscriptionChange records are mapped.

import type { BounceType, FailureReason, IncomingEvent } from '../../domain/types';
import {
  emptyParsed,
  header,
  hintsFrom,
  isRecord,
  linkEvent,
  missing,
  normalizeEmail,
  parsed,
  parseJson,
  refused,
  secretsEqual,
  str,
  unreadable,
  verified,
} from '../shared';
import type { ParsedWebhook, ProviderAdapter, RawRequest, VerifyResult } from '../types';

const PROVIDER = 'postmark';

/** The secret is "user:password", the same pair written into the webhook URL as https://user:password@host/…. */
function verify(req: RawRequest, credentials: string): VerifyResult {
  if (!credentials.includes(':')) return refused('no user:password credentials set for this account');
  const auth = header(req, 'authorization');
  const m = auth ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth) : null;
  if (!m) return missing('missing HTTP Basic credentials');
  const given = Buffer.from(m[1], 'base64').toString('utf8');
  return secretsEqual(given, credentials) ? verified : refused('credentials do not match');
}

/** Bounce `Type` values that are delivery failures; other types (auto-responders, address changes…) are not. */
const BOUNCE_TYPES: Record<string, BounceType> = {
  HardBounce: 'hard',
  BadEmailAddress: 'hard',
  SoftBounce: 'soft',
  Transient: 'soft',
  DnsError: 'soft',
  Blocked: 'soft', // refused by the receiving ISP's policy, as SendGrid's "blocked": may pass another day
  SpamNotification: 'soft',
  VirusNotification: 'soft',
  DMARCPolicy: 'soft',
  Unknown: 'soft',
};
/** Postmark never handed these to a receiving server. */
const NOT_SENT: Record<string, FailureReason> = {
  SMTPApiError: 'provider_rejected',
  TemplateRenderingFailed: 'provider_error',
};

function parseRecord(r: Record<string, unknown>, now: number, out: ParsedWebhook): void {
  const kind = str(r.RecordType) ?? '?';
  const messageId = str(r.MessageID);
  const recipient = normalizeEmail(str(r.Recipient) ?? str(r.Email));
  const when = str(r.DeliveredAt) ?? str(r.BouncedAt) ?? str(r.ReceivedAt) ?? str(r.ChangedAt);
  // An unreadable date is NaN, dropped with a reason by bounds.ts rather than dated now.
  const at = when ? Date.parse(when) : now;
  const fields: Partial<IncomingEvent> = {};
  const meta: Record<string, unknown> = {};
  let type: IncomingEvent['type'] | undefined;

  if (kind === 'Delivery') type = 'delivered';
  if (kind === 'Open') {
    type = 'opened';
    if (str(r.UserAgent)) meta.userAgent = r.UserAgent;
    if (typeof r.FirstOpen === 'boolean') meta.firstOpen = r.FirstOpen;
  }
  if (kind === 'Click') {
    type = 'clicked';
    if (str(r.OriginalLink)) fields.url = str(r.OriginalLink);
    if (str(r.UserAgent)) meta.userAgent = r.UserAgent;
  }
  if (kind === 'SpamComplaint' || (kind === 'Bounce' && r.Type === 'SpamComplaint')) {
    type = 'complained';
    if (recipient) out.optChanges.push({ channel: 'email', address: recipient, optedOut: true, reason: 'spam_complaint' });
  } else if (kind === 'Bounce' && r.Type === 'Unsubscribe') {
    type = 'unsubscribed';
    if (recipient) out.optChanges.push({ channel: 'email', address: recipient, optedOut: true, reason: 'unsubscribe' });
  } else if (kind === 'Bounce') {
    const bounceType = str(r.Type) ?? '';
    if (BOUNCE_TYPES[bounceType]) {
      type = 'bounced';
      fields.bounceType = BOUNCE_TYPES[bounceType];
    } else if (NOT_SENT[bounceType]) {
      type = 'failed';
      fields.failureReason = NOT_SENT[bounceType];
    } else {
      return void out.skipped.push(`bounce type ${bounceType || '?'} ignored`);
    }
    fields.failureCode = bounceType;
    const description = str(r.Description);
    if (description) fields.failureMessage = description;
    if (str(r.Details)) meta.details = r.Details;
    if (typeof r.Inactive === 'boolean') meta.inactive = r.Inactive;
  }
  if (kind === 'SubscriptionChange') {
    const optedOut = r.SuppressSending === true;
    const reason = str(r.SuppressionReason) ?? 'Reactivated';
    if (recipient) out.optChanges.push({ channel: 'email', address: recipient, optedOut, reason: `postmark_${reason}` });
    // Only the recipient's own unsubscribe click is an unsubscription from a message; bounce and complaint
    // suppressions already came as their own records.
    if (!(optedOut && r.Origin === 'Recipient' && reason === 'ManualSuppression')) return;
    type = 'unsubscribed';
  }
  if (!type) return void out.skipped.push(`record ${kind} ignored`);

  const link = linkEvent(PROVIDER, messageId, hintsFrom(r.Metadata), recipient);
  if (!link) return void out.skipped.push(`record ${kind} names no message`);
  // Postmark gives its records no id: record type + message + time is stable across its retries.
  const event: IncomingEvent = { type, at, ...link, providerEventId: `${kind}:${messageId ?? recipient}:${when ?? ''}`, ...fields };
  if (Object.keys(meta).length > 0) event.meta = meta;
  out.events.push(event);
}

function parse(req: RawRequest, now: number): ReturnType<ProviderAdapter['parse']> {
  const body = parseJson(req);
  // Postmark posts one record per request; an array is accepted too, for batched replays.
  const records = body.ok ? (Array.isArray(body.value) ? body.value : [body.value]) : [];
  if (!body.ok || records.length === 0 || !records.every((r) => isRecord(r) && str(r.RecordType))) {
    return unreadable('body is not a Postmark webhook record');
  }
  const out = emptyParsed();
  for (const r of records) parseRecord(r as Record<string, unknown>, now, out);
  return parsed(out);
}

export const postmark: ProviderAdapter = { name: PROVIDER, verify: (req, secret) => verify(req, secret), parse };
