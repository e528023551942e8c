/**
 * Lowering a process's CPU priority (its nice value), for worker processes that serve only
 * background queues on a machine they share with live ones.
 *
 * Why: on one machine a parameter sweep is always runnable, so at equal priority it takes a full
 * core from the live path (the fast tier, signals, webhooks, and the PostgreSQL and Temporal
 * processes they wait on): with the sweep beside a 20 articles/s stream the scoring workflows'
 * first workflow task waited 7-9 s (p50) for CPU, and 0.3 s with the sweep's process at nice 19
 * (BENCHMARKS.md, "latency"). Queue slots cannot do this: they cap how many activities run, not
 * the CPU each one takes.
 *
 * On Linux a nice value belongs to each thread, and a new thread starts with its creator's, so
 * every thread the process already has is lowered (the V8 platform's, libuv's), and the ones
 * made later (Temporal's core, the workflow threads) inherit it from the main thread. Lowering
 * never needs privileges; raising it back would, so a value below the current one is left alone.
 */
import fs from 'node:fs';
import os from 'node:os';

/** The ids of this process's threads (Linux), else only the process itself. */
function ownThreads(): number[] {
  try {
    return fs.readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    return [0];
  }
}

/** Sets every thread of this process to at least `nice` (0 leaves it as it is); returns the threads lowered. */
export function lowerCpuPriority(nice: number): number {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`a nice value is a whole number from 0 to 19, got ${nice}`);
  if (nice === 0) return 0;
  let lowered = 0;
  for (const thread of ownThreads()) {
    try {
      if (os.getPriority(thread) >= nice) continue;
      os.setPriority(thread, nice);
      lowered++;
    } catch {
      // A thread that ended between the listing and now.
    }
  }
  return lowered;
}
