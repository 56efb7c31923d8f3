// The soak's load generator (issue #25), run in a child process of its own so that it never shares an event loop with
// the figures it measures (bench/soak/run.ts forks it). Open loop: each stream's requests are scheduled on a clock;
// latency counts from the scheduled time (so a late client or a stalled server shows, never hides); a request due while
// MAX_OUTSTANDING of its stream are already waiting is counted as skipped, not sent later.
import { Agent, request } from 'node:http';
import { eventBatch } from '../support';

/** Above this many requests of one stream waiting for their answer, a due request is skipped. */
const MAX_OUTSTANDING = 512;
const CHROME = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36';

export const STREAMS = ['events', 'clicks', 'campaign', 'overview'] as const;
export type Stream = (typeof STREAMS)[number];

export interface LoadSetup {
  base: string;
  key: string;
  /** `/l/<token>` of every tracked link, in the order they are clicked (cycled). */
  clickPaths: string[];
  /** Every message of the account: the events name them in turn (bench/support.ts eventBatch). */
  messageIds: string[];
  campaignIds: string[];
  /** The events' reference time (their `at` are in the hours before it). */
  eventsNow: number;
  eventBatchSize: number;
}

export interface Phase {
  name: string;
  seconds: number;
  eventsPerS: number;
  clicksPerS: number;
  /** One campaign page and one overview read every this many ms (0: none). */
  readsEveryMs: number;
}

export interface StreamSecond {
  /** Latencies (ms from the scheduled time) of the requests answered in this second. */
  lat: number[];
  ok: number;
  failed: number;
  skipped: number;
}

export type FromLoad =
  | { type: 'ready' }
  | {
      type: 'second';
      phase: string;
      streams: Record<Stream, StreamSecond>;
      /** Events acknowledged in this second: received, duplicates, pending (IngestSummary). */
      received: number;
      duplicates: number;
      /** This process's CPU in this second (ms, user + system). */
      cpuMs: number;
      /** How late the scheduler fired its most late request in this second (ms): the client's own lag. */
      lagMs: number;
      failures: string[];
    }
  | { type: 'done'; phase: string };

export type ToLoad = { type: 'setup'; setup: LoadSetup } | { type: 'phase'; phase: Phase } | { type: 'exit' };

const emptySecond = (): Record<Stream, StreamSecond> =>
  Object.fromEntries(STREAMS.map((s) => [s, { lat: [], ok: 0, failed: 0, skipped: 0 }])) as unknown as Record<Stream, StreamSecond>;

/** The child's side: waits for its setup, then runs each phase it is sent and reports every second. */
function runLoadChild(): void {
  const send = (m: FromLoad) => process.send!(m);
  let setup: LoadSetup | undefined;
  const agents: Record<Stream, Agent> = {
    events: new Agent({ keepAlive: true, maxSockets: 32 }),
    clicks: new Agent({ keepAlive: true, maxSockets: 128 }),
    campaign: new Agent({ keepAlive: true, maxSockets: 8 }),
    overview: new Agent({ keepAlive: true, maxSockets: 8 }),
  };
  // Across phases: the next event batch (so no two events share a dedupe key) and the next link to click.
  let nextBatch = 0;
  let nextClick = 0;
  let nextCampaign = 0;

  const httpCall = (stream: Stream, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; text: string }> =>
    new Promise((ok, ko) => {
      const url = new URL(path, setup!.base);
      const req = request(
        { agent: agents[stream], method, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: body ? { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) } : headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
          res.on('error', ko);
        },
      );
      req.on('error', ko);
      req.end(body);
    });

  const runPhase = async (phase: Phase) => {
    const s = setup!;
    const auth = { authorization: `Bearer ${s.key}` };
    let second = emptySecond();
    let received = 0;
    let duplicates = 0;
    let lagMs = 0;
    let failures: string[] = [];
    const outstanding: Record<Stream, number> = { events: 0, clicks: 0, campaign: 0, overview: 0 };
    let cpu = process.cpuUsage();
    const flush = () => {
      const c = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      send({ type: 'second', phase: phase.name, streams: second, received, duplicates, cpuMs: (c.user + c.system) / 1000, lagMs, failures });
      second = emptySecond();
      received = 0;
      duplicates = 0;
      lagMs = 0;
      failures = [];
    };
    const reporter = setInterval(flush, 1000);

    const fire = (stream: Stream, scheduled: number, go: () => Promise<{ status: number; text: string }>, expect: number, after?: (text: string) => void) => {
      if (outstanding[stream] >= MAX_OUTSTANDING) {
        second[stream].skipped++;
        return;
      }
      outstanding[stream]++;
      go().then(
        (r) => {
          outstanding[stream]--;
          if (r.status === expect) {
            second[stream].ok++;
            second[stream].lat.push(performance.now() - scheduled);
            after?.(r.text);
          } else {
            second[stream].failed++;
            if (failures.length < 3) failures.push(`${stream}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
          }
        },
        (err: Error) => {
          outstanding[stream]--;
          second[stream].failed++;
          if (failures.length < 3) failures.push(`${stream}: ${err.message}`);
        },
      );
    };

    // The k-th request of a stream is due at t0 + k × period, for k below the phase's count (rate × seconds, rounded):
    // computed, not accumulated, so that a phase schedules exactly its count whatever the rounding of the period.
    const streams: { stream: Stream; periodMs: number; count: number; k: number; fire: (scheduled: number) => void }[] = [];
    const t0 = performance.now();
    const count = (periodMs: number) => Math.round((phase.seconds * 1000) / periodMs);
    if (phase.eventsPerS > 0) {
      streams.push({
        stream: 'events', periodMs: (1000 * s.eventBatchSize) / phase.eventsPerS, count: Math.round((phase.seconds * phase.eventsPerS) / s.eventBatchSize), k: 0,
        fire: (at) => {
          const body = Buffer.from(JSON.stringify({ events: eventBatch(s.messageIds, nextBatch++, s.eventBatchSize, s.eventsNow) }));
          fire('events', at, () => httpCall('events', 'POST', '/v1/events', auth, body), 200, (text) => {
            const r = JSON.parse(text) as { received: number; duplicates: number };
            received += r.received;
            duplicates += r.duplicates;
          });
        },
      });
    }
    if (phase.clicksPerS > 0) {
      streams.push({
        stream: 'clicks', periodMs: 1000 / phase.clicksPerS, count: Math.round(phase.seconds * phase.clicksPerS), k: 0,
        fire: (at) => fire('clicks', at, () => httpCall('clicks', 'GET', s.clickPaths[nextClick++ % s.clickPaths.length], { 'user-agent': CHROME }), 302),
      });
    }
    if (phase.readsEveryMs > 0) {
      streams.push({
        stream: 'campaign', periodMs: phase.readsEveryMs, count: count(phase.readsEveryMs), k: 0,
        fire: (at) => fire('campaign', at, () => httpCall('campaign', 'GET', `/v1/campaigns/${s.campaignIds[nextCampaign++ % s.campaignIds.length]}`, auth), 200),
      });
      streams.push({ stream: 'overview', periodMs: phase.readsEveryMs, count: count(phase.readsEveryMs), k: 0, fire: (at) => fire('overview', at, () => httpCall('overview', 'GET', '/v1/overview', auth), 200) });
    }

    await new Promise<void>((done) => {
      const tick = () => {
        const now = performance.now();
        for (const st of streams) {
          for (let due = t0 + st.k * st.periodMs; st.k < st.count && due <= now; due = t0 + st.k * st.periodMs) {
            lagMs = Math.max(lagMs, now - due);
            st.k++;
            st.fire(due);
          }
        }
        if (streams.some((st) => st.k < st.count)) setTimeout(tick, 1);
        else done();
      };
      tick();
    });
    // The phase's last requests are answered (or fail) before it is reported done.
    while (STREAMS.some((st) => outstanding[st] > 0)) await new Promise((r) => setTimeout(r, 20));
    clearInterval(reporter);
    flush();
    send({ type: 'done', phase: phase.name });
  };

  let queue = Promise.resolve();
  process.on('message', (m: ToLoad) => {
    if (m.type === 'setup') {
      setup = m.setup;
      send({ type: 'ready' });
    } else if (m.type === 'phase') {
      queue = queue.then(() => runPhase(m.phase));
    } else if (m.type === 'exit') {
      for (const a of Object.values(agents)) a.destroy();
      process.exit(0);
    }
  });
}

// Forked by bench/soak/run.ts with this argument; imported elsewhere for its types only.
if (process.argv[2] === 'soak-load-child') runLoadChild();
