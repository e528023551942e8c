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
 * Every thread the process already has is lowered (the V8 platform's, libuv's), and the ones
 * made later (Temporal's core, the workflow threads) inherit it from the main thread
 * (ml/runtime/thread-priority.ts).
 */
import { assertNiceValue, lowerThreadPriority, processThreadIds } from '../ml/runtime/thread-priority';

/** Sets every thread of this process to at least `nice` (0 leaves it as it is); returns the threads lowered. */
export function lowerCpuPriority(nice: number): number {
  assertNiceValue(nice);
  return lowerThreadPriority(nice, processThreadIds());
}
