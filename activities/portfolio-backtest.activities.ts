/**
 * Portfolio backtests (issue 23): load every ticker's bars and its ranking score point in time,
 * run domain/backtest/portfolio.ts, store the typed result, then the permutation test in
 * heartbeat-sized slices. Started by workflows/portfolio-backtest.workflow.ts.
 */
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import {
  alignTickerBars, barsToArrays, combinePermutationChunks, downsampleEquity, preparePortfolioPermutationTest, replayTargetOf, rollingSentimentByBar, runPortfolioBacktest,
  runPortfolioPermutationChunk, signalConfidenceByBar,
  type BacktestPlan, type PermutationChunkResult, type PermutationStatistic, type PortfolioBacktestParams, type PortfolioInput, type PortfolioResult,
  type PreparedPortfolioPermutationTest,
} from '../domain/backtest';
import {
  addPortfolioPermutationsDone, completePortfolioBacktest, loadLiveSignals, loadPortfolioBacktest, markPortfolioBacktestTerminal, pinPortfolioSignalSource,
  setPortfolioStage, storePortfolioResult, type PortfolioBacktestRow,
} from '../store/portfolio-backtest-store';
import { prepareRun } from './backtest.activities';
import { loadBars, loadObservations } from './signal.activities';

const PERMUTATION_CHUNKS = 4;
const CURVE_POINTS = 500;
const HOLDING_POINTS = 500;
const SLICE_MS = 25;
const PROGRESS_EVERY_MS = 500;

const stateError = (message: string) => ApplicationFailure.nonRetryable(message, 'BacktestStateError');
const dataError = (message: string) => ApplicationFailure.nonRetryable(message, 'BacktestDataError');
const finite = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

async function runnable(db: DataSource, id: string): Promise<PortfolioBacktestRow> {
  const row = await loadPortfolioBacktest(db, id);
  if (!row) throw stateError(`portfolio backtest ${id} does not exist`);
  if (row.status !== 'PENDING' && row.status !== 'RUNNING') throw stateError(`portfolio backtest ${id} is ${row.status}`);
  return row;
}

/** One ticker's ranking score on the portfolio calendar (NaN where it has none), point in time. */
async function scoreOf(db: DataSource, p: PortfolioBacktestParams, ticker: string, times: Float64Array, warnings: string[]): Promise<Float64Array> {
  const to = new Date(p.to);
  const r = p.ranking;
  if (r.kind === 'sentiment') {
    const windowMs = r.windowHours * 3_600_000;
    const obs = (await loadObservations(db, ticker, new Date(new Date(p.from).getTime() - windowMs), to)).filter((o) => o.relevance >= r.minRelevance);
    if (obs.length === 0) warnings.push(`${ticker}: no scored stories in the period; never selected by sentiment`);
    return rollingSentimentByBar(times, obs.map((o) => ({ time: o.publishedAt, score: o.score, weight: o.relevance })), windowMs);
  }
  if (r.kind === 'signalConfidence') {
    const maxAgeMs = r.maxAgeHours * 3_600_000;
    const signals = await loadLiveSignals(db, ticker, new Date(new Date(p.from).getTime() - maxAgeMs), to);
    if (signals.length === 0) warnings.push(`${ticker}: no live signals in the period; never selected by signal confidence`);
    return signalConfidenceByBar(times, signals.map((s) => ({ time: s.asOf, type: s.type, confidence: s.confidence })), maxAgeMs);
  }
  // A registry strategy on this ticker alone: its target position (decided at each close) is the score.
  try {
    const run = await prepareRun(db, {
      ticker, interval: p.interval, from: p.from, to: p.to, strategy: r.strategy, costBps: 0, slippageBps: 0, sizing: { kind: 'fixed', fraction: 1 },
      execution: p.execution, statistic: p.statistic, permutations: 0, seed: 0,
    });
    const score = new Float64Array(times.length).fill(NaN);
    const at = new Map<number, number>();
    times.forEach((t, i) => at.set(t, i));
    run.bars.times.forEach((t, i) => {
      const k = at.get(t);
      if (k !== undefined) score[k] = run.targets[i];
    });
    warnings.push(...run.warnings.map((w) => `${ticker}: ${w}`));
    return score;
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'BacktestDataError') {
      warnings.push(`${ticker}: ${err.message}`);
      return new Float64Array(times.length).fill(NaN);
    }
    throw err;
  }
}

/** Bars and scores for every ticker, the benchmark's bars, all on the union of the tickers' calendars. */
async function loadPortfolioInput(db: DataSource, id: string, p: PortfolioBacktestParams, onTicker?: (done: number) => Promise<void>): Promise<{ input: PortfolioInput; warnings: string[] }> {
  const from = new Date(p.from);
  const to = new Date(p.to);
  const series: Array<{ ticker: string; times: Float64Array; open: Float64Array; close: Float64Array }> = [];
  const warnings: string[] = [];
  for (const ticker of p.tickers) {
    const bars = barsToArrays(await loadBars(db, ticker, p.interval, from, to));
    if (bars.times.length === 0) warnings.push(`${ticker}: no ${p.interval} price bars in the period; never held`);
    else series.push({ ticker, ...bars });
  }
  if (series.length === 0) throw dataError(`portfolio backtest ${id}: none of ${p.tickers.join(', ')} has ${p.interval} price bars between ${p.from} and ${p.to}`);
  const { times, bars } = alignTickerBars(series);
  if (times.length < 3) throw dataError(`portfolio backtest ${id}: only ${times.length} bars between ${p.from} and ${p.to}`);
  const assets: PortfolioInput['assets'] = [];
  for (const [k, b] of bars.entries()) {
    assets.push({ ...b, score: await scoreOf(db, p, b.ticker, times, warnings) });
    await onTicker?.(k + 1);
  }
  let benchmark: PortfolioInput['benchmark'] = { kind: 'universe' };
  if (p.benchmark.kind === 'ticker') {
    const own = barsToArrays(await loadBars(db, p.benchmark.ticker, p.interval, from, to));
    if (own.times.length === 0) throw dataError(`benchmark ${p.benchmark.ticker} has no ${p.interval} price bars between ${p.from} and ${p.to}; import its prices first`);
    const open = new Float64Array(times.length).fill(NaN);
    const close = new Float64Array(times.length).fill(NaN);
    const at = new Map<number, number>();
    own.times.forEach((t, i) => at.set(t, i));
    times.forEach((t, i) => {
      const k = at.get(t);
      if (k !== undefined) {
        open[i] = own.open[k];
        close[i] = own.close[k];
      }
    });
    benchmark = { kind: 'ticker', ticker: p.benchmark.ticker, open, close };
  }
  return { input: { times, assets, benchmark }, warnings };
}

function configOf(p: PortfolioBacktestParams) {
  return {
    long: p.long ?? undefined, short: p.short ?? undefined, longExposure: p.longExposure, shortExposure: p.shortExposure, weighting: p.weighting,
    volatilityLookback: p.volatilityLookback, rebalance: p.rebalance, execution: p.execution, costBps: p.costBps, slippageBps: p.slippageBps,
  };
}

function metricsOf(r: PortfolioResult): Record<string, unknown> {
  const keys = ['totalReturn', 'cagr', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownDurationBars', 'periodsPerYear', 'turnover', 'annualTurnover', 'costsPaid', 'exposure', 'fills', 'trades', 'winRate', 'profitFactor'] as const;
  return Object.fromEntries(keys.map((k) => [k, finite(r[k] as number | null)]));
}

/** One prepared permutation test per run per worker, shared by its parallel chunks and retries. */
const preparedCache = new Map<string, Promise<PreparedPortfolioPermutationTest>>();

function preparedTest(db: DataSource, id: string): Promise<PreparedPortfolioPermutationTest> {
  let entry = preparedCache.get(id);
  if (!entry) {
    entry = (async () => {
      const row = await runnable(db, id);
      const { input } = await loadPortfolioInput(db, id, row.params);
      const result = runPortfolioBacktest(input, configOf(row.params));
      return preparePortfolioPermutationTest(result.plan, row.params.statistic, result.periodsPerYear);
    })();
    entry.catch(() => preparedCache.delete(id));
    preparedCache.set(id, entry);
    if (preparedCache.size > 8) preparedCache.delete(preparedCache.keys().next().value!);
  }
  return entry;
}

export function portfolioBacktestActivities(db: DataSource, log: Logger) {
  return {
    /** Replayed signals the ranking needs first (a registry `signals` strategy over replayed history), or null. */
    async portfolioReplayTarget(id: string): Promise<{ tickers: string[]; from: string; to: string; modelVersion: string | null } | null> {
      const row = await runnable(db, id);
      const p = row.params;
      if (p.ranking.kind !== 'strategy') return null;
      const target = replayTargetOf({ ticker: p.tickers[0], from: p.from, to: p.to, strategy: p.ranking.strategy });
      return target ? { tickers: p.tickers, from: target.from, to: target.to, modelVersion: target.modelVersion } : null;
    },

    async pinPortfolioSignalSource(id: string, rulesVersion: string, modelVersion: string): Promise<void> {
      await pinPortfolioSignalSource(db, id, rulesVersion, modelVersion);
      preparedCache.delete(id);
    },

    /**
     * The simulation: stores metrics, the benchmark, per-ticker results, the equity curves and
     * the holdings, and returns how to split the permutation test. Deterministic: a retry
     * stores the same result.
     */
    async runPortfolioCore(id: string): Promise<BacktestPlan> {
      const row = await runnable(db, id);
      const p = row.params;
      if (!(await setPortfolioStage(db, id, 'LOADING', 0))) throw stateError(`portfolio backtest ${id} was stopped`);
      const { input, warnings } = await loadPortfolioInput(db, id, p, async (done) => {
        if (!(await setPortfolioStage(db, id, 'LOADING', done))) throw stateError(`portfolio backtest ${id} was stopped while loading`);
      });
      await setPortfolioStage(db, id, 'SIMULATING');
      const result = runPortfolioBacktest(input, configOf(p));
      const test = preparePortfolioPermutationTest(result.plan, p.statistic, result.periodsPerYear);
      const n = input.times.length;
      const curve = downsampleEquity(result.equity, CURVE_POINTS, input.times);
      const equityCurve = curve.index.map((i): [number, number, number] => [input.times[i], result.equity[i], result.benchmarkEquity[i]]);
      // Holdings on the run's full ticker list (a ticker without bars is always 0), at most HOLDING_POINTS rebalances.
      const column = p.tickers.map((t) => result.tickers.indexOf(t));
      const step = Math.max(1, Math.ceil(result.rebalances.length / HOLDING_POINTS));
      const holdings = result.rebalances
        .filter((_, k) => k % step === 0 || k === result.rebalances.length - 1)
        .map((rb): [number, number[]] => [rb.time, column.map((j) => (j < 0 ? 0 : rb.weights[j]))]);
      const stored = {
        metrics: metricsOf(result),
        benchmark: { name: result.benchmark.name, totalReturn: finite(result.benchmark.totalReturn), cagr: finite(result.benchmark.cagr), sharpe: finite(result.benchmark.sharpe), maxDrawdown: finite(result.benchmark.maxDrawdown) },
        perTicker: result.perTicker.map((t) => ({ ...t, contribution: finite(t.contribution) })),
        rebalances: result.rebalances.length,
        bars: n,
        firstBar: new Date(input.times[0]).toISOString(),
        lastBar: new Date(input.times[n - 1]).toISOString(),
        warnings: [...warnings, ...(result.fills === 0 ? ['no trades in the period: no ticker was ever selected'] : [])],
        permutation: { statistic: test.statistic, observed: finite(test.observed) ?? 0 },
      };
      if (!(await storePortfolioResult(db, id, stored, equityCurve, holdings))) throw stateError(`portfolio backtest ${id} was stopped while it ran`);
      preparedCache.set(id, Promise.resolve(test));
      const total = p.permutations;
      const count = Math.min(PERMUTATION_CHUNKS, total);
      log.debug({ id, bars: n, tickers: p.tickers.length, total }, 'portfolio backtest core done');
      return { total, seed: p.seed, chunks: Array.from({ length: count }, (_, i) => ({ start: Math.floor((i * total) / count), end: Math.floor(((i + 1) * total) / count) })) };
    },

    /** Permutations [start, end) in ~SLICE_MS slices with heartbeats (a retry resumes; a cancellation is seen within a slice). */
    async runPortfolioPermutations(id: string, seed: number, start: number, end: number): Promise<PermutationChunkResult> {
      const test = await preparedTest(db, id);
      const resume = activityInfo().heartbeatDetails as { done: number; atLeastAsGood: number } | undefined;
      let done = resume && resume.done >= start && resume.done <= end ? resume.done : start;
      let atLeastAsGood = resume && done !== start ? resume.atLeastAsGood : 0;
      let reported = done;
      let lastPublish = 0;
      const signal = cancellationSignal();
      while (done < end) {
        const sliceStart = performance.now();
        while (done < end && performance.now() - sliceStart < SLICE_MS) {
          atLeastAsGood += runPortfolioPermutationChunk(test, seed, done, done + 1).atLeastAsGood;
          done++;
        }
        heartbeat({ done, atLeastAsGood });
        if (Date.now() - lastPublish >= PROGRESS_EVERY_MS || done === end) {
          lastPublish = Date.now();
          await addPortfolioPermutationsDone(db, id, done - reported);
          reported = done;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('portfolio permutations cancelled');
      }
      return { start, end, atLeastAsGood, permutations: end - start };
    },

    /** p-value from all chunks, COMPLETED; a run cancelled meanwhile stays CANCELLED. */
    async finishPortfolioBacktest(id: string, chunks: PermutationChunkResult[]): Promise<{ id: string; status: string; pValue: number | null }> {
      const row = await loadPortfolioBacktest(db, id);
      if (!row) throw stateError(`portfolio backtest ${id} does not exist`);
      const stored = ((row.result as { permutation?: unknown } | null)?.permutation ?? { statistic: row.params.statistic, observed: 0 }) as { statistic: PermutationStatistic; observed: number };
      const combined = chunks.length > 0 ? combinePermutationChunks(stored, chunks) : null;
      const done = await completePortfolioBacktest(db, id, combined?.pValue ?? null, combined?.permutations ?? 0, { ...(combined ?? stored), permuted: 'whole bars: every ticker\'s returns of a bar move together against the fixed per-bar exposures and costs' });
      preparedCache.delete(id);
      const now = done ? null : await loadPortfolioBacktest(db, id);
      return { id, status: done ? 'COMPLETED' : (now?.status ?? 'UNKNOWN'), pValue: combined?.pValue ?? null };
    },

    async markPortfolioBacktestCancelled(id: string): Promise<void> {
      preparedCache.delete(id);
      await markPortfolioBacktestTerminal(db, id, 'CANCELLED', null);
    },

    async markPortfolioBacktestFailed(id: string, error: string): Promise<void> {
      preparedCache.delete(id);
      await markPortfolioBacktestTerminal(db, id, 'FAILED', error.slice(0, 2000));
    },
  };
}
