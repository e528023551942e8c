/**
 * Parameter sweeps and walk-forward analysis, pure.
 *
 * Multiple testing: the best of N configurations looks good by luck alone. The best-of-N
 * permutation test compares the best observed statistic with the distribution of the *maximum*
 * over all N configurations under the null: permutation k shuffles the bar returns once
 * (stream streamSeed(seed, k), exactly as the single-run test does) and every configuration's
 * fixed position series is scored on that same shuffled path; the permutation counts when
 * max_c stat_c(k) >= max_c observed_c. p = (count + 1) / (n + 1). This is White's "reality
 * check" in permutation form: it controls the chance that the search as a whole finds
 * something this good in data with no timing information. The best configuration's own
 * (naive) p-value is reported beside it, counted on the same permutations.
 */
import { performanceMetrics } from './metrics';
import { buildExecutionPlan, type ExecutionPlan } from './execution-plan';
import { atLeastAsGoodThreshold, planStatistic, shuffleReturns, type PermutationStatistic, type PreparedPermutationTest } from './permutation';
import { runBacktest } from './engine';
import type { BacktestBars, BacktestOptions, BacktestResult, PerformanceMetrics } from './types';

export type SweepValue = number | boolean | null;

/** Cartesian product of the ranges, last key varying fastest; keys with an empty list are ignored. */
export function expandGrid(ranges: Record<string, SweepValue[]>): Array<Record<string, SweepValue>> {
  let out: Array<Record<string, SweepValue>> = [{}];
  for (const [key, values] of Object.entries(ranges)) {
    if (!values || values.length === 0) continue;
    const next: Array<Record<string, SweepValue>> = [];
    for (const partial of out) for (const v of values) next.push({ ...partial, [key]: v });
    out = next;
  }
  return out;
}

export interface BestOfNChunkResult {
  start: number;
  end: number;
  permutations: number;
  /** Permutations whose best statistic over all configurations was >= the best observed one. */
  atLeastAsGood: number;
  /** Permutations where the best configuration's own statistic was >= its observed one (naive, uncorrected). */
  bestAloneAtLeastAsGood: number;
}

/**
 * Best-of-N permutations [start, end). All tests must share the bars (and so the shuffled
 * returns); costs and positions differ per configuration.
 */
export function runBestOfNChunk(tests: PreparedPermutationTest[], bestIndex: number, seed: number, start: number, end: number): BestOfNChunkResult {
  if (tests.length === 0) throw new Error('best-of-N needs at least one configuration');
  const n = tests[0].plan.n;
  for (const t of tests) if (t.plan.n !== n) throw new Error('best-of-N configurations must share the same bars');
  const ref = tests[0].plan;
  const gap = new Float64Array(n);
  const body = new Float64Array(n);
  let observedBest = -Infinity;
  for (const t of tests) if (t.observed > observedBest) observedBest = t.observed;
  const bestThreshold = atLeastAsGoodThreshold(observedBest);
  const aloneThreshold = atLeastAsGoodThreshold(tests[bestIndex].observed);
  let count = 0;
  let alone = 0;
  for (let k = start; k < end; k++) {
    shuffleReturns(ref, gap, body, seed, k);
    let max = -Infinity;
    for (let c = 0; c < tests.length; c++) {
      const t = tests[c];
      const s = planStatistic(t.plan, gap, body, t.statistic, t.periodsPerYear);
      if (s > max) max = s;
      if (c === bestIndex && s >= aloneThreshold) alone++;
    }
    if (max >= bestThreshold) count++;
  }
  return { start, end, permutations: Math.max(0, end - start), atLeastAsGood: count, bestAloneAtLeastAsGood: alone };
}

export function combineBestOfN(chunks: BestOfNChunkResult[]): { permutations: number; atLeastAsGood: number; bestAloneAtLeastAsGood: number; pValue: number; pValueBestAlone: number } {
  let permutations = 0;
  let atLeastAsGood = 0;
  let bestAloneAtLeastAsGood = 0;
  for (const c of chunks) {
    permutations += c.permutations;
    atLeastAsGood += c.atLeastAsGood;
    bestAloneAtLeastAsGood += c.bestAloneAtLeastAsGood;
  }
  return { permutations, atLeastAsGood, bestAloneAtLeastAsGood, pValue: (atLeastAsGood + 1) / (permutations + 1), pValueBestAlone: (bestAloneAtLeastAsGood + 1) / (permutations + 1) };
}

/**
 * Bar-index windows for walk-forward: the configuration is chosen on in-sample [isStart, isEnd]
 * and traded out of sample on [oosStart, oosEnd] (equity starts at oosStart's close, the first
 * fill is at the next bar). Without gaps oosStart = isEnd (the spans share their boundary bar).
 */
export interface WalkForwardWindow {
  index: number;
  isStart: number;
  isEnd: number;
  oosStart: number;
  oosEnd: number;
}

/**
 * Gaps between the in-sample and out-of-sample spans (bars), after López de Prado's purged and
 * embargoed cross-validation, for walk-forward:
 * - `purgeBars`: the last bars of each in-sample span are dropped from the choice. Set it to the
 *   longest horizon an in-sample decision's outcome can have (a holding period, a label's forward
 *   return window, a rolling sentiment window): those bars' outcomes overlap the test span.
 * - `embargoBars`: the out-of-sample trading starts this many bars after the in-sample span, so
 *   serial correlation right at the boundary cannot carry in-sample luck into the test.
 * Either way nothing the choice sees is closer than purgeBars + embargoBars to the first
 * out-of-sample decision.
 */
export interface WalkForwardGaps {
  purgeBars?: number;
  embargoBars?: number;
}

/**
 * Consecutive windows over n bars: each in-sample span of `inSampleBars` bars (minus the purge)
 * is followed, after the embargo, by an out-of-sample span of `outOfSampleBars`; the next window
 * rolls forward by outOfSampleBars, so the out-of-sample spans tile the period after the first
 * one's start without overlap.
 */
export function walkForwardWindows(n: number, inSampleBars: number, outOfSampleBars: number, gaps: WalkForwardGaps = {}): WalkForwardWindow[] {
  const purge = gaps.purgeBars ?? 0;
  const embargo = gaps.embargoBars ?? 0;
  if (!Number.isInteger(purge) || !Number.isInteger(embargo) || purge < 0 || embargo < 0) throw new Error('walk-forward purgeBars and embargoBars must be whole numbers >= 0');
  if (inSampleBars - purge < 3 || outOfSampleBars < 1) throw new Error('walk-forward needs inSampleBars - purgeBars >= 3 and outOfSampleBars >= 1');
  const out: WalkForwardWindow[] = [];
  for (let isStart = 0, index = 0; ; isStart += outOfSampleBars, index++) {
    const oosStart = isStart + inSampleBars - 1 + embargo;
    if (oosStart >= n - 1) break;
    out.push({ index, isStart, isEnd: isStart + inSampleBars - 1 - purge, oosStart, oosEnd: Math.min(n - 1, oosStart + outOfSampleBars) });
  }
  return out;
}

function sliceBars(bars: Required<BacktestBars>, from: number, to: number): Required<BacktestBars> {
  return { close: bars.close.subarray(from, to + 1), open: bars.open.subarray(from, to + 1), times: bars.times.subarray(from, to + 1) };
}

/** The engine on bars [from, to] with the targets decided over the whole series (decisions only ever use the past). */
export function backtestSlice(bars: Required<BacktestBars>, targets: Float64Array, from: number, to: number, options: BacktestOptions): BacktestResult {
  return runBacktest(sliceBars(bars, from, to), targets.subarray(from, to + 1), options);
}

export interface WalkForwardStep {
  window: WalkForwardWindow;
  chosen: number;
  inSampleStatistic: number | null;
  outOfSample: BacktestResult;
}

/**
 * One walk-forward window: pick the configuration with the best in-sample statistic (ties:
 * lowest index; null = unusable, never chosen over a usable one), then trade it out of sample.
 * Targets were decided bar by bar from the past only, so slicing them is honest.
 */
export function walkForwardStep(
  bars: Required<BacktestBars>,
  configTargets: Float64Array[],
  optionsOf: (config: number) => BacktestOptions,
  window: WalkForwardWindow,
  statistic: (r: BacktestResult) => number | null,
): WalkForwardStep {
  let chosen = 0;
  let best: number | null = null;
  for (let c = 0; c < configTargets.length; c++) {
    const s = statistic(backtestSlice(bars, configTargets[c], window.isStart, window.isEnd, optionsOf(c)));
    if (s !== null && Number.isFinite(s) && (best === null || s > best)) {
      best = s;
      chosen = c;
    }
  }
  return { window, chosen, inSampleStatistic: best, outOfSample: backtestSlice(bars, configTargets[chosen], window.oosStart, window.oosEnd, optionsOf(chosen)) };
}

/**
 * Stitches out-of-sample equity curves (each starts at 1 on bar `startBar`, consecutive
 * segments sharing their boundary bar) into one curve, compounding each on the last.
 */
export function stitchEquity(barTimes: ArrayLike<number>, segments: Array<{ startBar: number; equity: ArrayLike<number> }>, periodsPerYear: number): { times: Float64Array; equity: Float64Array; metrics: PerformanceMetrics } {
  const times: number[] = [];
  const equity: number[] = [];
  let level = 1;
  for (const [k, s] of segments.entries()) {
    const e = s.equity;
    for (let i = k === 0 ? 0 : 1; i < e.length; i++) {
      times.push(barTimes[s.startBar + i]);
      equity.push(level * e[i]);
    }
    level *= e[e.length - 1];
  }
  const t = Float64Array.from(times);
  const eq = Float64Array.from(equity);
  return { times: t, equity: eq, metrics: performanceMetrics(eq, periodsPerYear, t) };
}

/**
 * The permutation test of a stitched walk-forward (issue 16 left it out): the out-of-sample
 * segments' execution plans (each window's chosen configuration, its costs, its positions) are
 * joined into one plan over the stitched bars, and runPermutationChunk shuffles the bar returns
 * of the whole stitched span against those fixed positions, exactly as for a single backtest.
 * H0: "the walk-forward's out-of-sample positions carry no information about the returns that
 * follow them". The observed statistic is the stitched curve's (equal to stitchEquity's metrics).
 * Segments are taken in order; each contributes its bars after its first (consecutive segments
 * share the boundary bar, as in stitchEquity).
 */
export function prepareWalkForwardPermutationTest(
  bars: Required<BacktestBars>,
  segments: Array<{ targets: Float64Array; options: BacktestOptions; from: number; to: number }>,
  statistic: PermutationStatistic,
  periodsPerYear: number,
): PreparedPermutationTest {
  const plans = segments.map((s) => buildExecutionPlan(sliceBars(bars, s.from, s.to), s.targets.subarray(s.from, s.to + 1), s.options));
  const n = 1 + plans.reduce((sum, p) => sum + Math.max(0, p.n - 1), 0);
  const joined: ExecutionPlan = {
    n, gap: new Float64Array(n), body: new Float64Array(n), before: new Float64Array(n), after: new Float64Array(n), cost: new Float64Array(n), position: new Float64Array(n),
    rate: NaN, execution: plans[0]?.execution ?? 'next-close',
  };
  let at = 1;
  for (const p of plans) {
    for (const key of ['gap', 'body', 'before', 'after', 'cost', 'position'] as const) joined[key].set(p[key].subarray(1), at);
    at += Math.max(0, p.n - 1);
  }
  return { plan: joined, statistic, periodsPerYear, observed: planStatistic(joined, joined.gap, joined.body, statistic, periodsPerYear) };
}
