// Serves the dashboard's build (web/dist) at `/`: hashed assets cached for a year, index.html never cached, and
// index.html for any other GET outside the API so that deep links (/campaigns/cmp_…) load the app.
import { stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { sendError } from './errors';

/** Paths that belong to the server, never to the single-page app. */
const SERVER_PREFIXES = ['/v1/', '/auth/', '/webhooks/', '/l/', '/q/', '/o/'];
const SERVER_PATHS = new Set(['/v1', '/auth', '/webhooks', '/openapi.json', '/healthz', '/readyz', '/metrics']);

export function isServerPath(path: string): boolean {
  return SERVER_PATHS.has(path) || SERVER_PREFIXES.some((p) => path.startsWith(p));
}

const NOT_BUILT = (dist: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mesure · dashboard not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>The dashboard is not built yet</h1>
<p>The API works (<a href="/openapi.json">/openapi.json</a>), but <code>${dist}</code> has no <code>index.html</code>.</p>
<p>Build it once with <code>node scripts/build-web.mjs</code> (or simply <code>npm start</code>, which builds it when missing), then reload this page.</p>
<hr><p lang="fr">Le tableau de bord n’est pas encore construit : lancez <code>node scripts/build-web.mjs</code> puis rechargez la page.</p>
</body></html>`;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The route plugin serving `dist`; it must be registered after every API route (it catches the remaining GETs). */
export function dashboardRoutes(dist: string) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => {
      await scope.register(fastifyStatic, { root: dist, serve: false, suppressWarning: true, cacheControl: false });

      scope.get('/*', { schema: { hide: true } as never }, async (req, reply) => {
        const raw = req.url.split('?')[0];
        let path: string;
        try {
          path = decodeURIComponent(raw);
        } catch {
          path = raw;
        }
        if (isServerPath(path)) {
          return sendError(reply, 404, `No route GET ${path}. The API is described at /openapi.json.`);
        }
        const index = join(dist, 'index.html');
        if (!(await isFile(index))) {
          return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT(dist));
        }
        const file = normalize(join(dist, path));
        if (path !== '/' && file.startsWith(dist + sep) && (await isFile(file))) {
          // Vite names built assets by content hash: a changed file gets a new name, so they can be cached for good.
          const hashed = path.startsWith('/assets/');
          reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
          return reply.sendFile(path.slice(1));
        }
        // A missing asset is a 404, not the app: a stale page asking for an old bundle should fail visibly.
        if (path.startsWith('/assets/')) return sendError(reply, 404, `No file ${path}: reload the page to get the current dashboard.`);
        reply.header('cache-control', 'no-cache');
        return reply.type('text/html; charset=utf-8').sendFile('index.html');
      });
    });
  };
}
