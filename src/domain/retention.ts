// Retention rules (issue #17): how long an account keeps the IP addresses and user agents of clicks, opens and scans,
// and how long it keeps per-recipient rows at all. Pure: the service reads and writes, these decide.

const DAY_MS = 86_400_000;

export interface RetentionSettings {
  /** Days a raw event or visit keeps the IP address and user agent it arrived with. */
  visitorDetailsDays: number;
  /** Days messages, their events and visits, waiting events and holdout members are kept at all; null = for ever. */
  recipientRowsDays: number | null;
}

export const RETENTION_DEFAULTS: RetentionSettings = { visitorDetailsDays: 90, recipientRowsDays: null };

/** Bounds of each setting, in days (the JSON schema of the route says the same). */
export const RETENTION_LIMITS = {
  visitorDetailsDays: { min: 1, max: 3650 },
  // A message younger than a month still gets events and is still credited with orders: never drop it that soon.
  recipientRowsDays: { min: 30, max: 3650 },
} as const;

/** The settings as stored in the account's settings (`retention`), with the defaults for what is not set. */
export function retentionOf(stored: unknown): RetentionSettings {
  const s = (stored && typeof stored === 'object' ? stored : {}) as Partial<Record<keyof RetentionSettings, unknown>>;
  const days = (v: unknown, lim: { min: number; max: number }) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lim.min && v <= lim.max ? v : undefined;
  return {
    visitorDetailsDays: days(s.visitorDetailsDays, RETENTION_LIMITS.visitorDetailsDays) ?? RETENTION_DEFAULTS.visitorDetailsDays,
    recipientRowsDays: s.recipientRowsDays === null ? null : days(s.recipientRowsDays, RETENTION_LIMITS.recipientRowsDays) ?? RETENTION_DEFAULTS.recipientRowsDays,
  };
}

/** The times before which each rule applies at `now` (epoch ms): rows dated strictly before the bound. */
export function retentionCutoffs(s: RetentionSettings, now: number): { visitorDetailsBefore: number; recipientRowsBefore: number | null } {
  return {
    visitorDetailsBefore: now - s.visitorDetailsDays * DAY_MS,
    recipientRowsBefore: s.recipientRowsDays === null ? null : now - s.recipientRowsDays * DAY_MS,
  };
}

/**
 * Whether a key of stored event data names an IP address or a user agent, whatever its spelling (SendGrid's
 * `useragent`, Postmark's `UserAgent`, our `userAgent`, an `ip`, `client_ip`, `X-Forwarded-For`, Mailgun's
 * `client-info`).
 */
export function isVisitorDetailKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return VISITOR_KEYS.has(k) || k.endsWith('useragent') || k.endsWith('ipaddress');
}
const VISITOR_KEYS = new Set(['ua', 'ip', 'ipaddress', 'clientip', 'remoteip', 'remoteaddr', 'remoteaddress', 'xforwardedfor', 'forwardedfor', 'forwarded', 'xrealip', 'clientinfo', 'useragent', 'httpuseragent']);

/** `value` without any visitor detail, at any depth; an object left empty by the removal is removed too. */
function strip(value: unknown): { value: unknown; changed: boolean } {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => { const r = strip(v); changed ||= r.changed; return r.value; });
    return { value: changed ? out : value, changed };
  }
  if (!value || typeof value !== 'object') return { value, changed: false };
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isVisitorDetailKey(k)) { changed = true; continue; }
    const r = strip(v);
    if (r.changed) {
      changed = true;
      if (r.value && typeof r.value === 'object' && !Array.isArray(r.value) && Object.keys(r.value).length === 0) continue;
    }
    out[k] = r.value;
  }
  return { value: changed ? out : value, changed };
}

/**
 * A stored event's `data` (or a waiting event's JSON) without IP addresses and user agents: the new text, `null` when
 * nothing is left, or `undefined` when there was nothing to remove (the row stays as it is).
 */
export function withoutVisitorDetails(json: string): string | null | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  const r = strip(parsed);
  if (!r.changed) return undefined;
  if (r.value && typeof r.value === 'object' && Object.keys(r.value).length === 0) return null;
  return JSON.stringify(r.value);
}
