// The `mesure` command: serve, migrate, accounts, keys, users, demo, export (and each area's commands: src/cli/areas.ts).
import { createWriteStream } from 'node:fs';
import { Command } from 'commander';
import { stringify } from 'csv-stringify';
import { ConfigError, loadConfig, MESURE_VERSION } from './config';
import { assemble, type Mesure } from './main';
import { fail, progressBar, withMesure } from './cli/shared';
import { compilePostgresMigrations, migrateToLatest, migrationState, openDatabase, refuseNewerDatabase, DatabaseError } from './store/db';
import { countAccounts } from './store/accounts';
import { DEMO_USER, generateDemo } from './demo/generate';
import { ROLES, type Role } from './services/accounts';
import { neutralizeCsvCell } from './http/csv';
import { AREA_COMMANDS } from './cli/areas';
import { holdForServing } from './cli/backup';

const program = new Command();
program
  .name('mesure')
  .description('Measure which marketing campaigns pay: messages, events, orders and figures.')
  .version(MESURE_VERSION, '-V, --version', "print Mesure's version");

program
  .command('serve')
  .description('Start the server (API, webhooks, tracking and dashboard). Migrates the database first.')
  .option('--no-migrate', 'refuse to start if the database is not migrated instead of migrating it')
  .action(async (opts: { migrate: boolean }) => {
    let config;
    try {
      config = loadConfig();
    } catch (err) {
      fail(err);
    }
    // The server lock first: a `mesure restore` must not swap the file under a server that is starting.
    const release = holdForServing(config);
    const m = await assemble(config, { migrate: opts.migrate, logger: process.env.MESURE_LOG === '1' }).catch(fail);
    if (config.demo && (await countAccounts(m.db.kysely)) === 0) {
      process.stderr.write('Empty database: generating demo data (set MESURE_DEMO=0 to start empty)…\n');
      const t0 = Date.now();
      const demo = await generateDemo(m.deps, { now: Date.now(), progress: progressBar('demo'), holdouts: {} });
      process.stderr.write(
        `Demo ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${demo.campaigns} campaigns, ${demo.messages.toLocaleString('en')} messages, ${demo.events.toLocaleString('en')} events, ${demo.orders.toLocaleString('en')} orders.\n` +
          `Demo API key (shown once; create more with \`mesure keys create\`): ${demo.apiKey}\n`,
      );
    }
    process.on('SIGINT', () => void shutdown(m, 'SIGINT', release));
    process.on('SIGTERM', () => void shutdown(m, 'SIGTERM', release));
    try {
      await m.app.listen({ port: config.http.port, host: config.http.host });
    } catch (err) {
      await m.close();
      fail(`cannot listen on ${config.http.host}:${config.http.port}: ${(err as Error).message}. Set PORT or HOST.`);
    }
    // Last resort, once serving: an exception nothing else caught is logged with its stack and the server carries on.
    // Safe here because every write is one transaction (a request that throws midway leaves nothing half-written) and
    // the state kept in memory (clicks waiting for their group commit, the ingestion worker's queue) is only ever
    // changed whole; exiting instead would drop those clicks and every request in flight. Known failures are handled
    // where they happen (fast paths answer 500, background rounds log and carry on); this catches what was missed.
    process.on('uncaughtException', (err, origin) => logUncaught(origin, err));
    process.on('unhandledRejection', (reason) => logUncaught('unhandledRejection', reason));
    const address = m.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const url = config.http.publicUrl.replace(/:\d+$/, `:${port}`);
    process.stdout.write(
      `Mesure is running at ${url}\n` +
        `  database: ${config.database.kind === 'sqlite' ? config.database.url.replace(/^file:/, '') : config.database.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}\n` +
        (config.demo ? `  demo login: ${DEMO_USER.email} / ${DEMO_USER.password}\n` : '') +
        `  API: ${url}/openapi.json\n`,
    );
  });

let stopping = false;

/**
 * SIGTERM/SIGINT: stop accepting connections, answer the requests in flight, store what the ingestion writer holds, and
 * exit 0; past MESURE_SHUTDOWN_TIMEOUT_MS, exit 1 naming what was cut. A second signal while stopping changes nothing.
 */
async function shutdown(m: Mesure, signal: NodeJS.Signals, releaseLock: () => void): Promise<void> {
  if (stopping) return;
  stopping = true;
  const bound = m.config.shutdown.timeoutMs;
  const t0 = Date.now();
  process.stderr.write(`${signal}: stopping (no new connections; finishing requests in flight and the ingestion writer, at most ${bound} ms)…\n`);
  const timer = setTimeout(() => {
    // What is left, asked for briefly: the bound is a promise to whoever sent the signal.
    const asked = Promise.race([m.unfinished(), new Promise<string[]>((done) => setTimeout(() => done([]), 500))]);
    void asked.then((left) => {
      process.stderr.write(
        `Stopping took longer than MESURE_SHUTDOWN_TIMEOUT_MS (${bound} ms): exiting with what was not finished cut short:\n` +
          (left.length ? left : ['the last steps of closing (nothing acknowledged is lost)']).map((l) => `  - ${l}\n`).join('') +
          'Everything acknowledged before was committed; raise MESURE_SHUTDOWN_TIMEOUT_MS if this happens under normal load.\n',
      );
      process.exit(1);
    });
  }, bound);
  try {
    await m.close();
  } catch (err) {
    clearTimeout(timer);
    process.stderr.write(`Stopping failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  }
  clearTimeout(timer);
  releaseLock();
  process.stderr.write(`Stopped cleanly in ${Date.now() - t0} ms.\n`);
  process.exit(0);
}

function logUncaught(origin: string, err: unknown): void {
  process.stderr.write(`[${new Date().toISOString()}] ${origin}, the server carries on: ${(err as Error)?.stack ?? String(err)}\n`);
}

program
  .command('migrate')
  .description('Apply pending database migrations.')
  .option('--dry-run', 'list the pending migrations (and their SQL on PostgreSQL) and apply nothing')
  .action(async (opts: { dryRun?: boolean }) => {
    const config = (() => { try { return loadConfig(); } catch (e) { fail(e); } })();
    const db = await openDatabase(config.database.url, { schema: config.database.schema }).catch(fail);
    try {
      if (opts.dryRun) {
        const state = await migrationState(db);
        refuseNewerDatabase(state);
        process.stdout.write(await describePending(state.pending, db.kind));
        return;
      }
      const applied = await migrateToLatest(db);
      process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'The database is up to date.\n');
    } catch (err) {
      await db.close();
      fail(err);
    }
    await db.close();
  });

/** What `migrate --dry-run` prints: the pending migrations in the order they would run, with their SQL on PostgreSQL. */
async function describePending(pending: string[], kind: 'sqlite' | 'postgres'): Promise<string> {
  if (!pending.length) return `The database is up to date (Mesure ${MESURE_VERSION}); nothing would be applied.\n`;
  let out = `${pending.length} migration(s) would be applied, in this order (dry run: nothing was applied):\n${pending.map((n) => `  ${n}\n`).join('')}`;
  if (kind === 'sqlite') return `${out}(The SQL is printed on PostgreSQL only.)\n`;
  for (const m of await compilePostgresMigrations(pending)) {
    out += `\n-- ${m.name}\n${m.statements.join('\n')}\n`;
    if (m.note) out += `-- (not shown: ${m.note})\n`;
  }
  return out;
}

const accounts = program.command('accounts').description('Manage accounts (tenants).');
accounts
  .command('create')
  .description('Create an account and print its id and a first API key.')
  .requiredOption('--name <name>', 'shop name')
  .option('--currency <code>', 'ISO 4217 currency', 'EUR')
  .option('--time-zone <tz>', 'IANA time zone used to cut days', 'Europe/Paris')
  .option('--country <cc>', 'default country for national phone numbers (e.g. FR)')
  .action(async (o: { name: string; currency: string; timeZone: string; country?: string }) =>
    withMesure(async (m) => {
      const a = await m.deps.accounts.create({ name: o.name, currency: o.currency, timeZone: o.timeZone, defaultCountry: o.country }).catch(fail);
      const key = await m.deps.accounts.createKey(a.id, 'first key', 'owner');
      process.stdout.write(`account ${a.id}\napi key ${key.token}\n(The key is shown once; keep it safe.)\n`);
    }),
  );
accounts.command('list').description('List accounts.').action(async () =>
  withMesure(async (m) => {
    for (const a of await m.deps.accounts.list()) process.stdout.write(`${a.id}\t${a.name}\t${a.currency}\t${a.timeZone}\n`);
  }),
);

const keys = program.command('keys').description('Manage API keys.');
keys
  .command('create')
  .description('Create an API key for an account; the key is printed once.')
  .requiredOption('--account <id>', 'account id')
  .option('--name <name>', 'what the key is for', 'cli')
  .option('--role <role>', `one of ${ROLES.join(', ')}`, 'owner')
  .action(async (o: { account: string; name: string; role: Role }) =>
    withMesure(async (m) => {
      if (!ROLES.includes(o.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
      if (!(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
      const key = await m.deps.accounts.createKey(o.account, o.name, o.role);
      process.stdout.write(`${key.token}\n`);
    }),
  );
keys
  .command('revoke')
  .requiredOption('--account <id>', 'account id')
  .argument('<keyId>', 'key id (key_…)')
  .action(async (keyId: string, o: { account: string }) =>
    withMesure(async (m) => {
      if (!(await m.deps.accounts.revokeKey(o.account, keyId))) fail(`no active key ${keyId} in account ${o.account}`);
      process.stdout.write(`revoked ${keyId}\n`);
    }),
  );

const users = program.command('users').description('Manage dashboard users.');
users
  .command('create')
  .description("Create a dashboard user; a person who already has a login is attached only with their own password (never changed), or invite them.")
  .requiredOption('--account <id>', 'account id')
  .requiredOption('--email <email>', 'login email')
  .option('--role <role>', `one of ${ROLES.join(', ')}`, 'owner')
  .option('--password <password>', 'password (default: read MESURE_PASSWORD)')
  .action(async (o: { account: string; email: string; role: Role; password?: string }) =>
    withMesure(async (m) => {
      const password = o.password ?? process.env.MESURE_PASSWORD;
      if (!password) fail('give --password or set MESURE_PASSWORD');
      if (!ROLES.includes(o.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
      if (!(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
      const r = await m.deps.accounts.createUser(o.account, o.email, password!, o.role).catch(fail);
      process.stdout.write(`${r.created ? 'created' : 'attached existing login'} ${o.email} as ${o.role} of ${o.account}\n`);
    }),
  );
users
  .command('invite')
  .description('Invite a person who already has a login to an account; prints the token (once) they accept after logging in.')
  .requiredOption('--account <id>', 'account id')
  .requiredOption('--email <email>', 'their login email')
  .option('--role <role>', `one of ${ROLES.join(', ')}`, 'viewer')
  .action(async (o: { account: string; email: string; role: Role }) =>
    withMesure(async (m) => {
      if (!ROLES.includes(o.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
      if (!(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
      const r = await m.deps.sessions.inviteByEmail(o.account, o.email, o.role, m.deps.publicUrl);
      if (!r.ok) fail(r.message);
      else process.stdout.write(`${r.value.message}\n${r.value.link}\n`);
    }),
  );

program
  .command('demo')
  .description('Generate a demo account with realistic campaigns, messages and events.')
  .option('--scale <n>', 'multiply the number of messages', '1')
  .option('--seed <n>', 'random seed', '42')
  .option('--now <time>', 'date the demo as if made at this ISO time (default: now); with --seed, the same demo every time')
  .option('--holdouts', 'add three email campaigns with a holdout of known true lift (their groups depend on the account id)')
  .action(async (o: { scale: string; seed: string; now?: string; holdouts?: boolean }) => {
    const scale = Number(o.scale);
    if (!(scale > 0 && scale <= 1000)) fail(`--scale must be a number above 0 and at most 1000 (got ${o.scale}); 1 makes 50,000 messages`);
    if (!/^\d+$/.test(o.seed)) fail(`--seed must be a whole number (got ${o.seed})`);
    const now = o.now === undefined ? Date.now() : Date.parse(o.now);
    if (!Number.isFinite(now)) fail(`--now must be an ISO time such as 2026-12-01T12:00:00Z (got ${o.now})`);
    return withMesure(async (m) => {
      const t0 = Date.now();
      const r = await generateDemo(m.deps, { now, scale, seed: Number(o.seed), progress: progressBar('demo'), ...(o.holdouts ? { holdouts: {} } : {}) });
      const secs = (Date.now() - t0) / 1000;
      process.stdout.write(
        `account ${r.accountId}: ${r.campaigns} campaigns, ${r.messages.toLocaleString('en')} messages, ${r.events.toLocaleString('en')} events, ${r.orders.toLocaleString('en')} orders in ${secs.toFixed(1)} s (${Math.round(r.messages / secs).toLocaleString('en')} messages/s)\napi key ${r.apiKey}\n`,
      );
    });
  });

program
  .command('export')
  .description("Export a campaign's recipients and statuses as CSV.")
  .requiredOption('--account <id>', 'account id')
  .requiredOption('--campaign <id>', 'campaign id')
  .option('--out <file>', 'output file (default: standard output)')
  .action(async (o: { account: string; campaign: string; out?: string }) =>
    withMesure(async (m) => {
      if (!(await m.deps.campaigns.get(o.account, o.campaign))) fail(`no campaign ${o.campaign} in account ${o.account}`);
      const out = o.out ? createWriteStream(o.out) : process.stdout;
      const csv = stringify({ header: true, cast: { string: neutralizeCsvCell } });
      csv.pipe(out);
      let n = 0;
      for await (const page of m.deps.campaigns.exportRows(o.account, o.campaign)) {
        for (const row of page) if (!csv.write(row)) await new Promise((r) => csv.once('drain', r));
        n += page.length;
      }
      csv.end();
      await new Promise<void>((r) => (o.out ? out.on('finish', () => r()) : csv.on('end', () => r())));
      if (o.out) process.stderr.write(`wrote ${n.toLocaleString('en')} rows to ${o.out}\n`);
    }),
  );

// Each area registers its own commands from src/cli/<area>.ts.
for (const register of AREA_COMMANDS) register(program);

program.parseAsync(process.argv).catch((err) => {
  if (err instanceof ConfigError || err instanceof DatabaseError) fail(err);
  fail(err);
});
