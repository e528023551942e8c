/**
 * `npm run start:worker [-- --queues=ingest,scoring]`: one worker process against an existing
 * PostgreSQL and Temporal, serving the task queues named by --queues or TIDINGS_WORKER_QUEUES
 * (default all four: ingest, scoring, alerts, batch), each with its own slots.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import { ConfigError, loadConfig, workerQueuesFlag } from '../config/config';
import { createLogger } from '../config/logger';
import { lowerCpuPriority } from '../ml/runtime/thread-priority';
import { exitWithParent, onShutdownSignal } from './process-signals';
import { reportFatal, StartupError } from './startup-errors';
import { ensureWorkflowBundle } from './workflow-bundle';
import { startWorkerProcess } from './worker-process';

async function main(): Promise<void> {
  // Under `npm start`: never outlive the supervisor, not even while still starting.
  let shutdown: ((reason: 'parent-gone') => void) | undefined;
  exitWithParent(() => (shutdown ? shutdown('parent-gone') : process.exit(1)));
  let config;
  try {
    config = { ...loadConfig(), ...workerQueuesFlag(process.argv.slice(2)) };
  } catch (err) {
    if (err instanceof ConfigError) throw new StartupError(err.message);
    throw err;
  }
  if (!config.databaseUrl) throw new StartupError('DATABASE_URL is not set: the worker alone needs an existing PostgreSQL (or run `npm start` for the whole stack)');
  if (!config.temporalAddress) throw new StartupError('TEMPORAL_ADDRESS is not set: the worker alone needs an existing Temporal server (or run `npm start` for the whole stack)');
  // Before Temporal's and the workflows' threads exist, so they start at this priority too.
  lowerCpuPriority(config.workerNice);
  const log = createLogger({ level: config.logLevel, name: 'tidings-worker' });
  const workflowBundlePath = process.env.TIDINGS_WORKFLOW_BUNDLE ?? (await ensureWorkflowBundle());
  const worker = await startWorkerProcess(config, log, {
    databaseUrl: config.databaseUrl,
    temporalAddress: config.temporalAddress,
    fromEnv: process.env.TIDINGS_MANAGED !== '1',
    workflowBundlePath,
    migrate: process.env.TIDINGS_SKIP_MIGRATIONS !== '1',
  });
  log.info({ taskQueues: worker.workers.map((w) => w.taskQueue), metricsUrl: worker.metricsUrl, nice: config.workerNice }, 'worker running');
  // For container health checks: a file whose age says the worker's event loop is alive.
  const heartbeatFile = process.env.TIDINGS_HEARTBEAT_FILE;
  if (heartbeatFile) {
    const beat = () => fs.writeFileSync(heartbeatFile, new Date().toISOString());
    beat();
    setInterval(beat, 10_000).unref();
  }
  shutdown = onShutdownSignal(async () => {
    log.info('worker stopping');
    await worker.stop();
  });
  await worker.done;
}

main().catch((err) => {
  reportFatal(err, 'tidings-worker');
  process.exit(1);
});
