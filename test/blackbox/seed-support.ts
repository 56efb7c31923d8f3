// Shared by the black-box fuzzer and the tenant sweep: `mesure serve` on a fresh SQLite file or PostgreSQL
// schema, accounts made by the CLI, an account filled over HTTP with data of every kind, and raw HTTP calls.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { createAccountWithCli, startServerProcess, tempDir, TEST_SECRET_KEY } from '../../bench/support';
import { PG_URL, type Engine } from '../support';

/** A database for `engine` and the env that points `mesure` at it; the server is started by `serve`. */
export function databaseEnv(engine: Engine): { env: Record<string, string>; drop(): Promise<void> } {
  if (engine === 'sqlite') {
    const tmp = tempDir('mesure-blackbox-');
    return { env: { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}`, MESURE_DEMO: '0' }, drop: async () => tmp.remove() };
  }
  const schema = `bb_${randomBytes(6).toString('hex')}`;
  return {
    env: { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_DEMO: '0', MESURE_SECRET_KEY: TEST_SECRET_KEY },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON when the body is JSON, else undefined. */
  json: unknown;
}

export interface RawRequest {
  method: string;
  /** Path and query, sent as is (already percent-encoded where needed). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/**
 * One request on a fresh connection (no keep-alive: a hostile request must not poison the next), with a
 * Content-Length when there is a body. Rejects on a network error or after `timeoutMs` ("hang").
 */
export function rawCall(baseUrl: string, req: RawRequest, timeoutMs = 15_000): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((ok, ko) => {
    const headers: Record<string, string | number> = { connection: 'close', ...req.headers };
    if (req.body) headers['content-length'] = req.body.length;
    const r = request({ hostname: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', ko);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(parts).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        ok({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    const timer = setTimeout(() => {
      r.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    r.on('error', (e) => {
      clearTimeout(timer);
      ko(e);
    });
    r.end(req.body);
  });
}

/** A JSON call with a bearer key; throws unless 2xx. */
export async function api<T = any>(baseUrl: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await rawCall(baseUrl, {
    method, path,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
  });
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${r.status}: ${r.text.slice(0, 500)}`);
  return r.json as T;
}

/** The ids of one account's data, by kind: what a path, a body or a cursor can name. */
export interface Seeded {
  accountId: string;
  key: string;
  /** The id of an extra owner key, safe to revoke (the fuzzer and the sweep never revoke `key`). */
  spareKeyId: string;
  /** Every key id of the account (the owner key's too). */
  keyIds: string[];
  campaignIds: string[];
  messageIds: string[];
  providerMessageIds: string[];
  linkTokens: string[];
  journeyIds: string[];
  stepIds: string[];
  goalIds: string[];
  orderIds: string[];
  /** The same orders' ids in Mesure (`ord_…`), which /v1/orders/{id}/… routes take. */
  orderKeys: string[];
  /** The account's contacts (made by its messages). */
  contactIds: string[];
  invoiceIds: string[];
  userIds: string[];
  /** The login of the account's analyst user (a person with a dashboard login). */
  userEmail: string;
  userPassword: string;
  /** Pending invitations made by this account (to `inviteEmail` of `seedAccount`). */
  invitationIds: string[];
  alertEndpointIds: string[];
  suppressions: { channel: string; address: string }[];
  /** The webhook secrets the seed set, to sign webhooks as the providers do. */
  shopifySecret: string;
  stripeSecret: string;
  /** Pagination cursors of the account's lists (first page of one item), by list path. */
  cursors: Record<string, string>;
}

/** Creates an account with the CLI (against the server's database) and fills it with data of every kind over HTTP. */
export async function seedAccount(url: string, env: Record<string, string>, tag: string, opts: { inviteEmail?: string } = {}): Promise<Seeded> {
  const { accountId, key } = await createAccountWithCli(env, `Shop ${tag}`);
  const call = <T = any>(method: string, path: string, body?: unknown) => api<T>(url, key, method, path, body);
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

  const spare = await call('POST', '/v1/keys', { name: `spare ${tag}`, role: 'owner' });
  const userEmail = `analyst-${tag}-${randomBytes(3).toString('hex')}@example.org`;
  const userPassword = 'correct horse battery';
  const user = await call('POST', '/v1/users', { email: userEmail, password: userPassword, role: 'analyst' });
  // A person who already has a login is invited (202), not added.
  const invitationIds: string[] = [];
  if (opts.inviteEmail) {
    const inv = await call('POST', '/v1/users', { email: opts.inviteEmail, password: 'unused password', role: 'viewer' });
    invitationIds.push(...collectField(await call('GET', '/v1/invitations'), 'id'));
    void inv;
  }

  const campaignIds: string[] = [];
  const messageIds: string[] = [];
  const providerMessageIds: string[] = [];
  for (const [i, channel] of (['email', 'sms'] as const).entries()) {
    const c = await call<{ id: string }>('POST', '/v1/campaigns', { name: `${tag} campaign ${i}`, channel, budget: 100_000, sendAt: iso(86_400_000) });
    campaignIds.push(c.id);
    const messages = Array.from({ length: 6 }, (_, j) => {
      const pmid = `${tag}-pm-${i}-${j}`;
      providerMessageIds.push(pmid);
      return {
        recipient: channel === 'email' ? { email: `r${j}.${tag}@example.org`, externalId: `${tag}-c${j}` } : { phone: `+3361234${i}${j}00${j}`.slice(0, 12), externalId: `${tag}-c${j}` },
        provider: 'api', providerMessageId: pmid, registeredAt: iso(7_200_000),
      };
    });
    const r = await call<{ messages: { index: number; messageId: string }[] }>('POST', `/v1/campaigns/${c.id}/messages`, { messages });
    const ids = r.messages.map((m) => m.messageId);
    messageIds.push(...ids);
    await call('POST', '/v1/events', {
      events: ids.flatMap((messageId, j) => [
        { type: 'sent', at: iso(3_600_000), messageId, costMinor: 5 },
        { type: 'delivered', at: iso(3_500_000), messageId },
        ...(j % 2 === 0 ? [{ type: 'clicked', at: iso(3_000_000), messageId, url: 'https://shop.example/p' }] : []),
      ]),
    });
  }
  const [c0, c1] = campaignIds;

  await call('POST', `/v1/campaigns/${c0}/links`, { destinations: ['https://shop.example/p', 'https://shop.example/q'] });
  const issued = await call('POST', `/v1/campaigns/${c0}/links/issue`, { all: true });
  const linkTokens = collectField(issued, 'token');

  const journey = await call('POST', '/v1/journeys', {
    name: `${tag} journey`, startedAt: iso(86_400_000),
    steps: [{ name: 'first', channel: 'email', delayMinutes: 0, campaignIds: [c0] }, { name: 'second', channel: 'sms', delayMinutes: 60 }],
  });
  const journeyIds = [journey.id as string];
  const stepIds = (journey.steps as { id: string }[]).map((s) => s.id);
  await call('POST', `/v1/journeys/${journey.id}/steps/${stepIds[1]}/campaigns`, { campaignIds: [c1] });

  const goalIds: string[] = [];
  const g1 = await call('POST', `/v1/campaigns/${c0}/goals`, { kind: 'target', name: 'clicks', metric: 'clicked', comparator: '>=', target: 3 });
  const g2 = await call('POST', `/v1/journeys/${journey.id}/goals`, { kind: 'target', metric: 'delivered', comparator: '>=', target: 5 });
  for (const g of [g1, g2]) if (g?.id) goalIds.push(g.id);
  // A holdout and variants are set before the first recipient, so on a third campaign, then its audience.
  const c2 = (await call<{ id: string }>('POST', '/v1/campaigns', { name: `${tag} campaign 2`, channel: 'whatsapp' })).id;
  campaignIds.push(c2);
  await call('POST', `/v1/campaigns/${c2}/holdout`, { share: 0.1 });
  await call('POST', `/v1/campaigns/${c2}/variants`, { variants: [{ id: 'A', split: 0.5, isControl: true }, { id: 'B', split: 0.5 }] });
  await call('POST', `/v1/campaigns/${c2}/audience`, { recipients: Array.from({ length: 4 }, (_, j) => ({ recipient: { phone: `+3361000000${j}`, externalId: `${tag}-c${j}` } })) });
  await call('POST', `/v1/journeys/${journey.id}/holdout`, { share: 0.05 }).catch(() => undefined);

  const orderIds = [`${tag}-order-1`, `${tag}-order-2`];
  await call('POST', '/v1/orders', {
    orders: orderIds.map((id, i) => ({
      id, createdAt: iso(1_800_000 - i), currency: 'EUR', total: 4_990 + i, discountCodes: [`${tag.toUpperCase()}10`],
      customer: { email: `r${i}.${tag}@example.org` },
    })),
  });
  await call('PUT', `/v1/campaigns/${c0}/discount-codes`, { codes: [`${tag.toUpperCase()}10`] });
  // Two conversions other than orders (sign-ups of the same buyers), so that the list has a second page.
  for (const i of [0, 1]) {
    await call('POST', '/v1/conversions', { type: 'signup', occurredAt: iso(1_800_000 - i), idempotencyKey: `${tag}-signup-${i}`, customer: { email: `r${i}.${tag}@example.org` } });
  }
  const orderKeys = ((await call('GET', '/v1/orders?limit=10')) as { items: { id: string }[] }).items.map((o) => o.id);
  await call('PUT', '/v1/currency-rates', { rates: [{ from: 'USD', to: 'EUR', rate: '0.9', validFrom: '2025-01-01' }] });
  await call('PUT', '/v1/cost-model', { currency: 'EUR', email: { perMessage: 2 }, sms: { perSegment: { default: 7, FR: 6 } } });
  await call('PUT', `/v1/campaigns/${c1}/cost-model`, { sms: { perSegment: { default: 9 } } });
  await call('PUT', '/v1/budget/settings', { monthlyBudget: 1_000_000, graceDays: 3 });
  await call('PUT', '/v1/attribution/settings', { model: 'linear' });
  const suppressions = [{ channel: 'email', address: `blocked.${tag}@example.org` }, { channel: 'sms', address: `+336${[...tag].map((ch) => ch.charCodeAt(0) % 10).join('').padEnd(8, '0').slice(0, 8)}` }];
  for (const s of suppressions) await call('POST', '/v1/suppressions', { ...s, reason: 'complaint' });
  const invoiceIds = [`in_${tag}_1`];
  await call('POST', '/v1/invoices', { id: invoiceIds[0], amountDue: 12_000, currency: 'EUR', status: 'open', dueAt: iso(-86_400_000) });
  const endpoint = await call('PUT', '/v1/alerts/endpoints', { url: `https://hooks.example/${tag}`, secret: 'a-secret-of-enough-length' });
  await call('PUT', '/v1/providers/twilio/secret', { secret: `twilio-auth-token-${tag}` });
  const shopifySecret = `shopify-secret-${tag}`;
  const stripeSecret = `whsec_${tag}_0123456789`;
  await call('PUT', '/v1/shopify/secret', { secret: shopifySecret });
  await call('PUT', '/v1/stripe/secret', { secret: stripeSecret });
  await call('PATCH', '/v1/tracking/settings', { utmSource: `mesure-${tag}` });
  const reserved = await call('POST', `/v1/campaigns/${c1}/sends`, { recipients: [{ phone: '+33611111111', text: 'hi' }] });
  void reserved;

  const keyIds = collectField(await call('GET', '/v1/keys'), 'id');
  const contactIds = ((await call<{ items: { id: string }[] }>('GET', '/v1/contacts?limit=100')).items).map((c) => c.id);
  const cursors: Record<string, string> = {};
  for (const list of ['/v1/campaigns', '/v1/journeys', '/v1/orders', '/v1/conversions', '/v1/contacts', '/v1/suppressions', '/v1/invoices', '/v1/alerts/deliveries', `/v1/campaigns/${c0}/recipients`, `/v1/journeys/${journey.id}/steps/${stepIds[0]}/recipients`]) {
    const page = await call(`GET`, `${list}?limit=1`);
    if (page && typeof page.nextCursor === 'string') cursors[list] = page.nextCursor;
  }
  return {
    accountId, key, spareKeyId: spare.id, keyIds, campaignIds, messageIds, providerMessageIds, linkTokens, journeyIds, stepIds, goalIds, orderIds, orderKeys, contactIds,
    invoiceIds, userIds: [user.id], userEmail, userPassword, invitationIds, alertEndpointIds: [endpoint.id], suppressions, shopifySecret, stripeSecret, cursors,
  };
}

/** Every string value of a field named `field`, anywhere in an answer. */
export function collectField(x: unknown, field: string, out: string[] = []): string[] {
  if (Array.isArray(x)) for (const v of x) collectField(v, field, out);
  else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (k === field && typeof v === 'string') out.push(v);
      else collectField(v, field, out);
    }
  }
  return out;
}

/** The real ids of an account that fit a path parameter of a route (by the collection the route names). */
export function idsFor(path: string, name: string, s: Seeded): string[] {
  if (name === 'accountId') return [s.accountId];
  if (name === 'stepId') return s.stepIds;
  if (name === 'token') return s.linkTokens;
  if (name === 'provider') return ['sendgrid', 'twilio', 'whatsapp', 'mailgun', 'brevo', 'postmark', 'shopify', 'stripe'];
  if (path.startsWith('/v1/campaigns/')) return s.campaignIds;
  if (path.startsWith('/v1/journeys/')) return s.journeyIds;
  if (path.startsWith('/v1/keys/')) return [s.spareKeyId];
  if (path.startsWith('/v1/users/')) return s.userIds;
  if (path.startsWith('/v1/alerts/endpoints/')) return s.alertEndpointIds;
  if (path.startsWith('/v1/goals/')) return s.goalIds;
  if (path.startsWith('/v1/invitations/')) return s.invitationIds;
  if (path.startsWith('/v1/contacts/')) return s.contactIds;
  if (path.startsWith('/v1/orders/')) return s.orderKeys;
  if (path.startsWith('/v1/messages/')) return s.messageIds;
  // Dead letters cannot be made over HTTP without breaking ingestion on purpose: none are seeded.
  return [];
}

/** The operations of an /openapi.json document. */
export interface Operation {
  method: string;
  /** OpenAPI form: /v1/campaigns/{id} */
  path: string;
  params: { name: string; in: string; schema: Record<string, any> }[];
  body?: Record<string, any>;
}

export function operationsOf(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops;
}

export { startServerProcess };
