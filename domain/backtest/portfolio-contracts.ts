/**
 * What a portfolio backtest run is, as stored in portfolio_backtests.params and passed between
 * the service, the workflow and its activities; and the point-in-time score series its rankings
 * are built from.
 */
import type { EmotionLabel } from '../emotions/labels';
import type { PermutationStatistic } from './permutation';
import type { RebalanceFrequency, Selector, WeightScheme } from './portfolio-selection';
import type { BacktestStrategy } from './strategy-registry';
import type { SignalType } from './strategies';

/**
 * What ranks the tickers at each rebalance (the score a ticker has at the decision bar):
 * - `strategy`: a registry strategy run on each ticker; its target position is the score.
 * - `sentiment`: relevance-weighted mean sentiment of the ticker's stories over the last windowHours.
 * - `signalConfidence`: the latest live signal within maxAgeHours: +confidence for BUY,
 *   -confidence for SELL, 0 for HOLD.
 */
export type PortfolioRanking =
  | { kind: 'strategy'; strategy: BacktestStrategy }
  | { kind: 'sentiment'; windowHours: number; minRelevance: number }
  /** The share of the ticker's stored articles over windowHours whose emotion label is `emotion`. */
  | { kind: 'emotion'; emotion: EmotionLabel; windowHours: number; minRelevance: number }
  | { kind: 'signalConfidence'; maxAgeHours: number };

/**
 * A search over portfolio configurations: every combination of the ranges (cartesian product)
 * on top of the run's own settings. Without walkForward: a sweep (the best configuration by the
 * statistic is reported, with a best-of-N permutation p-value against the whole search). With
 * walkForward: purged and embargoed walk-forward (portfolio-search.ts), the stitched
 * out-of-sample result reported with its own permutation p-value.
 */
export interface PortfolioSearch {
  ranges: { top?: number[]; weighting?: WeightScheme[]; rebalance?: RebalanceFrequency[]; volatilityLookback?: number[] };
  walkForward: { inSampleBars: number; outOfSampleBars: number; purgeBars: number; embargoBars: number } | null;
}

/** The configuration `overrides` (one point of PortfolioSearch.ranges) makes of the run's own. */
export function portfolioSearchConfigs(search: PortfolioSearch): Array<Record<string, number | string>> {
  let out: Array<Record<string, number | string>> = [{}];
  for (const [key, values] of Object.entries(search.ranges)) {
    if (!values || values.length === 0) continue;
    out = out.flatMap((partial) => (values as Array<number | string>).map((v) => ({ ...partial, [key]: v })));
  }
  return out;
}

export interface PortfolioBacktestParams {
  /** As asked: explicit tickers, or a sector (resolved into `tickers` when the run was created). */
  universe: { tickers: string[] } | { sector: string };
  tickers: string[];
  interval: string;
  from: string;
  to: string;
  ranking: PortfolioRanking;
  long: Selector | null;
  short: Selector | null;
  longExposure: number;
  shortExposure: number;
  weighting: WeightScheme;
  volatilityLookback: number;
  rebalance: RebalanceFrequency;
  execution: 'next-open' | 'next-close';
  costBps: number;
  slippageBps: number;
  benchmark: { kind: 'universe' } | { kind: 'ticker'; ticker: string };
  statistic: PermutationStatistic;
  permutations: number;
  seed: number;
  /** A sweep or walk-forward over configurations; absent/null: one run. */
  search?: PortfolioSearch | null;
}

export interface PortfolioSignal {
  time: Date | number;
  type: SignalType;
  confidence: number;
}

/**
 * Signed confidence of the latest signal at or before each bar time and no older than maxAgeMs
 * (NaN when there is none): the signal-confidence ranking, point in time.
 */
export function signalConfidenceByBar(barTimes: ArrayLike<number>, signals: PortfolioSignal[], maxAgeMs: number): Float64Array {
  const rows = signals
    .map((s) => ({ ms: typeof s.time === 'number' ? s.time : s.time.getTime(), value: s.type === 'BUY' ? s.confidence : s.type === 'SELL' ? -s.confidence : 0 }))
    .sort((a, b) => a.ms - b.ms);
  const out = new Float64Array(barTimes.length).fill(NaN);
  let k = -1;
  for (let i = 0; i < barTimes.length; i++) {
    while (k + 1 < rows.length && rows[k + 1].ms <= barTimes[i]) k++;
    if (k >= 0 && barTimes[i] - rows[k].ms <= maxAgeMs) out[i] = rows[k].value;
  }
  return out;
}
