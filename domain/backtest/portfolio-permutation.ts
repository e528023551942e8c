/**
 * Permutation test for a portfolio backtest, the single-ticker test (permutation.ts) widened to
 * a cross-section.
 *
 * What is permuted: whole bars. Bar k's returns of every ticker (the move to the fill and the
 * move after it) travel together to a new place in time, so the cross-correlation between the
 * tickers on a day is kept; the portfolio's exposures per bar (weights before and after each
 * fill) and its cost per bar stay where they were. H0: "the ranking and rebalancing carry no
 * information about the returns that follow" - under it every ordering of the market's days
 * against the same exposures is as likely as the real one. p = (count + 1) / (n + 1).
 * Caveats as in permutation.ts: shuffling breaks volatility clustering and autocorrelation, and
 * weights are held as realised (their drift is not recomputed on the shuffled path).
 *
 * Chunkable: permutation k uses stream streamSeed(seed, k), the same bar order the single-ticker
 * test draws, so any chunking gives identical counts.
 */
import { atLeastAsGoodThreshold, combinePermutationChunks, shuffledBarOrder, type PermutationChunkResult, type PermutationStatistic, type PermutationTestResult } from './permutation';
import type { PortfolioPlan } from './portfolio';

export interface PreparedPortfolioPermutationTest {
  plan: PortfolioPlan;
  statistic: PermutationStatistic;
  periodsPerYear: number;
  observed: number;
}

/** The statistic of the plan with bar i earning the returns of bar order[i] (identity order: the real run). */
export function portfolioPlanStatistic(plan: PortfolioPlan, order: Int32Array, statistic: PermutationStatistic, periodsPerYear: number): number {
  const { n, m, gap, body, before, after, cost } = plan;
  let growth = 1;
  let sum = 0;
  let sumSq = 0;
  for (let i = 1; i < n; i++) {
    const row = order[i] * m;
    const own = i * m;
    let g = 0;
    let b = 0;
    for (let j = 0; j < m; j++) {
      const wb = before[own + j];
      if (wb !== 0) g += wb * gap[row + j];
      const wa = after[own + j];
      if (wa !== 0) b += wa * body[row + j];
    }
    const r = (1 + g) * (1 - cost[i]) * (1 + b) - 1;
    growth *= 1 + r;
    sum += r;
    sumSq += r * r;
  }
  if (statistic === 'totalReturn') return growth - 1;
  const k = n - 1;
  if (k < 2) return 0;
  const mean = sum / k;
  const variance = (sumSq - k * mean * mean) / (k - 1);
  if (!(variance > 1e-14 * mean * mean + 1e-30)) return 0;
  return (mean / Math.sqrt(variance)) * Math.sqrt(periodsPerYear);
}

function identity(n: number): Int32Array {
  const o = new Int32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  return o;
}

export function preparePortfolioPermutationTest(plan: PortfolioPlan, statistic: PermutationStatistic, periodsPerYear: number): PreparedPortfolioPermutationTest {
  return { plan, statistic, periodsPerYear, observed: portfolioPlanStatistic(plan, identity(plan.n), statistic, periodsPerYear) };
}

export function runPortfolioPermutationChunk(test: PreparedPortfolioPermutationTest, seed: number, start: number, end: number): PermutationChunkResult {
  const order = new Int32Array(test.plan.n);
  const threshold = atLeastAsGoodThreshold(test.observed);
  let count = 0;
  for (let k = start; k < end; k++) {
    shuffledBarOrder(test.plan.n, seed, k, order);
    if (portfolioPlanStatistic(test.plan, order, test.statistic, test.periodsPerYear) >= threshold) count++;
  }
  return { start, end, atLeastAsGood: count, permutations: Math.max(0, end - start) };
}

/** Whole test in one call (small runs, tests). */
export function portfolioPermutationTest(plan: PortfolioPlan, options: { statistic?: PermutationStatistic; periodsPerYear: number; permutations?: number; seed?: number }): PermutationTestResult {
  const test = preparePortfolioPermutationTest(plan, options.statistic ?? 'sharpe', options.periodsPerYear);
  return combinePermutationChunks(test, [runPortfolioPermutationChunk(test, options.seed ?? 1, 0, options.permutations ?? 1000)]);
}
