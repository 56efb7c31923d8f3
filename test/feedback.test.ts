// Recipients' feedback (issue #18) through a listening `mesure serve` (request log on), on SQLite and PostgreSQL:
// replies arrive as the providers send them (a signed WhatsApp webhook, signed Twilio inbound SMS, one with
// Twilio's Advanced Opt-Out naming a keyword of the account's own) and through POST /v1/events; the list is filtered
// and paged against hand-made expectations, the campaign page counts them, the CSV export streams them, an erasure
// empties the person's texts, and no reply text ever reaches the server's stdout or stderr.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngineConcurrently } from './support';
import { deliver, runCli, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { accountWithCli, send, twilioSignature, whatsappSignature } from './blackbox/harness';

const WA_APP_SECRET = 'feedback-wa-app-secret-0123456789';
const TWILIO_TOKEN = 'feedback0twilio0token0123456789ab';
const MIN = 60_000;

// The texts, each checked against the server's output at the end.
const T1 = 'Merci, la livraison était rapide !';
const T2 = 'Arrêt';
const T3 = 'Quand arrive la LIVRAISON ?';
const T4 = 'UNSUBSCRIBE';
const T5 = 'Trop de mails, 100% inutile';
const T7 = 'stop';
const T8 = 'Super offre, merci';
const T9 = 'Annuler svp';
const SECRET_TEXT = 'Mon code secret est 7781';

interface Item { at: string; campaign: { id: string; name: string | null }; channel: string; messageId: string; contactId: string | null; recipient: string | null; kind: string; text: string | null }
interface Page { items: Item[]; counts: { replies: number; optOuts: number; complaints: number }; nextCursor: string | null }

forEachEngineConcurrently('feedback through a listening server', (engine) => {
  let server: ServerProcess;
  let drop: () => Promise<void>;
  let env: Record<string, string> = {};
  let accountId = '';
  let key = '';
  const T0 = Date.now() - 60 * MIN;
  const iso = (t: number) => new Date(t).toISOString();
  const ids: Record<string, string> = {};
  const campaigns: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };

  const api = async (method: string, path: string, json?: unknown) => {
    const r = await send(server.url, method, path, { key, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  const list = (query: string): Promise<Page> => api('GET', `/v1/feedback?${query}`);
  const texts = (p: Page) => p.items.map((i) => i.text);
  /** Webhooks are applied moments after they are answered on SQLite (the ingestion inbox): wait for them. */
  const until = async (query: string, n: number): Promise<Page> => {
    for (let i = 0; i < 100; i++) {
      const p = await list(query);
      if (p.items.length >= n) return p;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    throw new Error(`GET /v1/feedback?${query} never reached ${n} items`);
  };

  const whatsapp = (messages: object[]) => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' }, messages } }] }],
    });
    return deliver(server.url, `/webhooks/whatsapp/${accountId}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': whatsappSignature(body, WA_APP_SECRET) });
  };
  const twilio = async (fields: Record<string, string>) => {
    const path = `/webhooks/twilio/${accountId}?mesure_campaign_id=${campaigns.B}`;
    const r = await deliver(server.url, path, new URLSearchParams(fields).toString(), {
      'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TWILIO_TOKEN, `${server.url}${path}`, fields),
    });
    expect(r.status, r.body).toBe(200);
    await new Promise((ok) => setTimeout(ok, 20)); // Twilio's inbound messages carry no time: received in this order
  };
  const inbound = (sid: string, from: string, body: string, extra: Record<string, string> = {}) =>
    twilio({ MessageSid: sid, SmsSid: sid, AccountSid: 'ACfeedback0000000000000000000000', From: from, To: '+33700000000', Body: body, SmsStatus: 'received', NumMedia: '0', ApiVersion: '2010-04-01', ...extra });

  beforeAll(async () => {
    const db = databaseEnv(engine);
    drop = db.drop;
    env = db.env;
    ({ accountId, key } = await accountWithCli(db.env, 'Feedback shop'));
    server = await startServerProcess({ ...db.env, MESURE_LOG: '1' });
    await api('PUT', '/v1/providers/whatsapp/secret', { secret: `${WA_APP_SECRET}:verify-token` });
    await api('PUT', '/v1/providers/twilio/secret', { secret: TWILIO_TOKEN });
    campaigns.A = (await api('POST', '/v1/campaigns', { name: 'Soldes WhatsApp', channel: 'whatsapp' })).id;
    campaigns.B = (await api('POST', '/v1/campaigns', { name: 'Rappel SMS', channel: 'sms' })).id;
    campaigns.C = (await api('POST', '/v1/campaigns', { name: 'Newsletter', channel: 'email' })).id;
    const register = async (c: string, names: string[], messages: object[]) => {
      const r = await api('POST', `/v1/campaigns/${c}/messages`, { messages });
      names.forEach((n, i) => (ids[n] = r.messages[i].messageId));
    };
    await register(campaigns.A, ['A1', 'A2', 'A3'], [1, 2, 3].map((i) => ({ recipient: { phone: `+3361111110${i}` }, provider: 'whatsapp', providerMessageId: `wamid.FBA${i}`, registeredAt: iso(T0) })));
    await register(campaigns.B, ['B1', 'B2', 'B3'], [1, 2, 3].map((i) => ({ recipient: { phone: `+3362222220${i}` }, registeredAt: iso(T0) })));
    await register(campaigns.C, ['C1', 'C2'], [1, 2].map((i) => ({ recipient: { email: `client${i}@shop.test` }, registeredAt: iso(T0) })));

    // f1–f3: WhatsApp replies (a text, a STOP word written "Arrêt", a quick-reply button).
    const sec = (t: number) => String(Math.floor(t / 1000));
    const r = await whatsapp([
      { from: '33611111101', id: 'wamid.IN1', timestamp: sec(T0 + 1 * MIN), type: 'text', text: { body: T1 }, context: { from: '15550783881', id: 'wamid.FBA1' } },
      { from: '33611111102', id: 'wamid.IN2', timestamp: sec(T0 + 2 * MIN), type: 'text', text: { body: T2 }, context: { from: '15550783881', id: 'wamid.FBA2' } },
      { from: '33611111103', id: 'wamid.IN3', timestamp: sec(T0 + 3 * MIN), type: 'button', button: { text: T3, payload: 'q_delivery' }, context: { from: '15550783881', id: 'wamid.FBA3' } },
    ]);
    expect(r.status, r.body).toBe(200);
    // f4–f6 through the API, with an event that is no feedback (a delivery).
    await api('POST', '/v1/events', {
      events: [
        { type: 'replied', at: iso(T0 + 4 * MIN), messageId: ids.A1, text: T4 },
        { type: 'delivered', at: iso(T0 + 4 * MIN), messageId: ids.C1 },
        { type: 'replied', at: iso(T0 + 5 * MIN), messageId: ids.C1, text: T5 },
        { type: 'complained', at: iso(T0 + 6 * MIN), messageId: ids.C2 },
      ],
    });
    // f7–f9: Twilio inbound SMS, received now (after T0 + 6 min): STOP, a real reply, and an Advanced Opt-Out keyword
    // of the account's own ("Annuler svp": in no list, but Twilio says it is a STOP).
    await inbound('SMfb0000000000000000000000000001', '+33622222201', T7);
    await inbound('SMfb0000000000000000000000000002', '+33622222202', T8);
    await inbound('SMfb0000000000000000000000000003', '+33622222203', T9, { OptOutType: 'STOP' });
    await until('limit=100', 9);
  });
  afterAll(async () => {
    await server?.stop();
    await drop?.();
  });

  it('lists every reply and complaint newest first, each with its campaign, channel, message, contact and recipient', async () => {
    const all = await list('limit=100');
    // Newest first: the three SMS (received now, in order), then the API's at +6, +5, +4 min, then WhatsApp's at +3, +2, +1.
    expect(texts(all)).toEqual([T9, T8, T7, null, T5, T4, T3, T2, T1]);
    expect(all.items.map((i) => i.kind)).toEqual(['opt_out', 'reply', 'opt_out', 'complaint', 'reply', 'opt_out', 'reply', 'opt_out', 'reply']);
    // 4 replies (T1, T3, T5, T8), 4 opt-outs (T2 "Arrêt", T4 UNSUBSCRIBE, T7 stop, T9 by Twilio's word), 1 complaint.
    expect(all.counts).toEqual({ replies: 4, optOuts: 4, complaints: 1 });
    expect(all.nextCursor).toBeNull();
    const first = all.items.find((i) => i.text === T1)!;
    expect(first).toMatchObject({ at: iso(Math.floor((T0 + MIN) / 1000) * 1000), campaign: { id: campaigns.A, name: 'Soldes WhatsApp' }, channel: 'whatsapp', messageId: ids.A1, recipient: '+33611111101' });
    expect(first.contactId).toMatch(/^ct_/);
    expect(all.items.find((i) => i.text === T8)).toMatchObject({ campaign: { id: campaigns.B, name: 'Rappel SMS' }, channel: 'sms', messageId: ids.B2, recipient: '+33622222202' });
    expect(all.items.find((i) => i.kind === 'complaint')).toMatchObject({ channel: 'email', messageId: ids.C2, recipient: 'client2@shop.test', text: null });
  });

  it('filters by kind, channel, campaign, keyword and time, together', async () => {
    expect(texts(await list('kind=reply'))).toEqual([T8, T5, T3, T1]);
    expect(texts(await list('kind=opt_out'))).toEqual([T9, T7, T4, T2]);
    expect(texts(await list('kind=complaint'))).toEqual([null]);
    expect(texts(await list('channel=whatsapp'))).toEqual([T4, T3, T2, T1]);
    expect(texts(await list('channel=sms'))).toEqual([T9, T8, T7]);
    expect(texts(await list('channel=email'))).toEqual([null, T5]);
    const a = await list(`campaign=${campaigns.A}`);
    expect(texts(a)).toEqual([T4, T3, T2, T1]);
    // Campaign A: replies T1, T3; opt-outs T2, T4.
    expect(a.counts).toEqual({ replies: 2, optOuts: 2, complaints: 0 });
    // Any case, accents ignored: "livraison" finds "livraison" and "LIVRAISON"; "ARRET" finds "Arrêt".
    expect(texts(await list('q=livraison'))).toEqual([T3, T1]);
    expect(texts(await list('q=ARRET'))).toEqual([T2]);
    expect(texts(await list('q=MERCI'))).toEqual([T8, T1]);
    // LIKE's wildcards are plain characters: "%" finds only the text that has one, "_" none.
    expect(texts(await list(`q=${encodeURIComponent('%')}`))).toEqual([T5]);
    expect(texts(await list('q=_'))).toEqual([]);
    expect(texts(await list('kind=reply&channel=whatsapp&q=livraison'))).toEqual([T3, T1]);
    // from inclusive, to exclusive: T2 (WhatsApp's time, whole seconds, = from), T3, T4 (the delivery at +4 is no
    // feedback); T5 at exactly `to` is not in.
    const from = Math.floor((T0 + 2 * MIN) / 1000) * 1000;
    expect(texts(await list(`from=${iso(from)}&to=${iso(T0 + 5 * MIN)}`))).toEqual([T4, T3, T2]);
    expect(texts(await list(`from=${iso(from + 1)}&to=${iso(T0 + 5 * MIN + 1)}`))).toEqual([T5, T4, T3]);
  });

  it('pages with a cursor: 4 + 4 + 1, the same rows as one page, none twice', async () => {
    const seen: (string | null)[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const p: Page = await list(`limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      sizes.push(p.items.length);
      seen.push(...texts(p));
      cursor = p.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([4, 4, 1]);
    expect(seen).toEqual([T9, T8, T7, null, T5, T4, T3, T2, T1]);
  });

  it('refuses bad filters with a clear 400', async () => {
    for (const q of ['kind=praise', 'channel=fax', 'cursor=nope', `from=${iso(T0)}&to=${iso(T0)}`, 'limit=0', 'q=', 'colour=red']) {
      const r = await send(server.url, 'GET', `/v1/feedback?${q}`, { key });
      expect(r.status, q).toBe(400);
      expect(r.json.message, q).toBeTruthy();
    }
  });

  it("shows each campaign's counts on its page", async () => {
    // A: replies T1, T3, opt-outs T2, T4. B: reply T8, opt-outs T7, T9. C: reply T5, complaint.
    expect((await api('GET', `/v1/campaigns/${campaigns.A}`)).feedback).toEqual({ replies: 2, optOuts: 2, complaints: 0 });
    expect((await api('GET', `/v1/campaigns/${campaigns.B}`)).feedback).toEqual({ replies: 1, optOuts: 2, complaints: 0 });
    expect((await api('GET', `/v1/campaigns/${campaigns.C}`)).feedback).toEqual({ replies: 1, optOuts: 0, complaints: 1 });
  });

  it('exports the feedback as CSV, streamed, with the filters', async () => {
    const r = await send(server.url, 'GET', '/v1/feedback/export.csv', { key });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const lines = r.text.trimEnd().split('\n');
    expect(lines[0]).toBe('at,campaignId,campaignName,channel,messageId,contactId,recipient,kind,text');
    expect(lines).toHaveLength(10); // the header and the 9 rows
    const some = await send(server.url, 'GET', '/v1/feedback/export.csv?q=livraison', { key });
    const rows = some.text.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    // T1 holds a comma: quoted; a cell starting with "+" gets a quote first, as every export does (no formula).
    expect(rows[1]).toMatch(new RegExp(`^${iso(Math.floor((T0 + MIN) / 1000) * 1000)},${campaigns.A},Soldes WhatsApp,whatsapp,${ids.A1},ct_[^,]*,'\\+33611111101,reply,"${T1}"$`));
    expect(rows[0].endsWith(`,reply,${T3}`)).toBe(true);
  });

  it("an erasure empties the person's texts and keeps the counts", async () => {
    await api('POST', '/v1/contacts/erase', { phone: '+33611111101' });
    const all = await list('limit=100');
    const theirs = all.items.filter((i) => i.messageId === ids.A1);
    // Their reply T1 and their UNSUBSCRIBE T4: kept, without text or phone number.
    expect(theirs.map((i) => [i.kind, i.text])).toEqual([['opt_out', null], ['reply', null]]);
    for (const i of theirs) expect(i.recipient).not.toContain('33611111101');
    expect(all.counts).toEqual({ replies: 4, optOuts: 4, complaints: 1 });
    expect(texts(await list('q=livraison'))).toEqual([T3]);
    const csv = (await send(server.url, 'GET', '/v1/feedback/export.csv', { key })).text;
    expect(csv).not.toContain('rapide');
    expect(csv).not.toContain('33611111101');
  });

  it('keeps reply texts out of the logs, including refused deliveries', async () => {
    // A delivery refused for its signature, and one refused before parsing (malformed JSON), both carrying a text.
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: '33611111102', id: 'wamid.X', type: 'text', text: { body: SECRET_TEXT }, context: { id: 'wamid.FBA2' } }] } }] }] });
    expect((await deliver(server.url, `/webhooks/whatsapp/${accountId}`, body, { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' })).status).toBe(403);
    expect((await deliver(server.url, `/webhooks/whatsapp/${accountId}`, `{${SECRET_TEXT}`, { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' })).status).toBe(400);
    const refused = await send(server.url, 'POST', '/v1/events', { key, json: { events: [{ type: 'replied', at: iso(T0), messageId: 'msg_nobody', text: SECRET_TEXT }] } });
    expect(refused.status).toBe(422);
    const output = server.stdout() + server.stderr();
    // The request log is on (MESURE_LOG=1): the server did write, only never a text.
    expect(server.stdout()).toContain('/v1/feedback');
    for (const t of [T1, T2, T3, T5, T8, T9, SECRET_TEXT, 'livraison', 'Super offre', 'Super+offre', 'Annuler', 'secret est', 'Arr\\u00eat']) {
      expect(output, t).not.toContain(t);
    }
  });

  it('drops the feedback with its messages when retention drops them', async () => {
    await api('PUT', '/v1/retention/settings', { visitorDetailsDays: 90, recipientRowsDays: 30 });
    // Counted back from 40 days ahead, every message (registered an hour ago) is past the 30-day bound: all 8 go.
    const out = await runCli(['retention', 'run', '--account', accountId, '--now', iso(Date.now() + 40 * 24 * 60 * MIN)], env, 120_000);
    expect(out).toContain('dropped 8 messages');
    const all = await list('limit=100');
    expect(all.items).toEqual([]);
    expect(all.counts).toEqual({ replies: 0, optOuts: 0, complaints: 0 });
    expect((await api('GET', `/v1/campaigns/${campaigns.A}`)).feedback).toEqual({ replies: 0, optOuts: 0, complaints: 0 });
  }, 180_000);
});
