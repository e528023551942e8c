/**
 * Sweeps and walk-forward over portfolio configurations, the portfolio counterparts of sweep.ts.
 *
 * Every configuration is one full portfolio run over the whole period (decisions only ever use
 * the past, so its per-bar returns over any span are what that configuration earned there). A
 * window's choice reads only the chosen statistic over in-sample bars; the out-of-sample spans
 * of the chosen configurations are stitched from their plans' per-bar returns.
 * Caveat, stated in the results: switching from one configuration's holdings to another's at a
 * window boundary is not charged (each configuration's own trading costs are).
 */
import { atLeastAsGoodThreshold, shuffledBarOrder, type PermutationStatistic } from './permutation';
import type { PortfolioPlan } from './portfolio';
import { portfolioPlanStatistic, type PreparedPortfolioPermutationTest } from './portfolio-permutation';
import { performanceMetrics } from './metrics';
import type { BestOfNChunkResult, WalkForwardWindow } from './sweep';
import type { PerformanceMetrics } from './types';

/** The plan's rows [from, to] (row from is the starting point: its own return is dropped), as a plan of its own. */
export function slicePortfolioPlan(plan: PortfolioPlan, from: number, to: number): PortfolioPlan {
  const { m } = plan;
  const n = to - from + 1;
  const out: PortfolioPlan = {
    n, m, gap: new Float64Array(n * m), body: new Float64Array(n * m), before: new Float64Array(n * m), after: new Float64Array(n * m), cost: new Float64Array(n),
  };
  for (const key of ['gap', 'body', 'before', 'after'] as const) out[key].set(plan[key].subarray((from + 1) * m, (to + 1) * m), m);
  out.cost.set(plan.cost.subarray(from + 1, to + 1), 1);
  return out;
}

/** Joins plans end to end (each one's row 0 is a starting point without a return). */
export function joinPortfolioPlans(plans: PortfolioPlan[]): PortfolioPlan {
  const m = plans[0]?.m ?? 0;
  const n = 1 + plans.reduce((s, p) => s + Math.max(0, p.n - 1), 0);
  const out: PortfolioPlan = {
    n, m, gap: new Float64Array(n * m), body: new Float64Array(n * m), before: new Float64Array(n * m), after: new Float64Array(n * m), cost: new Float64Array(n),
  };
  let at = 1;
  for (const p of plans) {
    if (p.m !== m) throw new Error('joined portfolio plans must share their tickers');
    for (const key of ['gap', 'body', 'before', 'after'] as const) out[key].set(p[key].subarray(m), at * m);
    out.cost.set(p.cost.subarray(1), at);
    at += Math.max(0, p.n - 1);
  }
  return out;
}

const identity = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Equity (starting at 1) of a plan's bar returns. */
export function planEquity(plan: PortfolioPlan): Float64Array {
  const { n, m, gap, body, before, after, cost } = plan;
  const e = new Float64Array(n);
  if (n > 0) e[0] = 1;
  for (let i = 1; i < n; i++) {
    let g = 0;
    let b = 0;
    for (let j = 0; j < m; j++) {
      g += before[i * m + j] * gap[i * m + j];
      b += after[i * m + j] * body[i * m + j];
    }
    e[i] = e[i - 1] * (1 + g) * (1 - cost[i]) * (1 + b);
  }
  return e;
}

export interface PortfolioWalkForwardStep {
  window: WalkForwardWindow;
  chosen: number;
  inSampleStatistic: number | null;
}

/**
 * Walk-forward over portfolio configurations: in each window (walkForwardWindows, with its purge
 * and embargo) the configuration with the best statistic over in-sample bars [isStart, isEnd]
 * (ties: lowest index) is traded over [oosStart, oosEnd]. Returns the choices, the stitched
 * out-of-sample plan (for the permutation test: preparePortfolioPermutationTest on it), its
 * equity over `times` and its metrics.
 */
export function portfolioWalkForward(
  plans: PortfolioPlan[],
  windows: WalkForwardWindow[],
  statistic: PermutationStatistic,
  periodsPerYear: number,
  times: ArrayLike<number>,
): { steps: PortfolioWalkForwardStep[]; plan: PortfolioPlan; times: Float64Array; equity: Float64Array; metrics: PerformanceMetrics } {
  if (plans.length === 0) throw new Error('walk-forward needs at least one configuration');
  const steps: PortfolioWalkForwardStep[] = windows.map((window) => {
    let chosen = 0;
    let best: number | null = null;
    for (let c = 0; c < plans.length; c++) {
      const inSample = slicePortfolioPlan(plans[c], window.isStart, window.isEnd);
      const s = portfolioPlanStatistic(inSample, identity(inSample.n), statistic, periodsPerYear);
      if (Number.isFinite(s) && (best === null || s > best)) {
        best = s;
        chosen = c;
      }
    }
    return { window, chosen, inSampleStatistic: best };
  });
  const plan = joinPortfolioPlans(steps.map((s) => slicePortfolioPlan(plans[s.chosen], s.window.oosStart, s.window.oosEnd)));
  const stitchedTimes: number[] = [];
  for (const [k, s] of steps.entries()) for (let i = k === 0 ? s.window.oosStart : s.window.oosStart + 1; i <= s.window.oosEnd; i++) stitchedTimes.push(times[i]);
  const t = Float64Array.from(stitchedTimes);
  const equity = planEquity(plan);
  return { steps, plan, times: t, equity, metrics: performanceMetrics(equity, periodsPerYear, t) };
}

/**
 * Best-of-N permutations [start, end) over portfolio configurations sharing the bars: permutation
 * k shuffles whole bars once (the single-run test's order for (seed, k)) and scores every
 * configuration's fixed exposures on it; it counts when the best of them is at least the best
 * observed statistic (White's reality check in permutation form, as sweep.ts).
 */
export function runPortfolioBestOfNChunk(tests: PreparedPortfolioPermutationTest[], bestIndex: number, seed: number, start: number, end: number): BestOfNChunkResult {
  if (tests.length === 0) throw new Error('best-of-N needs at least one configuration');
  const n = tests[0].plan.n;
  for (const t of tests) if (t.plan.n !== n) throw new Error('best-of-N configurations must share the same bars');
  let observedBest = -Infinity;
  for (const t of tests) if (t.observed > observedBest) observedBest = t.observed;
  const bestThreshold = atLeastAsGoodThreshold(observedBest);
  const aloneThreshold = atLeastAsGoodThreshold(tests[bestIndex].observed);
  const order = new Int32Array(n);
  let count = 0;
  let alone = 0;
  for (let k = start; k < end; k++) {
    shuffledBarOrder(n, seed, k, order);
    let max = -Infinity;
    for (let c = 0; c < tests.length; c++) {
      const s = portfolioPlanStatistic(tests[c].plan, order, tests[c].statistic, tests[c].periodsPerYear);
      if (s > max) max = s;
      if (c === bestIndex && s >= aloneThreshold) alone++;
    }
    if (max >= bestThreshold) count++;
  }
  return { start, end, permutations: Math.max(0, end - start), atLeastAsGood: count, bestAloneAtLeastAsGood: alone };
}
