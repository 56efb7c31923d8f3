// Tenant sweep: two accounts A and B on one listening server, each with data of every kind. Every route of
// /openapi.json is called with A's key and B's ids (in paths, bodies, query strings and pagination cursors).
// A never reads, lists, changes or deletes B's data: B's ids in a path answer 404 (never 200, never a 403
// that reveals they exist), B's ids in a body answer exactly as a made-up id does, no answer to A carries a
// B identifier A did not send, and every GET of B is byte-identical before and after. A route of
// /openapi.json that the sweep does not cover fails the test.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { forEachEngineConcurrently } from '../support';
import { minimalValid } from './fuzz-support';
import {
  databaseEnv, idsFor, operationsOf, rawCall, seedAccount, startServerProcess, type Operation, type RawAnswer, type Seeded,
} from './seed-support';

/** Path parameters that name an account's row (B's values must answer 404 to A). */
const ACCOUNT_PARAMS = new Set(['id', 'stepId', 'token']);

/** Valid bodies for routes whose smallest schema-valid body is refused (minProperties, business rules). */
function validBody(route: string, a: Seeded): unknown {
  switch (route) {
    case 'PATCH /v1/campaigns/{id}': return { name: 'renamed by A' };
    case 'PATCH /v1/journeys/{id}': return { name: 'renamed by A' };
    case 'POST /v1/campaigns/{id}/messages': return { messages: [{ recipient: { email: 'someone@example.org' } }] };
    case 'POST /v1/campaigns/{id}/links': return { destinations: ['https://a.example/x'] };
    case 'POST /v1/campaigns/{id}/links/issue': return { all: true };
    case 'POST /v1/campaigns/{id}/qr': return { all: true };
    case 'POST /v1/journeys/{id}/steps': return { name: 'added by A', channel: 'email' };
    case 'POST /v1/journeys/{id}/steps/{stepId}/campaigns': return { campaignIds: [a.campaignIds[2]] };
    case 'POST /v1/campaigns/{id}/goals':
    case 'POST /v1/journeys/{id}/goals': return { kind: 'target', metric: 'clicked', comparator: '>=', target: 1 };
    case 'POST /v1/campaigns/{id}/holdout':
    case 'POST /v1/journeys/{id}/holdout': return { share: 0.1 };
    case 'POST /v1/campaigns/{id}/audience': return { recipients: [{ recipient: { email: 'someone@example.org' } }] };
    case 'POST /v1/campaigns/{id}/variants': return { variants: [{ id: 'A', split: 0.5, isControl: true }, { id: 'B', split: 0.5 }] };
    case 'PUT /v1/campaigns/{id}/discount-codes': return { codes: ['ATAKE'] };
    case 'POST /v1/campaigns/{id}/sends': return { recipients: [{ email: 'someone@example.org' }] };
    case 'POST /v1/campaigns/{id}/sends/commit':
    case 'POST /v1/campaigns/{id}/sends/release': return { messageIds: [a.messageIds[0]] };
    case 'PUT /v1/campaigns/{id}/cost-model': return { email: { perMessage: 1 } };
    case 'PATCH /v1/users/{id}': return { role: 'viewer' };
    default: return undefined;
  }
}

interface Call {
  route: string;
  method: string;
  path: string;
  body?: unknown;
  /** Raw body and content type (CSV imports, webhooks). */
  raw?: { text: string; type: string };
  /** What A must get: 404; 'as-unknown' = the same status as the same call with made-up ids; 'own' = any 2xx/4xx, no leak; 'refused' = 4xx. */
  expect: 404 | 'as-unknown' | 'own' | 'refused';
  /** The same call with made-up ids instead of B's (for 'as-unknown'). */
  unknown?: { path: string; body?: unknown };
  auth?: 'none';
  headers?: Record<string, string>;
}

// The two engines side by side, each with its own server and database.
forEachEngineConcurrently('tenancy: account A with account B\'s ids, on every route', (engine) => {
  it('never reads, lists, changes or deletes across accounts', async () => {
    const db = databaseEnv(engine);
    const server = await startServerProcess(db.env);
    try {
      const a = await seedAccount(server.url, db.env, 'alfa');
      const b = await seedAccount(server.url, db.env, 'bravo', { inviteEmail: a.userEmail });
      const doc = (await rawCall(server.url, { method: 'GET', path: '/openapi.json' })).json as { paths: Record<string, Record<string, any>> };
      const ops = operationsOf(doc);

      const before = await snapshot(server.url, ops, b);
      expect(Object.keys(before).length).toBeGreaterThan(60);

      const calls: Call[] = [];
      const unswept: string[] = [];
      for (const op of ops) {
        const built = [...byPath(op, a, b), ...special(op, a, b)];
        if (built.length === 0) unswept.push(`${op.method} ${op.path}`);
        calls.push(...built);
      }
      expect(unswept, 'routes of /openapi.json the sweep does not cover: add them to tenancy.test.ts').toEqual([]);

      const bStrings = secretsOf(b);
      const problems: string[] = [];
      // What A has sent so far: A may store B's strings as its own data (an order id, an address) and read them back.
      let sentSoFar = '';
      const sweptRoutes = new Set<string>();
      for (const c of calls) {
        const r = await send(server.url, a.key, c);
        sweptRoutes.add(c.route);
        sentSoFar += safeDecode(c.path) + (c.body === undefined ? '' : JSON.stringify(c.body)) + (c.raw?.text ?? '');
        const leaked = bStrings.filter((s) => r.text.includes(s) && !sentSoFar.includes(s));
        const where = `${c.method} ${c.path}${c.body === undefined ? '' : ` ${JSON.stringify(c.body).slice(0, 200)}`}`;
        if (leaked.length) problems.push(`${where} → ${r.status} carries B's ${leaked.slice(0, 3).join(', ')}: ${r.text.slice(0, 200)}`);
        if (r.status >= 500) problems.push(`${where} → ${r.status}: ${r.text.slice(0, 200)}`);
        else if (c.expect === 404 && r.status !== 404) problems.push(`${where} → ${r.status}, expected 404: ${r.text.slice(0, 200)}`);
        else if (c.expect === 'refused' && (r.status < 400 || (r.status === 403 && c.path.startsWith('/v1/')))) problems.push(`${where} → ${r.status}, expected a refusal: ${r.text.slice(0, 200)}`);
        else if (c.expect === 'as-unknown') {
          const u = await send(server.url, a.key, { ...c, path: c.unknown!.path, body: c.unknown!.body ?? c.body });
          if (u.status !== r.status || r.status < 400) problems.push(`${where} → ${r.status}, but with made-up ids → ${u.status} (B's ids must be as unknown to A as made-up ones, and refused): ${r.text.slice(0, 200)}`);
        }
      }

      // A's dashboard login cannot open B's account (B invited A's user, who has not accepted), nor read B by id.
      const login = await rawCall(server.url, { method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ email: a.userEmail, password: a.userPassword })) });
      const cookie = [login.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]).join('; ');
      expect(login.status, login.text).toBe(200);
      const csrf = String((login.json as { csrfToken?: string }).csrfToken ?? '');
      const asA = (method: string, path: string, body?: unknown) => rawCall(server.url, {
        method, path, headers: { cookie, origin: server.url, 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? Buffer.from(JSON.stringify(body)) : undefined,
      });
      const toB = await asA('POST', '/auth/account', { accountId: b.accountId });
      const toNowhere = await asA('POST', '/auth/account', { accountId: `acc_${made()}` });
      if (toB.status !== 404 || toNowhere.status !== 404) problems.push(`A's login switching to B's account → ${toB.status} (a made-up account → ${toNowhere.status}), expected 404 for both: ${toB.text.slice(0, 200)}`);
      const readB = await asA('GET', `/v1/campaigns/${b.campaignIds[0]}`);
      if (readB.status !== 404) problems.push(`A's login reading B's campaign → ${readB.status}, expected 404: ${readB.text.slice(0, 200)}`);
      const me = await asA('GET', '/auth/me');
      const meLeaks = secretsOf(b).filter((x) => me.text.includes(x) && x !== b.accountId);
      if (meLeaks.length) problems.push(`A's /auth/me carries B's ${meLeaks.join(', ')}: ${me.text.slice(0, 300)}`);

      const after = await snapshot(server.url, ops, b);
      for (const [read, answer] of Object.entries(before)) {
        const now = after[read] ?? 'missing';
        if (now !== answer) {
          let i = 0;
          while (i < answer.length && answer[i] === now[i]) i++;
          const from = Math.max(0, i - 120);
          problems.push(`B's ${read} changed (at character ${i}):\n    before …${answer.slice(from, i + 180)}\n    after  …${now.slice(from, i + 180)}`);
        }
      }
      console.log(`[tenancy ${engine}] ${calls.length} calls over ${sweptRoutes.size} routes, ${Object.keys(before).length} reads of B compared, ${problems.length} problems`);
      expect(problems, `${problems.length} cross-account problems:\n${problems.join('\n')}`).toEqual([]);
    } finally {
      await server.kill();
      await db.drop();
    }
  }, 240_000);
});

function send(url: string, key: string, c: Pick<Call, 'method' | 'path' | 'body' | 'raw' | 'auth' | 'headers'>): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...(c.auth === 'none' ? {} : { authorization: `Bearer ${key}` }), ...c.headers };
  let body: Buffer | undefined;
  if (c.raw) {
    body = Buffer.from(c.raw.text);
    headers['content-type'] = c.raw.type;
  } else if (c.body !== undefined) {
    body = Buffer.from(JSON.stringify(c.body));
    headers['content-type'] = 'application/json';
  }
  return rawCall(url, { method: c.method, path: c.path, headers, body });
}

/** Strings that identify B's data: a leak when an answer to A carries one A did not send. */
function secretsOf(b: Seeded): string[] {
  return [
    b.accountId, ...b.keyIds, ...b.campaignIds, ...b.messageIds, ...b.providerMessageIds, ...b.linkTokens, ...b.journeyIds,
    ...b.stepIds, ...b.goalIds, ...b.orderIds, ...b.orderKeys, ...b.contactIds, ...b.invoiceIds, ...b.userIds, b.userEmail, ...b.invitationIds, ...b.alertEndpointIds, ...b.suppressions.map((s) => s.address),
    'bravo', 'BRAVO',
  ].filter((s) => s.length >= 5);
}

/** Calls of a route whose path names account rows: every B id in each such parameter (the others A's own). */
function byPath(op: Operation, a: Seeded, b: Seeded): Call[] {
  const route = `${op.method} ${op.path}`;
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (!names.some((n) => ACCOUNT_PARAMS.has(n)) || op.path.startsWith('/webhooks/')) return [];
  const out: Call[] = [];
  const body = op.body ? (validBody(route, a) ?? minimalValid(op.body)) : undefined;
  for (const bName of names.filter((n) => ACCOUNT_PARAMS.has(n))) {
    // A kind B has none of (dead letters): a made-up id, which must answer 404 as well.
    const bIds = idsFor(op.path, bName, b);
    for (const bId of bIds.length ? bIds : [made()]) {
      const path = op.path.replace(/\{(\w+)\}/g, (_m, n: string) => (n === bName ? bId : idsFor(op.path, n, a)[0]));
      out.push({ route, method: op.method, path, body, expect: 404 });
    }
  }
  // All of B's at once too (a journey of B with a step of B).
  if (names.length > 1) out.push({ route, method: op.method, path: op.path.replace(/\{(\w+)\}/g, (_m, n: string) => idsFor(op.path, n, b)[0]), body, expect: 404 });
  return out;
}

const made = () => `zz${randomBytes(6).toString('hex')}`;

/** Calls where B's ids travel in a body, a query string or a cursor, and routes whose path names no account row. */
function special(op: Operation, a: Seeded, b: Seeded): Call[] {
  const route = `${op.method} ${op.path}`;
  const call = (path: string, body: unknown, expect: Call['expect'], unknown?: Call['unknown']): Call => ({ route, method: op.method, path, body, expect, unknown });
  const at = new Date(Date.now() - 60_000).toISOString();
  const [ac0, ac1] = a.campaignIds;
  const bMsg = b.messageIds[0];
  const bCmp = b.campaignIds[0];
  const fake = made();
  const hasCursor = op.params.some((p) => p.in === 'query' && p.name === 'cursor');

  // Every GET without account rows in its path: plainly, and with each of B's cursors.
  if (op.method === 'GET' && !/\{(id|stepId|token)\}/.test(op.path) && !op.path.startsWith('/webhooks/') && op.path !== '/auth/me') {
    const out = [call(op.path, undefined, 'own')];
    if (hasCursor) for (const cur of Object.values(b.cursors)) out.push(call(`${op.path}?cursor=${encodeURIComponent(cur)}`, undefined, 'own'));
    // The feedback list and its export filter by a campaign id in the query: B's shows nothing of B.
    if (op.path.startsWith('/v1/feedback')) out.push(call(`${op.path}?campaign=${bCmp}`, undefined, 'own'));
    // The product report names a campaign in its query: B's is no campaign of A (404).
    if (op.path.startsWith('/v1/products/report')) out.push(call(`${op.path}?campaignId=${bCmp}`, undefined, 404));
    return out;
  }
  // B's cursors in A's lists under A's own rows.
  if (op.method === 'GET' && hasCursor && /\{id\}/.test(op.path)) {
    const path = op.path.replace(/\{(\w+)\}/g, (_m, n: string) => idsFor(op.path, n, a)[0]);
    return Object.values(b.cursors).map((cur) => call(`${path}?cursor=${encodeURIComponent(cur)}`, undefined, 'own'));
  }

  switch (route) {
    case 'PUT /v1/account': return [call(op.path, { name: 'A shop renamed' }, 'own')];
    case 'POST /v1/campaigns': return [call(op.path, { name: 'another of A', channel: 'email' }, 'own')];
    case 'POST /v1/events': return [
      call(op.path, { events: [{ type: 'opened', at, messageId: bMsg }] }, 'as-unknown', { path: op.path, body: { events: [{ type: 'opened', at, messageId: fake }] } }),
      call(op.path, { events: [{ type: 'replied', at, provider: 'api', providerMessageId: b.providerMessageIds[0] }] }, 'own'),
      call(op.path, { events: [{ type: 'clicked', at, campaignId: bCmp, recipient: 'r0.bravo@example.org', url: 'https://x.example' }] }, 'own'),
    ];
    case 'POST /v1/events/single': return [
      call(op.path, { type: 'opened', at, messageId: bMsg }, 'as-unknown', { path: op.path, body: { type: 'opened', at, messageId: fake } }),
      call(op.path, { type: 'unsubscribed', at, provider: 'api', providerMessageId: b.providerMessageIds[1] }, 'own'),
      call(op.path, { type: 'lead', at, campaignId: bCmp, recipient: 'r1.bravo@example.org' }, 'own'),
    ];
    case 'POST /v1/rewrite': return [call(op.path, { messageId: bMsg, body: 'see https://shop.example/p', format: 'text' }, 'as-unknown', { path: op.path, body: { messageId: fake, body: 'see https://shop.example/p', format: 'text' } })];
    case 'POST /v1/journeys': return [call(op.path, { name: 'A journey', steps: [{ name: 's', channel: 'email', campaignIds: [bCmp] }] }, 'as-unknown', { path: op.path, body: { name: 'A journey', steps: [{ name: 's', channel: 'email', campaignIds: [fake] }] } })];
    case 'POST /v1/keys': return [call(op.path, { name: 'A key', role: 'viewer' }, 'own')];
    case 'POST /v1/users': return [call(op.path, { email: `someone-${made()}@example.org`, password: 'another good password', role: 'viewer' }, 'own')];
    case 'PATCH /v1/tracking/settings': return [call(op.path, { utm: false }, 'own')];
    case 'PUT /v1/providers/{provider}/secret': return [call('/v1/providers/twilio/secret', { secret: 'a-new-token-of-A' }, 'own')];
    case 'DELETE /v1/providers/{provider}/secret': return [call('/v1/providers/twilio/secret', undefined, 'own')];
    case 'PUT /v1/shopify/secret': return [call(op.path, { secret: 'shopify-secret-of-A' }, 'own')];
    case 'PUT /v1/stripe/secret': return [call(op.path, { secret: 'whsec_new_one_of_A' }, 'own')];
    case 'POST /v1/orders': return [call(op.path, { orders: [{ id: b.orderIds[0], createdAt: at, currency: 'EUR', total: 1, discountCodes: ['BRAVO10'] }] }, 'own')];
    case 'POST /v1/orders/import': return [{ route, method: 'POST', path: op.path, expect: 'own', raw: { type: 'text/csv', text: `id,created_at,total,currency\n${b.orderIds[1]},${at},100,EUR\n` } }];
    // B's idempotency key and B's buyer's e-mail in A: a conversion of A's own (never B's answer, never a 409).
    case 'POST /v1/conversions': return [call(op.path, { type: 'signup', occurredAt: at, idempotencyKey: 'bravo-signup-0', customer: { email: 'r0.bravo@example.org' } }, 'own')];
    case 'POST /v1/conversions/import': return [{ route, method: 'POST', path: op.path, expect: 'own', raw: { type: 'text/csv', text: `type,occurred_at,idempotency_key,email\nsignup,${at},bravo-signup-1,r1.bravo@example.org\n` } }];
    case 'PUT /v1/attribution/settings': return [call(op.path, { model: 'first_touch' }, 'own')];
    // A rule naming B's campaign is refused as one naming a made-up campaign (422), never stored.
    case 'PUT /v1/attribution/declared-rules': return [call(op.path, { rules: [{ match: 'equals', pattern: 'x', target: { campaignId: bCmp } }] }, 'as-unknown', { path: op.path, body: { rules: [{ match: 'equals', pattern: 'x', target: { campaignId: fake } }] } })];
    // A fit learns from A's paths only and stores A's fit: B's reads (its data-driven fit, credits) stay as they were.
    case 'POST /v1/attribution/data-driven/fit': return [call(op.path, {}, 'own')];
    case 'PUT /v1/currency-rates': return [call(op.path, { rates: [{ from: 'GBP', to: 'EUR', rate: '1.1', validFrom: '2025-02-01' }] }, 'own')];
    case 'PUT /v1/budget/settings': return [call(op.path, { graceDays: 5 }, 'own')];
    case 'PUT /v1/retention/settings': return [call(op.path, { visitorDetailsDays: 30 }, 'own')];
    // A member of B named by A's key: no such member in A (404), never B's person's settings or report.
    case 'PUT /v1/reports/settings': return b.userIds.map((id) => call(`${op.path}?userId=${encodeURIComponent(id)}`, { frequency: 'weekly' }, 404));
    case 'POST /v1/reports/send': return b.userIds.map((id) => call(`${op.path}?userId=${encodeURIComponent(id)}`, undefined, 'refused'));
    case 'PUT /v1/cost-model': return [call(op.path, { currency: 'EUR', email: { perMessage: 3 } }, 'own')];
    case 'POST /v1/suppressions': return [call(op.path, { channel: 'email', address: b.suppressions[0].address }, 'own')];
    // A erases whoever has one of B's recipients' e-mails in A (nobody): B's contact and messages stay.
    case 'POST /v1/contacts/erase': return [call(op.path, { email: 'r0.bravo@example.org' }, 'own')]; // B is seeded as 'bravo'
    case 'DELETE /v1/suppressions': return [call(`${op.path}?channel=${b.suppressions[1].channel}&address=${encodeURIComponent(b.suppressions[1].address)}`, undefined, 'as-unknown', { path: `${op.path}?channel=email&address=${fake}%40example.org` })];
    case 'POST /v1/suppressions/import': return [{ route, method: 'POST', path: op.path, expect: 'own', raw: { type: 'text/csv', text: `channel,address\nemail,${b.suppressions[0].address}\n` } }];
    case 'POST /v1/invoices': return [call(op.path, { id: b.invoiceIds[0], amountDue: 1, currency: 'EUR', status: 'paid' }, 'own')];
    case 'PUT /v1/alerts/endpoints': return [call(op.path, { url: 'https://hooks.example/alfa-2', secret: 'another-secret-long-enough' }, 'own')];
    case 'POST /auth/login': return [{ route, method: 'POST', path: op.path, body: { email: 'analyst-bravo@example.org', password: 'wrong password' }, expect: 'refused', auth: 'none' }];
    case 'GET /auth/me': return [call(op.path, undefined, 'refused')];
    case 'POST /auth/logout': return [call(op.path, undefined, 'own')];
    // With a key and no session: refused (the session half is checked with A's login below).
    case 'POST /auth/account': return [call(op.path, { accountId: b.accountId }, 'refused')];
    case 'POST /auth/invitations/accept': return [call(op.path, { token: 'not-a-token' }, 'refused')];
    case 'POST /auth/password': return [call(op.path, { currentPassword: 'guess', newPassword: 'another long password' }, 'refused')];
    case 'POST /auth/logout-all': return [call(op.path, undefined, 'refused')];
    // B's public webhook endpoints, unsigned or wrongly signed: refused exactly as for an account that does not
    // exist (the answer must not tell whether the account or its secret exists), nothing stored.
    case 'POST /webhooks/{provider}/{accountId}': return ['twilio', 'sendgrid', 'whatsapp', 'mailgun', 'postmark'].flatMap((p) => [
      { route, method: 'POST', path: `/webhooks/${p}/${b.accountId}`, expect: 'as-unknown' as const, unknown: { path: `/webhooks/${p}/acc_${made()}` },
        raw: { type: 'application/json', text: JSON.stringify({ MessageSid: b.providerMessageIds[0], MessageStatus: 'failed' }) } },
      { route, method: 'POST', path: `/webhooks/${p}/${b.accountId}`, expect: 'as-unknown' as const, unknown: { path: `/webhooks/${p}/acc_${made()}` },
        raw: { type: 'application/json', text: '{}' }, headers: { 'x-twilio-signature': 'AAAA', 'x-hub-signature-256': 'sha256=00', 'x-twilio-email-event-webhook-signature': 'AAAA', 'x-twilio-email-event-webhook-timestamp': String(Math.floor(Date.now() / 1000)) } },
    ]);
    case 'POST /webhooks/shopify/{accountId}': return [
      { route, method: 'POST', path: op.path.replace('{accountId}', b.accountId), expect: 'as-unknown', unknown: { path: op.path.replace('{accountId}', `acc_${made()}`) }, raw: { type: 'application/json', text: '{"id":"x"}' } },
      { route, method: 'POST', path: op.path.replace('{accountId}', b.accountId), expect: 'as-unknown', unknown: { path: op.path.replace('{accountId}', `acc_${made()}`) }, raw: { type: 'application/json', text: '{"id":"x"}' }, headers: { 'x-shopify-hmac-sha256': 'AAAA', 'x-shopify-topic': 'orders/create' } },
    ];
    case 'POST /webhooks/stripe/{accountId}': return [
      { route, method: 'POST', path: op.path.replace('{accountId}', b.accountId), expect: 'as-unknown', unknown: { path: op.path.replace('{accountId}', `acc_${made()}`) }, raw: { type: 'application/json', text: '{"id":"x"}' } },
      { route, method: 'POST', path: op.path.replace('{accountId}', b.accountId), expect: 'as-unknown', unknown: { path: op.path.replace('{accountId}', `acc_${made()}`) }, raw: { type: 'application/json', text: '{"id":"x"}' }, headers: { 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` } },
    ];
    case 'GET /webhooks/whatsapp/{accountId}': {
      const q = '?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=42';
      return [call(`/webhooks/whatsapp/${b.accountId}${q}`, undefined, 'as-unknown', { path: `/webhooks/whatsapp/acc_${made()}${q}` })];
    }
  }

  // A's own rows in the path with B's ids in the body.
  const aPath = (p: string) => p.replace('{id}', p.startsWith('/v1/journeys/') ? a.journeyIds[0] : ac0).replace('{stepId}', a.stepIds[0]);
  switch (route) {
    case 'POST /v1/campaigns/{id}/links/issue':
    case 'POST /v1/campaigns/{id}/qr':
      return [call(aPath(op.path), { messageIds: [bMsg] }, 'as-unknown', { path: aPath(op.path), body: { messageIds: [fake] } })];
    case 'POST /v1/campaigns/{id}/sends/commit':
    case 'POST /v1/campaigns/{id}/sends/release':
      return [call(op.path.replace('{id}', ac1), { messageIds: [bMsg] }, 'as-unknown', { path: op.path.replace('{id}', ac1), body: { messageIds: [fake] } })];
    case 'POST /v1/journeys/{id}/steps':
      return [call(aPath(op.path), { name: 's', channel: 'email', campaignIds: [bCmp] }, 'as-unknown', { path: aPath(op.path), body: { name: 's', channel: 'email', campaignIds: [fake] } })];
    case 'POST /v1/journeys/{id}/steps/{stepId}/campaigns':
      return [call(aPath(op.path), { campaignIds: [bCmp] }, 'as-unknown', { path: aPath(op.path), body: { campaignIds: [fake] } })];
  }
  return [];
}

/** Every GET of B (B's key, each of B's ids in each path parameter, B's own cursors): read → status and bytes. */
async function snapshot(url: string, ops: Operation[], b: Seeded): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const op of ops) {
    if (op.method !== 'GET' || !op.path.startsWith('/v1/')) continue;
    const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const paths = names.length === 0 ? [op.path] : idsFor(op.path, names[0], b).map((id) => op.path.replace(`{${names[0]}}`, id));
    const full = paths.flatMap((p) => (names[1] ? idsFor(op.path, names[1], b).map((id) => p.replace(`{${names[1]}}`, id)) : [p]));
    for (const p of full) {
      const withCursor = b.cursors[p] ? [p, `${p}?cursor=${encodeURIComponent(b.cursors[p])}`] : [p];
      for (const q of withCursor) {
        const r = await rawCall(url, { method: 'GET', path: q, headers: { authorization: `Bearer ${b.key}` } });
        out[q] = `${r.status} ${normalise(r.text)}`;
      }
    }
  }
  return out;
}

/**
 * Parts of B's reads that change without any write to B's data: the time of the read, and the diagnostics of
 * refused deliveries to B's public webhook endpoints (anyone on the internet can post there; nothing is stored).
 */
function normalise(text: string): string {
  return text
    .replace(/"asOf":"[^"]*"/g, '"asOf":"…"')
    .replace(/"(refused|unreadable|received|lastReceivedAt)":(\d+|null)/g, '"$1":…')
    .replace(/"lastRefusal":(null|\{"at":\d+,"reason":"[^"]*"\})/g, '"lastRefusal":…');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
