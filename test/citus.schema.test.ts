// The schema stays ready to be distributed by account (Citus, docs/SCALING.md): every table that holds an account's
// rows has account_id first in its primary key and in every unique key, and each of its foreign keys either carries
// account_id or points to a table shared by all accounts (a reference table). The tables that do not hold an account's
// rows are listed below, each with its reason; a new table is an account's unless it is added here (and to the doc).
// Read from PostgreSQL's catalogue (pg_constraint, pg_index, information_schema) and SQLite's pragmas.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../src/store/db';
import { dropPgSchema, forEachEngine, PG_URL, type Engine } from './support';

/** Tables that hold no account's rows, how Citus would hold them, and why. */
const SHARED_TABLES: Record<string, { citus: 'reference' | 'distributed by token' | 'coordinator'; why: string }> = {
  users: { citus: 'reference', why: 'a person logs in once, whatever accounts they are a member of (memberships carry the account)' },
  sessions: {
    citus: 'reference',
    why: 'found by the cookie\'s hash before any account is known; its account_id is the account it opens now, which a switch changes (a distribution column cannot change)',
  },
  tracking_tokens: { citus: 'distributed by token', why: 'a redirect knows only the token: it maps the token to its account and nothing more' },
  job_runs: { citus: 'coordinator', why: 'the runs of periodic jobs, claimed by the nodes' },
  login_attempts: { citus: 'coordinator', why: 'login rate limits by hashed address or e-mail, before any account is known' },
  kysely_migration: { citus: 'coordinator', why: 'the migrator\'s record' },
  kysely_migration_lock: { citus: 'coordinator', why: 'the migrator\'s lock' },
};
/** The tenants themselves: distributed by their id, co-located with every account table. */
const ACCOUNTS = 'accounts';

interface Key { table: string; name: string; columns: string[] }
interface ForeignKey extends Key { references: string; referencedColumns: string[] }
interface Catalogue {
  tables: Map<string, { columns: Map<string, { notNull: boolean }> }>;
  primaryKeys: Key[];
  uniqueKeys: Key[];
  foreignKeys: ForeignKey[];
}

async function pgCatalogue(schema: string): Promise<Catalogue> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const cols = await c.query<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT c.table_name, c.column_name, c.is_nullable FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
       WHERE c.table_schema = $1`, [schema]);
    const tables: Catalogue['tables'] = new Map();
    for (const r of cols.rows) {
      if (!tables.has(r.table_name)) tables.set(r.table_name, { columns: new Map() });
      tables.get(r.table_name)!.columns.set(r.column_name, { notNull: r.is_nullable === 'NO' });
    }
    // Primary keys and foreign keys from pg_constraint, columns in key order.
    const cons = await c.query<{ tbl: string; name: string; type: string; cols: string[]; ref: string | null; refcols: string[] | null }>(
      `SELECT cl.relname AS tbl, k.conname AS name, k.contype AS type,
              ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS cols,
              rc.relname AS ref,
              ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS refcols
       FROM pg_constraint k JOIN pg_class cl ON cl.oid = k.conrelid LEFT JOIN pg_class rc ON rc.oid = k.confrelid
       WHERE k.connamespace = $1::regnamespace AND k.contype IN ('p', 'f')`, [schema]);
    // Unique keys from pg_index: unique constraints and unique indexes alike (a unique index is a unique key to Citus).
    const uniq = await c.query<{ tbl: string; name: string; cols: string[] }>(
      `SELECT t.relname AS tbl, i.relname AS name,
              ARRAY(SELECT pg_get_indexdef(x.indexrelid, k + 1, true) FROM generate_subscripts(x.indkey, 1) k ORDER BY k)::text[] AS cols
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       WHERE t.relnamespace = $1::regnamespace AND x.indisunique AND NOT x.indisprimary`, [schema]);
    return {
      tables,
      primaryKeys: cons.rows.filter((r) => r.type === 'p').map((r) => ({ table: r.tbl, name: r.name, columns: r.cols })),
      foreignKeys: cons.rows.filter((r) => r.type === 'f').map((r) => ({ table: r.tbl, name: r.name, columns: r.cols, references: r.ref!, referencedColumns: r.refcols! })),
      uniqueKeys: uniq.rows.map((r) => ({ table: r.tbl, name: r.name, columns: r.cols.map((x) => x.replace(/^"|"$/g, '')) })),
    };
  } finally {
    await c.end();
  }
}

function sqliteCatalogue(file: string): Catalogue {
  const d = new Database(file, { readonly: true });
  try {
    const names = (d.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]).map((r) => r.name);
    const out: Catalogue = { tables: new Map(), primaryKeys: [], uniqueKeys: [], foreignKeys: [] };
    for (const t of names) {
      const info = d.prepare(`PRAGMA table_info("${t}")`).all() as { name: string; notnull: number; pk: number }[];
      out.tables.set(t, { columns: new Map(info.map((c) => [c.name, { notNull: c.notnull === 1 || c.pk > 0 }])) });
      const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      if (pk.length) out.primaryKeys.push({ table: t, name: `${t} primary key`, columns: pk });
      for (const ix of d.prepare(`PRAGMA index_list("${t}")`).all() as { name: string; unique: number; origin: string }[]) {
        if (!ix.unique || ix.origin === 'pk') continue;
        const cols = (d.prepare(`PRAGMA index_info("${ix.name}")`).all() as { seqno: number; name: string }[]).sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
        out.uniqueKeys.push({ table: t, name: ix.name, columns: cols });
      }
      const fks = d.prepare(`PRAGMA foreign_key_list("${t}")`).all() as { id: number; seq: number; table: string; from: string; to: string }[];
      for (const id of new Set(fks.map((f) => f.id))) {
        const parts = fks.filter((f) => f.id === id).sort((a, b) => a.seq - b.seq);
        out.foreignKeys.push({ table: t, name: `${t} foreign key ${id}`, columns: parts.map((p) => p.from), references: parts[0].table, referencedColumns: parts.map((p) => p.to) });
      }
    }
    return out;
  } finally {
    d.close();
  }
}

/** Every way the catalogue breaks the rule, in words (empty when the schema is ready). */
function problems(cat: Catalogue): string[] {
  const out: string[] = [];
  const accountTables = [...cat.tables.keys()].filter((t) => !(t in SHARED_TABLES) && t !== ACCOUNTS);
  const tenantColumn = (t: string) => (t === ACCOUNTS ? 'id' : 'account_id');
  for (const t of accountTables) {
    const col = cat.tables.get(t)!.columns.get('account_id');
    if (!col) out.push(`${t} has no account_id column (add one, or list the table in SHARED_TABLES with its reason)`);
    else if (!col.notNull) out.push(`${t}.account_id may be null`);
  }
  for (const t of [...accountTables, ACCOUNTS]) {
    const pk = cat.primaryKeys.find((k) => k.table === t);
    if (!pk) out.push(`${t} has no primary key`);
    else if (pk.columns[0] !== tenantColumn(t)) out.push(`${t}'s primary key (${pk.columns.join(', ')}) does not begin with ${tenantColumn(t)}`);
    for (const u of cat.uniqueKeys.filter((k) => k.table === t)) {
      if (u.columns[0] !== tenantColumn(t)) out.push(`${t}'s unique key ${u.name} (${u.columns.join(', ')}) does not begin with ${tenantColumn(t)}`);
    }
    for (const f of cat.foreignKeys.filter((k) => k.table === t)) {
      const shared = SHARED_TABLES[f.references];
      if (shared?.citus === 'reference') continue; // a distributed table may point to a reference table
      const at = f.columns.indexOf('account_id');
      const ok = at >= 0 && f.referencedColumns[at] === tenantColumn(f.references) && (f.references === ACCOUNTS || !(f.references in SHARED_TABLES));
      if (!ok) out.push(`${t}'s foreign key ${f.name} (${f.columns.join(', ')}) → ${f.references}(${f.referencedColumns.join(', ')}) does not carry account_id to an account table`);
    }
  }
  // A shared table must not point to an account's rows (it would not be co-located with them).
  for (const f of cat.foreignKeys.filter((k) => k.table in SHARED_TABLES)) {
    if (!(f.references in SHARED_TABLES)) out.push(`shared table ${f.table} points to the account table ${f.references} (${f.name})`);
  }
  return out;
}

forEachEngine('a schema ready to be distributed by account', (engine: Engine) => {
  it('keys every account table by account_id first, and lists every other table with its reason', async () => {
    let cat: Catalogue;
    if (engine === 'postgres') {
      const schema = `citus_${randomBytes(5).toString('hex')}`;
      const db = await openDatabase(PG_URL, { schema, poolSize: 2 });
      try {
        await migrateToLatest(db);
        cat = await pgCatalogue(schema);
      } finally {
        await db.close();
        await dropPgSchema(schema);
      }
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'mesure-citus-'));
      try {
        const db = await openDatabase(`file:${join(dir, 'm.db')}`);
        await migrateToLatest(db);
        await db.close();
        cat = sqliteCatalogue(join(dir, 'm.db'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // The catalogue was read at all: the core account tables and their keys are there.
    expect(cat.tables.has('messages') && cat.tables.has('events') && cat.tables.has('users')).toBe(true);
    expect(cat.primaryKeys.find((k) => k.table === 'messages')?.columns).toEqual(['account_id', 'id']);
    expect(cat.foreignKeys.some((f) => f.table === 'memberships' && f.references === 'users')).toBe(true);
    expect(problems(cat)).toEqual([]);
    // Every listed shared table exists (a renamed or dropped one leaves the list).
    expect(Object.keys(SHARED_TABLES).filter((t) => !cat.tables.has(t))).toEqual([]);
  });
});

it('flags the ways a table breaks the rule (the check itself can fail)', () => {
  const cols = (...names: string[]) => ({ columns: new Map(names.map((n) => [n, { notNull: true }])) });
  const cat: Catalogue = {
    tables: new Map([
      ['accounts', cols('id')], ['users', cols('id')], ['notes', cols('id', 'text')], ['visits', cols('account_id', 'id', 'note_id')],
      ...Object.keys(SHARED_TABLES).filter((t) => t !== 'users').map((t) => [t, cols('id')] as const),
    ]),
    primaryKeys: [
      { table: 'accounts', name: 'a', columns: ['id'] }, { table: 'notes', name: 'n', columns: ['id'] }, { table: 'visits', name: 'v', columns: ['id', 'account_id'] },
    ],
    uniqueKeys: [{ table: 'visits', name: 'visits_by_note', columns: ['note_id'] }],
    foreignKeys: [
      { table: 'visits', name: 'visits_note', columns: ['note_id'], references: 'notes', referencedColumns: ['id'] },
      { table: 'visits', name: 'visits_user', columns: ['note_id'], references: 'users', referencedColumns: ['id'] },
      { table: 'visits', name: 'visits_account', columns: ['account_id'], references: 'accounts', referencedColumns: ['id'] },
    ],
  };
  expect(problems(cat)).toEqual([
    'notes has no account_id column (add one, or list the table in SHARED_TABLES with its reason)',
    'notes\'s primary key (id) does not begin with account_id',
    'visits\'s primary key (id, account_id) does not begin with account_id',
    'visits\'s unique key visits_by_note (note_id) does not begin with account_id',
    'visits\'s foreign key visits_note (note_id) → notes(id) does not carry account_id to an account table',
  ]);
});

it('docs/SCALING.md names every shared table and how Citus holds it', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'SCALING.md'), 'utf8');
  for (const [t, s] of Object.entries(SHARED_TABLES)) expect(doc, t).toMatch(new RegExp(`\`${t}\`[^\\n]*${s.citus}`));
});
