import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { PipelineProbe } from '../entities';
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
    const repo = this.db.getRepository(PipelineProbe);
    const probe = repo.create({ id, workflowId, status: 'RUNNING', note, completedBy: null, completedAt: null });
    await repo.insert(probe);
    await this.temporal.workflow.start(pipelineProbeWorkflow, { taskQueue: workflowQueue(this.taskQueue, pipelineProbeWorkflow), workflowId, args: [id] });
    return (await repo.findOneByOrFail({ id }));
  }

  find(id: string): Promise<PipelineProbe | null> {
    return this.db.getRepository(PipelineProbe).findOneBy({ id });
  }
}
