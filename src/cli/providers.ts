// `mesure providers`: set or remove an account's webhook secret for a provider, and list what is configured
// with the URL to paste into each provider's console. Secrets are read from stdin so they stay out of shell history.
import type { Command } from 'commander';
import { PROVIDER_NAMES, type ProviderName } from '../providers';
import { fail, withMesure } from './shared';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Paste the secret, then press Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

function providerOf(name: string): ProviderName {
  if (!(PROVIDER_NAMES as readonly string[]).includes(name)) fail(`unknown provider "${name}"; one of ${PROVIDER_NAMES.join(', ')}`);
  return name as ProviderName;
}

export function register(program: Command): void {
  const providers = program.command('providers').description('Provider webhooks: secrets and the URLs to paste.');

  providers
    .command('set-secret')
    .description(`Set the webhook secret of a provider (${PROVIDER_NAMES.join(', ')}); read from stdin unless --secret is given.`)
    .argument('<provider>', PROVIDER_NAMES.join(' | '))
    .requiredOption('--account <id>', 'account id')
    .option('--secret <value>', 'the secret (prefer stdin: a command-line argument is visible to other users of the machine)')
    .action(async (name: string, o: { account: string; secret?: string }) => {
      const provider = providerOf(name);
      const secret = o.secret ?? (await readStdin());
      if (!secret) fail('no secret given: pipe it on stdin or pass --secret');
      await withMesure(async (m) => {
        if (!(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
        const outcome = await m.deps.webhooks.setSecret(o.account, provider, secret);
        if (!outcome.ok) fail(outcome.message);
        const status = (await m.deps.webhooks.list(o.account)).find((p) => p.provider === provider)!;
        process.stdout.write(`${provider} secret set for ${o.account}. Webhook URL: ${status.webhookUrl}\n`);
      });
    });

  providers
    .command('delete-secret')
    .description("Remove a provider's webhook secret: its webhooks are refused from then on.")
    .argument('<provider>', PROVIDER_NAMES.join(' | '))
    .requiredOption('--account <id>', 'account id')
    .action(async (name: string, o: { account: string }) => {
      const provider = providerOf(name);
      await withMesure(async (m) => {
        const removed = await m.deps.webhooks.deleteSecret(o.account, provider);
        process.stdout.write(removed ? `${provider} secret removed for ${o.account}\n` : `no ${provider} secret was set for ${o.account}\n`);
      });
    });

  providers
    .command('list')
    .description('Each provider: whether a secret is set, since when, and the webhook URL to paste.')
    .requiredOption('--account <id>', 'account id')
    .action(async (o: { account: string }) =>
      withMesure(async (m) => {
        if (!(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
        for (const p of await m.deps.webhooks.list(o.account)) {
          const state = p.configured ? `secret set ${p.updatedAt}` : 'no secret';
          process.stdout.write(`${p.provider.padEnd(9)} ${state.padEnd(36)} ${p.webhookUrl}\n`);
        }
      }),
    );
}
