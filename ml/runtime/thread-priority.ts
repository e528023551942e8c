/**
 * CPU priority (nice values) of threads, for work that should yield to the live path on a
 * shared machine: a worker process that serves only background queues (lowerCpuPriority) and the
 * accurate tier's encoder threads (serving/accurate/encoder-pool.ts).
 *
 * On Linux a nice value belongs to each thread, and a new thread starts with its creator's.
 * Lowering never needs privileges; raising it back would, so a value below the current one is
 * left alone. Elsewhere (no /proc) only the process itself is known.
 */
import fs from 'node:fs';
import os from 'node:os';
import { isNiceValue } from '../../config/nice-value';

/** The ids of this process's threads (Linux), else only the process itself (0). */
export function processThreadIds(): number[] {
  try {
    return fs.readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    return [0];
  }
}

/** The id of the calling thread (the main thread's is the process id), or undefined where /proc is missing. */
export function currentThreadId(): number | undefined {
  try {
    const id = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Sets each of `threads` to at least `nice` (0 leaves them as they are); returns how many were lowered. */
export function lowerThreadPriority(nice: number, threads: readonly number[]): number {
  if (!isNiceValue(nice)) throw new RangeError(`a nice value is a whole number from 0 to 19, got ${nice}`);
  if (nice === 0) return 0;
  let lowered = 0;
  for (const thread of threads) {
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

/**
 * Sets every thread of this process to at least `nice`, for a worker process that serves only
 * background queues on a machine it shares with live ones (TIDINGS_WORKER_NICE). The threads it
 * already has are lowered (the V8 platform's, libuv's); the ones made later (Temporal's core, the
 * workflow threads) inherit it from the main thread.
 *
 * Why: on one machine a parameter sweep is always runnable, so at equal priority it takes a full
 * core from the live path (the fast tier, signals, webhooks, and the PostgreSQL and Temporal
 * processes they wait on): with the sweep beside a 20 articles/s stream the scoring workflows'
 * first workflow task waited 7-9 s (p50) for CPU, and 0.3 s with the sweep's process at nice 19
 * (BENCHMARKS.md, "latency"). Queue slots cannot do this: they cap how many activities run, not
 * the CPU each one takes.
 */
export function lowerCpuPriority(nice: number): number {
  return lowerThreadPriority(nice, processThreadIds());
}
