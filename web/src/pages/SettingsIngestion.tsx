// The settings line on ingestion dead letters: how many items could not be applied after their tries, the first of
// them with their errors, and (owners) retry or discard. Analysts see them; see docs/INGESTION.md.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Card, Loaded, useAction } from '../components/SettingsParts';
import { useApi, useFormat } from '../hooks';

interface DeadLetter {
  id: string;
  kind: 'visit' | 'delivery' | 'events';
  error: string;
  tries: number;
  receivedAt: string;
  movedAt: string;
}

interface DeadLetterPage {
  items: DeadLetter[];
  total: number;
  nextCursor: string | null;
}

interface RetryAnswer {
  applied: boolean;
  error?: string;
  remaining: number;
}

/** How many dead letters the line shows: the first ones; the API lists them all. */
const SHOWN = 5;

export function DeadLettersCard({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  const state = useApi<DeadLetterPage>('/v1/ingestion/dead-letters', { limit: SHOWN });
  const action = useAction();
  const [outcome, setOutcome] = useState<string | null>(null);
  return (
    <Card id="ingestion" title={t('ingestion.title')}>
      <Loaded state={state}>
        {(data) =>
          data.total === 0 ? (
            <p className="muted">{t('ingestion.none')}</p>
          ) : (
            <>
              <p className="notice">{t('ingestion.count', { count: data.total })}</p>
              <ul className="plain-list">
                {data.items.map((l) => (
                  <li key={l.id}>
                    <strong>{t(`ingestion.kind_${l.kind}`)}</strong>{' '}
                    <span className="muted small">{t('ingestion.received', { date: f.date(l.receivedAt), count: l.tries })}</span>{' '}
                    <code>{l.error}</code>
                    {editable && (
                      <>
                        {' '}
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={action.busy}
                          onClick={async () => {
                            let answer: RetryAnswer | undefined;
                            const ok = await action.run(async () => {
                              answer = await api.post<RetryAnswer>(`/v1/ingestion/dead-letters/${encodeURIComponent(l.id)}/retry`);
                            });
                            if (ok && answer) setOutcome(answer.applied ? t('ingestion.applied') : t('ingestion.failedAgain', { error: answer.error }));
                            state.reload();
                          }}
                        >
                          {t('ingestion.retry')}
                        </button>{' '}
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          disabled={action.busy}
                          onClick={async () => {
                            if (!window.confirm(t('ingestion.discardConfirm'))) return;
                            if (await action.run(() => api.delete(`/v1/ingestion/dead-letters/${encodeURIComponent(l.id)}`))) {
                              setOutcome(t('ingestion.discarded'));
                              state.reload();
                            }
                          }}
                        >
                          {t('ingestion.discard')}
                        </button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )
        }
      </Loaded>
      {outcome && <p className="muted" role="status">{outcome}</p>}
      {action.error && <p className="form-error" role="alert">{action.error}</p>}
    </Card>
  );
}
