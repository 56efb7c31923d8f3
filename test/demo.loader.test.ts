// The demo loader (issue #20): `generateDemo` streams each campaign in chunks of recipients, each chunk registered
// with its events in one transaction (`Ingestor.registerWithEvents`). It must store exactly what the former path
// stored — the whole campaign drawn at once, registered in slices of 5,000, then its events ingested in slices of
// 10,000 — in every table: messages, events, contacts, every rollup (campaign_days, campaign_variant_counts,
// campaign_link_clicks, campaign_flagged, campaign_not_sent, the contacts' and the attribution's), orders and credits;
// and the API must serve the same figures for both. Both loads go into one database per engine, as two accounts, from
// the same seed and clock; then every table with an account_id is compared account against account, ids replaced by
// what they name (campaigns by name, messages by provider id) and the clock of the load (when rows were written) left
// out, and the overview and every campaign's page are read over HTTP from a listening server.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemo, type DemoChunk } from '../src/demo/generate';
import { forEachEngine, makeMesure, type Engine, type TestMesure } from './support';

const NOW = Date.parse('2026-12-07T09:00:00.000Z');
const PERIOD = 'from=2026-08-01&to=2026-12-07';
// 500 campaign messages (50,000 × 0.01; the largest campaign 120) plus the regular customers, with their orders.
const SCALE = 0.01;

/** Columns that hold when a row was written (the load's own clock, not the demo's): not part of what was loaded. */
const CLOCK_COLUMNS = new Set(['created_at', 'updated_at', 'received_at', 'applied_at', 'computed_at', 'last_used_at', 'expires_at']);

async function accountTables(m: TestMesure): Promise<string[]> {
  if (m.db.kind === 'sqlite') {
    return m.db.sqlite!
      .prepare("SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'account_id') ORDER BY 1")
      .pluck()
      .all() as string[];
  }
  const res = await sql<{ table_name: string }>`select table_name from information_schema.columns
    where table_schema = current_schema() and column_name = 'account_id' order by 1`.execute(m.db.kysely);
  return res.rows.map((r) => r.table_name);
}

/**
 * Every row of `accountId` in every table with an account_id, as sorted JSON lines per table: the account's id, its
 * campaigns' ids (by name) and its messages' ids (by provider id, else recipient) replaced by what they name, other
 * generated ids (contacts, orders, keys…) by their prefix, and numeric surrogate keys and the clock columns left out.
 */
async function snapshot(m: TestMesure, accountId: string): Promise<Record<string, string[]>> {
  const names = new Map<string, string>([[accountId, '<account>']]);
  const campaigns = await m.db.kysely.selectFrom('campaigns').select(['id', 'name']).where('account_id', '=', accountId).execute();
  for (const c of campaigns) names.set(c.id, `<campaign ${c.name}>`);
  const messages = await m.db.kysely.selectFrom('messages').select(['id', 'campaign_id', 'provider_message_id', 'recipient']).where('account_id', '=', accountId).execute();
  for (const msg of messages) {
    // A provider id holds its campaign's id (`whatsapp-<campaign>-<i>`): named by the campaign's name with its index.
    const pmid = msg.provider_message_id ? msg.provider_message_id.replace(msg.campaign_id, names.get(msg.campaign_id)!) : null;
    names.set(msg.id, `<message ${pmid ?? `${names.get(msg.campaign_id)} ${msg.recipient}`}>`);
  }
  const idPattern = /\b([a-z]{1,8}_?)0[0-9a-z]{8}[0-9a-f]{16}\b|\bacc_[0-9a-f]{16}\b/g;
  const rename = (v: string) => {
    let out = v;
    for (const [id, name] of names) if (out.includes(id)) out = out.split(id).join(name);
    return out.replace(idPattern, (_, prefix: string | undefined) => `<${prefix ?? 'acc_'}id>`);
  };
  const out: Record<string, string[]> = {};
  for (const table of await accountTables(m)) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} where account_id = ${accountId}`.execute(m.db.kysely)).rows;
    out[table] = rows
      .map((r) => {
        const kept: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) {
          if (CLOCK_COLUMNS.has(k) || ((k === 'id' || k === 'seq') && typeof v !== 'string')) continue;
          kept[k] = typeof v === 'string' ? rename(v) : typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString() : v;
        }
        return JSON.stringify(kept, Object.keys(kept).sort());
      })
      .sort();
  }
  return out;
}

/** The overview and each campaign's page, read over HTTP with the account's key, campaign ids replaced by names. */
async function figures(base: string, key: string): Promise<unknown> {
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status, path).toBe(200);
    return res.json() as Promise<unknown>;
  };
  const list = (await get('/v1/campaigns?limit=100')) as { items: { id: string; name: string }[] };
  const names = new Map(list.items.map((c) => [c.id, c.name]));
  const read: Record<string, unknown> = { overview: await get(`/v1/overview?${PERIOD}`), campaigns: list.items };
  for (const c of list.items) {
    read[`campaign ${c.name}`] = await get(`/v1/campaigns/${c.id}`);
    read[`lift ${c.name}`] = await get(`/v1/campaigns/${c.id}/lift`);
    read[`recipients ${c.name}`] = await get(`/v1/campaigns/${c.id}/recipients?limit=20`);
  }
  let text = JSON.stringify(read, (k, v) => (k === 'createdAt' || k === 'updatedAt' ? undefined : v));
  for (const [id, name] of names) text = text.split(id).join(`<${name}>`);
  return JSON.parse(text.replace(/\b([a-z]{1,8}_?)0[0-9a-z]{8}[0-9a-f]{16}\b/g, '<$1id>'));
}

forEachEngine('the streaming demo loader stores what the former path stored', (engine: Engine) => {
  let m: TestMesure;
  let base: string;
  const loaded: { chunked?: { accountId: string; apiKey: string; events: number }; former?: { accountId: string; apiKey: string; events: number } } = {};

  beforeAll(async () => {
    m = await makeMesure(engine);
    // Chunks of 37 recipients: every campaign spans several, and chunk boundaries fall anywhere in the draws.
    loaded.chunked = await generateDemo(m.deps, { now: NOW, seed: 42, scale: SCALE, chunk: 37 });
    // The former path, as generateDemo ran it before the loader: the whole campaign drawn in one piece, registered in
    // slices of 5,000 (each a transaction), then its events ingested in slices of 10,000.
    loaded.former = await generateDemo(m.deps, {
      now: NOW, seed: 42, scale: SCALE, chunk: Number.MAX_SAFE_INTEGER,
      load: async (accountId, campaignId, { items, events }: DemoChunk) => {
        for (let i = 0; i < items.length; i += 5000) {
          const res = await m.deps.ingestor.register(accountId, campaignId, items.slice(i, i + 5000));
          if (!res.ok) throw new Error(res.message);
        }
        for (let i = 0; i < events.length; i += 10_000) {
          const res = await m.deps.ingestor.ingest(accountId, events.slice(i, i + 10_000));
          if (!res.ok) throw new Error(res.message);
        }
      },
    });
    base = await m.app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => m?.cleanup());

  it('loads the same demo both ways: the same number of events, and figures that are alive', () => {
    expect(loaded.chunked!.events).toBe(loaded.former!.events);
    expect(loaded.chunked!.events).toBeGreaterThan(1000);
  });

  it('stores the same rows in every table of the account, rollups included', async () => {
    const [chunked, former] = [await snapshot(m, loaded.chunked!.accountId), await snapshot(m, loaded.former!.accountId)];
    expect(Object.keys(chunked)).toEqual(Object.keys(former));
    for (const table of ['messages', 'events', 'campaign_days', 'campaign_link_clicks', 'campaign_flagged', 'campaign_not_sent', 'contacts', 'orders']) {
      expect(chunked[table]?.length ?? 0, `${table} has rows`).toBeGreaterThan(0);
    }
    // Every table but the demo's API key, a fresh secret at each load (one key each way, owner).
    const differ = Object.keys(former).filter((t) => t !== 'api_keys' && JSON.stringify(chunked[t]) !== JSON.stringify(former[t]));
    for (const table of differ) expect(chunked[table], table).toEqual(former[table]);
    expect(differ).toEqual([]);
    expect(chunked.api_keys).toHaveLength(1);
    expect(former.api_keys).toHaveLength(1);
  });

  it('serves the same figures over HTTP: the overview, every campaign page, its lift and first recipients', async () => {
    const [chunked, former] = [await figures(base, loaded.chunked!.apiKey), await figures(base, loaded.former!.apiKey)];
    expect(JSON.stringify(former)).toMatch(/"sent":[1-9]/);
    expect(chunked).toEqual(former);
  });
});
