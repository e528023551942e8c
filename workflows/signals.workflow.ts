import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ComputeSignalsInput, ComputeSignalsResult } from '../contracts';

const { computeSignals } = proxyActivities<Activities>({
  // A few queries and one small transaction per ticker; hundreds of tickers still fit easily.
  startToCloseTimeout: '5 minutes',
  // Heartbeats every 2 s (activities/heartbeat.ts): a dead worker is noticed in ~10 s.
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['SignalInputError'],
  },
});

/**
 * Signals for the tickers touched by new articles (or named explicitly). asOf is fixed here,
 * from workflow time, so every retry of the activity computes the same point in time and the
 * activity's dedupe finds what an earlier attempt already stored.
 */
export async function computeSignalsWorkflow(input: ComputeSignalsInput): Promise<ComputeSignalsResult> {
  const asOf = input.asOf ?? new Date().toISOString();
  return computeSignals({ ...input, asOf });
}
