// Shared hooks: the session (who is logged in, for which account), the formatter bound to the language and
// the account, and data loading with loading/error/retry states.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, withQuery, type Query } from './api';
import { createFormatter, type Formatter } from './format';
import { localeFor, type Lang } from './i18n';
import type { Session } from './types';

export interface SessionState {
  session: Session | null;
  setSession: (s: Session | null) => void;
  logout: () => Promise<void>;
}

export const SessionContext = createContext<SessionState>({
  session: null,
  setSession: () => {},
  logout: async () => {},
});
export const useSession = () => useContext(SessionContext);

const FormatContext = createContext<Formatter | null>(null);

/** Provides the formatter; tests pass `value` directly, the app derives it from language and account. */
export function FormatProvider({ value, children }: { value?: Formatter; children: ReactNode }) {
  const { i18n } = useTranslation();
  const { session } = useSession();
  const lang = (i18n.language?.startsWith('fr') ? 'fr' : 'en') as Lang;
  const currency = session?.account.currency ?? 'EUR';
  const timeZone = session?.account.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const derived = useMemo(() => createFormatter({ locale: localeFor(lang), currency, timeZone }), [lang, currency, timeZone]);
  return <FormatContext.Provider value={value ?? derived}>{children}</FormatContext.Provider>;
}

export function useFormat(): Formatter {
  const f = useContext(FormatContext);
  if (!f) throw new Error('useFormat outside FormatProvider');
  return f;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

// Last answer per URL, so going back to a page shows it at once while it refreshes.
const cache = new Map<string, unknown>();

/** GETs `path` with `query` (null path: nothing to load yet). Keeps the last data while reloading. */
export function useApi<T>(path: string | null, query?: Query): Loaded<T> {
  const url = path ? withQuery(path, query) : null;
  const [state, setState] = useState<{ url: string | null; data: T | undefined; error: ApiError | null; loading: boolean }>(
    () => ({ url, data: url ? (cache.get(url) as T | undefined) : undefined, error: null, loading: !!url }),
  );
  const [nonce, setNonce] = useState(0);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);
  useEffect(() => {
    if (!url) return;
    let cancelled = false;
    setState((s) => ({
      url,
      data: s.url === url ? s.data : (cache.get(url) as T | undefined),
      error: null,
      loading: true,
    }));
    api
      .get<T>(url)
      .then((data) => {
        if (cancelled || !live.current) return;
        cache.set(url, data);
        setState({ url, data, error: null, loading: false });
      })
      .catch((e: unknown) => {
        if (cancelled || !live.current) return;
        const err = e instanceof ApiError ? e : new ApiError(0, 'unknown', String(e));
        setState((s) => ({ ...s, url, error: err, loading: false }));
      });
    return () => {
      cancelled = true;
    };
  }, [url, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data: state.url === url ? state.data : undefined, error: state.error, loading: state.loading, reload };
}

/** Forgets cached answers (after a change, or at logout so another user never sees them). */
export function clearApiCache(): void {
  cache.clear();
}
