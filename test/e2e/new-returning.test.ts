// New or returning customers, the MER card and the revenue date toggle in real headless Chromium against a real
// Mesure (SQLite file, real HTTP on 127.0.0.1), in French at 1280 px and in English at 390 px. One e-mail campaign sent
// five days ago, clicked by Ana (who had bought 20 days ago: returning) and Bob (first order: new); Dan buys without a
// message. The figures the page must show are computed by hand below and formatted here with Intl, not the app's code.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, loggedInPage, settle, SHOTS, startE2E, type E2E } from './browser';

const OWNER = { email: 'owner@newret.test', password: 'owner-newret-password' };
const DAY = 86_400_000;
const TZ = 'Europe/Paris';

const plain = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const money = (locale: string, minor: number) => plain(new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(minor / 100));
const multiple = (locale: string, v: number) => `${plain(new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v))}×`;
const dayOf = (t: number) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);

describeInChromium('new or returning, MER and revenue date in Chromium', 'new-returning', () => {
  let e2e: E2E;
  let base: string;
  let campaignId = '';
  const now = Date.now();
  // The period: the send day to two days later. Ana's order (4 days ago) and Dan's (3.5 days ago) are in it; Bob's
  // (2 days ago) is the day after it ends.
  const period = `period=custom&from=${dayOf(now - 5 * DAY)}&to=${dayOf(now - 3 * DAY)}`;

  const loggedIn = (locale: 'fr-FR' | 'en-US', width: number, path: string) => loggedInPage(e2e, OWNER, { locale, width }, path);
  const kpi = async (page: Page, id: string) => plain(await page.getByTestId(`kpi-${id}`).getByTestId('kpi-value').innerText());
  const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-newret-');
    const m = e2e.m;
    const accountId = (await m.deps.accounts.create({ name: 'Boutique', currency: 'EUR', timeZone: TZ })).id;
    await m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner');
    const key = (await m.deps.accounts.createKey(accountId, 'seed')).token;
    base = await e2e.listen();
    const call = async (method: string, path: string, body: unknown) => {
      const r = await fetch(base + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await r.text();
      expect(r.status, `${method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(300);
      return JSON.parse(text);
    };
    const iso = (t: number) => new Date(t).toISOString();
    const sendAt = now - 5 * DAY;
    campaignId = (await call('POST', '/v1/campaigns', { name: 'Soldes e-mail', channel: 'email', sendAt: iso(sendAt), status: 'completed' })).id;
    const reg = await call('POST', `/v1/campaigns/${campaignId}/messages`, { messages: ['ana@shop.test', 'bob@shop.test'].map((email) => ({ recipient: { email }, registeredAt: iso(sendAt - 60_000) })) });
    await call('POST', '/v1/events', {
      events: reg.messages.flatMap((x: { messageId: string }) => [
        { type: 'sent', at: iso(sendAt), messageId: x.messageId, costMinor: 150 },
        { type: 'delivered', at: iso(sendAt + 60_000), messageId: x.messageId },
        { type: 'clicked', at: iso(sendAt + 3_600_000), messageId: x.messageId, url: 'https://shop.test/soldes' },
      ]),
    });
    const order = (id: string, t: number, total: number, email: string) => ({ id, createdAt: iso(t), currency: 'EUR', total, tax: 0, itemQuantity: 1, customer: { email } });
    await call('POST', '/v1/orders', {
      orders: [
        order('ana-0', now - 20 * DAY, 5000, 'ana@shop.test'),
        order('ana-1', now - 4 * DAY, 10000, 'ana@shop.test'),
        order('bob-1', now - 2 * DAY, 20000, 'bob@shop.test'),
        order('dan-1', now - 3.5 * DAY, 7000, 'dan@shop.test'),
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('French, 1280 px: MER, the date toggle and its line, and the campaign\'s new / returning revenue', async () => {
    const fr = await loggedIn('fr-FR', 1280, `/?${period}`);
    await fr.getByTestId('kpi-mer').waitFor();
    await settle(fr);
    // By send date: the campaign's credited 100,00 € (Ana) + 200,00 € (Bob), both from e-mails sent on the first day.
    expect(await kpi(fr, 'revenue')).toBe(money('fr-FR', 30000));
    // MER: orders placed in the period, credited or not: Ana 100,00 € + Dan 70,00 € = 17000 / spend 2 × 1,50 € = 300 → 56,7×.
    expect(await kpi(fr, 'mer')).toBe(multiple('fr-FR', 17000 / 300));
    expect(await fr.getByTestId('revenue-date-line').innerText()).toContain("date d'envoi");
    expect(await fr.getByTestId('revenue-date-send').getAttribute('aria-pressed')).toBe('true');
    await fr.screenshot({ path: join(SHOTS, 'new-returning-home-fr-1280.png'), fullPage: false });

    await fr.getByTestId('revenue-date-order').click();
    // By order date: only Ana's order of the credited ones was placed in the period: 100,00 €. MER does not move.
    await expect.poll(() => kpi(fr, 'revenue')).toBe(money('fr-FR', 10000));
    expect(fr.url()).toContain('revenueDate=order');
    expect(await fr.getByTestId('revenue-date-line').innerText()).toContain('date de commande');
    expect(await kpi(fr, 'mer')).toBe(multiple('fr-FR', 17000 / 300));
    expect(await noOverflow(fr)).toBe(true);

    await fr.goto(`${base}/campaigns/${campaignId}`);
    await fr.getByTestId('figure-revenueNew').waitFor();
    // New: Bob's first order, 200,00 €; returning: Ana, who had bought 20 days before, 100,00 €.
    expect(plain(await fr.getByTestId('figure-revenueNew').getByTestId('figure-value').innerText())).toBe(money('fr-FR', 20000));
    expect(plain(await fr.getByTestId('figure-revenueReturning').getByTestId('figure-value').innerText())).toBe(money('fr-FR', 10000));
    expect(await fr.getByTestId('figure-revenueNew').innerText()).toContain('1 commande');
    expect(await fr.getByTestId('newret-note').innerText()).toContain('Nouveau client');
  });

  it('English, 390 px: the toggle from the URL, MER, and the campaigns table\'s new / returning column', async () => {
    const en = await loggedIn('en-US', 390, `/?${period}&revenueDate=order`);
    await en.getByTestId('kpi-mer').waitFor();
    await settle(en);
    expect(await en.getByTestId('revenue-date-order').getAttribute('aria-pressed')).toBe('true');
    expect(await kpi(en, 'revenue')).toBe(money('en-US', 10000));
    expect(await kpi(en, 'mer')).toBe(multiple('en-US', 17000 / 300));
    expect(await en.getByTestId('revenue-date-line').innerText()).toContain('order date');
    expect(await noOverflow(en)).toBe(true);
    await en.screenshot({ path: join(SHOTS, 'new-returning-home-en-390.png'), fullPage: true });

    await en.getByTestId('revenue-date-send').click();
    await expect.poll(() => kpi(en, 'revenue')).toBe(money('en-US', 30000));
    expect(await en.getByTestId('revenue-date-line').innerText()).toContain('send date');

    await en.goto(`${base}/campaigns`);
    await en.getByTestId('newret-cell').first().waitFor();
    expect(plain(await en.getByTestId('newret-cell').first().innerText())).toBe(`${money('en-US', 20000)} / ${money('en-US', 10000)}`);
    expect(await noOverflow(en)).toBe(true);
  });
});
