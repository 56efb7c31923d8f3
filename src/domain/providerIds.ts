// How a provider's message id is written in Mesure: one form whatever brought it (the send API's answer registered
// with a message, a webhook, an event posted to the API, the send gate's commit), so that the two ends meet.
import type { IncomingEvent } from './types';


/**
 * The id in the one form Mesure stores and looks up:
 * - without blanks around it;
 * - without the angle brackets of the e-mail Message-Id header form: Mailgun's send API answers "<id@domain>",
 *   its webhooks give "id@domain" (event-data.message.headers.message-id);
 * - for SendGrid, the X-Message-Id its send API answered: the webhook's sg_message_id adds a suffix naming the
 *   recipient's copy, "<X-Message-Id>.filter0001…" or ".recvd-…" (an X-Message-Id is base64url: it has no dot).
 * An id of which nothing would be left ("<>", "  ") is kept as given: it still names the same message at both ends.
 */
export function canonicalProviderMessageId(provider: string | null | undefined, raw: string): string {
  let id = raw.trim();
  if (id.length >= 2 && id.startsWith('<') && id.endsWith('>')) id = id.slice(1, -1).trim();
  // Trimmed again: what precedes SendGrid's suffix may end in a space ("a .filter…"), which a second pass would trim.
  if (provider === 'sendgrid') id = (/^(.+?)\.(filter|recvd)/.exec(id)?.[1] ?? id.split('.')[0]).trim();
  return id === '' ? raw : id;
}

/**
 * The event with the provider message ids it carries (its reference, and the id it records on its message) in
 * canonical form: the same object when they already are, as nearly always.
 */
export function withCanonicalProviderIds(e: IncomingEvent): IncomingEvent {
  let out = e;
  if (e.ref.kind === 'provider') {
    const providerMessageId = canonicalProviderMessageId(e.ref.provider, e.ref.providerMessageId);
    if (providerMessageId !== e.ref.providerMessageId) out = { ...e, ref: { kind: 'provider', provider: e.ref.provider, providerMessageId } };
  }
  if (e.providerMessageId !== undefined) {
    const provider = e.provider ?? (e.ref.kind === 'provider' ? e.ref.provider : undefined);
    const providerMessageId = canonicalProviderMessageId(provider, e.providerMessageId);
    if (providerMessageId !== e.providerMessageId) out = { ...out, providerMessageId };
  }
  return out;
}
