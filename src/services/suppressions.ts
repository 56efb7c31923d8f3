// The account's suppression list as the API and CLI manage it: list, add, remove, CSV import (every rejected line
// named with its number) and export. The send gate reads the same table.
import { parse } from 'csv-parse/sync';
import type { Db } from '../store/db';
import type { SuppressionRow } from '../store/schema';
import { deleteSuppression, insertSuppressions, listSuppressions } from '../store/suppressions';
import { normalizeEmail, normalizePhone } from '../domain/contacts';
import { CHANNELS, type Channel } from '../domain/types';
import type { AccountDirectory } from './accounts';
import { badCharacter } from '../domain/bounds';

export interface SuppressionView {
  channel: string;
  address: string;
  reason: string;
  source: string;
  createdAt: string;
}

const view = (r: SuppressionRow): SuppressionView => ({ channel: r.channel, address: r.address, reason: r.reason, source: r.source, createdAt: new Date(Number(r.created_at)).toISOString() });

/** The key an address is suppressed under on a channel (as messages store recipients), or an explanation. */
export function suppressionAddress(channel: Channel, raw: string, defaultCountry?: string): { ok: true; address: string } | { ok: false; message: string } {
  // Exports guard cells against spreadsheet formulas with a leading apostrophe ('+336…): read them back as written.
  const s = raw.trim().replace(/^'(?=[=+\-@])/, '');
  if (channel === 'email') {
    const e = normalizeEmail(s);
    return e ? { ok: true, address: e } : { ok: false, message: `"${raw}" is not an email address` };
  }
  if (channel === 'sms' || channel === 'whatsapp') {
    const p = normalizePhone(s, defaultCountry);
    return p ? { ok: true, address: p } : { ok: false, message: `"${raw}" is not a valid phone number` };
  }
  // Postal addresses are keyed as normalizeAddress writes them (LINE1|…|POSTCODE|CITY|COUNTRY), as the export gives them.
  return s.includes('|') ? { ok: true, address: s.toUpperCase() } : { ok: false, message: `"${raw}" is not a postal address key (LINE1|POSTCODE|CITY|COUNTRY, as the export writes it)` };
}

const encodeCursor = (r: SuppressionRow) => Buffer.from(`${r.channel}\u0000${r.address}`).toString('base64url');
const decodeCursor = (c: string) => Buffer.from(c, 'base64url').toString();

export class SuppressionList {
  constructor(private readonly db: Db, private readonly accounts: AccountDirectory, private readonly clock: () => number = Date.now) {}

  async list(accountId: string, opts: { channel?: string; cursor?: string; limit: number }) {
    const rows = await listSuppressions(this.db.kysely, accountId, { channel: opts.channel, after: opts.cursor ? decodeCursor(opts.cursor) : undefined, limit: opts.limit + 1 });
    const page = rows.slice(0, opts.limit);
    return { items: page.map(view), nextCursor: rows.length > opts.limit ? encodeCursor(page[page.length - 1]) : null };
  }

  async add(accountId: string, input: { channel: Channel; address: string; reason?: string }): Promise<{ ok: true; value: SuppressionView & { created: boolean } } | { ok: false; message: string }> {
    const country = (await this.accounts.get(accountId))?.default_country ?? undefined;
    const a = suppressionAddress(input.channel, input.address, country);
    if (!a.ok) return a;
    const row: SuppressionRow = { account_id: accountId, channel: input.channel, address: a.address, reason: input.reason ?? 'manual', source: 'api', created_at: this.clock() };
    const created = (await insertSuppressions(this.db.kysely, [row])) === 1;
    return { ok: true, value: { ...view(row), created } };
  }

  async remove(accountId: string, channel: Channel, address: string): Promise<boolean> {
    const country = (await this.accounts.get(accountId))?.default_country ?? undefined;
    const a = suppressionAddress(channel, address, country);
    return (await deleteSuppression(this.db.kysely, accountId, channel, a.ok ? a.address : address.trim())) > 0;
  }

  /**
   * Imports `channel,address,reason` lines (header required, reason optional). Valid lines are added in one
   * transaction; each rejected line is reported with its line number (the header is line 1) and why.
   */
  async importCsv(accountId: string, csv: string, source = 'import') {
    const country = (await this.accounts.get(accountId))?.default_country ?? undefined;
    let records: string[][];
    try {
      records = parse(csv, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
    } catch (err) {
      return { ok: false as const, message: `The CSV cannot be read: ${(err as Error).message}` };
    }
    if (records.length === 0) return { ok: false as const, message: 'The CSV is empty: expected a header "channel,address,reason" and one line per address.' };
    const header = records[0].map((h) => h.toLowerCase());
    const ci = header.indexOf('channel');
    const ai = header.indexOf('address');
    const ri = header.indexOf('reason');
    if (ci < 0 || ai < 0) return { ok: false as const, message: `The header must name the columns channel and address (and optionally reason); got "${records[0].join(',')}".` };
    const rows: SuppressionRow[] = [];
    const rejected: { line: number; message: string }[] = [];
    const now = this.clock();
    records.slice(1).forEach((rec, i) => {
      const line = i + 2;
      const channel = (rec[ci] ?? '').toLowerCase();
      if (!(CHANNELS as readonly string[]).includes(channel)) return rejected.push({ line, message: `channel "${(rec[ci] ?? '').slice(0, 40)}" is not one of ${CHANNELS.join(', ')}` });
      // The limits of POST /v1/suppressions (domain/bounds.ts), so the CSV stores nothing the API would refuse.
      for (const [column, value, max] of [['address', rec[ai] ?? '', 500], ['reason', ri >= 0 ? rec[ri] ?? '' : '', 60]] as const) {
        if (value.length > max) return rejected.push({ line, message: `${column} is ${value.length} characters long; at most ${max}` });
        const bad = badCharacter(value);
        if (bad) return rejected.push({ line, message: `${column} ${bad}` });
      }
      const a = suppressionAddress(channel as Channel, rec[ai] ?? '', country);
      if (!a.ok) return rejected.push({ line, message: a.message });
      rows.push({ account_id: accountId, channel, address: a.address, reason: (ri >= 0 && rec[ri]) || 'imported', source, created_at: now });
    });
    const added = await this.db.kysely.transaction().execute((trx) => insertSuppressions(trx, rows));
    return { ok: true as const, value: { lines: records.length - 1, added, alreadyListed: rows.length - added, rejected } };
  }

  /** Every entry, page by page (constant memory). */
  async *exportRows(accountId: string): AsyncGenerator<SuppressionView[]> {
    let after: string | undefined;
    for (;;) {
      const rows = await listSuppressions(this.db.kysely, accountId, { after, limit: 5000 });
      if (rows.length === 0) return;
      yield rows.map(view);
      after = `${rows[rows.length - 1].channel}\u0000${rows[rows.length - 1].address}`;
      if (rows.length < 5000) return;
    }
  }
}
