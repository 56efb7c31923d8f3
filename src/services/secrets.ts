// Secrets sealed at rest: every secret Mesure must read back (provider webhook secrets, Shopify and Stripe secrets,
// alert signing secrets) is stored encrypted with AES-256-GCM under the key from MESURE_SECRET_KEY or, on SQLite
// without it, a key file created beside the database. The services seal before they store and open after they read;
// at start plain values (written by an older Mesure) are sealed, and `mesure secrets rotate` re-seals under a new key.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, KEY_ADVICE, secretKeyFrom, sqlitePath, type Config } from '../config';
import type { Db } from '../store/db';
import { listStoredSecrets, replaceStoredSecret, scrubbingReplacedValues, type StoredSecret, type StoredSecretKind } from '../store/secrets';
import type { Writer } from './writer';

/** `v1:<key id>:<iv>:<tag>:<ciphertext>`, the last three in standard base64 (which has no colon). */
const SEALED = /^v1:([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]*={0,2})$/;

/** The first 8 hex digits of the key's SHA-256: tells which key sealed a value without revealing the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** The id of the key that sealed `stored`, or null when it is a plain value (stored by a Mesure older than sealing). */
export function sealedKeyId(stored: string): string | null {
  return SEALED.exec(stored)?.[1] ?? null;
}

/** What the API shows of a secret once set: its last four characters, and only those of one long enough to spare them. */
export function hintOf(secret: string): string {
  return secret.length >= 12 ? `…${secret.slice(-4)}` : '…';
}

export class SecretKeyError extends Error {}

/** Seals with the current key; opens with it or with the previous one (during a key change). */
export class SecretBox {
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly current: Buffer,
    previous: Buffer[] = [],
  ) {
    this.keyId = keyIdOf(current);
    this.keys.set(this.keyId, current);
    for (const k of previous) if (!this.keys.has(keyIdOf(k))) this.keys.set(keyIdOf(k), k);
  }

  /** The ids of the keys this box opens with, the current one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${this.keyId}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${ct.toString('base64')}`;
  }

  /**
   * The plain secret. A plain stored value passes through (an older Mesure wrote it, or one is running beside this
   * one during an upgrade; the next start seals it). Throws SecretKeyError when no key of this box sealed it, or the
   * value was altered.
   */
  open(stored: string): string {
    const m = SEALED.exec(stored);
    if (!m) return stored;
    const key = this.keys.get(m[1]);
    if (!key) throw new SecretKeyError(`a stored secret was sealed with key ${m[1]}, which this Mesure does not have (it has ${this.keyIds.join(', ')})`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(m[2], 'base64'));
      decipher.setAuthTag(Buffer.from(m[3], 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(m[4], 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(`a stored secret sealed with key ${m[1]} does not open: it was altered or truncated`);
    }
  }
}

/** Where the sealing key came from, for messages. */
export type KeySource = { kind: 'env' } | { kind: 'file'; path: string; created: boolean } | { kind: 'memory' };

export interface SecretKeys {
  current: Buffer;
  previous: Buffer[];
  source: KeySource;
}

/** The file that holds the key of a SQLite database started without MESURE_SECRET_KEY. */
function keyFileOf(sqliteFile: string): string {
  return join(dirname(sqliteFile), 'mesure.key');
}

/**
 * The sealing keys of this configuration: MESURE_SECRET_KEY (required on PostgreSQL, where no file is beside the
 * database), else the SQLite database's key file, created on first start (mode 0600, atomically: two processes
 * starting at once end up with the same key), else for an in-memory database a key that lives as long as it does.
 */
export function resolveSecretKeys(config: Config): SecretKeys {
  const previous = config.secrets.previousKey ? [config.secrets.previousKey] : [];
  if (config.secrets.key) return { current: config.secrets.key, previous, source: { kind: 'env' } };
  if (config.database.kind === 'postgres') {
    throw new ConfigError(
      'MESURE_SECRET_KEY is required with PostgreSQL: it seals the provider, Shopify, Stripe and alert secrets stored in the ' +
        `database. ${KEY_ADVICE[0].toUpperCase()}${KEY_ADVICE.slice(1)}, set it in the environment of every Mesure process, ` +
        'and keep a copy apart from the database backups (without it those secrets cannot be read back).',
    );
  }
  const file = sqlitePath(config.database.url);
  if (file === ':memory:') return { current: randomBytes(32), previous, source: { kind: 'memory' } };
  const path = keyFileOf(file);
  const created = createKeyFileIfMissing(path);
  let key: Buffer | undefined;
  try {
    key = secretKeyFrom(`The key file ${path}`, readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Cannot read the key file ${path}: ${(err as Error).message}. Restore it from your backup, or set MESURE_SECRET_KEY.`);
  }
  if (!key) throw new ConfigError(`The key file ${path} is empty. Restore it from your backup, or set MESURE_SECRET_KEY.`);
  return { current: key, previous, source: { kind: 'file', path, created } };
}

/** Writes a fresh key to `path` unless a file is there; true when this call created it. */
function createKeyFileIfMissing(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  // Written whole to a temporary name, then linked to the final one: link fails if the name exists, so a
  // concurrent start never sees half a key, and never replaces a key another process has already used.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function describeKeys(box: SecretBox, source: KeySource): string {
  const where = source.kind === 'env' ? 'MESURE_SECRET_KEY' : source.kind === 'file' ? `the key file ${source.path}` : 'a key in memory';
  const [current, ...previous] = box.keyIds;
  return `key ${current} (${where})${previous.length ? ` and key ${previous.join(', ')} (MESURE_SECRET_KEY_PREVIOUS)` : ''}`;
}

/**
 * At start, after migrations: refuses (SecretKeyError, with what to do) a database holding secrets sealed by a key
 * this process does not have, rather than failing each webhook later; then seals the plain values an older Mesure
 * stored. Idempotent, safe with several processes starting at once (each value is replaced only if unchanged).
 */
export async function prepareStoredSecrets(db: Db, writer: Writer, keys: SecretKeys, box: SecretBox): Promise<{ sealed: number }> {
  const stored = await listStoredSecrets(db.kysely);
  const unknown = new Map<string, number>();
  const firstOf = new Map<string, StoredSecret>();
  const plain: StoredSecret[] = [];
  for (const s of stored) {
    const id = sealedKeyId(s.value);
    if (id === null) plain.push(s);
    else if (!box.keyIds.includes(id)) unknown.set(id, (unknown.get(id) ?? 0) + 1);
    else if (!firstOf.has(id)) firstOf.set(id, s);
  }
  if (unknown.size) {
    const n = [...unknown.values()].reduce((a, b) => a + b, 0);
    const src = keys.source;
    let advice = 'Start with the key that sealed them in MESURE_SECRET_KEY (or restore the key file from your backup); ' +
      'during a key change, give the old key as MESURE_SECRET_KEY_PREVIOUS (docs/PRIVACY.md, "Secrets").';
    if (src.kind === 'file' && src.created) {
      // The key that sealed them is missing: the file just made would only get in the way of restoring it.
      unlinkSync(src.path);
      advice = `The key file ${src.path} was missing (a new one was made, and removed again): restore the one from your backup, or set MESURE_SECRET_KEY to that key.`;
    }
    throw new SecretKeyError(
      `${n} stored secret(s) were sealed with key ${[...unknown.keys()].join(', ')}, but this Mesure has ${describeKeys(box, src)}. ${advice}`,
    );
  }
  // A key id is 32 bits of a hash: a different key with the same id is unlikely, but would fail here, not later.
  for (const s of firstOf.values()) {
    try {
      box.open(s.value);
    } catch (err) {
      throw new SecretKeyError(`The ${s.kind} secret of account ${s.accountId} does not open with ${describeKeys(box, keys.source)}: ${(err as Error).message}.`);
    }
  }
  if (plain.length === 0) return { sealed: 0 };
  const sealed = await scrubbingReplacedValues(db, () => writer.run(async (trx) => {
    let n = 0;
    for (const s of plain) if (await replaceStoredSecret(trx, s, box.seal(s.value))) n++;
    return n;
  }));
  return { sealed };
}

export interface RotationSummary {
  /** Values re-sealed, by kind. */
  resealed: Record<StoredSecretKind, number>;
  /** Values that were sealed with the target key already. */
  unchanged: number;
  keyId: string;
}

/**
 * Re-seals every stored secret under `to`'s key, in one transaction: each is opened with `from` (the current and
 * previous keys) and sealed again; before COMMIT every value is checked to open with the new key alone.
 */
export async function rotateStoredSecrets(
  db: Db,
  writer: Writer,
  from: SecretBox,
  to: Buffer,
  progress: (done: number, total: number, what: string) => void = () => {},
): Promise<RotationSummary> {
  const target = new SecretBox(to);
  return scrubbingReplacedValues(db, () => writer.run(async (trx) => {
    const stored = await listStoredSecrets(trx);
    const summary: RotationSummary = { resealed: { provider: 0, shopify: 0, stripe: 0, alert: 0, erasure: 0 }, unchanged: 0, keyId: target.keyId };
    let done = 0;
    for (const s of stored) {
      if (sealedKeyId(s.value) === target.keyId) summary.unchanged++;
      else if (await replaceStoredSecret(trx, s, target.seal(from.open(s.value)))) summary.resealed[s.kind]++;
      else throw new Error(`the ${s.kind} secret of account ${s.accountId} changed during the rotation: nothing was changed, run it again`);
      progress(++done, stored.length, 'secrets');
    }
    for (const s of await listStoredSecrets(trx)) {
      if (sealedKeyId(s.value) !== target.keyId) throw new Error(`the ${s.kind} secret of account ${s.accountId} is not under the new key: nothing was changed`);
      target.open(s.value);
    }
    return summary;
  }));
}
