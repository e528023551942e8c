/**
 * A nice value: a thread's CPU priority on Linux, from 0 (the default) to 19 (yields the CPU
 * most). The one rule for both settings that take one (TIDINGS_WORKER_NICE, TIDINGS_ENCODER_NICE)
 * and for the code that applies them (ml/runtime/thread-priority.ts).
 */
export function isNiceValue(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 19;
}

/** An environment variable as a nice value: unset or empty gives `fallback`; anything else not a nice value throws `Err`. */
export function niceValueFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, Err: new (message: string) => Error): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!isNiceValue(value)) throw new Err(`${name} must be a whole number from 0 to 19 (a nice value; higher yields the CPU), got "${raw}"`);
  return value;
}
