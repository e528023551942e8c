import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PollOutcome } from '../contracts';
import { scoreArticlesWorkflow } from './sentiment.workflow';
import { childQueue } from './task-queue';

const { pollFeed } = proxyActivities<Activities>({
  // Fetch is capped at 10 s and 5 MB; parsing and storing a large feed takes a few seconds more.
  startToCloseTimeout: '2 minutes',
  // The activity heartbeats every 2 s while it runs (activities/heartbeat.ts), so a worker that
  // dies mid-poll is noticed within 10 s and the poll is retried on another worker.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 6 },
});

/** One poll of one feed; a Temporal Schedule starts one per feed per interval. */
export async function pollFeedWorkflow(input: { feedId: string; /** default true */ score?: boolean }): Promise<PollOutcome> {
  const outcome = await pollFeed({ feedId: input.feedId, pollId: workflowInfo().workflowId });
  if (outcome.newArticleIds.length > 0 && input.score !== false) {
    // A child with a derived id: a replayed or retried poll can never score the same batch twice.
    await executeChild(scoreArticlesWorkflow, {
      taskQueue: childQueue(scoreArticlesWorkflow),
      workflowId: `${workflowInfo().workflowId}-score`,
      args: [{ articleIds: outcome.newArticleIds, accurate: true }],
    });
  }
  return outcome;
}
