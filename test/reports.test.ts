// Scheduled e-mail reports (issue #18) against a real SMTP server (smtp-server, on a free port) whose received messages
// are parsed (mailparser), on SQLite and PostgreSQL.
// 1. `mesure serve` (a child process) with MESURE_SMTP_URL: an account with three campaigns, orders, a monthly budget
//    and an unpaid invoice; "send me one now" over HTTP from a dashboard session (French) and with an owner key, and
//    `mesure reports send --now --user` (the CLI): recipient, subject, language, every figure against a hand
//    computation, the previous period, the links. The server's own tick sends a due report once; SMTP refusing
//    connections is recorded as a failed run, and the server carries on.
// 2. In process with a test clock: a weekly report is sent when its time comes, once (also when two ticks race), not
//    before; a failure is tried again at the next tick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type Smtp } from './smtp';
import { forEachEngine, makeMesure, type TestMesure } from './support';
import { createAccountWithCli, runCli, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { send } from './blackbox/harness';
import { openDatabase, type Db } from '../src/store/db';

const DAY = 86_400_000;
const PUBLIC = 'https://mesure.example';
/** Intl writes narrow no-break spaces in French numbers and a true minus sign: read as plain spaces and hyphens. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\u2212/g, '-');
const todayInParis = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const frDay = (day: string) => new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${day}T00:00:00Z`));
const enDay = (day: string) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.parse(`${day}T00:00:00Z`));

forEachEngine('scheduled reports through mesure serve and a real SMTP server', (engine) => {
  let smtp: Smtp;
  let server: ServerProcess;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let accountId: string;
  let owner: string;
  let store: Db;
  const analyst = { email: 'ana@reports.test', password: 'ana-first-password', id: '', cookie: '', csrf: '' };
  const viewer = { email: 'vic@reports.test', password: 'vic-first-password', id: '' };
  const ids: Record<string, string> = {};
  // Today in Paris when the test runs; "send now" reports on the seven days before it.
  const today = todayInParis(Date.now());
  const period = { from: addDays(today, -7), to: addDays(today, -1) };

  const api = async (method: string, path: string, json?: unknown) => {
    const r = await send(server.url, method, path, { key: owner, json });
    expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
    return r.json;
  };
  const asAnalyst = (method: string, path: string, json?: unknown) =>
    send(server.url, method, path, { json, headers: { cookie: analyst.cookie, 'x-csrf-token': analyst.csrf } });

  /** A campaign sent at 09:00 UTC `daysAgo` days before today, its messages delivered and clicked, its orders an hour later. */
  async function campaign(name: string, daysAgo: number, fixedCostMinor: number, recipients: { email: string; clicked: boolean; order?: number }[]) {
    const day = addDays(today, -daysAgo);
    const at = (minutes: number) => new Date(Date.parse(`${day}T09:00:00Z`) + minutes * 60_000).toISOString();
    const id = (await api('POST', '/v1/campaigns', { name, channel: 'email', sendAt: at(0) })).id as string;
    await api('PUT', `/v1/campaigns/${id}/cost-model`, { fixedCostMinor });
    const made = (await api('POST', `/v1/campaigns/${id}/messages`, { messages: recipients.map((r) => ({ recipient: { email: r.email }, registeredAt: at(0) })) }))
      .messages.sort((x: { index: number }, y: { index: number }) => x.index - y.index).map((m: { messageId: string }) => m.messageId) as string[];
    await api('POST', '/v1/events', {
      events: made.flatMap((messageId, i) => [
        { type: 'sent', at: at(1), messageId },
        { type: 'delivered', at: at(2), messageId },
        ...(recipients[i].clicked ? [{ type: 'clicked', at: at(10), messageId, url: 'https://shop.example/sale' }] : []),
      ]),
    });
    const orders = recipients.filter((r) => r.order !== undefined).map((r, i) => ({
      id: `${name}-${i}`, createdAt: at(70), currency: 'EUR', total: r.order!, tax: 0, shipping: 0, customer: { email: r.email },
    }));
    if (orders.length) await api('POST', '/v1/orders', { orders });
    return id;
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    ({ env, drop } = databaseEnv(engine));
    ({ accountId, key: owner } = await createAccountWithCli(env, 'Reports shop'));
    env = { ...env, MESURE_SMTP_URL: smtp.url, MESURE_SMTP_FROM: 'Mesure <reports@mesure.example>', MESURE_PUBLIC_URL: PUBLIC, MESURE_REPORTS_INTERVAL_S: '1' };
    server = await startServerProcess(env);
    store = await openDatabase(env.DATABASE_URL, { schema: env.MESURE_PG_SCHEMA, poolSize: 2 });

    // This week's campaigns (3 and 2 days ago) and one of the week before (10 days ago), all e-mail, in the account's EUR.
    // Printemps: 2 delivered, both clicked and bought 100.00 € and 50.00 €; fixed cost 50.00 €.
    ids.printemps = await campaign('Printemps', 3, 5000, [{ email: 'p1@x.test', clicked: true, order: 10000 }, { email: 'p2@x.test', clicked: true, order: 5000 }]);
    // Automne: 2 delivered, one clicked and bought 20.00 €; fixed cost 40.00 €.
    ids.automne = await campaign('Automne', 2, 4000, [{ email: 'a1@x.test', clicked: true, order: 2000 }, { email: 'a2@x.test', clicked: false }]);
    // Hiver (previous week): 1 delivered, clicked, bought 30.00 €; fixed cost 10.00 €.
    ids.hiver = await campaign('Hiver', 10, 1000, [{ email: 'h1@x.test', clicked: true, order: 3000 }]);
    // A monthly budget of 1 000.00 € and an unpaid invoice of 49.00 € due in ten days.
    await api('PUT', '/v1/budget/settings', { monthlyBudget: 100000 });
    ids.due = `${addDays(today, 10)}T12:00:00.000Z`;
    await api('POST', '/v1/invoices', { id: 'in_1', amountDue: 4900, currency: 'EUR', dueAt: ids.due, status: 'open', payUrl: 'https://pay.example/in_1' });

    // Two members: an analyst who logs in to the dashboard, and a viewer.
    analyst.id = (await api('POST', '/v1/users', { email: analyst.email, password: analyst.password, role: 'analyst' })).id;
    viewer.id = (await api('POST', '/v1/users', { email: viewer.email, password: viewer.password, role: 'viewer' })).id;
    const login = await send(server.url, 'POST', '/auth/login', { json: { email: analyst.email, password: analyst.password } });
    expect(login.status, login.text).toBe(200);
    analyst.cookie = String(login.headers['set-cookie']).split(';')[0];
    analyst.csrf = login.json.csrfToken;

    // The figures are applied in the background on SQLite: wait until the overview shows every order.
    for (let i = 0; i < 100; i++) {
      const o = await api('GET', `/v1/overview?from=${period.from}&to=${period.to}`);
      if (o.cards.conversions.value === 3 && o.cards.conversions.previous === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await server?.stop();
    await drop?.();
    await smtp?.close();
  });

  it('keeps each member\'s settings, refuses bad input whole, and says SMTP is configured', async () => {
    const mine = await asAnalyst('GET', '/v1/reports/settings');
    expect(mine.status, mine.text).toBe(200);
    // Defaults: off; French, since the account's country is FR; Mondays at 8; no run yet.
    expect(mine.json).toMatchObject({ userId: analyst.id, email: analyst.email, frequency: 'off', language: 'fr', dayOfWeek: 1, hour: 8, timeZone: 'Europe/Paris', nextSendAt: null, lastRun: null });
    expect(mine.json.smtp).toEqual({ configured: true, from: 'Mesure <reports@mesure.example>', dashboardUrl: PUBLIC, help: null });
    for (const [body, field] of [[{ frequency: 'daily' }, 'frequency'], [{ hour: 24 }, 'hour'], [{ dayOfMonth: 31 }, 'dayOfMonth'], [{ language: 'de' }, 'language'], [{}, '']] as const) {
      const r = await asAnalyst('PUT', '/v1/reports/settings', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.text, JSON.stringify(body)).toContain(field);
    }
    // An API key is no person: it names one, and only an owner's key may.
    expect((await send(server.url, 'GET', '/v1/reports/settings', { key: owner })).status).toBe(400);
    const viewerKey = (await api('POST', '/v1/keys', { name: 'viewer', role: 'viewer' })).key;
    expect((await send(server.url, 'GET', `/v1/reports/settings?userId=${analyst.id}`, { key: viewerKey })).status).toBe(403);
    expect((await send(server.url, 'GET', '/v1/reports/settings?userId=usr_nobody', { key: owner })).status).toBe(404);
    const set = await asAnalyst('PUT', '/v1/reports/settings', { frequency: 'weekly', dayOfWeek: 1, hour: 7 });
    expect(set.status, set.text).toBe(200);
    expect(set.json).toMatchObject({ frequency: 'weekly', language: 'fr', dayOfWeek: 1, hour: 7 });
    expect(Date.parse(set.json.nextSendAt)).toBeGreaterThan(Date.now());
    // The owner sees every member's.
    const all = await api('GET', '/v1/reports');
    expect(all.items.map((i: { email: string; frequency: string }) => [i.email, i.frequency]).sort()).toEqual([[analyst.email, 'weekly'], [viewer.email, 'off']]);
  });

  it('sends "my report now" from a dashboard session, in French, with the hand-computed figures and links', async () => {
    const before = smtp.mails.length;
    const r = await asAnalyst('POST', '/v1/reports/send');
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ kind: 'manual', to: analyst.email, period, language: 'fr', status: 'sent', attempts: 1, error: null });
    const mail = await smtp.next(before);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(analyst.email);
    expect(mail.from?.value).toEqual([{ name: 'Mesure', address: 'reports@mesure.example' }]);
    expect(plain(mail.subject ?? '')).toBe(`Rapport hebdomadaire de Reports shop : ${frDay(period.from)} – ${frDay(period.to)}`);
    const text = plain(mail.text ?? '');
    const prev = { from: addDays(today, -14), to: addDays(today, -8) };
    expect(text).toContain(`(comparé à ${frDay(prev.from)} – ${frDay(prev.to)})`);
    // By hand. This week: Printemps (2 delivered, 2 clicks, orders 100 € + 50 €, fixed cost 50 €) and Automne (2
    // delivered, 1 click, order 20 €, fixed cost 40 €). The week before: Hiver (1 delivered, 1 click, 30 €, 10 €).
    // Revenue 150 + 20 = 170 € vs 30 €: (170 − 30) / 30 = +466.7 %.
    expect(text).toContain('Chiffre d’affaires : 170,00 € (précédente 30,00 €, +466,7 %)');
    // Conversions 3 vs 1: +200 %. Spend 50 + 40 = 90 € vs 10 €: +800 %. CPA 90 / 3 = 30 € vs 10 / 1 = 10 €: +200 %.
    expect(text).toContain('Conversions : 3 (précédente 1, +200 %)');
    expect(text).toContain('Dépenses : 90,00 € (précédente 10,00 €, +800 %)');
    expect(text).toContain('CPA : 30,00 € (précédente 10,00 €, +200 %)');
    // Conversion rate: 3 converters / 4 delivered = 75 % vs 1 / 1 = 100 %: −25 %.
    expect(text).toContain('Taux de conversion : 75 % (précédente 100 %, -25 %)');
    // Messages sent 4 vs 1: +300 %; clicks 3 vs 1 and orders imported 3 vs 1: +200 %.
    expect(text).toContain('Messages envoyés : 4 (précédente 1, +300 %)');
    expect(text).toContain('Scans QR / clics : 3 (précédente 1, +200 %)');
    expect(text).toContain('Commandes importées : 3 (précédente 1, +200 %)');
    // Best and worst by ROAS among this week's campaigns: Printemps 150 / 50 = 3.0×, Automne 20 / 40 = 0.5×.
    expect(text).toContain('Meilleures campagnes (par ROAS)\n  1. Printemps — ROAS 3,0×, Chiffre d’affaires 150,00 €, Dépenses 50,00 €');
    expect(text).toContain('Campagnes les moins rentables (par ROAS)\n  1. Automne — ROAS 0,5×, Chiffre d’affaires 20,00 €, Dépenses 40,00 €');
    expect(text).not.toContain('Hiver');
    // Budget: 1 000 € a month, nothing committed per message (no prices), so 1 000 € remain; the last 7 days spent the
    // two fixed costs, 90 €, i.e. 90 / 7 € a day: 1 000 / (90 / 7) = 77.78 days, rounded down to a tenth (BUDGETS.md):
    // 77.7. Green: 100 % remains (> 25 %) and 77.7 days ≥ 7.
    expect(text).toContain('Utilisé 0,00 € sur 1 000,00 € ; reste 1 000,00 €. État : vert.');
    expect(text).toContain('le budget tient encore 77,7 jours');
    // The unpaid invoice of 49 €, its due date, its pay link.
    expect(text).toContain(`1 facture impayée, 49,00 €, première échéance le ${frDay(ids.due.slice(0, 10))}.`);
    expect(text).toContain('Payer : https://pay.example/in_1');
    // Links to the dashboard: the period's overview, each named campaign's page, the settings.
    const q = `period=custom&from=${period.from}&to=${period.to}`;
    expect(text).toContain(`${PUBLIC}/?${q}`);
    expect(text).toContain(`${PUBLIC}/campaigns/${ids.printemps}?${q}`);
    expect(text).toContain(`${PUBLIC}/campaigns/${ids.automne}?${q}`);
    expect(text).toContain(`${PUBLIC}/settings#reports-title`);
    // The HTML part says the same, with the links as anchors.
    expect(mail.html).toContain('<html lang="fr">');
    expect(mail.html).toContain(`href="${PUBLIC}/campaigns/${ids.printemps}?${q.replace(/&/g, '&amp;')}"`);
    expect(plain(String(mail.html))).toContain('170,00 €');
    // The run is the member's last.
    expect((await asAnalyst('GET', '/v1/reports/settings')).json.lastRun).toMatchObject({ status: 'sent', kind: 'manual', period });
  });

  it('sends a member\'s report with an owner key, in English once set, and with `mesure reports send --now --user`', async () => {
    let before = smtp.mails.length;
    await api('PUT', `/v1/reports/settings?userId=${viewer.id}`, { language: 'en' });
    const r = await api('POST', `/v1/reports/send?userId=${viewer.id}`);
    expect(r).toMatchObject({ to: viewer.email, language: 'en', status: 'sent' });
    let mail = await smtp.next(before);
    expect(mail.subject).toBe(`Weekly report for Reports shop: ${enDay(period.from)} – ${enDay(period.to)}`);
    expect(mail.text).toContain('Revenue: €170.00 (previous €30.00, +466.7%)');
    expect(mail.text).toContain('Used €0.00 of €1,000.00; remaining €1,000.00');

    before = smtp.mails.length;
    const out = await runCli(['reports', 'send', '--now', '--user', viewer.email], env);
    expect(out).toBe('1 report(s): 1 sent, 0 failed\n');
    mail = await smtp.next(before);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(viewer.email);
    expect(plain(mail.text ?? '')).toContain('Conversion rate: 75% (previous 100%, -25%)');
  });

  it('sends a due report from the server\'s own tick, once', async () => {
    // The analyst's weekly report (Mondays at 7): planted as set long ago, so that its latest slot is due now.
    const before = smtp.mails.length;
    await store.kysely.updateTable('reports').set({ since: 0 }).where('account_id', '=', accountId).where('user_id', '=', analyst.id).execute();
    const mail = await smtp.next(before);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(analyst.email);
    expect(plain(mail.subject ?? '')).toMatch(/^Rapport hebdomadaire de Reports shop : /);
    // A few more ticks (one a second) send nothing more.
    await new Promise((r) => setTimeout(r, 3000));
    expect(smtp.mails.length).toBe(before + 1);
    const runs = await store.kysely.selectFrom('report_runs').selectAll().where('account_id', '=', accountId).where('kind', '=', 'scheduled').execute();
    expect(runs.map((x) => [x.user_id, x.status, x.attempts])).toEqual([[analyst.id, 'sent', 1]]);
  });

  it('records a failed run when the SMTP server is down, and carries on', async () => {
    smtp.refuse = true;
    try {
      const r = await asAnalyst('POST', '/v1/reports/send');
      expect(r.status, r.text).toBe(200);
      expect(r.json.status).toBe('failed');
      expect(r.json.error).toContain('421');
      expect((await asAnalyst('GET', '/v1/reports/settings')).json.lastRun).toMatchObject({ status: 'failed' });
      // The CLI says so and exits 1.
      await expect(runCli(['reports', 'send', '--now', '--user', viewer.email], env)).rejects.toThrow(/FAILED manual report .* to vic@reports.test: .*421/);
    } finally {
      smtp.refuse = false;
    }
    expect((await send(server.url, 'GET', '/healthz')).status).toBe(200);
    expect((await asAnalyst('POST', '/v1/reports/send')).json.status).toBe('sent');
  });
});

forEachEngine('scheduled reports on a test clock', (engine) => {
  let smtp: Smtp;
  let m: TestMesure;
  let now = Date.UTC(2026, 11, 2, 10); // Wednesday 2 December 2026, 11:00 in Paris
  let userId = '';

  beforeAll(async () => {
    smtp = await startSmtp();
    m = await makeMesure(engine, { clock: () => now, env: { MESURE_SMTP_URL: smtp.url, MESURE_REPORTS_INTERVAL_S: '3600' } });
    userId = (await m.deps.accounts.createUser(m.accountId, 'clock@reports.test', 'clock-first-password', 'viewer')).userId;
  }, 60_000);
  afterAll(async () => {
    await m?.cleanup();
    await smtp?.close();
  });

  it('sends a weekly report when its time comes, once, and tries a failed one again at the next tick', async () => {
    // Mondays at 08:00 in Paris = 07:00 UTC in December; set on Wednesday, the first slot is Monday 7 December.
    const s = await m.deps.reports.update(m.accountId, userId, { frequency: 'weekly', language: 'en', dayOfWeek: 1, hour: 8 });
    expect(s?.nextSendAt).toBe('2026-12-07T07:00:00.000Z');
    // The Monday before (30 November) came before the schedule was set: nothing is due.
    expect(await m.deps.reports.runDue()).toEqual({ due: 0, sent: 0, failed: 0 });
    now = Date.UTC(2026, 11, 7, 6, 59);
    expect(await m.deps.reports.runDue()).toEqual({ due: 0, sent: 0, failed: 0 });
    now = Date.UTC(2026, 11, 7, 7, 0);
    expect(await m.deps.reports.runDue()).toEqual({ due: 1, sent: 1, failed: 0 });
    const mail = await smtp.next(0);
    // The seven days before Monday 7 December.
    expect(mail.subject).toBe('Weekly report for Test shop: 30 November 2026 – 6 December 2026');
    expect(mail.text).toContain('No campaign was sent in this period.');
    // Later ticks, two at once as two nodes would, send nothing more for this slot.
    now = Date.UTC(2026, 11, 7, 7, 5);
    const [a, b] = await Promise.all([m.deps.reports.runDue(), m.deps.reports.runDue()]);
    expect(a.sent + b.sent).toBe(0);
    expect(smtp.mails.length).toBe(1);

    // The next Monday the SMTP server is down: a failed run, kept; the next tick sends it.
    smtp.refuse = true;
    now = Date.UTC(2026, 11, 14, 7, 1);
    expect(await m.deps.reports.runDue()).toEqual({ due: 1, sent: 0, failed: 1 });
    expect((await m.deps.reports.settings(m.accountId, userId))?.lastRun).toMatchObject({ status: 'failed', attempts: 1, period: { from: '2026-12-07', to: '2026-12-13' } });
    smtp.refuse = false;
    now = Date.UTC(2026, 11, 14, 7, 6);
    expect(await m.deps.reports.runDue()).toEqual({ due: 1, sent: 1, failed: 0 });
    expect((await m.deps.reports.settings(m.accountId, userId))?.lastRun).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await smtp.next(1)).subject).toBe('Weekly report for Test shop: 7 December 2026 – 13 December 2026');
    expect(await m.deps.reports.runDue()).toEqual({ due: 0, sent: 0, failed: 0 });
    // Turned off: nothing more, and no next sending.
    expect((await m.deps.reports.update(m.accountId, userId, { frequency: 'off' }))?.nextSendAt).toBeNull();
    now = Date.UTC(2026, 11, 21, 8);
    expect(await m.deps.reports.runDue()).toEqual({ due: 0, sent: 0, failed: 0 });
    expect(smtp.mails.length).toBe(2);
  });
});

describe('without SMTP', () => {
  it('says what to configure, and "send now" is refused with that', async () => {
    const m = await makeMesure('sqlite', { env: { MESURE_PUBLIC_URL: '' } });
    try {
      const userId = (await m.deps.accounts.createUser(m.accountId, 'nosmtp@reports.test', 'nosmtp-first-password', 'owner')).userId;
      const s = await m.deps.reports.settings(m.accountId, userId);
      expect(s?.smtp.configured).toBe(false);
      expect(s?.smtp.help).toContain('Set MESURE_SMTP_URL');
      expect(s?.smtp.help).toContain('Set MESURE_PUBLIC_URL');
      const r = await m.deps.reports.sendNow(m.accountId, userId);
      expect(r).toMatchObject({ ok: false, status: 409 });
      expect(await m.deps.reports.runDue()).toEqual({ due: 0, sent: 0, failed: 0 });
    } finally {
      await m.cleanup();
    }
  });
});
