// A campaign's status as a pill with words (colour is never the only sign), e.g. "Stopped: budget exhausted".
import { useTranslation } from 'react-i18next';

const TONE: Record<string, string> = {
  sending: 'accent',
  scheduled: 'neutral',
  completed: 'good',
  paused: 'warn',
  stopped: 'bad',
  draft: 'neutral',
};

export function StatusPill({ status, reason }: { status: string; reason?: string | null }) {
  const { t } = useTranslation();
  const base = t(`status.${status}`, { defaultValue: status });
  const text = reason ? `${base}: ${t(`statusReason.${reason}`, { defaultValue: reason })}` : base;
  return (
    <span className={`pill pill-${TONE[status] ?? 'neutral'}`} data-testid="status-pill">
      {text}
    </span>
  );
}
