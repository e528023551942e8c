/**
 * `npm start`: the whole product on one machine. In order: PostgreSQL (embedded unless
 * DATABASE_URL is set), migrations, a Temporal dev server (unless TEMPORAL_ADDRESS is set),
 * a worker process and an API process. Ctrl-C stops them in reverse order; data lives in
 * TIDINGS_DATA_DIR (default .data/) and is reused by the next start.
 */
import 'reflect-metadata';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config/config';
import { createLogger, redactUrl } from '../config/logger';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { openDatabase } from './database';
import { startManagedProcess, waitUntil, type ManagedProcess } from './managed-process';
import { onShutdownSignal } from './process-signals';
import { reportFatal, StartupError } from './startup-errors';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';
import { ensureWorkflowBundle } from './workflow-bundle';

function say(line: string): void {
  process.stdout.write(`[tidings] ${line}\n`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, name: 'tidings-start' });
  let postgres: EmbeddedPostgres | undefined;
  let temporalServer: TemporalDevServer | undefined;
  const children: ManagedProcess[] = [];
  let stopping = false;

  let stopped: Promise<void> | undefined;
  const stopAll = () => (stopped ??= stopEverything());
  const stopEverything = async () => {
    stopping = true;
    say('stopping: api, worker, Temporal, PostgreSQL');
    for (const child of [...children].reverse()) await child.stop('SIGTERM', 15_000);
    await temporalServer?.stop();
    await postgres?.stop();
    say('stopped');
  };
  onShutdownSignal(stopAll);

  try {
    // The three slow steps do not depend on each other: run them side by side.
    const [databaseUrl, temporalAddress, workflowBundlePath] = await Promise.all([
      (async () => {
        if (config.databaseUrl) return config.databaseUrl;
        postgres = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.embeddedPostgresPort });
        say(`PostgreSQL: embedded, 127.0.0.1:${config.embeddedPostgresPort}, data in ${path.join(config.dataDir, 'postgres')}`);
        return postgres.url;
      })(),
      (async () => {
        if (config.temporalAddress) return config.temporalAddress;
        temporalServer = await startTemporalDevServer({
          cliPath: config.temporalCliPath,
          port: config.temporalDevPort,
          uiPort: config.temporalUiPort,
          dbFile: path.join(config.dataDir, 'temporal', 'temporal.db'),
          namespace: config.temporalNamespace,
        });
        say(`Temporal: dev server at ${temporalServer.address}`);
        return temporalServer.address;
      })(),
      ensureWorkflowBundle(),
    ]);

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
      ...(temporalServer?.uiUrl || config.temporalUiUrl ? { TEMPORAL_UI_URL: temporalServer?.uiUrl ?? config.temporalUiUrl } : {}),
    };
    const forward = (line: string) => process.stdout.write(line + '\n');
    for (const name of ['worker', 'api'] as const) {
      const child = startManagedProcess(process.execPath, [path.join(__dirname, `${name}-main.js`)], { env: childEnv, onLine: forward });
      children.push(child);
      child.waitForExit().then((code) => {
        if (stopping) return;
        say(`${name} exited unexpectedly (code ${code}); stopping everything`);
        stopAll().finally(() => process.exit(1));
      });
    }

    const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
    await waitUntil(
      async () => {
        if (children.some((c) => c.exited())) throw new StartupError('a child process exited during start-up (see its output above)');
        try {
          return (await fetch(`${base}/ready`)).ok;
        } catch {
          return false;
        }
      },
      { timeoutMs: 90_000, intervalMs: 100, describe: () => `the API did not report ready at ${base}/ready within 90 s` },
    );

    const temporalUi = temporalServer?.uiUrl ?? config.temporalUiUrl ?? `(Temporal at ${temporalAddress}; set TEMPORAL_UI_URL to show its UI here)`;
    say(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    say(`Dashboard:   ${base}/`);
    say(`GraphQL:     ${base}/graphql   (subscriptions: ws://${base.slice('http://'.length)}/graphql)`);
    say(`GraphiQL:    ${config.graphiql ? `${base}/graphiql` : '(disabled: GRAPHIQL=false)'}`);
    say(`Temporal UI: ${temporalUi}`);
    say(`Health:      ${base}/health   Ready: ${base}/ready`);
    say('Press Ctrl-C to stop.');
    log.debug('start-up complete');
  } catch (err) {
    if (err instanceof ConfigError) throw new StartupError(`configuration: ${err.message}`);
    await stopAll().catch(() => undefined);
    throw err;
  }
}

main().catch((err) => {
  reportFatal(err instanceof ConfigError ? new StartupError(`configuration: ${err.message}`) : err);
  process.exit(1);
});
