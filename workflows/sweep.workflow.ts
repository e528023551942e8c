import { CancellationScope, executeChild, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BestOfNChunkResult } from '../domain/backtest';
import type { WalkForwardWindowResult } from '../contracts';
import { replaySignalsWorkflow } from './signal-replay.workflow';
import { childQueue } from './task-queue';

const { planSweep, pinSweepSignalSource, resolveModelVersion } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: ['SweepStateError', 'BacktestDataError'] },
});

const { runSweepConfig } = proxyActivities<Activities>({
  // One engine pass over a few thousand bars: milliseconds once the data is loaded. A short
  // ceiling is what notices a killed worker quickly (there is no heartbeat in so short a task).
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['SweepStateError', 'BacktestDataError'] },
});

const { runWalkForwardWindow } = proxyActivities<Activities>({
  // Every configuration on one window's in-sample span, then the winner out of sample: seconds.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: ['SweepStateError', 'BacktestDataError'] },
});

const { runSweepPermutations, runWalkForwardPermutations } = proxyActivities<Activities>({
  startToCloseTimeout: '60 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: ['SweepStateError', 'BacktestDataError'] },
});

const { finishSweep, finishWalkForward, markSweepTerminal } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
});

const PERMUTATION_CHUNKS = 4;

/** One configuration of a sweep: a child workflow per backtest, so each is visible (and retried) on its own. */
export async function sweepConfigWorkflow(sweepId: string, index: number): Promise<{ index: number; statistic: number }> {
  return runSweepConfig(sweepId, index);
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight (deterministic: indices are handed out in order). */
async function boundedAll<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, lane));
  return out;
}

function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

async function withTerminalStatus<T>(sweepId: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => markSweepTerminal(sweepId, 'CANCELLED', null));
    else await markSweepTerminal(sweepId, 'FAILED', rootMessage(err));
    throw err;
  }
}

async function replayIfNeeded(plan: Awaited<ReturnType<typeof planSweep>>, sweepId: string): Promise<void> {
  if (!plan.replay) return;
  const modelVersion = plan.replay.modelVersion ?? (await resolveModelVersion({}));
  const replay = await executeChild(replaySignalsWorkflow, {
    taskQueue: childQueue(replaySignalsWorkflow),
    workflowId: `${workflowInfo().workflowId}-replay`,
    args: [{ targets: [{ ticker: plan.replay.ticker, from: plan.replay.from, to: plan.replay.to }], modelVersion }],
  });
  await pinSweepSignalSource(sweepId, replay.rulesVersion, replay.modelVersion);
}

/**
 * A parameter sweep: one child backtest per configuration with bounded concurrency, then the
 * best-of-N permutation test of the best configuration against the whole search (see
 * domain/backtest/sweep.ts). Results are rows in parameter_sweep_results (progress = their
 * count, ranking = ORDER BY statistic). Survives worker restarts (children and activities are
 * durable; a finished configuration is never recomputed) and can be cancelled.
 */
export async function parameterSweepWorkflow(sweepId: string): Promise<{ id: string; status: string; bestIndex: number; pValue: number | null; pValueBestAlone: number | null }> {
  return withTerminalStatus(sweepId, async () => {
    const plan = await planSweep(sweepId);
    await replayIfNeeded(plan, sweepId);
    const parent = workflowInfo().workflowId;
    const results = await boundedAll(plan.configs, plan.concurrency, (i) =>
      executeChild(sweepConfigWorkflow, { taskQueue: childQueue(sweepConfigWorkflow), workflowId: `${parent}-config-${i}`, args: [sweepId, i] }),
    );
    let bestIndex = 0;
    for (const r of results) if (r.statistic > results[bestIndex].statistic) bestIndex = r.index;
    const count = Math.min(PERMUTATION_CHUNKS, plan.permutations);
    const chunks: BestOfNChunkResult[] = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        runSweepPermutations(sweepId, bestIndex, plan.seed, Math.floor((i * plan.permutations) / count), Math.floor(((i + 1) * plan.permutations) / count)),
      ),
    );
    return finishSweep(sweepId, bestIndex, chunks);
  });
}

/**
 * Walk-forward: for each window, optimise over the grid in sample and trade the winner out of
 * sample after the purge and embargo gaps (one activity per window, bounded concurrency), then
 * the permutation test of the stitched out-of-sample result, then stitch and store.
 */
export async function walkForwardWorkflow(sweepId: string): Promise<{ id: string; status: string }> {
  return withTerminalStatus(sweepId, async () => {
    const plan = await planSweep(sweepId);
    await replayIfNeeded(plan, sweepId);
    const steps: WalkForwardWindowResult[] = await boundedAll(plan.windows, plan.concurrency, (w) => runWalkForwardWindow(sweepId, w));
    // The permutation test of the stitched out-of-sample result, with each window's choice fixed.
    const chosen = [...steps].sort((a, b) => a.window.index - b.window.index).map((s) => s.chosen);
    const count = Math.min(PERMUTATION_CHUNKS, plan.permutations);
    const chunks = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        runWalkForwardPermutations(sweepId, chosen, plan.seed, Math.floor((i * plan.permutations) / count), Math.floor(((i + 1) * plan.permutations) / count)),
      ),
    );
    return finishWalkForward(sweepId, steps, chunks);
  });
}
