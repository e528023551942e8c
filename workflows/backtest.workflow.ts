import { CancellationScope, executeChild, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BacktestOutcome } from '../domain/backtest';
import { replaySignalsWorkflow } from './signal-replay.workflow';
import { childQueue } from './task-queue';

const { runBacktestCore } = proxyActivities<Activities>({
  // Loads a few thousand bars and news rows and runs one pass of the engine: seconds at most.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4, nonRetryableErrorTypes: ['BacktestDataError', 'BacktestStateError'] },
});

const { runBacktestPermutations } = proxyActivities<Activities>({
  // 10,000 permutations over decades of daily bars is a few CPU seconds; the heartbeat, not
  // this ceiling, is what notices a dead worker (and it carries the progress a retry resumes from).
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: ['BacktestDataError', 'BacktestStateError'] },
});

const { finishBacktest, markBacktestCancelled, markBacktestFailed, backtestReplayTarget, pinBacktestSignalSource, resolveModelVersion } = proxyActivities<Activities>({
  // Single guarded UPDATEs: retry them patiently, a run must not be left RUNNING forever.
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
});

function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e && typeof e === 'object' && e.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

/**
 * One backtest: the engine run, then its permutation test in parallel chunks, then the
 * p-value. Started by services/backtest.service.ts with workflowId `backtest-<id>`; the
 * backtest_runs row always ends COMPLETED, FAILED or CANCELLED.
 */
export async function backtestWorkflow(backtestId: string): Promise<BacktestOutcome> {
  try {
    // Replayed signals: bring the replay series up to date over the period first (a child
    // workflow; idempotent, so over unchanged data it writes nothing), then pin it on the run.
    const target = await backtestReplayTarget(backtestId);
    if (target) {
      const modelVersion = target.modelVersion ?? (await resolveModelVersion({}));
      const replay = await executeChild(replaySignalsWorkflow, {
        taskQueue: childQueue(replaySignalsWorkflow),
        workflowId: `${workflowInfo().workflowId}-replay`,
        args: [{ targets: [{ ticker: target.ticker, from: target.from, to: target.to }], modelVersion }],
      });
      await pinBacktestSignalSource(backtestId, replay.rulesVersion, replay.modelVersion);
    }
    const plan = await runBacktestCore(backtestId);
    const chunks = await Promise.all(plan.chunks.map((c) => runBacktestPermutations(backtestId, plan.seed, c.start, c.end)));
    return await finishBacktest(backtestId, chunks);
  } catch (err) {
    if (isCancellation(err)) {
      // The workflow's own scope is cancelled: only a non-cancellable scope can still record it.
      await CancellationScope.nonCancellable(() => markBacktestCancelled(backtestId));
    } else {
      await markBacktestFailed(backtestId, rootMessage(err));
    }
    throw err;
  }
}
