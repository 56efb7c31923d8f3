// The campaign page's goals, A/B variants and true lift, from the shapes of src/services/goals.ts and
// experiments.ts: a winner is named only when the test says it is significant; intervals and p-values shown as given.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Formatter } from '../format';
import { useApi, useFormat } from '../hooks';
import type { AbMetric, Channel, Estimate, FigureName, Goal, Lift, LiftVerdict, Variant, VariantComparison, VariantsReport } from '../types';
import { formatFigure } from './Figure';
import { ErrorState, SkeletonBlock } from './States';

/** A goal's value in its unit (money in minor units, rates as fractions, ratios such as ROAS, counts). */
export function goalValue(f: Formatter, g: Pick<Goal, 'unit' | 'metric'>, v: number | null | undefined): string {
  if (g.unit === 'money') return f.money(v);
  if (g.unit === 'rate') return f.percent(v);
  if (g.unit === 'ratio') return g.metric === 'roas' ? f.multiple(v) : g.metric === 'roi' ? f.percent(v) : f.decimal(v, 2);
  return formatFigure(f, g.metric, v);
}

export function Goals({ goals }: { goals: Goal[] }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <ul className="goals" data-testid="goals">
      {goals.map((g) => {
        const progress = g.progress === null ? null : Math.max(0, Math.min(1, g.progress));
        const sign = g.comparator === '<=' ? '≤' : '≥';
        return (
          <li key={g.id} className="goal" data-testid={`goal-${g.id}`}>
            <div className="goal-head">
              <strong>{g.name}</strong>
              {g.achieved ? (
                <span className="pill pill-good">✓ {t('goal.reached')}</span>
              ) : (
                <span className="pill">{t('goal.inProgress')}</span>
              )}
            </div>
            <p className="num goal-line">
              {g.kind === 'segment' ? (
                <span data-testid="goal-value">
                  {t('goal.segmentProgress', { value: f.count(g.value), target: f.count(g.target) })}
                </span>
              ) : (
                <>
                  <span data-testid="goal-value">{goalValue(f, g, g.value)}</span>{' '}
                  <span className="muted">
                    · {t('goal.target')} {sign} <span data-testid="goal-target">{goalValue(f, g, g.target)}</span>
                  </span>
                </>
              )}{' '}
              · <span data-testid="goal-progress">{f.percent(g.progress)}</span>
            </p>
            <div
              className="progress"
              role="progressbar"
              aria-label={g.name}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress === null ? undefined : Math.round(progress * 100)}
            >
              <span className={g.achieved ? 'done' : undefined} style={{ width: `${(progress ?? 0) * 100}%` }} />
            </div>
            {g.kind === 'segment' && (
              <p className="muted small num">
                {t('goal.segmentDetail', { start: f.count(g.membersAtStart ?? null), remaining: f.count(g.remaining ?? null) })}
              </p>
            )}
            {!g.achieved && g.firstAchievedDate && (
              <p className="muted small">{t('goal.reachedOnce', { date: f.day(g.firstAchievedDate) })}</p>
            )}
            {g.achieved && (g.firstAchievedDate || g.achievedAt) && (
              <p className="muted small">
                {t('goal.reachedOn', { date: g.firstAchievedDate ? f.day(g.firstAchievedDate) : f.date(g.achievedAt) })}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

const VARIANT_FIGURES: FigureName[] = ['audience', 'sent', 'delivered', 'openRate', 'clickRate', 'converters', 'conversionRate', 'revenue', 'revenuePerRecipient'];
const AB_ORDER: AbMetric[] = ['openRate', 'clickRate', 'conversionRate', 'revenuePerRecipient'];

/** A p-value as statisticians write it: "p = 0.042", "p < 0.001" below a thousandth. */
function pValue(f: Formatter, p: number | null): string {
  if (p === null) return 'p = —';
  if (p < 0.001) return `p < ${f.decimal(0.001, 3)}`;
  return `p = ${f.decimal(p, 3)}`;
}

/** Money that may be negative (a difference, an interval bound), with a typographic minus. */
function signedMoney(f: Formatter, minor: number, currency?: string): string {
  return minor < 0 ? `−${f.money(Math.abs(minor), currency)}` : f.money(minor, currency);
}

/** A difference in the metric's unit: percentage points for rates, money for revenue per recipient. */
function difference(f: Formatter, t: (k: string, o?: Record<string, unknown>) => string, metric: AbMetric, v: number | null): string {
  if (v === null) return '—';
  if (metric === 'revenuePerRecipient') return `${v > 0 ? '+' : v < 0 ? '−' : ''}${f.money(Math.abs(v))}`;
  const pts = f.decimal(Math.abs(v) * 100, 1);
  return t('variants.points', { value: `${v > 0 ? '+' : v < 0 ? '−' : ''}${pts}` });
}

export function Variants({ campaignId, variants, channel }: { campaignId: string; variants: Variant[]; channel: Channel }) {
  const { t } = useTranslation();
  const f = useFormat();
  // SMS and letters have no open signal: their open rate is no figure (KPIS.md), so neither row nor test shows it.
  const noOpens = channel === 'sms' || channel === 'mail';
  const figures = VARIANT_FIGURES.filter((k) => !(noOpens && k === 'openRate'));
  const report = useApi<VariantsReport>(`/v1/campaigns/${encodeURIComponent(campaignId)}/variants`);
  const names = new Map(variants.map((v) => [v.variant, v.name || v.variant]));
  return (
    <>
      <div className="table-wrap">
        <table className="table" data-testid="variants">
          <thead>
            <tr>
              <th scope="col">{t('campaign.figure')}</th>
              {variants.map((v) => (
                <th scope="col" key={v.variant} className="num-col" data-testid={`variant-head-${v.variant}`}>
                  {v.name || v.variant}
                  {v.isControl && <span className="pill pill-small">{t('variants.control')}</span>}
                  {v.split !== null && <span className="muted small"> · {f.percent(v.split)}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {figures.filter((k) => variants.some((v) => v.figures[k] !== undefined)).map((k) => (
              <tr key={k} data-testid={`variant-row-${k}`}>
                <th scope="row">{t(`figures.${k}`)}</th>
                {variants.map((v) => (
                  <td key={v.variant} className="num num-col" data-testid={`variant-${v.variant}-${k}`}>
                    {formatFigure(f, k, v.figures[k])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3 className="subhead">{t('variants.tests')}</h3>
      {report.error && !report.data ? (
        <ErrorState error={report.error} onRetry={report.reload} />
      ) : !report.data ? (
        <SkeletonBlock height={80} />
      ) : report.data.tests.length === 0 ? (
        <p className="muted">{t('variants.oneVariant')}</p>
      ) : (
        <ul className="ab-tests" data-testid="ab-tests">
          {AB_ORDER.filter((m) => !(noOpens && m === 'openRate'))
            .map((metric) => report.data!.tests.find((x) => x.metric === metric))
            .filter((x): x is VariantsReport['tests'][number] => !!x)
            .map((test) => (
              <li key={test.metric} className="ab-test" data-testid={`ab-${test.metric}`}>
                <p>
                  <strong>{t(`figures.${test.metric}`)}</strong>{' '}
                  <span data-testid="ab-verdict" data-verdict={test.verdict}>
                    {test.verdict === 'winner' ? (
                      <span className="pill pill-good">★ {t('variants.winner', { name: names.get(test.winner!) ?? test.winner })}</span>
                    ) : test.verdict === 'not_enough_data' ? (
                      <span className="pill pill-warn">{t('variants.notEnough')}</span>
                    ) : (
                      <span className="pill">{t('variants.noDifference')}</span>
                    )}
                  </span>
                  {test.correction === 'holm' && <span className="muted small"> {t('variants.holm')}</span>}
                </p>
                <ul className="plain-list small">
                  {test.comparisons.map((c) => (
                    <Comparison key={c.variant.id} c={c} metric={test.metric} names={names} />
                  ))}
                </ul>
              </li>
            ))}
        </ul>
      )}
      {report.data && report.data.unassigned > 0 && (
        <p className="muted small">{t('variants.unassigned', { n: f.count(report.data.unassigned) })}</p>
      )}
    </>
  );
}

function Comparison({ c, metric, names }: { c: VariantComparison; metric: AbMetric; names: Map<string, string> }) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const value = (v: number | null) => (metric === 'revenuePerRecipient' ? f.money(v) : f.percent(v));
  return (
    <li data-testid={`ab-${metric}-${c.variant.id}`}>
      <span className="num">
        {names.get(c.variant.id) ?? c.variant.id} {value(c.variant.value)} {t('variants.vs')} {names.get(c.control.id) ?? c.control.id}{' '}
        {value(c.control.value)}
      </span>
      {c.verdict === 'not_enough_data' ? (
        <span className="muted">
          {' '}
          — {i18n.language.startsWith('en') && c.reason ? c.reason : t('variants.notEnoughWhy')}
        </span>
      ) : (
        <span className="muted num">
          {' '}
          — {t('variants.difference')} {difference(f, t, metric, c.difference)} ({t('variants.ci', { level: Math.round(c.confidence * 100) })} [
          {difference(f, t, metric, c.low)} ; {difference(f, t, metric, c.high)}]) · {pValue(f, c.pValue)}
          {c.relativeLift !== null && <> · {t('variants.relative')} {f.signedPercent(c.relativeLift)}</>}
          {c.probabilityToBeatControl !== null && <> · {t('variants.pBeat', { p: f.percent(c.probabilityToBeatControl) })}</>}
        </span>
      )}
    </li>
  );
}

function Interval({ e, fmt }: { e: Estimate | null; fmt: (v: number) => string }) {
  const { t } = useTranslation();
  if (!e) return <>—</>;
  return (
    <>
      <span data-testid="estimate">{fmt(e.estimate)}</span>{' '}
      <span className="muted small nowrap">{t('lift.interval', { low: fmt(e.low), high: fmt(e.high) })}</span>
    </>
  );
}

function verdictPill(t: (k: string) => string, v: LiftVerdict): ReactNode {
  const tone = v === 'positive' ? 'pill-good' : v === 'negative' ? 'pill-bad' : v === 'not_enough_data' ? 'pill-warn' : '';
  return <span className={`pill ${tone}`}>{t(`lift.verdict.${v}`)}</span>;
}

/** True lift against the holdout, next to the attributed revenue; shown only when the campaign has a holdout. */
export function LiftCard({ campaignId }: { campaignId: string }) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const lift = useApi<Lift>(`/v1/campaigns/${encodeURIComponent(campaignId)}/lift`);
  const l = lift.data;
  if (lift.error && !l) return lift.error.status === 404 ? null : <ErrorState error={lift.error} onRetry={lift.reload} />;
  if (!l || (l.holdoutShare === 0 && l.holdout.n === 0)) return null;
  const money = (v: number) => signedMoney(f, Math.round(v), l.currency);
  return (
    <section className="card" aria-labelledby="lift-title" id="lift" data-testid="section-lift">
      <h2 id="lift-title">{t('lift.title')}</h2>
      <p className="muted small">
        {t(l.holdoutOf === 'journey' ? 'lift.aboutJourney' : 'lift.about', { share: f.percent(l.holdoutShare), days: f.count(l.windowDays) })}
      </p>
      {l.status === 'not_enough_data' && (
        <p className="notice" data-testid="lift-not-enough">
          {t('lift.notEnough')} {i18n.language.startsWith('en') && l.reason ? <span className="muted">({l.reason})</span> : null}
        </p>
      )}
      <div className="table-wrap">
        <table className="table" data-testid="lift-groups">
          <thead>
            <tr>
              <th scope="col" />
              <th scope="col" className="num-col">{t('lift.treated')}</th>
              <th scope="col" className="num-col">{t('lift.holdout')}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t('lift.contacts')}</th>
              <td className="num num-col" data-testid="lift-treated-n">{f.count(l.treated.n)}</td>
              <td className="num num-col" data-testid="lift-holdout-n">{f.count(l.holdout.n)}</td>
            </tr>
            <tr>
              <th scope="row">{t('figures.converters')}</th>
              <td className="num num-col">{f.count(l.treated.converters)}</td>
              <td className="num num-col">{f.count(l.holdout.converters)}</td>
            </tr>
            <tr>
              <th scope="row">{t('figures.conversionRate')}</th>
              <td className="num num-col" data-testid="lift-treated-rate">{f.percent(l.treated.conversionRate)}</td>
              <td className="num num-col" data-testid="lift-holdout-rate">{f.percent(l.holdout.conversionRate)}</td>
            </tr>
            <tr>
              <th scope="row">{t('figures.revenuePerRecipient')}</th>
              <td className="num num-col" data-testid="lift-treated-rpr">{l.treated.revenuePerRecipient === null ? '—' : money(l.treated.revenuePerRecipient)}</td>
              <td className="num num-col" data-testid="lift-holdout-rpr">{l.holdout.revenuePerRecipient === null ? '—' : money(l.holdout.revenuePerRecipient)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      <dl className="figures lift-figures">
        <div className="figure" data-testid="lift-incremental">
          <dt>{t('lift.incrementalRevenue')}</dt>
          <dd className="num">
            <Interval e={l.revenue.incrementalRevenueMinor} fmt={money} /> {verdictPill(t, l.revenue.verdict)}
          </dd>
        </div>
        <div className="figure" data-testid="lift-attributed">
          <dt>{t('lift.attributedRevenue')}</dt>
          <dd className="num">
            <span className="figure-value">{money(l.attributedRevenueMinor)}</span>
            {l.status === 'ok' && l.causedShareOfAttributed && (
              <span className="muted small">
                {' '}
                {t('lift.causedShare', { share: f.percent(l.causedShareOfAttributed.estimate) })}
              </span>
            )}
          </dd>
        </div>
        <div className="figure" data-testid="lift-conversion">
          <dt>{t('lift.conversionLift')}</dt>
          <dd className="num">
            <Interval e={l.conversion.lift} fmt={(v) => f.signedPercent(v)} /> {verdictPill(t, l.conversion.verdict)}
            <span className="muted small lift-p">{pValue(f, l.conversion.pValue)}</span>
          </dd>
        </div>
        <div className="figure" data-testid="lift-revenue">
          <dt>{t('lift.revenueLift')}</dt>
          <dd className="num">
            <Interval e={l.revenue.lift} fmt={(v) => f.signedPercent(v)} />
            <span className="muted small lift-p">{pValue(f, l.revenue.pValue)}</span>
          </dd>
        </div>
      </dl>
      <p className="muted small">{t('lift.confidence', { level: Math.round(l.confidence * 100) })}</p>
    </section>
  );
}
