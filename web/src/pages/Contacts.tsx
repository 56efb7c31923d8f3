// Contacts (issue #18): a search by exact e-mail, phone or external id (GET /v1/contacts?q=), and the contact page:
// who the person is (identifiers, opt-out and suppression badges), their lifetime figures as cards, and their
// timeline across channels grouped by day, newest first, with "load more" (GET /v1/contacts/{id} and …/timeline).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { ChannelTag } from '../components/CampaignTable';
import { TopBar } from '../components/Shell';
import { EmptyState, ErrorState, SkeletonBlock, SkeletonCards } from '../components/States';
import { dayIn } from '../format';
import { useApi, useFormat } from '../hooks';
import { Link, useQueryState } from '../router';
import type { components } from '../api-types';

type ContactDetail = components['schemas']['ContactDetail'];
type Contact = components['schemas']['Contact'];
type TimelinePage = components['schemas']['ContactTimeline'];
type TimelineItem = TimelinePage['items'][number];

const DOCS = 'https://github.com/mesure/mesure/blob/main/docs/DASHBOARD.md#contact-page';

/** A person's name, else their first identifier. */
function displayName(c: Contact): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return name || c.email || c.phone || c.externalId || c.id;
}

export function Contacts() {
  const { t } = useTranslation();
  const [q, setQuery] = useQueryState();
  const search = q.q ?? '';
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);
  const found = useApi<{ items: Contact[]; nextCursor: string | null }>(search ? '/v1/contacts' : null, { q: search, limit: 20 });
  return (
    <>
      <TopBar title={t('nav.contacts')} filters={false} />
      <section className="card" aria-labelledby="contacts-search-title">
        <h2 id="contacts-search-title">{t('contact.searchTitle')}</h2>
        <form
          className="toolbar"
          role="search"
          data-testid="contacts-search"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ q: draft.trim() || null });
          }}
        >
          <label className="search">
            <span className="sr-only">{t('contact.searchLabel')}</span>
            <input type="search" placeholder={t('contact.searchLabel')} value={draft} onChange={(e) => setDraft(e.target.value)} data-testid="contacts-q" />
          </label>
          <button type="submit" className="btn btn-primary">
            {t('contact.find')}
          </button>
        </form>
        <p className="muted">{t('contact.searchHelp')}</p>
        {!search ? null : found.error && !found.data ? (
          <ErrorState error={found.error} onRetry={found.reload} />
        ) : !found.data ? (
          <div className="skeleton" style={{ height: 60 }} />
        ) : found.data.items.length === 0 ? (
          <p data-testid="contacts-none">{t('contact.noneFound', { q: search })}</p>
        ) : (
          <ul className="contact-results" data-testid="contacts-results">
            {found.data.items.map((c) => (
              <li key={c.id}>
                <Link to={`/contacts/${encodeURIComponent(c.id)}`}>{displayName(c)}</Link>{' '}
                <span className="muted">{[c.email, c.phone].filter(Boolean).join(' · ')}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function ContactPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const detail = useApi<ContactDetail>(`/v1/contacts/${encodeURIComponent(id)}`);
  if (detail.error && !detail.data) {
    return (
      <>
        <TopBar title={t('contact.title')} filters={false} />
        {detail.error.status === 404 ? (
          <div data-testid="contact-missing">
            <EmptyState title={t('contact.missing')} docs={DOCS}>
              <p>{t('contact.missingHelp')}</p>
              <Link to="/contacts">{t('contact.searchTitle')}</Link>
            </EmptyState>
          </div>
        ) : (
          <ErrorState error={detail.error} onRetry={detail.reload} what={t('contact.failed')} />
        )}
      </>
    );
  }
  if (!detail.data) {
    return (
      <>
        <TopBar title={t('contact.title')} filters={false} />
        <SkeletonCards count={4} />
        <SkeletonBlock height={300} />
      </>
    );
  }
  const d = detail.data;
  return (
    <>
      <TopBar title={<span data-testid="contact-name">{displayName(d.contact)}</span>} filters={false} />
      <ContactHeader detail={d} />
      <Lifetime detail={d} />
      <Timeline id={id} />
    </>
  );
}

function ContactHeader({ detail }: { detail: ContactDetail }) {
  const { t } = useTranslation();
  const f = useFormat();
  const c = detail.contact;
  const address = c.address as { line1?: string; line2?: string; postalCode?: string; city?: string; country?: string } | null;
  const rows: [string, string | null][] = [
    [t('contact.email'), c.email],
    [t('contact.phone'), c.phone],
    [t('contact.externalId'), c.externalId],
    [t('contact.address'), address ? [address.line1, address.line2, [address.postalCode, address.city].filter(Boolean).join(' '), address.country].filter(Boolean).join(', ') : null],
  ];
  return (
    <section className="card contact-head" aria-label={t('contact.who')} data-testid="contact-header">
      <dl className="contact-ids">
        {rows.filter(([, v]) => v).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <div className="contact-badges" data-testid="contact-badges">
        {detail.optOuts.length === 0 && detail.suppressions.length === 0 && <span className="pill pill-good">{t('contact.reachable')}</span>}
        {detail.optOuts.map((o) => (
          <span key={o.channel} className="pill pill-bad" data-testid={`optout-${o.channel}`} title={o.source ?? undefined}>
            {t('contact.optedOut', { channel: t(`channel.${o.channel}`), date: f.date(o.at) })}
            {o.reason ? ` · ${t(`contact.reason.${o.reason}`, { defaultValue: o.reason })}` : ''}
          </span>
        ))}
        {detail.suppressions.map((s) => (
          <span key={`${s.channel}|${s.address}`} className="pill pill-warn" data-testid={`suppressed-${s.channel}`} title={s.source}>
            {t('contact.suppressed', { channel: t(`channel.${s.channel}`), reason: t(`contact.reason.${s.reason}`, { defaultValue: s.reason }) })}
          </span>
        ))}
      </div>
    </section>
  );
}

function Lifetime({ detail }: { detail: ContactDetail }) {
  const { t } = useTranslation();
  const f = useFormat();
  const l = detail.lifetime;
  const card = (id: string, label: string, value: string, sub?: string) => (
    <div className="card kpi" data-testid={`lifetime-${id}`}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value num" data-testid="kpi-value">
        {value}
      </div>
      {sub && <div className="kpi-trend muted">{sub}</div>}
    </div>
  );
  return (
    <div className="grid cards" aria-label={t('contact.lifetime')}>
      {card('orders', t('contact.orders'), f.count(l.orders), l.lastOrderAt ? t('contact.lastOrder', { date: f.date(l.lastOrderAt) }) : t('contact.noOrder'))}
      {card(
        'revenue',
        t('contact.revenue'),
        f.money(l.revenue, l.currency),
        l.unconverted.length ? t('contact.unconverted', { amounts: l.unconverted.map((u) => f.money(u.revenue, u.currency)).join(', ') }) : undefined,
      )}
      {card('credited', t('contact.credited'), f.money(l.creditedRevenue, l.currency), t(`contact.model.${detail.attributionModel}`, { defaultValue: detail.attributionModel }))}
      {card(
        'engaged',
        t('contact.lastEngaged'),
        l.lastEngagedAt ? f.date(l.lastEngagedAt) : '—',
        l.firstEngagedAt ? t('contact.firstEngaged', { date: f.date(l.firstEngagedAt) }) : t('contact.neverEngaged'),
      )}
      <div className="card contact-channels" data-testid="lifetime-channels">
        <div className="kpi-label">{t('contact.messages')}</div>
        {l.channels.length === 0 ? (
          <p className="muted">{t('contact.noMessage')}</p>
        ) : (
          <ul>
            {l.channels.map((c) => (
              <li key={c.channel}>
                <ChannelTag channel={c.channel} /> <span className="num">{t('contact.channelCounts', { count: c.messages, sent: f.count(c.sent), engaged: f.count(c.engaged) })}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function Timeline({ id }: { id: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [items, setItems] = useState<TimelineItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [state, setState] = useState<'loading' | 'idle' | 'more'>('loading');
  const [error, setError] = useState<ApiError | null>(null);
  const load = useCallback(
    async (cursor: string | null) => {
      setState(cursor ? 'more' : 'loading');
      setError(null);
      try {
        const page = await api.get<TimelinePage>(`/v1/contacts/${encodeURIComponent(id)}/timeline`, { limit: 25, cursor });
        setItems((prev) => (cursor ? [...prev, ...page.items] : page.items));
        setNext(page.nextCursor);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e)));
      } finally {
        setState('idle');
      }
    },
    [id],
  );
  useEffect(() => {
    void load(null);
  }, [load]);
  // Grouped by day in the account's time zone, in the API's order (newest first).
  const days: { day: string; items: TimelineItem[] }[] = [];
  for (const item of items) {
    const day = dayIn(f.timeZone, Date.parse(item.at));
    if (days.length === 0 || days[days.length - 1].day !== day) days.push({ day, items: [] });
    days[days.length - 1].items.push(item);
  }
  return (
    <section className="card" aria-labelledby="timeline-title" data-testid="timeline">
      <h2 id="timeline-title">{t('contact.timeline')}</h2>
      {state === 'loading' && items.length === 0 ? (
        <div className="skeleton" style={{ height: 200 }} />
      ) : items.length === 0 && !error ? (
        <p className="muted">{t('contact.emptyTimeline')}</p>
      ) : (
        days.map((g) => (
          <div key={g.day} className="timeline-day" data-testid="timeline-day">
            <h3>{f.day(g.day)}</h3>
            <ol className="timeline">
              {g.items.map((i) => (
                <li key={`${i.kind}|${i.id}`} className={`timeline-item timeline-${i.kind}`} data-testid="timeline-item" data-kind={i.kind}>
                  <span className="timeline-time num">{new Intl.DateTimeFormat(f.locale, { timeZone: f.timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(i.at))}</span>
                  <div className="timeline-body">
                    <ItemBody item={i} />
                  </div>
                </li>
              ))}
            </ol>
          </div>
        ))
      )}
      {error && <ErrorState error={error} onRetry={() => void load(items.length ? next : null)} what={t('contact.timelineFailed')} />}
      {next && !error && (
        <button type="button" className="btn" disabled={state !== 'idle'} onClick={() => void load(next)} data-testid="timeline-more">
          {state === 'more' ? t('contact.loading') : t('contact.more')}
        </button>
      )}
    </section>
  );
}

function CampaignLink({ c }: { c: NonNullable<TimelineItem['campaign']> }) {
  return (
    <>
      <ChannelTag channel={c.channel} /> <Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{c.name ?? c.id}</Link>
    </>
  );
}

function ItemBody({ item: i }: { item: TimelineItem }) {
  const { t } = useTranslation();
  const f = useFormat();
  switch (i.kind) {
    case 'message': {
      const m = i.message!;
      const times = (
        [['deliveredAt', m.deliveredAt], ['openedAt', m.openedAt], ['clickedAt', m.clickedAt], ['repliedAt', m.repliedAt], ['scannedAt', m.scannedAt]] as const
      ).filter(([, v]) => v);
      return (
        <>
          <div>
            {t(m.sentAt ? 'contact.item.sent' : 'contact.item.registered')} <CampaignLink c={i.campaign!} />{' '}
            <span className="pill pill-neutral">{t(`recipientStatus.${m.status}`, { defaultValue: m.status })}</span>
          </div>
          {times.length > 0 && (
            <div className="muted">{times.map(([k, v]) => `${t(`contact.item.${k}`)} ${f.dateTime(v)}`).join(' · ')}</div>
          )}
          {(m.failureReason || m.notSentReason) && (
            <div className="muted">{t(`reason.${m.failureReason ?? m.notSentReason}`, { defaultValue: m.failureReason ?? m.notSentReason ?? '' })}</div>
          )}
        </>
      );
    }
    case 'click':
    case 'scan':
      return (
        <>
          <div>
            {t(`contact.item.${i.kind}`)} <CampaignLink c={i.campaign!} />
            {i.machine && <span className="pill pill-warn pill-small" title={i.flagReason ?? undefined}>{t('contact.item.bot')}</span>}
          </div>
          {i.url && <div className="muted break">{i.url}</div>}
        </>
      );
    case 'reply':
      return (
        <>
          <div>
            {t('contact.item.reply')} <CampaignLink c={i.campaign!} />
          </div>
          {i.text && <blockquote className="reply-text">{i.text}</blockquote>}
        </>
      );
    case 'optOut':
      return (
        <div>
          <span className="pill pill-bad pill-small">{t(`contact.reason.${i.reason}`, { defaultValue: i.reason ?? '' })}</span> <CampaignLink c={i.campaign!} />
        </div>
      );
    case 'order': {
      const o = i.order!;
      return (
        <>
          <div>
            {t('contact.item.order', { name: o.name ?? o.externalId })} <strong className="num">{f.money(o.revenue, o.revenueCurrency)}</strong>
            {o.cancelledAt && <span className="pill pill-neutral pill-small">{t('orders.cancelled')}</span>}
          </div>
          {o.credits.length === 0 ? (
            <div className="muted">{t('contact.item.noCredit')}</div>
          ) : (
            <ul className="credits">
              {o.credits.map((c) => (
                <li key={c.campaign.id}>
                  <CampaignLink c={c.campaign} /> <span className="num">{f.money(c.revenue, c.currency)}</span>{' '}
                  <span className="muted">({t(`contact.touch.${c.kind}`, { defaultValue: c.kind })})</span>
                </li>
              ))}
            </ul>
          )}
        </>
      );
    }
  }
}
