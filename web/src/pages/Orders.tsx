// Orders: the figures of imported orders live on the home page for now; this page says how orders come in
// until the server offers an orders list (proposed: GET /v1/orders).
// The import paths themselves belong to issue 3, so the text points to the docs rather than naming routes.
import { useTranslation } from 'react-i18next';
import { TopBar } from '../components/Shell';
import { EmptyState } from '../components/States';
import { DOCS } from './Home';

export function Orders() {
  const { t } = useTranslation();
  return (
    <>
      <TopBar title={t('nav.orders')} filters={false} />
      <section className="card">
        <EmptyState title={t('orders.title')} docs={DOCS}>
          <p>{t('orders.help')}</p>
        </EmptyState>
      </section>
    </>
  );
}
