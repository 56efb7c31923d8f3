// `npx tsx bench/journeys.ts`: the audience endpoint (holdout 10 % and two variants) against plain message
// registration of the same recipients in the same run (the baseline), then the reads that scan a campaign: the
// A/B report (every message once, plus its attribution rows) and the true lift (messages and holdout joined to
// orders), against the campaign page of the same campaign. On a fresh SQLite file over real sockets.
// Settings by environment: BENCH_RECIPIENTS (50000), BENCH_ORDERS (5000).
import { cpus } from 'node:os';
import { callOk, fmt, startInProcess } from './support';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 50_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 5_000);
const BATCH = 10_000;
const log = (s: string) => process.stdout.write(`${s}\n`);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}

async function main() {
  const s = await startInProcess();
  try {
    const { url, key } = s;
    const recipients = (prefix: string, start: number, n: number) => Array.from({ length: n }, (_, i) => ({ recipient: { email: `${prefix}${start + i}@example.org` } }));

    // Baseline: the same recipients registered as messages, no holdout, no variants.
    const plain = await callOk<{ id: string }>(url, 'POST', '/v1/campaigns', key, { name: 'plain', channel: 'email' });
    const [, baseline] = await timed(async () => {
      for (let start = 0; start < RECIPIENTS; start += BATCH) {
        await callOk(url, 'POST', `/v1/campaigns/${plain.id}/messages`, key, { messages: recipients('p', start, Math.min(BATCH, RECIPIENTS - start)) });
      }
    });

    const ab = await callOk<{ id: string }>(url, 'POST', '/v1/campaigns', key, { name: 'ab', channel: 'email' });
    await callOk(url, 'POST', `/v1/campaigns/${ab.id}/holdout`, key, { share: 0.1 });
    await callOk(url, 'POST', `/v1/campaigns/${ab.id}/variants`, key, { variants: [{ id: 'A', split: 0.5 }, { id: 'B', split: 0.5 }] });
    let treatedIds: string[] = [];
    const [, audience] = await timed(async () => {
      for (let start = 0; start < RECIPIENTS; start += BATCH) {
        const r = await callOk<{ recipients: { messageId: string | null }[] }>(url, 'POST', `/v1/campaigns/${ab.id}/audience`, key, { recipients: recipients('a', start, Math.min(BATCH, RECIPIENTS - start)) });
        treatedIds.push(...r.recipients.flatMap((x) => (x.messageId ? [x.messageId] : [])));
      }
    });
    const [, repeat] = await timed(() => callOk(url, 'POST', `/v1/campaigns/${ab.id}/audience`, key, { recipients: recipients('a', 0, BATCH) }));

    // Deliveries and opens for every treated message, and orders from some recipients, so the reads have work.
    for (let i = 0; i < treatedIds.length; i += 5000) {
      const events = treatedIds.slice(i, i + 5000).flatMap((id, j) => [
        { type: 'delivered', at: new Date(Date.now() - 3_600_000).toISOString(), messageId: id },
        ...(j % 4 === 0 ? [{ type: 'opened', at: new Date(Date.now() - 3_000_000).toISOString(), messageId: id }] : []),
      ]);
      await callOk(url, 'POST', '/v1/events', key, { events });
    }
    for (let i = 0; i < ORDERS; i += 1000) {
      const orders = Array.from({ length: Math.min(1000, ORDERS - i) }, (_, j) => ({
        id: `o${i + j}`, createdAt: new Date(Date.now() - 600_000).toISOString(), currency: 'EUR', total: 2000 + ((i + j) % 7) * 1000,
        customer: { email: `a${((i + j) * 7) % RECIPIENTS}@example.org` },
      }));
      await callOk(url, 'POST', '/v1/orders', key, { orders });
    }
    treatedIds = [];

    const [, page] = await timed(() => callOk(url, 'GET', `/v1/campaigns/${plain.id}`, key));
    const [, abPage] = await timed(() => callOk(url, 'GET', `/v1/campaigns/${ab.id}`, key));
    const [variants, variantsTime] = await timed(() => callOk<{ tests: { metric: string; verdict: string }[] }>(url, 'GET', `/v1/campaigns/${ab.id}/variants`, key));
    const [lift, liftTime] = await timed(() => callOk<{ treated: { n: number }; holdout: { n: number } }>(url, 'GET', `/v1/campaigns/${ab.id}/lift`, key));

    log(`journeys/holdout bench — ${fmt(RECIPIENTS)} recipients, ${fmt(ORDERS)} orders, SQLite, ${cpus().length} cores, node ${process.version}`);
    log(`  baseline POST /messages       ${fmt(baseline, 2)} s  ${fmt(RECIPIENTS / baseline)} recipients/s`);
    log(`  POST /audience (10 %, A/B)    ${fmt(audience, 2)} s  ${fmt(RECIPIENTS / audience)} recipients/s  (${fmt(audience / baseline, 2)}× the baseline)`);
    log(`  POST /audience repeated (10k) ${fmt(repeat, 2)} s  (nothing written)`);
    log(`  baseline GET campaign page    ${fmt(page * 1000)} ms`);
    log(`  GET A/B campaign page         ${fmt(abPage * 1000)} ms  (with its variants and goals)`);
    log(`  GET /variants                 ${fmt(variantsTime * 1000)} ms  (${variants.tests.map((t) => `${t.metric}: ${t.verdict}`).join(', ')})`);
    log(`  GET /lift                     ${fmt(liftTime * 1000)} ms  (treated ${fmt(lift.treated.n)}, held out ${fmt(lift.holdout.n)})`);
  } finally {
    await s.close();
  }
}

await main();
