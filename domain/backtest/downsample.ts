export interface DownsampledEquity {
  /** Indices into the original curve, ascending. */
  index: number[];
  equity: number[];
  /** Present when times were given. */
  time?: number[];
}

/**
 * Shrinks an equity curve for storage/plotting to at most ~maxPoints points. Each bucket keeps
 * its minimum and maximum (in time order), plus the first and last points overall, so peaks,
 * troughs and therefore the maximum drawdown survive the reduction — plain decimation can
 * skip the worst day entirely.
 */
export function downsampleEquity(equity: ArrayLike<number>, maxPoints: number, times?: ArrayLike<number>): DownsampledEquity {
  const n = equity.length;
  const picked: number[] = [];
  if (n <= Math.max(2, maxPoints)) {
    for (let i = 0; i < n; i++) picked.push(i);
  } else {
    const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
    const size = (n - 2) / buckets;
    picked.push(0);
    for (let b = 0; b < buckets; b++) {
      const from = 1 + Math.floor(b * size);
      const to = Math.min(n - 1, 1 + Math.floor((b + 1) * size));
      let lo = from;
      let hi = from;
      for (let i = from; i < to; i++) {
        if (equity[i] < equity[lo]) lo = i;
        if (equity[i] > equity[hi]) hi = i;
      }
      if (to > from) {
        picked.push(Math.min(lo, hi));
        if (hi !== lo) picked.push(Math.max(lo, hi));
      }
    }
    picked.push(n - 1);
  }
  const out: DownsampledEquity = { index: picked, equity: picked.map((i) => equity[i]) };
  if (times) out.time = picked.map((i) => times[i]);
  return out;
}
