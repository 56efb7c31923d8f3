// CPU per request in a benchmark round, read from Linux's /proc: the server process (all its threads, and its main
// thread alone) and the load generator (this process). Lets a ratio be told apart from the machine's load: a round
// that is slower with the same CPU per request was starved, one with more CPU per request did more work.
import { readFileSync } from 'node:fs';

/** CPU time (user + system, ms) a process has used, all threads, or its main thread: Linux's /proc (undefined elsewhere). */
export function cpuMsOf(pid: number, mainThreadOnly = false): number | undefined {
  try {
    const fields = readFileSync(mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** The CPU a round took: the server process (all its threads) and this process (autocannon), µs per answered request. */
export async function measured<T extends { ok: number }>(pid: number, run: () => Promise<T>): Promise<T & { serverCpuUs?: number; mainCpuUs?: number; loadCpuUs: number }> {
  const s0 = cpuMsOf(pid);
  const m0 = cpuMsOf(pid, true);
  const l0 = process.cpuUsage();
  const r = await run();
  const s1 = cpuMsOf(pid);
  const m1 = cpuMsOf(pid, true);
  const l = process.cpuUsage(l0);
  const per = (ms: number) => (ms * 1000) / Math.max(1, r.ok);
  return {
    ...r,
    serverCpuUs: s0 !== undefined && s1 !== undefined ? per(s1 - s0) : undefined,
    mainCpuUs: m0 !== undefined && m1 !== undefined ? per(m1 - m0) : undefined,
    loadCpuUs: per((l.user + l.system) / 1000),
  };
}
