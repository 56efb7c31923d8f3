// Several accounts for one person, end to end in real headless Chromium against a real Mesure (SQLite file, real
// HTTP on 127.0.0.1): the owner of A invites B's user from Settings (the link is shown once, the password never
// used), the person opens the link while logged in and accepts, switches accounts from the menu, and after the next
// login chooses which account to open; a login from an invitation link opens the invited account at once.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeInChromium, settle, SHOTS, startE2E, type E2E } from './browser';

const OWNER_A = { email: 'owner@shop-a.test', password: 'owner-of-a-password' };
const X = { email: 'x@example.com', password: 'x-own-password-in-b' };

describeInChromium('several accounts in Chromium', 'accounts', () => {
  let e2e: E2E;
  let m: E2E['m'];
  let base: string;
  let accountA: string;
  let accountB: string;

  const newPage = (): Promise<Page> => e2e.newPage({ locale: 'en-US' });

  async function logIn(page: Page, who: { email: string; password: string }, url = base + '/') {
    await page.goto(url);
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(who.email);
    await page.locator('input[name=password]').fill(who.password);
    await page.getByTestId('login-submit').click();
  }

  /** The account the page's session opens, as the server sees it. */
  const openAccount = (page: Page) => page.evaluate(async () => ((await (await fetch('/auth/me')).json()) as { account: { id: string } }).account.id);

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-accounts-');
    m = e2e.m;
    accountA = (await m.deps.accounts.create({ name: 'Shop A' })).id;
    accountB = (await m.deps.accounts.create({ name: 'Shop B' })).id;
    await m.deps.accounts.createUser(accountA, OWNER_A.email, OWNER_A.password, 'owner');
    await m.deps.accounts.createUser(accountB, X.email, X.password, 'analyst');
    base = await e2e.listen();
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  it('invites from Settings, accepts the link as the person, switches from the menu, and chooses after login', async () => {
    // The owner of A adds x's e-mail with a password of their own: an invitation link, shown once.
    const owner = await newPage();
    await logIn(owner, OWNER_A);
    await owner.locator('nav.sidebar').waitFor();
    await owner.goto(base + '/settings');
    await owner.getByTestId('user-email').fill(X.email);
    await owner.getByTestId('user-password').fill('a-password-chosen-by-a');
    await owner.getByTestId('user-role').selectOption('viewer');
    await owner.getByTestId('user-add').click();
    await owner.getByTestId('invitation-link').waitFor();
    await owner.getByTestId('settings-users').screenshot({ path: join(SHOTS, 'accounts-invitation-desktop-en.png') });
    const notice = await owner.getByTestId('invitation-link').innerText();
    const link = /(\S+#invitation=minv_\S+)/.exec(notice)?.[1];
    expect(link, notice).toBeTruthy();
    expect(await owner.getByTestId('invitations').innerText()).toContain(X.email);
    const token = link!.split('#invitation=')[1];

    // A's password opens nothing.
    const intruder = await newPage();
    await logIn(intruder, { email: X.email, password: 'a-password-chosen-by-a' });
    expect(await intruder.getByTestId('login-error').innerText()).not.toBe('');

    // x, logged in to B, opens the link in a new tab (as from an e-mail): the invitation is offered and accepted.
    const x = await newPage();
    await logIn(x, X);
    await x.locator('nav.sidebar').waitFor();
    expect(await openAccount(x)).toBe(accountB);
    expect(await x.getByTestId('account-switch').count()).toBe(0); // one account: no menu yet
    const tab = await x.context().newPage();
    await tab.goto(`${base}/#invitation=${token}`);
    await tab.getByTestId('invitation-prompt').waitFor();
    expect(tab.url()).not.toContain('invitation'); // the token left the address bar
    await tab.getByTestId('invitation-accept').click();
    await tab.getByTestId('account-switch').waitFor();
    expect(await tab.getByTestId('account-switch').inputValue()).toBe(accountA);
    expect(await openAccount(tab)).toBe(accountA);
    expect(await tab.getByTestId('invitation-prompt').count()).toBe(0);
    // The first tab still shows B: the server refuses its requests rather than answer with A's data.
    const stale = await x.evaluate(async (b) => (await fetch('/v1/campaigns', { headers: { 'X-Mesure-Account': b } })).status, accountB);
    expect(stale).toBe(409);
    await tab.close();
    await x.reload();
    await x.getByTestId('account-switch').waitFor();
    expect(await x.getByTestId('account-switch').inputValue()).toBe(accountA);
    // A viewer in A: no settings in the menu; an analyst in B: settings come back after the switch.
    expect(await x.getByTestId('nav-settings').count()).toBe(0);
    await x.getByTestId('account-switch').selectOption(accountB);
    await x.getByTestId('nav-settings').waitFor();
    expect(await openAccount(x)).toBe(accountB);

    // The next login asks which account to open; the chooser opens the one picked.
    await x.getByTestId('logout').click();
    await logIn(x, X);
    await x.getByTestId('account-chooser').waitFor();
    await x.screenshot({ path: join(SHOTS, 'accounts-chooser-desktop-en.png') });
    expect(await x.getByTestId('account-chooser').innerText()).toContain('Shop A');
    await x.getByTestId(`choose-account-${accountA}`).click();
    await x.locator('nav.sidebar').waitFor();
    expect(await openAccount(x)).toBe(accountA);
    expect(await x.getByTestId('account-switch').inputValue()).toBe(accountA);
    await settle(x);
    await x.screenshot({ path: join(SHOTS, 'accounts-switcher-desktop-en.png') });
  }, 120_000);

  it('logs in from an invitation link and opens the invited account at once, even for a login left without account', async () => {
    // y had one account, B, and was removed from it: y can no longer log in on its own.
    const y = { email: 'y@example.com', password: 'y-own-password' };
    await m.deps.accounts.createUser(accountB, y.email, y.password, 'viewer');
    const yId = (await m.deps.sessions.members(accountB)).find((u) => u.email === y.email)!.id;
    expect((await m.deps.sessions.removeMember(accountB, yId)).ok).toBe(true);
    const { invitation, token } = await m.deps.sessions.invite(accountA, yId, y.email, 'analyst');
    expect(invitation.role).toBe('analyst');

    const page = await newPage();
    await page.goto(`${base}/#invitation=${token}`);
    await page.getByTestId('login-invitation').waitFor();
    await page.locator('input[name=email]').fill(y.email);
    await page.locator('input[name=password]').fill(y.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
    expect(await openAccount(page)).toBe(accountA);
    expect(await page.getByTestId('invitation-prompt').count()).toBe(0);
    await page.getByTestId('nav-settings').waitFor(); // analyst in A
  }, 60_000);
});
