import { describe, expect, it } from 'vitest';
import { isVisitorDetailKey, retentionCutoffs, retentionOf, withoutVisitorDetails } from './retention';

describe('retention rules', () => {
  it('reads stored settings with defaults for what is missing or out of bounds', () => {
    expect(retentionOf(undefined)).toEqual({ visitorDetailsDays: 90, recipientRowsDays: null });
    expect(retentionOf({ visitorDetailsDays: 7, recipientRowsDays: 400 })).toEqual({ visitorDetailsDays: 7, recipientRowsDays: 400 });
    expect(retentionOf({ visitorDetailsDays: 0, recipientRowsDays: 10 })).toEqual({ visitorDetailsDays: 90, recipientRowsDays: null });
    expect(retentionOf({ visitorDetailsDays: 2.5, recipientRowsDays: null })).toEqual({ visitorDetailsDays: 90, recipientRowsDays: null });
  });

  it('puts each bound whole days before now', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    // 90 days before 7 December 12:00 is 8 September 12:00; 400 days before is 2 November 2025 12:00.
    expect(retentionCutoffs({ visitorDetailsDays: 90, recipientRowsDays: 400 }, now)).toEqual({
      visitorDetailsBefore: Date.parse('2026-09-08T12:00:00Z'),
      recipientRowsBefore: Date.parse('2025-11-02T12:00:00Z'),
    });
    expect(retentionCutoffs({ visitorDetailsDays: 1, recipientRowsDays: null }, now).recipientRowsBefore).toBeNull();
  });

  it('recognises the spellings providers use for IP addresses and user agents, and nothing else', () => {
    for (const k of ['userAgent', 'useragent', 'UserAgent', 'user-agent', 'ip', 'IP', 'client_ip', 'ipAddress', 'X-Forwarded-For', 'client-info']) {
      expect(isVisitorDetailKey(k), k).toBe(true);
    }
    for (const k of ['token', 'zip', 'shipping', 'sg_message_id', 'firstOpen', 'bounce_classification', 'description']) {
      expect(isVisitorDetailKey(k), k).toBe(false);
    }
  });

  it('removes them from stored event data at any depth, and says when there was nothing to remove', () => {
    expect(withoutVisitorDetails('{"meta":{"token":"t1","userAgent":"Mozilla/5.0"},"providerEventId":"v1"}')).toBe('{"meta":{"token":"t1"},"providerEventId":"v1"}');
    expect(withoutVisitorDetails('{"meta":{"useragent":"UA","ip":"203.0.113.9"}}')).toBeNull();
    expect(withoutVisitorDetails('{"type":"opened","meta":{"client-info":{"user-agent":"UA"},"firstOpen":true}}')).toBe('{"type":"opened","meta":{"firstOpen":true}}');
    expect(withoutVisitorDetails('{"meta":{"token":"t1"}}')).toBeUndefined();
    expect(withoutVisitorDetails('not json')).toBeUndefined();
  });
});
