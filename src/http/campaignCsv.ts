// A campaign's recipients as CSV (GET /v1/campaigns/{id}/export.csv): lines built straight from rows read as arrays
// (the store's CSV_COLUMNS), with the bytes csvField gives (csv-stringify's, cells neutralised), in text chunks of about
// 64 KiB. No object per row: a precomputed column index per field, the few distinct values of the short columns
// (status, reason, bounce type, variant) formatted once, and the work handed back to the event loop after every page.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { notSentReason } from '../domain/message';
import { CSV_COLUMNS } from '../store/campaigns';
import { csvField } from './csv';

/** The CSV's header, in the order of the lines' fields. */
export const CAMPAIGN_CSV_HEADER =
  'messageId,recipient,status,failureReason,failureCode,bounceType,variant,sentAt,deliveredAt,openedAt,clickedAt,repliedAt,unsubscribedAt,opens,clicks,machineOpens,botClicks,scans,cost';

const CHUNK = 64 * 1024;
const at = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, i])) as Record<(typeof CSV_COLUMNS)[number], number>;

/**
 * An instant (epoch ms) as toRecipient writes it (toISOString), then as a CSV field. Formatting a Date costs a
 * microsecond, and an export has several per line: the text up to the minute is kept for the last minute seen (times
 * of one campaign cluster), and the seconds and milliseconds are written from the number. Only instants whose ISO text
 * is the plain 24-character form (years 1970 to 9999) take that path; it never needs quoting or neutralising.
 */
let minuteKey = -1;
let minuteText = '';
const pad2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const pad3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
function time(t: unknown): string {
  if (t === null || t === undefined) return '';
  const ms = t as number;
  if (!Number.isInteger(ms) || ms < 0 || ms >= 253402300800000) return csvField(new Date(ms).toISOString());
  const minute = Math.floor(ms / 60_000);
  if (minute !== minuteKey) {
    minuteKey = minute;
    minuteText = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  const within = ms - minute * 60_000;
  return `${minuteText}${pad2[Math.floor(within / 1000)]}.${pad3[within % 1000]}Z`;
}

/** A count or an amount as csvField writes a number (small ones from a table). */
const SMALL = Array.from({ length: 1024 }, (_, i) => String(i));
function count(v: unknown): string {
  return typeof v === 'number' && v >= 0 && v < 1024 && Number.isInteger(v) ? SMALL[v] : csvField(v as number | string | null);
}

/** csvField of a column with few distinct values, memoised (bounded: a column of many values is formatted each time). */
function memo(): (v: unknown) => string {
  const seen = new Map<unknown, string>();
  return (v) => {
    let s = seen.get(v);
    if (s === undefined) {
      s = csvField(v as string | number | null);
      if (seen.size < 1000) seen.set(v, s);
    }
    return s;
  };
}

/** The CSV text of a campaign's pages of rows, header first. */
export async function* campaignCsvChunks(pages: AsyncIterable<unknown[][]>): AsyncGenerator<string> {
  yield `${CAMPAIGN_CSV_HEADER}\n`;
  const [status, reasonField, bounce, variant] = [memo(), memo(), memo(), memo()];
  // What notSentReason reads, one object filled per row rather than one made per row.
  const facts = {
    sent_at: null as number | null, delivered_at: null as number | null, bounced_at: null as number | null, opened_at: null as number | null,
    clicked_at: null as number | null, replied_at: null as number | null, scanned_at: null as number | null, last_engaged_at: null as number | null,
    not_sent_reason: null as string | null, failed_at: null as number | null, failure_reason: null as string | null,
  };
  const keys = Object.keys(facts) as (keyof typeof facts)[];
  const index = keys.map((k) => at[k]);
  let chunk = '';
  let first = true;
  for await (const page of pages) {
    for (const r of page) {
      for (let k = 0; k < keys.length; k++) (facts as Record<string, unknown>)[keys[k]] = r[index[k]];
      const reason = notSentReason(facts) ?? facts.failure_reason;
      chunk +=
        `${csvField(r[at.id] as string)},${csvField(r[at.recipient] as string)},${status(r[at.status])},${reasonField(reason)},` +
        `${csvField(r[at.failure_code] as string | null)},${bounce(r[at.bounce_type])},${variant(r[at.variant])},` +
        `${time(r[at.sent_at])},${time(r[at.delivered_at])},${time(r[at.opened_at])},${time(r[at.clicked_at])},${time(r[at.replied_at])},` +
        `${time(r[at.unsubscribed_at])},${count(r[at.opens])},${count(r[at.clicks])},` +
        `${count(r[at.machine_opens])},${count(r[at.bot_clicks])},${count(r[at.scans])},${count(r[at.cost_minor])}\n`;
    }
    if (first || chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
      first = false;
    }
    // Another request may run between two pages: a long export never holds the main thread for more than a page.
    await nextTurn();
  }
  if (chunk) yield chunk;
}
