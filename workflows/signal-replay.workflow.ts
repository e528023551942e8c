import { CancellationScope, continueAsNew, defineQuery, isCancellation, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ReplayChunk, ReplayChunkResult, ReplayPlan, ReplaySignalsInput, ReplaySummary } from '../contracts';

const { planSignalReplay, resolveModelVersion } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['SignalReplayInputError'] },
});

const { replaySignalChunk } = proxyActivities<Activities>({
  // A 90-day chunk of daily bars is ~63 decision times, a few queries each: seconds. The
  // heartbeat (with the last finished decision time) is what notices a dead worker.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: ['SignalReplayInputError'] },
});

const { finishSignalReplay } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
});

/** Tickers replayed side by side; one ticker's chunks always run in order (novelty reads the previous replayed signal). */
export const REPLAY_CONCURRENCY = 2;
/** Continue-as-new past this many history events, carrying the chunks still to do. */
const HISTORY_LIMIT = 4000;

export const replayProgressQuery = defineQuery<{ done: number; total: number }>('replayProgress');

interface ReplayState {
  plan: ReplayPlan;
  remaining: ReplayChunk[];
  total: number;
}

/**
 * Replays the signal rules point in time (see activities/signal-replay.activities.ts) over the
 * targets, chunk by chunk. Resumable (Temporal replays finished chunks from history; a chunk
 * cut short resumes from its heartbeat), idempotent (rows keyed by series and decision time),
 * progress in `signal_replays` and the `replayProgress` query. Workflow id = replay id.
 */
export async function replaySignalsWorkflow(input: ReplaySignalsInput, state?: ReplayState): Promise<ReplaySummary> {
  const replayId = workflowInfo().workflowId;
  let current = state;
  setHandler(replayProgressQuery, () => ({ done: current ? current.total - current.remaining.length : 0, total: current?.total ?? 0 }));
  let carryOver = false;
  try {
    if (!current) {
      const modelVersion = input.modelVersion ?? (await resolveModelVersion({}));
      const plan = await planSignalReplay(replayId, { ...input, modelVersion });
      current = { plan, remaining: plan.chunks, total: plan.chunks.length };
    }
    const { chunks: _all, ...planHead } = current.plan;
    while (current.remaining.length > 0) {
      // The earliest remaining chunk of up to REPLAY_CONCURRENCY different tickers.
      const batch: ReplayChunk[] = [];
      const seen = new Set<string>();
      for (const c of current.remaining) {
        if (batch.length >= REPLAY_CONCURRENCY) break;
        if (seen.has(c.ticker)) continue;
        seen.add(c.ticker);
        batch.push(c);
      }
      const results: ReplayChunkResult[] = await Promise.all(batch.map((c) => replaySignalChunk(planHead, c)));
      const done = new Set(results.map((r) => r.key));
      current = { ...current, remaining: current.remaining.filter((c) => !done.has(c.key)) };
      if (current.remaining.length > 0 && workflowInfo().historyLength > HISTORY_LIMIT) {
        carryOver = true;
        break;
      }
    }
    if (!carryOver) return await finishSignalReplay(replayId, 'COMPLETED', null);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => finishSignalReplay(replayId, 'CANCELLED', null));
    } else if (current) {
      await finishSignalReplay(replayId, 'FAILED', (err as Error).message ?? String(err));
    }
    throw err;
  }
  // Outside the try: continue-as-new is thrown, and must not be taken for a failure.
  return continueAsNew<typeof replaySignalsWorkflow>(input, { ...current, plan: { ...current.plan, chunks: [] } });
}
