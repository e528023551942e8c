import type { NativeConnection } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { Logger } from '../config/logger';
import { startMetricsServer, type MetricsServer } from '../observability/metrics-http';
import { createWorkerMetrics, renderMetrics, type WorkerMetrics } from '../observability/metrics';
import { createWorkers, sdkMetricsText, type QueueWorker } from '../temporal/worker';
import { currentTickerExtractor } from '../store/ticker-extraction-store';
import type { QueueKind } from '../domain/task-queues';
import { openDatabase } from './database';
import { freePort } from './managed-process';
import { StartupError, temporalUnreachable } from './startup-errors';
import { configureMl } from '../ml';

export interface RunningWorker {
  /** One Temporal Worker per queue this process serves. */
  workers: QueueWorker[];
  /** The kinds of work served (config.workerQueues). */
  queues: QueueKind[];
  db: DataSource;
  metrics: WorkerMetrics;
  /** Where this worker serves /metrics (its own metrics plus the Temporal SDK's). */
  metricsUrl: string;
  /** Resolves when the worker has stopped (after stop(), or on a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(
  config: AppConfig,
  log: Logger,
  target: { databaseUrl: string; temporalAddress: string; fromEnv: boolean; workflowBundlePath?: string; migrate?: boolean },
): Promise<RunningWorker> {
  configureMl(config.ml); // before anything loads a model
  const db = await openDatabase(target.databaseUrl, { fromEnv: target.fromEnv, migrate: target.migrate ?? true, poolSize: config.workerDbPoolSize, applicationName: 'tidings-worker' });
  const metrics = createWorkerMetrics();
  metrics.watchDbPool(db);
  let metricsServer: MetricsServer;
  try {
    metricsServer = await startMetricsServer({
      host: config.metricsHost,
      port: config.metricsPort,
      token: config.metricsToken,
      render: () => renderMetrics(metrics.registry, () => sdkMetricsText()),
    });
  } catch (err) {
    await db.destroy();
    throw new StartupError(`the worker cannot serve metrics on ${config.metricsHost}:${config.metricsPort} (${(err as Error).message}); set METRICS_HOST / METRICS_PORT`);
  }
  const sdkMetricsPort = config.temporalSdkMetricsPort === 0 ? await freePort() : config.temporalSdkMetricsPort;
  let workers: QueueWorker[];
  let connection: NativeConnection;
  try {
    ({ workers, connection } = await createWorkers({
      address: target.temporalAddress,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      queues: config.workerQueues,
      concurrency: config.queueConcurrency,
      db,
      log,
      workflowBundlePath: target.workflowBundlePath,
      logLevel: config.logLevel,
      feeds: { destinationPolicy: config.fetchPolicy, maxItems: config.feedMaxItems },
      metrics,
      sdkMetricsPort,
      webhooks: {
        destinationPolicy: config.fetchPolicy,
        retry: {
          initialIntervalMs: config.webhooks.initialIntervalMs,
          maxIntervalMs: config.webhooks.maxIntervalMs,
          maxAgeMs: config.webhooks.maxAgeMs,
          attemptTimeoutMs: config.webhooks.attemptTimeoutMs,
        },
        maxResponseBytes: config.webhooks.maxResponseBytes,
        disableAfter: config.webhooks.disableAfter,
        feedAlertAfter: config.feedAlertAfter,
      },
    }));
  } catch (err) {
    await metricsServer.close();
    await db.destroy();
    if (/prometheus/i.test(String((err as Error)?.message))) {
      throw new StartupError(`the Temporal SDK metrics exporter cannot listen on 127.0.0.1:${sdkMetricsPort} (${(err as Error).message}); set TEMPORAL_SDK_METRICS_PORT`);
    }
    throw temporalUnreachable(target.temporalAddress, err, target.fromEnv);
  }
  // Build the ticker extractor (listed universe, word lists: about a second) before the first poll,
  // so a new feed's first articles are not held up by it.
  await currentTickerExtractor(db).catch((err: unknown) => log.warn({ err }, 'ticker extractor warm-up failed; the first poll builds it'));
  // One queue's Worker failing stops the others too: a process is up for all its queues or none.
  const running = workers.map(({ worker }) => worker.run());
  const stopAll = () => {
    for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  const done = Promise.all(running.map((r) => r.catch((err) => { stopAll(); throw err; }))).then(() => undefined).finally(async () => {
    await Promise.allSettled(running);
    await connection.close().catch(() => undefined);
    await metricsServer.close();
    await db.destroy().catch(() => undefined);
  });
  return {
    workers,
    queues: config.workerQueues,
    db,
    metrics,
    metricsUrl: metricsServer.url,
    done,
    async stop() {
      stopAll();
      await done;
    },
  };
}
