// The pieces every settings card shares: the titled card, loading/"not offered here" states and a save action
// that reports the server's message.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { ErrorState, SkeletonBlock } from './States';
import { clearApiCache, useApi } from '../hooks';

export function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid={`settings-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

/** Loads a settings resource; a 404 means this server does not offer it yet, shown as such rather than as a failure. */
export function Loaded<T>({ state, children }: { state: ReturnType<typeof useApi<T>>; children: (data: T) => ReactNode }) {
  const { t } = useTranslation();
  if (state.error?.status === 404) return <p className="muted">{t('settings.notAvailable')}</p>;
  if (state.error && !state.data) return <ErrorState error={state.error} onRetry={state.reload} />;
  if (!state.data) return <SkeletonBlock height={120} />;
  return <>{children(state.data)}</>;
}

export function useAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      clearApiCache();
      return true;
    } catch (e) {
      setError(
        e instanceof ApiError
          ? `${e.message || e.code}${e.details.length ? ` (${e.details.map((d) => `${d.path}: ${d.message}`).join('; ')})` : ''}`
          : String(e),
      );
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

