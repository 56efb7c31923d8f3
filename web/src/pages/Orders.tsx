// Orders: the orders of the period, newest first, with who bought, the revenue Mesure counts, refunds, the contact
// they matched and the campaigns credited (GET /v1/orders); and the "compare models" view: revenue per campaign
// under each attribution model side by side (GET /v1/attribution/compare). Orders in a currency no rate converts
// are reported apart, never added to the account's revenue.
import { useMemo, useState } from 'react';
import { AttributionDrawer } from '../components/AttributionDrawer';
import { DeclaredView } from '../components/Declared';
import { useTranslation } from 'react-i18next';
import { ChannelTag } from '../components/CampaignTable';
import { Pager, useCursor } from '../components/Pager';
import { TopBar, usePeriod } from '../components/Shell';
import { EmptyState, ErrorState, SkeletonBlock } from '../components/States';
import { useApi, useFormat, useSession } from '../hooks';
import { Link, useQueryState } from '../router';
import type { CampaignListItem, CompareReport, OrderItem, Overview, Page } from '../types';
import { DOCS } from './Home';

const ORDERS_DOCS = 'https://github.com/mesure/mesure/blob/main/docs/ATTRIBUTION.md';

/** Campaign names by id, for the credits and the comparison (one page of up to 1,000 campaigns). */
function useCampaignNames(): Map<string, CampaignListItem> {
  const list = useApi<Page<CampaignListItem>>('/v1/campaigns', { limit: 1000 });
  return useMemo(() => new Map((list.data?.items ?? []).map((c) => [c.id, c])), [list.data]);
}

export function Orders() {
  const { t } = useTranslation();
  const [q, setQuery] = useQueryState();
  const view = q.view === 'compare' || q.view === 'declared' ? q.view : 'list';
  return (
    <>
      <TopBar title={t('nav.orders')} filters="period" />
      <div className="segmented view-switch" role="group" aria-label={t('orders.views')}>
        <button type="button" aria-pressed={view === 'list'} data-testid="orders-view-list" onClick={() => setQuery({ view: null })}>
          {t('orders.list')}
        </button>
        <button type="button" aria-pressed={view === 'compare'} data-testid="orders-view-compare" onClick={() => setQuery({ view: 'compare' })}>
          {t('orders.compare')}
        </button>
        <button type="button" aria-pressed={view === 'declared'} data-testid="orders-view-declared" onClick={() => setQuery({ view: 'declared' })}>
          {t('orders.declared')}
        </button>
      </div>
      {view === 'list' ? <OrdersList /> : view === 'compare' ? <CompareModels /> : <DeclaredSection />}
    </>
  );
}

function DeclaredSection() {
  return <DeclaredView campaigns={useCampaignNames()} />;
}

function OrdersList() {
  const { t } = useTranslation();
  const f = useFormat();
  const { from, to } = usePeriod();
  const cursor = useCursor([from, to]);
  const page = useApi<Page<OrderItem>>('/v1/orders', { from, to, limit: 50, cursor: cursor.current });
  const names = useCampaignNames();
  const [explained, setExplained] = useState<OrderItem | null>(null);
  if (page.error && !page.data) return <ErrorState error={page.error} onRetry={page.reload} what={t('orders.failed')} />;
  if (!page.data) return <SkeletonBlock height={320} />;
  if (page.data.items.length === 0 && cursor.page === 1) return <HowOrdersComeIn />;
  return (
    <section className="card" aria-labelledby="orders-title" data-testid="orders">
      <h2 id="orders-title">{t('orders.ofPeriod', { from: f.day(from), to: f.day(to) })}</h2>
      <div className="table-wrap">
        <table className="table orders" data-testid="orders-table" aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">{t('orders.time')}</th>
              <th scope="col">{t('orders.order')}</th>
              <th scope="col">{t('orders.customer')}</th>
              <th scope="col" className="num-col">{t('orders.revenue')}</th>
              <th scope="col">{t('orders.refunds')}</th>
              <th scope="col">{t('orders.matched')}</th>
              <th scope="col">{t('orders.credited', { model: t(`settings.models.${page.data.items[0]?.attribution.model ?? 'last_touch'}`) })}</th>
            </tr>
          </thead>
          <tbody>
            {page.data.items.map((o) => (
              <tr key={o.id} data-testid="order-row" data-order={o.externalId}>
                <td className="num nowrap">{f.dateTime(o.orderedAt)}</td>
                <td className="nowrap">
                  {o.name ?? o.externalId}
                  <span className="muted small"> · {t(`orders.source.${o.source}`, { defaultValue: o.source })}</span>
                  {o.name && o.name !== o.externalId && <div className="muted small">{o.externalId}</div>}
                </td>
                <td className="nowrap">
                  {customerOf(o) ?? <span className="muted">{t('orders.noCustomer')}</span>}
                  {o.declaredSource && (
                    <div className="muted small declared-said" data-testid="order-declared">
                      {t('declared.said')} <q>{o.declaredSource.text}</q>
                    </div>
                  )}
                </td>
                <td className="num num-col nowrap" data-testid="order-revenue">
                  {f.money(o.revenue, o.revenueCurrency)}
                  {!o.converted && (
                    <div>
                      <span className="pill pill-warn small" title={t('orders.apartHelp')}>
                        {t('orders.apart')}
                      </span>
                    </div>
                  )}
                </td>
                <td className="nowrap">
                  {o.cancelledAt ? (
                    <span className="pill pill-bad">{t('orders.cancelled')}</span>
                  ) : o.refunded > 0 ? (
                    <span className="num">−{f.money(o.refunded, o.currency)}</span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {o.matchedBy ? t(`orders.key.${o.matchedBy}`, { defaultValue: o.matchedBy }) : <span className="muted">{t('orders.unmatched')}</span>}
                </td>
                <td>
                  {o.attribution.credits.length === 0 ? (
                    <span className="muted">{t('orders.noCredit')}</span>
                  ) : (
                    <ul className="credits">
                      {o.attribution.credits.map((c) => (
                        <li key={`${c.campaignId}-${c.messageId}`}>
                          <Link to={`/campaigns/${encodeURIComponent(c.campaignId)}`}>{names.get(c.campaignId)?.name ?? c.campaignId}</Link>{' '}
                          <span className="muted small num">
                            {o.attribution.credits.length > 1 && `${f.percent(c.weight)} · `}
                            {t(`orders.kind.${c.kind}`, { defaultValue: c.kind })}
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                  <button type="button" className="btn btn-small btn-quiet" title={t('explain.openHelp')} onClick={() => setExplained(o)} data-testid="order-explain">
                    {t('explain.open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager cursor={cursor} nextCursor={page.data.nextCursor} />
      {explained && <AttributionDrawer orderId={explained.id} declared={explained.declaredSource} onClose={() => setExplained(null)} />}
    </section>
  );
}

function customerOf(o: OrderItem): string | null {
  return o.customer?.email ?? o.customer?.phone ?? (o.customer?.externalId ? `#${o.customer.externalId}` : null);
}

/** The empty state: the three ways orders come in. */
function HowOrdersComeIn() {
  const { t } = useTranslation();
  const { session } = useSession();
  const owner = session?.user.role === 'owner';
  const shopify = useApi<{ configured: boolean; webhookUrl: string }>(owner ? '/v1/shopify/secret' : null);
  const accountId = session?.account.id ?? '<account>';
  const url = shopify.data?.webhookUrl ?? `${window.location.origin}/webhooks/shopify/${accountId}`;
  return (
    <section className="card" data-testid="orders-empty">
      <EmptyState title={t('orders.none')} docs={ORDERS_DOCS}>
        <p>{t('orders.noneHelp')}</p>
        <ol className="ways">
          <li>
            <strong>{t('orders.wayShopify')}</strong> {t('orders.wayShopifyHelp')}
            <br />
            <code className="url" data-testid="shopify-url">
              {url}
            </code>
          </li>
          <li>
            <strong>{t('orders.wayCsv')}</strong> {t('orders.wayCsvHelp')}
            <br />
            <code className="url">mesure orders import orders.csv --account {accountId}</code>
            <br />
            <code className="url">POST /v1/orders/import (Content-Type: text/csv)</code>
          </li>
          <li>
            <strong>{t('orders.wayApi')}</strong> {t('orders.wayApiHelp')}
            <br />
            <code className="url">POST /v1/orders {'{ "orders": [{ "id", "createdAt", "currency", "total", "customer": { "email" } }] }'}</code>
          </li>
        </ol>
        <p>
          <a href={DOCS} target="_blank" rel="noreferrer">
            {t('empty.docs')}
          </a>
        </p>
      </EmptyState>
    </section>
  );
}

function CompareModels() {
  const { t } = useTranslation();
  const f = useFormat();
  const { from, to } = usePeriod();
  const report = useApi<CompareReport>('/v1/attribution/compare', { from, to });
  const overview = useApi<Overview>('/v1/overview', { from, to });
  const names = useCampaignNames();
  if (report.error && !report.data) return <ErrorState error={report.error} onRetry={report.reload} what={t('orders.compareFailed')} />;
  if (!report.data) return <SkeletonBlock height={320} />;
  const r = report.data;
  const main = r.campaigns.filter((c) => c.currency === r.currency).sort((a, b) => b.byModel[r.accountModel].revenue - a.byModel[r.accountModel].revenue);
  const apart = r.campaigns.filter((c) => c.currency !== r.currency);
  const unconverted = overview.data?.unconvertedOrders ?? [];
  const total = (m: string) => main.reduce((s, c) => s + c.byModel[m as keyof typeof c.byModel].revenue, 0);
  const label = (id: string, slug: string | null) => names.get(id)?.name ?? slug ?? id;
  return (
    <>
      <section className="card" aria-labelledby="compare-title" data-testid="compare">
        <h2 id="compare-title">{t('orders.compareTitle', { from: f.day(r.period.from), to: f.day(r.period.to) })}</h2>
        <p className="muted small">{t('orders.compareHelp', { orders: f.count(r.orders), model: t(`settings.models.${r.accountModel}`) })}</p>
        {main.length === 0 ? (
          <p className="muted">{t('orders.compareEmpty')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table compare" data-testid="compare-table">
              <thead>
                <tr>
                  <th scope="col">{t('campaigns.campaign')}</th>
                  {r.models.map((m) => (
                    <th key={m} scope="col" className={`num-col${m === r.accountModel ? ' current-model' : ''}`} data-testid={`compare-head-${m}`}>
                      {t(`settings.models.${m}`)}
                      {m === r.accountModel && <span className="muted small"> ({t('orders.yours')})</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {main.map((c) => (
                  <tr key={c.campaignId} data-testid={`compare-row-${c.campaignId}`}>
                    <th scope="row">
                      <Link to={`/campaigns/${encodeURIComponent(c.campaignId)}`}>{label(c.campaignId, c.slug)}</Link>{' '}
                      {c.channel && <ChannelTag channel={c.channel} />}
                    </th>
                    {r.models.map((m) => (
                      <td
                        key={m}
                        className={`num num-col${m === r.accountModel ? ' current-model' : ''}`}
                        data-testid={`compare-${c.campaignId}-${m}`}
                        title={t('orders.conversionsTitle', { n: f.decimal(c.byModel[m].weightedConversions, 2), orders: f.count(c.byModel[m].conversions) })}
                      >
                        {f.money(c.byModel[m].revenue, c.currency)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('orders.total')}</th>
                  {r.models.map((m) => (
                    <td key={m} className={`num num-col${m === r.accountModel ? ' current-model' : ''}`}>
                      <strong>{f.money(total(m), r.currency)}</strong>
                    </td>
                  ))}
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </section>
      {(apart.length > 0 || unconverted.length > 0) && (
        <section className="card" aria-labelledby="apart-title" data-testid="reported-apart">
          <h2 id="apart-title">{t('orders.apartTitle')}</h2>
          <p className="muted small">{t('orders.apartHelp')}</p>
          {unconverted.length > 0 && (
            <ul className="plain-list">
              {unconverted.map((u) => (
                <li key={u.currency} className="num">
                  {t('orders.apartLine', { count: u.orders, n: f.count(u.orders), amount: f.money(u.revenueMinor, u.currency) })}
                </li>
              ))}
            </ul>
          )}
          {apart.length > 0 && (
            <div className="table-wrap">
              <table className="table compare">
                <thead>
                  <tr>
                    <th scope="col">{t('campaigns.campaign')}</th>
                    {r.models.map((m) => (
                      <th key={m} scope="col" className="num-col">
                        {t(`settings.models.${m}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {apart.map((c) => (
                    <tr key={`${c.campaignId}-${c.currency}`}>
                      <th scope="row">{label(c.campaignId, c.slug)}</th>
                      {r.models.map((m) => (
                        <td key={m} className="num num-col">
                          {f.money(c.byModel[m].revenue, c.currency)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </>
  );
}
