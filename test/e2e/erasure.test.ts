// The erase and export actions on the campaign page's recipients, end to end in real headless Chromium against a real
// Mesure (SQLite file, real HTTP on 127.0.0.1): in French an owner downloads a recipient's data and erases them after
// confirming (the row then shows an erased person, the notice counts the message); in English the same actions are
// labelled in English; an analyst sees the export link and no erase button.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, SHOTS, startE2E, type E2E } from './browser';

const OWNER = { email: 'owner@erase.test', password: 'owner-erase-password' };
const ANALYST = { email: 'analyst@erase.test', password: 'analyst-erase-password' };

describeInChromium('erase and export a person from the campaign page in Chromium', 'erasure', () => {
  let e2e: E2E;
  let m: E2E['m'];
  let base: string;
  let campaignId = '';

  async function logIn(locale: 'fr-FR' | 'en-US', who: { email: string; password: string }): Promise<Page> {
    const page = await e2e.newPage({ locale, acceptDownloads: true });
    await page.goto(base + '/');
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(who.email);
    await page.locator('input[name=password]').fill(who.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
    await page.goto(`${base}/campaigns/${campaignId}`);
    await page.getByTestId('recipients-table').waitFor();
    return page;
  }
  const rowOf = (page: Page, recipient: string) => page.getByTestId('recipients-table').locator('tbody tr', { hasText: recipient });

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-erase-');
    m = e2e.m;
    const account = await m.deps.accounts.create({ name: 'Erase shop' });
    await m.deps.accounts.createUser(account.id, OWNER.email, OWNER.password, 'owner');
    await m.deps.accounts.createUser(account.id, ANALYST.email, ANALYST.password, 'analyst');
    campaignId = (await m.deps.campaigns.create(account.id, { name: 'Spring', channel: 'email' })).id;
    const reg = await m.deps.ingestor.register(account.id, campaignId, ['lea.martin@shop.test', 'sam.keep@shop.test', 'zoe.english@shop.test'].map((email) => ({ recipient: { email } })));
    if (!reg.ok) throw new Error(reg.message);
    base = await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('exports and erases in French and in English; an analyst may only export', async () => {
    const fr = await logIn('fr-FR', OWNER);
    const lea = rowOf(fr, 'lea.martin@shop.test');
    // The export link downloads the person's data as JSON.
    const [download] = await Promise.all([fr.waitForEvent('download'), lea.getByTestId('contact-export').click()]);
    const exported = JSON.parse(await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8')) as { contact: { email: string }; messages: unknown[] };
    expect(exported.contact.email).toBe('lea.martin@shop.test');
    expect(exported.messages).toHaveLength(1);
    expect(await lea.getByTestId('contact-export').innerText()).toBe('Exporter ses données');

    // Erase, after a confirmation that names the person; dismissing it erases nothing.
    const erase = lea.getByTestId('contact-erase');
    expect(await erase.innerText()).toBe('Effacer cette personne');
    fr.once('dialog', (d) => void d.dismiss());
    await erase.click();
    expect(await rowOf(fr, 'lea.martin@shop.test').count()).toBe(1);
    let asked = '';
    fr.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await erase.click();
    await expect.poll(() => fr.getByTestId('recipients-notice').innerText().catch(() => '')).toBe('Effacée : 1 message désormais sous une clé anonyme ; chiffres inchangés.');
    expect(asked).toContain('Effacer lea.martin@shop.test ?');
    await expect.poll(() => fr.getByTestId('recipients-table').innerText()).toContain('Personne effacée');
    const table = await fr.getByTestId('recipients-table').innerText();
    expect(table).not.toContain('lea.martin@shop.test');
    expect(table).toContain('sam.keep@shop.test');
    await fr.getByTestId('recipients-table').screenshot({ path: join(SHOTS, 'recipients-erase-desktop-fr.png') });

    // In English: the same actions, in English.
    const en = await logIn('en-US', OWNER);
    const zoe = rowOf(en, 'zoe.english@shop.test');
    expect(await zoe.getByTestId('contact-export').innerText()).toBe('Export data');
    expect(await zoe.getByTestId('contact-erase').innerText()).toBe('Erase this person');
    expect(await en.getByTestId('recipients-table').innerText()).toContain('Erased person');

    // An analyst exports, never erases.
    const analyst = await logIn('en-US', ANALYST);
    expect(await rowOf(analyst, 'sam.keep@shop.test').getByTestId('contact-export').count()).toBe(1);
    expect(await analyst.getByTestId('contact-erase').count()).toBe(0);
  });
});
