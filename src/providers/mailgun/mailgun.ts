// Mailgun webhook adapter: HMAC-SHA256 of timestamp + token with the webhook signing key (5-minute window,
// tokens handed back as replay keys), and event-data mapped to Mesure events and opt-out changes.

import { createHmac } from 'node:crypto';
import { canonicalProviderMessageId } from '../../domain/providerIds';
import type { FailureReason, IncomingEvent } from '../../domain/types';
import {
  bytesEqual,
  emptyParsed,
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
import type { ProviderAdapter, RawRequest, VerifyResult } from '../types';

const PROVIDER = 'mailgun';

interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

function signatureOf(body: unknown): MailgunSignature | undefined {
  if (!isRecord(body) || !isRecord(body.signature)) return undefined;
  const { timestamp, token, signature } = body.signature;
  const t = str(timestamp);
  if (!t || typeof token !== 'string' || typeof signature !== 'string' || !token || !signature) return undefined;
  return { timestamp: t, token, signature };
}

/**
 * Mailgun signs timestamp + token, not the body: the body cannot be checked byte for byte. What protects it is
 * the freshness window here and the caller refusing a token it has already seen (parse returns it in replayKeys).
 */
function verify(req: RawRequest, signingKey: string, now: number): VerifyResult {
  if (!signingKey) return refused('no webhook signing key set for this account');
  const body = parseJson(req);
  const sig = body.ok ? signatureOf(body.value) : undefined;
  if (!sig) return missing('missing Mailgun signature object');
  if (!/^\d+$/.test(sig.timestamp) || !withinReplayWindow(Number(sig.timestamp) * 1000, now)) {
    return refused('timestamp outside the replay window');
  }
  if (!/^[0-9a-f]{64}$/i.test(sig.signature)) return refused('malformed signature');
  const expected = createHmac('sha256', signingKey).update(sig.timestamp + sig.token, 'utf8').digest();
  return bytesEqual(Buffer.from(sig.signature, 'hex'), expected) ? verified : refused('signature does not match');
}

/** Mailgun did not even try: the address is on one of its suppression lists. */
const SUPPRESSED: Record<string, FailureReason> = {
  'suppress-bounce': 'invalid_recipient',
  'suppress-unsubscribe': 'opted_out',
  'suppress-complaint': 'opted_out',
};

const SIMPLE: Record<string, IncomingEvent['type']> = {
  accepted: 'queued',
  delivered: 'delivered',
  opened: 'opened',
  clicked: 'clicked',
  unsubscribed: 'unsubscribed',
  complained: 'complained',
  rejected: 'failed',
};

function parse(req: RawRequest, now: number): ReturnType<ProviderAdapter['parse']> {
  const body = parseJson(req);
  if (!body.ok || !isRecord(body.value) || !isRecord(body.value['event-data'])) {
    return unreadable('body is not a Mailgun JSON webhook');
  }
  const out = emptyParsed();
  const sig = signatureOf(body.value);
  if (sig) out.replayKeys.push(`mailgun:${sig.token}`);

  const e = body.value['event-data'];
  const kind = str(e.event) ?? '?';
  const recipient = normalizeEmail(str(e.recipient));
  const headers = isRecord(e.message) && isRecord(e.message.headers) ? e.message.headers : {};
  // The send API answers "<id@domain>"; webhooks give the bare id: one form for both (domain/providerIds.ts).
  const rawId = str(headers['message-id']);
  const messageId = rawId === undefined ? undefined : canonicalProviderMessageId(PROVIDER, rawId);
  const at = secondsToMs(e.timestamp) ?? now;

  const fields: Partial<IncomingEvent> = {};
  let type = SIMPLE[kind];
  const status = isRecord(e['delivery-status']) ? e['delivery-status'] : {};
  if (kind === 'failed') {
    const reason = str(e.reason) ?? '';
    const suppressed = SUPPRESSED[reason];
    if (suppressed) {
      type = 'failed';
      fields.failureReason = suppressed;
    } else {
      // Issue 4: severity permanent = hard bounce; temporary = soft (Mailgun keeps retrying those).
      type = 'bounced';
      fields.bounceType = e.severity === 'temporary' ? 'soft' : 'hard';
    }
    const code = str(status.code);
    if (code) fields.failureCode = code;
    const message = str(status.description) ?? str(status.message) ?? (reason || undefined);
    if (message) fields.failureMessage = message;
  }
  if (kind === 'rejected') {
    fields.failureReason = 'provider_rejected';
    const reject = isRecord(e.reject) ? e.reject : {};
    const message = str(reject.reason) ?? str(reject.description);
    if (message) fields.failureMessage = message;
  }
  if (kind === 'clicked' && str(e.url)) fields.url = str(e.url);
  if (!type) {
    out.skipped.push(`event ${kind} ignored`);
    return parsed(out);
  }
  if ((kind === 'unsubscribed' || kind === 'complained') && recipient) {
    const reason = kind === 'complained' ? 'spam_complaint' : 'unsubscribe';
    out.optChanges.push({ channel: 'email', address: recipient, optedOut: true, reason });
  }

  const link = linkEvent(PROVIDER, messageId, hintsFrom(e['user-variables']), recipient);
  if (!link) {
    out.skipped.push(`event ${kind} names no message`);
    return parsed(out);
  }
  const event: IncomingEvent = { type, at, ...link, ...fields };
  const eventId = str(e.id);
  event.providerEventId = eventId ?? `${messageId ?? recipient}:${kind}:${at}`;
  const clientInfo = isRecord(e['client-info']) ? e['client-info'] : undefined;
  if (clientInfo && str(clientInfo['user-agent'])) event.meta = { userAgent: clientInfo['user-agent'] };
  out.events.push(event);
  return parsed(out);
}

export const mailgun: ProviderAdapter = { name: PROVIDER, verify, parse };
