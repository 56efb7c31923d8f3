// `npm run bench:nodes` (issue #19): the same mixed workload on 1 and on 2 `mesure serve` nodes over one PostgreSQL,
// and the ratio of their throughputs. Each run: a fresh schema, an account, N messages; then 16 clients send API event
// batches (50 events), clicks and send-gate requests (5 recipients), spread round-robin over the nodes. Printed per run:
// requests/s, the nodes' CPU per request (from /proc), and the whole machine's CPU per request (nodes, PostgreSQL and
// this client together, from /proc/stat): on a small machine where they all share the cores, expect no speed-up.
// Flags (environment): BENCH_NODES_MESSAGES (2000), BENCH_NODES_CLIENTS (16). PostgreSQL at MESURE_TEST_PG_URL or
// postgres://postgres@127.0.0.1:5432/test.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request, Agent } from 'node:http';
import pg from 'pg';
import { call, callOk, createAccountWithCli, fmt, startServerProcess, TEST_SECRET_KEY, type ServerProcess } from './support';

const PG_URL = process.env.MESURE_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const MESSAGES = Number(process.env.BENCH_NODES_MESSAGES ?? 2000);
const CLIENTS = Number(process.env.BENCH_NODES_CLIENTS ?? 16);
const TICK_HZ = 100; // Linux clock ticks per second (USER_HZ)
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** utime + stime of a process, in seconds. */
function processCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK_HZ;
}

/** Busy CPU seconds of the whole machine (every core) since boot. */
function machineCpu(): number {
  const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = v[3] + v[4];
  return (v.reduce((a, b) => a + b, 0) - idle) / TICK_HZ;
}

function visit(base: string, token: string): Promise<number> {
  const url = new URL(`/l/${token}`, base);
  return new Promise((ok, ko) => {
    const req = request({ agent, hostname: url.hostname, port: url.port, path: url.pathname, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', ko);
    req.end();
  });
}

async function run(nodeCount: number): Promise<{ requests: number; seconds: number; nodeCpu: number; machineCpu: number }> {
  const schema = `bench_nodes_${randomBytes(5).toString('hex')}`;
  const env = { DATABASE_URL: PG_URL, MESURE_PG_SCHEMA: schema, MESURE_SECRET_KEY: TEST_SECRET_KEY, MESURE_DEMO: '0' };
  const { key } = await createAccountWithCli(env, 'Bench nodes');
  const nodes: ServerProcess[] = await Promise.all(Array.from({ length: nodeCount }, (_, i) => startServerProcess({ ...env, MESURE_NODE_ID: `n${i + 1}`, MESURE_PG_POOL_SIZE: String(Math.max(4, Math.floor(20 / nodeCount))) })));
  try {
    const first = nodes[0].url;
    await callOk(first, 'PUT', '/v1/cost-model', key, { email: { perMessage: 1000 } });
    const campaign = (await callOk<{ id: string }>(first, 'POST', '/v1/campaigns', key, { name: 'bench', channel: 'email' })).id;
    const gate = (await callOk<{ id: string }>(first, 'POST', '/v1/campaigns', key, { name: 'gate', channel: 'email', status: 'sending', budget: 1_000_000_000 })).id;
    const registered = await callOk<{ messages: { index: number; messageId: string }[] }>(first, 'POST', `/v1/campaigns/${campaign}/messages`, key, {
      messages: Array.from({ length: MESSAGES }, (_, i) => ({ recipient: { email: `b${i}@example.org` } })),
    });
    const ids = registered.messages.sort((a, b) => a.index - b.index).map((m) => m.messageId);
    await callOk(first, 'POST', `/v1/campaigns/${campaign}/links`, key, { destinations: ['https://shop.example/p'] });
    const issued = await callOk<{ messages: { links: { token: string }[] }[] }>(first, 'POST', `/v1/campaigns/${campaign}/links/issue`, key, { messageIds: ids });
    const tokens = issued.messages.map((m) => m.links[0].token);
    const base = Date.now() - 3 * 3600_000;
    // Per message: one batch of 50 events covers 25 messages (sent, delivered); one click each; a gate request per 5.
    type Task = (url: string) => Promise<void>;
    const tasks: Task[] = [];
    for (let s = 0; s < MESSAGES; s += 25) {
      const events = ids.slice(s, s + 25).flatMap((id, k) => [
        { type: 'sent', at: new Date(base + (s + k) * 1000).toISOString(), messageId: id },
        { type: 'delivered', at: new Date(base + (s + k) * 1000 + 500).toISOString(), messageId: id },
      ]);
      tasks.push(async (url) => { const r = await call(url, 'POST', '/v1/events', key, { events }); if (r.status !== 200) throw new Error(`events → ${r.status}`); });
    }
    for (const t of tokens) tasks.push(async (url) => { const s = await visit(url, t); if (s !== 302) throw new Error(`click → ${s}`); });
    for (let s = 0; s < MESSAGES; s += 5) {
      const recipients = Array.from({ length: 5 }, (_, k) => ({ email: `g${s + k}@example.org` }));
      tasks.push(async (url) => { const r = await call(url, 'POST', `/v1/campaigns/${gate}/sends`, key, { recipients }); if (r.status !== 200) throw new Error(`gate → ${r.status}`); });
    }
    const order = tasks.map((t, i) => ({ t, k: (i * 7919) % 10_007 })).sort((a, b) => a.k - b.k).map((x) => x.t);
    const pids = nodes.map((n) => n.child.pid!);
    const cpu0 = pids.map(processCpu);
    const m0 = machineCpu();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (next < order.length) {
        const i = next++;
        await order[i](nodes[i % nodes.length].url);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    const nodeCpu = pids.reduce((s, p, i) => s + processCpu(p) - cpu0[i], 0);
    return { requests: order.length, seconds, nodeCpu, machineCpu: machineCpu() - m0 };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

process.stderr.write(`bench:nodes: ${MESSAGES} messages, ${CLIENTS} clients; the same workload on 1 then 2 nodes over one PostgreSQL.\n`);
const results = [];
for (const n of [1, 2]) {
  const r = await run(n);
  results.push(r);
  process.stdout.write(
    `${n} node(s): ${fmt(r.requests)} requests in ${r.seconds.toFixed(1)} s = ${fmt(r.requests / r.seconds)} requests/s; ` +
      `nodes' CPU ${fmt((r.nodeCpu / r.requests) * 1000, 2)} ms/request; machine CPU (nodes, PostgreSQL, client) ${fmt((r.machineCpu / r.requests) * 1000, 2)} ms/request\n`,
  );
}
process.stdout.write(`(the machine's CPU counts everything it ran meanwhile: read it on an otherwise idle machine)\n`);
process.stdout.write(`2 nodes / 1 node throughput: ${((results[1].requests / results[1].seconds) / (results[0].requests / results[0].seconds)).toFixed(2)}\n`);
agent.destroy();
