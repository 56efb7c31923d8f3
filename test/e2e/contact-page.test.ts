// The contact page (#18) end to end in real headless Chromium against a real Mesure (SQLite file, real HTTP on
// 127.0.0.1), in French and English, at desktop (1280) and phone (390) widths: from a recipient row of the campaign
// page to the person's page (identifiers, the SMS opt-out badge, lifetime cards counted by hand), the timeline grouped
// by day whose "load more" brings the rest; and the Contacts entry of the menu finds her by exact e-mail.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { callOk } from '../../bench/support';
import { describeInChromium, settle, SHOTS, startE2E, type E2E } from './browser';

const OWNER = { email: 'owner@contact.test', password: 'owner-contact-password' };
const LEA = { email: 'lea.martin@shop.test', phone: '+33612345678', firstName: 'Léa', lastName: 'Martin' };
const H = 3_600_000;
const CLICKS = 24;
// Her timeline: 2 messages + 24 clicks + 1 reply + 1 opt-out + 2 orders = 30 items; a page shows 25.
const ITEMS = 2 + CLICKS + 1 + 1 + 2;
const iso = (ms: number) => new Date(ms).toISOString();
/** Intl's narrow and ordinary no-break spaces, as plain spaces. */
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');

describeInChromium('the contact page in Chromium', 'contact page', () => {
  let e2e: E2E;
  let base: string;
  let emailCampaign = '';

  async function logIn(locale: 'fr-FR' | 'en-US', width: number): Promise<Page> {
    const page = await e2e.newPage({ locale, viewport: { width, height: width < 500 ? 844 : 800 } });
    await page.goto(base + '/');
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(OWNER.email);
    await page.locator('input[name=password]').fill(OWNER.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
    return page;
  }

  /** The contact page is shown, its timeline loaded; checks what every locale and width must show. */
  async function checkContactPage(page: Page, lang: 'fr' | 'en', width: number): Promise<void> {
    await page.getByTestId('contact-name').waitFor();
    expect(await page.getByTestId('contact-name').innerText()).toBe('Léa Martin');
    expect(page.url()).toMatch(/\/contacts\/ct_/);
    const header = await page.getByTestId('contact-header').innerText();
    expect(header).toContain(LEA.email);
    expect(header).toContain(LEA.phone);
    expect(await page.getByTestId('optout-sms').innerText()).toContain(lang === 'fr' ? 'Désinscrit du canal SMS' : 'Opted out of SMS');
    // Two orders: 80.00 € + 40.00 € = 120.00 €.
    expect(await page.getByTestId('lifetime-orders').getByTestId('kpi-value').innerText()).toBe('2');
    expect(plain(await page.getByTestId('lifetime-revenue').getByTestId('kpi-value').innerText())).toBe(lang === 'fr' ? '120,00 €' : '€120.00');
    await page.getByTestId('timeline-item').first().waitFor();
    await settle(page);
    expect(await page.getByTestId('timeline-item').count()).toBe(25);
    // Newest first: the second order is the first item.
    expect(await page.getByTestId('timeline-item').first().getAttribute('data-kind')).toBe('order');
    expect(await page.getByTestId('timeline-day').count()).toBeGreaterThan(1);
    const more = page.getByTestId('timeline-more');
    expect(await more.innerText()).toBe(lang === 'fr' ? 'Afficher plus' : 'Load more');
    await more.click();
    await expect.poll(() => page.getByTestId('timeline-item').count()).toBe(ITEMS);
    expect(await page.getByTestId('timeline-more').count()).toBe(0);
    // The oldest item is the e-mail message, sent first.
    expect(await page.getByTestId('timeline-item').last().getAttribute('data-kind')).toBe('message');
    expect(await page.getByTestId('timeline').innerText()).toContain('Je viens samedi');
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    await page.screenshot({ path: join(SHOTS, `contact-page-${width < 500 ? 'phone' : 'desktop'}-${lang}.png`), fullPage: true });
  }

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-contact-');
    const m = e2e.m;
    const account = await m.deps.accounts.create({ name: 'Contact shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
    await m.deps.accounts.createUser(account.id, OWNER.email, OWNER.password, 'owner');
    const key = (await m.deps.accounts.createKey(account.id, 'seed', 'owner')).token;
    base = await e2e.listen();
    const post = <T>(path: string, body: unknown) => callOk<T>(base, 'POST', path, key, body);
    emailCampaign = (await post<{ id: string }>('/v1/campaigns', { name: 'Soldes e-mail', channel: 'email' })).id;
    const sms = (await post<{ id: string }>('/v1/campaigns', { name: 'Soldes SMS', channel: 'sms' })).id;
    const T0 = Math.floor((Date.now() - 6 * 24 * H) / 1000) * 1000;
    const reg = async (campaign: string, recipient: object) =>
      (await post<{ messages: { messageId: string }[] }>(`/v1/campaigns/${campaign}/messages`, { messages: [{ recipient, registeredAt: iso(T0) }, { recipient: { email: 'other@shop.test', phone: '+33698765432' } }] })).messages[0].messageId;
    const mE = await reg(emailCampaign, LEA);
    const mS = await reg(sms, { email: LEA.email, phone: LEA.phone });
    await post('/v1/events', {
      events: [
        { messageId: mE, type: 'sent', at: iso(T0 + H) },
        { messageId: mE, type: 'delivered', at: iso(T0 + H + 60_000) },
        ...Array.from({ length: CLICKS }, (_, i) => ({ messageId: mE, type: 'clicked', at: iso(T0 + 2 * H + i * 4 * H), url: `https://shop.test/p/${i}` })),
        { messageId: mS, type: 'sent', at: iso(T0 + 100 * H) },
        { messageId: mS, type: 'replied', at: iso(T0 + 101 * H), text: 'Je viens samedi' },
        { messageId: mS, type: 'unsubscribed', at: iso(T0 + 102 * H) },
      ],
    });
    await post('/v1/orders', {
      orders: [
        { id: 'e2e-1', createdAt: iso(T0 + 3 * H), currency: 'EUR', total: 8000, customer: { email: LEA.email } },
        { id: 'e2e-2', createdAt: iso(T0 + 120 * H), currency: 'EUR', total: 4000, customer: { email: LEA.email } },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('goes from a recipient row to the contact page, in French and English, at desktop and phone widths', async () => {
    for (const [locale, width] of [['fr-FR', 1280], ['en-US', 390], ['fr-FR', 390], ['en-US', 1280]] as const) {
      const page = await logIn(locale, width);
      await page.goto(`${base}/campaigns/${emailCampaign}`);
      await page.getByTestId('recipients-table').waitFor();
      await page.getByTestId('recipients-table').locator('tbody tr', { hasText: LEA.email }).getByTestId('contact-link').click();
      await checkContactPage(page, locale === 'fr-FR' ? 'fr' : 'en', width);
    }
  }, 120_000);

  it('finds her from the Contacts entry of the menu by exact e-mail', async () => {
    const page = await logIn('en-US', 390);
    await page.getByTestId('nav-contacts').click();
    await page.getByTestId('contacts-q').fill('LEA.martin@shop.test ');
    await page.getByTestId('contacts-search').locator('button[type=submit]').click();
    await page.getByTestId('contacts-results').getByText('Léa Martin').click();
    await checkContactPage(page, 'en', 390);
    // A part of her address is no match: the search is exact.
    await page.goto(`${base}/contacts?q=lea.martin`);
    expect(await page.getByTestId('contacts-none').innerText()).toBe('No contact with exactly “lea.martin”.');
  }, 120_000);
});
