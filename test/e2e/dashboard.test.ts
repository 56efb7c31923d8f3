// The dashboard end to end in real headless Chromium against a real Mesure (SQLite file, demo data, real HTTP on
// 127.0.0.1): log in, the eight cards against GET /v1/overview, a campaign's funnel against GET /v1/campaigns/:id,
// the CSV export read from disk, French ↔ English, a viewer kept out of settings, and screenshots of every page
// (desktop and 375 px phone, FR and EN) in test-output/screenshots/ to look at.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_USER, generateDemo } from '../../src/demo/generate';
import { describeInChromium, settle, SHOTS, startE2E, type E2E } from './browser';

const SCALE = Number(process.env.MESURE_E2E_SCALE || '0.2');
const VIEWER = { email: 'viewer@mesure.dev', password: 'viewer-demo-pw' };
const KPIS = ['ordersImported', 'messagesSent', 'spend', 'conversions', 'revenue', 'cpa', 'conversionRate', 'qrScansClicks'] as const;
const KIND: Record<(typeof KPIS)[number], 'count' | 'money' | 'rate'> = {
  ordersImported: 'count', messagesSent: 'count', spend: 'money', conversions: 'count', revenue: 'money', cpa: 'money', conversionRate: 'rate', qrScansClicks: 'count',
};

/** Spaces of any kind (Intl uses narrow no-break spaces in French) read as one plain space. */
const plain = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** The figure as the page must show it, formatted here independently of the front end's code. */
function expected(locale: string, kind: 'count' | 'money' | 'rate', v: number | null): string {
  if (v === null) return '—';
  if (kind === 'money') return plain(new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(v / 100));
  if (kind === 'rate') return plain(new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v));
  return plain(new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(v));
}

describeInChromium('dashboard in Chromium', 'dashboard', () => {
  let e2e: E2E;
  let m: E2E['m'];
  let base: string;
  let bearer: { authorization: string };
  let journeyId: string;

  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(base + path, { headers: bearer });
    expect(r.status, `${path} answered ${r.status}`).toBe(200);
    return (await r.json()) as T;
  };

  const send = async <T>(method: string, path: string, body: unknown, status = 200): Promise<T> => {
    const r = await fetch(base + path, { method, headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    expect(r.status, `${method} ${path} answered ${r.status}: ${text.slice(0, 300)}`).toBe(status);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  const newPage = (opts: { locale: 'fr-FR' | 'en-US'; phone?: boolean }): Promise<Page> =>
    e2e.newPage({
      locale: opts.locale,
      viewport: opts.phone ? { width: 375, height: 812 } : { width: 1366, height: 900 },
      deviceScaleFactor: 1,
      isMobile: !!opts.phone,
      hasTouch: !!opts.phone,
      acceptDownloads: true,
    });

  async function logIn(page: Page, who: { email: string; password: string }) {
    await page.goto(base + '/');
    await page.getByTestId('login-form').waitFor();
    await page.locator('input[name=email]').fill(who.email);
    await page.locator('input[name=password]').fill(who.password);
    await page.getByTestId('login-submit').click();
    await page.locator('nav.sidebar').waitFor();
  }

  async function kpiValues(page: Page): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const k of KPIS) out[k] = plain(await page.getByTestId(`kpi-${k}`).getByTestId('kpi-value').innerText());
    return out;
  }

  async function shoot(page: Page, name: string) {
    // Let charts and fonts settle so the picture shows the page as a user sees it.
    await settle(page);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    e2e = await startE2E('mesure-e2e-');
    m = e2e.m;
    const t0 = Date.now();
    const demo = await generateDemo(m.deps, { now: Date.now(), scale: SCALE });
    console.log(`demo (scale ${SCALE}): ${demo.messages} messages, ${demo.events} events in ${Date.now() - t0} ms`);
    await m.deps.accounts.createUser(demo.accountId, VIEWER.email, VIEWER.password, 'viewer');
    bearer = { authorization: `Bearer ${demo.apiKey}` };
    base = await e2e.listen();
    // A journey over two of the demo's automatic campaigns, so that the journey pages have something to show.
    const list = (await api<{ items: { id: string; name: string }[] }>('/v1/campaigns?limit=50')).items;
    const welcome = list.find((c) => c.name.startsWith('Bienvenue'))!;
    const cart = list.find((c) => c.name.startsWith('Relance panier'))!;
    const created = await fetch(`${base}/v1/journeys`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Accueil des nouveaux clients',
        startedAt: new Date(Date.now() - 60 * 86_400_000).toISOString(),
        steps: [
          { name: 'E-mail de bienvenue', channel: 'email', campaignIds: [welcome.id] },
          { name: 'Relance WhatsApp', channel: 'whatsapp', delayMinutes: 2880, campaignIds: [cart.id] },
        ],
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    journeyId = ((await created.json()) as { id: string }).id;
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  });

  let owner: Page;

  it('logs in and shows the eight cards with the API figures of the same period, within a second', async () => {
    owner = await newPage({ locale: 'fr-FR' });
    await owner.goto(base + '/');
    await owner.getByTestId('login-form').waitFor();
    await shoot(owner, 'login-desktop-fr');
    await owner.locator('input[name=email]').fill(DEMO_USER.email);
    await owner.locator('input[name=password]').fill('wrong password');
    await owner.getByTestId('login-submit').click();
    expect(await owner.getByTestId('login-error').innerText()).not.toBe('');
    await owner.locator('input[name=password]').fill(DEMO_USER.password);
    await owner.getByTestId('login-submit').click();
    await owner.locator('nav.sidebar').waitFor();

    // A fresh navigation to the home page, timed until the eight values are on screen (not skeletons).
    const overviewUrl = owner.waitForResponse((r) => r.url().includes('/v1/overview'));
    const t0 = Date.now();
    await owner.goto(base + '/');
    await owner.locator('[data-testid^="kpi-"] [data-testid="kpi-value"]').nth(7).waitFor({ state: 'visible' });
    const ms = Date.now() - t0;
    console.log(`home page: the eight KPI values visible ${ms} ms after navigation (demo scale ${SCALE})`);
    expect(ms).toBeLessThan(5000);

    const overviewUrlSeen = (await overviewUrl).url();
    const query = new URL(overviewUrlSeen).search;
    // Baseline in the same run: the same five API calls the home page makes, one after the other, from Node.
    const b0 = Date.now();
    for (const path of [`/v1/overview${query}`, `/v1/series/daily${query}`, '/v1/budget', '/v1/invoices/unpaid', '/v1/campaigns?limit=10&sort=-sendAt']) {
      await fetch(base + path, { headers: bearer }).then((r) => r.arrayBuffer());
    }
    console.log(`baseline: the home page's five API calls in sequence from Node: ${Date.now() - b0} ms`);
    const overview = await api<{ cards: Record<string, { value: number | null }>; period: { from: string; to: string } }>(`/v1/overview${query}`);
    const shown = await kpiValues(owner);
    for (const k of KPIS) expect(shown[k], k).toBe(expected('fr-FR', KIND[k], overview.cards[k].value));
    // The demo did send messages in the last 30 days: the page is not showing zeros by accident.
    expect(overview.cards.messagesSent.value).toBeGreaterThan(0);

    // Another period: the cards follow the URL and still agree with the API.
    const [r90] = await Promise.all([
      owner.waitForResponse((r) => r.url().includes('/v1/overview') && r.url() !== overviewUrlSeen),
      owner.getByTestId('period-90').click(),
    ]);
    const o90 = await api<{ cards: Record<string, { value: number | null }> }>(`/v1/overview${new URL(r90.url()).search}`);
    await owner.waitForFunction(
      (v) => document.querySelector('[data-testid="kpi-messagesSent"] [data-testid="kpi-value"]')?.textContent?.replace(/[\s\u00a0\u202f]+/g, ' ').trim() === v,
      expected('fr-FR', 'count', o90.cards.messagesSent.value),
    );
    expect(owner.url()).toContain('period=90');
    const shown90 = await kpiValues(owner);
    for (const k of KPIS) expect(shown90[k], k).toBe(expected('fr-FR', KIND[k], o90.cards[k].value));
    await shoot(owner, 'home-desktop-fr');
  });

  it("opens a campaign from the table and shows the API's funnel", async () => {
    await owner.goto(base + '/');
    const row = owner.getByTestId('campaign-row').first();
    await row.waitFor();
    const name = plain(await row.locator('a').first().innerText());
    await row.locator('a').first().click();
    await owner.getByTestId('funnel-audience').waitFor();
    const id = decodeURIComponent(new URL(owner.url()).pathname.split('/').pop()!);
    expect(plain(await owner.locator('h1').innerText())).toBe(name);
    const report = await api<{ funnel: { step: string; count: number; shareOfAudience: number | null; dropOff: number | null }[] }>(`/v1/campaigns/${id}`);
    expect(report.funnel.map((s) => s.step)).toEqual(['audience', 'sent', 'engaged', 'converters']);
    for (const s of report.funnel) {
      const item = owner.getByTestId(`funnel-${s.step}`);
      expect(plain(await item.getByTestId('funnel-count').innerText()), s.step).toBe(expected('fr-FR', 'count', s.count));
      expect(plain(await item.getByTestId('funnel-share').innerText()), s.step).toBe(expected('fr-FR', 'rate', s.shareOfAudience));
      if (s.step !== 'audience') {
        const drop = s.dropOff === null ? '—' : s.dropOff === 0 ? expected('fr-FR', 'rate', 0) : `−${expected('fr-FR', 'rate', s.dropOff)}`;
        expect(plain(await owner.getByTestId(`funnel-dropoff-${s.step}`).locator('.num').innerText()), s.step).toBe(drop);
      }
    }
    expect(report.funnel[0].count).toBeGreaterThan(0);
    await shoot(owner, 'campaign-desktop-fr');
  });

  it('exports the campaign as CSV through the session cookie, one line per message', async () => {
    const id = decodeURIComponent(new URL(owner.url()).pathname.split('/').pop()!);
    const [download] = await Promise.all([owner.waitForEvent('download'), owner.getByTestId('export-csv').click()]);
    const file = await download.path();
    const text = readFileSync(file, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('messageId,recipient,status,failureReason,failureCode,bounceType,variant,sentAt,deliveredAt,openedAt,clickedAt,repliedAt,unsubscribedAt,opens,clicks,machineOpens,botClicks,scans,cost');
    const report = await api<{ figures: { audience: number } }>(`/v1/campaigns/${id}`);
    expect(lines.length - 1).toBe(report.figures.audience);
    expect(download.suggestedFilename()).toMatch(/-recipients\.csv$/);
  });

  // An SMS campaign sent two days ago with a goal, two variants and a 20 % holdout, its deliveries and clicks, and
  // orders from some recipients (treated and held out) a day later: the campaign page's goal, variants and lift
  // come from exactly these.
  let abId: string;
  it('shows a goal, two variants with their test and the true lift exactly as the API gives them', async () => {
    const sentAt = Date.now() - 2 * 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const c = await send<{ id: string }>('POST', '/v1/campaigns', { name: 'Test A/B — SMS rentrée', channel: 'sms', status: 'completed', sendAt: iso(sentAt) }, 201);
    abId = c.id;
    await send('POST', `/v1/campaigns/${abId}/holdout`, { share: 0.2 });
    await send('POST', `/v1/campaigns/${abId}/variants`, {
      variants: [
        { id: 'A', name: 'Texte court', split: 0.5, isControl: true },
        { id: 'B', name: 'Texte long', split: 0.5 },
      ],
    }, 201);
    const phones = Array.from({ length: 400 }, (_, i) => `+3361${String(2000000 + i).padStart(7, '0')}`);
    const audience = await send<{ recipients: { index: number; status: 'treated' | 'held_out'; messageId: string | null; variant: string | null }[]; treated: number; heldOut: number }>(
      'POST', `/v1/campaigns/${abId}/audience`, { recipients: phones.map((phone) => ({ recipient: { phone }, registeredAt: iso(sentAt) })) },
    );
    expect(audience.treated + audience.heldOut).toBe(400);
    expect(audience.heldOut).toBeGreaterThan(0);
    const treated = audience.recipients.filter((r) => r.status === 'treated');
    const events: unknown[] = [];
    treated.forEach((r, i) => {
      events.push({ type: 'sent', messageId: r.messageId, at: iso(sentAt + 1000) }, { type: 'delivered', messageId: r.messageId, at: iso(sentAt + 60_000) });
      // Variant B's longer text is clicked more: every 3rd against every 6th.
      if (i % (r.variant === 'B' ? 3 : 6) === 0) events.push({ type: 'clicked', messageId: r.messageId, at: iso(sentAt + 3_600_000), url: 'https://boutique.example/rentree' });
    });
    await send('POST', '/v1/events', { events });
    // Orders a day later: every 8th treated recipient and every 10th held-out one.
    const buyers = audience.recipients.filter((r, k) => (r.status === 'treated' ? k % 8 === 0 : k % 10 === 0));
    await send('POST', '/v1/orders', {
      orders: buyers.map((r, k) => ({
        id: `e2e-ab-${r.index}`, createdAt: iso(sentAt + 86_400_000 + k * 1000), currency: 'EUR', total: 4500 + (k % 5) * 1000, customer: { phone: phones[r.index] },
      })),
    });
    const goal = await send<{ id: string }>('POST', `/v1/campaigns/${abId}/goals`, { kind: 'target', name: 'Au moins 300 SMS remis', metric: 'delivered', comparator: '>=', target: 300 }, 201);

    const report = await api<{ goals: { id: string; value: number; target: number; progress: number; achieved: boolean }[]; variants: { variant: string; figures: Record<string, number | null> }[] }>(`/v1/campaigns/${abId}`);
    const variantsReport = await api<{ tests: { metric: string; verdict: string; winner: string | null }[] }>(`/v1/campaigns/${abId}/variants`);
    const lift = await api<{ treated: { n: number; conversionRate: number | null }; holdout: { n: number; conversionRate: number | null }; attributedRevenueMinor: number }>(`/v1/campaigns/${abId}/lift`);

    await owner.goto(`${base}/campaigns/${abId}`);
    await owner.getByTestId(`goal-${goal.id}`).waitFor();
    const g = report.goals.find((x) => x.id === goal.id)!;
    expect(g.value).toBe(treated.length); // every treated message was delivered
    expect(plain(await owner.getByTestId(`goal-${goal.id}`).getByTestId('goal-value').innerText())).toBe(expected('fr-FR', 'count', g.value));
    expect(plain(await owner.getByTestId(`goal-${goal.id}`).getByTestId('goal-target').innerText())).toBe(expected('fr-FR', 'count', g.target));
    expect(plain(await owner.getByTestId(`goal-${goal.id}`).getByTestId('goal-progress').innerText())).toBe(expected('fr-FR', 'rate', g.progress));

    expect(report.variants.map((v) => v.variant)).toEqual(['A', 'B']);
    const kinds: Record<string, 'count' | 'rate' | 'money'> = { audience: 'count', sent: 'count', delivered: 'count', clickRate: 'rate', conversionRate: 'rate', revenue: 'money', revenuePerRecipient: 'money' };
    for (const v of report.variants) {
      for (const [k, kind] of Object.entries(kinds)) {
        expect(plain(await owner.getByTestId(`variant-${v.variant}-${k}`).innerText()), `${v.variant} ${k}`).toBe(expected('fr-FR', kind, v.figures[k]));
      }
    }
    expect(report.variants[1].figures.clicked).toBeGreaterThan(report.variants[0].figures.clicked!);
    await owner.getByTestId('ab-clickRate').waitFor();
    // An SMS has no open signal: no open-rate row and no open-rate test on screen.
    expect(await owner.getByTestId('variant-row-openRate').count()).toBe(0);
    expect(await owner.getByTestId('ab-openRate').count()).toBe(0);
    for (const test of variantsReport.tests.filter((x) => x.metric !== 'openRate')) {
      const verdict = owner.getByTestId(`ab-${test.metric}`).getByTestId('ab-verdict');
      expect(await verdict.getAttribute('data-verdict'), test.metric).toBe(test.verdict);
      if (test.verdict === 'winner') expect(await verdict.innerText()).toContain(test.winner === 'B' ? 'Texte long' : 'Texte court');
      else expect(await verdict.innerText()).not.toContain('Gagnante');
    }

    await owner.getByTestId('section-lift').waitFor();
    expect(plain(await owner.getByTestId('lift-treated-n').innerText())).toBe(expected('fr-FR', 'count', lift.treated.n));
    expect(plain(await owner.getByTestId('lift-holdout-n').innerText())).toBe(expected('fr-FR', 'count', lift.holdout.n));
    expect(lift.holdout.n).toBe(audience.heldOut);
    expect(plain(await owner.getByTestId('lift-treated-rate').innerText())).toBe(expected('fr-FR', 'rate', lift.treated.conversionRate));
    expect(plain(await owner.getByTestId('lift-holdout-rate').innerText())).toBe(expected('fr-FR', 'rate', lift.holdout.conversionRate));
    expect(plain(await owner.getByTestId('lift-attributed').locator('.figure-value').innerText())).toBe(expected('fr-FR', 'money', lift.attributedRevenueMinor));
    await shoot(owner, 'campaign-ab-desktop-fr');

    // The campaign's budget, set from its header, reaches the API exactly (123,45 € = 12345 cents).
    await owner.getByTestId('campaign-budget-edit').click();
    await owner.getByTestId('campaign-budget-input').fill('123,45');
    await owner.getByTestId('campaign-budget-form').locator('button[type=submit]').click();
    await owner.getByTestId('campaign-budget-total').waitFor();
    const budget = await api<{ budget: number; remaining: number }>(`/v1/campaigns/${abId}/budget`);
    expect(budget.budget).toBe(12345);
    expect(plain(await owner.getByTestId('campaign-budget-remaining').innerText())).toBe(expected('fr-FR', 'money', budget.remaining));
  }, 60_000);

  it('lists the orders and compares two attribution models per campaign with the API', async () => {
    const listed = owner.waitForResponse((r) => r.url().includes('/v1/orders?'));
    await owner.goto(`${base}/orders`);
    const period = new URL((await listed).url()).searchParams;
    await owner.getByTestId('order-row').first().waitFor();
    const orders = await api<{ items: { externalId: string; revenue: number }[] }>(`/v1/orders?from=${period.get('from')}&to=${period.get('to')}&limit=50`);
    const first = owner.getByTestId('order-row').first();
    expect(await first.getAttribute('data-order')).toBe(orders.items[0].externalId);
    expect(plain(await first.getByTestId('order-revenue').innerText())).toContain(expected('fr-FR', 'money', orders.items[0].revenue));
    await shoot(owner, 'orders-desktop-fr');

    const compared = owner.waitForResponse((r) => r.url().includes('/v1/attribution/compare'));
    await owner.getByTestId('orders-view-compare').click();
    const q = new URL((await compared).url()).search;
    const report = await api<{ campaigns: { campaignId: string; currency: string; byModel: Record<string, { revenue: number }> }[] }>(`/v1/attribution/compare${q}`);
    const row = report.campaigns.find((c) => c.currency === 'EUR' && c.byModel.last_touch.revenue > 0 && c.byModel.last_touch.revenue !== c.byModel.first_touch.revenue)
      ?? report.campaigns.find((c) => c.currency === 'EUR' && c.byModel.last_touch.revenue > 0)!;
    expect(row, 'a campaign with attributed revenue in the period').toBeTruthy();
    await owner.getByTestId(`compare-row-${row.campaignId}`).waitFor();
    for (const model of ['last_touch', 'first_touch', 'linear']) {
      expect(plain(await owner.getByTestId(`compare-${row.campaignId}-${model}`).innerText()), model).toBe(expected('fr-FR', 'money', row.byModel[model].revenue));
    }
    expect(owner.url()).toContain('view=compare');
    await shoot(owner, 'orders-compare-desktop-fr');
  });

  it('edits the cost model in settings and the API reads back the exact prices', async () => {
    await owner.goto(`${base}/settings`);
    const form = owner.getByTestId('cost-model-form');
    await form.waitFor();
    // 0,0079 € per SMS segment = 790 thousandths of a cent; Belgium 0,0615 € = 6150; WhatsApp marketing 0,0791 € =
    // 7910; a letter 0,12 + 0,03 + 1,29 € = 12000 + 3000 + 129000; a fixed 49,90 € per campaign = 4990 cents.
    await form.getByTestId('price-sms.default').fill('0,0079');
    await form.getByTestId('add-country').fill('BE');
    await form.getByTestId('add-country').press('Enter');
    await form.getByTestId('price-sms.BE').fill('0,0615');
    await form.getByTestId('price-whatsapp.marketing.default').fill('0,0791');
    await form.getByTestId('price-mail.0.printing').fill('0,12');
    await form.getByTestId('price-mail.0.enveloping').fill('0,03');
    await form.getByTestId('price-mail.0.domestic').fill('1,29');
    await form.getByTestId('price-mail.0.international').fill('1,96');
    await form.getByTestId('price-fixed').fill('49,90');
    // One decimal too many is refused on screen, nothing is sent.
    await form.getByTestId('price-email').fill('0,0000015');
    await form.getByTestId('cost-model-save').click();
    await form.locator('.field-error').first().waitFor();
    const before = await fetch(`${base}/v1/cost-model`, { headers: bearer });
    expect(before.status).toBe(404);
    await form.getByTestId('price-email').fill('');
    await form.getByTestId('cost-model-save').click();
    await form.getByTestId('saved').waitFor();
    const model = await api<Record<string, unknown>>('/v1/cost-model');
    expect(model).toEqual({
      currency: 'EUR',
      whatsapp: { marketing: { default: 7910 } },
      sms: { perSegment: { default: 790, BE: 6150 } },
      mail: { formats: { standard: { printing: 12000, enveloping: 3000, postage: { domestic: 129000, international: 196000 } } } },
      fixedCostMinor: 4990,
    });
    await shoot(owner, 'settings-cost-model-desktop-fr');

    // An analyst reads the same prices, formatted in the currency, and has nothing to save.
    const analyst = { email: 'analyst@mesure.dev', password: 'analyst-demo-pw' };
    await send('POST', '/v1/users', { ...analyst, role: 'analyst' }, 201);
    const page = await newPage({ locale: 'fr-FR' });
    await logIn(page, analyst);
    await page.goto(`${base}/settings`);
    const readOnly = page.getByTestId('settings-cost-model');
    await readOnly.getByTestId('price-sms.BE').waitFor();
    expect(plain(await readOnly.getByTestId('price-sms.default').innerText())).toBe(plain(new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 5 }).format(0.0079)));
    expect(plain(await readOnly.getByTestId('price-fixed').innerText())).toBe(expected('fr-FR', 'money', 4990));
    expect(await readOnly.getByTestId('cost-model-save').count()).toBe(0);
    expect(await page.getByTestId('settings-stripe').count()).toBe(0);
    await shoot(page, 'settings-analyst-desktop-fr');
  });

  it('switches to English and back, numbers following the language', async () => {
    await owner.goto(base + '/');
    await owner.getByTestId('kpi-messagesSent').getByTestId('kpi-value').waitFor();
    const overview = await api<{ cards: Record<string, { value: number | null }> }>('/v1/overview');
    expect(plain(await owner.getByTestId('nav-home').locator('.nav-text').innerText())).toBe('Accueil');
    await owner.getByTestId('lang-switch').click();
    await owner.getByTestId('nav-home').getByText('Home').waitFor();
    expect(await owner.evaluate(() => document.documentElement.lang)).toBe('en');
    expect((await kpiValues(owner)).revenue).toBe(expected('en-US', 'money', overview.cards.revenue.value));
    expect((await kpiValues(owner)).messagesSent).toBe(expected('en-US', 'count', overview.cards.messagesSent.value));
    await shoot(owner, 'home-desktop-en');
    // The choice survives a reload.
    await owner.reload();
    await owner.getByTestId('nav-home').getByText('Home').waitFor();
    await owner.getByTestId('lang-switch').click();
    await owner.getByTestId('nav-home').getByText('Accueil').waitFor();
    expect((await kpiValues(owner)).revenue).toBe(expected('fr-FR', 'money', overview.cards.revenue.value));
  });

  it('shows settings to the owner', async () => {
    await owner.goto(base + '/settings');
    await owner.getByTestId('settings-account').locator('input').first().waitFor();
    expect(await owner.getByTestId('settings-account').locator('input').first().inputValue()).toBe('Boutique Démo');
    await owner.getByTestId('settings-users').getByText(VIEWER.email, { exact: true }).first().waitFor();
    await shoot(owner, 'settings-desktop-fr');
  });

  it('keeps a viewer out of settings: no menu entry, no page, no change through the API', async () => {
    const page = await newPage({ locale: 'en-US' });
    await logIn(page, VIEWER);
    await page.getByTestId('kpi-revenue').getByTestId('kpi-value').waitFor();
    expect(await page.getByTestId('nav-settings').count()).toBe(0);
    expect(await page.getByTestId('export-csv').count()).toBe(0);
    await page.goto(base + '/settings');
    await page.getByText('Settings are for owners and analysts.').waitFor();
    expect(await page.getByTestId('settings-account').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const me = await (await fetch('/auth/me')).json();
      const r = await fetch('/v1/account', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ name: 'Hacked' }) });
      return r.status;
    });
    expect(status).toBe(403);
    await shoot(page, 'settings-viewer-desktop-en');
  });

  it("opens a journey from the list and shows the API's figures", async () => {
    await owner.goto(base + '/journeys');
    await owner.getByTestId('journeys-table').locator('tbody tr').first().click();
    await owner.getByTestId('journey-metric-sent').waitFor();
    const report = await api<{ metrics: Record<string, number | null> }>(`/v1/journeys/${journeyId}/report`);
    expect(report.metrics.sent).toBeGreaterThan(0);
    expect(plain(await owner.getByTestId('journey-metric-sent').locator('.kpi-value').innerText())).toBe(expected('fr-FR', 'count', report.metrics.sent));
    expect(plain(await owner.getByTestId('journey-metric-openRate').locator('.kpi-value').innerText())).toBe(expected('fr-FR', 'rate', report.metrics.openRate));
    await shoot(owner, 'journey-desktop-fr');
  });

  it('works on a 375 px phone in both languages (screenshots of every page)', async () => {
    const report = await api<{ items: { id: string }[] }>('/v1/campaigns?limit=1');
    const campaignId = report.items[0].id;
    for (const locale of ['fr-FR', 'en-US'] as const) {
      const lang = locale.slice(0, 2);
      const page = await newPage({ locale, phone: true });
      await page.goto(base + '/');
      await page.getByTestId('login-form').waitFor();
      await shoot(page, `login-phone-${lang}`);
      await logIn(page, DEMO_USER);
      await page.getByTestId('kpi-revenue').getByTestId('kpi-value').waitFor();
      // Nothing wider than the screen: the page never scrolls sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, 'horizontal overflow on the home page').toBeLessThanOrEqual(0);
      await shoot(page, `home-phone-${lang}`);
      for (const [name, path, ready] of [
        ['campaign', `/campaigns/${campaignId}`, 'funnel-audience'],
        ['campaigns', '/campaigns', 'campaign-row'],
        ['journeys', '/journeys', 'journeys-table'],
        ['journey', `/journeys/${journeyId}`, 'journey-metric-sent'],
        ['campaign-ab', `/campaigns/${abId}`, 'section-lift'],
        ['orders', '/orders', 'order-row'],
        ['orders-compare', '/orders?view=compare', 'compare-table'],
        ['settings', '/settings', 'cost-model-form'],
      ] as const) {
        await page.goto(base + path);
        await page.getByTestId(ready).first().waitFor();
        const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(wide, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
        await shoot(page, `${name}-phone-${lang}`);
      }
    }
    // The same pages on a desktop in English.
    await owner.evaluate(() => localStorage.setItem('mesure.lang', 'en'));
    for (const [name, path, ready] of [
      ['campaign', `/campaigns/${campaignId}`, 'funnel-audience'],
      ['campaigns', '/campaigns', 'campaign-row'],
      ['journeys', '/journeys', 'journeys-table'],
      ['journey', `/journeys/${journeyId}`, 'journey-metric-sent'],
      ['campaign-ab', `/campaigns/${abId}`, 'section-lift'],
      ['orders', '/orders', 'order-row'],
      ['orders-compare', '/orders?view=compare', 'compare-table'],
      ['settings', '/settings', 'cost-model-form'],
    ] as const) {
      await owner.goto(base + path);
      await owner.getByTestId(ready).first().waitFor();
      await shoot(owner, `${name}-desktop-en`);
    }
    await owner.evaluate(() => localStorage.setItem('mesure.lang', 'fr'));
  }, 90_000);

  it('serves deep links and the API side by side: index.html for pages, JSON 404 for unknown API paths', async () => {
    const deep = await fetch(`${base}/campaigns/whatever?period=7`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    const html = await deep.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1];
    const js = await fetch(base + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${base}/assets/nope-123.js`);
    expect(missing.status).toBe(404);
    const unknownApi = await fetch(`${base}/v1/nothing-here`, { headers: bearer });
    expect(unknownApi.status).toBe(404);
    expect((await unknownApi.json()).error).toBe('not_found');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/openapi.json`)).headers.get('content-type')).toContain('application/json');
  });
});
