// The one table of who may call what: every route (keyed 'METHOD /url' as Fastify registers it) → the lowest role
// that may call it, or 'public' (no API key or session; the route authenticates the caller itself, if at all).
// The role hook in app.ts reads it, app.ts refuses to start with a /v1, /auth or /webhooks route missing from it,
// and test/blackbox/roles.test.ts calls every route of /openapi.json with each role against it.
import type { Role } from '../services/accounts';

export type Access = 'public' | Role;

/** Roles in order of power: a role may call every route whose lowest role ranks at or below its own. */
export const RANK: Record<Role, number> = { viewer: 0, analyst: 1, owner: 2 };

/** True when `role` may call a route whose lowest role is `needed`. */
export function allows(role: Role, needed: Access): boolean {
  return needed === 'public' || RANK[role] >= RANK[needed];
}

/**
 * Route → lowest role. Rules of thumb: reading figures is viewer; changing campaign work (campaigns, messages,
 * events, links, journeys, orders, suppressions) is analyst; bulk exports of personal data (addresses) are analyst,
 * since a viewer is someone who reads the figures; keys, users, secrets and account-wide settings are owner.
 * A HEAD request is checked as the GET of the same URL.
 */
export const ROUTE_ROLES: Record<string, Access> = {
  // ---------------------------------------------------------------- account and core
  'GET /v1/account': 'viewer',
  'PUT /v1/account': 'owner', // account settings
  'GET /v1/campaigns': 'viewer',
  'POST /v1/campaigns': 'analyst',
  'GET /v1/campaigns/:id': 'viewer',
  'PATCH /v1/campaigns/:id': 'analyst',
  'GET /v1/campaigns/:id/recipients': 'viewer', // one page at a time, as the campaign page shows it
  'GET /v1/retention': 'viewer', // retention cohorts: counts of contacts per cohort month, no person named
  'GET /v1/feedback': 'viewer', // recipients' replies and complaints, one page at a time, as the recipients list shows them
  'GET /v1/feedback/export.csv': 'analyst', // bulk export of personal data (reply texts)
  'GET /v1/products/report': 'viewer', // figures per product type or product
  'GET /v1/products/report.csv': 'viewer', // the same figures as CSV: no personal data
  'GET /v1/campaigns/:id/export.csv': 'analyst', // bulk export of personal data
  'POST /v1/campaigns/:id/messages': 'analyst',
  'POST /v1/events': 'analyst',
  'POST /v1/events/single': 'analyst',
  'GET /v1/overview': 'viewer',
  'GET /v1/series/daily': 'viewer',

  // ---------------------------------------------------------------- provider webhooks and secrets
  'POST /webhooks/:provider/:accountId': 'public', // the provider's signature is the authentication
  'GET /webhooks/whatsapp/:accountId': 'public', // subscribe handshake, checked against the verify token
  'GET /v1/providers': 'viewer', // whether a secret is set and the webhook URL; never the secret
  'PUT /v1/providers/:provider/secret': 'owner', // secret
  'DELETE /v1/providers/:provider/secret': 'owner', // secret

  // ---------------------------------------------------------------- dashboard session (the cookie is checked by the route)
  'POST /auth/login': 'public',
  'GET /auth/me': 'public', // answers 401 itself without a session cookie
  'POST /auth/logout': 'public',
  'POST /auth/account': 'public', // switches the session's account; the route checks the cookie and CSRF token
  'POST /auth/invitations/accept': 'public', // the route checks the cookie and CSRF token, and the invitation
  'POST /auth/password': 'public', // the route checks the cookie, the CSRF token and the current password
  'POST /auth/logout-all': 'public', // the route checks the cookie and CSRF token

  // ---------------------------------------------------------------- keys and users
  'GET /v1/keys': 'owner',
  'POST /v1/keys': 'owner',
  'DELETE /v1/keys/:id': 'owner',
  'GET /v1/users': 'owner',
  'POST /v1/users': 'owner',
  'PATCH /v1/users/:id': 'owner',
  'DELETE /v1/users/:id': 'owner',
  'GET /v1/invitations': 'owner',
  'DELETE /v1/invitations/:id': 'owner',
  'GET /v1/audit': 'owner', // the audit trail: who changed what

  // ---------------------------------------------------------------- tracking
  'GET /l/:token': 'public', // the recipient's click
  'GET /l/:token/*': 'public',
  'GET /q/:token': 'public', // the recipient's scan
  'GET /q/:token/*': 'public',
  'GET /o/:file': 'public', // the open pixel
  'GET /v1/campaigns/:id/links': 'viewer',
  'POST /v1/campaigns/:id/links': 'analyst',
  'POST /v1/campaigns/:id/links/issue': 'analyst',
  'POST /v1/campaigns/:id/qr': 'analyst',
  'POST /v1/rewrite': 'analyst', // issues tracked links
  'DELETE /v1/links/:token': 'analyst',
  'GET /v1/tracking/settings': 'viewer',
  'PATCH /v1/tracking/settings': 'owner', // account-wide settings

  // ---------------------------------------------------------------- journeys, goals, variants, holdouts
  'GET /v1/journeys': 'viewer',
  'POST /v1/journeys': 'analyst',
  'GET /v1/journeys/:id': 'viewer',
  'PATCH /v1/journeys/:id': 'analyst',
  'POST /v1/journeys/:id/steps': 'analyst',
  'POST /v1/journeys/:id/steps/:stepId/campaigns': 'analyst',
  'GET /v1/journeys/:id/report': 'viewer',
  'GET /v1/journeys/:id/steps/:stepId/recipients': 'viewer', // one page at a time, as the journey page shows it
  'GET /v1/journeys/:id/export.csv': 'analyst', // bulk export of personal data
  'POST /v1/campaigns/:id/goals': 'analyst',
  'GET /v1/campaigns/:id/goals': 'viewer',
  'POST /v1/campaigns/:id/holdout': 'analyst',
  'POST /v1/journeys/:id/goals': 'analyst',
  'GET /v1/journeys/:id/goals': 'viewer',
  'POST /v1/journeys/:id/holdout': 'analyst',
  'DELETE /v1/goals/:id': 'analyst',
  'POST /v1/campaigns/:id/audience': 'analyst',
  'POST /v1/campaigns/:id/variants': 'analyst',
  'GET /v1/campaigns/:id/variants': 'viewer',
  'GET /v1/campaigns/:id/lift': 'viewer',
  'GET /v1/journeys/:id/lift': 'viewer',
  'GET /v1/incrementality': 'viewer',

  // ---------------------------------------------------------------- orders and attribution
  'POST /webhooks/shopify/:accountId': 'public', // X-Shopify-Hmac-Sha256 is the authentication
  'GET /v1/shopify/secret': 'owner', // secret (whether it is set)
  'PUT /v1/shopify/secret': 'owner', // secret
  'POST /v1/orders': 'analyst',
  'GET /v1/orders': 'viewer',
  'GET /v1/orders/:id/attribution': 'viewer', // the buyer's key as the orders list shows it
  'GET /v1/messages/:id/orders': 'viewer',
  'POST /v1/orders/import': 'analyst',
  'GET /v1/attribution/compare': 'viewer',
  'GET /v1/attribution/settings': 'viewer',
  'PUT /v1/attribution/settings': 'owner', // account-wide settings
  'GET /v1/attribution/declared-rules': 'viewer',
  'PUT /v1/attribution/declared-rules': 'owner', // account-wide rules; re-maps every stored answer
  'GET /v1/attribution/declared': 'viewer',
  'GET /v1/attribution/data-driven': 'viewer',
  'POST /v1/attribution/data-driven/fit': 'analyst', // as PUT /v1/currency-rates: may credit every order again
  'GET /v1/campaigns/:id/discount-codes': 'viewer',
  'PUT /v1/campaigns/:id/discount-codes': 'analyst',
  'GET /v1/currency-rates': 'viewer',
  'PUT /v1/currency-rates': 'analyst',
  'POST /v1/conversions': 'analyst',
  'POST /v1/conversions/import': 'analyst',
  'GET /v1/conversions': 'viewer', // the person's keys as the orders list shows a buyer's
  'GET /v1/conversions/types': 'viewer',

  // ---------------------------------------------------------------- retention (privacy settings: owners only)
  'GET /v1/retention/settings': 'owner',
  'PUT /v1/retention/settings': 'owner',

  // ---------------------------------------------------------------- scheduled e-mail reports (each member their own;
  // another member's, with ?userId=, owners only: the route checks it)
  'GET /v1/reports/settings': 'viewer',
  'PUT /v1/reports/settings': 'viewer',
  'POST /v1/reports/send': 'viewer',
  'GET /v1/reports': 'owner',

  // ---------------------------------------------------------------- budgets, suppressions, invoices, alerts
  'POST /v1/campaigns/:id/sends': 'analyst',
  'POST /v1/campaigns/:id/sends/commit': 'analyst',
  'POST /v1/campaigns/:id/sends/release': 'analyst',
  'GET /v1/budget': 'viewer',
  'GET /v1/campaigns/:id/budget': 'viewer',
  'GET /v1/budget/settings': 'viewer',
  'PUT /v1/budget/settings': 'owner', // account-wide settings (the money the account may spend)
  'GET /v1/cost-model': 'viewer',
  'PUT /v1/cost-model': 'analyst',
  'GET /v1/campaigns/:id/cost-model': 'viewer',
  'PUT /v1/campaigns/:id/cost-model': 'analyst',
  'DELETE /v1/campaigns/:id/cost-model': 'analyst',
  'GET /v1/suppressions': 'viewer', // one page at a time
  'POST /v1/suppressions': 'analyst',
  'DELETE /v1/suppressions': 'analyst',
  'POST /v1/suppressions/import': 'analyst',
  'GET /v1/suppressions/export.csv': 'analyst', // bulk export of personal data
  'POST /v1/invoices': 'owner', // billing
  'GET /v1/invoices': 'viewer',
  'GET /v1/invoices/unpaid': 'viewer', // the unpaid-invoice banner every user sees
  'PUT /v1/stripe/secret': 'owner', // secret
  'POST /webhooks/stripe/:accountId': 'public', // Stripe-Signature is the authentication
  'PUT /v1/alerts/endpoints': 'owner', // its signing secret is shown once
  'GET /v1/alerts/endpoints': 'analyst', // endpoint URLs often carry a token (chat webhooks); the dashboard shows them to analysts
  'DELETE /v1/alerts/endpoints/:id': 'owner',
  'GET /v1/alerts/deliveries': 'viewer',

  // ---------------------------------------------------------------- one person's data (docs/PRIVACY.md)
  'GET /v1/contacts': 'viewer', // exact lookup of one identifier, one page at a time, as a contact page shows it
  'GET /v1/contacts/:id': 'viewer', // the contact page: the person a recipient row names, as the campaign page shows them
  'GET /v1/contacts/:id/timeline': 'viewer', // the contact page's timeline
  'GET /v1/contacts/:id/export': 'analyst', // everything held on a person
  'DELETE /v1/contacts/:id': 'owner', // erasure cannot be undone
  'POST /v1/contacts/erase': 'owner', // erasure cannot be undone

  // ---------------------------------------------------------------- ingestion dead letters
  'GET /v1/ingestion/dead-letters': 'analyst', // their payloads carry addresses and phone numbers
  'POST /v1/ingestion/dead-letters/:id/retry': 'owner',
  'DELETE /v1/ingestion/dead-letters/:id': 'owner', // what it carried is never applied
};

/** Routes whose URL starts with one of these must have a line above: the app refuses to start otherwise. */
export const GUARDED_PREFIXES = ['/v1', '/auth', '/webhooks'] as const;

/** The table's key for a request or a route: HEAD is answered by the GET route of the same URL. */
export function routeKey(method: string, url: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url}`;
}

/** The lowest role of a route, or undefined when the table has no line for it. */
export function accessOf(method: string, url: string): Access | undefined {
  return Object.hasOwn(ROUTE_ROLES, routeKey(method, url)) ? ROUTE_ROLES[routeKey(method, url)] : undefined;
}
