import { resolveExecution } from './execution-plan';
import { cagr } from './metrics';
import { inferPeriodsPerYear } from './periods';
import { BacktestBars, BacktestOptions, BacktestResult } from './types';

/**
 * The hot loop, kept in its own small function: V8 optimises it on-stack while it runs, and
 * code after the loop that has never executed would otherwise deoptimise it on every call.
 * `fill` is the price each bar's trade happens at: the open for next-open execution, the
 * close itself for next-close (the "after the fill" segment then has zero length), which keeps
 * one branch-free loop for both modes.
 */
function simulateBars(close: Float64Array, fill: Float64Array, targets: ArrayLike<number>, rate: number, equity: Float64Array) {
  const n = close.length;
  let e = 1;
  if (n > 0) equity[0] = 1;
  let held = 0;
  let lastChange = 0;
  let heldBars = 0;
  let entriesFromFlat = 0;
  let costsPaid = 0;
  let fills = 0;
  let entryEquity = 0;
  let trades = 0;
  let wins = 0;
  let losses = 0;
  let sumWinRet = 0;
  let sumLossRet = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let sum = 0;
  let sumSq = 0;
  let downSq = 0;
  let peak = 1;
  let peakIndex = 0;
  let worstDrawdown = 0;
  let longestDrawdown = 0;
  let floor = 1; // equity level that would set a new worst drawdown: avoids a division per bar

  for (let i = 1; i < n; i++) {
    const old = held;
    // Growth over the part of bar i held with the old position: close(i-1) -> fill price.
    const before = 1 + old * (fill[i] / close[i - 1] - 1);
    const raw = targets[i - 1];
    const next = raw === raw ? raw : old; // NaN = no new decision: keep the position
    let cost = 0;
    if (next !== old) {
      const mid = e * before;
      fills++;
      // Bars held with `old` (each bar counts once, for the position it started with).
      if (old !== 0) heldBars += i - lastChange;
      else entriesFromFlat++;
      lastChange = i;
      if (old !== 0 && (next === 0 || old * next < 0)) {
        // The exit leg's share of the fill cost belongs to the closing trade, the rest to the new one.
        const exitEquity = mid * (1 - Math.abs(old) * rate);
        const pnl = exitEquity - entryEquity;
        trades++;
        if (pnl > 0) {
          wins++;
          sumWinRet += pnl / entryEquity;
          grossProfit += pnl;
        } else if (pnl < 0) {
          losses++;
          sumLossRet += pnl / entryEquity;
          grossLoss -= pnl;
        }
        entryEquity = exitEquity;
      } else if (old === 0) {
        entryEquity = mid;
      }
      cost = Math.abs(next - old) * rate;
      costsPaid += mid * cost;
      held = next;
    }
    const factor = before * (1 - cost) * (1 + held * (close[i] / fill[i] - 1));
    e *= factor;
    equity[i] = e;

    const r = factor - 1;
    const loss = 0.5 * (r - Math.abs(r)); // min(r, 0) without a data-dependent branch
    sum += r;
    sumSq += r * r;
    downSq += loss * loss;
    if (e >= peak) {
      peak = e;
      peakIndex = i;
      floor = peak * (1 - worstDrawdown);
    } else {
      if (e < floor) {
        worstDrawdown = 1 - e / peak;
        floor = e;
      }
      if (i - peakIndex > longestDrawdown) longestDrawdown = i - peakIndex;
    }
  }
  if (held !== 0 && n > 0) heldBars += n - 1 - lastChange;
  return {
    e, held, heldBars, entriesFromFlat, costsPaid, fills, entryEquity, trades, wins, losses, sumWinRet, sumLossRet,
    grossProfit, grossLoss, sum, sumSq, downSq, worstDrawdown, longestDrawdown,
  };
}

// Run the loop once on a toy series at load time so that the code after it (the result object)
// has type feedback before V8 optimises the loop on-stack; without this the optimised loop
// deoptimises at its exit on every call and a 1M-bar run costs ~2x more.
{
  // Several calls: V8 allocates feedback vectors lazily, only after a function has run a few times.
  const toy = Float64Array.of(1, 1.1, 1, 1.2, 1.1);
  const toyTargets = Float64Array.of(1, -1, 0.5, 0, 0);
  for (let k = 0; k < 16; k++) simulateBars(toy, k % 2 === 0 ? toy.map((x) => x * 1.01) : toy, toyTargets, 0.001, new Float64Array(5));
}

/**
 * Backtests a target-position series against bars in a single pass with no per-bar allocation:
 * equity, costs, exposure, round-trip trades and the return moments/drawdown for the metrics
 * are all accumulated in the same loop (the engine must sustain tens of millions of bars/s).
 * The per-bar equity update is the one documented in execution-plan.ts, which the permutation
 * test replays; targets[t] is decided at close t and filled at t+1 (see types.ts).
 */
export function runBacktest(bars: BacktestBars, targets: ArrayLike<number>, options: BacktestOptions = {}): BacktestResult {
  const { close } = bars;
  const n = close.length;
  if (targets.length !== n) throw new Error(`targets has ${targets.length} entries for ${n} bars`);
  if (bars.open && bars.open.length !== n) throw new Error(`open has ${bars.open.length} entries for ${n} bars`);
  const execution = resolveExecution(bars, options);
  const rate = ((options.costBps ?? 0) + (options.slippageBps ?? 0)) / 10_000;
  const periodsPerYear = options.periodsPerYear ?? inferPeriodsPerYear(bars.times);
  const equity = new Float64Array(n);
  const atOpen = execution === 'next-open';
  const acc = simulateBars(close, atOpen ? bars.open! : close, targets, rate, equity);
  const { e, sum, sumSq, downSq, worstDrawdown } = acc;
  let { trades, wins, losses, sumWinRet, sumLossRet, grossProfit, grossLoss } = acc;
  if (acc.held !== 0) {
    // An open position is marked to market at the last close and counted as a trade.
    const pnl = e - acc.entryEquity;
    trades++;
    if (pnl > 0) {
      wins++;
      sumWinRet += pnl / acc.entryEquity;
      grossProfit += pnl;
    } else if (pnl < 0) {
      losses++;
      sumLossRet += pnl / acc.entryEquity;
      grossLoss -= pnl;
    }
  }
  const m = Math.max(0, n - 1);
  const mean = m > 0 ? sum / m : 0;
  const variance = m > 1 ? (sumSq - m * mean * mean) / (m - 1) : 0;
  // Constant returns leave rounding-level variance; that is "no Sharpe", not an enormous one.
  const sharpe = variance > 1e-14 * mean * mean + 1e-30 ? (mean / Math.sqrt(variance)) * Math.sqrt(periodsPerYear) : null;
  const downside = m > 0 ? Math.sqrt(downSq / m) : 0;
  const sortino = downside > 0 ? (mean / downside) * Math.sqrt(periodsPerYear) : null;
  const growthRate = cagr(equity, periodsPerYear, bars.times);
  return {
    totalReturn: n > 0 ? e - 1 : 0,
    cagr: growthRate,
    sharpe,
    sortino,
    calmar: worstDrawdown > 0 ? growthRate / worstDrawdown : null,
    maxDrawdown: worstDrawdown,
    maxDrawdownDurationBars: acc.longestDrawdown,
    periodsPerYear,
    trades,
    fills: acc.fills,
    winRate: trades > 0 ? wins / trades : null,
    avgWin: wins > 0 ? sumWinRet / wins : null,
    avgLoss: losses > 0 ? sumLossRet / losses : null,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    // Under next-open execution a bar entered from flat is exposed from its open onwards.
    exposure: m > 0 ? (acc.heldBars + (atOpen ? acc.entriesFromFlat : 0)) / m : 0,
    costsPaid: acc.costsPaid,
    execution,
    equity,
  };
}
