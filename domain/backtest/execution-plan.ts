import { BacktestBars, BacktestOptions, Execution } from './types';

/**
 * A backtest reduced to per-bar arrays so that the engine and the permutation test share one
 * tight loop. For bar i (1..n-1) equity moves as
 *
 *   E_i = E_{i-1} * (1 + before[i] * gap[i]) * (1 - cost[i]) * (1 + after[i] * body[i])
 *
 * next-open:  gap = open_i/close_{i-1} - 1 is earned by the position held overnight (`before`),
 *             the trade to targets[i-1] happens at the open, body = close_i/open_i - 1 is earned
 *             by the new position (`after`).
 * next-close: gap = close_i/close_{i-1} - 1 is earned by the old position, the trade to
 *             targets[i-1] happens at close i, and body = 0.
 * Either way targets[i-1] (decided at close i-1) cannot earn any part of bar i-1's move.
 */
export interface ExecutionPlan {
  n: number;
  gap: Float64Array;
  body: Float64Array;
  before: Float64Array;
  after: Float64Array;
  /** Fraction of equity lost to fees and slippage at bar i's trade. */
  cost: Float64Array;
  /** Position held after bar i's trade (position[0] = 0). */
  position: Float64Array;
  /** Fees + slippage per unit of traded notional. */
  rate: number;
  execution: Execution;
}

export function resolveExecution(bars: BacktestBars, options: BacktestOptions): Execution {
  const execution = options.execution ?? (bars.open ? 'next-open' : 'next-close');
  if (execution === 'next-open' && !bars.open) throw new Error("execution 'next-open' needs bars.open");
  return execution;
}

export function barReturns(bars: BacktestBars, execution: Execution): { gap: Float64Array; body: Float64Array } {
  const { close, open } = bars;
  const n = close.length;
  const gap = new Float64Array(n);
  const body = new Float64Array(n);
  if (execution === 'next-open') {
    for (let i = 1; i < n; i++) {
      gap[i] = open![i] / close[i - 1] - 1;
      body[i] = close[i] / open![i] - 1;
    }
  } else {
    for (let i = 1; i < n; i++) gap[i] = close[i] / close[i - 1] - 1;
  }
  return { gap, body };
}

export function buildExecutionPlan(bars: BacktestBars, targets: ArrayLike<number>, options: BacktestOptions = {}): ExecutionPlan {
  const n = bars.close.length;
  if (targets.length !== n) throw new Error(`targets has ${targets.length} entries for ${n} bars`);
  if (bars.open && bars.open.length !== n) throw new Error(`open has ${bars.open.length} entries for ${n} bars`);
  const execution = resolveExecution(bars, options);
  const { gap, body } = barReturns(bars, execution);
  const rate = ((options.costBps ?? 0) + (options.slippageBps ?? 0)) / 10_000;
  const before = new Float64Array(n);
  const after = new Float64Array(n);
  const cost = new Float64Array(n);
  const position = new Float64Array(n);
  let held = 0;
  for (let i = 1; i < n; i++) {
    const raw = targets[i - 1];
    // A missing decision (NaN) means "no new information": keep what we hold.
    const target = raw === raw ? raw : held;
    before[i] = held;
    cost[i] = Math.abs(target - held) * rate;
    held = target;
    position[i] = held;
    after[i] = execution === 'next-open' ? held : 0;
  }
  return { n, gap, body, before, after, cost, position, rate, execution };
}
