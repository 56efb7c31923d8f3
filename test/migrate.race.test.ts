// Several Mesure schemas share one PostgreSQL database (tests do; so may a hosting set-up). Kysely's migrator lists
// the tables and columns of every schema before it runs anything, so a table dropped elsewhere at that moment used to
// fail a fresh start with "column … of relation … does not exist" (a CI run of hardening.bounds did). Here another
// client creates and drops schemas without pause while fresh schemas are migrated and up-to-date ones re-opened.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { migrations } from '../src/store/migrations';
import { migrateToLatest, openDatabase } from '../src/store/db';
import { dropPgSchema, forEachEngine, PG_URL, type Engine } from './support';

forEachEngine('migrations while other schemas change', (engine: Engine) => {
  it('migrates fresh schemas and re-opens migrated ones while another client creates and drops schemas', async () => {
    if (engine === 'sqlite') return; // one file, one database: nothing else can change under the migrator
    const ours = Array.from({ length: 4 }, () => `race_${randomBytes(5).toString('hex')}`);
    const churn = new pg.Client({ connectionString: PG_URL });
    await churn.connect();
    let stop = false;
    let cycles = 0;
    const columns = Array.from({ length: 40 }, (_, i) => `c${i} bigint`).join(', ');
    const churning = (async () => {
      while (!stop) {
        const s = `churn_${randomBytes(5).toString('hex')}`;
        await churn.query(`CREATE SCHEMA ${s}`);
        for (let t = 0; t < 5; t++) await churn.query(`CREATE TABLE ${s}.t${t} (id bigserial PRIMARY KEY, ${columns})`);
        await churn.query(`DROP SCHEMA ${s} CASCADE`);
        cycles++;
      }
    })();
    try {
      for (const schema of ours) {
        const db = await openDatabase(PG_URL, { schema, poolSize: 2 });
        try {
          // Every migration this build knows, applied once; a second call finds nothing to do.
          expect(await migrateToLatest(db)).toEqual(Object.keys(migrations).sort());
          expect(await migrateToLatest(db)).toEqual([]);
        } finally {
          await db.close();
        }
      }
    } finally {
      stop = true;
      await churning;
      await churn.end();
      for (const schema of ours) await dropPgSchema(schema);
    }
    // The churn really ran alongside (else this test proves nothing).
    expect(cycles).toBeGreaterThan(4);
  }, 180_000);
});
