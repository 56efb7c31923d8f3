// Home: the eight KPI cards, the unpaid invoice warning, the budget card, sends and revenue per day, and the
// latest campaigns. Each block loads on its own so one slow figure never blanks the page.
import { useTranslation } from 'react-i18next';
import { BudgetCard } from '../components/BudgetCard';
import { CampaignTable } from '../components/CampaignTable';
import { DailyChart } from '../components/DailyChart';
import { InvoiceWarning } from '../components/InvoiceWarning';
import { KpiCard, type ValueKind } from '../components/KpiCard';
import { TopBar, usePeriod } from '../components/Shell';
import { EmptyState, ErrorState, SkeletonBlock, SkeletonCards } from '../components/States';
import { useApi, useSession } from '../hooks';
import { Link, useQueryState } from '../router';
import { KPI_KEYS, REVENUE_DATES, type Budget, type CampaignListItem, type DayFigures, type KpiKey, type Overview, type Page, type RevenueDate, type UnpaidInvoices } from '../types';

export const KPI_KIND: Record<KpiKey, ValueKind> = {
  ordersImported: 'count',
  messagesSent: 'count',
  spend: 'money',
  conversions: 'count',
  revenue: 'money',
  cpa: 'money',
  conversionRate: 'rate',
  qrScansClicks: 'count',
};

export const DOCS = 'https://github.com/mesure/mesure/blob/main/docs/API.md';

export function Home() {
  const { t } = useTranslation();
  const { from, to, channel } = usePeriod();
  const [q, setQuery] = useQueryState();
  const sort = q.sort ?? '-sendAt';
  // The date credited revenue is counted on, kept in the URL like the period (absent: the send date, KPIS.md's rule).
  const revenueDate: RevenueDate = q.revenueDate === 'order' ? 'order' : 'send';
  const overview = useApi<Overview>('/v1/overview', { from, to, channel, revenueDate });
  const series = useApi<{ days: DayFigures[] }>('/v1/series/daily', { from, to, channel, revenueDate });
  const budget = useApi<Budget>('/v1/budget');
  const invoices = useApi<UnpaidInvoices>('/v1/invoices/unpaid');
  const campaigns = useApi<Page<CampaignListItem>>('/v1/campaigns', { limit: 10, sort, channel });
  const { session } = useSession();
  const currency = overview.data?.currency ?? session?.account.currency ?? 'EUR';

  return (
    <>
      <TopBar title={t('nav.home')} />
      {invoices.data && <InvoiceWarning invoices={invoices.data} />}

      <section aria-label={t('home.kpis')}>
        {overview.error && !overview.data ? (
          <ErrorState error={overview.error} onRetry={overview.reload} what={t('home.kpisFailed')} />
        ) : !overview.data ? (
          <SkeletonCards count={8} />
        ) : (
          <>
            <div className="grid cards">
              {KPI_KEYS.map((k) => (
                <KpiCard key={k} id={k} label={t(`kpi.${k}`)} card={overview.data!.cards[k]} kind={KPI_KIND[k]} />
              ))}
            </div>
            <div className="newret-bar">
              <div className="newret-mer">
                <KpiCard id="mer" label={t('kpi.mer')} card={overview.data.cards.mer} kind="multiple" />
              </div>
              <RevenueDateChoice value={revenueDate} onChange={(v) => setQuery({ revenueDate: v === 'send' ? null : v })} />
            </div>
          </>
        )}
      </section>

      <div className="grid split">
        <div className="col-5">
          {budget.error?.status === 404 ? (
            <section className="card" data-testid="budget-card">
              <h2>{t('budget.title')}</h2>
              <EmptyState title={t('budget.none')}>
                <p>{t('budget.noneHelp')}</p>
              </EmptyState>
            </section>
          ) : budget.error ? (
            <ErrorState error={budget.error} onRetry={budget.reload} what={t('budget.failed')} />
          ) : budget.data ? (
            <BudgetCard budget={budget.data} />
          ) : (
            <SkeletonBlock height={200} />
          )}
        </div>
        <section className="card col-7" aria-labelledby="chart-title">
          <h2 id="chart-title">{t('chart.title')}</h2>
          {series.error && !series.data ? (
            <ErrorState error={series.error} onRetry={series.reload} />
          ) : !series.data ? (
            <div className="skeleton" style={{ height: 280 }} />
          ) : series.data.days.every((d) => d.sent === 0 && d.revenue === 0) ? (
            <EmptyState title={t('chart.empty')} docs={DOCS}>
              <p>{t('empty.sendEvents')}</p>
            </EmptyState>
          ) : (
            <DailyChart days={series.data.days} currency={currency} revenueDate={revenueDate} />
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="latest-title">
        <div className="card-head">
          <h2 id="latest-title">{t('home.latest')}</h2>
          <Link to="/campaigns">{t('home.allCampaigns')}</Link>
        </div>
        {campaigns.error && !campaigns.data ? (
          <ErrorState error={campaigns.error} onRetry={campaigns.reload} />
        ) : !campaigns.data ? (
          <div className="skeleton" style={{ height: 160 }} />
        ) : campaigns.data.items.length === 0 ? (
          <NoCampaignYet />
        ) : (
          <CampaignTable items={campaigns.data.items} sort={sort} onSort={(s) => setQuery({ sort: s === '-sendAt' ? null : s })} />
        )}
      </section>
    </>
  );
}

/** The accounting choice: credited revenue by the send date of the message or by the order date, said in words under the toggle. */
function RevenueDateChoice({ value, onChange }: { value: RevenueDate; onChange: (v: RevenueDate) => void }) {
  const { t } = useTranslation();
  return (
    <div className="newret-basis">
      <div className="newret-choice">
        <span id="newret-basis-label" className="newret-label">{t('newret.basis')}</span>
        <div className="segmented" role="group" aria-labelledby="newret-basis-label">
          {REVENUE_DATES.map((d) => (
            <button
              key={d}
              type="button"
              aria-pressed={d === value}
              data-testid={`revenue-date-${d}`}
              onClick={() => onChange(d)}
            >
              {t(`newret.by.${d}`)}
            </button>
          ))}
        </div>
      </div>
      <p className="muted newret-line" data-testid="revenue-date-line">
        {t(`newret.line.${value}`)} {t('newret.merLine')}
      </p>
    </div>
  );
}

export function NoCampaignYet() {
  const { t } = useTranslation();
  return (
    <EmptyState title={t('empty.noCampaign')} docs={DOCS}>
      <p>{t('empty.noCampaignHelp')}</p>
      <pre className="code">
        POST /v1/campaigns{'\n'}POST /v1/campaigns/{'{id}'}/messages{'\n'}POST /v1/events
      </pre>
      <p>{t('empty.orCsv')}</p>
    </EmptyState>
  );
}
