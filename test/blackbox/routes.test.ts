// Every route of /openapi.json, driven over real sockets against `mesure serve` (a child process) on SQLite and
// PostgreSQL: one case per 'METHOD path' with a valid request on real objects, the status a user expects and what
// they would notice in the body. Provider webhooks are signed as each provider signs them and sent with
// Content-Length. The suite fails when /openapi.json lists a route that has no case here (add one).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachEngineConcurrently } from '../support';
import {
  mailgunSignature, openApiRoutes, postmarkAuthorization, send, sendgridHeaders, sendgridKeys, shopifySignature, startBlackbox,
  stripeSignature, twilioSignature, whatsappSignature, type Answer, type Blackbox, type SendOptions,
} from './harness';
import { answerErrors, answerValidators } from './answers';

const WA_APP_SECRET = 'bb-whatsapp-app-secret-0123456789';
const WA_VERIFY_TOKEN = 'bb-verify-token';
const TWILIO_TOKEN = 'bb0123456789abcdef0123456789abcd';
const MAILGUN_KEY = 'key-bb-mailgun-signing-0123';
const POSTMARK_CREDENTIALS = 'mesure:bb-Long-Random-Password-77';
const SHOPIFY_SECRET = 'bb-shopify-app-secret-0123';
const STRIPE_SECRET = 'whsec_bb_0123456789abcdef';
const SENDGRID = sendgridKeys();
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'correct horse battery staple';

const fixture = (path: string) => readFileSync(new URL(`../../src/providers/${path}`, import.meta.url), 'utf8');

/** What the cases share: the server, its keys, and the real objects made before them. */
interface Ctx {
  bb: Blackbox;
  /** A second account (made with the CLI), where the invited person already has a login. */
  other: { accountId: string; key: string };
  email: string; // an email campaign with three messages, tracked links and a journey step
  emailMessages: string[];
  wa: string; // a WhatsApp campaign with one message sent through the Cloud API
  waMessage: string;
  sms: string; // an SMS campaign with one message sent through Twilio
  ab: string; // a campaign for variants and audience
  gate: string; // a campaign with a budget, for the send gate
  journey: string;
  stepId: string;
  linkToken: string;
  goalToDelete: string;
  alertToDelete: string;
  keyToRevoke: string;
  member: { id: string; email: string };
  memberToRemove: string;
  invitee: { email: string; invitationId?: string; token?: string };
  session: { cookie: string; csrf: string };
  reserved: string[];
  /** Filled by cases for later ones. */
  state: Record<string, string>;
}

interface Case {
  status: number;
  call: (c: Ctx) => Promise<Answer>;
  /** What a user would notice in the answer (and, for changes, in a read after it). */
  check: (a: Answer, c: Ctx) => void | Promise<void>;
}

const api = (c: Ctx, method: string, path: string, opts: SendOptions = {}) => send(c.bb.url, method, path, { key: c.bb.keys.owner, ...opts });
const json = (c: Ctx, method: string, path: string, body?: unknown) => api(c, method, path, body === undefined ? {} : { json: body });
async function ok(c: Ctx, method: string, path: string, body?: unknown, key = c.bb.keys.owner) {
  const r = await send(c.bb.url, method, path, { key, ...(body === undefined ? {} : { json: body }) });
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${r.status}: ${r.text.slice(0, 400)}`);
  return r.json;
}
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const HOUR = 3_600_000;
const sec = () => String(Math.floor(Date.now() / 1000));

/** A message's status as the campaign page lists it. */
async function statusOf(c: Ctx, campaignId: string, messageId: string): Promise<string | undefined> {
  const page = await ok(c, 'GET', `/v1/campaigns/${campaignId}/recipients?limit=100`);
  return (page.items as { messageId: string; status: string }[]).find((i) => i.messageId === messageId)?.status;
}

/**
 * The status once a webhook's events are applied: on SQLite the ingestion worker applies a delivery moments after
 * answering it, so the campaign page shows it within a second or so (waits up to 10 s, then gives what it sees).
 */
async function statusSoon(c: Ctx, campaignId: string, messageId: string, expected: string): Promise<string | undefined> {
  const until = Date.now() + 10_000;
  for (;;) {
    const status = await statusOf(c, campaignId, messageId);
    if (status === expected || Date.now() > until) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------- the cases
// In the order they run: a case may use what an earlier one made (noted where it does).
const CASES: Record<string, Case> = {
  // ------------------------------------------------------------------ account
  'GET /v1/account': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/account'),
    check: (a, c) => expect(a.json).toMatchObject({ id: c.bb.accountId, name: 'Routes shop', currency: 'EUR' }),
  },
  'PUT /v1/account': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/account', { name: 'Routes shop renamed', timeZone: 'America/New_York' }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ name: 'Routes shop renamed', timeZone: 'America/New_York' });
      expect((await ok(c, 'GET', '/v1/account')).name).toBe('Routes shop renamed');
    },
  },

  // ------------------------------------------------------------------ campaigns, messages, events
  'POST /v1/campaigns': {
    status: 201,
    call: (c) => json(c, 'POST', '/v1/campaigns', { name: 'Autumn letters', channel: 'mail' }),
    check: (a, c) => {
      expect(a.json).toMatchObject({ name: 'Autumn letters', channel: 'mail' });
      c.state.created = a.json.id;
    },
  },
  'GET /v1/campaigns': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/campaigns?limit=50&channel=email'),
    check: (a) => {
      const names = (a.json.items as { name: string; channel: string }[]).map((i) => i.name);
      expect(names).toContain('Spring sale');
      expect(names).not.toContain('Autumn letters');
    },
  },
  'PATCH /v1/campaigns/{id}': {
    status: 200,
    call: (c) => json(c, 'PATCH', `/v1/campaigns/${c.state.created}`, { name: 'Autumn letters (final)' }),
    check: async (a, c) => {
      expect(JSON.stringify(a.json)).toContain('Autumn letters (final)');
      expect((await ok(c, 'GET', `/v1/campaigns/${c.state.created}`)).campaign.name).toBe('Autumn letters (final)');
    },
  },
  'GET /v1/campaigns/{id}': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.email}`),
    check: (a, c) => expect(a.json.campaign).toMatchObject({ id: c.email, name: 'Spring sale', channel: 'email' }),
  },
  'POST /v1/campaigns/{id}/messages': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.state.created}/messages`, { messages: [{ recipient: { externalId: 'cust-1', address: { name: 'Ana', line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' } } }] }),
    check: (a) => expect(a.json).toMatchObject({ created: 1, existing: 0 }),
  },
  'POST /v1/events': {
    status: 200,
    call: (c) => json(c, 'POST', '/v1/events', { events: [{ type: 'sent', at: ago(2 * HOUR), messageId: c.emailMessages[0] }, { type: 'delivered', at: ago(HOUR), messageId: c.emailMessages[0] }] }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ received: 2, applied: 2 });
      expect(await statusOf(c, c.email, c.emailMessages[0])).toBe('delivered');
    },
  },
  'POST /v1/events/single': {
    status: 200,
    call: (c) => json(c, 'POST', '/v1/events/single', { type: 'opened', at: ago(HOUR / 2), messageId: c.emailMessages[0] }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ received: 1, applied: 1 });
      expect(await statusOf(c, c.email, c.emailMessages[0])).toBe('opened');
    },
  },
  'GET /v1/campaigns/{id}/recipients': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.email}/recipients?limit=2`),
    check: (a) => {
      expect(a.json.items).toHaveLength(2);
      expect(a.json.nextCursor).toBeTruthy();
    },
  },
  'GET /v1/campaigns/{id}/export.csv': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.email}/export.csv`),
    check: (a, c) => {
      expect(a.headers['content-type']).toMatch(/^text\/csv/);
      const lines = a.text.trim().split(/\r?\n/);
      expect(lines[0]).toMatch(/^messageId,recipient,status,/);
      expect(lines).toHaveLength(4);
      expect(lines.find((l) => l.startsWith(c.emailMessages[0]))).toContain('opened');
    },
  },
  'GET /v1/overview': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/overview'),
    // Three emails sent, one of them delivered and opened (the events above).
    check: (a) => {
      expect(a.json.cards.messagesSent.value).toBe(3);
      expect(a.json.figures).toMatchObject({ sent: 3, delivered: 1, opened: 1 });
    },
  },
  'GET /v1/series/daily': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/series/daily?from=${ago(40 * 24 * HOUR).slice(0, 10)}&to=${new Date(Date.now() + 24 * HOUR).toISOString().slice(0, 10)}`),
    check: (a) => {
      const days = a.json.days as { date: string; sent: number }[];
      expect(days.length).toBeGreaterThan(40);
      expect(days.reduce((n, d) => n + d.sent, 0)).toBe(3);
    },
  },

  // ------------------------------------------------------------------ provider secrets and webhooks
  'GET /v1/providers': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/providers'),
    check: (a, c) => {
      const items = a.json.items as { provider: string; configured: boolean; webhookUrl: string }[];
      expect(items.map((i) => i.provider)).toEqual(['whatsapp', 'twilio', 'sendgrid', 'mailgun', 'postmark']);
      expect(items.every((i) => i.configured && i.webhookUrl.includes(c.bb.accountId))).toBe(true);
      for (const secret of [WA_APP_SECRET, TWILIO_TOKEN, MAILGUN_KEY, 'bb-Long-Random-Password-77']) expect(a.text).not.toContain(secret);
      // Only the last four characters of each secret: TWILIO_TOKEN ends in "abcd", MAILGUN_KEY in "0123".
      const hint = (p: string) => (a.json.items as { provider: string; secretHint: string }[]).find((i) => i.provider === p)!.secretHint;
      expect([hint('twilio'), hint('mailgun')]).toEqual(['…abcd', '…0123']);
    },
  },
  'PUT /v1/providers/{provider}/secret': {
    status: 204,
    call: (c) => json(c, 'PUT', '/v1/providers/whatsapp/secret', { secret: `${WA_APP_SECRET}:${WA_VERIFY_TOKEN}` }),
    check: async (_a, c) => expect((await ok(c, 'GET', '/v1/providers')).items[0]).toMatchObject({ provider: 'whatsapp', configured: true }),
  },
  'GET /webhooks/whatsapp/{accountId}': {
    status: 200,
    call: (c) => send(c.bb.url, 'GET', `/webhooks/whatsapp/${c.bb.accountId}?hub.mode=subscribe&hub.verify_token=${WA_VERIFY_TOKEN}&hub.challenge=1158201444`),
    check: (a) => expect(a.text).toBe('1158201444'),
  },
  'POST /webhooks/{provider}/{accountId}': {
    // WhatsApp here; Twilio, SendGrid, Mailgun and Postmark in the provider tests below.
    status: 200,
    call: (c) => {
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '1' }, statuses: [{ id: 'wamid.BB0000000000000000000000000000001', status: 'delivered', timestamp: String(Math.floor(Date.now() / 1000) - 60), recipient_id: '33612345601' }] } }] }],
      });
      return send(c.bb.url, 'POST', `/webhooks/whatsapp/${c.bb.accountId}`, { body, contentType: 'application/json', headers: { 'x-hub-signature-256': whatsappSignature(body, WA_APP_SECRET) } });
    },
    check: async (a, c) => {
      expect(a.json).toMatchObject({ stored: true, events: 1 });
      expect(await statusSoon(c, c.wa, c.waMessage, 'delivered')).toBe('delivered');
    },
  },
  'DELETE /v1/providers/{provider}/secret': {
    status: 204,
    call: (c) => json(c, 'DELETE', '/v1/providers/postmark/secret'),
    check: async (_a, c) => {
      expect((await ok(c, 'GET', '/v1/providers')).items.find((i: { provider: string }) => i.provider === 'postmark').configured).toBe(false);
      // Postmark's deliveries are refused from then on.
      const body = fixture('postmark/fixtures/delivery.json');
      const r = await send(c.bb.url, 'POST', `/webhooks/postmark/${c.bb.accountId}`, { body, contentType: 'application/json', headers: { authorization: postmarkAuthorization(POSTMARK_CREDENTIALS) } });
      expect(r.status).toBe(403);
    },
  },

  // ------------------------------------------------------------------ dashboard session
  'POST /auth/login': {
    status: 200,
    call: (c) => send(c.bb.url, 'POST', '/auth/login', { json: { email: c.invitee.email, password: PASSWORD } }),
    check: (a, c) => {
      const cookie = String(a.headers['set-cookie'] ?? '');
      expect(cookie).toMatch(/^mesure_session=[^;]+;.*HttpOnly/);
      expect(a.json.csrfToken).toBeTruthy();
      c.session = { cookie: cookie.split(';')[0], csrf: a.json.csrfToken };
    },
  },
  'GET /auth/me': {
    status: 200,
    call: (c) => send(c.bb.url, 'GET', '/auth/me', { headers: { cookie: c.session.cookie } }),
    check: (a, c) => expect(JSON.stringify(a.json)).toContain(c.invitee.email),
  },
  'POST /auth/invitations/accept': {
    status: 200,
    call: (c) => send(c.bb.url, 'POST', '/auth/invitations/accept', { json: { token: c.invitee.token }, headers: { cookie: c.session.cookie, 'x-csrf-token': c.session.csrf } }),
    check: async (a, c) => {
      expect(JSON.stringify(a.json)).toContain(c.bb.accountId);
      // The session now opens this account: the campaigns are this account's.
      const r = await send(c.bb.url, 'GET', '/v1/campaigns?limit=50', { headers: { cookie: c.session.cookie } });
      expect(r.text).toContain('Spring sale');
    },
  },
  'POST /auth/account': {
    status: 200,
    call: (c) => send(c.bb.url, 'POST', '/auth/account', { json: { accountId: c.other.accountId }, headers: { cookie: c.session.cookie, 'x-csrf-token': c.session.csrf } }),
    check: async (a, c) => {
      expect(JSON.stringify(a.json)).toContain(c.other.accountId);
      const r = await send(c.bb.url, 'GET', '/v1/account', { headers: { cookie: c.session.cookie } });
      expect(r.json.id).toBe(c.other.accountId);
    },
  },
  'POST /auth/logout': {
    status: 204,
    call: (c) => send(c.bb.url, 'POST', '/auth/logout', { headers: { cookie: c.session.cookie, 'x-csrf-token': c.session.csrf } }),
    check: async (a, c) => {
      expect(String(a.headers['set-cookie'])).toMatch(/Max-Age=0/);
      expect((await send(c.bb.url, 'GET', '/auth/me', { headers: { cookie: c.session.cookie } })).status).toBe(401);
    },
  },
  'POST /auth/password': {
    status: 200,
    // A fresh session changes the password: the one logged out above stays out, this one stays in.
    call: async (c) => {
      const login = await send(c.bb.url, 'POST', '/auth/login', { json: { email: c.invitee.email, password: PASSWORD } });
      c.session = { cookie: String(login.headers['set-cookie']).split(';')[0], csrf: login.json.csrfToken };
      return send(c.bb.url, 'POST', '/auth/password', { json: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, headers: { cookie: c.session.cookie, 'x-csrf-token': c.session.csrf } });
    },
    check: async (a, c) => {
      expect(a.json).toEqual({ endedSessions: 0 });
      expect((await send(c.bb.url, 'GET', '/auth/me', { headers: { cookie: c.session.cookie } })).status).toBe(200);
      expect((await send(c.bb.url, 'POST', '/auth/login', { json: { email: c.invitee.email, password: PASSWORD } })).status).toBe(401);
    },
  },
  'POST /auth/logout-all': {
    status: 200,
    call: async (c) => {
      // A second session elsewhere: both end.
      const login = await send(c.bb.url, 'POST', '/auth/login', { json: { email: c.invitee.email, password: NEW_PASSWORD } });
      c.state.elsewhere = String(login.headers['set-cookie']).split(';')[0];
      return send(c.bb.url, 'POST', '/auth/logout-all', { headers: { cookie: c.session.cookie, 'x-csrf-token': c.session.csrf } });
    },
    check: async (a, c) => {
      expect(a.json).toEqual({ endedSessions: 2 });
      expect(String(a.headers['set-cookie'])).toMatch(/Max-Age=0/);
      for (const cookie of [c.session.cookie, c.state.elsewhere]) expect((await send(c.bb.url, 'GET', '/auth/me', { headers: { cookie } })).status).toBe(401);
    },
  },

  // ------------------------------------------------------------------ keys, users, invitations
  'GET /v1/keys': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/keys'),
    check: (a, c) => {
      expect((a.json.items as { role: string }[]).map((k) => k.role).sort()).toEqual(['analyst', 'owner', 'viewer', 'viewer']);
      for (const key of Object.values(c.bb.keys)) expect(a.text).not.toContain(key);
    },
  },
  'POST /v1/keys': {
    status: 201,
    call: (c) => json(c, 'POST', '/v1/keys', { name: 'CI export', role: 'analyst' }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ name: 'CI export', role: 'analyst', key: expect.stringMatching(/^mesure_/) });
      expect((await send(c.bb.url, 'GET', '/v1/account', { key: a.json.key })).status).toBe(200);
    },
  },
  'DELETE /v1/keys/{id}': {
    status: 204,
    call: (c) => json(c, 'DELETE', `/v1/keys/${c.keyToRevoke}`),
    check: async (_a, c) => expect((await send(c.bb.url, 'GET', '/v1/account', { key: c.state.revokedKey })).status).toBe(401),
  },
  'GET /v1/users': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/users'),
    check: (a, c) => {
      expect(JSON.stringify(a.json.items)).toContain(c.member.email);
      expect(a.text).not.toContain(PASSWORD);
    },
  },
  'POST /v1/users': {
    status: 201,
    call: (c) => json(c, 'POST', '/v1/users', { email: 'new.analyst@shop.test', password: PASSWORD, role: 'analyst' }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ email: 'new.analyst@shop.test', role: 'analyst' });
      const login = await send(c.bb.url, 'POST', '/auth/login', { json: { email: 'new.analyst@shop.test', password: PASSWORD } });
      expect(login.status).toBe(200);
    },
  },
  'PATCH /v1/users/{id}': {
    status: 200,
    call: (c) => json(c, 'PATCH', `/v1/users/${c.member.id}`, { role: 'viewer' }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ role: 'viewer' });
      expect((await ok(c, 'GET', '/v1/users')).items.find((u: { id: string }) => u.id === c.member.id).role).toBe('viewer');
    },
  },
  'DELETE /v1/users/{id}': {
    status: 204,
    call: (c) => json(c, 'DELETE', `/v1/users/${c.memberToRemove}`),
    check: async (_a, c) => expect(JSON.stringify((await ok(c, 'GET', '/v1/users')).items)).not.toContain(c.memberToRemove),
  },
  'GET /v1/invitations': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/invitations'),
    check: (a, c) => {
      expect(JSON.stringify(a.json.items)).toContain(c.state.pendingInvitee);
      expect(a.text).not.toContain(c.state.pendingInvitationToken);
    },
  },
  'DELETE /v1/invitations/{id}': {
    status: 204,
    call: (c) => json(c, 'DELETE', `/v1/invitations/${c.state.pendingInvitationId}`),
    check: async (_a, c) => expect(JSON.stringify((await ok(c, 'GET', '/v1/invitations')).items)).not.toContain(c.state.pendingInvitee),
  },
  'GET /v1/audit': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/audit?limit=1'),
    check: (a, c) => {
      // The newest entry is the invitation just revoked, by the owner key; more entries follow on the next page.
      expect(a.json.items).toHaveLength(1);
      expect(a.json.items[0]).toMatchObject({ action: 'invitation.revoke', target: c.state.pendingInvitationId, actor: { type: 'key', name: 'first key' } });
      expect(a.json.nextCursor).toBe(a.json.items[0].id);
    },
  },

  // ------------------------------------------------------------------ tracking
  'GET /v1/campaigns/{id}/links': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.email}/links`),
    check: (a) => expect(JSON.stringify(a.json.destinations)).toContain('https://shop.example/spring'),
  },
  'POST /v1/campaigns/{id}/links': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.email}/links`, { destinations: ['https://shop.example/spring', 'https://shop.example/lookbook'] }),
    check: async (_a, c) => expect(JSON.stringify(await ok(c, 'GET', `/v1/campaigns/${c.email}/links`))).toContain('https://shop.example/lookbook'),
  },
  'POST /v1/campaigns/{id}/links/issue': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.email}/links/issue`, { messageIds: [c.emailMessages[1]] }),
    check: (a, c) => {
      expect(a.json.messages).toHaveLength(1);
      expect(a.json.messages[0].messageId).toBe(c.emailMessages[1]);
      expect(JSON.stringify(a.json.messages[0])).toContain(`${c.bb.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, '')}`);
    },
  },
  'POST /v1/campaigns/{id}/qr': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.email}/qr`, { messageIds: [c.emailMessages[1]], format: 'svg' }),
    check: (a, c) => {
      expect(a.json.format).toBe('svg');
      expect(a.json.codes).toHaveLength(1);
      expect(a.json.codes[0]).toMatchObject({ messageId: c.emailMessages[1], dataUrl: expect.stringMatching(/^data:image\/svg\+xml;base64,/) });
    },
  },
  'POST /v1/rewrite': {
    status: 200,
    call: (c) => json(c, 'POST', '/v1/rewrite', { messageId: c.emailMessages[2], format: 'html', body: '<p><a href="https://shop.example/spring">Shop</a></p>' }),
    check: (a) => {
      expect(a.json.body).not.toContain('href="https://shop.example/spring"');
      expect(a.json.body).toMatch(/href="[^"]+\/l\/[^"]+"/);
    },
  },
  'DELETE /v1/links/{token}': {
    status: 200,
    call: (c) => json(c, 'DELETE', `/v1/links/${c.linkToken}`),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ revoked: true, alreadyRevoked: false });
      expect((await send(c.bb.url, 'GET', `/l/${c.linkToken}`)).status).toBe(404);
    },
  },
  'GET /v1/tracking/settings': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/tracking/settings'),
    check: (a) => expect(a.json).toMatchObject({ utm: true, utmSource: 'mesure', clickIdParam: 'mesure_cid' }),
  },
  'PATCH /v1/tracking/settings': {
    status: 200,
    call: (c) => json(c, 'PATCH', '/v1/tracking/settings', { utmSource: 'mesure-bb' }),
    check: async (a, c) => {
      expect(a.json.utmSource).toBe('mesure-bb');
      expect((await ok(c, 'GET', '/v1/tracking/settings')).utmSource).toBe('mesure-bb');
    },
  },

  // ------------------------------------------------------------------ journeys, goals, holdouts, variants
  'GET /v1/journeys': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/journeys'),
    check: (a) => expect((a.json.items as { name: string }[]).map((j) => j.name)).toContain('Welcome series'),
  },
  'POST /v1/journeys': {
    status: 201,
    call: (c) => json(c, 'POST', '/v1/journeys', { name: 'Win-back', steps: [{ name: 'Reminder', channel: 'sms', delayMinutes: 0 }] }),
    check: (a, c) => {
      expect(a.json).toMatchObject({ name: 'Win-back' });
      expect(a.json.steps).toHaveLength(1);
      c.state.journey = a.json.id;
    },
  },
  'GET /v1/journeys/{id}': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/journeys/${c.journey}`),
    check: (a, c) => {
      expect(a.json.name).toBe('Welcome series');
      expect(JSON.stringify(a.json.steps)).toContain(c.email);
    },
  },
  'PATCH /v1/journeys/{id}': {
    status: 200,
    call: (c) => json(c, 'PATCH', `/v1/journeys/${c.state.journey}`, { status: 'paused' }),
    check: async (a, c) => {
      expect(a.json.status).toBe('paused');
      expect((await ok(c, 'GET', `/v1/journeys/${c.state.journey}`)).status).toBe('paused');
    },
  },
  'POST /v1/journeys/{id}/steps': {
    status: 201,
    call: (c) => json(c, 'POST', `/v1/journeys/${c.state.journey}/steps`, { name: 'Last call', channel: 'email', delayMinutes: 1440 }),
    check: async (_a, c) => expect((await ok(c, 'GET', `/v1/journeys/${c.state.journey}`)).steps).toHaveLength(2),
  },
  'POST /v1/journeys/{id}/holdout': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/journeys/${c.state.journey}/holdout`, { share: 0.1 }),
    check: (a) => expect(a.json).toEqual({ share: 0.1 }),
  },
  'POST /v1/journeys/{id}/steps/{stepId}/campaigns': {
    status: 200,
    call: async (c) => {
      const j = await ok(c, 'GET', `/v1/journeys/${c.state.journey}`);
      return json(c, 'POST', `/v1/journeys/${c.state.journey}/steps/${j.steps[0].id}/campaigns`, { campaignIds: [c.sms] });
    },
    check: async (_a, c) => expect(JSON.stringify((await ok(c, 'GET', `/v1/journeys/${c.state.journey}`)).steps[0])).toContain(c.sms),
  },
  'GET /v1/journeys/{id}/report': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/journeys/${c.journey}/report?metrics=sent,delivered`),
    check: (a) => {
      expect(a.json.metrics).toEqual({ sent: 3, delivered: 1 });
      expect(a.json.steps).toEqual([expect.objectContaining({ name: 'Welcome', audience: 3, sent: 3, delivered: 1 })]);
    },
  },
  'GET /v1/journeys/{id}/steps/{stepId}/recipients': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/journeys/${c.journey}/steps/${c.stepId}/recipients?limit=10`),
    check: (a, c) => expect((a.json.items as { messageId: string }[]).map((i) => i.messageId).sort()).toEqual([...c.emailMessages].sort()),
  },
  'GET /v1/journeys/{id}/export.csv': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/journeys/${c.journey}/export.csv`),
    check: (a, c) => {
      expect(a.headers['content-type']).toMatch(/^text\/csv/);
      const lines = a.text.trim().split(/\r?\n/);
      expect(lines[0]).toMatch(/^step,stepName,channel,/);
      expect(lines).toHaveLength(1 + c.emailMessages.length);
    },
  },
  'POST /v1/campaigns/{id}/goals': {
    status: 201,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.email}/goals`, { kind: 'target', name: 'Reach everyone', metric: 'sent', comparator: '>=', target: 3 }),
    // The three messages of the campaign were sent: the goal of three is reached.
    check: (a) => expect(a.json).toMatchObject({ kind: 'target', metric: 'sent', value: 3, progress: 1, achieved: true }),
  },
  'GET /v1/campaigns/{id}/goals': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.email}/goals`),
    check: (a) => expect((a.json.goals as { name: string }[]).map((g) => g.name)).toContain('Reach everyone'),
  },
  'DELETE /v1/goals/{id}': {
    status: 204,
    call: (c) => json(c, 'DELETE', `/v1/goals/${c.goalToDelete}`),
    check: async (_a, c) => expect(JSON.stringify(await ok(c, 'GET', `/v1/journeys/${c.journey}/goals`))).not.toContain(c.goalToDelete),
  },
  'POST /v1/journeys/{id}/goals': {
    status: 201,
    call: (c) => json(c, 'POST', `/v1/journeys/${c.journey}/goals`, { kind: 'target', name: 'Opens', metric: 'openRate', comparator: '>=', target: 0.4 }),
    check: (a) => expect(a.json).toMatchObject({ kind: 'target', metric: 'openRate' }),
  },
  'GET /v1/journeys/{id}/goals': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/journeys/${c.journey}/goals`),
    check: (a) => expect((a.json.goals as { name: string }[]).map((g) => g.name)).toContain('Opens'),
  },
  'POST /v1/campaigns/{id}/holdout': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.ab}/holdout`, { share: 0.2 }),
    check: (a) => expect(a.json).toEqual({ share: 0.2 }),
  },
  'POST /v1/campaigns/{id}/variants': {
    status: 201,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.ab}/variants`, { variants: [{ id: 'A', name: 'Control', split: 0.5 }, { id: 'B', name: 'Emoji subject', split: 0.5 }] }),
    check: (a) => expect(a.json.variants).toEqual([
      expect.objectContaining({ variant: 'A', name: 'Control', split: 0.5, isControl: true }),
      expect.objectContaining({ variant: 'B', name: 'Emoji subject', split: 0.5, isControl: false }),
    ]),
  },
  'POST /v1/campaigns/{id}/audience': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.ab}/audience`, { recipients: Array.from({ length: 20 }, (_, i) => ({ recipient: { email: `ab${i}@shop.test` } })) }),
    check: (a) => {
      const items = a.json.recipients as { heldOut?: boolean; variant?: string | null }[];
      expect(items).toHaveLength(20);
      expect(JSON.stringify(a.json)).toMatch(/"variant":"[AB]"/);
    },
  },
  'GET /v1/campaigns/{id}/variants': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.ab}/variants`),
    check: (a) => expect(JSON.stringify(a.json)).toContain('Emoji subject'),
  },
  'GET /v1/campaigns/{id}/lift': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.ab}/lift?windowDays=7`),
    // 20 recipients with a 20 % holdout: 4 or so kept back, too few to conclude, and the answer says so.
    check: (a) => {
      expect(a.json).toMatchObject({ holdoutShare: 0.2, windowDays: 7, status: 'not_enough_data' });
      expect(a.json.treated.n + a.json.holdout.n).toBe(20);
      // Which of the 20 contacts fall in the holdout is drawn per contact (share 0.2): none in 0.8^20 ≈ 1.2 % of runs,
      // so the split itself is not asserted here (src/domain/stats/holdout.test.ts holds the share on 100,000 contacts).
    },
  },
  'GET /v1/journeys/{id}/lift': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/journeys/${c.journey}/lift`),
    check: (a, c) => expect(a.json).toMatchObject({ journeyId: c.journey, holdoutShare: 0, status: 'not_enough_data', treated: { n: 3 }, holdout: { n: 0 } }),
  },

  'GET /v1/incrementality': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/incrementality'),
    // The A/B campaign's holdout (20 recipients) is listed, too small to pool: no channel has a factor yet.
    check: (a, c) => {
      expect(a.json.channels.map((x: { channel: string }) => x.channel)).toEqual(['whatsapp', 'sms', 'email', 'mail']);
      expect(a.json.channels.every((x: { factor: unknown; suggestion: unknown }) => x.factor === null && x.suggestion === null)).toBe(true);
      expect(a.json.campaigns.find((x: { campaignId: string }) => x.campaignId === c.ab)).toMatchObject({ holdoutShare: 0.2, status: 'not_enough_data', pooled: false });
    },
  },

  // ------------------------------------------------------------------ orders and attribution
  'GET /v1/shopify/secret': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/shopify/secret'),
    check: (a, c) => expect(a.json).toEqual({ configured: false, secretHint: null, webhookUrl: expect.stringMatching(new RegExp(`/webhooks/shopify/${c.bb.accountId}$`)) }),
  },
  'PUT /v1/shopify/secret': {
    status: 204,
    call: (c) => json(c, 'PUT', '/v1/shopify/secret', { secret: SHOPIFY_SECRET }),
    check: async (_a, c) => expect((await ok(c, 'GET', '/v1/shopify/secret')).configured).toBe(true),
  },
  'POST /webhooks/shopify/{accountId}': {
    status: 200,
    call: (c) => {
      const body = fixture('shopify/fixtures/orders-create.json');
      return send(c.bb.url, 'POST', `/webhooks/shopify/${c.bb.accountId}`, {
        body, contentType: 'application/json',
        headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': shopifySignature(body, SHOPIFY_SECRET), 'x-shopify-event-id': 'bb-evt-1', 'x-shopify-webhook-id': 'bb-wh-1', 'x-shopify-shop-domain': 'bb.myshopify.com' },
      });
    },
    check: async (_a, c) => {
      const orders = await ok(c, 'GET', '/v1/orders?limit=100');
      expect((orders.items as { externalId: string; source: string }[]).find((o) => o.source === 'shopify')).toMatchObject({ externalId: '820982911946154508' });
    },
  },
  'POST /v1/orders': {
    status: 200,
    call: (c) => json(c, 'POST', '/v1/orders', { orders: [{ id: 'bb-order-1', createdAt: ago(HOUR / 4), currency: 'EUR', total: 4990, customer: { email: 'r1@shop.test' } }] }),
    check: async (_a, c) => {
      const orders = await ok(c, 'GET', '/v1/orders?limit=100');
      expect((orders.items as { externalId: string }[]).map((o) => o.externalId)).toContain('bb-order-1');
    },
  },
  'GET /v1/orders': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/orders?limit=10'),
    check: (a) => expect(a.json.items.find((o: { externalId: string }) => o.externalId === 'bb-order-1')).toMatchObject({ net: 4990 }),
  },
  'GET /v1/orders/{id}/attribution': {
    status: 200,
    call: async (c) => {
      const orders = await ok(c, 'GET', '/v1/orders?limit=100');
      const id = (orders.items as { id: string; externalId: string }[]).find((o) => o.externalId === 'bb-order-1')!.id;
      return json(c, 'GET', `/v1/orders/${id}/attribution`);
    },
    // bb-order-1 (49.90, buyer r1 by e-mail): r1's e-mail message was opened by a human inside the 5-day open window
    // (see the compare case below); no direct touch, so that open is the whole credit under every model.
    check: (a, c) => {
      expect(a.json).toMatchObject({ model: 'last_touch', direct: false, storedMatches: true, contact: { matchedBy: 'email', key: 'r1@shop.test' } });
      const counted = (a.json.touches as { campaignId: string; kind: string; counted: boolean }[]).filter((t) => t.counted);
      expect(counted).toMatchObject([{ campaignId: c.email, kind: 'open' }]);
      expect(a.json.stored).toMatchObject([{ campaignId: c.email, revenue: 4990, weightMicro: 1_000_000, direct: false }]);
      for (const model of ['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay']) expect(a.json.credits[model]).toMatchObject([{ campaignId: c.email, revenue: 4990 }]);
    },
  },
  'GET /v1/messages/{id}/orders': {
    status: 200,
    call: async (c) => {
      const r1 = (await ok(c, 'GET', `/v1/campaigns/${c.email}/recipients?q=r1@shop.test`)).items[0].messageId as string;
      return json(c, 'GET', `/v1/messages/${r1}/orders`);
    },
    // r1's e-mail message (sent 3 h before the order) and r1's one order, bb-order-1, credited to it (see the case above).
    check: (a, c) => {
      expect(a.json).toMatchObject({ campaignId: c.email, model: 'last_touch' });
      expect(a.json.items).toMatchObject([{ externalId: 'bb-order-1', revenue: 4990, credited: true, creditRevenue: 4990 }]);
    },
  },
  'POST /v1/orders/import': {
    status: 200,
    call: (c) => api(c, 'POST', '/v1/orders/import?mapping=generic', {
      body: `order_id,created_at,currency,total\nbb-csv-1,${ago(HOUR)},EUR,12.50\nbb-csv-2,${ago(HOUR)},EUR,7.00\n`, contentType: 'text/csv',
    }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ orders: 2, created: 2, rejected: 0 });
      const ids = (await ok(c, 'GET', '/v1/orders?limit=100')).items.map((o: { externalId: string }) => o.externalId);
      expect(ids).toEqual(expect.arrayContaining(['bb-csv-1', 'bb-csv-2']));
    },
  },
  'POST /v1/conversions': {
    status: 200,
    call: (c) => json(c, 'POST', '/v1/conversions', { type: 'signup', occurredAt: ago(HOUR / 4), idempotencyKey: 'bb-signup-1', customer: { email: 'R1@shop.test' }, value: 500 }),
    // r1 is the contact bb-order-1 matched by e-mail (lower-cased as orders' are); a value without a currency is in the account's.
    check: (a) => expect(a.json).toMatchObject({ type: 'signup', idempotencyKey: 'bb-signup-1', matchedBy: 'email', customer: { email: 'r1@shop.test' }, value: 500, currency: 'EUR', source: 'api' }),
  },
  'POST /v1/conversions/import': {
    status: 200,
    call: (c) => api(c, 'POST', '/v1/conversions/import', { body: `type,occurred_at,idempotency_key,email,value\nbooking,${ago(HOUR)},bb-booking-1,r2@shop.test,12.50\n`, contentType: 'text/csv' }),
    check: (a) => expect(a.json).toEqual({ lines: 1, conversions: 1, created: 1, unchanged: 0, rejected: 0, rejections: [] }),
  },
  'GET /v1/conversions': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/conversions?limit=10'),
    check: (a) => {
      const items = a.json.items as { idempotencyKey: string; value: number | null }[];
      expect(items.find((i) => i.idempotencyKey === 'bb-booking-1')).toMatchObject({ value: 1250 });
      expect(items.find((i) => i.idempotencyKey === 'bb-signup-1')).toMatchObject({ value: 500 });
    },
  },
  'GET /v1/conversions/types': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/conversions/types'),
    check: (a) => expect(a.json).toEqual({ types: [{ type: 'booking', count: 1 }, { type: 'signup', count: 1 }] }),
  },
  'GET /v1/attribution/compare': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/attribution/compare'),
    // The Shopify order, the API order and the two imported ones, three of them in the last 30 days (the Shopify
    // fixture's order is older). Only the API order has a touch: its buyer r1 opened the e-mail campaign's message
    // (sent 3 h before) 30 minutes before the call that opened it, inside the 5-day open window, and bought 15 minutes
    // before its own, later call. Its message was registered after the order's time but sent before it, so it counts
    // (ATTRIBUTION.md, "When a message counts from"). One touch: every model gives the campaign 1 conversion and the
    // order's 49.90 (no tax), influenced.
    check: (a, c) => {
      expect(a.json).toMatchObject({ accountModel: 'last_touch', orders: 3 });
      expect(a.json.campaigns).toHaveLength(1);
      expect(a.json.campaigns[0].campaignId).toBe(c.email);
      for (const model of ['last_touch', 'first_touch', 'linear', 'position_based', 'time_decay']) {
        expect(a.json.campaigns[0].byModel[model]).toMatchObject({ conversions: 1, revenue: 4990, revenueDirect: 0, revenueInfluenced: 4990 });
      }
    },
  },
  'GET /v1/products/report': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/products/report?groupBy=product'),
    // Credited so far: bb-order-1 (49.90 to the e-mail campaign, no lines: an unknown product) and the Shopify fixture's
    // order (net 52.50, its lines worth 45.00 and 18.00: 5250 × 4500/6300 = 3750 for the tee, 5250 × 1800/6300 = 1500
    // for the mug). No campaign has spent anything: spend 0, ROAS null.
    check: (a) => {
      expect(a.json).toMatchObject({ groupBy: 'product', currency: 'EUR', model: 'last_touch' });
      expect(a.json.items).toEqual([
        { key: null, label: null, revenue: 4990, conversions: 1, spend: 0, roas: null, campaigns: 1 },
        { key: '632910392', label: 'Tee', revenue: 3750, conversions: 1, spend: 0, roas: null, campaigns: 1 },
        { key: '632910393', label: 'Mug', revenue: 1500, conversions: 1, spend: 0, roas: null, campaigns: 1 },
      ]);
      expect(a.json.totals).toEqual({ revenue: 4990 + 3750 + 1500, spend: 0, roas: null });
    },
  },
  'GET /v1/products/report.csv': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/products/report.csv?groupBy=type'),
    // No line has a type: one row, 49.90 + 37.50 + 15.00 = 102.40 from the two orders.
    check: (a) => {
      expect(a.headers['content-type']).toMatch(/^text\/csv/);
      const lines = a.text.trimEnd().split('\n');
      expect(lines[0]).toBe('productType,label,currency,revenue,conversions,spend,roas,campaigns');
      expect(lines).toHaveLength(2);
      expect(lines[1].startsWith(',,EUR,102.40,2,0.00,,')).toBe(true);
    },
  },
  'GET /v1/attribution/settings': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/attribution/settings'),
    check: (a) => expect(a.json).toMatchObject({ model: 'last_touch' }),
  },
  'PUT /v1/attribution/settings': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/attribution/settings', { model: 'linear' }),
    check: async (a, c) => {
      expect(a.json.settings.model).toBe('linear');
      expect(a.json.recomputed.orders).toBeGreaterThan(0); // the orders are credited again under the new model
      expect((await ok(c, 'GET', '/v1/attribution/settings')).model).toBe('linear');
    },
  },
  'PUT /v1/attribution/declared-rules': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/attribution/declared-rules', {
      rules: [{ match: 'contains', pattern: 'Lettre', target: { channel: 'mail' } }, { match: 'equals', pattern: 'Newsletter', target: { campaignId: c.email } }],
    }),
    // No seeded order declares a source: the rules are stored, nothing to re-map (one empty page).
    check: (a, c) => {
      expect(a.json).toMatchObject({ answers: 0, unmapped: 0, remapped: { answers: 0, changed: 0, pages: 1 } });
      expect(a.json.rules[1]).toEqual({ match: 'equals', pattern: 'Newsletter', target: { campaignId: c.email }, matches: 0 });
    },
  },
  'GET /v1/attribution/declared-rules': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/attribution/declared-rules'),
    check: (a) => {
      expect(a.json.attributes).toEqual(['how_did_you_hear', 'hdyhau', 'how_did_you_hear_about_us']);
      expect(a.json.rules.map((r: { pattern: string }) => r.pattern)).toEqual(['Lettre', 'Newsletter']);
    },
  },
  'GET /v1/attribution/declared': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/attribution/declared'),
    // The three orders of the last 30 days (see the compare case), none with a declared source; the API order is
    // credited to the e-mail campaign (49.90) under the linear model the case above chose.
    check: (a) => {
      expect(a.json).toMatchObject({ orders: 3, answered: 0, groupedBy: 'order_time', model: 'linear', other: { orders: 0, revenue: 0 }, unmapped: { orders: 0, top: [] } });
      expect(a.json.channels.find((r: { channel: string }) => r.channel === 'email')).toEqual({ channel: 'email', declaredOrders: 0, declaredRevenue: 0, attributedOrders: 1, attributedRevenue: 4990, overlapOrders: 0 });
    },
  },
  'GET /v1/attribution/data-driven': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/attribution/data-driven'),
    // The seed has a handful of orders, far fewer than the 30 conversions a fit needs: never fitted, or refused.
    check: (a) => {
      expect(['never', 'insufficient_data']).toContain(a.json.status);
      expect(a.json).toMatchObject({ minConversions: 30, channels: [], campaigns: [], running: null });
    },
  },
  'POST /v1/attribution/data-driven/fit': {
    status: 200,
    call: (c) => json(c, 'POST', '/v1/attribution/data-driven/fit', {}),
    // One order of the seed has a counted touch (see the compare case): 1 conversion < 30, refused, nothing credited again.
    check: async (a, c) => {
      expect(a.json.fit).toMatchObject({ status: 'insufficient_data', minConversions: 30, channels: [], campaigns: [] });
      expect(a.json.fit.conversions).toBeLessThan(30);
      expect(a.json.recomputed).toBeNull();
      expect((await ok(c, 'GET', '/v1/attribution/data-driven')).status).toBe('insufficient_data');
    },
  },
  'PUT /v1/campaigns/{id}/discount-codes': {
    status: 200,
    call: (c) => json(c, 'PUT', `/v1/campaigns/${c.email}/discount-codes`, { codes: ['SPRING10', 'SPRING20'] }),
    check: (a, c) => expect(a.json).toEqual({ campaignId: c.email, codes: ['SPRING10', 'SPRING20'] }),
  },
  'GET /v1/campaigns/{id}/discount-codes': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.email}/discount-codes`),
    check: (a) => expect(a.json.codes).toEqual(['SPRING10', 'SPRING20']),
  },
  'PUT /v1/currency-rates': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/currency-rates', { rates: [{ from: 'USD', to: 'EUR', rate: '0.92', validFrom: '2026-01-01' }] }),
    check: (a) => expect(a.json.rates).toEqual([expect.objectContaining({ from: 'USD', to: 'EUR', rate: '0.92' })]),
  },
  'GET /v1/currency-rates': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/currency-rates'),
    // validFrom comes back as the instant the day starts in the account's time zone (New York since PUT /v1/account).
    check: (a) => expect(a.json.rates).toEqual([{ from: 'USD', to: 'EUR', rate: '0.92', validFrom: '2026-01-01T05:00:00.000Z' }]),
  },

  // ------------------------------------------------------------------ budgets and the send gate
  'PUT /v1/cost-model': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/cost-model', { currency: 'EUR', email: { perMessage: 1000 } }),
    check: (a) => expect(a.json).toEqual({ currency: 'EUR', email: { perMessage: 1000 } }),
  },
  'GET /v1/cost-model': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/cost-model'),
    check: (a) => expect(a.json).toMatchObject({ email: { perMessage: 1000 } }),
  },
  'PUT /v1/campaigns/{id}/cost-model': {
    status: 200,
    call: (c) => json(c, 'PUT', `/v1/campaigns/${c.gate}/cost-model`, { email: { perMessage: 2000 } }),
    check: async (_a, c) => expect((await ok(c, 'GET', `/v1/campaigns/${c.gate}/cost-model`)).model).toMatchObject({ email: { perMessage: 2000 } }),
  },
  'GET /v1/campaigns/{id}/cost-model': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.gate}/cost-model`),
    check: (a) => expect(a.json.override).toMatchObject({ email: { perMessage: 2000 } }),
  },
  'POST /v1/campaigns/{id}/sends': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.gate}/sends`, { recipients: [{ email: 'g1@shop.test' }, { email: 'g2@shop.test' }, { email: 'blocked@shop.test' }] }),
    check: (a, c) => {
      // Two allowed at 2 cents each (the campaign's override: 2000 thousandths of a cent); the suppressed address refused.
      expect(a.json).toMatchObject({ allowed: 2, refused: 1, reserved: 4 });
      const results = a.json.results as { status: string; messageId: string; cost?: number; reason?: string; recipient: string }[];
      expect(results.map((r) => [r.recipient, r.status, r.cost ?? r.reason])).toEqual([
        ['g1@shop.test', 'allowed', 2], ['g2@shop.test', 'allowed', 2], ['blocked@shop.test', 'refused', 'opted_out'],
      ]);
      c.reserved = results.filter((r) => r.status === 'allowed').map((r) => r.messageId);
    },
  },
  'POST /v1/campaigns/{id}/sends/commit': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.gate}/sends/commit`, { messageIds: [c.reserved[0]] }),
    check: async (_a, c) => expect((await ok(c, 'GET', `/v1/campaigns/${c.gate}/budget`)).used).toBe(2),
  },
  'POST /v1/campaigns/{id}/sends/release': {
    status: 200,
    call: (c) => json(c, 'POST', `/v1/campaigns/${c.gate}/sends/release`, { messageIds: [c.reserved[1]], reason: 'provider_rejected' }),
    check: async (_a, c) => expect((await ok(c, 'GET', `/v1/campaigns/${c.gate}/budget`)).reserved).toBe(0),
  },
  'GET /v1/campaigns/{id}/budget': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/campaigns/${c.gate}/budget`),
    check: (a) => expect(a.json).toMatchObject({ budget: 10000, used: 2, reserved: 0, remaining: 9998 }),
  },
  'DELETE /v1/campaigns/{id}/cost-model': {
    status: 204,
    call: (c) => json(c, 'DELETE', `/v1/campaigns/${c.gate}/cost-model`),
    check: async (_a, c) => expect((await ok(c, 'GET', `/v1/campaigns/${c.gate}/cost-model`)).override).toBeNull(),
  },
  'GET /v1/budget': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/budget'),
    check: (a) => expect(a.json).toMatchObject({ total: 10000, used: 2, reserved: 0, remaining: 9998 }),
  },
  'PUT /v1/budget/settings': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/budget/settings', { monthlyBudget: 500000, graceDays: 7 }),
    check: (a) => expect(a.json).toMatchObject({ monthlyBudget: 500000, graceDays: 7 }),
  },
  'GET /v1/budget/settings': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/budget/settings'),
    check: (a) => {
      expect(a.json).toMatchObject({ monthlyBudget: 500000, graceDays: 7 });
      expect(a.text).not.toContain(STRIPE_SECRET);
    },
  },

  // ------------------------------------------------------------------ retention
  'PUT /v1/retention/settings': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/retention/settings', { visitorDetailsDays: 45, recipientRowsDays: 730 }),
    check: (a) => expect(a.json).toEqual({ visitorDetailsDays: 45, recipientRowsDays: 730 }),
  },
  'GET /v1/retention/settings': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/retention/settings'),
    check: (a) => expect(a.json).toEqual({ visitorDetailsDays: 45, recipientRowsDays: 730 }),
  },
  // Retention cohorts (not the settings above): two cohorts ending this month, the older one with two months of cells.
  'GET /v1/retention': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/retention?cohort=month&metric=purchased&months=2'),
    check: (a) => {
      expect(a.json).toMatchObject({ metric: 'purchased', channel: null });
      expect(a.json.cohorts.map((l: { cells: unknown[] }) => l.cells.length)).toEqual([2, 1]);
      expect(a.json.curve).toHaveLength(2);
    },
  },

  // ------------------------------------------------------------------ scheduled e-mail reports (no SMTP on this server)
  'PUT /v1/reports/settings': {
    status: 200,
    call: (c) => json(c, 'PUT', `/v1/reports/settings?userId=${c.member.id}`, { frequency: 'monthly', dayOfMonth: 3, hour: 9, language: 'en' }),
    check: (a, c) => expect(a.json).toMatchObject({ userId: c.member.id, email: c.member.email, frequency: 'monthly', dayOfMonth: 3, hour: 9, language: 'en' }),
  },
  'GET /v1/reports/settings': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/reports/settings?userId=${c.member.id}`),
    check: (a) => {
      expect(a.json).toMatchObject({ frequency: 'monthly', dayOfMonth: 3, smtp: { configured: false } });
      expect(a.json.smtp.help).toContain('MESURE_SMTP_URL');
    },
  },
  'GET /v1/reports': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/reports?limit=100'),
    check: (a, c) => expect(a.json.items.find((i: { userId: string }) => i.userId === c.member.id)).toMatchObject({ frequency: 'monthly', lastRun: null }),
  },
  'POST /v1/reports/send': {
    status: 409,
    call: (c) => api(c, 'POST', `/v1/reports/send?userId=${c.member.id}`),
    check: (a) => expect(a.json.message).toContain('Set MESURE_SMTP_URL'),
  },

  // ------------------------------------------------------------------ suppressions
  'GET /v1/suppressions': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/suppressions?channel=email'),
    check: (a) => expect((a.json.items as { address: string }[]).map((s) => s.address)).toContain('blocked@shop.test'),
  },
  'POST /v1/suppressions': {
    status: 201,
    call: (c) => json(c, 'POST', '/v1/suppressions', { channel: 'sms', address: '+33611111111', reason: 'asked by phone' }),
    check: (a) => expect(a.json).toMatchObject({ created: true }),
  },
  'DELETE /v1/suppressions': {
    status: 204,
    call: (c) => json(c, 'DELETE', `/v1/suppressions?channel=sms&address=${encodeURIComponent('+33611111111')}`),
    check: async (_a, c) => expect(JSON.stringify(await ok(c, 'GET', '/v1/suppressions?channel=sms'))).not.toContain('+33611111111'),
  },
  'POST /v1/suppressions/import': {
    status: 200,
    call: (c) => api(c, 'POST', '/v1/suppressions/import', { body: 'channel,address,reason\nemail,imported@shop.test,complaint\nfax,nowhere,oops\n', contentType: 'text/csv' }),
    check: (a) => expect(a.json).toEqual({ lines: 2, added: 1, alreadyListed: 0, rejected: [{ line: 3, message: expect.stringContaining('"fax"') }] }),
  },
  'GET /v1/suppressions/export.csv': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/suppressions/export.csv'),
    check: (a) => {
      expect(a.headers['content-type']).toMatch(/^text\/csv/);
      expect(a.text.split(/\r?\n/)[0]).toBe('channel,address,reason,source,createdAt');
      expect(a.text).toContain('imported@shop.test');
      expect(a.text).toContain('blocked@shop.test');
    },
  },

  // ------------------------------------------------------------------ invoices, Stripe, alerts
  'POST /v1/invoices': {
    status: 201,
    call: (c) => json(c, 'POST', '/v1/invoices', { id: 'bb-inv-1', amountDue: 1200, currency: 'EUR', dueAt: new Date(Date.now() + 5 * 24 * HOUR).toISOString(), payUrl: 'https://pay.example/bb-inv-1', status: 'open' }),
    check: (a) => expect(a.json).toMatchObject({ id: 'bb-inv-1', status: 'open', amountDue: 1200, amountRemaining: 1200, currency: 'EUR', overdue: false }),
  },
  'GET /v1/invoices': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/invoices'),
    check: (a) => expect(JSON.stringify(a.json.items)).toContain('bb-inv-1'),
  },
  'GET /v1/invoices/unpaid': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/invoices/unpaid'),
    // Due in five days; the account is suspended seven days (the grace period set above) after that.
    check: (a) => expect(a.json).toMatchObject({ count: 1, total: 1200, currency: 'EUR', overdue: false, suspended: false, graceDays: 7, payUrl: 'https://pay.example/bb-inv-1' }),
  },
  'PUT /v1/stripe/secret': {
    status: 204,
    call: (c) => json(c, 'PUT', '/v1/stripe/secret', { secret: STRIPE_SECRET }),
    // STRIPE_SECRET ends in "cdef": only that is shown back.
    check: async (_a, c) => expect(await ok(c, 'GET', '/v1/budget/settings')).toMatchObject({ stripeWebhookSecretSet: true, stripeWebhookSecretHint: '…cdef' }),
  },
  'POST /webhooks/stripe/{accountId}': {
    status: 200,
    call: (c) => {
      const body = fixture('stripe/fixtures/invoice.finalized.json').replace('acc_demo', c.bb.accountId);
      return send(c.bb.url, 'POST', `/webhooks/stripe/${c.bb.accountId}`, { body, contentType: 'application/json', headers: { 'stripe-signature': stripeSignature(body, STRIPE_SECRET) } });
    },
    check: async (a, c) => {
      expect(a.json).toMatchObject({ received: true, applied: true });
      expect((await ok(c, 'GET', '/v1/invoices')).items.length).toBe(2);
      // The fixture's invoice was due in 2025: past the grace period, the account is suspended.
      expect((await ok(c, 'GET', '/v1/account')).suspended).toBe(true);
    },
  },
  'PUT /v1/alerts/endpoints': {
    status: 200,
    call: (c) => json(c, 'PUT', '/v1/alerts/endpoints', { url: 'http://127.0.0.1:9/mesure-alerts' }),
    check: (a) => expect(a.json).toMatchObject({ url: 'http://127.0.0.1:9/mesure-alerts', secret: expect.any(String) }),
  },
  'GET /v1/alerts/endpoints': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/alerts/endpoints'),
    check: (a) => {
      expect((a.json.items as { url: string }[]).map((e) => e.url)).toContain('http://127.0.0.1:9/mesure-alerts');
      expect(a.json.items.every((e: object) => !('secret' in e))).toBe(true);
      expect(a.json.items.every((e: { secretHint: string }) => /^….{4}$/.test(e.secretHint))).toBe(true);
    },
  },
  'DELETE /v1/alerts/endpoints/{id}': {
    status: 204,
    call: (c) => json(c, 'DELETE', `/v1/alerts/endpoints/${c.alertToDelete}`),
    check: async (_a, c) => expect(JSON.stringify(await ok(c, 'GET', '/v1/alerts/endpoints'))).not.toContain(c.alertToDelete),
  },
  'GET /v1/alerts/deliveries': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/alerts/deliveries?limit=10'),
    // The overdue Stripe invoice above suspended the account: both alerts were queued for the endpoint of that moment,
    // the one removed since. Its deliveries wait for their next attempt (nothing listens on port 9), which ends them as
    // failed, "endpoint removed", once the sender sees the endpoint is gone (within its retry delay: either may show).
    // A budget sweep that runs once the second endpoint exists (its period is 30 s, and a loaded run can take longer)
    // raises the same two alerts again: same alert ids, so queued once more only for that endpoint.
    check: (a, c) => {
      const all = a.json.items as { type: string; endpointId: string; status: string; lastError: string | null; payload: { type: string } }[];
      const items = all.filter((d) => d.endpointId === c.alertToDelete);
      expect(items.map((d) => d.type).sort()).toEqual(['account.suspended', 'invoice.overdue']);
      const later = all.filter((d) => d.endpointId !== c.alertToDelete);
      expect(later.length === 0 || later.map((d) => d.type).sort().join() === 'account.suspended,invoice.overdue').toBe(true);
      for (const d of items) {
        expect(d).toMatchObject({ endpointId: c.alertToDelete, payload: { type: d.type } });
        if (d.status === 'failed') expect(d.lastError).toBe('endpoint removed');
        else expect(d).toMatchObject({ status: 'pending', nextAttemptAt: expect.any(String) });
      }
    },
  },

  // ------------------------------------------------------------------ ingestion dead letters
  // Nothing this suite sends fails to apply, so the list is empty and the ids below are unknown: what a user sees then.
  'GET /v1/ingestion/dead-letters': {
    status: 200,
    call: (c) => json(c, 'GET', '/v1/ingestion/dead-letters?limit=10'),
    check: (a) => expect(a.json.items).toEqual([]),
  },
  'POST /v1/ingestion/dead-letters/{id}/retry': {
    status: 404,
    call: (c) => json(c, 'POST', '/v1/ingestion/dead-letters/dl_unknown/retry'),
    check: (a) => expect(a.json.message).toMatch(/dl_unknown/),
  },
  'DELETE /v1/ingestion/dead-letters/{id}': {
    status: 404,
    call: (c) => json(c, 'DELETE', '/v1/ingestion/dead-letters/dl_unknown'),
    check: (a) => expect(a.json.message).toMatch(/No dead letter dl_unknown.*GET \/v1\/ingestion\/dead-letters/),
  },

  // ------------------------------------------------------------------ one person's data (last: erasure rewrites recipients)
  'GET /v1/contacts': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/contacts?q=${encodeURIComponent(' R1@Shop.test ')}`),
    check: (a, c) => {
      expect((a.json.items as { email: string }[]).map((i) => i.email)).toEqual(['r1@shop.test']);
      c.state.contact = a.json.items[0].id;
    },
  },
  'GET /v1/contacts/{id}/export': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/contacts/${c.state.contact}/export`),
    check: (a, c) => {
      expect(a.json.contact).toMatchObject({ id: c.state.contact, email: 'r1@shop.test' });
      expect((a.json.messages as { campaignId: string; channel: string }[]).map((m) => [m.campaignId, m.channel])).toEqual([[c.email, 'email']]);
    },
  },
  'GET /v1/contacts/{id}': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/contacts/${c.state.contact}`),
    check: (a, c) => {
      expect(a.json.contact).toMatchObject({ id: c.state.contact, email: 'r1@shop.test' });
      // r1's one e-mail message and the API order placed under their e-mail (4990 cents, no tax: 4990 net).
      expect(a.json.lifetime).toMatchObject({ currency: 'EUR', orders: 1, revenue: 4990 });
      expect((a.json.lifetime.channels as { channel: string; messages: number }[]).map((x) => [x.channel, x.messages])).toEqual([['email', 1]]);
    },
  },
  'GET /v1/contacts/{id}/timeline': {
    status: 200,
    call: (c) => json(c, 'GET', `/v1/contacts/${c.state.contact}/timeline?limit=50`),
    check: (a, c) => {
      const items = a.json.items as { kind: string; campaign: { id: string } | null; order: { externalId: string } | null }[];
      expect(items.filter((i) => i.kind === 'message').map((i) => i.campaign!.id)).toEqual([c.email]);
      expect(items.filter((i) => i.kind === 'order').map((i) => i.order!.externalId)).toEqual(['bb-order-1']);
      expect(a.json.nextCursor).toBeNull();
    },
  },
  'DELETE /v1/contacts/{id}': {
    status: 200,
    call: (c) => json(c, 'DELETE', `/v1/contacts/${c.state.contact}`),
    check: async (a, c) => {
      // r1's one message, now under an anonymous key; one hash on the e-mail channel.
      expect(a.json).toMatchObject({ contacts: 1, messages: 1, suppressionsAdded: 1 });
      expect((await ok(c, 'GET', '/v1/contacts?q=r1%40shop.test')).items).toEqual([]);
    },
  },
  'POST /v1/contacts/erase': {
    status: 200,
    call: (c) => json(c, 'POST', '/v1/contacts/erase', { email: 'r2@shop.test' }),
    check: async (a, c) => {
      expect(a.json).toMatchObject({ contacts: 1, messages: 1, suppressionsAdded: 1 });
      const page = await ok(c, 'GET', `/v1/campaigns/${c.email}/recipients?limit=100`);
      const shown = (page.items as { recipient: string }[]).map((i) => i.recipient);
      expect(shown).toContain('r3@shop.test');
      expect(shown.filter((r) => r.startsWith('erased:'))).toHaveLength(2);
      expect(JSON.stringify(page)).not.toMatch(/r[12]@shop\.test/);
    },
  },
  // ------------------------------------------------------------------ feedback (last: a reply implies a delivery and
  // an open, which the figures above would count; a campaign of its own, which no other case reads)
  'GET /v1/feedback': {
    status: 200,
    call: async (c) => {
      const id = (await ok(c, 'POST', '/v1/campaigns', { name: 'Feedback route', channel: 'sms' })).id;
      const messages = (await ok(c, 'POST', `/v1/campaigns/${id}/messages`, { messages: [{ recipient: { phone: '+33612345690' } }, { recipient: { phone: '+33612345691' } }] })).messages;
      c.state.feedbackCampaign = id;
      c.state.feedbackMessage = messages[1].messageId;
      await ok(c, 'POST', '/v1/events', { events: [{ type: 'replied', at: ago(HOUR / 4), messageId: messages[0].messageId, text: 'Route suite: une question, la livraison ?' }] });
      return json(c, 'GET', '/v1/feedback?q=route%20suite&kind=reply&limit=5');
    },
    check: async (a, c) => {
      expect(a.json.items).toHaveLength(1);
      expect(a.json.items[0]).toMatchObject({ campaign: { id: c.state.feedbackCampaign, name: 'Feedback route' }, channel: 'sms', recipient: '+33612345690', kind: 'reply', text: 'Route suite: une question, la livraison ?' });
      expect((await ok(c, 'GET', `/v1/campaigns/${c.state.feedbackCampaign}`)).feedback).toEqual({ replies: 1, optOuts: 0, complaints: 0 });
    },
  },
  'GET /v1/feedback/export.csv': {
    status: 200,
    call: async (c) => {
      await ok(c, 'POST', '/v1/events', { events: [{ type: 'replied', at: ago(HOUR / 5), messageId: c.state.feedbackMessage, text: 'Export suite, merci' }] });
      return json(c, 'GET', '/v1/feedback/export.csv?q=export%20suite');
    },
    check: (a, c) => {
      expect(a.headers['content-type']).toMatch(/^text\/csv/);
      const lines = a.text.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(`${c.state.feedbackCampaign},Feedback route,sms,${c.state.feedbackMessage}`);
      expect(lines[1].endsWith(`,'+33612345691,reply,"Export suite, merci"`)).toBe(true);
    },
  },
};

// The two engines side by side, each with its own server and database.
forEachEngineConcurrently('every route of /openapi.json over a listening server', (engine) => {
  const c = { state: {} } as Ctx;
  let routes: string[] = [];
  let validatorOf: ReturnType<typeof answerValidators>;

  beforeAll(async () => {
    c.bb = await startBlackbox(engine, 'Routes shop', ['Other shop']);
    routes = await openApiRoutes(c.bb.url);
    validatorOf = answerValidators((await send(c.bb.url, 'GET', '/openapi.json')).json);
    c.other = c.bb.others[0];

    // Provider secrets.
    for (const [provider, secret] of [
      ['whatsapp', `${WA_APP_SECRET}:${WA_VERIFY_TOKEN}`], ['twilio', TWILIO_TOKEN], ['sendgrid', SENDGRID.publicKey], ['mailgun', MAILGUN_KEY], ['postmark', POSTMARK_CREDENTIALS],
    ]) await ok(c, 'PUT', `/v1/providers/${provider}/secret`, { secret });

    // Campaigns and their messages.
    c.email = (await ok(c, 'POST', '/v1/campaigns', { name: 'Spring sale', channel: 'email' })).id;
    c.emailMessages = (await ok(c, 'POST', `/v1/campaigns/${c.email}/messages`, {
      messages: [1, 2, 3].map((i) => ({ recipient: { email: `r${i}@shop.test` } })),
    })).messages.map((m: { messageId: string }) => m.messageId);
    await ok(c, 'POST', '/v1/events', { events: c.emailMessages.map((messageId) => ({ type: 'sent', at: ago(3 * HOUR), messageId })) });
    c.wa = (await ok(c, 'POST', '/v1/campaigns', { name: 'WhatsApp drop', channel: 'whatsapp' })).id;
    c.waMessage = (await ok(c, 'POST', `/v1/campaigns/${c.wa}/messages`, {
      messages: [{ recipient: { phone: '+33612345601' }, provider: 'whatsapp', providerMessageId: 'wamid.BB0000000000000000000000000000001' }],
    })).messages[0].messageId;
    c.sms = (await ok(c, 'POST', '/v1/campaigns', { name: 'SMS flash', channel: 'sms' })).id;
    await ok(c, 'POST', `/v1/campaigns/${c.sms}/messages`, { messages: [{ recipient: { phone: '+33612345602' }, provider: 'twilio', providerMessageId: 'SMbb0123456789abcdef0123456789abcd' }] });
    c.ab = (await ok(c, 'POST', '/v1/campaigns', { name: 'Subject test', channel: 'email' })).id;
    c.gate = (await ok(c, 'POST', '/v1/campaigns', { name: 'Budgeted', channel: 'email', budget: 10000 })).id;
    await ok(c, 'POST', '/v1/suppressions', { channel: 'email', address: 'blocked@shop.test', reason: 'unsubscribed' });

    // A journey whose first step holds the email campaign.
    // Started two days ago, so every message of the campaign is sent after its start whatever the account's time zone.
    const j = await ok(c, 'POST', '/v1/journeys', { name: 'Welcome series', startedAt: ago(48 * HOUR), steps: [{ name: 'Welcome', channel: 'email', delayMinutes: 0, campaignIds: [c.email] }] });
    c.journey = j.id;
    c.stepId = j.steps[0].id;
    c.goalToDelete = (await ok(c, 'POST', `/v1/journeys/${c.journey}/goals`, { kind: 'target', name: 'To remove', metric: 'sent', comparator: '>=', target: 1 })).id;

    // Tracked links: one issued token to revoke.
    await ok(c, 'POST', `/v1/campaigns/${c.email}/links`, { destinations: ['https://shop.example/spring'] });
    const issued = await ok(c, 'POST', `/v1/campaigns/${c.email}/links/issue`, { messageIds: [c.emailMessages[2]] });
    c.linkToken = /\/l\/([^/"?]+)/.exec(JSON.stringify(issued))![1];

    // Keys, members, an invitation (to a person who has a login in the other account), an alert endpoint.
    const revoked = await ok(c, 'POST', '/v1/keys', { name: 'to revoke', role: 'viewer' });
    c.keyToRevoke = revoked.id;
    c.state.revokedKey = revoked.key;
    const member = await ok(c, 'POST', '/v1/users', { email: 'member@shop.test', password: PASSWORD, role: 'analyst' });
    c.member = { id: member.id, email: 'member@shop.test' };
    c.memberToRemove = (await ok(c, 'POST', '/v1/users', { email: 'leaver@shop.test', password: PASSWORD, role: 'viewer' })).id;
    c.invitee = { email: 'invitee@other.test' };
    await ok(c, 'POST', '/v1/users', { email: c.invitee.email, password: PASSWORD, role: 'owner' }, c.other.key);
    const invited = await send(c.bb.url, 'POST', '/v1/users', { key: c.bb.keys.owner, json: { email: c.invitee.email, password: PASSWORD, role: 'analyst' } });
    if (invited.status !== 202) throw new Error(`inviting ${c.invitee.email} → ${invited.status}: ${invited.text}`);
    c.invitee.token = invited.json.token ?? /token=([^&"]+)/.exec(invited.text)?.[1];
    await ok(c, 'POST', '/v1/users', { email: 'pending@other.test', password: PASSWORD, role: 'viewer' }, c.other.key);
    const pending = await send(c.bb.url, 'POST', '/v1/users', { key: c.bb.keys.owner, json: { email: 'pending@other.test', password: PASSWORD, role: 'viewer' } });
    c.state.pendingInvitee = 'pending@other.test';
    c.state.pendingInvitationId = pending.json.invitation?.id ?? pending.json.id;
    c.state.pendingInvitationToken = pending.json.token ?? '';
    c.alertToDelete = (await ok(c, 'PUT', '/v1/alerts/endpoints', { url: 'http://127.0.0.1:9/old-alerts' })).id;
  }, 240_000);
  afterAll(async () => {
    await c.bb?.stop();
  });

  it('has a case for every route of /openapi.json, and no case for a route it does not list', () => {
    expect(routes.length).toBeGreaterThan(90);
    expect(routes.filter((r) => !(r in CASES)), 'routes of /openapi.json without a case in test/blackbox/routes.test.ts').toEqual([]);
    expect(Object.keys(CASES).filter((k) => !routes.includes(k)), 'cases for routes /openapi.json does not list').toEqual([]);
  });

  for (const [route, tc] of Object.entries(CASES)) {
    it(`${route} → ${tc.status}`, async () => {
      const a = await tc.call(c);
      expect(a.status, `${route}: ${a.text.slice(0, 500)}`).toBe(tc.status);
      // The answer is what /openapi.json says it is (the dashboard's types are generated from that document).
      const valid = validatorOf(route, a.status);
      if (valid && !valid(a.json)) expect.fail(`${route} answered what /openapi.json does not describe:\n${answerErrors(valid)}\n${a.text.slice(0, 1500)}`);
      try {
        await tc.check(a, c);
      } catch (err) {
        (err as Error).message += `\n${route} answered: ${a.text.slice(0, 1500)}`;
        throw err;
      }
    });
  }

  // ------------------------------------------------------------------ the other providers on /webhooks/{provider}/{accountId}
  describe('provider webhooks, signed as each provider signs them, with Content-Length', () => {
    it('Twilio: a form-encoded status callback signed over the URL it called', async () => {
      const url = `${c.bb.url}/webhooks/twilio/${c.bb.accountId}`;
      const fields = { MessageSid: 'SMbb0123456789abcdef0123456789abcd', MessageStatus: 'delivered', To: '+33612345602', AccountSid: 'ACbb0123456789abcdef0123456789abcd', ApiVersion: '2010-04-01' };
      const r = await send(c.bb.url, 'POST', `/webhooks/twilio/${c.bb.accountId}`, {
        body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded', headers: { 'x-twilio-signature': twilioSignature(TWILIO_TOKEN, url, fields) },
      });
      expect(r.status, r.text).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/xml/);
      expect(r.text).toContain('<Response');
      const page = await ok(c, 'GET', `/v1/campaigns/${c.sms}/recipients?limit=10`);
      expect(await statusSoon(c, c.sms, page.items[0].messageId, 'delivered')).toBe('delivered');
    });

    it('SendGrid: a batch of events with the ECDSA signature over timestamp + body', async () => {
      const events = [{ email: 'r2@shop.test', timestamp: Math.floor(Date.now() / 1000) - 30, event: 'delivered', sg_event_id: 'bb-sg-1', sg_message_id: 'bb-sg-msg.1', mesure_message_id: c.emailMessages[1] }];
      const body = JSON.stringify(events);
      const r = await send(c.bb.url, 'POST', `/webhooks/sendgrid/${c.bb.accountId}`, { body, contentType: 'application/json', headers: sendgridHeaders(SENDGRID.privateKey, body) });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ stored: true, events: 1 });
      expect(await statusSoon(c, c.email, c.emailMessages[1], 'delivered')).toBe('delivered');
    });

    it('Mailgun: the signature object in the body', async () => {
      const event = JSON.parse(fixture('mailgun/fixtures/delivered.json'))['event-data'];
      event.timestamp = Math.floor(Date.now() / 1000) - 20;
      event['user-variables'] = { mesure_message_id: c.emailMessages[2] };
      const body = JSON.stringify({ signature: mailgunSignature(MAILGUN_KEY, 'bb-mailgun-token-000000000000000000000000000001'), 'event-data': event });
      const r = await send(c.bb.url, 'POST', `/webhooks/mailgun/${c.bb.accountId}`, { body, contentType: 'application/json' });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ stored: true, events: 1 });
      // Mailgun's retry of the same delivery is a duplicate; another body under the same token is a replay, refused.
      const again = await send(c.bb.url, 'POST', `/webhooks/mailgun/${c.bb.accountId}`, { body, contentType: 'application/json' });
      expect([again.status, again.json]).toEqual([200, { stored: false, duplicate: true }]);
      const forged = body.replace('"delivered"', '"failed"');
      expect(forged).not.toBe(body);
      expect((await send(c.bb.url, 'POST', `/webhooks/mailgun/${c.bb.accountId}`, { body: forged, contentType: 'application/json' })).status).toBe(403);
    });

    it('Postmark: HTTP Basic credentials in the URL it calls', async () => {
      await ok(c, 'PUT', '/v1/providers/postmark/secret', { secret: POSTMARK_CREDENTIALS });
      const delivery = JSON.parse(fixture('postmark/fixtures/delivery.json'));
      delivery.Metadata = { mesure_message_id: c.emailMessages[0] };
      delivery.DeliveredAt = ago(60_000);
      const body = JSON.stringify(delivery);
      const r = await send(c.bb.url, 'POST', `/webhooks/postmark/${c.bb.accountId}`, { body, contentType: 'application/json', headers: { authorization: postmarkAuthorization(POSTMARK_CREDENTIALS) } });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ stored: true, events: 1 });
      const wrong = await send(c.bb.url, 'POST', `/webhooks/postmark/${c.bb.accountId}`, { body, contentType: 'application/json', headers: { authorization: postmarkAuthorization('mesure:wrong') } });
      expect(wrong.status).toBe(403);
    });
  });
});
