// Twilio Programmable Messaging adapter (SMS and WhatsApp via Twilio): X-Twilio-Signature check, status callbacks
// and inbound messages mapped to Mesure events, error codes to failure reasons, STOP/START to opt-out changes.

import { createHash, createHmac } from 'node:crypto';
import type { Channel, FailureReason, IncomingEvent } from '../../domain/types';
import {
  bytesEqual,
  decimalToMinor,
  emptyParsed,
  header,
  keywordOf,
  linkEvent,
  missing,
  parsed,
  refused,
  toE164,
  unreadable,
  verified,
  META_CAMPAIGN_ID,
  META_MESSAGE_ID,
  type LinkHints,
} from '../shared';
import type { ParsedWebhook, ProviderAdapter, RawRequest, VerifyResult } from '../types';

const PROVIDER = 'twilio';

/** Form fields in arrival order, repeated names kept (Twilio signs every value). */
function formFields(raw: Buffer): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return fields;
}

/** Twilio's string to sign: the URL, then each parameter name + value, names sorted, repeated values sorted. */
export function twilioSignature(authToken: string, url: string, fields: Map<string, string[]>): string {
  let data = url;
  for (const name of [...fields.keys()].sort()) {
    for (const value of [...new Set(fields.get(name))].sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * The URLs Twilio may have signed for the URL we saw: proxies add or drop the default port, so both are tried,
 * as received first and then as WHATWG-normalized (what Twilio's own validateRequest does).
 */
export function candidateUrls(url: string): string[] {
  const forms = [url];
  try {
    forms.push(new URL(url).toString());
  } catch {
    // Not a URL: only the form as received can match.
  }
  const out = new Set<string>();
  for (const form of forms) {
    const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(form);
    if (!m) {
      out.add(form);
      continue;
    }
    const [, scheme, authority, rest] = m;
    const at = authority.lastIndexOf('@');
    const userInfo = authority.slice(0, at + 1);
    const hostPort = authority.slice(at + 1);
    const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
    const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
    const port = colon === -1 ? '' : hostPort.slice(colon);
    const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80';
    out.add(form);
    out.add(scheme + userInfo + host + rest);
    out.add(scheme + userInfo + host + (port || defaultPort) + rest);
  }
  return [...out];
}

function verify(req: RawRequest, authToken: string): VerifyResult {
  if (!authToken) return refused('no auth token set for this account');
  const sig = header(req, 'x-twilio-signature');
  if (!sig) return missing('missing X-Twilio-Signature');
  // JSON-bodied webhooks sign the URL only and carry the body's SHA-256 in the bodySHA256 query parameter.
  const bodyHash = new URLSearchParams(req.url.split('?')[1]?.split('#')[0] ?? '').get('bodySHA256');
  const fields = bodyHash === null ? formFields(req.rawBody) : new Map<string, string[]>();
  const given = Buffer.from(sig.trim(), 'utf8');
  const matches = candidateUrls(req.url).some((url) =>
    bytesEqual(given, Buffer.from(twilioSignature(authToken, url, fields), 'utf8')),
  );
  if (!matches) return refused('signature does not match');
  if (bodyHash !== null) {
    const actual = Buffer.from(createHash('sha256').update(req.rawBody).digest('hex'), 'utf8');
    if (!bytesEqual(Buffer.from(bodyHash.toLowerCase(), 'utf8'), actual)) return refused('body does not match bodySHA256');
  }
  return verified;
}

/** Twilio error codes → Mesure failure reasons (issue 4); failureMessage when the callback gives none. */
const FAILURES: Record<string, { reason: FailureReason; message: string }> = {
  '30003': { reason: 'unreachable', message: 'Unreachable destination handset' },
  '30004': { reason: 'blocked', message: 'Message blocked' },
  '30005': { reason: 'invalid_recipient', message: 'Unknown destination handset' },
  '30006': { reason: 'invalid_recipient', message: 'Landline or unreachable carrier: the number cannot receive SMS' },
  '30007': { reason: 'spam_filtered', message: 'Message filtered as spam by the carrier' },
  '30008': { reason: 'provider_error', message: 'Unknown error' },
  '21610': { reason: 'opted_out', message: 'Recipient replied STOP: Twilio refuses to message them' },
};

const STATUS_EVENT: Record<string, IncomingEvent['type']> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'queued', // still on its way to the carrier: not yet accepted downstream
  sent: 'sent',
  delivered: 'delivered',
  read: 'opened', // WhatsApp via Twilio reports reads: a read is an open (KPIS.md)
  // Both end as `failed`: the core tells "undelivered" from "not sent" by whether the message had been sent.
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/** Twilio's default opt-out and opt-in keywords (whole message, any case); the feedback list reads the first too. */
export const OPT_OUT_WORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const OPT_IN_WORDS = new Set(['START', 'UNSTOP', 'YES']);

function channelOf(address: string | undefined): Channel {
  return address?.toLowerCase().startsWith('whatsapp:') ? 'whatsapp' : 'sms';
}

function hintsOf(req: RawRequest): LinkHints {
  let query: Record<string, string> = req.query;
  if (!query[META_MESSAGE_ID] && !query[META_CAMPAIGN_ID]) {
    try {
      query = Object.fromEntries(new URL(req.url).searchParams);
    } catch {
      query = {};
    }
  }
  return { messageId: query[META_MESSAGE_ID] || undefined, campaignId: query[META_CAMPAIGN_ID] || undefined };
}

function costOf(fields: Map<string, string>, event: IncomingEvent, meta: Record<string, unknown>): void {
  const segments = fields.get('NumSegments');
  if (segments && /^\d+$/.test(segments)) event.segments = Number(segments);
  const price = fields.get('Price');
  const unit = fields.get('PriceUnit')?.toUpperCase();
  if (!price || !unit) return;
  meta.price = price;
  meta.priceUnit = unit;
  const converted = decimalToMinor(price, unit);
  if (!converted) return;
  // Twilio writes what was charged as a negative amount; Mesure's cost is positive.
  event.costMinor = Math.abs(converted.minor);
  event.costCurrency = unit;
}

function parseStatus(req: RawRequest, f: Map<string, string>, status: string, now: number, out: ParsedWebhook): void {
  const sid = f.get('MessageSid') || f.get('SmsSid')!;
  const type = STATUS_EVENT[status];
  if (!type) return void out.skipped.push(`status ${status} ignored`);
  const to = f.get('To');
  const recipient = toE164(to);
  const link = linkEvent(PROVIDER, sid, hintsOf(req), recipient)!;
  // Status callbacks carry no event time: the time Mesure receives them is the best there is.
  const event: IncomingEvent = { type, at: now, ...link, providerEventId: `${sid}:${status}` };
  const meta: Record<string, unknown> = {};
  if (to) meta.to = to;
  const dlrDone = f.get('RawDlrDoneDate');
  if (dlrDone) meta.rawDlrDoneDate = dlrDone;
  costOf(f, event, meta);
  if (type === 'failed') {
    const code = f.get('ErrorCode');
    const known = code ? FAILURES[code] : undefined;
    if (status === 'canceled' && !code) {
      event.failureReason = 'other';
      event.failureMessage = 'Canceled before sending';
    } else {
      event.failureReason = known?.reason ?? 'provider_error';
      if (code) event.failureCode = code;
      const message = f.get('ErrorMessage') ?? known?.message;
      if (message) event.failureMessage = message;
    }
    if (event.failureReason === 'opted_out' && recipient) {
      out.optChanges.push({ channel: channelOf(to), address: recipient, optedOut: true, reason: `twilio_${code}` });
    }
  }
  event.meta = meta;
  out.events.push(event);
}

function parseInbound(req: RawRequest, f: Map<string, string>, now: number, out: ParsedWebhook): void {
  const sid = f.get('MessageSid') || f.get('SmsSid')!;
  const fromRaw = f.get('From');
  const from = toE164(fromRaw);
  const body = f.get('Body') ?? '';
  const word = keywordOf(body);
  // With Advanced Opt-Out Twilio names the keyword's meaning itself, including keywords the account added.
  const optType = f.get('OptOutType')?.toUpperCase();
  const optOut = optType === 'STOP' || (optType === undefined && OPT_OUT_WORDS.has(word));
  const optIn = optType === 'START' || (optType === undefined && OPT_IN_WORDS.has(word));
  if (from && (optOut || optIn)) {
    out.optChanges.push({
      channel: channelOf(fromRaw),
      address: from,
      optedOut: optOut,
      reason: optOut ? 'reply_stop' : 'reply_start',
    });
  }
  // WhatsApp replies name the message they answer; an SMS reply only links through the URL's campaign id.
  const repliedTo = f.get('OriginalRepliedMessageSid');
  const link = repliedTo
    ? { ref: { kind: 'provider' as const, provider: PROVIDER, providerMessageId: repliedTo } }
    : linkEvent(PROVIDER, undefined, hintsOf(req), from);
  if (!link) return void out.skipped.push('inbound message names no message');
  const meta = fromRaw ? { from: fromRaw } : undefined;
  out.events.push({ type: 'replied', at: now, ...link, providerEventId: `${sid}:replied`, text: body, meta });
  if (optOut) out.events.push({ type: 'unsubscribed', at: now, ...link, providerEventId: `${sid}:unsubscribed`, text: body });
}

function parse(req: RawRequest, now: number): ReturnType<ProviderAdapter['parse']> {
  const fields = new Map<string, string>();
  for (const [name, values] of formFields(req.rawBody)) fields.set(name, values[0]);
  if (!fields.get('MessageSid') && !fields.get('SmsSid')) return unreadable('no MessageSid: not a messaging webhook');
  const out = emptyParsed();
  const status = (fields.get('MessageStatus') ?? fields.get('SmsStatus'))?.toLowerCase();
  if (status === 'received' || status === 'receiving' || (status === undefined && fields.has('Body'))) {
    parseInbound(req, fields, now, out);
  } else if (status) {
    parseStatus(req, fields, status, now, out);
  } else {
    out.skipped.push('no MessageStatus');
  }
  return parsed(out);
}

export const twilio: ProviderAdapter = {
  name: PROVIDER,
  verify: (req, secret) => verify(req, secret),
  parse,
};
