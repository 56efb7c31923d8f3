// The role table: who ranks above whom, and the app's refusal to start with a guarded route missing from the table.
import { describe, expect, it } from 'vitest';
import { buildApp, type Deps } from './app';
import { accessOf, allows, ROUTE_ROLES } from './roles';

describe('roles', () => {
  it('lets a role call what its rank or a lower one may, and anyone call a public route', () => {
    expect(allows('viewer', 'viewer')).toBe(true);
    expect(allows('viewer', 'analyst')).toBe(false);
    expect(allows('analyst', 'analyst')).toBe(true);
    expect(allows('analyst', 'owner')).toBe(false);
    expect(allows('owner', 'analyst')).toBe(true);
    expect(allows('viewer', 'public')).toBe(true);
  });

  it('keeps bulk exports of personal data to analysts, and keys, users and secrets to owners', () => {
    for (const url of ['/v1/campaigns/:id/export.csv', '/v1/journeys/:id/export.csv', '/v1/suppressions/export.csv']) expect(accessOf('GET', url)).toBe('analyst');
    const ownerOnly = Object.keys(ROUTE_ROLES).filter((k) => /^\w+ \/v1\/(keys|users|invitations)\b|secret/.test(k));
    expect(ownerOnly.length).toBeGreaterThan(10);
    for (const key of ownerOnly) expect([key, ROUTE_ROLES[key]]).toEqual([key, 'owner']);
  });

  it('checks a HEAD request as the GET of the same URL', () => {
    expect(accessOf('HEAD', '/v1/campaigns/:id/export.csv')).toBe('analyst');
    expect(accessOf('GET', '/v1/not-a-route')).toBeUndefined();
  });

  it('refuses to start with a /v1, /auth or /webhooks route missing from the table, naming it', async () => {
    const deps = { publicUrl: 'http://mesure.test', clock: Date.now } as unknown as Deps;
    await expect(buildApp(deps, [(app) => { app.post('/v1/forgotten', async () => ({})); }])).rejects.toThrow(
      'The route POST /v1/forgotten has no line in src/http/roles.ts: add one with the lowest role that may call it.',
    );
  });
});
