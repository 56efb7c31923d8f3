// Configuration, read once from the environment at start and split into sections.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This build's version, as package.json says (`mesure --version`, the refusal of a database migrated by a newer one). */
export const MESURE_VERSION: string = JSON.parse(
  readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../package.json'), 'utf8'),
).version;

export interface Config {
  /** `publicUrlSet`: MESURE_PUBLIC_URL was given (else `publicUrl` is only this host and port, unreachable elsewhere). */
  http: { port: number; host: string; publicUrl: string; publicUrlSet: boolean; bodyLimitBytes: number; trustProxy: boolean };
  database: { url: string; kind: 'sqlite' | 'postgres'; schema?: string };
  /**
   * GET /readyz: how long the database may take to answer a probe, and how old the oldest item of the SQLite
   * ingestion inbox (acknowledged, not yet applied) may be, before the server reports itself not ready.
   */
  readiness: { databaseTimeoutMs: number; inboxMaxAgeMs: number };
  /**
   * GET /metrics (Prometheus): off unless MESURE_METRICS=1; then scraped with `Authorization: Bearer <token>` when
   * MESURE_METRICS_TOKEN is set, else only from this machine (a loopback address, not through a proxy).
   */
  metrics: { enabled: boolean; token?: string };
  /** SIGTERM/SIGINT: how long finishing in-flight work may take before the process exits 1 naming what it cut. */
  shutdown: { timeoutMs: number };
  /**
   * Several nodes on one database (docs/SCALING.md): this node's name in the runs of periodic jobs (MESURE_NODE_ID,
   * default host:pid), the budget sweep's period (MESURE_SWEEP_INTERVAL_S, default 30) and the PostgreSQL connection
   * pool's size (MESURE_PG_POOL_SIZE, default 10; each node also holds one connection that listens for cache changes),
   * and whether it folds stored clicks into the figures (MESURE_FOLD_VISITS, default 1; 0: it stores them and leaves
   * the folding to the other nodes).
   */
  nodes: { id?: string; sweepIntervalMs: number; poolSize: number; foldVisits: boolean };
  /** MESURE_SQL_LOG: a file that receives every distinct SQL text the server sends (a diagnostic, off by default). */
  sqlLog?: string;
  /** Scheduled backups while serving (SQLite only): where, how often, how many kept. Null when MESURE_BACKUP_DIR is unset. */
  backup: { dir: string; intervalMs: number; keep: number } | null;
  demo: boolean;
  /** Secret for session cookies and HMACs; generated per data directory when not given. */
  secret?: string;
  /**
   * The key that seals stored secrets (MESURE_SECRET_KEY; absent: the key file beside the SQLite database, see
   * src/services/secrets.ts) and, during a key change, the previous one, accepted for opening only.
   */
  secrets: { key?: Buffer; previousKey?: Buffer };
  webDist: string;
  /**
   * Scheduled e-mail reports (docs/OPERATIONS.md, "Scheduled reports"): the SMTP server they go through
   * (MESURE_SMTP_URL, e.g. smtp://user:pass@mail.example:587 or smtps://…:465; unset: no report is sent and the
   * settings say so), the sender (MESURE_SMTP_FROM) and how often each node looks for reports due
   * (MESURE_REPORTS_INTERVAL_S, default 300).
   */
  reports: { smtpUrl?: string; from: string; intervalMs: number };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${env.PORT}".`);
  }
  const host = env.HOST || '127.0.0.1';
  const url = env.DATABASE_URL || `file:${resolve(cwd, 'data/mesure.db')}`;
  const kind = /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
  if (kind === 'sqlite' && !/^(file:|\/|\.|:memory:)/.test(url) && url.includes('://')) {
    throw new ConfigError(
      `DATABASE_URL "${url}" is neither a SQLite file (file:/path/to/mesure.db) nor postgres://user@host:port/db.`,
    );
  }
  const positive = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${name} must be a positive number, got "${raw}".`);
    return n;
  };
  const readiness = {
    databaseTimeoutMs: positive('MESURE_READY_DB_TIMEOUT_MS', 1000),
    inboxMaxAgeMs: positive('MESURE_READY_INBOX_MAX_AGE_S', 60) * 1000,
  };
  const metricsFlag = env.MESURE_METRICS ?? '';
  if (!['', '0', '1'].includes(metricsFlag)) {
    throw new ConfigError(`MESURE_METRICS must be 1 (serve GET /metrics) or 0 (do not), got "${metricsFlag}".`);
  }
  const metricsToken = env.MESURE_METRICS_TOKEN || undefined;
  // The token travels in a header and sits in a scraper's config: long enough not to be guessed, no spaces to mangle.
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,}$/.test(metricsToken)) {
    throw new ConfigError(
      'MESURE_METRICS_TOKEN must be at least 16 printable characters without spaces (e.g. the output of `openssl rand -hex 24`).',
    );
  }
  const backup = (() => {
    const dir = env.MESURE_BACKUP_DIR;
    if (!dir) {
      for (const name of ['MESURE_BACKUP_INTERVAL_H', 'MESURE_BACKUP_KEEP']) {
        if (env[name]) throw new ConfigError(`${name} is set but MESURE_BACKUP_DIR is not: set MESURE_BACKUP_DIR to the directory for scheduled backups, or unset ${name}.`);
      }
      return null;
    }
    if (kind === 'postgres') {
      throw new ConfigError('MESURE_BACKUP_DIR schedules backups of a SQLite database; on PostgreSQL use pg_dump (docs/OPERATIONS.md) and unset MESURE_BACKUP_DIR.');
    }
    const keepRaw = env.MESURE_BACKUP_KEEP;
    const keep = keepRaw === undefined || keepRaw === '' ? 7 : Number(keepRaw);
    if (!Number.isInteger(keep) || keep < 1) throw new ConfigError(`MESURE_BACKUP_KEEP must be a whole number of backups to keep, at least 1, got "${keepRaw}".`);
    return { dir: resolve(cwd, dir), intervalMs: positive('MESURE_BACKUP_INTERVAL_H', 24) * 3_600_000, keep };
  })();
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const publicUrl = (env.MESURE_PUBLIC_URL || `http://${shownHost}:${port}`).replace(/\/$/, '');
  const smtpUrl = env.MESURE_SMTP_URL || undefined;
  if (smtpUrl !== undefined) {
    let ok = false;
    try {
      const u = new URL(smtpUrl);
      ok = (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError('MESURE_SMTP_URL must be smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://[user:password@]host[:465] (TLS), with the user and password URL-encoded.');
  }
  const from = env.MESURE_SMTP_FROM || defaultSender(publicUrl);
  return {
    http: {
      port,
      host,
      publicUrl,
      publicUrlSet: Boolean(env.MESURE_PUBLIC_URL),
      bodyLimitBytes: Number(env.MESURE_BODY_LIMIT || 16 * 1024 * 1024),
      // Only behind a reverse proxy may X-Forwarded-* be believed (client address for rate limits, scheme, host).
      trustProxy: env.MESURE_TRUST_PROXY === '1',
    },
    database: { url, kind, schema: env.MESURE_PG_SCHEMA || undefined },
    readiness,
    metrics: { enabled: metricsFlag === '1', token: metricsToken },
    shutdown: { timeoutMs: positive('MESURE_SHUTDOWN_TIMEOUT_MS', 10_000) },
    nodes: {
      id: env.MESURE_NODE_ID || undefined,
      sweepIntervalMs: positive('MESURE_SWEEP_INTERVAL_S', 30) * 1000,
      poolSize: poolSize(env.MESURE_PG_POOL_SIZE),
      foldVisits: env.MESURE_FOLD_VISITS !== '0',
    },
    sqlLog: env.MESURE_SQL_LOG ? resolve(cwd, env.MESURE_SQL_LOG) : undefined,
    backup,
    demo: env.MESURE_DEMO !== '0',
    secret: env.MESURE_SECRET || undefined,
    secrets: {
      key: secretKeyFrom('MESURE_SECRET_KEY', env.MESURE_SECRET_KEY),
      previousKey: secretKeyFrom('MESURE_SECRET_KEY_PREVIOUS', env.MESURE_SECRET_KEY_PREVIOUS),
    },
    webDist: resolve(cwd, 'web/dist'),
    reports: { smtpUrl, from, intervalMs: positive('MESURE_REPORTS_INTERVAL_S', 300) * 1000 },
  };
}

/** The sender when MESURE_SMTP_FROM is unset: reports@ the public address's host when it is a domain name. */
function defaultSender(publicUrl: string): string {
  let host = '';
  try {
    host = new URL(publicUrl).hostname;
  } catch {
    // An unusual MESURE_PUBLIC_URL: the generic sender below.
  }
  return `Mesure <reports@${/[a-z]/i.test(host) && host.includes('.') ? host : 'localhost'}>`;
}

function poolSize(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ConfigError(`MESURE_PG_POOL_SIZE must be a whole number of connections between 1 and 1000, got "${raw}".`);
  return n;
}

/** How to make a key, in every message about one. */
export const KEY_ADVICE = 'generate one with `openssl rand -base64 32`';

/**
 * A sealing key as written in the environment or a key file: 32 bytes in standard base64 (44 characters). Throws a
 * ConfigError naming `name` otherwise; undefined when not given.
 */
export function secretKeyFrom(name: string, raw: string | undefined): Buffer | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const text = raw.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32 || key.toString('base64') !== text) {
    throw new ConfigError(
      `${name} must be 32 random bytes in base64 (44 characters ending in "="), got ${text.length} characters` +
        `${/^[A-Za-z0-9+/]+={0,2}$/.test(text) ? ` (${key.length} bytes)` : ' that are not base64'}: ${KEY_ADVICE}.`,
    );
  }
  return key;
}

/** The file path of a SQLite DATABASE_URL. */
export function sqlitePath(url: string): string {
  if (url === ':memory:' || url === 'file::memory:') return ':memory:';
  return url.replace(/^file:(\/\/)?/, '');
}
