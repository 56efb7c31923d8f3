// The metrics background services feed (issue #23 point 3), on SQLite and PostgreSQL: outbound alert deliveries (one
// endpoint answering 204, one 500, both real HTTP servers on this machine) and a budget sweep round, read back from
// GET /metrics (in process: a scrape from the loopback without a token).
import { createServer, type Server } from 'node:http';
import { expect, it } from 'vitest';
import { forEachEngine, makeMesure, type Engine } from './support';
import { sample } from './prometheus';
import { BudgetSweep } from '../src/services/budgets';
import type { PrometheusMetrics } from '../src/http/metrics';

async function endpoint(status: number): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/alerts`, hits: () => hits, close: () => new Promise((ok) => server.close(() => ok())) };
}

forEachEngine('metrics: alerts and budget sweeps', (engine: Engine) => {
  it('counts alert attempts by outcome and sweep rounds', async () => {
    const m = await makeMesure(engine, { env: { MESURE_METRICS: '1' } });
    const good = await endpoint(204);
    const bad = await endpoint(500);
    try {
      await m.deps.alerts.putEndpoint(m.accountId, good.url);
      await m.deps.alerts.putEndpoint(m.accountId, bad.url);
      // One alert, queued for both endpoints: two deliveries.
      await m.db.kysely.transaction().execute((trx) =>
        m.deps.alerts.enqueueIn(trx, m.accountId, 'budget.80', { accountId: m.accountId, campaignId: null, period: '2026-12', budgetMinor: 10_000, usedMinor: 8_000, currency: 'EUR' }),
      );
      await m.deps.alerts.deliverDue();
      await m.deps.alerts.idle();
      expect([good.hits(), bad.hits()]).toEqual([1, 1]);

      // A sweep round wired as main.ts wires it, counting into this instance's metrics.
      const sweep = new BudgetSweep({ budgets: m.deps.budgets, billing: m.deps.billing, alerts: m.deps.alerts, metrics: m.deps.metrics as PrometheusMetrics });
      await sweep.runOnce();
      await sweep.runOnce();

      const r = await m.app.inject({ method: 'GET', url: '/metrics' });
      expect(r.statusCode).toBe(200);
      // By hand: the 204 endpoint was sent once; the 500 one failed its first attempt and is retried later (not yet due,
      // so neither sweep round attempts it again); nothing failed for good. The two rounds of this test ran fine.
      expect(sample(r.body, 'mesure_alert_attempts_total', { outcome: 'sent' })).toBe(1);
      expect(sample(r.body, 'mesure_alert_attempts_total', { outcome: 'retrying' })).toBe(1);
      expect(sample(r.body, 'mesure_alert_attempts_total', { outcome: 'failed' })).toBe(0);
      expect(sample(r.body, 'mesure_budget_sweeps_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(2); // + the app's own timer, every 30 s
      expect(sample(r.body, 'mesure_budget_sweeps_total', { outcome: 'failed' })).toBe(0);
      expect(sample(r.body, 'mesure_budget_sweep_duration_seconds_count')).toBe(sample(r.body, 'mesure_budget_sweeps_total', { outcome: 'ok' }));
      expect(r.body).not.toContain(m.accountId);
    } finally {
      await m.cleanup();
      await good.close();
      await bad.close();
    }
  }, 60_000);
});
