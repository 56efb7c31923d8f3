// A person may be a member of several accounts: the chooser shown after login, the switcher in the sidebar, and
// the prompt that accepts an invitation link (#invitation=… in the URL, read once and kept for this tab only).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { clearApiCache, useSession } from '../hooks';
import { useRouter } from '../router';
import type { Session } from '../types';

const INVITATION_KEY = 'mesure.invitation';

/**
 * Moves an invitation token from the URL fragment to this tab's storage, so that it survives the login page and
 * does not stay in the address bar or the history. Fragments are never sent to the server.
 */
export function takeInvitationFromUrl(): void {
  const m = /(?:^#|&)invitation=([A-Za-z0-9_-]{1,300})/.exec(window.location.hash);
  if (!m) return;
  try {
    window.sessionStorage.setItem(INVITATION_KEY, m[1]);
  } catch {
    // storage refused (private mode): the prompt simply does not appear
  }
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
}

/** The invitation token this tab was opened with, until it is used or dismissed. */
export function pendingInvitation(): string | null {
  try {
    return window.sessionStorage.getItem(INVITATION_KEY);
  } catch {
    return null;
  }
}

export function forgetInvitation(): void {
  try {
    window.sessionStorage.removeItem(INVITATION_KEY);
  } catch {
    // nothing to forget
  }
}

/** Opens another account of the logged-in person: every page reloads with the new account's data. */
function useOpenAccount() {
  const { setSession } = useSession();
  const { navigate } = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const open = async (accountId: string): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      const s = await api.session<Session>('POST', '/auth/account', { accountId });
      clearApiCache();
      setSession(s);
      navigate('/');
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { open, error, busy };
}

/** After login, for a person with several accounts: which one to open (the last used one is first). */
export function AccountChooser({ onChosen }: { onChosen: () => void }) {
  const { t } = useTranslation();
  const { session } = useSession();
  const { open, error, busy } = useOpenAccount();
  const accounts = session?.accounts ?? [];
  return (
    <main className="login" id="main">
      <section className="card login-card" data-testid="account-chooser" aria-labelledby="chooser-title">
        <h1 id="chooser-title">{t('accounts.chooseTitle')}</h1>
        <p className="muted">{t('accounts.chooseIntro')}</p>
        <ul className="plain-list">
          {accounts.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className="btn btn-block"
                data-testid={`choose-account-${a.id}`}
                disabled={busy}
                onClick={async () => {
                  if (a.id === session?.account.id || (await open(a.id))) onChosen();
                }}
              >
                {a.name} <span className="pill">{t(`roles.${a.role}`)}</span>
              </button>
            </li>
          ))}
        </ul>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </section>
    </main>
  );
}

/** The open account's name; a menu of the person's accounts when there are several. */
export function AccountSwitcher() {
  const { t } = useTranslation();
  const { session } = useSession();
  const { open, error, busy } = useOpenAccount();
  const accounts = session?.accounts ?? [];
  if (accounts.length < 2) {
    return (
      <div className="account-name" title={session?.user.email}>
        {session?.account.name}
      </div>
    );
  }
  return (
    <div className="account-name" title={session?.user.email}>
      <label>
        <span className="sr-only">{t('accounts.switch')}</span>
        <select data-testid="account-switch" value={session?.account.id} disabled={busy} onChange={(e) => void open(e.target.value)}>
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="form-error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Offers to accept the invitation link this tab was opened with, as the person now logged in. */
export function InvitationPrompt() {
  const { t } = useTranslation();
  const { setSession } = useSession();
  const { navigate } = useRouter();
  const [token, setToken] = useState<string | null>(pendingInvitation);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!token) return null;
  const done = () => {
    forgetInvitation();
    setToken(null);
  };
  return (
    <div className="notice" role="region" aria-label={t('accounts.invitationTitle')} data-testid="invitation-prompt">
      <p>
        <strong>{t('accounts.invitationTitle')}</strong> {t('accounts.invitationBody')}
      </p>
      <button
        type="button"
        className="btn btn-small btn-primary"
        data-testid="invitation-accept"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            const s = await api.session<Session>('POST', '/auth/invitations/accept', { token });
            done();
            clearApiCache();
            setSession(s);
            navigate('/');
          } catch (e) {
            setError(e instanceof ApiError ? e.message : String(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        {t('accounts.accept')}
      </button>{' '}
      <button type="button" className="btn btn-small btn-quiet" onClick={done}>
        {t('accounts.dismiss')}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
