// The settings card on retention (owners only): how many days raw events and visits keep IP addresses and user
// agents, and how long per-recipient rows are kept at all (empty: for ever). See docs/PRIVACY.md, "Retention".
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Card, Loaded, useAction } from '../components/SettingsParts';
import { useApi } from '../hooks';
import type { RetentionSettings } from '../types';

/** The bounds the API accepts (src/domain/retention.ts). */
const DETAILS = { min: 1, max: 3650 };
const ROWS = { min: 30, max: 3650 };

export function RetentionCard() {
  const { t } = useTranslation();
  const state = useApi<RetentionSettings>('/v1/retention/settings');
  const [draft, setDraft] = useState<{ details: string; rows: string } | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    const s = state.data;
    if (s) setDraft({ details: String(s.visitorDetailsDays), rows: s.recipientRowsDays === null ? '' : String(s.recipientRowsDays) });
  }, [state.data]);
  const whole = (text: string, lim: { min: number; max: number }) => (/^\d+$/.test(text.trim()) && Number(text) >= lim.min && Number(text) <= lim.max ? Number(text) : null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    setFieldError(null);
    const visitorDetailsDays = whole(draft.details, DETAILS);
    if (visitorDetailsDays === null) return setFieldError(t('retention.invalid', { field: t('retention.details'), rule: t('retention.range', DETAILS) }));
    let recipientRowsDays: number | null = null;
    if (draft.rows.trim()) {
      recipientRowsDays = whole(draft.rows, ROWS);
      if (recipientRowsDays === null) return setFieldError(t('retention.invalid', { field: t('retention.rows'), rule: t('retention.range', ROWS) }));
    }
    if (await action.run(() => api.put('/v1/retention/settings', { visitorDetailsDays, recipientRowsDays }))) {
      setSaved(true);
      state.reload();
    }
  };
  return (
    <Card id="retention" title={t('retention.title')}>
      <Loaded state={state}>
        {(s) =>
          draft && (
            <form onSubmit={save} className="form-grid" data-testid="retention-form">
              <fieldset disabled={action.busy}>
                <label className="field">
                  <span>{t('retention.details')}</span>
                  <input inputMode="numeric" value={draft.details} onChange={(e) => setDraft({ ...draft, details: e.target.value })} size={5} data-testid="retention-details" />
                  <span className="muted small">{t('retention.detailsHelp', { count: s.visitorDetailsDays })}</span>
                </label>
                <label className="field">
                  <span>{t('retention.rows')}</span>
                  <input
                    inputMode="numeric"
                    value={draft.rows}
                    onChange={(e) => setDraft({ ...draft, rows: e.target.value })}
                    placeholder={t('retention.forever')}
                    size={5}
                    data-testid="retention-rows"
                  />
                  <span className="muted small" data-testid="retention-rows-now">
                    {s.recipientRowsDays === null ? t('retention.rowsForever') : t('retention.rowsHelp', { count: s.recipientRowsDays })}
                  </span>
                </label>
                <p className="muted small">{t('retention.figuresStay')}</p>
                <button type="submit" className="btn btn-primary">
                  {t('settings.save')}
                </button>
                {saved && (
                  <span className="muted" role="status" data-testid="saved">
                    {' '}
                    {t('settings.saved')}
                  </span>
                )}
                {(fieldError ?? action.error) && (
                  <p className="form-error" role="alert">
                    {fieldError ?? action.error}
                  </p>
                )}
              </fieldset>
            </form>
          )
        }
      </Loaded>
    </Card>
  );
}
