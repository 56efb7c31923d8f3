// The app: restores the session from /auth/me, shows the login page when there is none (or when any request
// answers 401), the account chooser right after a login of a person with several accounts, and otherwise picks the
// page from the path.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, setAccountId, setCsrfToken, setUnauthorizedHandler } from './api';
import { AccountChooser, InvitationPrompt, takeInvitationFromUrl } from './components/Accounts';
import { Layout } from './components/Shell';
import { SkeletonCards } from './components/States';
import { clearApiCache, FormatProvider, SessionContext } from './hooks';
import { CampaignPage } from './pages/Campaign';
import { Campaigns } from './pages/Campaigns';
import { ContactPage, Contacts } from './pages/Contacts';
import { Home } from './pages/Home';
import { JourneyPage, Journeys } from './pages/Journeys';
import { Login } from './pages/Login';
import { Orders } from './pages/Orders';
import { Feedback } from './pages/Feedback';
import { Retention } from './pages/Retention';
import { Incrementality } from './pages/Incrementality';
import { Settings } from './pages/Settings';
import { matchPath, RouterProvider, useRouter } from './router';
import type { Session } from './types';

function Routes() {
  const { location } = useRouter();
  const { t } = useTranslation();
  const path = location.path.replace(/\/+$/, '') || '/';
  let m: Record<string, string> | null;
  if (path === '/') return <Home />;
  if (path === '/campaigns') return <Campaigns />;
  if ((m = matchPath('/campaigns/:id', path))) return <CampaignPage key={m.id} id={m.id} />;
  if (path === '/journeys') return <Journeys />;
  if ((m = matchPath('/journeys/:id', path))) return <JourneyPage key={m.id} id={m.id} />;
  if (path === '/orders') return <Orders />;
  if (path === '/contacts') return <Contacts />;
  if ((m = matchPath('/contacts/:id', path))) return <ContactPage key={m.id} id={m.id} />;
  if (path === '/feedback') return <Feedback />;
  if (path === '/retention') return <Retention />;
  if (path === '/incrementality') return <Incrementality />;
  if (path === '/settings') return <Settings />;
  return (
    <div className="empty">
      <p className="empty-title">{t('notFound')}</p>
      <a href="/">{t('nav.home')}</a>
    </div>
  );
}

function Titles() {
  const { t } = useTranslation();
  const { location } = useRouter();
  useEffect(() => {
    const section = location.path.split('/')[1] || 'home';
    const key = `nav.${section}`;
    document.title = `${t(key, { defaultValue: 'Mesure' })} · Mesure`;
  }, [location.path, t]);
  return null;
}

export function App() {
  const [session, setSessionState] = useState<Session | null>(null);
  const [checking, setChecking] = useState(true);
  // True between a login and the person's choice of account, when they have several.
  const [choosing, setChoosing] = useState(false);
  const setSession = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrfToken ?? null);
    setAccountId(s?.account.id ?? null);
    if (!s) clearApiCache();
    setSessionState(s);
  }, []);
  useEffect(() => {
    takeInvitationFromUrl();
    setUnauthorizedHandler(() => setSession(null));
    api
      .session<Session>('GET', '/auth/me')
      .then((s) => setSession(s))
      .catch(() => setSession(null))
      .finally(() => setChecking(false));
  }, [setSession]);
  const logout = useCallback(async () => {
    try {
      await api.session('POST', '/auth/logout');
    } finally {
      setSession(null);
    }
  }, [setSession]);
  const value = useMemo(() => ({ session, setSession, logout }), [session, setSession, logout]);
  return (
    <SessionContext.Provider value={value}>
      <FormatProvider>
        <RouterProvider>
          <Titles />
          {checking ? (
            <div className="main">
              <SkeletonCards count={8} />
            </div>
          ) : !session ? (
            <Login
              onLoggedIn={(s, invited) => {
                setSession(s);
                setChoosing(!invited && (s.accounts?.length ?? 0) > 1);
              }}
            />
          ) : choosing ? (
            <AccountChooser onChosen={() => setChoosing(false)} />
          ) : (
            // Keyed by account: a switch remounts every page, so no page keeps the previous account's data.
            <Layout key={session.account.id}>
              <InvitationPrompt />
              <Routes />
            </Layout>
          )}
        </RouterProvider>
      </FormatProvider>
    </SessionContext.Provider>
  );
}
