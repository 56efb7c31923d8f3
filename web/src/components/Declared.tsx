// Declared vs attributed (GET /v1/attribution/declared): per channel, the orders whose buyer said the channel brought
// them beside the orders the account's model credits to it, and the answers no rule maps; then the rules that map the
// answers (GET/PUT /v1/attribution/declared-rules), editable by owners, read-only for the others.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { useApi, useFormat, useSession } from '../hooks';
import { usePeriod } from './Shell';
import { ChannelTag } from './CampaignTable';
import { ErrorState, SkeletonBlock } from './States';
import type { CampaignListItem, DeclaredReport as Report, DeclaredRules as RulesView } from '../types';

type Rule = RulesView['rules'][number];
type Target = Rule['target'];
const CHANNELS = ['whatsapp', 'sms', 'email', 'mail'] as const;

export function DeclaredView({ campaigns }: { campaigns: Map<string, CampaignListItem> }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { from, to } = usePeriod();
  const report = useApi<Report>('/v1/attribution/declared', { from, to });
  if (report.error && !report.data) return <ErrorState error={report.error} onRetry={report.reload} what={t('declared.failed')} />;
  if (!report.data) return <SkeletonBlock height={320} />;
  const r = report.data;
  return (
    <>
      <section className="card" aria-labelledby="declared-title" data-testid="declared">
        <h2 id="declared-title">{t('declared.title', { from: f.day(r.period.from), to: f.day(r.period.to) })}</h2>
        <p className="muted small">{t('declared.help', { orders: f.count(r.orders), answered: f.count(r.answered), model: t(`settings.models.${r.model}`) })}</p>
        <div className="table-wrap">
          <table className="table declared-table" data-testid="declared-table">
            <thead>
              <tr>
                <th scope="col">{t('declared.channel')}</th>
                <th scope="col" className="num-col">{t('declared.declaredOrders')}</th>
                <th scope="col" className="num-col">{t('declared.declaredRevenue')}</th>
                <th scope="col" className="num-col">{t('declared.attributedOrders')}</th>
                <th scope="col" className="num-col">{t('declared.attributedRevenue')}</th>
                <th scope="col" className="num-col">{t('declared.overlapOrders')}</th>
              </tr>
            </thead>
            <tbody>
              {r.channels.map((c) => (
                <tr key={c.channel} data-testid={`declared-row-${c.channel}`}>
                  <th scope="row"><ChannelTag channel={c.channel} /></th>
                  <td className="num num-col" data-testid="declared-orders">{f.count(c.declaredOrders)}</td>
                  <td className="num num-col">{f.money(c.declaredRevenue, r.currency)}</td>
                  <td className="num num-col" data-testid="attributed-orders">{f.count(c.attributedOrders)}</td>
                  <td className="num num-col">{f.money(c.attributedRevenue, r.currency)}</td>
                  <td className="num num-col" data-testid="overlap-orders">{f.count(c.overlapOrders)}</td>
                </tr>
              ))}
              <tr data-testid="declared-row-other">
                <th scope="row">{t('declared.other')}</th>
                <td className="num num-col">{f.count(r.other.orders)}</td>
                <td className="num num-col">{f.money(r.other.revenue, r.currency)}</td>
                <td className="num num-col muted">—</td>
                <td className="num num-col muted">—</td>
                <td className="num num-col muted">—</td>
              </tr>
            </tbody>
          </table>
        </div>
        <h3>{t('declared.unmapped', { n: f.count(r.unmapped.orders) })}</h3>
        {r.unmapped.top.length === 0 ? (
          <p className="muted small">{t('declared.noUnmapped')}</p>
        ) : (
          <ul className="plain-list declared-unmapped" data-testid="declared-unmapped">
            {r.unmapped.top.map((u) => (
              <li key={u.text}>
                <q>{u.text}</q> <span className="muted small num">× {f.count(u.orders)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <DeclaredRules campaigns={campaigns} onSaved={report.reload} />
    </>
  );
}

const targetKey = (t: Target): string => (t === 'other' ? 'other' : 'channel' in t ? `channel:${t.channel}` : `campaign:${t.campaignId}`);
const targetOf = (key: string): Target => (key === 'other' ? 'other' : key.startsWith('channel:') ? { channel: key.slice(8) as (typeof CHANNELS)[number] } : { campaignId: key.slice(9) });

function DeclaredRules({ campaigns, onSaved }: { campaigns: Map<string, CampaignListItem>; onSaved: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { session } = useSession();
  const owner = session?.user.role === 'owner';
  const view = useApi<RulesView>('/v1/attribution/declared-rules');
  const [rules, setRules] = useState<Omit<Rule, 'matches'>[] | null>(null);
  const [matches, setMatches] = useState<number[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (view.data && rules === null) {
      setRules(view.data.rules.map(({ match, pattern, target }) => ({ match, pattern, target })));
      setMatches(view.data.rules.map((r) => r.matches));
    }
  }, [view.data, rules]);
  if (view.error && !view.data) return <ErrorState error={view.error} onRetry={view.reload} what={t('declared.rulesFailed')} />;
  if (!view.data || rules === null) return <SkeletonBlock height={160} />;
  const edit = (i: number, patch: Partial<Omit<Rule, 'matches'>>) => setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const send = async (dryRun: boolean) => {
    setMessage(null);
    try {
      const r = await api.put<RulesView & { remapped: { answers: number; changed: number } | null }>(`/v1/attribution/declared-rules${dryRun ? '?dryRun=true' : ''}`, { rules });
      setMatches(r.rules.map((x) => x.matches));
      if (!dryRun) {
        setMessage({ ok: true, text: t('declared.saved', { changed: f.count(r.remapped?.changed ?? 0), answers: f.count(r.remapped?.answers ?? 0) }) });
        onSaved();
      }
    } catch (e) {
      setMessage({ ok: false, text: e instanceof ApiError ? e.message : String(e) });
    }
  };
  return (
    <section className="card" aria-labelledby="declared-rules-title" data-testid="declared-rules">
      <h2 id="declared-rules-title">{t('declared.rulesTitle')}</h2>
      <p className="muted small">{t('declared.rulesHelp', { attributes: view.data.attributes.join(', ') })}</p>
      {!owner && <p className="muted small" data-testid="declared-readonly">{t('declared.ownerOnly')}</p>}
      {rules.length === 0 && <p className="muted">{t('declared.noRules')}</p>}
      <ol className="declared-rules-list">
        {rules.map((r, i) => (
          <li key={i} className="declared-rule" data-testid="declared-rule">
            <select aria-label={t('declared.match')} value={r.match} disabled={!owner} onChange={(e) => edit(i, { match: e.target.value as Rule['match'] })}>
              <option value="contains">{t('declared.contains')}</option>
              <option value="equals">{t('declared.equals')}</option>
            </select>
            <input aria-label={t('declared.pattern')} value={r.pattern} maxLength={100} disabled={!owner} onChange={(e) => edit(i, { pattern: e.target.value })} data-testid="declared-pattern" />
            <span aria-hidden="true">→</span>
            <select aria-label={t('declared.target')} value={targetKey(r.target)} disabled={!owner} onChange={(e) => edit(i, { target: targetOf(e.target.value) })} data-testid="declared-target">
              {CHANNELS.map((c) => <option key={c} value={`channel:${c}`}>{t(`channel.${c}`)}</option>)}
              {[...campaigns.values()].map((c) => <option key={c.id} value={`campaign:${c.id}`}>{c.name}</option>)}
              <option value="other">{t('declared.other')}</option>
            </select>
            <span className="muted small num" data-testid="declared-matches">{t('declared.matches', { n: f.count(matches[i] ?? 0) })}</span>
            {owner && (
              <button type="button" className="btn btn-small btn-quiet" onClick={() => { setRules(rules.filter((_, j) => j !== i)); setMatches(matches.filter((_, j) => j !== i)); }}>
                {t('declared.remove')}
              </button>
            )}
          </li>
        ))}
      </ol>
      <p className="muted small">{t('declared.unmappedAnswers', { n: f.count(view.data.unmapped), answers: f.count(view.data.answers) })}</p>
      {owner && (
        <div className="declared-actions">
          <button type="button" className="btn btn-small" onClick={() => setRules([...rules, { match: 'contains', pattern: '', target: { channel: 'mail' } }])} data-testid="declared-add">
            {t('declared.add')}
          </button>
          <button type="button" className="btn btn-small" onClick={() => void send(true)} data-testid="declared-preview">{t('declared.preview')}</button>
          <button type="button" className="btn btn-small btn-primary" onClick={() => void send(false)} data-testid="declared-save">{t('declared.save')}</button>
        </div>
      )}
      {message && <p className={message.ok ? 'declared-ok' : 'declared-error'} role="status" data-testid="declared-message">{message.text}</p>}
    </section>
  );
}
