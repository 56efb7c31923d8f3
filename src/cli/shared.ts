// Helpers shared by the CLI's commands: failing with a clear message, running against an assembled Mesure,
// and a progress line for long work.
import { loadConfig } from '../config';
import { assemble, type Mesure } from '../main';

export function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mesure: ${message}\n`);
  process.exit(1);
}

export async function withMesure<T>(fn: (m: Mesure) => Promise<T>): Promise<T> {
  const m = await assemble(loadConfig()).catch(fail);
  try {
    return await fn(m);
  } finally {
    await m.close();
  }
}

export function progressBar(label: string) {
  const tty = process.stderr.isTTY;
  let last = -1;
  return (done: number, total: number, what: string) => {
    const pct = Math.floor((done / total) * 100);
    if (!tty && pct - last < 10 && done !== total) return;
    last = pct;
    const line = `${label} ${String(pct).padStart(3)} % (${done.toLocaleString('en')} / ${total.toLocaleString('en')}) ${what}`;
    process.stderr.write(tty ? `\r${line.padEnd(100)}` : `${line}\n`);
    if (tty && done === total) process.stderr.write('\n');
  };
}

