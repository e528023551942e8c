import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { pipelineProbeActivities } from './pipeline-probe.activities';

/** What every activity may use; built once per worker process. */
export interface ActivityDeps {
  db: DataSource;
  log: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...pipelineProbeActivities(deps.db),
  };
}

export type Activities = ReturnType<typeof createActivities>;
