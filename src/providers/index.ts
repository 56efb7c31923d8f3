// The registry of provider webhook adapters, by the name used in /webhooks/<provider>/<accountId>.

import { mailgun } from './mailgun/mailgun';
import { postmark } from './postmark/postmark';
import { sendgrid } from './sendgrid/sendgrid';
import { twilio } from './twilio/twilio';
import { whatsapp } from './whatsapp/whatsapp';
import { bounded } from './bounds';
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

export { whatsappHandshake, whatsappSecrets } from './whatsapp/whatsapp';
export { REPLAY_WINDOW_MS } from './shared';
export * from './types';
