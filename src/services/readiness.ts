// GET /readyz: is this server fit to take traffic? The database answers within a bound, every migration this build
// knows is applied (and none it does not know), and the ingestion inbox (SQLite: what its worker acknowledged;
// PostgreSQL: clicks not yet folded into the figures) is not further behind than a bound.
// Each check says what is wrong in plain words; nothing sensitive (no address, no account data) is reported.
import type { Config } from '../config';
import { migrationState, type Db } from '../store/db';
import { getOldestInboxReceivedAt } from '../store/health';

interface ReadinessCheck {
  ok: boolean;
  message?: string;
}

interface Readiness {
  ok: boolean;
  checks: { database: ReadinessCheck & { ms?: number }; migrations: ReadinessCheck; inbox: ReadinessCheck & { oldestAgeMs?: number } };
}

class TimedOut extends Error {}

/** `work`, or a TimedOut rejection after `ms` (the work itself carries on and its outcome is ignored). */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, ko) => {
    timer = setTimeout(() => ko(new TimedOut()), ms);
  });
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(db: Db, settings: Config['readiness'], now: () => number): Promise<Readiness> {
  const bound = settings.databaseTimeoutMs;
  const unchecked = (what: string): ReadinessCheck => ({ ok: false, message: `not checked: ${what}` });
  // The probe reads a real table (SQLite's `select 1` would not touch the file) and the migrations in one round trip.
  const t0 = now();
  let state;
  try {
    state = await within(migrationState(db), bound);
  } catch (err) {
    const message = err instanceof TimedOut ? `the database did not answer within ${bound} ms` : 'the database refused or failed the probe';
    return {
      ok: false,
      checks: { database: { ok: false, message }, migrations: unchecked('the database does not answer'), inbox: unchecked('the database does not answer') },
    };
  }
  const checks: Readiness['checks'] = { database: { ok: true, ms: now() - t0 }, migrations: { ok: true }, inbox: { ok: true } };
  if (state.unknown.length) checks.migrations = { ok: false, message: `the database records migrations this version does not know: ${state.unknown.join(', ')}` };
  else if (state.pending.length) checks.migrations = { ok: false, message: `${state.pending.length} migration(s) not applied: ${state.pending.join(', ')}` };
  // Both engines have an inbox: SQLite's worker keeps what it acknowledged there, PostgreSQL the clicks not yet folded.
  try {
    const oldest = await within(getOldestInboxReceivedAt(db), bound);
    const age = oldest === null ? 0 : Math.max(0, now() - oldest);
    checks.inbox = age > settings.inboxMaxAgeMs
      ? { ok: false, oldestAgeMs: age, message: `the ingestion inbox is ${Math.round(age / 1000)} s behind (bound: ${settings.inboxMaxAgeMs / 1000} s)` }
      : { ok: true, oldestAgeMs: age };
  } catch {
    checks.inbox = { ok: false, message: `the ingestion inbox could not be read (within ${bound} ms)` };
  }
  return { ok: checks.database.ok && checks.migrations.ok && checks.inbox.ok, checks };
}
