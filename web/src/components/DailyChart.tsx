// Sends (bars) and revenue (line) per day over the period, by send day of the messages (cohort), with a
// visually hidden table of the same figures as its text alternative.
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../hooks';
import { minorDigits } from '../format';
import type { DayFigures, RevenueDate } from '../types';

const EChart = lazy(() => import('./EChart'));

const ACCENT = '#2f5bd3';
const LINE = '#b4570f';

/** `revenueDate`: the date the series counts credited revenue on (the send date of the message unless the view says so). */
export function DailyChart({ days, currency, revenueDate = 'send' }: { days: DayFigures[]; currency: string; revenueDate?: RevenueDate }) {
  const { t } = useTranslation();
  const revenueLabel = revenueDate === 'order' ? t('newret.chartRevenueByOrder') : t('chart.revenue');
  const f = useFormat();
  const option = useMemo(() => {
    const scale = 10 ** minorDigits(currency);
    return {
      animation: false,
      // The legend is HTML above the chart, so it wraps on a phone instead of overlapping the axes.
      grid: { left: 48, right: 64, top: 16, bottom: 28 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: undefined,
        formatter: (params: { dataIndex: number }[]) => {
          const d = days[params[0]?.dataIndex ?? 0];
          if (!d) return '';
          return `${f.day(d.date)}<br/>${t('chart.sent')}: ${f.count(d.sent)}<br/>${revenueLabel}: ${f.money(d.revenue, currency)}`;
        },
      },
      xAxis: {
        type: 'category',
        data: days.map((d) => f.day(d.date, 'short')),
        axisLine: { lineStyle: { color: '#c9ccd1' } },
        axisLabel: { color: '#5c6169' },
      },
      yAxis: [
        { type: 'value', axisLabel: { color: '#5c6169', formatter: (v: number) => f.count(v) }, splitLine: { lineStyle: { color: '#eceef1' } } },
        {
          type: 'value',
          axisLabel: { color: '#5c6169', formatter: (v: number) => f.money(v * scale, currency).replace(/[.,]00(?=\D*$)/, '') },
          splitLine: { show: false },
        },
      ],
      series: [
        { name: t('chart.sent'), type: 'bar', data: days.map((d) => d.sent), itemStyle: { color: ACCENT }, barMaxWidth: 18 },
        {
          name: revenueLabel,
          type: 'line',
          yAxisIndex: 1,
          data: days.map((d) => d.revenue / scale),
          itemStyle: { color: LINE },
          lineStyle: { width: 2 },
          symbol: 'none',
        },
      ],
    };
  }, [days, currency, f, t, revenueLabel]);
  const totalSent = days.reduce((s, d) => s + d.sent, 0);
  const totalRevenue = days.reduce((s, d) => s + d.revenue, 0);
  return (
    <figure className="chart" data-testid="daily-chart">
      <ul className="legend small" aria-hidden="true">
        <li>
          <span className="swatch" style={{ background: ACCENT }} /> {t('chart.sent')}
        </li>
        <li>
          <span className="swatch swatch-line" style={{ background: LINE }} /> {revenueLabel}
        </li>
      </ul>
      <Suspense fallback={<div className="skeleton" style={{ height: 280 }} />}>
        <EChart option={option} />
      </Suspense>
      <figcaption className="muted small">
        {t('chart.summary', { sent: f.count(totalSent), revenue: f.money(totalRevenue, currency), days: days.length })}
      </figcaption>
      <div className="sr-only">
      <table>
        <caption>{t('chart.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('chart.date')}</th>
            <th scope="col">{t('chart.sent')}</th>
            <th scope="col">{revenueLabel}</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.date}>
              <th scope="row">{f.day(d.date)}</th>
              <td>{f.count(d.sent)}</td>
              <td>{f.money(d.revenue, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}
