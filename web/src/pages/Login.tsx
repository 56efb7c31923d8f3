// The login page: email and password to POST /auth/login; the CSRF token it returns is kept for unsafe requests.
// Opened from an invitation link, the login accepts the invitation in the same step and opens its account.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, setCsrfToken } from '../api';
import { forgetInvitation, pendingInvitation } from '../components/Accounts';
import { useSession } from '../hooks';
import { setLang, type Lang } from '../i18n';
import type { Session } from '../types';

/**
 * `onLoggedIn`: what to do with the new session (the app may ask which account to open first; `invited` when the
 * login accepted an invitation, whose account is then open).
 */
export function Login({ onLoggedIn }: { onLoggedIn?: (s: Session, invited: boolean) => void } = {}) {
  const { t, i18n } = useTranslation();
  const { setSession } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [invitation, setInvitation] = useState<string | null>(pendingInvitation);
  const lang = (i18n.language?.startsWith('fr') ? 'fr' : 'en') as Lang;
  const other: Lang = lang === 'fr' ? 'en' : 'fr';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await api.session<Session>('POST', '/auth/login', { email, password, ...(invitation ? { invitation } : {}) });
      if (invitation) forgetInvitation();
      setCsrfToken(s.csrfToken);
      if (onLoggedIn) onLoggedIn(s, !!invitation);
      else setSession(s);
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      // The credentials were right but the invitation cannot be used: say why, and let the next attempt log in alone.
      if (invitation && err instanceof ApiError && [403, 404, 410].includes(status)) {
        forgetInvitation();
        setInvitation(null);
        setError(err.message);
        return;
      }
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
        {invitation && (
          <p className="notice" data-testid="login-invitation">
            {t('login.invitation')}
          </p>
        )}
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
