import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import type { Logger } from '../../config/logger';
import { createDataSource } from '../../db/data-source';
import type { EventHub } from '../../events/event-hub';
import { PgEventBridge } from '../../events/pg-event-bridge';
import { startWorkerProcess, type RunningWorker } from '../../runtime/worker-process';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { testEnv } from './stack';

export interface WorkerHarness {
  worker: RunningWorker;
  db: DataSource;
  temporal: TemporalClientHandle;
  bridge: PgEventBridge;
  stop(): Promise<void>;
}

/**
 * A real worker on `config.taskQueue`, a database connection, a Temporal client and an event
 * bridge feeding `hub`: everything a workflow-level test needs without an API.
 */
export async function startWorkerHarness(config: AppConfig, log: Logger, hub: EventHub): Promise<WorkerHarness> {
  const env = testEnv();
  const worker = await startWorkerProcess(config, log, { databaseUrl: env.databaseUrl, temporalAddress: env.temporalAddress, fromEnv: true, migrate: false, workflowBundlePath: env.workflowBundlePath });
  const db = createDataSource(env.databaseUrl, { poolSize: 4 });
  await db.initialize();
  const temporal = await connectTemporalClient(env.temporalAddress, 'default');
  const bridge = new PgEventBridge(env.databaseUrl, hub, log);
  await bridge.start();
  return {
    worker,
    db,
    temporal,
    bridge,
    async stop() {
      await bridge.stop();
      await temporal.close();
      await db.destroy();
      await worker.stop();
    },
  };
}
