/**
 * Schedules made before the work was split across task queues (issue 21) start their workflows
 * on the base queue (`tidings`), which no worker serves any more: each is moved to its workflow's
 * queue (`tidings-ingest` for feed polls and price fetches, `tidings-alerts` for the daily
 * signal recompute). Idempotent; the API runs it in the background at start-up.
 */
import type { Client } from '@temporalio/client';
import { WORKFLOW_QUEUES, workflowQueue } from '../domain/task-queues';

export async function moveSchedulesToKindQueues(client: Client, base: string): Promise<string[]> {
  const moved: string[] = [];
  for await (const summary of client.schedule.list()) {
    const type = summary.action?.workflowType;
    if (!type || !(type in WORKFLOW_QUEUES)) continue;
    const handle = client.schedule.getHandle(summary.scheduleId);
    const described = await handle.describe();
    if (described.action.taskQueue !== base) continue;
    const taskQueue = workflowQueue(base, type as keyof typeof WORKFLOW_QUEUES);
    await handle.update((previous) => ({ ...previous, action: { ...previous.action, taskQueue } }));
    moved.push(summary.scheduleId);
  }
  return moved;
}
