import { describe, expect, it } from 'vitest';
import { buildOrder } from '../orders';
import { accountWindows, DEFAULT_WINDOWS, isDirect, isEligible, orderSignals, touchesFromSignals, windowFor, type Touch } from './touches';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2025, 2, 10, 12);

describe('windows', () => {
  it('has the documented defaults', () => {
    expect(windowFor(DEFAULT_WINDOWS, 'email', 'click')).toBe(5 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'email', 'open')).toBe(5 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'sms', 'click')).toBe(5 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'sms', 'delivery')).toBe(12 * HOUR);
    expect(windowFor(DEFAULT_WINDOWS, 'whatsapp', 'click')).toBe(5 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'whatsapp', 'read')).toBe(12 * HOUR);
    expect(windowFor(DEFAULT_WINDOWS, 'mail', 'scan')).toBe(30 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'mail', 'sent')).toBe(30 * DAY);
  });
  it('maps equivalent kinds: a WhatsApp open is a read, UTM and codes use the click or scan window', () => {
    expect(windowFor(DEFAULT_WINDOWS, 'whatsapp', 'open')).toBe(12 * HOUR);
    expect(windowFor(DEFAULT_WINDOWS, 'sms', 'utm')).toBe(5 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'mail', 'code')).toBe(30 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'mail', 'click')).toBe(30 * DAY);
    expect(windowFor(DEFAULT_WINDOWS, 'email', 'delivery')).toBeNull();
  });
  it('takes per-account overrides and removals', () => {
    const w = accountWindows({ email: { click: 7 * DAY, open: null } });
    expect(windowFor(w, 'email', 'click')).toBe(7 * DAY);
    expect(windowFor(w, 'email', 'open')).toBeNull();
    expect(windowFor(DEFAULT_WINDOWS, 'email', 'open')).toBe(5 * DAY); // defaults untouched
  });
  it('is inclusive at the edge', () => {
    const t = (before: number): Touch => ({ campaignId: 'A', messageId: 'm', channel: 'sms', kind: 'delivery', at: T - before });
    expect(isEligible(t(12 * HOUR - 1000), T, DEFAULT_WINDOWS)).toBe(true);
    expect(isEligible(t(12 * HOUR), T, DEFAULT_WINDOWS)).toBe(true);
    expect(isEligible(t(12 * HOUR + 1000), T, DEFAULT_WINDOWS)).toBe(false);
    expect(isEligible(t(-1), T, DEFAULT_WINDOWS)).toBe(false);
  });
  it('calls clicks, scans, UTMs and codes direct; opens, reads, deliveries and sends influence', () => {
    expect(['click', 'scan', 'utm', 'code'].every((k) => isDirect(k as Touch['kind']))).toBe(true);
    expect(['open', 'read', 'delivery', 'sent'].some((k) => isDirect(k as Touch['kind']))).toBe(false);
  });
});

describe('order signals', () => {
  it('reads what the order says and turns resolved signals into touches at the order time', () => {
    const r = buildOrder({
      externalId: '1',
      source: 'api',
      at: T,
      currency: 'EUR',
      grossMinor: 100,
      discountCodes: ['spring10'],
      landingSite: 'https://shop.example/?utm_source=mesure&utm_medium=whatsapp&utm_campaign=spring&mesure_cid=AbCdEfGhIjKlMnOp',
    });
    if (!r.ok) throw new Error(r.reason);
    expect(orderSignals(r.order)).toEqual({ clickId: 'AbCdEfGhIjKlMnOp', utmSource: 'mesure', utmMedium: 'whatsapp', utmCampaign: 'spring', discountCodes: ['SPRING10'] });
    expect(
      touchesFromSignals(r.order, [
        { via: 'utm', campaignId: 'C1', messageId: 'm1', channel: 'whatsapp', at: T - HOUR },
        { via: 'code', campaignId: 'C2', messageId: null, channel: 'email' },
      ]),
    ).toEqual([
      { campaignId: 'C1', messageId: 'm1', channel: 'whatsapp', kind: 'utm', at: T - HOUR },
      { campaignId: 'C2', messageId: null, channel: 'email', kind: 'code', at: T },
    ]);
  });
});
