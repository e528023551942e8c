import { ema, hurstOfPrices, macd, rollingVolatility, rsi, sma } from '../indicators';
import { inferPeriodsPerYear } from '../backtest/periods';
import type { PointInTimeView } from './point-in-time';
import type { SignalParams, TechnicalFeatures } from './types';

const lastOf = (xs: Float64Array): number | null => {
  const v = xs.length > 0 ? xs[xs.length - 1] : NaN;
  return Number.isFinite(v) ? v : null;
};

/** Indicator values at the last bar known at asOf; null when there are no bars. */
export function technicalFeatures(view: PointInTimeView, params: SignalParams['technical']): TechnicalFeatures | null {
  const bars = view.bars;
  if (bars.length === 0) return null;
  const closes = bars.map((b) => b.close);
  const smaFast = lastOf(sma(closes, params.smaFast));
  const smaSlow = lastOf(sma(closes, params.smaSlow));
  const emaFast = lastOf(ema(closes, params.emaFast));
  const emaSlow = lastOf(ema(closes, params.emaSlow));
  const rsiValue = lastOf(rsi(closes, params.rsiPeriod));
  const macdSeries = macd(closes, params.macd);
  const histogram = lastOf(macdSeries.histogram);
  const periodsPerYear = inferPeriodsPerYear(bars.map((b) => b.time.getTime()));
  const volatility = closes.length > params.volatilityWindow ? lastOf(rollingVolatility(closes, params.volatilityWindow, periodsPerYear)) : null;
  const hurst = hurstOfPrices(closes.slice(-params.hurstLookback - 1));

  const smaCross = smaFast !== null && smaSlow !== null ? Math.sign(smaFast - smaSlow) : null;
  const emaCross = emaFast !== null && emaSlow !== null ? Math.sign(emaFast - emaSlow) : null;
  // RSI votes only at the classic extremes, and against them (overbought -> down).
  const rsiVote = rsiValue === null ? null : rsiValue >= 70 ? -1 : rsiValue <= 30 ? 1 : 0;
  const votes = [smaCross, emaCross, histogram === null ? null : Math.sign(histogram), rsiVote].filter((v): v is number => v !== null);
  return {
    barsUsed: bars.length,
    lastBarTime: bars[bars.length - 1].time.toISOString(),
    lastClose: closes[closes.length - 1],
    smaFast,
    smaSlow,
    emaFast,
    emaSlow,
    macdLine: lastOf(macdSeries.macd),
    macdSignal: lastOf(macdSeries.signal),
    smaCross,
    emaCross,
    rsi: rsiValue,
    macdHistogram: histogram,
    volatility,
    hurst: Number.isFinite(hurst) ? hurst : null,
    score: votes.length > 0 ? votes.reduce((a, b) => a + b, 0) / votes.length : null,
  };
}
