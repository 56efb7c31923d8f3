// The audit trail and the password card end to end in real headless Chromium against a real Mesure (SQLite file,
// real HTTP on 127.0.0.1): changes made with an API key and from the dashboard (a password change) appear in
// Settings → Audit trail in French and in English, newest first, without the secret just set; "log out everywhere"
// sends the person back to the login page and ends their other browser's session too.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, SHOTS, startE2E, type E2E } from './browser';

const OWNER = { email: 'owner@audit.test', password: 'owner-first-password' };
const NEW_PASSWORD = 'owner-second-password';
const SECRET = 'twilio-secret-never-on-screen-42';

describeInChromium('audit trail and password card in Chromium', 'audit', () => {
  let e2e: E2E;
  let m: E2E['m'];
  let base: string;
  let key: string;

  const newPage = (locale: 'fr-FR' | 'en-US'): Promise<Page> => e2e.newPage({ locale });

  async function logIn(page: Page, password: string) {
    await page.goto(base + '/');
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(OWNER.email);
    await page.locator('input[name=password]').fill(password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
  }

  const api = (method: string, path: string, body: unknown) =>
    fetch(base + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** The audit tab's rows: the action as shown, top to bottom. */
  const rows = async (page: Page) => {
    await page.getByTestId('audit-table').waitFor();
    return page.getByTestId('audit-row').evaluateAll((trs) => trs.map((tr) => (tr.children[2] as HTMLElement).innerText.split('\n')[0].trim()));
  };

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-audit-');
    m = e2e.m;
    const account = await m.deps.accounts.create({ name: 'Audit shop' });
    await m.deps.accounts.createUser(account.id, OWNER.email, OWNER.password, 'owner');
    key = (await m.deps.accounts.createKey(account.id, 'deploy bot', 'owner')).token;
    base = await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('shows who changed what in French and in English; the password form and "log out everywhere" work', async () => {
    // With the API key: rename the account, set a provider secret.
    expect((await api('PUT', '/v1/account', { name: 'Audit shop renamed' })).status).toBe(200);
    expect((await api('PUT', '/v1/providers/twilio/secret', { secret: SECRET })).status).toBe(204);

    // In French, from the dashboard: change the password with the form (another browser stays logged in until then).
    const fr = await newPage('fr-FR');
    const elsewhere = await newPage('en-US');
    await logIn(fr, OWNER.password);
    await logIn(elsewhere, OWNER.password);
    await fr.goto(base + '/settings');
    await fr.getByTestId('settings-security').waitFor();
    expect(await fr.getByTestId('settings-security').innerText()).toContain('Mot de passe et sessions');
    await fr.locator('input[name=currentPassword]').fill(OWNER.password);
    await fr.locator('input[name=newPassword]').fill(NEW_PASSWORD);
    await fr.locator('input[name=confirmPassword]').fill(NEW_PASSWORD);
    await fr.getByTestId('password-submit').click();
    // One other session (the English browser) was ended.
    await expect.poll(() => fr.getByTestId('settings-security').innerText()).toContain('Mot de passe changé ; 1 autre session a été fermée.');

    await fr.getByTestId('tab-audit').click();
    expect(fr.url()).toContain('tab=audit');
    expect(await fr.getByTestId('settings-audit').locator('h2').innerText()).toBe('Journal d’audit');
    // Newest first: the password change (this session), then the secret and the rename (the key).
    expect(await rows(fr)).toEqual(['Mot de passe modifié', 'Secret de fournisseur défini', 'Compte modifié']);
    const frText = await fr.getByTestId('audit-table').innerText();
    expect(frText).toContain(OWNER.email);
    expect(frText).toContain('deploy bot');
    expect(frText).toContain('Clé d’API');
    expect(frText).toContain('name: Audit shop → Audit shop renamed'); // from → to
    expect(frText).toContain('secret: (masqué)'); // the server's "[redacted]", in French
    expect(frText).not.toContain(SECRET);
    await fr.getByTestId('settings-audit').screenshot({ path: join(SHOTS, 'settings-audit-desktop-fr.png') });
    // The filter keeps one group of actions.
    await fr.getByTestId('audit-filter-action').selectOption('account');
    await expect.poll(() => rows(fr)).toEqual(['Compte modifié']);

    // The other browser's session ended with the password change; it logs in again with the new password, in English.
    await elsewhere.reload();
    await elsewhere.getByTestId('login-form').waitFor();
    await logIn(elsewhere, NEW_PASSWORD);
    await elsewhere.goto(base + '/settings?tab=audit');
    expect(await elsewhere.getByTestId('settings-audit').locator('h2').innerText()).toBe('Audit trail');
    expect(await rows(elsewhere)).toEqual(['Password changed', 'Provider secret set', 'Account changed']);
    await elsewhere.getByTestId('settings-audit').screenshot({ path: join(SHOTS, 'settings-audit-desktop-en.png') });

    // Log out everywhere from the English browser: back to the login page, and the French one is out as well.
    await elsewhere.getByTestId('tab-settings').click();
    elsewhere.once('dialog', (d) => void d.accept());
    await elsewhere.getByTestId('logout-everywhere').click();
    await elsewhere.getByTestId('login-form').waitFor();
    expect(await fr.evaluate(async () => (await fetch('/auth/me')).status)).toBe(401);
    const last = await m.deps.audit.list((await m.deps.accounts.list())[0].id, { limit: 1 });
    expect(last.items.map((e) => [e.action, e.actor.name, e.details])).toEqual([['user.logout_all', OWNER.email, { endedSessions: 2 }]]);
  });
});
