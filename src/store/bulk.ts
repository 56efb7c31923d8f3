// Bulk writes on PostgreSQL: a batch of rows travels as one JSON parameter that the server turns into rows of the
// table's own type (json_populate_recordset), so a thousand rows cost one statement, one parameter and one parse,
// where a multi-row VALUES list costs a parameter per cell and an UPDATE per row costs a round trip per row.
// Types are the table's: a fraction in a bigint column is refused here as before ("invalid input syntax for type
// bigint"), so times and money must be whole where they are computed (domain/bounds.ts instantProblem).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './schema';

type Handle = Kysely<DB> | Transaction<DB>;
type Row = Record<string, unknown>;

/** Rows per statement: a few MB of JSON at most (a message row is under 1 KB). */
const ROWS_PER_STATEMENT = 2000;

/**
 * Rows grouped by the columns they define, in first-seen order: a column a row leaves undefined takes its default, as
 * in Kysely's inserts, rather than the null json_populate_recordset would give it.
 */
function byShape(rows: Row[]): { columns: string[]; rows: Row[] }[] {
  const groups = new Map<string, { columns: string[]; rows: Row[] }>();
  for (const row of rows) {
    const columns = Object.keys(row).filter((c) => row[c] !== undefined);
    const key = columns.join(',');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { columns, rows: [] }));
    g.rows.push(row);
  }
  return [...groups.values()];
}

function* chunks(rows: Row[]): Generator<Row[]> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) yield rows.slice(i, i + ROWS_PER_STATEMENT);
}

/**
 * Inserts rows into `table` (PostgreSQL), a statement per shape and per 2,000 rows. With `onConflictDoNothing` (the
 * columns of a unique key), rows already stored are skipped; `returning` names a column whose values are returned for
 * the rows inserted.
 */
export async function insertRowsPg<T extends keyof DB & string>(
  h: Handle,
  table: T,
  rows: readonly DB[T][],
  opts: { onConflictDoNothing?: (keyof DB[T] & string)[]; returning?: keyof DB[T] & string } = {},
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const group of byShape(rows as unknown as Row[])) {
    const cols = sql.join(group.columns.map((c) => sql.ref(c)));
    for (const part of chunks(group.rows)) {
      const json = JSON.stringify(part);
      const conflict = opts.onConflictDoNothing
        ? sql` on conflict (${sql.join(opts.onConflictDoNothing.map((c) => sql.ref(c)))}) do nothing`
        : sql``;
      const returning = opts.returning ? sql` returning ${sql.ref(opts.returning)}` : sql``;
      const res = await sql<Row>`insert into ${sql.table(table)} (${cols})
        select ${cols} from json_populate_recordset(null::${sql.table(table)}, ${json}::json)${conflict}${returning}`.execute(h);
      if (opts.returning) for (const r of res.rows) out.push(r[opts.returning]);
    }
  }
  return out;
}

/**
 * Sets `columns` of each row of `table` named by its `key` columns to the row's values (PostgreSQL): one statement per
 * 2,000 rows. Each row names one table row (no two with the same key in a call).
 */
export async function updateRowsPg<T extends keyof DB & string>(
  h: Handle,
  table: T,
  key: readonly (keyof DB[T] & string)[],
  columns: readonly (keyof DB[T] & string)[],
  rows: readonly Partial<DB[T]>[],
): Promise<void> {
  if (rows.length === 0 || columns.length === 0) return;
  const set = sql.join(columns.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`));
  const match = sql.join(key.map((c) => sql`t.${sql.ref(c)} = v.${sql.ref(c)}`), sql` and `);
  const wanted = [...key, ...columns];
  for (const part of chunks(rows as unknown as Row[])) {
    // Only the key and the columns set travel (a message row holds 40 columns; an event changes a few).
    const json = JSON.stringify(part.map((r) => Object.fromEntries(wanted.map((c) => [c, r[c] ?? null]))));
    await sql`update ${sql.table(table)} as t set ${set}
      from json_populate_recordset(null::${sql.table(table)}, ${json}::json) as v where ${match}`.execute(h);
  }
}
