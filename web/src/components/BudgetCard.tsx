// The budget card (KPIS.md "Budget card"): a traffic light with a word, remaining of total, a used/reserved/
// remaining bar and the forecast in days.
import { useTranslation } from 'react-i18next';
import { useFormat } from '../hooks';
import type { Budget } from '../types';

export function BudgetCard({ budget }: { budget: Budget }) {
  const { t } = useTranslation();
  const f = useFormat();
  const m = (v: number) => f.money(v, budget.currency);
  const total = Math.max(budget.total, 1);
  const pct = (v: number) => `${Math.max(0, Math.min(100, (v / total) * 100))}%`;
  return (
    <section className="card budget" data-testid="budget-card" aria-labelledby="budget-title">
      <h2 id="budget-title">{t('budget.title')}</h2>
      <p className="budget-head">
        <span className={`light light-${budget.light}`} data-testid="budget-light">
          <span aria-hidden="true">●</span> {t(`budget.light.${budget.light}`)}
        </span>{' '}
        <span className="num">{t('budget.remainingOf', { remaining: m(budget.remaining), total: m(budget.total) })}</span>
      </p>
      <div className="stack-bar" aria-hidden="true">
        <span className="seg seg-used" style={{ width: pct(budget.used) }} />
        <span className="seg seg-reserved" style={{ width: pct(budget.reserved) }} />
      </div>
      <dl className="budget-figures num">
        <div>
          <dt><span className="swatch seg-used" aria-hidden="true" /> {t('budget.used')}</dt>
          <dd>{m(budget.used)}</dd>
        </div>
        <div>
          <dt><span className="swatch seg-reserved" aria-hidden="true" /> {t('budget.reserved')}</dt>
          <dd>{m(budget.reserved)}</dd>
        </div>
        <div>
          <dt><span className="swatch seg-remaining" aria-hidden="true" /> {t('budget.remaining')}</dt>
          <dd>{m(budget.remaining)}</dd>
        </div>
      </dl>
      <p className="muted num" data-testid="budget-forecast">
        {budget.forecastDays === null
          ? t('budget.noForecast', { daily: m(budget.dailyAverage) })
          : t('budget.forecast', { daily: m(budget.dailyAverage), days: f.count(Math.floor(budget.forecastDays)) })}
      </p>
    </section>
  );
}
