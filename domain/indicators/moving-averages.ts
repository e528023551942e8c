/**
 * technicalindicators returns only the defined values (shorter than the input); these wrappers
 * put them back at the input index they belong to so a value at i only ever uses inputs 0..i,
 * with NaN where the indicator is not yet defined.
 */
import { EMA, MACD, RSI, SMA } from 'technicalindicators';

// technicalindicators rounds outputs when a global precision is configured; keep full precision.
const exact = (v: number): number => v;

export function alignRight(values: ArrayLike<number | undefined>, length: number): Float64Array {
  const out = new Float64Array(length).fill(NaN);
  const offset = length - values.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[offset + i] = v === undefined ? NaN : v;
  }
  return out;
}

function assertPeriod(name: string, period: number): void {
  if (!Number.isInteger(period) || period < 1) throw new Error(`${name} period must be a positive integer, got ${period}`);
}

export function sma(values: ArrayLike<number>, period: number): Float64Array {
  assertPeriod('SMA', period);
  return alignRight(SMA.calculate({ period, values: Array.from(values), format: exact }), values.length);
}

/** EMA seeded with the SMA of the first `period` values (technicalindicators' convention). */
export function ema(values: ArrayLike<number>, period: number): Float64Array {
  assertPeriod('EMA', period);
  return alignRight(EMA.calculate({ period, values: Array.from(values), format: exact }), values.length);
}

/** Wilder's RSI in [0, 100]; defined from index `period`. technicalindicators rounds it to 2 decimals. */
export function rsi(values: ArrayLike<number>, period = 14): Float64Array {
  assertPeriod('RSI', period);
  return alignRight(RSI.calculate({ period, values: Array.from(values), format: exact }), values.length);
}

export interface MacdSeries {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

export interface MacdParams {
  fastPeriod: number;
  slowPeriod: number;
  signalPeriod: number;
}

export const DEFAULT_MACD: MacdParams = { fastPeriod: 12, slowPeriod: 26, signalPeriod: 9 };

/** EMA-based MACD (12/26/9 by default); `macd` is defined from slowPeriod-1, signal/histogram signalPeriod-1 later. */
export function macd(values: ArrayLike<number>, params: MacdParams = DEFAULT_MACD): MacdSeries {
  assertPeriod('MACD fast', params.fastPeriod);
  assertPeriod('MACD slow', params.slowPeriod);
  assertPeriod('MACD signal', params.signalPeriod);
  if (params.fastPeriod >= params.slowPeriod) throw new Error('MACD fastPeriod must be shorter than slowPeriod');
  const rows = MACD.calculate({
    values: Array.from(values),
    ...params,
    SimpleMAOscillator: false,
    SimpleMASignal: false,
    format: exact,
  });
  return {
    macd: alignRight(rows.map((r) => r.MACD), values.length),
    signal: alignRight(rows.map((r) => r.signal), values.length),
    histogram: alignRight(rows.map((r) => r.histogram), values.length),
  };
}
