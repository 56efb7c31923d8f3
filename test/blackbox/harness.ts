// Black-box harness: `mesure serve` as a child process on a fresh SQLite file or PostgreSQL schema, an account made
// with the CLI and one API key per role, raw HTTP over real sockets (Buffer bodies with Content-Length, as providers
// send them), the routes /openapi.json lists, and each provider's webhook signature computed as the provider does.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import twilioLib from 'twilio';
import Stripe from 'stripe';
import { createAccountWithCli, startServerProcess, type ServerProcess } from '../../bench/support';
import type { Engine } from '../support';
import { databaseEnv, rawCall } from './seed-support';
import type { Role } from '../../src/services/accounts';

export interface Blackbox {
  engine: Engine;
  url: string;
  accountId: string;
  /** One API key per role, made by the owner key over HTTP (the owner key comes from `mesure accounts create`). */
  keys: Record<Role, string>;
  server: ServerProcess;
  /** The database settings the server runs with (for the CLI on the same database). */
  env: Record<string, string>;
  /** Further accounts made with the CLI (see startBlackbox), each with its owner key. */
  others: { accountId: string; key: string }[];
  /** Stops the server and removes its database (file or schema). */
  stop(): Promise<void>;
}

/** A fresh Mesure server process with an account and an owner, analyst and viewer key, and `others` accounts. */
export async function startBlackbox(engine: Engine, name = 'Black-box shop', others: string[] = []): Promise<Blackbox> {
  const { env, drop } = databaseEnv(engine);
  let server: ServerProcess | undefined;
  try {
    const { accountId, key: owner } = await accountWithCli(env, name); // migrates the database first
    const [started, ...made] = await Promise.allSettled([startServerProcess(env), ...others.map((n) => accountWithCli(env, n))]);
    if (started.status === 'fulfilled') server = started.value;
    for (const r of [started, ...made]) if (r.status === 'rejected') throw r.reason;
    const otherAccounts = made.map((r) => (r as PromiseFulfilledResult<{ accountId: string; key: string }>).value);
    const keyFor = async (role: Role) => {
      const r = await send(server!.url, 'POST', '/v1/keys', { key: owner, json: { name: `${role} key`, role } });
      if (r.status !== 201) throw new Error(`POST /v1/keys (${role}) → ${r.status}: ${r.text}`);
      return r.json.key as string;
    };
    const keys = { owner, analyst: await keyFor('analyst'), viewer: await keyFor('viewer') };
    const s = server!;
    return {
      engine, url: s.url, accountId, keys, server: s, env, others: otherAccounts,
      stop: async () => {
        await s.stop();
        await drop();
      },
    };
  } catch (err) {
    await server?.kill();
    await drop();
    throw err;
  }
}

/** `mesure accounts create` on the server's database (no demo): the account's id and its owner key. */
export function accountWithCli(env: Record<string, string>, name: string): Promise<{ accountId: string; key: string }> {
  return createAccountWithCli({ ...env, MESURE_DEMO: '0' }, name);
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface SendOptions {
  /** API key sent as a bearer token. */
  key?: string;
  /** A JSON body (serialised here). */
  json?: unknown;
  /** A raw body, sent as is. */
  body?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One HTTP request on its own connection; the body, if any, is one Buffer with an explicit Content-Length. */
export async function send(baseUrl: string, method: string, path: string, opts: SendOptions = {}): Promise<Answer> {
  const payload = opts.json !== undefined ? Buffer.from(JSON.stringify(opts.json)) : opts.body === undefined ? undefined : Buffer.from(opts.body);
  const contentType = opts.contentType ?? (opts.json !== undefined ? 'application/json' : undefined);
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (payload && contentType) headers['content-type'] = contentType;
  return (await rawCall(baseUrl, { method, path: url.pathname + url.search, headers, body: payload }, 20_000)) as Answer;
}

/** Every 'METHOD /path' of /openapi.json, paths as the document writes them ('/v1/campaigns/{id}'). */
export async function openApiRoutes(baseUrl: string): Promise<string[]> {
  const r = await send(baseUrl, 'GET', '/openapi.json');
  if (r.status !== 200) throw new Error(`GET /openapi.json → ${r.status}`);
  const out: string[] = [];
  for (const [path, ops] of Object.entries(r.json.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

/** A Fastify route key ('GET /v1/campaigns/:id') as /openapi.json writes it ('GET /v1/campaigns/{id}'). */
export function openApiKey(routeKey: string): string {
  return routeKey.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

// ---------------------------------------------------------------------------------------------- provider signatures

/** WhatsApp Cloud API: X-Hub-Signature-256 = sha256= + hex HMAC-SHA256 of the raw body with the app secret. */
export function whatsappSignature(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Twilio: X-Twilio-Signature over the URL Twilio called and the form fields, computed by Twilio's own library. */
export function twilioSignature(authToken: string, calledUrl: string, fields: Record<string, string>): string {
  return twilioLib.getExpectedTwilioSignature(authToken, calledUrl, fields);
}

/** SendGrid signed event webhook: an ECDSA P-256 key pair; the public key (base64 DER) is the account's secret. */
export function sendgridKeys(): { publicKey: string; privateKey: KeyObject } {
  const k = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { publicKey: k.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey: k.privateKey };
}

/** SendGrid's two headers: base64 DER ECDSA signature of timestamp + body, and the timestamp. */
export function sendgridHeaders(privateKey: KeyObject, body: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
  return { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp };
}

/** Mailgun: the signature object it puts in the body, hex HMAC-SHA256 of timestamp + token with the signing key. */
export function mailgunSignature(signingKey: string, token: string, timestamp = String(Math.floor(Date.now() / 1000))) {
  return { timestamp, token, signature: createHmac('sha256', signingKey).update(timestamp + token).digest('hex') };
}

/** Postmark does not sign: the webhook URL carries HTTP Basic credentials ('user:password'). */
export function postmarkAuthorization(credentials: string): string {
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** Shopify: X-Shopify-Hmac-Sha256 = base64 HMAC-SHA256 of the raw body with the app's client secret. */
export function shopifySignature(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

const stripe = new Stripe('sk_test_placeholder');
/** Stripe-Signature as Stripe's own library makes it (t=…,v1=…). */
export function stripeSignature(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}
