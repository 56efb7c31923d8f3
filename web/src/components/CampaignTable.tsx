// The campaigns table of the home and campaigns pages: send date, campaign, channel, sent, open rate, revenue,
// ROAS, and revenue of new / returning customers. Sorting is done by the API (`sort`), remembered in the URL; a row opens the campaign (click or Enter).
import { useTranslation } from 'react-i18next';
import { useFormat } from '../hooks';
import { useRouter } from '../router';
import type { CampaignListItem } from '../types';
import { StatusPill } from './StatusPill';

const SORTABLE = ['sendAt', 'sent', 'openRate', 'revenue', 'roas'] as const;
type SortKey = (typeof SORTABLE)[number];

export function CampaignTable({
  items,
  sort,
  onSort,
  showStatus = false,
}: {
  items: CampaignListItem[];
  sort: string;
  onSort: (sort: string) => void;
  showStatus?: boolean;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const { navigate } = useRouter();
  const sortKey = sort.replace(/^-/, '');
  const desc = sort.startsWith('-');
  const header = (key: SortKey, label: string, numeric = true) => {
    const active = sortKey === key;
    return (
      <th scope="col" className={numeric ? 'num-col' : undefined} aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
        <button
          type="button"
          className="sort"
          data-testid={`sort-${key}`}
          onClick={() => onSort(active && desc ? key : `-${key}`)}
        >
          {label}
          <span aria-hidden="true" className="sort-mark">
            {active ? (desc ? ' ▾' : ' ▴') : ''}
          </span>
        </button>
      </th>
    );
  };
  const open = (id: string) => navigate(`/campaigns/${encodeURIComponent(id)}`);
  return (
    <div className="table-wrap">
      <table className="table" data-testid="campaigns-table">
        <thead>
          <tr>
            {header('sendAt', t('campaigns.sendDate'), false)}
            <th scope="col">{t('campaigns.campaign')}</th>
            <th scope="col">{t('campaigns.channel')}</th>
            {showStatus && <th scope="col">{t('campaigns.status')}</th>}
            {header('sent', t('figures.sent'))}
            {header('openRate', t('figures.openRate'))}
            {header('revenue', t('figures.revenue'))}
            {header('roas', t('figures.roas'))}
            <th scope="col" className="num-col newret-col">{t('newret.column')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr
              key={c.id}
              className="row-link"
              tabIndex={0}
              data-testid="campaign-row"
              onClick={() => open(c.id)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') open(c.id);
              }}
            >
              <td className="num nowrap">{c.kind === 'automatic' && !c.sendAt ? f.date(c.activatedAt) : f.date(c.sendAt)}</td>
              <td>
                <a
                  href={`/campaigns/${encodeURIComponent(c.id)}`}
                  tabIndex={-1}
                  onClick={(e) => {
                    if (e.button === 0 && !e.metaKey && !e.ctrlKey) e.preventDefault();
                  }}
                >
                  {c.name}
                </a>
              </td>
              <td>
                <ChannelTag channel={c.channel} />
              </td>
              {showStatus && (
                <td>
                  <StatusPill status={c.status} reason={c.statusReason} />
                </td>
              )}
              <td className="num num-col">{f.count(c.sent)}</td>
              <td className="num num-col">{f.percent(c.openRate)}</td>
              <td className="num num-col">{f.money(c.revenue)}</td>
              <td className="num num-col">{f.multiple(c.roas)}</td>
              <td className="num num-col nowrap newret-col" data-testid="newret-cell" title={t('newret.cellTitle', { count: c.conversionsNew, returning: c.conversionsReturning })}>
                {f.money(c.revenueNew)} / {f.money(c.revenueReturning)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const CHANNEL_ICON: Record<string, string> = { whatsapp: '◍', sms: '✆', email: '@', mail: '✉' };

export function ChannelTag({ channel }: { channel: string }) {
  const { t } = useTranslation();
  return (
    <span className={`channel channel-${channel}`}>
      <span aria-hidden="true">{CHANNEL_ICON[channel] ?? '•'}</span> {t(`channel.${channel}`)}
    </span>
  );
}
