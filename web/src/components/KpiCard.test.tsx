// @vitest-environment happy-dom
// The KPI card: trend colours by the API's `good` direction (costs inverted), "—" for empty rates, "new" when the
// previous period had nothing, the previous value on hover.
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderIn } from '../test-utils';
import { KpiCard, trendState } from './KpiCard';

afterEach(cleanup);

const card = (testid: string) => {
  const el = screen.getByTestId(`kpi-${testid}`);
  return {
    el,
    value: within(el).getByTestId('kpi-value').textContent,
    trend: within(el).getByTestId('kpi-trend'),
  };
};

describe('KpiCard', () => {
  it('shows a rise of a good-when-up figure in green with an up arrow and the previous value in the title', () => {
    // trend (1284 − 1142) / 1142 = 0.12434… → 12.4 %
    renderIn('en', <KpiCard id="ordersImported" label="Orders imported" kind="count" card={{ value: 1284, previous: 1142, trend: 0.12434, good: 'up' }} />);
    const c = card('ordersImported');
    expect(c.value).toBe('1,284');
    expect(c.trend.dataset.tone).toBe('good');
    expect(c.trend.className).toContain('trend-good');
    expect(c.trend.textContent).toContain('▲ 12.4%');
    expect(c.el.getAttribute('title')).toBe('Previous period: 1,142');
  });

  it('inverts costs: a rise in spend is red, a fall in CPA is green', () => {
    // spend 293140 cents = €2,931.40; trend +0.08 on a cost → bad
    renderIn(
      'en',
      <>
        <KpiCard id="spend" label="Spend" kind="money" card={{ value: 293140, previous: 271400, trend: 0.08, good: 'down' }} />
        <KpiCard id="cpa" label="CPA" kind="money" card={{ value: 420, previous: 479, trend: -0.1232, good: 'down' }} />
      </>,
    );
    const spend = card('spend');
    expect(spend.value).toBe('€2,931.40');
    expect(spend.trend.dataset.tone).toBe('bad');
    expect(spend.trend.textContent).toContain('▲ 8.0%');
    const cpa = card('cpa');
    expect(cpa.trend.dataset.tone).toBe('good');
    expect(cpa.trend.textContent).toContain('▼ 12.3%');
    expect(cpa.el.getAttribute('title')).toBe('Previous period: €4.79');
  });

  it('shows a fall of a good-when-up figure in red', () => {
    renderIn('en', <KpiCard id="conversions" label="Conversions" kind="count" card={{ value: 612, previous: 626, trend: -0.0224, good: 'up' }} />);
    expect(card('conversions').trend.dataset.tone).toBe('bad');
  });

  it('shows — for an empty rate and no trend', () => {
    renderIn('en', <KpiCard id="conversionRate" label="Conversion rate" kind="rate" card={{ value: null, previous: null, trend: null, good: 'up' }} />);
    const c = card('conversionRate');
    expect(c.value).toBe('—');
    expect(c.trend.dataset.tone).toBe('neutral');
    expect(c.el.getAttribute('title')).toBe('Previous period: —');
  });

  it('says "new" (and "nouveau" in French) when the previous period was 0', () => {
    renderIn('en', <KpiCard id="qrScansClicks" label="QR" kind="count" card={{ value: 3120, previous: 0, trend: null, good: 'up' }} />);
    expect(card('qrScansClicks').trend.textContent).toContain('new');
    cleanup();
    renderIn('fr', <KpiCard id="qrScansClicks" label="QR" kind="count" card={{ value: 3120, previous: 0, trend: null, good: 'up' }} />);
    const c = card('qrScansClicks');
    expect(c.trend.textContent).toContain('nouveau');
    expect(c.value).toBe('3\u202f120');
  });

  it('formats French rates and money with the locale', () => {
    // 0.0213 → 2,1 %; 293140 cents → 2 931,40 €
    renderIn(
      'fr',
      <>
        <KpiCard id="conversionRate" label="Taux" kind="rate" card={{ value: 0.0213, previous: 0.0198, trend: 0.0757, good: 'up' }} />
        <KpiCard id="spend" label="Dépenses" kind="money" card={{ value: 293140, previous: 271400, trend: 0.08, good: 'down' }} />
      </>,
    );
    expect(card('conversionRate').value).toMatch(/^2,1[\u00a0\u202f]%$/);
    expect(card('spend').value).toBe('2\u202f931,40\u00a0€');
    expect(card('spend').el.getAttribute('title')).toBe('Période précédente : 2\u202f714,00\u00a0€');
  });

  it('treats an unchanged figure as neutral, whatever its direction', () => {
    expect(trendState({ value: 5, previous: 5, trend: 0, good: 'down' })).toEqual({ kind: 'flat', tone: 'neutral' });
    expect(trendState({ value: 0, previous: 0, trend: null, good: 'up' })).toEqual({ kind: 'none', tone: 'neutral' });
  });
});
