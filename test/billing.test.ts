// Invoices, Stripe webhooks, suspension at the gate, signed alert webhooks with retries, and the suppression list's
// CSV import/export, on both engines. Stripe payloads are signed with stripe's own generateTestHeaderString, and
// alerts go to a real local HTTP receiver that fails its first attempt and verifies with stripe's verifyHeader.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import Stripe from 'stripe';
import { forEachEngine, makeMesure, type Engine, type TestMesure } from './support';

const stripe = new Stripe('sk_test_placeholder');
const fixture = (name: string) => readFileSync(new URL(`../src/providers/stripe/fixtures/${name}.json`, import.meta.url), 'utf8');
// The fixture invoice: 482.50 EUR, due 2025-03-31T00:00:00Z; invoice.overdue created 2025-04-01T00:00:00Z.
const DUE = Date.parse('2025-03-31T00:00:00Z');
const DAY = 86_400_000;
const SECRET = 'whsec_test_0123456789abcdef';

forEachEngine('invoices, alerts and the suppression list', (engine: Engine) => {
  let m: TestMesure;
  let now = DUE - 10 * DAY;
  let receiver: Server;
  let received: { headers: Record<string, string | string[] | undefined>; body: string; verified: boolean }[] = [];
  let failNext = 0;
  let receiverUrl = '';

  beforeEach(async () => {
    now = DUE - 10 * DAY;
    received = [];
    failNext = 1;
    m = await makeMesure(engine, { clock: () => now });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        let verified = false;
        try {
          stripe.webhooks.signature!.verifyHeader(body, String(req.headers['mesure-signature']), 'alert_secret_0123456789', 10 ** 9);
          verified = true;
        } catch {
          verified = false;
        }
        received.push({ headers: req.headers, body, verified });
        if (failNext > 0) {
          failNext -= 1;
          res.writeHead(503).end('try later');
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  });
  afterEach(async () => {
    await m.cleanup();
    await new Promise((ok) => receiver.close(ok));
  });

  const call = async (method: string, url: string, payload?: unknown) => {
    const r = await m.app.inject({ method: method as 'GET', url, headers: m.auth, payload: payload as object });
    return { status: r.statusCode, body: r.body && String(r.headers['content-type'] ?? '').includes('json') ? r.json() : r.body };
  };
  const stripeHook = (name: string, opts: { tamper?: boolean } = {}) => {
    // The fixtures name the demo account in metadata.mesure_account_id: point them at this test's account.
    const payload = fixture(name).replace('acc_demo', m.accountId);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: Math.floor(now / 1000) });
    return m.app.inject({
      method: 'POST', url: `/webhooks/stripe/${m.accountId}`, payload: opts.tamper ? payload.replace('48250', '1') : payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
    });
  };

  it('suspends sending through an overdue Stripe invoice after the grace period; paying lifts it; alerts are signed and retried', async () => {
    // This test sends the alerts itself (deliverDue) at chosen moments of its clock, which jumps by days between
    // steps; the background send that queuing schedules 20 ms later (real time) would otherwise attempt them at
    // whichever step the test has reached by then, under a slow CI run before the first deliverDue below.
    m.deps.alerts.kick = () => {};
    expect((await call('PUT', '/v1/alerts/endpoints', { url: receiverUrl, secret: 'alert_secret_0123456789' })).status).toBe(200);
    expect((await call('GET', '/v1/alerts/endpoints')).body.items[0]).not.toHaveProperty('secret');
    expect((await stripeHook('invoice.finalized')).statusCode).toBe(403); // no secret yet: refused as a wrong signature is
    expect((await call('PUT', '/v1/stripe/secret', { secret: SECRET })).status).toBe(204);
    expect((await call('GET', '/v1/budget/settings')).body).toMatchObject({ stripeWebhookSecretSet: true, graceDays: 14 });
    expect(JSON.stringify((await call('GET', '/v1/budget/settings')).body)).not.toContain(SECRET);

    expect((await stripeHook('invoice.finalized', { tamper: true })).statusCode).toBe(403);
    const fin = await stripeHook('invoice.finalized');
    expect(fin.json()).toEqual({ received: true, applied: true });
    expect((await stripeHook('invoice.finalized')).json()).toMatchObject({ applied: false, duplicate: true });
    // Before the due date: a warning, not overdue; suspension would start 14 days after the due date.
    expect((await call('GET', '/v1/invoices/unpaid')).body).toMatchObject({
      count: 1, total: 48250, currency: 'EUR', earliestDue: '2025-03-31T00:00:00.000Z', overdue: false, suspendsAt: '2025-04-14T00:00:00.000Z', suspended: false,
    });

    await call('PUT', '/v1/cost-model', { email: { perMessage: 1000 } });
    const id = (await call('POST', '/v1/campaigns', { name: 'c', channel: 'email', budget: 100 })).body.id;
    expect((await call('POST', `/v1/campaigns/${id}/sends`, { recipients: [{ email: 'a@example.com' }] })).body.allowed).toBe(1);

    // Stripe says overdue; 14 days of grace later (strictly after), the gate refuses.
    now = DUE + DAY;
    expect((await stripeHook('invoice.overdue')).json()).toMatchObject({ applied: true });
    expect((await call('GET', '/v1/invoices/unpaid')).body).toMatchObject({ overdue: true, suspended: false });
    now = DUE + 14 * DAY + 1;
    const refused = await call('POST', `/v1/campaigns/${id}/sends`, { recipients: [{ email: 'b@example.com' }] });
    expect(refused.body.results[0]).toMatchObject({ status: 'refused', reason: 'account_suspended' });
    expect((await call('GET', '/v1/account')).body.suspended).toBe(true);

    // Paying lifts it at once.
    expect((await stripeHook('invoice.paid')).json()).toMatchObject({ applied: true });
    expect((await call('GET', '/v1/invoices/unpaid')).body).toEqual({ count: 0 });
    expect((await call('POST', `/v1/campaigns/${id}/sends`, { recipients: [{ email: 'b@example.com' }] })).body.results[0].status).toBe('allowed');
    expect((await call('GET', '/v1/account')).body.suspended).toBe(false);
    expect((await call('GET', '/v1/invoices')).body.items[0]).toMatchObject({ id: 'in_1QxMsrEXAMPLE0042', status: 'paid', amountRemaining: 0 });

    // Alerts: invoice.overdue and account.suspended were queued; the receiver refuses the first attempt.
    await m.deps.alerts.deliverDue();
    let log = (await call('GET', '/v1/alerts/deliveries')).body.items;
    expect(log.map((d: { type: string }) => d.type).sort()).toEqual(['account.suspended', 'invoice.overdue']);
    const failed = log.find((d: { status: string }) => d.status === 'pending');
    expect(failed).toMatchObject({ attempts: 1, lastStatus: 503, nextAttemptAt: new Date(now + 60_000).toISOString() });
    now += 60_000;
    await m.deps.alerts.deliverDue();
    log = (await call('GET', '/v1/alerts/deliveries')).body.items;
    expect(log.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.verified)).toBe(true);
    const overdue = JSON.parse(received.find((r) => JSON.parse(r.body).type === 'invoice.overdue')!.body);
    expect(overdue.data).toMatchObject({ invoiceId: 'in_1QxMsrEXAMPLE0042', amountDueMinor: 48250, currency: 'EUR', dueAt: '2025-03-31T00:00:00.000Z' });
  });

  it('records invoices by API and raises budget alerts at 80 % and 100 %, and campaign.stopped', async () => {
    await call('PUT', '/v1/alerts/endpoints', { url: receiverUrl, secret: 'alert_secret_0123456789' });
    failNext = 0;
    const inv = await call('POST', '/v1/invoices', { id: 'inv-7', amountDue: 1200, currency: 'eur', dueAt: new Date(now + 5 * DAY).toISOString(), payUrl: 'https://pay.example/inv-7', status: 'open' });
    expect(inv.status).toBe(201);
    expect(inv.body).toMatchObject({ id: 'inv-7', status: 'open', overdue: false, currency: 'EUR' });
    expect((await call('POST', '/v1/invoices', { id: 'x', amountDue: -1, currency: 'EUR', status: 'open' })).status).toBe(400);

    await call('PUT', '/v1/cost-model', { email: { perMessage: 1000 } }); // 1 ¢
    const id = (await call('POST', '/v1/campaigns', { name: 'c', channel: 'email', budget: 5 })).body.id;
    const r = await call('POST', `/v1/campaigns/${id}/sends`, { recipients: ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => ({ email: `${x}@example.com` })) });
    const ids = r.body.results.filter((x: { status: string }) => x.status === 'allowed').map((x: { messageId: string }) => x.messageId);
    await call('POST', `/v1/campaigns/${id}/sends/commit`, { messageIds: ids.slice(0, 3) }); // 3/5 = 60 %: nothing
    await call('POST', `/v1/campaigns/${id}/sends/commit`, { messageIds: ids.slice(3, 4) }); // 4/5 = 80 %
    await call('POST', `/v1/campaigns/${id}/sends/commit`, { messageIds: ids.slice(4, 5) }); // 5/5 = 100 %
    await m.deps.alerts.deliverDue();
    const types = received.map((x) => JSON.parse(x.body)).map((p) => `${p.type}:${p.data.usedMinor ?? ''}`).sort();
    expect(types).toEqual(['budget.100:5', 'budget.80:4', 'campaign.stopped:0']);
  });

  it('imports and exports the suppression list as CSV, naming rejected lines', async () => {
    const csv = 'channel,address,reason\nemail,A@Example.com,unsubscribed\nsms,06 12 34 56 78,stop\nfax,123,x\nemail,nope,\nwhatsapp,+33612345679,\n';
    const r = await m.app.inject({ method: 'POST', url: '/v1/suppressions/import', headers: { ...m.auth, 'content-type': 'text/csv' }, payload: csv });
    expect(r.json()).toEqual({
      lines: 5, added: 3, alreadyListed: 0,
      rejected: [{ line: 4, message: 'channel "fax" is not one of whatsapp, sms, email, mail' }, { line: 5, message: '"nope" is not an email address' }],
    });
    const list = (await call('GET', '/v1/suppressions?limit=2')).body;
    expect(list.items.map((i: { address: string }) => i.address)).toEqual(['a@example.com', '+33612345678']);
    const page2 = (await call('GET', `/v1/suppressions?limit=2&cursor=${list.nextCursor}`)).body;
    expect(page2).toMatchObject({ items: [{ channel: 'whatsapp', address: '+33612345679', reason: 'imported' }], nextCursor: null });
    const out = await m.app.inject({ url: '/v1/suppressions/export.csv', headers: m.auth });
    expect(out.body.split('\n')[0]).toBe('channel,address,reason,source,createdAt');
    // Cells starting with + are guarded against spreadsheet formulas; importing the export back reads them as written.
    expect(out.body).toContain("sms,'+33612345678,stop,import,");
    const again = await m.app.inject({ method: 'POST', url: '/v1/suppressions/import', headers: { ...m.auth, 'content-type': 'text/csv' }, payload: out.body });
    expect(again.json()).toMatchObject({ lines: 3, added: 0, alreadyListed: 3, rejected: [] });
    expect((await m.app.inject({ method: 'DELETE', url: '/v1/suppressions?channel=sms&address=%2B33612345678', headers: m.auth })).statusCode).toBe(204);
    expect((await m.app.inject({ method: 'DELETE', url: '/v1/suppressions?channel=sms&address=%2B33612345678', headers: m.auth })).statusCode).toBe(404);
  });
});
