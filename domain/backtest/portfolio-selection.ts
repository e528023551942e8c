/**
 * Point-in-time portfolio decisions: which bars rebalance, which tickers a rebalance selects and
 * with what weights. Everything here reads only values at or before the decision bar.
 */

export type RebalanceFrequency = 'daily' | 'weekly' | 'monthly';
export type WeightScheme = 'equal' | 'confidence' | 'inverse-volatility';

/**
 * How one book picks tickers from the eligible ones by score: the `top` / `bottom` N scores
 * (ties go to the ticker listed first), or every score `>= above` / `<= below`.
 */
export type Selector = { top: number } | { bottom: number } | { above: number } | { below: number };

const DAY_MS = 86_400_000;

/** Calendar period of a bar time (UTC): the ISO week (Monday start) or the month. */
function periodKey(time: number, frequency: RebalanceFrequency): number {
  if (frequency === 'weekly') return Math.floor((Math.floor(time / DAY_MS) + 3) / 7); // 1970-01-01 was a Thursday
  const d = new Date(time);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/**
 * Decision bars: every bar (daily), or the first bar of each ISO week / calendar month, so that a
 * decision never depends on knowing that a later bar exists. Bar 0 always decides.
 */
export function rebalanceBars(times: ArrayLike<number>, frequency: RebalanceFrequency): number[] {
  const out: number[] = [];
  for (let i = 0; i < times.length; i++) {
    if (frequency === 'daily' || i === 0 || periodKey(times[i], frequency) !== periodKey(times[i - 1], frequency)) out.push(i);
  }
  return out;
}

/**
 * Sample standard deviation of the last `lookback` close-to-close returns of one ticker up to
 * bar `d` (its own bars only: missing bars are skipped), or NaN without enough history.
 */
export function trailingVolatility(close: ArrayLike<number>, d: number, lookback: number): number {
  const rets: number[] = [];
  let later = NaN;
  for (let i = d; i >= 0 && rets.length < lookback; i--) {
    const c = close[i];
    if (!(c > 0)) continue;
    if (later === later) rets.push(later / c - 1);
    later = c;
  }
  if (rets.length < lookback || lookback < 2) return NaN;
  let mean = 0;
  for (const r of rets) mean += r;
  mean /= rets.length;
  let ss = 0;
  for (const r of rets) ss += (r - mean) * (r - mean);
  return Math.sqrt(ss / (rets.length - 1));
}

/** Indices of the selected candidates (candidates are indices into `scores`, in universe order). */
export function selectTickers(candidates: number[], scores: ArrayLike<number>, selector: Selector): number[] {
  if ('top' in selector || 'bottom' in selector) {
    const count = 'top' in selector ? selector.top : selector.bottom;
    const sign = 'top' in selector ? -1 : 1;
    // Stable sort: equal scores keep universe order, so ties go to the ticker listed first.
    const ranked = [...candidates].sort((a, b) => sign * (scores[a] - scores[b]));
    return ranked.slice(0, Math.max(0, count)).sort((a, b) => a - b);
  }
  if ('above' in selector) return candidates.filter((j) => scores[j] >= selector.above);
  return candidates.filter((j) => scores[j] <= selector.below);
}

/**
 * Weights of one book summing to `gross`: equal, proportional to |score| (confidence), or to
 * 1/volatility. A book whose raw weights sum to 0 (all scores 0) falls back to equal weights.
 */
export function bookWeights(selected: number[], scores: ArrayLike<number>, volatility: ArrayLike<number>, scheme: WeightScheme, gross: number): Map<number, number> {
  const out = new Map<number, number>();
  if (selected.length === 0 || gross === 0) return out;
  const raw = selected.map((j) => (scheme === 'equal' ? 1 : scheme === 'confidence' ? Math.abs(scores[j]) : 1 / volatility[j]));
  let sum = 0;
  for (const r of raw) sum += r;
  for (let k = 0; k < selected.length; k++) out.set(selected[k], sum > 0 ? (raw[k] / sum) * gross : gross / selected.length);
  return out;
}
