// The campaigns list: every campaign with its status, filtered by channel and status, sorted by the API,
// paginated with the API's cursor.
import { useTranslation } from 'react-i18next';
import { CampaignTable } from '../components/CampaignTable';
import { Pager, useCursor } from '../components/Pager';
import { TopBar, usePeriod } from '../components/Shell';
import { ErrorState } from '../components/States';
import { useApi } from '../hooks';
import { useQueryState } from '../router';
import type { CampaignListItem, Page } from '../types';
import { NoCampaignYet } from './Home';

const STATUSES = ['sending', 'scheduled', 'paused', 'completed', 'stopped', 'draft'];

export function Campaigns() {
  const { t } = useTranslation();
  const { channel } = usePeriod();
  const [q, setQuery] = useQueryState();
  const sort = q.sort ?? '-sendAt';
  const status = q.status ?? '';
  const cursor = useCursor([sort, status, channel ?? '']);
  const list = useApi<Page<CampaignListItem>>('/v1/campaigns', { limit: 50, sort, status, channel, cursor: cursor.current });
  return (
    <>
      <TopBar title={t('nav.campaigns')} />
      <section className="card">
        <div className="card-head">
          <label className="select-label">
            <span>{t('campaigns.status')}</span>{' '}
            <select value={status} onChange={(e) => setQuery({ status: e.target.value || null })} data-testid="status-filter">
              <option value="">{t('campaigns.allStatuses')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {list.error && !list.data ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.data ? (
          <div className="skeleton" style={{ height: 240 }} />
        ) : list.data.items.length === 0 ? (
          status || channel ? (
            <p className="muted">{t('campaigns.noneMatch')}</p>
          ) : (
            <NoCampaignYet />
          )
        ) : (
          <>
            <CampaignTable
              items={list.data.items}
              sort={sort}
              showStatus
              onSort={(s) => setQuery({ sort: s === '-sendAt' ? null : s })}
            />
            <Pager cursor={cursor} nextCursor={list.data.nextCursor} />
          </>
        )}
      </section>
    </>
  );
}
