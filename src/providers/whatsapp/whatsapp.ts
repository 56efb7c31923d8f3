// WhatsApp Cloud API webhook adapter: X-Hub-Signature-256 check, the GET subscribe handshake, and statuses,
// inbound replies and marketing preferences mapped to Mesure events and opt-out changes.

import { createHmac } from 'node:crypto';
import type { FailureReason, IncomingEvent } from '../../domain/types';
import {
  bytesEqual,
  emptyParsed,
  header,
  isRecord,
  keywordOf,
  linkEvent,
  missing,
  parsed,
  parseJson,
  refused,
  secondsToMs,
  secretsEqual,
  str,
  toE164,
  unreadable,
  verified,
  META_CAMPAIGN_ID,
  META_MESSAGE_ID,
  type LinkHints,
} from '../shared';
import type { ParsedWebhook, ProviderAdapter, RawRequest } from '../types';

const PROVIDER = 'whatsapp';

/**
 * The stored WhatsApp secret holds two values: the app secret (signs every POST) and the verify token (the GET
 * handshake). Accepted forms: JSON {"appSecret","verifyToken"}, "appSecret:verifyToken" (Meta app secrets are hex,
 * so the first colon splits), or a bare app secret when the handshake is not needed.
 */
export function whatsappSecrets(secret: string): { appSecret: string; verifyToken?: string } {
  const trimmed = secret.trim();
  if (trimmed.startsWith('{')) {
    try {
      const obj: unknown = JSON.parse(trimmed);
      if (isRecord(obj)) return { appSecret: str(obj.appSecret) ?? '', verifyToken: str(obj.verifyToken) };
    } catch {
      return { appSecret: '' };
    }
  }
  const colon = trimmed.indexOf(':');
  if (colon === -1) return { appSecret: trimmed };
  return { appSecret: trimmed.slice(0, colon), verifyToken: trimmed.slice(colon + 1) || undefined };
}

export type HandshakeResult = { ok: true; challenge: string } | { ok: false; status: 400 | 403; reason: string };

/** Meta's GET verification: answer `hub.challenge` as the plain-text body only when the verify token matches. */
export function whatsappHandshake(query: Record<string, string>, verifyToken: string): HandshakeResult {
  const challenge = query['hub.challenge'];
  if (query['hub.mode'] !== 'subscribe' || !challenge) {
    return { ok: false, status: 400, reason: 'not a subscribe request' };
  }
  if (!verifyToken || !secretsEqual(query['hub.verify_token'] ?? '', verifyToken)) {
    return { ok: false, status: 403, reason: 'verify token does not match' };
  }
  return { ok: true, challenge };
}

function verify(req: RawRequest, secret: string): ReturnType<ProviderAdapter['verify']> {
  const { appSecret } = whatsappSecrets(secret);
  if (!appSecret) return refused('no app secret set for this account');
  const sig = header(req, 'x-hub-signature-256');
  if (!sig) return missing('missing X-Hub-Signature-256');
  const m = /^sha256=([0-9a-f]{64})$/i.exec(sig.trim());
  if (!m) return refused('malformed X-Hub-Signature-256');
  const expected = createHmac('sha256', appSecret).update(req.rawBody).digest();
  return bytesEqual(Buffer.from(m[1], 'hex'), expected) ? verified : refused('signature does not match');
}

/** Meta error codes → Mesure failure reasons (issue 4); anything else keeps its code as a provider error. */
const FAILURE_BY_CODE: Record<string, FailureReason> = {
  '131026': 'invalid_recipient',
  '131050': 'opted_out',
  '131049': 'limited_by_provider',
  '131048': 'limited_by_provider',
  '130429': 'rate_limited',
  '131056': 'rate_limited',
  '131047': 'outside_window',
};

const STATUS_EVENT: Record<string, IncomingEvent['type']> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'opened', // a WhatsApp read is an open (KPIS.md)
  failed: 'failed',
};

/** Whole-message replies that mean "stop sending me marketing" (the feedback list reads them too: providers/index.ts). */
export const STOP_WORDS: ReadonlySet<string> = new Set(['STOP', 'ARRET', 'UNSUBSCRIBE', 'STOPALL']);

const REPLY_TYPES = new Set([
  'text',
  'button',
  'interactive',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
]);

/**
 * Senders put `mid=<mesure message id>` (optionally `&cid=<campaign id>`) or JSON
 * {"mesure_message_id": …, "mesure_campaign_id": …} in `biz_opaque_callback_data`; Meta echoes it in statuses.
 */
export function hintsFromCallbackData(data: unknown): LinkHints {
  const raw = str(data)?.trim();
  if (!raw) return {};
  if (raw.startsWith('{')) {
    try {
      const obj: unknown = JSON.parse(raw);
      if (!isRecord(obj)) return {};
      return {
        messageId: str(obj[META_MESSAGE_ID]) ?? str(obj.mid),
        campaignId: str(obj[META_CAMPAIGN_ID]) ?? str(obj.cid),
      };
    } catch {
      return {};
    }
  }
  const params = new URLSearchParams(raw);
  return {
    messageId: params.get('mid') ?? params.get(META_MESSAGE_ID) ?? undefined,
    campaignId: params.get('cid') ?? params.get(META_CAMPAIGN_ID) ?? undefined,
  };
}

function parseStatus(s: unknown, now: number, out: ParsedWebhook): void {
  if (!isRecord(s)) return void out.skipped.push('status is not an object');
  const wamid = str(s.id);
  const status = str(s.status);
  const type = status ? STATUS_EVENT[status] : undefined;
  if (!wamid || !status || !type) return void out.skipped.push(`status ${status ?? '?'} ignored`);
  const recipient = toE164(str(s.recipient_id));
  const link = linkEvent(PROVIDER, wamid, hintsFromCallbackData(s.biz_opaque_callback_data), recipient);
  if (!link) return void out.skipped.push('status names no message');

  const event: IncomingEvent = {
    type,
    at: secondsToMs(s.timestamp) ?? now,
    ...link,
    providerEventId: `${wamid}:${status}`,
  };
  const meta: Record<string, unknown> = {};
  if (str(s.recipient_id)) meta.recipient_id = s.recipient_id;
  if (isRecord(s.pricing)) {
    meta.pricing = s.pricing;
    const category = str(s.pricing.category);
    if (category) event.pricingCategory = category;
  }
  if (isRecord(s.conversation) && str(s.conversation.id)) meta.conversation_id = s.conversation.id;

  if (type === 'failed') {
    const error = Array.isArray(s.errors) && isRecord(s.errors[0]) ? s.errors[0] : {};
    const code = str(error.code);
    event.failureReason = (code && FAILURE_BY_CODE[code]) || 'provider_error';
    if (code) event.failureCode = code;
    const details = isRecord(error.error_data) ? str(error.error_data.details) : undefined;
    const message = str(error.title) ?? str(error.message) ?? details;
    if (message) event.failureMessage = message;
    if (event.failureReason === 'opted_out' && recipient) {
      out.optChanges.push({ channel: 'whatsapp', address: recipient, optedOut: true, reason: `whatsapp_${code}` });
    }
  }
  if (Object.keys(meta).length > 0) event.meta = meta;
  out.events.push(event);
}

function replyText(m: Record<string, unknown>): string | undefined {
  if (isRecord(m.text)) return str(m.text.body);
  if (isRecord(m.button)) return str(m.button.text) ?? str(m.button.payload);
  if (isRecord(m.interactive)) {
    const i = m.interactive;
    const choice = isRecord(i.button_reply) ? i.button_reply : isRecord(i.list_reply) ? i.list_reply : undefined;
    return choice ? str(choice.title) ?? str(choice.id) : undefined;
  }
  return undefined;
}

function parseInbound(m: unknown, now: number, out: ParsedWebhook): void {
  if (!isRecord(m)) return void out.skipped.push('message is not an object');
  const kind = str(m.type) ?? '?';
  if (!REPLY_TYPES.has(kind)) return void out.skipped.push(`inbound ${kind} ignored`);
  const inboundId = str(m.id) ?? '';
  const from = toE164(str(m.from));
  const text = replyText(m);
  const at = secondsToMs(m.timestamp) ?? now;
  // A quick-reply button's payload is the sender's own code: a "STOP" payload is an opt-out whatever its label.
  const payload = isRecord(m.button) ? str(m.button.payload) : undefined;
  const isStop = [text, payload].some((t) => t !== undefined && STOP_WORDS.has(keywordOf(t)));
  if (isStop && from) out.optChanges.push({ channel: 'whatsapp', address: from, optedOut: true, reason: 'reply_stop' });

  const repliedTo = isRecord(m.context) ? str(m.context.id) : undefined;
  if (!repliedTo) return void out.skipped.push('reply without context: names no message');
  const ref = { kind: 'provider', provider: PROVIDER, providerMessageId: repliedTo } as const;
  const replied: IncomingEvent = { type: 'replied', at, ref, providerEventId: `${inboundId}:replied`, text };
  if (from) replied.meta = { from };
  out.events.push(replied);
  if (isStop) out.events.push({ type: 'unsubscribed', at, ref, providerEventId: `${inboundId}:unsubscribed`, text });
}

function parsePreference(p: unknown, out: ParsedWebhook): void {
  if (!isRecord(p) || p.category !== 'marketing_messages') return void out.skipped.push('preference ignored');
  const address = toE164(str(p.wa_id));
  const value = str(p.value);
  if (!address || (value !== 'stop' && value !== 'resume')) return void out.skipped.push('preference ignored');
  out.optChanges.push({
    channel: 'whatsapp',
    address,
    optedOut: value === 'stop',
    reason: `whatsapp_marketing_${value}`,
  });
}

function parse(req: RawRequest, now: number): ReturnType<ProviderAdapter['parse']> {
  const body = parseJson(req);
  if (!body.ok || !isRecord(body.value)) return unreadable('body is not a JSON object');
  if (body.value.object !== 'whatsapp_business_account') return unreadable('object is not whatsapp_business_account');
  const out = emptyParsed();
  const entries = Array.isArray(body.value.entry) ? body.value.entry : [];
  for (const entry of entries) {
    const changes = isRecord(entry) && Array.isArray(entry.changes) ? entry.changes : [];
    for (const change of changes) {
      const value = isRecord(change) && isRecord(change.value) ? change.value : undefined;
      if (!value) continue;
      if (change.field !== 'messages' && change.field !== 'user_preferences') {
        out.skipped.push(`field ${str(change.field) ?? '?'} ignored`);
        continue;
      }
      for (const s of Array.isArray(value.statuses) ? value.statuses : []) parseStatus(s, now, out);
      for (const m of Array.isArray(value.messages) ? value.messages : []) parseInbound(m, now, out);
      for (const p of Array.isArray(value.user_preferences) ? value.user_preferences : []) parsePreference(p, out);
    }
  }
  return parsed(out);
}

export const whatsapp: ProviderAdapter = {
  name: PROVIDER,
  verify: (req, secret) => verify(req, secret),
  parse,
};
