/**
 * CPU priority (nice values) of threads, for work that should yield to the live path on a
 * shared machine: a worker process that serves only background queues (runtime/cpu-priority.ts)
 * and the accurate tier's encoder threads (serving/accurate/encoder-pool.ts).
 *
 * On Linux a nice value belongs to each thread, and a new thread starts with its creator's.
 * Lowering never needs privileges; raising it back would, so a value below the current one is
 * left alone. Elsewhere (no /proc) only the process itself is known.
 */
import fs from 'node:fs';
import os from 'node:os';

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

export function assertNiceValue(nice: number): void {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError(`a nice value is a whole number from 0 to 19, got ${nice}`);
}

/** Sets each of `threads` to at least `nice` (0 leaves them as they are); returns how many were lowered. */
export function lowerThreadPriority(nice: number, threads: readonly number[]): number {
  assertNiceValue(nice);
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
