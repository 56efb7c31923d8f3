// The inbox's pure helpers, and how it counts the tries of a row that cannot be applied (a real SQLite file).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyShare, eventsNote, EVENTS_PER_ROW, Inbox, STOPPED_DURING_TRY, weighed } from './inbox';
import { Writer } from './writer';
import { migrateToLatest, openDatabase } from '../store/db';
import { insertInboxRows } from '../store/inbox';
import { eventFromRow, eventRow, prepareById } from './ingest';
import type { IncomingEvent } from '../domain/types';

describe('applyShare: how much of the time the inbox is applied while requests keep arriving', () => {
  const duty = { min: 0.02, max: 0.5, lagForMaxMs: 60_000 };
  it('stays at the floor while applying is fresh', () => {
    expect(applyShare(0, duty)).toBe(0.02);
    // 0.5 × 2,000 / 60,000 = 0.0167 < 0.02
    expect(applyShare(2_000, duty)).toBe(0.02);
  });
  it('grows with the age of the oldest waiting row', () => {
    expect(applyShare(6_000, duty)).toBeCloseTo(0.05, 10); // 0.5 × 6 / 60
    expect(applyShare(30_000, duty)).toBeCloseTo(0.25, 10);
  });
  it('is capped once applying is a minute late or more', () => {
    expect(applyShare(60_000, duty)).toBe(0.5);
    expect(applyShare(3_600_000, duty)).toBe(0.5);
  });
});

describe('API events in the inbox: a note of where they are in the log', () => {
  it('keeps rowids as ranges, and only what the log does not keep (provider message ids)', () => {
    expect(eventsNote([7, 8, 9, 12, 13], new Map())).toEqual({ ranges: [[7, 9], [12, 13]] });
    expect(eventsNote([3, 4], new Map([[3, { provider: 'whatsapp', providerMessageId: 'wamid.X' }]]))).toEqual({
      ranges: [[3, 4]],
      extra: { 3: { provider: 'whatsapp', providerMessageId: 'wamid.X' } },
    });
  });

  it('prepares a batch named by message ids as the rows the log gets, duplicates marked', () => {
    const at = 1_764_000_000_000;
    const events: IncomingEvent[] = [
      { type: 'delivered', at, ref: { kind: 'id', messageId: 'msg_1' } },
      { type: 'clicked', at: at + 5, ref: { kind: 'id', messageId: 'msg_1' }, url: 'https://shop.example/a', machine: true, flagReason: 'isbot:x' },
      { type: 'delivered', at, ref: { kind: 'id', messageId: 'msg_1' } },
      { type: 'bounced', at, ref: { kind: 'id', messageId: 'msg_2' }, bounceType: 'hard', providerEventId: 'sg-1' },
    ];
    expect(prepareById('acc_1', events, 99)).toEqual({
      received: 4,
      receivedAt: 99,
      values: [
        [0, `msg_1|delivered|${at}|`, 'msg_1', 'delivered', at, null, 0, null, null, 0],
        [1, `msg_1|clicked|${at + 5}|https://shop.example/a`, 'msg_1', 'clicked', at + 5, 'https://shop.example/a', 1, 'isbot:x', null, 0],
        [2, `msg_1|delivered|${at}|`, 'msg_1', 'delivered', at, null, 0, null, null, 1],
        [3, 'pe:api:sg-1', 'msg_2', 'bounced', at, null, 0, null, '{"bounceType":"hard","providerEventId":"sg-1"}', 0],
      ],
    });
    // Another way of naming the message, or a provider message id to record: the general path.
    expect(prepareById('acc_1', [{ type: 'sent', at, ref: { kind: 'id', messageId: 'msg_1' }, providerMessageId: 'SM1' }], 99)).toBeNull();
    expect(prepareById('acc_1', [{ type: 'sent', at, ref: { kind: 'provider', provider: 'twilio', providerMessageId: 'SM1' } }], 99)).toBeNull();
  });

  it('reads back from an event row every field applying an event uses', () => {
    const e: IncomingEvent = {
      type: 'failed', at: 1_764_000_000_000, ref: { kind: 'recipient', campaignId: 'cmp_1', recipient: '+33612345678' },
      providerEventId: 'ev-1', provider: 'whatsapp', providerMessageId: 'wamid.1', bounceType: 'soft', url: 'https://shop.example/',
      machine: true, flagReason: 'isbot:test', failureReason: 'opted_out', failureCode: '131050', failureMessage: 'stopped',
      text: 'STOP', pricingCategory: 'marketing', segments: 2, costMinor: 12, costCurrency: 'EUR', meta: { recipient_id: '336' },
    };
    const row = eventRow('acc_1', 'pe:whatsapp:ev-1', { id: 'msg_9', campaign_id: 'cmp_1' }, e, 1_764_000_000_500);
    const back = eventFromRow(row, { provider: 'whatsapp', providerMessageId: 'wamid.1' });
    expect(back).toEqual({ ...e, ref: { kind: 'id', messageId: 'msg_9' } });
    // An event with none of the optional fields comes back with none.
    const plain: IncomingEvent = { type: 'delivered', at: 5, ref: { kind: 'id', messageId: 'msg_9' } };
    expect(eventFromRow(eventRow('acc_1', 'k', { id: 'msg_9', campaign_id: 'cmp_1' }, plain, 6))).toEqual(plain);
  });
});

describe('weighed: how many inbox rows one slice applies', () => {
  const row = (kind: 'visit' | 'delivery' | 'events') => ({ kind });
  it('counts a visit or delivery as one item and a row of API events as EVENTS_PER_ROW', () => {
    expect(weighed([row('visit'), row('visit'), row('delivery')], 2)).toHaveLength(2);
    expect(weighed([row('events'), row('events'), row('events')], 2 * EVENTS_PER_ROW)).toHaveLength(2);
    expect(weighed([row('visit'), row('events')], EVENTS_PER_ROW)).toHaveLength(1);
  });
  it('always takes at least one row', () => {
    expect(weighed([row('events'), row('visit')], 32)).toHaveLength(1);
    expect(weighed([], 32)).toEqual([]);
  });
});

describe('Inbox: a row that cannot be applied is tried a bounded number of times, counted in the row, then moved aside', () => {
  // A real migrated SQLite file; the services that apply rows are stand-ins that record visits and refuse some.
  async function setup(rows: { seq: number; payload: string; tries?: number; last_error?: string | null }[] = []) {
    const dir = mkdtempSync(join(tmpdir(), 'mesure-inbox-'));
    const db = await openDatabase(`file:${join(dir, 'inbox.db')}`);
    await migrateToLatest(db);
    insertInboxRows(db, rows.map((r) => ({ account_id: 'acc_1', seq: r.seq, kind: 'visit', payload: r.payload, received_at: 1_000 + r.seq })));
    for (const r of rows) {
      if (r.tries) db.sqlite!.prepare('UPDATE ingest_inbox SET tries = ?, last_error = ? WHERE seq = ?').run(r.tries, r.last_error ?? null, r.seq);
    }
    const applied: string[] = [];
    let refuse = (v: { messageId: string }) => v.messageId === 'refused';
    const tracking = {
      async storeVisitsIn(_trx: unknown, visits: { messageId: string }[]) {
        const bad = visits.find((v) => refuse(v));
        if (bad) throw new Error(`no message ${bad.messageId}`);
        applied.push(...visits.map((v) => v.messageId));
        return { lost: 0, reflagged: 0 };
      },
    };
    const inbox = new Inbox(db, new Writer(db), tracking as never, {} as never, {} as never, () => {}, { log: () => {}, clock: () => 50_000 });
    const inboxRows = () => db.sqlite!.prepare('SELECT seq, tries, last_error FROM ingest_inbox ORDER BY seq').all() as { seq: number; tries: number; last_error: string | null }[];
    const letters = () => db.sqlite!.prepare('SELECT id, seq, error, tries, payload FROM ingest_dead_letters ORDER BY seq').all() as { id: string; seq: number; error: string; tries: number; payload: string }[];
    return {
      db, inbox, applied, inboxRows, letters,
      accept: () => { refuse = () => false; },
      async cleanup() {
        await inbox.stop();
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const visit = (messageId: string) => JSON.stringify({ accountId: 'acc_1', messageId });

  it('applies the rows around a bad one, and moves the bad one with its error after MAX_TRIES tries', async () => {
    const t = await setup([
      { seq: 1, payload: visit('m1') },
      { seq: 2, payload: '{"accountId": "acc_1", "messageId": ' }, // cut short: not JSON
      { seq: 3, payload: visit('refused') },
      { seq: 4, payload: visit('m4') },
    ]);
    try {
      t.inbox.start();
      const stats = await t.inbox.drain();
      expect(t.applied.sort()).toEqual(['m1', 'm4']);
      expect(t.inboxRows()).toEqual([]);
      const letters = t.letters();
      expect(letters.map((l) => [l.seq, l.tries])).toEqual([[2, 3], [3, 3]]);
      expect(letters[0].error).toMatch(/JSON/);
      expect(letters[1].error).toBe('no message refused');
      expect(letters[0].payload).toBe('{"accountId": "acc_1", "messageId": ');
      expect(stats).toMatchObject({ pending: 0, deadLettered: 2 });
    } finally {
      await t.cleanup();
    }
  });

  it('counts the tries of an earlier process: a row that failed twice before is moved after one more', async () => {
    const t = await setup([{ seq: 7, payload: visit('refused'), tries: 1, last_error: 'no message refused' }]);
    try {
      // The start counts one try (the row heads the inbox: it may have killed the last process): 2, then one failure: 3.
      t.inbox.start();
      expect(t.inboxRows()).toEqual([{ seq: 7, tries: 2, last_error: 'no message refused' }]);
      await t.inbox.drain();
      expect(t.letters().map((l) => [l.seq, l.tries, l.error])).toEqual([[7, 3, 'no message refused']]);
    } finally {
      await t.cleanup();
    }
  });

  it('moves, without applying it again, a row the process died on while trying it alone (a crash loop)', async () => {
    // Two tries so far, the last one alone and never finished: the process died on it.
    const t = await setup([
      { seq: 1, payload: visit('crasher'), tries: 2, last_error: STOPPED_DURING_TRY },
      { seq: 2, payload: visit('m2'), tries: 1 },
    ]);
    try {
      t.inbox.start();
      await t.inbox.drain();
      expect(t.applied).toEqual(['m2']);
      expect(t.letters().map((l) => [l.seq, l.tries, l.error])).toEqual([[1, 3, STOPPED_DURING_TRY]]);
      expect(t.inboxRows()).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it('does not move a healthy row whose tries come only from starts: it is applied', async () => {
    const t = await setup([{ seq: 1, payload: visit('m1'), tries: 5 }]);
    try {
      t.inbox.start();
      await t.inbox.drain();
      expect(t.applied).toEqual(['m1']);
      expect(t.letters()).toEqual([]);
    } finally {
      await t.cleanup();
    }
  });

  it('applies a dead letter again on retry, or keeps it with one more try and its new error', async () => {
    const t = await setup([{ seq: 1, payload: visit('refused') }]);
    try {
      t.inbox.start();
      await t.inbox.drain();
      const [letter] = t.letters();
      expect(await t.inbox.retryDeadLetter('acc_1', letter.id)).toEqual({ found: true, applied: false, error: 'no message refused', tries: 4 });
      expect(t.letters()).toMatchObject([{ id: letter.id, tries: 4 }]);
      expect(await t.inbox.retryDeadLetter('acc_2', letter.id)).toEqual({ found: false });
      t.accept();
      expect(await t.inbox.retryDeadLetter('acc_1', letter.id)).toEqual({ found: true, applied: true });
      expect(t.applied).toEqual(['refused']);
      expect(t.letters()).toEqual([]);
      expect(await t.inbox.retryDeadLetter('acc_1', letter.id)).toEqual({ found: false });
    } finally {
      await t.cleanup();
    }
  });
});

describe('Inbox: rows are numbered in the order the writer stores them', () => {
  it('applies a click appended while an events batch and an apply slice wait ahead of it in the writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesure-inbox-'));
    const db = await openDatabase(`file:${join(dir, 'inbox.db')}`);
    await migrateToLatest(db);
    const applied: string[] = [];
    const tracking = {
      async storeVisitsIn(_trx: unknown, visits: { messageId: string }[]) {
        applied.push(...visits.map((v) => v.messageId));
        return { lost: 0, reflagged: 0 };
      },
    };
    // Stands in for the event log: the batch notes one stored event (none to read back, nothing to apply).
    const ingestor = {
      async storeIn(_trx: unknown, accountId: string, _batch: unknown, note: (a: string, rowids: number[], extras: Map<number, unknown>) => void) {
        note(accountId, [1], new Map());
        return { ok: true, value: { received: 1, applied: 1, duplicates: 0, pending: 0, newlyPending: 0 } };
      },
      async applyStoredIn() {
        return 0;
      },
    };
    const inbox = new Inbox(db, new Writer(db), tracking as never, {} as never, ingestor as never, () => {}, { log: () => {}, clock: () => 50_000 });
    try {
      inbox.start();
      // In one turn, as when requests arrive while the writer is busy: an events batch, the apply loop's next slice
      // (a reader waiting for the figures), then a click. The writer runs them in that order.
      const events = inbox.appendEvents('acc_1', [{ type: 'sent', at: 1, ref: { kind: 'id', messageId: 'm0' } }]);
      const first = inbox.drain();
      const click = inbox.appendVisits(['acc_1'], [JSON.stringify({ accountId: 'acc_1', messageId: 'm1' })]);
      await Promise.all([events, first, click]);
      const stats = await inbox.drain();
      // Before the fix the click was numbered 1 when queued, the events row 2 when stored; the slice applied row 2 and
      // moved the cursor to 2, and the click, stored after, stayed in the inbox (pending 1) until the next start.
      expect(applied).toEqual(['m1']);
      expect(stats.pending).toBe(0);
    } finally {
      await inbox.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
