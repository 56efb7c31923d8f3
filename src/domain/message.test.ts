import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyEvent, deriveStatus, emptyState, messageCounts, notSentReason, type MessageState } from './message';
import type { EventType, IncomingEvent } from './types';

const ref = { kind: 'id', messageId: 'm1' } as const;
const ev = (type: EventType, at: number, extra: Partial<IncomingEvent> = {}): IncomingEvent => ({ type, at, ref, ...extra });
const run = (events: IncomingEvent[], s: MessageState = emptyState()) => events.reduce((acc, e) => applyEvent(acc, e), s);

describe('message status', () => {
  it('a read before delivered implies delivered', () => {
    const s = run([ev('sent', 1), ev('opened', 5)]);
    expect(s.status).toBe('opened');
    expect(messageCounts(s, 'whatsapp')).toMatchObject({ sent: 1, delivered: 1, opened: 1 });
  });

  it('a late sent never moves a delivered message back', () => {
    const s = run([ev('delivered', 10), ev('sent', 2)]);
    expect(s.status).toBe('delivered');
    expect(s.sent_at).toBe(2);
  });

  it('a delivered message that later fails is undelivered, not delivered', () => {
    const s = run([ev('sent', 1), ev('delivered', 2), ev('failed', 3, { failureReason: 'unreachable', failureCode: '30003' })]);
    expect(s.status).toBe('undelivered');
    expect(messageCounts(s, 'sms')).toMatchObject({ sent: 1, delivered: 0, undelivered: 1 });
  });

  it('a failure before any sending is "not sent" with its reason', () => {
    const s = run([ev('failed', 3, { failureReason: 'invalid_recipient', failureCode: '131026' })]);
    expect(s.status).toBe('not_sent');
    expect(notSentReason(s)).toBe('invalid_recipient');
    expect(messageCounts(s, 'whatsapp')).toMatchObject({ audience: 1, sent: 0, undelivered: 0 });
  });

  it('a hard bounce counts as undelivered and as a hard bounce', () => {
    const s = run([ev('sent', 1), ev('bounced', 2, { bounceType: 'hard' })]);
    expect(s.status).toBe('bounced');
    expect(messageCounts(s, 'email')).toMatchObject({ sent: 1, delivered: 0, undelivered: 1, bounced_hard: 1, bounced_soft: 0 });
  });

  it('a soft bounce followed by a delivery is delivered', () => {
    const s = run([ev('sent', 1), ev('bounced', 2, { bounceType: 'soft' }), ev('delivered', 9)]);
    expect(s.status).toBe('delivered');
  });

  it('machine opens and bot clicks are counted apart, never as human', () => {
    const s = run([ev('delivered', 1), ev('opened', 2, { machine: true }), ev('clicked', 3, { machine: true, url: 'https://x' })]);
    expect(messageCounts(s, 'email')).toMatchObject({ opened: 0, total_opens: 0, machine_opens: 1, clicked: 0, bot_clicks: 1 });
    expect(s.status).toBe('delivered');
  });

  it('letters have no delivery signal: a letter sent is delivered', () => {
    expect(messageCounts(run([ev('sent', 1)]), 'mail')).toMatchObject({ sent: 1, delivered: 1 });
    expect(messageCounts(run([ev('sent', 1)]), 'sms')).toMatchObject({ sent: 1, delivered: 0 });
  });

  it('a message refused by the send gate stays not sent with that reason', () => {
    const s = emptyState('opted_out');
    expect(deriveStatus(s)).toBe('not_sent');
    expect(notSentReason(s)).toBe('opted_out');
  });

  // KPIS.md: a human read/open/click/reply implies delivery, even when a failure or bounce arrives later; the
  // bounce still counts in bounces.
  it('an e-mail opened and clicked, then hard-bounced, is delivered, opened and clicked, and still a hard bounce', () => {
    const s = run([ev('sent', 1), ev('delivered', 2), ev('opened', 3), ev('clicked', 4, { url: 'https://x' }), ev('bounced', 5, { bounceType: 'hard' })]);
    expect(s.status).toBe('clicked');
    expect(messageCounts(s, 'email')).toMatchObject({
      sent: 1, delivered: 1, undelivered: 0, opened: 1, total_opens: 1, clicked: 1, total_clicks: 1, bounced_hard: 1, bounced_soft: 0,
    });
  });

  it('engagement implies delivery on every channel, whatever failure follows', () => {
    // WhatsApp read (an open) then failed; SMS clicked then undelivered; reply then failed; letter scanned then returned.
    const whatsapp = run([ev('sent', 1), ev('opened', 2), ev('failed', 3, { failureReason: 'unreachable' })]);
    expect(whatsapp.status).toBe('opened');
    expect(messageCounts(whatsapp, 'whatsapp')).toMatchObject({ sent: 1, delivered: 1, undelivered: 0, opened: 1 });
    const sms = run([ev('sent', 1), ev('clicked', 2, { url: 'https://x' }), ev('failed', 3, { failureReason: 'unreachable' })]);
    expect(sms.status).toBe('clicked');
    expect(messageCounts(sms, 'sms')).toMatchObject({ sent: 1, delivered: 1, undelivered: 0, clicked: 1 });
    const replied = run([ev('sent', 1), ev('replied', 2), ev('failed', 3)]);
    expect(messageCounts(replied, 'whatsapp')).toMatchObject({ delivered: 1, undelivered: 0, replied: 1 });
    const letter = run([ev('sent', 1), ev('scanned', 2), ev('failed', 3, { failureReason: 'invalid_recipient' })]);
    expect(messageCounts(letter, 'mail')).toMatchObject({ sent: 1, delivered: 1, undelivered: 0, scanners: 1 });
  });

  it('a machine open is no human engagement: a bounce after it stays undelivered', () => {
    const s = run([ev('sent', 1), ev('opened', 2, { machine: true }), ev('bounced', 3, { bounceType: 'hard' })]);
    expect(s.status).toBe('bounced');
    expect(messageCounts(s, 'email')).toMatchObject({ delivered: 0, undelivered: 1, bounced_hard: 1, machine_opens: 1 });
  });

  it('an opt-out that reaches a message never sent counts in no campaign', () => {
    const s = run([ev('unsubscribed', 5)], emptyState('opted_out'));
    expect(s.status).toBe('not_sent');
    expect(messageCounts(s, 'sms')).toMatchObject({ audience: 1, sent: 0, unsubscribed: 0 });
    // Sent, it counts.
    expect(messageCounts(run([ev('sent', 1), ev('unsubscribed', 5)]), 'sms')).toMatchObject({ sent: 1, unsubscribed: 1 });
  });

  it('only committed costs are spend', () => {
    expect(messageCounts({ ...run([ev('sent', 1)]), cost_minor: 9, cost_state: 'committed' }, 'sms').spend_minor).toBe(9);
    expect(messageCounts({ ...run([ev('sent', 1)]), cost_minor: 9, cost_state: 'reserved' }, 'sms').spend_minor).toBe(0);
  });
});

describe('order of events does not matter (property)', () => {
  const eventArb = fc.record({
    type: fc.constantFrom<EventType>('queued', 'sent', 'delivered', 'failed', 'bounced', 'opened', 'clicked', 'replied', 'lead', 'unsubscribed', 'complained', 'scanned'),
    at: fc.integer({ min: 0, max: 50 }),
    machine: fc.boolean(),
    bounceType: fc.constantFrom<'soft' | 'hard'>('soft', 'hard'),
    failureReason: fc.constantFrom('unreachable', 'invalid_recipient', 'opted_out', 'provider_error' as const),
    pricingCategory: fc.option(fc.constantFrom('marketing', 'utility'), { nil: undefined }),
  });
  it('any permutation of the same events gives the same final state', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 12 }), fc.integer(), (raws, seed) => {
        const events = raws.map((r) => ({ ...r, ref }) as IncomingEvent);
        const shuffled = [...events];
        // Deterministic Fisher–Yates from the seed.
        let x = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const j = x % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        expect(run(shuffled)).toEqual(run(events));
        expect(run([...events].reverse())).toEqual(run(events));
        for (const channel of ['email', 'sms', 'whatsapp', 'mail'] as const) {
          const c = messageCounts(run(events), channel);
          expect(messageCounts(run(shuffled), channel)).toEqual(c);
          // One population: whoever engaged was delivered, so no rate's numerator leaves its denominator.
          expect(c.delivered + c.undelivered).toBeLessThanOrEqual(c.sent);
          expect(c.opened).toBeLessThanOrEqual(c.delivered);
          expect(c.clicked).toBeLessThanOrEqual(c.delivered);
          expect(c.replied).toBeLessThanOrEqual(c.delivered);
          expect(c.unsubscribed).toBeLessThanOrEqual(c.sent);
        }
      }),
      { numRuns: 500 },
    );
  });
});
