import { workflowInfo } from '@temporalio/workflow';
import { siblingWorkflowQueue, type WorkflowName } from '../domain/task-queues';

/**
 * The task queue a child workflow goes to: its kind's queue beside this workflow's own (a
 * scoring workflow's signals run on alerts, its replays on batch). A child started without it
 * would inherit the parent's queue and run with the parent's kind of work.
 */
export function childQueue(workflow: WorkflowName | { name: string }): string {
  return siblingWorkflowQueue(workflowInfo().taskQueue, workflow);
}
