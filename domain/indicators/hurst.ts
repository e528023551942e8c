/**
 * Hurst exponent by rescaled-range (R/S) analysis.
 *
 * Input is a series of increments (e.g. log returns), not prices: R/S is defined on the
 * cumulative deviations of increments. For each window length n (log-spaced between
 * minWindow and maxWindow) the series is cut into non-overlapping blocks; each block's
 * range of mean-adjusted cumulative sums over its standard deviation is averaged, and H is
 * the slope of log(R/S) against log(n).
 *
 * Plain R/S is biased upwards on short windows (white noise scores ~0.55-0.6), so by default
 * the Anis-Lloyd-Peters expected R/S of white noise is subtracted in log space and 0.5 added
 * back: white noise then scores ~0.5, persistent (trending) increments > 0.5, anti-persistent
 * (mean-reverting) < 0.5.
 */
import { logReturns } from './volatility';

export interface HurstOptions {
  minWindow?: number;
  maxWindow?: number;
  /** Number of log-spaced window lengths to fit (distinct integers only). */
  scales?: number;
  /** Apply the Anis-Lloyd-Peters small-sample correction (default true). */
  corrected?: boolean;
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < 8; i++) a += LANCZOS[i] / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Anis-Lloyd (1976) expected R/S of n iid normals, with Peters' (n-0.5)/n factor. */
export function expectedRescaledRange(n: number): number {
  let sum = 0;
  for (let i = 1; i < n; i++) sum += Math.sqrt((n - i) / i);
  // Computed in log space for every n; the usual switch to an asymptotic form above n=340 only
  // exists to dodge Gamma overflow and would put a kink in the correction.
  const front = Math.exp(logGamma((n - 1) / 2) - logGamma(n / 2)) / Math.sqrt(Math.PI);
  return ((n - 0.5) / n) * front * sum;
}

/** Mean R/S over the non-overlapping blocks of length n; NaN when every block is constant. */
export function rescaledRange(x: ArrayLike<number>, n: number): number {
  const blocks = Math.floor(x.length / n);
  let total = 0;
  let used = 0;
  for (let b = 0; b < blocks; b++) {
    const start = b * n;
    let mean = 0;
    for (let i = start; i < start + n; i++) mean += x[i];
    mean /= n;
    let cum = 0;
    let max = 0;
    let min = 0;
    let ss = 0;
    for (let i = start; i < start + n; i++) {
      const d = x[i] - mean;
      cum += d;
      if (cum > max) max = cum;
      if (cum < min) min = cum;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / n);
    // Relative floor: a constant block leaves rounding-level deviations whose R/S is meaningless.
    if (sd > 1e-12 * Math.abs(mean) && sd > 0) {
      total += (max - min) / sd;
      used++;
    }
  }
  return used === 0 ? NaN : total / used;
}

/** Hurst exponent of an increment series; NaN when it is too short (< 2*minWindow) or constant. */
export function hurstExponent(increments: ArrayLike<number>, options: HurstOptions = {}): number {
  const minWindow = options.minWindow ?? 8;
  const maxWindow = Math.min(options.maxWindow ?? Math.floor(increments.length / 2), Math.floor(increments.length / 2));
  const scales = options.scales ?? 12;
  const corrected = options.corrected ?? true;
  if (maxWindow < minWindow * 2) return NaN;

  const windows = new Set<number>();
  const ratio = Math.log(maxWindow / minWindow) / Math.max(1, scales - 1);
  for (let k = 0; k < scales; k++) windows.add(Math.round(minWindow * Math.exp(ratio * k)));

  const xs: number[] = [];
  const ys: number[] = [];
  for (const n of windows) {
    const rs = rescaledRange(increments, n);
    if (!(rs > 0)) continue;
    xs.push(Math.log(n));
    ys.push(corrected ? Math.log(rs) - Math.log(expectedRescaledRange(n)) + 0.5 * Math.log(n) : Math.log(rs));
  }
  if (xs.length < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) * (xs[i] - mx);
  }
  return sxy / sxx;
}

/** Hurst exponent of a price series, computed on its log returns. */
export function hurstOfPrices(closes: ArrayLike<number>, options: HurstOptions = {}): number {
  return hurstExponent(logReturns(closes), options);
}
