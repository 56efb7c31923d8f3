// Settings about money and tracking: the cost model (prices typed in the account's currency, stored exactly in
// thousandths of a cent), the budget settings, the Stripe webhook and its secret, and the tracking settings.
// Owners change them; analysts read them (the server refuses their changes anyway).
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Card, Loaded, useAction } from '../components/SettingsParts';
import { ErrorState, SkeletonBlock } from '../components/States';
import { draftOf, emptyLetter, modelOf, type CostDraft, type DraftErrors, type PriceRow } from '../costModelDraft';
import { useApi, useFormat, useSession } from '../hooks';
import type { Lang } from '../i18n';
import { decimalToUnits, formatUnits, MILLI, unitDigits, unitsToInput } from '../money';
import { WHATSAPP_CATEGORIES, type BudgetSettings, type CostModel, type Page, type ProviderItem, type TrackingSettings } from '../types';

function useLang(): Lang {
  const { i18n } = useTranslation();
  return i18n.language?.startsWith('fr') ? 'fr' : 'en';
}

function Saved({ saved, error }: { saved: boolean; error: string | null }) {
  const { t } = useTranslation();
  return (
    <>
      {saved && (
        <span className="muted" role="status" data-testid="saved">
          {' '}
          {t('settings.saved')}
        </span>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

// ----------------------------------------------------------------------------------------------- cost model

/** One price: an input when editable (its exact value in the currency beside it once typed), else the value. */
function PriceCell({
  field,
  value,
  onChange,
  editable,
  errors,
  currency,
  label,
}: {
  field: string;
  value: string | undefined;
  onChange: (v: string) => void;
  editable: boolean;
  errors: DraftErrors;
  currency: string;
  label: string;
}) {
  const { t } = useTranslation();
  const f = useFormat();
  const lang = useLang();
  const err = errors[field];
  const digits = field === 'fixed' ? unitDigits(currency) : unitDigits(currency, MILLI);
  const parsed = value ? decimalToUnits(value, digits, lang) : null;
  if (!editable) {
    return (
      <span className="num" data-testid={`price-${field}`}>
        {parsed?.ok ? formatUnits(parsed.value, currency, field === 'fixed' ? 0 : MILLI, f.locale) : '—'}
      </span>
    );
  }
  return (
    <span className="price-cell">
      <input
        className="price-input num"
        inputMode="decimal"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value)}
        aria-label={label}
        aria-invalid={!!err}
        title={err ? t(`money.${err}`, { digits }) : undefined}
        data-testid={`price-${field}`}
        size={8}
      />
      {err && <span className="field-error small">{t(`money.${err}`, { digits })}</span>}
    </span>
  );
}

/** Rows × ("default" and country columns) of prices, with a column added by typing a country code. */
function CountryTable({
  prefix,
  rows,
  countries,
  draft,
  setRow,
  editable,
  errors,
  currency,
  rowLabel,
  caption,
}: {
  prefix: string;
  rows: string[];
  countries: string[];
  draft: (row: string) => PriceRow;
  setRow: (row: string, next: PriceRow) => void;
  editable: boolean;
  errors: DraftErrors;
  currency: string;
  rowLabel: (row: string) => string;
  caption: string;
}) {
  const { t } = useTranslation();
  const cols = ['default', ...countries];
  return (
    <>
    <p className="muted small">{caption}</p>
    <div className="table-wrap">
      <table className="table prices" aria-label={caption}>
        <thead>
          <tr>
            <th scope="col" />
            {cols.map((c) => (
              <th key={c} scope="col" className="num-col">
                {c === 'default' ? t('costModel.default') : c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const key = prefix ? `${prefix}.${r}` : r;
            return (
              <tr key={r}>
                <th scope="row">{rowLabel(r)}</th>
                {cols.map((c) => (
                  <td key={c} className="num-col">
                    <PriceCell
                      field={`${key}.${c}`}
                      value={draft(r)[c]}
                      onChange={(v) => setRow(r, { ...draft(r), [c]: v })}
                      editable={editable}
                      errors={errors}
                      currency={currency}
                      label={`${rowLabel(r)} · ${c === 'default' ? t('costModel.default') : c}`}
                    />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
    </>
  );
}

function AddCountry({ onAdd, label, testid }: { onAdd: (c: string) => void; label: string; testid: string }) {
  const { t } = useTranslation();
  const [code, setCode] = useState('');
  const ok = /^[A-Z]{2}$/.test(code);
  return (
    <span className="inline-form">
      <label>
        <span className="sr-only">{label}</span>
        <input
          value={code}
          onChange={(e) => setCode(e.target.value.toUpperCase().slice(0, 2))}
          placeholder="DE"
          size={3}
          data-testid={testid}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (ok) {
                onAdd(code);
                setCode('');
              }
            }
          }}
        />
      </label>
      <button
        type="button"
        className="btn btn-small"
        disabled={!ok}
        onClick={() => {
          onAdd(code);
          setCode('');
        }}
      >
        {label}
      </button>
      <span className="sr-only">{t('costModel.countryHelp')}</span>
    </span>
  );
}

export function CostModelCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { session } = useSession();
  const currency = session?.account.currency ?? 'EUR';
  const state = useApi<CostModel>('/v1/cost-model');
  // 404 with the service's own message: the account has no cost model yet, which is a blank form, not a failure.
  const none = state.error?.status === 404 && !state.error.message.startsWith('No route');
  const [draft, setDraft] = useState<CostDraft | null>(null);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    if (state.data) setDraft(draftOf(state.data, currency, lang));
    else if (none) setDraft(draftOf(null, currency, lang));
    // The draft is rebuilt on a language switch so that decimal marks follow it.
  }, [state.data, none, currency, lang]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    const out = modelOf(draft, currency, lang);
    if (!out.ok) {
      setErrors(out.errors);
      return;
    }
    setErrors({});
    if (await action.run(() => api.put('/v1/cost-model', out.model))) {
      setSaved(true);
      state.reload();
    }
  };
  const set = (next: Partial<CostDraft>) => draft && (setSaved(false), setDraft({ ...draft, ...next }));
  const errorCount = Object.keys(errors).length;

  let body: ReactNode;
  if (state.error && !none) {
    body =
      state.error.status === 404 ? (
        <p className="muted">{t('settings.notAvailable')}</p>
      ) : (
        <ErrorState error={state.error} onRetry={state.reload} />
      );
  } else if (!draft) {
    body = <SkeletonBlock height={160} />;
  } else {
    const common = { editable, errors, currency };
    const postCols = ['domestic', 'international', ...draft.postCountries];
    body = (
      <form onSubmit={save} className="form-grid cost-model" data-testid="cost-model-form" noValidate>
        <p className="muted small">{t('costModel.help', { currency, example: formatUnits(790, currency, MILLI, lang === 'fr' ? 'fr-FR' : 'en-US') })}</p>
        {none && <p className="notice">{t('costModel.none')}</p>}
        <h3 className="subhead">{t('channel.whatsapp')}</h3>
        <CountryTable
          {...common}
          prefix="whatsapp"
          rows={[...WHATSAPP_CATEGORIES]}
          countries={draft.countries}
          draft={(r) => draft.whatsapp[r as keyof CostDraft['whatsapp']]}
          setRow={(r, next) => set({ whatsapp: { ...draft.whatsapp, [r]: next } })}
          rowLabel={(r) => t(`costModel.category.${r}`)}
          caption={t('costModel.whatsappHelp')}
        />
        <h3 className="subhead">{t('channel.sms')}</h3>
        <CountryTable
          {...common}
          prefix=""
          rows={['sms']}
          countries={draft.countries}
          draft={() => draft.sms}
          setRow={(_r, next) => set({ sms: next })}
          rowLabel={() => t('costModel.perSegment')}
          caption={t('costModel.smsHelp')}
        />
        {editable && <AddCountry label={t('costModel.addCountry')} testid="add-country" onAdd={(c) => set({ countries: [...new Set([...draft.countries, c])].sort() })} />}
        <h3 className="subhead">{t('channel.email')}</h3>
        <label className="field">
          <span>{t('costModel.perEmail')}</span>
          <PriceCell {...common} field="email" value={draft.email} onChange={(v) => set({ email: v })} label={t('costModel.perEmail')} />
        </label>
        <h3 className="subhead">{t('channel.mail')}</h3>
        <label className="field">
          <span>{t('costModel.homeCountry')}</span>
          {editable ? (
            <input
              value={draft.mailHome}
              onChange={(e) => set({ mailHome: e.target.value.toUpperCase().slice(0, 2) })}
              placeholder="FR"
              size={3}
              aria-invalid={!!errors['mail.home']}
            />
          ) : (
            <span>{draft.mailHome || '—'}</span>
          )}
        </label>
        <p className="muted small">{t('costModel.mailHelp')}</p>
        <div className="table-wrap">
          <table className="table prices" data-testid="letter-prices" aria-label={t('costModel.mailHelp')}>
            <thead>
              <tr>
                <th scope="col">{t('costModel.format')}</th>
                <th scope="col" className="num-col">{t('costModel.printing')}</th>
                <th scope="col" className="num-col">{t('costModel.enveloping')}</th>
                {postCols.map((c) => (
                  <th key={c} scope="col" className="num-col">
                    {c === 'domestic' ? t('costModel.domestic') : c === 'international' ? t('costModel.international') : t('costModel.postageTo', { country: c })}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {draft.formats.map((fm, i) => {
                const setFormat = (next: Partial<typeof fm>) => set({ formats: draft.formats.map((x, j) => (j === i ? { ...x, ...next } : x)) });
                return (
                  <tr key={i}>
                    <th scope="row">
                      {editable ? (
                        <input
                          value={fm.name}
                          onChange={(e) => setFormat({ name: e.target.value.toLowerCase() })}
                          aria-label={t('costModel.format')}
                          aria-invalid={!!errors[`mail.${i}.name`]}
                          size={10}
                        />
                      ) : (
                        fm.name
                      )}
                    </th>
                    {(['printing', 'enveloping'] as const).map((k) => (
                      <td key={k} className="num-col">
                        <PriceCell {...common} field={`mail.${i}.${k}`} value={fm[k]} onChange={(v) => setFormat({ [k]: v })} label={`${fm.name} · ${t(`costModel.${k}`)}`} />
                      </td>
                    ))}
                    {postCols.map((c) => (
                      <td key={c} className="num-col">
                        <PriceCell
                          {...common}
                          field={`mail.${i}.${c}`}
                          value={fm.postage[c]}
                          onChange={(v) => setFormat({ postage: { ...fm.postage, [c]: v } })}
                          label={`${fm.name} · ${c}`}
                        />
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {editable && (
          <p className="inline-form wrap">
            <button type="button" className="btn btn-small" onClick={() => set({ formats: [...draft.formats, emptyLetter()] })}>
              {t('costModel.addFormat')}
            </button>
            <AddCountry label={t('costModel.addPostCountry')} testid="add-post-country" onAdd={(c) => set({ postCountries: [...new Set([...draft.postCountries, c])].sort() })} />
          </p>
        )}
        <h3 className="subhead">{t('costModel.fixed')}</h3>
        <label className="field">
          <span>{t('costModel.fixedHelp')}</span>
          <PriceCell {...common} field="fixed" value={draft.fixed} onChange={(v) => set({ fixed: v })} label={t('costModel.fixed')} />
        </label>
        {editable && (
          <p>
            <button type="submit" className="btn btn-primary" disabled={action.busy} data-testid="cost-model-save">
              {t('settings.save')}
            </button>
            {errorCount > 0 && (
              <span className="form-error" role="alert">
                {' '}
                {t('costModel.errors', { count: errorCount })}
              </span>
            )}
            <Saved saved={saved} error={action.error} />
          </p>
        )}
      </form>
    );
  }
  return (
    <Card id="cost-model" title={t('settings.costModel')}>
      {body}
    </Card>
  );
}

// ----------------------------------------------------------------------------------------------- budgets

export function BudgetSettingsCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const lang = useLang();
  const f = useFormat();
  const { session } = useSession();
  const currency = session?.account.currency ?? 'EUR';
  const digits = unitDigits(currency);
  const state = useApi<BudgetSettings>('/v1/budget/settings');
  const [draft, setDraft] = useState<{ monthly: string; grace: string; ttl: string } | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    const s = state.data;
    if (s) setDraft({ monthly: unitsToInput(s.monthlyBudget, digits, lang), grace: String(s.graceDays), ttl: String(s.reservationTtlSeconds) });
  }, [state.data, digits, lang]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    setFieldError(null);
    let monthlyBudget: number | null = null;
    if (draft.monthly.trim()) {
      const r = decimalToUnits(draft.monthly, digits, lang);
      if (!r.ok) return setFieldError(`${t('budgetSettings.monthly')}: ${t(`money.${r.error}`, { digits })}`);
      monthlyBudget = r.value;
    }
    const grace = Number(draft.grace);
    const ttl = Number(draft.ttl);
    if (!/^\d+$/.test(draft.grace.trim()) || grace > 365) return setFieldError(`${t('budgetSettings.grace')}: ${t('budgetSettings.graceRange')}`);
    if (!/^\d+$/.test(draft.ttl.trim()) || ttl < 10 || ttl > 604_800) return setFieldError(`${t('budgetSettings.ttl')}: ${t('budgetSettings.ttlRange')}`);
    if (await action.run(() => api.put('/v1/budget/settings', { monthlyBudget, graceDays: grace, reservationTtlSeconds: ttl }))) {
      setSaved(true);
      state.reload();
    }
  };
  return (
    <Card id="budgets" title={t('budgetSettings.title')}>
      <Loaded state={state}>
        {(s) =>
          draft && (
            <form onSubmit={save} className="form-grid" data-testid="budget-settings-form">
              <fieldset disabled={!editable || action.busy}>
                <label className="field">
                  <span>{t('budgetSettings.monthly')}</span>
                  <span>
                    <input
                      inputMode="decimal"
                      value={draft.monthly}
                      onChange={(e) => setDraft({ ...draft, monthly: e.target.value })}
                      placeholder={t('budgetSettings.noMonthly')}
                      data-testid="monthly-budget"
                      size={12}
                    />{' '}
                    <span className="muted">{currency}</span>
                  </span>
                  <span className="muted small">
                    {s.monthlyBudget === null ? t('budgetSettings.monthlyNone') : t('budgetSettings.monthlyNow', { amount: f.money(s.monthlyBudget, currency) })}
                  </span>
                </label>
                <label className="field">
                  <span>{t('budgetSettings.grace')}</span>
                  <input inputMode="numeric" value={draft.grace} onChange={(e) => setDraft({ ...draft, grace: e.target.value })} size={5} data-testid="grace-days" />
                  <span className="muted small">{t('budgetSettings.graceHelp')}</span>
                </label>
                <label className="field">
                  <span>{t('budgetSettings.ttl')}</span>
                  <input inputMode="numeric" value={draft.ttl} onChange={(e) => setDraft({ ...draft, ttl: e.target.value })} size={7} data-testid="reservation-ttl" />
                  <span className="muted small">{t('budgetSettings.ttlHelp')}</span>
                </label>
                {editable && (
                  <button type="submit" className="btn btn-primary">
                    {t('settings.save')}
                  </button>
                )}
                {fieldError && (
                  <p className="form-error" role="alert">
                    {fieldError}
                  </p>
                )}
                <Saved saved={saved} error={action.error} />
              </fieldset>
            </form>
          )
        }
      </Loaded>
    </Card>
  );
}

// ----------------------------------------------------------------------------------------------- Stripe

/** The Stripe webhook URL (built like the providers' from the server's public URL) and its signing secret. */
export function StripeCard() {
  const { t } = useTranslation();
  const { session } = useSession();
  const settings = useApi<BudgetSettings>('/v1/budget/settings');
  const providers = useApi<Page<ProviderItem>>('/v1/providers');
  const [secret, setSecret] = useState('');
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fromProvider = providers.data?.items.find((p) => p.provider === 'whatsapp')?.webhookUrl;
  const base = fromProvider ? fromProvider.slice(0, fromProvider.indexOf('/webhooks/')) : window.location.origin;
  const url = `${base}/webhooks/stripe/${session?.account.id ?? ''}`;
  const set = settings.data?.stripeWebhookSecretSet;
  const hint = settings.data?.stripeWebhookSecretHint;
  return (
    <Card id="stripe" title={t('stripe.title')}>
      <p className="muted small">{t('stripe.help')}</p>
      <p>
        <code className="url" data-testid="stripe-url">
          {url}
        </code>{' '}
        {set !== undefined && <span className={`pill ${set ? 'pill-good' : 'pill-warn'}`}>{set ? (hint ? t('settings.secretSetHint', { hint }) : t('settings.secretSet')) : t('settings.secretMissing')}</span>}
      </p>
      <form
        className="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setSaved(false);
          if (await action.run(() => api.put('/v1/stripe/secret', { secret }))) {
            setSecret('');
            setSaved(true);
            settings.reload();
          }
        }}
      >
        <label>
          <span className="sr-only">{t('stripe.secret')}</span>
          <input
            type="password"
            autoComplete="off"
            placeholder="whsec_…"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            minLength={10}
            data-testid="stripe-secret"
          />
        </label>
        <button type="submit" className="btn btn-small" disabled={secret.length < 10 || action.busy}>
          {t('settings.save')}
        </button>
      </form>
      <Saved saved={saved} error={action.error} />
    </Card>
  );
}

// ----------------------------------------------------------------------------------------------- tracking

export function TrackingCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const state = useApi<TrackingSettings>('/v1/tracking/settings');
  const [draft, setDraft] = useState<TrackingSettings | null>(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  useEffect(() => {
    if (state.data) setDraft(state.data);
  }, [state.data]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    setSaved(false);
    // An emptied address field clears it: the server's own address again.
    if (await action.run(() => api.patch('/v1/tracking/settings', { ...draft, publicUrl: draft.publicUrl?.trim() || null }))) {
      setSaved(true);
      state.reload();
    }
  };
  const setThreshold = (k: keyof TrackingSettings['thresholds'], v: string) =>
    draft && setDraft({ ...draft, thresholds: { ...draft.thresholds, [k]: v === '' ? 0 : Math.round(Number(v) * 1000) } });
  const seconds = (ms: number) => String(ms / 1000);
  return (
    <Card id="tracking" title={t('tracking.title')}>
      <Loaded state={state}>
        {() =>
          draft && (
            <form onSubmit={save} className="form-grid" data-testid="tracking-form">
              <fieldset disabled={!editable || action.busy}>
                <label className="check">
                  <input type="checkbox" checked={draft.utm} onChange={(e) => setDraft({ ...draft, utm: e.target.checked })} data-testid="tracking-utm" />{' '}
                  {t('tracking.utm')}
                </label>
                <label className="field">
                  <span>utm_source</span>
                  <input value={draft.utmSource} onChange={(e) => setDraft({ ...draft, utmSource: e.target.value })} pattern="[A-Za-z0-9._\-]{1,60}" required />
                </label>
                <label className="field">
                  <span>{t('tracking.publicUrl')}</span>
                  <input
                    type="url"
                    value={draft.publicUrl ?? ''}
                    onChange={(e) => setDraft({ ...draft, publicUrl: e.target.value })}
                    placeholder="https://mesure.example.com"
                    maxLength={200}
                    data-testid="tracking-public-url"
                  />
                  <span className="muted small">{t('tracking.publicUrlHelp')}</span>
                </label>
                <label className="field">
                  <span>{t('tracking.clickId')}</span>
                  <input value={draft.clickIdParam} onChange={(e) => setDraft({ ...draft, clickIdParam: e.target.value })} pattern="[A-Za-z0-9_]{1,40}" required />
                  <span className="muted small">{t('tracking.clickIdHelp')}</span>
                </label>
                <h3 className="subhead">{t('tracking.bots')}</h3>
                <p className="muted small">{t('tracking.botsHelp')}</p>
                {(
                  [
                    ['clickAfterDeliveryMs', 3600],
                    ['linkSweepMs', 600],
                    ['proxyOpenAfterDeliveryMs', 3600],
                  ] as const
                ).map(([k, max]) => (
                  <label className="field" key={k}>
                    <span>{t(`tracking.${k}`)}</span>
                    <span>
                      <input type="number" min={0} max={max} step={0.001} value={seconds(draft.thresholds[k])} onChange={(e) => setThreshold(k, e.target.value)} />{' '}
                      <span className="muted">s</span>
                    </span>
                  </label>
                ))}
                <label className="check">
                  <input
                    type="checkbox"
                    checked={draft.thresholds.flagGatewayReferer}
                    onChange={(e) => setDraft({ ...draft, thresholds: { ...draft.thresholds, flagGatewayReferer: e.target.checked } })}
                  />{' '}
                  {t('tracking.flagGatewayReferer')}
                </label>
                {editable && (
                  <button type="submit" className="btn btn-primary">
                    {t('settings.save')}
                  </button>
                )}
                <Saved saved={saved} error={action.error} />
              </fieldset>
            </form>
          )
        }
      </Loaded>
    </Card>
  );
}
