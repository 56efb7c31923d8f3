// Why an order is credited as it is (GET /v1/orders/{id}/attribution), in a drawer: the contact and the key that
// matched, the touches as a timeline with counted / not counted badges and the reason in plain words, each counted
// touch's share under every model, and the credit rows stored. Opened from the orders page and a recipient's row.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi, useFormat } from '../hooks';
import { Link } from '../router';
import type { MessageOrders, OrderAttribution, OrderItem } from '../types';
import { ChannelTag } from './CampaignTable';
import { ErrorState, SkeletonBlock } from './States';

type Touch = OrderAttribution['touches'][number];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration in the largest unit that reads well: 3 days, 2.1 days, 5 h, 12 min. */
function useDuration(): (ms: number) => string {
  const { t } = useTranslation();
  const f = useFormat();
  return (ms: number) => {
    const a = Math.abs(ms);
    // One decimal at most, none when it rounds to a whole number (10 days and a minute read "10 days").
    const tenths = (unit: number) => Math.round((a / unit) * 10) / 10;
    const n = (v: number) => f.decimal(v, Number.isInteger(v) ? 0 : 1);
    if (a >= DAY) return t('explain.days', { count: tenths(DAY), n: n(tenths(DAY)) });
    if (a >= HOUR) return t('explain.hours', { n: n(tenths(HOUR)) });
    return t('explain.minutes', { n: f.decimal(Math.round(a / MINUTE), 0) });
  };
}

/** The drawer's frame: a dialog from the right, closed by its button, the backdrop or Escape. */
function Drawer({ onClose, children }: { onClose: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <>
      <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />
      <aside className="drawer" role="dialog" aria-modal="true" aria-labelledby="explain-title" data-testid="attribution-drawer">
        <div className="drawer-head">
          <h2 id="explain-title">{t('explain.title')}</h2>
          <button type="button" ref={closeRef} className="btn btn-small btn-quiet" onClick={onClose} data-testid="drawer-close">
            {t('explain.close')}
          </button>
        </div>
        {children}
      </aside>
    </>
  );
}

/** One order explained (the orders page's "Why?"). */
export function AttributionDrawer({ orderId, declared, onClose }: { orderId: string; declared?: OrderItem['declaredSource']; onClose: () => void }) {
  return (
    <Drawer onClose={onClose}>
      {declared !== undefined && <DeclaredSource declared={declared} />}
      <OrderExplanation orderId={orderId} />
    </Drawer>
  );
}

/** What the buyer said brought them, and where the account's rules map it: beside the credit, never part of it. */
function DeclaredSource({ declared }: { declared: OrderItem['declaredSource'] }) {
  const { t } = useTranslation();
  const target = declared?.target;
  const mapped = !target ? t('declared.unmappedShort') : target === 'other' ? t('declared.other') : 'channel' in target ? t(`channel.${target.channel}`) : t('declared.campaign');
  return (
    <section className="declared-drawer" data-testid="drawer-declared">
      <h3>{t('declared.source')}</h3>
      {declared ? (
        <p>
          <q>{declared.text}</q> <span className="muted small">→ {mapped}</span>
        </p>
      ) : (
        <p className="muted small">{t('declared.none')}</p>
      )}
    </section>
  );
}

function OrderExplanation({ orderId }: { orderId: string }) {
  const { t } = useTranslation();
  const x = useApi<OrderAttribution>(`/v1/orders/${encodeURIComponent(orderId)}/attribution`);
  if (x.error && !x.data) return <ErrorState error={x.error} onRetry={x.reload} what={t('explain.failed')} />;
  if (!x.data) return <SkeletonBlock height={240} />;
  return <Explanation x={x.data} />;
}

/**
 * From a recipient's row on the campaign page: the orders of that recipient after the message (GET
 * /v1/messages/{id}/orders), the first one explained, the others a click away.
 */
export function RecipientAttributionDrawer({ messageId, onClose }: { messageId: string; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const list = useApi<MessageOrders>(`/v1/messages/${encodeURIComponent(messageId)}/orders`);
  const [chosen, setChosen] = useState<string | null>(null);
  const items = list.data?.items ?? [];
  const orderId = chosen ?? items.find((o) => o.credited)?.id ?? items[0]?.id ?? null;
  return (
    <Drawer onClose={onClose}>
      {list.error && !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} what={t('explain.failed')} />
      ) : !list.data ? (
        <SkeletonBlock height={240} />
      ) : items.length === 0 ? (
        <p className="drawer-body muted" data-testid="recipient-no-order">{t('explain.recipientNone')}</p>
      ) : (
        <>
          {items.length > 1 && (
            <div className="drawer-body">
              <h3>{t('explain.recipientOrders')}</h3>
              <div className="segmented" role="group" aria-label={t('explain.recipientOrders')}>
                {items.map((o) => (
                  <button key={o.id} type="button" aria-pressed={o.id === orderId} onClick={() => setChosen(o.id)} data-testid="recipient-order">
                    {o.name ?? o.externalId} · {f.money(o.revenue, o.revenueCurrency)}
                  </button>
                ))}
              </div>
            </div>
          )}
          {orderId && <OrderExplanation key={orderId} orderId={orderId} />}
        </>
      )}
    </Drawer>
  );
}

function Explanation({ x }: { x: OrderAttribution }) {
  const { t } = useTranslation();
  const f = useFormat();
  const duration = useDuration();
  const counted = x.touches.filter((tc) => tc.counted);
  return (
    <div className="drawer-body">
      <p data-testid="explain-order">
        <strong>{x.order.name ?? x.order.externalId}</strong> · {f.dateTime(x.order.orderedAt)} · {f.money(x.order.revenue, x.order.revenueCurrency)}
        {x.order.cancelled && <span className="pill pill-bad"> {t('orders.cancelled')}</span>}
      </p>
      <p data-testid="explain-contact">
        {x.contact
          ? t('explain.contact', {
              key: t(`explain.key.${x.contact.matchedBy ?? 'unknown'}`, { defaultValue: x.contact.matchedBy ?? '' }),
              value: x.contact.key ?? '',
            })
          : t('explain.noContact')}
      </p>
      <p className="muted small">
        {t('explain.summary', { counted: counted.length, total: x.touches.length, model: t(`settings.models.${x.model}`) })}{' '}
        {x.direct === true ? t('explain.directOnly') : x.direct === false ? t('explain.influenceOnly') : ''}
      </p>

      <h3>{t('explain.timeline')}</h3>
      {x.touches.length === 0 ? (
        <p className="muted" data-testid="explain-no-touch">{t('explain.noTouch')}</p>
      ) : (
        <ol className="timeline" data-testid="explain-timeline">
          {x.touches.map((tc, i) => (
            <li key={i} className={tc.counted ? 'touch counted' : 'touch'} data-testid="explain-touch" data-counted={tc.counted} data-reason={tc.reason ?? ''}>
              <div className="touch-when">
                <span className="num">{f.dateTime(tc.at)}</span>{' '}
                <span className="muted small">{tc.ageMs >= 0 ? t('explain.before', { d: duration(tc.ageMs) }) : t('explain.after', { d: duration(tc.ageMs) })}</span>
              </div>
              <div className="touch-what">
                <Link to={`/campaigns/${encodeURIComponent(tc.campaignId)}`}>{tc.campaignName ?? tc.campaignId}</Link> <ChannelTag channel={tc.channel} />{' '}
                <span>{t(`orders.kind.${tc.kind}`, { defaultValue: tc.kind })}</span>
                {tc.via !== 'contact' && <span className="muted small"> · {t(`explain.via.${tc.via}`, { value: tc.viaValue ?? '' })}</span>}
              </div>
              <div className="touch-verdict">
                <span className={`pill ${tc.counted ? 'pill-good' : 'pill-neutral'}`}>{tc.counted ? t('explain.counted') : t('explain.notCounted')}</span>{' '}
                <span className="small" data-testid="explain-reason">{reasonText(tc, t, duration)}</span>
              </div>
            </li>
          ))}
        </ol>
      )}

      {counted.length > 0 && (
        <>
          <h3>{t('explain.weights')}</h3>
          <div className="table-wrap">
            <table className="table" data-testid="explain-weights">
              <thead>
                <tr>
                  <th scope="col">{t('explain.touch')}</th>
                  {x.models.map((m) => (
                    <th scope="col" key={m} className="num-col">
                      {t(`settings.models.${m}`)}
                      {m === x.model && <span className="pill-small">{t('orders.yours')}</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {counted.map((tc, i) => (
                  <tr key={i}>
                    <td>
                      {tc.campaignName ?? tc.campaignId} <span className="muted small">· {t(`orders.kind.${tc.kind}`, { defaultValue: tc.kind })} · {t('explain.before', { d: duration(tc.ageMs) })}</span>
                    </td>
                    {x.models.map((m) => (
                      <td key={m} className="num num-col">{f.percent(tc.shares?.[m] ?? 0)}</td>
                    ))}
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t('explain.revenueOfModel')}</th>
                  {x.models.map((m) => (
                    <td key={m} className="num num-col small">
                      {x.credits[m].map((c) => (
                        <div key={c.campaignId}>{c.campaignName ?? c.campaignId}: {f.money(c.revenue, x.order.revenueCurrency)}</div>
                      ))}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </div>
        </>
      )}

      <h3>{t('explain.rows', { model: t(`settings.models.${x.model}`) })}</h3>
      {x.stored.length === 0 ? (
        <p className="muted">{t('explain.noRow')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="explain-rows">
            <thead>
              <tr>
                <th scope="col">{t('explain.campaign')}</th>
                <th scope="col">{t('explain.kind')}</th>
                <th scope="col" className="num-col">{t('explain.weight')}</th>
                <th scope="col" className="num-col">{t('orders.revenue')}</th>
              </tr>
            </thead>
            <tbody>
              {x.stored.map((r) => (
                <tr key={r.campaignId} data-testid="explain-row">
                  <td>{r.campaignName ?? r.campaignId}</td>
                  <td>
                    {t(`orders.kind.${r.kind}`, { defaultValue: r.kind })} <span className="muted small">· {r.direct ? t('explain.direct') : t('explain.influence')}</span>
                  </td>
                  <td className="num num-col">{f.percent(r.weight)}</td>
                  <td className="num num-col">{f.money(r.revenue, r.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {!x.storedMatches && <p className="pill pill-warn">{t('explain.stale')}</p>}
    </div>
  );
}

function reasonText(tc: Touch, t: (k: string, o?: Record<string, unknown>) => string, duration: (ms: number) => string): string {
  const what = { kind: t(`orders.kind.${tc.kind}`, { defaultValue: tc.kind }), channel: t(`channel.${tc.channel}`) };
  if (tc.counted) return tc.windowMs !== null ? t('explain.reason.counted', { window: duration(tc.windowMs) }) : '';
  switch (tc.reason) {
    case 'outside_window':
      return t('explain.reason.outside_window', { window: duration(tc.windowMs ?? 0), beyond: duration(tc.beyondMs ?? 0) });
    case 'after_order':
      return t('explain.reason.after_order', { after: duration(tc.afterMs ?? 0) });
    case 'machine_open':
    case 'bot_click':
      return t(`explain.reason.${tc.reason}`) + (tc.flagReason ? ` (${tc.flagReason})` : '');
    case 'no_window':
      return t('explain.reason.no_window', what);
    default:
      return t(`explain.reason.${tc.reason}`);
  }
}
