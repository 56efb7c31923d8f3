// Scheduled e-mail reports (issue #18, docs/OPERATIONS.md "Scheduled reports"): each member's settings, the report's
// content from the services the dashboard reads (the overview's cards, the campaign list, the budget card, the unpaid
// invoices), and its sending over SMTP: when due (the periodic tick of `mesure serve`, once per member and slot
// across the nodes) or at once ("Send me one now", `mesure reports send --now`). Every try is a row of report_runs.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db';
import type { AccountDirectory } from './accounts';
import type { Writer } from './writer';
import type { Campaigns } from './campaigns';
import type { Budgets } from './budgets';
import type { Billing } from './billing';
import {
  bestAndWorst, defaultSchedule, isDue, latestSlot, nextSlot, periodEndedBefore, reportPeriod,
  type ReportFrequency, type ReportLanguage, type ReportSchedule,
} from '../domain/reports';
import { renderReport, type ReportMail } from '../domain/reportMail';
import {
  claimReportRun, finishReportRun, getLatestReportRun, getReportMember, getReportRow, listActiveReports, listReportMembers, listReportRowsFor,
  upsertReportRow, type ReportMember, type ReportRow, type ReportRunRow,
} from '../store/reports';

/** Where reports go out: an SMTP transport (nodemailer), or a test's stand-in. */
export interface ReportMailer {
  send(message: { from: string; to: string; subject: string; text: string; html: string }): Promise<{ messageId: string }>;
}

/** Tries of one scheduled report before it is given up for its period (each tick tries a failed one again). */
export const MAX_ATTEMPTS = 5;
/** A run left `sending` this long (its node died mid-send) is taken over. */
const STALE_SENDING_MS = 10 * 60_000;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function runView(r: ReportRunRow) {
  return {
    id: r.id, kind: r.kind as 'scheduled' | 'manual', to: r.email, period: { from: r.period_from, to: r.period_to }, language: r.language as ReportLanguage,
    status: r.status as 'sending' | 'sent' | 'failed', attempts: r.attempts, error: r.error, createdAt: iso(r.created_at)!, sentAt: iso(r.sent_at),
  };
}
export type ReportRunView = ReturnType<typeof runView>;

export interface ReportTick {
  /** Reports whose slot has come and that were not sent yet. */
  due: number;
  sent: number;
  failed: number;
}

/** A run that failed is still `ok` (the request was carried out): its status and error say what the SMTP server did. */
export type SendNowResult = { ok: true; run: ReportRunView } | { ok: false; status: 404 | 409; message: string };

export interface ReportsOptions {
  db: Db;
  writer: Writer;
  accounts: AccountDirectory;
  campaigns: Campaigns;
  budgets: Budgets;
  billing: Billing;
  /** Null when MESURE_SMTP_URL is not set. */
  mailer: ReportMailer | null;
  from: string;
  publicUrl: string;
  /** False when MESURE_PUBLIC_URL is unset (links then point at this host and port). */
  publicUrlSet: boolean;
  clock: () => number;
}

export class Reports {
  constructor(private readonly o: ReportsOptions) {}

  /** What the settings say about sending: configured or not, and what to set. */
  smtp() {
    const { mailer, from, publicUrl, publicUrlSet } = this.o;
    const help: string[] = [];
    if (!mailer) help.push('Set MESURE_SMTP_URL (smtp://user:password@mail.example.com:587, or smtps://… for TLS on 465) and restart Mesure: no report is sent until then.');
    if (!publicUrlSet) help.push(`Set MESURE_PUBLIC_URL to the dashboard's public address: the reports' links point at ${publicUrl} until then.`);
    return { configured: mailer !== null, from, dashboardUrl: publicUrl, help: help.length ? help.join(' ') : null };
  }

  private scheduleOf(row: ReportRow | undefined, defaultCountry: string | null): ReportSchedule {
    if (!row) return defaultSchedule(defaultCountry);
    return { frequency: row.frequency as ReportFrequency, language: row.language as ReportLanguage, dayOfWeek: row.day_of_week, dayOfMonth: row.day_of_month, hour: row.hour };
  }

  private view(member: ReportMember, row: ReportRow | undefined, last: ReportRunRow | undefined, account: { time_zone: string; default_country: string | null }) {
    const s = this.scheduleOf(row, account.default_country);
    const now = this.o.clock();
    return {
      userId: member.user_id, email: member.email, ...s, timeZone: account.time_zone,
      nextSendAt: iso(nextSlot(s, now, account.time_zone)?.at ?? null),
      lastRun: last ? runView(last) : null,
      smtp: this.smtp(),
    };
  }

  /** A member's settings (defaults when never set); undefined when the person is not a member of the account. */
  async settings(accountId: string, userId: string) {
    const account = await this.o.accounts.get(accountId);
    const member = account && (await getReportMember(this.o.db.kysely, accountId, userId));
    if (!account || !member) return undefined;
    const h = this.o.db.kysely;
    return this.view(member, await getReportRow(h, accountId, userId), await getLatestReportRun(h, accountId, userId), account);
  }

  /** Changes a member's settings (already validated by the route's schema); a changed schedule counts from now. */
  async update(accountId: string, userId: string, patch: Partial<ReportSchedule>) {
    const account = await this.o.accounts.get(accountId);
    const member = account && (await getReportMember(this.o.db.kysely, accountId, userId));
    if (!account || !member) return undefined;
    const now = this.o.clock();
    await this.o.writer.run(async (trx) => {
      const row = await getReportRow(trx, accountId, userId);
      const current = this.scheduleOf(row, account.default_country);
      const next = { ...current, ...patch };
      const scheduleChanged = !row || (['frequency', 'dayOfWeek', 'dayOfMonth', 'hour'] as const).some((k) => next[k] !== current[k]);
      await upsertReportRow(trx, {
        account_id: accountId, user_id: userId, frequency: next.frequency, language: next.language, day_of_week: next.dayOfWeek,
        day_of_month: next.dayOfMonth, hour: next.hour, since: scheduleChanged ? now : row!.since, updated_at: now,
      });
    });
    return this.settings(accountId, userId);
  }

  /** Every member's settings (owners' view), one page in user id order. */
  async list(accountId: string, page: { cursor?: string; limit: number }) {
    const account = (await this.o.accounts.get(accountId))!;
    const h = this.o.db.kysely;
    const members = await listReportMembers(h, accountId, { after: page.cursor, limit: page.limit + 1 });
    const shown = members.slice(0, page.limit);
    const rows = new Map((await listReportRowsFor(h, accountId, shown.map((m) => m.user_id))).map((r) => [r.user_id, r]));
    const items = [];
    for (const m of shown) items.push(this.view(m, rows.get(m.user_id), await getLatestReportRun(h, accountId, m.user_id), account));
    return { items: items.map(({ smtp: _smtp, ...rest }) => rest), nextCursor: members.length > page.limit ? shown[shown.length - 1].user_id : null, smtp: this.smtp() };
  }

  /**
   * The report of an account for a period, as an e-mail: the overview's cards for the period against the previous
   * period of the same length (as the dashboard compares them), the best and worst campaigns sent in it, the budget
   * card with the campaigns stopped for budget, and the unpaid invoices.
   */
  async compose(accountId: string, language: ReportLanguage, frequency: 'weekly' | 'monthly', period: { from: string; to: string }): Promise<ReportMail> {
    const { accounts, campaigns, budgets, billing } = this.o;
    const account = (await accounts.get(accountId))!;
    const overview = await campaigns.overview(accountId, period.from, period.to);
    const list = (await campaigns.list(accountId, { limit: 100_000 })).items;
    const card = await budgets.card(accountId);
    const unpaid = await billing.unpaid(accountId);
    return renderReport({
      language, frequency, accountName: account.name, currency: overview.currency,
      period: overview.period, previousPeriod: overview.previousPeriod, cards: overview.cards,
      campaigns: bestAndWorst(
        list.map((c) => ({ id: c.id, name: c.name, channel: c.channel, sendAt: c.sendAt, revenue: c.revenue, spend: c.spend, roas: c.roas, conversions: c.conversions })),
        overview.period, overview.timeZone,
      ),
      budget: card && {
        currency: card.currency, total: card.total, used: card.used, reserved: card.reserved, remaining: card.remaining, forecastDays: card.forecastDays,
        light: card.light, stopped: list.filter((c) => c.status === 'stopped' && c.statusReason === 'budget_exhausted').map((c) => ({ id: c.id, name: c.name })),
      },
      unpaid,
      baseUrl: this.o.publicUrl,
    });
  }

  /** Claims a slot, composes and sends; the run records the outcome. Null when the slot is sent, being sent or given up. */
  private async deliver(
    accountId: string, member: { user_id: string; email: string }, slot: string, kind: 'scheduled' | 'manual',
    schedule: ReportSchedule, frequency: 'weekly' | 'monthly', period: { from: string; to: string },
  ): Promise<ReportRunRow | null> {
    const mailer = this.o.mailer;
    if (!mailer) return null;
    const now = this.o.clock();
    const run: ReportRunRow = {
      account_id: accountId, id: `rpt_${randomUUID().replace(/-/g, '')}`, user_id: member.user_id, email: member.email, kind, slot,
      period_from: period.from, period_to: period.to, language: schedule.language, status: 'sending', attempts: 1, error: null,
      smtp_message_id: null, created_at: now, updated_at: now, sent_at: null,
    };
    const claimed = await this.o.writer.run((trx) => claimReportRun(trx, run, MAX_ATTEMPTS, now - STALE_SENDING_MS));
    if (!claimed) return null;
    let outcome: { status: 'sent' | 'failed'; error: string | null; smtpMessageId: string | null };
    try {
      const mail = await this.compose(accountId, schedule.language, frequency, period);
      const sent = await mailer.send({ from: this.o.from, to: member.email, ...mail });
      outcome = { status: 'sent', error: null, smtpMessageId: sent.messageId };
    } catch (err) {
      outcome = { status: 'failed', error: smtpProblem(err), smtpMessageId: null };
    }
    return (await this.o.writer.run((trx) => finishReportRun(trx, accountId, member.user_id, slot, { ...outcome, at: this.o.clock() })))!;
  }

  /**
   * "Send me one now": the member's report for the period just ended (the last complete week, or month for monthly
   * reports), whatever the schedule, in their language.
   */
  async sendNow(accountId: string, userId: string): Promise<SendNowResult> {
    const account = await this.o.accounts.get(accountId);
    const member = account && (await getReportMember(this.o.db.kysely, accountId, userId));
    if (!account || !member) return { ok: false, status: 404, message: 'This person is not a member of the account (see GET /v1/users).' };
    if (!this.o.mailer) return { ok: false, status: 409, message: this.smtp().help! };
    const schedule = this.scheduleOf(await getReportRow(this.o.db.kysely, accountId, userId), account.default_country);
    const frequency = schedule.frequency === 'monthly' ? 'monthly' : 'weekly';
    const period = periodEndedBefore(schedule.frequency, this.o.clock(), account.time_zone);
    const run = (await this.deliver(accountId, member, `manual:${randomUUID()}`, 'manual', schedule, frequency, period))!;
    return { ok: true, run: runView(run) };
  }

  /** Sends every report whose slot has come and that was not sent yet (the periodic tick; `mesure reports send`). */
  async runDue(opts: { onReport?: (run: ReportRunView) => void } = {}): Promise<ReportTick> {
    const tick: ReportTick = { due: 0, sent: 0, failed: 0 };
    if (!this.o.mailer) return tick;
    const now = this.o.clock();
    for (const row of await listActiveReports(this.o.db.kysely)) {
      const account = await this.o.accounts.get(row.account_id);
      if (!account) continue;
      const schedule = this.scheduleOf(row, account.default_country);
      const slot = latestSlot(schedule, now, account.time_zone);
      if (!isDue(slot, row.since) || schedule.frequency === 'off') continue;
      const frequency = schedule.frequency;
      const run = await this.deliver(row.account_id, row, slot.key, 'scheduled', schedule, frequency, reportPeriod(frequency, slot.day));
      if (!run) continue;
      tick.due += 1;
      if (run.status === 'sent') tick.sent += 1;
      else tick.failed += 1;
      opts.onReport?.(runView(run));
    }
    return tick;
  }

  /** The members a CLI run addresses: one person (by e-mail) or everyone whose reports are on, in one account or all. */
  async recipients(opts: { accountId?: string; email?: string }): Promise<{ accountId: string; userId: string; email: string }[]> {
    const h = this.o.db.kysely;
    const accountIds = opts.accountId ? [opts.accountId] : (await this.o.accounts.list()).map((a) => a.id);
    const out: { accountId: string; userId: string; email: string }[] = [];
    const active = await listActiveReports(h);
    for (const accountId of accountIds) {
      const on = new Set(active.filter((r) => r.account_id === accountId).map((r) => r.user_id));
      for (let after: string | undefined; ;) {
        const page = await listReportMembers(h, accountId, { after, limit: 500 });
        for (const m of page) {
          if (opts.email ? m.email.toLowerCase() === opts.email.trim().toLowerCase() : on.has(m.user_id)) out.push({ accountId, userId: m.user_id, email: m.email });
        }
        if (page.length < 500) break;
        after = page[page.length - 1].user_id;
      }
    }
    return out;
  }
}

/** An SMTP failure in words, without the credentials a URL could carry. */
function smtpProblem(err: unknown): string {
  const e = err as { message?: string; code?: string; responseCode?: number };
  const text = (e?.message ?? String(err)).replace(/\/\/[^@\s/]*@/g, '//***@').slice(0, 500);
  return [e?.code, e?.responseCode, text].filter(Boolean).join(' ');
}
