import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ComputeSignalsResult, PriceFetchResult } from '../contracts';
import { computeSignalsWorkflow } from './signals.workflow';
import { childQueue } from './task-queue';

const { fetchPriceSource, followedTickers } = proxyActivities<Activities>({
  // Each ticker's fetch is capped at 10 s like a feed's; a source with many tickers heartbeats per ticker.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5 },
});

const CHUNK = 500;

/** One scheduled run of one price source: new bars in, then the changed tickers' signals recomputed. */
export async function fetchPricesWorkflow(input: { sourceId: string }): Promise<PriceFetchResult & { signals: number }> {
  const result = await fetchPriceSource({ sourceId: input.sourceId });
  let signals = 0;
  for (let i = 0; i < result.changedTickers.length; i += CHUNK) {
    const r: ComputeSignalsResult = await executeChild(computeSignalsWorkflow, {
      taskQueue: childQueue(computeSignalsWorkflow),
      workflowId: `${workflowInfo().workflowId}-signals-${i / CHUNK}`,
      args: [{ tickers: result.changedTickers.slice(i, i + CHUNK) }],
    });
    signals += r.signals.length;
  }
  return { ...result, signals };
}

/** The daily schedule: every followed ticker's signals, so they do not go stale without news. */
export async function recomputeFollowedSignalsWorkflow(): Promise<{ tickers: number; signals: number; skipped: number }> {
  const tickers = await followedTickers();
  let signals = 0;
  let skipped = 0;
  for (let i = 0; i < tickers.length; i += CHUNK) {
    const r: ComputeSignalsResult = await executeChild(computeSignalsWorkflow, {
      taskQueue: childQueue(computeSignalsWorkflow),
      workflowId: `${workflowInfo().workflowId}-signals-${i / CHUNK}`,
      args: [{ tickers: tickers.slice(i, i + CHUNK) }],
    });
    signals += r.signals.length;
    skipped += r.skipped.length;
  }
  return { tickers: tickers.length, signals, skipped };
}
