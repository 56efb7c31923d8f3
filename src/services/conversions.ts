// Conversions other than orders in (the API and CSV files): idempotent by the caller's key, the person matched to a
// contact exactly as an order's buyer is (Orders.matchContacts: customer id, e-mail, E.164 phone; a new person becomes
// a contact), stored and credited by the attribution engine in one transaction; listed, counted per type, and summed
// per campaign for its page. A value is credited apart from order revenue and never added to it (docs/ATTRIBUTION.md).
import { parse } from 'csv-parse/sync';
import type { Transaction } from 'kysely';
import type { Db } from '../store/db';
import type { DB } from '../store/schema';
import {
  bumpConversionTypes, findConversionsByKeys, findCreditsOfConversions, insertConversions, listConversionTypes, listConversionsPage,
  sumConversionCreditsOfCampaign, type ConversionCreditRow, type ConversionRow,
} from '../store/conversions';
import {
  conversionFingerprint, mapConversionCsvRow, REQUIRED_CONVERSION_COLUMNS, type ConversionInput,
} from '../domain/conversions';
import { emptyLanding, matchKeys, type MatchKey, type Order } from '../domain/orders';
import { convert, WEIGHT_SCALE } from '../domain/attribution';
import type { AccountDirectory } from './accounts';
import type { Attribution } from './attribution';
import { ERASED_LIST, type Orders } from './orders';
import type { Writer } from './writer';
import { timeOrderedId } from './ids';
import { nextDay, zonedDayStart } from './campaigns';

export interface ConversionView {
  id: string;
  type: string;
  occurredAt: string;
  idempotencyKey: string;
  source: string;
  customer: { id: string | null; email: string | null; phone: string | null };
  contactId: string | null;
  matchedBy: string | null;
  value: number | null;
  currency: string | null;
  /** The credits under the account's model: value split as an order's revenue is. */
  credits: { campaignId: string; messageId: string | null; channel: string; kind: string; weight: number; weightMicro: number; value: number; currency: string; direct: boolean }[];
}

export type RecordOutcome =
  | { ok: true; items: { conversion: ConversionView; replayed: boolean }[] }
  | { ok: false; conflicts: { index: number; reason: string }[] };

export interface ConversionImportReport {
  lines: number;
  conversions: number;
  created: number;
  unchanged: number;
  rejected: number;
  /** The first rejected lines (at most 1,000), numbered as the file counts them (header = 1). */
  rejections: { line: number; reason: string }[];
}

const MAX_LISTED_REJECTIONS = 1000;
const iso = (t: number) => new Date(Number(t)).toISOString();

/** The person of a conversion as the order matching rules read a buyer (no address: a conversion carries none). */
function personAsOrder(key: string, c: ConversionInput): Order {
  return {
    externalId: key, source: 'api', name: null, at: c.at, updatedAt: c.at, currency: 'XXX', grossMinor: 0, taxMinor: 0, shippingMinor: 0, netMinor: 0,
    discountMinor: 0, discountCodes: [], landing: emptyLanding(), noteAttributes: {}, declaredSource: null,
    customer: { customerId: c.customer.customerId?.trim() || null, email: c.customer.email, phone: c.customer.phone, address: null, shippingAddress: null },
    itemQuantity: 0, cancelledAt: null, refunds: [],
  };
}

export class Conversions {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly accounts: AccountDirectory,
    private readonly orders: Orders,
    private readonly attribution: Attribution,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Stores conversions, all or nothing, credited; a key already used with another body refuses the whole batch. */
  async record(accountId: string, inputs: ConversionInput[], source: 'api' | 'csv'): Promise<RecordOutcome> {
    return this.writer.run((trx) => this.recordIn(trx, accountId, inputs, source), Math.max(1, inputs.length));
  }

  private async recordIn(trx: Transaction<DB>, accountId: string, inputs: ConversionInput[], source: 'api' | 'csv'): Promise<RecordOutcome> {
    const ctx = await this.attribution.context(trx, accountId);
    const now = this.clock();
    // Indexed by the unique (account_id, idempotency_key): one read per key sent.
    const stored = new Map((await findConversionsByKeys(trx, accountId, inputs.map((i) => i.idempotencyKey))).map((r) => [r.idempotency_key, r]));
    const fresh = new Map<string, { input: ConversionInput; hash: string }>();
    const conflicts: { index: number; reason: string }[] = [];
    const answers: ({ row: ConversionRow; replayed: boolean } | { key: string })[] = [];
    inputs.forEach((input, index) => {
      const hash = conversionFingerprint(input);
      const seen = stored.get(input.idempotencyKey) ?? fresh.get(input.idempotencyKey);
      const seenHash = seen ? ('body_hash' in seen ? seen.body_hash : seen.hash) : null;
      if (seenHash !== null && seenHash !== hash) {
        conflicts.push({ index, reason: `idempotency key "${input.idempotencyKey}" was already used for a different conversion` });
        return;
      }
      const prev = stored.get(input.idempotencyKey);
      if (prev) answers.push({ row: prev, replayed: true });
      else {
        if (!fresh.has(input.idempotencyKey)) fresh.set(input.idempotencyKey, { input, hash });
        answers.push({ key: input.idempotencyKey });
      }
    });
    if (conflicts.length) return { ok: false, conflicts };

    // The person: erased people's identifiers are neither stored nor matched (docs/PRIVACY.md), as for orders.
    const people = new Map([...fresh].map(([key, f]) => [key, personAsOrder(key, f.input)]));
    const erased = new Set<string>();
    const candidates: { key: string; channel: 'email' | 'sms' | 'mail' | 'whatsapp'; identifier: string }[] = [];
    for (const [key, o] of people) for (const k of matchKeys(o, ctx.defaultCountry)) candidates.push({ key, ...ERASED_LIST[k.kind](k.value) });
    if (this.orders.erasure) for (const i of await this.orders.erasure.erasedAmong(trx, accountId, candidates)) erased.add(candidates[i].key);
    for (const key of erased) people.set(key, { ...people.get(key)!, customer: { customerId: null, email: null, phone: null, address: null, shippingAddress: null } });
    const matches = await this.orders.matchContacts(trx, accountId, [...people.values()], ctx.defaultCountry, now);

    const rows: ConversionRow[] = [];
    const created = new Map<string, ConversionRow>();
    for (const [key, { input, hash }] of fresh) {
      const person = people.get(key)!;
      const keys = matchKeys(person, ctx.defaultCountry);
      const keyOf = (kind: MatchKey['kind']) => keys.find((k) => k.kind === kind)?.value ?? null;
      const match = matches.get(JSON.stringify(['api', key])) ?? null;
      const converted = input.valueMinor === null || input.currency === null || input.currency === ctx.currency.toUpperCase()
        ? null : convert(input.valueMinor, input.currency, ctx.currency, input.at, ctx.rates);
      const row: ConversionRow = {
        account_id: accountId, id: timeOrderedId('cv_', now), type: input.type, occurred_at: input.at, source, idempotency_key: key, body_hash: hash,
        email: keyOf('email'), phone: keyOf('phone'), customer_external_id: keyOf('customer_id'),
        contact_id: match?.contactId ?? null, matched_by: erased.has(key) ? 'erased' : (match?.key.kind ?? null),
        value_minor: input.valueMinor, currency: input.currency,
        credit_value_minor: input.valueMinor === null ? 0 : (converted ?? input.valueMinor),
        credit_currency: input.valueMinor === null || converted !== null ? ctx.currency.toUpperCase() : input.currency!,
        received_at: now,
      };
      rows.push(row);
      created.set(key, row);
    }
    await insertConversions(trx, rows);
    const deltas = new Map<string, number>();
    for (const r of rows) deltas.set(r.type, (deltas.get(r.type) ?? 0) + 1);
    await bumpConversionTypes(trx, accountId, deltas);
    await this.attribution.attributeConversionsIn(trx, ctx, rows);
    const all = answers.map((a) => ('row' in a ? a : { row: created.get(a.key)!, replayed: false }));
    const credits = await findCreditsOfConversions(trx, accountId, all.map((a) => a.row.id), ctx.settings.model);
    return { ok: true, items: all.map((a) => ({ conversion: view(a.row, credits), replayed: a.replayed })) };
  }

  /** A CSV file of conversions: every row checked first; any rejected row (or reused key) refuses the file, nothing stored. */
  async importCsv(accountId: string, bytes: Buffer, opts: { timeZone?: string; currency?: string; decimalSeparator?: '.' | ',' }): Promise<
    { ok: true; report: ConversionImportReport } | { ok: false; status: 400 | 422; message: string; report?: ConversionImportReport }
  > {
    const account = (await this.accounts.get(accountId))!;
    let records: Record<string, string>[];
    try {
      records = parse(bytes, {
        bom: true, columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, trim: false,
      }) as Record<string, string>[];
    } catch (err) {
      return { ok: false, status: 400, message: `The file is not readable CSV: ${(err as Error).message}` };
    }
    const header = records.length ? Object.keys(records[0]) : [];
    const missing = REQUIRED_CONVERSION_COLUMNS.filter((c) => records.length && !header.includes(c));
    if (records.length === 0) return { ok: false, status: 400, message: 'The file has no conversion rows (a header line, then one row per conversion).' };
    if (missing.length) return { ok: false, status: 400, message: `The file's header lacks required column(s): ${missing.join(', ')}.` };
    const report: ConversionImportReport = { lines: records.length, conversions: 0, created: 0, unchanged: 0, rejected: 0, rejections: [] };
    const reject = (line: number, reason: string) => {
      report.rejected += 1;
      if (report.rejections.length < MAX_LISTED_REJECTIONS) report.rejections.push({ line, reason });
    };
    const inputs: { line: number; input: ConversionInput }[] = [];
    records.forEach((r, i) => {
      const m = mapConversionCsvRow(r, i + 2, { timeZone: opts.timeZone ?? account.time_zone, defaultCurrency: opts.currency ?? account.currency, decimalSeparator: opts.decimalSeparator });
      if (m.kind === 'rejected') reject(m.line, m.reason);
      else inputs.push({ line: m.line, input: m.conversion });
    });
    report.conversions = inputs.length;
    if (report.rejected) return { ok: false, status: 422, message: `${report.rejected} line(s) are invalid; nothing was stored. First: line ${report.rejections[0].line}: ${report.rejections[0].reason}.`, report };
    const r = await this.record(accountId, inputs.map((i) => i.input), 'csv');
    if (!r.ok) {
      for (const c of r.conflicts) reject(inputs[c.index].line, c.reason);
      return { ok: false, status: 422, message: `${report.rejected} line(s) reuse an idempotency key for a different conversion; nothing was stored.`, report };
    }
    report.created = r.items.filter((i) => !i.replayed).length;
    report.unchanged = r.items.length - report.created;
    return { ok: true, report };
  }

  /** Newest first, optionally of one type and in [from, to] (account days); cursor = the last row's (time, id). */
  async list(accountId: string, q: { type?: string; from?: string; to?: string; limit: number; cursor?: string }) {
    const ctx = await this.attribution.context(this.db.kysely, accountId);
    let before: { at: number; id: string } | undefined;
    if (q.cursor) {
      try {
        const [at, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as [number, string];
        if (typeof at !== 'number' || typeof id !== 'string') throw new Error();
        before = { at, id };
      } catch {
        return { ok: false as const, message: 'The cursor is not one this list gave; start again without it.' };
      }
    }
    // conversions_time / conversions_type_time: at most limit + 1 rows, then their credits by conversion id.
    const rows = await listConversionsPage(this.db.kysely, accountId, {
      type: q.type, before, limit: q.limit + 1,
      fromMs: q.from ? zonedDayStart(q.from, ctx.timeZone) : undefined,
      toMs: q.to ? zonedDayStart(nextDay(q.to), ctx.timeZone) : undefined,
    });
    const page = rows.slice(0, q.limit);
    const credits = await findCreditsOfConversions(this.db.kysely, accountId, page.map((r) => r.id), ctx.settings.model);
    const last = page[page.length - 1];
    return {
      ok: true as const,
      model: ctx.settings.model,
      items: page.map((r) => view(r, credits)),
      nextCursor: rows.length > q.limit ? Buffer.from(JSON.stringify([Number(last.occurred_at), last.id])).toString('base64url') : null,
    };
  }

  /** The account's types with their counts (a row per type, kept as conversions are stored and erased). */
  async types(accountId: string) {
    return { types: await listConversionTypes(this.db.kysely, accountId) };
  }

  /** Conversions of one type credited to these campaigns (a goal on `conversions:<type>`): each campaign's count, summed. */
  async countOfCampaigns(accountId: string, campaignIds: string[], type: string): Promise<number> {
    let n = 0;
    for (const id of campaignIds) n += (await this.ofCampaign(accountId, id))[type]?.count ?? 0;
    return n;
  }

  /**
   * A campaign's conversions per type under the account's model: count (conversions with a credit row for it), credited
   * (the sum of its shares) and value (its credited part of their values, in the account's currency; values no rate
   * converts are left out, as order revenue in such a currency is).
   */
  async ofCampaign(accountId: string, campaignId: string): Promise<Record<string, { count: number; credited: number; value: number }>> {
    const ctx = await this.attribution.context(this.db.kysely, accountId);
    const out: Record<string, { count: number; credited: number; value: number }> = {};
    for (const r of await sumConversionCreditsOfCampaign(this.db.kysely, accountId, campaignId, ctx.settings.model)) {
      const into = (out[r.type] ??= { count: 0, credited: 0, value: 0 });
      into.count += r.count;
      into.credited = (Math.round(into.credited * WEIGHT_SCALE) + r.weightMicro) / WEIGHT_SCALE;
      if (r.currency === ctx.currency.toUpperCase()) into.value += r.value;
    }
    return out;
  }
}

function view(r: ConversionRow, credits: ConversionCreditRow[]): ConversionView {
  return {
    id: r.id, type: r.type, occurredAt: iso(r.occurred_at), idempotencyKey: r.idempotency_key, source: r.source,
    customer: { id: r.customer_external_id, email: r.email, phone: r.phone },
    contactId: r.contact_id, matchedBy: r.matched_by,
    value: r.value_minor === null ? null : Number(r.value_minor), currency: r.currency,
    credits: credits.filter((c) => c.conversion_id === r.id).map((c) => ({
      campaignId: c.campaign_id, messageId: c.message_id, channel: c.channel, kind: c.kind, weight: Number(c.weight_micro) / WEIGHT_SCALE,
      weightMicro: Number(c.weight_micro), value: Number(c.value_minor), currency: c.currency, direct: Number(c.direct) === 1,
    })).sort((a, b) => b.weightMicro - a.weightMicro || (a.campaignId < b.campaignId ? -1 : 1)),
  };
}
