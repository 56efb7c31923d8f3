// Secrets sealed at rest (#17), as deployed: `mesure serve` on a SQLite file (its key file made on first start) and on
// PostgreSQL (MESURE_SECRET_KEY), driven over HTTP. Secrets of every kind set through the API are nowhere in the
// database's bytes, the API shows their last four characters only, signed webhooks still verify, a plain value left by
// an older version is sealed at the next start, `mesure secrets rotate` moves everything to a new key, and a wrong key
// stops the start with a message saying what to do.
import { createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, callOk, createAccountWithCli, deliver, runCli, startServerProcess, tempDir, type ServerProcess } from '../bench/support';
import { dropPgSchema, forEachEngineConcurrently, PG_URL, type Engine } from './support';

const SECRETS = {
  mailgun: 'mg-signing-key-Zq81-a1b2',
  shopify: 'shpss_shopify-secret-7c3d',
  stripe: 'whsec_stripe-secret-9f8e',
  alert: 'alert-signing-secret-5d6c',
};
/** Each case starts `mesure serve` or the CLI several times: tens of seconds on a loaded two-core machine. */
const SLOW = 240_000;
const PLANTED = 'planted-plain-mailgun-key-0042';
const key = () => randomBytes(32).toString('base64');
/** The key id as docs/PRIVACY.md defines it: the first 8 hex digits of the SHA-256 of the 32 key bytes. */
const idOf = (k: string) => createHash('sha256').update(Buffer.from(k, 'base64')).digest('hex').slice(0, 8);

/** Opens `v1:<id>:<iv>:<tag>:<ct>` with `k`, written here from the format, not with Mesure's code; throws if it cannot. */
function openByHand(sealed: string, k: string): string {
  const [v, , iv, tag, ct] = sealed.split(':');
  expect(v).toBe('v1');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(k, 'base64'), Buffer.from(iv, 'base64'));
  d.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([d.update(Buffer.from(ct, 'base64')), d.final()]).toString('utf8');
}

// The two engines run side by side (each its own directory, database, receiver and servers); each engine's cases in order.
forEachEngineConcurrently('secrets sealed at rest', (engine: Engine) => {
  const tmp = tempDir('mesure-secrets-');
  const dbFile = join(tmp.dir, 'mesure.db');
  const keyFile = join(tmp.dir, 'mesure.key');
  const schema = `sec_${randomBytes(5).toString('hex')}`;
  // SQLite runs without MESURE_SECRET_KEY (the key file); PostgreSQL with K1, as it requires one.
  const K1 = key();
  const K2 = key();
  const K3 = key();
  let env: Record<string, string> =
    engine === 'sqlite' ? { DATABASE_URL: `file:${dbFile}`, MESURE_SECRET_KEY: '' } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_SECRET_KEY: K1 };
  let server: ServerProcess | undefined;
  let accountId = '';
  let apiKey = '';
  const alerts: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  let receiver: Server;
  let receiverUrl = '';

  const start = async (extra: Record<string, string> = {}) => {
    server = await startServerProcess({ ...env, ...extra });
    return server;
  };
  const stop = async () => {
    await server?.stop();
    server = undefined;
  };

  /** Every stored secret value, read straight from the tables. */
  async function storedValues(): Promise<string[]> {
    const q = [
      'SELECT secret AS v FROM provider_secrets', 'SELECT secrets AS v FROM shopify_secrets',
      'SELECT stripe_webhook_secret AS v FROM billing_settings WHERE stripe_webhook_secret IS NOT NULL', 'SELECT secret AS v FROM alert_endpoints',
    ];
    if (engine === 'sqlite') {
      const db = new Database(dbFile, { readonly: true });
      try {
        return q.flatMap((s) => (db.prepare(s).all() as { v: string }[]).map((r) => r.v));
      } finally {
        db.close();
      }
    }
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(`SET search_path TO ${schema}`);
      const out: string[] = [];
      for (const s of q) out.push(...(await c.query(s)).rows.map((r) => r.v as string));
      return out;
    } finally {
      await c.end();
    }
  }

  /**
   * What someone holding a copy of the database sees: SQLite, the bytes of the file and its -wal and -shm; PostgreSQL,
   * every text column of every table of the schema, and `pg_dump --schema` of it.
   */
  async function databaseText(): Promise<string> {
    if (engine === 'sqlite') {
      return ['', '-wal', '-shm'].map((s) => `${dbFile}${s}`).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n');
    }
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    let text = '';
    try {
      const cols = await c.query(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND data_type IN ('text', 'character varying', 'jsonb', 'json')`,
        [schema],
      );
      expect(cols.rows.length).toBeGreaterThan(20);
      for (const { table_name, column_name } of cols.rows) {
        const r = await c.query(`SELECT "${column_name}"::text AS v FROM "${schema}"."${table_name}"`);
        text += r.rows.map((x) => x.v).join('\n');
      }
    } finally {
      await c.end();
    }
    const { execFileSync } = await import('node:child_process');
    text += execFileSync('/usr/lib/postgresql/15/bin/pg_dump', ['--schema', schema, '--data-only', PG_URL], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return text;
  }

  async function plantPlainMailgunKey(value: string): Promise<void> {
    if (engine === 'sqlite') {
      const db = new Database(dbFile);
      db.prepare("UPDATE provider_secrets SET secret = ? WHERE account_id = ? AND provider = 'mailgun'").run(value, accountId);
      db.close();
      return;
    }
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`UPDATE ${schema}.provider_secrets SET secret = $1 WHERE account_id = $2 AND provider = 'mailgun'`, [value, accountId]);
    await c.end();
  }

  // ---------------------------------------------------------------- signed webhooks, as each provider signs them
  const mailgunWebhook = (secret: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString('hex');
    const body = JSON.parse(readFileSync('src/providers/mailgun/fixtures/delivered.json', 'utf8'));
    body.signature = { timestamp, token, signature: createHmac('sha256', secret).update(timestamp + token).digest('hex') };
    body['event-data'].id = randomBytes(8).toString('hex');
    return deliver(server!.url, `/webhooks/mailgun/${accountId}`, JSON.stringify(body), { 'content-type': 'application/json' });
  };
  const shopifyWebhook = (secret: string) => {
    const body = readFileSync('src/providers/shopify/fixtures/orders-create.json', 'utf8');
    return deliver(server!.url, `/webhooks/shopify/${accountId}`, body, {
      'content-type': 'application/json', 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': randomBytes(8).toString('hex'),
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    });
  };
  const stripeWebhook = (secret: string) => {
    const body = readFileSync('src/providers/stripe/fixtures/invoice.finalized.json', 'utf8')
      .replace('acc_demo', accountId).replace('evt_1QxMsrEXAMPLEfin', `evt_${randomBytes(6).toString('hex')}`);
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    return deliver(server!.url, `/webhooks/stripe/${accountId}`, body, { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` });
  };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        alerts.push({ headers: req.headers, body });
        res.end('ok');
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/alerts`;
    ({ accountId, key: apiKey } = await createAccountWithCli(env, 'Secrets shop'));
    await start();
  }, SLOW);
  afterAll(async () => {
    await stop();
    await new Promise((ok) => receiver.close(ok));
    if (engine === 'postgres') await dropPgSchema(schema);
    tmp.remove();
  }, SLOW);

  it('keeps no secret set through the API in the database, and shows only their last four characters', async ({ expect }) => {
    if (engine === 'sqlite') {
      // The key file made on first start: 32 bytes in base64 and a newline, readable by its owner only.
      expect(readFileSync(keyFile, 'utf8')).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    }
    const url = server!.url;
    await callOk(url, 'PUT', '/v1/providers/mailgun/secret', apiKey, { secret: SECRETS.mailgun });
    await callOk(url, 'PUT', '/v1/shopify/secret', apiKey, { secret: SECRETS.shopify });
    await callOk(url, 'PUT', '/v1/stripe/secret', apiKey, { secret: SECRETS.stripe });
    const endpoint = await callOk<Record<string, unknown>>(url, 'PUT', '/v1/alerts/endpoints', apiKey, { url: receiverUrl, secret: SECRETS.alert });
    expect(endpoint).not.toHaveProperty('secret');

    // The hints are the last four characters of the literals above.
    const providers = await callOk<{ items: { provider: string; secretHint: string | null }[] }>(url, 'GET', '/v1/providers', apiKey);
    expect(providers.items.map((p) => [p.provider, p.secretHint])).toEqual([['whatsapp', null], ['twilio', null], ['sendgrid', null], ['mailgun', '…a1b2'], ['postmark', null]]);
    const shopify = await callOk(url, 'GET', '/v1/shopify/secret', apiKey);
    expect(shopify).toMatchObject({ configured: true, secretHint: '…7c3d' });
    const settings = await callOk(url, 'GET', '/v1/budget/settings', apiKey);
    expect(settings).toMatchObject({ stripeWebhookSecretSet: true, stripeWebhookSecretHint: '…9f8e' });
    const endpoints = await callOk<{ items: unknown[] }>(url, 'GET', '/v1/alerts/endpoints', apiKey);
    expect(endpoints.items).toEqual([expect.objectContaining({ url: receiverUrl, secretHint: '…5d6c' })]);
    const shown = JSON.stringify([providers, shopify, settings, endpoints]);

    const text = await databaseText();
    for (const secret of Object.values(SECRETS)) {
      expect(shown).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
    // What the tables hold instead: values sealed with the key in use (K1 on PostgreSQL; the key file on SQLite).
    const k = engine === 'sqlite' ? readFileSync(keyFile, 'utf8').trim() : K1;
    const values = await storedValues();
    expect(values).toHaveLength(4);
    for (const v of values) expect(v).toMatch(new RegExp(`^v1:${idOf(k)}:`));
    expect(values.map((v) => openByHand(v, k)).sort()).toEqual([SECRETS.alert, SECRETS.mailgun, JSON.stringify([SECRETS.shopify]), SECRETS.stripe].sort());
  }, SLOW);

  it('verifies webhooks signed with those secrets, refuses wrongly signed ones, and signs alerts with its own', async ({ expect }) => {
    expect((await mailgunWebhook(SECRETS.mailgun)).status).toBe(200);
    expect((await mailgunWebhook('mg-signing-key-Zq81-zzzz')).status).toBe(403);
    expect((await shopifyWebhook(SECRETS.shopify)).status).toBe(200);
    expect((await shopifyWebhook('shpss_shopify-secret-zzzz')).status).toBe(401);
    expect((await stripeWebhook(SECRETS.stripe)).status).toBe(200);
    expect((await stripeWebhook('whsec_stripe-secret-zzzz')).status).toBe(403);

    // An overdue invoice raises an alert to the endpoint, signed t=<s>,v1=HMAC-SHA256(secret, "<t>.<body>").
    await callOk(server!.url, 'POST', '/v1/invoices', apiKey, { id: 'in_secrets_1', amountDue: 1000, currency: 'EUR', status: 'open', overdue: true });
    for (let i = 0; i < 100 && alerts.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(alerts.length).toBeGreaterThan(0);
    const { headers, body } = alerts[0];
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['mesure-signature']))!;
    expect(v1).toBe(createHmac('sha256', SECRETS.alert).update(`${t}.${body}`).digest('hex'));
  }, SLOW);

  it('seals at the next start a plain value stored as an older version did, and it still verifies', async ({ expect }) => {
    await stop();
    await plantPlainMailgunKey(PLANTED);
    // The search below sees plain text when it is there: otherwise its "not found" would prove nothing.
    expect(await databaseText()).toContain(PLANTED);
    const s = await start();
    expect(s.stderr()).toContain('Sealed 1 secret(s) stored in plain text by an earlier version.');
    expect(await databaseText()).not.toContain(PLANTED);
    expect((await storedValues()).every((v) => v.startsWith('v1:'))).toBe(true);
    expect((await mailgunWebhook(PLANTED)).status).toBe(200);
    expect((await mailgunWebhook(SECRETS.mailgun)).status).toBe(403);
    const providers = await callOk<{ items: { provider: string; secretHint: string | null }[] }>(s.url, 'GET', '/v1/providers', apiKey);
    expect(providers.items.find((p) => p.provider === 'mailgun')!.secretHint).toBe('…0042');
  }, SLOW);

  it('`mesure secrets rotate` re-seals everything under a new key; the old key opens nothing and is refused at start', async ({ expect }) => {
    await stop();
    const oldKey = engine === 'sqlite' ? readFileSync(keyFile, 'utf8').trim() : K1;
    const newKeyFile = join(tmp.dir, 'new.key');
    writeFileSync(newKeyFile, `${K2}\n`, { mode: 0o600 });
    const out = await runCli(['secrets', 'rotate', '--new-key-file', newKeyFile], env);
    expect(out).toContain(`Re-sealed 4 secret(s) under key ${idOf(K2)} in one transaction: 1 provider, 1 Shopify, 1 Stripe, 1 alert; 0 were under it already.`);
    if (engine === 'sqlite') {
      expect(out).toContain(`Wrote the new key to ${keyFile}`);
      expect(readFileSync(keyFile, 'utf8')).toBe(`${K2}\n`);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    } else {
      expect(out).toContain('Next: set MESURE_SECRET_KEY to the new key');
      env = { ...env, MESURE_SECRET_KEY: K2 };
    }
    const values = await storedValues();
    expect(values).toHaveLength(4);
    for (const v of values) {
      expect(v).toMatch(new RegExp(`^v1:${idOf(K2)}:`));
      expect(() => openByHand(v, oldKey)).toThrow();
    }
    expect(values.map((v) => openByHand(v, K2)).sort()).toEqual([SECRETS.alert, PLANTED, JSON.stringify([SECRETS.shopify]), SECRETS.stripe].sort());
    // No value sealed by the old key is left anywhere in the database either (SQLite: not even in free space).
    expect(await databaseText()).not.toContain(`v1:${idOf(oldKey)}:`);

    // Started with the old key: a clear refusal before listening, not a 500 at the first webhook.
    const refused = await start({ MESURE_SECRET_KEY: oldKey }).then(() => 'started', (e: Error) => e.message);
    expect(refused).toContain(`4 stored secret(s) were sealed with key ${idOf(K2)}, but this Mesure has key ${idOf(oldKey)} (MESURE_SECRET_KEY)`);
    expect(refused).toContain('MESURE_SECRET_KEY_PREVIOUS');

    await start();
    expect((await mailgunWebhook(PLANTED)).status).toBe(200);
    expect((await shopifyWebhook(SECRETS.shopify)).status).toBe(200);
    expect((await stripeWebhook(SECRETS.stripe)).status).toBe(200);
  }, SLOW);

  it('switches keys without downtime: old key as MESURE_SECRET_KEY_PREVIOUS, `mesure secrets rotate`, then the new key alone', async ({ expect }) => {
    await stop();
    // 1. Every process restarted with the new key, the old one kept for opening: what is sealed still verifies.
    env = { ...env, MESURE_SECRET_KEY: K3, MESURE_SECRET_KEY_PREVIOUS: K2 };
    await start();
    expect((await mailgunWebhook(PLANTED)).status).toBe(200);
    // A secret set now is sealed with the new key.
    await callOk(server!.url, 'PUT', '/v1/stripe/secret', apiKey, { secret: 'whsec_stripe-secret-new-1234' });
    expect((await stripeWebhook('whsec_stripe-secret-new-1234')).status).toBe(200);
    // 2. Rotate (no new key: under MESURE_SECRET_KEY) while the server runs: it keeps verifying, as it has both keys.
    const out = await runCli(['secrets', 'rotate'], env);
    expect(out).toContain(`Re-sealed 3 secret(s) under key ${idOf(K3)} in one transaction: 1 provider, 1 Shopify, 0 Stripe, 1 alert; 1 were under it already.`);
    expect(out).toContain('Next: remove MESURE_SECRET_KEY_PREVIOUS');
    expect((await mailgunWebhook(PLANTED)).status).toBe(200);
    expect((await shopifyWebhook(SECRETS.shopify)).status).toBe(200);
    // 3. The new key alone.
    await stop();
    env = { ...env, MESURE_SECRET_KEY_PREVIOUS: '' };
    await start();
    expect((await mailgunWebhook(PLANTED)).status).toBe(200);
    expect((await stripeWebhook('whsec_stripe-secret-new-1234')).status).toBe(200);
    for (const v of await storedValues()) expect(v).toMatch(new RegExp(`^v1:${idOf(K3)}:`));
  }, SLOW);

  it('refuses to start, saying what to do, with a malformed key, without a key on PostgreSQL, or without the key file', async ({ expect }) => {
    await stop();
    const malformed = await start({ MESURE_SECRET_KEY: 'c2hvcnQ=' }).then(() => 'started', (e: Error) => e.message);
    expect(malformed).toContain('MESURE_SECRET_KEY must be 32 random bytes in base64 (44 characters ending in "="), got 8 characters (5 bytes): generate one with `openssl rand -base64 32`.');
    if (engine === 'postgres') {
      const none = await start({ MESURE_SECRET_KEY: '' }).then(() => 'started', (e: Error) => e.message);
      expect(none).toContain('MESURE_SECRET_KEY is required with PostgreSQL');
      expect(none).toContain('openssl rand -base64 32');
    } else {
      // The secrets are under K3; without MESURE_SECRET_KEY and without a key file a new file would be made: refused,
      // and the new file removed so that the one from the backup can be put back.
      unlinkSync(keyFile);
      const missing = await start({ MESURE_SECRET_KEY: '' }).then(() => 'started', (e: Error) => e.message);
      expect(missing).toContain(`were sealed with key ${idOf(K3)}`);
      expect(missing).toContain(`The key file ${keyFile} was missing (a new one was made, and removed again): restore the one from your backup`);
      expect(existsSync(keyFile)).toBe(false);
    }
    // And with the right key it starts.
    await start({ MESURE_SECRET_KEY: K3 });
    expect((await call(server!.url, 'GET', '/v1/providers', apiKey)).status).toBe(200);
  }, SLOW);
});
