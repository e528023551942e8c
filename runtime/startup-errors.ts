import { redactUrl } from '../config/logger';

/** Thrown for start-up failures a person can fix; the message is the whole story (no stack). */
export class StartupError extends Error {}

function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return reason(err.errors[0]);
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(': ') || String(err);
}

export function postgresUnreachable(url: string, err: unknown, fromEnv: boolean): StartupError {
  const fix = fromEnv
    ? 'Start that server, correct DATABASE_URL, or unset DATABASE_URL to let `npm start` run an embedded PostgreSQL.'
    : 'The embedded PostgreSQL did not answer; see the lines above, or set DATABASE_URL to use your own server.';
  return new StartupError(`PostgreSQL is not reachable at ${redactUrl(url)} (${reason(err)}). ${fix}`);
}

export function temporalUnreachable(address: string, err: unknown, fromEnv: boolean): StartupError {
  const fix = fromEnv
    ? 'Start it (e.g. `temporal server start-dev`), correct TEMPORAL_ADDRESS, or unset TEMPORAL_ADDRESS to let `npm start` run a dev server.'
    : 'The Temporal dev server did not answer; see the lines above.';
  return new StartupError(`Temporal is not reachable at ${address} (${reason(err)}). ${fix}`);
}

export function migrationFailed(err: unknown): StartupError {
  return new StartupError(`Database migration failed and was rolled back, the database is unchanged: ${reason(err)}`);
}

/** Prints one line for errors a person can fix, a stack only for the unexpected. */
export function reportFatal(err: unknown, prefix = 'tidings'): void {
  if (err instanceof StartupError) console.error(`${prefix}: ${err.message}`);
  else console.error(`${prefix}: unexpected failure:`, err);
}
