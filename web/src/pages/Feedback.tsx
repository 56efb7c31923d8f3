// Feedback: what recipients wrote back (replies, opt-out words such as STOP, complaints), newest first, filtered by
// campaign, channel, kind and keyword (kept in the URL, so the campaign page links to its own), loaded a page at a time.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { TopBar } from '../components/Shell';
import { ErrorState, SkeletonBlock } from '../components/States';
import { useApi, useFormat, useSession } from '../hooks';
import { Link, useQueryState } from '../router';
import { CHANNELS, type CampaignListItem, type FeedbackItem, type FeedbackPage } from '../types';

const KINDS = ['reply', 'opt_out', 'complaint'] as const;
const PAGE_SIZE = 50;
const KIND_PILL: Record<string, string> = { reply: 'pill-accent', opt_out: 'pill-warn', complaint: 'pill-bad' };

/** The list's filters as the export's query string. */
function exportQuery(filters: Record<string, string | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

export function Feedback() {
  const { t } = useTranslation();
  const f = useFormat();
  const { session } = useSession();
  const [query, setQuery] = useQueryState();
  const campaign = query.campaign || null;
  const channel = (CHANNELS as string[]).includes(query.channel ?? '') ? query.channel : null;
  const kind = (KINDS as readonly string[]).includes(query.kind ?? '') ? query.kind : null;
  const [keyword, setKeyword] = useState(query.q ?? '');
  // The keyword reaches the URL (and the server) once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((query.q ?? '') !== keyword.trim()) setQuery({ q: keyword.trim() || null });
    }, 300);
    return () => clearTimeout(timer);
  }, [keyword, query.q, setQuery]);
  const filters = { campaign, channel, kind, q: query.q || null };
  const first = useApi<FeedbackPage>('/v1/feedback', { limit: PAGE_SIZE, ...filters });
  const campaigns = useApi<{ items: CampaignListItem[] }>('/v1/campaigns', { limit: 1000 });
  // Pages after the first, for these filters only.
  const key = JSON.stringify(filters);
  const [more, setMore] = useState<{ key: string; items: FeedbackItem[]; next: string | null; loading: boolean; error: string | null }>({ key, items: [], next: null, loading: false, error: null });
  const extra = more.key === key ? more : { key, items: [], next: null, loading: false, error: null };
  const next = extra.items.length ? extra.next : first.data?.nextCursor ?? null;
  const loadMore = async () => {
    if (!next) return;
    setMore({ ...extra, loading: true, error: null });
    try {
      const page = await api.get<FeedbackPage>('/v1/feedback', { limit: PAGE_SIZE, ...filters, cursor: next });
      setMore({ key, items: [...extra.items, ...page.items], next: page.nextCursor, loading: false, error: null });
    } catch (e) {
      setMore({ ...extra, loading: false, error: (e as Error).message });
    }
  };
  const items = [...(first.data?.items ?? []), ...extra.items];
  const counts = first.data?.counts;
  const campaignName = campaign ? campaigns.data?.items.find((c) => c.id === campaign)?.name ?? campaign : null;

  return (
    <>
      <TopBar
        title={t('feedback.title')}
        filters={false}
        actions={
          // The export holds the texts: for analysts and owners, as every export of personal data.
          session?.user.role !== 'viewer' && (
            <a className="btn" href={`/v1/feedback/export.csv${exportQuery(filters)}`} download data-testid="feedback-export">
              <span aria-hidden="true">⤓</span> {t('feedback.export')}
            </a>
          )
        }
      />
      <p className="muted">{campaignName ? t('feedback.introCampaign', { name: campaignName }) : t('feedback.intro')}</p>
      <div className="filters feedback-filters" data-testid="feedback-filters">
        <label className="field">
          <span>{t('feedback.campaign')}</span>
          <select value={campaign ?? ''} onChange={(e) => setQuery({ campaign: e.target.value || null })} data-testid="feedback-campaign">
            <option value="">{t('feedback.allCampaigns')}</option>
            {campaign && !campaigns.data?.items.some((c) => c.id === campaign) && <option value={campaign}>{campaign}</option>}
            {(campaigns.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('channel.label')}</span>
          <select value={channel ?? ''} onChange={(e) => setQuery({ channel: e.target.value || null })} data-testid="feedback-channel">
            <option value="">{t('channel.all')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('feedback.kind')}</span>
          <select value={kind ?? ''} onChange={(e) => setQuery({ kind: e.target.value || null })} data-testid="feedback-kind">
            <option value="">{t('feedback.allKinds')}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`feedback.kinds.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('feedback.keyword')}</span>
          <input type="search" value={keyword} maxLength={200} onChange={(e) => setKeyword(e.target.value)} placeholder={t('feedback.keywordPlaceholder')} data-testid="feedback-keyword" />
        </label>
      </div>

      {counts && (
        <dl className="figures feedback-counts" data-testid="feedback-counts">
          {(['replies', 'optOuts', 'complaints'] as const).map((k) => (
            <div key={k} className="figure" data-testid={`feedback-count-${k}`}>
              <dt>{t(`feedback.counts.${k}`)}</dt>
              <dd className="figure-value">{f.count(counts[k])}</dd>
            </div>
          ))}
        </dl>
      )}

      {first.error ? (
        <ErrorState error={first.error} onRetry={first.reload} />
      ) : !first.data ? (
        <SkeletonBlock height={240} />
      ) : items.length === 0 ? (
        <p className="muted" data-testid="feedback-empty">{t('feedback.none')}</p>
      ) : (
        <section className="card" aria-busy={first.loading || extra.loading}>
          <ul className="feedback-list" data-testid="feedback-list">
            {items.map((i, n) => (
              <li key={`${i.messageId}-${i.at}-${n}`} className="feedback-item" data-testid="feedback-item" data-kind={i.kind}>
                <div className="feedback-meta">
                  <span className={`pill ${KIND_PILL[i.kind] ?? 'pill-neutral'}`}>{t(`feedback.kinds.${i.kind}`)}</span>
                  <span className="nowrap">{f.dateTime(i.at)}</span>
                  <span>{t(`channel.${i.channel}`)}</span>
                  <Link to={`/campaigns/${i.campaign.id}`}>{i.campaign.name ?? i.campaign.id}</Link>
                  {i.recipient && <span className="muted">{i.recipient}</span>}
                </div>
                <p className="feedback-text" data-testid="feedback-text">{i.text ?? <span className="muted">{t(i.kind === 'complaint' ? 'feedback.noText' : 'feedback.erased')}</span>}</p>
              </li>
            ))}
          </ul>
          {extra.error && <p className="form-error" role="alert">{extra.error}</p>}
          {next && (
            <button type="button" className="btn" onClick={loadMore} disabled={extra.loading} data-testid="feedback-more">
              {extra.loading ? t('feedback.loading') : t('feedback.more')}
            </button>
          )}
        </section>
      )}
    </>
  );
}
