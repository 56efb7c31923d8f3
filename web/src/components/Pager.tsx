// Server-side cursor pagination: a stack of the cursors seen so far gives "previous" without a total count.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface CursorState {
  current: string | null;
  page: number;
  next: (cursor: string) => void;
  previous: () => void;
}

/** Cursor stack that resets to the first page whenever one of `resetOn` changes (a filter, a sort). */
export function useCursor(resetOn: unknown[]): CursorState {
  const key = JSON.stringify(resetOn);
  const [state, setState] = useState<{ key: string; stack: string[] }>({ key, stack: [] });
  // Derived rather than reset in an effect, so no request ever pairs a new filter with an old cursor.
  const stack = state.key === key ? state.stack : [];
  return {
    current: stack.length ? stack[stack.length - 1] : null,
    page: stack.length + 1,
    next: (c) => setState({ key, stack: [...stack, c] }),
    previous: () => setState({ key, stack: stack.slice(0, -1) }),
  };
}

export function Pager({ cursor, nextCursor }: { cursor: CursorState; nextCursor: string | null }) {
  const { t } = useTranslation();
  if (cursor.page === 1 && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={t('pager.label')}>
      <button type="button" className="btn btn-small" disabled={cursor.page === 1} onClick={cursor.previous} data-testid="pager-previous">
        ← {t('pager.previous')}
      </button>
      <span className="muted">{t('pager.page', { page: cursor.page })}</span>
      <button
        type="button"
        className="btn btn-small"
        disabled={!nextCursor}
        onClick={() => nextCursor && cursor.next(nextCursor)}
        data-testid="pager-next"
      >
        {t('pager.next')} →
      </button>
    </nav>
  );
}
