// Settings (owners change them; analysts read them; viewers never reach this page): account, attribution, cost
// model, budgets, tracking, provider and Stripe webhooks and secrets (entered, never shown back), data retention,
// API keys, users and roles, alerts.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { TopBar } from '../components/Shell';
import { Card, Loaded, useAction } from '../components/SettingsParts';
import { EmptyState } from '../components/States';
import { useApi, useFormat, useSession } from '../hooks';
import { BudgetSettingsCard, CostModelCard, StripeCard, TrackingCard } from './SettingsMoney';
import { DeadLettersCard } from './SettingsIngestion';
import { AuditTrailCard, PasswordCard } from './SettingsAudit';
import { RetentionCard } from './SettingsRetention';
import { ReportsCard } from './SettingsReports';
import { DataDrivenCard } from './SettingsDataDriven';
import { useQueryState } from '../router';
import { ATTRIBUTION_MODELS, CHANNELS, type AccountInfo, type AlertItem, type ApiKey, type AttributionSettings, type Channel, type Page, type ProviderItem, type Role, type UserItem, type AddUserAnswer, type InvitationItem } from '../types';

export function Settings() {
  const { t } = useTranslation();
  const { session } = useSession();
  const [query, setQuery] = useQueryState();
  if (!session || session.user.role === 'viewer') {
    return (
      <>
        <TopBar title={t('nav.settings')} filters={false} />
        <EmptyState title={t('settings.forbidden')} />
        {session && <ReportsCard />}
        {session && <PasswordCard />}
      </>
    );
  }
  const owner = session.user.role === 'owner';
  // Owners have a second tab, the audit trail (?tab=audit, so it can be shared and reloaded).
  const tab = owner && query.tab === 'audit' ? 'audit' : 'settings';
  return (
    <>
      <TopBar title={t('nav.settings')} filters={false} />
      {owner && (
        <div className="segmented settings-tabs" role="group" aria-label={t('nav.settings')}>
          <button type="button" aria-pressed={tab === 'settings'} data-testid="tab-settings" onClick={() => setQuery({ tab: null })}>
            {t('settings.tabSettings')}
          </button>
          <button type="button" aria-pressed={tab === 'audit'} data-testid="tab-audit" onClick={() => setQuery({ tab: 'audit' })}>
            {t('audit.title')}
          </button>
        </div>
      )}
      {tab === 'audit' ? (
        <AuditTrailCard />
      ) : (
        <>
          {!owner && <p className="notice">{t('settings.readOnly')}</p>}
          <AccountCard editable={owner} />
          <AttributionCard editable={owner} />
          <DataDrivenCard editable />
          <CostModelCard editable={owner} />
          <BudgetSettingsCard editable={owner} />
          <TrackingCard editable={owner} />
          {owner && <ProvidersCard />}
          <DeadLettersCard editable={owner} />
          {owner && <RetentionCard />}
          {owner && <StripeCard />}
          {owner && <KeysCard />}
          {owner && <UsersCard />}
          <AlertsCard editable={owner} />
          <ReportsCard />
          <PasswordCard />
        </>
      )}
    </>
  );
}

const TIME_ZONES: string[] = (() => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['Europe/Paris'];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
})();

interface AccountDraft {
  name: string;
  currency: string;
  timeZone: string;
  defaultCountry: string;
  revenueBasis: 'net' | 'gross';
}

function AccountCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const state = useApi<AccountInfo>('/v1/account');
  const { session, setSession } = useSession();
  const [draft, setDraft] = useState<AccountDraft | null>(null);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const a = state.data;
    if (a) {
      setDraft({ name: a.name, currency: a.currency, timeZone: a.timeZone, defaultCountry: a.defaultCountry ?? '', revenueBasis: a.settings?.revenueBasis === 'gross' ? 'gross' : 'net' });
    }
  }, [state.data]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    const body = { ...draft, defaultCountry: draft.defaultCountry || null };
    const ok = await action.run(() => api.put('/v1/account', body));
    if (ok) {
      setSaved(true);
      if (session) setSession({ ...session, account: { ...session.account, name: draft.name, currency: draft.currency, timeZone: draft.timeZone } });
    }
  };
  const set = <K extends keyof AccountDraft>(k: K, v: AccountDraft[K]) => draft && setDraft({ ...draft, [k]: v });
  const zones = draft && !TIME_ZONES.includes(draft.timeZone) ? [draft.timeZone, ...TIME_ZONES] : TIME_ZONES;
  return (
    <Card id="account" title={t('settings.account')}>
      <Loaded state={state}>
        {() =>
          draft && (
            <form onSubmit={save} className="form-grid">
              <fieldset disabled={!editable || action.busy}>
                <label className="field">
                  <span>{t('settings.name')}</span>
                  <input value={draft.name} onChange={(e) => set('name', e.target.value)} required maxLength={200} />
                </label>
                <label className="field">
                  <span>{t('settings.currency')}</span>
                  <input value={draft.currency} onChange={(e) => set('currency', e.target.value.toUpperCase())} pattern="[A-Z]{3}" maxLength={3} required />
                </label>
                <label className="field">
                  <span>{t('settings.timeZone')}</span>
                  <select value={draft.timeZone} onChange={(e) => set('timeZone', e.target.value)}>
                    {zones.map((z) => (
                      <option key={z}>{z}</option>
                    ))}
                  </select>
                </label>
                <label className="field">
                  <span>{t('settings.defaultCountry')}</span>
                  <input
                    value={draft.defaultCountry}
                    onChange={(e) => set('defaultCountry', e.target.value.toUpperCase())}
                    pattern="[A-Z]{2}"
                    maxLength={2}
                    placeholder="FR"
                    aria-describedby="country-help"
                  />
                  <span id="country-help" className="muted small">{t('settings.defaultCountryHelp')}</span>
                </label>
                <label className="field">
                  <span>{t('settings.revenueBasis')}</span>
                  <select value={draft.revenueBasis} onChange={(e) => set('revenueBasis', e.target.value as AccountDraft['revenueBasis'])}>
                    <option value="net">{t('settings.basisNet')}</option>
                    <option value="gross">{t('settings.basisGross')}</option>
                  </select>
                </label>
                {editable && (
                  <button type="submit" className="btn btn-primary">
                    {t('settings.save')}
                  </button>
                )}
                {saved && <span className="muted" role="status"> {t('settings.saved')}</span>}
                {action.error && <p className="form-error" role="alert">{action.error}</p>}
              </fieldset>
            </form>
          )
        }
      </Loaded>
    </Card>
  );
}

/** docs/ATTRIBUTION.md: per channel, the window that credits a direct conversion, then the one for influence. */
const WINDOW_KINDS: Record<Channel, [string, string]> = {
  email: ['click', 'open'],
  sms: ['click', 'delivery'],
  whatsapp: ['click', 'read'],
  mail: ['scan', 'sent'],
};

function AttributionCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const state = useApi<AttributionSettings>('/v1/attribution/settings');
  const [draft, setDraft] = useState<AttributionSettings | null>(null);
  const action = useAction();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (state.data) setDraft(state.data);
  }, [state.data]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    if (await action.run(() => api.put('/v1/attribution/settings', { model: draft.model, windowsHours: draft.windowsHours }))) setSaved(true);
  };
  const setWindow = (c: Channel, kind: string, v: string) =>
    draft &&
    setDraft({
      ...draft,
      windowsHours: { ...draft.windowsHours, [c]: { ...(draft.windowsHours?.[c] ?? {}), [kind]: v === '' ? null : Number(v) } },
    });
  return (
    <Card id="attribution" title={t('settings.attribution')}>
      <Loaded state={state}>
        {() =>
          draft && (
            <form onSubmit={save} className="form-grid">
              <fieldset disabled={!editable || action.busy}>
                <label className="field">
                  <span>{t('settings.model')}</span>
                  <select value={draft.model} onChange={(e) => setDraft({ ...draft, model: e.target.value as AttributionSettings['model'] })}>
                    {ATTRIBUTION_MODELS.map((m) => (
                      <option key={m} value={m}>
                        {t(`settings.models.${m}`)}
                      </option>
                    ))}
                  </select>
                </label>
                <div className="table-wrap">
                  <table className="table windows">
                    <caption className="muted small">{t('settings.windowsHelp')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('campaigns.channel')}</th>
                        <th scope="col">{t('settings.windowDirect')}</th>
                        <th scope="col">{t('settings.windowInfluence')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {CHANNELS.map((c) => (
                        <tr key={c}>
                          <th scope="row">{t(`channel.${c}`)}</th>
                          {WINDOW_KINDS[c].map((kind, i) => (
                            <td key={kind}>
                              <input
                                type="number"
                                min={0}
                                aria-label={`${t(`channel.${c}`)} · ${t(i === 0 ? 'settings.windowDirect' : 'settings.windowInfluence')}`}
                                placeholder={t('settings.windowDefault')}
                                value={draft.windowsHours?.[c]?.[kind] ?? ''}
                                onChange={(e) => setWindow(c, kind, e.target.value)}
                              />
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                {editable && (
                  <button type="submit" className="btn btn-primary">
                    {t('settings.save')}
                  </button>
                )}
                {saved && <span className="muted" role="status"> {t('settings.saved')}</span>}
                {action.error && <p className="form-error" role="alert">{action.error}</p>}
              </fieldset>
            </form>
          )
        }
      </Loaded>
    </Card>
  );
}

function ProvidersCard() {
  const { t } = useTranslation();
  const state = useApi<Page<ProviderItem>>('/v1/providers');
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const action = useAction();
  return (
    <Card id="providers" title={t('settings.providers')}>
      <p className="muted small">{t('settings.providersHelp')}</p>
      <Loaded state={state}>
        {(data) => (
          <ul className="plain-list">
            {data.items.map((p) => (
              <li key={p.provider}>
                <strong>{p.provider}</strong> <code className="url">{p.webhookUrl}</code>{' '}
                <span className={`pill ${p.configured ? 'pill-good' : 'pill-warn'}`}>{p.configured ? (p.secretHint ? t('settings.secretSetHint', { hint: p.secretHint }) : t('settings.secretSet')) : t('settings.secretMissing')}</span>
                <form
                  className="inline-form"
                  onSubmit={async (e) => {
                    e.preventDefault();
                    const ok = await action.run(() => api.put(`/v1/providers/${encodeURIComponent(p.provider)}/secret`, { secret: secrets[p.provider] }));
                    if (ok) {
                      setSecrets((s) => ({ ...s, [p.provider]: '' }));
                      state.reload();
                    }
                  }}
                >
                  <label>
                    <span className="sr-only">{t('settings.secretFor', { provider: p.provider })}</span>
                    <input
                      type="password"
                      autoComplete="off"
                      placeholder={t('settings.newSecret')}
                      value={secrets[p.provider] ?? ''}
                      onChange={(e) => setSecrets((s) => ({ ...s, [p.provider]: e.target.value }))}
                    />
                  </label>
                  <button type="submit" className="btn btn-small" disabled={!secrets[p.provider] || action.busy}>
                    {t('settings.save')}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
    </Card>
  );
}

function KeysCard() {
  const { t } = useTranslation();
  const f = useFormat();
  const state = useApi<Page<ApiKey>>('/v1/keys');
  const [name, setName] = useState('');
  const [keyRole, setKeyRole] = useState<Role>('analyst');
  const [created, setCreated] = useState<string | null>(null);
  const action = useAction();
  return (
    <Card id="keys" title={t('settings.keys')}>
      <Loaded state={state}>
        {(data) =>
          data.items.filter((k) => !k.revokedAt).length === 0 ? (
            <p className="muted">{t('settings.noKeys')}</p>
          ) : (
            <ul className="plain-list">
              {data.items.filter((k) => !k.revokedAt).map((k) => (
                <li key={k.id}>
                  <strong>{k.name}</strong> <span className="pill">{t(`roles.${k.role}`)}</span> <code className="url">{k.prefix}_…</code>{' '}
                  <span className="muted small">
                    {t('settings.keyCreated', { date: f.date(k.createdAt) })} · {k.lastUsedAt ? t('settings.keyUsed', { date: f.date(k.lastUsedAt) }) : t('settings.keyNeverUsed')}
                  </span>{' '}
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    onClick={async () => {
                      if (!window.confirm(t('settings.revokeConfirm', { name: k.name }))) return;
                      if (await action.run(() => api.delete(`/v1/keys/${encodeURIComponent(k.id)}`))) state.reload();
                    }}
                  >
                    {t('settings.revoke')}
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {state.error?.status !== 404 && (
      <form
        className="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          let key: string | null = null;
          const ok = await action.run(async () => {
            key = (await api.post<{ key: string }>('/v1/keys', { name, role: keyRole })).key;
          });
          if (ok) {
            setCreated(key);
            setName('');
            state.reload();
          }
        }}
      >
        <label>
          <span className="sr-only">{t('settings.keyName')}</span>
          <input placeholder={t('settings.keyName')} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <label>
          <span className="sr-only">{t('settings.role')}</span>
          <select value={keyRole} onChange={(e) => setKeyRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-small" disabled={!name || action.busy}>
          {t('settings.createKey')}
        </button>
      </form>
      )}
      {created && (
        <p className="notice" role="status">
          {t('settings.keyOnce')} <code className="secret">{created}</code>
        </p>
      )}
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
    </Card>
  );
}

const ROLES: Role[] = ['owner', 'analyst', 'viewer'];

function UsersCard() {
  const { t } = useTranslation();
  const f = useFormat();
  const state = useApi<Page<UserItem>>('/v1/users');
  const invitations = useApi<Page<InvitationItem>>('/v1/invitations');
  const { session } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  // The link of the invitation just made: in the POST answer only, shown until the page is left.
  const [invited, setInvited] = useState<{ email: string; link: string } | null>(null);
  const action = useAction();
  return (
    <Card id="users" title={t('settings.users')}>
      <Loaded state={state}>
        {(data) => (
          <ul className="plain-list">
            {data.items.map((u) => (
              <li key={u.id}>
                <span>{u.email}</span>{' '}
                <label>
                  <span className="sr-only">{t('settings.roleOf', { email: u.email })}</span>
                  <select
                    value={u.role}
                    disabled={u.email === session?.user.email || action.busy}
                    onChange={async (e) => {
                      if (await action.run(() => api.patch(`/v1/users/${encodeURIComponent(u.id)}`, { role: e.target.value }))) state.reload();
                    }}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`roles.${r}`)}
                      </option>
                    ))}
                  </select>
                </label>{' '}
                {u.email !== session?.user.email && (
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    onClick={async () => {
                      if (!window.confirm(t('settings.removeUserConfirm', { email: u.email }))) return;
                      if (await action.run(() => api.delete(`/v1/users/${encodeURIComponent(u.id)}`))) state.reload();
                    }}
                  >
                    {t('settings.remove')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {state.error?.status !== 404 && (
      <form
        className="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          let answer: AddUserAnswer | null = null;
          if (await action.run(async () => { answer = await api.post<AddUserAnswer>('/v1/users', { email, password, role }); })) {
            const a = answer as AddUserAnswer | null;
            setInvited(a && 'link' in a ? { email: a.invitation.email, link: a.link } : null);
            setEmail('');
            setPassword('');
            state.reload();
            invitations.reload();
          }
        }}
      >
        <label>
          <span className="sr-only">{t('login.email')}</span>
          <input type="email" data-testid="user-email" placeholder={t('login.email')} value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          <span className="sr-only">{t('settings.initialPassword')}</span>
          <input
            type="password"
            autoComplete="new-password"
            minLength={8}
            placeholder={t('settings.initialPassword')}
            data-testid="user-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <label>
          <span className="sr-only">{t('settings.role')}</span>
          <select value={role} data-testid="user-role" onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-small" data-testid="user-add" disabled={!email || password.length < 8 || action.busy}>
          {t('settings.invite')}
        </button>
      </form>
      )}
      {state.error?.status !== 404 && <p className="muted small">{t('settings.addUserHelp')}</p>}
      {invited && (
        <p className="notice" role="status" data-testid="invitation-link">
          {t('settings.invited', { email: invited.email })} <code className="secret">{invited.link}</code>
        </p>
      )}
      {!!invitations.data?.items.length && (
        <>
          <h3>{t('settings.invitations')}</h3>
          <ul className="plain-list" data-testid="invitations">
            {invitations.data.items.map((i) => (
              <li key={i.id}>
                <span>{i.email}</span>{' '}
                <span className="muted small">{t('settings.invitedAs', { role: t(`roles.${i.role}`), date: f.date(i.expiresAt) })}</span>{' '}
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={async () => {
                    if (!window.confirm(t('settings.revokeInvitationConfirm', { email: i.email }))) return;
                    if (await action.run(() => api.delete(`/v1/invitations/${encodeURIComponent(i.id)}`))) invitations.reload();
                  }}
                >
                  {t('settings.revoke')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
    </Card>
  );
}

/** Alert webhooks: every alert (budget 80 % and 100 %, campaign stopped, invoice overdue, account suspended) goes
 * to every endpoint, signed with the endpoint's secret, which is generated and shown once. */
function AlertsCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const state = useApi<Page<AlertItem>>('/v1/alerts/endpoints');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const action = useAction();
  return (
    <Card id="alerts" title={t('settings.alerts')}>
      <p className="muted small">{t('settings.alertsHelp')}</p>
      <Loaded state={state}>
        {(data) =>
          data.items.length === 0 ? (
            <p className="muted">{t('settings.noAlerts')}</p>
          ) : (
            <ul className="plain-list">
              {data.items.map((a) => (
                <li key={a.id}>
                  <code className="url">{a.url}</code> <span className="muted small">{t('settings.keyCreated', { date: f.date(a.createdAt) })} · {t('settings.signingSecretHint', { hint: a.secretHint })}</span>{' '}
                  {editable && (
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={async () => {
                        if (await action.run(() => api.delete(`/v1/alerts/endpoints/${encodeURIComponent(a.id)}`))) state.reload();
                      }}
                    >
                      {t('settings.remove')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {editable && state.error?.status !== 404 && (
        <form
          className="inline-form wrap"
          onSubmit={async (e) => {
            e.preventDefault();
            let shown: string | null = null;
            const ok = await action.run(async () => {
              shown = (await api.put<{ secret?: string }>('/v1/alerts/endpoints', { url })).secret ?? null;
            });
            if (ok) {
              setSecret(shown);
              setUrl('');
              state.reload();
            }
          }}
        >
          <label>
            <span className="sr-only">{t('settings.alertUrl')}</span>
            <input type="url" placeholder="https://…" value={url} onChange={(e) => setUrl(e.target.value)} required />
          </label>
          <button type="submit" className="btn btn-small" disabled={!url || action.busy}>
            {t('settings.addAlert')}
          </button>
        </form>
      )}
      {secret && (
        <p className="notice" role="status">
          {t('settings.alertSecretOnce')} <code className="secret">{secret}</code>
        </p>
      )}
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
    </Card>
  );
}
