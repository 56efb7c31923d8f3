// SendGrid Event Webhook adapter: ECDSA P-256 signature over timestamp + raw body, and the JSON array of
// delivery and engagement events mapped to Mesure events and opt-out changes.

import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { canonicalProviderMessageId } from '../../domain/providerIds';
import type { FailureReason, IncomingEvent } from '../../domain/types';
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
  secondsToMs,
  str,
  unreadable,
  verified,
  withinReplayWindow,
} from '../shared';
import type { OptChange, ParsedWebhook, ProviderAdapter, RawRequest, VerifyResult } from '../types';

const PROVIDER = 'sendgrid';
export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** The verification key as SendGrid shows it (base64 of the DER SPKI), or the same key in PEM. */
function publicKeyOf(secret: string): KeyObject | undefined {
  const text = secret.trim();
  try {
    if (text.startsWith('-----BEGIN')) return createPublicKey(text);
    return createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

function verify(req: RawRequest, secret: string, now: number): VerifyResult {
  const signature = header(req, SIGNATURE_HEADER);
  const timestamp = header(req, TIMESTAMP_HEADER);
  if (!signature || !timestamp) return missing('missing SendGrid signature or timestamp header');
  const key = publicKeyOf(secret);
  if (!key || key.asymmetricKeyType !== 'ec') return refused('no readable ECDSA public key set for this account');
  if (!/^\d+$/.test(timestamp.trim()) || !withinReplayWindow(Number(timestamp.trim()) * 1000, now)) {
    return refused('timestamp outside the replay window');
  }
  // SendGrid signs the timestamp header's text followed by the body bytes, exactly as sent.
  const payload = Buffer.concat([Buffer.from(timestamp, 'utf8'), req.rawBody]);
  let ok = false;
  try {
    ok = verifySignature('sha256', payload, { key, dsaEncoding: 'der' }, Buffer.from(signature.trim(), 'base64'));
  } catch {
    ok = false;
  }
  return ok ? verified : refused('signature does not match');
}

/** Why SendGrid dropped a message before sending it; other drop reasons are a refusal by the provider. */
const DROP_REASONS: Record<string, FailureReason> = {
  'Unsubscribed Address': 'opted_out',
  'Spam Reporting Address': 'opted_out',
  'Bounced Address': 'invalid_recipient',
  Invalid: 'invalid_recipient',
};

/**
 * `processed` means SendGrid accepted the request and queued it: it may still drop it (suppressions), so it is
 * `queued`, not yet `sent`. `deferred` means SendGrid already tried the receiving server, which asked it to retry
 * later: the message has left SendGrid, so it is `sent`, and a later bounce counts as undelivered.
 */
const SIMPLE: Record<string, IncomingEvent['type']> = {
  processed: 'queued',
  deferred: 'sent',
  delivered: 'delivered',
  spamreport: 'complained',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
};

function parseOne(e: unknown, now: number, out: ParsedWebhook): void {
  if (!isRecord(e)) return void out.skipped.push('event is not an object');
  const kind = str(e.event) ?? '?';
  const email = normalizeEmail(str(e.email));
  const fullId = str(e.sg_message_id);
  // sg_message_id is the X-Message-Id the send API returned, then ".filter…"/".recvd…" naming the recipient's copy.
  const messageId = fullId && canonicalProviderMessageId(PROVIDER, fullId);
  const at = secondsToMs(e.timestamp) ?? now;
  const providerEventId = str(e.sg_event_id) ?? (fullId ? `${fullId}:${kind}:${at}` : undefined);

  const opt = (optedOut: boolean, reason: string): OptChange | undefined =>
    email ? { channel: 'email', address: email, optedOut, reason } : undefined;
  let optChange: OptChange | undefined;
  if (kind === 'spamreport') optChange = opt(true, 'spam_complaint');
  if (kind === 'unsubscribe') optChange = opt(true, 'unsubscribe');
  if (kind === 'group_unsubscribe') optChange = opt(true, `group_unsubscribe:${str(e.asm_group_id) ?? '?'}`);
  if (kind === 'group_resubscribe') optChange = opt(false, `group_resubscribe:${str(e.asm_group_id) ?? '?'}`);
  if (optChange) out.optChanges.push(optChange);
  if (kind === 'group_resubscribe') return;

  let type = SIMPLE[kind];
  const fields: Partial<IncomingEvent> = {};
  const meta: Record<string, unknown> = {};
  if (fullId) meta.sg_message_id = fullId;
  if (kind === 'bounce') {
    type = 'bounced';
    fields.bounceType = e.type === 'blocked' ? 'soft' : 'hard';
    const classification = str(e.bounce_classification);
    if (classification) meta.bounce_classification = classification;
  } else if (kind === 'dropped') {
    type = 'failed';
    const reason = str(e.reason);
    fields.failureReason = (reason && DROP_REASONS[reason]) || 'provider_rejected';
  } else if (kind === 'open') {
    type = 'opened';
    if (e.sg_machine_open === true) Object.assign(fields, { machine: true, flagReason: 'provider_flag' });
    if (str(e.useragent)) meta.useragent = e.useragent;
  } else if (kind === 'click') {
    type = 'clicked';
    const url = str(e.url);
    if (url) fields.url = url;
    if (str(e.useragent)) meta.useragent = e.useragent;
  }
  if (!type) return void out.skipped.push(`event ${kind} ignored`);
  if (kind === 'bounce' || kind === 'dropped' || kind === 'deferred') {
    const code = str(e.status);
    const message = str(e.reason) ?? str(e.response);
    if (code && kind !== 'deferred') fields.failureCode = code;
    if (message && kind !== 'deferred') fields.failureMessage = message;
  }

  const link = linkEvent(PROVIDER, messageId, hintsFrom(e), email);
  if (!link) return void out.skipped.push(`event ${kind} names no message`);
  const event: IncomingEvent = { type, at, ...link, ...fields };
  if (providerEventId) event.providerEventId = providerEventId;
  if (Object.keys(meta).length > 0) event.meta = meta;
  out.events.push(event);
}

function parse(req: RawRequest, now: number): ReturnType<ProviderAdapter['parse']> {
  const body = parseJson(req);
  if (!body.ok || !Array.isArray(body.value)) return unreadable('body is not a JSON array of events');
  const out = emptyParsed();
  for (const e of body.value) parseOne(e, now, out);
  return parsed(out);
}

export const sendgrid: ProviderAdapter = { name: PROVIDER, verify, parse };
