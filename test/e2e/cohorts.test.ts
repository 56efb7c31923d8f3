// The Retention page end to end in real headless Chromium against a real Mesure (SQLite file, real HTTP on 127.0.0.1):
// four contacts first messaged last month, two of whom opened then, one clicked again this month. In French at desktop
// width: the triangle's shares and its counts on hover, the switch to purchases kept in the URL; in English at phone
// width: the same cohort, the curve, and nothing wider than the screen.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, loggedInPage, settle, SHOTS, startE2E, type E2E } from './browser';
import type { IncomingEvent } from '../../src/domain/types';

const OWNER = { email: 'owner@cohorts.test', password: 'owner-first-password' };

describeInChromium('retention page in Chromium', 'cohorts', () => {
  let e2e: E2E;
  let lastMonth = '';

  const loggedIn = (locale: 'fr-FR' | 'en-US', width: number, path: string) => loggedInPage(e2e, OWNER, { locale, width }, path);
  const row = (page: Page) => page.locator(`[data-testid=retention-row][data-cohort="${lastMonth}"]`);

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-cohorts-');
    const m = e2e.m;
    const account = await m.deps.accounts.create({ name: 'Cohort shop', timeZone: 'Europe/Paris' });
    await m.deps.accounts.createUser(account.id, OWNER.email, OWNER.password, 'owner');
    const now = Date.now();
    const thisMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' }).format(now).slice(0, 7);
    const [y, mo] = thisMonth.split('-').map(Number);
    // The 15th of last month at noon UTC: inside last month in Paris.
    const t1 = Date.UTC(mo === 1 ? y - 1 : y, (mo + 10) % 12, 15, 12);
    lastMonth = new Date(t1).toISOString().slice(0, 7);
    const campaign = await m.deps.campaigns.create(account.id, { name: 'Newsletter', channel: 'email' });
    const registered = await m.deps.ingestor.register(account.id, campaign.id, [1, 2, 3, 4].map((i) => ({ recipient: { email: `c${i}@shop.test` }, registeredAt: t1 - 60_000 })));
    if (!registered.ok) throw new Error('registration failed');
    const id = (i: number) => ({ kind: 'id' as const, messageId: registered.value[i].messageId });
    const events: IncomingEvent[] = [
      ...[0, 1, 2, 3].map((i): IncomingEvent => ({ type: 'sent', at: t1, ref: id(i) })),
      { type: 'opened', at: t1 + 3600_000, ref: id(0) },
      { type: 'opened', at: t1 + 3600_000, ref: id(1) },
      { type: 'clicked', at: now - 5 * 60_000, ref: id(0), url: 'https://shop.test/' },
    ];
    const ingested = await m.deps.ingestor.ingest(account.id, events);
    if (!ingested.ok) throw new Error(ingested.message);
    await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('shows the triangle with counts on hover and switches to purchases, in French at desktop width', async () => {
    const fr = await loggedIn('fr-FR', 1280, '/');
    await fr.getByTestId('nav-retention').click();
    await fr.getByTestId('retention-triangle').waitFor();
    await settle(fr);
    expect(await fr.locator('h1').innerText()).toBe('Rétention');
    // Twelve cohorts by default; last month's: 4 contacts, 2 opened then (2/4 = 50 %), 1 clicked this month (1/4 = 25 %).
    expect(await fr.getByTestId('retention-row').count()).toBe(12);
    const cells = row(fr).getByTestId('retention-cell');
    expect(await cells.count()).toBe(2);
    expect(await cells.nth(0).innerText()).toMatch(/^50,0\s?%/);
    expect(await cells.nth(1).innerText()).toMatch(/^25,0\s?%/);
    expect(await cells.nth(0).getAttribute('title')).toBe('2 contacts sur 4');
    expect(await fr.getByTestId('figure-contacts').innerText()).toContain('4');
    await fr.screenshot({ path: join(SHOTS, 'cohorts-desktop-fr.png'), fullPage: false });
    await fr.getByTestId('retention-metric').selectOption('purchased');
    // Nobody bought: 0 % in both months.
    await expect.poll(() => row(fr).getByTestId('retention-cell').allInnerTexts()).toEqual([expect.stringMatching(/^0,0\s?%/), expect.stringMatching(/^0,0\s?%/)]);
    expect(fr.url()).toContain('metric=purchased');
  }, 120_000);

  it('shows the same cohort and the curve in English at phone width, within the screen', async () => {
    const en = await loggedIn('en-US', 390, '/retention?months=6');
    await en.getByTestId('retention-triangle').waitFor();
    await en.getByTestId('retention-curve').locator('svg').first().waitFor();
    await settle(en);
    expect(await en.locator('h1').innerText()).toBe('Retention');
    expect(await en.getByTestId('retention-row').count()).toBe(6);
    expect(await row(en).getByTestId('retention-cell').nth(0).getAttribute('title')).toBe('2 of 4 contacts');
    expect(await en.getByTestId('retention-months').inputValue()).toBe('6');
    const wide = await en.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 390 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > 390)).slice(0, 12).map((e) => `${e.tagName}.${e.className}:${Math.round(e.getBoundingClientRect().right)}`).join(' '));
    expect(await en.evaluate(() => document.documentElement.scrollWidth), wide).toBeLessThanOrEqual(390);
    await en.screenshot({ path: join(SHOTS, 'cohorts-phone-en.png'), fullPage: true });
  }, 120_000);
});
