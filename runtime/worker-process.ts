import type { Worker } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { Logger } from '../config/logger';
import { createWorker } from '../temporal/worker';
import { openDatabase } from './database';
import { temporalUnreachable } from './startup-errors';

export interface RunningWorker {
  worker: Worker;
  db: DataSource;
  /** Resolves when the worker has stopped (after stop(), or on a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerProcess(
  config: AppConfig,
  log: Logger,
  target: { databaseUrl: string; temporalAddress: string; fromEnv: boolean; workflowBundlePath?: string; migrate?: boolean },
): Promise<RunningWorker> {
  const db = await openDatabase(target.databaseUrl, { fromEnv: target.fromEnv, migrate: target.migrate ?? true, applicationName: 'tidings-worker' });
  let worker: Worker;
  try {
    worker = await createWorker({
      address: target.temporalAddress,
      namespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      db,
      log,
      workflowBundlePath: target.workflowBundlePath,
      logLevel: config.logLevel,
      feeds: { destinationPolicy: config.fetchPolicy, maxItems: config.feedMaxItems },
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
    });
  } catch (err) {
    await db.destroy();
    throw temporalUnreachable(target.temporalAddress, err, target.fromEnv);
  }
  const done = worker.run().finally(() => db.destroy().catch(() => undefined));
  return {
    worker,
    db,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
