// What sold (issue #24, part 7): an order's lines, what each is worth after its discounts and refunds, and how an
// order's credited revenue is shared among its lines so that a product or product type gets its part of every
// campaign's credit (docs/ATTRIBUTION.md, "What sold").
import { largestRemainder, WEIGHT_SCALE } from './attribution/credits';

export interface OrderLine {
  /** Position in the order, from 1: the line's key. */
  lineNo: number;
  /** The source's id of the line (Shopify's line item id), which refunds name; null when the source has none. */
  lineId: string | null;
  productId: string | null;
  variantId: string | null;
  sku: string | null;
  title: string;
  productType: string | null;
  vendor: string | null;
  quantity: number;
  /** Price of one unit before discounts, in the order's minor units. */
  unitPriceMinor: number;
  /** Every discount on the line (all its units), in minor units. */
  discountMinor: number;
}

/** The part of a refund that returns (some units of) one line: Shopify's `refund_line_items`, the API's `lines`. */
export interface RefundLine {
  /** The line's source id (Shopify `line_item_id`), or its number ("2") when the source has no line ids. */
  lineId: string;
  quantity: number;
  /** Money returned for the line, after its discounts and without its tax (Shopify's `subtotal`). */
  amountMinor: number;
}

export const MAX_ORDER_LINES = 500;
export const LINE_STRING_LIMITS = { lineId: 200, productId: 200, variantId: 200, sku: 200, title: 500, productType: 200, vendor: 200 } as const;

/** What a line sold for: unit price × quantity − its discounts, never below 0. */
export function lineValueMinor(line: Pick<OrderLine, 'unitPriceMinor' | 'quantity' | 'discountMinor'>): number {
  return Math.max(0, line.unitPriceMinor * line.quantity - line.discountMinor);
}

/** Whether a refund line names this line: by its source id, else by its number. */
function names(r: RefundLine, line: OrderLine): boolean {
  return line.lineId !== null ? r.lineId === line.lineId : r.lineId === String(line.lineNo);
}

/** Each line's money returned (the sum of the refund lines naming it) and what it is still worth, never below 0. */
export function linesAfterRefunds(lines: readonly OrderLine[], refunds: readonly RefundLine[]): { refundedMinor: number; netMinor: number }[] {
  return lines.map((line) => {
    const refunded = refunds.filter((r) => names(r, line)).reduce((s, r) => s + r.amountMinor, 0);
    return { refundedMinor: refunded, netMinor: Math.max(0, lineValueMinor(line) - refunded) };
  });
}

/** A campaign's credit of one order: its revenue share and its weight (a fraction of one conversion, micro-units). */
export interface OrderCampaignCredit {
  campaignId: string;
  revenueMinor: number;
  weightMicro: number;
}

export interface LineCredit {
  campaignId: string;
  /** The line's number; 0 for an order without lines (its whole credit, product unknown). */
  lineNo: number;
  revenueMinor: number;
  weightMicro: number;
}

/**
 * Shares each campaign's credit of an order among the order's lines in proportion to what each line is still worth
 * (`netMinor`, after discounts and refunds): largest remainders, so a campaign's line shares are whole minor units
 * summing exactly to its credit. A line worth 0 beside lines worth more (given away, or refunded in full) gets no
 * share: the order no longer sold it. Lines all worth 0 share by quantity, then equally. An order without lines keeps
 * its whole credit on line 0. The weight (the conversion) is not split: every line with a share carries its
 * campaign's whole weight, since the order "contains" each of its products once.
 */
export function shareCredits(lineNets: readonly { lineNo: number; netMinor: number; quantity: number }[], credits: readonly OrderCampaignCredit[]): LineCredit[] {
  const out: LineCredit[] = [];
  if (lineNets.length === 0) {
    for (const c of credits) out.push({ campaignId: c.campaignId, lineNo: 0, revenueMinor: c.revenueMinor, weightMicro: c.weightMicro });
    return out;
  }
  const valued = lineNets.filter((l) => l.netMinor > 0);
  const lines = valued.length > 0 ? valued : lineNets;
  const byQuantity = lines.map((l) => l.quantity);
  const shares = valued.length > 0 ? lines.map((l) => l.netMinor) : byQuantity.some((q) => q > 0) ? byQuantity : lines.map(() => 1);
  for (const c of credits) {
    const parts = largestRemainder(c.revenueMinor, shares);
    lines.forEach((l, i) => out.push({ campaignId: c.campaignId, lineNo: l.lineNo, revenueMinor: parts[i], weightMicro: c.weightMicro }));
  }
  return out;
}

/** A conversion weight (micro-units) as the fraction of one conversion it is. */
export const conversionsOf = (weightMicro: number): number => weightMicro / WEIGHT_SCALE;

/**
 * The spend a group of products (a type, a product) is charged, and its ROAS (docs/ATTRIBUTION.md, "What sold"):
 * each campaign's spend is shared among the groups by their share of the campaign's attributed revenue of the
 * period; a group's spend is the sum of its shares over the campaigns that credited it. ROAS = revenue ÷ that spend,
 * null when the spend is 0. A campaign with no attributed revenue charges no group.
 */
export function groupSpend(
  groupRevenueByCampaign: ReadonlyMap<string, number>,
  campaignRevenue: ReadonlyMap<string, number>,
  campaignSpend: ReadonlyMap<string, number>,
): number {
  let spend = 0;
  for (const [campaignId, revenue] of groupRevenueByCampaign) {
    const total = campaignRevenue.get(campaignId) ?? 0;
    if (total <= 0) continue;
    spend += ((campaignSpend.get(campaignId) ?? 0) * revenue) / total;
  }
  return spend;
}

export function roasOf(revenueMinor: number, spendMinor: number): number | null {
  return spendMinor > 0 ? revenueMinor / spendMinor : null;
}
