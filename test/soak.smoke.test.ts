// CI smoke of `npm run bench:soak` (issue #25), through the same code (bench/soak/run.ts) on both engines: `mesure serve`
// on a fresh database, 1,500 messages with tracked links (each sent and delivered), 20 s of the open-loop mixed load at
// a fixed 200 events/s (no ramp; PostgreSQL on a loaded shared machine fell behind at 600 and the run outlasted 150 s). Asserts only what must hold on any machine, however loaded: no request failed, and nothing was lost (every
// redirect answered is a click in the campaign pages' figures, every event acknowledged is in the event log, no dead
// letter). Timings are printed by the bench, not asserted here.
import { describe, expect, it } from 'vitest';
import { forEachEngine } from './support';
import { runSoak } from '../bench/soak/run';

const LOAD_SECONDS = 20;
const EVENTS_PER_S = 200;
const MESSAGES = 1500;

forEachEngine('bench:soak smoke', (engine) => {
  describe('open-loop mixed load', () => {
    it('loses nothing and fails no request', async () => {
      const lines: string[] = [];
      const r = await runSoak({
        engine, messages: MESSAGES, loadSeconds: LOAD_SECONDS, intervalSeconds: 10, share: 0.6, eventsPerS: EVENTS_PER_S, rampStepSeconds: 5,
        log: (line) => lines.push(line),
      });
      const why = `${r.failures.join('\n')}\n${lines.join('\n')}`;
      expect(r.totals.failed, why).toBe(0);
      expect(r.lost, why).toEqual({ clicks: 0, events: 0, deadLetters: 0 });
      // The load ran: the setup's sent and delivered for each message (2 × 1,500), then 20 s at 200 events/s, 8 batches
      // of 500 scheduled (4,000 events), each one acknowledged or skipped (none failed, asserted above); clicks at 540 for
      // 2,880 events: 20 × 200 × 540 / 2,880 = 750 scheduled.
      expect(r.totals.eventsAcknowledged + 500 * skippedOf(r, 'events')).toBe(2 * MESSAGES + LOAD_SECONDS * EVENTS_PER_S);
      expect(r.totals.clicksAnswered + skippedOf(r, 'clicks')).toBe(750);
      expect(r.figures.clicks).toBe(r.totals.clicksAnswered);
      expect(r.exitCode, 'SIGTERM ends the server cleanly').toBe(0);
    }, 240_000);
  });
});

function skippedOf(r: Awaited<ReturnType<typeof runSoak>>, stream: 'events' | 'clicks'): number {
  return r.intervals.reduce((n, iv) => n + iv.streams[stream].skipped, 0);
}
