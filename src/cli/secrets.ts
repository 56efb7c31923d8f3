// `mesure secrets rotate`: re-seals every secret stored in the database under a new key, in one transaction, so the
// key can be changed (docs/PRIVACY.md, "Secrets", gives the procedure that never leaves a secret unreadable).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { secretKeyFrom } from '../config';
import { keyIdOf, rotateStoredSecrets } from '../services/secrets';
import { fail, progressBar, withMesure } from './shared';

/** Replaces the key file whole (temporary file, fsync, rename): a crash leaves the old key or the new one, never half. */
function replaceKeyFile(path: string, key: Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function register(program: Command): void {
  const secrets = program.command('secrets').description('The key that seals the secrets stored in the database (provider, Shopify, Stripe, alerts).');

  secrets
    .command('rotate')
    .description(
      'Re-seal every stored secret, in one transaction, under the key of --new-key-file (or MESURE_NEW_SECRET_KEY); ' +
        'with neither, under MESURE_SECRET_KEY, after a restart with the old key as MESURE_SECRET_KEY_PREVIOUS. See docs/PRIVACY.md.',
    )
    .option('--new-key-file <file>', 'a file holding the new key: 32 bytes in base64, as `openssl rand -base64 32` writes')
    .action(async (o: { newKeyFile?: string }) => {
      let newKey: Buffer | undefined;
      try {
        if (o.newKeyFile) {
          let text: string;
          try {
            text = readFileSync(o.newKeyFile, 'utf8');
          } catch (err) {
            fail(`cannot read --new-key-file ${o.newKeyFile}: ${(err as Error).message}`);
          }
          newKey = secretKeyFrom(`The key in ${o.newKeyFile}`, text);
          if (!newKey) fail(`${o.newKeyFile} is empty: write a key into it with \`openssl rand -base64 32 > ${o.newKeyFile}\``);
        } else {
          newKey = secretKeyFrom('MESURE_NEW_SECRET_KEY', process.env.MESURE_NEW_SECRET_KEY);
        }
      } catch (err) {
        fail(err);
      }
      await withMesure(async (m) => {
        const { keys, box } = m.secrets;
        const target = newKey ?? keys.current;
        const from = box.keyIds.join(', ');
        process.stderr.write(`Re-sealing the stored secrets (opened with key ${from}) under key ${keyIdOf(target)}…\n`);
        const summary = await rotateStoredSecrets(m.db, m.deps.writer, box, target, progressBar('secrets')).catch((err) =>
          fail(`${(err as Error).message}. Nothing was changed.`),
        );
        const r = summary.resealed;
        const total = r.provider + r.shopify + r.stripe + r.alert + r.erasure;
        process.stdout.write(
          `Re-sealed ${total} secret(s) under key ${summary.keyId} in one transaction: ${r.provider} provider, ${r.shopify} Shopify, ` +
            `${r.stripe} Stripe, ${r.alert} alert${r.erasure ? `, ${r.erasure} erasure pepper` : ''}; ${summary.unchanged} were under it already.\n`,
        );
        if (!newKey) {
          process.stdout.write(
            keys.previous.length
              ? 'Next: remove MESURE_SECRET_KEY_PREVIOUS from every Mesure process and restart them; no secret needs the old key any more.\n'
              : 'Every secret is under MESURE_SECRET_KEY.\n',
          );
        } else if (keys.source.kind === 'file') {
          replaceKeyFile(keys.source.path, newKey);
          process.stdout.write(
            `Wrote the new key to ${keys.source.path}. Start Mesure again (a process still running has the old key: restart it), ` +
              'and back up the new key file; the old key opens nothing any more.\n',
          );
        } else {
          process.stdout.write(
            'Next: set MESURE_SECRET_KEY to the new key in the environment of every Mesure process and restart them ' +
              '(until then they cannot open the secrets); back the new key up. The old key opens nothing any more.\n',
          );
        }
      });
    });
}
