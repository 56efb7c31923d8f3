// The fast-path mechanism of buildApp's server: a fast path serves only the requests that land on its own route (the
// route Fastify itself would choose), anything else reaches Fastify, and whatever a fast path throws is answered 500
// while the server keeps answering. Over a real listening socket: app.inject() never goes through fast paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type Deps, type FastPath } from './app';

const answer = (text: string): FastPath => (_req, res, params) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`${text} ${JSON.stringify(params)}`);
  return true;
};

describe('fast paths on a listening server', () => {
  let app: FastifyInstance;
  let base: string;
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    const deps = { clock: Date.now, publicUrl: 'http://mesure.test' } as unknown as Deps;
    app = await buildApp(deps, [
      (a) => {
        const hook: FastPath = (req, res, params) => (req.headers['x-pass'] ? false : answer('fast')(req, res, params));
        a.post('/hooks/:kind/:id', { config: { fastPath: hook } }, async () => 'routed generic');
        a.post('/hooks/special/:id', async () => 'routed special');
        a.get('/boom/sync', { config: { fastPath: () => { throw new Error('sync failure'); } } }, async () => 'routed');
        a.get('/boom/async', { config: { fastPath: () => Promise.reject(new Error('async failure')) } }, async () => 'routed');
        a.get('/boom/header', {
          config: {
            // What a stored destination with a line break did: Node refuses the header (ERR_INVALID_CHAR).
            fastPath: (_req, res) => {
              res.writeHead(302, { location: 'https://shop.example/\r\nset-cookie: a=b' });
              res.end();
              return true;
            },
          },
        }, async () => 'routed');
        a.get('/boom/late', {
          config: {
            fastPath: (_req, res) => {
              res.writeHead(200, { 'content-type': 'text/plain' });
              res.write('partial');
              return new Promise((_ok, ko) => setTimeout(() => ko(new Error('failure after the answer began')), 10));
            },
          },
        }, async () => 'routed');
      },
    ]);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    // The log lines are read by the test instead of printed.
    process.stderr.write = ((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
  });
  afterAll(async () => {
    process.stderr.write = write;
    await app?.close();
  });

  const text = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(`${base}${path}`, init);
    return { status: r.status, body: await r.text() };
  };
  const alive = async () => expect(await text('/healthz')).toEqual({ status: 200, body: '{"ok":true}' });

  it('serves a fast path only on its own route, with that route’s parameters', async () => {
    expect(await text('/hooks/whatsapp/acc_1?x=1', { method: 'POST' })).toEqual({ status: 200, body: 'fast {"kind":"whatsapp","id":"acc_1"}' });
    // The more specific route wins, as Fastify chooses it: its own handler, not the generic route's fast path.
    expect(await text('/hooks/special/acc_1', { method: 'POST' })).toEqual({ status: 200, body: 'routed special' });
    // Another method, or a URL no route takes: Fastify.
    expect((await text('/hooks/whatsapp/acc_1')).status).toBe(404);
    expect((await text('/hooks/whatsapp/acc_1/more', { method: 'POST' })).status).toBe(404);
    // A fast path that declines passes the request on to the route.
    expect(await text('/hooks/whatsapp/acc_1', { method: 'POST', headers: { 'x-pass': '1' } })).toEqual({ status: 200, body: 'routed generic' });
    // inject() goes through the router only.
    expect((await app.inject({ method: 'POST', url: '/hooks/whatsapp/acc_1' })).body).toBe('routed generic');
  });

  it('answers 500 when a fast path throws, at once or later, logs it, and keeps serving', async () => {
    for (const path of ['/boom/sync', '/boom/async', '/boom/header']) {
      const r = await text(path);
      expect(r.status, path).toBe(500);
      expect(JSON.parse(r.body)).toMatchObject({ error: 'internal' });
      await alive();
    }
    expect(logged.join('')).toMatch(/\[fast path\] GET "\/boom\/sync" failed: Error: sync failure/);
    expect(logged.join('')).toMatch(/\[fast path\] GET "\/boom\/async" failed: Error: async failure/);
    expect(logged.join('')).toMatch(/\[fast path\] GET "\/boom\/header" failed: TypeError: Invalid character in header content/);
  });

  it('closes the connection when a fast path fails after its answer began, and keeps serving', async () => {
    await expect(text('/boom/late')).rejects.toThrow();
    await alive();
  });
});
