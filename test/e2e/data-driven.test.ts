// The data-driven model's card in Settings end to end in real headless Chromium against a real Mesure (SQLite file,
// real HTTP on 127.0.0.1): in French at 1280 px an owner refits a shop without enough conversions and reads the
// refusal and the labelled fallback; in English at 390 px the fitted weights show with their intervals.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, SHOTS, startE2E, type E2E } from './browser';
import { insertFit } from '../../src/store/dataDriven';

const OWNER = { email: 'owner@datadriven.test', password: 'owner-first-password' };

describeInChromium('data-driven model in Chromium', 'data-driven', () => {
  let e2e: E2E;
  let m: E2E['m'];
  let base: string;
  let accountId: string;

  async function loggedIn(locale: 'fr-FR' | 'en-US', width: number): Promise<Page> {
    const page = await e2e.newPage({ locale, viewport: { width, height: 900 } });
    await page.goto(base + '/');
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(OWNER.email);
    await page.locator('input[name=password]').fill(OWNER.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar, nav').first().waitFor();
    await page.goto(base + '/settings');
    await page.getByTestId('datadriven-status').waitFor();
    return page;
  }

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-datadriven-');
    m = e2e.m;
    accountId = (await m.deps.accounts.create({ name: 'Data-driven shop' })).id;
    await m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner');
    base = await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('refits, shows the refusal and the fallback in French, and the fitted weights in English', async () => {
    const fr = await loggedIn('fr-FR', 1280);
    const card = fr.getByTestId('settings-data-driven');
    expect(await card.locator('h2').innerText()).toBe('Modèle basé sur les données');
    expect(await fr.getByTestId('datadriven-status').innerText()).toBe('Jamais ajusté.');
    // No order at all: 0 conversions, fewer than 30; the fit is refused and said so.
    await fr.getByTestId('datadriven-refit').click();
    await expect.poll(() => card.getByTestId('datadriven-refused').isVisible().catch(() => false)).toBe(true);
    expect(await card.getByTestId('datadriven-refused').innerText()).toBe('Non ajusté : 0 conversions, moins que les 30 nécessaires. Les commandes sont créditées par Dernier contact.');
    // The model selected without a fit: orders fall back to the rule model, labelled.
    await m.deps.orders.updateSettings(accountId, { model: 'data_driven' });
    await fr.reload();
    await fr.getByTestId('datadriven-credited-by').waitFor();
    expect(await fr.getByTestId('datadriven-credited-by').innerText()).toBe('Pas encore d’ajustement : les commandes sont créditées par Dernier contact.');
    await card.screenshot({ path: join(SHOTS, 'settings-data-driven-desktop-fr.png') });

    // A stored fit (its computation is tested in src/domain and test/attribution.datadriven.test.ts): shown as stored.
    await m.deps.writer.run((trx) => insertFit(trx, {
      account_id: accountId, id: 'fit_e2e', fitted_at: Date.now() + 1000, status: 'fitted', trigger: 'manual',
      period_from: '2026-08-28', period_to: '2026-11-25', conversions: 30, paths: 60, min_conversions: 30, seconds: 0.1,
      weights: JSON.stringify({
        pConversion: 0.5, resamples: 100,
        channels: [{ channel: 'email', value: 0.5, share: 1 / 3, low: 0.25, high: 0.4 }, { channel: 'sms', value: 1, share: 2 / 3, low: 0.6, high: 0.75 }],
        campaigns: [{ campaignId: 'cmp_a', value: 1 / 3, share: 0.25, low: 0.2, high: 0.3 }, { campaignId: 'cmp_b', value: 1, share: 0.75, low: 0.7, high: 0.8 }],
      }),
    }));
    m.deps.orders.attribution.invalidate(accountId);
    const en = await loggedIn('en-US', 390);
    const enCard = en.getByTestId('settings-data-driven');
    expect(await enCard.locator('h2').innerText()).toBe('Data-driven model');
    expect(await en.getByTestId('datadriven-status').innerText()).toContain('from 60 paths and 30 conversions');
    expect(await en.getByTestId('datadriven-credited-by').innerText()).toBe('Orders are credited by this fit.');
    // Shares with their intervals: 1/3 → 33.3 %, 25.0 % – 40.0 %; campaign B's removal effect 100.0 %, share 75.0 %.
    const channels = await enCard.locator('.datadriven-channels tbody tr').allInnerTexts();
    expect(channels.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(['Email 33.3% (25.0% – 40.0%)', 'SMS 66.7% (60.0% – 75.0%)']);
    const campaigns = await enCard.locator('.datadriven-campaigns tbody tr').allInnerTexts();
    expect(campaigns.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(['cmp_a 33.3% 25.0% (20.0% – 30.0%)', 'cmp_b 100.0% 75.0% (70.0% – 80.0%)']);
    // Nothing wider than the phone's screen.
    expect(await en.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await enCard.screenshot({ path: join(SHOTS, 'settings-data-driven-mobile-en.png') });
  }, 120_000);
});
