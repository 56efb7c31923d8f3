// The role matrix over a listening server: every route of /openapi.json is called without credentials and with an
// owner, analyst and viewer key, and must answer as its line in src/http/roles.ts says (401 without credentials,
// 403 below its lowest role, neither at or above; a public route answers the same whoever calls).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachEngineConcurrently } from '../support';
import { ROUTE_ROLES, allows, type Access } from '../../src/http/roles';
import { ROLES, type Role } from '../../src/services/accounts';
import { openApiKey, openApiRoutes, send, startBlackbox, type Blackbox } from './harness';

/** The table keyed as /openapi.json writes routes. */
const TABLE = new Map<string, Access>(Object.entries(ROUTE_ROLES).map(([k, v]) => [openApiKey(k), v]));
const DOCUMENTED_PREFIXES = ['/v1', '/auth', '/webhooks'];

// The two engines side by side, each with its own server and database.
forEachEngineConcurrently('roles: every route of /openapi.json against src/http/roles.ts', (engine) => {
  let bb: Blackbox;
  let routes: string[];

  beforeAll(async () => {
    bb = await startBlackbox(engine, 'Roles shop');
    routes = await openApiRoutes(bb.url);
  }, 240_000);
  afterAll(async () => {
    await bb?.stop();
  });

  it('has a line in the role table for every route of /openapi.json, and no line for a route that does not exist', () => {
    expect(routes.length).toBeGreaterThan(90);
    expect(routes.filter((r) => !TABLE.has(r)), 'routes missing from src/http/roles.ts').toEqual([]);
    const documented = new Set(routes);
    const stale = [...TABLE.keys()].filter((k) => DOCUMENTED_PREFIXES.some((p) => k.split(' ')[1].startsWith(`${p}/`)) && !documented.has(k));
    expect(stale, 'lines of src/http/roles.ts for routes the server does not have').toEqual([]);
  });

  it('asks for credentials before saying a /v1 URL has no route, so strangers do not learn which routes exist', async () => {
    expect((await send(bb.url, 'GET', '/v1/no-such-route')).status).toBe(401);
    const r = await send(bb.url, 'POST', '/v1/no-such-route', { key: bb.keys.viewer, json: {} });
    expect([r.status, r.json?.message]).toEqual([404, expect.stringContaining('No route POST /v1/no-such-route')]);
  });

  it('answers 401 without credentials, 403 below the lowest role and neither at or above it, on every route', async () => {
    // Placeholder ids: the role check comes before the route looks anything up, and a 404 past it is fine here.
    const pathOf = (template: string) =>
      template.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'accountId' ? bb.accountId : name === 'provider' ? 'whatsapp' : `bb_missing_${name}`));
    const call = (method: string, path: string, key?: string) =>
      send(bb.url, method, path, { key, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) });

    const failures: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const access = TABLE.get(route);
      if (!access) continue; // reported by the test above
      const [method, template] = route.split(' ');
      const path = pathOf(template);
      const anonymous = await call(method, path);
      if (access === 'public') {
        // A public route ignores API keys: whoever calls gets the answer a stranger gets.
        if (anonymous.status === 403) failures.push(`${route} (public) without credentials → 403: ${anonymous.text.slice(0, 120)}`);
        for (const role of ROLES) {
          const r = await call(method, path, bb.keys[role]);
          if (r.status !== anonymous.status) failures.push(`${route} (public) with the ${role} key → ${r.status}, without credentials → ${anonymous.status}`);
        }
        checked++;
        continue;
      }
      if (anonymous.status !== 401) failures.push(`${route} (${access}) without credentials → ${anonymous.status}, expected 401`);
      for (const role of ROLES) {
        const r = await call(method, path, bb.keys[role]);
        if (allows(role as Role, access)) {
          if (r.status === 401 || r.status === 403) failures.push(`${route} (${access}) with the ${role} key → ${r.status}: ${r.text.slice(0, 120)}`);
        } else if (r.status !== 403 || !String(r.json?.message).includes(`needs the ${access} role`)) {
          failures.push(`${route} (${access}) with the ${role} key → ${r.status}, expected 403: ${r.text.slice(0, 80)}`);
        }
      }
      checked++;
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(routes.length);
  }, 120_000);
});
