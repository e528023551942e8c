import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { PipelineProbe } from '../entities';
import { findPipelineProbe, getPipelineProbe, insertPipelineProbe } from '../store/pipeline-probe-store';
import { pipelineProbeWorkflow } from '../workflows/pipeline-probe.workflow';
import { workflowQueue } from '../domain/task-queues';

export class PipelineProbeService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  /** Stores the probe first, so a workflow never runs for a probe the database does not know. */
  async start(note: string | null): Promise<PipelineProbe> {
    const id = randomUUID();
    const workflowId = `pipeline-probe-${id}`;
    await insertPipelineProbe(this.db, id, workflowId, note);
    await this.temporal.workflow.start(pipelineProbeWorkflow, { taskQueue: workflowQueue(this.taskQueue, pipelineProbeWorkflow), workflowId, args: [id] });
    return getPipelineProbe(this.db, id);
  }

  find(id: string): Promise<PipelineProbe | null> {
    return findPipelineProbe(this.db, id);
  }
}
