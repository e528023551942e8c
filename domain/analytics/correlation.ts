/**
 * Cross-ticker correlation: Pearson correlation of per-day series aligned by date, each pair
 * over the days both tickers have a value (pairwise complete). A pair with fewer than
 * `minObservations` shared days, or a series that does not vary over them, has no correlation
 * (null) rather than a made-up one.
 */

/** One ticker's series: date key (e.g. "2025-01-31") -> value. */
export type DatedSeries = ReadonlyMap<string, number>;

export interface CorrelationMatrix {
  /** matrix[i][j] = correlation of series i and j; null when undefined. Symmetric. */
  matrix: (number | null)[][];
  /** Shared days behind each entry. */
  observations: number[][];
}

export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n !== ys.length || n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx <= 1e-24 || syy <= 1e-24) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

export function correlationMatrix(series: readonly DatedSeries[], minObservations = 3): CorrelationMatrix {
  const k = series.length;
  const matrix: (number | null)[][] = Array.from({ length: k }, () => Array<number | null>(k).fill(null));
  const observations: number[][] = Array.from({ length: k }, () => Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (const [day, x] of series[i]!) {
        const y = series[j]!.get(day);
        if (y !== undefined && Number.isFinite(x) && Number.isFinite(y)) {
          xs.push(x);
          ys.push(y);
        }
      }
      const r = xs.length >= minObservations ? pearson(xs, ys) : null;
      matrix[i]![j] = matrix[j]![i] = r;
      observations[i]![j] = observations[j]![i] = xs.length;
    }
  }
  return { matrix, observations };
}

/** Daily closes (date key -> close, any order) to log returns keyed by the later day; gaps (weekends, holidays) are bridged. */
export function logReturnsByDay(closes: ReadonlyArray<{ day: string; close: number }>): Map<string, number> {
  const sorted = [...closes].filter((c) => c.close > 0).sort((a, b) => a.day.localeCompare(b.day));
  const out = new Map<string, number>();
  for (let i = 1; i < sorted.length; i++) out.set(sorted[i]!.day, Math.log(sorted[i]!.close / sorted[i - 1]!.close));
  return out;
}
