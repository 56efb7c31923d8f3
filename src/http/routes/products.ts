// What sold over HTTP (issue #24, part 7): GET /v1/products/report (per product type or product: attributed revenue,
// conversions, spend shared by revenue and ROAS) and the same table as CSV. A campaign's top products and types come
// with GET /v1/campaigns/{id} (`products`).
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../app';
import { accountOf } from '../app';
import { HttpError } from '../errors';
import { isoDate } from '../schemas';
import { schemaRef } from '../responses';
import { csvField } from '../csv';
import { formatMinor } from '../../domain/orders';
import type { Products, ProductReportQuery } from '../../services/products';

declare module '../app' {
  interface Deps {
    products: Products;
  }
}

const reportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupBy: { type: 'string', enum: ['type', 'product'], default: 'type' },
    from: isoDate,
    to: isoDate,
    campaignId: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

const description =
  'Per product type (`groupBy=type`, the default) or product (`groupBy=product`): the attributed revenue shared to its lines, its conversions ' +
  '(credited orders containing it, fractional as credits are), its spend (each campaign\'s spend of the period shared by the group\'s share of ' +
  "the campaign's attributed revenue) and ROAS. `from`/`to` (inclusive days) select credits by the send day of the credited message; " +
  '`campaignId` keeps one campaign. See docs/ATTRIBUTION.md, "What sold".';

async function queryOf(deps: Deps, accountId: string, q: ProductReportQuery): Promise<ProductReportQuery> {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw new HttpError(400, `from (${q.from}) must not be after to (${q.to}).`, [{ path: '/from', message: 'after to' }]);
  }
  if (q.campaignId !== undefined && !(await deps.campaigns.get(accountId, q.campaignId))) throw new HttpError(404, `No campaign ${q.campaignId} in this account.`);
  return q;
}

export async function productRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get('/v1/products/report', {
    schema: { summary: 'What sold: attributed revenue, conversions and ROAS per product type or product', description, querystring: reportQuery, answers: { 200: schemaRef('ProductReport') } },
  }, async (req) => {
    const accountId = accountOf(req);
    return deps.products.report(accountId, await queryOf(deps, accountId, req.query as ProductReportQuery));
  });

  app.get('/v1/products/report.csv', {
    schema: { summary: 'The product report as CSV', description, querystring: reportQuery },
  }, async (req, reply) => {
    const accountId = accountOf(req);
    const r = await deps.products.report(accountId, await queryOf(deps, accountId, req.query as ProductReportQuery));
    const money = (m: number) => formatMinor(m, r.currency);
    let out = `${[r.groupBy === 'type' ? 'productType' : 'product', 'label', 'currency', 'revenue', 'conversions', 'spend', 'roas', 'campaigns'].join(',')}\n`;
    // ROAS with four decimals, as a spreadsheet shows it; conversions as they are (fractions of orders under split credit).
    const roas = (x: number | null) => (x === null ? null : Number(x.toFixed(4)));
    for (const i of r.items) out += `${[i.key, i.label, r.currency, money(i.revenue), i.conversions, money(i.spend), roas(i.roas), i.campaigns].map((v) => csvField(v)).join(',')}\n`;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="products-by-${r.groupBy}.csv"`);
    return reply.send(out);
  });
}
