// Incrementality: per channel, the share of attributed revenue that campaigns really caused (pooled over the
// campaigns with a holdout, with its 95 % interval), the campaigns it comes from, and the attribution window that
// matches it, which the owner may apply to the attribution settings.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { TopBar } from '../components/Shell';
import { EmptyState, ErrorState, SkeletonBlock } from '../components/States';
import { useApi, useFormat, useSession } from '../hooks';
import { Link } from '../router';
import type { IncrementalityReport } from '../types';

type Channel = IncrementalityReport['channels'][number];

export function Incrementality() {
  const { t } = useTranslation();
  const f = useFormat();
  const report = useApi<IncrementalityReport>('/v1/incrementality');
  if (report.error && !report.data) return (<><TopBar title={t('incrementality.title')} filters={false} /><ErrorState error={report.error} onRetry={report.reload} what={t('incrementality.failed')} /></>);
  if (!report.data) return (<><TopBar title={t('incrementality.title')} filters={false} /><SkeletonBlock height={240} /></>);
  const { channels, campaigns } = report.data;
  const measured = channels.filter((c) => c.factor !== null);
  return (
    <>
      <TopBar title={t('incrementality.title')} filters={false} />
      <p className="muted">{t('incrementality.intro')}</p>
      {campaigns.length === 0 ? (
        <EmptyState title={t('incrementality.empty')}>{t('incrementality.emptyHint')}</EmptyState>
      ) : (
        <>
          <section className="card" data-testid="incrementality-factors">
            <h2>{t('incrementality.factors')}</h2>
            {measured.length === 0 && <p className="muted">{t('incrementality.noFactor')}</p>}
            <div className="incrementality-channels">
              {measured.map((c) => (
                <ChannelCard key={c.channel} c={c} onApplied={report.reload} />
              ))}
            </div>
          </section>
          <section className="card" data-testid="incrementality-campaigns">
            <h2>{t('incrementality.campaigns')}</h2>
            <div className="table-wrap">
              <table className="table incrementality-table">
                <thead>
                  <tr>
                    <th>{t('incrementality.campaign')}</th>
                    <th>{t('incrementality.channel')}</th>
                    <th className="num">{t('incrementality.attributed')}</th>
                    <th className="num">{t('incrementality.incremental')}</th>
                    <th className="num">{t('incrementality.ownFactor')}</th>
                    <th>{t('incrementality.used')}</th>
                  </tr>
                </thead>
                <tbody>
                  {campaigns.map((c) => (
                    <tr key={c.campaignId} data-testid="incrementality-campaign">
                      <td><Link to={`/campaigns/${encodeURIComponent(c.campaignId)}`}>{c.name}</Link></td>
                      <td>{t(`channel.${c.channel}`)}</td>
                      <td className="num">{f.money(c.attributedRevenueMinor)}</td>
                      <td className="num">{c.incrementalRevenueMinor ? f.money(Math.round(c.incrementalRevenueMinor.estimate)) : '—'}</td>
                      <td className="num">{c.factor ? `${f.percent(c.factor.estimate)} (${f.percent(c.factor.low)} – ${f.percent(c.factor.high)})` : '—'}</td>
                      <td>{c.pooled ? t('incrementality.pooled') : c.reason ?? t('incrementality.notPooled')}</td>
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

function ChannelCard({ c, onApplied }: { c: Channel; onApplied: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { session } = useSession();
  const [state, setState] = useState<'idle' | 'saving' | 'done' | string>('idle');
  const factor = c.factor!;
  const s = c.suggestion;
  const apply = async () => {
    if (!s) return;
    setState('saving');
    try {
      await api.put('/v1/attribution/settings', { windowsHours: { [c.channel]: s.windowsHours } });
      setState('done');
      onApplied();
    } catch (e) {
      setState((e as Error).message);
    }
  };
  return (
    <div className="incrementality-channel" data-testid={`incrementality-${c.channel}`}>
      <h3>{t(`channel.${c.channel}`)}</h3>
      <p className="figure-value" data-testid="incrementality-factor">{f.percent(factor.estimate)}</p>
      <p className="muted">
        {t('incrementality.interval', { low: f.percent(factor.low), high: f.percent(factor.high), n: factor.campaigns })}
      </p>
      {s && (
        <div className="incrementality-suggestion" data-testid="incrementality-suggestion">
          <p>{t('incrementality.suggestion', { window: windowLabel(s.windowHours, t), revenue: f.money(s.revenueWithinMinor), incremental: f.money(Math.round(s.incrementalMinor)) })}</p>
          {session?.user.role === 'owner' && (
            <button type="button" className="btn" onClick={apply} disabled={state === 'saving' || state === 'done'} data-testid="incrementality-apply">
              {state === 'done' ? t('incrementality.applied') : t('incrementality.apply')}
            </button>
          )}
          {state !== 'idle' && state !== 'saving' && state !== 'done' && <p className="error" role="alert">{state}</p>}
        </div>
      )}
    </div>
  );
}

function windowLabel(hours: number, t: (k: string, o?: Record<string, unknown>) => string): string {
  return hours % 24 === 0 ? t('incrementality.days', { count: hours / 24 }) : t('incrementality.hours', { count: hours });
}
