// The sealing of stored secrets: format, keys, tampering, hints, and the key file made beside a SQLite database.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { hintOf, resolveSecretKeys, SecretBox, sealedKeyId } from './secrets';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);

describe('SecretBox', () => {
  it('seals as v1:<first 8 hex of sha256(key)>:<iv>:<tag>:<ct> and opens back', () => {
    const box = new SecretBox(K1);
    const sealed = box.seal('whsec_abc');
    const id = createHash('sha256').update(K1).digest('hex').slice(0, 8);
    const [v, kid, iv, tag, ct] = sealed.split(':');
    expect([v, kid]).toEqual(['v1', id]);
    // 12-byte IV, 16-byte tag, and as many ciphertext bytes as the 9 of the plain text (GCM is a stream mode).
    expect([Buffer.from(iv, 'base64').length, Buffer.from(tag, 'base64').length, Buffer.from(ct, 'base64').length]).toEqual([12, 16, 9]);
    expect(sealedKeyId(sealed)).toBe(id);
    expect(box.open(sealed)).toBe('whsec_abc');
    // A fresh IV each time: the same secret never seals to the same text.
    expect(box.seal('whsec_abc')).not.toBe(sealed);
  });

  it('opens with the previous key during a change, refuses an unknown key and an altered value', () => {
    const old = new SecretBox(K1).seal('s3cret-value');
    expect(new SecretBox(K2, [K1]).open(old)).toBe('s3cret-value');
    expect(() => new SecretBox(K2).open(old)).toThrow(/sealed with key .* which this Mesure does not have/);
    const parts = old.split(':');
    const ct = Buffer.from(parts[4], 'base64');
    ct[0] ^= 1;
    parts[4] = ct.toString('base64');
    expect(() => new SecretBox(K1).open(parts.join(':'))).toThrow(/altered or truncated/);
  });

  it('passes a plain value (stored by an older version) through', () => {
    expect(sealedKeyId('plain-key-1234')).toBeNull();
    expect(new SecretBox(K1).open('plain-key-1234')).toBe('plain-key-1234');
  });

  it('hints with the last four characters of a secret of 12 or more, nothing of a shorter one', () => {
    expect(hintOf('whsec_0123456789abcdef')).toBe('…cdef');
    expect(hintOf('123456789012')).toBe('…9012');
    expect(hintOf('12345678901')).toBe('…');
  });
});

describe('the sealing key', () => {
  it('refuses a key that is not 32 bytes of base64, and PostgreSQL without one, saying how to make one', () => {
    expect(() => loadConfig({ MESURE_SECRET_KEY: 'not a key' })).toThrow(/MESURE_SECRET_KEY must be 32 random bytes in base64 .*openssl rand -base64 32/);
    expect(() => loadConfig({ MESURE_SECRET_KEY: Buffer.alloc(16).toString('base64') })).toThrow(/got 24 characters \(16 bytes\)/);
    expect(() => loadConfig({ MESURE_SECRET_KEY_PREVIOUS: 'x' })).toThrow(/MESURE_SECRET_KEY_PREVIOUS must be/);
    expect(loadConfig({ MESURE_SECRET_KEY: K1.toString('base64') }).secrets.key).toEqual(K1);
    expect(() => resolveSecretKeys(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }))).toThrow(/MESURE_SECRET_KEY is required with PostgreSQL.*openssl rand -base64 32/);
  });

  it('on SQLite without the variable, makes mesure.key beside the database once (0600) and reads it afterwards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesure-key-'));
    try {
      const config = loadConfig({ DATABASE_URL: `file:${join(dir, 'sub', 'mesure.db')}` });
      const first = resolveSecretKeys(config);
      const file = join(dir, 'sub', 'mesure.key');
      expect(first.source).toEqual({ kind: 'file', path: file, created: true });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toBe(`${first.current.toString('base64')}\n`);
      const again = resolveSecretKeys(config);
      expect(again.source).toEqual({ kind: 'file', path: file, created: false });
      expect(again.current).toEqual(first.current);
      // The variable wins over the file.
      expect(resolveSecretKeys(loadConfig({ DATABASE_URL: `file:${join(dir, 'sub', 'mesure.db')}`, MESURE_SECRET_KEY: K2.toString('base64') })).current).toEqual(K2);
      writeFileSync(file, 'garbage\n');
      expect(() => resolveSecretKeys(config)).toThrow(`The key file ${file} must be 32 random bytes in base64`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
