// The Stripe adapter: verify the webhook signature, then parse invoice events into the domain's InvoiceEvent.
export { verifyStripeSignature, parseSignatureHeader, computeSignature } from './verify';
export type { StripeVerifyResult, StripeVerifyFailure } from './verify';
export { parseStripeEvent } from './parse';
export type { StripeInvoiceEvent, StripeInvoiceSnapshot, StripeParseResult, StripeParseFailure } from './parse';
