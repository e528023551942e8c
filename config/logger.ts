/**
 * JSON logs (pino). Anything that could carry a secret is redacted by path, so a careless
 * `log.info({ headers })` or `{ password }` never writes one.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'connectionParams',
  '*.connectionParams',
  'databaseUrl',
  '*.databaseUrl',
  'metricsToken',
  '*.metricsToken',
];

export type { Logger };

let stdout: DestinationStream | undefined;

/**
 * One asynchronous stdout writer per process: a request's log line is queued, not written with
 * a blocking syscall on the request path; lines that arrive during a write go out together.
 * Nothing waits for a buffer to fill, and pending lines are flushed synchronously on exit.
 */
function stdoutDestination(): DestinationStream {
  return (stdout ??= pino.destination({ dest: 1, sync: false }));
}

export function createLogger(opts: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'tidings',
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? stdoutDestination(),
  );
}

/** Removes the password from a connection URL before it is shown to a person. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparsable url]';
  }
}
