import { CancellationScope, executeChild, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { replaySignalsWorkflow } from './signal-replay.workflow';

const { runPortfolioCore } = proxyActivities<Activities>({
  // Loads each ticker's bars and scores and runs the simulation once: a minute at most for a sector.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 4, nonRetryableErrorTypes: ['BacktestDataError', 'BacktestStateError'] },
});

const { runPortfolioPermutations } = proxyActivities<Activities>({
  startToCloseTimeout: '60 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: ['BacktestDataError', 'BacktestStateError'] },
});

const { finishPortfolioBacktest, markPortfolioBacktestCancelled, markPortfolioBacktestFailed, portfolioReplayTarget, pinPortfolioSignalSource, resolveModelVersion } = proxyActivities<Activities>({
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
 * One portfolio backtest: replayed signals first when the ranking needs them, then the
 * simulation, then the permutation test in parallel chunks. Started by
 * services/portfolio-backtest.service.ts with workflowId `portfolio-backtest-<id>`; progress is
 * on the row (stage, tickers loaded, permutations done); the row always ends COMPLETED,
 * FAILED or CANCELLED.
 */
export async function portfolioBacktestWorkflow(id: string): Promise<{ id: string; status: string; pValue: number | null }> {
  try {
    const target = await portfolioReplayTarget(id);
    if (target) {
      const modelVersion = target.modelVersion ?? (await resolveModelVersion({}));
      const replay = await executeChild(replaySignalsWorkflow, {
        workflowId: `${workflowInfo().workflowId}-replay`,
        args: [{ targets: target.tickers.map((ticker) => ({ ticker, from: target.from, to: target.to })), modelVersion }],
      });
      await pinPortfolioSignalSource(id, replay.rulesVersion, replay.modelVersion);
    }
    const plan = await runPortfolioCore(id);
    const chunks = await Promise.all(plan.chunks.map((c) => runPortfolioPermutations(id, plan.seed, c.start, c.end)));
    return await finishPortfolioBacktest(id, chunks);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => markPortfolioBacktestCancelled(id));
    } else {
      await markPortfolioBacktestFailed(id, rootMessage(err));
    }
    throw err;
  }
}
