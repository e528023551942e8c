import type { PriceBar } from '../prices';

/**
 * Volume spread analysis (VSA) of daily OHLCV bars. Each bar is compared with the average
 * spread (high − low) and volume of the `lookback` bars before it, and with the two bars before
 * it. The rules, checked in this order (the first that holds names the bar):
 *
 * | class            | bar                 | spread            | volume                                  | close position* |
 * |------------------|---------------------|-------------------|-----------------------------------------|-----------------|
 * | buying-climax    | up (close > prev)   | wide (> 1.5×avg)  | ultra high (> 2×avg)                    | < 0.7 (off the high) |
 * | selling-climax   | down (close < prev) | wide              | ultra high                              | > 0.3 (off the low)  |
 * | test             | low below prev low  | any               | below both previous bars and below avg  | ≥ 0.5 (upper half)   |
 * | no-supply        | down                | narrow (< 0.75×avg) | below both previous bars              | any             |
 * | no-demand        | up                  | narrow            | below both previous bars                | any             |
 * | none             | otherwise                                                                                       |
 *
 * *close position = (close − low) / spread, 0.5 for a zero-spread bar.
 * Reading: no-demand and a buying climax are weakness (bias −1: rising prices nobody is buying,
 * or professional selling into a frenzy); no-supply, a test and a selling climax are strength
 * (bias +1). Bars without volume, or without `lookback` bars before them, are not classified.
 */
export type VsaClass = 'buying-climax' | 'selling-climax' | 'test' | 'no-supply' | 'no-demand' | 'none';

export interface VsaParams {
  lookback: number;
  wideSpread: number;
  narrowSpread: number;
  climaxVolume: number;
  climaxCloseOffHigh: number;
  climaxCloseOffLow: number;
  testClose: number;
}

export const DEFAULT_VSA_PARAMS: VsaParams = {
  lookback: 20,
  wideSpread: 1.5,
  narrowSpread: 0.75,
  climaxVolume: 2,
  climaxCloseOffHigh: 0.7,
  climaxCloseOffLow: 0.3,
  testClose: 0.5,
};

export interface VsaBar {
  time: Date;
  class: VsaClass;
  /** +1 strength, −1 weakness, 0 none. */
  bias: number;
  /** spread / average spread of the lookback bars before. */
  spreadRatio: number;
  /** volume / average volume of the lookback bars before. */
  volumeRatio: number;
  closePosition: number;
}

export const VSA_BIAS: Record<VsaClass, number> = { 'buying-climax': -1, 'no-demand': -1, 'selling-climax': 1, 'no-supply': 1, test: 1, none: 0 };

/** One entry per classifiable bar (oldest first): bars from index `lookback` on that have volume, as do the two before. */
export function classifyVsaBars(bars: readonly PriceBar[], overrides: Partial<VsaParams> = {}): VsaBar[] {
  const p = { ...DEFAULT_VSA_PARAMS, ...overrides };
  const out: VsaBar[] = [];
  for (let i = Math.max(p.lookback, 2); i < bars.length; i++) {
    const bar = bars[i]!;
    const prev = bars[i - 1]!;
    const prev2 = bars[i - 2]!;
    const window = bars.slice(i - p.lookback, i);
    if (bar.volume === null || prev.volume === null || prev2.volume === null || window.some((b) => b.volume === null)) continue;
    const avgSpread = window.reduce((s, b) => s + (b.high - b.low), 0) / window.length;
    const avgVolume = window.reduce((s, b) => s + b.volume!, 0) / window.length;
    if (!(avgSpread > 0) || !(avgVolume > 0)) continue;
    const spread = bar.high - bar.low;
    const closePosition = spread > 0 ? (bar.close - bar.low) / spread : 0.5;
    const spreadRatio = spread / avgSpread;
    const volumeRatio = bar.volume / avgVolume;
    const up = bar.close > prev.close;
    const down = bar.close < prev.close;
    const wide = spreadRatio > p.wideSpread;
    const narrow = spreadRatio < p.narrowSpread;
    const ultraHigh = volumeRatio > p.climaxVolume;
    const lowerThanTwo = bar.volume < prev.volume && bar.volume < prev2.volume;

    let cls: VsaClass = 'none';
    if (up && wide && ultraHigh && closePosition < p.climaxCloseOffHigh) cls = 'buying-climax';
    else if (down && wide && ultraHigh && closePosition > p.climaxCloseOffLow) cls = 'selling-climax';
    else if (bar.low < prev.low && lowerThanTwo && volumeRatio < 1 && closePosition >= p.testClose) cls = 'test';
    else if (down && narrow && lowerThanTwo) cls = 'no-supply';
    else if (up && narrow && lowerThanTwo) cls = 'no-demand';
    out.push({ time: bar.time, class: cls, bias: VSA_BIAS[cls], spreadRatio, volumeRatio, closePosition });
  }
  return out;
}
