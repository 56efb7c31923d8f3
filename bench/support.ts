// Helpers shared by benchmarks and process-level tests: a free port, Mesure as a child process (`mesure serve`)
// or in-process on a fresh SQLite file, the CLI, HTTP calls over real sockets, and generated messages/events.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'node:http';
import { loadConfig } from '../src/config';
import { assemble, type Mesure } from '../src/main';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/mesure.js');

/**
 * The sealing key test and benchmark processes get on PostgreSQL, where Mesure requires one (MESURE_SECRET_KEY): 32 fixed
 * bytes, so a process started later on the same schema opens what an earlier one sealed. SQLite runs make their key file.
 */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

/** `env` with TEST_SECRET_KEY added when it names a PostgreSQL database and no key of its own. */
export function withTestSecretKey(env: Record<string, string>): Record<string, string> {
  const url = env.DATABASE_URL ?? process.env.DATABASE_URL ?? '';
  return /^postgres(ql)?:\/\//.test(url) && !('MESURE_SECRET_KEY' in env) ? { ...env, MESURE_SECRET_KEY: TEST_SECRET_KEY } : env;
}

/** A TCP port free right now on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.once('error', ko);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix = 'mesure-bench-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * How long a `mesure` process may take to start: a few seconds alone, but tens of seconds on a loaded two-core machine
 * (the suite's test files run two at a time, some running their two engines side by side, each starting servers and CLI
 * commands; a start of about 3 s of CPU took over 60 s with the load average at 30). Only a failure waits this long.
 */
export const START_TIMEOUT_MS = 120_000;

/** Runs `mesure <args>` with `env` added to the environment; resolves with stdout, rejects with stderr. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = START_TIMEOUT_MS): Promise<string> {
  return new Promise((ok, ko) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...withTestSecretKey(env) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) ok(out);
      else ko(new Error(`mesure ${args.join(' ')} exited with ${code}: ${err || out}`));
    });
  });
}

/** `mesure accounts create` (in EUR unless `currency` says otherwise): the new account's id and its first (owner) API key. */
export async function createAccountWithCli(env: Record<string, string>, name = 'Bench shop', currency?: string): Promise<{ accountId: string; key: string }> {
  const out = await runCli(['accounts', 'create', '--name', name, '--country', 'FR', ...(currency ? ['--currency', currency] : [])], env);
  const accountId = /^account (\S+)$/m.exec(out)?.[1];
  const key = /^api key (\S+)$/m.exec(out)?.[1];
  if (!accountId || !key) throw new Error(`unexpected output of accounts create: ${out}`);
  return { accountId, key };
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** Everything the process wrote to stdout so far (its request log under MESURE_LOG=1). */
  stdout(): string;
  /** SIGKILL: no shutdown hook runs, like a power cut for the process. Resolves when it has exited. */
  kill(): Promise<void>;
  /** SIGTERM and wait (graceful). */
  stop(): Promise<void>;
}

/** Starts `mesure serve` on 127.0.0.1:<free port> and resolves once it prints that it is running. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = START_TIMEOUT_MS): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, MESURE_DEMO: '0', HOST: '127.0.0.1', ...withTestSecretKey(env), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  await new Promise<void>((ok, ko) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      ko(new Error(`mesure serve did not start within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    const check = () => {
      if (out.includes('Mesure is running')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      ko(new Error(`mesure serve exited with ${code} before listening: ${err}`));
    });
  });
  const wait = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { child, url: `http://127.0.0.1:${port}`, stderr: () => err, stdout: () => out, kill: () => wait('SIGKILL'), stop: () => wait('SIGTERM') };
}

export interface InProcess {
  mesure: Mesure;
  url: string;
  accountId: string;
  key: string;
  dir: string;
  dbPath: string;
  close(): Promise<void>;
}

/** Mesure in this process on a fresh SQLite file, listening on 127.0.0.1:<random>, with an account and a key. */
export async function startInProcess(env: Record<string, string> = {}): Promise<InProcess> {
  const tmp = tempDir();
  const dbPath = join(tmp.dir, 'mesure.db');
  const mesure = await assemble(loadConfig({ DATABASE_URL: `file:${dbPath}`, MESURE_DEMO: '0', ...env }));
  const account = await mesure.deps.accounts.create({ name: 'Bench shop', currency: 'EUR', timeZone: 'Europe/Paris', defaultCountry: 'FR' });
  const key = await mesure.deps.accounts.createKey(account.id, 'bench', 'owner');
  await mesure.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (mesure.app.server.address() as { port: number }).port;
  return {
    mesure, url: `http://127.0.0.1:${port}`, accountId: account.id, key: key.token, dir: tmp.dir, dbPath,
    close: async () => {
      await mesure.close();
      tmp.remove();
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/**
 * One HTTP request over a real socket (keep-alive). `body` may be pre-serialised JSON (a Buffer) so that
 * benchmarks do not pay JSON.stringify while the clock runs. Rejects on a network error (e.g. server killed).
 */
export function call(baseUrl: string, method: string, path: string, key: string, body?: unknown): Promise<HttpAnswer> {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const url = new URL(path, baseUrl);
  return new Promise((ok, ko) => {
    const req = request(
      {
        agent, method, hostname: url.hostname, port: url.port, path: url.pathname + url.search,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('error', ko);
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            // not JSON: keep the text
          }
          ok({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', ko);
    req.end(payload);
  });
}

/** A POST as providers send it: the whole body with its Content-Length, never chunked. */
export function deliver(base: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const payload = Buffer.from(body);
  const url = new URL(path, base);
  return new Promise((ok, ko) => {
    const req = request(
      { method: 'POST', hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: { ...headers, 'content-length': payload.length } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: text }));
        res.on('error', ko);
      },
    );
    req.on('error', ko);
    req.end(payload);
  });
}

/** Like `call`, but throws unless the answer is 2xx. */
export async function callOk<T>(baseUrl: string, method: string, path: string, key: string, body?: unknown): Promise<T> {
  const r = await call(baseUrl, method, path, key, body);
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body as T;
}

/** Creates an email campaign and registers `count` messages (batches of 10,000); returns their ids in order. */
export async function createCampaignWithMessages(
  baseUrl: string,
  key: string,
  count: number,
  opts: { name?: string; prefix?: string; progress?: (done: number, total: number) => void } = {},
): Promise<{ campaignId: string; messageIds: string[] }> {
  const campaign = await callOk<{ id: string }>(baseUrl, 'POST', '/v1/campaigns', key, { name: opts.name ?? 'Bench campaign', channel: 'email' });
  const messageIds: string[] = [];
  for (let start = 0; start < count; start += 10_000) {
    const n = Math.min(10_000, count - start);
    const messages = Array.from({ length: n }, (_, i) => ({ recipient: { email: `${opts.prefix ?? 'r'}${start + i}@example.org` } }));
    const r = await callOk<{ messages: { index: number; messageId: string }[] }>(baseUrl, 'POST', `/v1/campaigns/${campaign.id}/messages`, key, { messages });
    for (const m of r.messages) messageIds[start + m.index] = m.messageId;
    opts.progress?.(start + n, count);
  }
  return { campaignId: campaign.id, messageIds };
}

export const EVENT_CYCLE = ['sent', 'delivered', 'opened', 'clicked'] as const;

/**
 * Batch number `batch` (0-based) of `size` events over `messageIds`: each batch names `size` distinct
 * messages, and message i receives sent, delivered, opened, clicked over four passes (a mix in every batch).
 * Times are distinct per event, in the hours before `now`, so no two events share a dedupe key.
 */
export function eventBatch(messageIds: string[], batch: number, size: number, now: number): { type: string; at: string; messageId: string; url?: string }[] {
  const n = messageIds.length;
  const out = [];
  for (let j = 0; j < size; j++) {
    const k = batch * size + j;
    const i = k % n;
    const pass = Math.floor(k / n);
    const type = EVENT_CYCLE[(i + pass) % 4];
    const at = new Date(now - 3 * 3600_000 + pass * 60_000 + (i % 1000)).toISOString();
    out.push(type === 'clicked' ? { type, at, messageId: messageIds[i], url: 'https://shop.example/p' } : { type, at, messageId: messageIds[i] });
  }
  return out;
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
