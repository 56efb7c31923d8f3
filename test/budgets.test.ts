// The send gate and budgets end to end on both engines: hand-computed costs, refusals recorded as not sent, commit /
// release / expiry, provider costs, automatic stop and resume, the budget card, and "never overspend" under real
// concurrency (16 HTTP clients; on PostgreSQL also two Mesure processes on one database).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachEngine, makeMesure, PG_URL, type Engine, type TestMesure } from './support';
import { TEST_SECRET_KEY } from '../bench/support';
import { assemble } from '../src/main';
import { loadConfig } from '../src/config';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const DAY = 86_400_000;

forEachEngine('send gate and budgets', (engine: Engine) => {
  let m: TestMesure;
  let now = T0;
  beforeEach(async () => {
    now = T0;
    m = await makeMesure(engine, { clock: () => now });
  });
  afterEach(async () => {
    await m.cleanup();
  });

  const call = async (method: string, url: string, payload?: unknown) => {
    const r = await m.app.inject({ method: method as 'GET', url, headers: m.auth, payload: payload as object });
    return { status: r.statusCode, body: r.body ? (String(r.headers['content-type'] ?? '').includes('json') ? r.json() : r.body) : null };
  };
  // Prices in thousandths of a cent: SMS FR 7.9 ¢ a segment, elsewhere 5 ¢; WhatsApp marketing FR €0.1432, utility FR 4 ¢;
  // email 0.7 ¢; a standard letter 12.5 ¢ printing + 3 ¢ enveloping + €1.29 postage in France, €1.96 abroad.
  const MODEL = {
    sms: { perSegment: { default: 5000, FR: 7900 } },
    whatsapp: { marketing: { default: 10000, FR: 14320 }, utility: { default: 5000, FR: 4000 } },
    email: { perMessage: 700 },
    mail: { homeCountry: 'FR', formats: { standard: { printing: 12500, enveloping: 3000, postage: { domestic: 129000, international: 196000 } } } },
  };
  const campaign = async (channel: string, budget: number | null, extra: object = {}) => {
    const r = await call('POST', '/v1/campaigns', { name: `${channel} ${budget}`, channel, budget, ...extra });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const send = (id: string, recipients: object[]) => call('POST', `/v1/campaigns/${id}/sends`, { recipients });

  it('prices each message by hand: SMS segments (multi-part UCS-2), WhatsApp categories, letters', async () => {
    expect((await call('PUT', '/v1/cost-model', MODEL)).status).toBe(200);
    const sms = await campaign('sms', 10_000);
    const r = await send(sms, [
      { phone: '+33612345678', text: 'Bonjour' }, // GSM-7, 1 segment × 7.9 ¢ = 7.9 → 8 ¢
      { phone: '+33612345679', text: 'ç'.repeat(140) }, // ç is not GSM-7: UCS-2, 140 units = 67 + 67 + 6 → 3 × 7.9 = 23.7 → 24 ¢
      { phone: '+33612345670', text: 'a'.repeat(161) }, // GSM-7, 161 > 160 → 153 + 8 → 2 × 7.9 = 15.8 → 16 ¢
      { phone: '+14155552671', text: 'Hi' }, // US: default 5 ¢ × 1
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { cost: number }) => x.cost)).toEqual([8, 24, 16, 5]);
    expect(r.body.reserved).toBe(8 + 24 + 16 + 5);
    expect(r.body.budget).toMatchObject({ budget: 10_000, used: 0, reserved: 53, remaining: 10_000 - 53 });

    const wa = await campaign('whatsapp', null);
    const w = await send(wa, [{ phone: '+33612345678' }, { phone: '+33612345679', pricingCategory: 'utility' }, { phone: '+14155552671', pricingCategory: 'utility' }]);
    // marketing FR 14.32 → 14 ¢; utility FR 4 ¢; utility elsewhere 5 ¢
    expect(w.body.results.map((x: { cost: number }) => x.cost)).toEqual([14, 4, 5]);

    const mail = await campaign('mail', null);
    const addr = (city: string, country?: string) => ({ name: 'A', line1: '1 rue X', postalCode: '75001', city, ...(country ? { country } : {}) });
    const l = await send(mail, [{ address: addr('Paris') }, { address: addr('Berlin', 'DE'), letterFormat: 'standard' }]);
    // 12.5 + 3 + 129 = 144.5 → 145 ¢ (half up); abroad 12.5 + 3 + 196 = 211.5 → 212 ¢
    expect(l.body.results.map((x: { cost: number }) => x.cost)).toEqual([145, 212]);
  });

  it('refuses with KPIS.md reasons and records refusals as not-sent messages', async () => {
    await call('PUT', '/v1/cost-model', MODEL);
    const id = await campaign('email', 2); // 0.7 ¢ → 1 ¢ each: room for two
    expect((await call('POST', '/v1/suppressions', { channel: 'email', address: 'Gone@Example.com', reason: 'unsubscribed' })).status).toBe(201);
    const r = await send(id, [
      { email: 'a@example.com' },
      { email: 'not-an-email' },
      { email: 'a@example.com' },
      { email: 'gone@example.com' },
      { email: 'b@example.com' },
      { email: 'c@example.com' },
    ]);
    expect(r.body.results.map((x: { status: string; reason?: string }) => x.reason ?? x.status)).toEqual([
      'allowed', 'invalid_recipient', 'duplicate', 'opted_out', 'allowed', 'budget_exhausted',
    ]);
    // The second allowed message spent the last cent: the campaign stops at once.
    expect(r.body.campaign).toEqual({ status: 'stopped', statusReason: 'budget_exhausted' });
    const again = await send(id, [{ email: 'a@example.com' }, { email: 'd@example.com' }]);
    expect(again.body.results.map((x: { reason?: string }) => x.reason)).toEqual(['duplicate', 'budget_exhausted']);

    const detail = await call('GET', `/v1/campaigns/${id}`);
    const notSent = Object.fromEntries(detail.body.notSent.map((n: { reason: string; count: number }) => [n.reason, n.count]));
    // a and b pending (reserved), one invalid, one opted out, c and d refused for budget; duplicates are not new messages.
    expect(notSent).toEqual({ pending: 2, invalid_recipient: 1, opted_out: 1, budget_exhausted: 2 });
    expect(detail.body.figures.audience).toBe(6);
    expect(detail.body.budget).toMatchObject({ budget: 2, used: 0, reserved: 2, remaining: 0, status: 'stopped' });

    // Paused and suspended campaigns refuse with their own reasons.
    const p = await campaign('email', null, { status: 'paused' });
    expect((await send(p, [{ email: 'x@example.com' }])).body.results[0].reason).toBe('campaign_paused');
    const s = await campaign('email', null, { status: 'completed' });
    expect((await send(s, [{ email: 'x@example.com' }])).body.results[0].reason).toBe('campaign_stopped');
  });

  it('refuses a whole batch it cannot price under a budget, and validates input', async () => {
    const id = await campaign('sms', 100);
    const r = await send(id, [{ phone: '+33612345678' }]);
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/no cost model/);
    expect((await send(id, [{ phone: '+33612345678', pricingCategory: 'bogus' }])).status).toBe(400);
    expect((await call('POST', `/v1/campaigns/${id}/sends`, { recipients: [] })).status).toBe(400);
    expect((await call('POST', '/v1/campaigns/cmp_nope/sends', { recipients: [{ phone: '+33612345678' }] })).status).toBe(404);
  });

  it('commits (actual cost), releases, expires after the TTL, stops and resumes when the budget is raised', async () => {
    await call('PUT', '/v1/cost-model', MODEL);
    expect((await call('PUT', '/v1/budget/settings', { reservationTtlSeconds: 60 })).body.reservationTtlSeconds).toBe(60);
    const id = await campaign('email', 5);
    const r = await send(id, ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => ({ email: `${x}@example.com` })));
    const ids = r.body.results.filter((x: { status: string }) => x.status === 'allowed').map((x: { messageId: string }) => x.messageId);
    expect(ids).toHaveLength(5);
    expect(r.body.campaign.status).toBe('stopped');

    // a: committed at its estimate; b: the provider billed 2 ¢; c: released.
    const c = await call('POST', `/v1/campaigns/${id}/sends/commit`, { messageIds: [ids[0], ids[1]], provider: 'ses', providerMessageIds: ['p-a', null], costs: [null, 2] });
    expect(c.body).toMatchObject({ committed: 2, budget: { used: 3, reserved: 3, remaining: -1 } });
    expect((await call('POST', `/v1/campaigns/${id}/sends/commit`, { messageIds: [ids[0]] })).body.alreadyCommitted).toBe(1);
    const rel = await call('POST', `/v1/campaigns/${id}/sends/release`, { messageIds: [ids[2]], reason: 'provider_rejected' });
    // 5 − 3 − 2 = 0: nothing to pay the next message, so it stays stopped.
    expect(rel.body).toMatchObject({ released: 1, freed: 1, campaign: { status: 'stopped' }, budget: { used: 3, reserved: 2 } });
    expect((await call('POST', `/v1/campaigns/${id}/sends/release`, { messageIds: [ids[0]] })).status).toBe(422);

    // d and e expire after 60 s: the next gate call frees their money first, and the campaign resumes by itself.
    now += 61_000;
    const later = await send(id, [{ email: 'g@example.com' }]);
    expect(later.body.results[0].status).toBe('allowed');
    expect(later.body.budget).toMatchObject({ used: 3, reserved: 1, remaining: 1 });
    // A late commit of an expired reservation is still money spent.
    const late = await call('POST', `/v1/campaigns/${id}/sends/commit`, { messageIds: [ids[3]] });
    expect(late.body).toMatchObject({ committed: 1, late: 1, budget: { used: 4, reserved: 1 } });

    // Spend the rest; then raising the budget resumes the campaign.
    await send(id, [{ email: 'h@example.com' }]);
    // 5 − 4 used − 1 reserved (g) = 0: h is refused and the campaign stops.
    expect((await call('GET', `/v1/campaigns/${id}/budget`)).body).toMatchObject({ status: 'stopped', statusReason: 'budget_exhausted', remaining: 0 });
    const patched = await call('PATCH', `/v1/campaigns/${id}`, { budget: 20 });
    expect(patched.body).toMatchObject({ status: 'sending', statusReason: null });
    expect((await send(id, [{ email: 'i@example.com' }])).body.results[0].status).toBe('allowed');

    // The timer's sweep expires too.
    now += 61_000;
    expect(await m.deps.budgets.expireDue()).toBe(2);
    expect((await call('GET', `/v1/campaigns/${id}/budget`)).body).toMatchObject({ used: 4, reserved: 0, openReservations: 0 });
  });

  it('prices provider costs: a WhatsApp category with the account model, a sent reservation at its estimate', async () => {
    await call('PUT', '/v1/cost-model', MODEL);
    const id = await campaign('whatsapp', 1000);
    const r = await send(id, [{ phone: '+33612345678', pricingCategory: 'utility' }, { phone: '+33612345679', pricingCategory: 'utility' }]);
    const [a, b] = r.body.results.map((x: { messageId: string }) => x.messageId);
    const at = new Date(now).toISOString();
    const ev = await call('POST', '/v1/events', { events: [
      { type: 'sent', at, messageId: a, pricingCategory: 'marketing' }, // billed as marketing FR: 14.32 → 14 ¢
      { type: 'delivered', at, messageId: b }, // no figure: committed at its 4 ¢ estimate
    ] });
    expect(ev.status).toBe(200);
    const budget = (await call('GET', `/v1/campaigns/${id}/budget`)).body;
    expect(budget).toMatchObject({ used: 18, reserved: 0, openReservations: 0 });
    const detail = await call('GET', `/v1/campaigns/${id}`);
    expect(detail.body.figures.spend).toBe(18);
  });

  it('fills the budget card: active campaigns, 7-day average, forecast and light', async () => {
    await call('PUT', '/v1/cost-model', { email: { perMessage: 100_000 } }); // 1 € a message
    expect((await call('GET', '/v1/budget')).status).toBe(404);
    const a = await campaign('email', 100_000);
    const b = await campaign('email', 50_000);
    const done = await campaign('email', 30_000);
    await campaign('email', null);
    const reserve = async (id: string, n: number, tag: string) =>
      (await send(id, Array.from({ length: n }, (_, i) => ({ email: `${tag}${i}@example.com` })))).body.results.map((x: { messageId: string }) => x.messageId);
    // Eight days ago: 2 € committed in a (used, but outside the 7-day window).
    now = T0 - 8 * DAY;
    await call('POST', `/v1/campaigns/${a}/sends/commit`, { messageIds: await reserve(a, 2, 'old') });
    now = T0;
    await call('POST', `/v1/campaigns/${a}/sends/commit`, { messageIds: await reserve(a, 3, 'new') });
    await reserve(b, 1, 'b');
    await call('PATCH', `/v1/campaigns/${done}`, { status: 'completed' });
    const card = (await call('GET', '/v1/budget')).body;
    // total 1000 + 500 € (the completed campaign and the one without budget are out); used 5 €; reserved 1 €;
    // remaining 1500 − 5 − 1 = 1494 €; 7-day spend 3 € → 3/7 = 0.43 € → 43 ¢; forecast 149400 × 7 / 300 = 3486 days.
    expect(card).toMatchObject({ currency: 'EUR', total: 150_000, used: 500, reserved: 100, remaining: 149_400, dailyAverage: 43, forecastDays: 3486, light: 'green' });

    // An account monthly budget caps the total and counts this month's spending.
    await call('PUT', '/v1/budget/settings', { monthlyBudget: 2000 });
    const capped = (await call('GET', '/v1/budget')).body;
    // min(1500, 20) = 20 €; this month (November 17 and 25): 5 € used, 1 € reserved → remaining 14 € (70 %);
    // forecast 1400 × 7 / 300 = 32.67 → 32.6 days.
    expect(capped).toMatchObject({ total: 2000, used: 500, reserved: 100, remaining: 1400, forecastDays: 32.6, light: 'green' });
    const more = await send(b, Array.from({ length: 15 }, (_, i) => ({ email: `c${i}@example.com` })));
    // 14 € left in the month: 14 messages pass, the 15th is refused for budget (campaign b itself still has room).
    expect(more.body).toMatchObject({ allowed: 14, refused: 1, campaign: { status: 'draft' } });
    expect((await call('GET', '/v1/budget')).body).toMatchObject({ used: 500, reserved: 1500, remaining: 0, light: 'red' });
  });

  it('never overspends: 16 concurrent HTTP clients against one campaign', async () => {
    await call('PUT', '/v1/cost-model', { email: { perMessage: 7000 } }); // 7 ¢
    const id = await campaign('email', 1000);
    await m.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = m.app.server.address() as { port: number };
    const base = `http://127.0.0.1:${addr.port}`;
    const client = async (k: number) => {
      let allowed = 0;
      for (let round = 0; round < 5; round++) {
        const res = await fetch(`${base}/v1/campaigns/${id}/sends`, {
          method: 'POST', headers: { ...m.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ recipients: Array.from({ length: 10 }, (_, i) => ({ email: `c${k}r${round}i${i}@example.com` })) }),
        });
        const body = await res.json();
        expect(res.status).toBe(200);
        expect(body.budget.used + body.budget.reserved).toBeLessThanOrEqual(1000);
        allowed += body.allowed;
      }
      return allowed;
    };
    const allowed = (await Promise.all(Array.from({ length: 16 }, (_, k) => client(k)))).reduce((s, n) => s + n, 0);
    // 1000 / 7 = 142 messages (994 ¢); the 143rd would need 7 ¢ of the 6 left.
    expect(allowed).toBe(142);
    const b = (await call('GET', `/v1/campaigns/${id}/budget`)).body;
    expect(b).toMatchObject({ reserved: 994, used: 0, status: 'stopped', statusReason: 'budget_exhausted', openReservations: 142 });
    const reservedSum = await m.db.kysely.selectFrom('messages').select((eb) => eb.fn.sum<number>('cost_minor').as('s')).where('campaign_id', '=', id).where('cost_state', '=', 'reserved').executeTakeFirst();
    expect(Number(reservedSum?.s)).toBe(994);
  }, 60_000);

  if (engine === 'postgres') {
    it('never overspends with two Mesure processes on the same PostgreSQL database', async () => {
      await call('PUT', '/v1/cost-model', { email: { perMessage: 7000 } });
      const id = await campaign('email', 1000);
      const other = await assemble(loadConfig({ DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: m.config.database.schema!, MESURE_DEMO: '0', MESURE_SECRET_KEY: TEST_SECRET_KEY }), { clock: () => now });
      try {
        const instances = [m.deps.budgets, other.deps.budgets];
        const runs = Array.from({ length: 16 }, async (_, k) => {
          let allowed = 0;
          for (let round = 0; round < 5; round++) {
            const out = await instances[k % 2].reserve(m.accountId, id, Array.from({ length: 10 }, (_, i) => ({ email: `p${k}r${round}i${i}@example.com` })));
            if (!out.ok) throw new Error(out.message);
            expect(out.value.budget.used + out.value.budget.reserved).toBeLessThanOrEqual(1000);
            allowed += out.value.allowed;
          }
          return allowed;
        });
        expect((await Promise.all(runs)).reduce((s, n) => s + n, 0)).toBe(142);
        expect((await call('GET', `/v1/campaigns/${id}/budget`)).body).toMatchObject({ reserved: 994, openReservations: 142 });
      } finally {
        await other.close();
      }
    }, 60_000);
  }
});
