// Loading, empty and error states: skeletons rather than spinners, empty states that say what to do next,
// errors written plainly with a retry.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api';

export function SkeletonCards({ count = 4, height = 96 }: { count?: number; height?: number }) {
  return (
    <div className="grid cards" aria-busy="true">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="card skeleton" style={{ height }} aria-hidden="true" />
      ))}
    </div>
  );
}

export function SkeletonBlock({ height = 200 }: { height?: number }) {
  return <div className="card skeleton" style={{ height }} aria-busy="true" />;
}

export function EmptyState({ title, children, docs }: { title: string; children?: ReactNode; docs?: string }) {
  const { t } = useTranslation();
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
      {docs && (
        <p>
          <a href={docs} target="_blank" rel="noreferrer">
            {t('empty.docs')}
          </a>
        </p>
      )}
    </div>
  );
}

export function ErrorState({ error, onRetry, what }: { error: ApiError; onRetry?: () => void; what?: string }) {
  const { t } = useTranslation();
  const reason =
    error.status === 0
      ? t('error.network')
      : error.status === 403
        ? t('error.forbidden')
        : error.status >= 500
          ? t('error.server', { status: error.status })
          : error.message || error.code;
  return (
    <div className="error" role="alert">
      <p>
        <strong>{what ?? t('error.title')}</strong> {reason}
      </p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          {t('error.retry')}
        </button>
      )}
    </div>
  );
}
