import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { ingestionActivities } from './ingestion.activities';
import { featureFlagActivities } from './feature-flag.activities';
import { pipelineProbeActivities } from './pipeline-probe.activities';
import { sentimentActivities } from './sentiment.activities';
import { backtestActivities } from './backtest.activities';
import { signalActivities } from './signal.activities';
import { signalReplayActivities } from './signal-replay.activities';
import { sweepActivities } from './sweep.activities';

/** What every activity may use; built once per worker process. */
export interface ActivityDeps {
  db: DataSource;
  log: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...pipelineProbeActivities(deps.db),
    ...featureFlagActivities(deps.db),
    ...ingestionActivities(deps.db, deps.log),
    ...sentimentActivities(deps.db, deps.log),
    ...signalActivities(deps.db, deps.log),
    ...backtestActivities(deps.db, deps.log),
    ...signalReplayActivities(deps.db, deps.log),
    ...sweepActivities(deps.db, deps.log),
  };
}

export type Activities = ReturnType<typeof createActivities>;
