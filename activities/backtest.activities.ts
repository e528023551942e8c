import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import {
  combinePermutationChunks, downsampleEquity, preparePermutationTest, replayTargetOf, runBacktest, runPermutationChunk, type BacktestOutcome, type BacktestPlan, type PermutationChunkResult, type PermutationStatistic,
  type PreparedPermutationTest,
} from '../domain/backtest';
import {
  addBacktestPermutationsDone, backtestStatusAndPValue, completeBacktestRun, markBacktestTerminal, pinBacktestSignalSource, storeBacktestCore,
} from '../store/backtest-status-store';
import { loadRun, prepareRun } from '../store/backtest-input-store';

/** Parallel permutation activities per backtest: 4 keeps a 2-core worker busy without starving others. */
export const PERMUTATION_CHUNKS = 4;
const EQUITY_POINTS = 500;
const PROGRESS_EVERY_MS = 500;
const SLICE_MS = 25;

const finite = (x: number | null) => (x === null || !Number.isFinite(x) ? null : x);

/** One prepared permutation test per backtest per worker process, so parallel chunks and retries on this worker share it. */
const preparedCache = new Map<string, Promise<PreparedPermutationTest>>();
const CACHE_LIMIT = 16;

function preparedTest(db: DataSource, backtestId: string): Promise<PreparedPermutationTest> {
  let entry = preparedCache.get(backtestId);
  if (!entry) {
    entry = loadRun(db, backtestId).then(async ({ params }) => {
      const run = await prepareRun(db, params);
      return preparePermutationTest(run.bars, run.targets, { ...run.options, statistic: params.statistic });
    });
    // A failed preparation must not be remembered: the retry should try again.
    entry.catch(() => preparedCache.delete(backtestId));
    preparedCache.set(backtestId, entry);
    if (preparedCache.size > CACHE_LIMIT) preparedCache.delete(preparedCache.keys().next().value!);
  }
  return entry;
}

export function backtestActivities(db: DataSource, log: Logger) {
  return {
    /**
     * The backtest itself: stores metrics and the downsampled equity curve, marks the run
     * RUNNING and returns how to split the permutation test. Deterministic, so a retry writes
     * the same result again.
     */
    async runBacktestCore(backtestId: string): Promise<BacktestPlan> {
      const { status, params } = await loadRun(db, backtestId);
      if (status !== 'PENDING' && status !== 'RUNNING') throw ApplicationFailure.nonRetryable(`backtest ${backtestId} is already ${status}`, 'BacktestStateError');
      const run = await prepareRun(db, params);
      const result = runBacktest(run.bars, run.targets, run.options);
      const test = preparePermutationTest(run.bars, run.targets, { ...run.options, statistic: params.statistic, periodsPerYear: result.periodsPerYear });
      const { equity, ...stats } = result;
      const n = run.bars.times.length;
      const metrics = {
        ...Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, typeof v === 'number' ? finite(v) : v])),
        bars: n,
        firstBar: new Date(run.bars.times[0]).toISOString(),
        lastBar: new Date(run.bars.times[n - 1]).toISOString(),
        ...run.inputs,
        warnings: [...run.warnings, ...(run.warnings.length === 0 && stats.trades === 0 ? ['no trades in the period: every metric describes a flat position'] : [])],
        permutation: { statistic: test.statistic, observed: finite(test.observed) ?? 0 },
      };
      const curve = downsampleEquity(equity, EQUITY_POINTS, run.bars.times);
      const equityCurve = curve.index.map((_, i) => [curve.time![i], curve.equity[i]]);
      const total = params.permutations;
      if (!(await storeBacktestCore(db, backtestId, metrics, equityCurve, total))) throw ApplicationFailure.nonRetryable(`backtest ${backtestId} was stopped while it ran`, 'BacktestStateError');
      const count = Math.min(PERMUTATION_CHUNKS, total);
      const chunks = Array.from({ length: count }, (_, i) => ({ start: Math.floor((i * total) / count), end: Math.floor(((i + 1) * total) / count) }));
      log.debug({ backtestId, bars: n, total }, 'backtest core done');
      return { total, seed: params.seed, chunks };
    },

    /**
     * Permutations [start, end) in slices of ~SLICE_MS, heartbeating {done, atLeastAsGood} after
     * each, so a retry resumes where the last recorded heartbeat left off, a cancellation is
     * noticed within a slice of being delivered, and parallel chunks on one worker take turns
     * on the event loop instead of blocking workflow tasks for seconds.
     */
    async runBacktestPermutations(backtestId: string, seed: number, start: number, end: number): Promise<PermutationChunkResult> {
      const test = await preparedTest(db, backtestId);
      const resume = activityInfo().heartbeatDetails as { done: number; atLeastAsGood: number } | undefined;
      let done = resume && resume.done >= start && resume.done <= end ? resume.done : start;
      let atLeastAsGood = resume && done !== start ? resume.atLeastAsGood : 0;
      let step = 1;
      let reported = done;
      let lastPublish = 0;
      const signal = cancellationSignal();
      while (done < end) {
        const sliceStart = performance.now();
        while (done < end && performance.now() - sliceStart < SLICE_MS) {
          const next = Math.min(end, done + step);
          const t0 = performance.now();
          atLeastAsGood += runPermutationChunk(test, seed, done, next).atLeastAsGood;
          const took = performance.now() - t0;
          // Aim each call at ~1/4 slice: few timer reads when permutations are fast, no overrun when they are slow.
          step = Math.max(1, Math.min(10_000, Math.round(((next - done) * SLICE_MS) / 4 / Math.max(took, 0.01))));
          done = next;
        }
        heartbeat({ done, atLeastAsGood });
        if (Date.now() - lastPublish >= PROGRESS_EVERY_MS || done === end) {
          lastPublish = Date.now();
          const delta = done - reported;
          reported = done;
          await addBacktestPermutationsDone(db, backtestId, delta);
        } else {
          // A macrotask turn lets heartbeats, workflow activations and a cancellation through.
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('backtest permutations cancelled');
      }
      return { start, end, atLeastAsGood, permutations: end - start };
    },

    /** p-value from all chunks, status COMPLETED; a run cancelled meanwhile stays CANCELLED. */
    async finishBacktest(backtestId: string, chunks: PermutationChunkResult[]): Promise<BacktestOutcome> {
      const run = await loadRun(db, backtestId);
      const stored = (run.metrics?.permutation ?? { statistic: run.params.statistic, observed: 0 }) as { statistic: PermutationStatistic; observed: number };
      const combined = chunks.length > 0 ? combinePermutationChunks(stored, chunks) : null;
      const completed = await completeBacktestRun(db, backtestId, combined?.pValue ?? null, combined?.permutations ?? 0, combined ?? stored);
      preparedCache.delete(backtestId);
      if (completed) return { id: backtestId, status: 'COMPLETED', pValue: combined?.pValue ?? null };
      const now = await backtestStatusAndPValue(db, backtestId);
      return { id: backtestId, status: now.status, pValue: now.pValue };
    },

    /** What a backtest of replayed signals must replay first (null for any other run). */
    async backtestReplayTarget(backtestId: string): Promise<{ ticker: string; from: string; to: string; modelVersion: string | null } | null> {
      const { params } = await loadRun(db, backtestId);
      return replayTargetOf(params);
    },

    /** Records in the run's params which replay series it trades (so it can be rerun and says what it used). */
    async pinBacktestSignalSource(backtestId: string, rulesVersion: string, modelVersion: string): Promise<void> {
      await pinBacktestSignalSource(db, backtestId, rulesVersion, modelVersion);
      preparedCache.delete(backtestId);
    },

    async markBacktestCancelled(backtestId: string): Promise<void> {
      preparedCache.delete(backtestId);
      await markBacktestTerminal(db, backtestId, 'CANCELLED', null);
    },

    async markBacktestFailed(backtestId: string, error: string): Promise<void> {
      preparedCache.delete(backtestId);
      await markBacktestTerminal(db, backtestId, 'FAILED', error.slice(0, 2000));
    },
  };
}
