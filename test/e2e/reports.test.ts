// The E-mail reports card of Settings end to end in real headless Chromium against a real Mesure (SQLite file, real
// HTTP on 127.0.0.1) and a real SMTP server: an owner in French at desktop width chooses a weekly report, saves it and
// sends one now (it arrives); a viewer in English on a phone chooses a monthly one; without SMTP the card says what an
// administrator must set and "send now" is disabled. The API agrees with what the page shows.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, SHOTS, startE2E, type E2E } from './browser';
import { startSmtp, type Smtp } from '../smtp';

const OWNER = { email: 'owner@reports-e2e.test', password: 'owner-first-password' };
const VIEWER = { email: 'viewer@reports-e2e.test', password: 'viewer-first-password' };
const PHONE = { width: 390, height: 844 };

async function loggedIn(e2e: E2E, who: { email: string; password: string }, locale: 'fr-FR' | 'en-US', viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await e2e.newPage({ locale, viewport });
  await page.goto(e2e.base + '/');
  await page.getByTestId('login-form').waitFor();
  await page.locator('input[name=email]').fill(who.email);
  await page.locator('input[name=password]').fill(who.password);
  await page.getByTestId('login-submit').click();
  await page.locator('nav.sidebar').waitFor();
  await page.goto(e2e.base + '/settings');
  await page.getByTestId('reports-form').waitFor();
  return page;
}

/** No sideways scrolling: the page fits its width. */
const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describeInChromium('e-mail report settings in Chromium', 'reports', () => {
  let e2e: E2E;
  let smtp: Smtp;
  let accountId: string;
  let ownerId: string;
  let viewerId: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    e2e = await startE2E('mesure-e2e-reports-', { MESURE_SMTP_URL: smtp.url, MESURE_PUBLIC_URL: 'https://mesure.example' });
    accountId = (await e2e.m.deps.accounts.create({ name: 'Boutique e2e', defaultCountry: 'FR' })).id;
    ownerId = (await e2e.m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner')).userId;
    viewerId = (await e2e.m.deps.accounts.createUser(accountId, VIEWER.email, VIEWER.password, 'viewer')).userId;
    await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
    await smtp?.close();
  });

  it('lets an owner choose a weekly report in French and send one now', async () => {
    const fr = await loggedIn(e2e, OWNER, 'fr-FR');
    const card = fr.getByTestId('settings-reports');
    expect(await card.locator('h2').innerText()).toBe('Rapports par e-mail');
    // Defaults: no report, French (the account is in France); nothing about SMTP since it is configured.
    expect(await fr.getByTestId('report-frequency').inputValue()).toBe('off');
    expect(await fr.getByTestId('report-language').inputValue()).toBe('fr');
    expect(await fr.getByTestId('report-next').innerText()).toBe('Aucun rapport n’est prévu.');
    expect(await card.getByTestId('report-smtp-missing').count()).toBe(0);

    await fr.getByTestId('report-frequency').selectOption('weekly');
    await fr.getByTestId('report-day-of-week').selectOption('3'); // mercredi
    expect(await fr.getByTestId('report-day-of-week').locator('option:checked').innerText()).toBe('mercredi');
    await fr.getByTestId('report-hour').selectOption('9');
    await fr.getByTestId('report-save').click();
    await card.getByTestId('saved').waitFor();
    expect(await e2e.m.deps.reports.settings(accountId, ownerId)).toMatchObject({ frequency: 'weekly', language: 'fr', dayOfWeek: 3, hour: 9 });
    await expect.poll(() => fr.getByTestId('report-next').innerText()).toMatch(/^Prochain rapport : .+, à owner@reports-e2e\.test\.$/);
    expect(await fits(fr)).toBe(true);
    await card.screenshot({ path: join(SHOTS, 'settings-reports-desktop-fr.png') });

    await fr.getByTestId('report-send-now').click();
    await expect.poll(() => fr.getByTestId('report-send-result').innerText()).toMatch(/^Envoyé à owner@reports-e2e\.test le /);
    const mail = await smtp.next(0);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(OWNER.email);
    expect(mail.subject).toMatch(/^Rapport hebdomadaire de Boutique e2e/);
  }, 120_000);

  it('lets a viewer on a phone choose a monthly report in English', async () => {
    const en = await loggedIn(e2e, VIEWER, 'en-US', PHONE);
    const card = en.getByTestId('settings-reports');
    expect(await card.locator('h2').innerText()).toBe('E-mail reports');
    await en.getByTestId('report-frequency').selectOption('monthly');
    expect(await en.getByTestId('report-day-of-week').count()).toBe(0);
    await en.getByTestId('report-day-of-month').selectOption('15');
    await en.getByTestId('report-language').selectOption('en');
    await en.getByTestId('report-hour').selectOption('18');
    await en.getByTestId('report-save').click();
    await card.getByTestId('saved').waitFor();
    expect(await e2e.m.deps.reports.settings(accountId, viewerId)).toMatchObject({ frequency: 'monthly', language: 'en', dayOfMonth: 15, hour: 18 });
    await expect.poll(() => en.getByTestId('report-next').innerText()).toMatch(/^Next report: .+, to viewer@reports-e2e\.test\.$/);
    expect(await card.innerText()).toContain("In the account's time zone (Europe/Paris).");
    expect(await fits(en)).toBe(true);
    await card.screenshot({ path: join(SHOTS, 'settings-reports-phone-en.png') });
  }, 120_000);
});

describeInChromium('e-mail report settings without SMTP in Chromium', 'reports', () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-reports-nosmtp-');
    const accountId = (await e2e.m.deps.accounts.create({ name: 'No mail shop' })).id;
    await e2e.m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner');
    await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('says what an administrator must set, in both languages, and cannot send', async () => {
    const en = await loggedIn(e2e, OWNER, 'en-US', PHONE);
    expect(await en.getByTestId('report-smtp-missing').innerText()).toContain('An administrator sets MESURE_SMTP_URL');
    expect(await en.getByTestId('report-send-now').isDisabled()).toBe(true);
    expect(await fits(en)).toBe(true);
    const fr = await loggedIn(e2e, OWNER, 'fr-FR');
    expect(await fr.getByTestId('report-smtp-missing').innerText()).toContain('Un administrateur renseigne MESURE_SMTP_URL');
    await fr.getByTestId('settings-reports').screenshot({ path: join(SHOTS, 'settings-reports-nosmtp-fr.png') });
  }, 120_000);
});
