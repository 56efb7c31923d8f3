// The campaign CSV export as GET /v1/campaigns/{id}/export.csv wrote it until rows were read as arrays (issue #20):
// every message as an object (toRecipient), each of its fields through csvField. Kept out of the product on purpose,
// as the reference test/export.csv.test.ts holds the new export's bytes equal to, and as the "before" of bench/export.ts.
import type { Kysely } from 'kysely';
import type { DB } from '../src/store/schema';
import { EXPORT_COLUMNS } from '../src/store/campaigns';
import { toRecipient } from '../src/services/campaigns';
import { csvField } from '../src/http/csv';

const COLUMNS = ['messageId', 'recipient', 'status', 'failureReason', 'failureCode', 'bounceType', 'variant', 'sentAt', 'deliveredAt', 'openedAt', 'clickedAt', 'repliedAt', 'unsubscribedAt', 'opens', 'clicks', 'machineOpens', 'botClicks', 'scans', 'cost'];

/** The whole CSV of a campaign, built the old way from its messages in id order. */
export async function referenceCampaignCsv(db: Kysely<DB>, accountId: string, campaignId: string): Promise<string> {
  let out = `${COLUMNS.join(',')}\n`;
  let after = '';
  for (;;) {
    const page = await db.selectFrom('messages').select([...EXPORT_COLUMNS]).where('account_id', '=', accountId).where('campaign_id', '=', campaignId)
      .where('id', '>', after).orderBy('id').limit(5000).execute();
    for (const m of page) {
      const r = toRecipient(m) as unknown as Record<string, string | number | null>;
      out += `${COLUMNS.map((c) => csvField(r[c])).join(',')}\n`;
    }
    if (page.length < 5000) return out;
    after = page[page.length - 1].id;
  }
}
