// The Stripe adapter: verify the webhook signature, then parse invoice events into the domain's InvoiceEvent.
export { verifyStripeSignature } from './verify';
export { parseStripeEvent } from './parse';
