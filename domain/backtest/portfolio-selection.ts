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

/** Year * 12 + month (0-based) of a UTC day number, without a Date (Hinnant's civil-from-days). */
function monthOfDay(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 2 : mp - 10; // 0 = January
  const year = yoe + era * 400 + (month <= 1 ? 1 : 0);
  return year * 12 + month;
}

/** Calendar period of a bar time (UTC): the ISO week (Monday start) or the month. */
function periodKey(time: number, frequency: RebalanceFrequency): number {
  const days = Math.floor(time / DAY_MS);
  if (frequency === 'weekly') return Math.floor((days + 3) / 7); // 1970-01-01 was a Thursday
  return monthOfDay(days);
}

/**
 * Decision bars: every bar (daily), or the first bar of each ISO week / calendar month, so that a
 * decision never depends on knowing that a later bar exists. Bar 0 always decides.
 */
export function rebalanceBars(times: ArrayLike<number>, frequency: RebalanceFrequency): number[] {
  const out: number[] = [];
  let previous = NaN;
  for (let i = 0; i < times.length; i++) {
    const key = frequency === 'daily' ? i : periodKey(times[i], frequency);
    if (key !== previous) out.push(i);
    previous = key;
  }
  return out;
}

/**
 * Sample standard deviation of the last `lookback` close-to-close returns of one ticker up to
 * bar `d` (its own bars only: missing bars are skipped), or NaN without enough history.
 */
export function trailingVolatility(close: ArrayLike<number>, d: number, lookback: number): number {
  if (lookback < 2) return NaN;
  if (scratch.length < lookback) scratch = new Float64Array(lookback);
  let count = 0;
  let later = NaN;
  let sum = 0;
  for (let i = d; i >= 0 && count < lookback; i--) {
    const c = close[i];
    if (!(c > 0)) continue;
    if (later === later) {
      const r = later / c - 1;
      scratch[count++] = r;
      sum += r;
    }
    later = c;
  }
  if (count < lookback) return NaN;
  const mean = sum / count;
  let ss = 0;
  for (let k = 0; k < count; k++) ss += (scratch[k] - mean) * (scratch[k] - mean);
  return Math.sqrt(ss / (count - 1));
}
/** Reused by trailingVolatility (called per ticker per rebalance): no allocation per call. */
let scratch = new Float64Array(64);

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
