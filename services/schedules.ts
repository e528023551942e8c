/**
 * The pair of schedule operations that feeds and price sources share: removing a thing's
 * Temporal Schedule (one already gone is no error, so a half-failed earlier remove can be
 * repeated), and running its workflow once now, outside the schedule, under a fresh manual id.
 */
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

export async function deleteSchedule(temporal: Client, scheduleId: string): Promise<void> {
  try {
    await temporal.schedule.getHandle(scheduleId).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/** Starts `workflow` now as `<prefix>-manual-<uuid>`; the workflow id, to follow in the Temporal UI. */
export async function runScheduledWorkflowNow<W extends Workflow>(temporal: Client, taskQueue: string, workflow: W, prefix: string, args: Parameters<W>): Promise<string> {
  const workflowId = `${prefix}-manual-${randomUUID()}`;
  // Parameters<W> is what WorkflowStartOptions<W> asks for; TypeScript cannot see through its conditional type for a generic W.
  await temporal.workflow.start(workflow, { taskQueue, workflowId, args } as unknown as WorkflowStartOptions<W>);
  return workflowId;
}
