// The Incrementality page and the campaign page's incremental section in real headless Chromium against a real Mesure
// (SQLite file, real HTTP): the demo's three email campaigns with a holdout give email a factor; in French at desktop
// width the page lists the factor, its campaigns and the window suggestion, which the owner applies; in English at
// phone width a campaign without a holdout shows its incremental revenue from the channel factor, and nothing overflows.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium, loggedInPage, settle, SHOTS, startE2E, type E2E } from './browser';
import { generateDemoHoldouts } from '../../src/demo/holdouts';
import { buildOrder } from '../../src/domain/orders';

const OWNER = { email: 'owner@incrementality.test', password: 'owner-first-password' };
const HOUR = 3_600_000;

describeInChromium('incrementality page in Chromium', 'incrementality', () => {
  let e2e: E2E;
  let plain = '';

  const loggedIn = (locale: 'fr-FR' | 'en-US', width: number, path: string) => loggedInPage(e2e, OWNER, { locale, width }, path);

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-incrementality-');
    const m = e2e.m;
    const accountId = (await m.deps.accounts.create({ name: 'Incrementality shop', currency: 'EUR' })).id;
    await m.deps.accounts.createUser(accountId, OWNER.email, OWNER.password, 'owner');
    const now = Date.now();
    await generateDemoHoldouts(m.deps, accountId, { now, seed: 7, audience: 800 });
    // An email campaign without a holdout: one recipient opened and bought 80 €.
    const c = await m.deps.campaigns.create(accountId, { name: 'Sans témoin', channel: 'email', sendAt: now - 2 * 24 * HOUR });
    plain = c.id;
    const reg = await m.deps.ingestor.register(accountId, c.id, [{ recipient: { email: 'buyer@example.org' }, registeredAt: now - 2 * 24 * HOUR }]);
    if (!reg.ok) throw new Error(reg.message);
    const ref = { kind: 'id' as const, messageId: reg.value[0].messageId };
    const ing = await m.deps.ingestor.ingest(accountId, [{ type: 'sent', at: now - 2 * 24 * HOUR, ref, costMinor: 500 }, { type: 'opened', at: now - 47 * HOUR, ref }]);
    if (!ing.ok) throw new Error(ing.message);
    const built = buildOrder({
      externalId: 'E2E-1', source: 'api', name: '#1', at: now - 40 * HOUR, currency: 'EUR', grossMinor: 8000, taxMinor: 0, shippingMinor: 0,
      discountCodes: [], landingSite: null, itemQuantity: 1, customer: { email: 'buyer@example.org', phone: null }, cancelledAt: null,
    });
    if (!built.ok) throw new Error(built.reason);
    await m.deps.orders.upsert(accountId, [built.order]);
    await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('shows the email factor, its campaigns and the window suggestion, and applies it, in French at desktop width', async () => {
    const fr = await loggedIn('fr-FR', 1280, '/');
    await fr.getByTestId('nav-incrementality').click();
    await fr.getByTestId('incrementality-factors').waitFor();
    await settle(fr);
    expect(await fr.locator('h1').innerText()).toBe('Incrémentalité');
    const report = await fr.evaluate(async () => (await fetch('/v1/incrementality')).json());
    const email = report.channels.find((c: { channel: string }) => c.channel === 'email');
    const card = fr.getByTestId('incrementality-email');
    expect(await card.locator('h3').innerText()).toBe('E-mail');
    expect(await card.innerText()).toContain('d’après 3 campagne(s) avec groupe témoin');
    expect(await fr.getByTestId('incrementality-campaign').count()).toBe(3);
    expect(await fr.getByTestId('incrementality-campaigns').innerText()).toContain('Test holdout — Nouveautés');
    expect(await card.getByTestId('incrementality-suggestion').innerText()).toContain('Fenêtre d’attribution suggérée');
    await fr.screenshot({ path: join(SHOTS, 'incrementality-desktop-fr.png'), fullPage: true });
    await card.getByTestId('incrementality-apply').click();
    await expect.poll(() => card.getByTestId('incrementality-apply').innerText()).toBe('Appliquée');
    const settings = await fr.evaluate(async () => (await fetch('/v1/attribution/settings')).json());
    expect(settings.windowsHours.email).toEqual({ click: email.suggestion.windowHours, open: email.suggestion.windowHours });
  }, 120_000);

  it('shows a campaign without a holdout its incremental revenue from the channel factor, in English at phone width', async () => {
    const en = await loggedIn('en-US', 390, `/campaigns/${plain}`);
    const section = en.getByTestId('section-incrementality');
    await section.waitFor();
    await settle(en);
    expect(await section.locator('h2').innerText()).toBe('Incremental revenue');
    expect(await en.getByTestId('incrementality-source').getAttribute('data-source')).toBe('channel_factor');
    expect(await en.getByTestId('incrementality-source').innerText()).toContain('Channel factor × attributed revenue');
    // 80 € attributed, 5 € spent: incremental revenue = factor × 80 €, incremental ROAS = that ÷ 5 €.
    const d = await en.evaluate(async (id) => (await fetch(`/v1/campaigns/${id}`)).json(), plain);
    expect(d.figures.revenue).toBe(8000);
    expect(d.incrementality.incrementalRevenueMinor.estimate).toBeCloseTo(d.incrementality.factor.estimate * 8000, 6);
    expect(d.incrementality.incrementalRoas.estimate).toBeCloseTo((d.incrementality.factor.estimate * 8000) / 500, 9);
    expect(await en.getByTestId('incremental-revenue').innerText()).toContain('Incremental revenue');
    expect(await en.getByTestId('incremental-roas').innerText()).toContain('Incremental ROAS');
    expect(await en.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await en.screenshot({ path: join(SHOTS, 'incrementality-campaign-phone-en.png'), fullPage: true });
    await en.getByTestId('incrementality-link').click();
    await en.getByTestId('incrementality-factors').waitFor();
    await settle(en);
    expect(await en.locator('h1').innerText()).toBe('Incrementality');
    expect(await en.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await en.screenshot({ path: join(SHOTS, 'incrementality-phone-en.png'), fullPage: true });
  }, 120_000);
});
