/**
 * Runs `stop` once on the first SIGINT/SIGTERM, then exits; a second signal exits at once
 * (for the impatient Ctrl-C Ctrl-C).
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>, log: (msg: string) => void = () => undefined): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (err) => {
        console.error('error while stopping:', err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
