// Retention cohorts: contacts grouped by the month of their first message, the share who engaged (or bought) in each
// month since (a triangle, counts on hover), the average curve, and repeat purchases and churn per cohort. Metric,
// channel and the number of cohorts are kept in the URL. Definitions: docs/RETENTION.md.
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { TopBar } from '../components/Shell';
import { FigureItem } from '../components/Figure';
import { ErrorState, SkeletonBlock } from '../components/States';
import { useApi, useFormat } from '../hooks';
import { useQueryState } from '../router';
import { CHANNELS, type RetentionCohorts } from '../types';

const EChart = lazy(() => import('../components/EChart'));
const METRICS = ['engaged', 'purchased'] as const;
const SPANS = ['6', '12', '24'] as const;
const ACCENT = '#2f5bd3';

export function Retention() {
  const { t } = useTranslation();
  const f = useFormat();
  const [query, setQuery] = useQueryState();
  const metric = (METRICS as readonly string[]).includes(query.metric ?? '') ? query.metric! : 'engaged';
  const channel = (CHANNELS as string[]).includes(query.channel ?? '') ? query.channel! : null;
  const months = (SPANS as readonly string[]).includes(query.months ?? '') ? query.months! : '12';
  const data = useApi<RetentionCohorts>('/v1/retention', { cohort: 'month', metric, months, ...(channel ? { channel } : {}) });
  const r = data.data;
  const width = r ? Math.max(...r.cohorts.map((c) => c.cells.length)) : 0;
  const option = useMemo(() => r && ({
    animation: false,
    grid: { left: 48, right: 16, top: 16, bottom: 28 },
    tooltip: {
      trigger: 'axis',
      formatter: (params: { dataIndex: number }[]) => {
        const c = r.curve[params[0]?.dataIndex ?? 0];
        return c ? `${t('cohorts.monthsSince', { count: c.monthsSince })}<br/>${f.percent(c.share)} (${f.count(c.active)} / ${f.count(c.contacts)})` : '';
      },
    },
    xAxis: { type: 'category', data: r.curve.map((c) => String(c.monthsSince)), axisLabel: { color: '#5c6169' }, axisLine: { lineStyle: { color: '#c9ccd1' } } },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { color: '#5c6169', formatter: (v: number) => f.percent(v) }, splitLine: { lineStyle: { color: '#eceef1' } } },
    series: [{ name: t('cohorts.curve'), type: 'line', data: r.curve.map((c) => c.share), itemStyle: { color: ACCENT }, lineStyle: { width: 2 }, connectNulls: false }],
  }), [r, f, t]);

  return (
    <>
      <TopBar title={t('cohorts.title')} filters={false} />
      <p className="muted">{t(`cohorts.intro.${metric}`)}</p>
      <div className="filters retention-filters" data-testid="retention-filters">
        <label className="field">
          <span>{t('cohorts.metric')}</span>
          <select value={metric} onChange={(e) => setQuery({ metric: e.target.value === 'engaged' ? null : e.target.value })} data-testid="retention-metric">
            {METRICS.map((m) => <option key={m} value={m}>{t(`cohorts.metrics.${m}`)}</option>)}
          </select>
        </label>
        <label className="field">
          <span>{t('channel.label')}</span>
          <select value={channel ?? ''} onChange={(e) => setQuery({ channel: e.target.value || null })} data-testid="retention-channel">
            <option value="">{t('channel.all')}</option>
            {CHANNELS.map((c) => <option key={c} value={c}>{t(`channel.${c}`)}</option>)}
          </select>
        </label>
        <label className="field">
          <span>{t('cohorts.span')}</span>
          <select value={months} onChange={(e) => setQuery({ months: e.target.value === '12' ? null : e.target.value })} data-testid="retention-months">
            {SPANS.map((s) => <option key={s} value={s}>{t('cohorts.cohorts', { count: Number(s) })}</option>)}
          </select>
        </label>
      </div>

      {data.error ? (
        <ErrorState error={data.error} onRetry={data.reload} />
      ) : !r ? (
        <SkeletonBlock height={320} />
      ) : r.overall.contacts === 0 ? (
        <p className="muted" data-testid="retention-empty">{t('cohorts.none')}</p>
      ) : (
        <>
          <dl className="figures retention-figures" data-testid="retention-figures">
            <FigureItem name="contacts" label={t('cohorts.contacts')} value={r.overall.contacts} />
            <FigureItem name="repeatPurchaseRate" label={t('cohorts.repeatPurchaseRate')} value={r.overall.repeatPurchaseRate} sub={`${f.count(r.overall.repeatBuyers)} / ${f.count(r.overall.buyers)}`} />
            <div className="figure" data-testid="figure-medianDaysBetweenOrders">
              <dt>{t('cohorts.medianDays')}</dt>
              <dd><span className="figure-value num" data-testid="figure-value">{r.overall.medianDaysBetweenOrders === null ? '—' : f.decimal(r.overall.medianDaysBetweenOrders, 1)}</span></dd>
            </div>
            <FigureItem name="churnRate" label={t('cohorts.churnRate')} value={r.overall.churnRate} sub={`${f.count(r.overall.churned)} / ${f.count(r.overall.contacts)}`} />
          </dl>

          <section className="card">
            <h2>{t(`cohorts.triangle.${metric}`)}</h2>
            <div className="retention-scroll">
              <table className="retention-triangle" data-testid="retention-triangle">
                <thead>
                  <tr>
                    <th scope="col">{t('cohorts.cohort')}</th>
                    <th scope="col" className="num">{t('cohorts.contacts')}</th>
                    {Array.from({ length: width }, (_, k) => <th key={k} scope="col" className="num">{t('cohorts.monthShort', { count: k })}</th>)}
                  </tr>
                </thead>
                <tbody>
                  {r.cohorts.map((c) => (
                    <tr key={c.cohort} data-testid="retention-row" data-cohort={c.cohort}>
                      <th scope="row" className="nowrap">{c.cohort}</th>
                      <td className="num">{f.count(c.contacts)}</td>
                      {Array.from({ length: width }, (_, k) => {
                        const cell = c.cells[k];
                        if (!cell) return <td key={k} className="retention-cell-none" />;
                        const hover = t('cohorts.cellTitle', { active: f.count(cell.contacts), contacts: f.count(c.contacts) });
                        return (
                          <td key={k} className="num retention-cell" title={hover} data-testid="retention-cell" data-contacts={cell.contacts}
                            style={{ background: cell.share ? `rgba(47, 91, 211, ${0.1 + 0.7 * cell.share})` : undefined, color: (cell.share ?? 0) > 0.5 ? '#fff' : undefined }}>
                            {f.percent(cell.share)}
                            <span className="sr-only"> ({hover})</span>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="card">
            <h2>{t('cohorts.curve')}</h2>
            <figure className="chart" data-testid="retention-curve">
              <Suspense fallback={<div className="skeleton" style={{ height: 240 }} />}>
                {option && <EChart option={option} height={240} />}
              </Suspense>
              <figcaption className="muted small">{t('cohorts.curveCaption')}</figcaption>
            </figure>
          </section>

          <section className="card">
            <h2>{t('cohorts.purchases')}</h2>
            <div className="retention-scroll">
              <table className="retention-purchases" data-testid="retention-purchases">
                <thead>
                  <tr>
                    <th scope="col">{t('cohorts.cohort')}</th>
                    <th scope="col" className="num">{t('cohorts.buyers')}</th>
                    <th scope="col" className="num">{t('cohorts.repeatPurchaseRate')}</th>
                    <th scope="col" className="num">{t('cohorts.medianDays')}</th>
                    <th scope="col" className="num">{t('cohorts.churnRate')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.cohorts.map((c) => (
                    <tr key={c.cohort}>
                      <th scope="row" className="nowrap">{c.cohort}</th>
                      <td className="num">{f.count(c.buyers)}</td>
                      <td className="num">{f.percent(c.repeatPurchaseRate)}</td>
                      <td className="num">{c.medianDaysBetweenOrders === null ? '—' : f.decimal(c.medianDaysBetweenOrders, 1)}</td>
                      <td className="num">{f.percent(c.churnRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}
