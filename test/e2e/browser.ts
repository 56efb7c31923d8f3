// What the headless-Chromium files share: the Chromium check (skipped loudly when it is missing, an error under CI),
// Chromium launched with the CI flags while the file seeds its Mesure, a Mesure on a fresh SQLite file listening on
// 127.0.0.1, pages in their own contexts (Paris time), and one tear-down for all of it.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { assemble, type Mesure } from '../../src/main';
// @ts-expect-error: a plain .mjs script without type declarations
import { ensureWebBuilt } from '../../scripts/build-web.mjs';

export const CHROMIUM = process.env.MESURE_CHROMIUM || '/usr/bin/chromium';
/** Screenshots to look at, under test-output/. */
export const SHOTS = join(process.cwd(), 'test-output', 'screenshots');
/** The flags CI runs Chromium with (as root in a container, no GPU, nothing fetched in the background). */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** `describe` when Chromium is installed; otherwise skipped with a loud warning, or an error when CI is set. */
export function describeInChromium(name: string, what: string, suite: () => void): void {
  const available = existsSync(CHROMIUM);
  if (!available) {
    if (process.env.CI) throw new Error(`CI is set but Chromium is missing at ${CHROMIUM}: install it (apt-get install chromium) or set MESURE_CHROMIUM.`);
    console.warn(`\n!!! Chromium not found at ${CHROMIUM}: the ${what} end-to-end tests are SKIPPED (set MESURE_CHROMIUM or install chromium). !!!\n`);
  }
  (available ? describe : describe.skip)(name, suite);
}

/**
 * Waits until the page has settled as a user would see it: no loading skeleton left (the chart is loaded lazily), the
 * fonts ready and two frames painted. Charts are drawn without animation, so nothing moves after that: a poll, not a
 * fixed wait.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('.skeleton') === null, undefined, { polling: 50, timeout: 10_000 });
  await page.evaluate(() => document.fonts.ready.then(() => new Promise<void>((ok) => requestAnimationFrame(() => requestAnimationFrame(() => ok())))));
}

export interface E2E {
  dir: string;
  m: Mesure;
  /** Set by listen(). */
  base: string;
  /** Set by listen(). */
  browser: Browser;
  /** Listens on 127.0.0.1:<free port> and waits for Chromium: the base URL. Call it once the file has seeded. */
  listen(): Promise<string>;
  /** A page in a context of its own (Europe/Paris, 1366×900 unless `options` say otherwise, 10 s default timeout). */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/** A new page logged in to the dashboard as `who` (the login form, as a person does), then opened at `path`. */
export async function loggedInPage(e2e: E2E, who: { email: string; password: string }, at: { locale: string; width: number }, path: string): Promise<Page> {
  const page = await e2e.newPage({ locale: at.locale, viewport: { width: at.width, height: 900 } });
  await page.goto(e2e.base + '/');
  await page.getByTestId('login-form').waitFor();
  await page.locator('input[name=email]').fill(who.email);
  await page.locator('input[name=password]').fill(who.password);
  await page.getByTestId('login-submit').click();
  await page.locator('nav.sidebar').waitFor();
  await page.goto(e2e.base + path);
  return page;
}

/**
 * Builds the dashboard if stale, starts Chromium in the background and assembles a Mesure on a fresh SQLite file
 * (not listening yet, so that the file seeds it first), with `env` added to its configuration.
 */
export async function startE2E(prefix: string, env: Record<string, string> = {}): Promise<E2E> {
  ensureWebBuilt({ log: () => {} });
  mkdirSync(SHOTS, { recursive: true });
  const launching = import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath: CHROMIUM, args: FLAGS }));
  launching.catch(() => {}); // reported by listen(), where it is awaited
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let m: Mesure;
  try {
    m = await assemble(loadConfig({ DATABASE_URL: `file:${join(dir, 'mesure.db')}`, MESURE_DEMO: '0', PORT: '0', HOST: '127.0.0.1', ...env }));
  } catch (err) {
    await launching.then((b) => b.close(), () => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const contexts: BrowserContext[] = [];
  const e2e: E2E = {
    dir, m, base: '', browser: undefined as unknown as Browser,
    async listen() {
      await m.app.listen({ port: 0, host: '127.0.0.1' });
      const addr = m.app.server.address();
      e2e.base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      e2e.browser = await launching;
      return e2e.base;
    },
    async newPage(options = {}) {
      const ctx = await e2e.browser.newContext({ timezoneId: 'Europe/Paris', viewport: { width: 1366, height: 900 }, ...options });
      contexts.push(ctx);
      ctx.setDefaultTimeout(10_000);
      return ctx.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await launching.then((b) => b.close(), () => {});
      await m.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return e2e;
}
