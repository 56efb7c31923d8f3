// The data-driven attribution model (docs/ATTRIBUTION.md, "Data-driven model"): its current fit (each channel's
// Shapley share and each campaign's removal-effect share with their 95 % bootstrap intervals), when it was fitted and
// from how many paths and conversions, why a fit was refused, what credits the orders now, and "Refit now".
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Card, Loaded, useAction } from '../components/SettingsParts';
import { useApi, useFormat } from '../hooks';
import type { DataDrivenModel } from '../types';

export function DataDrivenCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const state = useApi<DataDrivenModel>('/v1/attribution/data-driven');
  const action = useAction();
  const refit = async () => {
    if (await action.run(() => api.post('/v1/attribution/data-driven/fit', {}))) state.reload();
  };
  const interval = (w: { share: number; low: number; high: number }) => `${f.percent(w.share)} (${f.percent(w.low)} – ${f.percent(w.high)})`;
  return (
    <Card id="data-driven" title={t('dataDriven.title')}>
      <p className="muted small">{t('dataDriven.help')}</p>
      <Loaded state={state}>
        {(d) => (
          <div className="datadriven-body">
            <p data-testid="datadriven-status">
              {d.status === 'never' ? t('dataDriven.never') : t('dataDriven.fitted', { date: f.dateTime(d.fittedAt), paths: f.count(d.paths), conversions: f.count(d.conversions), from: f.day(d.period?.from), to: f.day(d.period?.to) })}
            </p>
            {d.status === 'insufficient_data' && (
              <p className="notice" role="status" data-testid="datadriven-refused">{t('dataDriven.refused', { conversions: f.count(d.conversions), min: f.count(d.minConversions), fallback: t(`settings.models.${d.fallbackModel}`) })}</p>
            )}
            {d.selected && (
              <p className="muted small" data-testid="datadriven-credited-by">
                {d.creditedBy === 'data_driven' ? t('dataDriven.creditedByFit') : t('dataDriven.creditedByFallback', { model: t(`settings.models.${d.fallbackModel}`) })}
              </p>
            )}
            {d.status === 'fitted' && (
              <div className="datadriven-tables">
                <div className="table-wrap">
                  <table className="table datadriven-channels">
                    <caption className="muted small">{t('dataDriven.channelsCaption')}</caption>
                    <thead><tr><th scope="col">{t('campaigns.channel')}</th><th scope="col">{t('dataDriven.share')}</th></tr></thead>
                    <tbody>
                      {d.channels.map((c) => (
                        <tr key={c.channel}><th scope="row">{t(`channel.${c.channel}`)}</th><td className="num">{interval(c)}</td></tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div className="table-wrap">
                  <table className="table datadriven-campaigns">
                    <caption className="muted small">{t('dataDriven.campaignsCaption')}</caption>
                    <thead><tr><th scope="col">{t('dataDriven.campaign')}</th><th scope="col">{t('dataDriven.removalEffect')}</th><th scope="col">{t('dataDriven.share')}</th></tr></thead>
                    <tbody>
                      {d.campaigns.map((c) => (
                        <tr key={c.campaignId}><th scope="row"><code>{c.campaignId}</code></th><td className="num">{f.percent(c.value)}</td><td className="num">{interval(c)}</td></tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            )}
            {editable && (
              <button type="button" className="btn" onClick={refit} disabled={action.busy} data-testid="datadriven-refit">
                {action.busy ? t('dataDriven.refitting') : t('dataDriven.refit')}
              </button>
            )}
            {action.error && <p className="form-error" role="alert">{action.error}</p>}
          </div>
        )}
      </Loaded>
    </Card>
  );
}
