import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { createWorkerMetrics, type WorkerMetrics } from '../observability/metrics';
import { ingestionActivities } from './ingestion.activities';
import { featureFlagActivities } from './feature-flag.activities';
import { pipelineProbeActivities } from './pipeline-probe.activities';
import { sentimentActivities } from './sentiment.activities';
import { backtestActivities } from './backtest.activities';
import { signalActivities } from './signal.activities';

/** What every activity may use; built once per worker process. */
export interface ActivityDeps {
  db: DataSource;
  log: Logger;
  /** The worker's metrics; a private set (exported nowhere) when absent. */
  metrics?: WorkerMetrics;
}

export function createActivities(deps: ActivityDeps) {
  const metrics = deps.metrics ?? createWorkerMetrics();
  return {
    ...pipelineProbeActivities(deps.db),
    ...featureFlagActivities(deps.db),
    ...ingestionActivities(deps.db, deps.log, metrics),
    ...sentimentActivities(deps.db, deps.log, metrics),
    ...signalActivities(deps.db, deps.log, metrics),
    ...backtestActivities(deps.db, deps.log),
  };
}

export type Activities = ReturnType<typeof createActivities>;
