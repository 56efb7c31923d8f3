// The Retention card of Settings end to end in real headless Chromium against a real Mesure (SQLite file, real HTTP on
// 127.0.0.1): an owner reads the defaults in French, sets both bounds (a bound the API refuses is explained on the
// form, nothing saved), and reads them back in English; the API agrees.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, SHOTS, startE2E, type E2E } from './browser';

const OWNER = { email: 'owner@retention.test', password: 'owner-first-password' };

describeInChromium('retention settings in Chromium', 'retention', () => {
  let e2e: E2E;
  let m: E2E['m'];
  let base: string;
  let accountId: string;

  async function loggedIn(locale: 'fr-FR' | 'en-US'): Promise<Page> {
    const page = await e2e.newPage({ locale });
    await page.goto(base + '/');
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(OWNER.email);
    await page.locator('input[name=password]').fill(OWNER.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
    await page.goto(base + '/settings');
    await page.getByTestId('retention-form').waitFor();
    return page;
  }

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-retention-');
    m = e2e.m;
    accountId = (await m.deps.accounts.create({ name: 'Retention shop' })).id;
    await m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner');
    base = await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('shows and sets both bounds, in French and in English', async () => {
    const fr = await loggedIn('fr-FR');
    const card = fr.getByTestId('settings-retention');
    expect(await card.locator('h2').innerText()).toBe('Conservation des données');
    // The defaults: 90 days of IP addresses and user agents, rows kept for ever (empty field).
    expect(await fr.getByTestId('retention-details').inputValue()).toBe('90');
    expect(await fr.getByTestId('retention-rows').inputValue()).toBe('');
    expect(await fr.getByTestId('retention-rows-now').innerText()).toBe('Les messages, leurs événements et visites sont conservés sans limite.');

    // A rows bound under 30 days is refused on the form, in French; nothing is saved.
    await fr.getByTestId('retention-details').fill('30');
    await fr.getByTestId('retention-rows').fill('10');
    await card.locator('button[type=submit]').click();
    expect(await card.locator('.form-error').innerText()).toBe('Conserver les lignes par destinataire (jours) : un nombre entier de jours entre 30 et 3650');
    expect(await m.deps.retention.settings(accountId)).toEqual({ visitorDetailsDays: 90, recipientRowsDays: null });

    await fr.getByTestId('retention-rows').fill('365');
    await card.locator('button[type=submit]').click();
    await card.getByTestId('saved').waitFor();
    await expect.poll(() => fr.getByTestId('retention-rows-now').innerText()).toBe('Les messages, leurs événements et visites sont supprimés 365 jours après leur enregistrement.');
    expect(await m.deps.retention.settings(accountId)).toEqual({ visitorDetailsDays: 30, recipientRowsDays: 365 });
    await card.screenshot({ path: join(SHOTS, 'settings-retention-desktop-fr.png') });

    const en = await loggedIn('en-US');
    const enCard = en.getByTestId('settings-retention');
    expect(await enCard.locator('h2').innerText()).toBe('Data retention');
    expect(await en.getByTestId('retention-details').inputValue()).toBe('30');
    expect(await en.getByTestId('retention-rows').inputValue()).toBe('365');
    expect(await enCard.innerText()).toContain('Clicks, opens and scans lose their IP address and user agent after 30 days.');
    expect(await en.getByTestId('retention-rows-now').innerText()).toBe('Messages, their events and visits are deleted 365 days after they were registered.');
    // Emptied, the rows bound is "for ever" again.
    await en.getByTestId('retention-rows').fill('');
    await enCard.locator('button[type=submit]').click();
    await expect.poll(() => en.getByTestId('retention-rows-now').innerText()).toBe('Messages, their events and visits are kept for ever.');
    expect(await m.deps.retention.settings(accountId)).toEqual({ visitorDetailsDays: 30, recipientRowsDays: null });
  }, 120_000);
});
