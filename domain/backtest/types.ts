/**
 * Timing convention (the one rule that keeps backtests honest): `targets[t]` is the position
 * decided with information available at bar t's close. It is traded at bar t+1 — at t+1's open
 * with `execution: 'next-open'`, or at t+1's close with `execution: 'next-close'` — never at
 * bar t itself. Positions are fractions of equity (1 = fully long, -0.5 = half short) and are
 * held at that fraction between trades (drift rebalancing is not charged).
 */
export type Execution = 'next-open' | 'next-close';

export interface BacktestBars {
  close: Float64Array;
  /** Needed for `next-open` execution. */
  open?: Float64Array;
  /** Bar timestamps in epoch ms (for CAGR over the real calendar span and periods-per-year inference). */
  times?: Float64Array;
}

export interface BacktestOptions {
  /** Commission / fees per unit of traded notional, in basis points of equity traded. Default 0. */
  costBps?: number;
  /** Slippage per unit of traded notional, in basis points. Default 0. */
  slippageBps?: number;
  /** Default: 'next-open' when bars carry opens, otherwise 'next-close'. */
  execution?: Execution;
  /** Default: inferred from `times` (bars observed per calendar year), else 252. */
  periodsPerYear?: number;
}

export interface TradeStats {
  /** Round trips: a run of non-zero position with one sign (resizing does not start a new trade; flipping does). */
  trades: number;
  /** Position changes executed (entries, exits, resizes, flips). */
  fills: number;
  winRate: number | null;
  /** Mean return on equity of winning / losing trades (avgLoss is negative). */
  avgWin: number | null;
  avgLoss: number | null;
  /** Gross profit / gross loss in equity units; null when there are no losing trades. */
  profitFactor: number | null;
}

export interface PerformanceMetrics {
  totalReturn: number;
  cagr: number;
  /** Annualised, risk-free rate 0, sample stdev; null when returns have zero variance. */
  sharpe: number | null;
  /** Annualised mean over downside deviation sqrt(mean(min(r,0)^2)); null when there is no downside. */
  sortino: number | null;
  /** CAGR / max drawdown; null when there is no drawdown. */
  calmar: number | null;
  /** Largest peak-to-trough fall as a positive fraction of the peak. */
  maxDrawdown: number;
  /** Longest stretch, in bars, spent below a previous equity peak. */
  maxDrawdownDurationBars: number;
  periodsPerYear: number;
}

export interface BacktestResult extends PerformanceMetrics, TradeStats {
  /** Share of return periods with a non-zero position. */
  exposure: number;
  /** Costs and slippage paid, as a fraction of initial equity. */
  costsPaid: number;
  execution: Execution;
  /** Equity per bar, starting at 1. */
  equity: Float64Array;
}
