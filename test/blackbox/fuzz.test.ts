// Black-box fuzzer: every route of the running server's /openapi.json, driven over real sockets with requests
// generated from the routes' own JSON schemas and mutated (wrong types, missing/unknown fields, extreme numbers
// and dates, NUL and lone surrogates, deep nesting, invalid JSON, wrong content types, bodies over the limit).
// Properties: no 5xx, no hang, the process stays up, and afterwards every GET of the account still answers 200.
// Seeded: MESURE_FUZZ_SEED reproduces a run; MESURE_FUZZ_RUNS=<requests> makes a longer run with figures.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { forEachEngineConcurrently } from '../support';
import { bodyModeArb, frameBody, fromSchema, pathIdArb, queryArb, toJsonText } from './fuzz-support';
import { databaseEnv, idsFor, operationsOf, rawCall, seedAccount, startServerProcess, type Operation, type RawRequest, type Seeded } from './seed-support';

/** Small enough to keep over-limit bodies cheap, large enough for an array one past maxItems (10,000) of small items. */
const BODY_LIMIT = 1024 * 1024;
const SEED = Number(process.env.MESURE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = process.env.MESURE_FUZZ_RUNS ? Number(process.env.MESURE_FUZZ_RUNS) : undefined;
/** Without MESURE_FUZZ_RUNS the run is bounded by time, so CI stays within its budget. */
const SECONDS = Number(process.env.MESURE_FUZZ_SECONDS ?? 35);
const CONCURRENCY = 4;
/** MESURE_FUZZ_ROUTES=<regex over "METHOD /path">: fuzz only those routes (to reproduce or dig into one). */
const ONLY = process.env.MESURE_FUZZ_ROUTES ? new RegExp(process.env.MESURE_FUZZ_ROUTES) : undefined;
const REQUEST_TIMEOUT_MS = 15_000;

/** GET routes the after-run read check leaves out, and why. */
const NOT_ACCOUNT_READS: Record<string, string> = {
  'GET /webhooks/whatsapp/{accountId}': "WhatsApp's subscription handshake: answers only Meta's challenge",
  'GET /auth/me': 'needs a dashboard session cookie, not an API key',
  'GET /v1/contacts/{id}/export': 'the run may erase the seeded contacts (DELETE /v1/contacts/{id}): their export then answers 404, as it should',
  'GET /v1/contacts/{id}': 'the run may erase the seeded contacts: their page then answers 404, as it should',
  'GET /v1/contacts/{id}/timeline': 'the run may erase the seeded contacts: their timeline then answers 404, as it should',
};

/**
 * The query a read needs besides its path (an API key names no person: the reports' settings name a member), or null
 * when the account has nothing it could name. The member is one the account has after the run: the run may remove the
 * seeded user (DELETE /v1/users/{id} allows it: that user is not an owner), and then there is no one to read settings of.
 */
const READ_QUERY: Record<string, (live: { userId: string | undefined }) => string | null> = {
  'GET /v1/reports/settings': (live) => (live.userId ? `?userId=${encodeURIComponent(live.userId)}` : null),
};

interface Finding {
  route: string;
  status: number | string;
  request: string;
  answer: string;
}

// The two engines side by side, each with its own server and database.
forEachEngineConcurrently('fuzz: every route of /openapi.json against hostile input', (engine) => {
  it('never answers 5xx or hangs, stays up, and leaves every GET of the account answering 200', async () => {
    const db = databaseEnv(engine);
    const server = await startServerProcess({ ...db.env, MESURE_BODY_LIMIT: String(BODY_LIMIT) });
    try {
      const seeded = await seedAccount(server.url, db.env, 'fz');
      const doc = (await rawCall(server.url, { method: 'GET', path: '/openapi.json' })).json as { paths: Record<string, Record<string, any>> };
      const ops = operationsOf(doc);
      expect(ops.length).toBeGreaterThan(50);

      const fuzzed = ops.filter((o) => !ONLY || ONLY.test(`${o.method} ${o.path}`));
      const requestArb = fc.constantFrom(...fuzzed).chain((op) => requestOf(op, seeded));
      const tried = new Map<string, number>();
      const fivexx = new Map<string, number>();
      /** Answers by status: shows how many requests got past validation to the handlers. */
      const statuses = new Map<number, number>();
      const routeStatuses = new Map<string, Map<number, number>>();
      const findings: Finding[] = [];
      const started = Date.now();
      let chunk = 0;
      let total = 0;
      console.log(`[fuzz ${engine}] seed ${SEED} (MESURE_FUZZ_SEED=${SEED} reproduces), ${fuzzed.length} of ${ops.length} operations, ${RUNS ? `${RUNS} requests` : `${SECONDS} s`}`);
      while (RUNS ? total < RUNS : Date.now() - started < SECONDS * 1000) {
        const batch = fc.sample(requestArb, { seed: SEED + chunk++, numRuns: RUNS ? Math.min(200, RUNS - total) : 200 });
        let next = 0;
        await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
          while (next < batch.length) {
            const { route, req } = batch[next++];
            total++;
            tried.set(route, (tried.get(route) ?? 0) + 1);
            let status: number | string;
            let answer = '';
            try {
              const r = await rawCall(server.url, req, REQUEST_TIMEOUT_MS);
              status = r.status;
              answer = r.text.slice(0, 300);
              statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
              const mine = routeStatuses.get(route) ?? new Map<number, number>();
              mine.set(r.status, (mine.get(r.status) ?? 0) + 1);
              routeStatuses.set(route, mine);
            } catch (e) {
              // A server may refuse a body over its limit by answering early and closing: the client's write then fails.
              const code = (e as NodeJS.ErrnoException).code;
              if ((req.body?.length ?? 0) > BODY_LIMIT && (code === 'EPIPE' || code === 'ECONNRESET')) continue;
              status = `no answer (${(e as Error).message})`;
            }
            if (typeof status !== 'number' || status >= 500) {
              fivexx.set(route, (fivexx.get(route) ?? 0) + 1);
              findings.push({ route, status, request: show(req), answer });
            }
          }
        }));
      }
      const seconds = (Date.now() - started) / 1000;
      const tally = (m?: Map<number, number>) => [...(m ?? [])].sort((x, y) => x[0] - y[0]).map(([k, n]) => `${k}×${n}`).join(' ');
      const byRoute = [...tried].sort().map(([r, n]) => `  ${r}: ${n} tried${fivexx.get(r) ? `, ${fivexx.get(r)} 5xx` : ''} (${tally(routeStatuses.get(r))})`);
      console.log(`[fuzz ${engine}] seed ${SEED}: ${total} requests in ${seconds.toFixed(1)} s, ${findings.length} 5xx or no answer, ${fivexx.size} routes with 5xx; answers by status: ${tally(statuses)}\n${byRoute.join('\n')}`);

      // The process is alive and still serves.
      expect(server.child.exitCode, `the server exited: ${server.stderr().slice(-3000)}`).toBeNull();
      expect((await rawCall(server.url, { method: 'GET', path: '/healthz' })).status).toBe(200);

      // Nothing stored by the run breaks a read: every GET of the account, with real ids, answers 200.
      const broken: string[] = [];
      const members = (await rawCall(server.url, { method: 'GET', path: '/v1/users', headers: { authorization: `Bearer ${seeded.key}` } })).json as { items: { id: string }[] };
      const live = { userId: members.items[0]?.id };
      for (const op of ops.filter((o) => o.method === 'GET')) {
        const route = `GET ${op.path}`;
        if (NOT_ACCOUNT_READS[route]) continue;
        const query = READ_QUERY[route] ? READ_QUERY[route](live) : '';
        if (query === null) continue;
        const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => idsFor(op.path, name, seeded)[0] ?? 'missing') + query;
        const r = await rawCall(server.url, { method: 'GET', path, headers: { authorization: `Bearer ${seeded.key}` } });
        if (r.status !== 200) broken.push(`${route} (${path}) → ${r.status}: ${r.text.slice(0, 200)}`);
      }

      // Listed by route: how many, and up to three of the requests (the failures of one route often share a cause).
      const report = [...fivexx.keys()].sort().map((route) => {
        const mine = findings.filter((f) => f.route === route);
        return `- ${route}: ${mine.length} of ${tried.get(route)}\n${mine.slice(0, 3).map((f) => `    ${f.status} ← ${f.request}\n      ${f.answer.slice(0, 160)}`).join('\n')}`;
      }).join('\n');
      expect(findings.length, `seed ${SEED}: ${findings.length} requests answered 5xx or not at all:\n${report}\n--- server stderr (tail) ---\n${server.stderr().slice(-1500)}`).toBe(0);
      expect(broken, `seed ${SEED}: reads broken after the fuzz run:\n${broken.join('\n')}`).toEqual([]);
    } finally {
      await server.kill();
      await db.drop();
    }
  }, (RUNS ? 3_600 : SECONDS + 240) * 1000);
});

/** Bodies for routes that take something other than a JSON schema'd body (webhooks, CSV imports). */
const UNTYPED_BODIES = fc.oneof(
  fc.constant({ body: Buffer.from('id,created_at,total,currency\no1,2026-01-01T00:00:00Z,1000,EUR\n'), type: 'text/csv' }),
  fc.constant({ body: Buffer.from('channel,address\nemail,x@example.org\nsms,\u0000\n'), type: 'text/csv' }),
  fc.constant({ body: Buffer.from('"unterminated,quote\n' + 'a,'.repeat(5000)), type: 'text/csv' }),
  fc.constant({ body: Buffer.from('[{"event":"delivered","sg_message_id":"x","timestamp":99999999999999}]'), type: 'application/json' }),
  fc.constant({ body: Buffer.from('{"entry":[{"changes":[{"value":{"statuses":[{"id":"\\u0000","status":"read","timestamp":"1e400"}]}}]}]}'), type: 'application/json' }),
  fc.constant({ body: Buffer.from('MessageSid=SM1&MessageStatus=delivered&To=%00'), type: 'application/x-www-form-urlencoded' }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ body: Buffer.from(JSON.stringify(v) ?? 'null'), type: 'application/json' })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ body: Buffer.from(b), type: 'application/octet-stream' })),
);

const money = { type: 'string', pattern: '^[0-9]{1,6}\\.[0-9]{2}$' };
const when = { type: 'string', format: 'date-time' };
/** Shopify order and refund payloads, loosely (the adapter must read what Shopify sends and refuse the rest). */
const SHOPIFY_ORDER = {
  type: 'object', required: ['id', 'created_at', 'currency', 'total_price'],
  properties: {
    id: { type: 'integer', minimum: 1 }, order_id: { type: 'integer', minimum: 1 }, name: { type: 'string', maxLength: 40 }, created_at: when, updated_at: when, cancelled_at: when,
    currency: { type: 'string', pattern: '^[A-Z]{3}$' }, total_price: money, subtotal_price: money, total_tax: money, total_discounts: money,
    total_shipping_price_set: { type: 'object', properties: { shop_money: { type: 'object', properties: { amount: money, currency_code: { type: 'string', pattern: '^[A-Z]{3}$' } } } } },
    discount_codes: { type: 'array', maxItems: 3, items: { type: 'object', properties: { code: { type: 'string', maxLength: 50 }, amount: money } } },
    landing_site: { type: 'string', maxLength: 300 }, referring_site: { type: 'string', maxLength: 300 },
    note_attributes: { type: 'array', maxItems: 3, items: { type: 'object', properties: { name: { type: 'string', maxLength: 30 }, value: { type: 'string', maxLength: 100 } } } },
    customer: { type: 'object', properties: { id: { type: 'integer' }, email: { type: 'string', maxLength: 100 }, phone: { type: 'string', maxLength: 30 } } },
    refund_line_items: { type: 'array', maxItems: 2, items: { type: 'object', properties: { subtotal: { type: 'number' }, total_tax: { type: 'number' } } } },
    transactions: { type: 'array', maxItems: 2, items: { type: 'object', properties: { kind: { enum: ['refund', 'sale'] }, amount: money, currency: { type: 'string' } } } },
  },
};
/** Stripe invoice events, loosely. */
const STRIPE_EVENT = {
  type: 'object', required: ['id', 'object', 'type', 'created', 'data'],
  properties: {
    id: { type: 'string', pattern: '^evt_[a-z0-9]{1,20}$' }, object: { const: 'event' }, livemode: { type: 'boolean' }, created: { type: 'integer', minimum: 0, maximum: 4_102_444_800 },
    type: { enum: ['invoice.finalized', 'invoice.paid', 'invoice.payment_failed', 'invoice.voided', 'invoice.marked_uncollectible', 'invoice.overdue', 'customer.created'] },
    data: { type: 'object', required: ['object'], properties: { object: { type: 'object', required: ['id', 'object', 'amount_due', 'currency', 'status'], properties: {
      id: { type: 'string', pattern: '^in_[a-z0-9]{1,20}$' }, object: { const: 'invoice' }, number: { type: 'string', maxLength: 40 }, amount_due: { type: 'integer', minimum: 0 },
      amount_remaining: { type: 'integer', minimum: 0 }, currency: { type: 'string', pattern: '^[a-z]{3}$' }, due_date: { type: ['integer', 'null'], minimum: 0 },
      status: { enum: ['draft', 'open', 'paid', 'void', 'uncollectible'] }, hosted_invoice_url: { type: 'string', format: 'uri' },
      status_transitions: { type: 'object', properties: { paid_at: { type: ['integer', 'null'] } } },
    } } } },
  },
};

/** Webhooks signed as Shopify and Stripe sign them (with the secrets the seed set), so hostile payloads reach the parsers. */
function signedWebhookOf(op: Operation, seeded: Seeded): fc.Arbitrary<{ route: string; req: RawRequest }> | undefined {
  const route = `${op.method} ${op.path}`;
  const path = op.path.replace('{accountId}', seeded.accountId);
  if (route === 'POST /webhooks/shopify/{accountId}') {
    return fc.tuple(hostileBody(SHOPIFY_ORDER), fc.constantFrom('orders/create', 'orders/updated', 'orders/cancelled', 'refunds/create', 'app/uninstalled', ''), fc.nat()).map(([order, topic, n]) => {
      const body = Buffer.from(toJsonText(order));
      const hmac = createHmac('sha256', seeded.shopifySecret).update(body).digest('base64');
      return { route, req: { method: 'POST', path, body, headers: { 'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': hmac, 'x-shopify-webhook-id': `w-${n}`, 'x-shopify-event-id': `e-${n}` } } };
    });
  }
  if (route === 'POST /webhooks/stripe/{accountId}') {
    return fc.tuple(hostileBody(STRIPE_EVENT), fc.integer({ min: -400, max: 400 })).map(([event, skew]) => {
      const body = Buffer.from(toJsonText(event));
      const t = Math.floor(Date.now() / 1000) + skew;
      const v1 = createHmac('sha256', seeded.stripeSecret).update(`${t}.`).update(body).digest('hex');
      return { route, req: { method: 'POST', path, body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` } } };
    });
  }
  return undefined;
}

function requestOf(op: Operation, seeded: Seeded): fc.Arbitrary<{ route: string; req: RawRequest }> {
  const signed = signedWebhookOf(op, seeded);
  const plain = plainRequestOf(op, seeded);
  return signed ? fc.oneof({ arbitrary: signed, weight: 3 }, { arbitrary: plain, weight: 1 }) : plain;
}

/**
 * A body by hostility, chosen per request: a large body mutated at every node would (almost) never pass validation,
 * so a share of requests is valid, or valid with extremes that pass validation, and reaches the handlers.
 */
function hostileBody(schema: Record<string, unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: fromSchema(schema, 0), weight: 1 }, { arbitrary: fromSchema(schema, 1), weight: 2 }, { arbitrary: fromSchema(schema, 2), weight: 2 });
}

/**
 * Events that pass the ingestion rules (a time in the last 30 days, the message named in exactly one way, by a real
 * id) with extremes in every other field, so the fuzzer reaches ingestion and not only validation.
 */
function ingestibleEvent(itemSchema: Record<string, any>, seeded: Seeded): fc.Arbitrary<Record<string, unknown>> {
  const reference = fc.oneof(
    fc.constantFrom(...seeded.messageIds).map((messageId) => ({ messageId })),
    fc.constantFrom(...seeded.providerMessageIds).map((providerMessageId) => ({ provider: 'api', providerMessageId })),
    fc.tuple(fc.constantFrom(...seeded.campaignIds), fc.integer({ min: 0, max: 5 })).map(([campaignId, j]) => ({ campaignId, recipient: `r${j}.fz@example.org` })),
  );
  return fc.tuple(fromSchema(itemSchema, 1), reference, fc.integer({ min: 0, max: 30 * 86_400_000 })).map(([e, ref, ago]) => {
    const out = { ...(e as Record<string, unknown>) };
    for (const k of ['messageId', 'provider', 'providerMessageId', 'campaignId', 'recipient']) delete out[k];
    return { ...out, ...ref, at: new Date(Date.now() - ago).toISOString() };
  });
}

function plainRequestOf(op: Operation, seeded: Seeded): fc.Arbitrary<{ route: string; req: RawRequest }> {
  const route = `${op.method} ${op.path}`;
  if (op.body && (route === 'POST /v1/events' || route === 'POST /v1/events/single')) {
    const item = route === 'POST /v1/events' ? op.body.properties.events.items : op.body;
    const ingestible = route === 'POST /v1/events' ? fc.array(ingestibleEvent(item, seeded), { minLength: 1, maxLength: 20 }).map((events) => ({ events })) : ingestibleEvent(item, seeded);
    const auth = { authorization: `Bearer ${seeded.key}`, 'content-type': 'application/json' };
    const good = ingestible.map((v) => ({ route, req: { method: 'POST', path: op.path, headers: auth, body: Buffer.from(toJsonText(v)) } as RawRequest }));
    return fc.oneof({ arbitrary: good, weight: 1 }, { arbitrary: anyRequestOf(op, seeded), weight: 1 });
  }
  return anyRequestOf(op, seeded);
}

function anyRequestOf(op: Operation, seeded: Seeded): fc.Arbitrary<{ route: string; req: RawRequest }> {
  const pathParams = op.params.filter((p) => p.in === 'path');
  const queryParams = op.params.filter((p) => p.in === 'query');
  const pathArb = fc.tuple(...pathParams.map((p) => pathIdArb(idsFor(op.path, p.name, seeded)))).map((vals) => {
    let i = 0;
    return op.path.replace(/\{\w+\}/g, () => vals[i++]);
  });
  const cursors = Object.values(seeded.cursors);
  const authArb = fc.oneof(
    { arbitrary: fc.constant<string | undefined>(`Bearer ${seeded.key}`), weight: 30 },
    { arbitrary: fc.constantFrom<string | undefined>(undefined, 'Bearer ', 'Bearer x', `Bearer ${seeded.key}x`, `Basic ${seeded.key}`, `Bearer ${'k'.repeat(5000)}`, `bearer ${seeded.key}`), weight: 1 },
  );
  const hasBody = op.body !== undefined || (op.method !== 'GET' && op.method !== 'DELETE');
  const bodyArb = op.body
    ? fc.tuple(hostileBody(op.body), bodyModeArb, fc.nat()).map(([v, mode, pick]) => frameBody(v, mode, BODY_LIMIT, pick))
    : hasBody
      ? fc.oneof({ arbitrary: UNTYPED_BODIES.map((b) => ({ body: b.body, headers: { 'content-type': b.type } as Record<string, string> })), weight: 6 }, { arbitrary: fc.tuple(bodyModeArb, fc.nat()).map(([mode, pick]) => frameBody({}, mode, BODY_LIMIT, pick)), weight: 1 })
      : fc.constant({ body: undefined, headers: {} as Record<string, string> });
  return fc.tuple(pathArb, queryArb(queryParams, cursors), authArb, bodyArb).map(([path, query, auth, b]) => ({
    route: `${op.method} ${op.path}`,
    req: { method: op.method, path: path + query, headers: { ...(auth ? { authorization: auth } : {}), ...b.headers }, body: b.body },
  }));
}

function show(req: RawRequest): string {
  const body = req.body ? req.body.toString('utf8') : '';
  const shown = body.length > 400 ? `${body.slice(0, 400)}… (${body.length} bytes)` : body;
  const path = req.path.length > 300 ? `${req.path.slice(0, 300)}…` : req.path;
  return `${req.method} ${path} [${req.headers?.['content-type'] ?? 'no content-type'}] ${shown}`;
}
