// `mesure contacts erase`: erases one person (by contact id, e-mail, phone or external id) as DELETE /v1/contacts/{id}
// and POST /v1/contacts/erase do, in one transaction, recorded in the audit trail as done from the command line.
import type { Command } from 'commander';
import { fail, withMesure } from './shared';
import type { ErasureTarget } from '../services/contacts';

export function register(program: Command): void {
  const contacts = program.command('contacts').description("One person's data: erase them (docs/PRIVACY.md).");
  contacts
    .command('erase')
    .description(
      'Erase a person: their identifiers leave every table (figures unchanged), the contact is removed, and they stay on ' +
        'the suppression list as one-way hashes so that sends to them are refused. Give one of --id, --email, --phone, --external-id.',
    )
    .requiredOption('--account <id>', 'account id')
    .option('--id <contactId>', 'a contact id (ct_…)')
    .option('--email <email>', 'an e-mail address')
    .option('--phone <phone>', 'a phone number (E.164, or national in the account’s default country)')
    .option('--external-id <id>', "your system's id of the person")
    .action(async (o: { account: string; id?: string; email?: string; phone?: string; externalId?: string }) => {
      const given = [o.id, o.email, o.phone, o.externalId].filter((v) => v !== undefined).length;
      if (given === 0) fail('say who to erase: --id, --email, --phone or --external-id');
      if (o.id !== undefined && given > 1) fail('--id names one contact: give it alone');
      const target: ErasureTarget = o.id !== undefined ? { contactId: o.id } : { email: o.email, phone: o.phone, externalId: o.externalId };
      await withMesure(async (m) => {
        if (!(await m.deps.accounts.get(o.account))) fail(`no account ${o.account} (see \`mesure accounts list\`)`);
        process.stderr.write('Erasing in one transaction…\n');
        const out = await m.deps.contacts.erase(o.account, target, { type: 'user', id: 'cli', name: 'mesure contacts erase' }, null, (step, n) => {
          process.stderr.write(`  ${step}: ${n}\n`);
        });
        if (!out.ok) fail(out.message);
        const s = out.value;
        process.stdout.write(
          `Erased: ${s.contacts} contact(s) removed; ${s.messages} message(s) and ${s.holdoutMembers} holdout member(s) now under an anonymous key; ` +
            `${s.events} event(s) cleared of user agents, IP addresses and texts; ${s.orders} order(s) cleared of customer fields; ${s.conversions} other conversion(s) deleted; ` +
            `${s.suppressionsRemoved} suppression entr(y/ies) replaced by ${s.suppressionsAdded} under one-way hashes; ` +
            `${s.waitingEvents} waiting event(s) and ${s.deadLetters} dead letter(s) removed. Order and message figures are unchanged.\n`,
        );
      });
    });
}
