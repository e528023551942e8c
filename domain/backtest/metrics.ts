import { PerformanceMetrics } from './types';
import { yearsCovered } from './periods';

/** Per-period simple returns of an equity curve (length n-1). */
export function equityReturns(equity: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, equity.length - 1));
  for (let i = 1; i < equity.length; i++) out[i - 1] = equity[i] / equity[i - 1] - 1;
  return out;
}

export function sharpeRatio(returns: ArrayLike<number>, periodsPerYear: number): number | null {
  const n = returns.length;
  if (n < 2) return null;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += returns[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (returns[i] - mean) * (returns[i] - mean);
  const variance = ss / (n - 1);
  // Rounding noise on constant returns must not turn into a huge Sharpe (same rule as the engine).
  if (!(variance > 1e-14 * mean * mean + 1e-30)) return null;
  return (mean / Math.sqrt(variance)) * Math.sqrt(periodsPerYear);
}

export function sortinoRatio(returns: ArrayLike<number>, periodsPerYear: number): number | null {
  const n = returns.length;
  if (n < 1) return null;
  let mean = 0;
  let downside = 0;
  for (let i = 0; i < n; i++) {
    mean += returns[i];
    if (returns[i] < 0) downside += returns[i] * returns[i];
  }
  mean /= n;
  const dd = Math.sqrt(downside / n);
  if (!(dd > 0)) return null;
  return (mean / dd) * Math.sqrt(periodsPerYear);
}

export function maxDrawdown(equity: ArrayLike<number>): { maxDrawdown: number; maxDrawdownDurationBars: number } {
  let peak = -Infinity;
  let peakIndex = 0;
  let worst = 0;
  let longest = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (e >= peak) {
      peak = e;
      peakIndex = i;
    } else {
      const dd = 1 - e / peak;
      if (dd > worst) worst = dd;
      if (i - peakIndex > longest) longest = i - peakIndex;
    }
  }
  return { maxDrawdown: worst, maxDrawdownDurationBars: longest };
}

export function cagr(equity: ArrayLike<number>, periodsPerYear: number, times?: ArrayLike<number>): number {
  const n = equity.length;
  if (n < 2) return 0;
  const years = yearsCovered(n, periodsPerYear, times);
  const growth = equity[n - 1] / equity[0];
  if (!(years > 0)) return 0;
  if (growth <= 0) return -1;
  return growth ** (1 / years) - 1;
}

export function performanceMetrics(equity: ArrayLike<number>, periodsPerYear: number, times?: ArrayLike<number>): PerformanceMetrics {
  const n = equity.length;
  const returns = equityReturns(equity);
  const totalReturn = n >= 1 ? equity[n - 1] / equity[0] - 1 : 0;
  const growthRate = cagr(equity, periodsPerYear, times);
  const dd = maxDrawdown(equity);
  return {
    totalReturn,
    cagr: growthRate,
    sharpe: sharpeRatio(returns, periodsPerYear),
    sortino: sortinoRatio(returns, periodsPerYear),
    calmar: dd.maxDrawdown > 0 ? growthRate / dd.maxDrawdown : null,
    maxDrawdown: dd.maxDrawdown,
    maxDrawdownDurationBars: dd.maxDrawdownDurationBars,
    periodsPerYear,
  };
}
