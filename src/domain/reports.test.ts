import { describe, expect, it } from 'vitest';
import { bestAndWorst, isDue, latestSlot, nextSlot, periodEndedBefore, reportPeriod, zonedHour, type RankedCampaign, type ReportSchedule } from './reports';
import { dashboardLink, renderReport } from './reportMail';
import { card } from './kpis';

const PARIS = 'Europe/Paris';
const weekly: ReportSchedule = { frequency: 'weekly', language: 'en', dayOfWeek: 1, dayOfMonth: 1, hour: 8 };
const monthly = (dayOfMonth: number, hour: number): ReportSchedule => ({ ...weekly, frequency: 'monthly', dayOfMonth, hour });

describe('report schedule', () => {
  it('finds the latest weekly slot in the account time zone', () => {
    // Monday 7 December 2026, 08:00 in Paris (UTC+1 in winter) is 07:00 UTC.
    expect(latestSlot(weekly, Date.UTC(2026, 11, 7, 7, 30), PARIS)).toEqual({ at: Date.UTC(2026, 11, 7, 7), day: '2026-12-07', key: 'weekly:2026-12-07T08' });
    // A minute before it, the slot is the Monday before.
    expect(latestSlot(weekly, Date.UTC(2026, 11, 7, 6, 59), PARIS)?.day).toBe('2026-11-30');
    expect(nextSlot(weekly, Date.UTC(2026, 11, 7, 7, 30), PARIS)?.at).toBe(Date.UTC(2026, 11, 14, 7));
    expect(latestSlot({ ...weekly, frequency: 'off' }, Date.UTC(2026, 11, 7, 7, 30), PARIS)).toBeNull();
  });

  it('finds the latest monthly slot, this month or the one before', () => {
    // The 5th at 09:00 Paris = 08:00 UTC; on 7 December that is 5 December.
    expect(latestSlot(monthly(5, 9), Date.UTC(2026, 11, 7), PARIS)).toEqual({ at: Date.UTC(2026, 11, 5, 8), day: '2026-12-05', key: 'monthly:2026-12-05T09' });
    // The 10th has not come yet in December: 10 November.
    expect(latestSlot(monthly(10, 9), Date.UTC(2026, 11, 7), PARIS)?.day).toBe('2026-11-10');
  });

  it('cuts hours across a DST change', () => {
    // 29 March 2026: Paris moves to UTC+2, so 08:00 is 06:00 UTC; the day before it is 07:00 UTC.
    expect(zonedHour('2026-03-29', 8, PARIS)).toBe(Date.UTC(2026, 2, 29, 6));
    expect(zonedHour('2026-03-28', 8, PARIS)).toBe(Date.UTC(2026, 2, 28, 7));
  });

  it('covers the seven days before a weekly slot and the calendar month before a monthly one', () => {
    expect(reportPeriod('weekly', '2026-12-07')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(reportPeriod('monthly', '2026-12-05')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(reportPeriod('monthly', '2026-03-01')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    // "Send now" on 7 December (a Monday): the week just ended; the month just ended for monthly reports.
    expect(periodEndedBefore('off', Date.UTC(2026, 11, 7, 12), PARIS)).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(periodEndedBefore('monthly', Date.UTC(2026, 11, 7, 12), PARIS)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });

  it('is due only for slots at or after the schedule was set', () => {
    const slot = latestSlot(weekly, Date.UTC(2026, 11, 7, 7, 30), PARIS);
    expect(isDue(slot, Date.UTC(2026, 11, 7, 7))).toBe(true);
    expect(isDue(slot, Date.UTC(2026, 11, 7, 7, 10))).toBe(false);
    expect(isDue(null, 0)).toBe(false);
  });
});

describe('best and worst campaigns', () => {
  const c = (id: string, sendAt: string | null, revenue: number, spend: number): RankedCampaign => ({
    id, name: id, channel: 'email', sendAt, revenue, spend, roas: spend > 0 ? revenue / spend : null, conversions: 0,
  });
  const period = { from: '2026-11-30', to: '2026-12-06' };

  it('ranks the campaigns sent in the period by ROAS among those with spend', () => {
    const r = bestAndWorst([
      c('A', '2026-12-01T10:00:00Z', 4000, 1000), // ROAS 4
      c('B', '2026-12-02T10:00:00Z', 1000, 1000), // ROAS 1
      c('E', '2026-12-03T10:00:00Z', 2500, 1000), // ROAS 2.5
      c('C', '2026-12-03T10:00:00Z', 90000, 0), // no spend: not ranked by ROAS
      c('D', '2026-11-20T10:00:00Z', 1, 1000), // sent before the period
      c('F', '2026-11-29T23:30:00Z', 0, 1000), // 30 Nov 00:30 in Paris: in the period, ROAS 0
      c('G', null, 0, 0),
    ], period, PARIS, 2);
    expect(r.by).toBe('roas');
    expect(r.best.map((x) => x.id)).toEqual(['A', 'E']);
    expect(r.worst.map((x) => x.id)).toEqual(['F', 'B']);
  });

  it('ranks by revenue when no campaign of the period has spend, and names a campaign once', () => {
    const r = bestAndWorst([c('A', '2026-12-01T10:00:00Z', 100, 0), c('B', '2026-12-02T10:00:00Z', 300, 0)], period, PARIS, 3);
    expect(r.by).toBe('revenue');
    expect(r.best.map((x) => x.id)).toEqual(['B']);
    expect(r.worst.map((x) => x.id)).toEqual(['A']);
    // One campaign: the best, and no worst.
    expect(bestAndWorst([c('A', '2026-12-01T10:00:00Z', 100, 0)], period, PARIS).worst).toEqual([]);
  });
});

describe('report e-mail', () => {
  const cards = {
    ordersImported: card(10, 8, 'up'), messagesSent: card(1000, 0, 'up'), spend: card(5000, 4000, 'down'), conversions: card(4, 2, 'up'),
    revenue: card(12345, 10000, 'up'), cpa: card(1250, 2000, 'down'), conversionRate: card(0.04, null, 'up'), qrScansClicks: card(0, 0, 'up'),
  };
  const content = {
    frequency: 'weekly' as const, accountName: 'Shop <&>', currency: 'EUR', period: { from: '2026-11-30', to: '2026-12-06' },
    previousPeriod: { from: '2026-11-23', to: '2026-11-29' }, cards,
    campaigns: { by: 'roas' as const, best: [{ id: 'cmp_1', name: 'Soldes', channel: 'sms', sendAt: '2026-12-01T10:00:00Z', revenue: 12345, spend: 5000, roas: 2.469, conversions: 4 }], worst: [] },
    budget: null, unpaid: { count: 0 }, baseUrl: 'https://mesure.example',
  };
  const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

  it('writes English figures, changes and links', () => {
    const m = renderReport({ ...content, language: 'en' });
    expect(m.subject).toBe('Weekly report for Shop <&>: 30 November 2026 – 6 December 2026');
    // 12345 cents = €123.45; previous €100.00; +23.45 % shown to one decimal.
    expect(m.text).toContain('Revenue: €123.45 (previous €100.00, +23.5%)');
    expect(m.text).toContain('Messages sent: 1,000 (previous 0, new)');
    expect(m.text).toContain('Conversion rate: 4% (previous —, —)');
    expect(m.text).toContain('1. Soldes — ROAS 2.5×, Revenue €123.45, Spend €50.00');
    expect(m.text).toContain(dashboardLink('https://mesure.example', content.period, 'cmp_1'));
    expect(m.html).toContain('Shop &lt;&amp;&gt;');
    expect(m.html).toContain('href="https://mesure.example/campaigns/cmp_1?period=custom&amp;from=2026-11-30&amp;to=2026-12-06"');
  });

  it('writes French figures', () => {
    const m = renderReport({ ...content, language: 'fr' });
    expect(plain(m.subject)).toBe('Rapport hebdomadaire de Shop <&> : 30 novembre 2026 – 6 décembre 2026');
    // 123,45 € and +23,5 % with French spacing (Intl's narrow no-break spaces read as spaces here).
    expect(plain(m.text)).toContain('Chiffre d’affaires : 123,45 € (précédente 100,00 €, +23,5 %)');
    expect(plain(m.text)).toContain('Messages envoyés : 1 000 (précédente 0, nouveau)');
  });
});
