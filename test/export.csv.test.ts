// The campaign CSV export (GET /v1/campaigns/{id}/export.csv, rows read as arrays and formatted without an object per
// row) writes the same bytes as the implementation before it (bench/export-reference.ts: every message through
// toRecipient, every field through csvField), on SQLite and PostgreSQL, through a listening `mesure serve`: a letter
// campaign whose addresses, variants and failure codes hold commas, quotes, line breaks and formula prefixes, and an
// e-mail campaign of 2,600 messages across six statuses (more than the SQLite export's first page of 100 and its pages of
// 2,000, each status a range of its own to merge).
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { forEachEngine, PG_URL } from './support';
import type { DB } from '../src/store/schema';
import { referenceCampaignCsv } from '../bench/export-reference';
import { call, callOk, createAccountWithCli, startServerProcess, type ServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';

// As the server maps them (src/store/db.ts): int8 and numeric as numbers.
const numbers = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 || oid === 1700 ? Number : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) };

const TRICKY = ['=SUM(A1:A9)', 'a,b', 'say "hi"', 'two\nlines', '-5', '+33', '@cmd', '\tTab', 'cr\rhere', 'plain'];

forEachEngine('campaign CSV export: the same bytes as before, faster', (engine) => {
  it('equals the reference export on tricky text and across pages and statuses', async () => {
    const { env, drop } = databaseEnv(engine);
    let server: ServerProcess | undefined;
    let db: Kysely<DB> | undefined;
    try {
      const { accountId, key } = await createAccountWithCli(env, 'Export shop');
      db =
        engine === 'sqlite'
          ? new Kysely<DB>({ dialect: new SqliteDialect({ database: new Database(env.DATABASE_URL.replace(/^file:/, '')) }) })
          : new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${env.MESURE_PG_SCHEMA}`, max: 2, types: numbers }) }) });
      server = await startServerProcess(env);
      const base = server.url;
      const at = (min: number) => new Date(Date.parse('2026-11-20T08:00:00Z') + min * 60_000).toISOString();

      // Letters: the recipient is the address as text, so commas and line breaks reach the CSV.
      const mail = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Lettres, "spéciales"', channel: 'mail' });
      const letters = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${mail.id}/messages`, key, {
        messages: TRICKY.map((t, i) => ({
          recipient: { address: { name: `${t} Dupont`, line1: `${i + 1}, rue "des" Lilas`, line2: i % 2 ? 'Bât. B\nEsc. 3' : undefined, postalCode: '75011', city: 'Paris', country: 'FR' } },
          variant: t,
          ...(i % 3 === 0 ? { notSentReason: 'duplicate' } : {}),
        })),
      });
      const l = letters.messages.sort((a, b) => a.index - b.index).map((m) => m.messageId);
      await callOk(base, 'POST', '/v1/events', key, {
        events: [
          { type: 'sent', at: at(0), messageId: l[1], costMinor: 95 },
          { type: 'failed', at: at(1), messageId: l[2], failureCode: TRICKY[2], failureReason: 'invalid_recipient' },
          { type: 'failed', at: at(1), messageId: l[4], failureCode: TRICKY[0] },
          { type: 'sent', at: at(2), messageId: l[5] },
          { type: 'failed', at: at(3), messageId: l[5], failureCode: TRICKY[3] },
          { type: 'scanned', at: at(4), messageId: l[7] },
          { type: 'sent', at: at(2), messageId: l[8] },
          { type: 'unsubscribed', at: at(9), messageId: l[8] },
        ],
      });

      // E-mail: 2,600 messages; by position, sent (i % 6 ≥ 1), delivered (≥ 2), opened (≥ 3), clicked (= 4), bounced (= 5).
      const email = await callOk<{ id: string }>(base, 'POST', '/v1/campaigns', key, { name: 'Newsletter', channel: 'email' });
      const reg = await callOk<{ messages: { index: number; messageId: string }[] }>(base, 'POST', `/v1/campaigns/${email.id}/messages`, key, {
        messages: Array.from({ length: 2600 }, (_, i) => ({ recipient: { email: `r${i}@example.org` }, ...(i % 7 === 0 ? { variant: i % 2 ? 'A' : 'B' } : {}) })),
      });
      const e = reg.messages.sort((a, b) => a.index - b.index).map((m) => m.messageId);
      const events = e.flatMap((id, i) => {
        const k = i % 6;
        const out: Record<string, unknown>[] = [];
        if (k >= 1) out.push({ type: 'sent', at: at(10 + (i % 50)), messageId: id, costMinor: i % 11 });
        if (k >= 2 && k !== 5) out.push({ type: 'delivered', at: at(70), messageId: id });
        if (k === 3 || k === 4) out.push({ type: 'opened', at: at(80 + (i % 9)), messageId: id });
        if (k === 4) out.push({ type: 'clicked', at: at(90), messageId: id, url: 'https://shop.example/a' });
        if (k === 5) out.push({ type: 'bounced', at: at(71), messageId: id, bounceType: i % 2 ? 'hard' : 'soft', failureCode: '5.1.1' });
        return out;
      });
      for (let i = 0; i < events.length; i += 5000) await callOk(base, 'POST', '/v1/events', key, { events: events.slice(i, i + 5000) });

      for (const c of [mail.id, email.id]) {
        const got = await call(base, 'GET', `/v1/campaigns/${c}/export.csv`, key);
        expect(got.status).toBe(200);
        const reference = await referenceCampaignCsv(db, accountId, c);
        expect(got.body).toBe(reference);
      }
      // The checks saw what they were meant to: quoted and neutralised fields, and every message of the large campaign.
      const letterCsv = (await call(base, 'GET', `/v1/campaigns/${mail.id}/export.csv`, key)).body as string;
      expect(letterCsv).toContain(",'=SUM(A1:A9),"); // the variant neutralised with a quote (nothing to quote)
      expect(letterCsv).toContain('"say ""hi"""');
      expect(letterCsv).toContain("'-5");
      const emailCsv = (await call(base, 'GET', `/v1/campaigns/${email.id}/export.csv`, key)).body as string;
      expect(emailCsv.trimEnd().split('\n').length).toBe(2601); // header + 2,600 (no e-mail field holds a line break)
      expect(new Set(emailCsv.split('\n').slice(1, -1).map((line) => line.split(',')[2]))).toEqual(new Set(['pending', 'sent', 'delivered', 'opened', 'clicked', 'bounced']));
    } finally {
      await server?.stop();
      await db?.destroy();
      await drop();
    }
  }, 180_000);
});
