/**
 * Event study (MacKinlay 1997, "Event Studies in Economics and Finance"): how a ticker's return
 * moves around news events, net of what the market did. Pure: the caller gives daily returns and
 * event days; nothing here reads a database or the clock.
 *
 * Per event of ticker i with event day 0 (the first trading day on or after the event):
 *   - a market model r_i = alpha + beta * r_m + e is fitted by OLS over a *clean* estimation window
 *     (default [-250, -11] trading days) from which every day inside another event's window of the
 *     same ticker is removed, so earlier news does not leak into "normal" returns;
 *   - abnormal return AR_t = r_i,t - (alpha + beta * r_m,t) for t in the event window, CAR_t its
 *     running sum from the window's first day.
 * Across events: the average AR (AAR) and CAR (CAAR) per day, each with the count of events, a
 * cross-sectional t-statistic (mean / (sd / sqrt(n)); robust to event-induced variance, which the
 * estimation-window variance is not) and a percentile bootstrap interval that resamples events with
 * replacement under a seed (reproducible).
 *
 * Caveat: events of one ticker share most of their estimation window, so their market-model
 * errors are correlated and the cross-sectional t and the bootstrap (which treat events as
 * independent) are somewhat optimistic when a ticker has many events; a calendar day shared by
 * events of many tickers has the same effect. The result reports n per ticker in `studied`.
 *
 * Overlap: events of one ticker whose windows overlap would count the same days twice and are not
 * independent. Events on the same trading day merge into one; an event whose window overlaps the
 * window of an earlier *kept* event of the same ticker is dropped (the earlier one already carries
 * those days). Both counts are returned, so the caller can say what happened.
 */
import { SeededRandom } from '../backtest/seeded-random';

/** Simple daily returns of one series, keyed by trading day 'YYYY-MM-DD'. */
export type DailyReturns = ReadonlyMap<string, number>;

export interface StudyEvent {
  ticker: string;
  /** Calendar day 'YYYY-MM-DD' the news belongs to; day 0 is the first trading day on or after it. */
  day: string;
  /** What caused it (article id, signal id): echoed back on kept events. */
  id?: string;
}

export interface EventStudyOptions {
  /** Event window in trading days around day 0, inclusive; default [-5, 10]. */
  window?: [number, number];
  /** Estimation window, inclusive, before the event window; default [-250, -11]. */
  estimation?: [number, number];
  /** Fewest clean estimation days for an event to be studied; default 120. */
  minEstimationDays?: number;
  /** Bootstrap resamples; default 2000. */
  bootstrapSamples?: number;
  /** Two-sided confidence of the intervals; default 0.95. */
  confidence?: number;
  /** Bootstrap seed; default 1. */
  seed?: number;
}

export interface EventStudyDay {
  /** Trading day relative to the event (0 = event day). */
  day: number;
  events: number;
  aar: number;
  aarT: number | null;
  aarLow: number;
  aarHigh: number;
  car: number;
  carT: number | null;
  carLow: number;
  carHigh: number;
}

export interface StudiedEvent {
  ticker: string;
  /** Trading day the event was anchored to (day 0). */
  day: string;
  ids: string[];
  alpha: number;
  beta: number;
  estimationDays: number;
  /** Cumulative abnormal return over the whole window. */
  car: number;
}

export type SkipReason = 'NO_PRICES' | 'OUTSIDE_PRICES' | 'SHORT_ESTIMATION';

export interface EventStudyResult {
  window: [number, number];
  estimation: [number, number];
  confidence: number;
  bootstrapSamples: number;
  seed: number;
  /** Events given. */
  eventsIn: number;
  /** Events studied (after merging, dropping and skipping): n behind every figure. */
  eventsUsed: number;
  /** Events that fell on a trading day another event of the ticker already had: merged into it. */
  mergedSameDay: number;
  /** Events dropped because their window overlapped an earlier kept event's window (same ticker). */
  droppedOverlapping: number;
  /** Events that could not be studied, by reason. */
  skipped: Record<SkipReason, number>;
  /** Plain-language account of the overlap handling, for the reader of the result. */
  overlapNote: string;
  days: EventStudyDay[];
  studied: StudiedEvent[];
}

interface AlignedSeries {
  days: string[];
  stock: Float64Array;
  market: Float64Array;
}

/** The trading days both series have a return for, oldest first. */
function align(stock: DailyReturns, market: DailyReturns): AlignedSeries {
  const days = [...stock.keys()].filter((d) => market.has(d) && Number.isFinite(stock.get(d)!) && Number.isFinite(market.get(d)!)).sort();
  return {
    days,
    stock: Float64Array.from(days, (d) => stock.get(d)!),
    market: Float64Array.from(days, (d) => market.get(d)!),
  };
}

/** Index of the first day >= day in sorted days, or days.length. */
function firstOnOrAfter(days: string[], day: string): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** OLS of y on x over the given indexes. */
export function marketModel(y: ArrayLike<number>, x: ArrayLike<number>, idx: number[]): { alpha: number; beta: number } {
  let mx = 0;
  let my = 0;
  for (const i of idx) {
    mx += x[i];
    my += y[i];
  }
  mx /= idx.length;
  my /= idx.length;
  let sxy = 0;
  let sxx = 0;
  for (const i of idx) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const beta = sxx > 0 ? sxy / sxx : 0;
  return { alpha: my - beta * mx, beta };
}

function meanSd(values: Float64Array): { mean: number; sd: number } {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(v / (n - 1)) : 0 };
}

/** Linear-interpolated quantile of sorted values (type 7, as R and numpy default). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function runEventStudy(
  returns: ReadonlyMap<string, DailyReturns>,
  market: DailyReturns,
  events: StudyEvent[],
  options: EventStudyOptions = {},
): EventStudyResult {
  const window = options.window ?? [-5, 10];
  const estimation = options.estimation ?? [-250, -11];
  const minEstimationDays = options.minEstimationDays ?? 120;
  const bootstrapSamples = options.bootstrapSamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 1;
  const [w0, w1] = window;
  const [e0, e1] = estimation;
  if (!(Number.isInteger(w0) && Number.isInteger(w1) && w0 <= 0 && w1 >= 0 && w1 - w0 <= 250)) throw new RangeError('window must be integers [a, b] with a <= 0 <= b, at most 250 days long');
  if (!(Number.isInteger(e0) && Number.isInteger(e1) && e0 < e1 && e1 < w0)) throw new RangeError('estimation window must be integers [c, d] with c < d < the event window start');
  if (!(minEstimationDays >= 10)) throw new RangeError('minEstimationDays must be at least 10');
  if (!(Number.isInteger(bootstrapSamples) && bootstrapSamples >= 100 && bootstrapSamples <= 100_000)) throw new RangeError('bootstrapSamples must be an integer in [100, 100000]');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be in (0, 1)');

  const length = w1 - w0 + 1;
  const skipped: Record<SkipReason, number> = { NO_PRICES: 0, OUTSIDE_PRICES: 0, SHORT_ESTIMATION: 0 };
  let mergedSameDay = 0;
  let droppedOverlapping = 0;
  const studied: StudiedEvent[] = [];
  const cars: Float64Array[] = [];
  const ars: Float64Array[] = [];

  const byTicker = new Map<string, StudyEvent[]>();
  for (const e of events) {
    let list = byTicker.get(e.ticker);
    if (!list) byTicker.set(e.ticker, (list = []));
    list.push(e);
  }

  for (const ticker of [...byTicker.keys()].sort()) {
    const tickerEvents = byTicker.get(ticker)!;
    const stock = returns.get(ticker);
    const series = stock ? align(stock, market) : null;
    if (!series || series.days.length === 0) {
      skipped.NO_PRICES += tickerEvents.length;
      continue;
    }
    // Anchor each event to its trading day; same-day events become one.
    const anchored = new Map<number, string[]>();
    for (const e of tickerEvents) {
      const t = firstOnOrAfter(series.days, e.day);
      if (t >= series.days.length) {
        skipped.OUTSIDE_PRICES++;
        continue;
      }
      const ids = anchored.get(t);
      if (ids) {
        mergedSameDay++;
        if (e.id) ids.push(e.id);
      } else anchored.set(t, e.id ? [e.id] : []);
    }
    const anchors = [...anchored.keys()].sort((a, b) => a - b);
    // Days inside any event's window (kept or not): never "normal" days for the market model.
    const eventDay = new Uint8Array(series.days.length);
    for (const t of anchors) for (let k = Math.max(0, t + w0); k <= Math.min(series.days.length - 1, t + w1); k++) eventDay[k] = 1;

    let lastKept = -Infinity;
    for (const t of anchors) {
      if (t - lastKept <= w1 - w0) {
        droppedOverlapping++;
        continue;
      }
      if (t + w0 < 0 || t + w1 >= series.days.length) {
        skipped.OUTSIDE_PRICES++;
        continue;
      }
      const est: number[] = [];
      for (let k = Math.max(0, t + e0); k <= t + e1; k++) if (!eventDay[k]) est.push(k);
      if (est.length < minEstimationDays) {
        skipped.SHORT_ESTIMATION++;
        continue;
      }
      lastKept = t;
      const { alpha, beta } = marketModel(series.stock, series.market, est);
      const ar = new Float64Array(length);
      const car = new Float64Array(length);
      let running = 0;
      for (let j = 0; j < length; j++) {
        const k = t + w0 + j;
        ar[j] = series.stock[k] - (alpha + beta * series.market[k]);
        running += ar[j];
        car[j] = running;
      }
      ars.push(ar);
      cars.push(car);
      studied.push({ ticker, day: series.days[t], ids: anchored.get(t)!, alpha, beta, estimationDays: est.length, car: running });
    }
  }

  const n = studied.length;
  const days: EventStudyDay[] = [];
  const tail = (1 - confidence) / 2;
  // Bootstrap: resample events (whole AR paths, so the CAR's serial structure is kept).
  const bootAar: Float64Array[] = Array.from({ length }, () => new Float64Array(bootstrapSamples));
  const bootCar: Float64Array[] = Array.from({ length }, () => new Float64Array(bootstrapSamples));
  if (n > 0) {
    const rng = new SeededRandom(seed);
    const sumAr = new Float64Array(length);
    const sumCar = new Float64Array(length);
    for (let b = 0; b < bootstrapSamples; b++) {
      sumAr.fill(0);
      sumCar.fill(0);
      for (let i = 0; i < n; i++) {
        const pick = rng.int(n);
        const ar = ars[pick];
        const car = cars[pick];
        for (let j = 0; j < length; j++) {
          sumAr[j] += ar[j];
          sumCar[j] += car[j];
        }
      }
      for (let j = 0; j < length; j++) {
        bootAar[j][b] = sumAr[j] / n;
        bootCar[j][b] = sumCar[j] / n;
      }
    }
  }
  for (let j = 0; j < length; j++) {
    const a = meanSd(Float64Array.from(ars, (x) => x[j]));
    const c = meanSd(Float64Array.from(cars, (x) => x[j]));
    const sa = bootAar[j].sort();
    const sc = bootCar[j].sort();
    const t = (m: number, sd: number) => (n > 1 && sd > 0 ? m / (sd / Math.sqrt(n)) : null);
    days.push({
      day: w0 + j,
      events: n,
      aar: n ? a.mean : NaN,
      aarT: t(a.mean, a.sd),
      aarLow: n ? quantile(sa, tail) : NaN,
      aarHigh: n ? quantile(sa, 1 - tail) : NaN,
      car: n ? c.mean : NaN,
      carT: t(c.mean, c.sd),
      carLow: n ? quantile(sc, tail) : NaN,
      carHigh: n ? quantile(sc, 1 - tail) : NaN,
    });
  }

  const overlapNote =
    `${mergedSameDay} event(s) on a trading day that already had one for the ticker were merged into it; ` +
    `${droppedOverlapping} event(s) whose [${w0}, ${w1}] window overlapped an earlier kept event of the same ticker were dropped; ` +
    `every event's window was removed from the other events' estimation windows.`;
  return { window, estimation, confidence, bootstrapSamples, seed, eventsIn: events.length, eventsUsed: n, mergedSameDay, droppedOverlapping, skipped, overlapNote, days, studied };
}

/** Simple returns close_t / close_{t-1} - 1 keyed by day, from daily closes in any order. */
export function simpleReturnsByDay(closes: Array<{ day: string; close: number }>): Map<string, number> {
  const sorted = [...closes].filter((c) => Number.isFinite(c.close) && c.close > 0).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const out = new Map<string, number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i].day !== sorted[i - 1].day) out.set(sorted[i].day, sorted[i].close / sorted[i - 1].close - 1);
  return out;
}

const NEW_YORK = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });

/**
 * The calendar day a piece of news can first move US prices: its New York date, or the next day
 * when it came at or after the 16:00 close (the study then anchors it to the next trading day).
 */
export function usMarketEventDay(time: Date): string {
  const parts = Object.fromEntries(NEW_YORK.formatToParts(time).map((p) => [p.type, p.value]));
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  if (Number(parts.hour) < 16) return day;
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/**
 * The calendar day a decision made from daily bars can first be traded on: the day after the
 * UTC day of its last bar (decisions at a bar's time use that bar's close, so that day's return
 * is what caused the signal, not its effect).
 */
export function dayAfterBar(barTime: Date): string {
  return new Date(Date.parse(`${barTime.toISOString().slice(0, 10)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
