// One home-page KPI card: the value, the trend against the previous period coloured by whether the move is
// good (the API's `good` field, so cost cards are inverted), and the previous value on hover.
import { useTranslation } from 'react-i18next';
import { useFormat } from '../hooks';
import type { Formatter } from '../format';
import type { KpiCardData } from '../types';

export type ValueKind = 'count' | 'money' | 'rate' | 'multiple';

export function formatValue(f: Formatter, kind: ValueKind, v: number | null | undefined): string {
  return kind === 'money' ? f.money(v) : kind === 'rate' ? f.percent(v) : kind === 'multiple' ? f.multiple(v) : f.count(v);
}

/** How the trend reads: 'new' when there was nothing before, 'none' when unknown, else its direction and merit. */
export function trendState(card: KpiCardData): { kind: 'new' | 'none' | 'flat' | 'up' | 'down'; tone: 'good' | 'bad' | 'neutral' } {
  if (card.value !== null && card.previous === 0 && card.value !== 0) return { kind: 'new', tone: 'neutral' };
  if (card.trend === null || card.value === null) return { kind: 'none', tone: 'neutral' };
  if (card.trend === 0) return { kind: 'flat', tone: 'neutral' };
  const kind = card.trend > 0 ? 'up' : 'down';
  return { kind, tone: kind === card.good ? 'good' : 'bad' };
}

export function KpiCard({ id, label, card, kind }: { id: string; label: string; card: KpiCardData; kind: ValueKind }) {
  const { t } = useTranslation();
  const f = useFormat();
  const state = trendState(card);
  const previous = t('kpi.previous', { value: formatValue(f, kind, card.previous) });
  const arrow = state.kind === 'up' ? '▲' : state.kind === 'down' ? '▼' : state.kind === 'flat' ? '=' : '';
  const magnitude = card.trend === null ? '' : f.percent(Math.abs(card.trend));
  const spoken =
    state.kind === 'new'
      ? t('kpi.new')
      : state.kind === 'none'
        ? t('kpi.noTrend')
        : t(`kpi.trend.${state.kind}`, { value: magnitude }) + (state.tone === 'neutral' ? '' : `, ${t(`kpi.tone.${state.tone}`)}`);
  return (
    <div className="card kpi" data-testid={`kpi-${id}`} title={previous}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value num" data-testid="kpi-value">
        {formatValue(f, kind, card.value)}
      </div>
      <div className={`kpi-trend trend-${state.tone}`} data-testid="kpi-trend" data-tone={state.tone}>
        {state.kind === 'new' ? (
          <span className="pill pill-new">{t('kpi.new')}</span>
        ) : state.kind === 'none' ? (
          <span aria-hidden="true">—</span>
        ) : (
          <span aria-hidden="true" className="num">
            {arrow} {magnitude}
          </span>
        )}
        <span className="sr-only">
          {spoken}. {previous}
        </span>
      </div>
    </div>
  );
}
