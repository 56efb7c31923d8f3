// The login page: email and password to POST /auth/login; the CSRF token it returns is kept for unsafe requests.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, setCsrfToken } from '../api';
import { useSession } from '../hooks';
import { setLang, type Lang } from '../i18n';
import type { Session } from '../types';

/** `onLoggedIn`: what to do with the new session (the app may ask which account to open first). */
export function Login({ onLoggedIn }: { onLoggedIn?: (s: Session) => void } = {}) {
  const { t, i18n } = useTranslation();
  const { setSession } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lang = (i18n.language?.startsWith('fr') ? 'fr' : 'en') as Lang;
  const other: Lang = lang === 'fr' ? 'en' : 'fr';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api.session<Session>('POST', '/auth/login', { email, password });
      setCsrfToken(s.csrfToken);
      if (onLoggedIn) onLoggedIn(s);
      else setSession(s);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setError(status === 401 ? t('login.bad') : status === 429 ? t('login.limited') : status === 0 ? t('error.network') : t('login.failed'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={submit} data-testid="login-form" noValidate>
        <h1>Mesure</h1>
        <p className="muted">{t('login.intro')}</p>
        <label className="field">
          <span>{t('login.email')}</span>
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy || !email || !password} data-testid="login-submit">
          {busy ? t('login.busy') : t('login.submit')}
        </button>
        <button type="button" className="btn btn-quiet btn-small" data-testid="lang-switch" lang={other} onClick={() => setLang(other)}>
          {t('lang.name', { lng: other })}
        </button>
      </form>
    </main>
  );
}
