import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { SweepParams, SweepPlan, WalkForwardWindowResult } from '../contracts';
import {
  combineBestOfN, combinePermutationChunks, downsampleEquity, inferPeriodsPerYear, preparePermutationTest, prepareWalkForwardPermutationTest, replayTargetOf, runBacktest,
  runBestOfNChunk, runPermutationChunk, stitchEquity, walkForwardStep, walkForwardWindows,
  type BacktestParams, type BacktestResult, type BestOfNChunkResult, type PermutationChunkResult, type PreparedPermutationTest, type WalkForwardGaps, type WalkForwardWindow,
} from '../domain/backtest';
import type { Queryable } from '../events/publish';
import { memoQueryable, prepareRun } from '../store/backtest-input-store';
import { countPriceBars } from '../store/price-bar-store';
import {
  addSweepPermutationsDone, completeSweep, completeWalkForward, insertSweepResult, markSweepTerminal, saveSweepParams, startSweepRun, sweepResultStatistic, sweepStatus, sweepStatusAndParams,
} from '../store/sweep-store';

const gapsOf = (p: SweepParams): WalkForwardGaps => ({ purgeBars: p.purgeBars ?? 0, embargoBars: p.embargoBars ?? 0 });

export const SWEEP_PERMUTATION_CHUNKS = 4;
const SLICE_MS = 25;
const stateError = (message: string) => ApplicationFailure.nonRetryable(message, 'SweepStateError');
const finite = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

interface LoadedSweep {
  params: SweepParams;
  db: Queryable;
  runs: Map<number, ReturnType<typeof prepareRun>>;
}

/** A few sweeps per worker process, so parallel children and permutation chunks share loaded data. */
const sweeps = new Map<string, Promise<LoadedSweep>>();
const SWEEP_CACHE_LIMIT = 4;

function loadSweep(db: DataSource, id: string): Promise<LoadedSweep> {
  let entry = sweeps.get(id);
  if (!entry) {
    entry = (async () => {
      const row = await sweepStatusAndParams(db, id);
      if (!row) throw stateError(`parameter sweep ${id} does not exist`);
      return { params: row.params, db: memoQueryable(db), runs: new Map() };
    })();
    entry.catch(() => sweeps.delete(id));
    sweeps.set(id, entry);
    if (sweeps.size > SWEEP_CACHE_LIMIT) sweeps.delete(sweeps.keys().next().value!);
  }
  return entry;
}

function preparedConfig(sweep: LoadedSweep, index: number): ReturnType<typeof prepareRun> {
  let run = sweep.runs.get(index);
  if (!run) {
    const config = sweep.params.configs[index];
    if (!config) throw stateError(`configuration ${index} is not in the sweep`);
    run = prepareRun(sweep.db, config.params);
    run.catch(() => sweep.runs.delete(index));
    sweep.runs.set(index, run);
  }
  return run;
}

function metricsOf(r: BacktestResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { equity: _e, ...stats } = r;
  return { ...Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, typeof v === 'number' ? finite(v) : v])), ...extra };
}

async function stillRunning(db: DataSource, id: string): Promise<void> {
  const status = await sweepStatus(db, id);
  if (!status) throw stateError(`parameter sweep ${id} does not exist`);
  if (status !== 'RUNNING' && status !== 'PENDING') throw stateError(`parameter sweep ${id} is ${status}`);
}

/** The stitched out-of-sample permutation test of a walk-forward, once per sweep per worker. */
const walkForwardTests = new Map<string, Promise<PreparedPermutationTest>>();

function walkForwardTest(db: DataSource, sweepId: string, chosen: number[]): Promise<PreparedPermutationTest> {
  let entry = walkForwardTests.get(sweepId);
  if (!entry) {
    entry = (async () => {
      const sweep = await loadSweep(db, sweepId);
      const runs = await Promise.all(chosen.map((c) => preparedConfig(sweep, c)));
      const bars = runs[0].bars;
      const windows = walkForwardWindows(bars.times.length, sweep.params.inSampleBars!, sweep.params.outOfSampleBars!, gapsOf(sweep.params));
      if (windows.length !== chosen.length) throw stateError(`walk-forward ${sweepId} has ${windows.length} windows, ${chosen.length} choices given`);
      const periodsPerYear = inferPeriodsPerYear(bars.times);
      const segments = windows.map((w, k) => ({ targets: runs[k].targets, options: { ...runs[k].options, periodsPerYear }, from: w.oosStart, to: w.oosEnd }));
      return prepareWalkForwardPermutationTest(bars, segments, sweep.params.statistic, periodsPerYear);
    })();
    entry.catch(() => walkForwardTests.delete(sweepId));
    walkForwardTests.set(sweepId, entry);
    if (walkForwardTests.size > SWEEP_CACHE_LIMIT) walkForwardTests.delete(walkForwardTests.keys().next().value!);
  }
  return entry;
}

export function sweepActivities(db: DataSource, log: Logger) {
  return {
    async planSweep(sweepId: string): Promise<SweepPlan> {
      const r = await startSweepRun(db, sweepId);
      if (!r) throw stateError(`parameter sweep ${sweepId} is not runnable`);
      const p = r.params;
      let windows = 0;
      if (r.kind === 'WALK_FORWARD') {
        const n = await countPriceBars(db, p.base.ticker, p.base.interval, p.base.from, p.base.to);
        windows = walkForwardWindows(n, p.inSampleBars!, p.outOfSampleBars!, gapsOf(p)).length;
        if (windows === 0) throw ApplicationFailure.nonRetryable(`${n} bars cannot hold one in-sample span of ${p.inSampleBars} bars, the ${p.embargoBars ?? 0}-bar embargo and an out-of-sample bar`, 'BacktestDataError');
      }
      const replay = replayTargetOf(p.base);
      return { kind: r.kind, configs: p.configs.length, concurrency: p.concurrency, permutations: p.permutations, seed: p.seed, windows, replay };
    },

    /** Pins the replay series on every configuration (SIGNALS sweeps over replayed history). */
    async pinSweepSignalSource(sweepId: string, rulesVersion: string, modelVersion: string): Promise<void> {
      const row = await sweepStatusAndParams(db, sweepId);
      if (!row) throw stateError(`parameter sweep ${sweepId} does not exist`);
      const pin = (p: BacktestParams): BacktestParams => (p.strategy.kind === 'signals' ? { ...p, strategy: { ...p.strategy, rulesVersion, modelVersion } } : p);
      const params: SweepParams = { ...row.params, base: pin(row.params.base), configs: row.params.configs.map((c) => ({ ...c, params: pin(c.params) })) };
      await saveSweepParams(db, sweepId, params);
      sweeps.delete(sweepId);
    },

    /** One configuration's backtest, stored once; returns its ranking statistic. */
    async runSweepConfig(sweepId: string, index: number): Promise<{ index: number; statistic: number }> {
      const stored = await sweepResultStatistic(db, sweepId, index);
      if (stored !== undefined) return { index, statistic: stored };
      await stillRunning(db, sweepId);
      const sweep = await loadSweep(db, sweepId);
      const run = await preparedConfig(sweep, index);
      const result = runBacktest(run.bars, run.targets, run.options);
      const test = preparePermutationTest(run.bars, run.targets, { ...run.options, statistic: sweep.params.statistic, periodsPerYear: result.periodsPerYear });
      const statistic = finite(test.observed) ?? 0;
      await insertSweepResult(db, sweepId, index, statistic, metricsOf(result, { ...run.inputs, warnings: run.warnings, bars: run.bars.times.length }));
      return { index, statistic };
    },

    /**
     * Best-of-N permutations [start, end) over every configuration, in heartbeat-sized slices
     * (a retry resumes from the last heartbeat, as the single-backtest permutations do).
     */
    async runSweepPermutations(sweepId: string, bestIndex: number, seed: number, start: number, end: number): Promise<BestOfNChunkResult> {
      const sweep = await loadSweep(db, sweepId);
      const runs = await Promise.all(sweep.params.configs.map((_, i) => preparedConfig(sweep, i)));
      const periodsPerYear = inferPeriodsPerYear(runs[0].bars.times);
      const tests: PreparedPermutationTest[] = runs.map((r) => preparePermutationTest(r.bars, r.targets, { ...r.options, statistic: sweep.params.statistic, periodsPerYear }));
      const resume = activityInfo().heartbeatDetails as { done: number; atLeastAsGood: number; bestAloneAtLeastAsGood: number } | undefined;
      let done = resume && resume.done >= start && resume.done <= end ? resume.done : start;
      let atLeastAsGood = resume && done !== start ? resume.atLeastAsGood : 0;
      let bestAloneAtLeastAsGood = resume && done !== start ? resume.bestAloneAtLeastAsGood : 0;
      const signal = cancellationSignal();
      let reported = done;
      while (done < end) {
        const sliceStart = performance.now();
        while (done < end && performance.now() - sliceStart < SLICE_MS) {
          const r = runBestOfNChunk(tests, bestIndex, seed, done, done + 1);
          atLeastAsGood += r.atLeastAsGood;
          bestAloneAtLeastAsGood += r.bestAloneAtLeastAsGood;
          done++;
        }
        heartbeat({ done, atLeastAsGood, bestAloneAtLeastAsGood });
        // Progress only (finishSweep writes the exact count): a retried slice may count twice here.
        await addSweepPermutationsDone(db, sweepId, done - reported);
        reported = done;
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('sweep permutations cancelled');
      }
      return { start, end, permutations: end - start, atLeastAsGood, bestAloneAtLeastAsGood };
    },

    async finishSweep(sweepId: string, bestIndex: number, chunks: BestOfNChunkResult[]): Promise<{ id: string; status: string; bestIndex: number; pValue: number | null; pValueBestAlone: number | null }> {
      const combined = chunks.length > 0 ? combineBestOfN(chunks) : null;
      const updated = await completeSweep(db, sweepId, { bestIndex, pValue: combined?.pValue ?? null, pValueBestAlone: combined?.pValueBestAlone ?? null, permutations: combined?.permutations ?? 0 });
      sweeps.delete(sweepId);
      const now = await sweepStatus(db, sweepId);
      log.debug({ sweepId, bestIndex, updated }, 'sweep finished');
      return { id: sweepId, status: now ?? 'UNKNOWN', bestIndex, pValue: combined?.pValue ?? null, pValueBestAlone: combined?.pValueBestAlone ?? null };
    },

    /** One walk-forward window: optimise in sample over every configuration, trade the winner out of sample. */
    async runWalkForwardWindow(sweepId: string, windowIndex: number): Promise<WalkForwardWindowResult> {
      await stillRunning(db, sweepId);
      const sweep = await loadSweep(db, sweepId);
      const runs = await Promise.all(sweep.params.configs.map((_, i) => preparedConfig(sweep, i)));
      const bars = runs[0].bars;
      const windows = walkForwardWindows(bars.times.length, sweep.params.inSampleBars!, sweep.params.outOfSampleBars!, gapsOf(sweep.params));
      const window = windows[windowIndex];
      if (!window) throw stateError(`walk-forward window ${windowIndex} does not exist (${windows.length} windows)`);
      const periodsPerYear = inferPeriodsPerYear(bars.times);
      const statistic = sweep.params.statistic;
      const step = walkForwardStep(bars, runs.map((r) => r.targets), (c) => ({ ...runs[c].options, periodsPerYear }), window, (r) => (statistic === 'sharpe' ? r.sharpe : r.totalReturn));
      const { equity, ...stats } = step.outOfSample;
      return {
        window,
        chosen: step.chosen,
        inSampleStatistic: finite(step.inSampleStatistic),
        equity: Array.from(equity),
        metrics: Object.fromEntries(Object.entries(stats).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, finite(v as number)])),
      };
    },

    /**
     * Permutations [start, end) of the stitched out-of-sample result (chosen[k]: the configuration
     * window k traded), in heartbeat-sized slices like the sweep's.
     */
    async runWalkForwardPermutations(sweepId: string, chosen: number[], seed: number, start: number, end: number): Promise<PermutationChunkResult> {
      const test = await walkForwardTest(db, sweepId, chosen);
      const resume = activityInfo().heartbeatDetails as { done: number; atLeastAsGood: number } | undefined;
      let done = resume && resume.done >= start && resume.done <= end ? resume.done : start;
      let atLeastAsGood = resume && done !== start ? resume.atLeastAsGood : 0;
      const signal = cancellationSignal();
      let reported = done;
      while (done < end) {
        const sliceStart = performance.now();
        while (done < end && performance.now() - sliceStart < SLICE_MS) {
          atLeastAsGood += runPermutationChunk(test, seed, done, done + 1).atLeastAsGood;
          done++;
        }
        heartbeat({ done, atLeastAsGood });
        await addSweepPermutationsDone(db, sweepId, done - reported);
        reported = done;
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('walk-forward permutations cancelled');
      }
      return { start, end, atLeastAsGood, permutations: end - start };
    },

    /** Stitches the out-of-sample windows into one equity curve with its metrics and permutation p-value, and stores it. */
    async finishWalkForward(sweepId: string, steps: WalkForwardWindowResult[], chunks: PermutationChunkResult[] = []): Promise<{ id: string; status: string }> {
      const sweep = await loadSweep(db, sweepId);
      const run = await preparedConfig(sweep, 0);
      const bars = run.bars;
      const ordered = [...steps].sort((a, b) => a.window.index - b.window.index);
      const periodsPerYear = inferPeriodsPerYear(bars.times);
      // Runs stored before purge/embargo have windows without oosStart: they started at isEnd.
      const oosStart = (w: WalkForwardWindow) => w.oosStart ?? w.isEnd;
      const stitched = stitchEquity(bars.times, ordered.map((s) => ({ startBar: oosStart(s.window), equity: s.equity })), periodsPerYear);
      const statistic = sweep.params.statistic;
      const observed = statistic === 'sharpe' ? (stitched.metrics.sharpe ?? 0) : stitched.metrics.totalReturn;
      const permutation = chunks.length > 0
        ? { ...combinePermutationChunks({ observed: (await walkForwardTest(db, sweepId, ordered.map((s) => s.chosen))).observed, statistic }, chunks), permuted: 'the stitched out-of-sample bar returns, shuffled against the chosen configurations\' fixed positions and costs' }
        : { statistic, observed: finite(observed), permutations: 0, pValue: null };
      walkForwardTests.delete(sweepId);
      const curve = downsampleEquity(stitched.equity, 500, stitched.times);
      const t = (i: number) => new Date(bars.times[i]).toISOString();
      const result = {
        metrics: Object.fromEntries(Object.entries(stitched.metrics).map(([k, v]) => [k, typeof v === 'number' ? finite(v) : v])),
        outOfSampleBars: stitched.equity.length,
        windows: ordered.map((s) => ({
          index: s.window.index,
          inSampleFrom: t(s.window.isStart),
          inSampleTo: t(s.window.isEnd),
          outOfSampleFrom: t(oosStart(s.window)),
          outOfSampleTo: t(s.window.oosEnd),
          chosen: s.chosen,
          overrides: sweep.params.configs[s.chosen].overrides,
          inSampleStatistic: s.inSampleStatistic,
          outOfSample: s.metrics,
        })),
        equityCurve: curve.index.map((_, i) => [curve.time![i], curve.equity[i]]),
        purgeBars: sweep.params.purgeBars ?? 0,
        embargoBars: sweep.params.embargoBars ?? 0,
        permutation,
      };
      await completeWalkForward(db, sweepId, result, { pValue: permutation.pValue ?? null, permutations: permutation.permutations });
      sweeps.delete(sweepId);
      const now = await sweepStatus(db, sweepId);
      return { id: sweepId, status: now! };
    },

    async markSweepTerminal(sweepId: string, status: 'CANCELLED' | 'FAILED', error: string | null): Promise<void> {
      sweeps.delete(sweepId);
      await markSweepTerminal(db, sweepId, status, error?.slice(0, 2000) ?? null);
    },
  };
}
