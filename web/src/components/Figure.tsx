// One labelled figure of the campaign page, formatted by kind, with an optional secondary figure and the
// reference range badge (seed 001 for WhatsApp, seed 002 for letters) when the API gives one.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Formatter } from '../format';
import { useFormat } from '../hooks';
import type { ReferenceRange } from '../types';

const MONEY = new Set([
  'revenue',
  'averageOrderValue',
  'revenuePerRecipient',
  'spend',
  'costPerRecipient',
  'cpa',
  'cpl',
  'revenueDirect',
  'revenueInfluenced',
  'revenueNew',
  'revenueReturning',
]);
const DECIMAL = new Set(['opensPerOpener', 'clicksPerClicker', 'itemsPerOrder']);
// Where a lower figure is the better one, "below the range" is good news.
const LOWER_IS_BETTER = new Set(['unsubscribeRate', 'bounceRate', 'abuseRate', 'undeliveredRate', 'cpa', 'cpl', 'costPerRecipient']);

export function formatFigure(f: Formatter, key: string, v: number | null | undefined): string {
  if (MONEY.has(key)) return f.money(v);
  if (DECIMAL.has(key)) return f.decimal(v, 1);
  if (key === 'roas') return f.multiple(v);
  if (key.endsWith('Rate') || key === 'roi') return f.percent(v);
  return f.count(v);
}

export function FigureItem({
  name,
  value,
  sub,
  reference,
  label,
}: {
  name: string;
  value: number | null | undefined;
  sub?: ReactNode;
  reference?: ReferenceRange;
  label?: string;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <div className="figure" data-testid={`figure-${name}`}>
      <dt>{label ?? t(`figures.${name}`)}</dt>
      <dd>
        <span className="figure-value num" data-testid="figure-value">
          {formatFigure(f, name, value)}
        </span>
        {sub && <span className="figure-sub num muted"> {sub}</span>}
        {reference && <ReferenceBadge reference={reference} />}
      </dd>
    </div>
  );
}

export function ReferenceBadge({ reference }: { reference: ReferenceRange }) {
  const { t } = useTranslation();
  const f = useFormat();
  const fmt = (v: number) => formatFigure(f, reference.figure, v);
  const range = `${fmt(reference.low)}–${fmt(reference.high)}`;
  const pos = reference.position;
  const tone =
    pos === null || pos === 'within' ? 'neutral' : (pos === 'below') === LOWER_IS_BETTER.has(reference.figure) ? 'good' : 'bad';
  const arrow = pos === 'below' ? '↓' : pos === 'above' ? '↑' : pos === 'within' ? '✓' : '';
  return (
    <span className={`ref ref-${tone}`} data-testid={`reference-${reference.figure}`} data-position={pos ?? ''}>
      <span aria-hidden="true">{arrow}</span> {pos ? t(`reference.${pos}`) : t('reference.unknown')}{' '}
      <span className="num">{t('reference.range', { range })}</span>
      {reference.best !== null && (
        <span className="muted num">
          {' '}
          · {t(LOWER_IS_BETTER.has(reference.figure) ? 'reference.bestBelow' : 'reference.bestAbove', { best: fmt(reference.best) })}
        </span>
      )}
    </span>
  );
}
