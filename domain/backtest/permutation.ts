/**
 * Monte-Carlo permutation test for a backtest.
 *
 * What is permuted: the bars' returns (the (gap, body) pair of each bar, moved together) are
 * shuffled in time while the position series, its fills and its costs stay where they are.
 * The null hypothesis is "the positions carry no information about the returns that follow
 * them": under it every re-ordering of returns against the same positions is as likely as the
 * real one, and the permuted runs keep the strategy's exposure, turnover, costs and the
 * market's return distribution, so only timing skill can make the real run stand out.
 * Caveat: shuffling breaks volatility clustering and autocorrelation in returns, so for
 * strategies whose positions are built from past prices the test is somewhat liberal.
 *
 * p = (count + 1) / (n + 1), where count is the number of permutations whose statistic is at
 * least the real one: the real ordering counts as one of the equally likely orderings, which
 * keeps the test valid (never p = 0) for any n.
 *
 * Chunkable and deterministic: permutation k always uses PRNG stream streamSeed(seed, k), so
 * chunks [0,250) + [250,500) + ... give exactly the counts of one run over [0,1000).
 */
import { buildExecutionPlan, ExecutionPlan } from './execution-plan';
import { inferPeriodsPerYear } from './periods';
import { SeededRandom, streamSeed } from './seeded-random';
import { BacktestBars, BacktestOptions } from './types';

export type PermutationStatistic = 'sharpe' | 'totalReturn';

export interface PreparedPermutationTest {
  plan: ExecutionPlan;
  statistic: PermutationStatistic;
  periodsPerYear: number;
  observed: number;
}

export interface PermutationChunkResult {
  start: number;
  end: number;
  /** Permutations in [start, end) whose statistic was >= the observed one. */
  atLeastAsGood: number;
  permutations: number;
}

export interface PermutationTestResult {
  observed: number;
  statistic: PermutationStatistic;
  permutations: number;
  atLeastAsGood: number;
  pValue: number;
}

/** The statistic of a plan with bar returns (gap, body); shared by the real run and every permutation. */
export function planStatistic(plan: ExecutionPlan, gap: Float64Array, body: Float64Array, statistic: PermutationStatistic, periodsPerYear: number): number {
  const { n, before, after, cost } = plan;
  let growth = 1;
  let sum = 0;
  let sumSq = 0;
  for (let i = 1; i < n; i++) {
    const r = (1 + before[i] * gap[i]) * (1 - cost[i]) * (1 + after[i] * body[i]) - 1;
    growth *= 1 + r;
    sum += r;
    sumSq += r * r;
  }
  if (statistic === 'totalReturn') return growth - 1;
  const m = n - 1;
  if (m < 2) return 0;
  const mean = sum / m;
  const variance = (sumSq - m * mean * mean) / (m - 1);
  // Same "no Sharpe" rule as the engine (which reports null); 0 here, so a flat run never beats anything by accident.
  if (!(variance > 1e-14 * mean * mean + 1e-30)) return 0;
  return (mean / Math.sqrt(variance)) * Math.sqrt(periodsPerYear);
}

/**
 * Tolerance so that a permutation identical to the real ordering counts as "at least as good"
 * despite rounding.
 */
export function atLeastAsGoodThreshold(observed: number): number {
  return observed - 1e-12 * Math.max(1, Math.abs(observed));
}

/**
 * Permutation k under `seed`: the plan's bar returns (gap and body together) shuffled into
 * `gap` and `body` by Fisher-Yates over bars 1..n-1 (bar 0 has no return). Every permutation
 * test (one strategy, or best-of-N over a sweep) shuffles through here, so the same (seed, k)
 * is the same path everywhere.
 */
/**
 * The bar order of permutation k under `seed`: `order[i]` is the bar whose returns bar i gets.
 * The same Fisher-Yates draws as shuffleReturns (which swaps in place for speed), for tests
 * that shuffle many series at once (a portfolio's tickers move together within a bar).
 */
export function shuffledBarOrder(n: number, seed: number, k: number, order: Int32Array): void {
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new SeededRandom(streamSeed(seed, k));
  for (let i = n - 1; i > 1; i--) {
    const j = 1 + Math.floor(rng.next() * i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

export function shuffleReturns(plan: { gap: Float64Array; body: Float64Array; n: number }, gap: Float64Array, body: Float64Array, seed: number, k: number): void {
  gap.set(plan.gap);
  body.set(plan.body);
  const rng = new SeededRandom(streamSeed(seed, k));
  for (let i = plan.n - 1; i > 1; i--) {
    const j = 1 + Math.floor(rng.next() * i);
    const g = gap[i];
    gap[i] = gap[j];
    gap[j] = g;
    const b = body[i];
    body[i] = body[j];
    body[j] = b;
  }
}

export function preparePermutationTest(
  bars: BacktestBars,
  targets: ArrayLike<number>,
  options: BacktestOptions & { statistic?: PermutationStatistic } = {},
): PreparedPermutationTest {
  const plan = buildExecutionPlan(bars, targets, options);
  const statistic = options.statistic ?? 'sharpe';
  const periodsPerYear = options.periodsPerYear ?? inferPeriodsPerYear(bars.times);
  return { plan, statistic, periodsPerYear, observed: planStatistic(plan, plan.gap, plan.body, statistic, periodsPerYear) };
}

/** Runs permutations [start, end) under `seed`. Safe to call from an activity in heartbeat-sized chunks. */
export function runPermutationChunk(test: PreparedPermutationTest, seed: number, start: number, end: number): PermutationChunkResult {
  const { plan, statistic, periodsPerYear, observed } = test;
  const n = plan.n;
  const gap = new Float64Array(n);
  const body = new Float64Array(n);
  const threshold = atLeastAsGoodThreshold(observed);
  let count = 0;
  for (let k = start; k < end; k++) {
    shuffleReturns(plan, gap, body, seed, k);
    if (planStatistic(plan, gap, body, statistic, periodsPerYear) >= threshold) count++;
  }
  return { start, end, atLeastAsGood: count, permutations: Math.max(0, end - start) };
}

/** Combines chunk results (any order) into the (count+1)/(n+1) p-value. */
export function combinePermutationChunks(test: Pick<PreparedPermutationTest, 'observed' | 'statistic'>, chunks: PermutationChunkResult[]): PermutationTestResult {
  let permutations = 0;
  let atLeastAsGood = 0;
  for (const c of chunks) {
    permutations += c.permutations;
    atLeastAsGood += c.atLeastAsGood;
  }
  return {
    observed: test.observed,
    statistic: test.statistic,
    permutations,
    atLeastAsGood,
    pValue: (atLeastAsGood + 1) / (permutations + 1),
  };
}

/** Whole test in one call (small runs, tests, benchmarks). */
export function permutationTest(
  bars: BacktestBars,
  targets: ArrayLike<number>,
  options: BacktestOptions & { statistic?: PermutationStatistic; permutations?: number; seed?: number } = {},
): PermutationTestResult {
  const test = preparePermutationTest(bars, targets, options);
  const chunk = runPermutationChunk(test, options.seed ?? 1, 0, options.permutations ?? 1000);
  return combinePermutationChunks(test, [chunk]);
}
