// Journeys (seed 003): the list of active and paused journeys, and a journey report whose performance cards
// show the figures the user picks (remembered in the URL and in this browser).
import { useTranslation } from 'react-i18next';
import { formatFigure } from '../components/Figure';
import { TopBar } from '../components/Shell';
import { EmptyState, ErrorState, SkeletonBlock, SkeletonCards } from '../components/States';
import { ChannelTag } from '../components/CampaignTable';
import { useApi, useFormat, useSession } from '../hooks';
import { Link, useQueryState, useRouter } from '../router';
import type { FigureName, JourneyListItem, JourneyReport, Page } from '../types';
import { DOCS } from './Home';

export function Journeys() {
  const { t } = useTranslation();
  const f = useFormat();
  const { navigate } = useRouter();
  const list = useApi<Page<JourneyListItem>>('/v1/journeys', { limit: 50 });
  // Until the server knows journeys, its 404 means the same to the user as an empty list.
  const items = list.error?.status === 404 ? [] : list.data?.items;
  return (
    <>
      <TopBar title={t('nav.journeys')} filters={false} />
      <section className="card">
        {list.error && list.error.status !== 404 ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !items ? (
          <SkeletonBlock height={200} />
        ) : items.length === 0 ? (
          <EmptyState title={t('journeys.none')} docs={DOCS}>
            <p>{t('journeys.noneHelp')}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="journeys-table">
              <thead>
                <tr>
                  <th scope="col">{t('journeys.name')}</th>
                  <th scope="col">{t('campaigns.status')}</th>
                  <th scope="col">{t('journeys.channels')}</th>
                  <th scope="col">{t('journeys.startedAt')}</th>
                  <th scope="col" className="num-col">{t('figures.sent')}</th>
                  <th scope="col" className="num-col">{t('figures.openRate')}</th>
                  <th scope="col" className="num-col">{t('figures.clickRate')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((j) => (
                  <tr
                    key={j.id}
                    className="row-link"
                    tabIndex={0}
                    onClick={() => navigate(`/journeys/${encodeURIComponent(j.id)}`)}
                    onKeyDown={(e) => e.key === 'Enter' && navigate(`/journeys/${encodeURIComponent(j.id)}`)}
                  >
                    <td>{j.name}</td>
                    <td>
                      <span className={`pill pill-${j.status === 'active' ? 'good' : 'warn'}`}>{t(`journeys.status.${j.status}`)}</span>
                    </td>
                    <td>{j.channels.map((c) => <ChannelTag key={c} channel={c} />)}</td>
                    <td className="num">{f.date(j.startedAt)}</td>
                    <td className="num num-col">{f.count(j.sent)}</td>
                    <td className="num num-col">{f.percent(j.openRate)}</td>
                    <td className="num num-col">{f.percent(j.clickRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

/** The metrics a journey report can show (seed 003's list, in KPIS.md's words). */
export const JOURNEY_METRICS: FigureName[] = [
  'clickRate', 'clicked', 'clickToOpenRate', 'openRate', 'opened', 'totalClicks', 'totalOpens', 'abuseRate', 'abuseReports',
  'bounceRate', 'bounces', 'delivered', 'deliveryRate', 'sent', 'undelivered', 'undeliveredRate', 'unsubscribeRate',
  'unsubscribed', 'revenuePerRecipient', 'averageOrderValue', 'orderRate', 'conversions', 'revenue',
];
const DEFAULT_METRICS: FigureName[] = ['sent', 'deliveryRate', 'openRate', 'clickRate', 'revenue'];
const METRICS_KEY = 'mesure.journeyMetrics';

function chosenMetrics(fromUrl: string | undefined): FigureName[] {
  const raw = fromUrl ?? globalThis.localStorage?.getItem(METRICS_KEY) ?? '';
  const list = raw.split(',').filter((m): m is FigureName => (JOURNEY_METRICS as string[]).includes(m));
  return list.length ? list : DEFAULT_METRICS;
}

export function JourneyPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { navigate } = useRouter();
  const { session } = useSession();
  const [q, setQuery] = useQueryState();
  const metrics = chosenMetrics(q.metrics);
  const report = useApi<JourneyReport>(`/v1/journeys/${encodeURIComponent(id)}/report`, { metrics: metrics.join(',') });
  const toggle = (m: FigureName) => {
    const next = metrics.includes(m) ? metrics.filter((x) => x !== m) : [...metrics, m];
    const value = next.join(',');
    try {
      globalThis.localStorage?.setItem(METRICS_KEY, value);
    } catch {
      // not persisted: the URL still carries the choice
    }
    setQuery({ metrics: value || null });
  };
  if (report.error && !report.data) {
    return (
      <>
        <TopBar title={t('nav.journeys')} filters={false} />
        {report.error.status === 404 ? (
          <EmptyState title={t('journeys.notFound')}>
            <Link to="/journeys">{t('journeys.backToList')}</Link>
          </EmptyState>
        ) : (
          <ErrorState error={report.error} onRetry={report.reload} />
        )}
      </>
    );
  }
  if (!report.data) {
    return (
      <>
        <TopBar title={t('nav.journeys')} filters={false} />
        <SkeletonCards count={5} />
      </>
    );
  }
  const r = report.data;
  return (
    <>
      <TopBar
        title={r.journey.name}
        filters={false}
        actions={
          session?.user.role !== 'viewer' && (
            <a className="btn" href={`/v1/journeys/${encodeURIComponent(id)}/export.csv`} download data-testid="journey-export-csv">
              <span aria-hidden="true">⤓</span> {t('campaign.export')}
            </a>
          )
        }
      />
      <section className="card" aria-labelledby="jperf">
        <div className="card-head">
          <h2 id="jperf">{t('journeys.performance')}</h2>
          <details className="metric-picker">
            <summary className="btn btn-small">{t('journeys.chooseMetrics')}</summary>
            <fieldset>
              <legend className="sr-only">{t('journeys.chooseMetrics')}</legend>
              {JOURNEY_METRICS.map((m) => (
                <label key={m} className="check">
                  <input type="checkbox" checked={metrics.includes(m)} onChange={() => toggle(m)} /> {t(`figures.${m}`)}
                </label>
              ))}
            </fieldset>
          </details>
        </div>
        <div className="grid cards">
          {metrics.map((m) => (
            <div className="card kpi" key={m} data-testid={`journey-metric-${m}`}>
              <div className="kpi-label">{t(`figures.${m}`)}</div>
              <div className="kpi-value num">{formatFigure(f, m, r.metrics[m])}</div>
            </div>
          ))}
        </div>
      </section>
      {r.channels.length > 0 && (
        <section className="card" aria-labelledby="jchan">
          <h2 id="jchan">{t('journeys.byChannel')}</h2>
          {r.channels.map((c) => (
            <details key={c.channel} open={r.channels.length === 1}>
              <summary>
                <ChannelTag channel={c.channel} />
              </summary>
              <dl className="figures">
                {Object.entries(c.figures).map(([k, v]) => (
                  <div className="figure" key={k}>
                    <dt>{t(`figures.${k}`, { defaultValue: k })}</dt>
                    <dd className="num">{formatFigure(f, k, v)}</dd>
                  </div>
                ))}
              </dl>
            </details>
          ))}
        </section>
      )}
      <section className="card" aria-labelledby="jmsg">
        <h2 id="jmsg">{t('journeys.messages')}</h2>
        {r.messages.length === 0 ? (
          <p className="muted">{t('journeys.noMessages')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('campaigns.campaign')}</th>
                  <th scope="col">{t('campaigns.channel')}</th>
                  <th scope="col" className="num-col">{t('figures.sent')}</th>
                  <th scope="col" className="num-col">{t('figures.openRate')}</th>
                  <th scope="col" className="num-col">{t('figures.clickRate')}</th>
                </tr>
              </thead>
              <tbody>
                {r.messages.map((m) => (
                  <tr
                    key={m.campaignId}
                    className="row-link"
                    tabIndex={0}
                    onClick={() => navigate(`/campaigns/${encodeURIComponent(m.campaignId)}`)}
                    onKeyDown={(e) => e.key === 'Enter' && navigate(`/campaigns/${encodeURIComponent(m.campaignId)}`)}
                  >
                    <td>{m.name}</td>
                    <td><ChannelTag channel={m.channel} /></td>
                    <td className="num num-col">{f.count(m.sent)}</td>
                    <td className="num num-col">{f.percent(m.openRate)}</td>
                    <td className="num num-col">{f.percent(m.clickRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
