import type { Connection } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { startApiServer, type ApiServer } from '../api/server';
import type { AppConfig } from '../config/config';
import type { Logger } from '../config/logger';
import { EventHub } from '../events/event-hub';
import { PgEventBridge } from '../events/pg-event-bridge';
import { createApiMetrics, type ApiMetrics } from '../observability/metrics';
import { createServices } from '../services';
import { moveSchedulesToKindQueues } from '../services/schedule-queues';
import { connectTemporalClient, temporalReachable, type TemporalClientHandle } from '../temporal/client';
import { openDatabase } from './database';
import { temporalUnreachable } from './startup-errors';
import { configureMl } from '../ml';

export interface RunningApi {
  server: ApiServer;
  db: DataSource;
  temporalConnection: Connection;
  metrics: ApiMetrics;
  stop(): Promise<void>;
}

/** Everything one API process needs, started in order and stopped in reverse. */
export async function startApiProcess(
  config: AppConfig,
  log: Logger,
  target: { databaseUrl: string; temporalAddress: string; fromEnv: boolean; migrate?: boolean },
): Promise<RunningApi> {
  configureMl(config.ml); // before anything loads a model
  const db = await openDatabase(target.databaseUrl, { fromEnv: target.fromEnv, migrate: target.migrate ?? true, applicationName: 'tidings-api' });
  let temporal: TemporalClientHandle;
  try {
    temporal = await connectTemporalClient(target.temporalAddress, config.temporalNamespace);
    await temporalReachable(temporal.connection, config.temporalNamespace, 5000);
  } catch (err) {
    await db.destroy();
    throw temporalUnreachable(target.temporalAddress, err, target.fromEnv);
  }
  const metrics = createApiMetrics();
  metrics.watchDbPool(db);
  const hub = new EventHub(metrics.events);
  const bridge = new PgEventBridge(target.databaseUrl, hub, log, metrics.events);
  await bridge.start();
  const services = createServices({ config, db, temporal: temporal.client, hub, metrics });
  // Schedules from before the task-queue split still name the base queue: move them (background, idempotent).
  void moveSchedulesToKindQueues(temporal.client, config.taskQueue).then(
    (moved) => moved.length > 0 && log.info({ schedules: moved }, 'schedules moved to their task queues'),
    (err: Error) => log.warn({ err: err.message }, 'could not move schedules to their task queues'),
  );
  const server = await startApiServer({ config, db, temporalConnection: temporal.connection, services, log, metrics }, { host: config.host, port: config.port });
  return {
    server,
    db,
    temporalConnection: temporal.connection,
    metrics,
    async stop() {
      // Idle keep-alive connections (browsers, probes) would hold the drain for its whole grace period.
      server.httpServer.closeIdleConnections();
      await server.close();
      await bridge.stop();
      await temporal.close();
      await db.destroy();
    },
  };
}
