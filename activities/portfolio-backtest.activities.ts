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
  alignTickerBars, barsToArrays, combineBestOfN, combinePermutationChunks, downsampleEquity, portfolioSearchConfigs, portfolioWalkForward, preparePortfolioPermutationTest,
  replayTargetOf, rollingSentimentByBar, runPortfolioBacktest, runPortfolioBestOfNChunk, runPortfolioPermutationChunk, signalConfidenceByBar, walkForwardWindows,
  type BacktestPlan, type BestOfNChunkResult, type PermutationStatistic, type PortfolioBacktestParams, type PortfolioConfig, type PortfolioInput, type PortfolioRebalance,
  type PortfolioResult,
} from '../domain/backtest';
import {
  addPortfolioPermutationsDone, completePortfolioBacktest, loadLiveSignals, loadPortfolioBacktest, markPortfolioBacktestTerminal, pinPortfolioSignalSource,
  setPortfolioStage, storePortfolioResult, type PortfolioBacktestRow,
} from '../store/portfolio-backtest-store';
import { prepareRun } from '../store/backtest-input-store';
import { loadEmotionObservations } from '../store/emotion-store';
import { loadBars, loadObservations } from '../store/signal-input-store';

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
  if (r.kind === 'emotion') {
    // The share is the sentiment path's rolling mean over 1/0 scores (this emotion or another): one home for the window.
    const windowMs = r.windowHours * 3_600_000;
    const obs = await loadEmotionObservations(db, ticker, new Date(new Date(p.from).getTime() - windowMs), to, r.minRelevance);
    if (obs.length === 0) warnings.push(`${ticker}: no emotion-scored stories in the period; never selected by emotion share`);
    return rollingSentimentByBar(times, obs.map((o) => ({ time: o.publishedAt, score: o.label === r.emotion ? 1 : 0 })), windowMs);
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

function configOf(p: PortfolioBacktestParams): PortfolioConfig {
  return {
    long: p.long ?? undefined, short: p.short ?? undefined, longExposure: p.longExposure, shortExposure: p.shortExposure, weighting: p.weighting,
    volatilityLookback: p.volatilityLookback, rebalance: p.rebalance, execution: p.execution, costBps: p.costBps, slippageBps: p.slippageBps,
  };
}

/** The run's configurations: its own, or one per point of its search ranges. */
function configsOf(p: PortfolioBacktestParams): Array<{ overrides: Record<string, number | string>; config: PortfolioConfig }> {
  const base = configOf(p);
  if (!p.search) return [{ overrides: {}, config: base }];
  return portfolioSearchConfigs(p.search).map((overrides) => {
    const { top, ...rest } = overrides as { top?: number } & Partial<PortfolioConfig>;
    return { overrides, config: { ...base, ...rest, ...(top !== undefined ? { long: { top } } : {}) } };
  });
}

/**
 * Everything a run computes from its inputs: the configurations' runs, what is shown (the run,
 * the sweep's best configuration, or the stitched walk-forward) and its permutation test. Pure
 * given the input, so the core and the permutation activities agree.
 */
function evaluate(input: PortfolioInput, p: PortfolioBacktestParams) {
  const configs = configsOf(p);
  const runs = configs.map((c) => runPortfolioBacktest(input, c.config));
  const periodsPerYear = runs[0].periodsPerYear;
  const tests = runs.map((r) => preparePortfolioPermutationTest(r.plan, p.statistic, periodsPerYear));
  let bestIndex = 0;
  for (let c = 1; c < tests.length; c++) if (tests[c].observed > tests[bestIndex].observed) bestIndex = c;
  const wfSpec = p.search?.walkForward ?? null;
  if (!wfSpec) return { kind: (p.search ? 'sweep' : 'single') as 'sweep' | 'single', configs, runs, tests, bestIndex, periodsPerYear, walkForward: null };
  const windows = walkForwardWindows(input.times.length, wfSpec.inSampleBars, wfSpec.outOfSampleBars, { purgeBars: wfSpec.purgeBars, embargoBars: wfSpec.embargoBars });
  if (windows.length === 0) throw dataError(`${input.times.length} bars cannot hold one in-sample span of ${wfSpec.inSampleBars} bars, the ${wfSpec.embargoBars}-bar embargo and an out-of-sample bar`);
  const wf = portfolioWalkForward(runs.map((r) => r.plan), windows, p.statistic, periodsPerYear, input.times);
  return { kind: 'walkForward' as const, configs, runs, tests, bestIndex, periodsPerYear, walkForward: { ...wf, test: preparePortfolioPermutationTest(wf.plan, p.statistic, periodsPerYear) } };
}
type Evaluated = ReturnType<typeof evaluate>;

/** One permutation chunk of whatever the run tests: a single run, best-of-N over a sweep, or the stitched walk-forward. */
function permutationChunk(e: Evaluated, seed: number, start: number, end: number): BestOfNChunkResult {
  if (e.kind === 'sweep') return runPortfolioBestOfNChunk(e.tests, e.bestIndex, seed, start, end);
  const test = e.kind === 'walkForward' ? e.walkForward!.test : e.tests[0];
  const r = runPortfolioPermutationChunk(test, seed, start, end);
  return { ...r, bestAloneAtLeastAsGood: r.atLeastAsGood };
}

function metricsOf(r: PortfolioResult): Record<string, unknown> {
  const keys = ['totalReturn', 'cagr', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownDurationBars', 'periodsPerYear', 'turnover', 'annualTurnover', 'costsPaid', 'exposure', 'fills', 'trades', 'winRate', 'profitFactor'] as const;
  return Object.fromEntries(keys.map((k) => [k, finite(r[k] as number | null)]));
}

/** One evaluation per run per worker, shared by its parallel permutation chunks and retries. */
const evaluatedCache = new Map<string, Promise<Evaluated>>();

function evaluated(db: DataSource, id: string): Promise<Evaluated> {
  let entry = evaluatedCache.get(id);
  if (!entry) {
    entry = (async () => {
      const row = await runnable(db, id);
      const { input } = await loadPortfolioInput(db, id, row.params);
      return evaluate(input, row.params);
    })();
    entry.catch(() => evaluatedCache.delete(id));
    evaluatedCache.set(id, entry);
    if (evaluatedCache.size > 8) evaluatedCache.delete(evaluatedCache.keys().next().value!);
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
      evaluatedCache.delete(id);
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
      const e = evaluate(input, p);
      const n = input.times.length;
      const shown = e.runs[e.bestIndex];
      const column = p.tickers.map((t) => shown.tickers.indexOf(t));
      const holdingsOf = (rebalances: PortfolioRebalance[], weightsOf: (rb: PortfolioRebalance) => Float64Array) => {
        // On the run's full ticker list (a ticker without bars is always 0), at most HOLDING_POINTS rebalances.
        const step = Math.max(1, Math.ceil(rebalances.length / HOLDING_POINTS));
        return rebalances.filter((_, k) => k % step === 0 || k === rebalances.length - 1).map((rb): [number, number[]] => [rb.time, column.map((j) => (j < 0 ? 0 : weightsOf(rb)[j]))]);
      };
      let equityCurve: Array<[number, number, number]>;
      let holdings: Array<[number, number[]]>;
      let metrics: Record<string, unknown>;
      let benchmark: { name: string; totalReturn: number | null; cagr: number | null; sharpe: number | null; maxDrawdown: number | null };
      let observed: number;
      const extraWarnings: string[] = [];
      let search: Record<string, unknown> | null = null;
      const t = (i: number) => new Date(input.times[i]).toISOString();
      if (e.kind === 'walkForward') {
        const wf = e.walkForward!;
        const first = wf.steps[0].window.oosStart;
        const last = wf.steps[wf.steps.length - 1].window.oosEnd;
        // The benchmark over the same stitched bars, rebased to 1 where out-of-sample trading starts.
        const bench = shown.benchmarkEquity;
        const curve = downsampleEquity(wf.equity, CURVE_POINTS, wf.times);
        equityCurve = curve.index.map((k): [number, number, number] => [wf.times[k], wf.equity[k], bench[first + k] / bench[first]]);
        const chosenRebalances = wf.steps.flatMap((s) => e.runs[s.chosen].rebalances.filter((rb) => rb.bar > s.window.oosStart && rb.bar <= s.window.oosEnd));
        holdings = holdingsOf(chosenRebalances, (rb) => rb.weights);
        metrics = Object.fromEntries(Object.entries(wf.metrics).map(([k, v]) => [k, typeof v === 'number' ? finite(v) : v]));
        const benchTotal = bench[last] / bench[first] - 1;
        benchmark = { name: shown.benchmark.name, totalReturn: finite(benchTotal), cagr: null, sharpe: null, maxDrawdown: null };
        observed = wf.test.observed;
        extraWarnings.push('walk-forward: switching holdings between configurations at a window boundary is not charged; per-ticker contribution is not computed for the stitched result');
        search = {
          kind: 'walkForward',
          configs: e.configs.map((c, k) => ({ index: k, overrides: c.overrides, statistic: finite(e.tests[k].observed) })),
          windows: wf.steps.map((s) => ({ index: s.window.index, inSampleFrom: t(s.window.isStart), inSampleTo: t(s.window.isEnd), outOfSampleFrom: t(s.window.oosStart), outOfSampleTo: t(s.window.oosEnd), chosen: s.chosen, inSampleStatistic: finite(s.inSampleStatistic) })),
          walkForward: p.search!.walkForward,
        };
      } else {
        const curve = downsampleEquity(shown.equity, CURVE_POINTS, input.times);
        equityCurve = curve.index.map((i): [number, number, number] => [input.times[i], shown.equity[i], shown.benchmarkEquity[i]]);
        holdings = holdingsOf(shown.rebalances, (rb) => rb.weights);
        metrics = metricsOf(shown);
        benchmark = { name: shown.benchmark.name, totalReturn: finite(shown.benchmark.totalReturn), cagr: finite(shown.benchmark.cagr), sharpe: finite(shown.benchmark.sharpe), maxDrawdown: finite(shown.benchmark.maxDrawdown) };
        observed = e.tests[e.bestIndex].observed;
        if (e.kind === 'sweep') {
          search = { kind: 'sweep', bestIndex: e.bestIndex, configs: e.configs.map((c, k) => ({ index: k, overrides: c.overrides, statistic: finite(e.tests[k].observed), totalReturn: finite(e.runs[k].totalReturn), sharpe: finite(e.runs[k].sharpe) })) };
        }
      }
      const stored = {
        metrics,
        benchmark,
        perTicker: e.kind === 'walkForward' ? [] : shown.perTicker.map((x) => ({ ...x, contribution: finite(x.contribution) })),
        rebalances: e.kind === 'walkForward' ? holdings.length : shown.rebalances.length,
        bars: n,
        firstBar: new Date(input.times[0]).toISOString(),
        lastBar: new Date(input.times[n - 1]).toISOString(),
        warnings: [...warnings, ...extraWarnings, ...(shown.fills === 0 ? ['no trades in the period: no ticker was ever selected'] : [])],
        permutation: { statistic: p.statistic, observed: finite(observed) ?? 0 },
        search,
      };
      if (!(await storePortfolioResult(db, id, stored, equityCurve, holdings))) throw stateError(`portfolio backtest ${id} was stopped while it ran`);
      evaluatedCache.set(id, Promise.resolve(e));
      const total = p.permutations;
      const count = Math.min(PERMUTATION_CHUNKS, total);
      log.debug({ id, bars: n, tickers: p.tickers.length, configs: e.configs.length, total }, 'portfolio backtest core done');
      return { total, seed: p.seed, chunks: Array.from({ length: count }, (_, i) => ({ start: Math.floor((i * total) / count), end: Math.floor(((i + 1) * total) / count) })) };
    },

    /** Permutations [start, end) in ~SLICE_MS slices with heartbeats (a retry resumes; a cancellation is seen within a slice). */
    async runPortfolioPermutations(id: string, seed: number, start: number, end: number): Promise<BestOfNChunkResult> {
      const e = await evaluated(db, id);
      const resume = activityInfo().heartbeatDetails as { done: number; atLeastAsGood: number; bestAloneAtLeastAsGood: number } | undefined;
      let done = resume && resume.done >= start && resume.done <= end ? resume.done : start;
      let atLeastAsGood = resume && done !== start ? resume.atLeastAsGood : 0;
      let bestAloneAtLeastAsGood = resume && done !== start ? (resume.bestAloneAtLeastAsGood ?? 0) : 0;
      let reported = done;
      let lastPublish = 0;
      const signal = cancellationSignal();
      while (done < end) {
        const sliceStart = performance.now();
        while (done < end && performance.now() - sliceStart < SLICE_MS) {
          const r = permutationChunk(e, seed, done, done + 1);
          atLeastAsGood += r.atLeastAsGood;
          bestAloneAtLeastAsGood += r.bestAloneAtLeastAsGood;
          done++;
        }
        heartbeat({ done, atLeastAsGood, bestAloneAtLeastAsGood });
        if (Date.now() - lastPublish >= PROGRESS_EVERY_MS || done === end) {
          lastPublish = Date.now();
          await addPortfolioPermutationsDone(db, id, done - reported);
          reported = done;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('portfolio permutations cancelled');
      }
      return { start, end, atLeastAsGood, bestAloneAtLeastAsGood, permutations: end - start };
    },

    /** p-value from all chunks, COMPLETED; a run cancelled meanwhile stays CANCELLED. */
    async finishPortfolioBacktest(id: string, chunks: BestOfNChunkResult[]): Promise<{ id: string; status: string; pValue: number | null }> {
      const row = await loadPortfolioBacktest(db, id);
      if (!row) throw stateError(`portfolio backtest ${id} does not exist`);
      const stored = ((row.result as { permutation?: unknown } | null)?.permutation ?? { statistic: row.params.statistic, observed: 0 }) as { statistic: PermutationStatistic; observed: number };
      const kind = row.params.search ? (row.params.search.walkForward ? 'walkForward' : 'sweep') : 'single';
      const permuted = {
        single: "whole bars: every ticker's returns of a bar move together against the fixed per-bar exposures and costs",
        sweep: "whole bars, every configuration scored on the same shuffled path; p counts the best of all configurations against the best observed (best-of-N); pValueBestAlone is the best configuration's naive p",
        walkForward: "whole bars of the stitched out-of-sample span, against the chosen configurations' fixed per-bar exposures and costs",
      }[kind];
      let combined: Record<string, unknown> | null = null;
      let pValue: number | null = null;
      let permutations = 0;
      if (chunks.length > 0) {
        const single = combinePermutationChunks(stored, chunks);
        pValue = single.pValue;
        permutations = single.permutations;
        combined = kind === 'sweep' ? { ...single, pValueBestAlone: combineBestOfN(chunks).pValueBestAlone } : { ...single };
      }
      const done = await completePortfolioBacktest(db, id, pValue, permutations, { ...(combined ?? stored), permuted });
      evaluatedCache.delete(id);
      const now = done ? null : await loadPortfolioBacktest(db, id);
      return { id, status: done ? 'COMPLETED' : (now?.status ?? 'UNKNOWN'), pValue };
    },

    async markPortfolioBacktestCancelled(id: string): Promise<void> {
      evaluatedCache.delete(id);
      await markPortfolioBacktestTerminal(db, id, 'CANCELLED', null);
    },

    async markPortfolioBacktestFailed(id: string, error: string): Promise<void> {
      evaluatedCache.delete(id);
      await markPortfolioBacktestTerminal(db, id, 'FAILED', error.slice(0, 2000));
    },
  };
}
