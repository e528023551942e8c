/**
 * `npm start`: the whole product on one machine. In order: PostgreSQL (embedded unless
 * DATABASE_URL is set), migrations, a Temporal dev server (unless TEMPORAL_ADDRESS is set),
 * a worker process and an API process. Ctrl-C (or SIGTERM, once or repeated within 5 s) stops
 * them in reverse order; data lives in TIDINGS_DATA_DIR (default .data/) and is reused by the
 * next start. A unit that dies after start-up is restarted with backoff (runtime/supervisor.ts);
 * a failed start stops what it started; nothing outlives this process, even a SIGKILLed one.
 */
import 'reflect-metadata';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/config';
import { createLogger, redactUrl } from '../config/logger';
import { startEmbeddedPostgres } from './embedded-postgres';
import { openDatabase } from './database';
import { httpOk, startManagedProcess, waitUntil, type ManagedProcess } from './managed-process';
import { onShutdownSignal } from './process-signals';
import { reportFatal, StartupError } from './startup-errors';
import { defaultRestartPolicy, Supervisor, type RestartPolicy, type RunningUnit } from './supervisor';
import { startTemporalDevServer } from './temporal-dev-server';
import { ensureWorkflowBundle } from './workflow-bundle';

function say(line: string): void {
  process.stdout.write(`[tidings] ${line}\n`);
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Restart policy for crashed units; TIDINGS_RESTART_MAX crashes within TIDINGS_RESTART_WINDOW_S give up. */
function restartPolicy(): RestartPolicy {
  return {
    ...defaultRestartPolicy,
    maxCrashes: envInt('TIDINGS_RESTART_MAX', defaultRestartPolicy.maxCrashes),
    windowMs: envInt('TIDINGS_RESTART_WINDOW_S', defaultRestartPolicy.windowMs / 1000) * 1000,
  };
}

function unitOf(proc: ManagedProcess, stop: () => Promise<void>): RunningUnit {
  return { pid: proc.pid, waitForExit: () => proc.waitForExit(), stop, kill: () => proc.kill() };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  const policy = restartPolicy();
  const log = createLogger({ level: config.logLevel, name: 'tidings-start' });
  const supervisor = new Supervisor(say, policy);
  const pendingStarts: Array<Promise<unknown>> = [];

  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      say('stopping: api, worker, Temporal, PostgreSQL');
      await supervisor.stopAll();
      await supervisor.drain(pendingStarts);
      say('stopped');
    })());
  onShutdownSignal(stopAll, { log: say, force: () => supervisor.killAll() });

  try {
    const pgDataDir = path.join(config.dataDir, 'postgres');
    const startPostgres = async (): Promise<RunningUnit> => {
      const pg = await startEmbeddedPostgres({ dataDir: pgDataDir, port: config.embeddedPostgresPort });
      return unitOf(pg.process, pg.stop);
    };
    const temporalOptions = {
      cliPath: config.temporalCliPath,
      port: config.temporalDevPort,
      uiPort: config.temporalUiPort,
      dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
      namespace: config.temporalNamespace,
    };
    const startTemporal = async (): Promise<RunningUnit> => {
      const t = await startTemporalDevServer(temporalOptions);
      return unitOf(t.process, t.stop);
    };

    // The three slow steps do not depend on each other: run them side by side, and wait for
    // all of them even when one fails, so that what did start is stopped again.
    const steps = [
      (async () => {
        if (config.databaseUrl) return config.databaseUrl;
        const pg = await startEmbeddedPostgres({ dataDir: pgDataDir, port: config.embeddedPostgresPort });
        supervisor.adopt('PostgreSQL', unitOf(pg.process, pg.stop), startPostgres);
        say(`PostgreSQL: embedded, 127.0.0.1:${config.embeddedPostgresPort}, data in ${pgDataDir}`);
        return pg.url;
      })(),
      (async () => {
        if (config.temporalAddress) return config.temporalAddress;
        const t = await startTemporalDevServer(temporalOptions);
        supervisor.adopt('Temporal', unitOf(t.process, t.stop), startTemporal);
        say(`Temporal: dev server at ${t.address}`);
        return { address: t.address, uiUrl: t.uiUrl };
      })(),
      ensureWorkflowBundle(),
    ] as const;
    pendingStarts.push(...steps);
    const settled = await Promise.allSettled(steps);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [databaseUrl, temporal, workflowBundlePath] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      string,
      string | { address: string; uiUrl: string | undefined },
      string,
    ];
    const temporalAddress = typeof temporal === 'string' ? temporal : temporal.address;
    const uiUrl = typeof temporal === 'string' ? undefined : temporal.uiUrl;
    if (supervisor.isStopping) return;

    const db = await openDatabase(databaseUrl, { fromEnv: Boolean(config.databaseUrl), migrate: true, poolSize: 2 });
    await db.destroy();
    say(`PostgreSQL: migrations applied (${redactUrl(databaseUrl)})`);

    const childEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TIDINGS_WORKFLOW_BUNDLE: workflowBundlePath,
      TIDINGS_SKIP_MIGRATIONS: '1',
      TIDINGS_MANAGED: '1',
      // The dashboard links workflows to the Temporal UI: the dev server's, or the one configured.
      ...(uiUrl || config.temporalUiUrl ? { TEMPORAL_UI_URL: uiUrl ?? config.temporalUiUrl } : {}),
    };
    const forward = (line: string) => process.stdout.write(line + '\n');
    // From dist/ this runs x-main.js; from source (tests) x-main.ts under the same loader flags.
    const startChild = async (name: 'worker' | 'api'): Promise<RunningUnit> => {
      const script = path.join(__dirname, `${name}-main${path.extname(__filename)}`);
      const child = startManagedProcess(process.execPath, [...process.execArgv, script], { env: childEnv, onLine: forward, ipc: true });
      return unitOf(child, () => child.stop('SIGTERM', 15_000));
    };
    for (const name of ['worker', 'api'] as const) {
      if (supervisor.isStopping) return;
      supervisor.adopt(name, await startChild(name), () => startChild(name));
    }

    const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
    await waitUntil(
      async () => {
        if (supervisor.isStopping) return true;
        const failure = supervisor.failedDuringStartup();
        if (failure) throw new StartupError(`${failure} (see its output above)`);
        return httpOk(`${base}/ready`);
      },
      { timeoutMs: 90_000, intervalMs: 100, describe: () => `the API did not report ready at ${base}/ready within 90 s` },
    );
    if (supervisor.isStopping) return;
    supervisor.goLive();

    const temporalUi = uiUrl ?? config.temporalUiUrl ?? `(Temporal at ${temporalAddress}; set TEMPORAL_UI_URL to show its UI here)`;
    say(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    say(`Dashboard:   ${base}/`);
    say(`GraphQL:     ${base}/graphql   (subscriptions: ws://${base.slice('http://'.length)}/graphql)`);
    say(`GraphiQL:    ${config.graphiql ? `${base}/graphiql` : '(disabled: GRAPHIQL=false)'}`);
    say(`Temporal UI: ${temporalUi}`);
    say(`Health:      ${base}/health   Ready: ${base}/ready`);
    say(`Processes:   ${Object.entries(supervisor.pids()).map(([n, pid]) => `${n} ${pid}`).join(', ')}`);
    const workerMetricsHost = config.metricsHost === '0.0.0.0' ? '127.0.0.1' : config.metricsHost;
    say(`Metrics:     ${base}/metrics   Worker: ${config.metricsPort === 0 ? '(METRICS_PORT=0: see the worker log)' : `http://${workerMetricsHost}:${config.metricsPort}/metrics`}`);
    say('Press Ctrl-C to stop.');
    log.debug('start-up complete');
  } catch (err) {
    // A start that fails at any step stops everything it started.
    await stopAll().catch(() => undefined);
    if (err instanceof ConfigError) throw new StartupError(`configuration: ${err.message}`);
    throw err;
  }
}

main().catch((err) => {
  reportFatal(err instanceof ConfigError ? new StartupError(`configuration: ${err.message}`) : err);
  process.exit(1);
});
