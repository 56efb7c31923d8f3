// The registry of provider webhook adapters, by the name used in /webhooks/<provider>/<accountId>.

import { mailgun } from './mailgun/mailgun';
import { postmark } from './postmark/postmark';
import { sendgrid } from './sendgrid/sendgrid';
import { OPT_OUT_WORDS as TWILIO_OPT_OUT_WORDS, twilio } from './twilio/twilio';
import { STOP_WORDS as WHATSAPP_STOP_WORDS, whatsapp } from './whatsapp/whatsapp';
import { bounded } from './bounds';
import { keywordOf } from './shared';
import { PROVIDER_NAMES, type ProviderAdapter, type ProviderName } from './types';

// Each one bounded (bounds.ts): whatever a provider sends, what is stored stays within the limits reads rely on.
export const providerAdapters: Readonly<Record<ProviderName, ProviderAdapter>> = {
  whatsapp: bounded(whatsapp),
  twilio: bounded(twilio),
  sendgrid: bounded(sendgrid),
  mailgun: bounded(mailgun),
  postmark: bounded(postmark),
};

/** The adapter for a URL segment, or undefined for a provider Mesure does not know (the route answers 404). */
export function getProviderAdapter(name: string): ProviderAdapter | undefined {
  return (PROVIDER_NAMES as readonly string[]).includes(name) ? providerAdapters[name as ProviderName] : undefined;
}

/**
 * Whether a reply's whole text is an opt-out keyword some adapter acts on (WhatsApp's STOP, ARRET…, Twilio's STOP,
 * CANCEL, QUIT…), in any case, with or without accents and surrounding punctuation: the feedback list calls such a
 * reply an opt-out rather than a reply, whichever way it arrived (a webhook, or POST /v1/events).
 */
export function isOptOutReply(text: string): boolean {
  const word = keywordOf(text);
  return WHATSAPP_STOP_WORDS.has(word) || TWILIO_OPT_OUT_WORDS.has(word);
}

export { whatsappHandshake, whatsappSecrets } from './whatsapp/whatsapp';
export { REPLAY_WINDOW_MS } from './shared';
export * from './types';
