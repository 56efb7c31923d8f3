// Erasing and exporting a person (#17), as deployed: `mesure serve` on a SQLite file and on PostgreSQL, driven over
// HTTP and the CLI. A seeded account (messages on e-mail, SMS and mail, events with a reply text, a tracked click with
// its user agent, an API order and a Shopify order webhook, a suppression) loses every trace of the erased people in
// the database's bytes (SQLite: the file, -wal and -shm; PostgreSQL: every text column and pg_dump), while a person
// kept stays, every figure (campaign pages, overview, daily series, attribution) is the same before and after, the
// export shows everything beforehand, and a later send or registration of an erased e-mail is refused by the gate and
// stored under its anonymous key only.
import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, callOk, createAccountWithCli, deliver, runCli, startServerProcess, tempDir, type ServerProcess } from '../bench/support';
import { dropPgSchema, forEachEngine, PG_URL, type Engine } from './support';

const SLOW = 240_000;
const SHOPIFY_SECRET = 'shpss_erasure-test-secret-4242';

// The people. Alice is erased by contact id, Jon (the Shopify fixture's customer) by e-mail, Carol with the CLI by
// phone; Bob is kept. Every string below is one that must be gone (or, for Bob, stay) in the database's bytes.
const ALICE = {
  email: 'Alice.Erased_7781@shop.test', phone: '+33611223344', externalId: 'cust-alice-7781', firstName: 'Aliciabeth', lastName: 'Zyxwvutsson',
  address: { name: 'Aliciabeth Zyxwvutsson', line1: '7 rue des Lilasiers', postalCode: '69003', city: 'Lyon', country: 'FR' },
};
const ALICE_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 AliceUA-7781';
const ALICE_REPLY = 'Yes please, Aliciabeth here';
const BOB = { email: 'bob.kept@shop.test', phone: '+33698765432', firstName: 'Robertkeep', lastName: 'Keeperson' };
const CAROL = { phone: '+33677889900', firstName: 'Carolinda' };
const JON_EMAIL = 'jon@example.com'; // src/providers/shopify/fixtures/orders-create.json
const JON_TRACES = ['jon@example.com', 'Jon@Example.com', 'Victor Hugo', '115310627314723954', 'Jon Doe', '06 12 34 56 78'];
const ALICE_TRACES = [
  'alice.erased_7781@shop.test', 'Alice.Erased_7781', '+33611223344', '33611223344', 'cust-alice-7781', 'Aliciabeth', 'Zyxwvutsson',
  'Lilasiers', 'LILASIERS', 'AliceUA-7781',
];
const CAROL_TRACES = ['+33677889900', '33677889900', 'Carolinda'];
const BOB_TRACES = ['bob.kept@shop.test', '+33698765432', 'Robertkeep'];

const iso = (ms: number) => new Date(ms).toISOString();

/** A GET with a User-Agent, as a recipient's browser follows a tracked link (no redirect followed). */
function visit(url: string, userAgent: string): Promise<number> {
  return new Promise((ok, ko) => {
    const u = new URL(url);
    const req = request({ method: 'GET', hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: { 'user-agent': userAgent, accept: 'text/html' } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', ko);
    req.end();
  });
}

forEachEngine('erasing and exporting a person', (engine: Engine) => {
  const tmp = tempDir('mesure-erasure-');
  const dbFile = join(tmp.dir, 'mesure.db');
  const schema = `era_${randomBytes(5).toString('hex')}`;
  const env: Record<string, string> =
    engine === 'sqlite' ? { DATABASE_URL: `file:${dbFile}`, MESURE_SECRET_KEY: '' } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_SECRET_KEY: randomBytes(32).toString('base64') };
  let server: ServerProcess | undefined;
  let url = '';
  let key = '';
  let accountId = '';
  const campaigns: Record<'email' | 'sms' | 'mail', string> = { email: '', sms: '', mail: '' };
  let aliceId = '';
  let before: unknown;

  const get = <T>(path: string) => callOk<T>(url, 'GET', path, key);
  const post = <T>(path: string, body: unknown) => callOk<T>(url, 'POST', path, key, body);

  /** What a copy of the database holds, as text (see the file's head comment). */
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
      for (const { table_name, column_name } of cols.rows) {
        const r = await c.query(`SELECT "${column_name}"::text AS v FROM "${schema}"."${table_name}"`);
        text += r.rows.map((x) => x.v).join('\n');
      }
    } finally {
      await c.end();
    }
    return text + execFileSync('/usr/lib/postgresql/15/bin/pg_dump', ['--schema', schema, '--data-only', PG_URL], { encoding: 'utf8', maxBuffer: 64 << 20 });
  }

  /** Jon's order (the Shopify fixture), created at `at` and in its version of `updatedAt`, signed as Shopify signs it. */
  function shopifyOrder(topic: string, at: number, updatedAt: number) {
    const body = readFileSync('src/providers/shopify/fixtures/orders-create.json', 'utf8')
      .replace(/("(?:created_at|processed_at)":\s*)"[^"]+"/g, `$1"${iso(at)}"`).replace(/("updated_at":\s*)"[^"]+"/g, `$1"${iso(updatedAt)}"`);
    return deliver(url, `/webhooks/shopify/${accountId}`, body, {
      'content-type': 'application/json', 'x-shopify-topic': topic, 'x-shopify-webhook-id': randomBytes(8).toString('hex'),
      'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64'),
    });
  }

  /** Every figure the dashboard shows for the account, read through the API. */
  async function figures(): Promise<unknown> {
    const from = iso(Date.now() - 2 * 86_400_000).slice(0, 10);
    const to = iso(Date.now() + 86_400_000).slice(0, 10);
    const out: Record<string, unknown> = {};
    for (const [ch, id] of Object.entries(campaigns)) {
      const page = await get<Record<string, unknown>>(`/v1/campaigns/${id}`);
      const { campaign: _c, ...rest } = page;
      out[ch] = rest;
    }
    out.overview = await get(`/v1/overview?from=${from}&to=${to}`);
    out.daily = await get(`/v1/series/daily?from=${from}&to=${to}`);
    out.compare = await get(`/v1/attribution/compare?from=${from}&to=${to}`);
    const orders = await get<{ items: { revenue: number; attribution: unknown }[] }>(`/v1/orders?from=${from}&to=${to}`);
    out.credits = orders.items.map((o) => [o.revenue, o.attribution]);
    return JSON.parse(JSON.stringify(out, (k, v) => (k === 'asOf' || k === 'generatedAt' ? undefined : v)));
  }

  beforeAll(async () => {
    ({ accountId, key } = await createAccountWithCli(env, 'Erasure shop'));
    server = await startServerProcess(env);
    url = server.url;
    const now = Date.now();
    // Three campaigns. Mail first, so that Alice's contact is made with every identifier she has.
    for (const channel of ['mail', 'email', 'sms'] as const) {
      campaigns[channel] = (await post<{ id: string }>('/v1/campaigns', { name: `Spring ${channel}`, channel })).id;
    }
    const aliceIdentity = { externalId: ALICE.externalId, email: ALICE.email, phone: ALICE.phone, address: ALICE.address, firstName: ALICE.firstName, lastName: ALICE.lastName };
    const reg = async (channel: keyof typeof campaigns, recipients: object[]) =>
      (await post<{ messages: { messageId: string }[] }>(`/v1/campaigns/${campaigns[channel]}/messages`, { messages: recipients.map((recipient) => ({ recipient })) })).messages.map((m) => m.messageId);
    const [aliceMail] = await reg('mail', [aliceIdentity]);
    const [aliceEmail, bobEmail, jonEmail] = await reg('email', [aliceIdentity, BOB, { email: JON_EMAIL }]);
    const [aliceSms, bobSms, carolSms] = await reg('sms', [{ externalId: ALICE.externalId, phone: ALICE.phone }, { phone: BOB.phone }, CAROL]);
    const ev = (messageId: string, type: string, ago: number, extra: object = {}) => ({ messageId, type, at: iso(now - ago), ...extra });
    const H = 3_600_000;
    await post('/v1/events', {
      events: [
        ev(aliceMail, 'sent', 6 * H), ev(aliceMail, 'delivered', 5.9 * H),
        ...[aliceSms, bobSms, carolSms].flatMap((m) => [ev(m, 'sent', 5 * H), ev(m, 'delivered', 4.9 * H)]),
        ev(aliceSms, 'replied', 4.5 * H, { text: ALICE_REPLY }),
        ...[aliceEmail, bobEmail, jonEmail].flatMap((m) => [ev(m, 'sent', 4 * H), ev(m, 'delivered', 3.9 * H)]),
        ev(aliceEmail, 'opened', 3 * H), ev(bobEmail, 'opened', 3 * H), ev(jonEmail, 'opened', 2.5 * H),
        ev(jonEmail, 'clicked', 2.4 * H, { url: 'https://shop.test/tee' }),
      ],
    });
    // A tracked click with the browser's user agent (stored with the click event).
    await post(`/v1/campaigns/${campaigns.email}/links`, { destinations: ['https://shop.test/spring'] });
    const issued = await post<{ messages: { links: { trackedUrl: string }[] }[] }>(`/v1/campaigns/${campaigns.email}/links/issue`, { messageIds: [aliceEmail] });
    expect(await visit(issued.messages[0].links[0].trackedUrl, ALICE_UA)).toBe(302);
    // A suppression, and two orders: Alice's through the API, Jon's from a signed Shopify webhook.
    await post('/v1/suppressions', { channel: 'email', address: ALICE.email, reason: 'asked by phone' });
    await post('/v1/orders', { orders: [{ id: 'api-order-1', createdAt: iso(now - 30 * 60_000), currency: 'EUR', total: 5000, customer: { email: ALICE.email, phone: ALICE.phone } }] });
    await callOk(url, 'PUT', '/v1/shopify/secret', key, { secret: SHOPIFY_SECRET });
    expect((await shopifyOrder('orders/create', now - 60 * 60_000, now - 60 * 60_000)).status).toBe(200);
  }, SLOW);

  afterAll(async () => {
    await server?.stop();
    if (engine === 'postgres') await dropPgSchema(schema);
    tmp.remove();
  }, SLOW);

  it('finds a contact by an identifier in any written form and exports everything held on them', async () => {
    const found = await get<{ items: { id: string; email: string; phone: string; externalId: string }[]; nextCursor: string | null }>(`/v1/contacts?q=${encodeURIComponent(' ALICE.erased_7781@SHOP.test ')}`);
    expect(found.items).toHaveLength(1);
    expect(found.items[0]).toMatchObject({ email: 'alice.erased_7781@shop.test', phone: ALICE.phone, externalId: ALICE.externalId });
    aliceId = found.items[0].id;
    expect((await get<{ items: { id: string }[] }>(`/v1/contacts?q=${encodeURIComponent('+33 6 11 22 33 44')}`)).items.map((c) => c.id)).toEqual([aliceId]);
    expect((await get<{ items: unknown[] }>('/v1/contacts?q=nobody%40shop.test')).items).toEqual([]);

    // The tracked click is stored moments after the redirect (clicks are written in batches): wait for it.
    type Export = {
      contact: { firstName: string; lastName: string; address: { line1: string } };
      suppressions: { channel: string; reason: string }[];
      messages: { channel: string; events: { type: string; data: { text?: string } | null }[] }[];
      visits: { type: string; userAgent: string | null }[];
      orders: { externalId: string; customer: { email: string }; credits: { campaignId: string }[] }[];
    };
    let x = await get<Export>(`/v1/contacts/${aliceId}/export`);
    for (let i = 0; i < 50 && !x.visits.some((v) => v.userAgent === ALICE_UA); i++) {
      await new Promise((r) => setTimeout(r, 100));
      x = await get<Export>(`/v1/contacts/${aliceId}/export`);
    }
    expect(x.contact).toMatchObject({ firstName: ALICE.firstName, lastName: ALICE.lastName, address: { line1: ALICE.address.line1 } });
    expect(x.suppressions).toEqual([expect.objectContaining({ channel: 'email', reason: 'asked by phone' })]);
    // Her three messages: mail, e-mail and SMS (with the reply's text).
    expect(x.messages.map((m) => m.channel).sort()).toEqual(['email', 'mail', 'sms']);
    expect(x.messages.find((m) => m.channel === 'sms')!.events.find((e) => e.type === 'replied')!.data?.text).toBe(ALICE_REPLY);
    expect(x.visits).toContainEqual(expect.objectContaining({ type: 'clicked', userAgent: ALICE_UA }));
    expect(x.orders.map((o) => o.externalId)).toEqual(['api-order-1']);
    expect(x.orders[0].credits.length).toBeGreaterThan(0);
  }, SLOW);

  it('erases people: their identifiers leave every table and the file, figures stay the same, a later send is refused', async () => {
    before = await figures();
    // Hand-counted audiences: mail 1 (Alice), e-mail 3 (Alice, Bob, Jon), SMS 3 (Alice, Bob, Carol); every message sent.
    const b = before as Record<string, { figures: { audience: number; sent: number } }>;
    expect([b.mail.figures.audience, b.email.figures.audience, b.sms.figures.audience]).toEqual([1, 3, 3]);
    expect([b.mail.figures.sent, b.email.figures.sent, b.sms.figures.sent]).toEqual([1, 3, 3]);
    // The search below finds each trace while it is there: otherwise its "not found" afterwards would prove nothing.
    const text0 = await databaseText();
    for (const t of [...ALICE_TRACES, ...JON_TRACES.filter((t) => t !== 'Jon@Example.com'), ...CAROL_TRACES, ...BOB_TRACES]) {
      if (t === 'Alice.Erased_7781' || t === '33611223344' || t === '33677889900') continue; // stored lower-cased / with "+"
      expect(text0, t).toContain(t);
    }

    // The feedback list holds her reply's text, also in its search form (lower case), until she is erased.
    type Feedback = { items: { text: string | null; kind: string }[]; counts: { replies: number } };
    const feedback0 = await get<Feedback>('/v1/feedback?q=aliciabeth');
    expect(feedback0.items.map((i) => i.text)).toEqual([ALICE_REPLY]);
    expect(text0).toContain(ALICE_REPLY.toLowerCase());

    // Alice by contact id (DELETE), Jon by e-mail (POST): each answers what was erased.
    const a = await call(url, 'DELETE', `/v1/contacts/${aliceId}`, key);
    expect(a.status).toBe(200);
    // Her 3 messages; 1 contact; 1 order; her manual suppression replaced by hashes on e-mail, SMS, WhatsApp, mail and
    // the 4 channels of her external id: 1 + 2 + 1 + 4 = 8.
    expect(a.body).toMatchObject({ contacts: 1, messages: 3, orders: 1, suppressionsRemoved: 1, suppressionsAdded: 8 });
    const j = await post<Record<string, number>>('/v1/contacts/erase', { email: 'JON@example.com' });
    // Jon: his contact (made by his e-mail message), that message, the Shopify order; one hash, on e-mail.
    expect(j).toMatchObject({ contacts: 1, messages: 1, orders: 1, suppressionsRemoved: 0, suppressionsAdded: 1 });
    // Her reply stays counted, without its text (nor its search form: the database scans below find neither).
    const feedback1 = await get<Feedback>('/v1/feedback');
    expect((await get<Feedback>('/v1/feedback?q=aliciabeth')).items).toEqual([]);
    expect(feedback1.counts.replies).toBe(feedback0.counts.replies);
    expect(feedback1.items.filter((i) => i.kind === 'reply').map((i) => i.text)).toContain(null);
    expect((await call(url, 'DELETE', `/v1/contacts/${aliceId}`, key)).status).toBe(404);
    expect((await call(url, 'GET', `/v1/contacts/${aliceId}/export`, key)).status).toBe(404);
    expect((await call(url, 'POST', '/v1/contacts/erase', key, { email: 'not an address' })).status).toBe(400);
    expect((await call(url, 'POST', '/v1/contacts/erase', key, {})).status).toBe(400);

    // A later version of Jon's erased order (Shopify orders/updated, with his e-mail and address again) keeps its
    // contact and credit and stores no customer field.
    const jonOrderAt = Date.parse((await get<{ items: { externalId: string; orderedAt: string }[] }>('/v1/orders')).items.find((o) => o.externalId !== 'api-order-1')!.orderedAt);
    expect((await shopifyOrder('orders/updated', jonOrderAt, Date.now() - 1000)).status).toBe(200);
    const jonOrder = (await get<{ items: { externalId: string; customer: unknown; matchedBy: string | null }[] }>('/v1/orders')).items.find((o) => o.externalId !== 'api-order-1')!;
    expect(jonOrder).toMatchObject({ customer: { externalId: null, email: null, phone: null }, matchedBy: 'erased' });

    // Every figure is the same.
    expect(await figures()).toEqual(before);

    // The API holds no trace: contact lookup, recipients, suppressions, orders.
    expect((await get<{ items: unknown[] }>(`/v1/contacts?q=${encodeURIComponent(ALICE.email)}`)).items).toEqual([]);
    const shown = JSON.stringify([
      await get(`/v1/campaigns/${campaigns.email}/recipients`), await get(`/v1/campaigns/${campaigns.sms}/recipients`),
      await get(`/v1/campaigns/${campaigns.mail}/recipients`), await get('/v1/suppressions'), await get('/v1/orders'),
    ]);
    for (const t of [...ALICE_TRACES, ...JON_TRACES]) expect(shown, t).not.toContain(t);
    expect(shown).toContain('bob.kept@shop.test');
    const recipients = await get<{ items: { recipient: string }[] }>(`/v1/campaigns/${campaigns.email}/recipients`);
    expect(recipients.items.map((r) => r.recipient).filter((r) => r.startsWith('erased:'))).toHaveLength(2);

    // The audit trail says who erased and what counts, never whom.
    const audit = await get<{ items: { action: string; target: string | null; details: Record<string, unknown> }[] }>('/v1/audit?action=contact.erase');
    expect(audit.items.map((e) => e.target)).toEqual([null, aliceId]);
    expect(audit.items[1].details).toMatchObject({ by: 'contact', messages: 3 });
    for (const t of [...ALICE_TRACES, ...JON_TRACES]) expect(JSON.stringify(audit), t).not.toContain(t);
  }, SLOW);

  it('`mesure contacts erase` erases by phone; then no table, file or dump holds an erased person, and Bob is intact', async () => {
    // Beside the running server, as an operator would run it.
    const out = await runCli(['contacts', 'erase', '--account', accountId, '--phone', '06 77 88 99 00'], env);
    // Carol: her contact, her SMS message; hashes on SMS and WhatsApp.
    expect(out).toMatch(/^Erased: 1 contact\(s\) removed; 1 message\(s\) and 0 holdout member\(s\)/);
    expect(out).toContain('2 under one-way hashes');
    const text = await databaseText();
    for (const t of [...ALICE_TRACES, ...JON_TRACES, ...CAROL_TRACES]) expect(text, t).not.toContain(t);
    // Nor the feedback list's search form of her reply (lower case, which the traces above would not catch).
    expect(text).not.toContain(ALICE_REPLY.toLowerCase());
    for (const t of BOB_TRACES) expect(text, t).toContain(t);
    // The figures once more, with the CLI's erasure too.
    expect(await figures()).toEqual(before);

    // After the figures (new campaigns change the overview): the send gate refuses the erased e-mail (written
    // differently) as opted out, and registers the refusal under her anonymous key.
    const autumn = (await post<{ id: string }>('/v1/campaigns', { name: 'Autumn', channel: 'email' })).id;
    const gate = await post<{ results: { status: string; reason?: string }[] }>(`/v1/campaigns/${autumn}/sends`, { recipients: [{ email: ' alice.ERASED_7781@shop.test' }, { email: 'dora.new@shop.test' }] });
    expect(gate.results.map((r) => [r.status, r.reason])).toEqual([['refused', 'opted_out'], ['allowed', undefined]]);
    // A new campaign registering her again records her message under her anonymous key, with no contact.
    const later = (await post<{ id: string }>('/v1/campaigns', { name: 'Winter', channel: 'email' })).id;
    const again = await post<{ messages: { recipient: string }[] }>(`/v1/campaigns/${later}/messages`, { messages: [{ recipient: { email: ALICE.email, firstName: ALICE.firstName } }] });
    expect(again.messages[0].recipient).toMatch(/^erased:[A-Za-z0-9_-]{43}$/);
    expect((await get<{ items: unknown[] }>(`/v1/contacts?q=${encodeURIComponent(ALICE.email)}`)).items).toEqual([]);

    // A new order from her: stored without her e-mail or phone, and no contact is made for her.
    await post('/v1/orders', { orders: [{ id: 'api-order-2', createdAt: iso(Date.now() - 60_000), currency: 'EUR', total: 1200, customer: { email: ALICE.email, phone: ALICE.phone } }] });
    const second = (await get<{ items: { externalId: string; customer: unknown; contactId: string | null }[] }>('/v1/orders')).items.find((o) => o.externalId === 'api-order-2')!;
    expect(second).toMatchObject({ customer: { externalId: null, email: null, phone: null }, contactId: null });
    expect((await get<{ items: unknown[] }>(`/v1/contacts?q=${encodeURIComponent(ALICE.phone)}`)).items).toEqual([]);

    const stored = await databaseText();
    for (const t of [...ALICE_TRACES, ...JON_TRACES]) expect(stored, t).not.toContain(t);
  }, SLOW);
});
