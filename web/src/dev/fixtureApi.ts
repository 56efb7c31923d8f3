// A Vite dev-server plugin answering docs/API.md's routes from fixtures.ts, so the dashboard can be developed
// and looked at without the server. Never part of the build.
import type { Plugin } from 'vite';
import * as fx from './fixtures';

type Json = unknown;

function route(method: string, url: URL): { status: number; body?: Json } {
  const p = url.pathname;
  const q = url.searchParams;
  if (p === '/auth/login' && method === 'POST') return { status: 200, body: fx.session };
  if (p === '/auth/me') return { status: 200, body: fx.session };
  if (p === '/auth/logout') return { status: 204 };
  if (p === '/v1/overview') return { status: 200, body: fx.overview };
  if (p === '/v1/series/daily') return { status: 200, body: fx.series(q.get('from') ?? '2026-10-27', q.get('to') ?? '2026-11-25') };
  if (p === '/v1/budget') return { status: 200, body: fx.budget };
  if (p === '/v1/invoices/unpaid') return { status: 200, body: fx.invoices };
  if (p === '/v1/campaigns') {
    const sort = q.get('sort') ?? '-sendAt';
    const key = sort.replace(/^-/, '') as 'sendAt' | 'sent' | 'openRate' | 'revenue' | 'roas';
    const dir = sort.startsWith('-') ? -1 : 1;
    const items = fx.campaigns
      .filter((c) => !q.get('channel') || c.channel === q.get('channel'))
      .filter((c) => !q.get('status') || c.status === q.get('status'))
      .sort((a, b) => {
        const av = key === 'sendAt' ? (a.sendAt ?? a.activatedAt ?? '') : (a[key] ?? -1);
        const bv = key === 'sendAt' ? (b.sendAt ?? b.activatedAt ?? '') : (b[key] ?? -1);
        return av < bv ? -dir : av > bv ? dir : 0;
      });
    return { status: 200, body: { items, nextCursor: null } };
  }
  if (p === '/v1/journeys') return { status: 200, body: { items: fx.journeys, nextCursor: null } };
  if (/^\/v1\/journeys\/[^/]+\/report$/.test(p)) return { status: 200, body: fx.journeyReport };
  if (p === '/v1/account') return { status: 200, body: fx.account };
  if (p === '/v1/attribution/settings') return { status: 200, body: fx.attributionSettings };
  const lists: Record<string, unknown[]> = { '/v1/keys': fx.keys, '/v1/users': fx.users, '/v1/invitations': [], '/v1/providers': fx.providers, '/v1/alerts/endpoints': fx.alerts };
  if (lists[p] && method === 'GET') return { status: 200, body: { items: lists[p], nextCursor: null } };
  if (p === '/v1/keys' && method === 'POST') return { status: 201, body: { id: 'key_new', name: 'new', role: 'analyst', key: 'mesure_acc_demo_key_new_example_shown_once' } };
  if (/^\/v1\/(keys|users|providers|alerts)/.test(p) && method !== 'GET') return { status: 204 };
  const rec = p.match(/^\/v1\/campaigns\/([^/]+)\/recipients$/);
  if (rec) {
    const limit = Number(q.get('limit') ?? 50);
    const start = Number(q.get('cursor') ?? 0);
    const needle = (q.get('q') ?? '').toLowerCase();
    const all = fx.recipients
      .filter((r) => !q.get('status') || r.status === q.get('status'))
      .filter((r) => !q.get('reason') || r.failureReason === q.get('reason'))
      .filter((r) => !needle || r.recipient.toLowerCase().includes(needle));
    const items = all.slice(start, start + limit);
    return { status: 200, body: { items, nextCursor: start + limit < all.length ? String(start + limit) : null } };
  }
  const one = p.match(/^\/v1\/campaigns\/([^/]+)$/);
  if (one) {
    const c = fx.campaigns.find((x) => x.id === decodeURIComponent(one[1]));
    if (!c) return { status: 404, body: { error: 'not_found', message: 'No such campaign.' } };
    return { status: 200, body: { ...fx.campaignReport, campaign: { ...fx.campaignReport.campaign, ...c } } };
  }
  return { status: 404, body: { error: 'not_found', message: `No route ${method} ${p} in the fixture API.` } };
}

export function fixtureApi(): Plugin {
  return {
    name: 'mesure-fixture-api',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (!url.pathname.startsWith('/v1/') && !url.pathname.startsWith('/auth/')) return next();
        if (url.pathname.endsWith('/export.csv')) {
          res.setHeader('Content-Type', 'text/csv');
          res.end('messageId,recipient,status\nmsg_1,+33612340001,delivered\n');
          return;
        }
        const { status, body } = route(req.method ?? 'GET', url);
        res.statusCode = status;
        if (body === undefined) return res.end();
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(body));
      });
    },
  };
}
