import os from 'node:os';
import type { DataSource } from 'typeorm';
import { completePipelineProbe } from '../store/pipeline-probe-store';

export function pipelineProbeActivities(db: DataSource) {
  return {
    /** Idempotent: a retried attempt finds the probe completed and changes nothing. */
    async completePipelineProbe(probeId: string): Promise<void> {
      await completePipelineProbe(db, probeId, `${os.hostname()}:${process.pid}`);
    },
  };
}
