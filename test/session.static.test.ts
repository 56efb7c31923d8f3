// Serving the dashboard build: deep links get index.html (never cached), hashed assets are cached for good, API
// paths are never answered with the app, and a missing build answers `/` with how to build it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../src/http/static';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function serve(withBuild: boolean) {
  const dist = mkdtempSync(join(tmpdir(), 'mesure-dist-'));
  dirs.push(dist);
  if (withBuild) {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div><script src="/assets/index-abc123.js"></script>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  }
  const app = Fastify();
  app.get('/v1/real', async () => ({ ok: true }));
  await dashboardRoutes(dist)(app);
  return app;
}

describe('dashboard static serving', () => {
  it('answers deep links with index.html, not cached, and hashed assets with a year-long immutable cache', async () => {
    const app = await serve(true);
    for (const url of ['/', '/campaigns/cmp_1?period=7', '/settings']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toContain('text/html');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.body).toContain('<div id="root">');
    }
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ url: '/favicon.svg' })).headers['cache-control']).toBe('public, max-age=3600');
    expect((await app.inject({ url: '/assets/index-old999.js' })).statusCode).toBe(404);
    // A path climbing out of the build is never a file read outside it (at most the app's page).
    for (const url of ['/assets/../../etc/passwd', '/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/hostname']) {
      const r = await app.inject({ url });
      expect(r.body, url).not.toMatch(/root:|^[a-z0-9-]+\n$/);
      if (r.statusCode === 200) expect(r.body, url).toContain('<div id="root">');
    }
    await app.close();
  });

  it('never answers an API, webhook or tracking path with the app', async () => {
    const app = await serve(true);
    expect((await app.inject({ url: '/v1/real' })).json()).toEqual({ ok: true });
    for (const url of ['/v1/unknown', '/v1', '/auth/nothing', '/webhooks/x', '/l/', '/q/', '/o/']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error, url).toBe('not_found');
    }
    await app.close();
  });

  it('explains how to build when web/dist is missing', async () => {
    const app = await serve(false);
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(503);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('node scripts/build-web.mjs');
    await app.close();
  });
});
