// Who may read GET /metrics, and the configuration that turns it on (the scrape itself is tested through
// `mesure serve` in test/metrics.test.ts).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { scrapeRefusal } from './metrics';

const TOKEN = 'scrape-token-0123456789abcdef';

describe('scrapeRefusal', () => {
  it('with a token: only that bearer token, from anywhere', () => {
    const s = { enabled: true, token: TOKEN };
    expect(scrapeRefusal(s, { authorization: `Bearer ${TOKEN}`, remoteAddress: '203.0.113.9', forwarded: true })).toBeNull();
    expect(scrapeRefusal(s, { authorization: `bearer ${TOKEN}`, remoteAddress: '203.0.113.9', forwarded: false })).toBeNull();
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN, `Basic ${TOKEN}`]) {
      // Even from this machine: once a token is set, the loopback is no exception.
      expect(scrapeRefusal(s, { authorization, remoteAddress: '127.0.0.1', forwarded: false })?.status).toBe(401);
    }
  });

  it('without a token: this machine only, and not through a reverse proxy', () => {
    const s = { enabled: true };
    for (const remoteAddress of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(scrapeRefusal(s, { remoteAddress, forwarded: false })).toBeNull();
    }
    for (const remoteAddress of ['10.0.0.2', '::ffff:192.168.1.4', '2001:db8::1', '128.0.0.1', undefined]) {
      expect(scrapeRefusal(s, { remoteAddress, forwarded: false })?.status).toBe(403);
    }
    // A proxy on the same machine relays from the loopback: its requests are still someone else's.
    const relayed = scrapeRefusal(s, { remoteAddress: '127.0.0.1', forwarded: true });
    expect(relayed?.status).toBe(403);
    expect(relayed?.message).toMatch(/Set MESURE_METRICS_TOKEN/);
  });
});

describe('metrics and shutdown configuration', () => {
  it('is off unless MESURE_METRICS=1, with an optional token; shutdown bound 10 s unless set', () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: false, token: undefined });
    expect(loadConfig({ MESURE_METRICS: '0' }).metrics.enabled).toBe(false);
    expect(loadConfig({ MESURE_METRICS: '1', MESURE_METRICS_TOKEN: TOKEN }).metrics).toEqual({ enabled: true, token: TOKEN });
    expect(loadConfig({}).shutdown).toEqual({ timeoutMs: 10_000 });
    expect(loadConfig({ MESURE_SHUTDOWN_TIMEOUT_MS: '2500' }).shutdown).toEqual({ timeoutMs: 2500 });
  });

  it('refuses unclear values, saying what to set', () => {
    expect(() => loadConfig({ MESURE_METRICS: 'yes' })).toThrow('MESURE_METRICS must be 1 (serve GET /metrics) or 0 (do not), got "yes".');
    expect(() => loadConfig({ MESURE_METRICS: '1', MESURE_METRICS_TOKEN: 'short' })).toThrow(/at least 16 printable characters without spaces/);
    expect(() => loadConfig({ MESURE_METRICS: '1', MESURE_METRICS_TOKEN: 'a token with spaces inside' })).toThrow(/without spaces/);
    expect(() => loadConfig({ MESURE_SHUTDOWN_TIMEOUT_MS: '-1' })).toThrow('MESURE_SHUTDOWN_TIMEOUT_MS must be a positive number, got "-1".');
  });
});
