// The settings card on scheduled e-mail reports (every member, their own): frequency, language, day and hour in the
// account's time zone, the next sending and the last one, and "Send me one now". Without SMTP on the server, it says
// what an administrator must set. See docs/OPERATIONS.md, "Scheduled reports".
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Card, Loaded, useAction } from '../components/SettingsParts';
import { useApi, useFormat } from '../hooks';
import type { ReportRun, ReportSettings } from '../types';

type Draft = Pick<ReportSettings, 'frequency' | 'language' | 'dayOfWeek' | 'dayOfMonth' | 'hour'>;

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const MONTH_DAYS = Array.from({ length: 28 }, (_, i) => i + 1);
const HOURS = Array.from({ length: 24 }, (_, i) => i);

export function ReportsCard() {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const state = useApi<ReportSettings>('/v1/reports/settings');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const [sent, setSent] = useState<ReportRun | null>(null);
  const action = useAction();
  const sending = useAction();
  useEffect(() => {
    const s = state.data;
    if (s) setDraft({ frequency: s.frequency, language: s.language, dayOfWeek: s.dayOfWeek, dayOfMonth: s.dayOfMonth, hour: s.hour });
  }, [state.data]);
  // Weekday names in the dashboard's language: 2024-01-01 was a Monday.
  const weekdayName = (d: number) => new Intl.DateTimeFormat(i18n.language, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, d));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    if (await action.run(() => api.put('/v1/reports/settings', draft))) {
      setSaved(true);
      state.reload();
    }
  };
  const sendNow = async () => {
    setSent(null);
    let run: ReportRun | null = null;
    if (await sending.run(async () => { run = await api.post<ReportRun>('/v1/reports/send'); })) {
      setSent(run);
      state.reload();
    }
  };
  const runLine = (r: ReportRun) =>
    r.status === 'sent'
      ? t('reports.runSent', { to: r.to, from: f.day(r.period.from), until: f.day(r.period.to), at: f.dateTime(r.sentAt) })
      : t('reports.runFailed', { to: r.to, error: r.error ?? '' });
  return (
    <Card id="reports" title={t('reports.title')}>
      <Loaded state={state}>
        {(s) =>
          draft && (
            <>
              {!s.smtp.configured && (
                <p className="notice" role="note" data-testid="report-smtp-missing">
                  {t('reports.smtpMissing')}
                </p>
              )}
              <form onSubmit={save} className="form-grid" data-testid="reports-form">
                <fieldset disabled={action.busy}>
                  <label className="field">
                    <span>{t('reports.frequency')}</span>
                    <select value={draft.frequency} onChange={(e) => setDraft({ ...draft, frequency: e.target.value as Draft['frequency'] })} data-testid="report-frequency">
                      {(['off', 'weekly', 'monthly'] as const).map((v) => (
                        <option key={v} value={v}>
                          {t(`reports.frequencies.${v}`)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="field">
                    <span>{t('reports.language')}</span>
                    <select value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value as Draft['language'] })} data-testid="report-language">
                      <option value="fr">Français</option>
                      <option value="en">English</option>
                    </select>
                  </label>
                  {draft.frequency === 'weekly' && (
                    <label className="field">
                      <span>{t('reports.dayOfWeek')}</span>
                      <select value={draft.dayOfWeek} onChange={(e) => setDraft({ ...draft, dayOfWeek: Number(e.target.value) })} data-testid="report-day-of-week">
                        {WEEKDAYS.map((d) => (
                          <option key={d} value={d}>
                            {weekdayName(d)}
                          </option>
                        ))}
                      </select>
                    </label>
                  )}
                  {draft.frequency === 'monthly' && (
                    <label className="field">
                      <span>{t('reports.dayOfMonth')}</span>
                      <select value={draft.dayOfMonth} onChange={(e) => setDraft({ ...draft, dayOfMonth: Number(e.target.value) })} data-testid="report-day-of-month">
                        {MONTH_DAYS.map((d) => (
                          <option key={d} value={d}>
                            {d}
                          </option>
                        ))}
                      </select>
                    </label>
                  )}
                  {draft.frequency !== 'off' && (
                    <label className="field">
                      <span>{t('reports.hour')}</span>
                      <select value={draft.hour} onChange={(e) => setDraft({ ...draft, hour: Number(e.target.value) })} data-testid="report-hour">
                        {HOURS.map((h) => (
                          <option key={h} value={h}>
                            {`${String(h).padStart(2, '0')}:00`}
                          </option>
                        ))}
                      </select>
                      <span className="muted small">{t('reports.timeZone', { zone: s.timeZone })}</span>
                    </label>
                  )}
                  <p className="muted small">{t('reports.contents')}</p>
                  <p className="muted small" data-testid="report-next">
                    {s.nextSendAt ? t('reports.next', { at: f.dateTime(s.nextSendAt), to: s.email }) : t('reports.none')}
                  </p>
                  <button type="submit" className="btn btn-primary" data-testid="report-save">
                    {t('settings.save')}
                  </button>
                  {saved && (
                    <span className="muted" role="status" data-testid="saved">
                      {' '}
                      {t('settings.saved')}
                    </span>
                  )}
                  {action.error && (
                    <p className="form-error" role="alert">
                      {action.error}
                    </p>
                  )}
                </fieldset>
              </form>
              <div className="form-grid">
                <button type="button" className="btn" onClick={sendNow} disabled={!s.smtp.configured || sending.busy} data-testid="report-send-now">
                  {sending.busy ? t('reports.sending') : t('reports.sendNow')}
                </button>
                {sent && (
                  <p className={sent.status === 'sent' ? 'muted' : 'form-error'} role="status" data-testid="report-send-result">
                    {runLine(sent)}
                  </p>
                )}
                {sending.error && (
                  <p className="form-error" role="alert">
                    {sending.error}
                  </p>
                )}
                {!sent && s.lastRun && (
                  <p className="muted small" data-testid="report-last">
                    {t('reports.last')} {runLine(s.lastRun)}
                  </p>
                )}
              </div>
            </>
          )
        }
      </Loaded>
    </Card>
  );
}
