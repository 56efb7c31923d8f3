// Orders → "Declared vs attributed" end to end in real headless Chromium against a real Mesure (SQLite file, real HTTP):
// in French at desktop width, the owner sees the unmapped answers, adds a rule, previews and saves it, and the table
// counts the mapped orders; the order's row and drawer show what the buyer said. In English at phone width, a viewer
// reads the same section with the rules read-only, and nothing overflows.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, settle, SHOTS, startE2E, type E2E } from './browser';
import { buildOrder, type Order } from '../../src/domain/orders';

const OWNER = { email: 'owner@declared.test', password: 'owner-first-password' };
const VIEWER = { email: 'viewer@declared.test', password: 'viewer-first-password' };
const DAY = 86_400_000;

describeInChromium('declared sources in Chromium', 'declared sources', () => {
  let e2e: E2E;
  let base: string;

  async function loggedIn(who: typeof OWNER, locale: 'fr-FR' | 'en-US', width: number, path: string): Promise<Page> {
    const page = await e2e.newPage({ locale, viewport: { width, height: 900 } });
    await page.goto(base + '/');
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(who.email);
    await page.locator('input[name=password]').fill(who.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
    await page.goto(base + path);
    return page;
  }

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-declared-');
    const m = e2e.m;
    const accountId = (await m.deps.accounts.create({ name: 'Declared shop', currency: 'EUR', timeZone: 'Europe/Paris' })).id;
    await m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner');
    await m.deps.accounts.createUser(accountId, VIEWER.email, VIEWER.password, 'viewer');
    const at = Date.now() - 2 * DAY;
    const order = (id: string, total: number, declaredSource: string | null): Order => {
      const b = buildOrder({ externalId: id, source: 'api', name: `#${id}`, at, currency: 'EUR', grossMinor: total, declaredSource });
      if (!b.ok) throw new Error(b.reason);
      return b.order;
    };
    // Two letters (one with accents and capitals), one friend, one order without an answer.
    await m.deps.orders.upsert(accountId, [order('1001', 4000, 'Une lettre'), order('1002', 6000, 'Une LÉTTRE reçue'), order('1003', 2500, 'Une amie'), order('1004', 1000, null)]);
    base = await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('maps answers with a rule the owner adds, in French at desktop width; the order shows what the buyer said', async () => {
    const fr = await loggedIn(OWNER, 'fr-FR', 1280, '/orders?view=declared');
    await fr.getByTestId('declared-table').waitFor();
    await settle(fr);
    // No rule yet: the three answers are unmapped, "Une lettre" and "Une LÉTTRE reçue" apart (not the same words).
    expect(await fr.getByTestId('declared-row-mail').getByTestId('declared-orders').innerText()).toBe('0');
    expect(await fr.getByTestId('declared-unmapped').innerText()).toContain('Une amie');
    expect(await fr.getByTestId('declared-rules').innerText()).toContain('Aucune règle');

    await fr.getByTestId('declared-add').click();
    await fr.getByTestId('declared-pattern').fill('lettre');
    await fr.getByTestId('declared-target').selectOption('channel:mail');
    await fr.getByTestId('declared-preview').click();
    // "lettre" is in both letter answers once case and accents are set aside: 2.
    await expect.poll(() => fr.getByTestId('declared-matches').innerText()).toBe('2 réponses');
    await fr.getByTestId('declared-save').click();
    await expect.poll(() => fr.getByTestId('declared-message').innerText()).toContain('3 réponses reclassées, 2 modifiées');
    // Mail: 2 declared orders, 40,00 € + 60,00 € = 100,00 €.
    await expect.poll(() => fr.getByTestId('declared-row-mail').getByTestId('declared-orders').innerText()).toBe('2');
    expect((await fr.getByTestId('declared-row-mail').innerText()).replace(/\s/g, ' ')).toContain('100,00 €');
    await fr.screenshot({ path: join(SHOTS, 'declared-desktop-fr.png'), fullPage: true });

    await fr.getByTestId('orders-view-list').click();
    const row = fr.locator('[data-testid=order-row][data-order="1002"]');
    await row.waitFor();
    expect(await row.getByTestId('order-declared').innerText()).toContain('Une LÉTTRE reçue');
    await row.getByTestId('order-explain').click();
    const drawer = fr.getByTestId('drawer-declared');
    await drawer.waitFor();
    expect(await drawer.innerText()).toContain('Source déclarée');
    // The answer as written, and where the rule maps it: the mail channel ("Courrier").
    expect(await drawer.innerText()).toContain('Une LÉTTRE reçue');
    expect(await drawer.innerText()).toContain('→ Courrier');
  }, 120_000);

  it('shows the rules read-only to a viewer, in English at phone width', async () => {
    const en = await loggedIn(VIEWER, 'en-US', 390, '/orders?view=declared');
    await en.getByTestId('declared-table').waitFor();
    await settle(en);
    expect(await en.getByTestId('declared').locator('h2').innerText()).toContain('Declared vs attributed');
    expect(await en.getByTestId('declared-readonly').innerText()).toBe("Only the account's owners can change the rules.");
    expect(await en.getByTestId('declared-save').count()).toBe(0);
    expect(await en.getByTestId('declared-pattern').isDisabled()).toBe(true);
    // The friend's answer is still unmapped (no rule names it).
    expect(await en.getByTestId('declared-unmapped').innerText()).toContain('Une amie');
    expect(await en.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await en.screenshot({ path: join(SHOTS, 'declared-phone-en.png'), fullPage: true });
  }, 120_000);
});
