// Mailgun's send API answers the id of a message as "<20261207.1.A@mg.shop.example>" (the Message-Id header form),
// its webhooks name it "20261207.1.A@mg.shop.example". A message registered as the send API answered must receive its
// events, whichever comes first, and so must one stored with the brackets by an earlier version (the migration).
// Through `mesure serve` on a port, webhooks signed and framed as Mailgun sends them; SQLite and PostgreSQL.
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { dropPgSchema, forEachEngine, PG_URL, rerunMigration } from './support';
import * as canonicalProviderMessageIds from '../src/store/migrations/2026_12_07_180_canonical_provider_message_ids';
import { callOk, createAccountWithCli, deliver, startServerProcess, tempDir, type ServerProcess } from '../bench/support';

const SIGNING_KEY = 'key-mailgun-brackets-5d1e';
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const DOMAIN = 'mg.shop.example';

type Row = Record<string, unknown>;

let tokens = 0;
/** One Mailgun webhook: signature (HMAC-SHA256 of timestamp + token) and event-data naming the message by its id only. */
function mailgunBody(event: 'delivered' | 'opened', messageId: string, recipient: string, at: number): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = `brackets-${++tokens}-${randomBytes(16).toString('hex')}`;
  const signature = createHmac('sha256', SIGNING_KEY).update(timestamp + token).digest('hex');
  const data: Record<string, unknown> = {
    event,
    id: `ev-${event}-${messageId}`,
    timestamp: at / 1000,
    recipient,
    'recipient-domain': 'example.com',
    'log-level': 'info',
    'user-variables': {},
    message: { headers: { 'message-id': messageId, to: recipient, from: `Boutique <news@${DOMAIN}>`, subject: 'Soldes' }, size: 2511 },
  };
  if (event === 'delivered') data['delivery-status'] = { code: 250, message: 'OK', description: '' };
  if (event === 'opened') data['client-info'] = { 'client-type': 'browser', 'user-agent': FIREFOX };
  return JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': data });
}

forEachEngine('Mailgun ids registered as the send API answers them, through a listening server', (engine) => {
  const tmp = tempDir('mesure-mailgun-ids-');
  const schema = `mgid_${randomBytes(5).toString('hex')}`;
  const env: Record<string, string> =
    engine === 'sqlite' ? { DATABASE_URL: `file:${join(tmp.dir, 'mesure.db')}` } : { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema };
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    if (engine === 'postgres') await dropPgSchema(schema);
    tmp.remove();
  });

  it('links "<id@domain>" registrations to the webhooks\' "id@domain", before and after, and after the migration', async () => {
    const { accountId, key } = await createAccountWithCli({ ...env, MESURE_DEMO: '0' }, 'Mailgun shop');
    server = await startServerProcess({ ...env, MESURE_PUBLIC_URL: 'http://mesure.test' });
    const api = <T = any>(method: string, path: string, body?: unknown) => callOk<T>(server!.url, method, path, key, body);
    await api('PUT', '/v1/providers/mailgun/secret', { secret: SIGNING_KEY });
    const post = async (body: string) => {
      // Framed as Mailgun sends it: JSON with its Content-Length.
      const answer = await deliver(server!.url, `/webhooks/mailgun/${accountId}`, body, { 'content-type': 'application/json' });
      expect(answer.status, answer.body).toBe(200);
    };
    const figures = () => api<{ figures: Record<string, number | null> }>('GET', `/v1/campaigns/${campaign.id}`).then((d) => d.figures);
    const until = async (check: (f: Record<string, number | null>) => boolean) => {
      const deadline = Date.now() + 15_000;
      let f = await figures();
      while (!check(f) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        f = await figures();
      }
      return f;
    };

    const campaign = await api<{ id: string }>('POST', '/v1/campaigns', { name: 'Soldes Mailgun', channel: 'email' });
    const id = (n: string) => `20261207081500.1.${n}@${DOMAIN}`;
    const hour = 3_600_000;
    const t0 = Date.now() - 6 * hour;

    // C's delivery arrives before C is registered: it waits under the bare id.
    await post(mailgunBody('delivered', id('C'), 'chloe@example.com', t0 + 60_000));

    // A and B registered as the send API answered them, then C.
    const registered = await api<{ messages: { messageId: string }[] }>('POST', `/v1/campaigns/${campaign.id}/messages`, {
      messages: [
        { recipient: { email: 'ana@example.com' }, provider: 'mailgun', providerMessageId: `<${id('A')}>` },
        { recipient: { email: 'bruno@example.com' }, provider: 'mailgun', providerMessageId: `<${id('B')}>` },
        { recipient: { email: 'chloe@example.com' }, provider: 'mailgun', providerMessageId: `<${id('C')}>` },
      ],
    });
    expect(registered.messages).toHaveLength(3);
    await post(mailgunBody('delivered', id('A'), 'ana@example.com', t0 + 60_000));
    await post(mailgunBody('delivered', id('B'), 'bruno@example.com', t0 + 60_000));
    await post(mailgunBody('opened', id('A'), 'ana@example.com', t0 + hour));

    // A, B and C delivered (C by the event that waited), A opened by a person an hour later:
    // delivered 3, opened 1, open rate 1 / 3.
    const f = await until((x) => x.delivered === 3 && x.opened === 1);
    expect(f.delivered).toBe(3);
    expect(f.opened).toBe(1);
    expect(f.openRate).toBeCloseTo(1 / 3, 10);
    // Stored in the form the webhooks use.
    const recipients = await api<{ items: { providerMessageId: string | null }[] }>('GET', `/v1/campaigns/${campaign.id}/recipients`);
    expect(recipients.items.map((m) => m.providerMessageId).sort()).toEqual([id('A'), id('B'), id('C')]);

    // An event posted to the API naming B in the send API's form reaches B: opened 1 + 1 = 2.
    await api('POST', '/v1/events', { events: [{ type: 'opened', at: new Date(t0 + 2 * hour).toISOString(), provider: 'mailgun', providerMessageId: `<${id('B')}>` }] });
    expect((await until((x) => x.opened === 2)).opened).toBe(2);

    // Through the send gate: G allowed, then committed with the id as Mailgun's send API answered it.
    const gate = await api<{ results: { status: string; messageId: string }[] }>('POST', `/v1/campaigns/${campaign.id}/sends`, { recipients: [{ email: 'gus@example.com' }] });
    expect(gate.results[0].status).toBe('allowed');
    await api('POST', `/v1/campaigns/${campaign.id}/sends/commit`, { messageIds: [gate.results[0].messageId], provider: 'mailgun', providerMessageIds: [`<${id('G')}>`] });
    await post(mailgunBody('delivered', id('G'), 'gus@example.com', t0 + 60_000));
    // A, B, C and G delivered: 4.
    expect((await until((x) => x.delivered === 4)).delivered).toBe(4);

    // An earlier version stored D as "<id@domain>": the migration puts it in the webhooks' form. E's new form is
    // already F's, so E keeps its old text (F receives the events).
    const more = await api<{ messages: { messageId: string }[] }>('POST', `/v1/campaigns/${campaign.id}/messages`, {
      messages: [
        { recipient: { email: 'dora@example.com' }, provider: 'mailgun', providerMessageId: id('D') },
        { recipient: { email: 'emil@example.com' }, provider: 'mailgun', providerMessageId: id('E0') },
        { recipient: { email: 'fanny@example.com' }, provider: 'mailgun', providerMessageId: id('E') },
      ],
    });
    const [d, e] = more.messages.map((m) => m.messageId);
    await server.stop();
    server = undefined;
    let exec: (q: string, params?: unknown[]) => Promise<Row[]>;
    let close: () => Promise<void>;
    if (engine === 'sqlite') {
      const db = new Database(join(tmp.dir, 'mesure.db'));
      exec = async (q, params = []) => (/^\s*select/i.test(q) ? (db.prepare(q).all(...params) as Row[]) : (db.prepare(q).run(...params), []));
      close = async () => void db.close();
    } else {
      const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await c.connect();
      exec = async (q, params = []) => (await c.query(q.replace(/\?/g, ((i) => () => `$${++i}`)(0)), params)).rows;
      close = () => c.end();
    }
    await exec('UPDATE messages SET provider_message_id = ? WHERE account_id = ? AND id = ?', [`<${id('D')}>`, accountId, d]);
    await exec('UPDATE messages SET provider_message_id = ? WHERE account_id = ? AND id = ?', [`<${id('E')}>`, accountId, e]);
    await rerunMigration(engine === 'sqlite' ? { sqliteFile: join(tmp.dir, 'mesure.db') } : { pgSchema: schema }, canonicalProviderMessageIds);
    server = await startServerProcess({ ...env, MESURE_PUBLIC_URL: 'http://mesure.test' });
    const stored = await exec('SELECT id, provider_message_id FROM messages WHERE account_id = ? AND id IN (?, ?)', [accountId, d, e]);
    await close();
    expect(Object.fromEntries(stored.map((r) => [r.id, r.provider_message_id]))).toEqual({ [d]: id('D'), [e]: `<${id('E')}>` });

    await post(mailgunBody('delivered', id('D'), 'dora@example.com', t0 + 60_000));
    // A, B, C, G and now D delivered: 5.
    expect((await until((x) => x.delivered === 5)).delivered).toBe(5);
  }, 150_000);
});
