/**
 * What a backtest run is, as stored in backtest_runs.params and passed between the service,
 * the workflow and its activities. The strategy part is the union of the registry's entries
 * (strategy-registry.ts): one declaration per strategy.
 */
import type { PermutationStatistic } from './permutation';
import type { BacktestSizing, BacktestStrategy } from './strategy-registry';

export { BacktestDataError, SIGNAL_LOOKBACK_MS } from './strategy-registry';
export type { BacktestSizing, BacktestStrategy, BacktestStrategyInput } from './strategy-registry';

/** Stored in backtest_runs.params: everything needed to rerun the backtest exactly. */
export interface BacktestParams {
  ticker: string;
  interval: string;
  from: string;
  to: string;
  strategy: BacktestStrategy;
  costBps: number;
  slippageBps: number;
  sizing: BacktestSizing;
  execution: 'next-open' | 'next-close';
  statistic: PermutationStatistic;
  permutations: number;
  seed: number;
}

/** How the workflow splits the permutation test (runBacktestCore's answer). */
export interface BacktestPlan {
  total: number;
  seed: number;
  chunks: Array<{ start: number; end: number }>;
}

export interface BacktestOutcome {
  id: string;
  status: string;
  pValue: number | null;
}
