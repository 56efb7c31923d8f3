import { describe, expect, it } from 'vitest';
import { accountWindows, DEFAULT_WINDOWS, isDirect, isEligible, messageSentAt, touchesFromSignals, windowFor, type Touch } from './touches';

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
  it('turns resolved signals into touches at the order time, and a click time after the order into the order time', () => {
    expect(
      touchesFromSignals({ at: T }, [
        { via: 'utm', campaignId: 'C1', messageId: 'm1', channel: 'whatsapp', at: T - HOUR },
        { via: 'code', campaignId: 'C2', messageId: null, channel: 'email' },
        // A landing click id proves the click came before checkout: 10 minutes "after" is clock skew.
        { via: 'utm', campaignId: 'C3', messageId: 'm3', channel: 'sms', at: T + 10 * 60_000 },
      ]),
    ).toEqual([
      { campaignId: 'C1', messageId: 'm1', channel: 'whatsapp', kind: 'utm', at: T - HOUR },
      { campaignId: 'C2', messageId: null, channel: 'email', kind: 'code', at: T },
      { campaignId: 'C3', messageId: 'm3', channel: 'sms', kind: 'utm', at: T },
    ]);
  });
});

describe('when a message counts from', () => {
  const state = (facts: Partial<Record<'sent_at' | 'delivered_at' | 'clicked_at' | 'last_engaged_at', number>> = {}) => ({
    sent_at: null, delivered_at: null, bounced_at: null, opened_at: null, clicked_at: null, replied_at: null, scanned_at: null, last_engaged_at: null, ...facts,
  });
  const written = T + 300 * DAY; // registered without registeredAt: the moment the back-fill wrote the row
  it('is its first send, not the moment its row was written', () => {
    expect(messageSentAt(state({ sent_at: T - 2 * DAY }), written, null)).toBe(T - 2 * DAY);
  });
  it('without a send event, the first sign it went out (a delivery, a click)', () => {
    expect(messageSentAt(state({ delivered_at: T - DAY, clicked_at: T - HOUR, last_engaged_at: T - HOUR }), written, null)).toBe(T - DAY);
  });
  it("is the campaign's send date when that is earlier, and the registration when it is the earliest known", () => {
    expect(messageSentAt(state({ sent_at: T - 2 * DAY }), written, T - 3 * DAY)).toBe(T - 3 * DAY);
    expect(messageSentAt(state(), written, T - 3 * DAY)).toBe(T - 3 * DAY);
    expect(messageSentAt(state({ sent_at: T }), T - DAY, null)).toBe(T - DAY);
    expect(messageSentAt(state(), written, null)).toBe(written);
  });
});
