/**
 * Rolling annualised volatility: sample standard deviation of the last `window` log returns
 * times sqrt(periodsPerYear). Written here rather than taken from technicalindicators because
 * its SD is a population deviation of raw values, not of log returns.
 * Value at i uses closes i-window..i, so it is defined from index `window`.
 */
export function rollingVolatility(closes: ArrayLike<number>, window = 20, periodsPerYear = 252): Float64Array {
  if (!Number.isInteger(window) || window < 2) throw new Error(`volatility window must be an integer >= 2, got ${window}`);
  const n = closes.length;
  const out = new Float64Array(n).fill(NaN);
  const annualise = Math.sqrt(periodsPerYear);
  const r = new Float64Array(n);
  for (let i = 1; i < n; i++) r[i] = Math.log(closes[i] / closes[i - 1]);
  // Two-pass per window keeps this exact for near-constant returns (the running sum-of-squares trick cancels badly).
  for (let i = window; i < n; i++) {
    let mean = 0;
    for (let k = i - window + 1; k <= i; k++) mean += r[k];
    mean /= window;
    let ss = 0;
    for (let k = i - window + 1; k <= i; k++) ss += (r[k] - mean) * (r[k] - mean);
    out[i] = Math.sqrt(ss / (window - 1)) * annualise;
  }
  return out;
}

export function logReturns(closes: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, closes.length - 1));
  for (let i = 1; i < closes.length; i++) out[i - 1] = Math.log(closes[i] / closes[i - 1]);
  return out;
}
