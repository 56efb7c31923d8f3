// Settings → Audit trail (owners): who changed what and when, newest first, a page at a time, filtered by action or
// actor; and the "Password and sessions" card every user has: change one's password, log out everywhere.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Card, Loaded, useAction } from '../components/SettingsParts';
import { Pager, useCursor } from '../components/Pager';
import { useApi, useFormat } from '../hooks';
import type { AuditEntry, AuditPage, SessionsEnded } from '../types';

/** The groups of actions the filter offers (the prefix before the dot), in the order of the settings page. */
const ACTION_GROUPS = [
  'account', 'key', 'user', 'invitation', 'provider_secret', 'shopify_secret', 'stripe_secret', 'alert_endpoint', 'budget_settings',
  'tracking_settings', 'attribution_settings', 'retention_settings', 'cost_model', 'campaign_cost_model', 'suppression', 'contact', 'currency_rates', 'discount_codes',
  'campaign', 'journey', 'goal', 'link', 'invoice', 'dead_letter',
] as const;

const PAGE_SIZE = 25;

const shown = (v: unknown): string => {
  if (v === null || v === undefined) return '—';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
};

/** One line per field: "field: from → to", or "field: value". */
function Details({ details }: { details: AuditEntry['details'] }) {
  const { t } = useTranslation();
  const entries = Object.entries(details);
  // The server writes a secret's value as "[redacted]": said in the page's language.
  const value = (v: unknown) => (v === '[redacted]' ? t('audit.redacted') : shown(v));
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="plain-list small">
      {entries.map(([k, v]) => {
        const change = v && typeof v === 'object' && !Array.isArray(v) && 'from' in v && 'to' in v ? (v as { from: unknown; to: unknown }) : null;
        return (
          <li key={k}>
            <code>{k}</code>: {change ? `${value(change.from)} → ${value(change.to)}` : value(v)}
          </li>
        );
      })}
    </ul>
  );
}

export function AuditTrailCard() {
  const { t } = useTranslation();
  const f = useFormat();
  const [group, setGroup] = useState('');
  const [actor, setActor] = useState('');
  const cursor = useCursor([group, actor]);
  const state = useApi<AuditPage>('/v1/audit', { limit: PAGE_SIZE, cursor: cursor.current, action: group ? `${group}.` : null, actor: actor.trim() || null });
  const label = (action: string) => t(`audit.actions.${action.replace('.', '__')}`, { defaultValue: action });
  return (
    <Card id="audit" title={t('audit.title')}>
      <p className="muted small">{t('audit.help')}</p>
      <div className="filters">
        <label className="field">
          <span>{t('audit.filterAction')}</span>
          <select value={group} onChange={(e) => setGroup(e.target.value)} data-testid="audit-filter-action">
            <option value="">{t('audit.allActions')}</option>
            {ACTION_GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`audit.groups.${g}`, { defaultValue: g })}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('audit.filterActor')}</span>
          <input value={actor} onChange={(e) => setActor(e.target.value)} placeholder={t('audit.actorPlaceholder')} maxLength={320} />
        </label>
      </div>
      <Loaded state={state}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted" data-testid="audit-empty">{t('audit.none')}</p>
          ) : (
            <>
              <div className="table-wrap">
                <table className="table" data-testid="audit-table" aria-busy={state.loading}>
                  <thead>
                    <tr>
                      <th scope="col">{t('audit.time')}</th>
                      <th scope="col">{t('audit.actor')}</th>
                      <th scope="col">{t('audit.action')}</th>
                      <th scope="col">{t('audit.details')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.items.map((e) => (
                      <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                        <td className="num nowrap">{f.dateTime(e.at)}</td>
                        <td className="nowrap">
                          {e.actor.name || e.actor.id}
                          <div className="muted small">
                            {t(e.actor.type === 'key' ? 'audit.viaKey' : 'audit.viaUser')} · {e.actor.id}
                            {e.ip ? ` · ${e.ip}` : ''}
                          </div>
                        </td>
                        <td>
                          {label(e.action)}
                          {e.target && <div className="muted small"><code>{e.target}</code></div>}
                        </td>
                        <td>
                          <Details details={e.details} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager cursor={cursor} nextCursor={page.nextCursor} />
            </>
          )
        }
      </Loaded>
    </Card>
  );
}

/** Every user's own password and sessions. */
export function PasswordCard() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const change = useAction();
  const everywhere = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    setMismatch(next !== confirm);
    if (next !== confirm) return;
    let answer: SessionsEnded | undefined;
    const ok = await change.run(async () => {
      answer = await api.post<SessionsEnded>('/auth/password', { currentPassword: current, newPassword: next });
    });
    if (ok && answer) {
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone(t('security.changed', { count: answer.endedSessions }));
    }
  };
  const logOutEverywhere = async () => {
    if (!window.confirm(t('security.everywhereConfirm'))) return;
    // The session is gone too: back to the login page.
    if (await everywhere.run(() => api.post('/auth/logout-all'))) window.location.assign('/');
  };
  return (
    <Card id="security" title={t('security.title')}>
      <form onSubmit={submit} className="form-grid" data-testid="password-form">
        <fieldset disabled={change.busy}>
          <label className="field">
            <span>{t('security.current')}</span>
            <input type="password" name="currentPassword" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
          </label>
          <label className="field">
            <span>{t('security.new')}</span>
            <input type="password" name="newPassword" autoComplete="new-password" minLength={8} maxLength={1000} value={next} onChange={(e) => setNext(e.target.value)} required />
          </label>
          <label className="field">
            <span>{t('security.confirm')}</span>
            <input type="password" name="confirmPassword" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
          </label>
          <button type="submit" className="btn btn-primary" data-testid="password-submit">
            {t('security.change')}
          </button>
          {done && <span className="muted" role="status"> {done}</span>}
          {mismatch && <p className="form-error" role="alert">{t('security.mismatch')}</p>}
          {change.error && <p className="form-error" role="alert">{change.error}</p>}
        </fieldset>
      </form>
      <p className="muted small">{t('security.everywhereHelp')}</p>
      <button type="button" className="btn btn-danger" onClick={logOutEverywhere} disabled={everywhere.busy} data-testid="logout-everywhere">
        {t('security.everywhere')}
      </button>
      {everywhere.error && <p className="form-error" role="alert">{everywhere.error}</p>}
    </Card>
  );
}
