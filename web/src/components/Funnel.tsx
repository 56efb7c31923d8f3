// The campaign funnel: audience → sent → engaged → converters as bars of decreasing width, each with its count
// and share of the audience, and the drop-off written on the connector between two steps. Plain DOM text,
// so the chart is its own text alternative.
import { useTranslation } from 'react-i18next';
import { useFormat } from '../hooks';
import type { Channel, FunnelStep } from '../types';

export function stepLabelKey(step: FunnelStep['step'], channel: Channel): string {
  if (step === 'engaged') return channel === 'mail' ? 'funnel.engagedMail' : 'funnel.engaged';
  return `funnel.${step}`;
}

export function Funnel({ steps, channel }: { steps: FunnelStep[]; channel: Channel }) {
  const { t } = useTranslation();
  const f = useFormat();
  const audience = steps[0]?.count ?? 0;
  return (
    <ol className="funnel" aria-label={t('funnel.title')}>
      {steps.map((s, i) => {
        // Width follows the share of the audience; a sliver stays visible so a step at 0 still reads as a bar.
        const share = s.shareOfAudience ?? (audience > 0 ? s.count / audience : 0);
        const width = Math.max(2, Math.min(100, share * 100));
        const label = t(stepLabelKey(s.step, channel));
        return (
          <li key={s.step} className="funnel-item" data-testid={`funnel-${s.step}`}>
            {i > 0 && (
              <div className="funnel-connector" data-testid={`funnel-dropoff-${s.step}`}>
                <span aria-hidden="true">↓</span>{' '}
                <span className="num">{s.dropOff === null ? '—' : f.signedPercent(-s.dropOff)}</span>
                <span className="sr-only">
                  {' '}
                  {t('funnel.lostBetween', { from: t(stepLabelKey(steps[i - 1].step, channel)), to: label })}
                </span>
              </div>
            )}
            <div className="funnel-row">
              <div className="funnel-label">{label}</div>
              <div className="funnel-track">
                <div className="funnel-bar" style={{ width: `${width}%` }} />
              </div>
              <div className="funnel-figures num">
                <strong data-testid="funnel-count">{f.count(s.count)}</strong>{' '}
                <span className="muted" data-testid="funnel-share">
                  {f.percent(s.shareOfAudience)}
                </span>
                <span className="sr-only"> {t('funnel.ofAudience')}</span>
              </div>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
