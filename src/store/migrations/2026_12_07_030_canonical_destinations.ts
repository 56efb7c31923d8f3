// Rewrites every stored destination (campaign_destinations.url, the tracked_links copied from it, and the url of the
// clicks and scans already stored for it) to its canonical form, the WHATWG serialisation `new URL(x).href`: printable
// ASCII, so a click can always write it as `Location`.
// Frozen in time: never import application code here (the rules below are those of src/tracking/destination.ts on
// 2026-12-07, written out again on purpose).
//
// A destination that cannot be put in that form (control characters such as CR/LF, not an absolute http(s) URL) is
// neutralised rather than guessed at: it becomes `mesure-invalid:<the old text, percent-encoded>`, still readable by
// the merchant in GET /v1/campaigns/:id/links, and refused by the redirect, whose visitors get a clear error page.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

const MAX_LENGTH = 4000;
const PAGE = 1000;

function canonical(input: string): string | undefined {
  if (input === '' || input.length > MAX_LENGTH) return undefined;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(input) || input !== input.trim()) return undefined;
  let href: string;
  try {
    const u = new URL(input);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') return undefined;
    href = u.href;
    if (new URL(href).href !== href) return undefined;
  } catch {
    return undefined;
  }
  return /^[\x21-\x7e]+$/.test(href) && href.length <= MAX_LENGTH ? href : undefined;
}

/** The old text kept for the merchant to read, in printable ASCII (every byte but unreserved ones percent-encoded). */
function neutralised(input: string): string {
  let out = 'mesure-invalid:';
  for (const byte of Buffer.from(input.slice(0, 2000), 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~:/?#@!$&'()*+,;=-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  for (let offset = 0; ; offset += PAGE) {
    const rows = (await db
      .selectFrom('campaign_destinations')
      .select(['account_id', 'campaign_id', 'position', 'url'])
      .orderBy('account_id')
      .orderBy('campaign_id')
      .orderBy('position')
      .limit(PAGE)
      .offset(offset)
      .execute()) as { account_id: string; campaign_id: string; position: number; url: string }[];
    for (const r of rows) {
      const url = canonical(r.url) ?? neutralised(r.url);
      if (url !== r.url) {
        // Two spellings of one address registered earlier become one URL in two positions: both keep their links
        // (and their clicks); the later one's hash is made distinct so that the unique index on url_hash still holds.
        const hash = createHash('sha256').update(url).digest('hex');
        const taken = await db
          .selectFrom('campaign_destinations')
          .select('position')
          .where('account_id', '=', r.account_id)
          .where('campaign_id', '=', r.campaign_id)
          .where('url_hash', '=', hash)
          .where('position', '<>', r.position)
          .executeTakeFirst();
        await db
          .updateTable('campaign_destinations')
          .set({ url, url_hash: taken ? `${hash}:${r.position}` : hash })
          .where('account_id', '=', r.account_id)
          .where('campaign_id', '=', r.campaign_id)
          .where('position', '=', r.position)
          .execute();
        // Clicks already stored name the old text: renamed, so "clicks per link" and the link-sweep rule (which
        // compare URLs) see one destination, not two. Only for rows that changed, through events_campaign.
        await db
          .updateTable('events')
          .set({ url })
          .where('account_id', '=', r.account_id)
          .where('campaign_id', '=', r.campaign_id)
          .where('type', 'in', ['clicked', 'scanned'])
          .where('url', '=', r.url)
          .execute();
      }
      // The links carry their own copy, which the redirect reads: made equal to the destination whatever it was.
      await db
        .updateTable('tracked_links')
        .set({ url })
        .where('account_id', '=', r.account_id)
        .where('campaign_id', '=', r.campaign_id)
        .where('kind', '=', 'link')
        .where('position', '=', r.position)
        .where('url', '<>', url)
        .execute();
    }
    if (rows.length < PAGE) break;
  }
}

export async function down(): Promise<void> {
  // The old spellings are not kept: the canonical form opens the same pages.
}
