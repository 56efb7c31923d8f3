// Fixed costs through a listening `mesure serve` (SQLite and PostgreSQL): a campaign's fixed cost set in its cost model
// (or the account's) is counted once in its spend and in every figure made from spend: the campaign page and list,
// the overview and its previous period, the daily series (on the campaign's send day), the budget card, goals and
// journeys. Every expected value is computed by hand in the comments. Also: the old campaign field is refused, and the
// migration moves values stored by it into the cost model.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngine, type Engine } from './support';
import { databaseEnv } from './blackbox/seed-support';
import { loadConfig } from '../src/config';
import { assemble } from '../src/main';
import { up as moveFixedCosts } from '../src/store/migrations/2026_12_07_100_fixed_cost_in_cost_model';
import { call, callOk, startServerProcess, type ServerProcess } from '../bench/support';

const TZ = 'Europe/Paris';

/** Today in Paris and the day `n` days before it (YYYY-MM-DD). */
function parisDay(offsetDays: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offsetDays);
  return d.toISOString().slice(0, 10);
}
/** 12:00 UTC on that day: 13:00 or 14:00 in Paris, the same calendar day. */
const noon = (day: string, minutes = 0) => new Date(Date.parse(`${day}T12:00:00Z`) + minutes * 60_000).toISOString();

type Figures = Record<string, number | null>;

forEachEngine('fixed costs counted once, from the cost model', (engine: Engine) => {
  const { env, drop } = databaseEnv(engine);
  let server: ServerProcess;
  const keys: string[] = [];
  let migrated: { accountKey: string; plain: string; overridden: string; outOfRange: string };

  beforeAll(async () => {
    const mesure = await assemble(loadConfig({ ...env, MESURE_DEMO: '0' }));
    try {
      for (let i = 0; i < 2; i++) {
        const a = await mesure.deps.accounts.create({ name: `Fixed shop ${i}`, currency: 'EUR', timeZone: TZ, defaultCountry: 'FR' });
        keys.push((await mesure.deps.accounts.createKey(a.id, 'tests', 'owner')).token);
      }
      // An account as an older version left it: fixed costs in campaigns.fixed_cost_minor (set by `fixedCost`).
      const a = await mesure.deps.accounts.create({ name: 'Older shop', currency: 'EUR', timeZone: TZ, defaultCountry: 'FR' });
      const key = (await mesure.deps.accounts.createKey(a.id, 'tests', 'owner')).token;
      const plain = (await mesure.deps.campaigns.create(a.id, { name: 'Plain', channel: 'sms' })).id;
      const overridden = (await mesure.deps.campaigns.create(a.id, { name: 'Overridden', channel: 'sms' })).id;
      const outOfRange = (await mesure.deps.campaigns.create(a.id, { name: 'Huge', channel: 'sms' })).id;
      const k = mesure.db.kysely;
      await k.updateTable('campaigns').set({ fixed_cost_minor: 700 }).where('account_id', '=', a.id).where('id', '=', plain).execute();
      await k.updateTable('campaigns').set({ fixed_cost_minor: 900 }).where('account_id', '=', a.id).where('id', '=', overridden).execute();
      await k.updateTable('campaigns').set({ fixed_cost_minor: sql<number>`${2_000_000_000_000}` }).where('account_id', '=', a.id).where('id', '=', outOfRange).execute();
      // This one already had the documented override: it keeps 250, the column's 900 is dropped.
      await mesure.deps.budgets.putCampaignOverride(a.id, overridden, { sms: { perSegment: { default: 4000 } }, fixedCostMinor: 250 });
      await moveFixedCosts(k);
      migrated = { accountKey: key, plain, overridden, outOfRange };
    } finally {
      await mesure.close();
    }
    server = await startServerProcess(env, 90_000);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await drop();
  });

  it('counts the cost model fixed cost in spend, cost per recipient, ROAS, ROI, CPA, CPL, the overview, the series, the budget card, goals and journeys', async () => {
    const key = keys[0];
    const api = <T>(method: string, path: string, body?: unknown) => callOk<T>(server.url, method, path, key, body);
    const [dA, dB, dC, dD] = [parisDay(-3), parisDay(-1), parisDay(-40), parisDay(-2)];

    // The account's model: every campaign has a fixed cost of 3.00 € unless its own model says otherwise.
    await api('PUT', '/v1/cost-model', { sms: { perSegment: { default: 5000 } }, fixedCostMinor: 300 });

    // A: sent 3 days ago, budget 1,000 €, its own fixed cost 15.00 € (the override wins over the account's 3.00 €).
    const A = (await api<{ id: string }>('POST', '/v1/campaigns', { name: 'A', channel: 'sms', sendAt: noon(dA), budget: 100_000 })).id;
    await api('PUT', `/v1/campaigns/${A}/cost-model`, { fixedCostMinor: 1500 });
    // B: no send date; its first message went out yesterday, so its fixed cost (the account's 3.00 €) is on that day.
    const B = (await api<{ id: string }>('POST', '/v1/campaigns', { name: 'B', channel: 'sms' })).id;
    // C: sent 40 days ago (the previous 30-day period), the account's 3.00 €.
    const C = (await api<{ id: string }>('POST', '/v1/campaigns', { name: 'C', channel: 'sms', sendAt: noon(dC) })).id;
    // D: an override setting the fixed cost to 0 wins over the account's 3.00 €.
    const D = (await api<{ id: string }>('POST', '/v1/campaigns', { name: 'D', channel: 'sms', sendAt: noon(dD) })).id;
    await api('PUT', `/v1/campaigns/${D}/cost-model`, { fixedCostMinor: 0 });

    const send = async (campaignId: string, day: string, costs: number[], tag: string, replied = 0) => {
      const messages = costs.map((_, i) => ({ recipient: { phone: `+336${tag}${String(i).padStart(7, '0')}`.slice(0, 12) }, registeredAt: noon(day) }));
      const r = await api<{ messages: { messageId: string }[] }>('POST', `/v1/campaigns/${campaignId}/messages`, { messages });
      const ids = r.messages.map((m) => m.messageId);
      await api('POST', '/v1/events', {
        events: ids.flatMap((messageId, i) => [
          { type: 'sent', at: noon(day, 5), messageId, costMinor: costs[i] },
          { type: 'delivered', at: noon(day, 6), messageId },
          ...(i < replied ? [{ type: 'replied', at: noon(day, 30), messageId, text: 'oui' }] : []),
        ]),
      });
    };
    await send(A, dA, [12, 12, 12, 14], '1', 1); // messages: 12 + 12 + 12 + 14 = 50
    await send(B, dB, [20], '2'); // 20
    await send(C, dC, [10], '3'); // 10
    // One order with A's discount code, 100.00 € without tax or shipping: A's only touch, so all its revenue.
    await api('PUT', `/v1/campaigns/${A}/discount-codes`, { codes: ['FIXEDA'] });
    await api('POST', '/v1/orders', { orders: [{ id: 'o-fixed-1', createdAt: noon(dD), currency: 'EUR', total: 10_000, discountCodes: ['FIXEDA'] }] });

    // Campaign page of A: spend = 50 + 1500 = 1550; delivered 4, conversions 1, leads 1 (a reply), revenue 10000.
    const page = await api<{ campaign: { fixedCost: number }; figures: Figures }>('GET', `/v1/campaigns/${A}`);
    expect(page.campaign.fixedCost).toBe(1500);
    expect(page.figures).toMatchObject({ spend: 1550, delivered: 4, conversions: 1, leads: 1, revenue: 10_000 });
    expect(page.figures.costPerRecipient).toBeCloseTo(1550 / 4, 10); // 387.5
    expect(page.figures.roas).toBeCloseTo(10_000 / 1550, 10); // 6.4516…
    expect(page.figures.roi).toBeCloseTo((10_000 - 1550) / 1550, 10); // 5.4516…
    expect(page.figures.cpa).toBe(1550); // 1550 / 1 conversion
    expect(page.figures.cpl).toBe(1550); // 1550 / 1 lead

    // The other campaigns: B 20 + 300, C 10 + 300, D 0 + 0 (its override sets 0).
    const list = await api<{ items: { id: string; spend: number; roas: number | null }[] }>('GET', '/v1/campaigns?limit=10');
    const spendOf = new Map(list.items.map((i) => [i.id, i.spend]));
    expect(Object.fromEntries([A, B, C, D].map((id) => [id, spendOf.get(id)]))).toEqual({ [A]: 1550, [B]: 320, [C]: 310, [D]: 0 });
    expect(list.items.find((i) => i.id === A)!.roas).toBeCloseTo(10_000 / 1550, 10);
    expect((await api<{ campaign: { fixedCost: number } }>('GET', `/v1/campaigns/${D}`)).campaign.fixedCost).toBe(0);

    // Overview of the last 30 days [today − 29, today]: A 1550 + B 320 + D 0 = 1870; the previous 30 days hold C: 310.
    const from = parisDay(-29);
    const to = parisDay(0);
    const overview = await api<{ cards: { spend: { value: number; previous: number } & Record<string, unknown>; cpa: { value: number | null } }; figures: Figures }>(
      'GET', `/v1/overview?from=${from}&to=${to}`,
    );
    expect(overview.figures.spend).toBe(1870);
    expect(overview.cards.spend).toMatchObject({ value: 1870, previous: 310 });
    expect(overview.cards.cpa.value).toBe(1870); // 1870 / 1 conversion

    // The daily series puts each fixed cost on its campaign's send day and adds up to the card.
    const series = await api<{ days: { date: string; spend: number }[] }>('GET', `/v1/series/daily?from=${from}&to=${to}`);
    const byDay = new Map(series.days.map((d) => [d.date, d.spend]));
    expect(byDay.get(dA)).toBe(1550); // 50 + 1500
    expect(byDay.get(dB)).toBe(320); // 20 + 300, on B's first message's day, not today (its registration day)
    expect(byDay.get(dD)).toBe(0);
    expect(byDay.get(to)).toBe(0);
    expect(series.days.reduce((s, d) => s + d.spend, 0)).toBe(1870);
    const previous = await api<{ days: { date: string; spend: number }[] }>('GET', `/v1/series/daily?from=${parisDay(-59)}&to=${parisDay(-30)}`);
    expect(previous.days.reduce((s, d) => s + d.spend, 0)).toBe(310);

    // Budget card (no monthly budget): A is the only active campaign with a budget. used = its messages' committed
    // cost, 50 (KPIS.md: billed cost of sent messages); the 7-day spend [today − 6, today] holds A's fixed cost too:
    // 50 + 1500 = 1550. Daily average 1550 / 7 = 221.43 → 221; forecast (100000 − 50) × 7 / 1550 = 451.38 → 451.3.
    const card = await api<Record<string, unknown>>('GET', '/v1/budget');
    expect(card).toMatchObject({ total: 100_000, used: 50, reserved: 0, remaining: 99_950, spendLast7Days: 1550, dailyAverage: 221, forecastDays: 451.3, light: 'green' });

    // A goal on A's spend reads 1550; a journey of A and B reads 1550 + 320 = 1870.
    await api('POST', `/v1/campaigns/${A}/goals`, { kind: 'target', metric: 'spend', comparator: '<=', target: 2000 });
    const goals = await api<{ goals: { value: number }[] }>('GET', `/v1/campaigns/${A}/goals`);
    expect(goals.goals[0].value).toBe(1550);
    const journey = await api<{ id: string; steps: { id: string }[] }>('POST', '/v1/journeys', {
      name: 'A then B', startedAt: noon(parisDay(-5)), steps: [{ name: 'one', channel: 'sms', delayMinutes: 0, campaignIds: [A, B] }],
    });
    await api('POST', `/v1/journeys/${journey.id}/goals`, { kind: 'target', metric: 'spend', comparator: '<=', target: 5000 });
    const jGoals = await api<{ goals: { value: number }[] }>('GET', `/v1/journeys/${journey.id}/goals`);
    expect(jGoals.goals[0].value).toBe(1870);
  }, 120_000);

  it('follows the cost model as it changes: removing the override gives back the account fixed cost, a new account one applies to every campaign', async () => {
    const key = keys[1];
    const api = <T>(method: string, path: string, body?: unknown) => callOk<T>(server.url, method, path, key, body);
    const day = parisDay(-1);
    const c = (await api<{ id: string; fixedCost: number }>('POST', '/v1/campaigns', { name: 'Solo', channel: 'email', sendAt: noon(day) }));
    expect(c.fixedCost).toBe(0); // no model at all
    // An override alone (no account model) is enough for a fixed cost.
    await api('PUT', `/v1/campaigns/${c.id}/cost-model`, { fixedCostMinor: 1200 });
    const spend = async () => (await api<{ figures: Figures }>('GET', `/v1/campaigns/${c.id}`)).figures.spend;
    expect(await spend()).toBe(1200);
    await api('PUT', '/v1/cost-model', { email: { perMessage: 1000 }, fixedCostMinor: 450 });
    expect(await spend()).toBe(1200); // the override wins
    await api('DELETE', `/v1/campaigns/${c.id}/cost-model`);
    expect(await spend()).toBe(450); // the account's
    const overview = await api<{ figures: Figures }>('GET', `/v1/overview?from=${day}&to=${day}`);
    expect(overview.figures.spend).toBe(450);
    // Outside the send day's period it is not counted.
    expect((await api<{ figures: Figures }>('GET', `/v1/overview?from=${parisDay(0)}&to=${parisDay(0)}`)).figures.spend).toBe(0);
  }, 60_000);

  it('refuses the old campaign field fixedCost with a 400 that says where fixed costs go', async () => {
    const key = keys[1];
    const created = await call(server.url, 'POST', '/v1/campaigns', key, { name: 'Old client', channel: 'sms', fixedCost: 500 });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain('/v1/campaigns/{id}/cost-model');
    const c = await callOk<{ id: string }>(server.url, 'POST', '/v1/campaigns', key, { name: 'New client', channel: 'sms' });
    const patched = await call(server.url, 'PATCH', `/v1/campaigns/${c.id}`, key, { fixedCost: 500 });
    expect(patched.status).toBe(400);
    expect(JSON.stringify(patched.body)).toContain('fixedCostMinor');
  });

  it('the migration moved fixed costs stored on campaigns into their cost model', async () => {
    const api = <T>(method: string, path: string) => callOk<T>(server.url, method, path, migrated.accountKey);
    const spend = async (id: string) => (await api<{ figures: Figures }>('GET', `/v1/campaigns/${id}`)).figures.spend;
    expect(await api('GET', `/v1/campaigns/${migrated.plain}/cost-model`)).toMatchObject({ override: { fixedCostMinor: 700 } });
    expect(await spend(migrated.plain)).toBe(700);
    // An override that already set one keeps it (and its prices).
    expect(await api('GET', `/v1/campaigns/${migrated.overridden}/cost-model`)).toMatchObject({ override: { sms: { perSegment: { default: 4000 } }, fixedCostMinor: 250 } });
    expect(await spend(migrated.overridden)).toBe(250);
    // Out of range (counted as 0 before): not moved, still 0.
    expect(await spend(migrated.outOfRange)).toBe(0);
  });
});
