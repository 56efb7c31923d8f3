// Rules that had a tested copy nothing ran, pinned where users meet them, through `mesure serve` and the CLI on SQLite
// and PostgreSQL: a campaign's slug (utm_campaign) is the tested slugify of tracking/utm.ts, the send gate takes a
// letter without an addressee name, and `mesure budget` writes amounts with the currency's own decimals.
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { forEachEngine } from './support';
import { databaseEnv } from './blackbox/seed-support';
import { callOk, createAccountWithCli, runCli, startServerProcess, type ServerProcess } from '../bench/support';

/** The redirect of a tracked link, not followed. */
function locationOf(trackedUrl: string): Promise<string | undefined> {
  const url = new URL(trackedUrl);
  return new Promise((ok, ko) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'GET', headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.headers.location));
      res.on('error', ko);
    });
    req.on('error', ko);
    req.end();
  });
}

forEachEngine('rules the product runs', (engine) => {
  it('slugs campaign names with the tested rule, takes nameless letters at the gate, prints yen without decimals', async () => {
    const db = databaseEnv(engine);
    const env = { ...db.env, MESURE_DEMO: '0', MESURE_PUBLIC_URL: 'http://mesure.test' };
    let server: ServerProcess | undefined;
    try {
      const { accountId, key } = await createAccountWithCli(env, 'Yen shop', 'JPY');
      server = await startServerProcess(env);
      const base = server.url;

      // 1. utm_campaign. "Straße & Œuvre — Noël": NFKD takes the diaeresis off ë, ß → ss and œ → oe, each run of
      // anything else becomes one dash. The service's own copy wrote "stra-e-uvre-noel".
      const noel = await callOk<{ id: string; slug: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Straße & Œuvre — Noël', channel: 'email' });
      expect(noel.slug).toBe('strasse-oeuvre-noel');
      const registered = await callOk<{ messages: { messageId: string }[] }>(base, 'POST', `/v1/campaigns/${noel.id}/messages`, key, {
        messages: [{ recipient: { email: 'ana@example.org' } }],
      });
      await callOk(base, 'POST', `/v1/campaigns/${noel.id}/links`, key, { destinations: ['https://shop.example/noel'] });
      const issued = await callOk<{ messages: { links: { trackedUrl: string }[] }[] }>(base, 'POST', `/v1/campaigns/${noel.id}/links/issue`, key, {
        messageIds: [registered.messages[0].messageId],
      });
      const location = await locationOf(issued.messages[0].links[0].trackedUrl.replace('http://mesure.test', base));
      expect(location).toMatch(/^https:\/\/shop\.example\/noel\?utm_source=mesure&utm_medium=email&utm_campaign=strasse-oeuvre-noel&mesure_cid=[A-Za-z0-9_-]{16}$/);
      // 59 a's, a blank, a b: "aaa…a-b" (61 characters, within 80). The copy cut at 60 after trimming dashes: "aaa…a-".
      const long = await callOk<{ slug: string }>(base, 'POST', '/v1/campaigns', key, { name: `${'a'.repeat(59)} b`, channel: 'email' });
      expect(long.slug).toBe(`${'a'.repeat(59)}-b`);

      // 2. The send gate: a letter needs line 1, postal code and city (recipientAddress), not an addressee name.
      const letters = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Lettre', channel: 'mail' });
      const gate = await callOk<{ allowed: number; refused: number; results: { status: string; reason?: string }[] }>(base, 'POST', `/v1/campaigns/${letters.id}/sends`, key, {
        recipients: [
          { address: { line1: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' } },
          { address: { name: 'Ana', line1: '2 rue de la Paix', postalCode: '75002', country: 'FR' } },
        ],
      });
      expect(gate.results.map((r) => [r.status, r.reason])).toEqual([['allowed', undefined], ['refused', 'invalid_recipient']]);
      expect([gate.allowed, gate.refused]).toEqual([1, 1]);

      // 3. The budget card in the CLI, for a yen account (no minor unit): a monthly budget of 5000 yen. The CLI divided
      // every amount by 100 ("50.00 JPY").
      await callOk(base, 'PUT', '/v1/budget/settings', key, { monthlyBudget: 5000 });
      await server.stop();
      server = undefined;
      const card = await runCli(['budget', '--account', accountId], env);
      expect(card).toContain('total          5000 JPY (monthly budget 5000 JPY)');
      expect(card).toContain('remaining      5000 JPY');
    } finally {
      await server?.stop();
      await db.drop();
    }
  }, 120_000);
});
