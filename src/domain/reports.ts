// Scheduled e-mail reports (issue #18): when a member's report is due, which period it covers, and which campaigns
// it names as best and worst. Pure: times come in as epoch ms, days as YYYY-MM-DD in the account's time zone.
import { addDays } from './kpis';
import { dayInZone } from './message';

export const REPORT_FREQUENCIES = ['off', 'weekly', 'monthly'] as const;
export type ReportFrequency = (typeof REPORT_FREQUENCIES)[number];
export const REPORT_LANGUAGES = ['fr', 'en'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

export interface ReportSchedule {
  frequency: ReportFrequency;
  language: ReportLanguage;
  /** 1 = Monday … 7 = Sunday (weekly reports). */
  dayOfWeek: number;
  /** 1 … 28 (monthly reports: every month has it). */
  dayOfMonth: number;
  /** 0 … 23, in the account's time zone. */
  hour: number;
}

/** A member without settings: no report; French when the account's default country speaks it, else English. */
export function defaultSchedule(defaultCountry: string | null): ReportSchedule {
  return { frequency: 'off', language: defaultCountry && ['FR', 'BE', 'CH', 'LU', 'MC'].includes(defaultCountry) ? 'fr' : 'en', dayOfWeek: 1, dayOfMonth: 1, hour: 8 };
}

/** One scheduled sending: its instant, its local day and hour, and the key that makes it unique per member. */
export interface Slot {
  at: number;
  day: string;
  key: string;
}

/**
 * Epoch ms of `hour`:00 on `day` in `timeZone`. An hour that does not exist that day (skipped by a DST change) is
 * the instant an hour later on the wall clock, as the clock shows it.
 */
export function zonedHour(day: string, hour: number, timeZone: string): number {
  const utc = Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
  const offset = (t: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(t);
    const get = (k: string) => Number(parts.find((p) => p.type === k)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - t;
  };
  let t = utc - offset(utc);
  t = utc - offset(t);
  return t;
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function weekday(day: string): number {
  const d = new Date(`${day}T12:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The latest scheduled instant at or before `now` (null when reports are off). */
export function latestSlot(s: ReportSchedule, now: number, timeZone: string): Slot | null {
  if (s.frequency === 'off') return null;
  const today = dayInZone(now, timeZone);
  const hh = String(s.hour).padStart(2, '0');
  if (s.frequency === 'weekly') {
    for (let k = 0; k <= 14; k++) {
      const day = addDays(today, -k);
      if (weekday(day) !== s.dayOfWeek) continue;
      const at = zonedHour(day, s.hour, timeZone);
      if (at <= now) return { at, day, key: `weekly:${day}T${hh}` };
    }
    return null;
  }
  for (let m = 0; m <= 2; m++) {
    const first = monthStart(today, -m);
    const day = `${first.slice(0, 8)}${String(s.dayOfMonth).padStart(2, '0')}`;
    const at = zonedHour(day, s.hour, timeZone);
    if (at <= now) return { at, day, key: `monthly:${day}T${hh}` };
  }
  return null;
}

/** The next scheduled instant after `now` (null when reports are off). */
export function nextSlot(s: ReportSchedule, now: number, timeZone: string): Slot | null {
  if (s.frequency === 'off') return null;
  // The latest slot at or before a time far enough ahead, stepped back until it is after now.
  let probe = now + (s.frequency === 'weekly' ? 8 : 32) * 86_400_000;
  let found: Slot | null = null;
  for (let i = 0; i < 3; i++) {
    const slot = latestSlot(s, probe, timeZone);
    if (!slot || slot.at <= now) break;
    found = slot;
    probe = slot.at - 1;
  }
  return found;
}

/**
 * The days a slot's report covers: a weekly report the seven days before the slot's day; a monthly report the
 * calendar month before the slot's month.
 */
export function reportPeriod(frequency: 'weekly' | 'monthly', slotDay: string): { from: string; to: string } {
  if (frequency === 'weekly') return { from: addDays(slotDay, -7), to: addDays(slotDay, -1) };
  const thisMonth = monthStart(slotDay, 0);
  return { from: monthStart(slotDay, -1), to: addDays(thisMonth, -1) };
}

/** The last complete period before `now` for "send me one now": the week or month just ended (weekly when off). */
export function periodEndedBefore(frequency: ReportFrequency, now: number, timeZone: string): { from: string; to: string } {
  const today = dayInZone(now, timeZone);
  return frequency === 'monthly' ? reportPeriod('monthly', today) : reportPeriod('weekly', today);
}

/** The first day of the month `delta` months from `day`'s month. */
function monthStart(day: string, delta: number): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + delta);
  return d.toISOString().slice(0, 10);
}

/** Whether a member's report for `slot` is due: reports on, and the slot came after the schedule was set. */
export function isDue(slot: Slot | null, since: number): slot is Slot {
  return slot !== null && slot.at >= since;
}

export interface RankedCampaign {
  id: string;
  name: string;
  channel: string;
  /** Send date (or activation date of an automatic campaign), ISO; null: never sent. */
  sendAt: string | null;
  revenue: number;
  spend: number;
  roas: number | null;
  conversions: number;
}

/**
 * Best and worst campaigns of a period: the campaigns whose send day (in the account's time zone) falls in it,
 * ranked by ROAS among those with spend; when none of them has spend, by attributed revenue. The better half (at
 * most `n`) are the best, the others (at most `n`, worst first) the worst; ties go to the campaign sent first, then id.
 */
export function bestAndWorst(
  campaigns: RankedCampaign[],
  period: { from: string; to: string },
  timeZone: string,
  n = 3,
): { by: 'roas' | 'revenue'; best: RankedCampaign[]; worst: RankedCampaign[] } {
  const inPeriod = campaigns.filter((c) => {
    if (!c.sendAt) return false;
    const day = dayInZone(Date.parse(c.sendAt), timeZone);
    return day >= period.from && day <= period.to;
  });
  const withSpend = inPeriod.filter((c) => c.spend > 0 && c.roas !== null);
  const by = withSpend.length ? 'roas' : 'revenue';
  const pool = by === 'roas' ? withSpend : inPeriod;
  const value = (c: RankedCampaign) => (by === 'roas' ? c.roas! : c.revenue);
  const ranked = [...pool].sort((a, b) => value(b) - value(a) || (a.sendAt ?? '').localeCompare(b.sendAt ?? '') || a.id.localeCompare(b.id));
  // The better half (at most n) are the best; the rest (at most n) the worst: a campaign is named once.
  const best = ranked.slice(0, Math.min(n, Math.ceil(ranked.length / 2)));
  const worst = ranked.slice(best.length).reverse().slice(0, n);
  return { by, best, worst };
}
