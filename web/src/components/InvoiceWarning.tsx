// The unpaid invoice warning: shown only when something is to be paid, above the fold, with the amount, the due
// date and the pay link.
import { useTranslation } from 'react-i18next';
import { useFormat } from '../hooks';
import type { UnpaidInvoices } from '../types';

export function InvoiceWarning({ invoices }: { invoices: UnpaidInvoices }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (!invoices.count || invoices.count <= 0) return null;
  // The contract does not say whether due dates are days or instants: a bare day must not shift with the zone.
  const when = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? f.day(v) : f.date(v));
  return (
    <section className={`warning ${invoices.overdue ? 'warning-bad' : ''}`} role="alert" data-testid="invoice-warning">
      <span className="warning-icon" aria-hidden="true">!</span>
      <p>
        <strong>
          {t('invoices.unpaid', {
            count: invoices.count,
            total: f.money(invoices.total ?? 0, invoices.currency),
          })}
        </strong>{' '}
        {invoices.earliestDue && (invoices.overdue ? t('invoices.overdueSince', { date: when(invoices.earliestDue) }) : t('invoices.due', { date: when(invoices.earliestDue) }))}{' '}
        {invoices.suspendsAt && t('invoices.suspends', { date: when(invoices.suspendsAt) })}
      </p>
      {invoices.payUrl && (
        <a className="btn btn-primary" href={invoices.payUrl} target="_blank" rel="noreferrer" data-testid="invoice-pay">
          {t('invoices.pay')}
        </a>
      )}
    </section>
  );
}
