/**
 * Shutdown on SIGINT/SIGTERM, once. `kill -TERM -- -<pgid>` (terminals, process managers,
 * `docker stop`) reaches npm and us, and npm forwards another copy: a repeated signal within
 * `repeatWindowMs` is the same request and is ignored. A signal after that window means
 * "force": `force()` runs (it must kill whatever we started, synchronously) and we exit.
 */
export interface ShutdownOptions {
  log?: (msg: string) => void;
  /** Runs on a forced exit, before process.exit: kill every child at once. */
  force?: () => void;
  repeatWindowMs?: number;
}

export function onShutdownSignal(stop: (signal: NodeJS.Signals | 'parent-gone') => Promise<void>, opts: ShutdownOptions | ((msg: string) => void) = {}): (reason: NodeJS.Signals | 'parent-gone') => void {
  const { log = () => undefined, force, repeatWindowMs = 5000 } = typeof opts === 'function' ? { log: opts } : opts;
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals | 'parent-gone') => {
    if (firstAt !== undefined) {
      if (signal === 'parent-gone' || Date.now() - firstAt < repeatWindowMs) return; // the same request
      log(`${signal} again: forcing exit`);
      try {
        force?.();
      } finally {
        process.exit(130);
      }
    }
    firstAt = Date.now();
    stop(signal).then(
      () => process.exit(0),
      (err) => {
        console.error('error while stopping:', err instanceof Error ? err.message : err);
        force?.();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return handler;
}

/**
 * For a child of the `npm start` supervisor: when the supervisor is gone (its IPC channel
 * disconnects, or our parent pid changes because we were re-parented), run `onGone` once.
 * Does nothing for a process started without an IPC channel (e.g. `npm run start:worker`).
 */
export function exitWithParent(onGone: () => void): void {
  if (typeof process.send !== 'function') return;
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    setTimeout(() => process.exit(1), 15_000).unref(); // a stop that hangs must not keep us alive
    onGone();
  };
  process.once('disconnect', fire);
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) fire();
  }, 500).unref();
}
