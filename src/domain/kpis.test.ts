import { describe, expect, it } from 'vitest';
import { campaignFigures, card, funnel, mixedFigures, NO_MONEY, overviewCards, previousPeriod, rate, referenceChecks } from './kpis';
import { zeroCounts, type MessageCounts } from './message';

const counts = (c: Partial<MessageCounts>): MessageCounts => ({ ...zeroCounts(), ...c });

describe('campaign figures (KPIS.md)', () => {
  // 1000 targeted, 950 sent, 900 delivered, 30 undelivered (20 soft + 5 hard bounces + 5 failed), 450 opened with
  // 600 opens, 90 clicked with 120 clicks; 12 orders from 10 converters for 1 234,56 € and 30 items; spend 95,00 €.
  const c = counts({
    audience: 1000, sent: 950, delivered: 900, undelivered: 30, bounced_soft: 20, bounced_hard: 5, opened: 450, total_opens: 600,
    clicked: 90, total_clicks: 120, replied: 18, leads: 20, unsubscribed: 3, complained: 1, scanners: 0, total_scans: 0, spend_minor: 9000,
  });
  const f = campaignFigures(c, { conversions: 12, converters: 10, revenueMinor: 123456, revenueDirectMinor: 100000, revenueInfluencedMinor: 23456, items: 30, fixedCostMinor: 500, revenueNewMinor: 80000, revenueReturningMinor: 40000, conversionsNew: 7, conversionsReturning: 4 }, 'email');

  it('deliverability', () => {
    expect(f.sendRate).toBe(0.95); // 950 / 1000
    expect(f.notSent).toBe(50);
    expect(f.deliveryRate).toBeCloseTo(900 / 950, 12);
    expect(f.undeliveredRate).toBeCloseTo(30 / 950, 12);
    expect(f.bounceRate).toBeCloseTo(25 / 950, 12);
    expect(f.noLongerReachable).toBe(8); // 3 unsubscribed + 5 hard bounces
  });
  it('engagement', () => {
    expect(f.openRate).toBe(0.5); // 450 / 900
    expect(f.opensPerOpener).toBeCloseTo(600 / 450, 12);
    expect(f.clickRate).toBe(0.1); // 90 / 900
    expect(f.clickToOpenRate).toBe(0.2); // 90 / 450
    expect(f.clicksPerClicker).toBeCloseTo(120 / 90, 12);
    expect(f.engagementRate).toBe(0.02); // 18 / 900
    expect(f.unsubscribeRate).toBeCloseTo(3 / 900, 12);
    expect(f.abuseRate).toBeCloseTo(1 / 900, 12);
  });
  it('money', () => {
    expect(f.spend).toBe(9500); // 9000 message costs + 500 fixed
    expect(f.conversionRate).toBeCloseTo(10 / 900, 12);
    expect(f.orderRate).toBeCloseTo(12 / 900, 12);
    // New / returning pass through as credited (80000 + 40000 ≤ 123456: the rest is orders no contact matched).
    expect([f.revenueNew, f.revenueReturning, f.conversionsNew, f.conversionsReturning]).toEqual([80000, 40000, 7, 4]);
    expect(f.averageOrderValue).toBe(10288); // 123456 / 12
    expect(f.itemsPerOrder).toBe(2.5);
    expect(f.revenuePerRecipient).toBeCloseTo(123456 / 900, 9);
    expect(f.costPerRecipient).toBeCloseTo(9500 / 900, 9);
    expect(f.roas).toBeCloseTo(123456 / 9500, 12);
    expect(f.roas!).toBeCloseTo(f.revenuePerRecipient! / f.costPerRecipient!, 12);
    expect(f.roi).toBeCloseTo((123456 - 9500) / 9500, 12);
    expect(f.cpa).toBeCloseTo(9500 / 12, 9);
    expect(f.cpl).toBe(475); // 9500 / 20
  });
  it('rates with a zero denominator are null, never 0 or NaN', () => {
    const empty = campaignFigures(zeroCounts(), NO_MONEY, 'email');
    expect(empty.openRate).toBeNull();
    expect(empty.sendRate).toBeNull();
    expect(empty.roas).toBeNull();
    expect(empty.roi).toBeNull();
    expect(empty.cpa).toBeNull();
    expect(rate(5, 0)).toBeNull();
  });
});

describe('channels without an open signal', () => {
  it('show open-based rates as null on SMS and letters, not 0 %', () => {
    const c = counts({ audience: 10, sent: 10, delivered: 10, clicked: 2 });
    expect(campaignFigures(c, NO_MONEY, 'sms')).toMatchObject({ openRate: null, clickToOpenRate: null, clickRate: 0.2 });
    expect(campaignFigures(c, NO_MONEY, 'mail').openRate).toBeNull();
    expect(campaignFigures(c, NO_MONEY, 'email').openRate).toBe(0);
  });
});

describe('figures of several channels together (a period, a journey)', () => {
  // e-mail: 1000 delivered, 300 opened (450 opens), 60 clicked; WhatsApp: 800 delivered, 700 opened (900 reads),
  // 100 clicked; SMS: 2000 delivered, 150 clicked; letters: 500 delivered (sent), no opens.
  const parts = [
    { channel: 'email' as const, counts: counts({ sent: 1100, delivered: 1000, opened: 300, total_opens: 450, clicked: 60 }) },
    { channel: 'whatsapp' as const, counts: counts({ sent: 820, delivered: 800, opened: 700, total_opens: 900, clicked: 100 }) },
    { channel: 'sms' as const, counts: counts({ sent: 2100, delivered: 2000, clicked: 150 }) },
    { channel: 'mail' as const, counts: counts({ sent: 500, delivered: 500 }) },
  ];
  const f = mixedFigures(parts, NO_MONEY);
  it('counts every channel', () => {
    expect(f.sent).toBe(4520); // 1100 + 820 + 2100 + 500
    expect(f.delivered).toBe(4300); // 1000 + 800 + 2000 + 500
    expect(f.clickRate).toBeCloseTo(310 / 4300, 12); // (60 + 100 + 150) / 4300: every channel has clicks
  });
  it('reads only the channels with an open signal in the open-based rates', () => {
    expect(f.opened).toBe(1000); // 300 + 700
    expect(f.openRate).toBeCloseTo(1000 / 1800, 12); // (300 + 700) / (1000 + 800), not / 4300
    expect(f.opensPerOpener).toBeCloseTo(1350 / 1000, 12); // (450 + 900) / 1000
    expect(f.clickToOpenRate).toBeCloseTo(160 / 1000, 12); // e-mail and WhatsApp clickers (60 + 100) / 1000 openers
  });
  it('is null when no channel has an open signal, and equals the campaign figures for one channel', () => {
    expect(mixedFigures(parts.slice(2), NO_MONEY).openRate).toBeNull();
    expect(mixedFigures([parts[0]], NO_MONEY)).toEqual(campaignFigures(parts[0].counts, NO_MONEY, 'email'));
    expect(mixedFigures([parts[2]], NO_MONEY)).toEqual(campaignFigures(parts[2].counts, NO_MONEY, 'sms'));
  });
  it('the overview\'s figures and its previous period read the same rule', () => {
    const o = overviewCards({ counts: parts, money: NO_MONEY, ordersImported: 0, shopRevenueMinor: 0 }, { counts: parts.slice(2), money: NO_MONEY, ordersImported: 0, shopRevenueMinor: 0 });
    expect(o.messagesSent).toMatchObject({ value: 4520, previous: 2600 }); // 2100 + 500 before
  });
});

describe('overview trends', () => {
  it('is null when the previous value is 0 ("new")', () => expect(card(10, 0, 'up').trend).toBeNull());
  it('computes the eight cards with their trends', () => {
    const cur = { counts: [{ channel: 'sms' as const, counts: counts({ sent: 200, delivered: 100, total_clicks: 30, total_scans: 10, spend_minor: 5000 }) }], money: { conversions: 4, converters: 4, revenueMinor: 40000, revenueDirectMinor: 40000, revenueInfluencedMinor: 0, items: 4, fixedCostMinor: 0, revenueNewMinor: 0, revenueReturningMinor: 0, conversionsNew: 0, conversionsReturning: 0 }, ordersImported: 50, shopRevenueMinor: 60000 };
    const prev = { counts: [{ channel: 'sms' as const, counts: counts({ sent: 100, delivered: 80, total_clicks: 20, spend_minor: 4000 }) }], money: { conversions: 2, converters: 2, revenueMinor: 10000, revenueDirectMinor: 10000, revenueInfluencedMinor: 0, items: 2, fixedCostMinor: 0, revenueNewMinor: 0, revenueReturningMinor: 0, conversionsNew: 0, conversionsReturning: 0 }, ordersImported: 40, shopRevenueMinor: 10000 };
    const o = overviewCards(cur, prev);
    expect(o.ordersImported).toEqual({ value: 50, previous: 40, trend: 0.25, good: 'up' });
    expect(o.messagesSent.trend).toBe(1); // 200 vs 100
    expect(o.spend).toEqual({ value: 5000, previous: 4000, trend: 0.25, good: 'down' });
    expect(o.cpa.value).toBe(1250); // 5000 / 4
    expect(o.cpa.previous).toBe(2000); // 4000 / 2
    expect(o.cpa.trend).toBe(-0.375); // (1250 - 2000) / 2000, a good fall
    expect(o.conversionRate.value).toBe(0.04); // 4 / 100
    expect(o.conversionRate.previous).toBe(0.025); // 2 / 80
    expect(o.qrScansClicks.value).toBe(40); // 30 clicks + 10 scans
    expect(o.qrScansClicks.trend).toBe(1); // 40 vs 20
    // MER: every order's revenue / all spend, credited or not: 60000 / 5000 = 12 now, 10000 / 4000 = 2.5 before.
    expect(o.mer).toEqual({ value: 12, previous: 2.5, trend: 3.8, good: 'up' }); // (12 − 2.5) / 2.5 = 3.8
  });
  it('the previous period has the same length and ends the day before', () => {
    expect(previousPeriod('2026-11-01', '2026-11-30')).toEqual({ from: '2026-10-02', to: '2026-10-31' });
  });
});

describe('funnel', () => {
  it('audience → sent → clickers → converters with drop-offs', () => {
    const f = campaignFigures(counts({ audience: 1000, sent: 800, delivered: 790, clicked: 200 }), { ...NO_MONEY, conversions: 60, converters: 50 }, 'sms');
    const steps = funnel(f, 'sms');
    expect(steps.map((s) => s.count)).toEqual([1000, 800, 200, 50]);
    expect(steps[0].dropOff).toBeNull();
    expect(steps[1].dropOff).toBeCloseTo(0.2, 12); // 1 − 800/1000
    expect(steps[2].dropOff).toBeCloseTo(0.75, 12); // 1 − 200/800
    expect(steps[3].dropOff).toBeCloseTo(0.75, 12); // 1 − 50/200
    expect(steps[3].shareOfAudience).toBe(0.05);
  });
  it('letters use QR scanners as the engaged step', () => {
    const f = campaignFigures(counts({ audience: 100, sent: 100, delivered: 100, scanners: 7, clicked: 0 }), NO_MONEY, 'mail');
    expect(funnel(f, 'mail')[2].count).toBe(7);
  });
});

describe('reference ranges', () => {
  it('marks WhatsApp figures below, within or above the seed ranges', () => {
    const f = campaignFigures(counts({ audience: 100, sent: 100, delivered: 100, opened: 96, clicked: 10, unsubscribed: 1 }), NO_MONEY, 'whatsapp');
    const byFigure = Object.fromEntries(referenceChecks(f, 'whatsapp').map((r) => [r.figure, r]));
    expect(byFigure.openRate.position).toBe('above'); // 96 % > 90 %
    expect(byFigure.openRate.atBest).toBe(true); // ≥ 95 %
    expect(byFigure.clickRate.position).toBe('below'); // 10 % < 15 %
    expect(byFigure.unsubscribeRate.position).toBe('above'); // 1 % > 0.6 %
    expect(byFigure.roas.position).toBeNull(); // no spend: ROAS is null
  });
});
