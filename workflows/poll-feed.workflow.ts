import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PollOutcome } from '../activities/ingestion-types';

const { pollFeed } = proxyActivities<Activities>({
  // Fetch is capped at 10 s and 5 MB; parsing and storing a large feed takes a few seconds more.
  startToCloseTimeout: '2 minutes',
  // The activity heartbeats after the (10 s capped) fetch and after parsing, so a worker that
  // dies mid-poll is noticed within 20 s and the poll is retried on another worker.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 6 },
});

/** One poll of one feed; a Temporal Schedule starts one per feed per interval. */
export async function pollFeedWorkflow(input: { feedId: string; /** default true */ score?: boolean }): Promise<PollOutcome> {
  const outcome = await pollFeed({ feedId: input.feedId, pollId: workflowInfo().workflowId });
  if (outcome.newArticleIds.length > 0 && input.score !== false) {
    // A child with a derived id: a replayed or retried poll can never score the same batch twice.
    await executeChild('scoreArticlesWorkflow', {
      workflowId: `${workflowInfo().workflowId}-score`,
      args: [{ articleIds: outcome.newArticleIds, accurate: true }],
    });
  }
  return outcome;
}
