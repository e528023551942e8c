/**
 * Strategies turn information into target positions aligned to bars. Every function here
 * produces targets[t] from information with timestamp <= times[t] only; the engine then trades
 * targets[t] at t+1. Bar timestamps are taken as the moment the decision is made, so for daily
 * bars stamped at midnight a story published during day D first counts at the D+1 bar —
 * conservative, never early.
 */

export type SignalType = 'BUY' | 'SELL' | 'HOLD';

/** A product signal (`asOf` as produced by domain/signals) or anything else with a `time`. */
export interface TimedSignal {
  time?: Date | number;
  asOf?: Date;
  type: SignalType;
  /** Fraction of equity suggested by the signal rules (used with sizing 'suggested'). */
  suggestedPositionSize?: number;
}

export interface SignalPositionOptions {
  /** 'fixed': every BUY/SELL takes fixedFraction; 'suggested': the signal's suggestedPositionSize. Default 'fixed'. */
  sizing?: 'fixed' | 'suggested';
  fixedFraction?: number;
  /** SELL opens a short when true, otherwise it only closes a long. Default false. */
  allowShort?: boolean;
  /** HOLD keeps the current position ('keep', default) or closes it ('flat'). */
  onHold?: 'keep' | 'flat';
  /** Close a position after this many bars unless a fresh BUY/SELL renews it. */
  holdingBars?: number;
  /** Absolute cap on any position. Default 1. */
  maxPosition?: number;
}

const toMs = (t: Date | number): number => (typeof t === 'number' ? t : t.getTime());

/** Strategy (a): a series of product signals -> target positions per bar. */
export function positionsFromSignals(barTimes: ArrayLike<number>, signals: TimedSignal[], options: SignalPositionOptions = {}): Float64Array {
  const sizing = options.sizing ?? 'fixed';
  const fixed = options.fixedFraction ?? 1;
  const cap = options.maxPosition ?? 1;
  const hold = options.holdingBars ?? Infinity;
  const sorted = signals
    .map((s) => {
      const time = s.time ?? s.asOf;
      if (time === undefined) throw new Error(`signal ${s.type} has neither time nor asOf`);
      return { ...s, ms: toMs(time) };
    })
    .sort((a, b) => a.ms - b.ms);
  const out = new Float64Array(barTimes.length);
  let position = 0;
  let barsHeld = 0;
  let next = 0;
  for (let t = 0; t < barTimes.length; t++) {
    let renewed = false;
    while (next < sorted.length && sorted[next].ms <= barTimes[t]) {
      const s = sorted[next++];
      const size = Math.min(cap, Math.max(0, sizing === 'suggested' ? s.suggestedPositionSize ?? 0 : fixed));
      if (s.type === 'BUY') {
        position = size;
        renewed = true;
      } else if (s.type === 'SELL') {
        position = options.allowShort ? -size : 0;
        renewed = true;
      } else if (options.onHold === 'flat') {
        position = 0;
      }
    }
    if (renewed) barsHeld = 0;
    if (position !== 0) {
      barsHeld++;
      if (barsHeld > hold) position = 0;
    }
    out[t] = position;
  }
  return out;
}

export interface SentimentThresholdParams {
  /** Go long when sentiment >= enter. */
  enter: number;
  /** Leave a long when sentiment < exit (exit <= enter gives hysteresis). */
  exit: number;
  allowShort?: boolean;
  /** Go short when sentiment <= shortEnter. Default -enter. */
  shortEnter?: number;
  /** Leave a short when sentiment > shortExit. Default -exit. */
  shortExit?: number;
  /** Close after this many bars; re-entry then needs the sentiment to re-cross the threshold. */
  holdingBars?: number;
  /** Position size as a fraction of equity. Default 1. */
  size?: number;
}

/**
 * Strategy (b): threshold rules on a rolling sentiment series aligned to bars (NaN = no news,
 * which keeps the current position). After a holding-period exit the side is re-armed only once
 * sentiment falls back through its entry threshold, otherwise a time exit would just re-enter.
 */
export function sentimentThresholdPositions(sentiment: ArrayLike<number>, params: SentimentThresholdParams): Float64Array {
  const { enter, exit } = params;
  if (exit > enter) throw new Error(`exit threshold ${exit} must not be above enter threshold ${enter}`);
  const shortEnter = params.shortEnter ?? -enter;
  const shortExit = params.shortExit ?? -exit;
  const allowShort = params.allowShort ?? false;
  const hold = params.holdingBars ?? Infinity;
  const size = params.size ?? 1;
  const n = sentiment.length;
  const out = new Float64Array(n);
  let side = 0;
  let barsHeld = 0;
  let longArmed = true;
  let shortArmed = true;
  for (let t = 0; t < n; t++) {
    const s = sentiment[t];
    if (s === s) {
      if (s < enter) longArmed = true;
      if (s > shortEnter) shortArmed = true;
      if (side > 0 && s < exit) side = 0;
      else if (side < 0 && s > shortExit) side = 0;
      if (side === 0) {
        if (s >= enter && longArmed) {
          side = 1;
          barsHeld = 0;
        } else if (allowShort && s <= shortEnter && shortArmed) {
          side = -1;
          barsHeld = 0;
        }
      }
    }
    if (side !== 0 && ++barsHeld > hold) {
      if (side > 0) longArmed = false;
      else shortArmed = false;
      side = 0;
    }
    out[t] = side * size;
  }
  return out;
}

export interface SentimentObservation {
  time: Date | number;
  score: number;
  /** E.g. relevance; default 1. */
  weight?: number;
}

/**
 * Weighted mean sentiment over (barTime - windowMs, barTime] for every bar, NaN when the window
 * holds no stories. Linear time: one pointer adds stories as bars advance, another drops them.
 */
export function rollingSentimentByBar(barTimes: ArrayLike<number>, observations: SentimentObservation[], windowMs: number): Float64Array {
  const obs = observations
    .map((o) => ({ ms: toMs(o.time), score: o.score, weight: o.weight ?? 1 }))
    .filter((o) => Number.isFinite(o.score) && o.weight > 0)
    .sort((a, b) => a.ms - b.ms);
  const out = new Float64Array(barTimes.length);
  let add = 0;
  let drop = 0;
  let sumWs = 0;
  let sumW = 0;
  for (let t = 0; t < barTimes.length; t++) {
    const now = barTimes[t];
    while (add < obs.length && obs[add].ms <= now) {
      sumWs += obs[add].weight * obs[add].score;
      sumW += obs[add].weight;
      add++;
    }
    while (drop < add && obs[drop].ms <= now - windowMs) {
      sumWs -= obs[drop].weight * obs[drop].score;
      sumW -= obs[drop].weight;
      drop++;
    }
    // Recompute from scratch when the window empties so running-sum rounding never leaks into "no news".
    if (drop === add) {
      sumWs = 0;
      sumW = 0;
    }
    out[t] = sumW > 1e-12 ? sumWs / sumW : NaN;
  }
  return out;
}
