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
  demo: boolean;
  /** Secret for session cookies and HMACs; generated per data directory when not given. */
  secret?: string;
  /**
   * The key that seals stored secrets (MESURE_SECRET_KEY; absent: the key file beside the SQLite database, see
   * src/services/secrets.ts) and, during a key change, the previous one, accepted for opening only.
   */
  secrets: { key?: Buffer; previousKey?: Buffer };
  webDist: string;
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
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    http: {
      port,
      host,
      publicUrl: (env.MESURE_PUBLIC_URL || `http://${shownHost}:${port}`).replace(/\/$/, ''),
      publicUrlSet: Boolean(env.MESURE_PUBLIC_URL),
      bodyLimitBytes: Number(env.MESURE_BODY_LIMIT || 16 * 1024 * 1024),
      // Only behind a reverse proxy may X-Forwarded-* be believed (client address for rate limits, scheme, host).
      trustProxy: env.MESURE_TRUST_PROXY === '1',
    },
    database: { url, kind, schema: env.MESURE_PG_SCHEMA || undefined },
    readiness,
    demo: env.MESURE_DEMO !== '0',
    secret: env.MESURE_SECRET || undefined,
    secrets: {
      key: secretKeyFrom('MESURE_SECRET_KEY', env.MESURE_SECRET_KEY),
      previousKey: secretKeyFrom('MESURE_SECRET_KEY_PREVIOUS', env.MESURE_SECRET_KEY_PREVIOUS),
    },
    webDist: resolve(cwd, 'web/dist'),
  };
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
