// `mesure demo` as a user runs it, on a fresh SQLite file and a fresh PostgreSQL schema, with the same seed and the
// same --now: both engines must load the whole demo (issue #20: PostgreSQL stopped at 46 % on a fractional time) and
// `mesure serve` must then show the same figures on both, by value: the overview and every campaign's page.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, ROOT, startServerProcess } from '../bench/support';
import { databaseEnv } from './blackbox/seed-support';
import { postgresReachable, type Engine } from './support';

// 5,000 messages (the demo makes 50,000 at scale 1) over ten campaigns of the four channels, with their orders.
const SCALE = '0.1';
const NOW = '2026-12-07T09:00:00.000Z';
const PERIOD = 'from=2026-08-01&to=2026-12-07';

interface Loaded {
  /** stdout and stderr of `mesure demo`. */
  stdout: string;
  stderr: string;
  /** What the API answers, with each campaign id replaced by its campaign's name (ids are random per database). */
  overview: unknown;
  campaigns: Record<string, unknown>;
  /** SQLite only: integer columns holding a value that is not an integer (typeof real or text). */
  notIntegers?: string[];
}

function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/mesure.js'), 'demo', '--scale', SCALE, '--seed', '42', '--now', NOW], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => ok({ code, stdout, stderr }));
  });
}

/**
 * Every campaign id in `x` replaced by `<name>` (the two databases draw different ids for the same campaigns), less
 * when each row was written (`createdAt`, `updatedAt`: the clock of the load, not a figure).
 */
function byName(x: unknown, names: Map<string, string>): unknown {
  let text = JSON.stringify(x, (k, v) => (k === 'createdAt' || k === 'updatedAt' ? undefined : v));
  for (const [id, name] of names) text = text.split(id).join(`<${name}>`);
  return JSON.parse(text);
}

async function load(engine: Engine): Promise<Loaded> {
  const { env, drop } = databaseEnv(engine);
  try {
    const demo = await runDemo(env);
    if (demo.code !== 0) throw new Error(`mesure demo on ${engine} exited with ${demo.code}: ${demo.stderr.slice(-2000)}`);
    const key = /^api key (\S+)$/m.exec(demo.stdout)?.[1];
    if (!key) throw new Error(`no api key in the output of mesure demo: ${demo.stdout}`);
    let notIntegers: string[] | undefined;
    if (engine === 'sqlite') {
      // SQLite keeps a fraction written to a bigint column as a real (what hid issue #20): none may be left.
      const db = new Database(env.DATABASE_URL.replace(/^file:/, ''), { readonly: true });
      try {
        notIntegers = [];
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
        for (const t of tables) {
          for (const c of db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(t) as { name: string; type: string }[]) {
            if (!/int/i.test(c.type)) continue;
            const n = db.prepare(`SELECT count(*) FROM "${t}" WHERE typeof("${c.name}") NOT IN ('integer', 'null')`).pluck().get() as number;
            if (n > 0) notIntegers.push(`${t}.${c.name}: ${n}`);
          }
        }
      } finally {
        db.close();
      }
    }
    const server = await startServerProcess(env, 90_000);
    try {
      const list = await callOk<{ items: { id: string; name: string }[] }>(server.url, 'GET', '/v1/campaigns?limit=100', key);
      const names = new Map(list.items.map((c) => [c.id, c.name]));
      const campaigns: Record<string, unknown> = {};
      for (const c of list.items) campaigns[c.name] = byName(await callOk(server.url, 'GET', `/v1/campaigns/${c.id}`, key), names);
      const overview = byName(await callOk(server.url, 'GET', `/v1/overview?${PERIOD}`, key), names);
      return { stdout: demo.stdout, stderr: demo.stderr, overview, campaigns, notIntegers };
    } finally {
      await server.stop();
    }
  } finally {
    await drop();
  }
}

describe('mesure demo on SQLite and PostgreSQL', async () => {
  const pgOk = await postgresReachable();
  const loaded: Partial<Record<Engine, Loaded>> = {};
  beforeAll(async () => {
    // One after the other: the machine has two cores, and each load uses one fully.
    loaded.sqlite = await load('sqlite');
    if (pgOk) loaded.postgres = await load('postgres');
  }, 240_000);
  afterAll(() => undefined);

  it('loads the whole demo, with progress and a summary', () => {
    for (const l of Object.values(loaded)) {
      // Ten campaigns; 5,080 messages (50,000 × 0.1, and the 8 regular customers in each of the 10 campaigns, whatever
      // the scale): the summary line says so.
      expect(l.stdout).toMatch(/^account acc_\S+: 10 campaigns, 5,080 messages, [\d,]+ events, [1-9][\d,]* orders in [\d.]+ s \([\d,]+ messages\/s\)$/m);
      expect(l.stderr).toMatch(/demo 100 % \(5,000 \/ 5,000\)/);
      expect(l.stderr).toMatch(/orders/);
    }
  });

  it('stores every time and amount as an integer (SQLite would keep a fraction as a real)', () => {
    expect(loaded.sqlite!.notIntegers).toEqual([]);
  });

  (pgOk ? it : it.skip)('shows the same figures on PostgreSQL as on SQLite, for the overview and each campaign', () => {
    const [s, p] = [loaded.sqlite!, loaded.postgres!];
    expect(Object.keys(p.campaigns).sort()).toEqual(Object.keys(s.campaigns).sort());
    expect(Object.keys(s.campaigns)).toHaveLength(10);
    // Figures that are alive, not ten empty pages equal on both: messages sent and revenue attributed.
    expect(JSON.stringify(s.overview)).toMatch(/"sent":[1-9]/);
    for (const name of Object.keys(s.campaigns)) expect(p.campaigns[name], name).toEqual(s.campaigns[name]);
    expect(p.overview).toEqual(s.overview);
  });
});
