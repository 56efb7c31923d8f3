// A campaign's budget in its page header: used, reserved and remaining with a light (remaining share, the
// thresholds of docs/BUDGETS.md), and for owners and analysts an editor that PATCHes { budget } in minor units.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { clearApiCache, useFormat } from '../hooks';
import type { Lang } from '../i18n';
import { decimalToUnits, unitDigits, unitsToInput } from '../money';
import type { CampaignBudget as Budget } from '../types';

/** Red when at most 10 % of the budget remains, amber at most 25 % (docs/BUDGETS.md; no per-campaign forecast). */
export function campaignLight(b: Pick<Budget, 'budget' | 'remaining'>): 'green' | 'amber' | 'red' | null {
  if (b.budget === null || b.remaining === null) return null;
  if (b.budget <= 0) return 'red';
  const share = b.remaining / b.budget;
  return share <= 0.1 ? 'red' : share <= 0.25 ? 'amber' : 'green';
}

export function CampaignBudgetLine({
  campaignId,
  budget,
  editable,
  onChanged,
}: {
  campaignId: string;
  budget: Budget;
  editable: boolean;
  onChanged: () => void;
}) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const lang = (i18n.language?.startsWith('fr') ? 'fr' : 'en') as Lang;
  const digits = unitDigits(budget.currency);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const m = (v: number | null) => f.money(v, budget.currency);
  const light = campaignLight(budget);

  const save = async (value: number | null) => {
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/v1/campaigns/${encodeURIComponent(campaignId)}`, { budget: value });
      clearApiCache();
      setEditing(false);
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message || e.code : String(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = decimalToUnits(draft, digits, lang);
    if (!parsed.ok) {
      setError(t(`money.${parsed.error}`, { digits }));
      return;
    }
    void save(parsed.value);
  };

  return (
    <div className="campaign-budget" data-testid="campaign-budget">
      {budget.budget === null ? (
        <span className="muted">{t('campaignBudget.none')}</span>
      ) : (
        <span className="num">
          {light && (
            <span className={`light light-${light}`} data-testid="campaign-budget-light" data-light={light}>
              <span aria-hidden="true">●</span> {t(`budget.light.${light}`)}
            </span>
          )}{' '}
          <span data-testid="campaign-budget-total">{t('campaignBudget.of', { total: m(budget.budget) })}</span> ·{' '}
          {t('budget.used')} <span data-testid="campaign-budget-used">{m(budget.used)}</span> · {t('budget.reserved')}{' '}
          <span data-testid="campaign-budget-reserved">{m(budget.reserved)}</span> · {t('budget.remaining')}{' '}
          <strong data-testid="campaign-budget-remaining">{m(budget.remaining)}</strong>
        </span>
      )}
      {editable && !editing && (
        <button
          type="button"
          className="btn btn-small btn-quiet"
          data-testid="campaign-budget-edit"
          onClick={() => {
            setDraft(unitsToInput(budget.budget, digits, lang));
            setError(null);
            setEditing(true);
          }}
        >
          {budget.budget === null ? t('campaignBudget.set') : t('campaignBudget.edit')}
        </button>
      )}
      {editing && (
        <form className="inline-form" onSubmit={submit} data-testid="campaign-budget-form">
          <label>
            <span className="sr-only">{t('campaignBudget.label', { currency: budget.currency })}</span>
            <input
              inputMode="decimal"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              placeholder="0"
              aria-invalid={!!error}
              data-testid="campaign-budget-input"
              size={10}
            />
          </label>{' '}
          <span className="muted">{budget.currency}</span>{' '}
          <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
            {t('settings.save')}
          </button>{' '}
          {budget.budget !== null && (
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => void save(null)}>
              {t('campaignBudget.remove')}
            </button>
          )}{' '}
          <button type="button" className="btn btn-small btn-quiet" onClick={() => setEditing(false)}>
            {t('campaignBudget.cancel')}
          </button>
        </form>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
