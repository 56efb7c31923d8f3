// The campaign page, in UI.md's order: header, template, deliverability, not sent by reason, engagement, clicks
// per link, conversions and money, funnel, goals, variants, recipients.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { RecipientAttributionDrawer } from '../components/AttributionDrawer';
import { CampaignBudgetLine } from '../components/CampaignBudget';
import { ChannelTag } from '../components/CampaignTable';
import { Goals, LiftCard, Variants } from '../components/Experiments';
import { FigureItem, formatFigure } from '../components/Figure';
import { Funnel } from '../components/Funnel';
import { Pager, useCursor } from '../components/Pager';
import { StatusPill } from '../components/StatusPill';
import { TemplatePreview } from '../components/Template';
import { TopBar } from '../components/Shell';
import { api, ApiError } from '../api';
import { EmptyState, ErrorState, SkeletonBlock, SkeletonCards } from '../components/States';
import { useApi, useFormat, useSession } from '../hooks';
import { Link, useQueryState } from '../router';
import { RECIPIENT_STATUSES, type CampaignReport, type FigureName, type Figures, type Page, type Recipient, type ReferenceRange } from '../types';

function Section({ id, title, children, testid }: { id: string; title: string; children: ReactNode; testid?: string }) {
  return (
    <section className="card" aria-labelledby={`${id}-title`} id={id} data-testid={testid ?? `section-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

export function CampaignPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const report = useApi<CampaignReport>(`/v1/campaigns/${encodeURIComponent(id)}`);
  const [, setQuery] = useQueryState();
  const recipientsRef = useRef<HTMLDivElement>(null);

  if (report.error && !report.data) {
    return (
      <>
        <TopBar title={t('nav.campaigns')} filters={false} />
        {report.error.status === 404 ? (
          <EmptyState title={t('campaign.notFound')}>
            <Link to="/campaigns">{t('campaign.backToList')}</Link>
          </EmptyState>
        ) : (
          <ErrorState error={report.error} onRetry={report.reload} what={t('campaign.failed')} />
        )}
      </>
    );
  }
  if (!report.data) {
    return (
      <>
        <TopBar title={<span className="skeleton skeleton-text" />} filters={false} />
        <SkeletonBlock height={240} />
        <SkeletonCards count={4} />
      </>
    );
  }
  const { campaign, figures, notSent, flagged, links, funnel, reference, goals, variants, feedback, incrementality } = report.data;
  const ref = (name: string) => reference.find((r) => r.figure === name);
  // "Not yet processed" is a status (pending), not a stored reason: filter the recipients by that status.
  const filterReason = (reason: string) => {
    setQuery(reason === 'pending' ? { reason: null, rstatus: 'pending' } : { reason, rstatus: null });
    recipientsRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  return (
    <>
      <CampaignHeader report={report.data} onChanged={report.reload} />

      <Section id="template" title={t('campaign.template')}>
        {campaign.template?.content ? (
          <TemplatePreview template={campaign.template} channel={campaign.channel} />
        ) : (
          <p className="muted">{t('campaign.noTemplate')}</p>
        )}
      </Section>

      <Section id="deliverability" title={t('campaign.deliverability')}>
        <dl className="figures">
          <FigureItem name="audience" value={figures.audience} />
          <FigureItem name="sent" value={figures.sent} sub={<RateOf f="sendRate" figures={figures} />} />
          <FigureItem name="delivered" value={figures.delivered} sub={<RateOf f="deliveryRate" figures={figures} />} />
          <FigureItem name="undelivered" value={figures.undelivered} sub={<RateOf f="undeliveredRate" figures={figures} />} />
          <FigureItem
            name="bounces"
            value={(figures.bouncesSoft ?? 0) + (figures.bouncesHard ?? 0)}
            sub={
              <>
                {t('campaign.softHard', { soft: figures.bouncesSoft ?? 0, hard: figures.bouncesHard ?? 0 })} · <RateOf f="bounceRate" figures={figures} />
              </>
            }
          />
          <FigureItem
            name="unsubscribed"
            value={figures.unsubscribed}
            sub={<RateOf f="unsubscribeRate" figures={figures} />}
            reference={ref('unsubscribeRate')}
          />
          <FigureItem name="noLongerReachable" value={figures.noLongerReachable} />
          <FigureItem name="abuseReports" value={figures.abuseReports} sub={<RateOf f="abuseRate" figures={figures} />} />
        </dl>
      </Section>

      <Section id="not-sent" title={t('campaign.notSent')}>
        {notSent.length === 0 ? (
          <p className="muted">{t('campaign.allSent')}</p>
        ) : (
          <ul className="reasons" data-testid="not-sent">
            {notSent.map((r) => (
              <li key={r.reason}>
                <button type="button" className="reason" onClick={() => filterReason(r.reason)} data-testid={`not-sent-${r.reason}`}>
                  <span>{t(`reason.${r.reason}`, { defaultValue: r.reason })}</span>
                  <NumCount n={r.count} />
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section id="engagement" title={t('campaign.engagement')}>
        <dl className="figures">
          <FigureItem name="opened" value={figures.opened} sub={<RateOf f="openRate" figures={figures} />} reference={ref('openRate')} />
          <FigureItem name="totalOpens" value={figures.totalOpens} />
          <FigureItem name="opensPerOpener" value={figures.opensPerOpener} />
          <FigureItem name="clicked" value={figures.clicked} sub={<RateOf f="clickRate" figures={figures} />} reference={ref('clickRate')} />
          <FigureItem name="totalClicks" value={figures.totalClicks} />
          <FigureItem name="clicksPerClicker" value={figures.clicksPerClicker} />
          <FigureItem name="clickToOpenRate" value={figures.clickToOpenRate} />
          <FigureItem name="replied" value={figures.replied} sub={<RateOf f="engagementRate" figures={figures} />} />
          <FigureItem name="leads" value={figures.leads} sub={<>{t('figures.cpl')} <Fig k="cpl" figures={figures} /></>} />
          {(campaign.channel === 'mail' || (figures.qrScans ?? 0) > 0) && (
            <FigureItem
              name="qrScans"
              value={figures.qrScans}
              sub={
                <>
                  {t('campaign.scanners', { count: figures.qrScanners ?? 0 })} · <RateOf f="scanRate" figures={figures} />
                </>
              }
            />
          )}
        </dl>
        <FlaggedLine flagged={flagged} figures={figures} />
      </Section>

      <Section id="links" title={t('campaign.links')}>
        {links.length === 0 ? (
          <p className="muted">{t('campaign.noLinks')}</p>
        ) : (
          <LinksTable links={links} />
        )}
      </Section>

      <Section id="conversions" title={t('campaign.conversions')}>
        <dl className="figures">
          <FigureItem
            name="revenue"
            value={figures.revenue}
            sub={
              <span data-testid="direct-influenced">
                {t('campaign.direct')} <Fig k="revenueDirect" figures={figures} /> · {t('campaign.influenced')}{' '}
                <Fig k="revenueInfluenced" figures={figures} />
              </span>
            }
          />
          <FigureItem name="conversions" value={figures.conversions} sub={<RateOf f="orderRate" figures={figures} />} />
          <FigureItem name="revenueNew" value={figures.revenueNew} sub={t('newret.orders', { count: figures.conversionsNew })} />
          <FigureItem name="revenueReturning" value={figures.revenueReturning} sub={t('newret.orders', { count: figures.conversionsReturning })} />
          <FigureItem name="converters" value={figures.converters} />
          <FigureItem name="conversionRate" value={figures.conversionRate} reference={ref('conversionRate')} />
          <FigureItem name="averageOrderValue" value={figures.averageOrderValue} />
          <FigureItem name="itemsPerOrder" value={figures.itemsPerOrder} />
          <FigureItem name="revenuePerRecipient" value={figures.revenuePerRecipient} />
          <FigureItem name="spend" value={figures.spend} />
          <FigureItem name="costPerRecipient" value={figures.costPerRecipient} />
          <FigureItem name="roas" value={figures.roas} reference={ref('roas')} />
          <FigureItem name="roi" value={figures.roi} />
          <FigureItem name="cpa" value={figures.cpa} />
        </dl>
        <p className="muted newret-note" data-testid="newret-note">{t('newret.note')}</p>
        <OtherReferences reference={reference} shown={['openRate', 'clickRate', 'unsubscribeRate', 'conversionRate', 'roas']} />
      </Section>

      {incrementality && <IncrementalSection incrementality={incrementality} />}

      <LiftCard campaignId={campaign.id} />

      {feedback && (
        <Section id="feedback" title={t('feedback.title')}>
          <dl className="figures">
            {(['replies', 'optOuts', 'complaints'] as const).map((k) => (
              <div key={k} className="figure" data-testid={`campaign-feedback-${k}`}>
                <dt>{t(`feedback.counts.${k}`)}</dt>
                <dd className="figure-value">{feedback[k]}</dd>
              </div>
            ))}
          </dl>
          <p>
            <Link to={`/feedback?campaign=${encodeURIComponent(campaign.id)}`} data-testid="campaign-feedback-link">{t('feedback.link')} →</Link>
          </p>
        </Section>
      )}

      <Section id="funnel" title={t('funnel.title')}>
        {funnel.length === 0 ? <p className="muted">{t('funnel.empty')}</p> : <Funnel steps={funnel} channel={campaign.channel} />}
      </Section>

      {goals && goals.length > 0 && (
        <Section id="goals" title={t('campaign.goals')}>
          <Goals goals={goals} />
        </Section>
      )}

      {variants && variants.length > 0 && (
        <Section id="variants" title={t('campaign.variants')}>
          <Variants campaignId={campaign.id} variants={variants} channel={campaign.channel} />
        </Section>
      )}

      <div ref={recipientsRef}>
        <Section id="recipients" title={t('campaign.recipients')}>
          <Recipients campaignId={campaign.id} />
        </Section>
      </div>
    </>
  );
}

function NumCount({ n }: { n: number }) {
  const f = useFormat();
  return <strong className="num">{f.count(n)}</strong>;
}

function Fig({ k, figures }: { k: FigureName; figures: Figures }) {
  const f = useFormat();
  return <>{formatFigure(f, k, figures[k])}</>;
}

function RateOf({ f: key, figures }: { f: FigureName; figures: Figures }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <span title={t(`figures.${key}`)}>
      {formatFigure(f, key, figures[key])}
      <span className="sr-only"> {t(`figures.${key}`)}</span>
    </span>
  );
}

function CampaignHeader({ report, onChanged }: { report: CampaignReport; onChanged: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { session } = useSession();
  const c = report.campaign;
  const when =
    c.kind === 'automatic'
      ? t('campaign.activatedAt', { date: f.dateTime(c.activatedAt) })
      : t('campaign.sentAt', { date: f.dateTime(c.sendAt) });
  return (
    <header className="topbar campaign-head">
      <div>
        <p className="crumb">
          <Link to="/campaigns">{t('nav.campaigns')}</Link> /
        </p>
        <h1>{c.name}</h1>
        <p className="campaign-meta">
          <ChannelTag channel={c.channel} /> <StatusPill status={c.status} reason={c.statusReason} />{' '}
          <span className="muted num" data-testid="campaign-when">
            {when}
          </span>
        </p>
        {report.budget && (
          <CampaignBudgetLine campaignId={c.id} budget={report.budget} editable={session?.user.role !== 'viewer'} onChanged={onChanged} />
        )}
      </div>
      {session?.user.role !== 'viewer' && (
        <a className="btn" href={`/v1/campaigns/${encodeURIComponent(c.id)}/export.csv`} download data-testid="export-csv">
          <span aria-hidden="true">⤓</span> {t('campaign.export')}
        </a>
      )}
    </header>
  );
}

function FlaggedLine({ flagged, figures }: { flagged: CampaignReport['flagged']; figures: Figures }) {
  const { t } = useTranslation();
  const f = useFormat();
  const opens = flagged.filter((x) => x.kind === 'open');
  const clicks = flagged.filter((x) => x.kind === 'click');
  const machineOpens = figures.machineOpens ?? opens.reduce((s, x) => s + x.count, 0);
  const botClicks = figures.botClicks ?? clicks.reduce((s, x) => s + x.count, 0);
  if (!machineOpens && !botClicks) return null;
  const reasons = (list: typeof flagged) =>
    list.length ? ` (${list.map((x) => `${t(`flag.${x.reason}`, { defaultValue: x.reason })} ${f.count(x.count)}`).join(', ')})` : '';
  return (
    <p className="flagged muted small" data-testid="flagged">
      {t('campaign.flagged')}{' '}
      {t('campaign.machineOpens', { count: machineOpens, n: f.count(machineOpens) })}
      {reasons(opens)} · {t('campaign.botClicks', { count: botClicks, n: f.count(botClicks) })}
      {reasons(clicks)}
    </p>
  );
}

function LinksTable({ links }: { links: CampaignReport['links'] }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="links-table">
        <thead>
          <tr>
            <th scope="col">{t('campaign.link')}</th>
            <th scope="col" className="num-col">{t('figures.totalClicks')}</th>
            <th scope="col" className="num-col">{t('campaign.uniqueClicks')}</th>
          </tr>
        </thead>
        <tbody>
          {links.map((l) => (
            <tr key={l.url}>
              <td className="url">
                <a href={l.url} target="_blank" rel="noreferrer noopener">
                  {l.url}
                </a>
              </td>
              <td className="num num-col">{f.count(l.totalClicks)}</td>
              <td className="num num-col">{f.count(l.uniqueClicks)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OtherReferences({ reference, shown }: { reference: ReferenceRange[]; shown: string[] }) {
  const { t } = useTranslation();
  const f = useFormat();
  const rest = reference.filter((r) => !shown.includes(r.figure));
  if (!rest.length) return null;
  return (
    <ul className="muted small">
      {rest.map((r) => (
        <li key={r.figure}>
          {t(`figures.${r.figure}`, { defaultValue: r.figure })}: {formatFigure(f, r.figure, r.value)} ·{' '}
          {r.position ? t(`reference.${r.position}`) : ''} {formatFigure(f, r.figure, r.low)}–{formatFigure(f, r.figure, r.high)}
        </li>
      ))}
    </ul>
  );
}

function Recipients({ campaignId }: { campaignId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [q, setQuery] = useQueryState();
  const status = q.rstatus ?? '';
  const reason = q.reason ?? '';
  const search = q.q ?? '';
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);
  // Search as the user types, without a request per keystroke.
  useEffect(() => {
    if (draft === search) return;
    const timer = setTimeout(() => setQuery({ q: draft.trim() || null }), 350);
    return () => clearTimeout(timer);
  }, [draft, search, setQuery]);
  const cursor = useCursor([status, reason, search]);
  // A person's data: analysts and owners may export it, owners erase it (docs/PRIVACY.md).
  const { session } = useSession();
  const role = session?.user.role;
  const canExport = role === 'analyst' || role === 'owner';
  const [notice, setNotice] = useState<string | null>(null);
  const [explained, setExplained] = useState<string | null>(null);
  const erase = async (r: Recipient) => {
    if (!r.contactId || !window.confirm(t('recipients.eraseConfirm', { recipient: r.recipient }))) return;
    try {
      const done = await api.delete<{ messages: number }>(`/v1/contacts/${encodeURIComponent(r.contactId)}`);
      setNotice(t('recipients.erased', { count: done.messages }));
      page.reload();
    } catch (err) {
      setNotice(err instanceof ApiError ? err.message : String(err));
    }
  };
  const page = useApi<Page<Recipient>>(`/v1/campaigns/${encodeURIComponent(campaignId)}/recipients`, {
    status,
    reason,
    q: search,
    limit: 50,
    cursor: cursor.current,
  });
  return (
    <>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ q: draft.trim() || null });
        }}
      >
        <label className="select-label">
          <span>{t('recipients.status')}</span>{' '}
          <select value={status} onChange={(e) => setQuery({ rstatus: e.target.value || null })} data-testid="recipients-status">
            <option value="">{t('recipients.allStatuses')}</option>
            {RECIPIENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`recipientStatus.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="search">
          <span className="sr-only">{t('recipients.search')}</span>
          <input
            type="search"
            placeholder={t('recipients.search')}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            data-testid="recipients-search"
          />
        </label>
        {reason && (
          <button type="button" className="chip" onClick={() => setQuery({ reason: null })} data-testid="reason-chip">
            {t(`reason.${reason}`, { defaultValue: reason })} <span aria-hidden="true">×</span>
            <span className="sr-only">{t('recipients.clearReason')}</span>
          </button>
        )}
      </form>
      {notice && (
        <p className="muted" role="status" data-testid="recipients-notice">
          {notice}
        </p>
      )}
      {page.error && !page.data ? (
        <ErrorState error={page.error} onRetry={page.reload} />
      ) : !page.data ? (
        <div className="skeleton" style={{ height: 200 }} />
      ) : page.data.items.length === 0 ? (
        <p className="muted">{status || reason || search ? t('recipients.noneMatch') : t('recipients.none')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="recipients-table" aria-busy={page.loading}>
              <thead>
                <tr>
                  <th scope="col">{t('recipients.recipient')}</th>
                  <th scope="col">{t('recipients.status')}</th>
                  <th scope="col">{t('recipients.reason')}</th>
                  <th scope="col">{t('recipients.sentAt')}</th>
                  <th scope="col">{t('recipients.deliveredAt')}</th>
                  <th scope="col">{t('recipients.openedAt')}</th>
                  <th scope="col">{t('recipients.clickedAt')}</th>
                  <th scope="col" className="num-col">{t('recipients.opens')}</th>
                  <th scope="col" className="num-col">{t('recipients.clicks')}</th>
                  {canExport && <th scope="col">{t('recipients.person')}</th>}
                  <th scope="col">{t('explain.ordersColumn')}</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((r) => (
                  <tr key={r.messageId}>
                    <td className="nowrap">
                      {r.recipient.startsWith('erased:') ? (
                        <span className="muted" title={r.recipient}>{t('recipients.erasedPerson')}</span>
                      ) : r.contactId ? (
                        <Link to={`/contacts/${encodeURIComponent(r.contactId)}`} title={t('contact.viewPerson')} data-testid="contact-link">
                          {r.recipient}
                        </Link>
                      ) : (
                        r.recipient
                      )}
                    </td>
                    <td>{t(`recipientStatus.${r.status}`, { defaultValue: r.status })}</td>
                    <td>
                      {r.failureReason ? t(`reason.${r.failureReason}`, { defaultValue: r.failureReason }) : ''}
                      {r.failureCode ? <span className="muted"> ({r.failureCode})</span> : null}
                    </td>
                    <td className="num nowrap">{r.sentAt ? f.dateTime(r.sentAt) : ''}</td>
                    <td className="num nowrap">{r.deliveredAt ? f.dateTime(r.deliveredAt) : ''}</td>
                    <td className="num nowrap">{r.openedAt ? f.dateTime(r.openedAt) : ''}</td>
                    <td className="num nowrap">{r.clickedAt ? f.dateTime(r.clickedAt) : ''}</td>
                    <td className="num num-col">{f.count(r.opens)}</td>
                    <td className="num num-col">{f.count(r.clicks)}</td>
                    {canExport && (
                      <td className="nowrap">
                        {r.contactId && !r.recipient.startsWith('erased:') && (
                          <>
                            <a href={`/v1/contacts/${encodeURIComponent(r.contactId)}/export`} download data-testid="contact-export">
                              {t('recipients.export')}
                            </a>
                            {role === 'owner' && (
                              <>
                                {' '}
                                <button type="button" className="btn btn-small btn-quiet" onClick={() => void erase(r)} data-testid="contact-erase">
                                  {t('recipients.erase')}
                                </button>
                              </>
                            )}
                          </>
                        )}
                      </td>
                    )}
                    <td>
                      {r.contactId && !r.recipient.startsWith('erased:') && (
                        <button type="button" className="btn btn-small btn-quiet" title={t('explain.openHelp')} onClick={() => setExplained(r.messageId)} data-testid="recipient-explain">
                          {t('explain.open')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager cursor={cursor} nextCursor={page.data.nextCursor} />
          {explained && <RecipientAttributionDrawer messageId={explained} onClose={() => setExplained(null)} />}
        </>
      )}
    </>
  );
}

/** Incremental revenue and ROAS beside the attributed ones, labelled by where they come from (docs/STATISTICS.md). */
function IncrementalSection({ incrementality }: { incrementality: NonNullable<CampaignReport['incrementality']> }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { source, incrementalRevenueMinor: revenue, incrementalRoas: roas, factor } = incrementality;
  return (
    <Section id="incrementality" title={t('incrementality.section')}>
      <p className="incrementality-source" data-testid="incrementality-source" data-source={source}>
        {t(`incrementality.source_${source}`)}
        {factor && source === 'channel_factor' ? ` (${f.percent(factor.estimate)})` : ''}
      </p>
      {revenue && (
        <dl className="figures">
          <div className="figure" data-testid="incremental-revenue">
            <dt>{t('incrementality.revenue')}</dt>
            <dd className="figure-value">{f.money(Math.round(revenue.estimate))}</dd>
            <dd className="muted">{f.money(Math.round(revenue.low))} – {f.money(Math.round(revenue.high))}</dd>
          </div>
          <div className="figure" data-testid="incremental-roas">
            <dt>{t('incrementality.roas')}</dt>
            <dd className="figure-value">{f.multiple(roas?.estimate)}</dd>
            {roas && <dd className="muted">{f.multiple(roas.low)} – {f.multiple(roas.high)}</dd>}
          </div>
        </dl>
      )}
      <p>
        <Link to="/incrementality" data-testid="incrementality-link">{t('incrementality.link')} →</Link>
      </p>
    </Section>
  );
}
