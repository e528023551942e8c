const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Bars per year as observed in the data: over a long enough span this is simply bars per calendar
 * year (≈252 for equities' daily bars, ≈365 for crypto daily, ≈8760 for crypto hourly), which
 * handles weekends and holidays without a calendar. Short spans fall back to the median spacing,
 * reading a one-day spacing as a trading day.
 */
export function inferPeriodsPerYear(times: ArrayLike<number> | undefined, fallback = 252): number {
  if (!times || times.length < 3) return fallback;
  const n = times.length;
  const span = times[n - 1] - times[0];
  if (!(span > 0)) return fallback;
  if (span >= 180 * DAY_MS) return Math.round(((n - 1) / span) * YEAR_MS);
  const gaps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) gaps[i - 1] = times[i] - times[i - 1];
  gaps.sort();
  const median = gaps[Math.floor(gaps.length / 2)];
  if (!(median > 0)) return fallback;
  if (Math.abs(median - DAY_MS) < DAY_MS / 24) return 252;
  return Math.round(YEAR_MS / median);
}

/** Years covered: calendar span when timestamps exist, otherwise bar count over periods per year. */
export function yearsCovered(bars: number, periodsPerYear: number, times?: ArrayLike<number>): number {
  if (times && times.length >= 2 && times[times.length - 1] > times[0]) return (times[times.length - 1] - times[0]) / YEAR_MS;
  return Math.max(0, bars - 1) / periodsPerYear;
}
