// The frame of every page: a left sidebar (a bottom bar on a phone) and a top bar with the page title, the
// period selector and the channel filter, both kept in the URL query.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { dayIn, lastDays } from '../format';
import { AccountSwitcher } from './Accounts';
import { useSession } from '../hooks';
import { setLang, type Lang } from '../i18n';
import { Link, useQueryState, useRouter } from '../router';
import { CHANNELS } from '../types';

const NAV = [
  { key: 'home', to: '/', icon: '⌂' },
  { key: 'campaigns', to: '/campaigns', icon: '✉' },
  { key: 'journeys', to: '/journeys', icon: '⇢' },
  { key: 'orders', to: '/orders', icon: '▤' },
  { key: 'contacts', to: '/contacts', icon: '☺' },
  { key: 'feedback', to: '/feedback', icon: '✎' },
  { key: 'retention', to: '/retention', icon: '◔' },
  { key: 'incrementality', to: '/incrementality', icon: '±' },
  { key: 'settings', to: '/settings', icon: '⚙' },
] as const;

export function Sidebar() {
  const { t, i18n } = useTranslation();
  const { session, logout } = useSession();
  const { location } = useRouter();
  const canSettings = session?.user.role !== 'viewer';
  const lang = (i18n.language?.startsWith('fr') ? 'fr' : 'en') as Lang;
  const other: Lang = lang === 'fr' ? 'en' : 'fr';
  return (
    <nav className="sidebar" aria-label={t('nav.label')}>
      <div className="brand">Mesure</div>
      <ul className="nav">
        {NAV.filter((n) => n.key !== 'settings' || canSettings).map((n) => {
          const active = n.to === '/' ? location.path === '/' : location.path.startsWith(n.to);
          return (
            <li key={n.key}>
              <Link to={n.to + keepQuery(n.key, location.search)} data-testid={`nav-${n.key}`} aria-current={active ? 'page' : undefined}>
                <span className="nav-icon" aria-hidden="true">
                  {n.icon}
                </span>
                <span className="nav-text">{t(`nav.${n.key}`)}</span>
              </Link>
            </li>
          );
        })}
      </ul>
      <div className="sidebar-foot">
        <AccountSwitcher />
        <div className="sidebar-actions">
          <button
            type="button"
            className="btn btn-small"
            data-testid="lang-switch"
            lang={other}
            aria-label={t('lang.switchTo', { lng: other })}
            onClick={() => setLang(other)}
          >
            {other.toUpperCase()}
          </button>
          <button type="button" className="btn btn-small btn-quiet" data-testid="logout" onClick={() => void logout()}>
            <span aria-hidden="true" className="logout-icon">
              ⎋
            </span>
            <span className="logout-text">{t('nav.logout')}</span>
          </button>
        </div>
      </div>
    </nav>
  );
}

// Period and channel follow the user from page to page; other query keys belong to one page.
function keepQuery(navKey: string, search: string): string {
  if (navKey === 'settings' || navKey === 'contacts') return '';
  const from = new URLSearchParams(search);
  const kept = new URLSearchParams();
  // Orders have no channel: only the period follows the user there.
  for (const k of navKey === 'orders' ? ['period', 'from', 'to'] : ['period', 'from', 'to', 'channel']) {
    const v = from.get(k);
    if (v) kept.set(k, v);
  }
  const qs = kept.toString();
  return qs ? `?${qs}` : '';
}

export const PERIODS = ['7', '30', '90', 'custom'] as const;

/** The period chosen in the URL, as API dates cut in the account's time zone. */
export function usePeriod(): { from: string; to: string; period: string; channel: string | null } {
  const [q] = useQueryState();
  const { session } = useSession();
  const tz = session?.account.timeZone ?? 'UTC';
  const today = dayIn(tz, Date.now());
  const period = PERIODS.includes(q.period as (typeof PERIODS)[number]) ? q.period : '30';
  const channel = q.channel && (CHANNELS as string[]).includes(q.channel) ? q.channel : null;
  if (period === 'custom' && /^\d{4}-\d{2}-\d{2}$/.test(q.from ?? '') && /^\d{4}-\d{2}-\d{2}$/.test(q.to ?? '')) {
    return q.from <= q.to ? { from: q.from, to: q.to, period, channel } : { from: q.to, to: q.from, period, channel };
  }
  const range = lastDays(period === 'custom' ? 30 : Number(period), today);
  return { ...range, period, channel };
}

/** `filters`: the period selector and the channel filter (true), the period alone ('period'), or none (false). */
export function TopBar({ title, filters = true, actions }: { title: ReactNode; filters?: boolean | 'period'; actions?: ReactNode }) {
  const { t } = useTranslation();
  const [, setQuery] = useQueryState();
  const { from, to, period, channel } = usePeriod();
  const [customOpen, setCustomOpen] = useState(period === 'custom');
  return (
    <header className="topbar">
      <h1>{title}</h1>
      {filters && (
        <div className="filters">
          <div className="segmented" role="group" aria-label={t('period.label')}>
            {PERIODS.map((p) => (
              <button
                key={p}
                type="button"
                data-testid={`period-${p}`}
                aria-pressed={period === p}
                onClick={() => {
                  if (p === 'custom') {
                    setCustomOpen(true);
                    setQuery({ period: 'custom', from, to });
                  } else {
                    setCustomOpen(false);
                    setQuery({ period: p === '30' ? null : p, from: null, to: null });
                  }
                }}
              >
                {p === 'custom' ? t('period.custom') : t('period.days', { count: Number(p) })}
              </button>
            ))}
          </div>
          {customOpen && period === 'custom' && (
            <span className="custom-range">
              <label>
                <span className="sr-only">{t('period.from')}</span>
                <input type="date" value={from} max={to} onChange={(e) => e.target.value && setQuery({ from: e.target.value })} />
              </label>
              <span aria-hidden="true">→</span>
              <label>
                <span className="sr-only">{t('period.to')}</span>
                <input
                  type="date"
                  value={to}
                  min={from}
                  onChange={(e) => e.target.value && setQuery({ to: e.target.value })}
                />
              </label>
            </span>
          )}
          {filters !== 'period' && (
          <label className="select-label">
            <span className="sr-only">{t('channel.label')}</span>
            <select data-testid="channel-filter" value={channel ?? ''} onChange={(e) => setQuery({ channel: e.target.value || null })}>
              <option value="">{t('channel.all')}</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`channel.${c}`)}
                </option>
              ))}
            </select>
          </label>
          )}
        </div>
      )}
      {actions && <div className="topbar-actions">{actions}</div>}
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <Sidebar />
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
